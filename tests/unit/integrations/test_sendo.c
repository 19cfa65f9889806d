/* test_sendo.c: the Sendo connector (integrations/sendo/sendo.c).
 * build(): method, URL, headers and body fields of every operation, and
 *   the calls it must refuse. parse(): tests/fixtures/integrations/sendo/
 *   parse.tsv maps answers in Sendo's envelope to outcomes; the other
 *   tests read the fields each operation extracts. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sendo/sendo.h"
#include "integrations/mkt_test.h"
#include "testutil.h"

#define FIX "tests/fixtures/integrations/sendo/"
#define API "https://open.sendo.vn"
#define NOW_MS 1700000000123LL

static const char *const urls[] = {"https://ocop.example/p/1.jpg",
                                   "https://ocop.example/p/2.jpg"};
static const char *const none[] = {"", ""};

struct fx {
    struct arena a;
    struct mkt_shop shop;
    struct mkt_item item;
    struct mkt_call call;
    struct mkt_req req;
    struct mkt_reply reply;
    cJSON *attrs;
    cJSON *body; /* parsed req.body */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    assert_non_null(f);
    arena_init(&f->a, 0);
    f->shop = (struct mkt_shop){.market = "sendo",
                                .api_base = API,
                                .auth_base = API,
                                .web_base = "https://www.sendo.vn",
                                .app_key = "shopkey-815",
                                .app_secret = "sendo-secret-key",
                                .shop_ref = "",
                                .access_token = "sendo-token-1",
                                .refresh_token = "",
                                .warehouse = ""};
    f->attrs = cJSON_Parse("{\"brand_id\":1234,\"unit_id\":2,\"name\":\"x\"}");
    assert_non_null(f->attrs);
    f->item =
        (struct mkt_item){.seller_sku = "OCOP-MO-500",
                          .title = "Mật ong rừng U Minh 500 ml",
                          .description = "Mật ong nguyên chất.\nChai 500 ml.",
                          .category_id = "2405",
                          .attributes = f->attrs,
                          .brand = "HTX Ong mật U Minh",
                          .price_vnd = 185000,
                          .stock = 12,
                          .weight_g = 750,
                          .n_images = 2,
                          .image_urls = urls,
                          .image_paths = none,
                          .image_ids = none,
                          .ext_item_id = "30725941",
                          .ext_sku_id = ""};
    f->call = (struct mkt_call){.shop = &f->shop,
                                .item = &f->item,
                                .code = "",
                                .cursor = "",
                                .order_ids = "",
                                .now_ms = NOW_MS};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    cJSON_Delete(f->body);
    cJSON_Delete(f->attrs);
    cJSON_Delete(f->reply.orders);
    arena_release(&f->a);
    free(f);
    return 0;
}

/* build: the call as op, which must succeed; the body parsed when JSON. */
static void build(struct fx *f, enum mkt_op op)
{
    struct err_ctx ec = {0};

    f->call.op = op;
    cJSON_Delete(f->body);
    f->body = NULL;
    if (sendo_connector.build(&f->a, &f->call, &f->req, &ec) != ERR_OK)
        fail_msg("build op %d: %s", op, ec.msg);
    if (f->req.body)
        f->body = cJSON_ParseWithLength(f->req.body, f->req.body_len);
}

static const char *header(const struct fx *f, const char *name)
{
    size_t n = strlen(name);

    for (int i = 0; i < f->req.n_headers; i++)
        if (strncmp(f->req.headers[i], name, n) == 0 &&
            strncmp(f->req.headers[i] + n, ": ", 2) == 0)
            return f->req.headers[i] + n + 2;
    return NULL;
}

/* at: the JSON value at a path of names and [index]es, "a.b[0].c". */
static const cJSON *at(const cJSON *j, const char *path)
{
    char name[64];

    while (j && *path) {
        size_t n = strcspn(path, ".[");
        if (n) {
            snprintf(name, sizeof name, "%.*s", (int)n, path);
            j = cJSON_GetObjectItemCaseSensitive(j, name);
        }
        path += n;
        if (*path == '[') {
            j = cJSON_GetArrayItem(j, (int)strtol(path + 1, NULL, 10));
            path = strchr(path, ']') + 1;
        }
        if (*path == '.')
            path++;
    }
    return j;
}

static void body_str(const struct fx *f, const char *path, const char *want)
{
    const char *got = cJSON_GetStringValue(at(f->body, path));
    if (!got || strcmp(got, want) != 0)
        fail_msg("body %s: \"%s\", want \"%s\"", path, got ? got : "(none)",
                 want);
}

static void body_num(const struct fx *f, const char *path, double want)
{
    const cJSON *v = at(f->body, path);
    if (!cJSON_IsNumber(v) || v->valuedouble != want)
        fail_msg("body %s: not the number %.0f", path, want);
}

static void body_bool(const struct fx *f, const char *path, int want)
{
    const cJSON *v = at(f->body, path);
    if (!cJSON_IsBool(v) || cJSON_IsTrue(v) != want)
        fail_msg("body %s: not %s", path, want ? "true" : "false");
}

static void login(void **state)
{
    struct fx *f = *state;

    for (int op = MKT_OP_TOKEN_CODE; op <= MKT_OP_TOKEN_REFRESH; op++) {
        build(f, (enum mkt_op)op);
        assert_string_equal(f->req.method, "POST");
        assert_string_equal(f->req.url, API "/login");
        assert_null(header(f, "Authorization"));
        assert_string_equal(header(f, "Content-Type"), "application/json");
        assert_string_equal(f->req.body,
                            "{\"shop_key\":\"shopkey-815\","
                            "\"secret_key\":\"sendo-secret-key\"}");
        assert_int_equal(f->req.body_len, strlen(f->req.body));
    }
}

static void find(void **state)
{
    struct fx *f = *state;

    f->item.seller_sku = "OCOP MO&1";
    build(f, MKT_OP_FIND);
    assert_string_equal(f->req.method, "GET");
    assert_string_equal(f->req.url,
                        API "/api/partner/product?sku=OCOP%20MO%261");
    assert_string_equal(header(f, "Authorization"), "bearer sendo-token-1");
    assert_null(f->req.body);
}

static void create(void **state)
{
    struct fx *f = *state;

    f->item.ext_item_id = "";
    build(f, MKT_OP_CREATE);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, API "/api/partner/product");
    assert_string_equal(header(f, "Authorization"), "bearer sendo-token-1");
    assert_non_null(f->body);
    body_num(f, "id", 0);
    body_str(f, "name", "Mật ong rừng U Minh 500 ml"); /* ours, not "x" */
    body_str(f, "sku", "OCOP-MO-500");
    body_num(f, "price", 185000);
    body_num(f, "stock_quantity", 12);
    body_bool(f, "stock_availability", 1);
    body_str(f, "description", "<p>Mật ong nguyên chất.<br>Chai 500 ml.</p>");
    body_num(f, "cat_4_id", 2405);
    body_num(f, "weight", 750);
    body_num(f, "brand_id", 1234);
    body_num(f, "unit_id", 2);
    body_str(f, "avatar.picture_url", urls[0]);
    body_str(f, "pictures[1].picture_url", urls[1]);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "pictures")), 2);
    f->item.stock = 0; /* Sendo: availability must be false at 0 */
    build(f, MKT_OP_CREATE);
    body_num(f, "stock_quantity", 0);
    body_bool(f, "stock_availability", 0);
}

static void refused(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};

    f->call.op = MKT_OP_CREATE;
    f->item.n_images = 0;
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "photo"));
    f->item.n_images = 2;
    f->item.weight_g = 0;
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->item.weight_g = 750;
    f->call.op = MKT_OP_PRICE; /* nothing to price before the create */
    f->item.ext_item_id = "";
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->item.ext_item_id = "30725941";
    f->shop.access_token = "";
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->call.op = MKT_OP_UPLOAD_IMAGE;
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_NOTFOUND);
    assert_false(mkt_has_op(&sendo_connector, MKT_OP_UPLOAD_IMAGE));
    assert_false(mkt_has_op(&sendo_connector, MKT_OP_ORDER_LINES));
    assert_true(mkt_has_op(&sendo_connector, MKT_OP_TOKEN_REFRESH));
}

/* variant_price: PRICE and STOCK send both values; UNLIST keeps the
 * stock and turns availability off; RELIST turns it back on. */
static void variant_price(void **state)
{
    struct fx *f = *state;
    const int ops[] = {MKT_OP_PRICE, MKT_OP_STOCK, MKT_OP_UNLIST,
                       MKT_OP_RELIST};
    const int avail[] = {1, 1, 0, 1};

    for (int i = 0; i < 4; i++) {
        build(f, (enum mkt_op)ops[i]);
        assert_string_equal(f->req.method, "PUT");
        assert_string_equal(f->req.url,
                            API "/api/partner/product/config/variant-price");
        assert_true(cJSON_IsArray(f->body));
        assert_int_equal(cJSON_GetArraySize(f->body), 1);
        body_num(f, "[0].product_id", 30725941);
        body_bool(f, "[0].is_config_variant", 0);
        body_num(f, "[0].price", 185000);
        body_num(f, "[0].stock_quantity", 12);
        body_bool(f, "[0].stock_availability", avail[i]);
    }
    f->item.stock = -2; /* oversold: 0, and so not available */
    build(f, MKT_OP_RELIST);
    body_num(f, "[0].stock_quantity", 0);
    body_bool(f, "[0].stock_availability", 0);
}

/* update: the create call with the listing's id; price and stock are
 * the item's current ones, availability follows stock. */
static void update(void **state)
{
    struct fx *f = *state;

    build(f, MKT_OP_UPDATE);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, API "/api/partner/product");
    assert_string_equal(header(f, "Authorization"), "bearer sendo-token-1");
    assert_string_equal(header(f, "Content-Type"), "application/json");
    assert_non_null(f->body);
    body_num(f, "id", 30725941);
    body_str(f, "name", "Mật ong rừng U Minh 500 ml");
    body_str(f, "sku", "OCOP-MO-500");
    body_num(f, "price", 185000);
    body_num(f, "stock_quantity", 12);
    body_bool(f, "stock_availability", 1);
    body_str(f, "description", "<p>Mật ong nguyên chất.<br>Chai 500 ml.</p>");
    body_num(f, "cat_4_id", 2405);
    body_num(f, "weight", 750);
    body_num(f, "brand_id", 1234);
    body_num(f, "unit_id", 2);
    body_str(f, "avatar.picture_url", urls[0]);
    body_str(f, "pictures[0].picture_url", urls[0]);
    body_str(f, "pictures[1].picture_url", urls[1]);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "pictures")), 2);
    f->item.stock = -2; /* oversold: 0, and so not available */
    build(f, MKT_OP_UPDATE);
    body_num(f, "stock_quantity", 0);
    body_bool(f, "stock_availability", 0);
    assert_true(mkt_has_op(&sendo_connector, MKT_OP_UPDATE));
}

static void update_refused(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};
    const char *const ids[] = {"", "0", "-4", "30725941x"};

    f->call.op = MKT_OP_UPDATE;
    for (int i = 0; i < 4; i++) { /* id 0 would create a second product */
        f->item.ext_item_id = ids[i];
        assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                         ERR_INVALID);
        assert_non_null(strstr(ec.msg, "no product id"));
    }
    f->item.ext_item_id = "30725941";
    f->item.n_images = 0;
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "photo"));
    f->item.n_images = 2;
    f->shop.access_token = "";
    assert_int_equal(sendo_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
}

static void orders(void **state)
{
    struct fx *f = *state;

    f->call.item = NULL;
    f->call.since = 1699920000; /* 2023-11-14 07:00 in Hà Nội */
    f->call.until = 1700006400; /* 2023-11-15 07:00 */
    build(f, MKT_OP_ORDERS);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, API "/api/partner/salesorder/search");
    body_num(f, "page_size", 50);
    body_str(f, "order_status_date_from", "2023/11/14");
    body_str(f, "order_status_date_to", "2023/11/15");
    body_str(f, "token", "");
    /* ten days: cut to the last three calendar days */
    f->call.since = 1700006400 - 10 * 86400;
    f->call.cursor = "eyJwYWdlIjoyfQ==";
    build(f, MKT_OP_ORDERS);
    body_str(f, "order_status_date_from", "2023/11/13");
    body_str(f, "order_status_date_to", "2023/11/15");
    body_str(f, "token", "eyJwYWdlIjoyfQ==");
}

static void links(void **state)
{
    struct fx *f = *state;
    char buf[512] = "x";

    sendo_connector.link(&f->shop, "30725941", buf, sizeof buf);
    assert_string_equal(buf, "https://www.sendo.vn/sp-30725941");
    sendo_connector.auth_url(&f->shop, "https://ocop.example/cb", "n0nce-123",
                             NOW_MS, buf, sizeof buf);
    assert_string_equal(buf, "");
    assert_string_equal(sendo_connector.name, "sendo");
    assert_true(sendo_connector.rate_per_shop == 5);
}

/* parse_file: parse() of the fixture file ("-": an empty body). */
static void parse_file(struct fx *f, enum mkt_op op, long status,
                       const char *file)
{
    char path[512], *body = NULL;
    size_t len = 0;

    cJSON_Delete(f->reply.orders);
    f->call.op = op;
    if (strcmp(file, "-") != 0) {
        snprintf(path, sizeof path, FIX "%s", file);
        FILE *in = tu_open(path);
        if (!in)
            fail_msg("no fixture %s", path);
        body = malloc(1 << 16);
        assert_non_null(body);
        len = fread(body, 1, 1 << 16, in);
        fclose(in);
    }
    sendo_connector.parse(&f->call, status, body, len, &f->reply);
    free(body);
}

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
        rows++;
    }
    fclose(t);
    assert_true(rows >= 47);
}

static void parse_fields(void **state)
{
    struct fx *f = *state;

    parse_file(f, MKT_OP_TOKEN_CODE, 200, "login_ok.json");
    assert_string_equal(f->reply.access_token, "eyJhbGciOiJIUzI1NiJ9.sendo");
    assert_string_equal(f->reply.refresh_token, "");
    assert_int_equal(f->reply.access_expires_at, 1700028800);
    assert_string_equal(f->reply.shop_ref, "shopkey-815");
    parse_file(f, MKT_OP_TOKEN_REFRESH, 200, "login_no_expiry.json");
    assert_int_equal(f->reply.access_expires_at, 1700000000 + 8 * 3600);
    parse_file(f, MKT_OP_FIND, 200, "product_found.json");
    assert_string_equal(f->reply.ext_item_id, "30725941");
    parse_file(f, MKT_OP_CREATE, 200, "create_ok.json");
    assert_string_equal(f->reply.ext_item_id, "30725941");
    parse_file(f, MKT_OP_CREATE, 200, "create_ok_object.json");
    assert_string_equal(f->reply.ext_item_id, "30725942");
    parse_file(f, MKT_OP_UPDATE, 200, "update_ok.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.ext_item_id, "");
}

static void parse_orders(void **state)
{
    struct fx *f = *state;
    const cJSON *o, *l;

    parse_file(f, MKT_OP_ORDERS, 200, "orders_more.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.cursor, "eyJwYWdlIjoyfQ==");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 2);
    o = cJSON_GetArrayItem(f->reply.orders, 0);
    assert_string_equal(cJSON_GetStringValue(at(o, "id")), "1123456789");
    assert_string_equal(cJSON_GetStringValue(at(o, "status")), "2");
    assert_true(cJSON_IsFalse(at(o, "cancelled")));
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1699929000);
    l = at(o, "lines[0]");
    assert_string_equal(cJSON_GetStringValue(at(l, "seller_sku")),
                        "OCOP-MO-500");
    assert_int_equal((int)at(l, "qty")->valuedouble, 2);
    assert_int_equal((int)at(l, "price_vnd")->valuedouble, 185000);
    o = cJSON_GetArrayItem(f->reply.orders, 1);
    assert_true(cJSON_IsTrue(at(o, "cancelled")));
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1699932600);
    assert_int_equal(cJSON_GetArraySize(at(o, "lines")),
                     1); /* no SKU: skipped */
    parse_file(f, MKT_OP_ORDERS, 200, "orders_last.json");
    assert_string_equal(f->reply.cursor, "");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(login),         T(find),        T(create),         T(refused),
        T(variant_price), T(update),      T(update_refused), T(orders),
        T(links),         T(parse_table), T(parse_fields),   T(parse_orders),
    };
#undef T
    return cmocka_run_group_tests_name("sendo", tests, NULL, NULL);
}
