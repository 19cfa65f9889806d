/* mock_lazada.c: Lazada Open Platform as the mock marketplace speaks it
 * (protocol: integrations/lazada/README.md).
 * Owns: the checks every call gets (app_key known, sign_method sha256,
 *   timestamp in ms within 7200 s, sign recomputed over the API path and
 *   every param but sign, from the query or the urlencoded/multipart
 *   form, upper-case hex; for seller APIs a live access_token), the
 *   envelopes ({"code":"0","data"} / {"type","code","message",
 *   "request_id"}), the auth host (token create and refresh, their fields
 *   at the top level as Lazada answers them, and the authorize page) and
 *   the product, image and order APIs the connector uses.
 * Does not own: the state, tokens, faults (mock.c).
 * Choices the documentation leaves open: errors are HTTP 200 with the
 *   error envelope (404 for an unknown path); "InvalidAppKey",
 *   "InvalidTimestamp" and "InvalidParameter" are this mock's codes; the
 *   payload of create/update must be JSON (the mock reads no XML payloads
 *   there); an update applies at once. Order ids are the number of the
 *   core's "MOCK<n>", since Lazada's are numbers; an order of qty n lists
 *   n item rows, as Lazada lists one row per unit. Images are "hosted" at
 *   IMG_HOST, and create and update refuse any other image URL, as Lazada
 *   does. */
#include "mock.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARKET "lazada"
#define DEFAULT_SHOP "demo-lazada"
#define TS_WINDOW_MS (7200LL * 1000)
#define IMG_HOST "https://vn-live-01.slatic.net/p/mock-"
#define VN_OFFSET_S (7 * 3600)

/* One request being answered. */
struct ctx {
    const struct mock_req *rq;
    struct mock_resp *rs;
    cJSON *params;          /* query and form together (strings), owned */
    struct mock_shop *shop; /* the access token's shop (seller APIs) */
};

/* ---- answers ---- */

static void add_request_id(cJSON *j)
{
    static unsigned long n; /* under the mock lock, like all state */
    char id[40];

    snprintf(id, sizeof id, "0b8b1a10%016" PRIx64 "%lu", (uint64_t)mock_now(),
             ++n);
    (void)cJSON_AddStringToObject(j, "request_id", id);
}

/* fail_detail: the error envelope; detail (taken) may be NULL. */
static void fail_detail(struct ctx *x, const char *type, const char *code,
                        const char *message, cJSON *detail)
{
    cJSON *j = cJSON_CreateObject();

    (void)cJSON_AddStringToObject(j, "type", type);
    (void)cJSON_AddStringToObject(j, "code", code);
    (void)cJSON_AddStringToObject(j, "message", message);
    if (detail && !cJSON_AddItemToObject(j, "detail", detail))
        cJSON_Delete(detail);
    add_request_id(j);
    mock_json(x->rs, 200, j);
}

static void fail(struct ctx *x, const char *type, const char *code,
                 const char *message)
{
    fail_detail(x, type, code, message, NULL);
}

static void ok(struct ctx *x, cJSON *data)
{
    cJSON *j = cJSON_CreateObject();

    (void)cJSON_AddStringToObject(j, "code", "0");
    if (data && !cJSON_AddItemToObject(j, "data", data))
        cJSON_Delete(data);
    add_request_id(j);
    mock_json(x->rs, 200, j);
}

/* ---- reading requests ---- */

static const char *param(const struct ctx *x, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(x->params, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* merged: query and form params in one object; a name in both is
 * refused (*dup set), since it could not be signed unambiguously. */
static cJSON *merged(const struct mock_req *rq, int *dup)
{
    cJSON *o = cJSON_Duplicate(rq->query, 1);
    const cJSON *f;

    *dup = 0;
    cJSON_ArrayForEach(f, rq->form)
    {
        if (cJSON_GetObjectItemCaseSensitive(o, f->string))
            *dup = 1;
        else if (cJSON_IsString(f))
            (void)cJSON_AddStringToObject(o, f->string, f->valuestring);
    }
    return o;
}

static int by_name(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

    return strcmp(x->string, y->string);
}

/* sign_ok: path + sorted name+value of every param but sign, HMAC-SHA256
 * under the app secret, upper-case hex [LZ-SIG]. */
static int sign_ok(const struct ctx *x, const char *secret, const char *sign)
{
    int n = cJSON_GetArraySize(x->params), k = 0;
    const cJSON **items = calloc((size_t)n + 1, sizeof *items), *it;
    size_t len = strlen(x->rq->path), cap = len + 1;
    char *base, mac[65];

    if (!items)
        return 0;
    cJSON_ArrayForEach(it, x->params)
    {
        if (strcmp(it->string, "sign") != 0) {
            items[k++] = it;
            cap += strlen(it->string) + strlen(it->valuestring);
        }
    }
    qsort(items, (size_t)k, sizeof *items, by_name);
    base = malloc(cap);
    if (base) {
        memcpy(base, x->rq->path, len);
        for (int i = 0; i < k; i++) {
            size_t a = strlen(items[i]->string),
                   b = strlen(items[i]->valuestring);
            memcpy(base + len, items[i]->string, a);
            memcpy(base + len + a, items[i]->valuestring, b);
            len += a + b;
        }
        mock_hmac_hex(secret, base, len, mac, 1);
    }
    free(base);
    free(items);
    return base != NULL && strcmp(mac, sign) == 0;
}

/* ts_ok: milliseconds since the epoch, within 7200 s of now. */
static int ts_ok(const char *ts)
{
    char *end = NULL;
    long long v = ts ? strtoll(ts, &end, 10) : 0;

    if (!ts || !*ts || *end != '\0')
        return 0;
    return llabs(v - (long long)mock_now() * 1000) <= TS_WINDOW_MS;
}

/* checks: what every call gets; 0 when an error was answered. */
static int checks(struct ctx *x, int seller)
{
    const char *key = param(x, "app_key"), *sign = param(x, "sign");
    const char *secret = key ? mock_app_secret(key) : NULL;
    const char *sm = param(x, "sign_method");
    enum mock_token_state st;

    if (!key || !sign || !param(x, "timestamp")) {
        fail(x, "ISV", "MissingParameter",
             "app_key, timestamp and sign are mandatory");
        return 0;
    }
    if (!secret) {
        fail(x, "ISV", "InvalidAppKey", "The app_key is not known");
        return 0;
    }
    if (!ts_ok(param(x, "timestamp"))) {
        fail(x, "ISV", "InvalidTimestamp",
             "timestamp must be ms since the epoch, within 7200 s of now");
        return 0;
    }
    if (!sm || strcmp(sm, "sha256") != 0 || !sign_ok(x, secret, sign)) {
        fail(x, "ISV", "IncompleteSignature",
             "The request signature does not conform to platform standards");
        return 0;
    }
    if (!seller)
        return 1;
    x->shop = mock_shop_by_token(MARKET, param(x, "access_token"), &st);
    if (!x->shop || st != MOCK_TOKEN_OK) {
        fail(x, "ISV", "IllegalAccessToken",
             "The specified access token is invalid or expired");
        return 0;
    }
    return 1;
}

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* num: a number or decimal text; NAN when neither. */
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

static const char *text(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* product_of: Request.Product of a JSON payload param, or NULL (answered). */
static const cJSON *product_of(struct ctx *x, const char *name, cJSON **root)
{
    const char *p = param(x, name);
    const cJSON *prod;

    *root = p ? cJSON_Parse(p) : NULL;
    prod = get(get(*root, "Request"), "Product");
    if (!p) {
        fail(x, "ISV", "MissingParameter", name);
        return NULL;
    }
    if (!cJSON_IsObject(prod)) {
        fail(x, "ISP", "E005",
             "Invalid Request Format: {\"Request\":{\"Product\":{...}}} "
             "expected (this mock reads JSON payloads only)");
        return NULL;
    }
    return prod;
}

/* ---- auth host ---- */

static void token_answer(struct ctx *x, struct mock_shop *s)
{
    cJSON *j = cJSON_CreateObject(), *info = cJSON_CreateArray();
    cJSON *u = cJSON_CreateObject();
    int64_t now = mock_now();

    (void)cJSON_AddStringToObject(j, "access_token", mock_access_token(s));
    (void)cJSON_AddStringToObject(j, "refresh_token", mock_refresh_token(s));
    (void)cJSON_AddNumberToObject(j, "expires_in",
                                  (double)(mock_access_expires(s) - now));
    (void)cJSON_AddNumberToObject(j, "refresh_expires_in",
                                  (double)(mock_refresh_expires(s) - now));
    (void)cJSON_AddStringToObject(j, "country", "vn");
    (void)cJSON_AddStringToObject(j, "account_platform", "seller_center");
    (void)cJSON_AddStringToObject(j, "account", mock_shop_name(s));
    (void)cJSON_AddStringToObject(u, "country", "vn");
    (void)cJSON_AddStringToObject(u, "seller_id", mock_shop_name(s));
    (void)cJSON_AddStringToObject(u, "user_id", mock_shop_name(s));
    (void)cJSON_AddItemToArray(info, u);
    (void)cJSON_AddItemToObject(j, "country_user_info", info);
    (void)cJSON_AddStringToObject(j, "code", "0");
    add_request_id(j);
    mock_json(x->rs, 200, j);
}

static void token_create(struct ctx *x)
{
    const char *code = param(x, "code");
    struct mock_shop *s;

    if (!checks(x, 0))
        return;
    if (!code) {
        fail(x, "ISV", "MissingParameter", "code");
        return;
    }
    s = mock_authorise(MARKET, code);
    if (!s) {
        fail(x, "ISV", "InvalidCode", "Invalid authorization code");
        return;
    }
    token_answer(x, s);
}

static void token_refresh(struct ctx *x)
{
    const char *rt = param(x, "refresh_token");
    struct mock_shop *s;

    if (!checks(x, 0))
        return;
    if (!rt) {
        fail(x, "ISV", "MissingParameter", "refresh_token");
        return;
    }
    s = mock_refresh(MARKET, rt);
    if (!s) {
        fail(x, "ISV", "IllegalRefreshToken",
             "The specified refresh token is invalid or expired");
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

/* enc: s percent-encoded into out (RFC 3986 unreserved kept). */
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

/* authorize: the page a seller would log in on; the mock agrees at once
 * and sends the browser back with code=mock-<shop> and the state. */
static void authorize(struct ctx *x)
{
    const char *redirect = param(x, "redirect_uri");
    const char *client = param(x, "client_id");
    const char *shop =
        param(x, "mock_shop") ? param(x, "mock_shop") : DEFAULT_SHOP;
    char state[512];
    size_t n;
    char *loc;

    if (!redirect || !*redirect || !client || !mock_app_secret(client) ||
        !shop_name_ok(shop)) {
        fail(x, "ISV", "InvalidParameter",
             "redirect_uri, a known client_id and a valid mock_shop needed");
        return;
    }
    enc(param(x, "state") ? param(x, "state") : "", state, sizeof state);
    n = strlen(redirect) + strlen(shop) + strlen(state) + 32;
    loc = malloc(n);
    if (!loc) {
        fail(x, "SYSTEM", "InternalError", "out of memory");
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

/* ---- images ---- */

/* image_migrate: the URL is "fetched" and hosted here. */
static void image_migrate(struct ctx *x)
{
    const char *p = param(x, "payload");
    const char *a = p ? strstr(p, "<Url>") : NULL;
    const char *b = a ? strstr(a, "</Url>") : NULL;
    char url[1024], hosted[128];
    size_t n;

    n = a && b ? (size_t)(b - a - 5) : sizeof url;
    if (n >= sizeof url) {
        fail(x, "ISP", "E005", "Invalid Request Format: <Url> expected");
        return;
    }
    memcpy(url, a + 5, n);
    url[n] = '\0';
    if (strncmp(url, "<![CDATA[", 9) == 0 && n > 12 &&
        strcmp(url + n - 3, "]]>") == 0) {
        memmove(url, url + 9, n - 12);
        url[n - 12] = '\0';
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        fail(x, "ISP", "E005", "Image URL must be http or https");
        return;
    }
    snprintf(hosted, sizeof hosted, IMG_HOST "%" PRId64 ".jpg",
             mock_image_add(x->shop, 0));
    cJSON *d = cJSON_CreateObject(), *img = cJSON_AddObjectToObject(d, "image");
    (void)cJSON_AddStringToObject(img, "url", hosted);
    (void)cJSON_AddStringToObject(img, "hash_code", "mock");
    ok(x, d);
}

/* ---- products ---- */

static cJSON *product_json(const struct mock_item *it)
{
    cJSON *p = cJSON_CreateObject(), *skus, *s = cJSON_CreateObject();
    int live = strcmp(it->status, "NORMAL") == 0;

    (void)cJSON_AddNumberToObject(p, "item_id", (double)it->id);
    (void)cJSON_AddStringToObject(p, "status", live ? "Active" : "InActive");
    (void)cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "attributes"),
                                  "name", it->title);
    skus = cJSON_AddArrayToObject(p, "skus");
    (void)cJSON_AddNumberToObject(s, "SkuId", (double)it->sku_id);
    (void)cJSON_AddStringToObject(s, "SellerSku", it->sku);
    (void)cJSON_AddNumberToObject(s, "quantity", (double)it->stock);
    (void)cJSON_AddNumberToObject(s, "price", (double)it->price_vnd);
    (void)cJSON_AddStringToObject(s, "Status", live ? "active" : "inactive");
    (void)cJSON_AddItemToArray(skus, s);
    return p;
}

static void products_get(struct ctx *x)
{
    const char *list = param(x, "sku_seller_list");
    const char *lim = param(x, "limit");
    cJSON *skus = list ? cJSON_Parse(list) : NULL;
    cJSON *d = cJSON_CreateObject(),
          *arr = cJSON_AddArrayToObject(d, "products");
    const cJSON *s;
    long limit = lim ? strtol(lim, NULL, 10) : 20;

    if (!param(x, "filter") || (list && !cJSON_IsArray(skus)) || limit < 1 ||
        limit > 50) {
        cJSON_Delete(skus);
        cJSON_Delete(d);
        fail(x, "ISV", "InvalidParameter",
             "filter required; sku_seller_list a JSON list; limit 1..50");
        return;
    }
    cJSON_ArrayForEach(s, skus)
    {
        struct mock_item *it = mock_item_by_sku(x->shop, text(s));
        if (it && cJSON_GetArraySize(arr) < limit)
            (void)cJSON_AddItemToArray(arr, product_json(it));
    }
    (void)cJSON_AddNumberToObject(d, "total_products", cJSON_GetArraySize(arr));
    cJSON_Delete(skus);
    ok(x, d);
}

/* detail_add: one field error for the create answer's detail[]. */
static void detail_add(cJSON *detail, const char *field, const char *msg)
{
    cJSON *e = cJSON_CreateObject();

    (void)cJSON_AddStringToObject(e, "field", field);
    (void)cJSON_AddStringToObject(e, "message", msg);
    (void)cJSON_AddItemToArray(detail, e);
}

static int hosted_images(const cJSON *imgs)
{
    const cJSON *i;
    int n = 0;

    cJSON_ArrayForEach(i, imgs)
    {
        if (strncmp(text(i), IMG_HOST, strlen(IMG_HOST)) != 0)
            return -1;
        n++;
    }
    return n;
}

/* create_checks: every missing or invalid field, as Lazada lists them. */
static void create_checks(const cJSON *p, const cJSON *sku, cJSON *detail)
{
    static const char *const dims[] = {"package_weight", "package_length",
                                       "package_width", "package_height"};
    const cJSON *attrs = get(p, "Attributes");
    int imgs = hosted_images(get(get(p, "Images"), "Image"));

    if (!text(get(p, "PrimaryCategory"))[0])
        detail_add(detail, "PrimaryCategory", "PrimaryCategory is required");
    if (imgs <= 0)
        detail_add(detail, "Images",
                   imgs < 0 ? "Images must be hosted by Lazada (/image/migrate)"
                            : "At least one image is required");
    if (!text(get(attrs, "name"))[0])
        detail_add(detail, "name", "name is required");
    if (!text(get(attrs, "brand"))[0])
        detail_add(detail, "brand", "brand is required (or \"No Brand\")");
    if (!text(get(attrs, "description"))[0])
        detail_add(detail, "description", "description is required");
    if (!text(get(sku, "SellerSku"))[0])
        detail_add(detail, "SellerSku", "SellerSku is required");
    if (!(num(get(sku, "price")) > 0))
        detail_add(detail, "price", "price must be greater than 0");
    if (!(num(get(sku, "quantity")) >= 0))
        detail_add(detail, "quantity", "quantity must be 0 or more");
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        if (!(num(get(sku, dims[i])) > 0))
            detail_add(detail, dims[i], "must be greater than 0");
}

static void product_create(struct ctx *x)
{
    cJSON *root, *detail = cJSON_CreateArray(), *d, *l, *s;
    const cJSON *p = product_of(x, "payload", &root);
    const cJSON *sku = cJSON_GetArrayItem(get(get(p, "Skus"), "Sku"), 0);
    struct mock_item *it;

    if (!p)
        goto out;
    create_checks(p, sku, detail);
    if (cJSON_GetArraySize(detail) > 0) {
        fail_detail(x, "ISP", "500", "CREATE_PRODUCT_FAILED", detail);
        detail = NULL;
        goto out;
    }
    it = mock_item_create(x->shop, text(get(sku, "SellerSku")),
                          text(get(get(p, "Attributes"), "name")),
                          (int64_t)llround(num(get(sku, "price"))),
                          (int64_t)llround(num(get(sku, "quantity"))),
                          hosted_images(get(get(p, "Images"), "Image")));
    if (!it) {
        fail(x, "SYSTEM", "InternalError", "out of memory");
        goto out;
    }
    d = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(d, "item_id", (double)it->id);
    l = cJSON_AddArrayToObject(d, "sku_list");
    s = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(s, "sku_id", (double)it->sku_id);
    (void)cJSON_AddStringToObject(s, "seller_sku", it->sku);
    (void)cJSON_AddItemToArray(l, s);
    ok(x, d);
out:
    cJSON_Delete(detail);
    cJSON_Delete(root);
}

/* item_of: the item an ItemId (+ SkuId / SellerSku) names, or NULL. */
static struct mock_item *item_of(struct ctx *x, const cJSON *s)
{
    struct mock_item *it = NULL;
    double id = num(get(s, "ItemId")), sku_id = num(get(s, "SkuId"));

    if (!isnan(id))
        it = mock_item_by_id(x->shop, (int64_t)id);
    else if (text(get(s, "SellerSku"))[0])
        it = mock_item_by_sku(x->shop, text(get(s, "SellerSku")));
    if (it && !isnan(sku_id) && (int64_t)sku_id != it->sku_id)
        return NULL;
    return it;
}

/* sku_update: one Sku of price_quantity/update; 0 when refused. */
static int sku_update(struct ctx *x, const cJSON *s, cJSON *detail)
{
    struct mock_item *it = item_of(x, s);
    double price = num(get(s, "Price")), qty = num(get(s, "Quantity"));

    if (!it) {
        detail_add(detail, "SkuId", "SKU not found");
        return 0;
    }
    if ((!isnan(price) && !(price > 0)) || (!isnan(qty) && qty < 0) ||
        (isnan(price) && isnan(qty))) {
        detail_add(detail, "Price/Quantity",
                   "Price > 0 or Quantity >= 0 expected");
        return 0;
    }
    if (!isnan(price))
        it->price_vnd = (int64_t)llround(price);
    if (!isnan(qty))
        it->stock = (int64_t)llround(qty);
    it->updated_at = mock_now();
    return 1;
}

static void price_quantity(struct ctx *x)
{
    cJSON *root, *detail = cJSON_CreateArray();
    const cJSON *p = product_of(x, "payload", &root), *s;
    const cJSON *skus = get(get(p, "Skus"), "Sku");
    int n = cJSON_GetArraySize(skus), good = 1;

    if (!p)
        goto out;
    if (n < 1 || n > 50) {
        fail(x, "ISP", "E204", "Between 1 and 50 SKUs per call");
        goto out;
    }
    cJSON_ArrayForEach(s, skus)
    {
        good &= sku_update(x, s, detail);
    }
    if (!good) {
        fail_detail(x, "ISP", "E501", "Update product failed", detail);
        detail = NULL;
        goto out;
    }
    ok(x, NULL);
out:
    cJSON_Delete(detail);
    cJSON_Delete(root);
}

/* update_checks: what UpdateProduct refuses here: an empty name, images
 * missing or not hosted by Lazada, a SKU without SkuId (4216) or with
 * another item's, a price or quantity that is sent but invalid. */
static void update_checks(const cJSON *p, const cJSON *sku,
                          const struct mock_item *it, cJSON *detail)
{
    int imgs = hosted_images(get(get(p, "Images"), "Image"));
    double sku_id = num(get(sku, "SkuId")), price = num(get(sku, "price"));
    double qty = num(get(sku, "quantity"));

    if (!text(get(get(p, "Attributes"), "name"))[0])
        detail_add(detail, "name", "name is required");
    if (imgs <= 0)
        detail_add(detail, "Images",
                   imgs < 0 ? "Images must be hosted by Lazada (/image/migrate)"
                            : "At least one image is required");
    if (isnan(sku_id))
        detail_add(detail, "SkuId",
                   "skuId is a mandatory field and must be filled in.");
    else if ((int64_t)sku_id != it->sku_id)
        detail_add(detail, "SkuId", "SKU not found");
    if (!isnan(price) && !(price > 0))
        detail_add(detail, "price", "price must be greater than 0");
    if (!isnan(qty) && qty < 0)
        detail_add(detail, "quantity", "quantity must be 0 or more");
}

/* product_update: UpdateProduct on one item: its title and image count
 * become the payload's; price and stock change only when sent. */
static void product_update(struct ctx *x)
{
    cJSON *root, *detail = cJSON_CreateArray();
    const cJSON *p = product_of(x, "payload", &root);
    const cJSON *sku = cJSON_GetArrayItem(get(get(p, "Skus"), "Sku"), 0);
    struct mock_item *it = p ? item_of(x, p) : NULL;

    if (!p)
        goto out;
    if (!it) {
        fail(x, "ISP", "4137",
             "The item id entered in the request does not exist on the "
             "current country and store, please call the "
             "GetProducts/GetProductItem API to query for the correct item "
             "id.");
        goto out;
    }
    update_checks(p, sku, it, detail);
    if (cJSON_GetArraySize(detail) > 0) {
        fail_detail(x, "ISP", "501", "Update product failed", detail);
        detail = NULL;
        goto out;
    }
    snprintf(it->title, sizeof it->title, "%s",
             text(get(get(p, "Attributes"), "name")));
    it->images = hosted_images(get(get(p, "Images"), "Image"));
    if (!isnan(num(get(sku, "price"))))
        it->price_vnd = (int64_t)llround(num(get(sku, "price")));
    if (!isnan(num(get(sku, "quantity"))))
        it->stock = (int64_t)llround(num(get(sku, "quantity")));
    it->updated_at = mock_now();
    ok(x, NULL);
out:
    cJSON_Delete(detail);
    cJSON_Delete(root);
}

static void deactivate(struct ctx *x)
{
    cJSON *root;
    const cJSON *p = product_of(x, "apiRequestBody", &root);
    struct mock_item *it = p ? item_of(x, p) : NULL;

    if (p && !it)
        fail(x, "ISP", "E501", "Update product failed: item not found");
    if (it) {
        snprintf(it->status, sizeof it->status, "UNLIST");
        it->updated_at = mock_now();
        ok(x, NULL);
    }
    cJSON_Delete(root);
}

/* ---- orders ---- */

/* iso_unix: "2023-11-14T00:00:00+07:00" (or Z) -> Unix; -1 if not. */
static int64_t iso_unix(const char *s)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, oh = 0, om = 0, n = 0;
    char sign = 'Z';

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                     &n) != 6)
        return -1;
    if (s[n] != 'Z' && sscanf(s + n, "%c%2d:%2d", &sign, &oh, &om) != 3)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) - (sign == '-'   ? -1
                                   : sign == '+' ? 1
                                                 : 0) *
                                      (oh * 3600 + om * 60);
}

/* lz_time: Unix -> "2023-11-14 09:15:00 +0700", as Lazada prints it. */
static void lz_time(int64_t t, char *buf, size_t size)
{
    time_t v = (time_t)(t + VN_OFFSET_S);
    struct tm tm;

    gmtime_r(&v, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S +0700", &tm);
}

static int64_t order_no(const struct mock_order *o)
{
    return strtoll(o->id + 4, NULL, 10); /* "MOCK<n>" */
}

static cJSON *order_json(const struct mock_order *o)
{
    cJSON *j = cJSON_CreateObject(), *st = cJSON_CreateArray();
    char t[40], price[32];

    lz_time(o->created_at, t, sizeof t);
    snprintf(price, sizeof price, "%" PRId64 ".00", o->qty * o->price_vnd);
    (void)cJSON_AddNumberToObject(j, "order_id", (double)order_no(o));
    (void)cJSON_AddNumberToObject(j, "order_number", (double)order_no(o));
    (void)cJSON_AddStringToObject(j, "created_at", t);
    (void)cJSON_AddStringToObject(j, "updated_at", t);
    (void)cJSON_AddStringToObject(j, "price", price);
    (void)cJSON_AddNumberToObject(j, "items_count", (double)o->qty);
    (void)cJSON_AddStringToObject(j, "payment_method", "COD");
    (void)cJSON_AddItemToArray(st, cJSON_CreateString("pending"));
    (void)cJSON_AddItemToObject(j, "statuses", st);
    return j;
}

static void orders_get(struct ctx *x)
{
    const char *after = param(x, "update_after") ? param(x, "update_after")
                                                 : param(x, "created_after");
    const char *before = param(x, "update_before") ? param(x, "update_before")
                                                   : param(x, "created_before");
    const char *dir = param(x, "sort_direction");
    long limit = param(x, "limit") ? strtol(param(x, "limit"), NULL, 10) : 100;
    long off = param(x, "offset") ? strtol(param(x, "offset"), NULL, 10) : 0;
    int64_t since = iso_unix(after),
            until = before ? iso_unix(before) : mock_now() + 1;
    int n = 0, asc = dir && strcmp(dir, "ASC") == 0;

    if (!after) {
        fail(x, "ISV", "MissingParameter", "created_after or update_after");
        return;
    }
    if (since < 0 || until < 0 || limit < 1 || limit > 100 || off < 0) {
        fail(x, "ISV", "InvalidParameter",
             "dates are ISO 8601 with an offset; limit 1..100; offset >= 0");
        return;
    }
    const struct mock_order *o = mock_orders(x->shop, since, until, &n);
    cJSON *d = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(d, "orders");
    for (long i = off; i < n && i < off + limit; i++)
        (void)cJSON_AddItemToArray(arr, order_json(&o[asc ? i : n - 1 - i]));
    (void)cJSON_AddNumberToObject(d, "count", cJSON_GetArraySize(arr));
    (void)cJSON_AddNumberToObject(d, "countTotal", n);
    ok(x, d);
}

/* order_items: one row per unit of the order. */
static cJSON *order_items(struct ctx *x, const struct mock_order *o)
{
    cJSON *j = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    const struct mock_item *it = mock_item_by_id(x->shop, o->item_id);

    (void)cJSON_AddNumberToObject(j, "order_id", (double)order_no(o));
    (void)cJSON_AddNumberToObject(j, "order_number", (double)order_no(o));
    for (int64_t k = 0; k < o->qty; k++) {
        cJSON *r = cJSON_CreateObject();
        (void)cJSON_AddNumberToObject(r, "order_item_id",
                                      (double)(order_no(o) * 1000 + k));
        (void)cJSON_AddNumberToObject(r, "order_id", (double)order_no(o));
        (void)cJSON_AddStringToObject(r, "sku", o->sku);
        (void)cJSON_AddStringToObject(r, "name", it ? it->title : o->sku);
        (void)cJSON_AddNumberToObject(r, "item_price", (double)o->price_vnd);
        (void)cJSON_AddNumberToObject(r, "paid_price", (double)o->price_vnd);
        (void)cJSON_AddStringToObject(r, "status", "pending");
        (void)cJSON_AddItemToArray(rows, r);
    }
    (void)cJSON_AddItemToObject(j, "order_items", rows);
    return j;
}

static void orders_items_get(struct ctx *x)
{
    const char *ids = param(x, "order_ids");
    cJSON *list = ids ? cJSON_Parse(ids) : NULL, *d;
    const cJSON *id;
    int n = 0;

    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
        cJSON_GetArraySize(list) > 50) {
        cJSON_Delete(list);
        fail(x, "ISV", "InvalidParameter",
             "order_ids must be a JSON list of 1..50 order ids");
        return;
    }
    const struct mock_order *o = mock_orders(x->shop, 0, INT64_MAX, &n);
    d = cJSON_CreateArray();
    cJSON_ArrayForEach(id, list)
    {
        double want = num(id);
        for (int i = 0; i < n; i++)
            if (!isnan(want) && order_no(&o[i]) == (int64_t)want)
                (void)cJSON_AddItemToArray(d, order_items(x, &o[i]));
    }
    cJSON_Delete(list);
    ok(x, d);
}

/* ---- routing ---- */

struct route {
    const char *path;
    int post_only;
    void (*fn)(struct ctx *x);
};

static const struct route api_routes[] = {
    {"/image/migrate", 1, image_migrate},
    {"/products/get", 0, products_get},
    {"/product/create", 1, product_create},
    {"/product/update", 1, product_update},
    {"/product/price_quantity/update", 1, price_quantity},
    {"/product/deactivate", 1, deactivate},
    {"/orders/get", 0, orders_get},
    {"/orders/items/get", 0, orders_items_get},
};

static void serve(const struct mock_req *rq, struct mock_resp *rs,
                  const struct route *routes, size_t n, int seller)
{
    struct ctx x = {.rq = rq, .rs = rs};
    int dup;

    x.params = merged(rq, &dup);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rq->path, routes[i].path) != 0)
            continue;
        if (dup)
            fail(&x, "ISV", "InvalidParameter", "a param is sent twice");
        else if (routes[i].post_only && strcmp(rq->method, "POST") != 0)
            fail(&x, "ISV", "InvalidMethod", "POST required");
        else if (checks(&x, seller))
            routes[i].fn(&x);
        cJSON_Delete(x.params);
        return;
    }
    fail(&x, "ISV", "InvalidApiPath", "The specified API path is not found");
    rs->status = 404;
    cJSON_Delete(x.params);
}

static void handle_api(const struct mock_req *rq, struct mock_resp *rs)
{
    serve(rq, rs, api_routes, sizeof api_routes / sizeof api_routes[0], 1);
}

static const struct route auth_routes[] = {
    {"/auth/token/create", 0, token_create},
    {"/auth/token/refresh", 0, token_refresh},
    {"/oauth/authorize", 0, authorize},
};

/* the token handlers run their own checks (no access token) */
static void handle_auth(const struct mock_req *rq, struct mock_resp *rs)
{
    struct ctx x = {.rq = rq, .rs = rs};
    int dup;

    x.params = merged(rq, &dup);
    for (size_t i = 0; i < sizeof auth_routes / sizeof auth_routes[0]; i++) {
        if (strcmp(rq->path, auth_routes[i].path) == 0) {
            if (dup)
                fail(&x, "ISV", "InvalidParameter", "a param is sent twice");
            else
                auth_routes[i].fn(&x);
            cJSON_Delete(x.params);
            return;
        }
    }
    fail(&x, "ISV", "InvalidApiPath", "The specified API path is not found");
    rs->status = 404;
    cJSON_Delete(x.params);
}

const struct mock_market mock_lazada = {"lazada", handle_api};
const struct mock_market mock_lazada_auth = {"lazada-auth", handle_auth};
