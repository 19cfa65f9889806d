/* itest_sync.c: marketplace sync end to end: the real server (its worker
 * in the background) and the mock marketplaces (build/mockmkt). Set up as
 * `make run`'s demo does (`ocop sync demo`): a sample fair, one shop per
 * marketplace selling from its first booth, a few products on each with
 * photos through the real photo pipeline. Then: every marketplace holds
 * what the catalog says; a booth sale, a price change and a marketplace
 * order travel where they must; a listing that lacks a required field is
 * reported and never sent; credentials are sealed at rest. */
#include "itest.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include <cmocka.h>

static const char *const markets[] = {"shopee", "lazada", "tiktok", "tiki",
                                      "sendo"};
#define N_MARKETS 5

static struct itest_server srv;
static struct itest_mock mock;
static char db_path[160], admin_key[128], booth_key[128], staff_token[64];
static long booth_id;

/* --- the database, read directly for expected values ---------------------- */

static long long db_int(const char *sql, ...)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    va_list ap;

    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    va_start(ap, sql);
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
        sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    va_end(ap);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static long on_hand(const char *sku)
{
    char booth[32];
    snprintf(booth, sizeof(booth), "%ld", booth_id);
    return (long)db_int("SELECT COALESCE((SELECT qty FROM stock_on_hand h"
                        " JOIN variants v ON v.id = h.variant_id"
                        " WHERE v.sku = ?1 AND h.location_id = ?2), 0)",
                        sku, booth);
}

static long price_of(const char *sku)
{
    return (long)db_int("SELECT price_vnd FROM variants WHERE sku = ?1", sku);
}

/* --- the mock's state ----------------------------------------------------- */

/* mock_items: the items of the demo shop of market (caller frees). */
static cJSON *mock_items(const char *market)
{
    cJSON *state = NULL, *shop, *items = NULL;
    char name[32];

    snprintf(name, sizeof(name), "demo-%s", market);
    assert_int_equal(itest_mock_call(&mock, "/_mock/state", NULL, &state), 200);
    cJSON_ArrayForEach(shop, cJSON_GetObjectItem(state, "shops"))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(shop, "market")), market) == 0 &&
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(shop, "shop")), name) == 0)
            items = cJSON_DetachItemFromObject(shop, "items");
    cJSON_Delete(state);
    return items ? items : cJSON_CreateArray();
}

static long item_field(const cJSON *items, const char *sku, const char *field,
                       int *count)
{
    const cJSON *it;
    long v = -1;
    *count = 0;
    cJSON_ArrayForEach(it, items)
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")), sku) == 0) {
            (*count)++;
            v = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, field));
        }
    return v;
}

/* everywhere: 1 when every marketplace holds sku once with this field. */
static int everywhere(const char *sku, const char *field, long want)
{
    for (int m = 0; m < N_MARKETS; m++) {
        cJSON *items = mock_items(markets[m]);
        int count = 0;
        long v = item_field(items, sku, field, &count);
        cJSON_Delete(items);
        if (count != 1 || v != want)
            return 0;
    }
    return 1;
}

/* wait_for: polls cond for up to 40 s (the worker wakes every second). */
static int wait_for(int (*cond)(void *), void *cls)
{
    for (int i = 0; i < 400; i++) {
        if (cond(cls))
            return 1;
        usleep(100000);
    }
    return 0;
}

/* --- setup ---------------------------------------------------------------- */

/* make_pngs: stand-ins for the rendered group illustrations. */
static void make_pngs(const char *dir)
{
    char path[256];
    assert_int_equal(mkdir(dir, 0755), 0);
    for (int g = 1; g <= 6; g++) {
        VipsImage *noise = NULL, *u = NULL;
        snprintf(path, sizeof(path), "%s/group-%d-a.png", dir, g);
        assert_int_equal(vips_gaussnoise(&noise, 640, 640, "mean", 100.0 + g * 10,
                                         "sigma", 30.0, NULL), 0);
        assert_int_equal(vips_cast_uchar(noise, &u, NULL), 0);
        assert_int_equal(vips_pngsave(u, path, NULL), 0);
        g_object_unref(noise);
        g_object_unref(u);
    }
}

static void setup_db(const char *db, void *cls)
{
    char out[512], args[512], dir[200];
    (void)cls;
    snprintf(db_path, sizeof(db_path), "%s", db);
    assert_int_equal(itest_ocop(db, NULL, out, sizeof(out), "import catalog"), 0);
    snprintf(dir, sizeof(dir), "%.*s/png", (int)(strrchr(db, '/') - db), db);
    make_pngs(dir);
    snprintf(args, sizeof(args), "sync demo --mock %s --photos %s", mock.srv.base, dir);
    assert_int_equal(itest_ocop(db, NULL, out, sizeof(out), args), 0);
    booth_id = (long)db_int("SELECT MIN(id) FROM locations WHERE kind = 'booth'");
    assert_int_equal(itest_ocop(db, NULL, admin_key, sizeof(admin_key),
                                "apikey create --role admin --name office"), 0);
    snprintf(args, sizeof(args), "apikey create --role booth --booth %ld --name tablet",
             booth_id);
    assert_int_equal(itest_ocop(db, NULL, booth_key, sizeof(booth_key), args), 0);
}

static long call(const char *method, const char *path, const char *key,
                 const char *extra, const char *body, cJSON **json)
{
    char h_auth[200];
    const char *h[4] = {"Content-Type: application/json", h_auth, extra, NULL};
    struct itest_resp r;
    long status;

    snprintf(h_auth, sizeof(h_auth), "Authorization: Bearer %s", key);
    assert_int_equal(itest_request(&srv, method, path, h, body, &r), 0);
    status = r.status;
    if (json)
        *json = cJSON_Parse(r.body);
    itest_resp_free(&r);
    return status;
}

static void staff_signin(void)
{
    char path[200], body[200];
    cJSON *fair, *booth, *j = NULL;
    FILE *f;
    char buf[8192];
    size_t n;

    snprintf(path, sizeof(path), "%s/demo-fair.json", srv.dir);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    fair = cJSON_Parse(buf);
    booth = cJSON_GetArrayItem(cJSON_GetObjectItem(fair, "booths"), 0);
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"%s\"}",
             cJSON_GetStringValue(cJSON_GetObjectItem(booth, "staff")),
             cJSON_GetStringValue(cJSON_GetObjectItem(booth, "pin")));
    cJSON_Delete(fair);
    assert_int_equal(call("POST", "/api/v1/pos/pin", booth_key, NULL, body, &j), 200);
    snprintf(staff_token, sizeof(staff_token), "X-Staff-Token: %s",
             cJSON_GetStringValue(cJSON_GetObjectItem(j, "token")));
    cJSON_Delete(j);
}

static int group_setup(void **state)
{
    (void)state;
    if (VIPS_INIT("itest_sync") != 0)
        return -1;
    if (itest_mock_start(&mock, NULL) != 0)
        return -1;
    setenv("OCOP_SYNC_ORDERS_EVERY_S", "1", 1);
    if (itest_start_setup(&srv, setup_db, NULL) != 0)
        return -1;
    staff_signin();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    int a = itest_stop(&srv), b = itest_mock_stop(&mock);
    vips_shutdown();
    return a || b;
}

/* --- tests ---------------------------------------------------------------- */

/* a listed SKU, for the tests that follow one item around */
static char sku[96];

static int all_listed(void *cls)
{
    (void)cls;
    long listings = (long)db_int("SELECT COUNT(*) FROM sync_listings");
    long synced = (long)db_int("SELECT COUNT(*) FROM sync_listings WHERE status = 'synced'");
    return listings > 0 && synced == listings;
}

static void listings_reach_every_marketplace(void **state)
{
    (void)state;
    assert_true(wait_for(all_listed, NULL));
    for (int m = 0; m < N_MARKETS; m++) {
        cJSON *items = mock_items(markets[m]), *it;
        long listed = (long)db_int("SELECT COUNT(*) FROM sync_listings l"
                                   " JOIN sync_shops s ON s.id = l.shop_id"
                                   " WHERE s.market = ?1", markets[m]);
        assert_true(listed >= 3);
        assert_int_equal(cJSON_GetArraySize(items), listed);
        cJSON_ArrayForEach(it, items) {
            const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku"));
            int count = 0;
            assert_int_equal(item_field(items, s, "creates", &count), 1);
            assert_int_equal(count, 1); /* never created twice */
            assert_int_equal(item_field(items, s, "price_vnd", &count), price_of(s));
            assert_int_equal(item_field(items, s, "stock", &count), on_hand(s));
            snprintf(sku, sizeof(sku), "%s", s);
        }
        cJSON_Delete(items);
    }
}

static int stock_is(void *cls)
{
    return everywhere(sku, "stock", *(long *)cls);
}

static void booth_sale_changes_stock_everywhere(void **state)
{
    char body[512];
    long before = on_hand(sku), want = before - 3;

    (void)state;
    assert_true(before > 3);
    snprintf(body, sizeof(body),
             "{\"booth\":%ld,\"lines\":[{\"sku\":\"%s\",\"qty\":3,"
             "\"unit_price_vnd\":%ld}],\"payment\":{\"method\":\"cash\"}}",
             booth_id, sku, price_of(sku));
    char idem[80] = "Idempotency-Key: 6a1f0d3e-0000-4000-8000-000000000001";
    const char *h[5] = {"Content-Type: application/json", NULL, staff_token, idem, NULL};
    char auth[200];
    struct itest_resp r;
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", booth_key);
    h[1] = auth;
    assert_int_equal(itest_request(&srv, "POST", "/api/v1/sales", h, body, &r), 0);
    assert_int_equal(r.status, 201);
    itest_resp_free(&r);
    assert_int_equal(on_hand(sku), want);
    assert_true(wait_for(stock_is, &want));
}

static int price_is(void *cls)
{
    return everywhere(sku, "price_vnd", *(long *)cls);
}

static void price_change_reaches_every_marketplace(void **state)
{
    char path[256], body[1024], slug[200];
    cJSON *j = NULL, *v;
    long want = price_of(sku) + 1000;

    (void)state;
    /* the product's editable form, to send its variants back changed */
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT p.slug FROM products p JOIN variants v"
                                        " ON v.product_id = p.id WHERE v.sku = ?1",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(slug, sizeof(slug), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    snprintf(path, sizeof(path), "/api/v1/products/%s/history", slug);
    snprintf(path, sizeof(path), "/api/v1/products/%s", slug);
    assert_int_equal(call("GET", path, admin_key, NULL, NULL, &j), 200);
    cJSON *vars = cJSON_Duplicate(cJSON_GetObjectItem(j, "variants"), 1);
    cJSON_Delete(j);
    assert_non_null(vars);
    cJSON_ArrayForEach(v, vars) {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v, "sku")), sku) == 0)
            cJSON_ReplaceItemInObject(v, "price_vnd", cJSON_CreateNumber((double)want));
    }
    cJSON *patch = cJSON_CreateObject();
    cJSON_AddItemToObject(patch, "variants", vars);
    char *text = cJSON_PrintUnformatted(patch);
    snprintf(body, sizeof(body), "%s", text);
    cJSON_free(text);
    cJSON_Delete(patch);
    assert_int_equal(call("PATCH", path, admin_key, NULL, body, NULL), 200);
    assert_int_equal(price_of(sku), want);
    assert_true(wait_for(price_is, &want));
}

static int title_starts(void *cls)
{
    const char *want = cls;
    for (int m = 0; m < N_MARKETS; m++) {
        cJSON *items = mock_items(markets[m]), *it;
        int ok = 0;
        cJSON_ArrayForEach(it, items)
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")), sku) == 0)
                ok = strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "title")),
                             want, strlen(want)) == 0;
        cJSON_Delete(items);
        if (!ok)
            return 0;
    }
    return 1;
}

/* a new name (or description, size, weight, photo) reaches the listing */
static void content_change_reaches_every_marketplace(void **state)
{
    char path[256], slug[200];
    static const char name[] = "Yến sào Culaore loại đặc biệt";
    sqlite3 *db;
    sqlite3_stmt *st;

    (void)state;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT p.slug FROM products p JOIN variants v"
                                        " ON v.product_id = p.id WHERE v.sku = ?1",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(slug, sizeof(slug), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    snprintf(path, sizeof(path), "/api/v1/products/%s", slug);
    assert_int_equal(call("PATCH", path, admin_key, NULL,
                          "{\"name\":\"Yến sào Culaore loại đặc biệt\"}", NULL), 200);
    assert_true(wait_for(title_starts, (void *)name));
}

static int booth_is(void *cls)
{
    return on_hand(sku) == *(long *)cls;
}

static void marketplace_order_reduces_booth_stock(void **state)
{
    char body[256];
    long want = on_hand(sku) - 2;

    (void)state;
    snprintf(body, sizeof(body),
             "{\"market\":\"shopee\",\"shop\":\"demo-shopee\",\"sku\":\"%s\",\"qty\":2}",
             sku);
    assert_int_equal(itest_mock_call(&mock, "/_mock/orders", body, NULL), 200);
    assert_true(wait_for(booth_is, &want));
    /* imported once, and the other marketplaces follow the booth */
    assert_int_equal(db_int("SELECT COUNT(*) FROM sync_orders"), 1);
    assert_true(wait_for(stock_is, &want));
}

static int listing_failed(void *cls)
{
    return db_int("SELECT COUNT(*) FROM sync_listings l JOIN variants v"
                  " ON v.id = l.variant_id WHERE v.sku = ?1 AND l.status = 'failed'",
                  (const char *)cls) >= 1;
}

static void missing_field_reported_not_sent(void **state)
{
    char args[128], out[64], product[32], missing_sku[96];
    sqlite3 *db;
    sqlite3_stmt *st;

    (void)state;
    /* a product of the booth's producer that the demo did not prepare:
     * no package weight */
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT p.id, v.sku FROM products p JOIN variants v ON v.product_id = p.id"
        " JOIN sync_shops s ON s.producer_id = p.producer_id AND s.market = 'shopee'"
        " WHERE v.weight_g IS NULL AND p.status = 'certified' ORDER BY p.id LIMIT 1",
        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(product, sizeof(product), "%lld", (long long)sqlite3_column_int64(st, 0));
    snprintf(missing_sku, sizeof(missing_sku), "%s", (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    snprintf(args, sizeof(args), "sync list %lld %s",
             db_int("SELECT id FROM sync_shops WHERE market = 'shopee'"), product);
    assert_int_equal(itest_ocop(db_path, NULL, out, sizeof(out), args), 0);
    assert_true(wait_for(listing_failed, missing_sku));
    assert_int_equal(db_int("SELECT COUNT(*) FROM sync_jobs j JOIN sync_listings l"
                            " ON l.id = j.listing_id JOIN variants v ON v.id = l.variant_id"
                            " WHERE v.sku = ?1 AND j.error_code = 'missing_fields'"
                            " AND instr(j.message, 'weight') > 0", missing_sku), 1);
    cJSON *items = mock_items("shopee");
    int count = 0;
    (void)item_field(items, missing_sku, "stock", &count);
    cJSON_Delete(items);
    assert_int_equal(count, 0); /* nothing was sent */
}

static void credentials_sealed_at_rest(void **state)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int shops = 0;

    (void)state;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT secrets FROM sync_shops", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        assert_true(n > 40);
        assert_null(memmem(blob, (size_t)n, "ocop-demo-secret", 16));
        assert_null(memmem(blob, (size_t)n, "access_token", 12));
        shops++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(shops, N_MARKETS);
    /* the key is outside the database, readable by its owner only */
    char key[200];
    struct stat sb;
    snprintf(key, sizeof(key), "%s/secret.key", srv.dir);
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 077, 0);
}

/* Postmart has no seller API: the producer downloads the sheet its
 * seller portal imports. */
static void postmart_sheet_downloads(void **state)
{
    char path[96], auth[200];
    const char *h[2] = {auth, NULL};
    struct itest_resp r;
    long long producer = db_int("SELECT producer_id FROM sync_shops LIMIT 1");

    (void)state;
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin_key);
    snprintf(path, sizeof(path), "/quan-ly/san/postmart?producer=%lld", producer);
    assert_int_equal(itest_request(&srv, "GET", path, h, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "PK", 2); /* a zip: the .xlsx container */
    char *ct = itest_header(&r, "content-type");
    assert_non_null(strstr(ct, "spreadsheetml"));
    free(ct);
    itest_resp_free(&r);
    assert_int_equal(itest_request(&srv, "GET", "/quan-ly/san/postmart?producer=999999",
                                   h, NULL, &r), 0);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listings_reach_every_marketplace),
        cmocka_unit_test(booth_sale_changes_stock_everywhere),
        cmocka_unit_test(price_change_reaches_every_marketplace),
        cmocka_unit_test(content_change_reaches_every_marketplace),
        cmocka_unit_test(marketplace_order_reduces_booth_stock),
        cmocka_unit_test(missing_field_reported_not_sent),
        cmocka_unit_test(credentials_sealed_at_rest),
        cmocka_unit_test(postmart_sheet_downloads),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
