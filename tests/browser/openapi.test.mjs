// openapi.test.mjs: docs/openapi.yaml lints clean (Redocly, recommended
// rules, offline) and describes the live API: real responses validate
// against its schemas (Ajv, JSON Schema 2020-12), and its parameter ranges
// and error codes are the server's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT, getJson, url, catalogProducts } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SPEC = join(ROOT, 'docs', 'openapi.yaml');
const REDOCLY_CONFIG = join(here, 'redocly.yaml');
const OFFLINE_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  REDOCLY_SUPPRESS_NOTIFICATIONS: 'true',
  NO_UPDATE_NOTIFIER: '1',
  npm_config_update_notifier: 'false',
};

/** redocly: runs the local CLI through npx, never fetching a package. */
function redocly(args) {
  return spawnSync('npx', ['--no-install', 'redocly', ...args], {
    cwd: here,
    env: OFFLINE_ENV,
    encoding: 'utf8',
    timeout: 90_000,
  });
}

let tmp;
let doc;
let ajv;
const hit = new Set(); // "METHOD path status" seen by the live checks

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ocop-openapi-'));
  // The YAML is read through Redocly's own bundler, as JSON.
  const out = join(tmp, 'openapi.json');
  const r = redocly(['bundle', SPEC, '--config', REDOCLY_CONFIG, '-o', out]);
  assert.equal(r.status, 0, `redocly bundle:\n${r.stdout}\n${r.stderr}`);
  doc = JSON.parse(readFileSync(out, 'utf8'));
  ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  ajv.addKeyword('example');
  // The components as one schema: "#/components/schemas/X" -> "#/$defs/X".
  const defs = JSON.parse(
    JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', 'ocop#/$defs/'),
  );
  ajv.addSchema({ $id: 'ocop', $defs: defs });
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('openapi: redocly lint (recommended rules) passes with no problem', () => {
  const r = redocly(['lint', SPEC, '--config', REDOCLY_CONFIG, '--format', 'stylish']);
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /Your API description is valid/, out);
  assert.doesNotMatch(out, /You have \d+ (warning|error)/, out);
  assert.doesNotMatch(out, /\[\d+\] .*(warning|error)/i, out);
  assert.equal(doc.openapi, '3.1.0');
});

/** deref: a local "#/components/..." reference, resolved. */
function deref(node) {
  let n = node;
  while (n && n.$ref) {
    n = n.$ref
      .slice(2)
      .split('/')
      .reduce((o, k) => o[k], doc);
  }
  return n;
}

/** responseSchema: the document's schema for a path's response, by status. */
function responseSchema(path, status) {
  const op = doc.paths[path]?.get;
  assert.ok(op, `the document has GET ${path}`);
  const res = deref(op.responses[String(status)]);
  assert.ok(res, `GET ${path} documents a ${status} response`);
  const schema = res.content?.['application/json']?.schema;
  assert.ok(schema, `GET ${path} ${status} has a JSON schema`);
  return JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', 'ocop#/$defs/'));
}

/** explain: one Ajv error, naming the property it is about. */
function explain(e) {
  const prop = e.params?.additionalProperty ?? e.params?.unevaluatedProperty ?? e.params?.missingProperty;
  return `${e.instancePath || '/'} ${e.message}${prop ? `: "${prop}"` : ''}`;
}

const validators = new Map();
/** check: GET a URL and validate status and body against the document. */
async function check(path, query, status = 200) {
  const r = await getJson(path.replace(/\{slug\}/, query.slug ?? '') + (query.qs ?? ''));
  assert.equal(r.status, status, `GET ${path}${query.qs ?? ''}: ${JSON.stringify(r.body).slice(0, 300)}`);
  const key = `${path} ${status}`;
  if (!validators.has(key)) validators.set(key, ajv.compile(responseSchema(path, status)));
  const validate = validators.get(key);
  if (!validate(r.body)) {
    assert.fail(
      `GET ${path}${query.qs ?? ''} ${status} does not match the document:\n` +
        [...new Set(validate.errors.map(explain))].slice(0, 20).join('\n'),
    );
  }
  hit.add(`GET ${path} ${status}`);
  return r;
}

test('openapi: product listings and searches match ProductPage', async () => {
  const queries = [
    '',
    '?per_page=100',
    '?q=yen%20sao',
    '?q=%C4%90%C6%AF%E1%BB%9CNG%20PH%C3%88N',
    '?q=%21%21%21',
    '?group=thuc-pham&stars=5&sort=price',
    '?group=2&sort=price_desc',
    '?sort=name&page=2&per_page=5',
    '?sort=stars',
    '?sort=newest',
    '?sort=relevance',
    '?province=quang-ngai&commune=phuong-nghia-lo',
    '?producer=culaore',
    '?page=10000',
    '?lang=en',
  ];
  for (const qs of queries) {
    const r = await check('/api/v1/products', { qs });
    const b = r.body;
    assert.ok(b.items.length <= b.per_page);
    for (const p of b.items) {
      assert.equal(p.certificate.status, 'active', `${p.slug}: only valid certificates are listed`);
      assert.equal(p.stars, p.certificate.stars);
    }
  }
  const all = (await getJson('/api/v1/products?per_page=100')).body;
  assert.equal(all.items.length, all.total, 'one page of 100 holds the catalog');
});

test('openapi: every public product matches Product; registered ones are 404', async () => {
  let expired = 0;
  for (const p of catalogProducts()) {
    if (p.status === 'certified') {
      const r = await check('/api/v1/products/{slug}', { slug: p.slug });
      assert.equal(r.body.slug, p.slug);
      assert.equal(r.body.name, p.name);
      assert.equal(r.body.certificate.stars, p.stars, `${p.slug}: stars as in catalog/`);
      if (r.body.certificate.status === 'expired') {
        expired += 1;
        assert.equal(r.body.stars, null, `${p.slug}: an expired product has no stars`);
      } else {
        assert.equal(r.body.stars, p.stars);
      }
    } else {
      await check('/api/v1/products/{slug}', { slug: p.slug }, 404);
    }
  }
  assert.ok(expired > 0, 'the catalog has expired certificates to show');
  await check('/api/v1/products/{slug}', { slug: 'khong-co-san-pham-nay' }, 404);
  await check('/api/v1/products/{slug}', { slug: 'Khong-Hop-Le' }, 404);
});

test('openapi: producers, groups, places, suggestions and health match', async () => {
  const list = await check('/api/v1/producers', {});
  assert.equal(list.body.total, list.body.items.length);
  for (const pr of list.body.items) {
    const one = await check('/api/v1/producers/{slug}', { slug: pr.slug });
    assert.equal(one.body.product_count, one.body.products.length, pr.slug);
  }
  await check('/api/v1/producers/{slug}', { slug: 'khong-co' }, 404);

  const groups = await check('/api/v1/groups', {});
  assert.deepEqual(groups.body.items.map((g) => g.code), [1, 2, 3, 4, 5, 6]);
  const places = await check('/api/v1/places', {});
  assert.ok(places.body.items.length > 0);

  for (const qs of ['?q=yen', '?q=tra', '?q=', '?q=%20%21', '?q=yen&lang=en']) {
    await check('/api/v1/suggest', { qs });
  }
  await check('/api/v1/suggest', { qs: '' }, 400);
  await check('/api/v1/suggest', { qs: '?q=' + 'a'.repeat(201) }, 400);

  await check('/healthz', {});
});

test('openapi: documented parameter ranges are the server\'s', async () => {
  const ok = ['?stars=3', '?stars=4', '?stars=5', '?page=1', '?per_page=1', '?per_page=100', '?group=1', '?group=6'];
  for (const qs of ok) await check('/api/v1/products', { qs });
  const bad = {
    '?stars=2': 'invalid_stars',
    '?stars=6': 'invalid_stars',
    '?stars=x': 'invalid_stars',
    '?page=0': 'invalid_page',
    '?page=10001': 'invalid_page',
    '?page=1.5': 'invalid_page',
    '?per_page=0': 'invalid_per_page',
    '?per_page=101': 'invalid_per_page',
    '?sort=cheapest': 'invalid_sort',
    '?group=khong-co': 'invalid_group',
    '?province=Quang%20Ngai': 'invalid_filter',
    '?commune=%C4%91': 'invalid_filter',
    '?producer=A': 'invalid_filter',
    ['?q=' + 'a'.repeat(201)]: 'query_too_long',
    '?q=%FF': 'invalid_utf8',
  };
  const documented = deref(doc.components.responses.BadRequest).description;
  for (const [qs, code] of Object.entries(bad)) {
    const r = await check('/api/v1/products', { qs }, 400);
    assert.equal(r.body.error.code, code, qs);
    assert.ok(documented.includes('`' + code + '`'), `the document lists the code ${code}`);
  }
  // The sort and stars enums in the document are exactly the accepted ones.
  const params = doc.paths['/api/v1/products'].get.parameters.map(deref);
  const sortEnum = params.find((p) => p.name === 'sort').schema.enum;
  assert.deepEqual(sortEnum, ['relevance', 'name', 'stars', 'newest', 'price', 'price_desc']);
  const starsEnum = params.find((p) => p.name === 'stars').schema.enum;
  assert.deepEqual(starsEnum, [3, 4, 5]);
});

test(
  'openapi: a group code outside 1..6 is a 400, as documented',
  async () => {
    const r = await getJson('/api/v1/products?group=7');
    assert.equal(r.status, 400);
  },
);

test('openapi: errors are in the visitor\'s language, codes are not', async () => {
  const vi = await check('/api/v1/products', { qs: '?stars=9' }, 400);
  const en = await check('/api/v1/products', { qs: '?stars=9&lang=en' }, 400);
  assert.equal(vi.body.error.code, en.body.error.code);
  assert.notEqual(vi.body.error.message, en.body.error.message);
  const hdr = await getJson('/api/v1/products?stars=9', { 'Accept-Language': 'en-US,en;q=0.9' });
  assert.equal(hdr.body.error.message, en.body.error.message, 'Accept-Language is honoured');
  const unknown = await getJson('/api/v1/khong-co');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
});

test('openapi: ETag and If-None-Match give 304 on every documented GET', async () => {
  const samples = {
    '/api/v1/products': '/api/v1/products?stars=5',
    '/api/v1/products/{slug}': '/api/v1/products/duong-phen-tuyet-huong',
    '/api/v1/producers': '/api/v1/producers',
    '/api/v1/producers/{slug}': '/api/v1/producers/culaore',
    '/api/v1/groups': '/api/v1/groups',
    '/api/v1/places': '/api/v1/places',
    '/api/v1/suggest': '/api/v1/suggest?q=tra',
  };
  for (const [path, op] of Object.entries(doc.paths)) {
    if (!op.get.responses['304']) continue;
    const p = samples[path];
    assert.ok(p, `a sample request for ${path}`);
    const first = await fetch(url(p));
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    assert.match(etag, new RegExp(deref(doc.components.headers.ETag).schema.pattern), p);
    assert.equal(first.headers.get('cache-control'), 'no-cache', p);
    assert.match(first.headers.get('content-type'), /^application\/json/, p);
    const again = await fetch(url(p), { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, p);
    assert.equal((await again.arrayBuffer()).byteLength, 0, p);
    const other = await fetch(url(p), { headers: { 'If-None-Match': 'W/"0-0"' } });
    assert.equal(other.status, 200, `${p}: another ETag gets the body`);
    await other.arrayBuffer();
    hit.add(`GET ${path} 304`);
  }
});

test('openapi: every path answers a bad query with a documented 400', async () => {
  const slugs = { '/api/v1/products/{slug}': 'duong-phen-tuyet-huong', '/api/v1/producers/{slug}': 'culaore' };
  for (const [path, op] of Object.entries(doc.paths)) {
    if (!op.get.responses['400']) continue;
    if (!deref(op.get.responses['400']).content?.['application/json']) {
      // /healthz: an HTML error page, as documented.
      const r = await fetch(url(`${path}?x=%FF`));
      assert.equal(r.status, 400, path);
      assert.match(r.headers.get('content-type'), /^text\/html/, path);
      await r.arrayBuffer();
      hit.add(`GET ${path} 400`);
      continue;
    }
    const sep = path === '/api/v1/suggest' ? '?q=a&' : '?';
    const r = await check(path, { slug: slugs[path], qs: `${sep}x=%FF` }, 400);
    assert.equal(r.body.error.code, 'invalid_utf8', path);
  }
});

test('openapi: other methods are refused with 405', async () => {
  const r = await fetch(url('/api/v1/products'), { method: 'POST' });
  assert.equal(r.status, 405);
  const body = await r.json();
  assert.equal(body.error.code, 'method_not_allowed');
});

test('openapi: every documented path and status was exercised', () => {
  const missing = [];
  for (const [path, op] of Object.entries(doc.paths)) {
    for (const status of Object.keys(op.get.responses)) {
      if (status === '503') continue; // needs a broken database
      if (!hit.has(`GET ${path} ${status}`)) missing.push(`GET ${path} ${status}`);
    }
  }
  assert.deepEqual(missing, []);
});
