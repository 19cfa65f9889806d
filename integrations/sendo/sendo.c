/* sendo.c: the Sendo Open API connector (see sendo.h, and README.md
 * beside this file for the choices made where Sendo's pages are
 * silent). */
#include "sendo/sendo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDERS_PAGE 50
#define VN_OFFSET_S (7 * 3600)
/* a login token lives 8 hours [SD-REG]; used when the answer omits it */
#define TOKEN_TTL_S (8 * 3600)
/* order_status_date_from/to may span at most 3 days [SD-ORDERS] */
#define ORDER_DAYS 3
/* sales order status "Cancelled" in Sendo's order status table */
#define SENDO_CANCELLED 13

static const char *shop_key(const struct mkt_shop *s)
{
    return s->app_key && s->app_key[0] ? s->app_key
                                       : (s->shop_ref ? s->shop_ref : "");
}

static enum err header(struct arena *a, struct mkt_req *r, struct err_ctx *ec,
                       const char *name, const char *value)
{
    char *h = arena_printf(a, "%s: %s", name, value);
    if (!h)
        return err_set(ec, ERR_NOMEM, "sendo: header");
    if (r->n_headers == MKT_MAX_HEADERS)
        return err_set(ec, ERR_INVALID, "sendo: too many headers");
    r->headers[r->n_headers++] = h;
    return ERR_OK;
}

/* request: method, api_base + path, the JSON body j (taken: deleted),
 * and the bearer token unless this is the login. */
static enum err request(struct arena *a, const struct mkt_call *c,
                        struct mkt_req *r, const char *method, const char *path,
                        cJSON *j, struct err_ctx *ec)
{
    int login = c->op == MKT_OP_TOKEN_CODE || c->op == MKT_OP_TOKEN_REFRESH;
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    enum err e = ERR_OK;

    cJSON_Delete(j);
    if (j && !s)
        return err_set(ec, ERR_NOMEM, "sendo: body");
    r->method = method;
    r->url = arena_printf(a, "%s%s", c->shop->api_base, path);
    r->body = s ? arena_strdup(a, s) : NULL;
    r->body_len = r->body ? strlen(r->body) : 0;
    cJSON_free(s);
    if (!r->url || (s && !r->body))
        return err_set(ec, ERR_NOMEM, "sendo: request");
    if (!login) {
        if (!c->shop->access_token || !c->shop->access_token[0])
            return err_set(ec, ERR_INVALID, "sendo: shop not logged in");
        char *auth = arena_printf(a, "bearer %s", c->shop->access_token);
        e = auth ? header(a, r, ec, "Authorization", auth)
                 : err_set(ec, ERR_NOMEM, "sendo: header");
    }
    if (!e && r->body)
        e = header(a, r, ec, "Content-Type", "application/json");
    return e ? e : header(a, r, ec, "Accept", "application/json");
}

/* build_login: Sendo has no code and no refresh token: both token
 * operations log in again with the shop's key and secret. */
static enum err build_login(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return err_set(ec, ERR_NOMEM, "sendo: login");
    (void)cJSON_AddStringToObject(j, "shop_key", shop_key(c->shop));
    (void)cJSON_AddStringToObject(
        j, "secret_key", c->shop->app_secret ? c->shop->app_secret : "");
    return request(a, c, r, "POST", "/login", j, ec);
}

/* id_value: an id as a JSON number when it is one, else as text. */
static cJSON *id_value(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s && !*end && v >= 0)
        return cJSON_CreateNumber((double)v);
    return cJSON_CreateString(s);
}


static cJSON *picture(const char *url)
{
    cJSON *p = cJSON_CreateObject();
    if (p)
        (void)cJSON_AddStringToObject(p, "picture_url", url);
    return p;
}

/* add_mapped: the mapping's attributes (brand_id, unit_id, ...) are
 * top-level product fields on Sendo; ours win on a clash. */
static void add_mapped(cJSON *j, const cJSON *attrs)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        if (a->string && !cJSON_HasObjectItem(j, a->string))
            (void)cJSON_AddItemToObject(j, a->string, cJSON_Duplicate(a, 1));
    }
}

/* product_id: the product call's id, 0 to create, > 0 to update; -1
 * when it is not one. */
static long long product_id(const struct mkt_call *c)
{
    const char *s = c->item->ext_item_id;
    char *end;
    long long id;

    if (c->op == MKT_OP_CREATE)
        return 0;
    id = strtoll(s, &end, 10);
    return s[0] && !*end && id > 0 ? id : -1;
}

static enum err check_product(const struct mkt_call *c, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    if (product_id(c) < 0)
        return err_set(ec, ERR_INVALID, "sendo: no product id yet");
    if (!it->category_id[0])
        return err_set(ec, ERR_INVALID, "sendo: no category mapped");
    if (it->n_images < 1)
        return err_set(ec, ERR_INVALID, "sendo: a photo is required");
    if (it->price_vnd <= 0 || it->weight_g <= 0)
        return err_set(ec, ERR_INVALID, "sendo: price and weight required");
    return ERR_OK;
}

/* build_product: CREATE (id 0) and UPDATE (id = the listing's) are the
 * same call, POST /api/partner/product with the whole product. Sendo's
 * product carries price and stock too, so UPDATE sends the item's
 * current ones: they are the catalog's, as PRICE and STOCK would send
 * them. stock_availability follows stock (Sendo refuses true at 0): the
 * engine never sends UPDATE for an unlisted listing, so this does not
 * put one back on sale. */
static enum err build_product(struct arena *a, const struct mkt_call *c,
                              struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    enum err e = check_product(c, ec);
    if (e)
        return e;
    char *desc = mkt_html_in(a, it->description);
    cJSON *j = cJSON_CreateObject(), *pics = cJSON_CreateArray();
    if (!desc || !j || !pics) {
        cJSON_Delete(j);
        cJSON_Delete(pics);
        return err_set(ec, ERR_NOMEM, "sendo: product body");
    }
    (void)cJSON_AddNumberToObject(j, "id", (double)product_id(c));
    (void)cJSON_AddStringToObject(j, "name", it->title);
    (void)cJSON_AddStringToObject(j, "sku", it->seller_sku);
    (void)cJSON_AddNumberToObject(j, "price", (double)it->price_vnd);
    (void)cJSON_AddNumberToObject(j, "stock_quantity",
                                  (double)(it->stock > 0 ? it->stock : 0));
    (void)cJSON_AddBoolToObject(j, "stock_availability", it->stock > 0);
    (void)cJSON_AddStringToObject(j, "description", desc);
    (void)cJSON_AddItemToObject(j, "cat_4_id", id_value(it->category_id));
    (void)cJSON_AddNumberToObject(j, "weight", (double)it->weight_g);
    (void)cJSON_AddItemToObject(j, "avatar", picture(it->image_urls[0]));
    for (int i = 0; i < it->n_images; i++)
        (void)cJSON_AddItemToArray(pics, picture(it->image_urls[i]));
    (void)cJSON_AddItemToObject(j, "pictures", pics);
    add_mapped(j, it->attributes);
    return request(a, c, r, "POST", "/api/partner/product", j, ec);
}

/* build_variant_price: PRICE, STOCK, UNLIST and RELIST are one call on
 * Sendo, which sets price, stock and availability together. Each sends
 * the catalog's current price and stock (safe: both are the catalog's
 * state now). Sendo documents no status field we could set instead, so
 * UNLIST takes the item off sale with stock_availability false, keeping
 * its stock_quantity (README). */
static enum err build_variant_price(struct arena *a, const struct mkt_call *c,
                                    struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    int on_sale = c->op != MKT_OP_UNLIST && it->stock > 0;
    cJSON *arr = cJSON_CreateArray(), *v = cJSON_CreateObject();

    if (!it->ext_item_id[0]) {
        cJSON_Delete(arr);
        cJSON_Delete(v);
        return err_set(ec, ERR_INVALID, "sendo: no product id yet");
    }
    if (!arr || !v) {
        cJSON_Delete(arr);
        cJSON_Delete(v);
        return err_set(ec, ERR_NOMEM, "sendo: price body");
    }
    (void)cJSON_AddItemToArray(arr, v);
    (void)cJSON_AddItemToObject(v, "product_id", id_value(it->ext_item_id));
    (void)cJSON_AddBoolToObject(v, "is_config_variant", 0);
    (void)cJSON_AddNumberToObject(v, "price", (double)it->price_vnd);
    (void)cJSON_AddNumberToObject(v, "stock_quantity",
                                  (double)(it->stock > 0 ? it->stock : 0));
    (void)cJSON_AddBoolToObject(v, "stock_availability", on_sale);
    return request(a, c, r, "PUT", "/api/partner/product/config/variant-price",
                   arr, ec);
}

static enum err build_find(struct arena *a, const struct mkt_call *c,
                           struct mkt_req *r, struct err_ctx *ec)
{
    const char *sku = mkt_urlenc(a, c->item->seller_sku);
    char *path =
        sku ? arena_printf(a, "/api/partner/product?sku=%s", sku) : NULL;
    if (!path)
        return err_set(ec, ERR_NOMEM, "sendo: find");
    return request(a, c, r, "GET", path, NULL, ec);
}

/* vn_date: Unix seconds as Sendo's "yyyy/MM/dd", Vietnam time. */
static void vn_date(int64_t t, char out[16])
{
    time_t vt = (time_t)(t + VN_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&vt, &tm)) {
        out[0] = '\0';
        return;
    }
    (void)strftime(out, 16, "%Y/%m/%d", &tm);
}

/* build_orders: by status date, whole days, at most ORDER_DAYS of them.
 * A longer window is cut to its most recent days: the engine polls
 * every few minutes, so only a shop that was off for days loses its
 * oldest orders, which its seller has handled by hand meanwhile. */
static enum err build_orders(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    char from[16], to[16];
    int64_t since = c->since, oldest = c->until - (ORDER_DAYS - 1) * 86400;
    cJSON *j = cJSON_CreateObject();

    if (!j)
        return err_set(ec, ERR_NOMEM, "sendo: orders");
    vn_date(since > oldest ? since : oldest, from);
    vn_date(c->until, to);
    (void)cJSON_AddNumberToObject(j, "page_size", ORDERS_PAGE);
    (void)cJSON_AddStringToObject(j, "order_status_date_from", from);
    (void)cJSON_AddStringToObject(j, "order_status_date_to", to);
    (void)cJSON_AddStringToObject(j, "token", c->cursor ? c->cursor : "");
    return request(a, c, r, "POST", "/api/partner/salesorder/search", j, ec);
}

static enum err sendo_build(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    memset(r, 0, sizeof *r);
    int item_op = c->op == MKT_OP_FIND || c->op == MKT_OP_CREATE ||
                  c->op == MKT_OP_PRICE || c->op == MKT_OP_STOCK ||
                  c->op == MKT_OP_UNLIST || c->op == MKT_OP_RELIST ||
                  c->op == MKT_OP_UPDATE;
    if (item_op && !c->item)
        return err_set(ec, ERR_INVALID, "sendo: item operation without item");
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: return build_login(a, c, r, ec);
    case MKT_OP_FIND: return build_find(a, c, r, ec);
    case MKT_OP_CREATE:
    case MKT_OP_UPDATE: return build_product(a, c, r, ec);
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
    case MKT_OP_UNLIST:
    case MKT_OP_RELIST: return build_variant_price(a, c, r, ec);
    case MKT_OP_ORDERS: return build_orders(a, c, r, ec);
    default: return err_set(ec, ERR_NOTFOUND, "sendo: no such operation");
    }
}

/* ---- answers ---- */

/* error_text: the envelope's error.message, then each error_details
 * entry as "property: message", joined by "; ". */
static void error_text(const cJSON *j, struct mkt_reply *out)
{
    const cJSON *err = cJSON_GetObjectItem(j, "error");
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(err, "message"));
    const cJSON *d;
    size_t n = 0;

    if (msg && msg[0])
        n = (size_t)snprintf(out->message, sizeof out->message, "%s", msg);
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(err, "error_details"))
    {
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(d, "message"));
        const char *prop =
            cJSON_GetStringValue(cJSON_GetObjectItem(d, "property_name"));
        if (!m || n + 3 >= sizeof out->message)
            continue;
        n += (size_t)snprintf(out->message + n, sizeof out->message - n,
                              "%s%s%s%s", n ? "; " : "", prop ? prop : "",
                              prop ? ": " : "", m);
    }
    if (!n)
        mkt_copy(out->message, sizeof out->message,
                 cJSON_GetStringValue(cJSON_GetObjectItem(err, "details")));
    const cJSON *code = cJSON_GetObjectItem(j, "status_code");
    if (cJSON_IsNumber(code))
        snprintf(out->code, sizeof out->code, "%.0f", code->valuedouble);
}

/* id_text: an id, bare or as {"id": …} (Sendo answers both ways). */
static void id_text(const cJSON *v, char *buf, size_t size)
{
    (void)mkt_json_text(cJSON_IsObject(v) ? cJSON_GetObjectItem(v, "id") : v,
                        buf, size);
}

/* iso_time: "2021-05-12T10:00:00[.fff](Z|+07:00)" as Unix seconds; 0
 * when it is not one. A time without zone is Vietnam time. */
static int64_t iso_time(const char *s)
{
    struct tm tm = {0};
    int used = 0, oh = 0, om = 0;
    char sign = 0;

    if (!s ||
        sscanf(s, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6)
        return 0;
    s += used;
    while (*s == '.' || (*s >= '0' && *s <= '9'))
        s++;
    int64_t off = VN_OFFSET_S;
    if (*s == 'Z')
        off = 0;
    else if (sscanf(s, "%c%d:%d", &sign, &oh, &om) == 3 &&
             (sign == '+' || sign == '-'))
        off = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - off;
}

static void parse_login(const struct mkt_call *c, const cJSON *res,
                        struct mkt_reply *out)
{
    const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(res, "token"));
    const cJSON *exp = cJSON_GetObjectItem(res, "expires");
    int64_t now = c->now_ms / 1000, at = 0;

    if (!tok || !tok[0]) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message,
                 "sendo: login answer without token");
        return;
    }
    if (cJSON_IsNumber(exp))
        at = exp->valuedouble > 1e12 ? (int64_t)(exp->valuedouble / 1000)
                                     : (int64_t)exp->valuedouble;
    else
        at = iso_time(cJSON_GetStringValue(exp));
    out->outcome = MKT_OK;
    mkt_copy(out->access_token, sizeof out->access_token, tok);
    out->access_expires_at = at > now ? at : now + TOKEN_TTL_S;
    mkt_copy(out->shop_ref, sizeof out->shop_ref, shop_key(c->shop));
}

static void parse_item_id(const struct mkt_call *c, const cJSON *res,
                          struct mkt_reply *out)
{
    if (cJSON_IsArray(res))
        res = cJSON_GetArrayItem(res, 0);
    id_text(res, out->ext_item_id, sizeof out->ext_item_id);
    if (out->ext_item_id[0] && strcmp(out->ext_item_id, "0") != 0) {
        out->outcome = MKT_OK;
        return;
    }
    out->ext_item_id[0] = '\0';
    /* FIND: nothing with this SKU. CREATE: an answer without the id. */
    out->outcome = c->op == MKT_OP_FIND ? MKT_NOT_FOUND : MKT_RETRY;
    mkt_copy(out->message, sizeof out->message,
             c->op == MKT_OP_FIND ? "no product with this SKU"
                                  : "sendo: create answer without id");
}

static cJSON *order_lines(const cJSON *details)
{
    cJSON *lines = cJSON_CreateArray();
    const cJSON *d;

    cJSON_ArrayForEach(d, details)
    {
        const char *sku = cJSON_GetStringValue(cJSON_GetObjectItem(d, "sku"));
        const cJSON *qty = cJSON_GetObjectItem(d, "quantity");
        const cJSON *price = cJSON_GetObjectItem(d, "price");
        cJSON *l = sku && sku[0] && cJSON_IsNumber(qty) && lines
                       ? cJSON_CreateObject()
                       : NULL;
        if (!l)
            continue; /* not one of ours, or unreadable: skipped */
        (void)cJSON_AddStringToObject(l, "seller_sku", sku);
        (void)cJSON_AddNumberToObject(l, "qty", qty->valuedouble);
        (void)cJSON_AddNumberToObject(
            l, "price_vnd", cJSON_IsNumber(price) ? price->valuedouble : 0);
        (void)cJSON_AddItemToArray(lines, l);
    }
    return lines;
}

static cJSON *order(const cJSON *o)
{
    const cJSON *so = cJSON_GetObjectItem(o, "sales_order");
    const cJSON *st = cJSON_GetObjectItem(so, "order_status");
    const cJSON *ts = cJSON_GetObjectItem(so, "order_date_time_stamp");
    char id[64], status[32];
    cJSON *out = cJSON_CreateObject();

    if (!out)
        return NULL;
    if (!cJSON_IsNumber(ts))
        ts = cJSON_GetObjectItem(so, "created_date_time_stamp");
    id_text(cJSON_GetObjectItem(so, "order_number"), id, sizeof id);
    id_text(st, status, sizeof status);
    (void)cJSON_AddStringToObject(out, "id", id);
    (void)cJSON_AddStringToObject(out, "status", status);
    (void)cJSON_AddNumberToObject(out, "created_at",
                                  cJSON_IsNumber(ts) ? ts->valuedouble : 0);
    (void)cJSON_AddBoolToObject(out, "cancelled",
                                cJSON_IsNumber(st) &&
                                    st->valuedouble == SENDO_CANCELLED);
    (void)cJSON_AddItemToObject(
        out, "lines", order_lines(cJSON_GetObjectItem(o, "sku_details")));
    return out;
}

static void parse_orders(const cJSON *res, struct mkt_reply *out)
{
    const cJSON *data = cJSON_GetObjectItem(res, "data");
    const cJSON *o;

    if (!cJSON_IsArray(data) && !cJSON_IsNull(data) && data) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message,
                 "sendo: order search without data");
        return;
    }
    out->orders = cJSON_CreateArray();
    if (!out->orders) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message, "out of memory");
        return;
    }
    cJSON_ArrayForEach(o, data)
    {
        cJSON *x = order(o);
        if (x)
            (void)cJSON_AddItemToArray(out->orders, x);
    }
    mkt_copy(out->cursor, sizeof out->cursor,
             cJSON_GetStringValue(cJSON_GetObjectItem(res, "next_token")));
    out->outcome = MKT_OK;
}

static int is_login(enum mkt_op op)
{
    return op == MKT_OP_TOKEN_CODE || op == MKT_OP_TOKEN_REFRESH;
}

/* status_of: the HTTP status, or for a 2xx answer the envelope's own
 * status_code when it reports a failure (Sendo sometimes answers 200
 * with status_code 401 inside). */
static long status_of(long http, const cJSON *j)
{
    const cJSON *sc = cJSON_GetObjectItem(j, "status_code");
    if (http >= 200 && http < 300 && cJSON_IsNumber(sc) &&
        sc->valuedouble >= 400 && sc->valuedouble < 600)
        return (long)sc->valuedouble;
    return http;
}

/* failed: the outcome of a refused call; 1 when it was refused. */
static int failed(const struct mkt_call *c, long st, const cJSON *j,
                  struct mkt_reply *out)
{
    const cJSON *ok = cJSON_GetObjectItem(j, "success");
    int retry = st == 429 || st >= 500 || st == 0;
    int refused = (st >= 400 && !retry) || cJSON_IsFalse(ok);

    if (!retry && is_login(c->op) && refused) {
        out->outcome = MKT_AUTH_REVOKED; /* wrong key or secret */
    } else if (mkt_reply_http(st, out)) {
        return 1;
    } else if (st == 404 && c->op != MKT_OP_ORDERS && c->op != MKT_OP_CREATE) {
        out->outcome = MKT_NOT_FOUND;
    } else if (refused) {
        out->outcome = MKT_INVALID;
    } else {
        return 0;
    }
    if (!out->message[0])
        snprintf(out->message, sizeof out->message, "HTTP %ld", st);
    return 1;
}

static void sendo_parse(const struct mkt_call *c, long http, const char *body,
                        size_t len, struct mkt_reply *out)
{
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    long st = status_of(http, j);

    memset(out, 0, sizeof *out);
    if (j)
        error_text(j, out);
    if (failed(c, st, j, out))
        goto out;
    out->message[0] = out->code[0] = '\0';
    if (!cJSON_IsObject(j)) {
        /* a cut answer: the call may or may not have been applied */
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message, "sendo: malformed answer");
        goto out;
    }
    const cJSON *res = cJSON_GetObjectItem(j, "result");
    if (is_login(c->op))
        parse_login(c, res, out);
    else if (c->op == MKT_OP_FIND || c->op == MKT_OP_CREATE)
        parse_item_id(c, res, out);
    else if (c->op == MKT_OP_ORDERS)
        parse_orders(res, out);
    else /* UPDATE answers the product id we sent: nothing new */
        out->outcome = MKT_OK;
out:
    cJSON_Delete(j);
}

/* ---- links ---- */

/* sendo_link: Sendo's product pages are slugs ending in the id; the
 * short form below is our approximation (README). */
static void sendo_link(const struct mkt_shop *s, const char *ext_item_id,
                       char *buf, size_t size)
{
    snprintf(buf, size, "%s/sp-%s", s->web_base, ext_item_id);
}

/* sendo_auth_url: no redirect flow; the seller types shop_key and
 * secret_key from ban.sendo.vn into our form. */
static void sendo_auth_url(const struct mkt_shop *s, const char *redirect,
                           const char *state, int64_t now_ms, char *buf,
                           size_t size)
{
    (void)s;
    (void)redirect;
    (void)state;
    (void)now_ms;
    if (size)
        buf[0] = '\0';
}

const struct mkt_connector sendo_connector = {
    .name = "sendo",
    .label = "Sendo",
    .api_base = "https://open.sendo.vn",
    .auth_base = "https://open.sendo.vn",
    .web_base = "https://www.sendo.vn",
    .ops = 1u << MKT_OP_TOKEN_CODE | 1u << MKT_OP_TOKEN_REFRESH |
           1u << MKT_OP_FIND | 1u << MKT_OP_CREATE | 1u << MKT_OP_PRICE |
           1u << MKT_OP_STOCK | 1u << MKT_OP_UNLIST | 1u << MKT_OP_RELIST |
           1u << MKT_OP_ORDERS | 1u << MKT_OP_UPDATE,
    /* undocumented; the login allows 5/s per IP [SD-REG], so the same */
    .rate_per_shop = 5,
    .build = sendo_build,
    .parse = sendo_parse,
    .link = sendo_link,
    .auth_url = sendo_auth_url,
};
