/* mock_sendo.c: the mock of Sendo's Open API (see mock.h), prefix
 * "sendo".
 * Owns: POST /login (shop_key = the shop's name, secret_key = a known
 *   app secret; the shop is created), the bearer check, products (create
 *   with id 0, update with id > 0, get by sku or id), variant-price, the
 *   sales order search (status dates at most 3 days apart, paged by
 *   token), and Sendo's envelope {"result","success","error",
 *   "status_code"} on every answer.
 * Does not own: the server, faults, state (mock.c). */
#include "mock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARKET "sendo"
#define VN_OFFSET_S (7 * 3600)
#define MAX_DAYS 3

/* envelope: Sendo's wrapper; takes result (NULL: null). */
static void envelope(struct mock_resp *rs, int status, cJSON *result)
{
    cJSON *j = cJSON_CreateObject();
    (void)cJSON_AddItemToObject(j, "result",
                                result ? result : cJSON_CreateNull());
    (void)cJSON_AddBoolToObject(j, "success", 1);
    (void)cJSON_AddNullToObject(j, "error");
    (void)cJSON_AddNumberToObject(j, "status_code", status);
    mock_json(rs, status, j);
}

/* failure: success false with error.message and, when prop is set, one
 * error_details entry. */
static void failure(struct mock_resp *rs, int status, const char *msg,
                    const char *prop, const char *detail)
{
    cJSON *j = cJSON_CreateObject(), *e = cJSON_CreateObject();
    (void)cJSON_AddNullToObject(j, "result");
    (void)cJSON_AddBoolToObject(j, "success", 0);
    (void)cJSON_AddStringToObject(e, "message", msg);
    cJSON *details = cJSON_AddArrayToObject(e, "error_details");
    if (prop) {
        cJSON *d = cJSON_CreateObject();
        (void)cJSON_AddStringToObject(d, "property_name", prop);
        (void)cJSON_AddStringToObject(d, "message", detail);
        (void)cJSON_AddItemToArray(details, d);
    }
    (void)cJSON_AddItemToObject(j, "error", e);
    (void)cJSON_AddNumberToObject(j, "status_code", status);
    mock_json(rs, status, j);
}

static const char *field(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static void login(const struct mock_req *rq, struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    const char *key = field(j, "shop_key"), *secret = field(j, "secret_key");
    struct mock_shop *s = NULL;

    if (key && mock_secret_known(secret))
        s = mock_shop_get(MARKET, key, 1);
    cJSON_Delete(j);
    if (!s) {
        failure(rs, 401, "Shop key hoặc secret key không đúng", NULL, NULL);
        return;
    }
    mock_issue(s);
    char when[32];
    time_t t = (time_t)mock_access_expires(s);
    struct tm tm;
    (void)gmtime_r(&t, &tm);
    (void)strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    cJSON *res = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(res, "token", mock_access_token(s));
    (void)cJSON_AddStringToObject(res, "expires", when);
    envelope(rs, 200, res);
}

static struct mock_shop *caller(const struct mock_req *rq, struct mock_resp *rs)
{
    const char *h = rq->header(rq, "Authorization");
    enum mock_token_state st = MOCK_TOKEN_UNKNOWN;
    struct mock_shop *s = NULL;

    if (h && strncasecmp(h, "bearer ", 7) == 0)
        s = mock_shop_by_token(MARKET, h + 7, &st);
    if (s && st == MOCK_TOKEN_OK)
        return s;
    failure(rs, 401,
            st == MOCK_TOKEN_EXPIRED ? "Token expired" : "Unauthorized", NULL,
            NULL);
    return NULL;
}

static cJSON *product_json(const struct mock_item *it)
{
    cJSON *p = cJSON_CreateObject();
    (void)cJSON_AddNumberToObject(p, "id", (double)it->id);
    (void)cJSON_AddStringToObject(p, "sku", it->sku);
    (void)cJSON_AddStringToObject(p, "name", it->title);
    (void)cJSON_AddNumberToObject(p, "price", (double)it->price_vnd);
    (void)cJSON_AddNumberToObject(p, "stock_quantity", (double)it->stock);
    (void)cJSON_AddBoolToObject(p, "stock_availability",
                                strcmp(it->status, "NORMAL") == 0);
    return p;
}

static void get_product(const struct mock_req *rq, struct mock_shop *s,
                        struct mock_resp *rs)
{
    const char *sku = field(rq->query, "sku"), *id = field(rq->query, "id");
    struct mock_item *it = NULL;

    if (sku)
        it = mock_item_by_sku(s, sku);
    else if (id)
        it = mock_item_by_id(s, strtoll(id, NULL, 10));
    if (!it) {
        failure(rs, 404, "Không tìm thấy sản phẩm", NULL, NULL);
        return;
    }
    envelope(rs, 200, product_json(it));
}

static double num(const cJSON *j, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(j, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* bad_product: the first rule the product breaks, as Sendo states it. */
static const char *bad_product(const cJSON *j, const char **prop)
{
    const cJSON *avail = cJSON_GetObjectItem(j, "stock_availability");
    const char *avatar = field(cJSON_GetObjectItem(j, "avatar"), "picture_url");

#define RULE(cond, p, msg)                                                     \
    do {                                                                       \
        if (cond) {                                                            \
            *prop = p;                                                         \
            return msg;                                                        \
        }                                                                      \
    } while (0)
    RULE(!field(j, "name") || !field(j, "name")[0], "name",
         "Tên sản phẩm không được để trống");
    RULE(!field(j, "sku") || !field(j, "sku")[0], "sku", "SKU là bắt buộc");
    RULE(num(j, "price") <= 0, "price", "Giá phải lớn hơn 0");
    RULE(!cJSON_GetObjectItem(j, "cat_4_id"), "cat_4_id",
         "Ngành hàng là bắt buộc");
    RULE(num(j, "weight") <= 0, "weight", "Cân nặng phải lớn hơn 0");
    RULE(!avatar || strncmp(avatar, "http", 4) != 0, "avatar",
         "Ảnh đại diện là bắt buộc");
    RULE(cJSON_IsTrue(avail) && num(j, "stock_quantity") <= 0,
         "stock_availability",
         "stock_availability phải là false khi tồn kho bằng 0");
#undef RULE
    return NULL;
}

static void create_product(const cJSON *j, struct mock_shop *s,
                           struct mock_resp *rs)
{
    double stock = num(j, "stock_quantity");
    struct mock_item *it = mock_item_create(
        s, field(j, "sku"), field(j, "name"), (int64_t)num(j, "price"),
        stock > 0 ? (int64_t)stock : 0,
        cJSON_GetArraySize(cJSON_GetObjectItem(j, "pictures")));
    if (it && !cJSON_IsTrue(cJSON_GetObjectItem(j, "stock_availability")))
        snprintf(it->status, sizeof it->status, "UNLIST");
    if (!it) {
        failure(rs, 500, "out of memory", NULL, NULL);
        return;
    }
    envelope(rs, 200, cJSON_CreateNumber((double)it->id));
}

/* update_product: the whole product as sent: content, and the price,
 * stock and availability Sendo's product call carries with it. */
static void update_product(const cJSON *j, struct mock_item *it,
                           struct mock_resp *rs)
{
    double stock = num(j, "stock_quantity");

    snprintf(it->title, sizeof it->title, "%s", field(j, "name"));
    it->images = cJSON_GetArraySize(cJSON_GetObjectItem(j, "pictures"));
    it->price_vnd = (int64_t)num(j, "price");
    it->stock = stock > 0 ? (int64_t)stock : 0;
    snprintf(it->status, sizeof it->status, "%s",
             cJSON_IsTrue(cJSON_GetObjectItem(j, "stock_availability"))
                 ? "NORMAL"
                 : "UNLIST");
    it->updated_at = mock_now();
    envelope(rs, 200, cJSON_CreateNumber((double)it->id));
}

/* product: POST /api/partner/product, id 0 creates, id > 0 updates
 * (an unknown id is Sendo's 404); both are validated alike. */
static void product(const struct mock_req *rq, struct mock_shop *s,
                    struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    double id = num(j, "id");
    struct mock_item *it = id > 0 ? mock_item_by_id(s, (int64_t)id) : NULL;
    const char *prop = "body", *bad = NULL;
    int gone = 0;

    if (!cJSON_IsObject(j))
        bad = "Dữ liệu không hợp lệ";
    else if (id < 0)
        bad = "id is required (0 creates)";
    else if (id > 0 && !it)
        gone = 1;
    else
        bad = bad_product(j, &prop);
    if (gone)
        failure(rs, 404, "Không tìm thấy sản phẩm", NULL, NULL);
    else if (bad)
        failure(rs, 400, "Dữ liệu không hợp lệ", prop, bad);
    else if (it)
        update_product(j, it, rs);
    else
        create_product(j, s, rs);
    cJSON_Delete(j);
}

/* variant_price: every entry is checked before any is applied. */
static void variant_price(const struct mock_req *rq, struct mock_shop *s,
                          struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    const cJSON *v;

    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
        failure(rs, 400, "Dữ liệu không hợp lệ", "body", "want an array");
        cJSON_Delete(j);
        return;
    }
    cJSON_ArrayForEach(v, j)
    {
        const char *bad = NULL;
        if (!mock_item_by_id(s, (int64_t)num(v, "product_id")))
            bad = "Không tìm thấy sản phẩm";
        else if (num(v, "price") <= 0)
            bad = "Giá phải lớn hơn 0";
        else if (cJSON_IsTrue(cJSON_GetObjectItem(v, "stock_availability")) &&
                 num(v, "stock_quantity") <= 0)
            bad = "stock_availability phải là false khi tồn kho bằng 0";
        if (bad) {
            failure(rs, 400, "Dữ liệu không hợp lệ", "product_id", bad);
            cJSON_Delete(j);
            return;
        }
    }
    cJSON_ArrayForEach(v, j)
    {
        struct mock_item *it =
            mock_item_by_id(s, (int64_t)num(v, "product_id"));
        it->price_vnd = (int64_t)num(v, "price");
        if (num(v, "stock_quantity") >= 0)
            it->stock = (int64_t)num(v, "stock_quantity");
        snprintf(it->status, sizeof it->status, "%s",
                 cJSON_IsTrue(cJSON_GetObjectItem(v, "stock_availability"))
                     ? "NORMAL"
                     : "UNLIST");
        it->updated_at = mock_now();
    }
    cJSON_Delete(j);
    envelope(rs, 200, cJSON_CreateBool(1));
}

/* vn_day: "yyyy/MM/dd" as the Unix second its day starts, Vietnam time;
 * -1 when it is not one. */
static int64_t vn_day(const char *s)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%d/%d/%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - VN_OFFSET_S;
}

static cJSON *order_json(const struct mock_order *o)
{
    cJSON *j = cJSON_CreateObject(),
          *so = cJSON_AddObjectToObject(j, "sales_order");
    cJSON *details = cJSON_AddArrayToObject(j, "sku_details");
    cJSON *d = cJSON_CreateObject();

    (void)cJSON_AddStringToObject(so, "order_number", o->id);
    (void)cJSON_AddNumberToObject(so, "order_status", 2); /* New */
    (void)cJSON_AddNumberToObject(so, "order_date_time_stamp",
                                  (double)o->created_at);
    (void)cJSON_AddStringToObject(d, "sku", o->sku);
    (void)cJSON_AddNumberToObject(d, "product_variant_id", (double)o->item_id);
    (void)cJSON_AddNumberToObject(d, "quantity", (double)o->qty);
    (void)cJSON_AddNumberToObject(d, "price", (double)o->price_vnd);
    (void)cJSON_AddItemToArray(details, d);
    return j;
}

/* order_search: status dates are whole days, from..to inclusive, at
 * most MAX_DAYS apart; token is the offset of the next page. */
static void order_search(const struct mock_req *rq, struct mock_shop *s,
                         struct mock_resp *rs)
{
    cJSON *j = cJSON_ParseWithLength(rq->body, rq->body_len);
    int64_t from = vn_day(field(j, "order_status_date_from"));
    int64_t to = vn_day(field(j, "order_status_date_to"));
    double size = num(j, "page_size");
    const char *tok = field(j, "token");
    long off = tok && tok[0] ? strtol(tok, NULL, 10) : 0;
    int n = 0;

    cJSON_Delete(j);
    if (from < 0 || to < from || to - from > MAX_DAYS * 86400) {
        failure(rs, 400, "Dữ liệu không hợp lệ", "order_status_date_from",
                "Khoảng thời gian tối đa 3 ngày");
        return;
    }
    if (size < 1 || size > 100 || off < 0) {
        failure(rs, 400, "Dữ liệu không hợp lệ", "page_size", "1..100");
        return;
    }
    const struct mock_order *os = mock_orders(s, from, to + 86400, &n);
    cJSON *res = cJSON_CreateObject(),
          *data = cJSON_AddArrayToObject(res, "data");
    long end = off + (long)size;
    for (long i = off; i < n && i < end; i++)
        (void)cJSON_AddItemToArray(data, order_json(&os[i]));
    char next[32] = "";
    if (end < n)
        snprintf(next, sizeof next, "%ld", end);
    (void)cJSON_AddStringToObject(res, "next_token", next);
    envelope(rs, 200, res);
}

static void sendo_handle(const struct mock_req *rq, struct mock_resp *rs)
{
    const char *m = rq->method, *p = rq->path;

    if (strcmp(m, "POST") == 0 && strcmp(p, "/login") == 0) {
        login(rq, rs);
        return;
    }
    struct mock_shop *s = caller(rq, rs);
    if (!s)
        return;
    if (strcmp(p, "/api/partner/product") == 0 && strcmp(m, "GET") == 0)
        get_product(rq, s, rs);
    else if (strcmp(p, "/api/partner/product") == 0 && strcmp(m, "POST") == 0)
        product(rq, s, rs);
    else if (strcmp(p, "/api/partner/product/config/variant-price") == 0 &&
             strcmp(m, "PUT") == 0)
        variant_price(rq, s, rs);
    else if (strcmp(p, "/api/partner/salesorder/search") == 0 &&
             strcmp(m, "POST") == 0)
        order_search(rq, s, rs);
    else
        failure(rs, 404, "Not found", NULL, NULL);
}

const struct mock_market mock_sendo = {"sendo", sendo_handle};
