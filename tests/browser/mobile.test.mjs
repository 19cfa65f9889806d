// mobile.test.mjs: a phone-sized viewport (390×844, touch).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, shot, horizontalOverflow, runAxe, formatViolations } from './lib.mjs';

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/126.0.0.0 Mobile Safari/537.36',
};

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser, PHONE);
});
after(async () => {
  await browser?.close();
});

async function assertNoOverflow(path) {
  const o = await horizontalOverflow(page);
  assert.equal(o.innerWidth, 390, `${path}: the viewport meta tag gives a 390 px layout`);
  assert.ok(o.scrollWidth <= o.innerWidth, `${path}: scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}`);
  // Name the widest element when the page does overflow.
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => !e.closest('.gallery, .visually-hidden, .skip'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  );
  assert.deepEqual(wide, [], `${path}: elements wider than the screen`);
}

async function assertSearchVisible(path) {
  const q = page.locator('#q');
  assert.ok(await q.isVisible(), `${path}: the search box is visible`);
  const box = await q.boundingBox();
  assert.ok(box.width >= 150, `${path}: the search box is ${box.width} px wide`);
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `${path}: the search box is on screen`);
  assert.ok(box.height >= 24, `${path}: the search box is ${box.height} px high`);
  const button = await page.locator('form.search button[type="submit"]').boundingBox();
  assert.ok(button.x + button.width <= 390, `${path}: the search button is on screen`);
}

test('phone: home page fits the screen and shows the search box', async () => {
  await goto(page, '/');
  await assertNoOverflow('/');
  await assertSearchVisible('/');
  // Two cards per row on a phone.
  const cards = page.locator('section[aria-labelledby="featured-h"] .card');
  const a = await cards.nth(0).boundingBox();
  const b = await cards.nth(1).boundingBox();
  assert.equal(Math.round(a.y), Math.round(b.y), 'cards 1 and 2 share a row');
  assert.ok(a.width < 195, `card width ${a.width}`);
  await shot(page, 'home-phone', false);
  await shot(page, 'home-phone-full');
});

test('phone: product page fits the screen and shows the search box', async () => {
  await goto(page, '/san-pham/duong-phen-tuyet-huong');
  await assertNoOverflow('/san-pham/duong-phen-tuyet-huong');
  await assertSearchVisible('/san-pham/duong-phen-tuyet-huong');
  // The star badge and the certificate status are on the first screens.
  const badge = await page.locator('.ocop-badge').boundingBox();
  assert.ok(badge && badge.y < 844 * 1.5, 'the badge is near the top');
  await shot(page, 'product-phone', false);
});

test('phone: listing with filters, producers and the 404 page fit the screen', async () => {
  for (const path of ['/san-pham', '/san-pham?q=tra&province=phu-tho', '/nha-san-xuat', '/nha-san-xuat/culaore', '/khong-co']) {
    await goto(page, path, path === '/khong-co' ? 404 : 200);
    await assertNoOverflow(path);
  }
});

test('phone: tapping a card opens the product', async () => {
  await goto(page, '/');
  const link = page.locator('section[aria-labelledby="featured-h"] a.card-link').first();
  const href = await link.getAttribute('href');
  await Promise.all([page.waitForURL((u) => u.pathname === href), link.tap()]);
  assert.ok(await page.locator('h1').isVisible());
});

test('phone: tap targets in the header are at least 24 px', async () => {
  await goto(page, '/');
  const sizes = await page.locator('header a, header button').evaluateAll((els) =>
    els
      .filter((e) => e.getClientRects().length > 0 && !e.classList.contains('skip'))
      .map((e) => {
        const r = e.getBoundingClientRect();
        return { t: e.textContent.trim().slice(0, 20), w: r.width, h: r.height };
      }),
  );
  const small = sizes.filter((s) => s.w < 24 || s.h < 24);
  assert.deepEqual(small, []);
});

test('phone: axe finds no violations on the home and a product page', async () => {
  for (const path of ['/', '/san-pham/duong-phen-tuyet-huong']) {
    await goto(page, path);
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, `${path}:\n${formatViolations(violations)}`);
  }
});
