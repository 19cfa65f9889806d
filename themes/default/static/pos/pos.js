/* pos.js: the booth POS, a tablet app with no framework and no build.
 *
 * The device: a booth API key (Authorization: Bearer), entered once (typed,
 * scanned, or opened from the office's link /ban-hang/#key=...) and kept in
 * IndexedDB. Staff pick their name and enter their PIN; the server answers
 * a shift token that goes with every request as X-Staff-Token, so the
 * server knows who sold (it stays the only authority on who may sell
 * where). Once signed in online, a PIN also unlocks the screen offline,
 * against a PBKDF2 verifier kept on the device.
 *
 * Sales: each gets a client UUID (Idempotency-Key) and a receipt token,
 * is stored in the IndexedDB queue before it is sent, and leaves the queue
 * only when the server answered 200/201 (recorded) or, for a sale made
 * while online, refused it at once (then nothing was recorded and staff
 * see why). A failed fetch means offline: the sale stays queued (with
 * "offline": true when made offline: the server then lets stock go below
 * zero and records the shortfall) and a loop sends it later with backoff;
 * a queued sale the server refuses (409, 422...) is kept, marked as
 * needing attention, never dropped. The body of a queued sale never
 * changes unless the server refused it, so a retry is counted once.
 *
 * Exposes self.OcopPOS for the browser tests (state, queue, encoder). */
(function () {
  'use strict';

  const T = JSON.parse(document.getElementById('pos-i18n').textContent || '{}');
  const LANG = document.documentElement.lang === 'en' ? 'en' : 'vi';
  const LOCALE = LANG === 'en' ? 'en-US' : 'vi-VN';
  const $ = (sel, el = document) => el.querySelector(sel);
  const $$ = (sel, el = document) => Array.from(el.querySelectorAll(sel));

  function t(key, vars) {
    let s = T[key] || key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }
  const moneyFmt = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
  const money = (n) => moneyFmt.format(n || 0);
  const TZ = 'Asia/Ho_Chi_Minh';
  const clockFmt = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', timeZone: TZ });
  const dateFmt = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: TZ });
  const timeFmt = { format: (d) => `${dateFmt.format(d)} ${clockFmt.format(d)}` };

  /** parseMoney: "125.000", "125000đ", "125k" -> 125000; NaN when not. */
  function parseMoney(s) {
    const v = String(s || '').trim().toLowerCase().replace(/\s|₫|đ|vnđ|vnd/g, '');
    if (v === '') return 0;
    const k = /k$/.test(v);
    const digits = v.replace(/k$/, '').replace(/[.,]/g, '');
    if (!/^\d{1,13}$/.test(digits)) return NaN;
    return Number(digits) * (k ? 1000 : 1);
  }

  /** fold: lower-case, no marks, đ -> d: the search key. */
  function fold(s) {
    return String(s || '').normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'd').toLowerCase();
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  function randomHex(n) {
    return hex(crypto.getRandomValues(new Uint8Array(n)));
  }
  /** uuid: a random (v4) UUID; crypto.randomUUID needs a secure context,
   * getRandomValues does not. */
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = hex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function todayVN() {
    return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  }
  function el(tag, attrs = {}, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid);
    return e;
  }

  /* --- IndexedDB: kv, the queue, sent sales ------------------------------- */

  let dbp = null;
  function idb() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const r = indexedDB.open('ocop-pos', 1);
        r.onupgradeneeded = () => {
          const d = r.result;
          d.createObjectStore('kv');
          d.createObjectStore('queue', { keyPath: 'uuid' });
          d.createObjectStore('sales', { keyPath: 'uuid' });
        };
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    return dbp;
  }
  async function tx(store, mode, fn) {
    const d = await idb();
    return new Promise((resolve, reject) => {
      const x = d.transaction(store, mode);
      const s = x.objectStore(store);
      let out;
      const r = fn(s);
      if (r) r.onsuccess = () => { out = r.result; };
      x.oncomplete = () => resolve(out);
      x.onerror = () => reject(x.error);
      x.onabort = () => reject(x.error);
    });
  }
  const kvGet = (k) => tx('kv', 'readonly', (s) => s.get(k));
  const kvSet = (k, v) => tx('kv', 'readwrite', (s) => s.put(v, k));
  const kvDel = (k) => tx('kv', 'readwrite', (s) => s.delete(k));
  const queueAll = () => tx('queue', 'readonly', (s) => s.getAll());
  const queuePut = (it) => tx('queue', 'readwrite', (s) => s.put(it));
  const queueDel = (uuid) => tx('queue', 'readwrite', (s) => s.delete(uuid));
  const salesPut = (it) => tx('sales', 'readwrite', (s) => s.put(it));

  /* --- state -------------------------------------------------------------- */

  const S = {
    key: null,        // the device's API key
    device: null,     // {device, booth, bank, staff}
    staff: null,      // {username, display_name, token}
    items: [],        // the booth's stock (server's answer)
    cart: [],         // [{sku, qty, discount}]
    queue: [],        // mirror of the IndexedDB queue
    online: true,
    printer: '80',
    screen: null,
    lastSale: null,   // for printing
  };

  /* --- the network -------------------------------------------------------- */

  class NetError extends Error {}

  function setOnline(on) {
    if (S.online === on) return;
    S.online = on;
    const n = $('#net');
    n.dataset.state = on ? 'online' : 'offline';
    $('#net-text').textContent = on ? t('pos_online') : t('pos_offline');
    if (on) kick(0);
  }

  /** api: a request with the device key and the staff token; throws
   * NetError when the server cannot be reached (or only the service
   * worker's cache answered). */
  async function api(path, opts = {}) {
    const headers = { Authorization: 'Bearer ' + S.key, 'Accept-Language': LANG };
    const token = opts.staffToken !== undefined ? opts.staffToken : S.staff && S.staff.token;
    if (token) headers['X-Staff-Token'] = token;
    if (opts.idem) headers['Idempotency-Key'] = opts.idem;
    let body;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch(path, {
        method: opts.method || 'GET', headers, body, cache: 'no-store',
        signal: AbortSignal.timeout(opts.timeout || 8000),
      });
    } catch (e) {
      setOnline(false);
      throw new NetError(String(e));
    }
    if (res.headers.get('X-Ocop-Offline')) {
      setOnline(false);
      throw new NetError('offline');
    }
    const cached = !!res.headers.get('X-Ocop-From-Cache');
    setOnline(!cached);
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { raw: text }; }
    }
    return { status: res.status, ok: res.ok, data, cached };
  }
  function errText(r) {
    return (r && r.data && r.data.error && r.data.error.message) || t('pos_err_status', { status: r ? r.status : '?' });
  }

  /* --- toast -------------------------------------------------------------- */

  let toastTimer = null;
  function toast(msg, bad = false) {
    const b = $('#toast');
    b.textContent = msg;
    b.classList.toggle('bad', bad);
    b.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { b.hidden = true; }, bad ? 6000 : 3000);
  }

  /* --- screens ------------------------------------------------------------ */

  const SCREENS = ['setup', 'pin', 'sell', 'sales', 'z', 'count', 'queue'];
  function show(name) {
    if (['sell', 'sales', 'z', 'count'].includes(name) && !S.staff) name = 'pin';
    S.screen = name;
    for (const s of SCREENS) $('#scr-' + s).hidden = s !== name;
    const signedIn = !!S.staff;
    $('#nav').hidden = !signedIn;
    $('#staff').hidden = !signedIn;
    for (const b of $$('#nav button')) {
      if (b.dataset.go === name) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    if (name === 'sell') setTimeout(() => $('#search').focus({ preventScroll: true }), 0);
    if (name === 'sales') loadSales();
    if (name === 'z') loadZ();
    if (name === 'count') loadCount();
    if (name === 'queue') renderQueue();
    if (name === 'pin') renderPeople();
  }

  /* --- the device --------------------------------------------------------- */

  async function useKey(key) {
    S.key = key;
    const r = await api('/api/v1/pos/device', { staffToken: null });
    if (r.status === 401 || r.status === 403) {
      S.key = null;
      throw new Error(errText(r));
    }
    if (!r.ok) throw new Error(errText(r));
    await kvSet('key', key);
    await setDevice(r.data);
  }

  async function setDevice(info) {
    S.device = info;
    await kvSet('device', info);
    $('#booth-name').textContent = info.booth.name;
    $('#fair-name').textContent = info.booth.fair_name || info.device || '';
    document.title = `${info.booth.name} · ${t('pos_title')}`;
  }

  async function refreshDevice() {
    try {
      const r = await api('/api/v1/pos/device', { staffToken: null });
      if (r.ok && !r.cached) await setDevice(r.data);
    } catch (e) { /* offline: the stored copy stays */ }
  }

  async function setupSubmit(ev) {
    ev.preventDefault();
    const key = $('#setup-key').value.trim();
    const err = $('#setup-error');
    err.hidden = true;
    try {
      await useKey(key);
      $('#setup-key').value = '';
      show('pin');
      loadCatalog();
    } catch (e) {
      err.textContent = e instanceof NetError ? t('pos_err_offline_setup') : e.message;
      err.hidden = false;
    }
  }

  /* --- staff: PIN sign-in, offline unlock ---------------------------------- */

  let pinUser = null;

  function renderPeople() {
    const box = $('#people');
    box.replaceChildren();
    const staff = (S.device && S.device.staff) || [];
    $('#people-empty').hidden = staff.some((s) => s.has_pin);
    for (const s of staff) {
      if (!s.has_pin) continue;
      box.append(el('button', {
        type: 'button', class: 'person', 'data-user': s.username,
        'aria-pressed': String(pinUser === s.username),
        onclick: () => pickPerson(s),
      }, s.display_name, el('small', { text: s.username })));
    }
    if (!pinUser && staff.filter((s) => s.has_pin).length === 1) pickPerson(staff.find((s) => s.has_pin));
  }

  function pickPerson(s) {
    pinUser = s.username;
    $('#pin-who').textContent = t('pos_pin_for', { name: s.display_name });
    $('#pin-input').value = '';
    $('#pin-error').hidden = true;
    for (const b of $$('.person')) b.setAttribute('aria-pressed', String(b.dataset.user === s.username));
  }

  function padPress(k) {
    const inp = $('#pin-input');
    if (k === 'back') inp.value = inp.value.slice(0, -1);
    else if (/^\d$/.test(k) && inp.value.length < 6) inp.value += k;
  }

  async function pbkdf2(pin, salt) {
    const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 120000 }, base, 256);
    return hex(new Uint8Array(bits));
  }

  async function pinSubmit(ev) {
    ev.preventDefault();
    const pin = $('#pin-input').value;
    const err = $('#pin-error');
    err.hidden = true;
    if (!pinUser) { err.textContent = t('pos_pin_choose'); err.hidden = false; return; }
    if (pin.length < 4) { err.textContent = t('err_pin_format'); err.hidden = false; return; }
    $('#pin-ok').disabled = true;
    try {
      await signIn(pinUser, pin);
      $('#pin-input').value = '';
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      $('#pin-input').value = '';
    } finally {
      $('#pin-ok').disabled = false;
    }
  }

  async function signIn(username, pin) {
    const cacheKey = 'staff:' + username;
    let r = null;
    try {
      r = await api('/api/v1/pos/pin', { method: 'POST', body: { username, pin }, staffToken: null });
    } catch (e) {
      if (!(e instanceof NetError)) throw e;
    }
    if (r && r.ok) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const verifier = await pbkdf2(pin, salt);
      const staff = { username, display_name: r.data.staff.display_name, token: r.data.token, expires_at: r.data.staff.expires_at };
      await kvSet(cacheKey, { ...staff, salt: hex(salt), verifier, fails: 0 });
      return startShift(staff);
    }
    if (r) throw new Error(errText(r));
    // offline: the verifier of an earlier online sign-in on this device
    const c = await kvGet(cacheKey);
    if (!c || c.expires_at * 1000 < Date.now()) throw new Error(t('pos_pin_offline_first'));
    if (c.fails >= 5) throw new Error(t('pos_pin_offline_locked'));
    const salt = new Uint8Array(c.salt.match(/../g).map((h) => parseInt(h, 16)));
    if ((await pbkdf2(pin, salt)) !== c.verifier) {
      c.fails += 1;
      await kvSet(cacheKey, c);
      throw new Error(t('err_pin_wrong'));
    }
    c.fails = 0;
    await kvSet(cacheKey, c);
    return startShift({ username, display_name: c.display_name, token: c.token });
  }

  function startShift(staff) {
    S.staff = staff;
    $('#fair-name').textContent = `${t('pos_staff_label')} ${staff.display_name}`;
    $('#staff').setAttribute('aria-label', `${t('pos_lock')} — ${staff.display_name}`);
    toast(t('pos_hello', { name: staff.display_name }));
    show('sell');
    renderGrid();
  }

  function lock() {
    S.staff = null;
    if (S.device) $('#fair-name').textContent = S.device.booth.fair_name || '';
    pinUser = null;
    show('pin');
  }

  /* --- the catalog -------------------------------------------------------- */

  async function loadCatalog() {
    if (!S.device) return;
    try {
      const r = await api(`/api/v1/locations/${S.device.booth.id}/stock`);
      if (r.ok) {
        S.items = (r.data.items || []).filter((i) => i.price_vnd !== null);
        if (!r.cached) await kvSet('catalog', { items: S.items, at: Date.now() });
      }
    } catch (e) {
      const c = await kvGet('catalog');
      if (c) S.items = c.items;
    }
    renderGrid();
  }

  /** pendingQty: units of each SKU in sales not yet recorded. */
  function pendingQty() {
    const m = new Map();
    for (const q of S.queue) {
      for (const l of JSON.parse(q.body).lines) m.set(l.sku, (m.get(l.sku) || 0) + l.qty);
    }
    return m;
  }

  function itemBy(sku) {
    return S.items.find((i) => i.sku === sku);
  }

  function stockOf(item, pend) {
    return item.on_hand - (pend.get(item.sku) || 0);
  }

  function renderGrid() {
    const grid = $('#grid');
    const q = fold($('#search').value.trim());
    const pend = pendingQty();
    const inCart = new Map(S.cart.map((l) => [l.sku, l.qty]));
    const list = S.items.filter((i) => !q || fold(`${i.name} ${i.size} ${i.sku} ${i.barcode || ''}`).includes(q));
    grid.replaceChildren(...list.map((i) => {
      const left = stockOf(i, pend) - (inCart.get(i.sku) || 0);
      const cls = ['tile', left <= 0 ? 'out' : i.low || left <= (i.min_qty || 3) ? 'low' : '', inCart.has(i.sku) ? 'in-cart' : ''].join(' ');
      return el('button', { type: 'button', class: cls, 'data-sku': i.sku, onclick: () => addToCart(i.sku) },
        el('img', { src: i.photo || '/favicon.ico', alt: '', loading: 'lazy', width: 160, height: 104 }),
        inCart.has(i.sku) ? el('span', { class: 'in-cart-n', text: '×' + inCart.get(i.sku) }) : null,
        el('span', { class: 'stock', text: t('pos_left', { n: left }) }),
        el('span', { class: 'tile-body' },
          el('span', { class: 'name', text: i.name }),
          el('span', { class: 'size', text: [i.size, i.unit].filter(Boolean).join(' · ') }),
          el('span', { class: 'price', text: money(i.price_vnd) })));
    }));
    $('#grid-empty').hidden = list.length > 0;
  }

  /** byCode: an item by barcode or SKU (what a scanner types). */
  function byCode(code) {
    const c = String(code).trim();
    return S.items.find((i) => i.barcode === c) || S.items.find((i) => i.sku.toLowerCase() === c.toLowerCase());
  }

  function scanned(code) {
    const it = byCode(code);
    if (!it) { toast(t('pos_scan_unknown', { code }), true); return false; }
    addToCart(it.sku);
    return true;
  }

  /* --- the cart ----------------------------------------------------------- */

  function addToCart(sku, n = 1) {
    const line = S.cart.find((l) => l.sku === sku);
    if (line) line.qty += n;
    else S.cart.push({ sku, qty: n, discount: 0 });
    renderCart();
  }

  function lineOf(l) {
    const it = itemBy(l.sku) || { name: l.sku, price_vnd: 0 };
    const gross = it.price_vnd * l.qty;
    const discount = Math.min(l.discount, gross);
    return { it, gross, discount, total: gross - discount };
  }

  function totals() {
    let sub = 0; let disc = 0;
    for (const l of S.cart) { const x = lineOf(l); sub += x.gross; disc += x.discount; }
    return { sub, disc, total: sub - disc };
  }

  function renderCart() {
    const ol = $('#cart-lines');
    ol.replaceChildren(...S.cart.map((l) => {
      const x = lineOf(l);
      return el('li', { class: 'cart-line', 'data-sku': l.sku },
        el('button', { type: 'button', class: 'l-name', onclick: () => openLine(l.sku) },
          x.it.name, el('small', { text: `${x.it.size || ''} · ${money(x.it.price_vnd)}` })),
        el('span', { class: 'l-total', text: money(x.total) }),
        el('span', { class: 'l-qty' },
          el('button', { type: 'button', 'aria-label': t('pos_qty_minus'), onclick: () => stepLine(l.sku, -1), text: '−' }),
          el('output', { text: String(l.qty) }),
          el('button', { type: 'button', 'aria-label': t('pos_qty_plus'), onclick: () => stepLine(l.sku, 1), text: '+' }),
          x.discount ? el('span', { class: 'l-disc', text: t('pos_line_discounted', { amount: money(x.discount) }) }) : null));
    }));
    const tt = totals();
    $('#cart-empty').hidden = S.cart.length > 0;
    $('#cart-clear').hidden = S.cart.length === 0;
    $('#t-sub').textContent = money(tt.sub);
    $('#t-disc').textContent = '−' + money(tt.disc);
    $('#t-disc-row').hidden = tt.disc === 0;
    $('#t-total').textContent = money(tt.total);
    const pay = $('#pay-btn');
    pay.disabled = S.cart.length === 0;
    pay.textContent = S.cart.length ? `${t('pos_pay')} · ${money(tt.total)}` : t('pos_pay');
    renderGrid();
  }

  function stepLine(sku, d) {
    const l = S.cart.find((x) => x.sku === sku);
    if (!l) return;
    l.qty += d;
    if (l.qty <= 0) S.cart = S.cart.filter((x) => x !== l);
    renderCart();
  }

  let lineSku = null;
  function openLine(sku) {
    const l = S.cart.find((x) => x.sku === sku);
    if (!l) return;
    lineSku = sku;
    const x = lineOf(l);
    $('#line-h').textContent = x.it.name;
    $('#line-qty').value = String(l.qty);
    $('#line-disc').value = l.discount ? String(l.discount) : '';
    $('#line-error').hidden = true;
    $('#dlg-line').showModal();
  }

  function saveLine() {
    const l = S.cart.find((x) => x.sku === lineSku);
    const qty = Number($('#line-qty').value);
    const disc = parseMoney($('#line-disc').value);
    const err = $('#line-error');
    if (!l) { $('#dlg-line').close(); return; }
    if (!Number.isInteger(qty) || qty < 1 || qty > 100000) { err.textContent = t('err_sale_qty'); err.hidden = false; return; }
    const gross = (itemBy(l.sku) || { price_vnd: 0 }).price_vnd * qty;
    if (!Number.isFinite(disc) || disc < 0 || disc > gross) { err.textContent = t('err_sale_discount'); err.hidden = false; return; }
    l.qty = qty;
    l.discount = disc;
    $('#dlg-line').close();
    renderCart();
  }

  function discountPct(pct) {
    const l = S.cart.find((x) => x.sku === lineSku);
    if (!l) return;
    const qty = Number($('#line-qty').value) || l.qty;
    const gross = (itemBy(l.sku) || { price_vnd: 0 }).price_vnd * qty;
    $('#line-disc').value = String(Math.round((gross * pct) / 100 / 1000) * 1000);
  }

  /* --- payment ------------------------------------------------------------ */

  let payMethod = 'cash';
  let qrPayload = null;
  let saleDraft = null; // {uuid, receipt_token, ref} fixed when the dialog opens

  function openPay() {
    if (!S.cart.length) return;
    const id = uuid();
    saleDraft = { uuid: id, receipt_token: randomHex(16), ref: `OCOP ${S.device.booth.id} ${id.slice(0, 8).toUpperCase()}` };
    $('#pay-total').textContent = money(totals().total);
    $('#tendered').value = '';
    $('#card-ref').value = '';
    $('#other-ref').value = '';
    $('#qr-confirm').checked = false;
    $('#pay-error').hidden = true;
    cashChips();
    setMethod('cash');
    $('#dlg-pay').showModal();
    $('#tendered').focus();
  }

  function cashChips() {
    const total = totals().total;
    const opts = new Set([total]);
    for (const step of [10000, 50000, 100000, 200000, 500000]) opts.add(Math.ceil(total / step) * step);
    $('#cash-chips').replaceChildren(...[...opts].filter((v) => v >= total).sort((a, b) => a - b).slice(0, 5)
      .map((v) => el('button', { type: 'button', class: 'chip', 'data-amount': v, text: v === total ? t('pos_exact') + ' ' + money(v) : money(v),
        onclick: () => { $('#tendered').value = String(v); updateChange(); } })));
    updateChange();
  }

  function updateChange() {
    const total = totals().total;
    const v = parseMoney($('#tendered').value);
    const ch = $('#change');
    const p = ch.parentElement;
    if (!$('#tendered').value) { ch.textContent = money(0); p.classList.remove('short'); return; }
    if (!Number.isFinite(v)) { ch.textContent = '—'; p.classList.add('short'); return; }
    ch.textContent = v >= total ? money(v - total) : t('pos_short', { amount: money(total - v) });
    p.classList.toggle('short', v < total);
  }

  function setMethod(m) {
    payMethod = m;
    for (const b of $$('.methods button')) b.setAttribute('aria-checked', String(b.dataset.method === m));
    for (const p of $$('.pane')) p.hidden = p.dataset.pane !== m;
    if (m === 'vietqr') showVietQR();
  }

  async function showVietQR() {
    const total = totals().total;
    const bank = S.device && S.device.bank;
    const box = $('#qr-box');
    const note = $('#qr-note');
    box.replaceChildren();
    $('#qr-amount').textContent = money(total);
    $('#qr-bank').replaceChildren();
    qrPayload = null;
    if (!bank) { note.textContent = t('err_bank_missing'); return; }
    $('#qr-bank').append(
      el('dt', { text: t('pos_bank') }), el('dd', { text: bank.label || bank.bin }),
      el('dt', { text: t('pos_bank_account') }), el('dd', { text: bank.account }),
      el('dt', { text: t('pos_bank_holder') }), el('dd', { text: bank.name }),
      el('dt', { text: t('pos_bank_memo') }), el('dd', { text: saleDraft.ref }));
    const local = self.OcopVietQR.payload({ bin: bank.bin, account: bank.account, amount: total, purpose: saleDraft.ref });
    qrPayload = local;
    note.textContent = t('pos_vietqr_help');
    try {
      const q = new URLSearchParams({ booth: S.device.booth.id, amount: total, ref: saleDraft.ref, format: 'json' });
      const r = await api('/api/v1/pos/vietqr?' + q);
      if (!r.ok) throw new Error(errText(r));
      if (r.data.payload !== local) console.warn('VietQR: the device and the server disagree', local, r.data.payload);
      const doc = new DOMParser().parseFromString(r.data.svg, 'image/svg+xml');
      box.replaceChildren(document.importNode(doc.documentElement, true));
      box.dataset.source = 'server';
    } catch (e) {
      // offline, or the server refused: the same code, drawn here
      box.replaceChildren(self.OcopVietQR.svgElement(local, t('pos_vietqr_title')));
      box.dataset.source = 'device';
      if (e instanceof NetError) note.textContent = t('pos_vietqr_offline');
    }
    box.dataset.payload = local;
  }

  function paymentOf() {
    const total = totals().total;
    if (payMethod === 'cash') {
      const v = $('#tendered').value ? parseMoney($('#tendered').value) : total;
      if (!Number.isFinite(v) || v < total) throw new Error(t('err_payment_tendered'));
      return { method: 'cash', tendered_vnd: v };
    }
    if (payMethod === 'vietqr') {
      if (!S.device.bank) throw new Error(t('err_bank_missing'));
      if (!$('#qr-confirm').checked) throw new Error(t('err_payment_unconfirmed'));
      return { method: 'vietqr', confirmed: true, ref: saleDraft.ref };
    }
    const ref = (payMethod === 'card' ? $('#card-ref') : $('#other-ref')).value.trim();
    return ref ? { method: payMethod, ref } : { method: payMethod };
  }

  async function confirmPay() {
    const err = $('#pay-error');
    err.hidden = true;
    let payment;
    try { payment = paymentOf(); } catch (e) { err.textContent = e.message; err.hidden = false; return; }
    $('#pay-confirm').disabled = true;
    try {
      const res = await completeSale(payment);
      if (res.rejected) { err.textContent = res.message; err.hidden = false; return; }
      $('#dlg-pay').close();
      afterSale(res);
    } finally {
      $('#pay-confirm').disabled = false;
    }
  }

  /* --- recording a sale: queue first, then send ----------------------------- */

  async function completeSale(payment) {
    const lines = S.cart.map((l) => {
      const x = lineOf(l);
      const line = { sku: l.sku, qty: l.qty, unit_price_vnd: x.it.price_vnd };
      if (x.discount) line.discount_vnd = x.discount;
      return line;
    });
    const body = {
      booth: S.device.booth.id, lines, payment, sold_at: new Date().toISOString(),
      receipt_token: saleDraft.receipt_token,
    };
    if (!S.online) body.offline = true;
    const tt = totals();
    const item = {
      uuid: saleDraft.uuid, body: JSON.stringify(body), staff: S.staff.token,
      staff_name: S.staff.display_name, created: Date.now(), state: 'pending',
      tries: 0, total: tt.total, ref: saleDraft.ref.split(' ').pop(),
    };
    await queuePut(item);
    await reloadQueue();
    let outcome = { kind: 'offline' };
    if (S.online) outcome = await sendOne(item, true);
    if (outcome.kind === 'rejected') {
      // made online and refused at once: nothing was recorded
      await queueDel(item.uuid);
      await reloadQueue();
      return { rejected: true, message: outcome.message };
    }
    const local = localSale(item, body);
    S.lastSale = outcome.sale || local;
    S.cart = [];
    renderCart();
    kick(outcome.kind === 'ok' ? 0 : 1500);
    return { synced: outcome.kind === 'ok', sale: S.lastSale, change: payment.tendered_vnd ? payment.tendered_vnd - tt.total : null };
  }

  /** localSale: the receipt's data of a sale not yet recorded. */
  function localSale(item, body) {
    return {
      uuid: item.uuid, local: true, booth: { id: S.device.booth.id, name: S.device.booth.name },
      staff: S.staff ? S.staff.username : '', sold_at: body.sold_at, status: 'completed',
      lines: body.lines.map((l) => {
        const it = itemBy(l.sku) || { name: l.sku };
        return { ...l, name: it.name, discount_vnd: l.discount_vnd || 0, total_vnd: l.qty * l.unit_price_vnd - (l.discount_vnd || 0) };
      }),
      subtotal_vnd: body.lines.reduce((s, l) => s + l.qty * l.unit_price_vnd, 0),
      discount_vnd: body.lines.reduce((s, l) => s + (l.discount_vnd || 0), 0),
      total_vnd: item.total, payment: { ...body.payment, change_vnd: body.payment.tendered_vnd ? body.payment.tendered_vnd - item.total : undefined },
      receipt_url: '/hoa-don/' + body.receipt_token,
    };
  }

  /** sendOne: one queued sale. {kind: 'ok'|'offline'|'rejected'}. */
  async function sendOne(item, now = false) {
    let r;
    try {
      r = await api('/api/v1/sales', { method: 'POST', body: item.body, idem: item.uuid, staffToken: item.staff, timeout: now ? 6000 : 10000 });
    } catch (e) {
      if (e instanceof NetError) return { kind: 'offline' };
      throw e;
    }
    if (r.status === 200 || r.status === 201) {
      await queueDel(item.uuid);
      await salesPut({ uuid: item.uuid, sale: r.data });
      return { kind: 'ok', sale: r.data };
    }
    if (r.status >= 500 || r.status === 429 || r.status === 408) return { kind: 'offline' };
    if (!now) {
      item.state = 'attention';
      item.status = r.status;
      item.error = errText(r);
      item.tries += 1;
      await queuePut(item);
    }
    return { kind: 'rejected', status: r.status, message: errText(r) };
  }

  /* --- the sync loop ------------------------------------------------------- */

  let syncTimer = null;
  let syncing = false;
  let backoff = 1000;

  async function reloadQueue() {
    S.queue = (await queueAll()).sort((a, b) => a.created - b.created);
    renderCounter();
  }

  function renderCounter() {
    const n = S.queue.length;
    const bad = S.queue.filter((q) => q.state === 'attention').length;
    $('#sync-n').textContent = String(n);
    $('#sync-text').textContent = bad ? t('pos_waiting_attention', { n: bad }) : n === 1 ? t('pos_waiting_one') : t('pos_waiting_many');
    $('#sync').dataset.state = bad ? 'attention' : n ? 'waiting' : 'idle';
    if (S.screen === 'queue') renderQueue();
  }

  function kick(ms) {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(syncLoop, ms);
  }

  async function syncLoop() {
    if (syncing || !S.key) return;
    syncing = true;
    let failed = false;
    try {
      await reloadQueue();
      for (const item of S.queue.filter((q) => q.state === 'pending')) {
        const r = await sendOne(item);
        if (r.kind === 'offline') { failed = true; break; }
      }
      await reloadQueue();
      if (!failed && S.queue.length === 0 && !S.online) {
        // nothing to send: ask the server whether it is back
        try { await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(4000) }); setOnline(true); } catch (e) { failed = true; }
      }
      if (!failed) await reportQueue();
    } catch (e) {
      failed = true;
    } finally {
      syncing = false;
    }
    const pending = S.queue.some((q) => q.state === 'pending');
    backoff = failed ? Math.min(backoff * 2, 8000) : 1000;
    if (!failed && !pending && S.online && S.device) loadCatalog();
    kick(failed ? backoff : pending ? 1000 : 20000);
  }

  /** reportQueue: tells the organiser's live view how many sales wait
   * here (best effort; older servers do not have the route). */
  let reported = -1;
  async function reportQueue() {
    if (!S.device || reported === S.queue.length) return;
    try {
      const r = await api(`/api/v1/booths/${S.device.booth.id}/queue`, { method: 'POST', body: { waiting: S.queue.length } });
      if (r.ok || r.status === 404 || r.status === 405) reported = S.queue.length;
    } catch (e) { /* offline */ }
  }

  function renderQueue() {
    const ul = $('#queue-list');
    ul.replaceChildren(...S.queue.map((q) => el('li', { 'data-uuid': q.uuid },
      el('span', { class: 'q-main' },
        el('strong', { text: `${q.ref} · ${money(q.total)}` }), ' ',
        el('span', { class: 'badge ' + (q.state === 'attention' ? 'attention' : 'waiting'), text: q.state === 'attention' ? t('pos_attention') : t('pos_waiting_badge') }),
        el('br'), el('small', { text: `${timeFmt.format(new Date(q.created))} · ${q.staff_name}` })),
      q.state === 'attention' ? el('button', { type: 'button', class: 'btn', text: t('pos_retry'), onclick: () => retry(q, false) }) : null,
      q.state === 'attention' && q.status === 409 ? el('button', { type: 'button', class: 'btn primary', text: t('pos_retry_shortfall'), onclick: () => retry(q, true) }) : null,
      q.error ? el('p', { class: 'q-error', text: q.error }) : null)));
    $('#queue-empty').hidden = S.queue.length > 0;
  }

  /** retry: sends a refused sale again; with shortfall, as an offline
   * sale (the goods are gone: the server then records the shortfall).
   * Safe to change the body: the server refused it, so it holds nothing
   * under this key, or (a real key conflict) it refuses again. */
  async function retry(q, shortfall) {
    if (shortfall) {
      const b = JSON.parse(q.body);
      b.offline = true;
      q.body = JSON.stringify(b);
    }
    q.state = 'pending';
    q.error = null;
    await queuePut(q);
    await reloadQueue();
    kick(0);
  }

  /* --- after a sale: the receipt ------------------------------------------- */

  function afterSale(res) {
    $('#done-h').textContent = res.synced ? t('pos_sold') : t('pos_sold_offline');
    $('#done-h').classList.toggle('waiting', !res.synced);
    $('#done-note').textContent = res.synced ? t('pos_sold_note') : t('pos_sold_offline_note');
    const ch = $('#done-change');
    ch.hidden = !res.change; // nothing to give back: no line
    ch.textContent = t('pos_change_due', { amount: money(res.change || 0) });
    widthChips();
    $('#dlg-done').showModal();
    $('#done-next').focus();
  }

  function widthChips() {
    for (const b of $$('[data-width]')) b.setAttribute('aria-pressed', String(b.dataset.width === S.printer));
  }

  function receiptEl(sale) {
    const pay = sale.payment || {};
    const rows = [];
    for (const l of sale.lines || []) {
      rows.push(el('tr', { class: 'r-item' }, el('td', { colspan: 2, text: l.name })));
      const calc = `${l.qty} × ${money(l.unit_price_vnd)}${l.discount_vnd ? ' − ' + money(l.discount_vnd) : ''}`;
      rows.push(el('tr', { class: 'r-calc' }, el('td', { text: calc }), el('td', { class: 'num', text: money(l.total_vnd) })));
    }
    const url = location.origin + sale.receipt_url;
    const tot = [
      sale.discount_vnd ? [t('pos_subtotal'), money(sale.subtotal_vnd)] : null,
      sale.discount_vnd ? [t('pos_discount'), '−' + money(sale.discount_vnd)] : null,
      [t('pos_total'), money(sale.total_vnd), 'r-grand'],
      [t('pos_pay_method'), t('pos_method_' + (pay.method || 'other'))],
      pay.tendered_vnd ? [t('pos_tendered'), money(pay.tendered_vnd)] : null,
      pay.tendered_vnd ? [t('pos_change'), money(pay.change_vnd || 0)] : null,
    ].filter(Boolean);
    return el('article', { class: 'receipt w' + S.printer },
      el('header', { class: 'r-head' }, el('strong', { class: 'r-shop', text: S.device.booth.name }),
        S.device.booth.fair_name ? el('span', { text: S.device.booth.fair_name }) : null),
      el('p', { class: 'r-meta' }, el('span', {}, t('pos_receipt_no') + ' ', el('strong', { text: sale.uuid.slice(0, 8).toUpperCase() })),
        el('span', { text: timeFmt.format(new Date(sale.sold_at)) })),
      el('p', { class: 'r-meta' }, el('span', { text: `${t('pos_staff_label')} ${sale.staff}` })),
      el('table', { class: 'r-lines' }, el('tbody', {}, rows)),
      el('dl', { class: 'r-totals' }, tot.map(([k, v, c]) => el('div', { class: c || null }, el('dt', { text: k }), el('dd', { text: v })))),
      el('div', { class: 'r-qr' }, self.OcopVietQR.svgElement(url, t('pos_receipt_qr')), el('small', { text: t('pos_receipt_scan') })),
      sale.local ? el('p', { class: 'r-pending', text: t('pos_receipt_unsynced') }) : null,
      el('p', { class: 'r-thanks', text: t('pos_receipt_thanks') }));
  }

  function printNode(node) {
    const area = $('#print-area');
    area.replaceChildren(node);
    window.print();
  }

  /* --- today's sales: void and return -------------------------------------- */

  let salesList = [];
  let current = null;

  async function loadSales() {
    const since = new Date(`${todayVN()}T00:00:00+07:00`).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ul = $('#sale-list');
    let server = [];
    try {
      const r = await api(`/api/v1/sales?booth=${S.device.booth.id}&since=${encodeURIComponent(since)}`);
      if (r.ok) server = r.data.items || [];
      else toast(errText(r), true);
    } catch (e) {
      toast(t('pos_offline_list'), true);
    }
    await reloadQueue();
    const queued = S.queue.map((q) => ({ ...localSale(q, JSON.parse(q.body)), queued: q.state }));
    salesList = [...queued, ...server.reverse()];
    ul.replaceChildren(...salesList.map((s) => el('li', {},
      el('button', { type: 'button', 'data-uuid': s.uuid, 'aria-pressed': String(current === s.uuid), onclick: () => openSale(s.uuid) },
        el('span', { class: 's-ref', text: s.uuid.slice(0, 8).toUpperCase() }),
        el('span', {}, clockFmt.format(new Date(s.sold_at)), ' ', statusBadge(s)),
        el('span', { class: 's-total', text: money(s.total_vnd) })))));
    $('#sales-empty').hidden = salesList.length > 0;
    if (current) openSale(current);
  }

  function statusBadge(s) {
    if (s.queued) return el('span', { class: 'badge ' + (s.queued === 'attention' ? 'attention' : 'waiting'), text: s.queued === 'attention' ? t('pos_attention') : t('pos_waiting_badge') });
    if (s.status === 'voided') return el('span', { class: 'badge voided', text: t('pos_voided') });
    const ret = (s.lines || []).some((l) => l.returned_qty > 0);
    return el('span', { class: 'badge ok', text: ret ? t('pos_returned_some') : t('pos_method_' + s.payment.method) });
  }

  function openSale(uuid) {
    const s = salesList.find((x) => x.uuid === uuid);
    const box = $('#sale-detail');
    if (!s) { box.hidden = true; current = null; return; }
    current = uuid;
    for (const b of $$('#sale-list button')) b.setAttribute('aria-pressed', String(b.dataset.uuid === uuid));
    const canUndo = !s.queued && s.status !== 'voided';
    box.replaceChildren(
      el('h2', {}, `${t('pos_receipt_no')} ${uuid.slice(0, 8).toUpperCase()} `, statusBadge(s)),
      el('p', { class: 'note', text: `${timeFmt.format(new Date(s.sold_at))} · ${s.staff}` }),
      el('table', {}, el('tbody', {}, (s.lines || []).map((l) => el('tr', {},
        el('td', {}, l.name, l.returned_qty ? el('small', { text: ` (${t('pos_returned')} ${l.returned_qty})` }) : null),
        el('td', { class: 'num', text: `${l.qty} × ${money(l.unit_price_vnd)}` }),
        el('td', { class: 'num', text: money(l.total_vnd) }))))),
      el('p', { class: 'z-big', text: money(s.total_vnd) }),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'btn', text: t('pos_print_again'), onclick: () => printNode(receiptEl(s)) }),
        canUndo ? el('button', { type: 'button', class: 'btn', id: 'return-btn', text: t('pos_return'), onclick: () => openUndo(s, 'return') }) : null,
        canUndo ? el('button', { type: 'button', class: 'btn danger', id: 'void-btn', text: t('pos_void'), onclick: () => openUndo(s, 'void') }) : null),
      s.queued ? el('p', { class: 'note', text: t('pos_undo_after_sync') }) : null);
    box.hidden = false;
  }

  let undo = null;
  function openUndo(s, kind) {
    undo = { sale: s, kind };
    $('#undo-h').textContent = kind === 'void' ? t('pos_void_title') : t('pos_return_title');
    $('#undo-confirm').textContent = kind === 'void' ? t('pos_void') : t('pos_return');
    $('#undo-reason').value = '';
    $('#undo-error').hidden = true;
    const box = $('#undo-lines');
    box.replaceChildren();
    if (kind === 'return') {
      for (const l of s.lines) {
        const left = l.qty - (l.returned_qty || 0);
        if (left <= 0) continue;
        box.append(el('label', { class: 'u-line' }, `${l.name} (${t('pos_max', { n: left })})`,
          el('input', { type: 'number', min: 0, max: left, value: 0, inputmode: 'numeric', 'data-sku': l.sku })));
      }
    }
    $('#dlg-undo').showModal();
  }

  async function confirmUndo() {
    const reason = $('#undo-reason').value.trim();
    const err = $('#undo-error');
    err.hidden = true;
    if (!reason) { err.textContent = t('err_reason'); err.hidden = false; return; }
    let path;
    let body;
    if (undo.kind === 'void') {
      path = `/api/v1/sales/${undo.sale.id}/void`;
      body = { reason };
    } else {
      const lines = $$('#undo-lines input').map((i) => ({ sku: i.dataset.sku, qty: Number(i.value) })).filter((l) => l.qty > 0);
      if (!lines.length) { err.textContent = t('err_return_lines'); err.hidden = false; return; }
      path = `/api/v1/sales/${undo.sale.id}/returns`;
      body = { lines, reason };
    }
    try {
      const r = await api(path, { method: 'POST', body });
      if (!r.ok) { err.textContent = errText(r); err.hidden = false; return; }
      $('#dlg-undo').close();
      toast(undo.kind === 'void' ? t('pos_voided_ok') : t('pos_returned_ok'));
      loadCatalog();
      loadSales();
    } catch (e) {
      err.textContent = t('pos_err_offline_action');
      err.hidden = false;
    }
  }

  /* --- the Z report -------------------------------------------------------- */

  function zTable(title, head, rows) {
    return el('section', { class: 'card' }, el('h2', { text: title }),
      rows.length ? el('table', {}, el('thead', {}, el('tr', {}, head.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })))),
        el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: i ? 'num' : null, text: c }))))))
        : el('p', { class: 'note', text: t('pos_none') }));
  }

  async function loadZ() {
    const day = $('#z-day').value || todayVN();
    $('#z-day').value = day;
    const body = $('#z-body');
    try {
      const r = await api(`/api/v1/booths/${S.device.booth.id}/z-report?day=${day}`);
      if (!r.ok) { body.replaceChildren(el('p', { class: 'form-error', text: errText(r) })); return; }
      const z = r.data;
      const done = (z.totals || []).find((x) => x.key === 'completed') || { count: 0, total_vnd: 0 };
      const voided = (z.totals || []).find((x) => x.key === 'voided') || { count: 0, total_vnd: 0 };
      const m = (k) => t('pos_method_' + k);
      body.replaceChildren(
        el('section', { class: 'card' }, el('h2', { text: t('pos_z_total') }), el('p', { class: 'z-big', text: money(done.total_vnd) }),
          el('p', { text: t('pos_z_count', { n: done.count }) }),
          el('p', { class: 'note', text: t('pos_z_voided', { n: voided.count, amount: money(voided.total_vnd) }) }),
          S.queue.length ? el('p', { class: 'form-error', text: t('pos_z_unsynced', { n: S.queue.length }) }) : null),
        zTable(t('pos_z_by_method'), [t('pos_pay_method'), t('pos_z_sales'), t('pos_total')], (z.by_method || []).map((x) => [m(x.key), String(x.count), money(x.total_vnd)])),
        zTable(t('pos_z_by_staff'), [t('pos_staff_col'), t('pos_z_sales'), t('pos_total')], (z.by_staff || []).map((x) => [x.key, String(x.count), money(x.total_vnd)])),
        zTable(t('pos_z_by_staff_method'), [t('pos_staff_col'), t('pos_z_sales'), t('pos_total')], (z.by_staff_method || []).map((x) => [`${x.staff} · ${m(x.method)}`, String(x.count), money(x.total_vnd)])),
        zTable(t('pos_z_undo'), [t('pos_z_kind'), t('pos_z_sales'), t('pos_z_amount')], (z.voids_returns || []).map((x) => [x.key === 'void' ? t('pos_voided') : t('pos_returned_some'), String(x.count), money(x.total_vnd)])),
        zTable(t('pos_z_counts'), [t('pos_product'), t('pos_count_variance')], (z.counts || []).flatMap((c) => c.lines.filter((l) => l.variance).map((l) => [l.name + ' (' + l.sku + ')', (l.variance > 0 ? '+' : '') + l.variance]))));
      body.dataset.day = day;
    } catch (e) {
      body.replaceChildren(el('p', { class: 'form-error', text: t('pos_err_offline_action') }));
    }
  }

  function printZ() {
    const src = $('#z-body');
    const node = el('article', { class: 'receipt w' + S.printer },
      el('header', { class: 'r-head' }, el('strong', { class: 'r-shop', text: t('pos_z_title') }),
        el('span', { text: S.device.booth.name }), el('span', { text: src.dataset.day || todayVN() })),
      ...$$('section', src).map((s) => s.cloneNode(true)));
    printNode(node);
  }

  /* --- the closing count --------------------------------------------------- */

  async function loadCount() {
    const err = $('#count-error');
    err.hidden = true;
    $('#count-result').hidden = true;
    await reloadQueue();
    if (S.queue.length) { err.textContent = t('pos_count_sync_first', { n: S.queue.length }); err.hidden = false; }
    try {
      const r = await api(`/api/v1/locations/${S.device.booth.id}/stock`);
      if (r.cached) { err.textContent = t('pos_count_online'); err.hidden = false; }
      if (r.ok) S.items = (r.data.items || []).filter((i) => i.price_vnd !== null);
    } catch (e) {
      err.textContent = t('pos_count_online');
      err.hidden = false;
    }
    $('#count-rows').replaceChildren(...S.items.map((i) => el('tr', { 'data-sku': i.sku },
      el('td', {}, i.name, el('small', { text: `${i.size || ''} · ${i.sku}` })),
      el('td', { class: 'num', text: String(i.on_hand) }),
      el('td', { class: 'num' }, el('input', { type: 'text', inputmode: 'numeric', 'aria-label': t('pos_count_counted') + ' ' + i.name, 'data-sku': i.sku, 'data-books': i.on_hand, oninput: countVariance })),
      el('td', { class: 'num var', text: '' }))));
  }

  function countVariance(ev) {
    const inp = ev.target;
    const cell = inp.closest('tr').querySelector('.var');
    if (inp.value.trim() === '') { cell.textContent = ''; cell.className = 'num var'; return; }
    const v = Number(inp.value) - Number(inp.dataset.books);
    cell.textContent = Number.isFinite(v) ? (v > 0 ? '+' : '') + v : '—';
    cell.className = 'num var ' + (v < 0 ? 'var-neg' : v > 0 ? 'var-pos' : '');
  }

  async function submitCount(ev) {
    ev.preventDefault();
    const err = $('#count-error');
    err.hidden = true;
    if (S.queue.length) { err.textContent = t('pos_count_sync_first', { n: S.queue.length }); err.hidden = false; return; }
    const lines = $$('#count-rows input').filter((i) => i.value.trim() !== '').map((i) => ({ sku: i.dataset.sku, counted: Number(i.value) }));
    if (!lines.length) { err.textContent = t('err_count_lines'); err.hidden = false; return; }
    try {
      const r = await api(`/api/v1/locations/${S.device.booth.id}/counts`, { method: 'POST', body: { lines, reason: $('#count-reason').value.trim() } });
      if (!r.ok) { err.textContent = errText(r); err.hidden = false; return; }
      const res = $('#count-result');
      const off = r.data.lines.filter((l) => l.variance !== 0);
      res.replaceChildren(el('h2', { text: t('pos_count_done') }),
        el('p', { text: t('pos_count_summary', { over: r.data.units_over, short: r.data.units_short, value: money(r.data.variance_vnd) }) }),
        off.length ? el('ul', {}, off.map((l) => el('li', { text: `${l.name} (${l.sku}): ${l.expected} → ${l.counted} (${l.variance > 0 ? '+' : ''}${l.variance})` }))) : el('p', { text: t('pos_count_all_match') }));
      res.hidden = false;
      toast(t('pos_count_done'));
      await loadCatalog();
      $$('#count-rows input').forEach((i) => { i.value = ''; });
    } catch (e) {
      err.textContent = t('pos_count_online');
      err.hidden = false;
    }
  }

  /* --- barcodes: a USB or Bluetooth scanner types fast and ends with Enter;
   * the camera uses BarcodeDetector where the browser has it ---------------- */

  let wedge = '';
  let wedgeAt = 0;
  function onKey(ev) {
    if (S.screen !== 'sell' || document.querySelector('dialog[open]')) return;
    const target = ev.target;
    const inSearch = target && target.id === 'search';
    if (target && target.tagName === 'INPUT' && !inSearch) return;
    const now = performance.now();
    if (now - wedgeAt > 80) wedge = '';
    wedgeAt = now;
    if (ev.key === 'Enter') {
      const code = wedge.length >= 3 ? wedge : inSearch ? target.value.trim() : '';
      wedge = '';
      if (!code) return;
      ev.preventDefault();
      if (byCode(code)) {
        scanned(code);
        $('#search').value = '';
        renderGrid();
      } else if (inSearch) {
        const q = fold(code);
        const hits = S.items.filter((i) => fold(`${i.name} ${i.size} ${i.sku}`).includes(q));
        if (hits.length === 1) { addToCart(hits[0].sku); $('#search').value = ''; renderGrid(); } else toast(t('pos_scan_unknown', { code }), true);
      } else toast(t('pos_scan_unknown', { code }), true);
      return;
    }
    if (ev.key.length === 1) {
      wedge += ev.key;
      if (!inSearch) ev.preventDefault();
    }
  }

  let scanStream = null;
  let scanLoop = null;
  async function openScan(onCode) {
    const note = $('#scan-note');
    $('#dlg-scan').showModal();
    if (!('BarcodeDetector' in self) || !navigator.mediaDevices) { note.textContent = t('pos_scan_unsupported'); return; }
    note.textContent = t('pos_scan_help');
    try {
      const formats = await self.BarcodeDetector.getSupportedFormats();
      const det = new self.BarcodeDetector({ formats });
      scanStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      const video = $('#scan-video');
      video.srcObject = scanStream;
      await video.play();
      scanLoop = setInterval(async () => {
        try {
          const codes = await det.detect(video);
          if (codes.length) {
            const v = codes[0].rawValue;
            closeScan();
            onCode(v);
          }
        } catch (e) { /* the next frame */ }
      }, 250);
    } catch (e) {
      note.textContent = t('pos_scan_denied');
    }
  }
  function closeScan() {
    clearInterval(scanLoop);
    scanLoop = null;
    if (scanStream) scanStream.getTracks().forEach((tr) => tr.stop());
    scanStream = null;
    if ($('#dlg-scan').open) $('#dlg-scan').close();
  }

  /* --- start -------------------------------------------------------------- */

  function bind() {
    $('#setup-form').addEventListener('submit', setupSubmit);
    $('#setup-scan').addEventListener('click', () => openScan((v) => {
      const m = /key=(ocop_[A-Za-z0-9_-]+)/.exec(v);
      $('#setup-key').value = m ? m[1] : v;
      $('#setup-form').requestSubmit();
    }));
    $('#pin-form').addEventListener('submit', pinSubmit);
    $('#pad').addEventListener('click', (e) => { const k = e.target.closest('button')?.dataset.k; if (k) padPress(k); });
    document.addEventListener('keydown', (e) => {
      if (S.screen === 'pin' && !document.querySelector('dialog[open]')) {
        if (/^\d$/.test(e.key)) { padPress(e.key); e.preventDefault(); } else if (e.key === 'Backspace') { padPress('back'); e.preventDefault(); } else if (e.key === 'Enter') { $('#pin-form').requestSubmit(); e.preventDefault(); }
        return;
      }
      onKey(e);
    });
    for (const b of $$('[data-go]')) b.addEventListener('click', () => show(b.dataset.go));
    $('#staff').addEventListener('click', lock);
    $('#search').addEventListener('input', renderGrid);
    $('#scan-btn').addEventListener('click', () => openScan(scanned));
    $('#scan-close').addEventListener('click', closeScan);
    $('#dlg-scan').addEventListener('close', closeScan);
    $('#cart-clear').addEventListener('click', () => { S.cart = []; renderCart(); });
    $('#pay-btn').addEventListener('click', openPay);
    $('#pay-cancel').addEventListener('click', () => $('#dlg-pay').close());
    $('#pay-confirm').addEventListener('click', confirmPay);
    $('#tendered').addEventListener('input', updateChange);
    for (const b of $$('.methods button')) b.addEventListener('click', () => setMethod(b.dataset.method));
    $('#line-plus').addEventListener('click', () => { $('#line-qty').value = String((Number($('#line-qty').value) || 0) + 1); });
    $('#line-minus').addEventListener('click', () => { $('#line-qty').value = String(Math.max(1, (Number($('#line-qty').value) || 1) - 1)); });
    $('#line-save').addEventListener('click', saveLine);
    $('#line-remove').addEventListener('click', () => { S.cart = S.cart.filter((l) => l.sku !== lineSku); $('#dlg-line').close(); renderCart(); });
    for (const c of $$('#dlg-line [data-pct]')) c.addEventListener('click', () => discountPct(Number(c.dataset.pct)));
    $('#done-next').addEventListener('click', () => { $('#dlg-done').close(); $('#search').focus(); });
    $('#done-print').addEventListener('click', () => { if (S.lastSale) printNode(receiptEl(S.lastSale)); });
    for (const b of $$('[data-width]')) {
      b.addEventListener('click', async () => { S.printer = b.dataset.width; await kvSet('printer', S.printer); widthChips(); });
    }
    $('#sales-reload').addEventListener('click', loadSales);
    for (const c of $$('#undo-chips .chip')) c.addEventListener('click', () => { $('#undo-reason').value = c.textContent; $('#undo-error').hidden = true; });
    $('#undo-cancel').addEventListener('click', () => $('#dlg-undo').close());
    $('#undo-confirm').addEventListener('click', confirmUndo);
    $('#z-load').addEventListener('click', loadZ);
    $('#z-day').addEventListener('change', loadZ);
    $('#z-print').addEventListener('click', printZ);
    $('#count-reload').addEventListener('click', loadCount);
    $('#count-form').addEventListener('submit', submitCount);
    $('#queue-sync').addEventListener('click', () => kick(0));
    window.addEventListener('online', () => kick(0));
    document.addEventListener('visibilitychange', () => { if (!document.hidden) kick(0); });
  }

  async function boot() {
    bind();
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/ban-hang/sw.js', { scope: '/ban-hang/' }).catch(() => {});
    }
    S.printer = (await kvGet('printer')) || '80';
    await reloadQueue();
    // the office's link carries the key in the fragment: keep it, drop it
    const m = /[#&]key=(ocop_[A-Za-z0-9_-]+)/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname + location.search);
      try {
        await useKey(m[1]);
        toast(t('pos_device_ready'));
      } catch (e) {
        $('#setup-error').textContent = e instanceof NetError ? t('pos_err_offline_setup') : e.message;
        $('#setup-error').hidden = false;
      }
    }
    if (!S.key) S.key = (await kvGet('key')) || null;
    if (!S.key) { show('setup'); return; }
    const dev = await kvGet('device');
    if (dev) await setDevice(dev);
    await refreshDevice();
    if (!S.device) { show('setup'); return; }
    const c = await kvGet('catalog');
    if (c) S.items = c.items;
    show('pin');
    loadCatalog();
    kick(500);
  }

  self.OcopPOS = {
    state: S,
    queue: () => queueAll(),
    sync: () => kick(0),
    parseMoney,
  };
  boot();
})();
