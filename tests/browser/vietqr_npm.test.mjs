// vietqr_npm.test.mjs: our VietQR (NAPAS 247) payloads against an outside
// implementation, npm vietnam-qr-pay@1.5.1 (MIT, xuannghia/vietnam-qr-pay;
// offline encode and decode). No browser: it runs `ocop vietqr encode` and
// `ocop vietqr decode` (OCOP_BIN, or ./ocop from the repository root) and
// loads the POS app's encoder, themes/default/static/pos/vietqr.js, in a
// node:vm context. Part of the browser suite (run.sh), or alone:
//   OCOP_BROWSER_FILES="vietqr_npm.test.mjs" sh tests/browser/run.sh
//
// The fixtures are the C unit test's (tests/unit/pay/test_vietqr.c):
//   - vietqr_valid.tsv: every payload is decoded by both, and the fields
//     must agree (init, bank BIN, account, service, amount, purpose, bill,
//     CRC), and the npm decoder must find the CRC valid;
//   - vietqr_encode.tsv: every valid request is encoded by ./ocop, decoded
//     by the npm library, and rebuilt by it from the same fields;
//   - vietqr_invalid.tsv: only the rows whose fault is the CRC (tag 63).
//     vietnam-qr-pay is lenient about structure: its isValid is the CRC
//     plus top-level lengths only; it accepts the NAPAS 6.1.1 erratum
//     (silently truncating the account), a service code outside tag 38,
//     a wrong GUID, a missing 53/58 and so on (docs/domain.md, section 3,
//     "Outside checker"). So the rows our strict decoder rejects for
//     another fault are not compared; the ones npm still accepts are
//     listed as a diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { QRPay } from 'vietnam-qr-pay';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.OCOP_REPO_ROOT || resolve(here, '..', '..');
const OCOP = process.env.OCOP_BIN ? resolve(ROOT, process.env.OCOP_BIN) : join(ROOT, 'ocop');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'pay');

/** tsv: the rows of a fixture file, comments and blank lines skipped. */
function tsv(name) {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split('\t'));
}

const dash = (v) => (v === '-' ? null : v);

/** ocopDecode: {ok, fields (the JSON) or err (stderr)}. */
function ocopDecode(payload) {
  const r = spawnSync(OCOP, ['vietqr', 'decode', payload], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  if (r.status === 0) return { ok: true, fields: JSON.parse(r.stdout) };
  return { ok: false, status: r.status, err: r.stderr.trim() };
}

/** ocopEncode: the payload ./ocop prints for a request. */
function ocopEncode({ bin, account, to = 'account', amount = 0, purpose = null, bill = null }) {
  const args = ['vietqr', 'encode', '--bin', bin, '--account', account, '--to', to];
  if (amount) args.push('--amount', String(amount));
  if (purpose != null) args.push('--purpose', purpose);
  if (bill != null) args.push('--bill', bill);
  return execFileSync(OCOP, args, { cwd: ROOT, encoding: 'utf8', timeout: 10_000 }).trim();
}

/** npm: vietnam-qr-pay's reading of a payload, as plain fields. */
function npm(payload) {
  const q = new QRPay(payload);
  return {
    isValid: q.isValid,
    provider: q.provider.name,
    guid: q.provider.guid,
    init: q.initMethod,
    bin: q.consumer.bankBin,
    account: q.consumer.bankNumber,
    service: q.provider.service,
    currency: q.currency,
    nation: q.nation,
    amount: q.amount ?? null,
    purpose: q.additionalData.purpose ?? null,
    bill: q.additionalData.billNumber ?? null,
    crc: q.crc ?? null,
  };
}

/** npmBuild: the payload vietnam-qr-pay builds from the same fields. */
function npmBuild({ bin, account, service, amount, purpose, bill }) {
  const q = QRPay.initVietQR({
    bankBin: bin,
    bankNumber: account,
    service,
    amount: amount ? String(amount) : undefined,
    purpose: purpose || undefined,
  });
  if (bill) q.additionalData.billNumber = bill;
  return q.build();
}

/** naiveFold: the memo as ASCII, written here independently of vietqr.c
 * and vietqr.js (marks stripped, đ to d, the rest of non-ASCII dropped,
 * white space collapsed); enough for the fixtures' memos. */
function naiveFold(s) {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** sameFields: ours (the JSON of ocop vietqr decode) against npm's. */
function sameFields(ours, theirs, what) {
  assert.equal(theirs.isValid, true, `${what}: npm isValid`);
  assert.equal(theirs.provider, 'VIETQR', `${what}: npm provider`);
  assert.equal(theirs.guid, 'A000000727', `${what}: GUID`);
  assert.equal(theirs.init, ours.init, `${what}: point of initiation (01)`);
  assert.equal(theirs.bin, ours.bank_bin, `${what}: bank BIN (38.01.00)`);
  assert.equal(theirs.account, ours.account, `${what}: account (38.01.01)`);
  assert.equal(theirs.service, ours.service, `${what}: service (38.02)`);
  assert.equal(theirs.currency, '704', `${what}: currency (53)`);
  assert.equal(theirs.nation, 'VN', `${what}: country (58)`);
  assert.equal(theirs.amount, ours.amount === null ? null : String(ours.amount), `${what}: amount (54)`);
  assert.equal(theirs.purpose, ours.purpose, `${what}: purpose (62.08)`);
  assert.equal(theirs.crc?.toUpperCase(), ours.crc, `${what}: CRC (63)`);
}

test('ocop and vietnam-qr-pay read every valid fixture payload alike', () => {
  const rows = tsv('vietqr_valid.tsv');
  assert.ok(rows.length >= 11, `vietqr_valid.tsv has ${rows.length} rows`);
  for (const [payload, init, bin, account, service, amount, purpose, bill, crc, , note] of rows) {
    const what = note || payload;
    const ours = ocopDecode(payload);
    assert.ok(ours.ok, `${what}: ocop vietqr decode refused it: ${ours.err}`);
    const theirs = npm(payload);
    sameFields(ours.fields, theirs, what);
    // and both agree with the fixture's own columns (bill: ocop's JSON
    // has none, the C unit test checks it)
    assert.deepEqual(
      [theirs.init, theirs.bin, theirs.account, theirs.service, theirs.amount, theirs.purpose, theirs.bill],
      [init, bin, account, service, dash(amount), dash(purpose), dash(bill)],
      `${what}: npm against the fixture`,
    );
    assert.equal(ours.fields.crc, crc, `${what}: CRC column`);
    assert.equal(QRPay.genCRCCode(payload.slice(0, -4)), crc, `${what}: npm's CRC-16 of payload[:-4]`);
  }
});

test('ocop vietqr encode gives what vietnam-qr-pay decodes and builds', () => {
  const rows = tsv('vietqr_encode.tsv').filter((r) => !r[6].startsWith('!'));
  assert.ok(rows.length >= 7, `vietqr_encode.tsv has ${rows.length} valid requests`);
  for (const [bin, account, to, amountCol, purposeCol, billCol, expected] of rows) {
    const amount = Number(amountCol);
    const purpose = dash(purposeCol);
    const bill = dash(billCol);
    const req = { bin, account, to, amount, purpose, bill };
    const what = JSON.stringify(req);
    const payload = ocopEncode(req);
    assert.equal(payload, expected, `${what}: the fixture's payload`);
    const theirs = npm(payload);
    const service = to === 'card' ? 'QRIBFTTC' : 'QRIBFTTA';
    const memo = purpose === null ? null : naiveFold(purpose);
    assert.equal(theirs.isValid, true, `${what}: npm isValid (CRC)`);
    assert.deepEqual(
      [theirs.provider, theirs.init, theirs.bin, theirs.account, theirs.service, theirs.amount, theirs.purpose, theirs.bill],
      ['VIETQR', amount ? '12' : '11', bin, account, service, amount ? String(amount) : null, memo, bill],
      `${what}: npm's reading`,
    );
    sameFields(ocopDecode(payload).fields, theirs, what);
    assert.equal(npmBuild({ bin, account, service, amount, purpose: memo, bill }), payload, `${what}: npm build`);
  }
});

// The faults of vietqr_invalid.tsv that are about the CRC itself: a wrong
// value, not 4 hex digits, cut short, or no tag 63 at all.
const CRC_FAULT = /^CRC mismatch|^tag 63 \(CRC\) is "|^missing tag 63\b|^tag 63 at offset \d+: declared length/;

test('payloads ocop rejects for their CRC fail vietnam-qr-pay\'s CRC check too', (t) => {
  const rows = tsv('vietqr_invalid.tsv');
  const crcRows = rows.filter(([, fragment]) => CRC_FAULT.test(fragment));
  assert.ok(crcRows.length >= 5, `only ${crcRows.length} CRC faults in vietqr_invalid.tsv`);
  for (const [p, fragment, note] of crcRows) {
    const payload = p === '-' ? '' : p;
    const ours = ocopDecode(payload);
    assert.equal(ours.ok, false, `${note}: ocop accepted it`);
    assert.match(ours.err, /CRC|tag 63/, `${note}: ocop's message`);
    assert.equal(new QRPay(payload).isValid, false, `${note}: npm accepted a bad CRC (${fragment})`);
    // and it is the CRC check that says no (verifyCRC is private in the
    // typings only: CRC-16 of payload[:-4] against the last 4 characters)
    assert.equal(QRPay.verifyCRC(payload), false, `${note}: npm's verifyCRC`);
  }
  // Everything else: ocop must reject it; npm's verdict is only reported.
  const lenient = [];
  for (const [p, , note] of rows.filter((r) => !crcRows.includes(r))) {
    const payload = p === '-' ? '' : p;
    assert.equal(ocopDecode(payload).ok, false, `${note}: ocop accepted it`);
    if (new QRPay(payload).isValid) lenient.push(note);
  }
  t.diagnostic(`vietnam-qr-pay accepts ${lenient.length} of the ${rows.length - crcRows.length} ` +
    `structurally invalid rows: ${lenient.join('; ')}`);
});

/** posVietQR: the POS app's self.OcopVietQR, from the file the server
 * serves at /ban-hang/vietqr.js, run in a fresh node:vm context. */
function posVietQR() {
  const src = readFileSync(join(ROOT, 'themes', 'default', 'static', 'pos', 'vietqr.js'), 'utf8');
  const self = {};
  vm.runInNewContext(src, { self, TextEncoder }, { filename: 'vietqr.js' });
  assert.equal(typeof self.OcopVietQR?.payload, 'function', 'vietqr.js sets self.OcopVietQR');
  return self.OcopVietQR;
}

test('the POS app\'s encoder (vietqr.js) agrees with vietnam-qr-pay', () => {
  const js = posVietQR();
  const cases = [
    { bin: '970436', account: '0123456789', amount: 125000, purpose: 'Thanh toán đơn hàng' },
    { bin: '970415', account: 'MAU000000001', amount: 37000, purpose: 'OCOP 2 3F2A9C1B' },
    { bin: '970403', account: '0011012345678', amount: 180000, purpose: 'Đặc sản Đà Lạt  tươi' },
    { bin: '970422', account: '9704229999', amount: 0 },
    { bin: '970416', account: '257678859', amount: 1 },
    { bin: '546034', account: '1234567', amount: 9999999999999, purpose: 'Chuyển tiền' },
    { bin: '970418', account: 'VQRQ12345ABC', amount: 74000, purpose: 'OCOP 3 ABCD1234', bill: 'HD-0042' },
    { bin: '970403', account: '9704031101234567', amount: 50000, toCard: true, purpose: 'Mật ong rừng U Minh' },
  ];
  for (const c of cases) {
    const what = JSON.stringify(c);
    const payload = js.payload(c);
    const service = c.toCard ? 'QRIBFTTC' : 'QRIBFTTA';
    const memo = c.purpose ? naiveFold(c.purpose) : null;
    const theirs = npm(payload);
    assert.equal(theirs.isValid, true, `${what}: npm isValid (CRC)`);
    assert.deepEqual(
      [theirs.init, theirs.bin, theirs.account, theirs.service, theirs.amount, theirs.purpose, theirs.bill],
      [c.amount ? '12' : '11', c.bin, c.account, service, c.amount ? String(c.amount) : null, memo, c.bill ?? null],
      `${what}: npm's reading of the app's payload`,
    );
    assert.equal(npmBuild({ ...c, service, purpose: memo }), payload, `${what}: npm build`);
    // and the server's encoder, for the three of them
    assert.equal(ocopEncode({ ...c, to: c.toCard ? 'card' : 'account' }), payload, `${what}: ocop vietqr encode`);
  }
});
