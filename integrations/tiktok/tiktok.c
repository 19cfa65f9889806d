/* tiktok/tiktok.c: the TikTok Shop connector: build() and parse() for
 * every operation (see tiktok.h; protocol notes and sources in
 * README.md). */
#include "tiktok/tiktok.h"

#include "core/sb.h"
#include "tiktok/sign.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDERS_PAGE "100" /* page_size allows 1..100 */
#define REAL_AUTH_BASE "https://auth.tiktok-shops.com"

/* What one operation sends, before the common parameters. */
struct tt_op {
    const char *method, *path;
    cJSON *query; /* business query params (strings), owned */
    cJSON *body;  /* JSON body or NULL, owned */
    int shop;     /* a shop API: needs shop_cipher */
};

/* ---- building ---- */

static enum err add(cJSON *o, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return ERR_OK;
    return cJSON_AddStringToObject(o, name, value) ? ERR_OK : ERR_NOMEM;
}

static enum err nomem(struct err_ctx *ec)
{
    return err_set(ec, ERR_NOMEM, "out of memory");
}

/* query: name=value&... with values URL-encoded, appended to u. */
static enum err query(struct arena *a, const cJSON *params, struct sb *u)
{
    const cJSON *it;
    int first = 1;

    cJSON_ArrayForEach(it, params)
    {
        char *v = mkt_urlenc(a, it->valuestring);
        if (v == NULL || sb_addc(u, first ? '?' : '&') != ERR_OK ||
            sb_adds(u, it->string) != ERR_OK || sb_addc(u, '=') != ERR_OK ||
            sb_adds(u, v) != ERR_OK)
            return ERR_NOMEM;
        first = 0;
    }
    return ERR_OK;
}

/* set_url: r->url = base + path + the encoded query, from the arena. */
static enum err set_url(struct arena *a, const char *base, const char *path,
                        const cJSON *params, struct mkt_req *r)
{
    struct sb u;
    enum err e;

    sb_init(&u, 0);
    e = sb_adds(&u, base) == ERR_OK && sb_adds(&u, path) == ERR_OK
            ? query(a, params, &u)
            : ERR_NOMEM;
    if (e == ERR_OK) {
        r->url = arena_strndup(a, sb_str(&u), u.len);
        e = r->url ? ERR_OK : ERR_NOMEM;
    }
    sb_release(&u);
    return e;
}

/* body_bytes: the body serialised once, into the arena; this very buffer
 * is signed and sent (the signature covers the exact bytes). */
static enum err body_bytes(struct arena *a, const cJSON *body,
                           struct mkt_req *r)
{
    char *text;

    if (body == NULL)
        return ERR_OK;
    text = cJSON_PrintUnformatted(body);
    if (text == NULL)
        return ERR_NOMEM;
    r->body = arena_strdup(a, text);
    r->body_len = strlen(text);
    free(text);
    return r->body ? ERR_OK : ERR_NOMEM;
}

/* finish: common params, the body, the signature, URL and headers. */
static enum err finish(struct arena *a, const struct mkt_call *c,
                       struct tt_op *op, struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    char ts[32];
    struct sb sig;
    enum err e;

    if (s->access_token[0] == '\0')
        return err_set(ec, ERR_INVALID, "tiktok: shop is not authorised");
    if (op->shop && s->shop_ref[0] == '\0')
        return err_set(ec, ERR_INVALID, "tiktok: no shop cipher yet");
    (void)snprintf(ts, sizeof ts, "%" PRId64, c->now_ms / 1000);
    if (add(op->query, "app_key", s->app_key) != ERR_OK ||
        add(op->query, "timestamp", ts) != ERR_OK ||
        (op->shop && add(op->query, "shop_cipher", s->shop_ref) != ERR_OK) ||
        body_bytes(a, op->body, r) != ERR_OK)
        return nomem(ec);
    sb_init(&sig, 0);
    e = tiktok_sign(s->app_secret, op->path, op->query, r->body, r->body_len,
                    &sig, ec);
    if (e == ERR_OK && add(op->query, "sign", sb_str(&sig)) != ERR_OK)
        e = nomem(ec);
    sb_release(&sig);
    if (e != ERR_OK)
        return e;
    char *h = arena_printf(a, "x-tts-access-token: %s", s->access_token);
    if (h == NULL || set_url(a, s->api_base, op->path, op->query, r) != ERR_OK)
        return nomem(ec);
    r->method = op->method;
    r->headers[r->n_headers++] = h;
    if (r->file_path == NULL)
        r->headers[r->n_headers++] = "Content-Type: application/json";
    return ERR_OK;
}

/* build_token: TOKEN_CODE / TOKEN_REFRESH on the auth host: unsigned,
 * the app secret in the query, as [TT-AUTH] says. */
static enum err build_token(struct arena *a, const struct mkt_call *c, cJSON *q,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    int code = c->op == MKT_OP_TOKEN_CODE;
    const char *v = code ? c->code : s->refresh_token;

    if (v == NULL || v[0] == '\0')
        return err_set(ec, ERR_INVALID, "tiktok: no %s",
                       code ? "auth code" : "refresh token");
    if (add(q, "app_key", s->app_key) != ERR_OK ||
        add(q, "app_secret", s->app_secret) != ERR_OK ||
        add(q, code ? "auth_code" : "refresh_token", v) != ERR_OK ||
        add(q, "grant_type", code ? "authorized_code" : "refresh_token") !=
            ERR_OK ||
        set_url(a, s->auth_base,
                code ? "/api/v2/token/get" : "/api/v2/token/refresh", q,
                r) != ERR_OK)
        return nomem(ec);
    r->method = "GET";
    return ERR_OK;
}



/* price: {"amount": "<int>", "currency": "VND"} (amounts are strings). */
static cJSON *price(int64_t vnd)
{
    char n[32];
    cJSON *p = cJSON_CreateObject();

    (void)snprintf(n, sizeof n, "%" PRId64, vnd);
    if (!p || add(p, "amount", n) != ERR_OK ||
        add(p, "currency", "VND") != ERR_OK) {
        cJSON_Delete(p);
        return NULL;
    }
    return p;
}

/* inventory: [{"warehouse_id", "quantity"}] for the shop's warehouse. */
static cJSON *inventory(const char *warehouse, int64_t qty)
{
    cJSON *arr = cJSON_CreateArray(), *w = cJSON_CreateObject();

    if (!arr || !w || add(w, "warehouse_id", warehouse) != ERR_OK ||
        !cJSON_AddNumberToObject(w, "quantity", (double)qty) ||
        !cJSON_AddItemToArray(arr, w)) {
        cJSON_Delete(w);
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

/* one: [item] (item freed on failure). */
static cJSON *one(cJSON *item)
{
    cJSON *arr = cJSON_CreateArray();

    if (!arr || !item || !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

/* put: o[name] = v, or 0 (v freed on failure). */
static int put(cJSON *o, const char *name, cJSON *v)
{
    if (v != NULL && cJSON_AddItemToObject(o, name, v))
        return 1;
    cJSON_Delete(v);
    return 0;
}

static cJSON *create_sku(const struct mkt_item *it, const char *warehouse)
{
    cJSON *s = cJSON_CreateObject();

    if (!s || add(s, "seller_sku", it->seller_sku) != ERR_OK ||
        !put(s, "price", price(it->price_vnd)) ||
        !put(s, "inventory", inventory(warehouse, it->stock))) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

/* edit_sku: the one SKU named by its id (an SKU id left out would be
 * deleted, [TT-API] edit product), without price and inventory: Edit
 * Product keeps both unchanged when they are omitted, and UPDATE never
 * sends them (conn.h). */
static cJSON *edit_sku(const struct mkt_item *it)
{
    cJSON *s = cJSON_CreateObject();

    if (!s || add(s, "id", it->ext_sku_id) != ERR_OK ||
        add(s, "seller_sku", it->seller_sku) != ERR_OK) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

static cJSON *main_images(const struct mkt_item *it)
{
    cJSON *arr = cJSON_CreateArray();

    for (int i = 0; arr && i < it->n_images; i++) {
        cJSON *u = cJSON_CreateObject();
        if (it->image_ids[i][0] == '\0') {
            cJSON_Delete(u);
            continue;
        }
        if (!u || add(u, "uri", it->image_ids[i]) != ERR_OK ||
            !cJSON_AddItemToArray(arr, u)) {
            cJSON_Delete(u);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* content_fields: what create and edit send beyond images and SKUs. */
static int content_fields(cJSON *b, const struct mkt_item *it)
{
    const cJSON *brand =
        cJSON_GetObjectItemCaseSensitive(it->attributes, "brand_id");
    cJSON *w = cJSON_CreateObject();
    char kgs[32];
    struct sb d;
    int ok;

    mkt_kg(it->weight_g, kgs, sizeof kgs);
    sb_init(&d, 0);
    ok = mkt_html(it->description, &d) == ERR_OK &&
         add(b, "title", it->title) == ERR_OK &&
         add(b, "description", sb_str(&d)) == ERR_OK &&
         add(b, "category_id", it->category_id) == ERR_OK && w &&
         add(w, "value", kgs) == ERR_OK && add(w, "unit", "KILOGRAM") == ERR_OK;
    sb_release(&d);
    if (!ok) {
        cJSON_Delete(w);
        return 0;
    }
    if (!put(b, "package_weight", w))
        return 0;
    return !cJSON_IsString(brand) ||
           add(b, "brand_id", brand->valuestring) == ERR_OK;
}

/* missing_image: the index of the first photo not uploaded yet, or -1. */
static int missing_image(const struct mkt_item *it)
{
    for (int i = 0; i < it->n_images; i++)
        if (it->image_ids[i][0] == '\0')
            return i;
    return -1;
}

/* build_product: CREATE, and UPDATE with Edit Product, which takes the
 * same content, overwrites every field it is given or not (so the
 * gallery is all the photos, every one uploaded first) and keeps price
 * and inventory when they are left out [TT-API] edit product. */
static enum err build_product(struct arena *a, const struct mkt_call *c,
                              struct tt_op *op, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    int edit = c->op == MKT_OP_UPDATE;
    cJSON *imgs;

    if (it->category_id[0] == '\0' || it->weight_g <= 0 ||
        (!edit && c->shop->warehouse[0] == '\0'))
        return err_set(ec, ERR_INVALID,
                       "tiktok: %s needs a category, a weight%s",
                       it->seller_sku, edit ? "" : " and the shop's warehouse");
    if (edit && missing_image(it) >= 0)
        return err_set(ec, ERR_INVALID, "tiktok: %s: image %d not uploaded",
                       it->seller_sku, missing_image(it));
    op->method = edit ? "PUT" : "POST";
    op->path =
        edit ? arena_printf(a, "/product/202309/products/%s", it->ext_item_id)
             : "/product/202309/products";
    if (op->path == NULL)
        return nomem(ec);
    imgs = main_images(it);
    if (imgs == NULL || cJSON_GetArraySize(imgs) == 0) {
        cJSON_Delete(imgs);
        return err_set(ec, ERR_INVALID, "tiktok: %s has no image uploaded",
                       it->seller_sku);
    }
    op->body = cJSON_CreateObject();
    /* put() frees imgs when the body could not be made; TikTok's own
     * guard, the idempotency key, keeps a repeated create from making a
     * second product */
    if (!put(op->body, "main_images", imgs) || !content_fields(op->body, it) ||
        (!edit && add(op->body, "idempotency_key", it->seller_sku) != ERR_OK) ||
        !put(op->body, "skus",
             one(edit ? edit_sku(it) : create_sku(it, c->shop->warehouse))))
        return nomem(ec);
    return ERR_OK;
}

/* safe_id: an id that may go into a path as is. */
static int safe_id(const char *id)
{
    return id[0] != '\0' &&
           strspn(id, "0123456789abcdefABCDEF-_") == strlen(id);
}

/* build_update: PRICE and STOCK, per product, on the one SKU. */
static enum err build_update(struct arena *a, const struct mkt_call *c,
                             struct tt_op *op, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    int stock = c->op == MKT_OP_STOCK;
    cJSON *s = cJSON_CreateObject();

    if (stock && c->shop->warehouse[0] == '\0') {
        cJSON_Delete(s);
        return err_set(ec, ERR_INVALID, "tiktok: the shop has no warehouse");
    }
    op->path =
        arena_printf(a, "/product/202309/products/%s/%s", it->ext_item_id,
                     stock ? "inventory/update" : "prices/update");
    op->body = cJSON_CreateObject();
    if (!s || add(s, "id", it->ext_sku_id) != ERR_OK ||
        !put(s, stock ? "inventory" : "price",
             stock ? inventory(c->shop->warehouse, it->stock)
                   : price(it->price_vnd))) {
        cJSON_Delete(s);
        return nomem(ec);
    }
    if (!op->path || !op->body || !put(op->body, "skus", one(s)))
        return nomem(ec);
    return ERR_OK;
}

static enum err item_op(struct arena *a, const struct mkt_call *c,
                        struct tt_op *op, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;

    if (it == NULL || it->seller_sku[0] == '\0')
        return err_set(ec, ERR_INVALID, "tiktok: no item or seller SKU");
    if (c->op == MKT_OP_CREATE)
        return build_product(a, c, op, ec);
    if (c->op == MKT_OP_FIND) {
        op->path = "/product/202502/products/search";
        op->body = cJSON_CreateObject();
        if (add(op->query, "page_size", "1") != ERR_OK || !op->body ||
            !put(op->body, "seller_skus",
                 one(cJSON_CreateString(it->seller_sku))))
            return nomem(ec);
        return ERR_OK;
    }
    if (!safe_id(it->ext_item_id) ||
        ((c->op == MKT_OP_PRICE || c->op == MKT_OP_STOCK ||
          c->op == MKT_OP_UPDATE) &&
         !safe_id(it->ext_sku_id)))
        return err_set(ec, ERR_INVALID,
                       "tiktok: item %s has no TikTok product/SKU id yet",
                       it->seller_sku);
    if (c->op == MKT_OP_PRICE || c->op == MKT_OP_STOCK)
        return build_update(a, c, op, ec);
    if (c->op == MKT_OP_UPDATE)
        return build_product(a, c, op, ec);
    op->path = c->op == MKT_OP_UNLIST ? "/product/202309/products/deactivate"
                                      : "/product/202309/products/activate";
    op->body = cJSON_CreateObject();
    if (!op->body ||
        !put(op->body, "product_ids", one(cJSON_CreateString(it->ext_item_id))))
        return nomem(ec);
    return ERR_OK;
}

static enum err build_image(const struct mkt_call *c, struct tt_op *op,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;

    if (it == NULL || c->image_index < 0 || c->image_index >= it->n_images ||
        it->image_paths[c->image_index][0] == '\0')
        return err_set(ec, ERR_INVALID, "tiktok: no image file %d",
                       c->image_index);
    op->path = "/product/202309/images/upload";
    /* multipart: the body is not signed (sign.h), so only the query is */
    r->file_path = it->image_paths[c->image_index];
    r->file_field = "data";
    r->file_type = "image/jpeg";
    r->form[0] = (struct mkt_form_field){"use_case", "MAIN_IMAGE"};
    r->n_form = 1;
    return ERR_OK;
}

static enum err build_orders(const struct mkt_call *c, struct tt_op *op,
                             struct err_ctx *ec)
{
    if (c->until <= c->since)
        return err_set(ec, ERR_INVALID, "tiktok: bad order window");
    op->path = "/order/202309/orders/search";
    op->body = cJSON_CreateObject();
    if (add(op->query, "page_size", ORDERS_PAGE) != ERR_OK ||
        add(op->query, "page_token", c->cursor) != ERR_OK ||
        add(op->query, "sort_field", "update_time") != ERR_OK ||
        add(op->query, "sort_order", "ASC") != ERR_OK || !op->body ||
        !cJSON_AddNumberToObject(op->body, "update_time_ge",
                                 (double)c->since) ||
        !cJSON_AddNumberToObject(op->body, "update_time_lt", (double)c->until))
        return nomem(ec);
    return ERR_OK;
}

/* op_of: the method, path, query and body of one operation. */
static enum err op_of(struct arena *a, const struct mkt_call *c,
                      struct tt_op *op, struct mkt_req *r, struct err_ctx *ec)
{
    op->method = "POST";
    op->shop = 1;
    switch (c->op) {
    case MKT_OP_SHOP_INFO:
        op->method = "GET";
        op->path = "/authorization/202309/shops";
        op->shop = 0; /* this call is how the cipher is learnt */
        return ERR_OK;
    case MKT_OP_UPLOAD_IMAGE: return build_image(c, op, r, ec);
    case MKT_OP_FIND:
    case MKT_OP_CREATE:
    case MKT_OP_UPDATE:
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
    case MKT_OP_UNLIST:
    case MKT_OP_RELIST: return item_op(a, c, op, ec);
    case MKT_OP_ORDERS: return build_orders(c, op, ec);
    default:
        return err_set(ec, ERR_NOTFOUND, "tiktok: operation %d not offered",
                       (int)c->op);
    }
}

static enum err tt_build(struct arena *a, const struct mkt_call *c,
                         struct mkt_req *r, struct err_ctx *ec)
{
    struct tt_op op = {.query = cJSON_CreateObject()};
    enum err e;

    memset(r, 0, sizeof *r);
    if (op.query == NULL)
        return nomem(ec);
    if (c->op == MKT_OP_TOKEN_CODE || c->op == MKT_OP_TOKEN_REFRESH)
        e = build_token(a, c, op.query, r, ec);
    else
        e = op_of(a, c, &op, r, ec);
    if (e == ERR_OK && c->op != MKT_OP_TOKEN_CODE &&
        c->op != MKT_OP_TOKEN_REFRESH)
        e = finish(a, c, &op, r, ec);
    cJSON_Delete(op.query);
    cJSON_Delete(op.body);
    return e;
}

/* ---- parsing ---- */

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = get(o, name);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}



static void malformed(struct mkt_reply *out, const char *what)
{
    out->outcome = MKT_RETRY;
    (void)snprintf(out->message, sizeof out->message,
                   "tiktok: malformed answer (%s)", what);
}

static void classify(const struct mkt_call *c, struct mkt_reply *out)
{
    const char *code = out->code;

    out->outcome = MKT_INVALID;
    if (!out->message[0])
        mkt_copy(out->message, sizeof out->message, "TikTok Shop refused");
    if (is(code, "105002")) {
        out->outcome = MKT_AUTH_EXPIRED;
    } else if (c->op == MKT_OP_UPDATE &&
               (is(code, "12052032") || is(code, "12052260"))) {
        /* Edit Product: "The product does not exist", "The product ID
         * does not exist" [TT-API] edit product */
        out->outcome = MKT_NOT_FOUND;
    } else if (is(code, "36009002") || is(code, "36009003")) {
        out->outcome = MKT_RETRY;
    } else if (c->op == MKT_OP_TOKEN_REFRESH) {
        out->outcome = MKT_AUTH_REVOKED;
    } else if (is(code, "106001") || is(code, "36009004")) {
        /* our request is wrong, not the seller's data: say so */
        size_t n = strlen(out->message);
        (void)snprintf(out->message + n, sizeof out->message - n,
                       " (request built by ocop refused)");
    }
}

/* ok_token: the *_expire_in fields are Unix times already [TT-AUTH]. */
static void ok_token(const cJSON *d, struct mkt_reply *out)
{
    if (str(d, "access_token")[0] == '\0' || str(d, "refresh_token")[0] == '\0')
        return malformed(out, "no access_token");
    mkt_copy(out->access_token, sizeof out->access_token,
             str(d, "access_token"));
    mkt_copy(out->refresh_token, sizeof out->refresh_token,
             str(d, "refresh_token"));
    out->access_expires_at = mkt_json_int(get(d, "access_token_expire_in"));
    out->refresh_expires_at = mkt_json_int(get(d, "refresh_token_expire_in"));
}

static void ok_find(const struct mkt_call *c, const cJSON *d,
                    struct mkt_reply *out)
{
    const cJSON *p = cJSON_GetArrayItem(get(d, "products"), 0), *s;
    const cJSON *skus = get(p, "skus"), *pick = cJSON_GetArrayItem(skus, 0);

    if (p == NULL) {
        out->outcome = MKT_NOT_FOUND;
        return;
    }
    cJSON_ArrayForEach(s, skus)
    {
        if (is(str(s, "seller_sku"), c->item->seller_sku))
            pick = s;
    }
    if (!mkt_json_text(get(p, "id"), out->ext_item_id, sizeof out->ext_item_id) ||
        !mkt_json_text(get(pick, "id"), out->ext_sku_id, sizeof out->ext_sku_id))
        malformed(out, "product without id/skus");
}

/* add_unit: each line item is one unit; units of one SKU at one price
 * become one line. */
static int add_unit(cJSON *lines, const char *sku, int64_t price_vnd)
{
    cJSON *l;

    cJSON_ArrayForEach(l, lines)
    {
        if (is(str(l, "seller_sku"), sku) &&
            mkt_json_int(get(l, "price_vnd")) == price_vnd) {
            cJSON *q = cJSON_GetObjectItemCaseSensitive(l, "qty");
            cJSON_SetNumberValue(q, q->valuedouble + 1);
            return 1;
        }
    }
    l = cJSON_CreateObject();
    if (!l || !cJSON_AddStringToObject(l, "seller_sku", sku) ||
        !cJSON_AddNumberToObject(l, "qty", 1) ||
        !cJSON_AddNumberToObject(l, "price_vnd", (double)price_vnd) ||
        !cJSON_AddItemToArray(lines, l)) {
        cJSON_Delete(l);
        return 0;
    }
    return 1;
}

static cJSON *order(const cJSON *o)
{
    cJSON *r = cJSON_CreateObject(), *lines = cJSON_CreateArray();
    const cJSON *li;
    char id[64];
    int ok = r && lines && mkt_json_text(get(o, "id"), id, sizeof id);

    cJSON_ArrayForEach(li, get(o, "line_items"))
    {
        if (ok)
            ok = str(li, "seller_sku")[0] != '\0' &&
                 add_unit(lines, str(li, "seller_sku"),
                          mkt_json_int(get(li, "sale_price")));
    }
    if (!ok || !cJSON_AddStringToObject(r, "id", id) ||
        !cJSON_AddStringToObject(r, "status", str(o, "status")) ||
        !cJSON_AddNumberToObject(r, "created_at",
                                 (double)mkt_json_int(get(o, "create_time"))) ||
        !cJSON_AddBoolToObject(r, "cancelled",
                               is(str(o, "status"), "CANCELLED")) ||
        !cJSON_AddItemToObject(r, "lines", lines)) {
        cJSON_Delete(lines);
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static void ok_orders(const cJSON *d, struct mkt_reply *out)
{
    const cJSON *o;
    cJSON *arr = cJSON_CreateArray();

    if (arr == NULL)
        return malformed(out, "out of memory");
    cJSON_ArrayForEach(o, get(d, "orders"))
    {
        cJSON *r = order(o);
        if (r == NULL || !cJSON_AddItemToArray(arr, r)) {
            cJSON_Delete(r);
            cJSON_Delete(arr);
            return malformed(out, "order without id or seller_sku");
        }
    }
    out->orders = arr;
    mkt_copy(out->cursor, sizeof out->cursor, str(d, "next_page_token"));
}

static void ok(const struct mkt_call *c, const cJSON *d, struct mkt_reply *out)
{
    const cJSON *s = cJSON_GetArrayItem(get(d, "skus"), 0);

    out->outcome = MKT_OK;
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: return ok_token(d, out);
    case MKT_OP_SHOP_INFO:
        if (!mkt_json_text(get(cJSON_GetArrayItem(get(d, "shops"), 0), "cipher"),
                  out->shop_ref, sizeof out->shop_ref))
            malformed(out, "no shop cipher");
        return;
    case MKT_OP_UPLOAD_IMAGE:
        if (!mkt_json_text(get(d, "uri"), out->image_id, sizeof out->image_id))
            malformed(out, "no image uri");
        return;
    case MKT_OP_FIND: return ok_find(c, d, out);
    case MKT_OP_CREATE:
        if (!mkt_json_text(get(d, "product_id"), out->ext_item_id,
                  sizeof out->ext_item_id) ||
            !mkt_json_text(get(s, "id"), out->ext_sku_id, sizeof out->ext_sku_id))
            malformed(out, "no product_id/skus");
        return;
    case MKT_OP_ORDERS: return ok_orders(d, out);
    default: return;
    }
}

static int transient(long http_status)
{
    return http_status == 0 || http_status == 429 || http_status >= 500;
}

static void tt_parse(const struct mkt_call *c, long http_status,
                     const char *body, size_t len, struct mkt_reply *out)
{
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
    }
    (void)mkt_json_text(get(j, "code"), out->code, sizeof out->code);
    if (!is(out->code, "0"))
        mkt_copy(out->message, sizeof out->message, str(j, "message"));
    /* a readable envelope says more than a 4xx status; 429 and 5xx are
     * retried whatever the body says */
    if ((transient(http_status) || j == NULL || out->code[0] == '\0') &&
        mkt_reply_http(http_status, out))
        goto out;
    if (j == NULL || out->code[0] == '\0')
        malformed(out, j ? "no code" : "not JSON");
    else if (!is(out->code, "0"))
        classify(c, out);
    else
        ok(c, get(j, "data"), out);
out:
    cJSON_Delete(j);
}

/* ---- links ---- */

static void tt_link(const struct mkt_shop *s, const char *ext_item_id,
                    char *buf, size_t size)
{
    (void)snprintf(buf, size, "%s/view/product/%s", s->web_base, ext_item_id);
}

/* tt_auth_url: the real page takes no redirect (the app's registered one
 * is used); a mock auth base gets its own page and the redirect, so
 * demos work without a registered app. */
static void tt_auth_url(const struct mkt_shop *s, const char *redirect,
                        const char *state, int64_t now_ms, char *buf,
                        size_t size)
{
    int real = strcmp(s->auth_base, REAL_AUTH_BASE) == 0;
    struct sb u;
    int ok;

    (void)now_ms;
    sb_init(&u, 0);
    ok = sb_adds(&u, real ? "https://services.tiktokshop.com" : s->auth_base) ==
             ERR_OK &&
         sb_adds(&u, "/open/authorize?service_id=") == ERR_OK &&
         sb_add_urlenc(&u, s->app_key) == ERR_OK &&
         sb_adds(&u, "&state=") == ERR_OK && sb_add_urlenc(&u, state) == ERR_OK;
    if (ok && !real)
        ok = sb_adds(&u, "&redirect_uri=") == ERR_OK &&
             sb_add_urlenc(&u, redirect) == ERR_OK;
    mkt_copy(buf, size, ok && u.len < size ? sb_str(&u) : "");
    sb_release(&u);
}

#define OP(x) (1u << MKT_OP_##x)

const struct mkt_connector tiktok_connector = {
    .name = "tiktok",
    .label = "TikTok Shop",
    .api_base = "https://open-api.tiktokglobalshop.com",
    .auth_base = REAL_AUTH_BASE,
    .web_base = "https://shop.tiktok.com",
    .ops = OP(TOKEN_CODE) | OP(TOKEN_REFRESH) | OP(SHOP_INFO) |
           OP(UPLOAD_IMAGE) | OP(FIND) | OP(CREATE) | OP(UPDATE) | OP(PRICE) |
           OP(STOCK) | OP(UNLIST) | OP(RELIST) | OP(ORDERS),
    /* documented: 50 QPS per API, counted per (app, shop) [TT-RATE] */
    .rate_per_shop = 50,
    .build = tt_build,
    .parse = tt_parse,
    .link = tt_link,
    .auth_url = tt_auth_url,
};
