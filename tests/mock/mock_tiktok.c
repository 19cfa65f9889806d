/* mock_tiktok.c: TikTok Shop Partner API (202309+) as the mock
 * marketplace speaks it (protocol: integrations/tiktok/README.md).
 * Owns: the checks every call gets (app_key known, timestamp in s within
 *   [now - 300, now + 30], sign = HMAC-SHA256 over secret + path + sorted
 *   query params but sign/access_token + raw body (not for multipart) +
 *   secret, lower-case hex; header x-tts-access-token of a live token;
 *   shop_cipher, which is the shop name here, on shop APIs; at most 50
 *   requests per second per shop, else 429 and 36009002), the envelope
 *   {"code","message","request_id","data"}, the auth host (token get and
 *   refresh, unsigned, app_secret in the query, *_expire_in as Unix
 *   times; the authorize page) and the product, image and order APIs
 *   the connector uses.
 * Does not own: the state, tokens, faults (mock.c).
 * Choices the documentation leaves open: HTTP 200 for business errors,
 *   401 for token errors, 404 (36009009) for an unknown path; 36004004
 *   (bad auth code / refresh token), 12019001 (no such product, for
 *   price/stock/status) and 12052900 (invalid field) are this mock's
 *   codes; Edit Product answers TikTok's 12052032 for an unknown product
 *   and applies at once, without TikTok's audit. A create repeating the
 *   idempotency_key of an item with that SKU answers that item, as
 *   TikTok's key promises. */
#include "mock.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARKET "tiktok"
#define DEFAULT_SHOP "demo-tiktok"
#define TS_PAST_S 300
#define TS_FUTURE_S 30
#define QPS_PER_SHOP 50
#define MAX_IMAGE_BYTES (10 * 1024 * 1024)
#define MAX_RATE_SHOPS 64

/* One request being answered. */
struct ctx {
    const struct mock_req *rq;
    struct mock_resp *rs;
    struct mock_shop *shop;
    cJSON *body; /* JSON body, or NULL */
};

/* Requests of the current second per shop, for the 50/s limit. Like all
 * mock state it is only touched under the mock lock. */
static struct {
    char shop[64];
    int64_t sec;
    int n;
} rate[MAX_RATE_SHOPS];

/* ---- answers ---- */

static void answer(struct ctx *x, int status, long code, const char *msg,
                   cJSON *data)
{
    static unsigned long n; /* under the mock lock */
    cJSON *j = cJSON_CreateObject();
    char id[48];

    snprintf(id, sizeof id, "2023%016" PRIx64 "%lu", (uint64_t)mock_now(), ++n);
    (void)cJSON_AddNumberToObject(j, "code", (double)code);
    (void)cJSON_AddStringToObject(j, "message", msg);
    (void)cJSON_AddStringToObject(j, "request_id", id);
    if (!data)
        data = cJSON_CreateObject();
    if (!cJSON_AddItemToObject(j, "data", data))
        cJSON_Delete(data);
    mock_json(x->rs, status, j);
}

static void fail(struct ctx *x, long code, const char *msg)
{
    int status = 200;

    if (code == 105002 || code == 36009004)
        status = 401;
    else if (code == 36009002)
        status = 429;
    else if (code == 36009009)
        status = 404;
    answer(x, status, code, msg, NULL);
}

static void ok(struct ctx *x, cJSON *data)
{
    answer(x, 200, 0, "Success", data);
}

/* ---- reading requests ---- */

static const char *q(const struct ctx *x, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(x->rq->query, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *text(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *v)
{
    char *end = NULL;
    double d;

    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return NAN;
    d = strtod(v->valuestring, &end);
    return *end == '\0' ? d : NAN;
}

static int multipart(const struct mock_req *rq)
{
    return rq->content_type &&
           strncasecmp(rq->content_type, "multipart/form-data", 19) == 0;
}

static int by_name(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

    return strcmp(x->string, y->string);
}

/* wrapped: the wrapped string to sign, written into out (when not NULL);
 * returns its length [TT-SIGN]. */
static size_t wrapped(const struct ctx *x, const char *secret,
                      const cJSON **items, int k, char *out)
{
    size_t len = 0, sl = strlen(secret);
    const char *parts[3] = {secret, x->rq->path, NULL};

#define PUT(s, n)                                                              \
    do {                                                                       \
        if (out)                                                               \
            memcpy(out + len, (s), (n));                                       \
        len += (n);                                                            \
    } while (0)
    for (int i = 0; i < 2; i++)
        PUT(parts[i], strlen(parts[i]));
    for (int i = 0; i < k; i++) {
        PUT(items[i]->string, strlen(items[i]->string));
        PUT(items[i]->valuestring, strlen(items[i]->valuestring));
    }
    if (!multipart(x->rq))
        PUT(x->rq->body, x->rq->body_len);
    PUT(secret, sl);
#undef PUT
    return len;
}

static int sign_ok(const struct ctx *x, const char *secret, const char *sign)
{
    int n = cJSON_GetArraySize(x->rq->query), k = 0;
    const cJSON **items = calloc((size_t)n + 1, sizeof *items), *it;
    char *base = NULL, mac[65] = "";
    size_t len;

    if (!items)
        return 0;
    cJSON_ArrayForEach(it, x->rq->query)
    {
        if (strcmp(it->string, "sign") != 0 &&
            strcmp(it->string, "access_token") != 0 && cJSON_IsString(it))
            items[k++] = it;
    }
    qsort(items, (size_t)k, sizeof *items, by_name);
    len = wrapped(x, secret, items, k, NULL);
    base = malloc(len + 1);
    if (base) {
        (void)wrapped(x, secret, items, k, base);
        mock_hmac_hex(secret, base, len, mac, 0);
    }
    free(base);
    free(items);
    return mac[0] && strcmp(mac, sign) == 0;
}

/* ts_check: NULL when timestamp is in the window, else why not. */
static const char *ts_check(const char *ts)
{
    char *end = NULL;
    long long v = ts ? strtoll(ts, &end, 10) : 0;
    int64_t now = mock_now();

    if (!ts || !*ts || *end != '\0')
        return "Invalid timestamp. The timestamp is missing or malformed";
    if (v < now - TS_PAST_S)
        return "Invalid timestamp. The timestamp is earlier than 5 minutes "
               "before the current time";
    if (v > now + TS_FUTURE_S)
        return "Invalid timestamp. The timestamp is later than 30 seconds "
               "after the current time";
    return NULL;
}

/* over_limit: counts this request; 1 past QPS_PER_SHOP in this second. */
static int over_limit(const char *shop)
{
    int64_t now = mock_now();
    int slot = -1;

    for (int i = 0; i < MAX_RATE_SHOPS; i++) {
        if (strcmp(rate[i].shop, shop) == 0) {
            slot = i;
            break;
        }
        if (slot < 0 && rate[i].sec < now) /* free, or stale */
            slot = i;
    }
    if (slot < 0)
        return 0; /* more shops than slots: not limited */
    if (strcmp(rate[slot].shop, shop) != 0 || rate[slot].sec != now) {
        snprintf(rate[slot].shop, sizeof rate[slot].shop, "%s", shop);
        rate[slot].sec = now;
        rate[slot].n = 0;
    }
    return ++rate[slot].n > QPS_PER_SHOP;
}

/* signed_ok: app, timestamp and signature; 0 when answered. */
static int signed_ok(struct ctx *x)
{
    const char *key = q(x, "app_key"), *sign = q(x, "sign");
    const char *secret = key ? mock_app_secret(key) : NULL;
    const char *why = ts_check(q(x, "timestamp"));

    if (!secret) {
        fail(x, 36009004, "Invalid credentials. The app_key is invalid");
        return 0;
    }
    if (why) {
        fail(x, 36009004, why);
        return 0;
    }
    if (!sign || !sign_ok(x, secret, sign)) {
        fail(x, 106001, "Invalid credentials. The signature is invalid");
        return 0;
    }
    return 1;
}

/* checks: what every API call gets; 0 when an error was answered. */
static int checks(struct ctx *x, int shop_api)
{
    const char *tok = x->rq->header(x->rq, "x-tts-access-token");
    const char *cipher = q(x, "shop_cipher");
    enum mock_token_state st;

    if (!signed_ok(x))
        return 0;
    x->shop = tok ? mock_shop_by_token(MARKET, tok, &st) : NULL;
    if (!x->shop) {
        fail(x, 36009004,
             "Invalid credentials. x-tts-access-token is "
             "missing or invalid");
        return 0;
    }
    if (st != MOCK_TOKEN_OK) {
        fail(x, 105002, "Access token is expired, please refresh it");
        return 0;
    }
    if (shop_api && (!cipher || strcmp(cipher, mock_shop_name(x->shop)))) {
        fail(x, 106013,
             cipher ? "shop_cipher is not this token's shop"
                    : "shop_cipher is missing");
        return 0;
    }
    if (over_limit(mock_shop_name(x->shop))) {
        fail(x, 36009002, "Too many requests, please retry later");
        return 0;
    }
    return 1;
}

/* ---- auth host ---- */

static void token_answer(struct ctx *x, struct mock_shop *s)
{
    cJSON *d = cJSON_CreateObject();

    (void)cJSON_AddStringToObject(d, "access_token", mock_access_token(s));
    (void)cJSON_AddNumberToObject(d, "access_token_expire_in",
                                  (double)mock_access_expires(s));
    (void)cJSON_AddStringToObject(d, "refresh_token", mock_refresh_token(s));
    (void)cJSON_AddNumberToObject(d, "refresh_token_expire_in",
                                  (double)mock_refresh_expires(s));
    (void)cJSON_AddStringToObject(d, "open_id", mock_shop_name(s));
    (void)cJSON_AddStringToObject(d, "seller_name", mock_shop_name(s));
    (void)cJSON_AddStringToObject(d, "seller_base_region", "VN");
    (void)cJSON_AddNumberToObject(d, "user_type", 0);
    answer(x, 200, 0, "success", d);
}

/* app_ok: token calls carry app_key and app_secret, unsigned [TT-AUTH]. */
static int app_ok(struct ctx *x, const char *grant)
{
    const char *key = q(x, "app_key"), *secret = q(x, "app_secret");
    const char *want = key ? mock_app_secret(key) : NULL;

    if (!want || !secret || strcmp(want, secret) != 0) {
        fail(x, 36009004, "Invalid credentials. app_key or app_secret");
        return 0;
    }
    if (!q(x, "grant_type") || strcmp(q(x, "grant_type"), grant) != 0) {
        fail(x, 36009004, "grant_type is invalid");
        return 0;
    }
    return 1;
}

static void token_get(struct ctx *x)
{
    struct mock_shop *s;

    if (!app_ok(x, "authorized_code"))
        return;
    s = mock_authorise(MARKET, q(x, "auth_code"));
    if (!s) {
        fail(x, 36004004, "auth_code is invalid or was used");
        return;
    }
    token_answer(x, s);
}

static void token_refresh(struct ctx *x)
{
    struct mock_shop *s;

    if (!app_ok(x, "refresh_token"))
        return;
    s = mock_refresh(MARKET, q(x, "refresh_token"));
    if (!s) {
        fail(x, 36004004, "refresh_token is invalid or expired");
        return;
    }
    token_answer(x, s);
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

static void enc(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for (; *s && n + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

/* authorize: the seller's consent page; the mock agrees at once. */
static void authorize(struct ctx *x)
{
    const char *redirect = q(x, "redirect_uri"), *app = q(x, "service_id");
    const char *shop = q(x, "mock_shop") ? q(x, "mock_shop") : DEFAULT_SHOP;
    char state[512];
    size_t n;
    char *loc;

    if (!redirect || !*redirect || !app || !mock_app_secret(app) ||
        !shop_name_ok(shop)) {
        fail(x, 36009004,
             "redirect_uri, a known service_id and a valid "
             "mock_shop are needed");
        return;
    }
    enc(q(x, "state") ? q(x, "state") : "", state, sizeof state);
    n = strlen(redirect) + strlen(shop) + strlen(state) + 32;
    loc = malloc(n);
    if (!loc) {
        fail(x, 36009003, "out of memory");
        return;
    }
    snprintf(loc, n, "%s%ccode=mock-%s&state=%s", redirect,
             strchr(redirect, '?') ? '&' : '?', shop, state);
    /* the core copies location before the body is freed */
    free(x->rs->body);
    x->rs->body = loc;
    x->rs->location = loc;
    x->rs->status = 302;
    x->rs->content_type = "text/plain";
}

/* ---- shops, images ---- */

static void shops(struct ctx *x)
{
    cJSON *d = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(d, "shops");
    cJSON *s = cJSON_CreateObject();
    const char *name = mock_shop_name(x->shop);

    (void)cJSON_AddStringToObject(s, "id", name);
    (void)cJSON_AddStringToObject(s, "name", name);
    (void)cJSON_AddStringToObject(s, "region", "VN");
    (void)cJSON_AddStringToObject(s, "seller_type", "LOCAL");
    (void)cJSON_AddStringToObject(s, "cipher", name);
    (void)cJSON_AddStringToObject(s, "code", "VNMOCK");
    (void)cJSON_AddItemToArray(arr, s);
    ok(x, d);
}

static void image_upload(struct ctx *x)
{
    static const char *const cases[] = {
        "MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE",
        "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE"};
    const char *use = text(get(x->rq->form, "use_case"));
    char uri[64], url[160];
    int known = use[0] == '\0'; /* optional: MAIN_IMAGE */

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        known |= strcmp(use, cases[i]) == 0;
    if (!multipart(x->rq) || !x->rq->file_field ||
        strcmp(x->rq->file_field, "data") != 0 || x->rq->file_size == 0 ||
        x->rq->file_size > MAX_IMAGE_BYTES || !known) {
        fail(x, 12052010,
             "data (an image file of at most 10 MB) and a "
             "valid use_case are required");
        return;
    }
    snprintf(uri, sizeof uri, "tos-maliva-i-mock/%" PRId64,
             mock_image_add(x->shop, x->rq->file_size));
    snprintf(url, sizeof url,
             "https://p16-oec-va.ibyteimg.com/%s~tplv-"
             "o3syd03w52-origin-jpeg.jpeg",
             uri);
    cJSON *d = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(d, "uri", uri);
    (void)cJSON_AddStringToObject(d, "url", url);
    (void)cJSON_AddNumberToObject(d, "width", 800);
    (void)cJSON_AddNumberToObject(d, "height", 800);
    (void)cJSON_AddStringToObject(d, "use_case", use[0] ? use : "MAIN_IMAGE");
    ok(x, d);
}

/* ---- products ---- */

static void add_id(cJSON *o, const char *name, int64_t id)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%" PRId64, id); /* TikTok ids are strings */
    (void)cJSON_AddStringToObject(o, name, buf);
}

static cJSON *product_json(const struct mock_item *it)
{
    cJSON *p = cJSON_CreateObject(), *skus, *s = cJSON_CreateObject();
    cJSON *price, *inv = cJSON_CreateArray(), *w = cJSON_CreateObject();
    char amount[32];

    add_id(p, "id", it->id);
    (void)cJSON_AddStringToObject(p, "title", it->title);
    (void)cJSON_AddStringToObject(
        p, "status",
        strcmp(it->status, "NORMAL") == 0 ? "ACTIVATE" : "SELLER_DEACTIVATED");
    (void)cJSON_AddNumberToObject(p, "update_time", (double)it->updated_at);
    skus = cJSON_AddArrayToObject(p, "skus");
    add_id(s, "id", it->sku_id);
    (void)cJSON_AddStringToObject(s, "seller_sku", it->sku);
    price = cJSON_AddObjectToObject(s, "price");
    snprintf(amount, sizeof amount, "%" PRId64, it->price_vnd);
    (void)cJSON_AddStringToObject(price, "tax_exclusive_price", amount);
    (void)cJSON_AddStringToObject(price, "currency", "VND");
    (void)cJSON_AddNumberToObject(w, "quantity", (double)it->stock);
    (void)cJSON_AddItemToArray(inv, w);
    (void)cJSON_AddItemToObject(s, "inventory", inv);
    (void)cJSON_AddItemToArray(skus, s);
    return p;
}

static int page_size_ok(const struct ctx *x)
{
    const char *ps = q(x, "page_size");
    long n = ps ? strtol(ps, NULL, 10) : 0;

    return n >= 1 && n <= 100;
}

static void products_search(struct ctx *x)
{
    const cJSON *skus = get(x->body, "seller_skus"), *s;
    cJSON *d, *arr;

    if (!page_size_ok(x)) {
        fail(x, 36009004, "page_size must be 1..100");
        return;
    }
    d = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(d, "products");
    cJSON_ArrayForEach(s, skus)
    {
        struct mock_item *it = mock_item_by_sku(x->shop, text(s));
        if (it)
            (void)cJSON_AddItemToArray(arr, product_json(it));
    }
    (void)cJSON_AddNumberToObject(d, "total_count", cJSON_GetArraySize(arr));
    (void)cJSON_AddStringToObject(d, "next_page_token", "");
    ok(x, d);
}

/* content_problem: the first missing or invalid content field of a
 * create or edit body, or NULL. */
static const char *content_problem(const cJSON *b)
{
    const cJSON *w = get(b, "package_weight");

    if (!text(get(b, "title"))[0])
        return "title is required";
    if (!text(get(b, "description"))[0])
        return "description is required";
    if (!text(get(b, "category_id"))[0])
        return "category_id is required";
    if (!text(get(cJSON_GetArrayItem(get(b, "main_images"), 0), "uri"))[0])
        return "main_images needs at least one uri";
    if (!(num(get(w, "value")) > 0) ||
        (strcmp(text(get(w, "unit")), "KILOGRAM") != 0 &&
         strcmp(text(get(w, "unit")), "GRAM") != 0))
        return "package_weight needs value and unit KILOGRAM or GRAM";
    return NULL;
}

/* price_problem: a price object that is invalid, or NULL. */
static const char *price_problem(const cJSON *price)
{
    if (!cJSON_IsString(get(price, "amount")) ||
        !(num(get(price, "amount")) > 0))
        return "skus[0].price.amount must be a positive amount string";
    if (strcmp(text(get(price, "currency")), "VND") != 0)
        return "skus[0].price.currency must be VND";
    return NULL;
}

/* create_problem: the first missing or invalid field, or NULL. */
static const char *create_problem(const cJSON *b)
{
    const cJSON *sku = cJSON_GetArrayItem(get(b, "skus"), 0);
    const cJSON *inv = cJSON_GetArrayItem(get(sku, "inventory"), 0);
    const char *why = content_problem(b);

    if (why)
        return why;
    if (!text(get(sku, "seller_sku"))[0])
        return "skus[0].seller_sku is required";
    why = price_problem(get(sku, "price"));
    if (why)
        return why;
    if (!text(get(inv, "warehouse_id"))[0] || !(num(get(inv, "quantity")) >= 0))
        return "skus[0].inventory needs warehouse_id and quantity";
    return NULL;
}

static void product_create(struct ctx *x)
{
    const char *why = create_problem(x->body);
    const cJSON *sku = cJSON_GetArrayItem(get(x->body, "skus"), 0);
    const char *seller_sku = text(get(sku, "seller_sku"));
    const char *key = text(get(x->body, "idempotency_key"));
    struct mock_item *it;
    cJSON *d, *skus, *s;

    if (why) {
        fail(x, 12052900, why);
        return;
    }
    it = mock_item_by_sku(x->shop, seller_sku);
    if (it && key[0] && strcmp(key, seller_sku) == 0) {
        it->creates++; /* the key kept it from making a second product */
    } else {
        it = mock_item_create(
            x->shop, seller_sku, text(get(x->body, "title")),
            (int64_t)llround(num(get(get(sku, "price"), "amount"))),
            (int64_t)llround(num(
                get(cJSON_GetArrayItem(get(sku, "inventory"), 0), "quantity"))),
            cJSON_GetArraySize(get(x->body, "main_images")));
    }
    if (!it) {
        fail(x, 36009003, "out of memory");
        return;
    }
    d = cJSON_CreateObject();
    add_id(d, "product_id", it->id);
    skus = cJSON_AddArrayToObject(d, "skus");
    s = cJSON_CreateObject();
    add_id(s, "id", it->sku_id);
    (void)cJSON_AddStringToObject(s, "seller_sku", it->sku);
    (void)cJSON_AddItemToArray(skus, s);
    ok(x, d);
}

/* product_update: /product/202309/products/{id}/prices|inventory/update */
static void product_update(struct ctx *x, int64_t id, int stock)
{
    struct mock_item *it = mock_item_by_id(x->shop, id);
    const cJSON *s = cJSON_GetArrayItem(get(x->body, "skus"), 0);
    double v =
        stock ? num(get(cJSON_GetArrayItem(get(s, "inventory"), 0), "quantity"))
              : num(get(get(s, "price"), "amount"));

    if (!it || num(get(s, "id")) != (double)it->sku_id) {
        fail(x, 12019001, "product or SKU not found");
        return;
    }
    if (isnan(v) || v < 0 || (!stock && v == 0) ||
        (!stock && strcmp(text(get(get(s, "price"), "currency")), "VND"))) {
        fail(x, 12052900,
             stock ? "inventory quantity must be >= 0"
                   : "price needs amount > 0 and currency VND");
        return;
    }
    if (!stock && strcmp(it->status, "NORMAL") != 0) {
        fail(x, 12052900, "the product must be ACTIVATE to update prices");
        return;
    }
    if (stock)
        it->stock = (int64_t)llround(v);
    else
        it->price_vnd = (int64_t)llround(v);
    it->updated_at = mock_now();
    ok(x, NULL);
}

/* edit_problem: what Edit Product refuses here beyond the content: the
 * one SKU must carry the product's SKU id (without it TikTok would make
 * a new SKU and delete the old one), and a price or inventory, optional
 * in an edit, must be valid when sent. */
static const char *edit_problem(const cJSON *b, const struct mock_item *it)
{
    const cJSON *sku = cJSON_GetArrayItem(get(b, "skus"), 0);
    const cJSON *inv = cJSON_GetArrayItem(get(sku, "inventory"), 0);
    const char *why = content_problem(b);

    if (why)
        return why;
    if (cJSON_GetArraySize(get(b, "skus")) != 1 ||
        num(get(sku, "id")) != (double)it->sku_id)
        return "skus: the product's one SKU, by its id";
    why = get(sku, "price") ? price_problem(get(sku, "price")) : NULL;
    if (why)
        return why;
    if (get(sku, "inventory") && !(num(get(inv, "quantity")) >= 0))
        return "skus[0].inventory quantity must be >= 0";
    return NULL;
}

/* product_edit: PUT /product/202309/products/{id}: the title and image
 * count become the body's at once (TikTok audits an edit first); price
 * and stock change only when sent. */
static void product_edit(struct ctx *x, int64_t id)
{
    struct mock_item *it = mock_item_by_id(x->shop, id);
    const cJSON *sku = cJSON_GetArrayItem(get(x->body, "skus"), 0);
    const cJSON *inv = cJSON_GetArrayItem(get(sku, "inventory"), 0);
    const char *why;
    cJSON *d, *skus, *s;

    if (!it) {
        fail(x, 12052032, "The product does not exist");
        return;
    }
    why = edit_problem(x->body, it);
    if (why) {
        fail(x, 12052900, why);
        return;
    }
    snprintf(it->title, sizeof it->title, "%s", text(get(x->body, "title")));
    it->images = cJSON_GetArraySize(get(x->body, "main_images"));
    if (get(sku, "price"))
        it->price_vnd = (int64_t)llround(num(get(get(sku, "price"), "amount")));
    if (inv)
        it->stock = (int64_t)llround(num(get(inv, "quantity")));
    it->updated_at = mock_now();
    d = cJSON_CreateObject();
    add_id(d, "product_id", it->id);
    skus = cJSON_AddArrayToObject(d, "skus");
    s = cJSON_CreateObject();
    add_id(s, "id", it->sku_id);
    (void)cJSON_AddStringToObject(s, "seller_sku", it->sku);
    (void)cJSON_AddItemToArray(skus, s);
    ok(x, d);
}

static void set_status(struct ctx *x, const char *status)
{
    const cJSON *ids = get(x->body, "product_ids"), *id;
    int n = cJSON_GetArraySize(ids);

    if (n < 1 || n > 20) {
        fail(x, 12052900, "product_ids: 1 to 20 ids");
        return;
    }
    cJSON_ArrayForEach(id, ids)
    {
        if (!mock_item_by_id(x->shop, (int64_t)num(id))) {
            fail(x, 12019001, "product not found");
            return;
        }
    }
    cJSON_ArrayForEach(id, ids)
    {
        struct mock_item *it = mock_item_by_id(x->shop, (int64_t)num(id));
        snprintf(it->status, sizeof it->status, "%s", status);
        it->updated_at = mock_now();
    }
    ok(x, NULL);
}

/* ---- orders ---- */

static cJSON *order_json(const struct mock_order *o)
{
    cJSON *j = cJSON_CreateObject(), *lines;
    char price[32];

    snprintf(price, sizeof price, "%" PRId64, o->price_vnd);
    add_id(j, "id", strtoll(o->id + 4, NULL, 10)); /* "MOCK<n>" */
    (void)cJSON_AddStringToObject(j, "status", "AWAITING_SHIPMENT");
    (void)cJSON_AddNumberToObject(j, "create_time", (double)o->created_at);
    (void)cJSON_AddNumberToObject(j, "update_time", (double)o->created_at);
    lines = cJSON_AddArrayToObject(j, "line_items");
    for (int64_t k = 0; k < o->qty; k++) { /* one line item per unit */
        cJSON *l = cJSON_CreateObject();
        add_id(l, "product_id", o->item_id);
        (void)cJSON_AddStringToObject(l, "seller_sku", o->sku);
        (void)cJSON_AddStringToObject(l, "sale_price", price);
        (void)cJSON_AddStringToObject(l, "original_price", price);
        (void)cJSON_AddStringToObject(l, "currency", "VND");
        (void)cJSON_AddItemToArray(lines, l);
    }
    return j;
}

static void orders_search(struct ctx *x)
{
    double ge = num(get(x->body, "update_time_ge"));
    double lt = num(get(x->body, "update_time_lt"));
    long size = q(x, "page_size") ? strtol(q(x, "page_size"), NULL, 10) : 0;
    long from = q(x, "page_token") ? strtol(q(x, "page_token"), NULL, 10) : 0;
    int n = 0;

    if (!page_size_ok(x) || from < 0) {
        fail(x, 36009004, "page_size must be 1..100");
        return;
    }
    const struct mock_order *o =
        mock_orders(x->shop, isnan(ge) ? 0 : (int64_t)ge,
                    isnan(lt) ? INT64_MAX : (int64_t)lt, &n);
    cJSON *d = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(d, "orders");
    char next[32] = "";
    for (long i = from; i < n && i < from + size; i++)
        (void)cJSON_AddItemToArray(arr, order_json(&o[i]));
    if (from + size < n) /* the token is an offset; opaque to callers */
        snprintf(next, sizeof next, "%ld", from + size);
    (void)cJSON_AddStringToObject(d, "next_page_token", next);
    (void)cJSON_AddNumberToObject(d, "total_count", n);
    ok(x, d);
}

/* ---- routing ---- */

/* product_path: /product/202309/products/{id}/(prices|inventory)/update */
static int product_path(const char *path, int64_t *id, int *stock)
{
    static const char pre[] = "/product/202309/products/";
    char *end = NULL;

    if (strncmp(path, pre, sizeof pre - 1) != 0)
        return 0;
    *id = strtoll(path + sizeof pre - 1, &end, 10);
    if (end == path + sizeof pre - 1)
        return 0;
    *stock = strcmp(end, "/inventory/update") == 0;
    return *stock || strcmp(end, "/prices/update") == 0;
}

/* edit_path: /product/202309/products/{id}, Edit Product (PUT) */
static int edit_path(const char *path, int64_t *id)
{
    static const char pre[] = "/product/202309/products/";
    char *end = NULL;

    if (strncmp(path, pre, sizeof pre - 1) != 0)
        return 0;
    *id = strtoll(path + sizeof pre - 1, &end, 10);
    return end != path + sizeof pre - 1 && *end == '\0';
}

static int route(struct ctx *x)
{
    const char *p = x->rq->path;
    int64_t id;
    int stock;

    if (strcmp(p, "/product/202309/images/upload") == 0)
        image_upload(x);
    else if (strcmp(p, "/product/202502/products/search") == 0)
        products_search(x);
    else if (strcmp(p, "/product/202309/products") == 0)
        product_create(x);
    else if (strcmp(p, "/product/202309/products/deactivate") == 0)
        set_status(x, "UNLIST");
    else if (strcmp(p, "/product/202309/products/activate") == 0)
        set_status(x, "NORMAL");
    else if (strcmp(p, "/order/202309/orders/search") == 0)
        orders_search(x);
    else if (product_path(p, &id, &stock))
        product_update(x, id, stock);
    else if (edit_path(p, &id))
        product_edit(x, id);
    else
        return 0;
    return 1;
}

static int known_path(const char *p)
{
    int64_t id;
    int stock;

    return strcmp(p, "/authorization/202309/shops") == 0 ||
           strcmp(p, "/product/202309/images/upload") == 0 ||
           strcmp(p, "/product/202502/products/search") == 0 ||
           strcmp(p, "/product/202309/products") == 0 ||
           strcmp(p, "/product/202309/products/deactivate") == 0 ||
           strcmp(p, "/product/202309/products/activate") == 0 ||
           strcmp(p, "/order/202309/orders/search") == 0 ||
           product_path(p, &id, &stock) || edit_path(p, &id);
}

static void handle_api(const struct mock_req *rq, struct mock_resp *rs)
{
    struct ctx x = {.rq = rq, .rs = rs};
    int shops_call = strcmp(rq->path, "/authorization/202309/shops") == 0;
    int64_t id;
    const char *method = shops_call                 ? "GET"
                         : edit_path(rq->path, &id) ? "PUT"
                                                    : "POST";

    if (!known_path(rq->path)) {
        fail(&x, 36009009, "Invalid path");
        return;
    }
    if (strcmp(rq->method, method) != 0) {
        fail(&x, 36009010, "Invalid method");
        return;
    }
    if (!shops_call && !multipart(rq) &&
        (!rq->content_type ||
         strncasecmp(rq->content_type, "application/json", 16) != 0)) {
        fail(&x, 36009022, "Content-Type must be application/json");
        return;
    }
    if (!checks(&x, !shops_call))
        return;
    x.body =
        rq->body_len ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
    if (!shops_call && !multipart(rq) && !cJSON_IsObject(x.body))
        fail(&x, 36009004, "The body must be a JSON object");
    else if (shops_call)
        shops(&x);
    else
        (void)route(&x);
    cJSON_Delete(x.body);
}

static void handle_auth(const struct mock_req *rq, struct mock_resp *rs)
{
    struct ctx x = {.rq = rq, .rs = rs};

    if (strcmp(rq->path, "/api/v2/token/get") == 0)
        token_get(&x);
    else if (strcmp(rq->path, "/api/v2/token/refresh") == 0)
        token_refresh(&x);
    else if (strcmp(rq->path, "/open/authorize") == 0)
        authorize(&x);
    else
        fail(&x, 36009009, "Invalid path");
}

const struct mock_market mock_tiktok = {"tiktok", handle_api};
const struct mock_market mock_tiktok_auth = {"tiktok-auth", handle_auth};
