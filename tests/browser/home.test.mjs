// home.test.mjs: the home page as a visitor sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, getJson, shot, VN_MONEY } from './lib.mjs';

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
  await goto(page, '/');
});
after(async () => {
  await browser?.close();
});

test('home: title, language and one h1', async () => {
  assert.equal(await page.title(), 'Sản phẩm OCOP 3, 4, 5 sao · Sản phẩm OCOP Việt Nam');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('h1').count(), 1);
  assert.match(await page.locator('h1').innerText(), /OCOP/);
});

test('home: featured cards are 5-star products with a "5 sao" badge', async () => {
  const cards = page.locator('section[aria-labelledby="featured-h"] .card');
  const n = await cards.count();
  assert.ok(n >= 4 && n <= 8, `featured cards: ${n}`);
  // The API agrees on which products are featured first: 5 stars, newest.
  const api = await getJson('/api/v1/products?per_page=1');
  assert.equal(api.status, 200);
  const first = api.body.items[0];
  assert.equal(first.stars, 5);
  assert.equal(await cards.first().locator('.card-name').innerText(), first.name);
  for (let i = 0; i < n; i++) {
    const card = cards.nth(i);
    const badge = card.locator('.stars');
    assert.equal(await badge.count(), 1, `card ${i}: one star badge`);
    assert.equal((await badge.locator('.stars-text').innerText()).trim(), '5 sao');
    assert.equal(await badge.locator('.star-icons').innerText(), '★★★★★');
    assert.equal(await badge.locator('.star-icons').getAttribute('aria-hidden'), 'true');
    const href = await card.locator('a.card-link').getAttribute('href');
    assert.match(href, /^\/san-pham\/[a-z0-9-]+$/);
  }
});

test('home: prices use the Vietnamese format with a no-break space before ₫', async () => {
  const prices = await page
    .locator('section[aria-labelledby="featured-h"] .card-price')
    .evaluateAll((els) => els.map((e) => e.firstChild.textContent));
  assert.ok(prices.length > 0);
  for (const p of prices) {
    assert.match(p, VN_MONEY, `price ${JSON.stringify(p)}`);
    // The real bytes: "." thousands, U+00A0, then U+20AB DONG SIGN.
    const tail = [...p.slice(-2)].map((c) => c.codePointAt(0).toString(16));
    assert.deepEqual(tail, ['a0', '20ab'], `price ${JSON.stringify(p)}`);
    assert.ok(!p.includes(','), 'no comma in a Vietnamese price');
  }
});

test('home: the 6 product groups, each linking to its group page', async () => {
  const tiles = page.locator('ul.groups a.group-tile');
  assert.equal(await tiles.count(), 6);
  const names = await tiles.locator('.group-name').allInnerTexts();
  assert.ok(names.includes('Thực phẩm'), names.join(', '));
  const api = await getJson('/api/v1/groups');
  assert.deepEqual(
    names,
    api.body.items.map((g) => g.name_vi),
  );
  const hrefs = await tiles.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, api.body.items.map((g) => g.url));
});

test('home: star shortcuts and places lead to filtered listings', async () => {
  const chips = page.locator('.star-links a');
  assert.deepEqual(await chips.evaluateAll((as) => as.map((a) => a.getAttribute('href'))), [
    '/san-pham?stars=5',
    '/san-pham?stars=4',
    '/san-pham?stars=3',
  ]);
  const places = page.locator('ul.places a');
  assert.ok((await places.count()) > 5);
  const href = await places.first().getAttribute('href');
  assert.match(href, /^\/san-pham\?province=[a-z0-9-]+$/);
});

test('home: no console errors, no CSP violations', async () => {
  assert.deepEqual(page.errors, []);
});

test('home: screenshot (desktop)', async () => {
  await shot(page, 'home-desktop');
});
