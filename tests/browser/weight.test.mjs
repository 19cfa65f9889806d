// weight.test.mjs: page weight and caching of a product page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, url } from './lib.mjs';

const BUDGET_BYTES = 100 * 1024;

let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** load: every response of one page view, with its uncompressed size. */
async function load(path) {
  const page = await newPage(browser);
  const seen = [];
  page.on('response', (r) => seen.push(r));
  await page.goto(url(path), { waitUntil: 'load' });
  // Lazy images below the fold may arrive later; they are not counted anyway.
  await page.waitForLoadState('networkidle');
  const rows = [];
  for (const r of seen) {
    const type = r.request().resourceType();
    const body = await r.body().catch(() => Buffer.alloc(0));
    rows.push({ url: r.url(), type, status: r.status(), bytes: body.length, headers: r.headers() });
  }
  await page.context().close();
  return rows;
}

for (const path of ['/san-pham/mach-nha-quang-ngai-duong-mantoza', '/', '/san-pham']) {
  test(`page weight: ${path} is under 100 KB of HTML, CSS and JS`, async (t) => {
    const rows = await load(path);
    const counted = rows.filter((r) => r.type !== 'image');
    const total = counted.reduce((n, r) => n + r.bytes, 0);
    const table = counted.map((r) => `${r.type} ${r.bytes} ${r.url}`).join('\n');
    assert.ok(counted.some((r) => r.type === 'document'), table);
    assert.ok(counted.some((r) => r.type === 'stylesheet'), table);
    assert.ok(counted.some((r) => r.type === 'script'), table);
    t.diagnostic(`${path}: ${total} bytes of HTML, CSS and JS (${counted.length} responses)`);
    assert.ok(total < BUDGET_BYTES, `${total} bytes:\n${table}`);
    // Nothing is fetched from another site, and nothing fails.
    for (const r of rows) {
      assert.equal(new URL(r.url).origin, new URL(url('/')).origin, r.url);
      assert.ok(r.status < 400, `${r.status} ${r.url}`);
    }
  });
}

test('static files are fingerprinted, immutable and compressed', async () => {
  const rows = await load('/san-pham/mach-nha-quang-ngai-duong-mantoza');
  const assets = rows.filter((r) => r.type === 'stylesheet' || r.type === 'script');
  assert.ok(assets.length >= 2);
  for (const a of assets) {
    assert.match(new URL(a.url).pathname, /\.[0-9a-f]{16}\.(css|js)$/, a.url);
    assert.match(a.headers['cache-control'], /immutable/, a.url);
    assert.equal(a.headers['content-encoding'], 'gzip', `${a.url} is sent gzipped to Chromium`);
  }
  const doc = rows.find((r) => r.type === 'document');
  assert.equal(doc.headers['content-encoding'], 'gzip', 'the HTML is gzipped');
  assert.match(doc.headers['content-type'], /^text\/html; charset=utf-8$/);
  assert.ok(doc.headers.etag, 'the HTML has an ETag');
  assert.match(doc.headers['content-security-policy'] || '', /default-src 'self'/);
});

test('a repeated page view answers 304 to If-None-Match', async () => {
  const first = await fetch(url('/san-pham/duong-phen-tuyet-huong'));
  const etag = first.headers.get('etag');
  assert.ok(etag);
  await first.arrayBuffer();
  const again = await fetch(url('/san-pham/duong-phen-tuyet-huong'), { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
});
