/* mock_tiki.c: the mock of Tiki's Open API (see mock.h), prefix "tiki".
 * Owns: Tiki's OAuth2 pages (/sc/oauth2/auth, /sc/oauth2/token with
 *   client_secret_basic or _post; grants authorization_code,
 *   refresh_token, client_credentials), the Bearer check (401
 *   {"errors":[...]}), and under /v2: products by original_sku, product
 *   requests and "Update product info" requests (approved at once),
 *   updateSku, the order list. Validation
 *   errors are {"errors":[...]} with 400, as Tiki answers them.
 * Does not own: the server, faults, state (mock.c). */
#include "mock.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARKET "tiki"
#define VN_OFFSET_S (7 * 3600)

static void errors(struct mock_resp *rs, int status, const char *msg)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(j, "errors");
    (void)cJSON_AddItemToArray(arr, cJSON_CreateString(msg));
    mock_json(rs, status, j);
}

static void oauth_error(struct mock_resp *rs, int status, const char *code,
                        const char *desc)
{
    cJSON *j = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(j, "error", code);
    (void)cJSON_AddStringToObject(j, "error_description", desc);
    mock_json(rs, status, j);
}

static const char *field(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* authorize_page: the seller "agrees" at once; the shop is the query's
 * mock_shop (tests) or demo-tiki (demos). */
static void authorize_page(const struct mock_req *rq, struct mock_resp *rs)
{
    static char loc[2048]; /* the core copies it under the lock */
    const char *client = field(rq->query, "client_id");
    const char *redirect = field(rq->query, "redirect_uri");
    const char *state = field(rq->query, "state");
    const char *shop = field(rq->query, "mock_shop");

    if (!mock_app_secret(client) || !redirect || !redirect[0]) {
        oauth_error(rs, 400, "invalid_request",
                    "unknown client_id or no "
                    "redirect_uri");
        return;
    }
    if (!state || strlen(state) < 8) {
        oauth_error(rs, 400, "invalid_state",
                    "state must be at least 8 characters");
        return;
    }
    snprintf(loc, sizeof loc,
             "%s%ccode=mock-%s&state=%s&scope=offline%%20"
             "product%%20order%%20inventory",
             redirect, strchr(redirect, '?') ? '&' : '?',
             shop && shop[0] ? shop : "demo-tiki", state);
    rs->status = 302;
    rs->location = loc;
    rs->content_type = "text/html; charset=utf-8";
    rs->body = strdup("<a href=\"#\">redirect</a>");
}

/* client_ok: client_secret_basic (Authorization: Basic) or _post
 * (client_id, client_secret in the form); *key gets the app key. */
static int client_ok(const struct mock_req *rq, char key[128])
{
    const char *h = rq->header(rq, "Authorization");
    unsigned char raw[512];
    size_t n = 0;

    key[0] = '\0';
    if (h && strncasecmp(h, "Basic ", 6) == 0) {
        if (sodium_base642bin(raw, sizeof raw - 1, h + 6, strlen(h + 6), NULL,
                              &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
            return 0;
        raw[n] = '\0';
        char *colon = strchr((char *)raw, ':');
        if (!colon || (size_t)(colon - (char *)raw) >= 128)
            return 0;
        *colon = '\0';
        snprintf(key, 128, "%s", (char *)raw);
        const char *secret = mock_app_secret(key);
        return secret && strcmp(secret, colon + 1) == 0;
    }
    const char *id = field(rq->form, "client_id");
    const char *sec = field(rq->form, "client_secret");
    const char *secret = mock_app_secret(id);
    if (!id || !sec || !secret || strcmp(secret, sec) != 0)
        return 0;
    snprintf(key, 128, "%s", id);
    return 1;
}

static void token_answer(struct mock_resp *rs, struct mock_shop *s,
                         int with_refresh)
{
    cJSON *j = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(j, "access_token", mock_access_token(s));
    if (with_refresh)
        (void)cJSON_AddStringToObject(j, "refresh_token",
                                      mock_refresh_token(s));
    (void)cJSON_AddNumberToObject(
        j, "expires_in", (double)(mock_access_expires(s) - mock_now()));
    (void)cJSON_AddStringToObject(j, "scope",
                                  "offline product order inventory");
    (void)cJSON_AddStringToObject(j, "token_type", "bearer");
    mock_json(rs, 200, j);
}

static void token(const struct mock_req *rq, struct mock_resp *rs)
{
    const char *grant = field(rq->form, "grant_type");
    char key[128], name[160];
    struct mock_shop *s = NULL;

    if (!client_ok(rq, key)) {
        oauth_error(rs, 401, "invalid_client", "client authentication failed");
        return;
    }
    if (grant && strcmp(grant, "authorization_code") == 0) {
        s = mock_authorise(MARKET, field(rq->form, "code"));
    } else if (grant && strcmp(grant, "refresh_token") == 0) {
        s = mock_refresh(MARKET, field(rq->form, "refresh_token"));
    } else if (grant && strcmp(grant, "client_credentials") == 0) {
        /* an in-house app is its own seller */
        snprintf(name, sizeof name, "app-%s", key);
        s = mock_shop_get(MARKET, name, 1);
        if (s)
            mock_issue(s);
        if (s) {
            token_answer(rs, s, 0);
            return;
        }
    } else {
        oauth_error(rs, 400, "unsupported_grant_type", "unknown grant_type");
        return;
    }
    if (!s) {
        oauth_error(rs, 400, "invalid_grant",
                    "The provided authorization grant is invalid, expired "
                    "or revoked");
        return;
    }
    token_answer(rs, s, 1);
}

/* caller: the shop of the Bearer token, or NULL with a 401 answered. */
static struct mock_shop *caller(const struct mock_req *rq, struct mock_resp *rs)
{
    const char *h = rq->header(rq, "Authorization");
    enum mock_token_state st = MOCK_TOKEN_UNKNOWN;
    struct mock_shop *s = NULL;

    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        s = mock_shop_by_token(MARKET, h + 7, &st);
    if (s && st == MOCK_TOKEN_OK)
        return s;
    errors(rs, 401,
           st == MOCK_TOKEN_EXPIRED ? "token expired" : "invalid access token");
    return NULL;
}

static cJSON *product_json(const struct mock_item *it)
{
    cJSON *p = cJSON_CreateObject();
    char sku[32];

    snprintf(sku, sizeof sku, "%lld", (long long)it->sku_id);
    (void)cJSON_AddNumberToObject(p, "product_id", (double)it->id);
    (void)cJSON_AddStringToObject(p, "sku", sku); /* Tiki's own SKU */
    (void)cJSON_AddStringToObject(p, "original_sku", it->sku);
    (void)cJSON_AddStringToObject(p, "name", it->title);
    (void)cJSON_AddNumberToObject(p, "price", (double)it->price_vnd);
    (void)cJSON_AddNumberToObject(p, "active",
                                  strcmp(it->status, "NORMAL") == 0);
    (void)cJSON_AddNumberToObject(p, "qty", (double)it->stock);
    return p;
}

static cJSON *paging(int total, int page, int limit)
{
    cJSON *p = cJSON_CreateObject();
    int last = total ? (total + limit - 1) / limit : 1;
    (void)cJSON_AddNumberToObject(p, "total", total);
    (void)cJSON_AddNumberToObject(p, "per_page", limit);
    (void)cJSON_AddNumberToObject(p, "current_page", page);
    (void)cJSON_AddNumberToObject(p, "last_page", last);
    return p;
}

/* products: GET /v2/products?original_sku=: the item with that SKU. */
static void products(const struct mock_req *rq, struct mock_shop *s,
                     struct mock_resp *rs)
{
    const char *sku = field(rq->query, "original_sku");
    const struct mock_item *it = sku ? mock_item_by_sku(s, sku) : NULL;
    cJSON *j = cJSON_CreateObject();
    cJSON *data = cJSON_AddArrayToObject(j, "data");

    if (!sku) {
        cJSON_Delete(j);
        errors(rs, 400, "the mock supports only the original_sku filter");
        return;
    }
    if (it)
        (void)cJSON_AddItemToArray(data, product_json(it));
    (void)cJSON_AddItemToObject(j, "paging", paging(it ? 1 : 0, 1, 20));
    mock_json(rs, 200, j);
}

/* problems: the validation Tiki does on a product request, every
 * problem in its own words, so a test sees them joined. */
static void problems(const cJSON *j, cJSON *errs)
{
    const cJSON *vars = cJSON_GetObjectItem(j, "variants");
    const cJSON *v = cJSON_GetArrayItem(vars, 0);
    const cJSON *price = cJSON_GetObjectItem(v, "price");
    const char *img = field(j, "image");

#define PROBLEM(cond, msg)                                                     \
    do {                                                                       \
        if (cond)                                                              \
            (void)cJSON_AddItemToArray(errs, cJSON_CreateString(msg));         \
    } while (0)
    PROBLEM(!cJSON_GetObjectItem(j, "category_id"), "category_id is required");
    PROBLEM(!field(j, "name") || !field(j, "name")[0], "name is required");
    PROBLEM(!img || strncmp(img, "http", 4) != 0, "image must be a public URL");
    PROBLEM(cJSON_GetArraySize(vars) != 1,
            "the mock takes exactly one variant");
    PROBLEM(!field(v, "sku") || !field(v, "sku")[0], "variants[0].sku is "
                                                     "required");
    PROBLEM(!cJSON_IsNumber(price) || price->valuedouble <= 0,
            "variants[0].price must be greater than 0");
    PROBLEM(!field(v, "seller_warehouse") || !field(v, "seller_warehouse")[0],
            "variants[0].seller_warehouse is required");
#undef PROBLEM
}

static int64_t quantity(const cJSON *v)
{
    const cJSON *q =
        cJSON_GetArrayItem(cJSON_GetObjectItem(v, "warehouse_quantities"), 0);
    const cJSON *n = cJSON_GetObjectItem(q, "qty_available");
    return cJSON_IsNumber(n) ? (int64_t)n->valuedouble : -1;
}

/* create_request: POST /v2.1/requests; Tiki reviews requests, the mock
 * approves at once, so the product exists when the answer leaves. */
static void create_request(const struct mock_req *rq, struct mock_shop *s,
                           struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    cJSON *errs = cJSON_CreateArray();

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        cJSON_Delete(errs);
        errors(rs, 400, "body must be a JSON object");
        return;
    }
    problems(j, errs);
    if (cJSON_GetArraySize(errs) > 0) {
        cJSON *e = cJSON_CreateObject();
        (void)cJSON_AddItemToObject(e, "errors", errs);
        mock_json(rs, 400, e);
        cJSON_Delete(j);
        return;
    }
    cJSON_Delete(errs);
    const cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "variants"), 0);
    int64_t qty = quantity(v);
    struct mock_item *it = mock_item_create(
        s, field(v, "sku"), field(j, "name"),
        (int64_t)cJSON_GetObjectItem(v, "price")->valuedouble,
        qty > 0 ? qty : 0,
        1 + cJSON_GetArraySize(cJSON_GetObjectItem(j, "images")));
    cJSON_Delete(j);
    if (!it) {
        errors(rs, 500, "out of memory");
        return;
    }
    char track[64];
    snprintf(track, sizeof track, "trk%016llx", (unsigned long long)it->id);
    cJSON *out = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(out, "track_id", track);
    (void)cJSON_AddStringToObject(out, "state", "approved");
    mock_json(rs, 200, out);
}

/* info_item: the product an "Update product info" request names, by
 * product_id, or by original_sku (what the connector sends while it
 * knows only the create request's track_id). */
static struct mock_item *info_item(const cJSON *j, struct mock_shop *s)
{
    const cJSON *pid = cJSON_GetObjectItem(j, "product_id");
    const char *sku = field(j, "original_sku");

    if (cJSON_IsNumber(pid))
        return mock_item_by_id(s, (int64_t)pid->valuedouble);
    return sku ? mock_item_by_sku(s, sku) : NULL;
}

/* update_info: POST /v2.1/requests/updateProductInfo; Tiki reviews the
 * change, the mock approves it at once: the name and the photo count
 * change when the answer leaves. */
static void update_info(const struct mock_req *rq, struct mock_shop *s,
                        struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    struct mock_item *it = cJSON_IsObject(j) ? info_item(j, s) : NULL;
    const char *name = field(j, "name"), *img = field(j, "image");
    const char *bad = NULL;

    if (!cJSON_IsObject(j))
        bad = "body must be a JSON object";
    else if (!it)
        bad = "product_id not found";
    else if (!name || !name[0])
        bad = "name is required";
    else if (img && strncmp(img, "http", 4) != 0)
        bad = "image must be a public URL";
    if (bad) {
        errors(rs, cJSON_IsObject(j) && !it ? 404 : 400, bad);
        cJSON_Delete(j);
        return;
    }
    snprintf(it->title, sizeof it->title, "%s", name);
    it->images =
        (img ? 1 : 0) + cJSON_GetArraySize(cJSON_GetObjectItem(j, "images"));
    it->updated_at = mock_now();
    cJSON_Delete(j);
    char track[64];
    snprintf(track, sizeof track, "upd%016llx", (unsigned long long)it->id);
    cJSON *out = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(out, "track_id", track);
    (void)cJSON_AddStringToObject(out, "state", "approved");
    mock_json(rs, 200, out);
}

/* apply_update: updateSku's fields on it; a message when one is bad. */
static const char *apply_update(const cJSON *j, struct mock_item *it)
{
    const cJSON *price = cJSON_GetObjectItem(j, "price");
    const cJSON *active = cJSON_GetObjectItem(j, "active");
    const cJSON *wq = cJSON_GetObjectItem(j, "warehouse_quantities");

    if (price && (!cJSON_IsNumber(price) || price->valuedouble <= 0))
        return "price must be greater than 0";
    if (wq && quantity(j) < 0)
        return "warehouse_quantities[0].qty_available is required";
    if (wq && !field(j, "seller_warehouse"))
        return "seller_warehouse is required with warehouse_quantities";
    if (active && !cJSON_IsNumber(active))
        return "active must be 0 or 1";
    if (!price && !wq && !active)
        return "nothing to update";
    if (price)
        it->price_vnd = (int64_t)price->valuedouble;
    if (wq)
        it->stock = quantity(j);
    if (active)
        snprintf(it->status, sizeof it->status, "%s",
                 active->valuedouble != 0 ? "NORMAL" : "UNLIST");
    it->updated_at = mock_now();
    return NULL;
}

static void update_sku(const struct mock_req *rq, struct mock_shop *s,
                       struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    const char *sku = field(j, "original_sku");
    struct mock_item *it = sku ? mock_item_by_sku(s, sku) : NULL;
    const char *bad = NULL;

    if (!sku)
        bad = "original_sku or product_id is required";
    else if (!it)
        bad = "product not found";
    else
        bad = apply_update(j, it);
    if (bad) {
        errors(rs, it || !sku ? 400 : 404, bad);
    } else {
        cJSON *out = cJSON_CreateObject();
        (void)cJSON_AddStringToObject(out, "state", "approved");
        (void)cJSON_AddNumberToObject(out, "product_id", (double)it->id);
        mock_json(rs, 200, out);
    }
    cJSON_Delete(j);
}

static int64_t vn_parse(const char *s, int64_t dflt)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
                     &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return dflt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - VN_OFFSET_S;
}

static cJSON *order_json(const struct mock_order *o)
{
    char when[32];
    time_t t = (time_t)(o->created_at + VN_OFFSET_S);
    struct tm tm;
    cJSON *j = cJSON_CreateObject(),
          *items = cJSON_AddArrayToObject(j, "items");
    cJSON *it = cJSON_CreateObject(),
          *p = cJSON_AddObjectToObject(it, "product");

    (void)gmtime_r(&t, &tm);
    (void)strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    (void)cJSON_AddStringToObject(j, "code", o->id);
    (void)cJSON_AddStringToObject(j, "status", "queueing");
    (void)cJSON_AddStringToObject(j, "fulfillment_type", "dropship");
    (void)cJSON_AddStringToObject(j, "created_at", when);
    (void)cJSON_AddStringToObject(j, "updated_at", when);
    (void)cJSON_AddNumberToObject(p, "id", (double)o->item_id);
    (void)cJSON_AddStringToObject(p, "seller_product_code", o->sku);
    (void)cJSON_AddStringToObject(p, "original_sku", o->sku);
    (void)cJSON_AddNumberToObject(it, "qty", (double)o->qty);
    (void)cJSON_AddNumberToObject(it, "price", (double)o->price_vnd);
    (void)cJSON_AddItemToArray(items, it);
    return j;
}

static int query_int(const struct mock_req *rq, const char *name, int dflt)
{
    const char *v = field(rq->query, name);
    char *end;
    long n = v ? strtol(v, &end, 10) : dflt;
    return v && (*end || n < 1 || n > 100000) ? -1 : (int)n;
}

/* orders: GET /v2/orders, by updated_from/to_date (an order of the mock
 * is never updated after it is placed), paged. */
static void orders(const struct mock_req *rq, struct mock_shop *s,
                   struct mock_resp *rs)
{
    int page = query_int(rq, "page", 1), limit = query_int(rq, "limit", 20);
    int64_t from = vn_parse(field(rq->query, "updated_from_date"), 0);
    int64_t to = vn_parse(field(rq->query, "updated_to_date"), INT64_MAX);
    int n = 0;

    if (page < 1 || limit < 1 || limit > 100) {
        errors(rs, 400, "page must be > 0 and limit in 1..100");
        return;
    }
    const struct mock_order *os = mock_orders(s, from, to, &n);
    cJSON *j = cJSON_CreateObject(), *data = cJSON_AddArrayToObject(j, "data");
    for (int i = (page - 1) * limit; i < n && i < page * limit; i++)
        (void)cJSON_AddItemToArray(data, order_json(&os[i]));
    (void)cJSON_AddItemToObject(j, "paging", paging(n, page, limit));
    mock_json(rs, 200, j);
}

static void tiki_handle(const struct mock_req *rq, struct mock_resp *rs)
{
    int get = strcmp(rq->method, "GET") == 0;
    int post = strcmp(rq->method, "POST") == 0;

    if (get && strcmp(rq->path, "/sc/oauth2/auth") == 0) {
        authorize_page(rq, rs);
        return;
    }
    if (post && strcmp(rq->path, "/sc/oauth2/token") == 0) {
        token(rq, rs);
        return;
    }
    struct mock_shop *s = caller(rq, rs);
    if (!s)
        return;
    if (get && strcmp(rq->path, "/v2/products") == 0)
        products(rq, s, rs);
    else if (post && strcmp(rq->path, "/v2.1/requests") == 0)
        create_request(rq, s, rs);
    else if (post && strcmp(rq->path, "/v2.1/requests/updateProductInfo") == 0)
        update_info(rq, s, rs);
    else if (strcmp(rq->method, "PUT") == 0 &&
             strcmp(rq->path, "/v2/products/updateSku") == 0)
        update_sku(rq, s, rs);
    else if (get && strcmp(rq->path, "/v2/orders") == 0)
        orders(rq, s, rs);
    else
        errors(rs, 404, "no such endpoint in the mock");
}

const struct mock_market mock_tiki = {"tiki", tiki_handle};
