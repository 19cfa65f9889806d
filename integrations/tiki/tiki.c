/* tiki.c: the Tiki Open API connector (see tiki.h, and README.md beside
 * this file for the choices made where Tiki's pages are silent). */
#include "tiki/tiki.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDERS_PAGE 50
/* Tiki's timestamps ("2020-08-20 15:00:00") are Vietnam time, UTC+7. */
#define VN_OFFSET_S (7 * 3600)
#define SELLER_CENTER "https://sellercenter.tiki.vn/"

static const char *auth_host(const struct mkt_shop *s)
{
    return s->auth_base && s->auth_base[0] ? s->auth_base : s->api_base;
}

static enum err header(struct arena *a, struct mkt_req *r, struct err_ctx *ec,
                       const char *name, const char *value)
{
    char *h = arena_printf(a, "%s: %s", name, value);
    if (!h)
        return err_set(ec, ERR_NOMEM, "tiki: header");
    if (r->n_headers == MKT_MAX_HEADERS)
        return err_set(ec, ERR_INVALID, "tiki: too many headers");
    r->headers[r->n_headers++] = h;
    return ERR_OK;
}

/* set_json_body: j printed once into the arena as the exact body; takes
 * j (deletes it). */
static enum err set_json_body(struct arena *a, struct mkt_req *r, cJSON *j,
                              struct err_ctx *ec)
{
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    if (!s)
        return err_set(ec, ERR_NOMEM, "tiki: body");
    char *body = arena_strdup(a, s);
    cJSON_free(s);
    if (!body)
        return err_set(ec, ERR_NOMEM, "tiki: body");
    r->body = body;
    r->body_len = strlen(body);
    return header(a, r, ec, "Content-Type", "application/json");
}

/* api: method and api_base + path, with the bearer token. */
static enum err api(struct arena *a, const struct mkt_call *c,
                    struct mkt_req *r, const char *method, const char *path,
                    struct err_ctx *ec)
{
    if (!c->shop->access_token || !c->shop->access_token[0])
        return err_set(ec, ERR_INVALID, "tiki: shop not authorised");
    r->method = method;
    r->url = arena_printf(a, "%s%s", c->shop->api_base, path);
    if (!r->url)
        return err_set(ec, ERR_NOMEM, "tiki: url");
    char *auth = arena_printf(a, "Bearer %s", c->shop->access_token);
    if (!auth)
        return err_set(ec, ERR_NOMEM, "tiki: header");
    enum err e = header(a, r, ec, "Authorization", auth);
    return e ? e : header(a, r, ec, "Accept", "application/json");
}

/* basic_auth: "Basic base64(app_key:app_secret)", client_secret_basic. */
static char *basic_auth(struct arena *a, const struct mkt_shop *s)
{
    char *cred = arena_printf(a, "%s:%s", s->app_key, s->app_secret);
    if (!cred)
        return NULL;
    size_t n = strlen(cred);
    size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = arena_alloc(a, size + 6);
    if (!out)
        return NULL;
    memcpy(out, "Basic ", 6);
    sodium_bin2base64(out + 6, size, (const unsigned char *)cred, n,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(cred, n); /* the secret does not linger in the arena */
    return out;
}

/* build_token: POST {auth_base}/sc/oauth2/token. The redirect URI is not
 * part of struct mkt_call, so it is not sent: the client authenticates
 * with client_secret_basic instead (README). No code at all means an
 * in-house app: client_credentials. */
static enum err build_token(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    const char *rt = s->refresh_token ? s->refresh_token : "";
    const char *code = c->code ? c->code : "";
    char *enc = mkt_urlenc(a, c->op == MKT_OP_TOKEN_REFRESH ? rt : code);
    char *body = NULL;

    if (!enc)
        return err_set(ec, ERR_NOMEM, "tiki: token request");
    if (c->op == MKT_OP_TOKEN_REFRESH)
        body =
            arena_printf(a, "grant_type=refresh_token&refresh_token=%s", enc);
    else if (code[0])
        body = arena_printf(a, "grant_type=authorization_code&code=%s", enc);
    else
        body = arena_printf(a, "grant_type=client_credentials");
    char *basic = basic_auth(a, s);
    r->method = "POST";
    r->url = arena_printf(a, "%s/sc/oauth2/token", auth_host(s));
    if (!body || !basic || !r->url)
        return err_set(ec, ERR_NOMEM, "tiki: token request");
    r->body = body;
    r->body_len = strlen(body);
    enum err e = header(a, r, ec, "Authorization", basic);
    if (!e)
        e = header(a, r, ec, "Content-Type",
                   "application/x-www-form-urlencoded");
    return e ? e : header(a, r, ec, "Accept", "application/json");
}

/* id_value: a Tiki id as a JSON number when it is one ("1846"), else as
 * the string it is. */
static cJSON *id_value(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s && !*end && v >= 0)
        return cJSON_CreateNumber((double)v);
    return cJSON_CreateString(s);
}

/* first_warehouse: shop->warehouse is Tiki's seller_warehouse, a list
 * of ids joined by ','; stock is reported against the first. */
static cJSON *first_warehouse(const char *wh)
{
    char id[64];
    size_t n = strcspn(wh, ",");
    if (n >= sizeof id)
        n = sizeof id - 1;
    memcpy(id, wh, n);
    id[n] = '\0';
    return id_value(id);
}

static cJSON *warehouse_quantities(const char *wh, int64_t stock)
{
    cJSON *arr = cJSON_CreateArray(), *q = cJSON_CreateObject();
    if (!arr || !q) {
        cJSON_Delete(arr);
        cJSON_Delete(q);
        return NULL;
    }
    (void)cJSON_AddItemToArray(arr, q);
    (void)cJSON_AddItemToObject(q, "warehouse_id", first_warehouse(wh));
    (void)cJSON_AddNumberToObject(q, "qty_available",
                                  (double)(stock > 0 ? stock : 0));
    return arr;
}


static cJSON *create_attributes(const struct mkt_item *it)
{
    cJSON *attrs = it->attributes && cJSON_IsObject(it->attributes)
                       ? cJSON_Duplicate(it->attributes, 1)
                       : cJSON_CreateObject();
    if (!attrs)
        return NULL;
    if (!cJSON_HasObjectItem(attrs, "brand") && it->brand[0])
        (void)cJSON_AddStringToObject(attrs, "brand", it->brand);
    if (!cJSON_HasObjectItem(attrs, "product_weight_kg"))
        (void)cJSON_AddNumberToObject(attrs, "product_weight_kg",
                                      (double)it->weight_g / 1000.0);
    return attrs;
}

/* variant: the one variant of the request (ADR 0007: one SKU per
 * listing). "dropship" is the documented inventory type of a seller who
 * keeps the stock in their own warehouse (README). */
static cJSON *variant(const struct mkt_call *c)
{
    const struct mkt_item *it = c->item;
    cJSON *v = cJSON_CreateObject();
    if (!v)
        return NULL;
    (void)cJSON_AddStringToObject(v, "sku", it->seller_sku);
    (void)cJSON_AddNumberToObject(v, "price", (double)it->price_vnd);
    (void)cJSON_AddStringToObject(v, "inventory_type", "dropship");
    (void)cJSON_AddStringToObject(v, "seller_warehouse", c->shop->warehouse);
    (void)cJSON_AddItemToObject(
        v, "warehouse_quantities",
        warehouse_quantities(c->shop->warehouse, it->stock));
    return v;
}

/* check_product: what CREATE and UPDATE both need; CREATE also puts
 * the SKU on sale, so it needs the warehouse and the price. */
static enum err check_product(const struct mkt_call *c, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    if (!it->category_id[0])
        return err_set(ec, ERR_INVALID, "tiki: no category mapped");
    if (it->n_images < 1)
        return err_set(ec, ERR_INVALID, "tiki: a photo is required");
    if (it->weight_g <= 0)
        return err_set(ec, ERR_INVALID, "tiki: weight required");
    if (c->op != MKT_OP_CREATE)
        return ERR_OK;
    if (!c->shop->warehouse || !c->shop->warehouse[0])
        return err_set(ec, ERR_INVALID, "tiki: the shop has no warehouse");
    if (it->price_vnd <= 0)
        return err_set(ec, ERR_INVALID, "tiki: price required");
    return ERR_OK;
}

/* product_content: the listing's content as a product request carries
 * it: category, name, description, attributes, image (the first photo)
 * and images (the rest). NULL when out of memory. */
static cJSON *product_content(struct arena *a, const struct mkt_item *it)
{
    char *desc = mkt_html_in(a, it->description);
    cJSON *j = cJSON_CreateObject(), *imgs = cJSON_CreateArray();
    if (!desc || !j || !imgs) {
        cJSON_Delete(j);
        cJSON_Delete(imgs);
        return NULL;
    }
    (void)cJSON_AddItemToObject(j, "category_id", id_value(it->category_id));
    (void)cJSON_AddStringToObject(j, "name", it->title);
    (void)cJSON_AddStringToObject(j, "description", desc);
    (void)cJSON_AddItemToObject(j, "attributes", create_attributes(it));
    (void)cJSON_AddStringToObject(j, "image", it->image_urls[0]);
    for (int i = 1; i < it->n_images; i++)
        (void)cJSON_AddItemToArray(imgs, cJSON_CreateString(it->image_urls[i]));
    (void)cJSON_AddItemToObject(j, "images", imgs);
    return j;
}

/* add_sale: what only a new product request has: its one variant with
 * price and stock, and the switch that puts it on sale once approved. */
static enum err add_sale(cJSON *j, const struct mkt_call *c, struct err_ctx *ec)
{
    cJSON *vars = cJSON_CreateArray(), *meta = cJSON_CreateObject();
    if (!vars || !meta) {
        cJSON_Delete(vars);
        cJSON_Delete(meta);
        return err_set(ec, ERR_NOMEM, "tiki: create body");
    }
    (void)cJSON_AddItemToObject(j, "option_attributes", cJSON_CreateArray());
    (void)cJSON_AddItemToArray(vars, variant(c));
    (void)cJSON_AddItemToObject(j, "variants", vars);
    /* live as soon as Tiki approves it, without a second call */
    (void)cJSON_AddBoolToObject(meta, "is_auto_turn_on", 1);
    (void)cJSON_AddItemToObject(j, "meta_data", meta);
    return ERR_OK;
}

/* add_product_ref: the product updateProductInfo changes. Tiki's pages
 * name product_id; ext_item_id is one when FIND found the approved
 * product, but a listing we created holds its request's track_id: then
 * the seller SKU goes as original_sku, the key updateSku takes (README:
 * to confirm with Tiki). */
static void add_product_ref(cJSON *j, const struct mkt_item *it)
{
    char *end;
    long long id = strtoll(it->ext_item_id, &end, 10);
    if (it->ext_item_id[0] && !*end && id > 0)
        (void)cJSON_AddNumberToObject(j, "product_id", (double)id);
    else
        (void)cJSON_AddStringToObject(j, "original_sku", it->seller_sku);
}

/* build_product: CREATE is a new product request (POST /v2.1/requests);
 * UPDATE is an "Update product info" request for the same content
 * (POST /v2.1/requests/updateProductInfo), without price or stock:
 * those stay with updateSku. Tiki reviews both (README). */
static enum err build_product(struct arena *a, const struct mkt_call *c,
                              struct mkt_req *r, struct err_ctx *ec)
{
    int create = c->op == MKT_OP_CREATE;
    enum err e = check_product(c, ec);
    if (!e)
        e = api(a, c, r, "POST",
                create ? "/v2.1/requests" : "/v2.1/requests/updateProductInfo",
                ec);
    if (e)
        return e;
    cJSON *j = product_content(a, c->item);
    if (!j)
        return err_set(ec, ERR_NOMEM, "tiki: product body");
    if (create) {
        e = add_sale(j, c, ec);
        if (e) {
            cJSON_Delete(j);
            return e;
        }
    } else {
        add_product_ref(j, c->item);
    }
    return set_json_body(a, r, j, ec);
}

/* build_update: PUT /v2/products/updateSku by original_sku, which is
 * our seller SKU (it works once Tiki approved the request). */
static enum err build_update(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return err_set(ec, ERR_NOMEM, "tiki: update body");
    (void)cJSON_AddStringToObject(j, "original_sku", it->seller_sku);
    if (c->op == MKT_OP_PRICE) {
        (void)cJSON_AddNumberToObject(j, "price", (double)it->price_vnd);
    } else if (c->op == MKT_OP_STOCK) {
        if (!c->shop->warehouse || !c->shop->warehouse[0]) {
            cJSON_Delete(j);
            return err_set(ec, ERR_INVALID, "tiki: the shop has no warehouse");
        }
        (void)cJSON_AddStringToObject(j, "seller_warehouse",
                                      c->shop->warehouse);
        (void)cJSON_AddItemToObject(
            j, "warehouse_quantities",
            warehouse_quantities(c->shop->warehouse, it->stock));
    } else {
        (void)cJSON_AddNumberToObject(j, "active",
                                      c->op == MKT_OP_RELIST ? 1 : 0);
    }
    enum err e = api(a, c, r, "PUT", "/v2/products/updateSku", ec);
    if (e) {
        cJSON_Delete(j);
        return e;
    }
    return set_json_body(a, r, j, ec);
}

static enum err build_find(struct arena *a, const struct mkt_call *c,
                           struct mkt_req *r, struct err_ctx *ec)
{
    const char *sku = mkt_urlenc(a, c->item->seller_sku);
    char *path = sku ? arena_printf(a,
                                    "/v2/products?original_sku=%s&page=1"
                                    "&limit=1",
                                    sku)
                     : NULL;
    if (!path)
        return err_set(ec, ERR_NOMEM, "tiki: find");
    return api(a, c, r, "GET", path, ec);
}

/* vn_time: Unix seconds as Tiki's "YYYY-MM-DD HH:MM:SS", Vietnam time. */
static void vn_time(int64_t t, char out[32])
{
    time_t vt = (time_t)(t + VN_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&vt, &tm)) {
        out[0] = '\0';
        return;
    }
    (void)strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static enum err build_orders(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    char from[32], to[32];
    long page = 1;

    if (c->cursor && c->cursor[0]) {
        char *end;
        page = strtol(c->cursor, &end, 10);
        if (*end || page < 1)
            return err_set(ec, ERR_INVALID, "tiki: bad cursor");
    }
    vn_time(c->since, from);
    vn_time(c->until, to);
    const char *efrom = mkt_urlenc(a, from), *eto = mkt_urlenc(a, to);
    char *path = efrom && eto ? arena_printf(a,
                                             "/v2/orders?page=%ld&limit=%d"
                                             "&updated_from_date=%s"
                                             "&updated_to_date=%s",
                                             page, ORDERS_PAGE, efrom, eto)
                              : NULL;
    if (!path)
        return err_set(ec, ERR_NOMEM, "tiki: orders");
    return api(a, c, r, "GET", path, ec);
}

static enum err tiki_build(struct arena *a, const struct mkt_call *c,
                           struct mkt_req *r, struct err_ctx *ec)
{
    memset(r, 0, sizeof *r);
    int item_op = c->op == MKT_OP_FIND || c->op == MKT_OP_CREATE ||
                  c->op == MKT_OP_PRICE || c->op == MKT_OP_STOCK ||
                  c->op == MKT_OP_UNLIST || c->op == MKT_OP_RELIST ||
                  c->op == MKT_OP_UPDATE;
    if (item_op && !c->item)
        return err_set(ec, ERR_INVALID, "tiki: item operation without item");
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: return build_token(a, c, r, ec);
    case MKT_OP_FIND: return build_find(a, c, r, ec);
    case MKT_OP_CREATE:
    case MKT_OP_UPDATE: return build_product(a, c, r, ec);
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
    case MKT_OP_UNLIST:
    case MKT_OP_RELIST: return build_update(a, c, r, ec);
    case MKT_OP_ORDERS: return build_orders(a, c, r, ec);
    default: return err_set(ec, ERR_NOTFOUND, "tiki: no such operation");
    }
}

/* ---- answers ---- */

/* error_text: Tiki's own words: {"errors":[...]} joined by "; ", or an
 * OAuth error {"error","error_description"}, or {"message"}. */
static void error_text(const cJSON *j, struct mkt_reply *out)
{
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(j, "errors");
    const cJSON *e;
    size_t n = 0;

    cJSON_ArrayForEach(e, errs)
    {
        const char *s = cJSON_IsString(e) ? e->valuestring : NULL;
        if (!s)
            s = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));
        if (!s || n + 3 >= sizeof out->message)
            continue;
        n += (size_t)snprintf(out->message + n, sizeof out->message - n, "%s%s",
                              n ? "; " : "", s);
    }
    if (n)
        return;
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error"));
    const char *desc =
        cJSON_GetStringValue(cJSON_GetObjectItem(j, "error_description"));
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(j, "message"));
    mkt_copy(out->code, sizeof out->code, code);
    mkt_copy(out->message, sizeof out->message, desc ? desc : msg ? msg : code);
}


static void parse_token(const struct mkt_call *c, const cJSON *j,
                        struct mkt_reply *out)
{
    const char *at =
        cJSON_GetStringValue(cJSON_GetObjectItem(j, "access_token"));
    const cJSON *exp = cJSON_GetObjectItem(j, "expires_in");

    if (!at || !at[0]) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message,
                 "tiki: token answer without access_token");
        return;
    }
    out->outcome = MKT_OK;
    mkt_copy(out->access_token, sizeof out->access_token, at);
    mkt_copy(out->refresh_token, sizeof out->refresh_token,
             cJSON_GetStringValue(cJSON_GetObjectItem(j, "refresh_token")));
    if (cJSON_IsNumber(exp) && exp->valuedouble > 0)
        out->access_expires_at = c->now_ms / 1000 + (int64_t)exp->valuedouble;
}

static void parse_find(const cJSON *j, struct mkt_reply *out)
{
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
    const cJSON *id = cJSON_GetObjectItem(first, "product_id");

    if (!id)
        id = cJSON_GetObjectItem(first, "id");
    (void)mkt_json_text(id, out->ext_item_id, sizeof out->ext_item_id);
    if (!out->ext_item_id[0]) {
        out->outcome = MKT_NOT_FOUND;
        mkt_copy(out->message, sizeof out->message, "no product with this SKU");
        return;
    }
    (void)mkt_json_text(cJSON_GetObjectItem(first, "sku"), out->ext_sku_id,
            sizeof out->ext_sku_id);
    out->outcome = MKT_OK;
}

/* parse_create: Tiki answers a product request with its track_id (and
 * request_id); the product exists only after Tiki's review (README). */
static void parse_create(const cJSON *j, struct mkt_reply *out)
{
    (void)mkt_json_text(cJSON_GetObjectItem(j, "track_id"), out->ext_item_id,
            sizeof out->ext_item_id);
    if (!out->ext_item_id[0])
        (void)mkt_json_text(cJSON_GetObjectItem(j, "request_id"), out->ext_item_id,
                sizeof out->ext_item_id);
    if (!out->ext_item_id[0]) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message,
                 "tiki: product request answer without track_id");
        return;
    }
    out->outcome = MKT_OK;
}

/* vn_parse: "YYYY-MM-DD HH:MM:SS" (Vietnam time) as Unix seconds; 0 when
 * it is not one. */
static int64_t vn_parse(const char *s)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
                     &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - VN_OFFSET_S;
}

static const char *nonempty(const cJSON *v)
{
    const char *s = cJSON_GetStringValue(v);
    return s && s[0] ? s : NULL;
}

/* line: one order item. The seller's SKU is product.seller_product_code
 * (our SKU, sent as the variant's sku), else product.original_sku. */
static cJSON *line(const cJSON *item)
{
    const cJSON *p = cJSON_GetObjectItem(item, "product");
    const cJSON *inv = cJSON_GetObjectItem(item, "invoice");
    const char *sku = nonempty(cJSON_GetObjectItem(p, "seller_product_code"));
    const cJSON *qty = cJSON_GetObjectItem(item, "qty");
    const cJSON *price = cJSON_GetObjectItem(item, "price");

    if (!sku)
        sku = nonempty(cJSON_GetObjectItem(p, "original_sku"));
    if (!cJSON_IsNumber(qty))
        qty = cJSON_GetObjectItem(inv, "quantity");
    if (!cJSON_IsNumber(price))
        price = cJSON_GetObjectItem(inv, "price");
    if (!sku || !cJSON_IsNumber(qty))
        return NULL; /* not one of ours, or unreadable: skipped */
    cJSON *l = cJSON_CreateObject();
    if (!l)
        return NULL;
    (void)cJSON_AddStringToObject(l, "seller_sku", sku);
    (void)cJSON_AddNumberToObject(l, "qty", qty->valuedouble);
    (void)cJSON_AddNumberToObject(
        l, "price_vnd", cJSON_IsNumber(price) ? price->valuedouble : 0);
    return l;
}

static cJSON *order(const cJSON *o)
{
    char id[64];
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(o, "status"));
    cJSON *out = cJSON_CreateObject(), *lines = cJSON_CreateArray();
    const cJSON *it;

    if (!out || !lines) {
        cJSON_Delete(out);
        cJSON_Delete(lines);
        return NULL;
    }
    (void)mkt_json_text(cJSON_GetObjectItem(o, "code"), id, sizeof id);
    if (!id[0])
        (void)mkt_json_text(cJSON_GetObjectItem(o, "id"), id, sizeof id);
    status = status ? status : "";
    (void)cJSON_AddStringToObject(out, "id", id);
    (void)cJSON_AddStringToObject(out, "status", status);
    (void)cJSON_AddNumberToObject(out, "created_at",
                                  (double)vn_parse(cJSON_GetStringValue(
                                      cJSON_GetObjectItem(o, "created_at"))));
    (void)cJSON_AddBoolToObject(out, "cancelled",
                                strcmp(status, "canceled") == 0 ||
                                    strcmp(status, "cancelled") == 0);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "items"))
    {
        cJSON *l = line(it);
        if (l)
            (void)cJSON_AddItemToArray(lines, l);
    }
    (void)cJSON_AddItemToObject(out, "lines", lines);
    return out;
}

static void parse_orders(const cJSON *j, struct mkt_reply *out)
{
    const cJSON *data = cJSON_GetObjectItem(j, "data");
    const cJSON *paging = cJSON_GetObjectItem(j, "paging");
    const cJSON *cur = cJSON_GetObjectItem(paging, "current_page");
    const cJSON *last = cJSON_GetObjectItem(paging, "last_page");
    const cJSON *o;

    if (!cJSON_IsArray(data)) {
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message,
                 "tiki: order list without data");
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
    if (cJSON_IsNumber(cur) && cJSON_IsNumber(last) &&
        last->valuedouble > cur->valuedouble)
        snprintf(out->cursor, sizeof out->cursor, "%.0f", cur->valuedouble + 1);
    out->outcome = MKT_OK;
}

static int is_token_op(enum mkt_op op)
{
    return op == MKT_OP_TOKEN_CODE || op == MKT_OP_TOKEN_REFRESH;
}

/* status_outcome: what the HTTP status alone decides; 1 when decided. */
static int status_outcome(const struct mkt_call *c, long st,
                          struct mkt_reply *out)
{
    /* a refused code or refresh token: only the seller can fix it */
    if (is_token_op(c->op) && st >= 400 && st < 500 && st != 429) {
        out->outcome = MKT_AUTH_REVOKED;
    } else if (mkt_reply_http(st, out)) {
        return 1;
    } else if (st == 404 && c->op != MKT_OP_ORDERS && c->op != MKT_OP_CREATE) {
        out->outcome = MKT_NOT_FOUND;
    } else if (st < 200 || st >= 300) {
        out->outcome = MKT_INVALID; /* 400, 403, 405, 406: do not retry */
    } else {
        return 0;
    }
    if (!out->message[0])
        snprintf(out->message, sizeof out->message, "HTTP %ld", st);
    return 1;
}

static void tiki_parse(const struct mkt_call *c, long st, const char *body,
                       size_t len, struct mkt_reply *out)
{
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;

    memset(out, 0, sizeof *out);
    if (j)
        error_text(j, out);
    if (status_outcome(c, st, out))
        goto out;
    out->message[0] = out->code[0] = '\0'; /* 2xx: no error words */
    if (!cJSON_IsObject(j)) {
        /* updateSku's answer is not used, but a cut answer is not an
         * answer: the call may or may not have been applied */
        out->outcome = MKT_RETRY;
        mkt_copy(out->message, sizeof out->message, "tiki: malformed answer");
        goto out;
    }
    if (is_token_op(c->op))
        parse_token(c, j, out);
    else if (c->op == MKT_OP_FIND)
        parse_find(j, out);
    else if (c->op == MKT_OP_CREATE)
        parse_create(j, out);
    else if (c->op == MKT_OP_ORDERS)
        parse_orders(j, out);
    else /* UPDATE's track_id follows Tiki's review of the change; it
          * is not the listing's id, so ext_item_id stays empty */
        out->outcome = MKT_OK;
out:
    cJSON_Delete(j);
}

/* ---- links ---- */

/* add_enc: s percent-encoded (RFC 3986 unreserved kept) after buf's
 * text, cut at size. */
static void add_enc(char *buf, size_t size, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(buf);

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= '0' && *p <= '9') || strchr("-_.~", *p);
        if (n + (keep ? 1 : 3) >= size)
            break;
        if (keep) {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[*p >> 4];
            buf[n++] = hex[*p & 15];
        }
    }
    buf[n] = '\0';
}

static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* tiki_link: a product id is a page on tiki.vn; a product request's
 * track id has no public page yet, so the seller center it is. */
static void tiki_link(const struct mkt_shop *s, const char *ext_item_id,
                      char *buf, size_t size)
{
    if (all_digits(ext_item_id))
        snprintf(buf, size, "%s/p%s.html", s->web_base, ext_item_id);
    else
        mkt_copy(buf, size, SELLER_CENTER);
}

/* tiki_auth_url: Tiki wants a state of at least 8 characters; a shorter
 * one gives "" (the caller's bug, not a link that would fail later). */
static void tiki_auth_url(const struct mkt_shop *s, const char *redirect,
                          const char *state, int64_t now_ms, char *buf,
                          size_t size)
{
    (void)now_ms;
    if (size == 0)
        return;
    buf[0] = '\0';
    if (!state || strlen(state) < 8)
        return;
    snprintf(buf, size,
             "%s/sc/oauth2/auth?response_type=code&client_id=", auth_host(s));
    add_enc(buf, size, s->app_key);
    mkt_copy(buf + strlen(buf), size - strlen(buf), "&redirect_uri=");
    add_enc(buf, size, redirect);
    mkt_copy(buf + strlen(buf), size - strlen(buf),
             "&scope=offline%20product%20order%20inventory&state=");
    add_enc(buf, size, state);
}

const struct mkt_connector tiki_connector = {
    .name = "tiki",
    .label = "Tiki",
    .api_base = "https://api.tiki.vn/integration",
    .auth_base = "https://api.tiki.vn",
    .web_base = "https://tiki.vn",
    .ops = 1u << MKT_OP_TOKEN_CODE | 1u << MKT_OP_TOKEN_REFRESH |
           1u << MKT_OP_FIND | 1u << MKT_OP_CREATE | 1u << MKT_OP_PRICE |
           1u << MKT_OP_STOCK | 1u << MKT_OP_UNLIST | 1u << MKT_OP_RELIST |
           1u << MKT_OP_ORDERS | 1u << MKT_OP_UPDATE,
    /* documented 200/s per seller; a maintainer said 100/s per shop
     * (tikivn/open-api-docs#150): the lower one */
    .rate_per_shop = 100,
    .build = tiki_build,
    .parse = tiki_parse,
    .link = tiki_link,
    .auth_url = tiki_auth_url,
};
