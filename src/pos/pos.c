/* pos.c: booth sales recorded exactly once (see pos.h). */
#include "pos/pos.h"

#include "stock/stk.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HASH_BYTES 32

int pos_valid_uuid(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    int g, i;

    if (s == NULL || strlen(s) != 36)
        return 0;
    for (g = 0; g < 5; g++) {
        for (i = 0; i < groups[g]; i++, s++)
            if (!isxdigit((unsigned char)*s))
                return 0;
        if (g < 4 && *s++ != '-')
            return 0;
    }
    return 1;
}

int pos_may_sell(struct db *db, const struct auth_principal *p,
                 int64_t booth_id)
{
    if (p->role == ROLE_ADMIN)
        return 1;
    if (p->role != ROLE_BOOTH)
        return 0;
    if (p->api_key_id != 0)
        return p->booth_id == booth_id;
    return stk_is_staff(db, booth_id, p->user_id);
}

/* --- reading -------------------------------------------------------------- */

static enum err add_lines(struct db *db, int64_t id, cJSON *sale,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT sku, name, qty, unit_price_vnd, discount_vnd, total_vnd,"
        " returned_qty FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(sale, "lines");

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "sku", db_text(st, 0));
        cJSON_AddStringToObject(l, "name", db_text(st, 1));
        cJSON_AddNumberToObject(l, "qty", (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(l, "unit_price_vnd", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(l, "discount_vnd", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(l, "total_vnd", (double)sqlite3_column_int64(st, 5));
        cJSON_AddNumberToObject(l, "returned_qty", (double)sqlite3_column_int64(st, 6));
        cJSON_AddItemToArray(arr, l);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

static const char sale_sql[] =
    "SELECT s.id, s.uuid, s.booth_id, l.name, s.staff, s.sold_at,"
    " s.received_at, s.subtotal_vnd, s.discount_vnd, s.total_vnd,"
    " s.payment_method, s.payment, s.status, s.receipt_token,"
    " EXISTS (SELECT 1 FROM stock_moves m JOIN stock_shortfalls f"
    " ON f.move_id = m.id WHERE m.ref = 'sale:' || s.id), s.is_sample"
    " FROM sales s JOIN locations l ON l.id = s.booth_id"
    " WHERE s.id = ?1 OR (?1 = 0 AND s.receipt_token = ?2)";

static cJSON *sale_row(sqlite3_stmt *st)
{
    cJSON *s = cJSON_CreateObject(), *booth, *pay;
    char url[80];

    cJSON_AddNumberToObject(s, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(s, "uuid", db_text(st, 1));
    booth = cJSON_AddObjectToObject(s, "booth");
    cJSON_AddNumberToObject(booth, "id", (double)sqlite3_column_int64(st, 2));
    cJSON_AddStringToObject(booth, "name", db_text(st, 3));
    cJSON_AddStringToObject(s, "staff", db_text(st, 4));
    cJSON_AddStringToObject(s, "sold_at", db_text(st, 5));
    cJSON_AddStringToObject(s, "received_at", db_text(st, 6));
    cJSON_AddNumberToObject(s, "subtotal_vnd", (double)sqlite3_column_int64(st, 7));
    cJSON_AddNumberToObject(s, "discount_vnd", (double)sqlite3_column_int64(st, 8));
    cJSON_AddNumberToObject(s, "total_vnd", (double)sqlite3_column_int64(st, 9));
    pay = cJSON_Parse(db_text(st, 11));
    if (!cJSON_IsObject(pay)) {
        cJSON_Delete(pay);
        pay = cJSON_CreateObject();
    }
    /* (Replacing a member that is not there would leak the new one.) */
    cJSON_DeleteItemFromObject(pay, "method");
    cJSON_AddStringToObject(pay, "method", db_text(st, 10));
    cJSON_AddItemToObject(s, "payment", pay);
    cJSON_AddStringToObject(s, "status", db_text(st, 12));
    (void)snprintf(url, sizeof(url), "/hoa-don/%s", db_text(st, 13));
    cJSON_AddStringToObject(s, "receipt_url", url);
    cJSON_AddBoolToObject(s, "shortfall", sqlite3_column_int(st, 14));
    cJSON_AddBoolToObject(s, "sample", sqlite3_column_int(st, 15));
    return s;
}

static enum err sale_by(struct db *db, int64_t id, const char *token,
                        cJSON **out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sale_sql, ec);
    cJSON *s;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    if (token != NULL)
        sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_sale_not_found", NULL,
                        "no such sale");
    }
    s = sale_row(st);
    id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    *out = s;
    return add_lines(db, id, s, ec);
}

enum err pos_sale_get(struct db *db, int64_t id, cJSON **out,
                      struct err_ctx *ec)
{
    return sale_by(db, id, NULL, out, ec);
}

enum err pos_receipt(struct db *db, const char *token, cJSON **out,
                     struct err_ctx *ec)
{
    if (token == NULL || strlen(token) != 32)
        return err_user(ec, ERR_NOTFOUND, "err_sale_not_found", NULL, "bad");
    return sale_by(db, 0, token, out, ec);
}

/* --- validating a sale ---------------------------------------------------- */

struct line {
    int64_t variant_id, qty, unit, discount, total;
    char sku[48], name[256];
};

struct sale_req {
    int64_t booth;
    struct line lines[POS_MAX_LINES];
    int n;
    int64_t subtotal, discount, total;
    const char *method;
    char *payment; /* JSON text, malloc'ed */
    char sold_at[40];
    int offline;
    char receipt[33]; /* the device's receipt token, or "" */
};

static int whole(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return 0;
    d = cJSON_GetNumberValue(v);
    if (d != floor(d) || d < (double)lo || d > (double)hi)
        return 0;
    *out = (int64_t)d;
    return 1;
}

static enum err find_variant(struct db *db, const char *sku, struct line *l,
                             int64_t *catalog_price, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT v.id, v.price_vnd, p.name FROM variants v"
        " JOIN products p ON p.id = v.product_id WHERE v.sku = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        l->variant_id = sqlite3_column_int64(st, 0);
        *catalog_price = sqlite3_column_type(st, 1) == SQLITE_NULL
                             ? -1
                             : sqlite3_column_int64(st, 1);
        (void)snprintf(l->name, sizeof(l->name), "%s", db_text(st, 2));
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_UNPROCESSABLE, "err_sale_sku", "sku",
                            "unknown SKU %s", sku);
}

static enum err parse_line(struct db *db, int64_t booth, const cJSON *j,
                           struct line *l, struct err_ctx *ec)
{
    const char *sku = cJSON_GetStringValue(cJSON_GetObjectItem(j, "sku"));
    const cJSON *disc = cJSON_GetObjectItem(j, "discount_vnd");
    int64_t price = -1;
    enum err e;

    if (sku == NULL || strlen(sku) >= sizeof(l->sku))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_sku", "sku", "no SKU");
    (void)snprintf(l->sku, sizeof(l->sku), "%s", sku);
    e = find_variant(db, sku, l, &price, ec);
    if (e != ERR_OK)
        return e;
    if (!stk_sells(db, booth, l->variant_id))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_not_here", "sku",
                        "%s is not sold at this booth", sku);
    if (!whole(cJSON_GetObjectItem(j, "qty"), 1, POS_MAX_QTY, &l->qty))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_qty", "qty",
                        "quantity must be 1..%d", POS_MAX_QTY);
    if (!whole(cJSON_GetObjectItem(j, "unit_price_vnd"), 0, 1000000000000LL,
               &l->unit) ||
        (price >= 0 && l->unit != price))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_price",
                        "unit_price_vnd", "price of %s is not the catalog's",
                        sku);
    l->discount = 0;
    if (disc != NULL && !whole(disc, 0, l->qty * l->unit, &l->discount))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_discount",
                        "discount_vnd", "discount must be 0..line total");
    l->total = l->qty * l->unit - l->discount;
    return ERR_OK;
}

static enum err parse_lines(struct db *db, const cJSON *body,
                            struct sale_req *r, struct err_ctx *ec)
{
    const cJSON *lines = cJSON_GetObjectItem(body, "lines"), *j;
    enum err e = ERR_OK;

    if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) < 1 ||
        cJSON_GetArraySize(lines) > POS_MAX_LINES)
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_lines", "lines",
                        "a sale needs 1..%d lines", POS_MAX_LINES);
    r->n = 0;
    r->subtotal = r->discount = 0;
    for (j = lines->child; j != NULL && e == ERR_OK; j = j->next) {
        struct line *l = &r->lines[r->n++];
        e = parse_line(db, r->booth, j, l, ec);
        r->subtotal += l->qty * l->unit;
        r->discount += l->discount;
    }
    r->total = r->subtotal - r->discount;
    return e;
}

static const char *const methods[] = {"cash", "vietqr", "card", "other"};

/* parse_payment: the method and what the tablet recorded about it: cash
 * tendered (change computed here), a VietQR transfer that staff confirmed
 * as received, a card or other reference. */
static enum err parse_payment(const cJSON *body, struct sale_req *r,
                              struct err_ctx *ec)
{
    const cJSON *pay = cJSON_GetObjectItem(body, "payment");
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(pay, "method"));
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItem(pay, "ref"));
    const cJSON *tendered = cJSON_GetObjectItem(pay, "tendered_vnd");
    cJSON *out;
    int64_t t = 0;
    size_t i;

    r->method = NULL;
    for (i = 0; m != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcmp(m, methods[i]) == 0)
            r->method = methods[i];
    if (r->method == NULL)
        return err_user(ec, ERR_UNPROCESSABLE, "err_payment_method",
                        "payment.method", "cash, vietqr, card or other");
    if (tendered != NULL && (!whole(tendered, 0, 1000000000000LL, &t) ||
                             t < r->total))
        return err_user(ec, ERR_UNPROCESSABLE, "err_payment_tendered",
                        "payment.tendered_vnd", "less than the total");
    if (strcmp(r->method, "vietqr") == 0 &&
        !cJSON_IsTrue(cJSON_GetObjectItem(pay, "confirmed")))
        return err_user(ec, ERR_UNPROCESSABLE, "err_payment_unconfirmed",
                        "payment.confirmed", "transfer not confirmed");
    if (ref != NULL && strlen(ref) > 300)
        return err_user(ec, ERR_UNPROCESSABLE, "err_payment_ref",
                        "payment.ref", "reference too long");
    out = cJSON_CreateObject();
    if (tendered != NULL) {
        cJSON_AddNumberToObject(out, "tendered_vnd", (double)t);
        cJSON_AddNumberToObject(out, "change_vnd", (double)(t - r->total));
    }
    if (ref != NULL)
        cJSON_AddStringToObject(out, "ref", ref);
    if (strcmp(r->method, "vietqr") == 0)
        cJSON_AddTrueToObject(out, "confirmed");
    r->payment = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return r->payment ? ERR_OK : ERR_NOMEM;
}

/* iso_time: YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM], nothing else. */
static int iso_time(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd";
    size_t i;

    for (i = 0; pat[i] != '\0'; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return 0;
    s += i;
    if (s[0] == ':' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]))
        s += 3;
    if (s[0] == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            ;
    if (s[0] == 'Z')
        return s[1] == '\0';
    if ((s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2]) && s[3] == ':' &&
        isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]))
        return s[6] == '\0';
    return s[0] == '\0';
}

/* parse_sold_at: an ISO 8601 time, not more than 10 minutes ahead of the
 * server (a tablet's clock may drift; an offline sale may be old). */
static enum err parse_sold_at(const cJSON *body, struct sale_req *r,
                              struct err_ctx *ec)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(body, "sold_at"));
    struct tm tm = {0}, *now_tm;
    time_t now = time(NULL), t, limit = now + 600;
    char limit_s[40];
    int y, mo, d, h, mi;

    if (s == NULL) {
        now_tm = gmtime(&now);
        (void)strftime(r->sold_at, sizeof(r->sold_at), "%Y-%m-%dT%H:%M:%SZ",
                       now_tm);
        return ERR_OK;
    }
    if (strlen(s) >= sizeof(r->sold_at) || !iso_time(s) ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
        return err_user(ec, ERR_UNPROCESSABLE, "err_sold_at", "sold_at",
                        "sold_at must be an ISO 8601 time");
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    t = timegm(&tm);
    (void)strftime(limit_s, sizeof(limit_s), "%Y-%m-%dT%H:%M", gmtime(&limit));
    if (t - 14 * 3600 > limit) /* +14:00 is the furthest time zone */
        return err_user(ec, ERR_UNPROCESSABLE, "err_sold_at", "sold_at",
                        "sold_at is in the future (after %s)", limit_s);
    (void)snprintf(r->sold_at, sizeof(r->sold_at), "%s", s);
    return ERR_OK;
}

/* parse_receipt: a device that prints the receipt before the sale is
 * synced chooses its token (32 lower-case hex digits, random), so the
 * printed QR code works once the sale arrives. */
static enum err parse_receipt(const cJSON *body, struct sale_req *r,
                              struct err_ctx *ec)
{
    const cJSON *v = cJSON_GetObjectItem(body, "receipt_token");
    const char *s = cJSON_GetStringValue(v);
    size_t i;

    r->receipt[0] = '\0';
    if (v == NULL)
        return ERR_OK;
    for (i = 0; s != NULL && s[i] != '\0'; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            break;
    if (s == NULL || i != 32 || s[i] != '\0')
        return err_user(ec, ERR_UNPROCESSABLE, "err_receipt_token",
                        "receipt_token", "32 lower-case hex digits");
    (void)snprintf(r->receipt, sizeof(r->receipt), "%s", s);
    return ERR_OK;
}

static enum err parse_sale(struct db *db, const struct auth_principal *who,
                           const cJSON *body, struct sale_req *r,
                           struct err_ctx *ec)
{
    enum err e;

    if (!cJSON_IsObject(body))
        return err_user(ec, ERR_INVALID, "err_json_object", NULL, "not JSON");
    if (!whole(cJSON_GetObjectItem(body, "booth"), 1, INT64_MAX / 2, &r->booth))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_booth", "booth",
                        "booth must be a place id");
    if (!pos_may_sell(db, who, r->booth))
        return err_user(ec, ERR_FORBIDDEN, "err_not_your_booth", "booth",
                        "may not sell at booth %lld", (long long)r->booth);
    r->offline = cJSON_IsTrue(cJSON_GetObjectItem(body, "offline"));
    e = parse_receipt(body, r, ec);
    if (e == ERR_OK)
        e = parse_lines(db, body, r, ec);
    if (e == ERR_OK)
        e = parse_payment(body, r, ec);
    if (e == ERR_OK)
        e = parse_sold_at(body, r, ec);
    return e;
}

/* --- recording a sale ----------------------------------------------------- */

struct sale_job {
    const struct auth_principal *who;
    const char *ip, *key;
    unsigned char hash[HASH_BYTES];
    struct sale_req *req;
    int64_t id;
    int replayed;
};

/* prior: a sale already recorded under the key: the same request (a
 * retry) gives its id, another request is a conflict. */
static enum err prior(struct db *db, struct sale_job *j, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, request_hash FROM sales WHERE uuid = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found, same = 0;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, j->key, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        j->id = sqlite3_column_int64(st, 0);
        same = sqlite3_column_bytes(st, 1) == HASH_BYTES &&
               memcmp(sqlite3_column_blob(st, 1), j->hash, HASH_BYTES) == 0;
    }
    sqlite3_reset(st);
    if (found && !same)
        return err_user(ec, ERR_CONFLICT, "err_idem_conflict",
                        "Idempotency-Key", "key %s was used for another sale",
                        j->key);
    j->replayed = found;
    return ERR_OK;
}

static enum err insert_sale(struct db *db, struct sale_job *j,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sales (uuid, request_hash, booth_id, staff, user_id,"
        " sold_at, subtotal_vnd, discount_vnd, total_vnd, payment_method,"
        " payment, receipt_token) VALUES (lower(?1), ?2, ?3, ?4, nullif(?5, 0),"
        " ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    const struct sale_req *r = j->req;
    unsigned char raw[16];
    char token[33];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
    if (r->receipt[0] != '\0')
        memcpy(token, r->receipt, sizeof(token));
    sqlite3_bind_text(st, 1, j->key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, j->hash, HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->booth);
    sqlite3_bind_text(st, 4, j->who->username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, j->who->user_id);
    sqlite3_bind_text(st, 6, r->sold_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, r->subtotal);
    sqlite3_bind_int64(st, 8, r->discount);
    sqlite3_bind_int64(st, 9, r->total);
    sqlite3_bind_text(st, 10, r->method, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->payment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, token, -1, SQLITE_TRANSIENT);
    e = db_exec(db, st, ec);
    if (e == ERR_DB && sqlite3_extended_errcode(db_handle(db)) ==
                           SQLITE_CONSTRAINT_UNIQUE)
        return err_user(ec, ERR_CONFLICT, "err_receipt_token", "receipt_token",
                        "receipt token already used");
    j->id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

static enum err insert_line(struct db *db, struct sale_job *j, int i,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sale_lines (sale_id, line_no, variant_id, sku, name, qty,"
        " unit_price_vnd, discount_vnd, total_vnd)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    const struct line *l = &j->req->lines[i];
    struct actor a = auth_actor(j->who, j->ip);
    struct stk_move m = {0};
    char ref[32];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_int(st, 2, i + 1);
    sqlite3_bind_int64(st, 3, l->variant_id);
    sqlite3_bind_text(st, 4, l->sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, l->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, l->qty);
    sqlite3_bind_int64(st, 7, l->unit);
    sqlite3_bind_int64(st, 8, l->discount);
    sqlite3_bind_int64(st, 9, l->total);
    e = db_exec(db, st, ec);
    if (e != ERR_OK)
        return e;
    (void)snprintf(ref, sizeof(ref), "sale:%lld", (long long)j->id);
    m = (struct stk_move){l->variant_id, j->req->booth, -l->qty, STK_SALE, NULL,
                          ref, j->req->sold_at, l->unit, j->req->offline};
    return stk_record(db, &a, &m, NULL, ec);
}

static enum err sale_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct sale_job *j = cls;
    enum err e = prior(db, j, ec);
    int i;

    if (e != ERR_OK || j->replayed)
        return e;
    e = insert_sale(db, j, ec);
    for (i = 0; e == ERR_OK && i < j->req->n; i++)
        e = insert_line(db, j, i, ec);
    return e;
}

/* may_sell_in: the booth the body names is one the caller may sell at. */
static enum err may_sell_in(struct db *db, const struct auth_principal *who,
                            const cJSON *body, struct err_ctx *ec)
{
    int64_t booth;

    if (!cJSON_IsObject(body))
        return err_user(ec, ERR_INVALID, "err_json_object", NULL, "not JSON");
    if (!whole(cJSON_GetObjectItem(body, "booth"), 1, INT64_MAX / 2, &booth))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sale_booth", "booth",
                        "booth must be a place id");
    if (!pos_may_sell(db, who, booth))
        return err_user(ec, ERR_FORBIDDEN, "err_not_your_booth", "booth",
                        "may not sell at booth %lld", (long long)booth);
    return ERR_OK;
}

enum err pos_sale(struct db *db, const struct auth_principal *who,
                  const char *ip, const char *idem_key, const char *body,
                  size_t len, cJSON **out, int *replayed, struct err_ctx *ec)
{
    struct sale_job job = {who, ip, idem_key, {0}, NULL, 0, 0};
    char key[40] = "";
    struct sale_req *req = calloc(1, sizeof(*req));
    cJSON *json = NULL;
    enum err e = req ? ERR_OK : ERR_NOMEM;

    *out = NULL;
    *replayed = 0;
    if (e == ERR_OK) {
        json = cJSON_ParseWithLength(body, len);
        e = may_sell_in(db, who, json, ec); /* who may, before what */
    }
    if (e == ERR_OK && !pos_valid_uuid(idem_key))
        e = err_user(ec, ERR_INVALID, "err_idem_key", "Idempotency-Key",
                     "Idempotency-Key must be a UUID");
    if (e == ERR_OK) { /* UUIDs are case-insensitive: one form for lookups */
        size_t i;
        for (i = 0; i < sizeof(key) - 1 && idem_key[i] != '\0'; i++)
            key[i] = (char)tolower((unsigned char)idem_key[i]);
        key[i] = '\0';
        job.key = key;
    }
    if (e == ERR_OK) {
        crypto_generichash(job.hash, HASH_BYTES, (const unsigned char *)body,
                           len, NULL, 0);
        job.req = req;
        e = parse_sale(db, who, json, req, ec);
    }
    /* A retry of a recorded sale is answered even if the catalog changed
     * since (a price, a SKU): only the key and the body decide. */
    if (e == ERR_UNPROCESSABLE && prior(db, &job, NULL) == ERR_OK && job.replayed)
        e = ERR_OK;
    else if (e == ERR_OK)
        e = db_tx_run(db, "sale", sale_tx, &job, ec);
    if (e == ERR_OK)
        e = pos_sale_get(db, job.id, out, ec);
    *replayed = job.replayed;
    cJSON_Delete(json);
    if (req != NULL)
        free(req->payment);
    free(req);
    return e;
}

/* --- voids and returns ---------------------------------------------------- */

struct undo_job {
    const struct auth_principal *who;
    const char *ip, *reason;
    int64_t sale_id;
    const cJSON *lines; /* NULL: void the whole sale */
};

static enum err sale_state(struct db *db, struct undo_job *j, int64_t *booth,
                           struct err_ctx *ec)
{
    static const char sql[] = "SELECT booth_id, status FROM sales WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found, voided = 0;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, j->sale_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *booth = sqlite3_column_int64(st, 0);
        voided = strcmp(db_text(st, 1), "voided") == 0;
    }
    sqlite3_reset(st);
    if (!found)
        return err_user(ec, ERR_NOTFOUND, "err_sale_not_found", NULL, "none");
    if (!pos_may_sell(db, j->who, *booth))
        return err_user(ec, ERR_FORBIDDEN, "err_not_your_booth", NULL, "booth");
    if (voided)
        return err_user(ec, ERR_CONFLICT, "err_sale_voided", NULL, "voided");
    if (j->reason == NULL || j->reason[0] == '\0' || strlen(j->reason) > 500)
        return err_user(ec, ERR_UNPROCESSABLE, "err_reason", "reason",
                        "a reason is required");
    return ERR_OK;
}

/* give_back: returns qty of a line to stock and counts it as returned. */
static enum err give_back(struct db *db, struct undo_job *j, int64_t booth,
                          const char *sku, int64_t qty, enum stk_kind kind,
                          int64_t *amount, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sale_lines SET returned_qty = returned_qty + ?3"
        " WHERE sale_id = ?1 AND sku = ?2 AND returned_qty + ?3 <= qty"
        " RETURNING variant_id, unit_price_vnd, discount_vnd, qty";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    struct actor a = auth_actor(j->who, j->ip);
    struct stk_move m = {0};
    char ref[32];
    int64_t variant = 0, unit = 0, disc = 0, line_qty = 1;
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, j->sale_id);
    sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, qty);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        variant = sqlite3_column_int64(st, 0);
        unit = sqlite3_column_int64(st, 1);
        disc = sqlite3_column_int64(st, 2);
        line_qty = sqlite3_column_int64(st, 3);
        (void)sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (!found)
        return err_user(ec, ERR_UNPROCESSABLE, "err_return_qty", "lines",
                        "more than was sold of %s", sku);
    *amount += qty * unit - disc * qty / line_qty;
    (void)snprintf(ref, sizeof(ref), "sale:%lld", (long long)j->sale_id);
    m = (struct stk_move){variant, booth, qty, kind, j->reason, ref, NULL, unit, 0};
    return stk_record(db, &a, &m, NULL, ec);
}

static enum err add_event(struct db *db, struct undo_job *j, const char *kind,
                          const cJSON *lines, int64_t amount, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sale_events (sale_id, kind, reason, lines, amount_vnd,"
        " actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char *text = lines ? cJSON_PrintUnformatted(lines) : NULL;
    enum err e;

    if (st == NULL) {
        cJSON_free(text);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, j->sale_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, text ? text : "[]", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, amount);
    sqlite3_bind_text(st, 6, j->who->username, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    cJSON_free(text);
    return e;
}

static enum err void_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char lines_sql[] =
        "SELECT sku, qty - returned_qty FROM sale_lines"
        " WHERE sale_id = ?1 AND qty > returned_qty ORDER BY line_no";
    static const char mark_sql[] =
        "UPDATE sales SET status = 'voided' WHERE id = ?1";
    struct undo_job *j = cls;
    cJSON *remaining = cJSON_CreateArray(), *l;
    sqlite3_stmt *st;
    int64_t booth = 0, amount = 0;
    enum err e = sale_state(db, j, &booth, ec);

    st = e == ERR_OK ? db_stmt(db, lines_sql, ec) : NULL;
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, j->sale_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "sku", db_text(st, 0));
            cJSON_AddNumberToObject(o, "qty", (double)sqlite3_column_int64(st, 1));
            cJSON_AddItemToArray(remaining, o);
        }
        sqlite3_reset(st);
    }
    for (l = remaining->child; e == ERR_OK && l != NULL; l = l->next)
        e = give_back(db, j, booth, cJSON_GetStringValue(cJSON_GetObjectItem(l, "sku")),
                      (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(l, "qty")),
                      STK_VOID, &amount, ec);
    st = e == ERR_OK ? db_stmt(db, mark_sql, ec) : NULL;
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, j->sale_id);
        e = db_exec(db, st, ec);
    }
    if (e == ERR_OK)
        e = add_event(db, j, "void", remaining, amount, ec);
    cJSON_Delete(remaining);
    return e;
}

enum err pos_void(struct db *db, const struct auth_principal *who,
                  const char *ip, int64_t sale_id, const char *reason,
                  struct err_ctx *ec)
{
    struct undo_job j = {who, ip, reason, sale_id, NULL};

    return db_tx_run(db, "void", void_tx, &j, ec);
}

static enum err return_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct undo_job *j = cls;
    const cJSON *l;
    int64_t booth = 0, amount = 0, qty;
    enum err e = sale_state(db, j, &booth, ec);

    if (e == ERR_OK && (!cJSON_IsArray(j->lines) || cJSON_GetArraySize(j->lines) < 1))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_return_lines", "lines",
                     "which lines are returned?");
    for (l = j->lines ? j->lines->child : NULL; e == ERR_OK && l != NULL;
         l = l->next) {
        const char *sku = cJSON_GetStringValue(cJSON_GetObjectItem(l, "sku"));
        if (sku == NULL || !whole(cJSON_GetObjectItem(l, "qty"), 1, POS_MAX_QTY, &qty))
            e = err_user(ec, ERR_UNPROCESSABLE, "err_return_qty", "lines",
                         "each line needs a SKU and a quantity");
        else
            e = give_back(db, j, booth, sku, qty, STK_RETURN, &amount, ec);
    }
    if (e == ERR_OK)
        e = add_event(db, j, "return", j->lines, amount, ec);
    return e;
}

enum err pos_return(struct db *db, const struct auth_principal *who,
                    const char *ip, int64_t sale_id, const cJSON *lines,
                    const char *reason, struct err_ctx *ec)
{
    struct undo_job j = {who, ip, reason, sale_id, lines};

    return db_tx_run(db, "return", return_tx, &j, ec);
}

/* --- lists and reports ---------------------------------------------------- */

enum err pos_sales(struct db *db, int64_t booth_id, const char *since,
                   cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id FROM sales WHERE booth_id = ?1"
        " AND (?2 IS NULL OR received_at >= ?2 OR sold_at >= ?2)"
        " ORDER BY id LIMIT 5000";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray(), *ids = cJSON_CreateArray(), *id;
    enum err e = ERR_OK;

    *out = NULL;
    if (st == NULL) {
        cJSON_Delete(arr);
        cJSON_Delete(ids);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, booth_id);
    if (since != NULL)
        sqlite3_bind_text(st, 2, since, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)sqlite3_column_int64(st, 0)));
    sqlite3_reset(st);
    for (id = ids->child; id != NULL && e == ERR_OK; id = id->next) {
        cJSON *s = NULL;
        e = pos_sale_get(db, (int64_t)cJSON_GetNumberValue(id), &s, ec);
        if (e == ERR_OK)
            cJSON_AddItemToArray(arr, s);
    }
    cJSON_Delete(ids);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

static enum err z_rows(struct db *db, const char *sql, int64_t booth,
                       const char *day, cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, booth);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "key", db_text(st, 0));
        cJSON_AddNumberToObject(r, "count", (double)sqlite3_column_int64(st, 1));
        cJSON_AddNumberToObject(r, "total_vnd", (double)sqlite3_column_int64(st, 2));
        cJSON_AddItemToArray(arr, r);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

/* The day is Vietnam's: sold_at shifted by +7 hours. */
#define Z_DAY " AND date(s.sold_at, '+7 hours') = ?2"

/* z_staff_method: the day's completed sales per staff member and method. */
static enum err z_staff_method(struct db *db, int64_t booth, const char *day,
                               cJSON *arr, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.staff, s.payment_method, count(*), sum(s.total_vnd)"
        " FROM sales s WHERE s.booth_id = ?1 AND s.status = 'completed'" Z_DAY
        " GROUP BY 1, 2 ORDER BY 1, 2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, booth);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "staff", db_text(st, 0));
        cJSON_AddStringToObject(o, "method", db_text(st, 1));
        cJSON_AddNumberToObject(o, "count",
                                (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(o, "total_vnd",
                                (double)sqlite3_column_int64(st, 3));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

/* z_counts: the booth's closing counts (pos_counts) of the day. */
static enum err z_counts(struct db *db, int64_t booth, const char *day,
                         cJSON *arr, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, at, actor, reason, lines FROM pos_counts"
        " WHERE location_id = ?1 AND date(at, '+7 hours') = ?2 ORDER BY id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, booth);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject(), *lines = cJSON_Parse(db_text(st, 4));
        cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "at", db_text(st, 1));
        cJSON_AddStringToObject(o, "actor", db_text(st, 2));
        cJSON_AddStringToObject(o, "reason", db_text(st, 3));
        cJSON_AddItemToObject(o, "lines", lines ? lines : cJSON_CreateArray());
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

/* z_more: totals, voided sales, per staff and method, closing counts. */
static enum err z_more(struct db *db, int64_t booth, const char *day, cJSON *r,
                       struct err_ctx *ec)
{
    static const char totals[] =
        "SELECT 'completed', count(*), coalesce(sum(s.total_vnd), 0)"
        " FROM sales s WHERE s.booth_id = ?1 AND s.status = 'completed'" Z_DAY
        " UNION ALL SELECT 'voided', count(*), coalesce(sum(s.total_vnd), 0)"
        " FROM sales s WHERE s.booth_id = ?1 AND s.status = 'voided'" Z_DAY;
    enum err e =
        z_rows(db, totals, booth, day, cJSON_AddArrayToObject(r, "totals"), ec);

    if (e == ERR_OK)
        e = z_staff_method(db, booth, day,
                           cJSON_AddArrayToObject(r, "by_staff_method"), ec);
    if (e == ERR_OK)
        e = z_counts(db, booth, day, cJSON_AddArrayToObject(r, "counts"), ec);
    return e;
}

enum err pos_z_report(struct db *db, int64_t booth_id, const char *day,
                      cJSON **out, struct err_ctx *ec)
{
    static const char by_method[] =
        "SELECT s.payment_method, count(*), sum(s.total_vnd) FROM sales s"
        " WHERE s.booth_id = ?1 AND s.status = 'completed'" Z_DAY
        " GROUP BY 1 ORDER BY 1";
    static const char by_staff[] =
        "SELECT s.staff, count(*), sum(s.total_vnd) FROM sales s"
        " WHERE s.booth_id = ?1 AND s.status = 'completed'" Z_DAY
        " GROUP BY 1 ORDER BY 1";
    static const char events[] =
        "SELECT e.kind, count(*), sum(e.amount_vnd) FROM sale_events e"
        " JOIN sales s ON s.id = e.sale_id WHERE s.booth_id = ?1" Z_DAY
        " GROUP BY 1 ORDER BY 1";
    cJSON *r = cJSON_CreateObject();
    enum err e;

    cJSON_AddNumberToObject(r, "booth", (double)booth_id);
    cJSON_AddStringToObject(r, "day", day);
    e = z_rows(db, by_method, booth_id, day, cJSON_AddArrayToObject(r, "by_method"), ec);
    if (e == ERR_OK)
        e = z_rows(db, by_staff, booth_id, day, cJSON_AddArrayToObject(r, "by_staff"), ec);
    if (e == ERR_OK)
        e = z_rows(db, events, booth_id, day, cJSON_AddArrayToObject(r, "voids_returns"), ec);
    if (e == ERR_OK)
        e = z_more(db, booth_id, day, r, ec);
    if (e != ERR_OK) {
        cJSON_Delete(r);
        return e;
    }
    *out = r;
    return ERR_OK;
}
