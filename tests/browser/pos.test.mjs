// pos.test.mjs: the booth POS on a tablet (1024×768, touch), as staff use
// it at a fair: the office registers the tablet and sets a PIN; staff sign
// in with the PIN, sell 3 times online (cash with change, a VietQR transfer
// confirmed, a card), the server stops, they sell 5 more (the app keeps
// working and shows 5 waiting, even after a reload), the server starts
// again on the same port and database, and all 8 sales arrive exactly
// once with the booth's stock matching the ledger. Then a void with a
// reason, the e-receipt page, the Z report and a closing count; and the
// app's VietQR encoder against the server's.
//
// run.sh exports OCOP_BIN, OCOP_DB, OCOP_PORT and OCOP_SERVER_PIDFILE: this
// file stops the server it started and starts the same binary again on
// the same database and port, writing the new pid into the pid file so
// that run.sh's cleanup stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { openSync, writeFileSync, readFileSync } from 'node:fs';
import { launchBrowser, newPage, url, goto, shot, runAxe, formatViolations, BASE } from './lib.mjs';

const PW = 'correct horse battery';
const TABLET = { viewport: { width: 1024, height: 768 }, hasTouch: true };
const { OCOP_BIN, OCOP_DB, OCOP_PORT, OCOP_SERVER_PIDFILE } = process.env;

let browser;
let fair; // the sample fair made for this file
let booth; // {id, name, staff, pin}
let adminKey;
let deviceKey;
let deviceLink;
const NEW_PIN = '2580';

function ocop(...args) {
  return execFileSync(OCOP_BIN, [...args, '--db', OCOP_DB], { encoding: 'utf8' }).trim();
}

async function api(path, key, opts = {}) {
  const res = await fetch(url(path), {
    ...opts,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...(opts.headers || {}) },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function stockOf(id) {
  const r = await api(`/api/v1/locations/${id}/stock`, adminKey);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Map(r.body.items.map((i) => [i.sku, i.on_hand]));
}

async function salesOf(id) {
  const r = await api(`/api/v1/sales?booth=${id}`, adminKey);
  assert.equal(r.status, 200);
  return r.body.items;
}

async function serverUp() {
  try {
    const r = await fetch(url('/healthz'), { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/* stopServer: SIGTERM to the running server; it is gone when its port
 * refuses connections (a child of run.sh stays a zombie until reaped). */
async function stopServer() {
  const pid = Number(readFileSync(OCOP_SERVER_PIDFILE, 'utf8'));
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => !(await serverUp()), 15_000, 'the server to stop');
}

/* startServer: the same binary, database and port again. */
async function startServer() {
  const log = openSync(`${OCOP_DB}.restart.log`, 'a');
  const child = spawn(OCOP_BIN, ['serve', '--listen', `127.0.0.1:${OCOP_PORT}`, '--db', OCOP_DB], {
    detached: true, stdio: ['ignore', log, log],
  });
  child.unref();
  writeFileSync(OCOP_SERVER_PIDFILE, String(child.pid));
  await waitFor(serverUp, 15_000, 'the server to start again');
}

before(async () => {
  assert.ok(OCOP_BIN && OCOP_DB && OCOP_PORT && OCOP_SERVER_PIDFILE, 'run this file with run.sh');
  assert.equal(new URL(BASE).port, OCOP_PORT);
  browser = await launchBrowser();
  fair = JSON.parse(ocop('sample', '--fair'));
  booth = fair.booths.find((b) => b.producer === 'culaore');
  adminKey = ocop('apikey', 'create', '--role', 'admin', '--name', 'pos-test');
});

after(async () => {
  await browser?.close();
});

async function signInOffice(page) {
  await goto(page, '/dang-nhap');
  await page.fill('#username', 'office');
  await page.fill('#password', PW);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
}

test('the office sets a PIN and registers a tablet for the booth', async () => {
  const page = await newPage(browser);
  await signInOffice(page);
  await goto(page, '/ban-hang/quan-ly');
  const place = page.locator(`#place-${booth.id}`);
  await place.locator('select[name=username]').selectOption(booth.staff);
  // a weak PIN is refused with a reason
  await place.locator('input[name=pin]').fill('1234');
  await Promise.all([page.waitForNavigation(), place.locator('form[action$="/ma-pin"] button').click()]);
  await page.getByText('Mã PIN quá dễ đoán').first().waitFor();
  await page.locator(`#place-${booth.id} input[name=pin]`).fill(NEW_PIN);
  await Promise.all([page.waitForNavigation(), page.locator(`#place-${booth.id} form[action$="/ma-pin"] button`).click()]);
  assert.match(page.url(), /ok=pin/);
  await page.getByText('Đã đặt mã PIN.').waitFor();
  // the sample's fake bank account is there
  await page.locator(`#place-${booth.id}`).getByText('MAU0000000').waitFor();
  await page.fill(`#dev-${booth.id}`, 'Máy tính bảng 1');
  await Promise.all([page.waitForNavigation(), page.locator(`#place-${booth.id} form[action$="/may"] button`).click()]);
  deviceLink = await page.inputValue('#device-link');
  deviceKey = await page.inputValue('#device-key');
  assert.match(deviceLink, /\/ban-hang\/#key=ocop_/);
  assert.ok((await page.locator('#device-secret svg path').count()) === 1, 'a QR code of the link');
  await shot(page, 'pos-office-device');
  assert.deepEqual(page.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await page.context().close();
});

async function tablet() {
  const page = await newPage(browser, TABLET);
  await page.addInitScript(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
  return page;
}

async function pinIn(page, pin) {
  await page.locator(`.person[data-user="${booth.staff}"]`).click();
  for (const d of pin) await page.click(`#pad button[data-k="${d}"]`);
  await page.click('#pin-ok');
}

/** sell: taps the tiles, pays, closes the done dialog. */
async function sell(page, skus, pay) {
  for (const sku of skus) await page.click(`.tile[data-sku="${sku}"]`);
  await page.click('#pay-btn');
  await page.locator('#dlg-pay').waitFor();
  if (pay.method) await page.click(`.methods [data-method="${pay.method}"]`);
  if (pay.tendered) {
    await page.fill('#tendered', pay.tendered);
    if (pay.change) assert.equal(await page.textContent('#change'), pay.change);
  }
  if (pay.method === 'vietqr') {
    await page.locator('#qr-box svg').waitFor();
    assert.equal(await page.getAttribute('#qr-box', 'data-source'), pay.qrSource);
    if (pay.shot) await shot(page, pay.shot, false);
    // staff must confirm that the money arrived
    await page.click('#pay-confirm');
    await page.getByText('cần được nhân viên xác nhận').waitFor();
    await page.check('#qr-confirm');
  }
  if (pay.ref) await page.fill(pay.method === 'card' ? '#card-ref' : '#other-ref', pay.ref);
  if (pay.beforeConfirm) await pay.beforeConfirm();
  await page.click('#pay-confirm');
  await page.locator('#dlg-done').waitFor();
  const heading = await page.textContent('#done-h');
  const change = await page.locator('#done-change').isVisible() ? await page.textContent('#done-change') : null;
  if (pay.doneShot) await shot(page, pay.doneShot, false);
  await page.click('#done-next');
  await page.locator('#dlg-done').waitFor({ state: 'hidden' });
  return { heading, change };
}

const waiting = (page) => page.textContent('#sync-n').then(Number);

test('offline: 3 sales online, 5 with the server stopped, all 8 recorded once', async () => {
  const before = await stockOf(booth.id);
  const salesBefore = (await salesOf(booth.id)).length;
  const page = await tablet();
  // the office's link: the tablet keeps the key and drops the fragment
  await page.goto(deviceLink, { waitUntil: 'load' });
  await page.locator('#scr-pin').waitFor();
  assert.equal(new URL(page.url()).hash, '');
  await page.locator(`.person[data-user="${booth.staff}"]`).waitFor();
  await shot(page, 'pos-tablet-pin');
  const v0 = await runAxe(page);
  assert.equal(v0.length, 0, formatViolations(v0));

  // a wrong PIN, then the right one
  await pinIn(page, '9713');
  await page.getByText('Mã PIN không đúng.').waitFor();
  await pinIn(page, NEW_PIN);
  await page.locator('#scr-sell').waitFor();
  await page.locator('.tile[data-sku="CULAORE-YHC-070"]').waitFor();
  assert.equal(await page.textContent('#booth-name'), booth.name);

  // --- online ---
  let r = await sell(page, ['CULAORE-YHC-070', 'CULAORE-YHC-070'], { method: 'cash', tendered: '100.000', change: '26.000\u00A0₫' });
  assert.equal(r.heading, 'Đã bán xong');
  assert.match(r.change, /26\.000\u00A0₫/);
  r = await sell(page, ['CULAORE-YHCV-070'], { method: 'vietqr', qrSource: 'server', shot: 'pos-tablet-vietqr' });
  assert.equal(r.heading, 'Đã bán xong');
  // a line discount, paid by card
  await page.click('.tile[data-sku="CULAORE-YHCD-070"]');
  await page.click('.tile[data-sku="CULAORE-YHC-H6"]');
  await page.click('.cart-line[data-sku="CULAORE-YHC-H6"] .l-name');
  await page.fill('#line-disc', '10.000');
  await page.click('#line-save');
  assert.equal(await page.textContent('#t-total'), '252.000\u00A0₫');
  await shot(page, 'pos-tablet-sell');
  r = await sell(page, [], { method: 'card', ref: '4821' });
  assert.equal(r.heading, 'Đã bán xong');
  assert.equal(await waiting(page), 0);
  assert.equal((await salesOf(booth.id)).length, salesBefore + 3);

  // --- the server stops ---
  await stopServer();
  r = await sell(page, ['CULAORE-YHC-070'], { method: 'cash' });
  assert.equal(r.heading, 'Đã bán — chờ đồng bộ');
  await page.locator('#net[data-state=offline]').waitFor();
  r = await sell(page, ['CULAORE-YHCV-070'], { method: 'vietqr', qrSource: 'device', shot: 'pos-tablet-vietqr-offline' });
  r = await sell(page, ['CULAORE-YHCD-070', 'CULAORE-YHCD-070', 'CULAORE-YHCD-070'], { method: 'cash', tendered: '200000', change: '44.000\u00A0₫' });
  r = await sell(page, ['CULAORE-YHC-070'], { method: 'other', ref: 'Phiếu quà tặng' });
  r = await sell(page, ['CULAORE-YHC-H6'], { method: 'cash', doneShot: 'pos-tablet-sold-offline' });
  assert.equal(await waiting(page), 5);
  assert.match(await page.textContent('#sync'), /5\s+đơn chờ đồng bộ/);
  await shot(page, 'pos-tablet-offline');

  // a reload while offline: the service worker serves the app, the queue
  // is still there, and the PIN unlocks on the device
  await page.reload({ waitUntil: 'load' });
  await page.locator('#scr-pin').waitFor();
  await waitFor(async () => (await waiting(page)) === 5, 5000, '5 waiting after a reload');
  await pinIn(page, NEW_PIN);
  await page.locator('#scr-sell').waitFor();
  await page.locator('.tile[data-sku="CULAORE-YHC-070"]').waitFor();
  await page.click('#sync');
  await page.locator('#scr-queue li').first().waitFor();
  assert.equal(await page.locator('#scr-queue li').count(), 5);
  await shot(page, 'pos-tablet-queue');
  await page.click('#nav [data-go=sell]');

  // --- the server is back: same binary, database and port ---
  await startServer();
  await waitFor(async () => (await waiting(page)) === 0, 40_000, 'the queue to drain');
  await page.locator('#net[data-state=online]').waitFor();

  const sales = await salesOf(booth.id);
  assert.equal(sales.length, salesBefore + 8, 'all 8 sales, once each');
  assert.equal(new Set(sales.map((s) => s.uuid)).size, sales.length);
  const mine = sales.slice(-8);
  assert.ok(mine.every((s) => s.staff === booth.staff), 'sold by the staff member who signed in');
  assert.deepEqual(mine.map((s) => s.payment.method), ['cash', 'vietqr', 'card', 'cash', 'vietqr', 'cash', 'other', 'cash']);
  assert.equal(mine[3].total_vnd, 37000);
  assert.equal(mine[2].total_vnd, 252000);

  const afterStock = await stockOf(booth.id);
  const sold = { 'CULAORE-YHC-070': 4, 'CULAORE-YHCV-070': 2, 'CULAORE-YHCD-070': 4, 'CULAORE-YHC-H6': 2 };
  for (const [sku, n] of Object.entries(sold)) assert.equal(afterStock.get(sku), before.get(sku) - n, sku);
  const v = await api('/api/v1/stock/verify', adminKey);
  assert.equal(v.status, 200);
  assert.equal(v.body.mismatches, 0, 'on hand equals the ledger');
  // a replay of a queued sale changes nothing
  assert.equal((await salesOf(booth.id)).length, salesBefore + 8);
  // refused connections while the server was down are expected
  assert.deepEqual(page.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
  await page.context().close();
});

test('void with a reason, the e-receipt, the Z report and a closing count', async () => {
  const page = await tablet();
  await page.goto(deviceLink, { waitUntil: 'load' });
  await pinIn(page, NEW_PIN);
  await page.locator('#scr-sell').waitFor();
  const sales = await salesOf(booth.id);
  const last = sales[sales.length - 1];
  const before = await stockOf(booth.id);

  // accessible, and usable upright (800×1280): the cart goes below
  let v = await runAxe(page);
  assert.equal(v.length, 0, formatViolations(v));
  await page.setViewportSize({ width: 800, height: 1280 });
  await page.click('.tile[data-sku="CULAORE-YRL-050"]');
  await shot(page, 'pos-tablet-portrait', false);
  await page.click('#cart-clear');
  await page.setViewportSize(TABLET.viewport);

  // a USB or Bluetooth scanner types the code fast and presses Enter
  await page.focus('#search');
  await page.keyboard.type('CULAORE-YHCV-070', { delay: 5 });
  await page.keyboard.press('Enter');
  await page.locator('.cart-line[data-sku="CULAORE-YHCV-070"]').waitFor();
  assert.equal(await page.inputValue('#search'), '');
  await page.click('#cart-clear');

  // void the last sale
  await page.click('#nav [data-go=sales]');
  const ref = last.uuid.slice(0, 8).toUpperCase();
  await page.click(`#sale-list button[data-uuid="${last.uuid}"]`);
  await page.click('#void-btn');
  await page.click('#undo-confirm');
  await page.getByText('Cần ghi lý do.').waitFor();
  await page.click('#undo-chips .chip >> nth=1');
  await shot(page, 'pos-tablet-void', false);
  await page.click('#undo-confirm');
  await page.getByText('Đã huỷ đơn và trả hàng về kho.').waitFor();
  await page.locator(`#sale-list button[data-uuid="${last.uuid}"] .badge.voided`).waitFor();
  const after = await stockOf(booth.id);
  for (const l of last.lines) assert.equal(after.get(l.sku), before.get(l.sku) + l.qty, `${l.sku} back in stock`);
  const voided = (await salesOf(booth.id)).find((s) => s.uuid === last.uuid);
  assert.equal(voided.status, 'voided');

  // print a receipt again: the print view holds the receipt with its QR
  const first = sales[sales.length - 8];
  await page.click(`#sale-list button[data-uuid="${first.uuid}"]`);
  await page.click('#sale-detail button >> nth=0');
  assert.equal(await page.evaluate(() => window.__printed), 1);
  await page.emulateMedia({ media: 'print' });
  await page.locator('#print-area .receipt svg').waitFor();
  await shot(page, 'pos-print-receipt');
  await page.emulateMedia({ media: 'screen' });

  // the buyer's e-receipt, on a phone, 58 mm print view
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await goto(phone, `${first.receipt_url}?w=58`);
  await phone.getByText(first.lines[0].name).first().waitFor();
  assert.match(await phone.textContent('.r-grand'), /74\.000\u00A0₫/);
  assert.equal(await phone.locator('.receipt.w58 .r-qr svg').count(), 1);
  await shot(phone, 'pos-ereceipt');
  await goto(phone, `/hoa-don/${'0'.repeat(32)}`, 404);
  await phone.getByText('chưa được đồng bộ').waitFor();
  await phone.context().close();

  // the Z report, per staff member
  await page.click('#nav [data-go=z]');
  await page.locator('#z-body .z-big').waitFor();
  await page.locator('#z-body').getByText(booth.staff).first().waitFor();
  await shot(page, 'pos-tablet-z');

  // the closing count: one unit short of the books
  await page.click('#nav [data-go=count]');
  const row = page.locator('#count-rows tr[data-sku="CULAORE-YHC-070"]');
  await row.waitFor();
  const books = Number(await row.locator('td >> nth=1').textContent());
  await row.locator('input').fill(String(books - 1));
  assert.equal(await row.locator('.var').textContent(), '-1');
  await shot(page, 'pos-tablet-count');
  await page.click('#count-submit');
  await page.getByText('Đã ghi nhận kiểm kho').first().waitFor();
  const counted = await stockOf(booth.id);
  assert.equal(counted.get('CULAORE-YHC-070'), books - 1);
  v = await api('/api/v1/stock/verify', adminKey);
  assert.equal(v.body.mismatches, 0);
  assert.deepEqual(page.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await page.context().close();
});

test('the app encodes VietQR exactly as the server does', async () => {
  const page = await tablet();
  await page.goto(url('/ban-hang/'), { waitUntil: 'load' });
  await page.waitForFunction(() => self.OcopVietQR && self.qrcodegen);
  const cases = [
    { bin: '970436', account: '0123456789', amount: 125000, purpose: 'Thanh toán đơn hàng' },
    { bin: '970415', account: 'MAU000000001', amount: 37000, purpose: 'OCOP 2 3F2A9C1B' },
    { bin: '970403', account: '0011012345678', amount: 180000, purpose: 'Đặc sản Đà Lạt  tươi' },
    { bin: '970422', account: '9704229999', amount: 0 },
    { bin: '546034', account: '1234567', amount: 9999999999999, purpose: 'Chuyển tiền' },
  ];
  for (const c of cases) {
    const args = ['vietqr', 'encode', '--bin', c.bin, '--account', c.account, '--to', 'account'];
    if (c.amount) args.push('--amount', String(c.amount));
    if (c.purpose) args.push('--purpose', c.purpose);
    const server = execFileSync(OCOP_BIN, args, { encoding: 'utf8' }).trim();
    const mine = await page.evaluate((x) => self.OcopVietQR.payload(x), c);
    assert.equal(mine, server, JSON.stringify(c));
  }
  // the QR code drawn offline is the server's (libqrencode) module for
  // module, with one of the 8 masks
  const r = await api(`/api/v1/pos/vietqr?booth=${booth.id}&amount=74000&ref=OCOP%20${booth.id}%20ABCD1234&format=json`, deviceKey);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const d = /<path fill="#000" d="([^"]+)"/.exec(r.body.svg)[1];
  const size = Number(/viewBox="0 0 (\d+)/.exec(r.body.svg)[1]);
  const ours = await page.evaluate((p) => [...Array(8).keys()].map((m) => self.OcopVietQR.svgPath(p, m)), r.body.payload);
  assert.ok(ours.every((o) => o.size === size), 'same version');
  assert.ok(ours.some((o) => o.d === d), 'same modules');
  assert.equal(await page.evaluate((x) => self.OcopVietQR.payload(x), {
    bin: '970436', account: 'MAU000000001', amount: 74000, purpose: `OCOP ${booth.id} ABCD1234`,
  }), r.body.payload);
  await page.context().close();
});
