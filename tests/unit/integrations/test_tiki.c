/* test_tiki.c: the Tiki connector (integrations/tiki/tiki.c).
 * build(): method, URL, headers and body fields of every operation, and
 *   the calls it must refuse. parse(): tests/fixtures/integrations/tiki/
 *   parse.tsv maps answers in the shape of Tiki's to outcomes; the other
 *   tests read the fields each operation extracts. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integrations/mkt_test.h"
#include "testutil.h"
#include "tiki/tiki.h"

#define FIX "tests/fixtures/integrations/tiki/"
#define API "https://api.tiki.vn/integration"
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
    f->shop = (struct mkt_shop){.market = "tiki",
                                .api_base = API,
                                .auth_base = "https://api.tiki.vn",
                                .web_base = "https://tiki.vn",
                                .app_key = "6249716820922226",
                                .app_secret = "tiki-client-secret",
                                .shop_ref = "145228",
                                .access_token = "tiki-access-1",
                                .refresh_token = "tiki-refresh/1",
                                .warehouse = "387453,159368"};
    f->attrs =
        cJSON_Parse("{\"origin\":\"Việt Nam\",\"brand\":\"HTX U Minh\"}");
    assert_non_null(f->attrs);
    f->item = (struct mkt_item){
        .seller_sku = "OCOP-MO 500",
        .title = "Mật ong rừng U Minh 500 ml",
        .description = "Mật ong <nguyên chất>.\n\nThu hoạch & lọc thủ công.",
        .category_id = "8322",
        .attributes = f->attrs,
        .brand = "HTX Ong mật U Minh",
        .price_vnd = 185000,
        .stock = 12,
        .weight_g = 750,
        .n_images = 2,
        .image_urls = urls,
        .image_paths = none,
        .image_ids = none,
        .ext_item_id = "",
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
    if (tiki_connector.build(&f->a, &f->call, &f->req, &ec) != ERR_OK)
        fail_msg("build op %d: %s", op, ec.msg);
    if (f->req.body && f->req.body[0] == '{')
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

static void token_code(void **state)
{
    struct fx *f = *state;

    f->call.code = "c/1 2";
    build(f, MKT_OP_TOKEN_CODE);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, "https://api.tiki.vn/sc/oauth2/token");
    /* base64("6249716820922226:tiki-client-secret") */
    assert_string_equal(
        header(f, "Authorization"),
        "Basic NjI0OTcxNjgyMDkyMjIyNjp0aWtpLWNsaWVudC1zZWNyZXQ=");
    assert_string_equal(header(f, "Content-Type"),
                        "application/x-www-form-urlencoded");
    assert_string_equal(f->req.body,
                        "grant_type=authorization_code&code=c%2F1%202");
    assert_int_equal(f->req.body_len, strlen(f->req.body));
    assert_null(f->req.file_path);
}

static void token_other_grants(void **state)
{
    struct fx *f = *state;

    build(f, MKT_OP_TOKEN_CODE); /* no code: an in-house app */
    assert_string_equal(f->req.body, "grant_type=client_credentials");
    build(f, MKT_OP_TOKEN_REFRESH);
    assert_string_equal(f->req.url, "https://api.tiki.vn/sc/oauth2/token");
    assert_string_equal(
        f->req.body, "grant_type=refresh_token&refresh_token=tiki-refresh%2F1");
    assert_non_null(header(f, "Authorization"));
    assert_int_equal(strncmp(header(f, "Authorization"), "Basic ", 6), 0);
}

static void find(void **state)
{
    struct fx *f = *state;

    build(f, MKT_OP_FIND);
    assert_string_equal(f->req.method, "GET");
    assert_string_equal(f->req.url,
                        API "/v2/products?original_sku=OCOP-MO%20500"
                            "&page=1&limit=1");
    assert_string_equal(header(f, "Authorization"), "Bearer tiki-access-1");
    assert_null(f->req.body);
}

static void create(void **state)
{
    struct fx *f = *state;

    build(f, MKT_OP_CREATE);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, API "/v2.1/requests");
    assert_string_equal(header(f, "Authorization"), "Bearer tiki-access-1");
    assert_string_equal(header(f, "Content-Type"), "application/json");
    assert_non_null(f->body);
    body_num(f, "category_id", 8322);
    body_str(f, "name", "Mật ong rừng U Minh 500 ml");
    body_str(f, "description",
             "<p>Mật ong &lt;nguyên chất&gt;.</p><p>Thu "
             "hoạch &amp; lọc thủ công.</p>");
    body_str(f, "image", urls[0]);
    body_str(f, "images[0]", urls[1]);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "images")), 1);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "option_attributes")), 0);
    /* the mapping's brand wins over the producer's name */
    body_str(f, "attributes.brand", "HTX U Minh");
    body_str(f, "attributes.origin", "Việt Nam");
    body_num(f, "attributes.product_weight_kg", 0.75);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "variants")), 1);
    body_str(f, "variants[0].sku", "OCOP-MO 500");
    body_num(f, "variants[0].price", 185000);
    body_str(f, "variants[0].inventory_type", "dropship");
    body_str(f, "variants[0].seller_warehouse", "387453,159368");
    body_num(f, "variants[0].warehouse_quantities[0].warehouse_id", 387453);
    body_num(f, "variants[0].warehouse_quantities[0].qty_available", 12);
    assert_true(cJSON_IsTrue(at(f->body, "meta_data.is_auto_turn_on")));
}

static void create_refused(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};

    f->call.op = MKT_OP_CREATE;
    f->shop.warehouse = "";
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "warehouse"));
    f->shop.warehouse = "387453";
    f->item.n_images = 0;
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "photo"));
    f->item.n_images = 2;
    f->item.category_id = "";
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->item.category_id = "8322";
    f->shop.access_token = "";
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->call.op = MKT_OP_UPLOAD_IMAGE; /* images are public URLs on Tiki */
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_NOTFOUND);
    assert_false(mkt_has_op(&tiki_connector, MKT_OP_UPLOAD_IMAGE));
    assert_false(mkt_has_op(&tiki_connector, MKT_OP_SHOP_INFO));
    assert_true(mkt_has_op(&tiki_connector, MKT_OP_ORDERS));
}

static void updates(void **state)
{
    struct fx *f = *state;

    f->item.stock = -3; /* oversold: Tiki takes 0 */
    build(f, MKT_OP_PRICE);
    assert_string_equal(f->req.method, "PUT");
    assert_string_equal(f->req.url, API "/v2/products/updateSku");
    body_str(f, "original_sku", "OCOP-MO 500");
    body_num(f, "price", 185000);
    assert_int_equal(cJSON_GetArraySize(f->body), 2);
    build(f, MKT_OP_STOCK);
    body_str(f, "seller_warehouse", "387453,159368");
    body_num(f, "warehouse_quantities[0].warehouse_id", 387453);
    body_num(f, "warehouse_quantities[0].qty_available", 0);
    assert_null(at(f->body, "price"));
    build(f, MKT_OP_UNLIST);
    body_num(f, "active", 0);
    assert_int_equal(cJSON_GetArraySize(f->body), 2);
    build(f, MKT_OP_RELIST);
    body_num(f, "active", 1);
}

/* update: the content of the create request, for the product Tiki
 * knows, without variants: never price or stock. */
static void update(void **state)
{
    struct fx *f = *state;

    f->item.ext_item_id = "271783212";
    f->shop.warehouse = ""; /* not needed: no stock goes with it */
    build(f, MKT_OP_UPDATE);
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(f->req.url, API "/v2.1/requests/updateProductInfo");
    assert_string_equal(header(f, "Authorization"), "Bearer tiki-access-1");
    assert_string_equal(header(f, "Content-Type"), "application/json");
    assert_non_null(f->body);
    body_num(f, "product_id", 271783212);
    assert_null(at(f->body, "original_sku"));
    body_num(f, "category_id", 8322);
    body_str(f, "name", "Mật ong rừng U Minh 500 ml");
    body_str(f, "description",
             "<p>Mật ong &lt;nguyên chất&gt;.</p><p>Thu "
             "hoạch &amp; lọc thủ công.</p>");
    body_str(f, "image", urls[0]);
    body_str(f, "images[0]", urls[1]);
    assert_int_equal(cJSON_GetArraySize(at(f->body, "images")), 1);
    body_str(f, "attributes.brand", "HTX U Minh");
    body_str(f, "attributes.origin", "Việt Nam");
    body_num(f, "attributes.product_weight_kg", 0.75);
    assert_null(at(f->body, "variants"));
    assert_null(at(f->body, "price"));
    assert_null(at(f->body, "market_price"));
    assert_null(at(f->body, "meta_data"));
    assert_null(at(f->body, "option_attributes"));
    /* created by us: ext_item_id is the request's track id */
    f->item.ext_item_id = "db57745eb036422e92d14d656fa3187c";
    build(f, MKT_OP_UPDATE);
    body_str(f, "original_sku", "OCOP-MO 500");
    assert_null(at(f->body, "product_id"));
    assert_true(mkt_has_op(&tiki_connector, MKT_OP_UPDATE));
}

static void update_refused(void **state)
{
    struct fx *f = *state;
    struct err_ctx ec = {0};

    f->call.op = MKT_OP_UPDATE;
    f->item.n_images = 0;
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "photo"));
    f->item.n_images = 2;
    f->item.category_id = "";
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    assert_non_null(strstr(ec.msg, "category"));
    f->item.category_id = "8322";
    f->shop.access_token = "";
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
    f->shop.access_token = "tiki-access-1";
    f->call.item = NULL;
    assert_int_equal(tiki_connector.build(&f->a, &f->call, &f->req, &ec),
                     ERR_INVALID);
}

static void orders(void **state)
{
    struct fx *f = *state;

    f->call.item = NULL;
    f->call.since = 1699920000; /* 2023-11-14 00:00 UTC = 07:00 in Hà Nội */
    f->call.until = 1700006400;
    build(f, MKT_OP_ORDERS);
    assert_string_equal(f->req.method, "GET");
    assert_string_equal(f->req.url,
                        API "/v2/orders?page=1&limit=50"
                            "&updated_from_date=2023-11-14%2007%3A00%3A00"
                            "&updated_to_date=2023-11-15%2007%3A00%3A00");
    f->call.cursor = "3";
    build(f, MKT_OP_ORDERS);
    assert_non_null(strstr(f->req.url, "?page=3&limit=50&"));
}

static void links(void **state)
{
    struct fx *f = *state;
    char buf[512];

    tiki_connector.link(&f->shop, "271783212", buf, sizeof buf);
    assert_string_equal(buf, "https://tiki.vn/p271783212.html");
    tiki_connector.link(&f->shop, "db57745eb036422e92d14d656fa3187c", buf,
                        sizeof buf);
    assert_string_equal(buf, "https://sellercenter.tiki.vn/");
    tiki_connector.auth_url(&f->shop, "https://ocop.example/sync/cb?x=1",
                            "n0nce-123", NOW_MS, buf, sizeof buf);
    assert_string_equal(buf, "https://api.tiki.vn/sc/oauth2/auth?"
                             "response_type=code&client_id=6249716820922226"
                             "&redirect_uri=https%3A%2F%2Focop.example%2Fsync"
                             "%2Fcb%3Fx%3D1&scope=offline%20product%20order"
                             "%20inventory&state=n0nce-123");
    tiki_connector.auth_url(&f->shop, "https://x/cb", "short", NOW_MS, buf,
                            sizeof buf);
    assert_string_equal(buf, "");
    assert_string_equal(tiki_connector.name, "tiki");
    assert_true(tiki_connector.rate_per_shop == 100);
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
    tiki_connector.parse(&f->call, status, body, len, &f->reply);
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
    assert_true(rows >= 46);
}

static void parse_fields(void **state)
{
    struct fx *f = *state;

    parse_file(f, MKT_OP_TOKEN_CODE, 200, "token_ok.json");
    assert_string_equal(f->reply.access_token,
                        "eyJhbGciOiJSUzI1NiJ9.tiki-access");
    assert_string_equal(f->reply.refresh_token, "tiki-refresh-3a9f");
    assert_int_equal(f->reply.access_expires_at, 1700000000 + 14399);
    parse_file(f, MKT_OP_TOKEN_CODE, 200, "token_client_credentials.json");
    assert_string_equal(f->reply.refresh_token, "");
    parse_file(f, MKT_OP_FIND, 200, "find_found.json");
    assert_string_equal(f->reply.ext_item_id, "271783212");
    assert_string_equal(f->reply.ext_sku_id, "5836271942176");
    parse_file(f, MKT_OP_CREATE, 200, "create_ok.json");
    assert_string_equal(f->reply.ext_item_id,
                        "db57745eb036422e92d14d656fa3187c");
    /* the change's track id is not the listing's id */
    parse_file(f, MKT_OP_UPDATE, 200, "update_info_ok.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.ext_item_id, "");
}

static void parse_orders(void **state)
{
    struct fx *f = *state;
    const cJSON *o, *l;

    parse_file(f, MKT_OP_ORDERS, 200, "orders_more.json");
    assert_int_equal(f->reply.outcome, MKT_OK);
    assert_string_equal(f->reply.cursor, "2");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 2);
    o = cJSON_GetArrayItem(f->reply.orders, 0);
    assert_string_equal(cJSON_GetStringValue(at(o, "id")), "583518503");
    assert_string_equal(cJSON_GetStringValue(at(o, "status")), "queueing");
    assert_true(cJSON_IsFalse(at(o, "cancelled")));
    /* 2023-11-14 09:30:00 in Hà Nội */
    assert_int_equal((int64_t)at(o, "created_at")->valuedouble, 1699929000);
    /* the gift without a seller code is not one of ours */
    assert_int_equal(cJSON_GetArraySize(at(o, "lines")), 1);
    l = at(o, "lines[0]");
    assert_string_equal(cJSON_GetStringValue(at(l, "seller_sku")),
                        "OCOP-MO-500");
    assert_int_equal((int)at(l, "qty")->valuedouble, 2);
    assert_int_equal((int)at(l, "price_vnd")->valuedouble, 185000);
    o = cJSON_GetArrayItem(f->reply.orders, 1);
    assert_true(cJSON_IsTrue(at(o, "cancelled")));
    l = at(o, "lines[0]"); /* from original_sku and the invoice */
    assert_string_equal(cJSON_GetStringValue(at(l, "seller_sku")),
                        "OCOP-TRA-100");
    assert_int_equal((int)at(l, "qty")->valuedouble, 1);
    assert_int_equal((int)at(l, "price_vnd")->valuedouble, 60000);
    parse_file(f, MKT_OP_ORDERS, 200, "orders_last.json");
    assert_string_equal(f->reply.cursor, "");
    assert_int_equal(cJSON_GetArraySize(f->reply.orders), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(token_code),   T(token_other_grants), T(find),
        T(create),       T(create_refused),     T(updates),
        T(update),       T(update_refused),     T(orders),
        T(links),        T(parse_table),        T(parse_fields),
        T(parse_orders),
    };
#undef T
    return cmocka_run_group_tests_name("tiki", tests, NULL, NULL);
}
