/* shopee/shopee.c: the Shopee Open Platform v2 connector: build() turns a
 * call into a signed request, parse() an envelope into an outcome (see
 * shopee.h; the protocol and its sources are in README.md). */
#include "shopee/shopee.h"

#include "core/sb.h"
#include "shopee/sign.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_BASE "https://partner.shopeemobile.com"
#define WEB_BASE "https://shopee.vn"

#define P_TOKEN "/api/v2/auth/token/get"
#define P_REFRESH "/api/v2/auth/access_token/get"
#define P_IMAGE "/api/v2/media_space/upload_image"
#define P_SEARCH "/api/v2/product/search_item"
#define P_ADD "/api/v2/product/add_item"
#define P_EDIT "/api/v2/product/update_item"
#define P_PRICE "/api/v2/product/update_price"
#define P_STOCK "/api/v2/product/update_stock"
#define P_UNLIST "/api/v2/product/unlist_item"
#define P_ORDERS "/api/v2/order/get_order_list"
#define P_DETAIL "/api/v2/order/get_order_detail"
#define P_AUTH "/api/v2/shop/auth_partner"

/* The refresh token lives 30 days and the token answer does not say so
 * [SP-20]; order lists span at most 15 days per call [SP-API]. */
#define REFRESH_LIFETIME_S (30 * 86400)
#define ORDER_SPAN_S (15 * 86400)
/* Ids travel as JSON numbers (doubles): larger ones would lose digits. */
#define MAX_JSON_ID 9007199254740992LL

enum api_type { API_PUBLIC, API_SHOP };

/* ---- small helpers ---- */

/* parse_id: a positive decimal id that a JSON number holds exactly. */
static enum err parse_id(const char *text, const char *what, int64_t *out,
                         struct err_ctx *ec)
{
    char *end = NULL;
    long long v;

    if (text == NULL || text[0] < '0' || text[0] > '9')
        return err_set(ec, ERR_INVALID, "%s is not a number", what);
    v = strtoll(text, &end, 10);
    if (*end != '\0' || v <= 0 || v > MAX_JSON_ID)
        return err_set(ec, ERR_INVALID, "%s is not a valid id", what);
    *out = v;
    return ERR_OK;
}

/* jcheck: cJSON_Add* return NULL when an allocation fails; bodies are
 * built in straight lines and this records any failure for one check. */
static cJSON *jcheck(cJSON *added, int *ok)
{
    if (added == NULL)
        *ok = 0;
    return added;
}

/* jpush: a new object appended to arr (NULL and *ok = 0 on failure). */
static cJSON *jpush(cJSON *arr, int *ok)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL || arr == NULL || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        *ok = 0;
        return NULL;
    }
    return o;
}

/* add_shop_id: shop_id as a number; a non-numeric shop_ref (the mock
 * marketplace names its shops) as a string. */
static void add_shop_id(cJSON *o, const char *shop_ref, int *ok)
{
    int64_t id;

    if (parse_id(shop_ref, "shop_id", &id, NULL) == ERR_OK)
        jcheck(cJSON_AddNumberToObject(o, "shop_id", (double)id), ok);
    else
        jcheck(cJSON_AddStringToObject(o, "shop_id", shop_ref), ok);
}

/* id_text: an id Shopee sends as a number (or a string) as decimal text. */
static int id_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
        mkt_copy(buf, size, v->valuestring);
        return 1;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble > (double)MAX_JSON_ID)
        return 0;
    snprintf(buf, size, "%.0f", v->valuedouble);
    return 1;
}

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* ---- requests ---- */

/* add_query: "&name=value", the value URL-encoded. */
static enum err add_query(struct arena *a, struct sb *q, const char *name,
                          const char *value, struct err_ctx *ec)
{
    char *enc = mkt_urlenc(a, value);

    if (enc == NULL || sb_addf(q, "&%s=%s", name, enc) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "shopee: URL too long");
    return ERR_OK;
}

/* sign_params: the common parameters of an API type, as sign.h wants. */
static cJSON *sign_params(const struct mkt_shop *s, enum api_type t, int64_t ts)
{
    cJSON *p = cJSON_CreateObject();
    int ok = p != NULL;

    jcheck(cJSON_AddStringToObject(p, "partner_id", s->app_key), &ok);
    jcheck(cJSON_AddNumberToObject(p, "timestamp", (double)ts), &ok);
    if (t == API_SHOP) {
        jcheck(cJSON_AddStringToObject(p, "access_token", s->access_token),
               &ok);
        jcheck(cJSON_AddStringToObject(p, "shop_id", s->shop_ref), &ok);
    }
    if (!ok) {
        cJSON_Delete(p);
        return NULL;
    }
    return p;
}

/* start_url: base + path + the common parameters and their signature, in
 * the query string for GET and POST alike [SP-16]. */
static enum err start_url(struct arena *a, const struct mkt_call *c,
                          const char *base, const char *path, enum api_type t,
                          struct sb *q, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    int64_t ts = c->now_ms / 1000;
    cJSON *params = sign_params(s, t, ts);
    struct sb sign;
    enum err e;

    if (params == NULL)
        return err_set(ec, ERR_NOMEM, "shopee: out of memory");
    sb_init(&sign, 0);
    e = shopee_sign(s->app_secret, path, params, &sign, ec);
    if (e != ERR_OK)
        goto out;
    if (sb_addf(q, "%s%s?partner_id=", base, path) != ERR_OK ||
        sb_add_urlenc(q, s->app_key) != ERR_OK ||
        sb_addf(q, "&timestamp=%" PRId64, ts) != ERR_OK) {
        e = err_set(ec, ERR_NOMEM, "shopee: URL too long");
        goto out;
    }
    if (t == API_SHOP)
        e = add_query(a, q, "access_token", s->access_token, ec);
    if (e == ERR_OK && t == API_SHOP)
        e = add_query(a, q, "shop_id", s->shop_ref, ec);
    if (e == ERR_OK)
        e = add_query(a, q, "sign", sb_str(&sign), ec);
out:
    sb_release(&sign);
    cJSON_Delete(params);
    return e;
}

/* finish_url: the query string moves into the arena. */
static enum err finish_url(struct arena *a, struct sb *q, struct mkt_req *r,
                           struct err_ctx *ec)
{
    r->url = arena_strndup(a, sb_str(q), q->len);
    sb_release(q);
    return r->url ? ERR_OK : err_set(ec, ERR_NOMEM, "shopee: out of memory");
}

/* set_body: j (taken, freed) printed once into the arena as the body. */
static enum err set_body(struct arena *a, cJSON *j, int ok, struct mkt_req *r,
                         struct err_ctx *ec)
{
    char *text = ok && j ? cJSON_PrintUnformatted(j) : NULL;

    cJSON_Delete(j);
    if (text == NULL)
        return err_set(ec, ERR_NOMEM, "shopee: out of memory");
    r->body_len = strlen(text);
    r->body = arena_strndup(a, text, r->body_len);
    cJSON_free(text);
    if (r->body == NULL)
        return err_set(ec, ERR_NOMEM, "shopee: out of memory");
    r->headers[r->n_headers++] = "Content-Type: application/json";
    return ERR_OK;
}

/* post_json: a signed POST of body j (taken). */
static enum err post_json(struct arena *a, const struct mkt_call *c,
                          const char *base, const char *path, enum api_type t,
                          cJSON *j, int ok, struct mkt_req *r,
                          struct err_ctx *ec)
{
    struct sb q;
    enum err e;

    sb_init(&q, 0);
    e = start_url(a, c, base, path, t, &q, ec);
    if (e == ERR_OK)
        e = finish_url(a, &q, r, ec);
    sb_release(&q);
    if (e != ERR_OK) {
        cJSON_Delete(j);
        return e;
    }
    r->method = "POST";
    return set_body(a, j, ok, r, ec);
}

static enum err build_token(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    int refresh = c->op == MKT_OP_TOKEN_REFRESH;
    const char *base = s->auth_base[0] ? s->auth_base : s->api_base;
    cJSON *j = cJSON_CreateObject();
    int ok = j != NULL;
    int64_t partner;
    enum err e = parse_id(s->app_key, "partner_id", &partner, ec);

    if (e == ERR_OK && s->shop_ref[0] == '\0')
        e = err_set(ec, ERR_INVALID, "shop_id is missing");
    if (e == ERR_OK && !refresh && (c->code == NULL || !c->code[0]))
        e = err_set(ec, ERR_INVALID, "authorisation code is missing");
    if (e == ERR_OK && refresh && s->refresh_token[0] == '\0')
        e = err_set(ec, ERR_INVALID, "refresh token is missing");
    if (e != ERR_OK) {
        cJSON_Delete(j);
        return e;
    }
    if (refresh)
        jcheck(cJSON_AddStringToObject(j, "refresh_token", s->refresh_token),
               &ok);
    else
        jcheck(cJSON_AddStringToObject(j, "code", c->code), &ok);
    add_shop_id(j, s->shop_ref, &ok);
    jcheck(cJSON_AddNumberToObject(j, "partner_id", (double)partner), &ok);
    return post_json(a, c, base, refresh ? P_REFRESH : P_TOKEN, API_PUBLIC, j,
                     ok, r, ec);
}

/* build_image: multipart, file part "image" [SP-API media_space]. */
static enum err build_image(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    struct sb q;
    enum err e;

    if (c->image_index < 0 || c->image_index >= it->n_images ||
        it->image_paths == NULL || it->image_paths[c->image_index] == NULL ||
        it->image_paths[c->image_index][0] == '\0')
        return err_set(ec, ERR_INVALID, "image %d has no file", c->image_index);
    sb_init(&q, 0);
    e = start_url(a, c, c->shop->api_base, P_IMAGE, API_PUBLIC, &q, ec);
    if (e == ERR_OK)
        e = finish_url(a, &q, r, ec);
    sb_release(&q);
    if (e != ERR_OK)
        return e;
    r->method = "POST";
    r->file_path = it->image_paths[c->image_index];
    r->file_field = "image";
    r->file_type = "image/jpeg";
    r->form[0] = (struct mkt_form_field){"scene", "normal"};
    r->n_form = 1;
    return ERR_OK;
}

/* get_query: a signed Shop API GET with the given name/value pairs. */
static enum err get_query(struct arena *a, const struct mkt_call *c,
                          const char *path, const char *const *kv, int n,
                          struct mkt_req *r, struct err_ctx *ec)
{
    struct sb q;
    enum err e;

    sb_init(&q, 0);
    e = start_url(a, c, c->shop->api_base, path, API_SHOP, &q, ec);
    for (int i = 0; e == ERR_OK && i + 1 < n; i += 2)
        e = add_query(a, &q, kv[i], kv[i + 1], ec);
    if (e == ERR_OK)
        e = finish_url(a, &q, r, ec);
    sb_release(&q);
    if (e == ERR_OK)
        r->method = "GET";
    return e;
}

static enum err build_find(struct arena *a, const struct mkt_call *c,
                           struct mkt_req *r, struct err_ctx *ec)
{
    const char *kv[] = {"item_sku", c->item->seller_sku, "offset",
                        "0",        "page_size",         "10"};

    if (c->item->seller_sku[0] == '\0')
        return err_set(ec, ERR_INVALID, "seller SKU is missing");
    return get_query(a, c, P_SEARCH, kv, 6, r, ec);
}

/* order_window: the 15-day window [from, to) this ORDERS call asks for,
 * and Shopee's own cursor inside it (see shopee.h). */
static void order_window(const struct mkt_call *c, int64_t *from, int64_t *to,
                         const char **cursor)
{
    const char *cur = c->cursor ? c->cursor : "";
    const char *colon = strchr(cur, ':');

    *from = c->since;
    *cursor = "";
    if (colon != NULL) {
        *from = strtoll(cur, NULL, 10);
        *cursor = colon + 1;
    }
    if (*from < c->since || *from > c->until)
        *from = c->since;
    *to = c->until - *from > ORDER_SPAN_S ? *from + ORDER_SPAN_S : c->until;
}

static enum err build_orders(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    int64_t from, to;
    const char *cursor;
    char from_s[24], to_s[24];

    order_window(c, &from, &to, &cursor);
    snprintf(from_s, sizeof from_s, "%" PRId64, from);
    snprintf(to_s, sizeof to_s, "%" PRId64, to);
    const char *kv[] = {"time_range_field", "update_time", "time_from", from_s,
                        "time_to",          to_s,          "page_size", "100",
                        "cursor",           cursor};
    return get_query(a, c, P_ORDERS, kv, 10, r, ec);
}

static enum err build_lines(struct arena *a, const struct mkt_call *c,
                            struct mkt_req *r, struct err_ctx *ec)
{
    const char *kv[] = {"order_sn_list", c->order_ids,
                        "response_optional_fields", "item_list"};

    if (c->order_ids == NULL || c->order_ids[0] == '\0')
        return err_set(ec, ERR_INVALID, "no order ids");
    return get_query(a, c, P_DETAIL, kv, 4, r, ec);
}

/* add_images: the uploaded image ids; at least one is required. With
 * all set (UPDATE), every image must be uploaded: update_item replaces the
 * item's list, so a skipped one would take that photo off the listing. */
static enum err add_images(cJSON *j, const struct mkt_item *it, int all,
                           int *ok, struct err_ctx *ec)
{
    cJSON *img = jcheck(cJSON_AddObjectToObject(j, "image"), ok);
    cJSON *list = jcheck(cJSON_AddArrayToObject(img, "image_id_list"), ok);
    int n = 0;

    for (int i = 0; it->image_ids != NULL && i < it->n_images; i++) {
        const char *id = it->image_ids[i];
        if ((id == NULL || id[0] == '\0') && all)
            return err_set(ec, ERR_INVALID, "image %d is not uploaded", i);
        if (id == NULL || id[0] == '\0')
            continue;
        cJSON *v = cJSON_CreateString(id);
        if (v == NULL || list == NULL || !cJSON_AddItemToArray(list, v)) {
            cJSON_Delete(v);
            *ok = 0;
        }
        n++;
    }
    return n ? ERR_OK : err_set(ec, ERR_INVALID, "no uploaded image");
}

/* add_list: list (taken) as j's member name; an empty one is dropped
 * unless keep_empty. */
static void add_list(cJSON *j, const char *name, cJSON *list, int keep_empty,
                     int *ok)
{
    if (list == NULL) {
        *ok = 0;
        return;
    }
    if (cJSON_GetArraySize(list) == 0 && !keep_empty) {
        cJSON_Delete(list);
        return;
    }
    if (!cJSON_AddItemToObject(j, name, list)) {
        cJSON_Delete(list);
        *ok = 0;
    }
}

/* add_attributes: logistic_info from the mapped "logistic_id", attribute_list
 * from mapped attributes whose names are Shopee's numeric attribute ids;
 * other names are ours. add_item refuses an item without logistic_info, so
 * create sends it even empty (Shopee then says why in its own words); an
 * update leaves the item's channels alone when none is mapped. */
static void add_attributes(cJSON *j, const cJSON *attrs, int create, int *ok)
{
    cJSON *logi = cJSON_CreateArray();
    cJSON *list = cJSON_CreateArray();
    const cJSON *a;
    int64_t id;

    cJSON_ArrayForEach(a, attrs)
    {
        const char *v = cJSON_IsString(a) ? a->valuestring : "";
        if (a->string == NULL || v[0] == '\0')
            continue;
        if (strcmp(a->string, "logistic_id") == 0 &&
            parse_id(v, "logistic_id", &id, NULL) == ERR_OK) {
            cJSON *l = jpush(logi, ok);
            jcheck(cJSON_AddNumberToObject(l, "logistic_id", (double)id), ok);
            jcheck(cJSON_AddBoolToObject(l, "enabled", 1), ok);
        } else if (parse_id(a->string, "attribute", &id, NULL) == ERR_OK) {
            cJSON *o = jpush(list, ok);
            cJSON *vals =
                jcheck(cJSON_AddArrayToObject(o, "attribute_value_list"), ok);
            cJSON *val = jpush(vals, ok);
            jcheck(cJSON_AddNumberToObject(o, "attribute_id", (double)id), ok);
            jcheck(cJSON_AddNumberToObject(val, "value_id", 0), ok);
            jcheck(cJSON_AddStringToObject(val, "original_value_name", v), ok);
        }
    }
    add_list(j, "logistic_info", logi, create, ok);
    add_list(j, "attribute_list", list, 0, ok);
}

/* check_content: the fields CREATE and UPDATE both need. */
static enum err check_content(const struct mkt_item *it, int64_t *category,
                              struct err_ctx *ec)
{
    if (it->title[0] == '\0')
        return err_set(ec, ERR_INVALID, "item name is missing");
    if (it->weight_g <= 0)
        return err_set(ec, ERR_INVALID, "weight is missing");
    if (it->seller_sku[0] == '\0')
        return err_set(ec, ERR_INVALID, "seller SKU is missing");
    return parse_id(it->category_id, "category_id", category, ec);
}

/* add_content: the listing's content, the same in add_item and update_item
 * (never price or stock); create as in add_images and add_attributes. */
static enum err add_content(cJSON *j, const struct mkt_item *it,
                            int64_t category, int create, int *ok,
                            struct err_ctx *ec)
{
    enum err e = add_images(j, it, !create, ok, ec);

    if (e != ERR_OK)
        return e;
    jcheck(cJSON_AddStringToObject(j, "description", it->description), ok);
    jcheck(cJSON_AddNumberToObject(j, "weight", (double)it->weight_g / 1000.0),
           ok);
    jcheck(cJSON_AddStringToObject(j, "item_name", it->title), ok);
    jcheck(cJSON_AddNumberToObject(j, "category_id", (double)category), ok);
    add_attributes(j, it->attributes, create, ok);
    jcheck(cJSON_AddStringToObject(j, "item_sku", it->seller_sku), ok);
    return ERR_OK;
}

/* build_create: add_item with its required fields [SP-API product]. */
static enum err build_create(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    cJSON *j = cJSON_CreateObject();
    int ok = j != NULL;
    int64_t category = 0;
    enum err e = check_content(it, &category, ec);

    if (e == ERR_OK && it->price_vnd <= 0)
        e = err_set(ec, ERR_INVALID, "price is missing");
    if (e == ERR_OK)
        e = add_content(j, it, category, 1, &ok, ec);
    if (e != ERR_OK) {
        cJSON_Delete(j);
        return e;
    }
    jcheck(cJSON_AddNumberToObject(j, "original_price", (double)it->price_vnd),
           &ok);
    cJSON *stock =
        jpush(jcheck(cJSON_AddArrayToObject(j, "seller_stock"), &ok), &ok);
    jcheck(cJSON_AddNumberToObject(stock, "stock", (double)it->stock), &ok);
    cJSON *brand = jcheck(cJSON_AddObjectToObject(j, "brand"), &ok);
    jcheck(cJSON_AddNumberToObject(brand, "brand_id", 0), &ok);
    jcheck(cJSON_AddStringToObject(brand, "original_brand_name", it->brand),
           &ok);
    jcheck(cJSON_AddStringToObject(j, "item_status", "NORMAL"), &ok);
    return post_json(a, c, c->shop->api_base, P_ADD, API_SHOP, j, ok, r, ec);
}

/* build_content: UPDATE, update_item with the content add_item took; the
 * fields sent replace the item's, those left out stay [SP-API product]. */
static enum err build_content(struct arena *a, const struct mkt_call *c,
                              struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    cJSON *j = cJSON_CreateObject();
    int ok = j != NULL;
    int64_t id = 0, category = 0;
    enum err e = parse_id(it->ext_item_id, "item_id", &id, ec);

    if (e == ERR_OK)
        e = check_content(it, &category, ec);
    jcheck(cJSON_AddNumberToObject(j, "item_id", (double)id), &ok);
    if (e == ERR_OK)
        e = add_content(j, it, category, 0, &ok, ec);
    if (e != ERR_OK) {
        cJSON_Delete(j);
        return e;
    }
    return post_json(a, c, c->shop->api_base, P_EDIT, API_SHOP, j, ok, r, ec);
}

/* build_update: PRICE, STOCK, UNLIST, RELIST, all keyed by item_id. */
static enum err build_update(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    const struct mkt_item *it = c->item;
    cJSON *j = cJSON_CreateObject(), *o;
    int ok = j != NULL;
    int64_t id;
    const char *path = P_UNLIST;
    enum err e = parse_id(it->ext_item_id, "item_id", &id, ec);

    if (e != ERR_OK) {
        cJSON_Delete(j);
        return e;
    }
    if (c->op == MKT_OP_PRICE || c->op == MKT_OP_STOCK)
        jcheck(cJSON_AddNumberToObject(j, "item_id", (double)id), &ok);
    if (c->op == MKT_OP_PRICE) {
        path = P_PRICE;
        o = jpush(jcheck(cJSON_AddArrayToObject(j, "price_list"), &ok), &ok);
        jcheck(
            cJSON_AddNumberToObject(o, "original_price", (double)it->price_vnd),
            &ok);
    } else if (c->op == MKT_OP_STOCK) {
        path = P_STOCK;
        o = jpush(jcheck(cJSON_AddArrayToObject(j, "stock_list"), &ok), &ok);
        o = jpush(jcheck(cJSON_AddArrayToObject(o, "seller_stock"), &ok), &ok);
        jcheck(cJSON_AddNumberToObject(o, "stock", (double)it->stock), &ok);
    } else {
        o = jpush(jcheck(cJSON_AddArrayToObject(j, "item_list"), &ok), &ok);
        jcheck(cJSON_AddNumberToObject(o, "item_id", (double)id), &ok);
        jcheck(cJSON_AddBoolToObject(o, "unlist", c->op == MKT_OP_UNLIST), &ok);
    }
    return post_json(a, c, c->shop->api_base, path, API_SHOP, j, ok, r, ec);
}

static enum err check_call(const struct mkt_call *c, struct err_ctx *ec)
{
    const struct mkt_shop *s = c->shop;
    int64_t partner;

    if (s == NULL || s->api_base == NULL || s->app_key == NULL ||
        s->app_secret == NULL || s->shop_ref == NULL ||
        s->access_token == NULL || s->refresh_token == NULL ||
        s->auth_base == NULL)
        return err_set(ec, ERR_INVALID, "shop is incomplete");
    if (parse_id(s->app_key, "partner_id", &partner, ec) != ERR_OK)
        return ERR_INVALID;
    if (c->op == MKT_OP_TOKEN_CODE || c->op == MKT_OP_TOKEN_REFRESH ||
        c->op == MKT_OP_ORDERS || c->op == MKT_OP_ORDER_LINES)
        return ERR_OK;
    if (c->item == NULL)
        return err_set(ec, ERR_INVALID, "call has no item");
    return ERR_OK;
}

static enum err shopee_build(struct arena *a, const struct mkt_call *c,
                             struct mkt_req *r, struct err_ctx *ec)
{
    enum err e = check_call(c, ec);

    if (e != ERR_OK)
        return e;
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: return build_token(a, c, r, ec);
    case MKT_OP_UPLOAD_IMAGE: return build_image(a, c, r, ec);
    case MKT_OP_FIND: return build_find(a, c, r, ec);
    case MKT_OP_CREATE: return build_create(a, c, r, ec);
    case MKT_OP_UPDATE: return build_content(a, c, r, ec);
    case MKT_OP_PRICE:
    case MKT_OP_STOCK:
    case MKT_OP_UNLIST:
    case MKT_OP_RELIST: return build_update(a, c, r, ec);
    case MKT_OP_ORDERS: return build_orders(a, c, r, ec);
    case MKT_OP_ORDER_LINES: return build_lines(a, c, r, ec);
    default: return err_set(ec, ERR_NOTFOUND, "shopee has no such operation");
    }
}

/* ---- answers ---- */

static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* classify: the outcome of an envelope whose error is set. */
static enum mkt_outcome classify(enum mkt_op op, const char *err,
                                 const char *msg)
{
    static const char *const revoked[] = {"error_user_refresh_token",
                                          "refresh_token_expired",
                                          "shop_access_expired",
                                          "invalid_code",
                                          "error_auth",
                                          NULL};
    static const char *const transient[] = {"error_server", "error_network",
                                            "error_inner", NULL};
    static const char *const gone[] = {"error_item_not_found",
                                       "error_not_found", NULL};
    int token_call = op == MKT_OP_TOKEN_CODE || op == MKT_OP_TOKEN_REFRESH;

    if (token_call && one_of(err, revoked))
        return MKT_AUTH_REVOKED;
    if (strcmp(err, "error_auth") == 0 &&
        (strcasestr(msg, "access_token") || strcasestr(msg, "expire")))
        return MKT_AUTH_EXPIRED;
    if (strcmp(err, "error_param") == 0 && strcasestr(msg, "access_token"))
        return MKT_AUTH_EXPIRED;
    if (one_of(err, transient) || strcasestr(msg, "too many requests"))
        return MKT_RETRY;
    if ((op == MKT_OP_PRICE || op == MKT_OP_STOCK || op == MKT_OP_UPDATE) &&
        one_of(err, gone))
        return MKT_NOT_FOUND;
    /* error_sign and "Invalid timestamp" too: we built the request wrong
     * (or our clock is), and sending it again will not help. */
    return MKT_INVALID;
}

static void malformed(struct mkt_reply *out, const char *what)
{
    out->outcome = MKT_RETRY;
    snprintf(out->message, sizeof out->message, "malformed answer: %s", what);
}

/* read_token: token fields are at the top level of the answer [SP-20];
 * "response" is read too, in case they move. */
static void read_token(const struct mkt_call *c, const cJSON *j,
                       const cJSON *resp, struct mkt_reply *out)
{
    const cJSON *src = jstr(j, "access_token")[0] ? j : resp;
    int64_t now_s = c->now_ms / 1000;
    double expire_in = jnum(src, "expire_in");

    if (jstr(src, "access_token")[0] == '\0' ||
        jstr(src, "refresh_token")[0] == '\0') {
        malformed(out, "no token");
        return;
    }
    mkt_copy(out->access_token, sizeof out->access_token,
             jstr(src, "access_token"));
    mkt_copy(out->refresh_token, sizeof out->refresh_token,
             jstr(src, "refresh_token"));
    out->access_expires_at = expire_in > 0 ? now_s + (int64_t)expire_in : 0;
    out->refresh_expires_at = now_s + REFRESH_LIFETIME_S;
    mkt_copy(out->shop_ref, sizeof out->shop_ref, c->shop->shop_ref);
}

/* read_failures: update_price/update_stock/unlist_item report per-model
 * refusals in failure_list while error stays empty. */
static void read_failures(const cJSON *resp, struct mkt_reply *out)
{
    const cJSON *f = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(resp, "failure_list"), 0);
    const char *why;

    if (f == NULL)
        return;
    why = jstr(f, "failed_reason");
    out->outcome = MKT_INVALID;
    mkt_copy(out->code, sizeof out->code, "failure_list");
    mkt_copy(out->message, sizeof out->message, why[0] ? why : "refused");
}

static void read_id(const cJSON *v, char *buf, size_t size,
                    struct mkt_reply *out, const char *what)
{
    if (!id_text(v, buf, size))
        malformed(out, what);
}

/* read_order_list: [{id}] and the next cursor (see shopee.h). */
static void read_order_list(const struct mkt_call *c, const cJSON *resp,
                            struct mkt_reply *out)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(resp, "order_list");
    const cJSON *o;
    int64_t from, to;
    const char *cursor;

    if (list != NULL && !cJSON_IsArray(list)) {
        malformed(out, "order_list");
        return;
    }
    out->orders = cJSON_CreateArray();
    if (out->orders == NULL) {
        malformed(out, "out of memory");
        return;
    }
    cJSON_ArrayForEach(o, list)
    {
        cJSON *x = cJSON_CreateObject();
        if (!cJSON_AddStringToObject(x, "id", jstr(o, "order_sn")) ||
            !cJSON_AddItemToArray(out->orders, x)) {
            cJSON_Delete(x);
            malformed(out, "out of memory");
            return;
        }
    }
    order_window(c, &from, &to, &cursor);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "more")))
        snprintf(out->cursor, sizeof out->cursor, "%" PRId64 ":%s", from,
                 jstr(resp, "next_cursor"));
    else if (to < c->until)
        snprintf(out->cursor, sizeof out->cursor, "%" PRId64 ":", to);
    else
        out->cursor[0] = '\0';
}

/* order_line: item_sku, or model_sku for an item with models; the price
 * paid is the discounted one when there is one. */
static cJSON *order_line(const cJSON *it)
{
    const char *sku =
        jstr(it, "model_sku")[0] ? jstr(it, "model_sku") : jstr(it, "item_sku");
    double price = jnum(it, "model_discounted_price");
    cJSON *l = cJSON_CreateObject();
    int ok = l != NULL;

    if (price <= 0)
        price = jnum(it, "model_original_price");
    jcheck(cJSON_AddStringToObject(l, "seller_sku", sku), &ok);
    jcheck(
        cJSON_AddNumberToObject(l, "qty", jnum(it, "model_quantity_purchased")),
        &ok);
    jcheck(cJSON_AddNumberToObject(l, "price_vnd", (double)llround(price)),
           &ok);
    if (!ok) {
        cJSON_Delete(l);
        return NULL;
    }
    return l;
}

static cJSON *order_detail(const cJSON *o)
{
    const char *status = jstr(o, "order_status");
    cJSON *x = cJSON_CreateObject(), *lines, *it;
    int ok = x != NULL;

    jcheck(cJSON_AddStringToObject(x, "id", jstr(o, "order_sn")), &ok);
    jcheck(cJSON_AddStringToObject(x, "status", status), &ok);
    /* IN_CANCEL may still be refused by the seller: only CANCELLED is. */
    jcheck(
        cJSON_AddBoolToObject(x, "cancelled", strcmp(status, "CANCELLED") == 0),
        &ok);
    jcheck(cJSON_AddNumberToObject(x, "created_at", jnum(o, "create_time")),
           &ok);
    lines = jcheck(cJSON_AddArrayToObject(x, "lines"), &ok);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "item_list"))
    {
        cJSON *l = order_line(it);
        if (l == NULL || lines == NULL || !cJSON_AddItemToArray(lines, l)) {
            cJSON_Delete(l);
            ok = 0;
        }
    }
    if (!ok) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

static void read_order_details(const cJSON *resp, struct mkt_reply *out)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(resp, "order_list");
    const cJSON *o;

    if (!cJSON_IsArray(list)) {
        malformed(out, "order_list");
        return;
    }
    out->orders = cJSON_CreateArray();
    if (out->orders == NULL) {
        malformed(out, "out of memory");
        return;
    }
    cJSON_ArrayForEach(o, list)
    {
        cJSON *x = order_detail(o);
        if (x == NULL || !cJSON_AddItemToArray(out->orders, x)) {
            cJSON_Delete(x);
            malformed(out, "out of memory");
            return;
        }
    }
}

/* read_ok: the fields of a successful answer. */
static void read_ok(const struct mkt_call *c, const cJSON *j,
                    struct mkt_reply *out)
{
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
    const cJSON *v;

    out->outcome = MKT_OK;
    switch (c->op) {
    case MKT_OP_TOKEN_CODE:
    case MKT_OP_TOKEN_REFRESH: read_token(c, j, resp, out); break;
    case MKT_OP_UPLOAD_IMAGE:
        v = cJSON_GetObjectItemCaseSensitive(resp, "image_info");
        read_id(cJSON_GetObjectItemCaseSensitive(v, "image_id"), out->image_id,
                sizeof out->image_id, out, "no image_id");
        break;
    case MKT_OP_FIND:
        v = cJSON_GetObjectItemCaseSensitive(resp, "item_id_list");
        if (cJSON_GetArraySize(v) == 0) {
            out->outcome = MKT_NOT_FOUND;
            mkt_copy(out->message, sizeof out->message, "no item has this SKU");
            break;
        }
        read_id(cJSON_GetArrayItem(v, 0), out->ext_item_id,
                sizeof out->ext_item_id, out, "item_id_list");
        break;
    case MKT_OP_CREATE:
        read_id(cJSON_GetObjectItemCaseSensitive(resp, "item_id"),
                out->ext_item_id, sizeof out->ext_item_id, out, "no item_id");
        break;
    case MKT_OP_ORDERS: read_order_list(c, resp, out); break;
    case MKT_OP_ORDER_LINES: read_order_details(resp, out); break;
    case MKT_OP_UPDATE: break; /* update_item echoes the fields sent */
    default: /* PRICE, STOCK, UNLIST, RELIST */ read_failures(resp, out); break;
    }
}

static void shopee_parse(const struct mkt_call *c, long http_status,
                         const char *body, size_t len, struct mkt_reply *out)
{
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    int envelope = cJSON_IsObject(j) &&
                   (cJSON_IsString(err) ||
                    cJSON_GetObjectItemCaseSensitive(j, "request_id"));
    const char *code = envelope ? jstr(j, "error") : "";
    const char *msg = envelope ? jstr(j, "message") : "";

    mkt_copy(out->code, sizeof out->code, code);
    if (code[0])
        mkt_copy(out->message, sizeof out->message, msg[0] ? msg : code);
    if (mkt_reply_http(http_status, out))
        goto out;
    if (!envelope) {
        malformed(out, j ? "no envelope" : "not JSON");
        goto out;
    }
    if (code[0]) {
        out->outcome = classify(c->op, code, msg);
        goto out;
    }
    read_ok(c, j, out);
out:
    cJSON_Delete(j);
}

/* ---- links ---- */

static void shopee_link(const struct mkt_shop *s, const char *ext_item_id,
                        char *buf, size_t size)
{
    const char *web = s->web_base && s->web_base[0] ? s->web_base : WEB_BASE;

    snprintf(buf, size, "%s/product/%s/%s", web, s->shop_ref, ext_item_id);
}

/* auth_link: Shopee sends the seller back to redirect with code and
 * shop_id appended; our state rides along as a query parameter. */
static enum err auth_link(const struct mkt_shop *s, const char *redirect,
                          const char *state, int64_t ts, struct sb *out)
{
    cJSON *p = sign_params(s, API_PUBLIC, ts);
    struct sb back;
    enum err e = p ? ERR_OK : ERR_NOMEM;

    sb_init(&back, 0);
    if (e == ERR_OK)
        e = sb_addf(out, "%s%s?partner_id=", s->api_base, P_AUTH);
    if (e == ERR_OK)
        e = sb_add_urlenc(out, s->app_key);
    if (e == ERR_OK)
        e = sb_addf(out, "&timestamp=%" PRId64 "&sign=", ts);
    if (e == ERR_OK)
        e = shopee_sign(s->app_secret, P_AUTH, p, out, NULL);
    if (e == ERR_OK)
        e = sb_adds(&back, redirect);
    if (e == ERR_OK && state && state[0] && !strstr(redirect, "state="))
        e = sb_addf(&back, "%sstate=", strchr(redirect, '?') ? "&" : "?");
    if (e == ERR_OK && state && state[0] && !strstr(redirect, "state="))
        e = sb_add_urlenc(&back, state);
    if (e == ERR_OK)
        e = sb_adds(out, "&redirect=");
    if (e == ERR_OK)
        e = sb_add_urlenc(out, sb_str(&back));
    sb_release(&back);
    cJSON_Delete(p);
    return e;
}

static void shopee_auth_url(const struct mkt_shop *s, const char *redirect,
                            const char *state, int64_t now_ms, char *buf,
                            size_t size)
{
    struct sb out;

    if (size == 0)
        return;
    buf[0] = '\0';
    if (s->api_base == NULL || s->app_key == NULL || redirect == NULL)
        return;
    sb_init(&out, 0);
    if (auth_link(s, redirect, state, now_ms / 1000, &out) == ERR_OK &&
        out.len < size)
        mkt_copy(buf, size, sb_str(&out));
    sb_release(&out);
}

#define OP(x) (1u << MKT_OP_##x)

const struct mkt_connector shopee_connector = {
    .name = "shopee",
    .label = "Shopee",
    .api_base = API_BASE,
    .auth_base = API_BASE,
    .web_base = WEB_BASE,
    .ops = OP(TOKEN_CODE) | OP(TOKEN_REFRESH) | OP(UPLOAD_IMAGE) | OP(FIND) |
           OP(CREATE) | OP(PRICE) | OP(STOCK) | OP(UNLIST) | OP(RELIST) |
           OP(ORDERS) | OP(ORDER_LINES) | OP(UPDATE),
    /* Shopee publishes no numeric limit (the API pages' rate_limit fields
     * are empty, marketplaces.md 1); 10/s per shop is our own guess, and
     * "Too many requests" answers are retried. */
    .rate_per_shop = 10,
    .build = shopee_build,
    .parse = shopee_parse,
    .link = shopee_link,
    .auth_url = shopee_auth_url,
};
