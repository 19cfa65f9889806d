// nojs.test.mjs: every page works without JavaScript (plain forms and links).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, getJson } from './lib.mjs';

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser, { javaScriptEnabled: false });
});
after(async () => {
  await browser?.close();
});

async function names() {
  return page.locator('main ul.cards .card-name').allInnerTexts();
}

test('no JS: the script really is off', async () => {
  await goto(page, '/');
  // app.js would have attached the suggestion list behaviour; without JS
  // the list stays hidden and aria-expanded is never touched.
  assert.equal(await page.locator('#q-suggest').isHidden(), true);
  await page.locator('#q').fill('yen');
  await page.waitForTimeout(400);
  assert.equal(await page.locator('#q-suggest li').count(), 0);
});

test('no JS: the search form submits and shows results', async () => {
  await goto(page, '/');
  await page.locator('#q').fill('yến sào');
  await Promise.all([page.waitForURL(/\/san-pham\?q=/), page.locator('#q').press('Enter')]);
  const u = new URL(page.url());
  assert.equal(u.pathname, '/san-pham');
  assert.equal(u.searchParams.get('q'), 'yến sào');
  const found = await names();
  assert.ok(found.length > 0, 'results');
  assert.ok(found[0].includes('Yến'), found[0]);
  // The button submits too, from the header form on a results page.
  await page.locator('#q').fill('duong phen');
  await Promise.all([page.waitForURL(/q=duong\+phen/), page.locator('form.search button[type="submit"]').click()]);
  assert.equal((await names())[0], 'Đường phèn Tuyết Hường');
});

test('no JS: the listing filters work with the "Lọc" button', async () => {
  await goto(page, '/san-pham');
  const all = Number((await page.locator('.result-count').innerText()).split(' ')[0]);
  const button = page.locator('form.filters button[type="submit"]');
  assert.equal(await button.innerText(), 'Lọc');

  await page.locator('form.filters select[name="stars"]').selectOption('3');
  await page.locator('form.filters select[name="group"]').selectOption('1');
  await Promise.all([page.waitForURL(/stars=3/), button.click()]);
  const u = new URL(page.url());
  assert.equal(u.searchParams.get('stars'), '3');
  assert.equal(u.searchParams.get('group'), '1');
  const api = await getJson('/api/v1/products?stars=3&group=1&per_page=100');
  const count = Number((await page.locator('.result-count').innerText()).split(' ')[0]);
  assert.equal(count, api.body.total);
  assert.ok(count > 0 && count < all, `${count} of ${all}`);
  // The cards shown are 3-star products, and the selects keep their values.
  const badges = await page.locator('main ul.cards .stars-text').allInnerTexts();
  assert.ok(badges.length > 0 && badges.every((b) => b === '3 sao'), badges.join(', '));
  assert.equal(await page.locator('select[name="stars"]').inputValue(), '3');
  assert.equal(await page.locator('select[name="group"]').inputValue(), '1');

  // A province shows its communes as a further filter.
  await page.locator('form.filters select[name="province"]').selectOption('quang-ngai');
  await Promise.all([page.waitForURL(/province=quang-ngai/), button.click()]);
  const commune = page.locator('form.filters select[name="commune"]');
  assert.ok((await commune.locator('option').count()) > 1, 'communes of the province');
  assert.equal(await page.locator('select[name="province"]').inputValue(), 'quang-ngai');

  // Sorting by name, A to Z in Vietnamese order.
  await goto(page, '/san-pham?sort=name&per_page=100');
  const sorted = await names();
  const api2 = await getJson('/api/v1/products?sort=name&per_page=100');
  assert.deepEqual(sorted, api2.body.items.slice(0, sorted.length).map((p) => p.name));
});

test('no JS: pagination links work', async () => {
  await goto(page, '/san-pham');
  const next = page.locator('nav.pagination a[rel="next"]');
  assert.equal(await next.count(), 1);
  const first = await names();
  await Promise.all([page.waitForURL(/page=2/), next.click()]);
  const second = await names();
  assert.ok(second.length > 0);
  assert.ok(!second.some((n) => first.includes(n)), 'page 2 shows other products');
  assert.equal(await page.locator('nav.pagination [aria-current="page"]').innerText(), '2');
});

test('no JS: a group page filters within its group', async () => {
  await goto(page, '/nhom/thuc-pham');
  assert.equal(await page.locator('select[name="group"]').count(), 0, 'no group select on a group page');
  await page.locator('form.filters select[name="stars"]').selectOption('5');
  await Promise.all([page.waitForURL(/\/nhom\/thuc-pham\?.*stars=5/), page.locator('form.filters button').click()]);
  const api = await getJson('/api/v1/products?group=thuc-pham&stars=5&per_page=100');
  assert.equal(await page.locator('.result-count').innerText(), `${api.body.total} sản phẩm`);
});
