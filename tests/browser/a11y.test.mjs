// a11y.test.mjs: axe-core (default rules: WCAG 2 A and AA, best practice)
// finds no violation on each kind of page, and the keyboard works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, goto, runAxe, formatViolations, findExpiredSlug } from './lib.mjs';

let browser;
let page;
let expired;

before(async () => {
  browser = await launchBrowser();
  page = await newPage(browser);
  expired = await findExpiredSlug();
});
after(async () => {
  await browser?.close();
});

const pages = [
  ['home', '/'],
  ['listing', '/san-pham'],
  ['search results', '/san-pham?q=yen+sao'],
  ['search without results', '/san-pham?q=khongcogica'],
  ['group page', '/nhom/thuc-pham'],
  ['product, active certificate', '/san-pham/mach-nha-quang-ngai-duong-mantoza'],
  ['product, expired certificate', () => expired.url],
  ['producers', '/nha-san-xuat'],
  ['producer', '/nha-san-xuat/culaore'],
  ['404 page', '/khong-co-trang-nay', 404],
  ['400 page', '/san-pham?stars=9', 400],
  ['sign-in page (linked from every footer)', '/dang-nhap'],
  ['English home', '/?lang=en'],
  ['English product', '/san-pham/duong-phen-tuyet-huong?lang=en'],
];

for (const [label, path, status = 200] of pages) {
  test(`axe: no violations on the ${label}`, async () => {
    const p = typeof path === 'function' ? path() : path;
    await goto(page, p, status);
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, `${label} (${p}):\n${formatViolations(violations)}`);
  });
}

test('axe: no violations with the suggestion list open', async () => {
  await goto(page, '/');
  await page.locator('#q').click();
  await page.keyboard.type('tra', { delay: 30 });
  await page.locator('#q-suggest [role="option"]').first().waitFor();
  await page.keyboard.press('ArrowDown');
  const violations = await runAxe(page);
  assert.equal(violations.length, 0, formatViolations(violations));
});

test('keyboard: the first Tab reaches a working skip link', async () => {
  await goto(page, '/san-pham');
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip');
  assert.equal(await skip.evaluate((e) => e === document.activeElement), true);
  assert.ok(await skip.isVisible(), 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
});

test('keyboard: focus is visible on links and buttons', async () => {
  await goto(page, '/');
  await page.locator('#q').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { tag: document.activeElement.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(outline.style, 'none', JSON.stringify(outline));
  assert.ok(outline.width >= 2, JSON.stringify(outline));
});

test('keyboard: arrowing through a filter does not reload the page (WCAG 3.2.2)', async () => {
  await goto(page, '/san-pham');
  const before = page.url();
  let navigated = false;
  page.once('framenavigated', () => { navigated = true; });
  await page.locator('form.filters select[name="stars"]').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(700);
  assert.equal(navigated, false, 'changing a select must not submit the form by itself');
  assert.equal(page.url(), before);
  // The "Lọc" button applies the choice.
  await Promise.all([page.waitForURL(/stars=/), page.locator('form.filters button').click()]);
});

/** obscuredWhileTabbing: Shift+Tab from the footer up; the focused elements
 * whose centre lies under the sticky header (WCAG 2.2, 2.4.11). */
async function obscuredWhileTabbing(p, steps) {
  await p.locator('footer a').last().focus();
  const hidden = [];
  for (let i = 0; i < steps; i++) {
    await p.keyboard.press('Shift+Tab');
    const r = await p.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body || e.closest('.site-header')) return null;
      const b = e.getBoundingClientRect();
      const top = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      const covered = top && top.closest('.site-header') && !e.contains(top);
      return covered ? `${e.tagName.toLowerCase()} "${(e.textContent || e.name || '').trim().slice(0, 30)}"` : null;
    });
    if (r) hidden.push(r);
  }
  return hidden;
}

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
]) {
  test(`keyboard (${label}): the sticky header never hides the focused element`, async () => {
    const p = await newPage(browser, { viewport });
    for (const path of ['/san-pham', '/san-pham/mach-nha-quang-ngai-duong-mantoza']) {
      await goto(p, path);
      assert.deepEqual(await obscuredWhileTabbing(p, 30), [], path);
    }
    await p.context().close();
  });
}

test('the suggestion list is an ARIA combobox popup', async () => {
  await goto(page, '/');
  const q = page.locator('#q');
  assert.equal(await q.getAttribute('aria-controls'), 'q-suggest');
  assert.equal(await q.getAttribute('aria-autocomplete'), 'list');
  assert.equal(await page.locator('#q-suggest').getAttribute('role'), 'listbox');
  assert.ok(await page.locator('#q-suggest').getAttribute('aria-label'));
  assert.equal(await page.locator('label[for="q"]').count(), 1, 'the search box has a label');
});
