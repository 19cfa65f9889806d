// i18n.test.mjs: switching to English with the header link, and staying in
// English while browsing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, shot } from './lib.mjs';

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
});

/** internalHrefs: every same-site page link in the header, main and footer. */
async function internalHrefs(p) {
  return p.locator('a[href]').evaluateAll((as) =>
    as
      .map((a) => a.getAttribute('href'))
      .filter((h) => h.startsWith('/') && !h.startsWith('//')),
  );
}

test('the header link switches to English', async () => {
  await goto(page, '/');
  const sw = page.locator('header a.lang-switch');
  assert.equal(await sw.innerText(), 'English');
  assert.equal(await sw.getAttribute('lang'), 'en', 'the link names its language in it');
  assert.equal(await sw.getAttribute('hreflang'), 'en');
  await Promise.all([page.waitForURL(/\?lang=en$/), sw.click()]);
  assert.equal(new URL(page.url()).search, '?lang=en');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('header nav.main-nav a').first().innerText(), 'Products');
  assert.equal(await page.locator('header a.lang-switch').innerText(), 'Tiếng Việt');
  assert.equal(await page.locator('header a.lang-switch').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('meta[property="og:locale"]').getAttribute('content'), 'en_US');
  assert.match(await page.locator('link[rel="canonical"]').getAttribute('href'), /^https?:\/\/[^/]+\/\?lang=en$/);
  assert.match(await page.locator('link[hreflang="en"]').getAttribute('href'), /\/\?lang=en$/);
  assert.doesNotMatch(await page.locator('link[hreflang="vi"]').getAttribute('href'), /lang=/);
  await shot(page, 'home-en');
});

test('the English home is in English: texts, star badges and prices', async () => {
  await goto(page, '/?lang=en');
  assert.match(await page.title(), /OCOP/);
  const h2 = await page.locator('main h2').allInnerTexts();
  assert.ok(h2.length >= 3);
  for (const t of h2) assert.doesNotMatch(t, /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/i, `heading in Vietnamese: ${t}`);
  const badge = page.locator('.card .stars-text').first();
  assert.equal(await badge.innerText(), '5 stars');
  assert.match(await page.locator('#q').getAttribute('placeholder'), /^[\x20-\x7e…]+$/, 'an English placeholder');
  assert.equal(await page.locator('form.search input[name="lang"]').getAttribute('value'), 'en', 'search keeps English');
  const groups = await page.locator('ul.groups .group-name').allInnerTexts();
  assert.ok(groups.includes('Food'), groups.join(', '));
});

test('links on English pages keep lang=en', async () => {
  for (const path of ['/?lang=en', '/san-pham?lang=en', '/san-pham/duong-phen-tuyet-huong?lang=en', '/nha-san-xuat?lang=en']) {
    await goto(page, path);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', path);
    const hrefs = await internalHrefs(page);
    assert.ok(hrefs.length > 5, path);
    // The language switch is the one link back to Vietnamese; machine-
    // readable resources (API, sitemap, files) are not pages in a language.
    const sw = await page.locator('header a.lang-switch').getAttribute('href');
    const wrong = hrefs.filter(
      (h) =>
        h !== sw &&
        !/^\/(api|static|media|qr)\/|^\/sitemap\.xml$/.test(h) &&
        new URL(h, 'http://x').searchParams.get('lang') !== 'en',
    );
    assert.deepEqual(wrong, [], `${path}: links that drop lang=en`);
  }
});

test('English browsing: search, results and a product page', async () => {
  await goto(page, '/?lang=en');
  await page.locator('#q').fill('tra');
  await Promise.all([page.waitForURL(/lang=en/), page.locator('form.search button').click()]);
  const u = new URL(page.url());
  assert.equal(u.pathname, '/san-pham');
  assert.equal(u.searchParams.get('q'), 'tra');
  assert.equal(u.searchParams.get('lang'), 'en');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.locator('h1').innerText(), /^Search results for/);
  const first = page.locator('main ul.cards a.card-link').first();
  await Promise.all([page.waitForURL(/\/san-pham\/[a-z0-9-]+\?lang=en$/), first.click()]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('section.cert h2').innerText(), 'OCOP certificate');
  assert.equal(await page.locator('section.cert .cert-status strong').innerText(), 'Valid');
  // English dates are written out: "30 June 2027".
  const dd = await page.locator('section.cert dd').allInnerTexts();
  assert.ok(dd.some((t) => /^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(t)), dd.join(' | '));
  assert.equal(await page.locator('header a.lang-switch').getAttribute('href'), new URL(page.url()).pathname);
});

test('the language switch on an English product page goes back to Vietnamese', async () => {
  await goto(page, '/san-pham/duong-phen-tuyet-huong?lang=en');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/san-pham/duong-phen-tuyet-huong' && u.search === ''),
    page.locator('header a.lang-switch').click(),
  ]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('header nav.main-nav a').first().innerText(), 'Sản phẩm');
});

// A regression test: listing() once handed view_new() a canonical path that
// already carried lang=en (the switch kept English, lang=en was repeated).
for (const path of ['/san-pham', '/san-pham?q=tra', '/nhom/thuc-pham']) {
  test(`the language switch on the English listing ${path} goes back to Vietnamese`, async () => {
    const en = path + (path.includes('?') ? '&' : '?') + 'lang=en';
    await goto(page, en);
    const sw = await page.locator('header a.lang-switch').getAttribute('href');
    assert.equal(sw, path, 'the switch leads to the same page in Vietnamese');
    const canonical = new URL(await page.locator('link[rel="canonical"]').getAttribute('href'));
    assert.deepEqual(canonical.searchParams.getAll('lang'), ['en'], 'canonical: lang=en once');
    const vi = new URL(await page.locator('link[hreflang="vi"]').getAttribute('href'));
    assert.equal(vi.searchParams.get('lang'), null, 'the vi alternate is Vietnamese');
  });
}
