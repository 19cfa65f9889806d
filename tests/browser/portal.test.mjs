// portal.test.mjs: the producer portal and the programme office, as people
// use them: a producer on a phone uploads two photos and changes a price,
// and the public page shows both; the office records an evaluation of 72
// points and the public page shows 4 stars and the certificate's expiry;
// a producer opening another producer's product gets 403.
// run.sh creates the accounts (tuyethuong, office) before the server starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newPage, url, goto, OUT_DIR } from './lib.mjs';

const PW = 'correct horse battery';
const SLUG = 'duong-phen-tuyet-huong';
let browser;
let dir;

before(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'ocop-photos-'));
  // two real JPEGs made by libvips' command line (libvips-tools)
  execFileSync('vips', ['gaussnoise', join(dir, 'a.jpg'), '1200', '900']);
  execFileSync('vips', ['black', join(dir, 'b.jpg'), '900', '1200', '--bands', '3']);
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page, username) {
  await goto(page, '/dang-nhap');
  await page.fill('#username', username);
  await page.fill('#password', PW);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(page.url(), /\/quan-(ly|tri)/, `${username} is signed in`);
}

test('a producer on a phone uploads two photos and changes a price', async () => {
  const page = await newPage(browser, {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  await signIn(page, 'tuyethuong');
  await goto(page, '/quan-ly');
  await Promise.all([page.waitForNavigation(), page.click(`a[href$="/quan-ly/san-pham/${SLUG}"]`)]);

  // the price: first variant row, typed the way people write it
  await page.fill('input[name=price] >> nth=0', '135.000');
  await Promise.all([page.waitForNavigation(), page.click('form.card-form button[type=submit]')]);
  await page.getByText('Đã lưu').waitFor();

  // two photos at once
  await goto(page, `/quan-ly/san-pham/${SLUG}/anh`);
  const before = await page.locator('.photo-grid img, .photos img').count();
  await page.setInputFiles('#photo', [join(dir, 'a.jpg'), join(dir, 'b.jpg')]);
  await Promise.all([page.waitForNavigation(), page.click('form:has(#photo) button[type=submit]')]);
  const afterCount = await page.locator('.photo-grid img, .photos img').count();
  assert.equal(afterCount, before + 2, 'two more photos listed');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);
  await page.screenshot({ path: join(OUT_DIR, 'portal-photos-phone.png'), fullPage: true });

  // the public page shows the new price and the uploaded photos
  const pub = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true });
  await goto(pub, `/san-pham/${SLUG}`);
  const price = await pub.locator('.product-info .price').innerText();
  assert.match(price, /135\.000\u00a0₫/);
  const uploaded = await pub.locator('img[src^="/media/u/"]').count();
  assert.ok(uploaded >= 2, `uploaded photos on the public page: ${uploaded}`);
  const webp = await pub.locator('picture source[type="image/webp"]').count();
  assert.ok(webp >= 2, 'WebP sources offered');
  await pub.context().close();
  await page.context().close();
});

test('a producer cannot open another producer\'s product', async () => {
  const page = await newPage(browser);
  await signIn(page, 'tuyethuong');
  const res = await page.goto(url('/quan-ly/san-pham/yen-rut-long-nguyen-to-culaore'));
  assert.equal(res.status(), 403);
  assert.match(await page.locator('main').innerText(), /nhà sản xuất khác|không có quyền/);
  await page.context().close();
});

function plus36Months(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  const last = new Date(Date.UTC(y + 3, m, 0)).getUTCDate();
  const dd = String(Math.min(d, last)).padStart(2, '0');
  return `${dd}/${String(m).padStart(2, '0')}/${y + 3}`;
}

test('the office records 72 points and the public page shows 4 stars', async () => {
  const page = await newPage(browser);
  await signIn(page, 'office');
  // a certified product can be re-evaluated at any time
  await goto(page, `/quan-tri/san-pham/${SLUG}`);
  const date = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10);
  await page.fill('#ev-score', '72');
  await page.selectOption('#ev-level', 'province');
  await page.fill('#ev-no', '72/QĐ-UBND');
  await page.fill('#ev-date', date);
  await Promise.all([page.waitForNavigation(), page.click('form:has(#ev-score) button[type=submit]')]);
  await page.screenshot({ path: join(OUT_DIR, 'office-evaluation.png'), fullPage: true });

  const pub = await newPage(browser);
  await goto(pub, `/san-pham/${SLUG}`);
  const badge = await pub.locator('.ocop-badge .stars-text').innerText();
  assert.equal(badge.trim(), '4 sao');
  const cert = await pub.locator('section.cert').innerText();
  assert.match(cert, /72\/QĐ-UBND/);
  assert.ok(cert.includes(plus36Months(date)), `expiry ${plus36Months(date)} in: ${cert}`);
  await pub.context().close();
  await page.context().close();
});
