// product.test.mjs: a product page with an active certificate, reached by
// clicking a card, and one whose certificate has expired.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, getJson, shot, findExpiredSlug, VN_MONEY } from './lib.mjs';

let browser;
let shared;

before(async () => {
  browser = await launchBrowser();
  shared = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

/** fresh: the shared page, with no error left from an earlier test. */
async function fresh() {
  shared.errors.length = 0;
  return shared;
}

/** ddmmyyyy: an ISO date as the Vietnamese pages show it. */
function ddmmyyyy(iso) {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** certFacts: the certificate's <dt>/<dd> pairs as an object. */
async function certFacts(page) {
  return page.locator('section.cert dl').evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = dt.nextElementSibling.textContent.trim();
    return out;
  });
}

test('clicking a card opens the product: stars and an active certificate', async () => {
  const page = await fresh();
  await goto(page, '/');
  const card = page.locator('section[aria-labelledby="featured-h"] .card').nth(1);
  const name = await card.locator('.card-name').innerText();
  const href = await card.locator('a.card-link').getAttribute('href');
  await Promise.all([page.waitForURL((u) => u.pathname === href), card.locator('a.card-link').click()]);
  assert.equal(await page.locator('h1').innerText(), name);
  assert.equal(await page.title(), `${name} · Sản phẩm OCOP Việt Nam`);

  const p = (await getJson('/api/v1' + href.replace('/san-pham/', '/products/'))).body;
  assert.equal(p.name, name);
  assert.equal(p.certificate.status, 'active');

  // The badge: the number as text, and as many ★ as stars (hidden from AT).
  const badge = page.locator('.product-info .ocop-badge');
  assert.equal(await badge.count(), 1);
  assert.equal(await badge.locator('.stars-text').innerText(), `${p.stars} sao`);
  const glyphs = await badge.locator('.star-icons').innerText();
  assert.equal(glyphs, '★'.repeat(p.stars));
  assert.equal(await badge.locator('.star-icons').getAttribute('aria-hidden'), 'true');
  assert.match(await badge.innerText(), /Sản phẩm OCOP/);
  assert.equal(await page.locator('.product-info .warning').count(), 0);

  // The certificate: number, dates in dd/mm/yyyy, and its status.
  const cert = page.locator('section.cert');
  assert.equal(await cert.locator('h2').innerText(), 'Giấy chứng nhận OCOP');
  assert.equal(await cert.locator('.cert-status strong').innerText(), 'Còn hiệu lực');
  const facts = await certFacts(page);
  assert.equal(facts['Số giấy chứng nhận'], p.certificate.number);
  assert.match(facts['Số giấy chứng nhận'], /^MẪU-/, 'sample numbers say so');
  assert.match(facts['Ngày cấp'], /^\d{2}\/\d{2}\/\d{4}$/);
  assert.match(facts['Hiệu lực đến'], /^\d{2}\/\d{2}\/\d{4}$/);
  assert.equal(facts['Ngày cấp'], ddmmyyyy(p.certificate.issued_on));
  assert.equal(facts['Hiệu lực đến'], ddmmyyyy(p.certificate.expires_on));
  assert.equal(facts['Hạng'], `${p.stars} sao`);
  // 36 months of validity.
  const [iy, im, id] = p.certificate.issued_on.split('-').map(Number);
  assert.equal(p.certificate.expires_on, `${iy + 3}-${String(im).padStart(2, '0')}-${String(id).padStart(2, '0')}`);

  // Price and variants in the Vietnamese format; sample data is labelled.
  const price = await page.locator('.product-info .price').evaluate((e) =>
    [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim());
  assert.match(price, VN_MONEY);
  if (p.price_sample) assert.equal(await page.locator('.price .sample-tag').innerText(), 'dữ liệu mẫu');
  assert.equal(await page.locator('table.variants tbody tr').count(), p.variants.length);

  // The description is shown (its words, whatever the paragraphs).
  const desc = await page.locator('section[aria-labelledby="desc-h"]').innerText();
  const words = (t) => t.replace(/\s+/g, ' ').trim();
  assert.ok(p.description.length > 0);
  assert.ok(words(desc).includes(words(p.description).slice(0, 60)), `description shown: ${desc}`);

  // Structured data for search engines says the same.
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(ld['@type'], 'Product');
  assert.equal(ld.name, name);
  assert.equal(ld.additionalProperty?.value, `${p.stars} sao`);

  assert.deepEqual(page.errors, []);
  await shot(page, 'product');
});

test('an expired certificate is shown plainly as expired, without stars', async () => {
  const p = await findExpiredSlug();
  assert.ok(p, 'the seed catalog has a product whose certificate has expired');
  assert.equal(p.certificate.status, 'expired');
  assert.equal(p.stars, null, 'the API gives no stars to an expired product');

  const page = await fresh();
  await goto(page, p.url);
  assert.equal(await page.locator('h1').innerText(), p.name);
  assert.equal(await page.locator('.ocop-badge').count(), 0, 'no OCOP star badge');
  assert.equal(await page.locator('.product-info .stars').count(), 0, 'no stars at all');
  assert.match(await page.locator('.product-info .warning').innerText(), /không có giấy chứng nhận OCOP còn hiệu lực/);
  const cert = page.locator('section.cert');
  assert.equal(await cert.getAttribute('class'), 'cert cert-expired');
  assert.equal(await cert.locator('.cert-status strong').innerText(), 'Đã hết hạn');
  assert.match(await cert.locator('.cert-status').innerText(), /quá 36 tháng/);
  const facts = await certFacts(page);
  assert.equal(facts['Hiệu lực đến'], ddmmyyyy(p.certificate.expires_on));
  // The expired date is in the past.
  assert.ok(p.certificate.expires_on < new Date().toISOString().slice(0, 10));

  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(ld.additionalProperty, undefined, 'no OCOP claim in structured data');

  // It is not listed, searched or suggested as an OCOP product.
  const list = await getJson('/api/v1/products?per_page=100');
  assert.ok(!list.body.items.some((i) => i.slug === p.slug), 'not in the listing');
  const found = await getJson('/api/v1/products?per_page=100&q=' + encodeURIComponent(p.name));
  assert.ok(!found.body.items.some((i) => i.slug === p.slug), 'not in search results');
  const sug = await getJson('/api/v1/suggest?q=' + encodeURIComponent(p.name));
  assert.ok(!sug.body.items.some((i) => i.slug === p.slug), 'not suggested');
});

test('a product that does not exist is a 404 page in the visitor\'s language', async () => {
  const page = await fresh();
  await goto(page, '/san-pham/khong-co-san-pham-nay', 404);
  assert.equal(await page.locator('h1').innerText(), 'Không tìm thấy trang');
  assert.equal(await page.locator('meta[name="robots"]').getAttribute('content'), 'noindex, follow');
  await goto(page, '/san-pham/khong-co-san-pham-nay?lang=en', 404);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.notEqual(await page.locator('h1').innerText(), 'Không tìm thấy trang');
});

test("the breadcrumb leads to the product's group", async () => {
  const page = await fresh();
  await goto(page, '/san-pham/duong-phen-tuyet-huong');
  const crumb = page.locator('nav.crumbs a').nth(1);
  assert.equal(await crumb.innerText(), 'Thực phẩm');
  await Promise.all([page.waitForURL(/\/nhom\/thuc-pham$/), crumb.click()]);
  assert.equal(await page.locator('h1').innerText(), 'Thực phẩm');
  assert.equal(await page.locator('nav.crumbs [aria-current="page"]').innerText(), 'Thực phẩm');
});
