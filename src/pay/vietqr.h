/* vietqr.h: VietQR (NAPAS 247) bank-transfer payloads, EMVCo merchant-
 *   presented mode; the text that goes into a payment QR code.
 * Owns: building a payload from a request (fixed field order, ASCII memo,
 *   CRC), strict decoding and validation of a payload, CRC-16/CCITT-FALSE,
 *   the JSON view of a decoded payload.
 *   Emitted order: 00 01 38{00 GUID, 01{00 BIN, 01 account}, 02 service}
 *   53 [54] 58 [62{[01 bill] [08 purpose]}] 63. Static (01 = 11) without
 *   an amount, dynamic (12) with one.
 * Does not own: drawing the QR image (media/qr.h), bank names (data, keyed
 *   by BIN), orders and their amounts (pos), search folding (srch.h: that
 *   one lower-cases; the memo here keeps its case).
 * Decoding is strict: IDs and lengths are 2 decimal digits, lengths count
 *   characters, and the payload must be printable ASCII (the EMVCo common
 *   character set; the UTF-8 language template 64 is not supported). Tags
 *   may come in any order except 00 first and 63 last; a tag may appear
 *   once per template. Templates 38, 38.01 and 62 are parsed; 38 and 38.01
 *   accept only their known sub-tags. Other top-level tags are checked as
 *   TLV and otherwise ignored.
 * Memory: no allocation survives a call except *out of vietqr_to_json().
 * Errors: ERR_INVALID with an English message in *ec naming the tag (as
 *   "tag 38.01.00") and what is wrong; ec->field names the request field
 *   for vietqr_encode(); ERR_NOMEM when an allocation or the sb cap fails. */
#ifndef OCOP_VIETQR_H
#define OCOP_VIETQR_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define VIETQR_GUID "A000000727" /* NAPAS, in tag 38.00 */
#define VIETQR_BIN_LEN 6
#define VIETQR_ACCOUNT_MAX 19
#define VIETQR_TEXT_MAX 25 /* 62.01 bill number, 62.08 purpose */
#define VIETQR_SERVICE_MAX 15
#define VIETQR_AMOUNT_MAX INT64_C(9999999999999) /* 13 digits, tag 54 */
#define VIETQR_PAYLOAD_MAX 512                   /* EMVCo */

enum vietqr_to {
    VIETQR_TO_ACCOUNT, /* service QRIBFTTA */
    VIETQR_TO_CARD,    /* service QRIBFTTC; the number must be digits */
};

/* What the caller wants to be paid; all strings borrowed for the call. */
struct vietqr_request {
    const char *bin;     /* bank BIN, exactly 6 digits */
    const char *account; /* 1-19 letters and digits */
    enum vietqr_to to;
    int64_t amount_vnd;  /* 0: no amount (static QR); else 1..AMOUNT_MAX */
    const char *purpose; /* UTF-8 memo or NULL; folded to ASCII (đ -> d),
                          * must then be 1-25 characters */
    const char *bill;    /* bill number or NULL; 1-25 printable ASCII */
};

/* A decoded payload. Strings are NUL-terminated copies. */
struct vietqr {
    char init[3];                         /* "11" static, "12" dynamic */
    char bin[VIETQR_BIN_LEN + 1];         /* 38.01.00 */
    char account[VIETQR_ACCOUNT_MAX + 1]; /* 38.01.01 */
    char service[VIETQR_SERVICE_MAX + 1]; /* 38.02, "QRIBFTTA" ... */
    int64_t amount_vnd;                   /* 54; -1 when absent */
    char purpose[VIETQR_TEXT_MAX + 1];    /* 62.08; "" when absent */
    char bill[VIETQR_TEXT_MAX + 1];       /* 62.01; "" when absent */
    char crc[5];                          /* 63, upper-case hex */
};

/* vietqr_crc16: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no
 * reflection, no xorout); "123456789" gives 0x29B1. */
uint16_t vietqr_crc16(const void *data, size_t len);

/* vietqr_encode: validates req and appends its payload (one line, no
 * newline) to out. On failure out is unchanged. */
enum err vietqr_encode(const struct vietqr_request *req, struct sb *out,
                       struct err_ctx *ec) MUST_CHECK;

/* vietqr_decode: parses and validates the NUL-terminated payload into
 * *out (zeroed first; meaningful only on ERR_OK). Mandatory: 00 "01",
 * 01 "11"/"12", 38 {00 GUID, 01 {00 BIN, 01 account}, 02 service}, 53
 * "704", 58 "VN", 63. 54, when present, is 1-13 digits and not zero; a
 * dynamic payload without 54 is accepted (the payer types the amount). */
enum err vietqr_decode(const char *payload, struct vietqr *out,
                       struct err_ctx *ec) MUST_CHECK;

/* vietqr_fold_text: appends s (UTF-8) folded to printable ASCII: marks
 * stripped, đ/Đ -> d/D, compatibility forms decomposed (NBSP -> space),
 * other characters dropped, white space collapsed to one space, none at
 * either end ("Thanh toán đơn hàng" -> "Thanh toan don hang"). ERR_INVALID
 * for invalid UTF-8 (out unchanged); after ERR_NOMEM out may hold part of
 * the text. No length limit here: vietqr_encode() checks the 25. */
enum err vietqr_fold_text(const char *s, struct sb *out) MUST_CHECK;

/* vietqr_parse_amount: a whole number of đồng, digits only, 1..AMOUNT_MAX
 * ("125000"; "125.000" is refused, not read as 125 or 125000). */
enum err vietqr_parse_amount(const char *s, int64_t *amount_vnd,
                             struct err_ctx *ec) MUST_CHECK;

/* vietqr_to_json: a new object {init, bank_bin, account, service, amount
 * (number or null), purpose (string or null), crc}; the caller frees it
 * with cJSON_Delete(). ERR_NOMEM when cJSON fails. */
enum err vietqr_to_json(const struct vietqr *q, cJSON **out) MUST_CHECK;

#endif
