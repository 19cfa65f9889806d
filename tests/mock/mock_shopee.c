/* mock_shopee.c: Shopee Open Platform v2 as the mock marketplace speaks it
 * (protocol: integrations/shopee/README.md).
 * Owns: the checks every call gets (partner_id known, timestamp within
 *   300 s, sign recomputed for the path's API type: Public partner_id +
 *   path + timestamp, Shop + access_token + shop_id; a live access token
 *   of that very shop), the envelope {request_id, error, message,
 *   warning, response}, the token calls (their fields at the top level,
 *   as Shopee answers them), the authorisation page, and the product,
 *   media and order endpoints the connector uses (update_item changes an
 *   item's title and image count).
 * Does not own: the state, tokens, faults (mock.c).
 * Choices the documentation leaves open: HTTP 400 for error_param and
 *   data errors, 403 for error_sign / error_auth, 404 for an unknown path.
 *   upload_image is a Public call (no shop), and Shopee's media space
 *   belongs to the partner, so uploads are counted on a pseudo-shop
 *   "media_space"; an image id is 16 hex digits of the upload number and
 *   16 of its HMAC under the app secret, so add_item can tell ids this
 *   mock issued without keeping a list. */
#include "mock.h"

#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARKET "shopee"
#define MEDIA_SHOP "media_space"
#define DEFAULT_SHOP "demo-shopee"
#define TS_WINDOW_S 300
#define ORDER_SPAN_S (15 * 86400)
#define MAX_IMAGE_BYTES (10 * 1024 * 1024)

/* One request being answered. */
struct ctx {
    const struct mock_req *rq;
    struct mock_resp *rs;
    const char *partner_id;
    const char *secret;
    struct mock_shop *shop; /* Shop API: the token's shop */
    cJSON *body;            /* POST JSON body, or NULL */
};

/* ---- answers ---- */

static void add_request_id(cJSON *j)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    char id[33];

    randombytes_buf(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) {
        id[2 * i] = hex[b[i] >> 4];
        id[2 * i + 1] = hex[b[i] & 15];
    }
    id[32] = '\0';
    (void)cJSON_AddStringToObject(j, "request_id", id);
}

/* reply: the envelope; response (taken) may be NULL. */
static void reply(struct ctx *x, int status, const char *error,
                  const char *message, cJSON *response)
{
    cJSON *j = cJSON_CreateObject();

    add_request_id(j);
    (void)cJSON_AddStringToObject(j, "error", error);
    (void)cJSON_AddStringToObject(j, "message", message);
    (void)cJSON_AddStringToObject(j, "warning", "");
    if (response && !cJSON_AddItemToObject(j, "response", response))
        cJSON_Delete(response);
    mock_json(x->rs, status, j);
}

static void fail(struct ctx *x, const char *error, const char *message)
{
    int status = 400;

    if (strcmp(error, "error_auth") == 0 || strcmp(error, "error_sign") == 0)
        status = 403;
    else if (strcmp(error, "error_not_found") == 0)
        status = 404;
    reply(x, status, error, message, NULL);
}

static void ok(struct ctx *x, cJSON *response)
{
    reply(x, 200, "", "", response);
}

/* ok_top: token answers carry their fields at the top level. */
static void ok_top(struct ctx *x, cJSON *j)
{
    add_request_id(j);
    (void)cJSON_AddStringToObject(j, "error", "");
    (void)cJSON_AddStringToObject(j, "message", "");
    mock_json(x->rs, 200, j);
}

/* ---- reading requests ---- */

static const char *qstr(const struct ctx *x, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(x->rq->query, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* int_text: a decimal integer, wholly; 0 when it is not one. */
static int int_text(const char *s, int64_t *out)
{
    char *end = NULL;

    if (s == NULL || *s == '\0')
        return 0;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* jtext: a string, or an integral number, as text ("" otherwise). */
static const char *jtext(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble)) {
        snprintf(buf, size, "%.0f", v->valuedouble);
        return buf;
    }
    return "";
}

static const cJSON *bget(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static double bnum(const cJSON *o, const char *name, double dflt)
{
    const cJSON *v = bget(o, name);

    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* ---- image ids ---- */

static void image_id(const char *secret, int64_t n, char out[33])
{
    char msg[48], mac[65];
    int len = snprintf(msg, sizeof msg, "shopee-image:%" PRId64, n);

    mock_hmac_hex(secret, msg, (size_t)len, mac, 0);
    snprintf(out, 33, "%016" PRIx64 "%.16s", (uint64_t)n, mac);
}

static int image_known(const char *secret, const char *id)
{
    char want[33], head[17];
    uint64_t n;

    if (id == NULL || strlen(id) != 32)
        return 0;
    memcpy(head, id, 16);
    head[16] = '\0';
    n = strtoull(head, NULL, 16);
    image_id(secret, (int64_t)n, want);
    return strcmp(want, id) == 0;
}

/* ---- auth ---- */

/* body_partner_ok: token calls repeat partner_id in the body. */
static int body_partner_ok(const struct ctx *x)
{
    char buf[32];

    return strcmp(jtext(bget(x->body, "partner_id"), buf, sizeof buf),
                  x->partner_id) == 0;
}

static void token_get(struct ctx *x)
{
    char buf[32], code_want[80];
    const char *code = jtext(bget(x->body, "code"), buf, sizeof buf);
    char sbuf[32];
    const char *shop = jtext(bget(x->body, "shop_id"), sbuf, sizeof sbuf);
    struct mock_shop *s;
    cJSON *j;

    if (!code[0] || !shop[0] || !body_partner_ok(x)) {
        fail(x, "error_param", "code, shop_id and partner_id are required");
        return;
    }
    snprintf(code_want, sizeof code_want, "mock-%s", shop);
    if (strcmp(code, code_want) != 0) {
        fail(x, "invalid_code", "Invalid code");
        return;
    }
    s = mock_authorise(MARKET, code);
    if (s == NULL) {
        fail(x, "invalid_code", "Invalid code");
        return;
    }
    j = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(j, "access_token", mock_access_token(s));
    (void)cJSON_AddStringToObject(j, "refresh_token", mock_refresh_token(s));
    (void)cJSON_AddNumberToObject(
        j, "expire_in", (double)(mock_access_expires(s) - mock_now()));
    ok_top(x, j);
}

static void token_refresh(struct ctx *x)
{
    char buf[32];
    const char *shop = jtext(bget(x->body, "shop_id"), buf, sizeof buf);
    const cJSON *rt = bget(x->body, "refresh_token");
    struct mock_shop *s = mock_shop_get(MARKET, shop, 0);
    cJSON *j;

    if (!cJSON_IsString(rt) || !shop[0] || !body_partner_ok(x)) {
        fail(x, "error_param",
             "refresh_token, shop_id and partner_id are required");
        return;
    }
    if (s == NULL) {
        fail(x, "error_auth", "Invalid refresh_token");
        return;
    }
    /* which refresh tokens are still good (rotation with a grace period)
     * is the core's rule: mock_refresh */
    if (mock_refresh_expires(s) <= mock_now()) {
        fail(x, "refresh_token_expired", "refresh_token expired");
        return;
    }
    if (mock_refresh(MARKET, rt->valuestring) != s) {
        fail(x, "error_auth", "Invalid refresh_token");
        return;
    }
    j = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(j, "partner_id", x->partner_id);
    (void)cJSON_AddStringToObject(j, "shop_id", shop);
    (void)cJSON_AddStringToObject(j, "access_token", mock_access_token(s));
    (void)cJSON_AddStringToObject(j, "refresh_token", mock_refresh_token(s));
    (void)cJSON_AddNumberToObject(
        j, "expire_in", (double)(mock_access_expires(s) - mock_now()));
    ok_top(x, j);
}

static int shop_name_ok(const char *s)
{
    if (!*s || strlen(s) > 60)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

/* auth_partner: the page a seller would log in on; the mock agrees at
 * once and sends the browser back with code and shop_id. */
static void auth_partner(struct ctx *x)
{
    const char *redirect = qstr(x, "redirect");
    const char *shop =
        qstr(x, "mock_shop") ? qstr(x, "mock_shop") : DEFAULT_SHOP;
    size_t n;
    char *loc;

    if (redirect == NULL || redirect[0] == '\0') {
        fail(x, "error_param", "redirect is required");
        return;
    }
    if (!shop_name_ok(shop)) {
        fail(x, "error_param", "mock_shop is not a valid shop name");
        return;
    }
    n = strlen(redirect) + 2 * strlen(shop) + 32;
    loc = malloc(n);
    if (loc == NULL) {
        fail(x, "error_server", "out of memory");
        return;
    }
    snprintf(loc, n, "%s%ccode=mock-%s&shop_id=%s", redirect,
             strchr(redirect, '?') ? '&' : '?', shop, shop);
    /* the core copies location before the body is freed */
    free(x->rs->body);
    x->rs->body = loc;
    x->rs->location = loc;
    x->rs->status = 302;
    x->rs->content_type = "text/plain";
}

/* ---- media ---- */

static void upload_image(struct ctx *x)
{
    const struct mock_req *rq = x->rq;
    const cJSON *scene = bget(rq->form, "scene");
    struct mock_shop *media = mock_shop_get(MARKET, MEDIA_SHOP, 1);
    char id[33];
    cJSON *r, *info;

    if (rq->file_field == NULL || strcmp(rq->file_field, "image") != 0 ||
        rq->file_size == 0) {
        fail(x, "error_param", "image is required");
        return;
    }
    if (rq->file_size > MAX_IMAGE_BYTES) {
        fail(x, "error_param", "image is larger than 10 MB");
        return;
    }
    if (cJSON_IsString(scene) && strcmp(scene->valuestring, "normal") != 0 &&
        strcmp(scene->valuestring, "desc") != 0) {
        fail(x, "error_param", "scene must be normal or desc");
        return;
    }
    if (media == NULL) {
        fail(x, "error_server", "out of memory");
        return;
    }
    image_id(x->secret, mock_image_add(media, rq->file_size), id);
    r = cJSON_CreateObject();
    info = cJSON_AddObjectToObject(r, "image_info");
    (void)cJSON_AddStringToObject(info, "image_id", id);
    ok(x, r);
}

/* ---- products ---- */

static void search_item(struct ctx *x)
{
    const char *sku = qstr(x, "item_sku");
    int64_t size = 0;
    struct mock_item *it;
    cJSON *r = NULL, *ids;

    if (!int_text(qstr(x, "page_size"), &size) || size < 1 || size > 100) {
        fail(x, "error_param", "page_size must be 1 to 100");
        return;
    }
    if (sku == NULL || sku[0] == '\0') {
        fail(x, "error_param", "item_sku or item_name is required");
        return;
    }
    it = mock_item_by_sku(x->shop, sku);
    r = cJSON_CreateObject();
    ids = cJSON_AddArrayToObject(r, "item_id_list");
    if (it)
        (void)cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)it->id));
    (void)cJSON_AddNumberToObject(r, "total_count", it ? 1 : 0);
    (void)cJSON_AddStringToObject(r, "next_offset", "");
    ok(x, r);
}

/* content_error: what add_item and update_item both refuse in item_name
 * and image.image_id_list, or NULL. */
static const char *content_error(const struct ctx *x)
{
    const cJSON *name = bget(x->body, "item_name"), *id;
    const cJSON *list = bget(bget(x->body, "image"), "image_id_list");

    if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
        return "item_name is required";
    if (cJSON_GetArraySize(list) == 0)
        return "image.image_id_list is required";
    cJSON_ArrayForEach(id, list)
    {
        if (!cJSON_IsString(id) || !image_known(x->secret, id->valuestring))
            return "image.image_id_list has an image that was not uploaded";
    }
    return NULL;
}

/* item_error: what add_item refuses, or NULL. */
static const char *item_error(const struct ctx *x)
{
    const cJSON *b = x->body;

    if (bnum(b, "original_price", 0) <= 0)
        return "original_price must be greater than 0";
    if (bnum(b, "category_id", 0) <= 0)
        return "category_id is required";
    if (bnum(b, "weight", 0) <= 0)
        return "weight must be greater than 0";
    return content_error(x);
}

static int64_t seller_stock(const cJSON *list)
{
    const cJSON *s;
    int64_t n = 0;

    cJSON_ArrayForEach(s, list)
    {
        n += (int64_t)bnum(s, "stock", 0);
    }
    return n;
}

static void add_item(struct ctx *x)
{
    const cJSON *b = x->body;
    const char *why = item_error(x);
    char buf[32];
    const char *sku = jtext(bget(b, "item_sku"), buf, sizeof buf);
    int images = cJSON_GetArraySize(bget(bget(b, "image"), "image_id_list"));
    struct mock_item *it;
    cJSON *r;

    if (why) {
        fail(x, "error_param", why);
        return;
    }
    it = mock_item_create(x->shop, sku, bget(b, "item_name")->valuestring,
                          llround(bnum(b, "original_price", 0)),
                          seller_stock(bget(b, "seller_stock")), images);
    if (it == NULL) {
        fail(x, "error_server", "out of memory");
        return;
    }
    if (strcmp(jtext(bget(b, "item_status"), buf, sizeof buf), "UNLIST") == 0)
        snprintf(it->status, sizeof it->status, "UNLIST");
    r = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(r, "item_id", (double)it->id);
    (void)cJSON_AddStringToObject(r, "item_name", it->title);
    (void)cJSON_AddStringToObject(r, "item_sku", it->sku);
    (void)cJSON_AddStringToObject(r, "item_status", it->status);
    (void)cJSON_AddNumberToObject(r, "category_id", bnum(b, "category_id", 0));
    (void)cJSON_AddNumberToObject(r, "weight", bnum(b, "weight", 0));
    ok(x, r);
}

/* item_of: the body's item_id as one of the shop's items, or NULL after
 * answering error_item_not_found. */
static struct mock_item *item_of(struct ctx *x, const cJSON *v)
{
    struct mock_item *it = NULL;

    if (cJSON_IsNumber(v))
        it = mock_item_by_id(x->shop, (int64_t)v->valuedouble);
    if (it == NULL)
        fail(x, "error_item_not_found", "Item not found");
    return it;
}

/* update_item: the fields sent replace the item's; price and stock have
 * their own calls. */
static void update_item(struct ctx *x)
{
    const cJSON *b = x->body;
    struct mock_item *it = item_of(x, bget(b, "item_id"));
    const char *why;
    cJSON *r;

    if (it == NULL)
        return;
    why = content_error(x);
    if (why) {
        fail(x, "error_param", why);
        return;
    }
    snprintf(it->title, sizeof it->title, "%s",
             bget(b, "item_name")->valuestring);
    it->images = cJSON_GetArraySize(bget(bget(b, "image"), "image_id_list"));
    it->updated_at = mock_now();
    r = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(r, "item_id", (double)it->id);
    (void)cJSON_AddStringToObject(r, "item_name", it->title);
    (void)cJSON_AddStringToObject(r, "item_sku", it->sku);
    (void)cJSON_AddStringToObject(r, "item_status", it->status);
    ok(x, r);
}

static void failure(cJSON *fl, const char *reason)
{
    cJSON *f = cJSON_CreateObject();

    (void)cJSON_AddNumberToObject(f, "model_id", 0);
    (void)cJSON_AddStringToObject(f, "failed_reason", reason);
    if (!cJSON_AddItemToArray(fl, f))
        cJSON_Delete(f);
}

static void update_price(struct ctx *x)
{
    const cJSON *list = bget(x->body, "price_list"), *p;
    struct mock_item *it = item_of(x, bget(x->body, "item_id"));
    cJSON *r, *okl, *fl;

    if (it == NULL)
        return;
    if (cJSON_GetArraySize(list) < 1 || cJSON_GetArraySize(list) > 50) {
        fail(x, "error_param", "price_list must have 1 to 50 entries");
        return;
    }
    r = cJSON_CreateObject();
    okl = cJSON_AddArrayToObject(r, "success_list");
    fl = cJSON_AddArrayToObject(r, "failure_list");
    cJSON_ArrayForEach(p, list)
    {
        double price = bnum(p, "original_price", 0);
        if (price <= 0) {
            failure(fl, "original_price must be greater than 0");
            continue;
        }
        it->price_vnd = llround(price);
        it->updated_at = mock_now();
        cJSON *s = cJSON_CreateObject();
        (void)cJSON_AddNumberToObject(s, "model_id", 0);
        (void)cJSON_AddNumberToObject(s, "original_price", price);
        (void)cJSON_AddItemToArray(okl, s);
    }
    ok(x, r);
}

static void update_stock(struct ctx *x)
{
    const cJSON *list = bget(x->body, "stock_list"), *p;
    struct mock_item *it = item_of(x, bget(x->body, "item_id"));
    cJSON *r, *okl, *fl;

    if (it == NULL)
        return;
    if (cJSON_GetArraySize(list) < 1 || cJSON_GetArraySize(list) > 50) {
        fail(x, "error_param", "stock_list must have 1 to 50 entries");
        return;
    }
    r = cJSON_CreateObject();
    okl = cJSON_AddArrayToObject(r, "success_list");
    fl = cJSON_AddArrayToObject(r, "failure_list");
    cJSON_ArrayForEach(p, list)
    {
        const cJSON *ss = bget(p, "seller_stock");
        int64_t n = seller_stock(ss);
        if (cJSON_GetArraySize(ss) == 0 || n < 0) {
            failure(fl, "seller_stock must be 0 or more");
            continue;
        }
        it->stock = n;
        it->updated_at = mock_now();
        cJSON *s = cJSON_CreateObject();
        (void)cJSON_AddNumberToObject(s, "model_id", 0);
        (void)cJSON_AddNumberToObject(s, "stock", (double)n);
        (void)cJSON_AddItemToArray(okl, s);
    }
    ok(x, r);
}

static void unlist_item(struct ctx *x)
{
    const cJSON *list = bget(x->body, "item_list"), *p;
    cJSON *r, *okl;

    if (cJSON_GetArraySize(list) < 1 || cJSON_GetArraySize(list) > 50) {
        fail(x, "error_param", "item_list must have 1 to 50 entries");
        return;
    }
    cJSON_ArrayForEach(p, list)
    {
        if (item_of(x, bget(p, "item_id")) == NULL)
            return; /* nothing changed: the whole call is refused */
    }
    r = cJSON_CreateObject();
    okl = cJSON_AddArrayToObject(r, "success_list");
    (void)cJSON_AddArrayToObject(r, "failure_list");
    cJSON_ArrayForEach(p, list)
    {
        struct mock_item *it = item_of(x, bget(p, "item_id"));
        int unlist = cJSON_IsTrue(bget(p, "unlist"));
        snprintf(it->status, sizeof it->status, unlist ? "UNLIST" : "NORMAL");
        it->updated_at = mock_now();
        cJSON *s = cJSON_CreateObject();
        (void)cJSON_AddNumberToObject(s, "item_id", (double)it->id);
        (void)cJSON_AddBoolToObject(s, "unlist", unlist);
        (void)cJSON_AddItemToArray(okl, s);
    }
    ok(x, r);
}

/* ---- orders ---- */

/* order_list_args: the query of get_order_list, or 0 once answered. */
static int order_list_args(struct ctx *x, int64_t *from, int64_t *to,
                           int64_t *size, int64_t *off)
{
    const char *field = qstr(x, "time_range_field");
    const char *cursor = qstr(x, "cursor");
    const char *why = NULL;

    *off = 0;
    if (field == NULL || (strcmp(field, "create_time") != 0 &&
                          strcmp(field, "update_time") != 0))
        why = "time_range_field is invalid";
    else if (!int_text(qstr(x, "time_from"), from) ||
             !int_text(qstr(x, "time_to"), to) || *from > *to)
        why = "time_from and time_to are invalid";
    else if (*to - *from > ORDER_SPAN_S)
        why = "time_from and time_to must be at most 15 days apart";
    else if (!int_text(qstr(x, "page_size"), size) || *size < 1 || *size > 100)
        why = "page_size must be 1 to 100";
    else if (cursor && cursor[0] && (!int_text(cursor, off) || *off < 0))
        why = "cursor is invalid";
    if (why)
        fail(x, "error_param", why);
    return why == NULL;
}

static void get_order_list(struct ctx *x)
{
    int64_t from, to, size, off;
    const struct mock_order *o;
    char next[24];
    int n;
    cJSON *r, *list;

    if (!order_list_args(x, &from, &to, &size, &off))
        return;
    /* mock orders never change after they are placed: update_time is
     * create_time; the window is [time_from, time_to) */
    o = mock_orders(x->shop, from, to, &n);
    r = cJSON_CreateObject();
    list = cJSON_AddArrayToObject(r, "order_list");
    for (int64_t i = off; i < n && i < off + size; i++) {
        cJSON *e = cJSON_CreateObject();
        (void)cJSON_AddStringToObject(e, "order_sn", o[i].id);
        (void)cJSON_AddItemToArray(list, e);
    }
    snprintf(next, sizeof next, "%" PRId64, off + size);
    (void)cJSON_AddBoolToObject(r, "more", off + size < n);
    (void)cJSON_AddStringToObject(r, "next_cursor", off + size < n ? next : "");
    ok(x, r);
}

static cJSON *order_json(struct ctx *x, const struct mock_order *o,
                         int with_items)
{
    cJSON *e = cJSON_CreateObject(), *items, *l;
    struct mock_item *it = mock_item_by_id(x->shop, o->item_id);

    (void)cJSON_AddStringToObject(e, "order_sn", o->id);
    (void)cJSON_AddStringToObject(e, "order_status", "READY_TO_SHIP");
    (void)cJSON_AddStringToObject(e, "currency", "VND");
    (void)cJSON_AddNumberToObject(e, "create_time", (double)o->created_at);
    (void)cJSON_AddNumberToObject(e, "update_time", (double)o->created_at);
    if (!with_items)
        return e;
    items = cJSON_AddArrayToObject(e, "item_list");
    l = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(l, "item_id", (double)o->item_id);
    (void)cJSON_AddStringToObject(l, "item_name", it ? it->title : "");
    (void)cJSON_AddStringToObject(l, "item_sku", o->sku);
    (void)cJSON_AddNumberToObject(l, "model_id", 0);
    (void)cJSON_AddStringToObject(l, "model_sku", "");
    (void)cJSON_AddNumberToObject(l, "model_quantity_purchased",
                                  (double)o->qty);
    (void)cJSON_AddNumberToObject(l, "model_original_price",
                                  (double)o->price_vnd);
    (void)cJSON_AddNumberToObject(l, "model_discounted_price",
                                  (double)o->price_vnd);
    if (!cJSON_AddItemToArray(items, l))
        cJSON_Delete(l);
    return e;
}

/* listed: id is a whole element of the comma-joined list. */
static int listed(const char *list, const char *id)
{
    size_t k = strlen(id);

    for (const char *hit = strstr(list, id); hit; hit = strstr(hit + 1, id))
        if ((hit == list || hit[-1] == ',') &&
            (hit[k] == '\0' || hit[k] == ','))
            return 1;
    return 0;
}

static void get_order_detail(struct ctx *x)
{
    const char *sns = qstr(x, "order_sn_list");
    const char *opt = qstr(x, "response_optional_fields");
    int with_items = opt && strstr(opt, "item_list") != NULL;
    const struct mock_order *o;
    int n, count = 1;
    cJSON *r, *list;

    if (sns == NULL || sns[0] == '\0') {
        fail(x, "error_param", "order_sn_list is required");
        return;
    }
    for (const char *p = sns; *p; p++)
        count += *p == ',';
    if (count > 50) {
        fail(x, "error_param", "order_sn_list has more than 50 orders");
        return;
    }
    o = mock_orders(x->shop, INT64_MIN, INT64_MAX, &n);
    r = cJSON_CreateObject();
    list = cJSON_AddArrayToObject(r, "order_list");
    for (int i = 0; i < n; i++)
        if (listed(sns, o[i].id))
            (void)cJSON_AddItemToArray(list, order_json(x, &o[i], with_items));
    ok(x, r);
}

/* ---- dispatch ---- */

struct route {
    const char *method, *path;
    int shop_api; /* 0: Public API */
    void (*fn)(struct ctx *x);
};

static const struct route routes[] = {
    {"POST", "/api/v2/auth/token/get", 0, token_get},
    {"POST", "/api/v2/auth/access_token/get", 0, token_refresh},
    {"GET", "/api/v2/shop/auth_partner", 0, auth_partner},
    {"POST", "/api/v2/media_space/upload_image", 0, upload_image},
    {"GET", "/api/v2/product/search_item", 1, search_item},
    {"POST", "/api/v2/product/add_item", 1, add_item},
    {"POST", "/api/v2/product/update_item", 1, update_item},
    {"POST", "/api/v2/product/update_price", 1, update_price},
    {"POST", "/api/v2/product/update_stock", 1, update_stock},
    {"POST", "/api/v2/product/unlist_item", 1, unlist_item},
    {"GET", "/api/v2/order/get_order_list", 1, get_order_list},
    {"GET", "/api/v2/order/get_order_detail", 1, get_order_detail},
};

/* check_partner: a known partner_id and a timestamp within 300 s. */
static int check_partner(struct ctx *x)
{
    const char *ts = qstr(x, "timestamp");
    int64_t t;

    x->partner_id = qstr(x, "partner_id");
    if (x->partner_id == NULL || ts == NULL || qstr(x, "sign") == NULL) {
        fail(x, "error_param", "partner_id, timestamp and sign are required");
        return 0;
    }
    x->secret = mock_app_secret(x->partner_id);
    if (x->secret == NULL) {
        fail(x, "error_param", "Invalid partner_id");
        return 0;
    }
    if (!int_text(ts, &t) || llabs(mock_now() - t) > TS_WINDOW_S) {
        fail(x, "error_param", "Invalid timestamp");
        return 0;
    }
    return 1;
}

/* check_sign: the signature of the path's API type, as [SP-16] says. */
static int check_sign(struct ctx *x, const struct route *rt)
{
    const char *tok = qstr(x, "access_token"), *shop = qstr(x, "shop_id");
    char base[1024], mac[65];
    int n;

    if (!check_partner(x))
        return 0;
    if (rt->shop_api && (tok == NULL || shop == NULL)) {
        fail(x, "error_param", "access_token and shop_id are required");
        return 0;
    }
    n = snprintf(base, sizeof base, "%s%s%s%s%s", x->partner_id, rt->path,
                 qstr(x, "timestamp"), rt->shop_api ? tok : "",
                 rt->shop_api ? shop : "");
    if (n < 0 || (size_t)n >= sizeof base) {
        fail(x, "error_param", "parameters are too long");
        return 0;
    }
    mock_hmac_hex(x->secret, base, (size_t)n, mac, 0);
    if (strcmp(mac, qstr(x, "sign")) != 0) {
        fail(x, "error_sign", "Wrong sign");
        return 0;
    }
    return 1;
}

/* check_shop: a live access token of the shop the call names. */
static int check_shop(struct ctx *x)
{
    enum mock_token_state state;
    const char *shop = qstr(x, "shop_id");

    x->shop = mock_shop_by_token(MARKET, qstr(x, "access_token"), &state);
    if (x->shop == NULL || state != MOCK_TOKEN_OK ||
        strcmp(mock_shop_name(x->shop), shop) != 0) {
        fail(x, "error_auth", "Invalid access_token");
        return 0;
    }
    return 1;
}

static void handle(const struct mock_req *rq, struct mock_resp *rs)
{
    struct ctx x = {.rq = rq, .rs = rs};
    const struct route *rt = NULL;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].path, rq->path) == 0)
            rt = &routes[i];
    if (rt == NULL) {
        fail(&x, "error_not_found", "Api not found");
        return;
    }
    if (strcmp(rt->method, rq->method) != 0) {
        fail(&x, "error_param", "Wrong HTTP method");
        return;
    }
    if (!check_sign(&x, rt) || (rt->shop_api && !check_shop(&x)))
        return;
    if (strcmp(rt->method, "POST") == 0 && rq->file_field == NULL) {
        x.body = cJSON_ParseWithLength(rq->body ? rq->body : "", rq->body_len);
        if (!cJSON_IsObject(x.body)) {
            cJSON_Delete(x.body);
            fail(&x, "error_param", "The body is not a JSON object");
            return;
        }
    }
    rt->fn(&x);
    cJSON_Delete(x.body);
}

const struct mock_market mock_shopee = {"shopee", handle};
