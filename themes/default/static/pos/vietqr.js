/* vietqr.js: VietQR (NAPAS 247) payloads and QR codes as SVG, in the
 * browser, for the booth POS while it is offline. It mirrors the server's
 * src/pay/vietqr.c field for field (the browser tests compare the two):
 * 00 01 38{00 GUID, 01{00 BIN, 01 account}, 02 service} 53 [54] 58
 * [62{[01 bill] [08 purpose]}] 63, the memo folded to ASCII, the CRC-16/
 * CCITT-FALSE over everything up to and including "6304". QR codes are
 * drawn like src/media/qr.c (byte mode, level M, a quiet zone of 4) with
 * the vendored qrcodegen.js. Exposes self.OcopVietQR. */
(function () {
  'use strict';

  const GUID = 'A000000727';
  const TEXT_MAX = 25;

  /** crc16: CRC-16/CCITT-FALSE of the UTF-8 bytes of s. */
  function crc16(s) {
    let crc = 0xffff;
    for (const b of new TextEncoder().encode(s)) {
      crc ^= b << 8;
      for (let i = 0; i < 8; i++) {
        crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
    }
    return crc;
  }

  /** fold: s as printable ASCII: marks stripped, đ/Đ to d/D, white space
   * collapsed, other characters dropped (vietqr_fold_text). */
  function fold(s) {
    let out = '';
    let space = false;
    for (let c of String(s).normalize('NFKD').replace(/\p{M}/gu, '')) {
      if (c === 'đ') c = 'd';
      else if (c === 'Đ') c = 'D';
      if (c === '\t' || c === '\n' || c === '\r' || c === ' ' || /^\p{Zs}$/u.test(c)) {
        space = true;
        continue;
      }
      const cp = c.codePointAt(0);
      if (cp <= 0x20 || cp > 0x7e) continue;
      if (space && out.length > 0) out += ' ';
      space = false;
      out += c;
    }
    return out;
  }

  function tlv(id, value) {
    return id + String(value.length).padStart(2, '0') + value;
  }

  /** payload: {bin, account, amount (whole đồng, 0 for none), purpose,
   * bill, toCard} -> the payload text; throws on values the server would
   * refuse. */
  function payload(req) {
    const bin = String(req.bin || '');
    const account = String(req.account || '');
    const amount = Number(req.amount || 0);
    if (!/^\d{6}$/.test(bin)) throw new Error('bin');
    if (!/^[A-Za-z0-9]{1,19}$/.test(account)) throw new Error('account');
    if (!Number.isInteger(amount) || amount < 0 || amount > 9999999999999) throw new Error('amount');
    const memo = req.purpose ? fold(req.purpose) : '';
    if (memo.length > TEXT_MAX) throw new Error('purpose');
    const bill = req.bill || '';
    if (bill.length > TEXT_MAX) throw new Error('bill');
    const ben = tlv('00', bin) + tlv('01', account);
    const mai = tlv('00', GUID) + tlv('01', ben) + tlv('02', req.toCard ? 'QRIBFTTC' : 'QRIBFTTA');
    let p = tlv('00', '01') + tlv('01', amount > 0 ? '12' : '11') + tlv('38', mai) + tlv('53', '704');
    if (amount > 0) p += tlv('54', String(amount));
    p += tlv('58', 'VN');
    let add = '';
    if (bill) add += tlv('01', bill);
    if (memo) add += tlv('08', memo);
    if (add) p += tlv('62', add);
    p += '6304';
    return p + crc16(p).toString(16).toUpperCase().padStart(4, '0');
  }

  /** svgPath: the dark modules as one path, run by run, as qr.c draws
   * them; mask -1 lets the encoder choose. Returns {size, d}. */
  function svgPath(text, mask = -1) {
    const qg = self.qrcodegen;
    const bytes = Array.from(new TextEncoder().encode(text));
    const qr = qg.QrCode.encodeSegments([qg.QrSegment.makeBytes(bytes)],
      qg.QrCode.Ecc.MEDIUM, 1, 40, mask, false);
    const quiet = 4;
    let d = '';
    for (let y = 0; y < qr.size; y++) {
      for (let x = 0; x < qr.size; x++) {
        let run = 0;
        while (x + run < qr.size && qr.getModule(x + run, y)) run++;
        if (run > 0) d += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
        x += run;
      }
    }
    return { size: qr.size + 2 * quiet, d };
  }

  /** svgElement: an <svg> element of text's QR code (no markup parsing). */
  function svgElement(text, title) {
    const ns = 'http://www.w3.org/2000/svg';
    const { size, d } = svgPath(text);
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('shape-rendering', 'crispEdges');
    const tt = document.createElementNS(ns, 'title');
    tt.textContent = title || '';
    const bg = document.createElementNS(ns, 'rect');
    bg.setAttribute('width', size);
    bg.setAttribute('height', size);
    bg.setAttribute('fill', '#fff');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', '#000');
    path.setAttribute('d', d);
    svg.append(tt, bg, path);
    return svg;
  }

  self.OcopVietQR = { crc16, fold, payload, svgPath, svgElement, TEXT_MAX };
})();
