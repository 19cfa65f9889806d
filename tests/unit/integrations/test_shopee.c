/* test_shopee.c: the Shopee connector (integrations/shopee/shopee.c).
 * build(): method, host and path, the exact set of query names, the
 *   signature (recomputed with shopee_sign over the documented common
 *   parameters) and the body fields of every operation (UPDATE: content
 *   only, never price or stock).
 * parse(): tests/fixtures/integrations/shopee/parse.tsv maps answers in
 *   the shape of Shopee's envelopes to outcomes; the other tests read the
 *   fields each operation extracts. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "shopee/shopee.h"
#include "shopee/sign.h"
#include "integrations/mkt_test.h"
#include "testutil.h"

#define FIX "tests/fixtures/integrations/shopee/"
#define HOST "https://partner.shopeemobile.com"
#define NOW_MS 1700000000123LL
#define NOW_S 1700000000LL

static const char *const image_paths[] = {"/tmp/a.jpg", "/tmp/b.jpg",
                                          "/tmp/c.jpg"};
static const char *const image_ids[] = {"82becb48", "", "9c0ffee1"};

struct fx {
    struct arena a;
    struct mkt_shop shop;
    struct mkt_item item;
    struct mkt_call call;
    struct mkt_req req;
    struct mkt_reply reply;
    cJSON *attrs;
    cJSON *query; /* decoded query of req.url */
    cJSON *body;  /* parsed req.body */
    char path[256];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    arena_init(&f->a, 0);
    f->shop =
        (struct mkt_shop){.market = "shopee",
                          .api_base = HOST,
                          .auth_base = HOST,
                          .web_base = "https://shopee.vn",
                          .app_key = "2001887",
                          .app_secret = "shpk-test-partner-key",
                          .shop_ref = "14701711",
                          .access_token = "59777174636562737266615546704c6d",
                          .refresh_token = "4a5a4b6b4e6d5a6f",
                          .warehouse = ""};
    f->attrs = cJSON_Parse("{\"logistic_id\":\"50021\",\"100037\":\"Việt "
                           "Nam\",\"Xuất xứ\":\"Cà Mau\",\"200\":\"\"}");
    assert_non_null(f->attrs);
    f->item =
        (struct mkt_item){.seller_sku = "MO 500/đ",
                          .title = "Mật ong rừng U Minh 500 ml",
                          .description = "Mật \"nguyên chất\".\n\nHạ thổ.",
                          .category_id = "100629",
                          .attributes = f->attrs,
                          .brand = "HTX U Minh",
                          .price_vnd = 250000,
                          .stock = 12,
                          .weight_g = 700,
                          .n_images = 3,
                          .image_urls = image_paths,
                          .image_paths = image_paths,
                          .image_ids = image_ids,
                          .ext_item_id = "23456789012",
                          .ext_sku_id = ""};
    f->call = (struct mkt_call){
        .shop = &f->shop, .item = &f->item, .cursor = "", .now_ms = NOW_MS};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    cJSON_Delete(f->attrs);
    cJSON_Delete(f->query);
    cJSON_Delete(f->body);
    cJSON_Delete(f->reply.orders);
    arena_release(&f->a);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* pct_decode: RFC 3986 percent-decoding; mkt_urlenc emits upper hex. */
static void pct_decode(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k + 1 < size; i++) {
        if (s[i] == '%' && i + 2 < n + 1 && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            assert_true(s[i] != '+' && s[i] != ' ' && s[i] != '&');
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
}

/* split_url: host checked, path into f->path, query into f->query. */
static void split_url(struct fx *f, const char *host)
{
    const char *u = f->req.url, *q, *p;
    char name[64], value[1024];

    assert_non_null(u);
    assert_int_equal(strncmp(u, host, strlen(host)), 0);
    u += strlen(host);
    q = strchr(u, '?');
    assert_non_null(q);
    snprintf(f->path, sizeof f->path, "%.*s", (int)(q - u), u);
    f->query = cJSON_CreateObject();
    for (p = q + 1; *p;) {
        const char *eq = strchr(p, '='), *amp = strchr(p, '&');
        size_t end = amp ? (size_t)(amp - p) : strlen(p);
        assert_non_null(eq);
        assert_true((size_t)(eq - p) < end);
        pct_decode(p, (size_t)(eq - p), name, sizeof name);
        pct_decode(eq + 1, end - (size_t)(eq - p) - 1, value, sizeof value);
        assert_null(cJSON_GetObjectItemCaseSensitive(f->query, name));
        cJSON_AddStringToObject(f->query, name, value);
        p += end + (amp ? 1 : 0);
    }
}

static const char *q(const struct fx *f, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->query, name);

    if (!cJSON_IsString(v))
        fail_msg("query has no %s (url %s)", name, f->req.url);
    return v->valuestring;
}

/* query_names: the query has exactly these names (space-separated). */
static void query_names(const struct fx *f, const char *names)
{
    char buf[512], *save = NULL;
    int n = 0;

    snprintf(buf, sizeof buf, "%s", names);
    for (char *t = strtok_r(buf, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        (void)q(f, t);
        n++;
    }
    if (cJSON_GetArraySize(f->query) != n)
        fail_msg("query %s has other names than %s", f->req.url, names);
}

/* check_sign: sign = shopee_sign over partner_id + path + timestamp
 * [+ access_token + shop_id], from the shop, not from the URL. */
static void check_sign(const struct fx *f, const char *path, int shop_api)
{
    cJSON *p = cJSON_CreateObject();
    struct err_ctx ec = {0};
    struct sb want;

    cJSON_AddStringToObject(p, "partner_id", f->shop.app_key);
    cJSON_AddNumberToObject(p, "timestamp", (double)NOW_S);
    if (shop_api) {
        cJSON_AddStringToObject(p, "access_token", f->shop.access_token);
        cJSON_AddStringToObject(p, "shop_id", f->shop.shop_ref);
    }
    sb_init(&want, 0);
    assert_int_equal(shopee_sign(f->shop.app_secret, path, p, &want, &ec),
                     ERR_OK);
    assert_string_equal(q(f, "sign"), sb_str(&want));
    assert_string_equal(q(f, "partner_id"), "2001887");
    assert_string_equal(q(f, "timestamp"), "1700000000");
    if (shop_api) {
        assert_string_equal(q(f, "access_token"), f->shop.access_token);
        assert_string_equal(q(f, "shop_id"), "14701711");
    }
    sb_release(&want);
    cJSON_Delete(p);
}

static enum err build(struct fx *f, enum mkt_op op, struct err_ctx *ec)
{
    f->call.op = op;
    memset(&f->req, 0, sizeof f->req);
    return shopee_connector.build(&f->a, &f->call, &f->req, ec);
}

/* build_ok: build, then the URL and (for POST) the JSON body. */
static void build_ok(struct fx *f, enum mkt_op op, const char *method,
                     const char *path)
{
    struct err_ctx ec = {0};

    if (build(f, op, &ec) != ERR_OK)
        fail_msg("build %d: %s", op, ec.msg);
    assert_string_equal(f->req.method, method);
    split_url(f, HOST);
    assert_string_equal(f->path, path);
    if (strcmp(method, "GET") == 0 || f->req.file_path) {
        assert_null(f->req.body);
        return;
    }
    assert_non_null(f->req.body);
    assert_int_equal(f->req.body_len, strlen(f->req.body));
    f->body = cJSON_Parse(f->req.body);
    assert_non_null(f->body);
    assert_int_equal(f->req.n_headers, 1);
    assert_string_equal(f->req.headers[0], "Content-Type: application/json");
}

static const cJSON *at(const cJSON *o, const char *path)
{
    char buf[128], *save = NULL;

    snprintf(buf, sizeof buf, "%s", path);
    for (char *t = strtok_r(buf, ".", &save); t && o;
         t = strtok_r(NULL, ".", &save)) {
        if (t[0] >= '0' && t[0] <= '9')
            o = cJSON_GetArrayItem(o, (int)strtol(t, NULL, 10));
        else
            o = cJSON_GetObjectItemCaseSensitive(o, t);
    }
    if (o == NULL)
        fail_msg("no %s", path);
    return o;
}

static void num_at(const cJSON *o, const char *path, double want)
{
    const cJSON *v = at(o, path);

    if (!cJSON_IsNumber(v) || v->valuedouble != want)
        fail_msg("%s is not the number %.17g", path, want);
}

static void str_at(const cJSON *o, const char *path, const char *want)
{
    const cJSON *v = at(o, path);

    if (!cJSON_IsString(v))
        fail_msg("%s is not a string", path);
    assert_string_equal(v->valuestring, want);
}

/* parse_file: parse a fixture body (name "-" = empty) into f->reply. */
static void parse_file(struct fx *f, enum mkt_op op, long status,
                       const char *name)
{
    char path[512], body[16384];
    size_t n = 0;

    memset(&f->reply, 0, sizeof f->reply);
    if (strcmp(name, "-") != 0) {
        snprintf(path, sizeof path, FIX "%s", name);
        FILE *fp = tu_open(path);
        if (fp == NULL)
            fail_msg("no fixture %s", path);
        n = fread(body, 1, sizeof body - 1, fp);
        fclose(fp);
    }
    body[n] = '\0';
    f->call.op = op;
    shopee_connector.parse(&f->call, status, n ? body : NULL, n, &f->reply);
}

/* ---- build ---- */

static void connector(void **state)
{
    const struct mkt_connector *c = &shopee_connector;

    (void)state;
    assert_string_equal(c->name, "shopee");
    assert_string_equal(c->label, "Shopee");
    assert_string_equal(c->api_base, HOST);
    assert_string_equal(c->auth_base, HOST);
    assert_string_equal(c->web_base, "https://shopee.vn");
    assert_true(c->rate_per_shop == 10);
    for (int op = 0; op < MKT_OP_COUNT; op++)
        assert_int_equal(mkt_has_op(c, (enum mkt_op)op),
                         op != MKT_OP_SHOP_INFO);
}

static void token_code(void **state)
{
    struct fx *f = *state;

    f->call.code = "6e4f5b7c8d9a";
    build_ok(f, MKT_OP_TOKEN_CODE, "POST", "/api/v2/auth/token/get");
    query_names(f, "partner_id timestamp sign");
    check_sign(f, "/api/v2/auth/token/get", 0);
    str_at(f->body, "code", "6e4f5b7c8d9a");
    num_at(f->body, "shop_id", 14701711);
    num_at(f->body, "partner_id", 2001887);
    assert_int_equal(cJSON_GetArraySize(f->body), 3);
}

static void token_refresh(void **state)
{
    struct fx *f = *state;

    f->shop.auth_base = "https://auth.example";
    f->call.op = MKT_OP_TOKEN_REFRESH;
    assert_int_equal(build(f, MKT_OP_TOKEN_REFRESH, NULL), ERR_OK);
    assert_int_equal(strncmp(f->req.url, "https://auth.example/api/v2/", 27),
                     0);
    f->shop.auth_base = HOST;
    build_ok(f, MKT_OP_TOKEN_REFRESH, "POST", "/api/v2/auth/access_token/get");
    query_names(f, "partner_id timestamp sign");
    check_sign(f, "/api/v2/auth/access_token/get", 0);
    str_at(f->body, "refresh_token", "4a5a4b6b4e6d5a6f");
    num_at(f->body, "shop_id", 14701711);
    num_at(f->body, "partner_id", 2001887);
    assert_int_equal(cJSON_GetArraySize(f->body), 3);
}

/* a shop_ref that is not a number (the mock's shop names) is a string */
static void token_named_shop(void **state)
{
    struct fx *f = *state;

    f->shop.shop_ref = "demo-shopee";
    f->call.code = "mock-demo-shopee";
    build_ok(f, MKT_OP_TOKEN_CODE, "POST", "/api/v2/auth/token/get");
    str_at(f->body, "shop_id", "demo-shopee");
}

static void upload_image(void **state)
{
    struct fx *f = *state;

    f->call.image_index = 2;
    build_ok(f, MKT_OP_UPLOAD_IMAGE, "POST",
             "/api/v2/media_space/upload_image");
    query_names(f, "partner_id timestamp sign");
    check_sign(f, "/api/v2/media_space/upload_image", 0);
    assert_string_equal(f->req.file_path, "/tmp/c.jpg");
    assert_string_equal(f->req.file_field, "image");
    assert_string_equal(f->req.file_type, "image/jpeg");
    assert_int_equal(f->req.n_form, 1);
    assert_string_equal(f->req.form[0].name, "scene");
    assert_string_equal(f->req.form[0].value, "normal");
}

static void find(void **state)
{
    struct fx *f = *state;

    build_ok(f, MKT_OP_FIND, "GET", "/api/v2/product/search_item");
    query_names(f, "partner_id timestamp access_token shop_id sign item_sku "
                   "offset page_size");
    check_sign(f, "/api/v2/product/search_item", 1);
    assert_string_equal(q(f, "item_sku"), "MO 500/đ");
    assert_string_equal(q(f, "offset"), "0");
    assert_string_equal(q(f, "page_size"), "10");
    assert_non_null(strstr(f->req.url, "item_sku=MO%20500%2F%C4%91&"));
}

static void create(void **state)
{
    struct fx *f = *state;
    const cJSON *ids, *attrs;

    build_ok(f, MKT_OP_CREATE, "POST", "/api/v2/product/add_item");
    query_names(f, "partner_id timestamp access_token shop_id sign");
    check_sign(f, "/api/v2/product/add_item", 1);
    num_at(f->body, "original_price", 250000);
    str_at(f->body, "description", "Mật \"nguyên chất\".\n\nHạ thổ.");
    num_at(f->body, "weight", 0.7);
    str_at(f->body, "item_name", "Mật ong rừng U Minh 500 ml");
    num_at(f->body, "category_id", 100629);
    ids = at(f->body, "image.image_id_list");
    assert_int_equal(cJSON_GetArraySize(ids), 2); /* "" is skipped */
    str_at(ids, "0", "82becb48");
    str_at(ids, "1", "9c0ffee1");
    assert_int_equal(cJSON_GetArraySize(at(f->body, "logistic_info")), 1);
    num_at(f->body, "logistic_info.0.logistic_id", 50021);
    assert_true(cJSON_IsTrue(at(f->body, "logistic_info.0.enabled")));
    num_at(f->body, "seller_stock.0.stock", 12);
    str_at(f->body, "item_sku", "MO 500/đ");
    num_at(f->body, "brand.brand_id", 0);
    str_at(f->body, "brand.original_brand_name", "HTX U Minh");
    str_at(f->body, "item_status", "NORMAL");
    attrs = at(f->body, "attribute_list");
    assert_int_equal(cJSON_GetArraySize(attrs), 1); /* names and "" skipped */
    num_at(attrs, "0.attribute_id", 100037);
    num_at(attrs, "0.attribute_value_list.0.value_id", 0);
    str_at(attrs, "0.attribute_value_list.0.original_value_name", "Việt Nam");
}

static void create_without_mapping(void **state)
{
    struct fx *f = *state;

    f->item.attributes = NULL;
    build_ok(f, MKT_OP_CREATE, "POST", "/api/v2/product/add_item");
    assert_true(cJSON_IsArray(at(f->body, "logistic_info")));
    assert_int_equal(cJSON_GetArraySize(at(f->body, "logistic_info")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(f->body, "attribute_list"));
}

/* key_absent: no member named name anywhere in the JSON tree o. */
static void key_absent(const cJSON *o, const char *name)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, o)
    {
        if (v->string && strcmp(v->string, name) == 0)
            fail_msg("%s is in the body", name);
        key_absent(v, name);
    }
}

static void update(void **state)
{
    struct fx *f = *state;
    const cJSON *ids;

    f->item.image_ids =
        (const char *const[]){"82becb48", "a1b2c3d4", "9c0ffee1"};
    f->item.title = "Mật ong rừng U Minh 500 ml (mới)";
    build_ok(f, MKT_OP_UPDATE, "POST", "/api/v2/product/update_item");
    query_names(f, "partner_id timestamp access_token shop_id sign");
    check_sign(f, "/api/v2/product/update_item", 1);
    num_at(f->body, "item_id", 23456789012.0);
    assert_non_null(strstr(f->req.body, "\"item_id\":23456789012"));
    str_at(f->body, "item_name", "Mật ong rừng U Minh 500 ml (mới)");
    str_at(f->body, "description", "Mật \"nguyên chất\".\n\nHạ thổ.");
    num_at(f->body, "weight", 0.7);
    num_at(f->body, "category_id", 100629);
    str_at(f->body, "item_sku", "MO 500/đ");
    ids = at(f->body, "image.image_id_list");
    assert_int_equal(cJSON_GetArraySize(ids), 3); /* every image, in order */
    str_at(ids, "0", "82becb48");
    str_at(ids, "1", "a1b2c3d4");
    str_at(ids, "2", "9c0ffee1");
    num_at(f->body, "attribute_list.0.attribute_id", 100037);
    num_at(f->body, "logistic_info.0.logistic_id", 50021);
    /* content only: price, stock and the create-only fields stay out */
    key_absent(f->body, "original_price");
    key_absent(f->body, "price_list");
    key_absent(f->body, "seller_stock");
    key_absent(f->body, "stock_list");
    key_absent(f->body, "stock");
    key_absent(f->body, "item_status");
    assert_null(strstr(f->req.body, "250000"));
    assert_null(strstr(f->req.body, "price"));
    assert_null(strstr(f->req.body, "stock"));
}

/* without a mapping, update_item does not touch the item's channels */
static void update_without_mapping(void **state)
{
    struct fx *f = *state;

    f->item.image_ids = (const char *const[]){"82becb48", "a1", "9c0ffee1"};
    f->item.attributes = NULL;
    f->item.price_vnd = 0; /* not needed to update the content */
    build_ok(f, MKT_OP_UPDATE, "POST", "/api/v2/product/update_item");
    assert_null(cJSON_GetObjectItemCaseSensitive(f->body, "logistic_info"));
    assert_null(cJSON_GetObjectItemCaseSensitive(f->body, "attribute_list"));
    assert_int_equal(cJSON_GetArraySize(f->body), 7);
}

static void update_refusals(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};

    /* image 1 is not uploaded: sending the others would drop it */
    assert_int_equal(build(f, MKT_OP_UPDATE, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "image 1"));
    f->item.image_ids = (const char *const[]){"82becb48", "a1", "9c0ffee1"};
    f->item.ext_item_id = "";
    assert_int_equal(build(f, MKT_OP_UPDATE, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "item_id"));
    f->item.ext_item_id = "23456789012";
    f->item.title = "";
    assert_int_equal(build(f, MKT_OP_UPDATE, &ec), ERR_INVALID);
    f->item.title = "Mật ong";
    f->item.category_id = "x";
    assert_int_equal(build(f, MKT_OP_UPDATE, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "category_id"));
    f->item.category_id = "100629";
    f->item.weight_g = 0;
    assert_int_equal(build(f, MKT_OP_UPDATE, &ec), ERR_INVALID);
}

static void price(void **state)
{
    struct fx *f = *state;

    f->item.price_vnd = 199000;
    build_ok(f, MKT_OP_PRICE, "POST", "/api/v2/product/update_price");
    query_names(f, "partner_id timestamp access_token shop_id sign");
    check_sign(f, "/api/v2/product/update_price", 1);
    num_at(f->body, "item_id", 23456789012.0);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "price_list")), 1);
    num_at(f->body, "price_list.0.original_price", 199000);
    assert_non_null(strstr(f->req.body, "\"item_id\":23456789012"));
}

static void stock(void **state)
{
    struct fx *f = *state;

    f->item.stock = 0;
    build_ok(f, MKT_OP_STOCK, "POST", "/api/v2/product/update_stock");
    check_sign(f, "/api/v2/product/update_stock", 1);
    num_at(f->body, "item_id", 23456789012.0);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "stock_list")), 1);
    num_at(f->body, "stock_list.0.seller_stock.0.stock", 0);
}

static void unlist_relist(void **state)
{
    struct fx *f = *state;

    build_ok(f, MKT_OP_UNLIST, "POST", "/api/v2/product/unlist_item");
    check_sign(f, "/api/v2/product/unlist_item", 1);
    num_at(f->body, "item_list.0.item_id", 23456789012.0);
    assert_true(cJSON_IsTrue(at(f->body, "item_list.0.unlist")));
    cJSON_Delete(f->body);
    cJSON_Delete(f->query);
    build_ok(f, MKT_OP_RELIST, "POST", "/api/v2/product/unlist_item");
    assert_true(cJSON_IsFalse(at(f->body, "item_list.0.unlist")));
    assert_int_equal(cJSON_GetArraySize(at(f->body, "item_list")), 1);
}

static void orders_window(void **state)
{
    struct fx *f = *state;

    f->call.item = NULL;
    f->call.since = NOW_S - 40 * 86400;
    f->call.until = NOW_S;
    build_ok(f, MKT_OP_ORDERS, "GET", "/api/v2/order/get_order_list");
    query_names(f, "partner_id timestamp access_token shop_id sign "
                   "time_range_field time_from time_to page_size cursor");
    check_sign(f, "/api/v2/order/get_order_list", 1);
    assert_string_equal(q(f, "time_range_field"), "update_time");
    assert_string_equal(q(f, "time_from"), "1696544000");
    assert_string_equal(q(f, "time_to"), "1697840000"); /* + 15 days */
    assert_string_equal(q(f, "page_size"), "100");
    assert_string_equal(q(f, "cursor"), "");
    /* the last page of a clamped window points at the next window */
    parse_file(f, MKT_OP_ORDERS, 200, "orders_last.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.cursor, "1697840000:");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 1);
    str_at(f->reply.orders, "0.id", "220101ABCDEF03");
    assert_null(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(f->reply.orders, 0), "lines"));
}

static void orders_pages(void **state)
{
    struct fx *f = *state;

    f->call.item = NULL;
    f->call.since = NOW_S - 40 * 86400;
    f->call.until = NOW_S;
    f->call.cursor = "1697840000:";
    build_ok(f, MKT_OP_ORDERS, "GET", "/api/v2/order/get_order_list");
    assert_string_equal(q(f, "time_from"), "1697840000");
    assert_string_equal(q(f, "time_to"), "1699136000");
    parse_file(f, MKT_OP_ORDERS, 200, "orders_more.json");
    assert_string_equal(f->reply.cursor, "1697840000:100");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 2);
    str_at(f->reply.orders, "1.id", "220101ABCDEF02");
    cJSON_Delete(f->query);
    f->query = NULL;
    f->call.cursor = "1699136000:";
    build_ok(f, MKT_OP_ORDERS, "GET", "/api/v2/order/get_order_list");
    assert_string_equal(q(f, "time_from"), "1699136000");
    assert_string_equal(q(f, "time_to"), "1700000000"); /* until */
    cJSON_Delete(f->reply.orders);
    parse_file(f, MKT_OP_ORDERS, 200, "orders_last.json");
    assert_string_equal(f->reply.cursor, ""); /* done */
}

static void order_lines(void **state)
{
    struct fx *f = *state;

    f->call.item = NULL;
    f->call.order_ids = "220101ABCDEF01,220101ABCDEF02";
    build_ok(f, MKT_OP_ORDER_LINES, "GET", "/api/v2/order/get_order_detail");
    query_names(f, "partner_id timestamp access_token shop_id sign "
                   "order_sn_list response_optional_fields");
    check_sign(f, "/api/v2/order/get_order_detail", 1);
    assert_string_equal(q(f, "order_sn_list"), "220101ABCDEF01,220101ABCDEF02");
    assert_non_null(strstr(f->req.url, "ABCDEF01%2C220101"));
    assert_string_equal(q(f, "response_optional_fields"), "item_list");
}

static void build_refusals(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};

    f->item.category_id = "";
    assert_int_equal(build(f, MKT_OP_CREATE, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "category_id"));
    f->item.category_id = "100629";
    f->item.image_ids = (const char *const[]){"", "", ""};
    assert_int_equal(build(f, MKT_OP_CREATE, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "image"));
    f->item.weight_g = 0;
    assert_int_equal(build(f, MKT_OP_CREATE, &ec), ERR_INVALID);
    f->item.ext_item_id = "";
    assert_int_equal(build(f, MKT_OP_PRICE, &ec), ERR_INVALID);
    f->call.image_index = 3;
    assert_int_equal(build(f, MKT_OP_UPLOAD_IMAGE, &ec), ERR_INVALID);
    f->shop.access_token = "";
    assert_int_equal(build(f, MKT_OP_FIND, &ec), ERR_INVALID);
    f->call.code = "";
    assert_int_equal(build(f, MKT_OP_TOKEN_CODE, &ec), ERR_INVALID);
    assert_int_equal(build(f, MKT_OP_SHOP_INFO, &ec), ERR_NOTFOUND);
    f->shop.app_key = "not-a-number";
    f->call.code = "c";
    assert_int_equal(build(f, MKT_OP_TOKEN_CODE, &ec), ERR_INVALID);
}

/* ---- parse ---- */

/* c = name, op, status, file, outcome, code, message substring */
static void parse_table(void **state)
{
    struct fx *f = *state;
    FILE *t = tu_open(FIX "parse.tsv");
    char line[1024], *c[7];
    int rows = 0;

    assert_non_null(t);
    while (tu_next_row(t, line, sizeof line, c, 7) == 7) {
        parse_file(f, op_named(c[1]), strtol(c[2], NULL, 10), c[3]);
        if (f->reply.outcome != outcome_named(c[4]))
            fail_msg("%s: outcome %d, want %s (%s)", c[0], f->reply.outcome,
                     c[4], f->reply.message);
        if (strcmp(f->reply.code, strcmp(c[5], "-") ? c[5] : "") != 0)
            fail_msg("%s: code \"%s\", want %s", c[0], f->reply.code, c[5]);
        if (strcmp(c[6], "-") != 0 && !strstr(f->reply.message, c[6]))
            fail_msg("%s: message \"%s\" lacks \"%s\"", c[0], f->reply.message,
                     c[6]);
        if (f->reply.outcome != MKT_OK && f->reply.outcome != MKT_NOT_FOUND &&
            f->reply.message[0] == '\0')
            fail_msg("%s: no message", c[0]);
        cJSON_Delete(f->reply.orders);
        f->reply.orders = NULL;
        rows++;
    }
    fclose(t);
    assert_true(rows >= 35);
}

static void parse_token(void **state)
{
    struct fx *f = *state;

    parse_file(f, MKT_OP_TOKEN_CODE, 200, "token_ok.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.access_token,
                        "5a6f6e6b6a47414d4d4b4f6b4c4c6c51");
    assert_string_equal(f->reply.refresh_token,
                        "4a5a4b6b4e6d5a6f4b4e4d4a6b504c4d");
    assert_int_equal(f->reply.access_expires_at, NOW_S + 14400);
    assert_int_equal(f->reply.refresh_expires_at, NOW_S + 30 * 86400);
    assert_string_equal(f->reply.shop_ref, "14701711");
    assert_string_equal(f->reply.code, "");
}

static void parse_ids(void **state)
{
    struct fx *f = *state;

    parse_file(f, MKT_OP_UPLOAD_IMAGE, 200, "image_ok.json");
    assert_string_equal(f->reply.image_id, "82becb4830bd2ee90ad6acf8a9dc26d7");
    parse_file(f, MKT_OP_FIND, 200, "search_found.json");
    assert_string_equal(f->reply.ext_item_id, "23456789012");
    parse_file(f, MKT_OP_CREATE, 200, "add_item_ok.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.ext_item_id, "23456789012");
    assert_string_equal(f->reply.ext_sku_id, "");
}

static void parse_update(void **state)
{
    struct fx *f = *state;

    parse_file(f, MKT_OP_UPDATE, 200, "update_item_ok.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.code, "");
    assert_string_equal(f->reply.message, "");
    parse_file(f, MKT_OP_UPDATE, 200, "update_item_not_found.json");
    assert_int_equal(f->reply.outcome, MKT_NOT_FOUND);
    assert_string_equal(f->reply.code, "error_item_not_found");
    assert_string_equal(f->reply.message, "Item not found");
    parse_file(f, MKT_OP_UPDATE, 400, "update_item_invalid.json");
    assert_int_equal(f->reply.outcome, MKT_INVALID);
    assert_string_equal(f->reply.message,
                        "image.image_id_list has an image that was not "
                        "uploaded");
}

static const cJSON *line_of(const cJSON *orders, int o, int l)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetArrayItem(orders, o), "lines"),
                              l);
}

static void parse_order_lines(void **state)
{
    struct fx *f = *state;
    const cJSON *o;

    f->call.order_ids = "220101ABCDEF01,220101ABCDEF02,220101ABCDEF03";
    parse_file(f, MKT_OP_ORDER_LINES, 200, "order_detail.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    o = f->reply.orders;
    assert_int_equal(cJSON_GetArraySize(o), 3);
    str_at(o, "0.id", "220101ABCDEF01");
    str_at(o, "0.status", "READY_TO_SHIP");
    num_at(o, "0.created_at", 1700000000);
    assert_true(cJSON_IsFalse(at(o, "0.cancelled")));
    assert_int_equal(cJSON_GetArraySize(at(o, "0.lines")), 2);
    str_at(line_of(o, 0, 0), "seller_sku", "MO-500");
    num_at(line_of(o, 0, 0), "qty", 2);
    num_at(line_of(o, 0, 0), "price_vnd", 199000);      /* discounted */
    str_at(line_of(o, 0, 1), "seller_sku", "TRA-100G"); /* model_sku */
    num_at(line_of(o, 0, 1), "price_vnd", 120000);      /* no discount */
    assert_true(cJSON_IsTrue(at(o, "1.cancelled")));
    str_at(o, "2.status", "IN_CANCEL");
    assert_true(cJSON_IsFalse(at(o, "2.cancelled")));
    assert_int_equal(cJSON_GetArraySize(at(o, "2.lines")), 0);
}

/* ---- links ---- */

static void link(void **state)
{
    struct fx *f = *state;
    char buf[256];

    shopee_connector.link(&f->shop, "23456789012", buf, sizeof buf);
    assert_string_equal(buf, "https://shopee.vn/product/14701711/23456789012");
}

static void auth_url(void **state)
{
    struct fx *f = *state;
    char buf[1024];

    shopee_connector.auth_url(&f->shop, "https://ocop.example/cb?x=1", "n0nce",
                              NOW_MS, buf, sizeof buf);
    f->req.url = buf;
    split_url(f, HOST);
    assert_string_equal(f->path, "/api/v2/shop/auth_partner");
    query_names(f, "partner_id timestamp sign redirect");
    check_sign(f, "/api/v2/shop/auth_partner", 0);
    assert_string_equal(q(f, "redirect"),
                        "https://ocop.example/cb?x=1&state=n0nce");
    assert_non_null(strstr(buf, "redirect=https%3A%2F%2Focop.example%2Fcb%3F"));
    /* a state already in the redirect is left alone */
    cJSON_Delete(f->query);
    shopee_connector.auth_url(&f->shop, "https://ocop.example/cb?state=s1",
                              "s1", NOW_MS, buf, sizeof buf);
    split_url(f, HOST);
    assert_string_equal(q(f, "redirect"), "https://ocop.example/cb?state=s1");
    /* too small a buffer gives "", never a cut link */
    shopee_connector.auth_url(&f->shop, "https://ocop.example/cb", "s", NOW_MS,
                              buf, 40);
    assert_string_equal(buf, "");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(connector),
        T(token_code),
        T(token_refresh),
        T(token_named_shop),
        T(upload_image),
        T(find),
        T(create),
        T(create_without_mapping),
        T(update),
        T(update_without_mapping),
        T(update_refusals),
        T(price),
        T(stock),
        T(unlist_relist),
        T(orders_window),
        T(orders_pages),
        T(order_lines),
        T(build_refusals),
        T(parse_table),
        T(parse_token),
        T(parse_ids),
        T(parse_update),
        T(parse_order_lines),
        T(link),
        T(auth_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
