// search.test.mjs: searching as a visitor types, and accent-insensitive
// search (Vietnamese without marks, in capitals, and in NFD form).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, getJson, url } from './lib.mjs';

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

/** resultNames: the product names on a listing page, in order. */
async function resultNames(page) {
  return page.locator('main ul.cards .card-name').allInnerTexts();
}

// Suggestions match product and producer names: "sào" is in the producer's
// name ("Yến sào Cù Lao Ré"), not in the product names.
test(
  'typing "yen sao" shows suggestions containing "Yến"',
  async () => {
    const page = await fresh();
    await goto(page, '/');
    await page.locator('#q').click();
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/suggest?q=yen%20sao'));
    await page.keyboard.type('yen sao', { delay: 60 });
    await answered;
    const list = page.locator('#q-suggest');
    await list.waitFor({ state: 'visible', timeout: 2000 });
    const texts = await list.locator('[role="option"]').allInnerTexts();
    assert.ok(texts.some((t) => t.includes('Yến')), texts.join(' | '));
  },
);

test('typing shows suggestions; Escape keeps the text; Enter shows results', async () => {
  const page = await fresh();
  await goto(page, '/');
  const input = page.locator('#q');
  const list = page.locator('#q-suggest');
  assert.equal(await list.isHidden(), true, 'no suggestions before typing');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');

  const asked = [];
  const onRequest = (r) => {
    if (r.url().includes('/api/v1/suggest')) asked.push(r.url());
  };
  page.on('request', onRequest);
  await input.click();
  await page.keyboard.type('yen', { delay: 60 });
  await list.waitFor({ state: 'visible' });
  const options = list.locator('[role="option"]');
  await options.first().waitFor();
  const texts = await options.allInnerTexts();
  assert.ok(texts.length > 0 && texts.length <= 8, `options: ${texts.length}`);
  assert.ok(texts.every((t) => t.includes('Yến') || /y[eê]n/i.test(t)), texts.join(' | '));
  assert.ok(texts.some((t) => t.includes('Yến')), texts.join(' | '));
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  // Typing is debounced: fewer requests than key presses, the last one for
  // the whole word.
  assert.ok(asked.length >= 1 && asked.length < 3, `requests: ${asked.length}`);
  assert.ok(asked.at(-1).endsWith('q=yen'), asked.at(-1));
  page.off('request', onRequest);

  // Arrow keys move through the options and say so to assistive tech.
  await page.keyboard.press('ArrowDown');
  assert.equal(await input.getAttribute('aria-activedescendant'), 'q-opt-0');
  assert.equal(await options.first().getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowUp');
  assert.equal(await input.getAttribute('aria-activedescendant'), `q-opt-${texts.length - 1}`, 'ArrowUp wraps');
  await page.keyboard.press('Escape');
  assert.equal(await list.isHidden(), true, 'Escape closes the list');
  assert.equal(await input.inputValue(), 'yen', 'Escape keeps what was typed');
  assert.equal(await input.getAttribute('aria-activedescendant'), null);
  assert.equal(await input.getAttribute('aria-expanded'), 'false');

  await page.keyboard.type(' sao', { delay: 60 });
  await Promise.all([page.waitForURL(/\/san-pham\?q=yen\+sao$/), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Kết quả tìm kiếm cho “yen sao”');
  const names = await resultNames(page);
  assert.ok(names.length > 0, 'results');
  assert.ok(names[0].includes('Yến'), `first result: ${names[0]}`);
  assert.equal(await page.locator('#q').inputValue(), 'yen sao', 'the query stays in the box');
  const count = await page.locator('.result-count').innerText();
  const api = await getJson('/api/v1/products?q=yen%20sao');
  assert.equal(count, `${api.body.total} sản phẩm`);
  assert.equal(
    await page.locator('meta[name="robots"]').getAttribute('content'),
    'noindex, follow',
    'search results are not indexed',
  );
  assert.deepEqual(page.errors, []);
});

test('choosing a suggestion with the keyboard opens that product', async () => {
  const page = await fresh();
  await goto(page, '/');
  await page.locator('#q').click();
  await page.keyboard.type('duong phen', { delay: 40 });
  const first = page.locator('#q-suggest [role="option"]').first();
  await first.waitFor();
  const name = await first.innerText();
  await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForURL(/\/san-pham\/[a-z0-9-]+$/), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), name);
});

const PHEN = 'Đường phèn Tuyết Hường';
const accentCases = [
  ['without marks', 'duong phen'],
  ['in capitals', 'ĐƯỜNG PHÈN'],
  ['in NFD form', 'đường phèn'.normalize('NFD')],
  ['with marks, NFC', 'đường phèn'],
];

for (const [label, q] of accentCases) {
  test(`accent-insensitive search ${label}: "${PHEN}" first`, async () => {
    const page = await fresh();
    await goto(page, '/san-pham?q=' + encodeURIComponent(q));
    const names = await resultNames(page);
    assert.ok(names.length > 0, `no results for ${JSON.stringify(q)}`);
    assert.equal(names[0], PHEN);
    });
}

test('the search form is typed into, in NFD, and submitted', async () => {
  const page = await fresh();
  await goto(page, '/san-pham');
  await page.locator('#q').fill('đường phèn'.normalize('NFD'));
  await Promise.all([page.waitForURL(/q=/), page.locator('form.search button').click()]);
  assert.equal((await resultNames(page))[0], PHEN);
});

test('a registered (not certified) product is never found', async () => {
  const page = await fresh();
  for (const q of ['dau phung', 'banh tinh bot nghe']) {
    await goto(page, '/san-pham?q=' + encodeURIComponent(q));
    assert.deepEqual(await resultNames(page), [], q);
    assert.match(await page.locator('p.empty').innerText(), /Không tìm thấy sản phẩm OCOP nào/);
    assert.equal(await page.locator('.result-count').innerText(), '0 sản phẩm');
  }
  await goto(page, '/san-pham?q=nam+bao+ngu');
  const names = await resultNames(page);
  assert.ok(!names.some((n) => /nấm bào ngư/i.test(n)), names.join(' | '));
  // Its page and its API object do not exist either.
  await goto(page, '/san-pham/nam-bao-ngu', 404);
  assert.equal((await getJson('/api/v1/products/nam-bao-ngu')).status, 404);
});

test('"nam bao ngu" finds nothing: its one match is only registered', async () => {
  const page = await fresh();
  await goto(page, '/san-pham?q=nam+bao+ngu');
  assert.deepEqual(await resultNames(page), []);
  assert.equal(await page.locator('.result-count').innerText(), '0 sản phẩm');
  const r = await getJson('/api/v1/products?q=nam%20bao%20ngu');
  assert.equal(r.body.total, 0, r.body.items.map((p) => p.name).join(' | '));
});

test('suggestions follow the page language', async () => {
  const page = await fresh();
  await goto(page, '/?lang=en');
  await page.locator('#q').click();
  await page.keyboard.type('yen', { delay: 40 });
  const opt = page.locator('#q-suggest [role="option"]').first();
  await opt.waitFor();
  assert.match(await opt.getAttribute('data-href'), /^\/san-pham\/[a-z0-9-]+\?lang=en$/);
  await Promise.all([page.waitForURL(/\/san-pham\/[a-z0-9-]+\?lang=en$/), opt.click()]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
});

test('the search box URL works when opened directly', async () => {
  const res = await fetch(url('/san-pham?q=' + encodeURIComponent('Yến sào')));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8$/);
});
