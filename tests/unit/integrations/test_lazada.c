/* test_lazada.c: the Lazada connector. build(): method, URL, params,
 * signature and payload of every operation; parse(): the answers under
 * tests/fixtures/integrations/lazada/ (shaped like the doc's samples),
 * parse.tsv for every error class, 429, 5xx and malformed bodies. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lazada/lazada.h"
#include "lazada/sign.h"
#include "integrations/mkt_test.h"
#include "testutil.h"

#define FIX "tests/fixtures/integrations/lazada/"
#define NOW_MS 1700000000123LL /* 2023-11-14T22:13:20Z */

static const char *const image_urls[] = {
    "https://ocop.example.vn/media/1.jpg?w=800&h=800",
    "https://ocop.example.vn/media/2.jpg"};
static const char *const image_paths[] = {"/tmp/1.jpg", "/tmp/2.jpg"};
static const char *const image_ids[] = {"https://vn-live-01.slatic.net/p/a.jpg",
                                        ""};

static const struct mkt_shop shop = {
    .market = "lazada",
    .api_base = "https://api.lazada.vn/rest",
    .auth_base = "https://auth.lazada.com/rest",
    .web_base = "https://www.lazada.vn",
    .app_key = "123456",
    .app_secret = "helloworld",
    .shop_ref = "100123456",
    .access_token = "tok-en",
    .refresh_token = "refresh-1",
    .warehouse = "",
};

/* fixture: the whole file, NUL-terminated; the caller frees it. */
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
        .category_id = "10000386",
        .brand = "HTX U Minh",
        .price_vnd = 180000,
        .stock = 7,
        .weight_g = 650,
        .n_images = 2,
        .image_urls = image_urls,
        .image_paths = image_paths,
        .image_ids = image_ids,
        .ext_item_id = "2396615999",
        .ext_sku_id = "16045499999",
    };
    if (attrs == NULL) /* one per process, freed at exit */
        attrs = cJSON_Parse("{\"brand\":\"No Brand\",\"package_length\":\"12\","
                            "\"origin\":\"Cà Mau\"}");
    it.attributes = attrs;
    return it;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

/* decode: "a=b&c=d" (URL-encoded) into an object of strings. */
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

/* built: build op, check the method and URL without query, and return
 * the params (query or form body) after checking the signature. */
static cJSON *built(const struct mkt_call *c, const char *method,
                    const char *url, const char *path)
{
    struct arena a;
    struct mkt_req r;
    struct err_ctx ec = {0};
    struct sb sig;
    cJSON *params;
    size_t n = strlen(url);

    arena_init(&a, 0);
    if (lazada_connector.build(&a, c, &r, &ec) != ERR_OK)
        fail_msg("build: %s", ec.msg);
    assert_string_equal(r.method, method);
    assert_int_equal(strncmp(r.url, url, n), 0);
    if (strcmp(method, "GET") == 0) {
        assert_int_equal(r.url[n], '?');
        assert_null(r.body);
        params = decode(r.url + n + 1);
    } else {
        assert_int_equal(r.url[n], '\0');
        assert_int_equal(r.body_len, strlen(r.body));
        assert_int_equal(r.n_headers, 1);
        assert_string_equal(r.headers[0],
                            "Content-Type: application/"
                            "x-www-form-urlencoded;charset=utf-8");
        params = decode(r.body);
    }
    assert_null(r.file_path);
    assert_string_equal(p(params, "app_key"), "123456");
    assert_string_equal(p(params, "timestamp"), "1700000000123");
    assert_string_equal(p(params, "sign_method"), "sha256");
    sb_init(&sig, 0);
    assert_int_equal(lazada_sign("helloworld", path, params, &sig, &ec),
                     ERR_OK);
    assert_string_equal(p(params, "sign"), sb_str(&sig));
    sb_release(&sig);
    arena_release(&a);
    return params;
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

static void json_equal(const char *got, const char *want_fixture)
{
    size_t len;
    char *want = fixture(want_fixture, &len);
    cJSON *g = cJSON_Parse(got), *w = cJSON_Parse(want);

    assert_non_null(g);
    assert_non_null(w);
    if (!cJSON_Compare(g, w, 1))
        fail_msg("got %s", got);
    cJSON_Delete(g);
    cJSON_Delete(w);
    free(want);
}

static void build_tokens(void **state)
{
    struct mkt_call c = call(MKT_OP_TOKEN_CODE, NULL);
    cJSON *q;

    (void)state;
    c.code = "0_123456_abc";
    q = built(&c, "POST", "https://auth.lazada.com/rest/auth/token/create",
              "/auth/token/create");
    assert_string_equal(p(q, "code"), "0_123456_abc");
    assert_null(cJSON_GetObjectItem(q, "access_token"));
    assert_int_equal(cJSON_GetArraySize(q), 5);
    cJSON_Delete(q);
    c = call(MKT_OP_TOKEN_REFRESH, NULL);
    q = built(&c, "POST", "https://auth.lazada.com/rest/auth/token/refresh",
              "/auth/token/refresh");
    assert_string_equal(p(q, "refresh_token"), "refresh-1");
    assert_null(cJSON_GetObjectItem(q, "access_token"));
    cJSON_Delete(q);
}

static void build_image_and_find(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_UPLOAD_IMAGE, &it);
    cJSON *q;

    (void)state;
    q = built(&c, "POST", "https://api.lazada.vn/rest/image/migrate",
              "/image/migrate");
    assert_string_equal(p(q, "access_token"), "tok-en");
    assert_string_equal(p(q, "payload"),
                        "<Request><Image><Url><![CDATA[https://ocop.example.vn/"
                        "media/1.jpg?w=800&h=800]]></Url></Image></Request>");
    cJSON_Delete(q);
    c = call(MKT_OP_FIND, &it);
    q = built(&c, "GET", "https://api.lazada.vn/rest/products/get",
              "/products/get");
    assert_string_equal(p(q, "filter"), "all");
    assert_string_equal(p(q, "sku_seller_list"), "[\"OCOP-0001-500\"]");
    assert_string_equal(p(q, "limit"), "1");
    assert_string_equal(p(q, "access_token"), "tok-en");
    cJSON_Delete(q);
}

static void build_create(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_CREATE, &it);
    cJSON *q;

    (void)state;
    q = built(&c, "POST", "https://api.lazada.vn/rest/product/create",
              "/product/create");
    json_equal(p(q, "payload"), "create_payload.json");
    cJSON_Delete(q);
}

static enum err try_build(const struct mkt_call *c, struct err_ctx *ec)
{
    struct arena a;
    struct mkt_req r;
    enum err e;

    arena_init(&a, 0);
    e = lazada_connector.build(&a, c, &r, ec);
    arena_release(&a);
    return e;
}

/* UPDATE: the create payload with ItemId and SkuId, every photo, and
 * neither price nor quantity (conn.h: never price or stock). */
static void build_update(void **state)
{
    static const char *const all_ids[] = {
        "https://vn-live-01.slatic.net/p/a.jpg",
        "https://vn-live-01.slatic.net/p/b.jpg"};
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_UPDATE, &it);
    struct err_ctx ec = {0};
    const char *payload;
    cJSON *q;

    (void)state;
    assert_true(mkt_has_op(&lazada_connector, MKT_OP_UPDATE));
    it.image_ids = all_ids;
    q = built(&c, "POST", "https://api.lazada.vn/rest/product/update",
              "/product/update");
    assert_string_equal(p(q, "access_token"), "tok-en");
    payload = p(q, "payload");
    json_equal(payload, "update_payload.json");
    assert_null(strstr(payload, "\"price\""));
    assert_null(strstr(payload, "\"quantity\""));
    assert_null(strstr(payload, "\"Price\""));
    assert_null(strstr(payload, "\"Quantity\""));
    cJSON_Delete(q);
    it.image_ids = image_ids; /* photo 2 not migrated: the gallery would
                               * lose it */
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "image 1"));
    it.image_ids = all_ids;
    it.ext_sku_id = "";
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
}

static void build_updates(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_PRICE, &it);
    const char *path = "/product/price_quantity/update";
    cJSON *q;

    (void)state;
    q = built(&c, "POST",
              "https://api.lazada.vn/rest/product/price_quantity/"
              "update",
              path);
    assert_string_equal(p(q, "payload"),
                        "{\"Request\":{\"Product\":{\"Skus\":{\"Sku\":[{"
                        "\"ItemId\":\"2396615999\",\"SkuId\":\"16045499999\","
                        "\"SellerSku\":\"OCOP-0001-500\",\"Price\":\"180000\"}"
                        "]}}}}");
    cJSON_Delete(q);
    c.op = MKT_OP_STOCK;
    q = built(&c, "POST",
              "https://api.lazada.vn/rest/product/price_quantity/"
              "update",
              path);
    assert_non_null(strstr(p(q, "payload"), "\"Quantity\":\"7\""));
    assert_null(strstr(p(q, "payload"), "Price"));
    cJSON_Delete(q);
    c.op = MKT_OP_UNLIST;
    q = built(&c, "POST", "https://api.lazada.vn/rest/product/deactivate",
              "/product/deactivate");
    assert_string_equal(p(q, "apiRequestBody"),
                        "{\"Request\":{\"Product\":{\"ItemId\":\"2396615999\""
                        "}}}");
    assert_null(cJSON_GetObjectItem(q, "payload"));
    cJSON_Delete(q);
}

static void build_orders(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDERS, NULL);
    cJSON *q;

    (void)state;
    c.since = 1699894800; /* 2023-11-14T00:00:00+07:00 */
    c.until = 1699981200;
    q = built(&c, "GET", "https://api.lazada.vn/rest/orders/get",
              "/orders/get");
    assert_string_equal(p(q, "update_after"), "2023-11-14T00:00:00+07:00");
    assert_string_equal(p(q, "update_before"), "2023-11-15T00:00:00+07:00");
    assert_string_equal(p(q, "limit"), "100");
    assert_string_equal(p(q, "offset"), "0");
    assert_string_equal(p(q, "sort_direction"), "ASC");
    cJSON_Delete(q);
    c.cursor = "200";
    q = built(&c, "GET", "https://api.lazada.vn/rest/orders/get",
              "/orders/get");
    assert_string_equal(p(q, "offset"), "200");
    cJSON_Delete(q);
    c = call(MKT_OP_ORDER_LINES, NULL);
    c.order_ids = "16090,16091";
    q = built(&c, "GET", "https://api.lazada.vn/rest/orders/items/get",
              "/orders/items/get");
    assert_string_equal(p(q, "order_ids"), "[16090,16091]");
    cJSON_Delete(q);
}

static void build_refuses(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_RELIST, &it);
    struct mkt_shop s = shop;
    struct err_ctx ec = {0};
    static const char *const none[] = {"", ""};

    (void)state;
    assert_false(mkt_has_op(&lazada_connector, MKT_OP_RELIST));
    assert_false(mkt_has_op(&lazada_connector, MKT_OP_SHOP_INFO));
    assert_true(mkt_has_op(&lazada_connector, MKT_OP_ORDER_LINES));
    assert_int_equal(try_build(&c, &ec), ERR_NOTFOUND);
    c.op = MKT_OP_CREATE;
    it.image_ids = none;
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "image"));
    it = test_item();
    it.ext_sku_id = "";
    c.op = MKT_OP_PRICE;
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    c = call(MKT_OP_ORDER_LINES, NULL);
    c.order_ids = "1,2); DROP";
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
    c = call(MKT_OP_TOKEN_CODE, NULL);
    assert_int_equal(try_build(&c, &ec), ERR_INVALID); /* no code */
    it = test_item();
    s.access_token = "";
    c = call(MKT_OP_FIND, &it);
    c.shop = &s;
    assert_int_equal(try_build(&c, &ec), ERR_INVALID);
}

static void parse_file(const struct mkt_call *c, long status, const char *name,
                       struct mkt_reply *out)
{
    size_t len = 0;
    char *body = strcmp(name, "-") == 0 ? NULL : fixture(name, &len);

    memset(out, 0, sizeof *out);
    lazada_connector.parse(c, status, body, len, out);
    free(body);
}

static void parse_tokens(void **state)
{
    struct mkt_call c = call(MKT_OP_TOKEN_CODE, NULL);
    struct mkt_reply r;

    (void)state;
    parse_file(&c, 200, "token_create.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.access_token, "50000601c30atpedfgu3LVvik87Ixlsvle3m"
                                        "SoB7701ceb156fPunYZ43GBg");
    assert_string_equal(r.refresh_token, "500016000300bwa2WteaQyfwBMnPxurcA0m"
                                         "XGhQdTt18356663CfcDTYpWoi");
    assert_int_equal(r.access_expires_at, 1700000000 + 604800);
    assert_int_equal(r.refresh_expires_at, 1700000000 + 2592000);
    assert_string_equal(r.shop_ref, "100123456");
}

static void parse_items(void **state)
{
    struct mkt_item it = test_item();
    struct mkt_call c = call(MKT_OP_UPLOAD_IMAGE, &it);
    struct mkt_reply r;

    (void)state;
    parse_file(&c, 200, "image_migrate.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.image_id, "https://vn-live-01.slatic.net/p/"
                                    "ef0b6f6b7ea2e7ab1d1d8b6aab0e8c6e.jpg");
    c.op = MKT_OP_FIND;
    parse_file(&c, 200, "products_get.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.ext_item_id, "2396615999");
    assert_string_equal(r.ext_sku_id, "16045499999"); /* the matching SKU */
    c.op = MKT_OP_CREATE;
    parse_file(&c, 200, "product_create.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.ext_item_id, "2396615999");
    assert_string_equal(r.ext_sku_id, "16045499999");
    c.op = MKT_OP_UPDATE;
    parse_file(&c, 200, "product_update.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    parse_file(&c, 200, "err_item_not_found.json", &r);
    assert_int_equal(r.outcome, MKT_NOT_FOUND);
    assert_string_equal(r.code, "4137");
    assert_non_null(strstr(r.message, "does not exist"));
}

static const cJSON *at(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void parse_orders(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDERS, NULL);
    struct mkt_reply r;
    const cJSON *o;

    (void)state;
    parse_file(&c, 200, "orders_get.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_int_equal(cJSON_GetArraySize(r.orders), 2);
    assert_string_equal(r.cursor, ""); /* 2 < limit: last page */
    o = cJSON_GetArrayItem(r.orders, 0);
    assert_string_equal(at(o, "id")->valuestring, "16090");
    assert_string_equal(at(o, "status")->valuestring, "pending");
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1699928100);
    assert_true(cJSON_IsFalse(at(o, "cancelled")));
    assert_null(at(o, "lines"));
    o = cJSON_GetArrayItem(r.orders, 1);
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1699923600);
    assert_true(cJSON_IsTrue(at(o, "cancelled")));
    cJSON_Delete(r.orders);
}

/* a full page (100) gives the next offset as the cursor */
static void parse_orders_paged(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDERS, NULL);
    struct mkt_reply r = {0};
    struct sb b;

    (void)state;
    sb_init(&b, 0);
    assert_int_equal(sb_adds(&b, "{\"code\":\"0\",\"data\":{\"orders\":["),
                     ERR_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sb_addf(&b,
                                 "%s{\"order_id\":%d,\"statuses\":"
                                 "[\"pending\"],\"created_at\":"
                                 "\"2023-11-14 09:15:00 +0700\"}",
                                 i ? "," : "", 1000 + i),
                         ERR_OK);
    assert_int_equal(sb_adds(&b, "]}}"), ERR_OK);
    c.cursor = "100";
    lazada_connector.parse(&c, 200, b.buf, b.len, &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_string_equal(r.cursor, "200");
    cJSON_Delete(r.orders);
    sb_release(&b);
}

static void parse_lines(void **state)
{
    struct mkt_call c = call(MKT_OP_ORDER_LINES, NULL);
    struct mkt_reply r;
    const cJSON *o, *l;

    (void)state;
    c.order_ids = "16090,16091";
    parse_file(&c, 200, "orders_items_get.json", &r);
    assert_int_equal(r.outcome, MKT_OK);
    assert_int_equal(cJSON_GetArraySize(r.orders), 2);
    o = cJSON_GetArrayItem(r.orders, 0);
    assert_string_equal(at(o, "id")->valuestring, "16090");
    assert_true(cJSON_IsFalse(at(o, "cancelled")));
    /* two unit rows of one SKU: one line, qty 2; the cancelled row out */
    assert_int_equal(cJSON_GetArraySize(at(o, "lines")), 1);
    l = cJSON_GetArrayItem(at(o, "lines"), 0);
    assert_string_equal(at(l, "seller_sku")->valuestring, "OCOP-0001-500");
    assert_int_equal((int)at(l, "qty")->valuedouble, 2);
    assert_int_equal((int64_t)at(l, "price_vnd")->valuedouble, 180000);
    o = cJSON_GetArrayItem(r.orders, 1);
    assert_true(cJSON_IsTrue(at(o, "cancelled")));
    l = cJSON_GetArrayItem(at(o, "lines"), 0);
    assert_string_equal(at(l, "seller_sku")->valuestring, "OCOP-0001-250");
    cJSON_Delete(r.orders);
}

/* parse_table: c = name, op, status, fixture, outcome, code, words. */
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
        if (strcmp(c[0], "limit") == 0)
            assert_int_equal(r.retry_after_ms, 1000);
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
    lazada_connector.link(&s, "2396615999", buf, sizeof buf);
    assert_string_equal(buf, "https://www.lazada.vn/products/i2396615999.html");
    lazada_connector.auth_url(&s, "https://ocop.vn/cb?x=1", "n0nce", NOW_MS,
                              buf, sizeof buf);
    assert_string_equal(buf, "https://auth.lazada.com/oauth/authorize?"
                             "response_type=code&force_auth=true&redirect_uri="
                             "https%3A%2F%2Focop.vn%2Fcb%3Fx%3D1&client_id="
                             "123456&state=n0nce");
    s.auth_base = "http://127.0.0.1:8099/lazada-auth";
    lazada_connector.auth_url(&s, "http://x/cb", "s", NOW_MS, buf, sizeof buf);
    assert_string_equal(buf, "http://127.0.0.1:8099/lazada-auth/oauth/"
                             "authorize?response_type=code&force_auth=true&"
                             "redirect_uri=http%3A%2F%2Fx%2Fcb&client_id="
                             "123456&state=s");
    lazada_connector.auth_url(&s, "http://x/cb", "s", NOW_MS, buf, 20);
    assert_string_equal(buf, ""); /* does not fit: nothing, not half */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_tokens),
        cmocka_unit_test(build_image_and_find),
        cmocka_unit_test(build_create),
        cmocka_unit_test(build_update),
        cmocka_unit_test(build_updates),
        cmocka_unit_test(build_orders),
        cmocka_unit_test(build_refuses),
        cmocka_unit_test(parse_tokens),
        cmocka_unit_test(parse_items),
        cmocka_unit_test(parse_orders),
        cmocka_unit_test(parse_orders_paged),
        cmocka_unit_test(parse_lines),
        cmocka_unit_test(parse_table),
        cmocka_unit_test(links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
