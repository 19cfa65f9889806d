/* test_tiktok.c: the TikTok Shop connector. build(): method, URL, query,
 * headers, body and signature (over the very body bytes sent) of every
 * operation; parse(): the answers under
 * tests/fixtures/integrations/tiktok/ (shaped like the doc's samples),
 * parse.tsv for every error class, 429, 5xx and malformed bodies. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integrations/mkt_test.h"
#include "testutil.h"
#include "tiktok/sign.h"
#include "tiktok/tiktok.h"

#define FIX "tests/fixtures/integrations/tiktok/"
#define NOW_MS 1700000000123LL
#define API "https://open-api.tiktokglobalshop.com"

static const char *const image_urls[] = {"https://ocop.example.vn/m/1.jpg",
                                         "https://ocop.example.vn/m/2.jpg"};
static const char *const image_paths[] = {"/var/ocop/media/1.jpg",
                                          "/var/ocop/media/2.jpg"};
static const char *const image_ids[] = {"tos-maliva-i-o3syd03w52-us/a", ""};

static const struct mkt_shop shop = {
    .market = "tiktok",
    .api_base = API,
    .auth_base = "https://auth.tiktok-shops.com",
    .web_base = "https://shop.tiktok.com",
    .app_key = "6a1b2c3d4e5f6",
    .app_secret = "tt_secret",
    .shop_ref = "ROW_n2dLsQAAAADkRAAAbB2oQJ5h",
    .access_token = "ROW_Jb2vFg",
    .refresh_token = "ROW_Kc3wGh",
    .warehouse = "7068517275539719942",
};

static char *fixture(const char *name, size_t *len)
{
    char rel[512];
    FILE *f;
    char *buf = malloc(1 << 16);

    snprintf(rel, sizeof rel, FIX "%s", name);
    f = tu_open(rel);
    if (f == NULL)
        fail_msg("no fixture %s", rel);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static struct mkt_item test_item(void)
{
    static cJSON *attrs;
    struct mkt_item it = {
        .seller_sku = "OCOP-0001-500",
        .title = "Mật ong rừng U Minh 500 ml",
        .description =
            "Mật ong nguyên chất.\n\nThu hoạch <mùa khô> & đóng chai.",
        .category_id = "700645",
        .brand = "HTX U Minh",
        .price_vnd = 180000,
        .stock = 7,
        .weight_g = 650,
        .n_images = 2,
        .image_urls = image_urls,
        .image_paths = image_paths,
        .image_ids = image_ids,
        .ext_item_id = "1729592969712207008",
        .ext_sku_id = "1729592969712207012",
    };
    if (attrs == NULL) /* one per process, freed at exit */
        attrs = cJSON_Parse("{\"brand_id\":\"7082427311584347905\"}");
    it.attributes = attrs;
    return it;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

static cJSON *decode(const char *q)
{
    cJSON *o = cJSON_CreateObject();
    char *copy = strdup(q), *save = NULL;

    for (char *kv = strtok_r(copy, "&", &save); kv;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '='), *w;
        assert_non_null(eq);
        *eq = '\0';
        w = eq + 1;
        for (char *r = eq + 1; *r; r++) {
            if (*r == '%') {
                *w++ = (char)(hexval(r[1]) * 16 + hexval(r[2]));
                r += 2;
            } else {
                *w++ = *r;
            }
        }
        *w = '\0';
        assert_null(cJSON_GetObjectItemCaseSensitive(o, kv));
        cJSON_AddStringToObject(o, kv, eq + 1);
    }
    free(copy);
    return o;
}

static const char *p(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v))
        fail_msg("no param %s", name);
    return v->valuestring;
}

static struct mkt_call call(enum mkt_op op, const struct mkt_item *it)
{
    struct mkt_call c = {.op = op,
                         .shop = &shop,
                         .item = it,
                         .now_ms = NOW_MS,
                         .cursor = "",
                         .code = ""};
    return c;
}

/* A built request, its query decoded and its body kept. */
struct got {
    cJSON *q;
    char body[4096];
    struct mkt_req r;
};

/* built: build, check method and URL path, the common params, headers
 * and the signature over path + query + the body bytes. */
static void built(const struct mkt_call *c, const char *method,
                  const char *path, struct got *g)
{
    struct arena a;
    struct err_ctx ec = {0};
    struct sb sig;
    size_t n = strlen(API) + strlen(path);

    arena_init(&a, 0);
    if (tiktok_connector.build(&a, c, &g->r, &ec) != ERR_OK)
        fail_msg("build: %s", ec.msg);
    assert_string_equal(g->r.method, method);
    assert_int_equal(strncmp(g->r.url, API, strlen(API)), 0);
    assert_int_equal(strncmp(g->r.url + strlen(API), path, strlen(path)), 0);
    assert_int_equal(g->r.url[n], '?');
    g->q = decode(g->r.url + n + 1);
    assert_string_equal(p(g->q, "app_key"), "6a1b2c3d4e5f6");
    assert_string_equal(p(g->q, "timestamp"), "1700000000");
    assert_string_equal(g->r.headers[0], "x-tts-access-token: ROW_Jb2vFg");
    assert_null(cJSON_GetObjectItem(g->q, "access_token"));
    g->body[0] = '\0';
    if (g->r.body) {
        assert_true(g->r.body_len < sizeof g->body);
        memcpy(g->body, g->r.body, g->r.body_len);
        g->body[g->r.body_len] = '\0';
    }
    sb_init(&sig, 0);
    assert_int_equal(tiktok_sign("tt_secret", path, g->q, g->r.body,
                                 g->r.body_len, &sig, &ec),
                     ERR_OK);
    assert_string_equal(p(g->q, "sign"), sb_str(&sig));
    sb_release(&sig);
    arena_release(&a);
    g->r.url = NULL; /* arena memory, gone */
    g->r.body = NULL;
}

static void json_body(const struct got *g)
{
    assert_int_equal(g->r.n_headers, 2);
    assert_string_equal(g->r.headers[1], "Content-Type: application/json");
    assert_string_equal(p(g->q, "shop_cipher"), "ROW_n2dLsQAAAADkRAAAbB2oQJ5h");
}

static void build_tokens(void **state)
{
    struct mkt_call c = call(MKT_OP_TOKEN_CODE, NULL);
    struct arena a;
    struct mkt_req r;
    struct err_ctx ec = {0};

    (void)state;
    arena_init(&a, 0);
    c.code = "TTP_abc&1";
    assert_int_equal(tiktok_connector.build(&a, &c, &r, &ec), ERR_OK);
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.url, "https://auth.tiktok-shops.com/api/v2/token/"
                               "get?app_key=6a1b2c3d4e5f6&app_secret=tt_secret"
                               "&auth_code=TTP_abc%261&grant_type="
                               "authorized_code");
    assert_int_equal(r.n_headers, 0);
    c.op = MKT_OP_TOKEN_REFRESH;
    assert_int_equal(tiktok_connector.build(&a, &c, &r, &ec), ERR_OK);
    assert_string_equal(r.url, "https://auth.tiktok-shops.com/api/v2/token/"
                               "refresh?app_key=6a1b2c3d4e5f6&app_secret="
                               "tt_secret&refresh_token=ROW_Kc3wGh&grant_type="
                               "refresh_token");
    arena_release(&a);
}

static void build_shop_and_image(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_SHOP_INFO, NULL);
    struct got g;

    (void)state;
    built(&c, "GET", "/authorization/202309/shops", &g);
    assert_null(cJSON_GetObjectItem(g.q, "shop_cipher"));
    assert_int_equal(g.r.body_len, 0);
    cJSON_Delete(g.q);
    c = call(MKT_OP_UPLOAD_IMAGE, &it);
    c.image_index = 1;
    built(&c, "POST", "/product/202309/images/upload", &g);
    assert_int_equal(g.r.body_len, 0); /* multipart: body not signed */
    assert_string_equal(g.r.file_path, "/var/ocop/media/2.jpg");
    assert_string_equal(g.r.file_field, "data");
    assert_int_equal(g.r.n_form, 1);
    assert_string_equal(g.r.form[0].name, "use_case");
    assert_string_equal(g.r.form[0].value, "MAIN_IMAGE");
    assert_int_equal(g.r.n_headers, 1); /* curl sets the multipart type */
    cJSON_Delete(g.q);
}

static void build_find_create(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_FIND, &it);
    struct got g;
    size_t len;
    char *want;
    cJSON *got, *exp;

    (void)state;
    built(&c, "POST", "/product/202502/products/search", &g);
    json_body(&g);
    assert_string_equal(p(g.q, "page_size"), "1");
    assert_string_equal(g.body, "{\"seller_skus\":[\"OCOP-0001-500\"]}");
    cJSON_Delete(g.q);
    c.op = MKT_OP_CREATE;
    built(&c, "POST", "/product/202309/products", &g);
    json_body(&g);
    want = fixture("create_body.json", &len);
    got = cJSON_Parse(g.body);
    exp = cJSON_Parse(want);
    if (!cJSON_Compare(got, exp, 1))
        fail_msg("got %s", g.body);
    cJSON_Delete(got);
    cJSON_Delete(exp);
    free(want);
    cJSON_Delete(g.q);
}

static void build_updates(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_PRICE, &it);
    struct got g;

    (void)state;
    built(&c, "POST",
          "/product/202309/products/1729592969712207008/prices/update", &g);
    json_body(&g);
    assert_string_equal(g.body, "{\"skus\":[{\"id\":\"1729592969712207012\","
                                "\"price\":{\"amount\":\"180000\",\"currency\":"
                                "\"VND\"}}]}");
    cJSON_Delete(g.q);
    c.op = MKT_OP_STOCK;
    built(&c, "POST",
          "/product/202309/products/1729592969712207008/inventory/update", &g);
    assert_string_equal(g.body, "{\"skus\":[{\"id\":\"1729592969712207012\","
                                "\"inventory\":[{\"warehouse_id\":"
                                "\"7068517275539719942\",\"quantity\":7}]}]}");
    cJSON_Delete(g.q);
    c.op = MKT_OP_UNLIST;
    built(&c, "POST", "/product/202309/products/deactivate", &g);
    assert_string_equal(g.body, "{\"product_ids\":[\"1729592969712207008\"]}");
    cJSON_Delete(g.q);
    c.op = MKT_OP_RELIST;
    built(&c, "POST", "/product/202309/products/activate", &g);
    assert_string_equal(g.body, "{\"product_ids\":[\"1729592969712207008\"]}");
    cJSON_Delete(g.q);
}

static enum err try_build(const struct mkt_call *c, struct err_ctx *ec)
{
    struct arena a;
    struct mkt_req r;
    enum err e;

    arena_init(&a, 0);
    e = tiktok_connector.build(&a, c, &r, ec);
    arena_release(&a);
    return e;
}

/* UPDATE: Edit Product, PUT on the product, signed over the body; the
 * create content without idempotency key, the SKU by its id, and neither
 * price nor inventory (Edit Product keeps them when left out). */
static void build_update(void **state)
{
    static const char *const all_ids[] = {"tos-maliva-i-o3syd03w52-us/a",
                                          "tos-maliva-i-o3syd03w52-us/b"};
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_UPDATE, &it);
    struct err_ctx ec = {0};
    struct got g;
    size_t len;
    char *want;
    cJSON *got, *exp;

    (void)state;
    assert_true(mkt_has_op(&tiktok_connector, MKT_OP_UPDATE));
    it.image_ids = all_ids;
    built(&c, "PUT", "/product/202309/products/1729592969712207008", &g);
    json_body(&g);
    want = fixture("update_body.json", &len);
    got = cJSON_Parse(g.body);
    exp = cJSON_Parse(want);
    if (!cJSON_Compare(got, exp, 1))
        fail_msg("got %s", g.body);
    cJSON_Delete(got);
    cJSON_Delete(exp);
    free(want);
    assert_null(strstr(g.body, "\"price\""));
    assert_null(strstr(g.body, "\"inventory\""));
    assert_null(strstr(g.body, "idempotency_key"));
    cJSON_Delete(g.q);
    it.image_ids = image_ids; /* photo 2 not uploaded: edit would drop it */
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "image 1"));
    it.image_ids = all_ids;
    it.ext_sku_id = ""; /* an SKU without id would be a new SKU */
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    it = test_item();
    it.image_ids = all_ids;
    it.ext_item_id = "1/../../x";
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
}

static void build_orders(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDERS, NULL);
    struct got g;

    (void)state;
    c.since = 1699894800;
    c.until = 1699981200;
    built(&c, "POST", "/order/202309/orders/search", &g);
    json_body(&g);
    assert_string_equal(p(g.q, "page_size"), "100");
    assert_string_equal(p(g.q, "sort_field"), "update_time");
    assert_string_equal(p(g.q, "sort_order"), "ASC");
    assert_null(cJSON_GetObjectItem(g.q, "page_token")); /* never empty */
    assert_string_equal(g.body, "{\"update_time_ge\":1699894800,"
                                "\"update_time_lt\":1699981200}");
    cJSON_Delete(g.q);
    c.cursor = "aDU2dHBr+/=";
    built(&c, "POST", "/order/202309/orders/search", &g);
    assert_string_equal(p(g.q, "page_token"), "aDU2dHBr+/=");
    cJSON_Delete(g.q);
}

static void build_refuses(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_shop s = shop;
    struct mkt_call c = call(MKT_OP_ORDER_LINES, NULL);
    struct err_ctx ec = {0};

    (void)state;
    assert_false(mkt_has_op(&tiktok_connector, MKT_OP_ORDER_LINES));
    assert_true(mkt_has_op(&tiktok_connector, MKT_OP_RELIST));
    assert_int_equal(try_build(&c, &ec), ERR_NOTFOUND);
    c = call(MKT_OP_CREATE, &it);
    c.shop = &s;
    s.warehouse = "";
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "warehouse"));
    s = shop;
    s.shop_ref = "";
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "cipher"));
    s = shop;
    it.ext_item_id = "../../x";
    c.op = MKT_OP_PRICE;
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
}

static void parse_file(const struct mkt_call *c, long status, const char *name,
                       struct mkt_reply *out)
{
    size_t len = 0;
    char *body = strcmp(name, "-") == 0 ? NULL : fixture(name, &len);

    memset(out, 0, sizeof *out);
    tiktok_connector.parse(c, status, body, len, out);
    free(body);
}

static void parse_ok(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_TOKEN_CODE, NULL);
    struct mkt_reply r;

    (void)state;
    parse_file(&c, 200, "token_get.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.access_token, "ROW_Jb2vFgAAAAB0xN0RfJ2sQe3m");
    assert_string_equal(r.refresh_token, "ROW_Kc3wGhAAAAC1yO1SgK3tRf4n");
    assert_int_equal(r.access_expires_at, 1700604800); /* as is */
    assert_int_equal(r.refresh_expires_at, 4102444800LL);
    c.op = MKT_OP_SHOP_INFO;
    parse_file(&c, 200, "shops.json", &r);
    assert_string_equal(r.shop_ref, "ROW_n2dLsQAAAADkRAAAbB2oQJ5h");
    c = call(MKT_OP_UPLOAD_IMAGE, &it);
    parse_file(&c, 200, "image_upload.json", &r);
    assert_string_equal(r.image_id,
                        "tos-maliva-i-o3syd03w52-us/c668cdf70b7f483c94dbe");
    c.op = MKT_OP_FIND;
    parse_file(&c, 200, "products_search.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.ext_item_id, "1729592969712207008");
    assert_string_equal(r.ext_sku_id, "1729592969712207012");
    c.op = MKT_OP_CREATE;
    parse_file(&c, 200, "product_create.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.ext_item_id, "1729592969712207008");
    assert_string_equal(r.ext_sku_id, "1729592969712207012");
    c.op = MKT_OP_UPDATE;
    parse_file(&c, 200, "product_edit.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    parse_file(&c, 200, "err_not_exist.json", &r);
    assert_int_equal(r.outcome, MKT_NOT_FOUND);
    assert_string_equal(r.code, "12052032");
    assert_string_equal(r.message, "The product does not exist");
}

static const cJSON *at(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void parse_orders(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDERS, NULL);
    struct mkt_reply r;
    const cJSON *o, *l;

    (void)state;
    parse_file(&c, 200, "orders_search.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.cursor, "aDU2dHBrU2N0b2FPZ1VWRkZrT3hsdz09");
    assert_int_equal(cJSON_GetArraySize(r.orders), 2);
    o = cJSON_GetArrayItem(r.orders, 0);
    assert_string_equal(at(o, "id")->valuestring, "576461413038785752");
    assert_string_equal(at(o, "status")->valuestring, "AWAITING_SHIPMENT");
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1700000000);
    assert_true(cJSON_IsFalse(at(o, "cancelled")));
    assert_int_equal(cJSON_GetArraySize(at(o, "lines")), 2);
    l = cJSON_GetArrayItem(at(o, "lines"), 0);
    assert_string_equal(at(l, "seller_sku")->valuestring, "OCOP-0001-500");
    assert_int_equal((int)at(l, "qty")->valuedouble, 2);
    assert_int_equal((int64_t)at(l, "price_vnd")->valuedouble, 180000);
    l = cJSON_GetArrayItem(at(o, "lines"), 1);
    assert_int_equal((int)at(l, "qty")->valuedouble, 1);
    o = cJSON_GetArrayItem(r.orders, 1);
    assert_true(cJSON_IsTrue(at(o, "cancelled")));
    cJSON_Delete(r.orders);
}

static void parse_table(void **state)
{
    FILE *f = tu_open(FIX "parse.tsv");
    char line[1024], *c[7];
    struct mkt_item it = test_item();
    int rows = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof line, c, 7) == 7) {
        struct mkt_call cl = call(op_named(c[1]), &it);
        struct mkt_reply r;
        parse_file(&cl, strtol(c[2], NULL, 10), c[3], &r);
        if (r.outcome != outcome_named(c[4]))
            fail_msg("%s: outcome %d (%s)", c[0], r.outcome, r.message);
        if (strcmp(c[5], "-") != 0 && strcmp(r.code, c[5]) != 0)
            fail_msg("%s: code %s", c[0], r.code);
        if (strcmp(c[6], "-") != 0 && strstr(r.message, c[6]) == NULL)
            fail_msg("%s: message \"%s\"", c[0], r.message);
        cJSON_Delete(r.orders);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 20);
}

static void links(void **state)
{
    char buf[512];
    struct mkt_shop s = shop;

    (void)state;
    tiktok_connector.link(&s, "1729592969712207008", buf, sizeof buf);
    assert_string_equal(
        buf, "https://shop.tiktok.com/view/product/1729592969712207008");
    tiktok_connector.auth_url(&s, "https://ocop.vn/cb", "n0 nce", NOW_MS, buf,
                              sizeof buf);
    assert_string_equal(buf, "https://services.tiktokshop.com/open/authorize?"
                             "service_id=6a1b2c3d4e5f6&state=n0%20nce");
    s.auth_base = "http://127.0.0.1:8099/tiktok-auth";
    tiktok_connector.auth_url(&s, "http://x/cb", "s", NOW_MS, buf, sizeof buf);
    assert_string_equal(buf, "http://127.0.0.1:8099/tiktok-auth/open/authorize"
                             "?service_id=6a1b2c3d4e5f6&state=s&redirect_uri="
                             "http%3A%2F%2Fx%2Fcb");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_tokens),
        cmocka_unit_test(build_shop_and_image),
        cmocka_unit_test(build_find_create),
        cmocka_unit_test(build_updates),
        cmocka_unit_test(build_update),
        cmocka_unit_test(build_orders),
        cmocka_unit_test(build_refuses),
        cmocka_unit_test(parse_ok),
        cmocka_unit_test(parse_orders),
        cmocka_unit_test(parse_table),
        cmocka_unit_test(links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
