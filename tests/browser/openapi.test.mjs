// openapi.test.mjs: docs/openapi.yaml lints clean (Redocly, recommended
// rules, offline) and describes the live API: real responses validate
// against its schemas (Ajv, JSON Schema 2020-12), and its parameter ranges
// and error codes are the server's. Every /api/v1 route of `ocop routes`
// has its operation, with the role it needs; the write and sales APIs are
// called for real (run.sh makes the API keys and a sample fair) and every
// documented status of every operation is seen at least once. The writes
// leave the data as the later files expect it: changes are undone, photos
// removed, sales voided, and the product re-evaluated is left with the
// certificate portal.test.mjs gives it too (72 points, 4 stars).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** local: a schema of the document, its references into the "ocop" defs. */
function local(schema) {
  return JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', 'ocop#/$defs/'));
}

/** operation: the document's operation for a method and path template. */
function operation(method, path) {
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `the document has ${method} ${path}`);
  return op;
}

/** responseSchema: the document's schema for an operation's response. */
function responseSchema(method, path, status) {
  const res = deref(operation(method, path).responses[String(status)]);
  assert.ok(res, `${method} ${path} documents a ${status} response`);
  const schema = res.content?.['application/json']?.schema;
  assert.ok(schema, `${method} ${path} ${status} has a JSON schema`);
  return local(schema);
}

/** explain: one Ajv error, naming the property it is about. */
function explain(e) {
  const prop = e.params?.additionalProperty ?? e.params?.unevaluatedProperty ?? e.params?.missingProperty;
  return `${e.instancePath || '/'} ${e.message}${prop ? `: "${prop}"` : ''}`;
}

const validators = new Map();
/** validator: a compiled schema, once per key. */
function validator(key, schema) {
  if (!validators.has(key)) validators.set(key, ajv.compile(schema()));
  return validators.get(key);
}

/** validate: asserts that a response body matches the document. */
function validate(method, path, status, body, what = `${method} ${path}`) {
  const v = validator(`res ${method} ${path} ${status}`, () => responseSchema(method, path, status));
  if (!v(body)) {
    assert.fail(
      `${what} ${status} does not match the document:\n` +
        [...new Set(v.errors.map(explain))].slice(0, 20).join('\n') +
        `\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
  hit.add(`${method} ${path} ${status}`);
}

/** requestValid: whether a JSON body passes the operation's request schema. */
function requestValid(method, path, body) {
  const v = validator(`req ${method} ${path}`, () => {
    const schema = operation(method, path).requestBody?.content?.['application/json']?.schema;
    assert.ok(schema, `${method} ${path} documents a JSON request body`);
    return local(schema);
  });
  return v(body);
}

/** fill: a path template with its parameters. */
function fill(path, params = {}) {
  return path.replace(/\{(\w+)\}/g, (_, name) => {
    assert.ok(params[name] !== undefined, `a value for {${name}} in ${path}`);
    return encodeURIComponent(String(params[name]));
  });
}

/**
 * call: one request to a documented operation; asserts the status and
 * validates the body against the document. body: an object (sent as
 * JSON), a string (sent as is, as JSON), or FormData. key: an API key.
 */
async function call(method, path, status, { params, qs = '', key, headers = {}, body } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    h['Content-Type'] = 'application/json';
    if (typeof body !== 'string') payload = JSON.stringify(body);
  }
  const target = fill(path, params) + qs;
  const res = await fetch(url(target), {
    method,
    headers: h,
    body: payload,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const what = `${method} ${target}`;
  assert.equal(res.status, status, `${what}: ${text.slice(0, 400)}`);
  if (status === 304) {
    assert.equal(text, '', `${what}: a 304 has no body`);
    hit.add(`${method} ${path} 304`);
    return { status, headers: res.headers, body: null };
  }
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
  const json = JSON.parse(text);
  validate(method, path, status, json, what);
  return { status, headers: res.headers, body: json };
}

/** check: GET a public path and validate status and body against the document. */
async function check(path, query, status = 200) {
  return call('GET', path, status, { params: { slug: query.slug }, qs: query.qs ?? '' });
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

/** secured: whether an operation needs credentials. */
function secured(op) {
  return (op.security ?? doc.security ?? []).length > 0;
}

/** operations: every [method, path, op] of the document. */
function operations() {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
      if (item[method]) out.push([method.toUpperCase(), path, item[method]]);
    }
  }
  return out;
}

/** revalidates: the GET's ETag gives 304, another ETag the body. */
async function revalidates(path, target, key) {
  const auth = key ? { Authorization: `Bearer ${key}` } : {};
  const first = await fetch(url(target), { headers: auth });
  await first.arrayBuffer();
  assert.equal(first.status, 200, target);
  const etag = first.headers.get('etag');
  assert.match(etag, new RegExp(deref(doc.components.headers.ETag).schema.pattern), target);
  // what a signed-in caller sees is private to them; public data may come
  // from the shared page cache even when a key is sent
  if (key) assert.match(first.headers.get('cache-control'), /^(no-cache|private, no-store)$/, target);
  else assert.equal(first.headers.get('cache-control'), 'no-cache', target);
  assert.match(first.headers.get('content-type'), /^application\/json/, target);
  const again = await fetch(url(target), { headers: { ...auth, 'If-None-Match': etag } });
  assert.equal(again.status, 304, target);
  assert.equal((await again.arrayBuffer()).byteLength, 0, target);
  const other = await fetch(url(target), { headers: { ...auth, 'If-None-Match': 'W/"0-0"' } });
  assert.equal(other.status, 200, `${target}: another ETag gets the body`);
  await other.arrayBuffer();
  hit.add(`GET ${path} 304`);
}

test('openapi: ETag and If-None-Match give 304 on every documented public GET', async () => {
  const samples = {
    '/api/v1/products': '/api/v1/products?stars=5',
    '/api/v1/products/{slug}': '/api/v1/products/duong-phen-tuyet-huong',
    '/api/v1/producers': '/api/v1/producers',
    '/api/v1/producers/{slug}': '/api/v1/producers/culaore',
    '/api/v1/groups': '/api/v1/groups',
    '/api/v1/places': '/api/v1/places',
    '/api/v1/suggest': '/api/v1/suggest?q=tra',
  };
  for (const [method, path, op] of operations()) {
    if (method !== 'GET' || secured(op) || !op.responses['304']) continue;
    const p = samples[path];
    assert.ok(p, `a sample request for ${path}`);
    await revalidates(path, p);
  }
});

test('openapi: every public path answers a bad query with a documented 400', async () => {
  const slugs = { '/api/v1/products/{slug}': 'duong-phen-tuyet-huong', '/api/v1/producers/{slug}': 'culaore' };
  for (const [method, path, op] of operations()) {
    if (method !== 'GET' || secured(op) || !op.responses['400']) continue;
    if (!deref(op.responses['400']).content?.['application/json']) {
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
  const put = await fetch(url('/api/v1/sales'), { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal((await put.json()).error.code, 'method_not_allowed');
});

// --- the routes ---------------------------------------------------------------

/** routes: `ocop routes` as [{method, path, need}]; "*" is one segment. */
function routes() {
  const bin = process.env.OCOP_BIN || './ocop';
  const r = spawnSync(bin, ['routes'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${bin} routes:\n${r.stdout}\n${r.stderr}`);
  const out = [];
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [method, path, need] = line.split('\t');
    assert.ok(method && path && need, `a route line: ${JSON.stringify(line)}`);
    out.push({ method, path, need });
  }
  assert.ok(out.length > 0, 'ocop routes prints the routes');
  return out;
}

/** routeShape: a document path as `ocop routes` writes it: "{x}" -> "*". */
function routeShape(path) {
  return path.replace(/\{[^}]+\}/g, '*');
}

test('openapi: every /api/v1 route has its operation, with its method and role', () => {
  const api = routes().filter((r) => r.path.startsWith('/api/v1'));
  assert.ok(api.length >= 7, 'the API routes are listed');
  const byShape = new Map(Object.keys(doc.paths).map((p) => [routeShape(p), p]));
  const missing = [];
  const wrong = [];
  const seen = new Set();
  for (const r of api) {
    // "**" (the rest of the path) is documented as one {path} parameter.
    const shape = r.path.endsWith('**') ? r.path.slice(0, -1) : r.path;
    const path = byShape.get(shape);
    const op = path && doc.paths[path][r.method.toLowerCase()];
    if (!op) {
      missing.push(`${r.method} ${r.path} (${r.need})`);
      continue;
    }
    seen.add(`${r.method} ${path}`);
    if (op['x-ocop-role'] !== r.need) wrong.push(`${r.method} ${path}: x-ocop-role ${op['x-ocop-role']}, route ${r.need}`);
    const schemes = (op.security ?? doc.security ?? []).flatMap((s) => Object.keys(s)).sort();
    const want = r.need === 'public' ? [] : ['bearerAuth', 'cookieAuth'];
    if (JSON.stringify(schemes) !== JSON.stringify(want)) {
      wrong.push(`${r.method} ${path}: security ${schemes.join(',') || 'none'}, route ${r.need}`);
    }
    if (r.need !== 'public' && !op.responses['401']) wrong.push(`${r.method} ${path}: no 401 documented`);
  }
  assert.deepEqual(missing, [], 'routes without an operation in docs/openapi.yaml');
  assert.deepEqual(wrong, [], 'operations whose role or security differs from the route');
  // ...and no operation the server does not have.
  const stale = operations()
    .filter(([, path]) => path.startsWith('/api/v1'))
    .map(([method, path]) => `${method} ${path}`)
    .filter((k) => !seen.has(k));
  assert.deepEqual(stale, [], 'operations in the document that no route serves');
});

// --- the write and sales APIs ---------------------------------------------------

const KEYS = {
  producer: process.env.OCOP_TEST_PRODUCER_KEY,
  admin: process.env.OCOP_TEST_ADMIN_KEY,
  booth: process.env.OCOP_TEST_BOOTH_KEY,
};
const BOOTH = Number(process.env.OCOP_TEST_BOOTH_ID);
const STAFF = process.env.OCOP_TEST_BOOTH_STAFF; // staffs BOOTH, with a PIN
const PIN = process.env.OCOP_TEST_BOOTH_PIN;
const SLUG = 'duong-phen-tuyet-huong'; // of tuyet-huong, the producer key's
const OTHERS = 'yen-rut-long-nguyen-to-culaore'; // another producer's
const REGISTERED = 'nam-bao-ngu'; // only registered: not public
const NONE = 999999999;
const sales = {}; // ids of the sales made here, for the checks after

/** keys: the run.sh setup is there. */
function needKeys() {
  for (const [role, k] of Object.entries(KEYS)) {
    assert.match(k ?? '', /^ocop_/, `OCOP_TEST_${role.toUpperCase()}_KEY from run.sh`);
  }
  assert.ok(BOOTH > 0, 'OCOP_TEST_BOOTH_ID from run.sh');
}

/** daysAgo: the ISO date n days before now. */
function daysAgo(n) {
  return new Date(Date.now() - n * 86400e3).toISOString().slice(0, 10);
}

/** sampleParams: path parameters that exist, for any operation. */
function sampleParams(path) {
  return { slug: SLUG, id: path.includes('/photos/') ? NONE : BOOTH };
}

/** oversized: a request whose Content-Length is over the limit; the server
 * answers before reading the body. */
function oversized(method, target, length, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url(target), { method, headers: { ...headers, 'Content-Length': String(length) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        data += c;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, headers: res.headers, text: data });
      });
    });
    req.on('error', (e) => reject(e));
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${target}: no answer`)));
    req.write('{');
  });
}

test('openapi: every secured operation: 401 without credentials, 400 for a bad query, 413 for a body too large', async () => {
  for (const [method, path, op] of operations()) {
    if (!secured(op)) continue;
    const params = sampleParams(path);
    const body = op.requestBody ? {} : undefined;
    const r = await call(method, path, 401, { params, body });
    assert.equal(r.body.error.code, 'unauthorized', `${method} ${path}`);
    const bad = await call(method, path, 401, { params, body, headers: { Authorization: 'Bearer ocop_khong-co-khoa-nay' } });
    assert.notEqual(bad.body.error.message, r.body.error.message, 'a bad key is told apart');
    const q = await call(method, path, 400, { params, body, qs: '?x=%FF' });
    assert.equal(q.body.error.code, 'invalid_utf8', `${method} ${path}`);
    if (!op.requestBody) continue;
    const multipart = !!op.requestBody.content['multipart/form-data'];
    const limit = multipart ? 100 * 1024 * 1024 : 1024 * 1024;
    const big = await oversized(method, fill(path, params), limit + 1, {
      'Content-Type': multipart ? 'multipart/form-data; boundary=x' : 'application/json',
      Authorization: `Bearer ${KEYS.admin}`,
    });
    assert.equal(big.status, 413, `${method} ${path}: ${big.text}`);
    const json = JSON.parse(big.text);
    assert.equal(json.error.code, 'too_big', `${method} ${path}`);
    validate(method, path, 413, json);
  }
  // A bad key is refused on a public path too (see info.description).
  const pub = await getJson('/api/v1/groups', { Authorization: 'Bearer ocop_khong-co-khoa-nay' });
  assert.equal(pub.status, 401);
});

test('openapi: roles: a booth key may not edit, a producer key may not evaluate', async () => {
  needKeys();
  for (const [method, path, op] of operations()) {
    if (!['editor', 'admin'].includes(op['x-ocop-role'])) continue;
    const body = op.requestBody ? {} : undefined;
    const r = await call(method, path, 403, { params: sampleParams(path), body, key: KEYS.booth });
    assert.equal(r.body.error.code, 'forbidden', `${method} ${path}`);
    if (op['x-ocop-role'] === 'admin') {
      await call(method, path, 403, { params: sampleParams(path), body, key: KEYS.producer });
    }
  }
});

test('openapi: unknown products, photos, certificates, sales and places are 404', async () => {
  needKeys();
  for (const [method, path, op] of operations()) {
    if (!secured(op) || !op.responses['404']) continue;
    // a body that passes the handlers' own checks, so that the lookup answers
    const body = op.requestBody ? { reason: 'không có', revision: 1, position: 0, waiting: 0 } : undefined;
    const params = path.includes('{slug}') && !path.includes('/photos/')
      ? { slug: 'khong-co-san-pham-nay' }
      : { slug: SLUG, id: NONE };
    // the office may see every place, so that what is missing is told
    const qs = path === '/api/v1/pos/vietqr' ? `?booth=${NONE}&amount=1000` : '';
    const r = await call(method, path, 404, { params, body, key: KEYS.admin, qs });
    assert.equal(r.body.error.code, 'not_found', `${method} ${path}`);
  }
});

test('openapi: a producer changes a product, reads its history and undoes the change', async () => {
  needKeys();
  const key = KEYS.producer;
  const before = (await getJson(`/api/v1/products/${SLUG}`)).body;
  const patch = { description: `${before.description} (Đã sửa qua API.)` };
  assert.ok(requestValid('PATCH', '/api/v1/products/{slug}', patch));
  const changed = await call('PATCH', '/api/v1/products/{slug}', 200, { params: { slug: SLUG }, key, body: patch });
  assert.equal(changed.body.description, patch.description);
  assert.equal(changed.body.public, true);

  const hist = await call('GET', '/api/v1/products/{slug}/history', 200, { params: { slug: SLUG }, key });
  const rev = hist.body.items[0];
  assert.equal(rev.after.description, patch.description);
  assert.equal(rev.before.description, before.description);
  assert.equal(rev.latest, true);
  assert.equal(rev.undone, false);
  assert.equal(rev.actor, 'apikey:doc');
  await revalidates('/api/v1/products/{slug}/history', `/api/v1/products/${SLUG}/history`, key);

  const undo = { revision: rev.id };
  assert.ok(requestValid('POST', '/api/v1/products/{slug}/undo', undo));
  const undone = await call('POST', '/api/v1/products/{slug}/undo', 200, { params: { slug: SLUG }, key, body: undo });
  assert.equal(undone.body.description, before.description);
  // (Any change stores the variants as the producer's own: `sample` ends false.)
  const plain = (vs) => vs.map(({ sample, ...v }) => v);
  assert.deepEqual(plain(undone.body.variants), plain(before.variants));
  const again = await call('POST', '/api/v1/products/{slug}/undo', 409, { params: { slug: SLUG }, key, body: undo });
  assert.equal(again.body.error.code, 'conflict');
  const after = (await call('GET', '/api/v1/products/{slug}/history', 200, { params: { slug: SLUG }, key })).body.items;
  assert.equal(after[0].undo_of, rev.id);
  assert.equal(after[1].undone, true);

  await call('POST', '/api/v1/products/{slug}/undo', 422, { params: { slug: SLUG }, key, body: { revision: 'x' } });
  assert.ok(!requestValid('POST', '/api/v1/products/{slug}/undo', { revision: 'x' }));

  // Refusals, each as documented, in both languages.
  const short = { name: 'x' };
  assert.ok(!requestValid('PATCH', '/api/v1/products/{slug}', short));
  const vi = await call('PATCH', '/api/v1/products/{slug}', 422, { params: { slug: SLUG }, key, body: short });
  const en = await call('PATCH', '/api/v1/products/{slug}', 422, {
    params: { slug: SLUG }, key, body: short, headers: { 'Accept-Language': 'en' },
  });
  assert.equal(vi.body.error.code, 'invalid_value');
  assert.equal(en.body.error.code, 'invalid_value');
  assert.match(vi.body.error.message, /Tên sản phẩm/);
  assert.match(en.body.error.message, /product name/);
  for (const bad of [{ name: 'Tên\u0001' }, { foo: 1 }, { variants: [{ sku: '-x' }] }, { variants: [{ sku: 'A', price_vnd: 1.5 }] },
    { variants: [{ sku: 'A', barcode: '123' }] }, { variants: [{ sku: 'A' }, { sku: 'A' }] }]) {
    await call('PATCH', '/api/v1/products/{slug}', 422, { params: { slug: SLUG }, key, body: bad });
  }
  for (const bad of [{ foo: 1 }, { variants: [{ sku: '-x' }] }, { variants: [{ sku: 'A', price_vnd: 1.5 }] }]) {
    assert.ok(!requestValid('PATCH', '/api/v1/products/{slug}', bad), JSON.stringify(bad));
  }
  const office = await call('PATCH', '/api/v1/products/{slug}', 403, { params: { slug: SLUG }, key, body: { stars: 5 } });
  assert.equal(office.body.error.code, 'forbidden');
  assert.ok(!requestValid('PATCH', '/api/v1/products/{slug}', { stars: 5 }));
  const notJson = await call('PATCH', '/api/v1/products/{slug}', 400, { params: { slug: SLUG }, key, body: '[1]' });
  assert.equal(notJson.body.error.code, 'invalid_json');
  await call('PATCH', '/api/v1/products/{slug}', 403, { params: { slug: OTHERS }, key, body: {} });
  await call('GET', '/api/v1/products/{slug}/history', 403, { params: { slug: OTHERS }, key });

  // A SKU of another product: 409 (the product's own variants kept as they are).
  const foreign = (await getJson(`/api/v1/products/${OTHERS}`)).body.variants[0].sku;
  const variants = [...before.variants, { sku: foreign, size: '', unit: '' }];
  assert.ok(requestValid('PATCH', '/api/v1/products/{slug}', { variants }));
  const taken = await call('PATCH', '/api/v1/products/{slug}', 409, { params: { slug: SLUG }, key, body: { variants } });
  assert.equal(taken.body.error.code, 'conflict');
  // Sending the variants back as read changes nothing, and records nothing.
  const same = await call('PATCH', '/api/v1/products/{slug}', 200, { params: { slug: SLUG }, key, body: { variants: before.variants } });
  assert.deepEqual(plain(same.body.variants), plain(before.variants));
  const unchanged = (await call('GET', '/api/v1/products/{slug}/history', 200, { params: { slug: SLUG }, key })).body.items;
  assert.equal(unchanged[0].id, after[0].id, 'no revision for no change');

  const certs = await call('GET', '/api/v1/products/{slug}/certificates', 200, { params: { slug: SLUG }, key });
  assert.ok(certs.body.items.some((c) => c.current && c.status === 'active'));
  await revalidates('/api/v1/products/{slug}/certificates', `/api/v1/products/${SLUG}/certificates`, key);
  await call('GET', '/api/v1/products/{slug}/certificates', 403, { params: { slug: OTHERS }, key });
});

/** signIn: a session cookie and its CSRF token, as a browser gets them. */
async function signIn(username) {
  const form = await fetch(url('/dang-nhap'));
  const html = await form.text();
  const pre = form.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('ocop_pre='));
  const csrf = html.match(/name="csrf" value="([^"]+)"/)?.[1];
  assert.ok(pre && csrf, 'the sign-in form gives its token');
  const res = await fetch(url('/dang-nhap'), {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: pre, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username, password: 'correct horse battery' }),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 303, `${username} signs in`);
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('ocop_session='));
  assert.ok(session, 'a session cookie');
  const page = await fetch(url('/quan-ly'), { headers: { Cookie: session } });
  const token = (await page.text()).match(/name="csrf" value="([^"]+)"/)?.[1];
  assert.ok(token, "the signed-in pages carry the session's CSRF token");
  return { cookie: session, token };
}

test('openapi: with the session cookie, a write needs the X-CSRF-Token header', async () => {
  const { cookie, token } = await signIn('tuyethuong');
  const params = { slug: SLUG };
  const hist = await call('GET', '/api/v1/products/{slug}/history', 200, { params, headers: { Cookie: cookie } });
  assert.ok(Array.isArray(hist.body.items), 'a GET needs no token');
  const refused = await call('PATCH', '/api/v1/products/{slug}', 403, { params, headers: { Cookie: cookie }, body: {} });
  assert.equal(refused.body.error.code, 'csrf');
  const wrong = await call('PATCH', '/api/v1/products/{slug}', 403, {
    params, headers: { Cookie: cookie, 'X-CSRF-Token': 'x'.repeat(token.length) }, body: {},
  });
  assert.equal(wrong.body.error.code, 'csrf');
  const ok = await call('PATCH', '/api/v1/products/{slug}', 200, {
    params, headers: { Cookie: cookie, 'X-CSRF-Token': token }, body: {},
  });
  assert.equal(ok.body.slug, SLUG);
});

test('openapi: photos: upload, refuse, move, describe and remove', async (t) => {
  needKeys();
  const key = KEYS.producer;
  const params = { slug: SLUG };
  const dir = mkdtempSync(join(tmpdir(), 'ocop-openapi-photo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const jpg = join(dir, 'openapi.jpg');
  execFileSync('vips', ['black', jpg, '64', '48', '--bands', '3']);
  writeFileSync(join(dir, 'ghi-chu.txt'), 'không phải ảnh\n');
  const form = (field, file, type) => {
    const fd = new FormData();
    fd.append(field, new Blob([readFileSync(join(dir, file))], { type }), file);
    return fd;
  };

  const before = (await getJson(`/api/v1/products/${SLUG}`)).body.photos;
  const up = form('photo', 'openapi.jpg', 'image/jpeg');
  up.append('alt', 'Ảnh thử của kiểm tra OpenAPI');
  const added = await call('POST', '/api/v1/products/{slug}/photos', 201, { params, key, body: up });
  assert.equal(added.body.photos.length, before.length + 1);
  const photo = added.body.photos.at(-1);
  assert.match(photo.url, /^\/media\/u\/\d+-[0-9a-f]{8}-800\.jpg$/);
  assert.match(photo.srcset_webp, /1600w$/);
  assert.equal(photo.alt_vi, 'Ảnh thử của kiểm tra OpenAPI');
  assert.equal(photo.sample, false);

  const notImage = await call('POST', '/api/v1/products/{slug}/photos', 422, {
    params, key, body: form('photo', 'ghi-chu.txt', 'image/jpeg'),
  });
  assert.equal(notImage.body.error.code, 'not_image');
  assert.equal(notImage.body.error.file, 'ghi-chu.txt');
  const none = await call('POST', '/api/v1/products/{slug}/photos', 422, {
    params, key, body: form('anh', 'openapi.jpg', 'image/jpeg'),
  });
  assert.equal(none.body.error.code, 'no_photo');
  await call('POST', '/api/v1/products/{slug}/photos', 403, {
    params: { slug: OTHERS }, key, body: form('photo', 'openapi.jpg', 'image/jpeg'),
  });

  const ph = { slug: SLUG, id: photo.id };
  const cover = { cover: true, alt_en: 'A test photo' };
  assert.ok(requestValid('PATCH', '/api/v1/products/{slug}/photos/{id}', cover));
  const moved = await call('PATCH', '/api/v1/products/{slug}/photos/{id}', 200, { params: ph, key, body: cover });
  assert.equal(moved.body.photos[0].id, photo.id);
  assert.equal(moved.body.photos[0].alt_en, 'A test photo');
  const last = await call('PATCH', '/api/v1/products/{slug}/photos/{id}', 200, { params: ph, key, body: { position: 1000 } });
  assert.equal(last.body.photos.at(-1).id, photo.id);
  for (const bad of [{}, { position: 1.5 }, { cover: 'yes' }]) {
    assert.ok(!requestValid('PATCH', '/api/v1/products/{slug}/photos/{id}', bad), JSON.stringify(bad));
    const r = await call('PATCH', '/api/v1/products/{slug}/photos/{id}', 422, { params: ph, key, body: bad });
    assert.equal(r.body.error.code, 'invalid_change');
  }
  await call('PATCH', '/api/v1/products/{slug}/photos/{id}', 400, { params: ph, key, body: 'null' });
  await call('PATCH', '/api/v1/products/{slug}/photos/{id}', 403, { params: { slug: OTHERS, id: photo.id }, key, body: cover });
  await call('DELETE', '/api/v1/products/{slug}/photos/{id}', 403, { params: { slug: OTHERS, id: photo.id }, key });

  const removed = await call('DELETE', '/api/v1/products/{slug}/photos/{id}', 200, { params: ph, key });
  assert.deepEqual(removed.body.photos.map((p) => p.id), before.map((p) => p.id));
  await call('DELETE', '/api/v1/products/{slug}/photos/{id}', 404, { params: ph, key });
});

test('openapi: the office evaluates, lists the certificates and revokes one', async () => {
  needKeys();
  const key = KEYS.admin;
  const params = { slug: SLUG };
  const evaluation = {
    score: 72,
    parts: { A: 30, B: 20, C: 22 },
    level: 'province',
    decision_no: 'OPENAPI-72/QĐ-UBND',
    decision_date: daysAgo(3),
    legal_basis: '26/2026',
  };
  assert.ok(requestValid('POST', '/api/v1/products/{slug}/evaluations', evaluation));
  const ev = await call('POST', '/api/v1/products/{slug}/evaluations', 201, { params, key, body: evaluation });
  assert.equal(ev.body.stars, 4);
  assert.equal(ev.body.certificate.number, evaluation.decision_no);
  assert.equal(ev.body.certificate.issued_on, evaluation.decision_date);
  assert.equal(ev.body.certificate.status, 'active');
  assert.equal(ev.body.expires_on, ev.body.certificate.expires_on);
  const pub = (await getJson(`/api/v1/products/${SLUG}`)).body;
  assert.equal(pub.stars, 4);

  const certs = (await call('GET', '/api/v1/products/{slug}/certificates', 200, { params, key })).body.items;
  assert.equal(certs[0].id, ev.body.certificate.id);
  assert.equal(certs[0].current, true);
  const old = certs.find((c) => !c.current);
  assert.ok(old, 'the certificate it superseded');
  assert.equal(old.status, 'superseded');

  const rev = (id) => ({ id });
  const conflict = await call('POST', '/api/v1/certificates/{id}/revoke', 409, { params: rev(old.id), key, body: { reason: 'thử' } });
  assert.equal(conflict.body.error.code, 'conflict');
  assert.ok(!requestValid('POST', '/api/v1/certificates/{id}/revoke', {}));
  await call('POST', '/api/v1/certificates/{id}/revoke', 422, { params: rev(ev.body.certificate.id), key, body: {} });
  await call('POST', '/api/v1/certificates/{id}/revoke', 400, { params: rev(ev.body.certificate.id), key, body: '"lý do"' });
  await call('POST', '/api/v1/certificates/{id}/revoke', 403, {
    params: rev(ev.body.certificate.id), key: KEYS.producer, body: { reason: 'thử' },
  });
  const revoked = await call('POST', '/api/v1/certificates/{id}/revoke', 200, {
    params: rev(ev.body.certificate.id), key, body: { reason: 'Kiểm tra OpenAPI' },
  });
  assert.equal(revoked.body.status, 'revoked');
  assert.equal(revoked.body.revoke_reason, 'Kiểm tra OpenAPI');
  const gone = (await getJson(`/api/v1/products/${SLUG}`)).body;
  assert.equal(gone.stars, null);
  assert.equal(gone.certificate.status, 'revoked');

  // Evaluated again, as portal.test.mjs will: active, 4 stars.
  const again = await call('POST', '/api/v1/products/{slug}/evaluations', 201, {
    params, key, body: { ...evaluation, decision_no: 'OPENAPI-72b/QĐ-UBND' },
  });
  assert.equal(again.body.certificate.current, true);
  assert.equal((await getJson(`/api/v1/products/${SLUG}`)).body.stars, 4);

  // Below 50 points a registered product gets no certificate and stays private.
  const low = await call('POST', '/api/v1/products/{slug}/evaluations', 201, {
    params: { slug: REGISTERED }, key,
    body: { score: 41.5, level: 'province', decision_no: 'OPENAPI-41', decision_date: daysAgo(3) },
  });
  assert.equal(low.body.stars, 0);
  assert.equal(low.body.certificate, null);
  assert.equal(low.body.expires_on, null);
  assert.equal((await getJson(`/api/v1/products/${REGISTERED}`)).status, 404);
  const none = await call('GET', '/api/v1/products/{slug}/certificates', 200, { params: { slug: REGISTERED }, key });
  assert.deepEqual(none.body.items, []);

  for (const bad of [
    { score: 72 },
    { ...evaluation, score: 101 },
    { ...evaluation, level: 'commune' },
    { ...evaluation, decision_date: '2026-02-30' },
    { ...evaluation, parts: { A: 41, B: 20, C: 11 } },
  ]) {
    assert.ok(!requestValid('POST', '/api/v1/products/{slug}/evaluations', bad), JSON.stringify(bad));
    const r = await call('POST', '/api/v1/products/{slug}/evaluations', 422, { params, key, body: bad });
    assert.equal(r.body.error.code, 'invalid_value');
  }
  // Rules the schema cannot say: the level for the stars, a future date.
  await call('POST', '/api/v1/products/{slug}/evaluations', 422, { params, key, body: { ...evaluation, level: 'national' } });
  await call('POST', '/api/v1/products/{slug}/evaluations', 422, { params, key, body: { ...evaluation, decision_date: daysAgo(-3) } });
  await call('POST', '/api/v1/products/{slug}/evaluations', 400, { params, key, body: '[]' });
});

test('openapi: a booth records a sale exactly once, lists it, takes goods back and voids it', async () => {
  needKeys();
  const key = KEYS.booth;
  const stockPath = '/api/v1/locations/{id}/stock';
  const stock = await call('GET', stockPath, 200, { params: { id: BOOTH }, key });
  assert.equal(stock.body.kind, 'booth');
  const item = stock.body.items.find((i) => i.on_hand >= 3 && Number.isInteger(i.price_vnd) && i.price_vnd > 1000);
  assert.ok(item, 'the booth has something in stock with a price');
  await revalidates(stockPath, `/api/v1/locations/${BOOTH}/stock`, key);

  const sale = {
    booth: BOOTH,
    lines: [{ sku: item.sku, qty: 2, unit_price_vnd: item.price_vnd, discount_vnd: 1000 }],
    payment: { method: 'cash', tendered_vnd: 2 * item.price_vnd },
    receipt_token: [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join(''),
  };
  assert.ok(requestValid('POST', '/api/v1/sales', sale));
  const idem = crypto.randomUUID();
  const headers = { 'Idempotency-Key': idem };
  const first = await call('POST', '/api/v1/sales', 201, { key, headers, body: sale });
  const s = first.body;
  sales.first = s.id;
  assert.equal(s.uuid, idem);
  assert.equal(s.status, 'completed');
  assert.equal(s.total_vnd, 2 * item.price_vnd - 1000);
  assert.equal(s.payment.change_vnd, 1000);
  assert.equal(s.staff, 'apikey:tablet');
  assert.equal(s.receipt_url, `/hoa-don/${sale.receipt_token}`);
  const replay = await call('POST', '/api/v1/sales', 200, { key, headers, body: sale });
  assert.deepEqual(replay.body, s, 'a retry answers the sale as recorded');
  const other = await call('POST', '/api/v1/sales', 409, { key, headers, body: `${JSON.stringify(sale)} ` });
  assert.equal(other.body.error.code, 'conflict');
  const receipt = await call('POST', '/api/v1/sales', 409, { key, headers: { 'Idempotency-Key': crypto.randomUUID() }, body: sale });
  assert.equal(receipt.body.error.code, 'conflict', 'a receipt token is used once');
  const stockNow = (await call('GET', stockPath, 200, { params: { id: BOOTH }, key })).body.items;
  assert.equal(stockNow.find((i) => i.sku === item.sku).on_hand, item.on_hand - 2, 'recorded once');

  const noKey = await call('POST', '/api/v1/sales', 400, { key, body: sale });
  assert.equal(noKey.body.error.code, 'invalid');
  await call('POST', '/api/v1/sales', 400, { key, headers: { 'Idempotency-Key': 'khong-phai-uuid' }, body: sale });
  const fresh = () => ({ 'Idempotency-Key': crypto.randomUUID() });
  for (const bad of [
    { ...sale, lines: [] },
    { ...sale, payment: { method: 'bitcoin' } },
    { ...sale, lines: [{ ...sale.lines[0], qty: 0 }] },
    { ...sale, receipt_token: 'ABC' },
  ]) {
    assert.ok(!requestValid('POST', '/api/v1/sales', bad), JSON.stringify(bad));
    const r = await call('POST', '/api/v1/sales', 422, { key, headers: fresh(), body: bad });
    assert.equal(r.body.error.code, 'invalid_value');
  }
  // Not the catalog's price; cash short of the total; an unconfirmed transfer.
  for (const bad of [
    { ...sale, lines: [{ ...sale.lines[0], unit_price_vnd: item.price_vnd + 1 }] },
    { ...sale, payment: { method: 'cash', tendered_vnd: 1 } },
    { ...sale, payment: { method: 'vietqr' } },
  ]) {
    await call('POST', '/api/v1/sales', 422, { key, headers: fresh(), body: bad });
  }
  const tooMany = {
    ...sale,
    lines: [{ sku: item.sku, qty: item.on_hand + 1, unit_price_vnd: item.price_vnd }],
    payment: { method: 'card', ref: 'OPENAPI' },
  };
  const short = await call('POST', '/api/v1/sales', 409, { key, headers: fresh(), body: tooMany });
  assert.equal(short.body.error.code, 'conflict');
  await call('POST', '/api/v1/sales', 403, { key: KEYS.producer, headers: fresh(), body: sale });

  const list = await call('GET', '/api/v1/sales', 200, { key, qs: `?booth=${BOOTH}` });
  assert.equal(list.body.total, list.body.items.length);
  assert.ok(list.body.items.some((x) => x.id === s.id));
  await revalidates('/api/v1/sales', `/api/v1/sales?booth=${BOOTH}`, key);
  const since = await call('GET', '/api/v1/sales', 200, { key, qs: `?booth=${BOOTH}&since=9999-01-01T00:00:00Z` });
  assert.equal(since.body.total, 0);
  const noBooth = await call('GET', '/api/v1/sales', 400, { key });
  assert.equal(noBooth.body.error.code, 'invalid_booth');
  await call('GET', '/api/v1/sales', 403, { key: KEYS.producer, qs: `?booth=${BOOTH}` });

  const id = { id: s.id };
  const back = { lines: [{ sku: item.sku, qty: 1 }], reason: 'Bao bì bị rách' };
  assert.ok(requestValid('POST', '/api/v1/sales/{id}/returns', back));
  await call('POST', '/api/v1/sales/{id}/returns', 403, { params: id, key: KEYS.producer, body: back });
  const returned = await call('POST', '/api/v1/sales/{id}/returns', 200, { params: id, key, body: back });
  assert.equal(returned.body.lines[0].returned_qty, 1);
  await call('POST', '/api/v1/sales/{id}/returns', 422, { params: id, key, body: { ...back, lines: [{ sku: item.sku, qty: 2 }] } });
  assert.ok(!requestValid('POST', '/api/v1/sales/{id}/returns', { ...back, lines: [] }));
  await call('POST', '/api/v1/sales/{id}/returns', 422, { params: id, key, body: { ...back, lines: [] } });
  await call('POST', '/api/v1/sales/{id}/returns', 400, { params: id, key, body: '1' });

  assert.ok(!requestValid('POST', '/api/v1/sales/{id}/void', {}));
  await call('POST', '/api/v1/sales/{id}/void', 422, { params: id, key, body: {} });
  await call('POST', '/api/v1/sales/{id}/void', 400, { params: id, key, body: 'x' });
  await call('POST', '/api/v1/sales/{id}/void', 403, { params: id, key: KEYS.producer, body: { reason: 'Nhầm' } });
  const voided = await call('POST', '/api/v1/sales/{id}/void', 200, { params: id, key, body: { reason: 'Khách đổi ý' } });
  assert.equal(voided.body.status, 'voided');
  assert.equal(voided.body.lines[0].returned_qty, 2);
  const twice = await call('POST', '/api/v1/sales/{id}/void', 409, { params: id, key, body: { reason: 'Khách đổi ý' } });
  assert.equal(twice.body.error.code, 'conflict');
  await call('POST', '/api/v1/sales/{id}/returns', 409, { params: id, key, body: back });
  const restored = (await call('GET', stockPath, 200, { params: { id: BOOTH }, key })).body.items;
  assert.equal(restored.find((i) => i.sku === item.sku).on_hand, item.on_hand, 'the stock is whole again');
  await call('GET', stockPath, 403, { params: { id: BOOTH }, key: KEYS.producer });

  const zPath = '/api/v1/booths/{id}/z-report';
  const z = await call('GET', zPath, 200, { params: { id: BOOTH }, key });
  assert.equal(z.body.booth, BOOTH);
  const kinds = z.body.voids_returns.map((r) => r.key).sort();
  assert.deepEqual(kinds, ['return', 'void']);
  const day = await call('GET', zPath, 200, { params: { id: BOOTH }, key, qs: `?day=${z.body.day}` });
  assert.deepEqual(day.body, z.body);
  await revalidates(zPath, `/api/v1/booths/${BOOTH}/z-report`, key);
  await call('GET', zPath, 403, { params: { id: BOOTH }, key: KEYS.producer });
});

test('openapi: a tablet starts, signs staff in, shows VietQR, reports its queue and counts', async () => {
  needKeys();
  assert.ok(STAFF && /^\d{4,6}$/.test(PIN ?? ''), 'OCOP_TEST_BOOTH_STAFF and _PIN from run.sh');
  const key = KEYS.booth;
  const device = await call('GET', '/api/v1/pos/device', 200, { key });
  assert.equal(device.body.device, 'tablet');
  assert.equal(device.body.booth.id, BOOTH);
  assert.ok(device.body.staff.some((m) => m.username === STAFF && m.has_pin));
  await revalidates('/api/v1/pos/device', '/api/v1/pos/device', key);
  const notDevice = await call('GET', '/api/v1/pos/device', 403, { key: KEYS.admin });
  assert.equal(notDevice.body.error.code, 'forbidden');

  // A PIN opens a shift; its token names the staff member on the device.
  const signin = { username: STAFF, pin: PIN };
  assert.ok(requestValid('POST', '/api/v1/pos/pin', signin));
  const shift = await call('POST', '/api/v1/pos/pin', 200, { key, body: signin });
  assert.equal(shift.body.staff.username, STAFF);
  assert.ok(shift.body.staff.expires_at > Date.now() / 1000);
  const staffed = { 'X-Staff-Token': shift.body.token };
  const asStaff = await call('GET', '/api/v1/pos/device', 200, { key, headers: staffed });
  assert.equal(asStaff.body.device, STAFF);
  const stale = await call('GET', '/api/v1/pos/device', 401, { key, headers: { 'X-Staff-Token': 'khong-hop-le' } });
  assert.equal(stale.body.error.code, 'unauthorized');
  assert.equal((await getJson('/api/v1/groups', { 'X-Staff-Token': 'x', Authorization: `Bearer ${KEYS.admin}` })).status, 401);
  await call('POST', '/api/v1/pos/pin', 403, { key: KEYS.admin, body: signin });
  await call('POST', '/api/v1/pos/pin', 400, { key, body: '[]' });
  // 5 wrong PINs for a name within the window, then 429.
  for (let i = 0; i < 5; i++) {
    const r = await call('POST', '/api/v1/pos/pin', 401, { key, body: { username: 'openapi-khong-co', pin: '1357' } });
    assert.equal(r.body.error.code, 'unauthorized');
  }
  const limited = await call('POST', '/api/v1/pos/pin', 429, { key, body: { username: 'openapi-khong-co', pin: '1357' } });
  assert.equal(limited.body.error.code, 'rate_limited');

  // A sale made on the shift is the staff member's; voided at once.
  const stock = (await call('GET', '/api/v1/locations/{id}/stock', 200, { params: { id: BOOTH }, key })).body;
  const item = stock.items.find((i) => i.on_hand >= 1 && Number.isInteger(i.price_vnd));
  const sale = await call('POST', '/api/v1/sales', 201, {
    key,
    headers: { ...staffed, 'Idempotency-Key': crypto.randomUUID() },
    body: { booth: BOOTH, lines: [{ sku: item.sku, qty: 1, unit_price_vnd: item.price_vnd }], payment: { method: 'card' } },
  });
  assert.equal(sale.body.staff, STAFF);
  await call('POST', '/api/v1/sales/{id}/void', 200, { params: { id: sale.body.id }, key, headers: staffed, body: { reason: 'Thử' } });

  // VietQR, as JSON and as SVG.
  const qr = await call('GET', '/api/v1/pos/vietqr', 200, { key, qs: `?booth=${BOOTH}&amount=37000&ref=DH1&format=json` });
  assert.equal(qr.body.bank.bin, device.body.bank.bin);
  assert.match(qr.body.svg, /^<svg /);
  const svg = await fetch(url(`/api/v1/pos/vietqr?booth=${BOOTH}&amount=37000&ref=DH1`), { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(svg.status, 200);
  assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(await svg.text(), /^<svg /);
  const noBooth = await call('GET', '/api/v1/pos/vietqr', 400, { key, qs: '?amount=1000' });
  assert.equal(noBooth.body.error.code, 'invalid_booth');
  await call('GET', '/api/v1/pos/vietqr', 422, { key, qs: `?booth=${BOOTH}&amount=37.000` });
  await call('GET', '/api/v1/pos/vietqr', 403, { key: KEYS.producer, qs: `?booth=${BOOTH}&amount=1000` });
  const fair = stock.parent_id;
  await call('GET', '/api/v1/pos/vietqr', 404, { key: KEYS.admin, qs: `?booth=${fair}&amount=1000` });

  // The sync queue.
  const queue = '/api/v1/booths/{id}/queue';
  assert.ok(requestValid('POST', queue, { waiting: 0 }));
  const q = await call('POST', queue, 200, { params: { id: BOOTH }, key, body: { waiting: 0 } });
  assert.equal(q.body.waiting, 0);
  assert.ok(!requestValid('POST', queue, { waiting: -1 }));
  await call('POST', queue, 422, { params: { id: BOOTH }, key, body: { waiting: -1 } });
  await call('POST', queue, 422, { params: { id: fair }, key: KEYS.admin, body: { waiting: 0 } });
  await call('POST', queue, 403, { params: { id: BOOTH }, key: KEYS.producer, body: { waiting: 0 } });
  await call('POST', queue, 400, { params: { id: BOOTH }, key, body: '"3"' });

  // A closing count that finds what the books say: no variance, no movement.
  const counts = '/api/v1/locations/{id}/counts';
  const line = stock.items.find((i) => i.on_hand > 0);
  const count = { lines: [{ sku: line.sku, counted: line.on_hand }], reason: 'Kiểm tra OpenAPI' };
  assert.ok(requestValid('POST', counts, count));
  const counted = await call('POST', counts, 201, { params: { id: BOOTH }, key, body: count });
  assert.deepEqual([counted.body.units_over, counted.body.units_short, counted.body.variance_vnd], [0, 0, 0]);
  assert.equal(counted.body.lines[0].expected, line.on_hand);
  for (const bad of [{ lines: [] }, { lines: [{ sku: line.sku, counted: -1 }] }]) {
    assert.ok(!requestValid('POST', counts, bad), JSON.stringify(bad));
    await call('POST', counts, 422, { params: { id: BOOTH }, key, body: bad });
  }
  await call('POST', counts, 422, { params: { id: BOOTH }, key, body: { lines: [{ sku: 'KHONG-CO', counted: 1 }] } });
  await call('POST', counts, 403, { params: { id: BOOTH }, key: KEYS.producer, body: count });
  await call('POST', counts, 400, { params: { id: BOOTH }, key, body: '[]' });
  const z = await call('GET', '/api/v1/booths/{id}/z-report', 200, { params: { id: BOOTH }, key });
  assert.ok(z.body.counts.some((c) => c.id === counted.body.id), 'the count is in the day\'s report');

  const verify = await call('GET', '/api/v1/stock/verify', 200, { key: KEYS.admin });
  assert.equal(verify.body.mismatches, 0, 'the books agree with the ledger');
  await revalidates('/api/v1/stock/verify', '/api/v1/stock/verify', KEYS.admin);
});

test('openapi: every documented operation and status was exercised', () => {
  const missing = [];
  for (const [method, path, op] of operations()) {
    for (const status of Object.keys(op.responses)) {
      if (status === '503') continue; // needs a broken database or a full queue
      if (!hit.has(`${method} ${path} ${status}`)) missing.push(`${method} ${path} ${status}`);
    }
  }
  assert.deepEqual(missing, []);
});
