/* sw.js: the booth POS's service worker (scope /ban-hang/). Served by
 * the server at /ban-hang/sw.js after a first line that sets
 * self.OCOP_POS_ASSETS, the shell and its content-hashed files: a new
 * build changes that line, so the browser installs a new worker and a new
 * cache. What it does:
 *   - the shell and its files: kept at install; the shell is asked of the
 *     network first (3 s), else served from the cache;
 *   - the booth's stock and the device's start data (GET): network first,
 *     the last good answer when the server cannot be reached, marked with
 *     the header X-Ocop-From-Cache;
 *   - product photos: from the cache once seen;
 *   - anything else, and every write (sales), goes to the network
 *     untouched: the app queues sales itself (IndexedDB). */
'use strict';

const ASSETS = self.OCOP_POS_ASSETS || ['/ban-hang/'];

function hash(s) {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
  return h.toString(16);
}

const SHELL = 'ocop-pos-shell-' + hash(ASSETS.join('|'));
const DATA = 'ocop-pos-data-1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((c) => c.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((k) => k.startsWith('ocop-pos-shell-') && k !== SHELL)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

/* fromCache: a copy of a cached answer, marked as such. */
async function fromCache(cacheName, request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (!hit) return null;
  const headers = new Headers(hit.headers);
  headers.set('X-Ocop-From-Cache', '1');
  return new Response(await hit.blob(), { status: hit.status, statusText: hit.statusText, headers });
}

async function networkFirst(request, cacheName, ms) {
  try {
    const res = await Promise.race([fetch(request), timeout(ms)]);
    if (res.ok) {
      const copy = res.clone();
      caches.open(cacheName).then((c) => c.put(request, copy));
    }
    return res;
  } catch (e) {
    const hit = await fromCache(cacheName, request);
    if (hit) return hit;
    return new Response(JSON.stringify({ error: { code: 'offline', message: 'offline' } }), {
      status: 503,
      headers: { 'Content-Type': 'application/json', 'X-Ocop-Offline': '1' },
    });
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const p = url.pathname;
  if (p === '/ban-hang/') {
    event.respondWith(networkFirst(req, SHELL, 3000));
  } else if (ASSETS.includes(p)) {
    event.respondWith(cacheFirst(req, SHELL));
  } else if (/^\/api\/v1\/locations\/\d+\/stock$/.test(p) || p === '/api/v1/pos/device') {
    event.respondWith(networkFirst(req, DATA, 6000));
  } else if (p.startsWith('/media/')) {
    event.respondWith(cacheFirst(req, DATA));
  }
});
