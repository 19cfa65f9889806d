// lib.mjs: shared helpers for the browser tests (not a test file itself).
// The server is started by run.sh, which exports BASE_URL; each test file
// launches one Chromium with launchBrowser() and closes it in after().
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));

export const ROOT = process.env.OCOP_REPO_ROOT || resolve(here, '..', '..');
export const OUT_DIR = join(ROOT, 'tests', 'out');

if (!process.env.BASE_URL) {
  throw new Error('BASE_URL is not set: run the suite with sh tests/browser/run.sh');
}
export const BASE = process.env.BASE_URL.replace(/\/+$/, '');

/** url: an absolute URL on the server under test. */
export function url(path = '/') {
  return BASE + (path.startsWith('/') ? path : '/' + path);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** launchBrowser: a plain launch, so Chromium gets a fresh temp profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** newPage: a page in a new context, with its console errors recorded. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    locale: 'vi-VN',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
  });
  return page;
}

/** goto: navigates and asserts the HTTP status (200 unless told). */
export async function goto(page, path, status = 200) {
  const res = await page.goto(url(path), { waitUntil: 'load' });
  assert.ok(res, `no response for ${path}`);
  assert.equal(res.status(), status, `GET ${path}: status`);
  return res;
}

/** getJson: GET an API path; returns {status, headers, body}. */
export async function getJson(path, headers = {}) {
  const res = await fetch(url(path), { headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body = null;
  if (text.length > 0) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

/** catalogProducts: the seed catalog, as reviewed text in catalog/. */
export function catalogProducts() {
  return JSON.parse(readFileSync(join(ROOT, 'catalog', 'products.json'), 'utf8'));
}

/** shot: a full-page screenshot into tests/out/NAME.png. */
export async function shot(page, name, fullPage = true) {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

const AXE_SOURCE = readFileSync(
  join(here, 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8',
);

/** formatViolations: axe violations as readable lines. */
export function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`    at ${n.target.join(' ')}`);
      lines.push(`       ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      const why = (n.failureSummary || '').split('\n').slice(1, 3).join(' ').trim();
      if (why) lines.push(`       ${why.slice(0, 300)}`);
    }
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

/** runAxe: axe-core with its default rules (wcag2a, wcag2aa,
 * best-practice); returns the violations. Evaluated through the DevTools
 * protocol, so the page's Content-Security-Policy does not block it. */
export async function runAxe(page) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    // "Needs review" results count too when they are about ARIA misuse:
    // colour contrast over gradients is left to the screenshots.
    const review = r.incomplete.filter((v) => v.id.startsWith('aria-'));
    return r.violations.concat(review).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String),
        html: n.html,
        failureSummary: n.failureSummary,
      })),
    }));
  });
}

/** noOverflow: the page does not scroll sideways. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

/** findExpiredSlug: a product of the seed catalog whose certificate the API
 * reports as expired (sample certificates last 36 months). */
export async function findExpiredSlug() {
  const cutoff = new Date();
  cutoff.setUTCMonth(cutoff.getUTCMonth() - 37);
  const iso = cutoff.toISOString().slice(0, 10);
  const candidates = catalogProducts().filter(
    (p) =>
      p.status === 'certified' &&
      p.sample?.certificate?.issued_on &&
      p.sample.certificate.issued_on < iso,
  );
  for (const p of candidates) {
    const r = await getJson(`/api/v1/products/${p.slug}`);
    if (r.status === 200 && r.body.certificate?.status === 'expired') return r.body;
  }
  return null;
}

/** vnMoney: the Vietnamese price format, "1.234.567 ₫" with U+00A0. */
export const VN_MONEY = /^\d{1,3}(\.\d{3})*\u00A0₫/;
