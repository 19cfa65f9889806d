/* vietqr.c: VietQR payloads: encoding, strict decoding, CRC, JSON view. */
#include "pay/vietqr.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define N_IDS 100           /* tag IDs are 00..99 */
#define PURPOSE_IN_MAX 1024 /* bytes of memo accepted before folding */
#define SHOW 40             /* characters of a value quoted in a message */

uint16_t vietqr_crc16(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint16_t crc = 0xFFFF;
    size_t i;
    int bit;

    for (i = 0; i < len; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021)
                                 : (uint16_t)(crc << 1);
    }
    return crc;
}

/* Character classes, ASCII only (no locale). */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return n > 0;
}

static int all_alnum(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_alnum(s[i]))
            return 0;
    return n > 0;
}

static int all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'F') &&
            !(s[i] >= 'a' && s[i] <= 'f'))
            return 0;
    return n > 0;
}

static int all_print(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return 0;
    return n > 0;
}

static int clip(size_t n)
{
    return n > SHOW ? SHOW : (int)n;
}

/* ---- folding ---- */

struct fold {
    size_t start; /* out->len before folding: no space at the start */
    int space;    /* white space seen since the last character */
};

/* put_folded: one code point of the decomposed, mark-stripped text. */
static enum err put_folded(struct sb *out, utf8proc_int32_t c, struct fold *st)
{
    enum err e = ERR_OK;

    if (c == 0x0111 || c == 0x0110) /* đ Đ have no decomposition */
        c = c == 0x0111 ? 'd' : 'D';
    if (c == '\t' || c == '\n' || c == '\r' || c == ' ' ||
        utf8proc_category(c) == UTF8PROC_CATEGORY_ZS) {
        st->space = 1;
        return ERR_OK;
    }
    if (c <= 0x20 || c > 0x7E)
        return ERR_OK; /* no ASCII form: dropped */
    if (st->space && out->len > st->start)
        e = sb_addc(out, ' ');
    st->space = 0;
    return e == ERR_OK ? sb_addc(out, (char)c) : e;
}

enum err vietqr_fold_text(const char *s, struct sb *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t len, i, k;
    utf8proc_int32_t c;
    struct fold st = {out->len, 0};
    enum err e = ERR_OK;

    len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &res,
                       UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                           UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
    if (len < 0)
        return len == UTF8PROC_ERROR_NOMEM ? ERR_NOMEM : ERR_INVALID;
    for (i = 0; e == ERR_OK && i < len; i += k) {
        k = utf8proc_iterate(res + i, len - i, &c);
        if (k <= 0)
            e = ERR_INVALID; /* utf8proc_map output is valid UTF-8 */
        else
            e = put_folded(out, c, &st);
    }
    free(res);
    return e;
}

/* ---- amounts ---- */

/* amount_problem: NULL when s[0..n) is a valid amount (stored in *v),
 * else what is wrong with it. */
static const char *amount_problem(const char *s, size_t n, int64_t *v)
{
    size_t i;

    if (n == 0)
        return "is empty";
    if (memchr(s, '.', n) != NULL || memchr(s, ',', n) != NULL)
        return "has a decimal or group separator; VND has no minor unit, "
               "write whole dong as digits only";
    if (!all_digits(s, n))
        return "is not digits only";
    if (n > 13)
        return "has more than 13 digits";
    *v = 0;
    for (i = 0; i < n; i++)
        *v = *v * 10 + (s[i] - '0');
    return *v == 0 ? "is zero (leave the amount out instead)" : NULL;
}

enum err vietqr_parse_amount(const char *s, int64_t *amount_vnd,
                             struct err_ctx *ec)
{
    const char *why;
    size_t n = s != NULL ? strlen(s) : 0;

    why = amount_problem(s != NULL ? s : "", n, amount_vnd);
    if (why == NULL)
        return ERR_OK;
    return err_user(ec, ERR_INVALID, NULL, "amount", "amount \"%.*s\" %s",
                    clip(n), s != NULL ? s : "", why);
}

/* ---- encoding ---- */

static enum err check_account(const struct vietqr_request *req,
                              struct err_ctx *ec)
{
    const char *bin = req->bin != NULL ? req->bin : "";
    const char *acct = req->account != NULL ? req->account : "";
    size_t n = strlen(acct);

    if (strlen(bin) != VIETQR_BIN_LEN || !all_digits(bin, VIETQR_BIN_LEN))
        return err_user(ec, ERR_INVALID, NULL, "bin",
                        "bank BIN \"%.*s\" must be exactly 6 digits",
                        clip(strlen(bin)), bin);
    if (n > VIETQR_ACCOUNT_MAX || !all_alnum(acct, n))
        return err_user(ec, ERR_INVALID, NULL, "account",
                        "account number \"%.*s\" must be 1-19 letters or "
                        "digits",
                        clip(n), acct);
    if (req->to != VIETQR_TO_ACCOUNT && req->to != VIETQR_TO_CARD)
        return err_user(ec, ERR_INVALID, NULL, "to",
                        "transfer kind must be account or card");
    if (req->to == VIETQR_TO_CARD && !all_digits(acct, n))
        return err_user(ec, ERR_INVALID, NULL, "account",
                        "card number \"%.*s\" must be digits only", clip(n),
                        acct);
    if (req->amount_vnd < 0 || req->amount_vnd > VIETQR_AMOUNT_MAX)
        return err_user(ec, ERR_INVALID, NULL, "amount",
                        "amount %" PRId64 " is outside 1..9999999999999 VND "
                        "(0 for no amount)",
                        req->amount_vnd);
    return ERR_OK;
}

/* check_texts: memo is the folded purpose ("" when there is none). */
static enum err check_texts(const struct vietqr_request *req, const char *memo,
                            struct err_ctx *ec)
{
    size_t n = strlen(memo);

    if (req->purpose != NULL && req->purpose[0] != '\0' && n == 0)
        return err_user(ec, ERR_INVALID, NULL, "purpose",
                        "purpose has no character left once folded to ASCII");
    if (n > VIETQR_TEXT_MAX)
        return err_user(ec, ERR_INVALID, NULL, "purpose",
                        "purpose is %zu characters once folded to ASCII "
                        "(\"%.*s\"), at most 25",
                        n, clip(n), memo);
    if (req->bill == NULL || req->bill[0] == '\0')
        return ERR_OK;
    n = strlen(req->bill);
    if (n > VIETQR_TEXT_MAX || !all_print(req->bill, n))
        return err_user(ec, ERR_INVALID, NULL, "bill",
                        "bill number \"%.*s\" must be 1-25 printable ASCII "
                        "characters",
                        clip(n), req->bill);
    return ERR_OK;
}

static enum err fold_purpose(const char *purpose, struct sb *memo,
                             struct err_ctx *ec)
{
    enum err e;

    if (purpose == NULL)
        return ERR_OK;
    if (strlen(purpose) > PURPOSE_IN_MAX)
        return err_user(ec, ERR_INVALID, NULL, "purpose",
                        "purpose is longer than %d bytes", PURPOSE_IN_MAX);
    e = vietqr_fold_text(purpose, memo);
    if (e == ERR_INVALID)
        return err_user(ec, e, NULL, "purpose", "purpose is not valid UTF-8");
    return e;
}

/* add_additional: template 62 with 01 bill and 08 purpose, when any. */
static enum err add_additional(struct sb *p, const char *bill, const char *memo)
{
    size_t nb = bill != NULL ? strlen(bill) : 0;
    size_t nm = strlen(memo);
    size_t len = (nb > 0 ? 4 + nb : 0) + (nm > 0 ? 4 + nm : 0);
    enum err e;

    if (len == 0)
        return ERR_OK;
    e = sb_addf(p, "62%02zu", len);
    if (e == ERR_OK && nb > 0)
        e = sb_addf(p, "01%02zu%s", nb, bill);
    if (e == ERR_OK && nm > 0)
        e = sb_addf(p, "08%02zu%s", nm, memo);
    return e;
}

/* build: the payload of a checked request; lengths are all below 100. */
static enum err build(const struct vietqr_request *req, const char *memo,
                      struct sb *p)
{
    size_t acct = strlen(req->account);
    size_t ben = 10 + 4 + acct;     /* 00 06 BIN, 01 LL account */
    size_t mai = 14 + 4 + ben + 12; /* 00 10 GUID, 01 LL {ben}, 02 08 code */
    char amount[24];
    enum err e;

    e = sb_addf(p,
                "000201"
                "0102%s"
                "38%02zu"
                "0010" VIETQR_GUID "01%02zu"
                "0006%s"
                "01%02zu%s"
                "0208%s"
                "5303704",
                req->amount_vnd > 0 ? "12" : "11", mai, ben, req->bin, acct,
                req->account,
                req->to == VIETQR_TO_CARD ? "QRIBFTTC" : "QRIBFTTA");
    if (e == ERR_OK && req->amount_vnd > 0) {
        (void)snprintf(amount, sizeof(amount), "%" PRId64, req->amount_vnd);
        e = sb_addf(p, "54%02zu%s", strlen(amount), amount);
    }
    if (e == ERR_OK)
        e = sb_adds(p, "5802VN");
    if (e == ERR_OK)
        e = add_additional(p, req->bill, memo);
    if (e == ERR_OK)
        e = sb_adds(p, "6304");
    if (e == ERR_OK)
        e = sb_addf(p, "%04X", vietqr_crc16(p->buf, p->len));
    return e;
}

enum err vietqr_encode(const struct vietqr_request *req, struct sb *out,
                       struct err_ctx *ec)
{
    struct sb memo, p;
    enum err e;

    sb_init(&memo, 4 * PURPOSE_IN_MAX);
    sb_init(&p, VIETQR_PAYLOAD_MAX);
    e = check_account(req, ec);
    if (e == ERR_OK)
        e = fold_purpose(req->purpose, &memo, ec);
    if (e == ERR_OK)
        e = check_texts(req, sb_str(&memo), ec);
    if (e == ERR_OK) {
        e = build(req, sb_str(&memo), &p);
        if (e == ERR_OK)
            e = sb_add(out, p.buf, p.len);
        if (e != ERR_OK)
            (void)err_set(ec, e, "vietqr: out of memory");
    }
    sb_release(&memo);
    sb_release(&p);
    return e;
}

/* ---- decoding ---- */

struct tlv {
    const char *val; /* NULL when absent */
    size_t len;
    size_t off; /* of the ID, from the start of the payload */
};

/* One template's data objects, indexed by ID. */
struct level {
    const char *prefix; /* "" at the top, "38." in tag 38 ... */
    const char *within; /* "the payload", "tag 38" ... for messages */
    struct tlv at[N_IDS];
    int order[N_IDS]; /* IDs in the order met */
    int n;
};

/* parse_one: the data object at s (left characters to the end of the
 * template, off its offset in the payload). */
static enum err parse_one(struct level *lv, const char *s, size_t left,
                          size_t off, struct err_ctx *ec)
{
    int id;
    size_t vlen;

    if (left < 4 && lv->n == 0)
        return err_set(ec, ERR_INVALID,
                       "%s: \"%.*s\" at offset %zu is too short for a data "
                       "object (ID, length, value)",
                       lv->within, (int)left, s, off);
    if (left < 4)
        return err_set(ec, ERR_INVALID,
                       "%s: %zu stray character(s) \"%.*s\" at offset %zu "
                       "after tag %s%02d (a declared length does not match "
                       "its value)",
                       lv->within, left, (int)left, s, off, lv->prefix,
                       lv->order[lv->n - 1]);
    if (!all_digits(s, 2))
        return err_set(ec, ERR_INVALID,
                       "%s: tag ID \"%.2s\" at offset %zu is not two digits",
                       lv->within, s, off);
    id = (s[0] - '0') * 10 + (s[1] - '0');
    if (!all_digits(s + 2, 2))
        return err_set(ec, ERR_INVALID,
                       "tag %s%02d at offset %zu: length \"%.2s\" is not two "
                       "decimal digits",
                       lv->prefix, id, off, s + 2);
    vlen = (size_t)((s[2] - '0') * 10 + (s[3] - '0'));
    if (vlen == 0)
        return err_set(ec, ERR_INVALID,
                       "tag %s%02d at offset %zu: empty value (length 00)",
                       lv->prefix, id, off);
    if (vlen > left - 4)
        return err_set(ec, ERR_INVALID,
                       "tag %s%02d at offset %zu: declared length %zu runs "
                       "past the end of %s (%zu character(s) left)",
                       lv->prefix, id, off, vlen, lv->within, left - 4);
    if (lv->at[id].val != NULL)
        return err_set(ec, ERR_INVALID,
                       "tag %s%02d appears twice (offsets %zu and %zu)",
                       lv->prefix, id, lv->at[id].off, off);
    lv->at[id] = (struct tlv){s + 4, vlen, off};
    lv->order[lv->n++] = id;
    return ERR_OK;
}

/* parse_level: the data objects of s[0..n), at offset base. */
static enum err parse_level(struct level *lv, const char *s, size_t n,
                            size_t base, struct err_ctx *ec)
{
    size_t pos = 0;
    enum err e;

    memset(lv->at, 0, sizeof(lv->at));
    lv->n = 0;
    while (pos < n) {
        e = parse_one(lv, s + pos, n - pos, base + pos, ec);
        if (e != ERR_OK)
            return e;
        pos += 4 + lv->at[lv->order[lv->n - 1]].len;
    }
    return ERR_OK;
}

static int tlv_is(const struct tlv *t, const char *want)
{
    return t->val != NULL && t->len == strlen(want) &&
           memcmp(t->val, want, t->len) == 0;
}

static void copy_val(char *dst, size_t cap, const struct tlv *t)
{
    (void)snprintf(dst, cap, "%.*s", (int)t->len, t->val); /* len checked */
}

static enum err need(const struct level *lv, int id, const char *name,
                     struct err_ctx *ec)
{
    if (lv->at[id].val != NULL)
        return ERR_OK;
    return err_set(ec, ERR_INVALID, "missing tag %s%02d (%s)", lv->prefix, id,
                   name);
}

static enum err need_value(const struct level *lv, int id, const char *name,
                           const char *want, struct err_ctx *ec)
{
    const struct tlv *t = &lv->at[id];
    enum err e = need(lv, id, name, ec);

    if (e != ERR_OK || tlv_is(t, want))
        return e;
    return err_set(ec, ERR_INVALID,
                   "tag %s%02d (%s) is \"%.*s\", expected \"%s\"", lv->prefix,
                   id, name, clip(t->len), t->val, want);
}

/* only_ids: a fixed template may hold sub-tags 00..max_id only. */
static enum err only_ids(const struct level *lv, int max_id, struct err_ctx *ec)
{
    int k;

    for (k = 0; k < lv->n; k++)
        if (lv->order[k] > max_id)
            return err_set(ec, ERR_INVALID,
                           "tag %s%02d at offset %zu: unexpected in %s "
                           "(sub-tags 00 to %02d only)",
                           lv->prefix, lv->order[k], lv->at[lv->order[k]].off,
                           lv->within, max_id);
    return ERR_OK;
}

static enum err check_charset(const char *s, size_t n, struct err_ctx *ec)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return err_set(ec, ERR_INVALID,
                           "byte 0x%02X at offset %zu is not printable ASCII "
                           "(the EMVCo character set)",
                           (unsigned)(unsigned char)s[i], i);
    return ERR_OK;
}

/* check_frame: 00 first with "01", 63 last with the right CRC. */
static enum err check_frame(const struct level *top, const char *s, size_t n,
                            struct vietqr *out, struct err_ctx *ec)
{
    const struct tlv *crc = &top->at[63];
    char want[8];
    int k;

    if (top->order[0] != 0)
        return err_set(ec, ERR_INVALID,
                       "tag 00 (payload format indicator) must come first, "
                       "but the payload starts with tag %02d",
                       top->order[0]);
    if (!tlv_is(&top->at[0], "01"))
        return need_value(top, 0, "payload format indicator", "01", ec);
    if (crc->val == NULL)
        return need(top, 63, "CRC", ec);
    if (top->order[top->n - 1] != 63) {
        for (k = 0; top->order[k] != 63; k++)
            continue;
        return err_set(ec, ERR_INVALID,
                       "tag 63 (CRC) must be the last data object, but tag "
                       "%02d follows it",
                       top->order[k + 1]);
    }
    if (crc->len != 4 || !all_hex(crc->val, 4))
        return err_set(ec, ERR_INVALID,
                       "tag 63 (CRC) is \"%.*s\", expected 4 hex digits",
                       clip(crc->len), crc->val);
    for (k = 0; k < 4; k++)
        out->crc[k] =
            crc->val[k] >= 'a' ? (char)(crc->val[k] - 'a' + 'A') : crc->val[k];
    (void)snprintf(want, sizeof(want), "%04X", vietqr_crc16(s, n - 4));
    if (strcmp(want, out->crc) != 0)
        return err_set(ec, ERR_INVALID,
                       "CRC mismatch: tag 63 says %s, the payload gives %s",
                       out->crc, want);
    return ERR_OK;
}

static enum err check_init(const struct level *top, struct vietqr *out,
                           struct err_ctx *ec)
{
    const struct tlv *t = &top->at[1];
    enum err e = need(top, 1, "point of initiation", ec);

    if (e != ERR_OK)
        return e;
    if (!tlv_is(t, "11") && !tlv_is(t, "12"))
        return err_set(ec, ERR_INVALID,
                       "tag 01 (point of initiation) is \"%.*s\", expected "
                       "\"11\" (static) or \"12\" (dynamic)",
                       clip(t->len), t->val);
    copy_val(out->init, sizeof(out->init), t);
    return ERR_OK;
}

static enum err check_beneficiary(const struct tlv *t, struct vietqr *out,
                                  struct err_ctx *ec)
{
    struct level lv = {.prefix = "38.01.", .within = "tag 38.01"};
    const struct tlv *bin = &lv.at[0], *acct = &lv.at[1];
    enum err e = parse_level(&lv, t->val, t->len, t->off + 4, ec);

    if (e == ERR_OK)
        e = only_ids(&lv, 1, ec);
    if (e == ERR_OK)
        e = need(&lv, 0, "bank BIN", ec);
    if (e == ERR_OK)
        e = need(&lv, 1, "account or card number", ec);
    if (e != ERR_OK)
        return e;
    if (bin->len != VIETQR_BIN_LEN || !all_digits(bin->val, bin->len))
        return err_set(ec, ERR_INVALID,
                       "tag 38.01.00 (bank BIN) is \"%.*s\", expected 6 digits",
                       clip(bin->len), bin->val);
    if (acct->len > VIETQR_ACCOUNT_MAX || !all_alnum(acct->val, acct->len))
        return err_set(ec, ERR_INVALID,
                       "tag 38.01.01 (account or card number) is \"%.*s\", "
                       "expected 1-19 letters or digits",
                       clip(acct->len), acct->val);
    copy_val(out->bin, sizeof(out->bin), bin);
    copy_val(out->account, sizeof(out->account), acct);
    return ERR_OK;
}

/* check_service: 38.02; a tag 02 at the top level is named when 38.02 is
 * missing, as that is where a misplaced service code lands. */
static enum err check_service(const struct level *lv, const struct level *top,
                              struct vietqr *out, struct err_ctx *ec)
{
    const struct tlv *t = &lv->at[2], *stray = &top->at[2];

    if (t->val == NULL && stray->val != NULL)
        return err_set(ec, ERR_INVALID,
                       "missing tag 38.02 (service code); the top-level tag "
                       "02 \"%.*s\" at offset %zu belongs inside tag 38",
                       clip(stray->len), stray->val, stray->off);
    if (t->val == NULL)
        return need(lv, 2, "service code", ec);
    if (t->len > VIETQR_SERVICE_MAX || !all_alnum(t->val, t->len))
        return err_set(ec, ERR_INVALID,
                       "tag 38.02 (service code) is \"%.*s\", expected 1-15 "
                       "letters or digits (QRIBFTTA, QRIBFTTC ...)",
                       clip(t->len), t->val);
    copy_val(out->service, sizeof(out->service), t);
    return ERR_OK;
}

static enum err check_napas(const struct level *top, struct vietqr *out,
                            struct err_ctx *ec)
{
    struct level lv = {.prefix = "38.", .within = "tag 38"};
    const struct tlv *t = &top->at[38];
    enum err e = need(top, 38, "NAPAS merchant account information", ec);

    if (e == ERR_OK)
        e = parse_level(&lv, t->val, t->len, t->off + 4, ec);
    if (e == ERR_OK)
        e = only_ids(&lv, 2, ec);
    if (e == ERR_OK)
        e = need_value(&lv, 0, "GUID", VIETQR_GUID, ec);
    if (e == ERR_OK)
        e = need(&lv, 1, "beneficiary", ec);
    if (e == ERR_OK)
        e = check_beneficiary(&lv.at[1], out, ec);
    if (e == ERR_OK)
        e = check_service(&lv, top, out, ec);
    return e;
}

/* check_money: 53 currency, 54 amount (optional), 58 country. */
static enum err check_money(const struct level *top, struct vietqr *out,
                            struct err_ctx *ec)
{
    const struct tlv *t = &top->at[54];
    const char *why;
    enum err e = need_value(top, 53, "currency", "704", ec);

    if (e == ERR_OK && t->val != NULL) {
        why = amount_problem(t->val, t->len, &out->amount_vnd);
        if (why != NULL)
            return err_set(ec, ERR_INVALID, "tag 54 (amount) \"%.*s\" %s",
                           clip(t->len), t->val, why);
    }
    if (e == ERR_OK)
        e = need_value(top, 58, "country code", "VN", ec);
    return e;
}

/* check_additional: 62, optional; 01..08 are at most 25 characters. */
static enum err check_additional(const struct level *top, struct vietqr *out,
                                 struct err_ctx *ec)
{
    struct level lv = {.prefix = "62.", .within = "tag 62"};
    const struct tlv *t = &top->at[62];
    enum err e;
    int id;

    if (t->val == NULL)
        return ERR_OK;
    e = parse_level(&lv, t->val, t->len, t->off + 4, ec);
    for (id = 1; e == ERR_OK && id <= 8; id++)
        if (lv.at[id].len > VIETQR_TEXT_MAX)
            return err_set(ec, ERR_INVALID,
                           "tag 62.%02d at offset %zu: %zu characters, at "
                           "most 25",
                           id, lv.at[id].off, lv.at[id].len);
    if (e == ERR_OK && lv.at[1].val != NULL)
        copy_val(out->bill, sizeof(out->bill), &lv.at[1]);
    if (e == ERR_OK && lv.at[8].val != NULL)
        copy_val(out->purpose, sizeof(out->purpose), &lv.at[8]);
    return e;
}

enum err vietqr_decode(const char *payload, struct vietqr *out,
                       struct err_ctx *ec)
{
    struct level top = {.prefix = "", .within = "the payload"};
    size_t n;
    enum err e;

    memset(out, 0, sizeof(*out));
    out->amount_vnd = -1;
    n = payload != NULL ? strnlen(payload, VIETQR_PAYLOAD_MAX + 1) : 0;
    if (n == 0)
        return err_set(ec, ERR_INVALID, "empty payload");
    if (n > VIETQR_PAYLOAD_MAX)
        return err_set(ec, ERR_INVALID, "payload longer than %d characters",
                       VIETQR_PAYLOAD_MAX);
    e = check_charset(payload, n, ec);
    if (e == ERR_OK)
        e = parse_level(&top, payload, n, 0, ec);
    if (e == ERR_OK)
        e = check_frame(&top, payload, n, out, ec);
    if (e == ERR_OK)
        e = check_init(&top, out, ec);
    if (e == ERR_OK)
        e = check_napas(&top, out, ec);
    if (e == ERR_OK)
        e = check_money(&top, out, ec);
    if (e == ERR_OK)
        e = check_additional(&top, out, ec);
    return e;
}

/* ---- JSON ---- */

enum err vietqr_to_json(const struct vietqr *q, cJSON **out)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;

    ok = ok && cJSON_AddStringToObject(o, "init", q->init) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "bank_bin", q->bin) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "account", q->account) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "service", q->service) != NULL;
    if (q->amount_vnd >= 0) /* exact: at most 13 digits < 2^53 */
        ok = ok && cJSON_AddNumberToObject(o, "amount",
                                           (double)q->amount_vnd) != NULL;
    else
        ok = ok && cJSON_AddNullToObject(o, "amount") != NULL;
    if (q->purpose[0] != '\0')
        ok = ok && cJSON_AddStringToObject(o, "purpose", q->purpose) != NULL;
    else
        ok = ok && cJSON_AddNullToObject(o, "purpose") != NULL;
    ok = ok && cJSON_AddStringToObject(o, "crc", q->crc) != NULL;
    *out = ok ? o : NULL;
    if (!ok)
        cJSON_Delete(o);
    return ok ? ERR_OK : ERR_NOMEM;
}
