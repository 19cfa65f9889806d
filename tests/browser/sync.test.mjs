// sync.test.mjs: the marketplace sync pages: the office's queue health
// (/quan-tri/dong-bo) and category mapping (/quan-tri/dong-bo/danh-muc),
// the producer's shops (/quan-ly/san) and the "sell on the marketplaces"
// section of the product edit page render with no axe violation, on a
// desktop and on a phone; a mapping change survives a reload; a bad
// attribute line is refused in Vietnamese and nothing is stored; the
// office retries a refused job; the package weight typed in the edit form
// is kept, and refused (422) when it is not whole grams.
// run.sh creates the accounts (tuyethuong, office) before the server starts;
// before() adds a shop for Tuyết Hương with `ocop sync` (never connected:
// its hosts are a closed local port) and lists the product on it, then
// marks the listing's job refused as a marketplace would, so the tables
// have rows to check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchBrowser, newPage, goto, runAxe, formatViolations, horizontalOverflow, shot } from './lib.mjs';

const PW = 'correct horse battery';
const SLUG = 'duong-phen-tuyet-huong';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const REFUSAL = 'Lazada: Cân nặng gói hàng không hợp lệ';
let browser;

/** sql: one value from the test database (sqlite3 is a test dependency). */
function sql(query) {
  return execFileSync('sqlite3', [process.env.OCOP_DB, query], { encoding: 'utf8' }).trim();
}

/** ocop: the binary under test on the test database; its stdout. */
function ocop(args, input = '') {
  return execFileSync(process.env.OCOP_BIN, [...args, '--db', process.env.OCOP_DB],
    { input, encoding: 'utf8' }).trim();
}

before(async () => {
  browser = await launchBrowser();
  const producer = sql("SELECT id FROM producers WHERE slug = 'tuyet-huong'");
  const product = sql(`SELECT id FROM products WHERE slug = '${SLUG}'`);
  const closed = 'http://127.0.0.1:9';
  const shop = ocop(['sync', 'shop', 'add', '--market', 'lazada', '--name', 'Tuyết Hương trên Lazada',
    '--producer', producer, '--app-key', 'kiem-tra', '--api-base', closed, '--auth-base', closed,
    '--web-base', closed], 'bi-mat-kiem-tra\n');
  ocop(['sync', 'list', shop, product]);
  sql(`UPDATE sync_jobs SET state = 'failed', attempts = 1, http_status = 400,
         error_code = 'IllegalWeight', message = '${REFUSAL}',
         finished_at = strftime('%Y-%m-%dT%H:%M:%SZ')
       WHERE listing_id IN (SELECT id FROM sync_listings WHERE shop_id = ${shop})`);
  sql(`UPDATE sync_listings SET status = 'failed', message = '${REFUSAL}' WHERE shop_id = ${shop}`);
});
after(async () => {
  await browser?.close();
});

async function signIn(page, username) {
  await goto(page, '/dang-nhap');
  await page.fill('#username', username);
  await page.fill('#password', PW);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(page.url(), /\/quan-(ly|tri)/, `${username} is signed in`);
}

/** checkPage: status 200, no axe violation, no sideways scroll, no
 * script error. */
async function checkPage(page, path, name) {
  await goto(page, path);
  const violations = await runAxe(page);
  assert.equal(violations.length, 0, `${path}:\n${formatViolations(violations)}`);
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.innerWidth, `${path}: ${o.scrollWidth} px wide in ${o.innerWidth}`);
  assert.deepEqual(page.errors, [], `${path}: script errors`);
  await shot(page, name);
}

for (const [label, options, suffix] of [['desktop', {}, ''], ['phone', PHONE, '-phone']]) {
  test(`office sync pages on a ${label}: no axe violations`, async () => {
    const page = await newPage(browser, options);
    await signIn(page, 'office');
    await checkPage(page, '/quan-tri/dong-bo', `sync-health${suffix}`);
    assert.match(await page.locator('h1').innerText(), /Đồng bộ sàn/);
    assert.ok(await page.locator('a[href="/quan-tri/dong-bo"]').count() >= 1, 'a "Làm mới" link');
    assert.match(await page.locator('#problems-h + table').innerText(), /Cân nặng gói hàng không hợp lệ/);
    await checkPage(page, '/quan-tri/dong-bo/danh-muc', `sync-mapping${suffix}`);
    assert.equal(await page.locator('form textarea[name=attributes]').count(), 6, 'one form per group');
    // the office home links both pages
    await goto(page, '/quan-tri');
    assert.equal(await page.locator('a[href="/quan-tri/dong-bo"]').count() > 0, true);
    assert.equal(await page.locator('a[href="/quan-tri/dong-bo/danh-muc"]').count() > 0, true);
    await page.context().close();
  });

  test(`producer shops and the edit page on a ${label}: no axe violations`, async () => {
    const page = await newPage(browser, options);
    await signIn(page, 'tuyethuong');
    await goto(page, '/quan-ly');
    await Promise.all([page.waitForNavigation(), page.click('a[href="/quan-ly/san"]')]);
    await checkPage(page, '/quan-ly/san', `sync-shops${suffix}`);
    assert.equal(await page.locator('#sf-secret').getAttribute('type'), 'password');
    assert.ok(await page.locator('#sf-market option').count() >= 5, 'the marketplaces to choose from');
    await checkPage(page, `/quan-ly/san-pham/${SLUG}`, `sync-edit${suffix}`);
    await page.locator('#san-h').waitFor();
    assert.ok(await page.locator('input[name=weight_g]').count() >= 1, 'a weight field per variant');
    const section = await page.locator('#san').innerText();
    assert.match(section, /Tuyết Hương trên Lazada/);
    assert.match(section, /Sàn Lazada từ chối: Cân nặng gói hàng không hợp lệ/);
    assert.ok(await page.locator('#san button', { hasText: 'Thử lại ngay' }).count() >= 1);
    await page.context().close();
  });
}

test('the mapping editor keeps a change across a reload', async () => {
  const page = await newPage(browser);
  await signIn(page, 'office');
  await goto(page, '/quan-tri/dong-bo/danh-muc?san=tiki');
  const form = page.locator('#g2 form');
  const id = `TK-${Date.now() % 100000}`;
  await form.locator('input[name=category_id]').fill(id);
  await form.locator('input[name=category_name]').fill('Bách hóa > Đồ uống');
  await form.locator('textarea[name=attributes]').fill('Xuất xứ = Việt Nam\nThương hiệu = OCOP Quảng Ngãi');
  await form.locator('input[name=required][value=weight]').check();
  await form.locator('input[name=required_attrs]').fill('Xuất xứ');
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  await page.getByText('Đã lưu danh mục').waitFor();

  await page.reload();
  const again = page.locator('#g2 form');
  assert.equal(await again.locator('input[name=category_id]').inputValue(), id);
  assert.equal(await again.locator('input[name=category_name]').inputValue(), 'Bách hóa > Đồ uống');
  const attrs = await again.locator('textarea[name=attributes]').inputValue();
  assert.match(attrs, /^Xuất xứ = Việt Nam$/m);
  assert.match(attrs, /^Thương hiệu = OCOP Quảng Ngãi$/m);
  assert.equal(await again.locator('input[name=required][value=weight]').isChecked(), true);
  assert.equal(await again.locator('input[name=required_attrs]').inputValue(), 'Xuất xứ');

  // a line without "=": 422, the message in Vietnamese, nothing stored
  await again.locator('textarea[name=attributes]').fill('không có dấu bằng');
  const [res] = await Promise.all([
    page.waitForNavigation(),
    again.locator('button[type=submit]').click(),
  ]);
  assert.equal(res.status(), 422);
  assert.match(await page.locator('#g2 .form-error').innerText(), /tên = giá trị/);
  await goto(page, '/quan-tri/dong-bo/danh-muc?san=tiki');
  assert.match(await page.locator('#g2 textarea[name=attributes]').inputValue(), /Xuất xứ = Việt Nam/);
  await page.context().close();
});

test('the office retries a refused job', async () => {
  const page = await newPage(browser);
  await signIn(page, 'office');
  await goto(page, '/quan-tri/dong-bo');
  const row = page.locator('#problems-h + table tbody tr', { hasText: 'IllegalWeight' }).first();
  await Promise.all([page.waitForNavigation(), row.locator('button[type=submit]').click()]);
  await page.getByText('Đã xếp lại việc này để thử ngay.').waitFor();
  await page.context().close();
});

test('the package weight is kept from the edit form, and refused when not grams', async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, 'tuyethuong');
  await goto(page, `/quan-ly/san-pham/${SLUG}`);
  // typed the way people write it: a dot between thousands
  await page.fill('input[name=weight_g] >> nth=0', '1.200');
  await Promise.all([page.waitForNavigation(), page.click('form.card-form button[type=submit]')]);
  await page.getByText('Đã lưu').first().waitFor();
  await page.reload();
  assert.equal(await page.inputValue('input[name=weight_g] >> nth=0'), '1200');

  await page.fill('input[name=weight_g] >> nth=0', '12,5 kg');
  const [res] = await Promise.all([
    page.waitForNavigation(),
    page.click('form.card-form button[type=submit]'),
  ]);
  assert.equal(res.status(), 422);
  assert.match(await page.locator('.form-error').innerText(), /Khối lượng gói phải là số gam nguyên/);
  await goto(page, `/quan-ly/san-pham/${SLUG}`);
  assert.equal(await page.inputValue('input[name=weight_g] >> nth=0'), '1200', 'nothing stored');
  await page.context().close();
});
