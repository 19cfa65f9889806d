/* lazada/lazada.c: the Lazada connector: build() and parse() for every
 * operation (see lazada.h; protocol notes and sources in README.md). */
#include "lazada/lazada.h"

#include "core/sb.h"
#include "lazada/sign.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDERS_PAGE 100        /* /orders/get allows limit <= 100 */
#define DEFAULT_DIM_CM "10"    /* package side when the mapping has none */
#define VN_OFFSET_S (7 * 3600) /* orders are asked for in +07:00 */

/* ---- building ---- */

/* add: one raw parameter; empty values are never sent (sign.h), so an
 * optional empty value is simply left out. */
static enum err add(cJSON *params, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return ERR_OK;
    return cJSON_AddStringToObject(params, name, value) ? ERR_OK : ERR_NOMEM;
}

/* encode: name=value&... with values URL-encoded, into the arena. */
static char *encode(struct arena *a, const cJSON *params)
{
    const cJSON *it;
    struct sb s;
    char *out = NULL;

    sb_init(&s, 0);
    cJSON_ArrayForEach(it, params)
    {
        char *v = mkt_urlenc(a, it->valuestring);
        if (v == NULL || (s.len > 0 && sb_addc(&s, '&') != ERR_OK) ||
            sb_adds(&s, it->string) != ERR_OK || sb_addc(&s, '=') != ERR_OK ||
            sb_adds(&s, v) != ERR_OK)
            goto out;
    }
    out = arena_strndup(a, sb_str(&s), s.len);
out:
    sb_release(&s);
    return out;
}

/* finish: add the system params and the signature, then lay the params
 * out as the method wants them. seller: the call needs access_token. */
static enum err finish(struct arena *a, const struct mkt_call *c,
                       const char *method, const char *host, const char *path,
                       cJSON *params, int seller, struct mkt_req *r,
                       struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    char ts[32];
    struct sb sig;
    enum err e;

    if (seller && s->access_token[0] == '\0')
        return err_set(ec, ERR_INVALID, "lazada: shop is not authorised");
    (void)snprintf(ts, sizeof ts, "%" PRId64, c->now_ms);
    if (add(params, "app_key", s->app_key) != ERR_OK ||
        add(params, "timestamp", ts) != ERR_OK ||
        add(params, "sign_method", "sha256") != ERR_OK ||
        (seller && add(params, "access_token", s->access_token) != ERR_OK))
        return err_set(ec, ERR_NOMEM, "out of memory");
    sb_init(&sig, 0);
    e = lazada_sign(s->app_secret, path, params, &sig, ec);
    if (e == ERR_OK && add(params, "sign", sb_str(&sig)) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "out of memory");
    sb_release(&sig);
    if (e != ERR_OK)
        return e;
    char *q = encode(a, params);
    r->method = method;
    if (q != NULL && strcmp(method, "GET") == 0) {
        r->url = arena_printf(a, "%s%s?%s", host, path, q);
    } else if (q != NULL) {
        r->url = arena_printf(a, "%s%s", host, path);
        r->body = q;
        r->body_len = strlen(q);
        r->headers[r->n_headers++] =
            "Content-Type: application/x-www-form-urlencoded;charset=utf-8";
    }
    return q != NULL && r->url != NULL
               ? ERR_OK
               : err_set(ec, ERR_NOMEM, "out of memory");
}

/* add_json: params[name] = the compact text of j (j is freed). */
static enum err add_json(cJSON *params, const char *name, cJSON *j)
{
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    enum err e = text ? add(params, name, text) : ERR_NOMEM;

    free(text);
    cJSON_Delete(j);
    return e;
}

/* request: {"Request":{"Product":product}}, or NULL (product freed). */
static cJSON *request(cJSON *product)
{
    cJSON *root = cJSON_CreateObject(), *rq = cJSON_CreateObject();

    if (!root || !rq || !product ||
        !cJSON_AddItemToObject(rq, "Product", product)) {
        cJSON_Delete(root);
        cJSON_Delete(rq);
        cJSON_Delete(product);
        return NULL;
    }
    product = NULL;
    if (!cJSON_AddItemToObject(root, "Request", rq)) {
        cJSON_Delete(rq);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}


/* attr_text: a mapped attribute as text, or NULL when absent. */
static const char *attr_text(const cJSON *attrs, const char *name, char *buf,
                             size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, name);

    if (cJSON_IsString(v) && v->valuestring[0] != '\0')
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        (void)snprintf(buf, size, "%g", v->valuedouble);
        return buf;
    }
    return NULL;
}

static int sku_level(const char *name)
{
    return strncmp(name, "package_", 8) == 0;
}


/* attributes: name, description, brand, then every mapped attribute that
 * is not a package size (those belong to the SKU). */
static cJSON *attributes(const struct mkt_item *it)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *m;
    char buf[64];
    const char *brand = attr_text(it->attributes, "brand", buf, sizeof buf);
    struct sb d;
    int ok;

    sb_init(&d, 0);
    ok = o && mkt_html(it->description, &d) == ERR_OK &&
         add(o, "name", it->title) == ERR_OK &&
         add(o, "description", sb_str(&d)) == ERR_OK &&
         add(o, "brand",
             brand          ? brand
             : it->brand[0] ? it->brand
                            : "No Brand") == ERR_OK;
    sb_release(&d);
    cJSON_ArrayForEach(m, it->attributes)
    {
        const char *v = attr_text(it->attributes, m->string, buf, sizeof buf);
        if (!ok || v == NULL || sku_level(m->string) ||
            cJSON_GetObjectItemCaseSensitive(o, m->string))
            continue;
        ok = add(o, m->string, v) == ERR_OK;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* sku: the one SKU of a listing. CREATE carries its price and stock;
 * UPDATE names the SKU by its id (Lazada requires it, error 4216) and
 * never touches price or stock (conn.h). */
static cJSON *sku(const struct mkt_item *it, int update)
{
    static const char *const dims[] = {"package_length", "package_width",
                                       "package_height"};
    char qty[32], price[32], w[32], buf[64];
    cJSON *o = cJSON_CreateObject();
    int ok;

    (void)snprintf(qty, sizeof qty, "%" PRId64, it->stock);
    (void)snprintf(price, sizeof price, "%" PRId64, it->price_vnd);
    mkt_kg(it->weight_g, w, sizeof w);
    ok = o && add(o, "SellerSku", it->seller_sku) == ERR_OK &&
         add(o, "package_weight", w) == ERR_OK;
    if (ok && update)
        ok = add(o, "SkuId", it->ext_sku_id) == ERR_OK;
    else if (ok)
        ok = add(o, "quantity", qty) == ERR_OK &&
             add(o, "price", price) == ERR_OK;
    for (size_t i = 0; ok && i < sizeof dims / sizeof dims[0]; i++) {
        const char *v = attr_text(it->attributes, dims[i], buf, sizeof buf);
        ok = add(o, dims[i], v ? v : DEFAULT_DIM_CM) == ERR_OK;
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* wrap1: {"name": [item]} (item freed on failure). */
static cJSON *wrap1(const char *name, cJSON *item)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();

    if (!o || !arr || !item || !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        cJSON_Delete(arr);
        cJSON_Delete(o);
        return NULL;
    }
    if (!cJSON_AddItemToObject(o, name, arr)) {
        cJSON_Delete(arr);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* images: {"Image": [the Lazada-hosted URLs from UPLOAD_IMAGE]}. */
static cJSON *images(const struct mkt_item *it)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "Image");

    for (int i = 0; arr && i < it->n_images; i++) {
        cJSON *s;
        if (it->image_ids[i][0] == '\0')
            continue;
        s = cJSON_CreateString(it->image_ids[i]);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            arr = NULL;
        }
    }
    if (!arr || cJSON_GetArraySize(arr) == 0) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static enum err need_item(const struct mkt_call *c, int ids, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;

    if (it == NULL || it->seller_sku[0] == '\0')
        return err_set(ec, ERR_INVALID, "lazada: no item or seller SKU");
    if (ids && (it->ext_item_id[0] == '\0' || it->ext_sku_id[0] == '\0'))
        return err_set(ec, ERR_INVALID,
                       "lazada: item %s has no Lazada item/SKU id yet",
                       it->seller_sku);
    return ERR_OK;
}

/* missing_image: the index of the first photo not uploaded yet, or -1. */
static int missing_image(const struct mkt_item *it)
{
    for (int i = 0; i < it->n_images; i++)
        if (it->image_ids[i][0] == '\0')
            return i;
    return -1;
}

/* build_product: the payload of CREATE and of UPDATE, which is the same
 * product with its ItemId and SkuId, without price and quantity. An
 * update replaces the gallery, so every photo must be uploaded first
 * (the worker does); a create lists the ones that are. */
static enum err build_product(cJSON *params, const struct mkt_call *c,
                              struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    int update = c->op == MKT_OP_UPDATE;
    cJSON *p, *img;

    if (it->category_id[0] == '\0' || it->weight_g <= 0)
        return err_set(ec, ERR_INVALID,
                       "lazada: %s needs a category and a weight",
                       it->seller_sku);
    if (update && missing_image(it) >= 0)
        return err_set(ec, ERR_INVALID,
                       "lazada: %s: image %d is not uploaded to Lazada yet",
                       it->seller_sku, missing_image(it));
    img = images(it);
    if (img == NULL)
        return err_set(ec, ERR_INVALID,
                       "lazada: %s has no image uploaded to Lazada",
                       it->seller_sku);
    p = cJSON_CreateObject();
    if (!p || !cJSON_AddItemToObject(p, "Images", img)) {
        cJSON_Delete(img);
        cJSON_Delete(p);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    if ((update && add(p, "ItemId", it->ext_item_id) != ERR_OK) ||
        add(p, "PrimaryCategory", it->category_id) != ERR_OK ||
        !cJSON_AddItemToObject(p, "Attributes", attributes(it)) ||
        !cJSON_AddItemToObject(p, "Skus", wrap1("Sku", sku(it, update)))) {
        cJSON_Delete(p);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    return add_json(params, "payload", request(p)) == ERR_OK
               ? ERR_OK
               : err_set(ec, ERR_NOMEM, "out of memory");
}

/* build_skus: PRICE and STOCK share /product/price_quantity/update. */
static enum err build_skus(cJSON *params, const struct mkt_call *c,
                           struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    cJSON *s = cJSON_CreateObject();
    char n[32];
    int ok;

    (void)snprintf(n, sizeof n, "%" PRId64,
                   c->op == MKT_OP_PRICE ? it->price_vnd : it->stock);
    ok = s && add(s, "ItemId", it->ext_item_id) == ERR_OK &&
         add(s, "SkuId", it->ext_sku_id) == ERR_OK &&
         add(s, "SellerSku", it->seller_sku) == ERR_OK &&
         add(s, c->op == MKT_OP_PRICE ? "Price" : "Quantity", n) == ERR_OK;
    if (!ok) {
        cJSON_Delete(s);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    cJSON *p = wrap1("Sku", s);
    cJSON *skus = cJSON_CreateObject();
    if (!p || !skus || !cJSON_AddItemToObject(skus, "Skus", p)) {
        cJSON_Delete(p);
        cJSON_Delete(skus);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    return add_json(params, "payload", request(skus)) == ERR_OK
               ? ERR_OK
               : err_set(ec, ERR_NOMEM, "out of memory");
}

static enum err build_unlist(cJSON *params, const struct mkt_call *c,
                             struct err_ctx *ec)
{
    cJSON *p = cJSON_CreateObject();

    if (!p || add(p, "ItemId", c->item->ext_item_id) != ERR_OK) {
        cJSON_Delete(p);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    return add_json(params, "apiRequestBody", request(p)) == ERR_OK
               ? ERR_OK
               : err_set(ec, ERR_NOMEM, "out of memory");
}

/* build_image: the photo by its public URL; Lazada fetches it and answers
 * with its own URL, the only kind a product may carry [LZ-IMG]. */
static enum err build_image(struct arena *a, cJSON *params,
                            const struct mkt_call *c, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    const char *url;

    if (it == NULL || c->image_index < 0 || c->image_index >= it->n_images)
        return err_set(ec, ERR_INVALID, "lazada: no image %d", c->image_index);
    url = it->image_urls[c->image_index];
    /* a URL cannot end the CDATA section early */
    if (url[0] == '\0' || strstr(url, "]]>") != NULL)
        return err_set(ec, ERR_INVALID, "lazada: bad image URL");
    char *xml = arena_printf(a,
                             "<Request><Image><Url><![CDATA[%s]]></Url>"
                             "</Image></Request>",
                             url);
    if (xml == NULL || add(params, "payload", xml) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return ERR_OK;
}

static enum err build_find(cJSON *params, const struct mkt_call *c,
                           struct err_ctx *ec)
{
    cJSON *list = cJSON_CreateArray();
    cJSON *s = cJSON_CreateString(c->item->seller_sku);

    if (!list || !s || !cJSON_AddItemToArray(list, s)) {
        cJSON_Delete(s);
        cJSON_Delete(list);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    if (add(params, "filter", "all") != ERR_OK ||
        add_json(params, "sku_seller_list", list) != ERR_OK ||
        add(params, "limit", "1") != ERR_OK)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return ERR_OK;
}

/* iso: Unix seconds as ISO 8601 in Vietnam time, which is what the
 * Lazada VN doc's examples use ("2023-11-14T00:00:00+07:00"). */
static void iso(int64_t t, char *buf, size_t size)
{
    time_t local = (time_t)(t + VN_OFFSET_S);
    struct tm tm;

    if (gmtime_r(&local, &tm) == NULL ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%S+07:00", &tm) == 0)
        mkt_copy(buf, size, "");
}

static enum err build_orders(cJSON *params, const struct mkt_call *c,
                             struct err_ctx *ec)
{
    char after[40], before[40], limit[16];
    const char *offset = c->cursor && c->cursor[0] ? c->cursor : "0";

    iso(c->since, after, sizeof after);
    iso(c->until, before, sizeof before);
    (void)snprintf(limit, sizeof limit, "%d", ORDERS_PAGE);
    if (after[0] == '\0' || before[0] == '\0' || c->until <= c->since)
        return err_set(ec, ERR_INVALID, "lazada: bad order window");
    if (add(params, "update_after", after) != ERR_OK ||
        add(params, "update_before", before) != ERR_OK ||
        add(params, "sort_by", "updated_at") != ERR_OK ||
        add(params, "sort_direction", "ASC") != ERR_OK ||
        add(params, "limit", limit) != ERR_OK ||
        add(params, "offset", offset) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return ERR_OK;
}

/* build_lines: order_ids as the doc shows them, a JSON list of numbers
 * ("[42044,42045]"); ids are digits only, so nothing needs quoting. */
static enum err build_lines(struct arena *a, cJSON *params,
                            const struct mkt_call *c, struct err_ctx *ec)
{
    const char *ids = c->order_ids ? c->order_ids : "";

    if (ids[0] == '\0' || strspn(ids, "0123456789,") != strlen(ids) ||
        ids[0] == ',' || ids[strlen(ids) - 1] == ',' || strstr(ids, ",,"))
        return err_set(ec, ERR_INVALID, "lazada: bad order ids '%s'", ids);
    char *list = arena_printf(a, "[%s]", ids);
    if (list == NULL || add(params, "order_ids", list) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return ERR_OK;
}

/* item_op: FIND, CREATE, UPDATE, PRICE, STOCK, UNLIST: their params and
 * path. */
static enum err item_op(cJSON *params, const struct mkt_call *c,
                        const char **method, const char **path,
                        struct err_ctx *ec)
{
    enum err e =
        need_item(c, c->op != MKT_OP_FIND && c->op != MKT_OP_CREATE, ec);
    if (e != ERR_OK)
        return e;
    *method = "POST";
    switch (c->op) {
    case MKT_OP_FIND:
        *method = "GET";
        *path = "/products/get";
        return build_find(params, c, ec);
    case MKT_OP_CREATE:
        *path = "/product/create";
        return build_product(params, c, ec);
    case MKT_OP_UPDATE:
        *path = "/product/update";
        return build_product(params, c, ec);
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
        *path = "/product/price_quantity/update";
        return build_skus(params, c, ec);
    default: *path = "/product/deactivate"; return build_unlist(params, c, ec);
    }
}

/* op_params: everything but the system params, and where it goes. */
static enum err op_params(struct arena *a, cJSON *params,
                          const struct mkt_call *c, const char **method,
                          const char **path, int *seller, struct err_ctx *ec)
{
    *method = "GET";
    *seller = 1;
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: {
        int code = c->op == MKT_OP_TOKEN_CODE;
        const char *v = code ? c->code : c->shop->refresh_token;
        *method = "POST"; /* keeps the code and tokens out of URL logs */
        *path = code ? "/auth/token/create" : "/auth/token/refresh";
        *seller = 0;
        if (v == NULL || v[0] == '\0')
            return err_set(ec, ERR_INVALID, "lazada: no %s",
                           code ? "code" : "refresh token");
        return add(params, code ? "code" : "refresh_token", v) == ERR_OK
                   ? ERR_OK
                   : err_set(ec, ERR_NOMEM, "out of memory");
    }
    case MKT_OP_UPLOAD_IMAGE:
        *method = "POST";
        *path = "/image/migrate";
        return build_image(a, params, c, ec);
    case MKT_OP_ORDERS:
        *path = "/orders/get";
        return build_orders(params, c, ec);
    case MKT_OP_ORDER_LINES:
        *path = "/orders/items/get";
        return build_lines(a, params, c, ec);
    case MKT_OP_FIND:
    case MKT_OP_CREATE:
    case MKT_OP_UPDATE:
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
    case MKT_OP_UNLIST: return item_op(params, c, method, path, ec);
    default:
        return err_set(ec, ERR_NOTFOUND, "lazada: operation %d not offered",
                       (int)c->op);
    }
}

static enum err lz_build(struct arena *a, const struct mkt_call *c,
                         struct mkt_req *r, struct err_ctx *ec)
{
    const char *method = "GET", *path = "/";
    int seller = 1;
    cJSON *params = cJSON_CreateObject();
    enum err e;

    memset(r, 0, sizeof *r);
    if (params == NULL)
        return err_set(ec, ERR_NOMEM, "out of memory");
    e = op_params(a, params, c, &method, &path, &seller, ec);
    if (e == ERR_OK)
        e = finish(a, c, method,
                   seller ? c->shop->api_base : c->shop->auth_base, path,
                   params, seller, r, ec);
    cJSON_Delete(params);
    return e;
}

/* ---- parsing ---- */

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}



static int is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}

/* str: o[name] when it is a string, else "". */
static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = get(o, name);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static void malformed(struct mkt_reply *out, const char *what)
{
    out->outcome = MKT_RETRY;
    (void)snprintf(out->message, sizeof out->message,
                   "lazada: malformed answer (%s)", what);
}

/* error_message: message, then the field errors of detail[] joined, so
 * the seller sees which attribute Lazada refused. */
static void error_message(const cJSON *j, struct mkt_reply *out)
{
    const cJSON *d, *msg = get(j, "message");
    size_t n;

    mkt_copy(out->message, sizeof out->message,
             cJSON_IsString(msg) ? msg->valuestring : "Lazada refused");
    cJSON_ArrayForEach(d, get(j, "detail"))
    {
        const cJSON *f = get(d, "field"), *m = get(d, "message");
        n = strlen(out->message);
        if (!cJSON_IsString(m))
            continue;
        (void)snprintf(out->message + n, sizeof out->message - n, "%s%s%s%s",
                       n ? "; " : "", cJSON_IsString(f) ? f->valuestring : "",
                       cJSON_IsString(f) ? ": " : "", m->valuestring);
    }
}

/* ban_ms: "this ban will last 1 seconds" -> 1000 [LZ-QA]. */
static int64_t ban_ms(const char *msg)
{
    const char *p = msg ? strstr(msg, "will last ") : NULL;

    return p ? (int64_t)strtol(p + 10, NULL, 10) * 1000 : 0;
}

static void classify(const struct mkt_call *c, const cJSON *j,
                     struct mkt_reply *out)
{
    const char *code = out->code;
    const cJSON *type = get(j, "type");

    error_message(j, out);
    out->outcome = MKT_INVALID;
    if (is(code, "IllegalAccessToken")) {
        out->outcome = MKT_AUTH_EXPIRED;
    } else if (c->op == MKT_OP_UPDATE && is(code, "4137")) {
        /* UpdateProduct: "The item id ... does not exist on the current
         * country and store" [LZ-API /product/update] */
        out->outcome = MKT_NOT_FOUND;
    } else if (c->op == MKT_OP_TOKEN_REFRESH &&
               (is(code, "IllegalRefreshToken") ||
                is(code, "AUTH_TYPE_UNSUPPORTED"))) {
        out->outcome = MKT_AUTH_REVOKED;
    } else if (is(code, "ApiCallLimit") || is(code, "901") ||
               is(code, "E901") || is(code, "ServiceTimeout") ||
               (cJSON_IsString(type) && is(type->valuestring, "SYSTEM"))) {
        out->outcome = MKT_RETRY;
        out->retry_after_ms = ban_ms(out->message);
    } else if (is(code, "IncompleteSignature") ||
               is(code, "MissingParameter")) {
        /* our request is wrong, not the seller's data: say so */
        size_t n = strlen(out->message);
        (void)snprintf(out->message + n, sizeof out->message - n,
                       " (request built by ocop refused)");
    }
}

/* tokens: TOKEN_CODE and TOKEN_REFRESH answer at the top level (no
 * "data"), with lifetimes in seconds from now. */
static void ok_token(const struct mkt_call *c, const cJSON *j,
                     struct mkt_reply *out)
{
    const cJSON *at = get(j, "access_token"), *rt = get(j, "refresh_token");
    const cJSON *ae = get(j, "expires_in"), *re = get(j, "refresh_expires_in");
    const cJSON *info = cJSON_GetArrayItem(get(j, "country_user_info"), 0);
    int64_t now = c->now_ms / 1000;

    if (!cJSON_IsString(at) || !cJSON_IsString(rt))
        return malformed(out, "no access_token");
    mkt_copy(out->access_token, sizeof out->access_token, at->valuestring);
    mkt_copy(out->refresh_token, sizeof out->refresh_token, rt->valuestring);
    if (cJSON_IsNumber(ae))
        out->access_expires_at = now + (int64_t)ae->valuedouble;
    if (cJSON_IsNumber(re))
        out->refresh_expires_at = now + (int64_t)re->valuedouble;
    (void)mkt_json_text(get(info, "seller_id"), out->shop_ref, sizeof out->shop_ref);
}

/* ok_find: the product whose SKU carries our seller SKU. */
static void ok_find(const struct mkt_call *c, const cJSON *data,
                    struct mkt_reply *out)
{
    const cJSON *p = cJSON_GetArrayItem(get(data, "products"), 0), *s;
    const cJSON *skus = get(p, "skus"), *pick = cJSON_GetArrayItem(skus, 0);

    if (p == NULL) {
        out->outcome = MKT_NOT_FOUND;
        return;
    }
    cJSON_ArrayForEach(s, skus)
    {
        const cJSON *ss = get(s, "SellerSku");
        if (cJSON_IsString(ss) && is(ss->valuestring, c->item->seller_sku))
            pick = s;
    }
    if (!mkt_json_text(get(p, "item_id"), out->ext_item_id, sizeof out->ext_item_id) ||
        !mkt_json_text(get(pick, "SkuId"), out->ext_sku_id, sizeof out->ext_sku_id))
        malformed(out, "product without item_id/SkuId");
}

static void ok_create(const cJSON *data, struct mkt_reply *out)
{
    const cJSON *s = cJSON_GetArrayItem(get(data, "sku_list"), 0);

    if (!mkt_json_text(get(data, "item_id"), out->ext_item_id,
              sizeof out->ext_item_id) ||
        !mkt_json_text(get(s, "sku_id"), out->ext_sku_id, sizeof out->ext_sku_id))
        malformed(out, "no item_id/sku_id");
}

static void ok_image(const cJSON *data, struct mkt_reply *out)
{
    const cJSON *u = get(get(data, "image"), "url");

    if (!cJSON_IsString(u) || u->valuestring[0] == '\0')
        return malformed(out, "no image url");
    mkt_copy(out->image_id, sizeof out->image_id, u->valuestring);
}

/* unix_of: "2018-02-07 10:04:09 +0800" (Lazada's order times) -> Unix. */
static int64_t unix_of(const cJSON *v)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, s, oh = 0, om = 0;
    char sign = '+';

    if (!cJSON_IsString(v) ||
        sscanf(v->valuestring, "%d-%d-%d %d:%d:%d %c%2d%2d", &y, &mo, &d, &h,
               &mi, &s, &sign, &oh, &om) < 6)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    int64_t off = (int64_t)(oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
    return (int64_t)timegm(&tm) - off;
}

/* order_head: one order of /orders/get, without its lines. */
static cJSON *order_head(const cJSON *o)
{
    const cJSON *st = cJSON_GetArrayItem(get(o, "statuses"), 0);
    const char *status = cJSON_IsString(st) ? st->valuestring : "";
    char id[64];
    cJSON *r;

    if (!mkt_json_text(get(o, "order_id"), id, sizeof id))
        return NULL;
    r = cJSON_CreateObject();
    if (!r || !cJSON_AddStringToObject(r, "id", id) ||
        !cJSON_AddStringToObject(r, "status", status) ||
        !cJSON_AddNumberToObject(r, "created_at",
                                 (double)unix_of(get(o, "created_at"))) ||
        !cJSON_AddBoolToObject(r, "cancelled", is(status, "canceled"))) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static void ok_orders(const struct mkt_call *c, const cJSON *data,
                      struct mkt_reply *out)
{
    const cJSON *list = get(data, "orders"), *o;
    cJSON *arr = cJSON_CreateArray();
    int n = 0;

    if (arr == NULL)
        return malformed(out, "out of memory");
    cJSON_ArrayForEach(o, list)
    {
        cJSON *h = order_head(o);
        if (h == NULL || !cJSON_AddItemToArray(arr, h)) {
            cJSON_Delete(h);
            cJSON_Delete(arr);
            return malformed(out, "order without order_id");
        }
        n++;
    }
    out->orders = arr;
    out->cursor[0] = '\0';
    if (n == ORDERS_PAGE) {
        long long off = c->cursor ? strtoll(c->cursor, NULL, 10) : 0;
        (void)snprintf(out->cursor, sizeof out->cursor, "%lld", off + n);
    }
}

/* add_unit: one item row is one unit; rows of one SKU become one line. */
static int add_unit(cJSON *lines, const char *sku, int64_t price)
{
    cJSON *l;

    cJSON_ArrayForEach(l, lines)
    {
        const cJSON *s = get(l, "seller_sku"), *p = get(l, "price_vnd");
        if (is(s->valuestring, sku) && (int64_t)p->valuedouble == price) {
            cJSON *q = cJSON_GetObjectItemCaseSensitive(l, "qty");
            cJSON_SetNumberValue(q, q->valuedouble + 1);
            return 1;
        }
    }
    l = cJSON_CreateObject();
    if (!l || !cJSON_AddStringToObject(l, "seller_sku", sku) ||
        !cJSON_AddNumberToObject(l, "qty", 1) ||
        !cJSON_AddNumberToObject(l, "price_vnd", (double)price) ||
        !cJSON_AddItemToArray(lines, l)) {
        cJSON_Delete(l);
        return 0;
    }
    return 1;
}

/* order_lines: the lines of one order of /orders/items/get. Cancelled rows
 * are left out; an order whose every row is cancelled is "cancelled" and
 * keeps all its rows, so what was ordered is still known. */
static cJSON *order_lines(const cJSON *o)
{
    const cJSON *rows = get(o, "order_items"), *r;
    cJSON *out = cJSON_CreateObject(), *lines = cJSON_CreateArray();
    char id[64];
    int live = 0, ok = out && lines && mkt_json_text(get(o, "order_id"), id, sizeof id);

    cJSON_ArrayForEach(r, rows)
    {
        live += !is(str(r, "status"), "canceled");
    }
    cJSON_ArrayForEach(r, rows)
    {
        const cJSON *sku = get(r, "sku");
        if (!ok || (live && is(str(r, "status"), "canceled")))
            continue;
        ok = cJSON_IsString(sku) &&
             add_unit(lines, sku->valuestring, mkt_json_int(get(r, "item_price")));
    }
    if (!ok || !cJSON_AddStringToObject(out, "id", id) ||
        !cJSON_AddBoolToObject(out, "cancelled", live == 0) ||
        !cJSON_AddItemToObject(out, "lines", lines)) {
        cJSON_Delete(lines);
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

static void ok_lines(const cJSON *data, struct mkt_reply *out)
{
    const cJSON *o;
    cJSON *arr = cJSON_CreateArray();

    if (arr == NULL || !cJSON_IsArray(data)) {
        cJSON_Delete(arr);
        return malformed(out, "data is not a list of orders");
    }
    cJSON_ArrayForEach(o, data)
    {
        cJSON *l = order_lines(o);
        if (l == NULL || !cJSON_AddItemToArray(arr, l)) {
            cJSON_Delete(l);
            cJSON_Delete(arr);
            return malformed(out, "order items");
        }
    }
    out->orders = arr;
}

static void ok(const struct mkt_call *c, const cJSON *j, struct mkt_reply *out)
{
    const cJSON *data = get(j, "data");

    out->outcome = MKT_OK;
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: return ok_token(c, j, out);
    case MKT_OP_UPLOAD_IMAGE: return ok_image(data, out);
    case MKT_OP_FIND: return ok_find(c, data, out);
    case MKT_OP_CREATE: return ok_create(data, out);
    case MKT_OP_ORDERS: return ok_orders(c, data, out);
    case MKT_OP_ORDER_LINES: return ok_lines(data, out);
    default: return;
    }
}

static int transient(long http_status)
{
    return http_status == 0 || http_status == 429 || http_status >= 500;
}

static void lz_parse(const struct mkt_call *c, long http_status,
                     const char *body, size_t len, struct mkt_reply *out)
{
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
    }
    (void)mkt_json_text(get(j, "code"), out->code, sizeof out->code);
    if (str(j, "message")[0] != '\0' && !is(out->code, "0"))
        mkt_copy(out->message, sizeof out->message, str(j, "message"));
    /* a readable envelope says more than a 4xx status; 429 and 5xx are
     * retried whatever the body says */
    if ((transient(http_status) || j == NULL || out->code[0] == '\0') &&
        mkt_reply_http(http_status, out))
        goto out;
    if (j == NULL || out->code[0] == '\0')
        malformed(out, j ? "no code" : "not JSON");
    else if (!is(out->code, "0"))
        classify(c, j, out);
    else
        ok(c, j, out);
out:
    cJSON_Delete(j);
}

/* ---- links ---- */

static void lz_link(const struct mkt_shop *s, const char *ext_item_id,
                    char *buf, size_t size)
{
    (void)snprintf(buf, size, "%s/products/i%s.html", s->web_base, ext_item_id);
}

/* lz_auth_url: the authorize page lives on the auth host without its
 * "/rest" API suffix, so a mock's auth base works the same way. */
static void lz_auth_url(const struct mkt_shop *s, const char *redirect,
                        const char *state, int64_t now_ms, char *buf,
                        size_t size)
{
    size_t n = strlen(s->auth_base);
    struct sb u;

    (void)now_ms;
    if (n >= 5 && strcmp(s->auth_base + n - 5, "/rest") == 0)
        n -= 5;
    sb_init(&u, 0);
    if (sb_add(&u, s->auth_base, n) != ERR_OK ||
        sb_adds(&u, "/oauth/authorize?response_type=code&force_auth=true"
                    "&redirect_uri=") != ERR_OK ||
        sb_add_urlenc(&u, redirect) != ERR_OK ||
        sb_adds(&u, "&client_id=") != ERR_OK ||
        sb_add_urlenc(&u, s->app_key) != ERR_OK ||
        sb_adds(&u, "&state=") != ERR_OK ||
        sb_add_urlenc(&u, state) != ERR_OK || u.len >= size)
        mkt_copy(buf, size, "");
    else
        mkt_copy(buf, size, sb_str(&u));
    sb_release(&u);
}

#define OP(x) (1u << MKT_OP_##x)

const struct mkt_connector lazada_connector = {
    .name = "lazada",
    .label = "Lazada",
    .api_base = "https://api.lazada.vn/rest",
    .auth_base = "https://auth.lazada.com/rest",
    .web_base = "https://www.lazada.vn",
    .ops = OP(TOKEN_CODE) | OP(TOKEN_REFRESH) | OP(UPLOAD_IMAGE) | OP(FIND) |
           OP(CREATE) | OP(UPDATE) | OP(PRICE) | OP(STOCK) | OP(UNLIST) |
           OP(ORDERS) | OP(ORDER_LINES),
    /* Documented: inventory APIs 50 calls/s per seller [LZ-INV]; the other
     * APIs' QPS limits are not published (ApiCallLimit when passed), so a
     * margin under the one number we know. */
    .rate_per_shop = 20,
    .build = lz_build,
    .parse = lz_parse,
    .link = lz_link,
    .auth_url = lz_auth_url,
};
