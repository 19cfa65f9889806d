/* itest_sync_faults.c: the sync engine under faults, against the mock
 * marketplaces (build/mockmkt). The catalog side runs in this process
 * through the library (the same code `ocop serve` runs): 20 shops across
 * the five marketplaces, over a thousand listings, 5,000 stock, price and
 * name changes made while the worker runs, 30% of requests faulted by the
 * mock (429, 500, dropped connections, timeouts, malformed answers, expired
 * tokens). At the end every mock holds exactly the catalog's final state:
 * no lost update, no duplicate listing, no reordering. Then a token that
 * expires is refreshed and the run goes on, and a revoked one stops its
 * shop with a message while the others carry on. */
#include "itest.h"

#include "catalog/cat_photo.h"
#include "db/db.h"
#include "media/photo.h"
#include "seal/seal.h"
#include "stock/stk.h"
#include "sync/sync.h"

#include <cjson/cJSON.h>
#include <setjmp.h>
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

#define N_SHOPS 20
#define N_CHANGES 5000
#define MIN_LISTINGS 1000

static const char *const markets[] = {"shopee", "lazada", "tiktok", "tiki",
                                      "sendo"};

static struct itest_mock mock;
static char dir[64], db_path[128], media_dir[128];
static struct db *db;
static const struct actor tester = {0, "test", ""};

struct shop {
    int64_t id, location;
    char name[32], market[16];
};
static struct shop shops[N_SHOPS];

struct listing {
    int64_t variant, location, shop;
    char sku[96];
};
static struct listing *listings;
static int n_listings;

static unsigned rng = 12345;
static unsigned next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) & 0xffffff;
}

/* --- setup ---------------------------------------------------------------- */

static enum err q_exec(const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return db_exec(db, st, NULL);
}

/* map_categories: the office's mapping, as data of this test (the seed
 * mapping's ids are placeholders to confirm per marketplace). */
static void map_categories(void)
{
    for (int m = 0; m < 5; m++)
        for (int g = 1; g <= 5; g++) {
            char id[16];
            struct err_ctx ec = {0};
            snprintf(id, sizeof(id), "%d00%d", m + 1, g);
            if (sync_category_set(db, &tester, markets[m], g, id, "test", "{}",
                                  "[\"category\",\"image\",\"weight\",\"price\"]",
                                  &ec) != ERR_OK)
                fail_msg("mapping: %s", ec.msg);
        }
}

static void add_shops(void)
{
    char api[128], auth[128], code[48];
    for (int i = 0; i < N_SHOPS; i++) {
        struct shop *s = &shops[i];
        const char *m = markets[i % 5];
        int sendo = strcmp(m, "sendo") == 0;
        struct err_ctx ec = {0};
        snprintf(s->market, sizeof(s->market), "%s", m);
        snprintf(s->name, sizeof(s->name), "shop%02d", i);
        snprintf(api, sizeof(api), "%s/%s", mock.srv.base, m);
        snprintf(auth, sizeof(auth), "%s/%s%s", mock.srv.base, m,
                 strcmp(m, "lazada") == 0 || strcmp(m, "tiktok") == 0 ? "-auth" : "");
        snprintf(code, sizeof(code), "mock-%s", s->name);
        struct sync_shop_new n = {
            .market = m, .name = s->name, .producer_id = i + 1,
            .api_base = api, .auth_base = auth, .web_base = api,
            .app_key = sendo ? s->name : "100001", .app_secret = "ocop-demo-secret",
            .shop_ref = s->name, .warehouse = "wh-1", .rate_per_s = 1000};
        if (sync_shop_add(db, &tester, &n, &s->id, &ec) != ERR_OK ||
            sync_shop_connect(db, &tester, s->id, sendo ? NULL : code, NULL,
                              s->name, &ec) != ERR_OK)
            fail_msg("shop %s: %s", s->name, ec.msg);
    }
}

/* one_photo: a real photo through the pipeline, once; every product gets
 * its files (hard links) and its row, as an upload would. */
static void add_photos(const struct photo_result *res, const char *src_stem)
{
    static const char sql[] =
        "SELECT p.id FROM products p WHERE p.producer_id BETWEEN 1 AND ?1"
        " AND p.status = 'certified' AND p.hidden_at IS NULL"
        " AND p.group_code <> 6";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t ids[4000];
    int n = 0;
    assert_non_null(st);
    sqlite3_bind_int64(st, 1, N_SHOPS);
    while (n < 4000 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        struct cat_photo_new p = {res->hash, res->width, res->height, "ảnh", "photo"};
        char base[CAT_PHOTO_BASE], from[256], to[256];
        int64_t id;
        struct err_ctx ec = {0};
        assert_int_equal(cat_photo_add(db, ids[i], &p, &id, base, &ec), ERR_OK);
        for (int w = 0; w < PHOTO_N_SIZES; w++) {
            snprintf(from, sizeof(from), "%s/%s-%d.jpg", media_dir, src_stem, photo_width(w));
            snprintf(to, sizeof(to), "%s/%s-%d.jpg", media_dir, base, photo_width(w));
            assert_int_equal(link(from, to), 0);
        }
    }
}

static void make_photo(void)
{
    VipsImage *noise = NULL, *u = NULL;
    char png[128];
    struct photo_result res;
    struct err_ctx ec = {0};
    snprintf(png, sizeof(png), "%s/photo.png", dir);
    assert_int_equal(vips_gaussnoise(&noise, 800, 800, "mean", 120.0, "sigma", 30.0, NULL), 0);
    assert_int_equal(vips_cast_uchar(noise, &u, NULL), 0);
    assert_int_equal(vips_pngsave(u, png, NULL), 0);
    g_object_unref(noise);
    g_object_unref(u);
    assert_int_equal(mkdir(media_dir, 0755), 0);
    assert_int_equal(photo_process(png, media_dir, "src", &res, &ec), ERR_OK);
    add_photos(&res, "src");
}

static void list_products(void)
{
    static const char sql[] =
        "SELECT p.id FROM products p WHERE p.producer_id = ?1"
        " AND p.status = 'certified' AND p.hidden_at IS NULL"
        " AND p.group_code <> 6"; /* services are not sold on marketplaces */
    static const char rows_sql[] =
        "SELECT l.variant_id, s.location_id, l.shop_id, v.sku"
        " FROM sync_listings l JOIN sync_shops s ON s.id = l.shop_id"
        " JOIN variants v ON v.id = l.variant_id ORDER BY l.id";
    for (int i = 0; i < N_SHOPS; i++) {
        sqlite3_stmt *st = db_stmt(db, sql, NULL);
        int64_t ids[512];
        int n = 0;
        sqlite3_bind_int64(st, 1, i + 1);
        while (n < 512 && sqlite3_step(st) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        for (int k = 0; k < n; k++) {
            struct err_ctx ec = {0};
            if (sync_list_product(db, &tester, shops[i].id, ids[k], NULL, &ec) != ERR_OK)
                fail_msg("list: %s", ec.msg);
        }
    }
    sqlite3_stmt *st = db_stmt(db, rows_sql, NULL);
    listings = calloc(8000, sizeof(*listings));
    while (n_listings < 8000 && sqlite3_step(st) == SQLITE_ROW) {
        struct listing *l = &listings[n_listings++];
        l->variant = sqlite3_column_int64(st, 0);
        l->location = sqlite3_column_int64(st, 1);
        l->shop = sqlite3_column_int64(st, 2);
        snprintf(l->sku, sizeof(l->sku), "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
}

static int group_setup(void **state)
{
    char out[256], args[256];
    struct err_ctx ec = {0};
    (void)state;
    if (VIPS_INIT("itest_sync_faults") != 0 ||
        itest_mock_start(&mock, "--seed 42") != 0)
        return -1;
    snprintf(dir, sizeof(dir), "/tmp/ocop-sync-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db_path, sizeof(db_path), "%s/ocop.db", dir);
    snprintf(media_dir, sizeof(media_dir), "%s/media", dir);
    snprintf(args, sizeof(args), "sample --products 3000");
    if (itest_ocop(db_path, NULL, out, sizeof(out), args) != 0)
        return -1;
    setenv("OCOP_SECRET_KEY",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    if (seal_init(NULL, &ec) != ERR_OK || db_open(db_path, DB_READWRITE, &db, &ec) != ERR_OK ||
        db_migrate(db, NULL, &ec) != ERR_OK ||
        sync_categories_seed(db, "integrations", &ec) != ERR_OK)
        return -1;
    (void)q_exec("UPDATE variants SET weight_g = 450 WHERE ?1 = ?2", 1, 1);
    map_categories();
    add_shops();
    make_photo();
    list_products();
    return n_listings >= MIN_LISTINGS ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    db_close(db);
    free(listings);
    vips_shutdown();
    return itest_mock_stop(&mock);
}

/* --- changes -------------------------------------------------------------- */

static enum err stock_change(struct listing *l, int64_t delta, struct err_ctx *ec)
{
    struct stk_move m = {.variant_id = l->variant, .location_id = l->location,
                         .qty = delta, .kind = STK_ADJUST, .reason = "test",
                         .unit_price_vnd = -1};
    return stk_record(db, &tester, &m, NULL, ec);
}

struct change {
    struct listing *l;
    int price; /* 0 stock, 1 price, 2 the product's name */
    int64_t value;
};

static enum err change_fn(struct db *d, void *cls, struct err_ctx *ec)
{
    static const char price_sql[] = "UPDATE variants SET price_vnd = ?2 WHERE id = ?1";
    static const char name_sql[] =
        "UPDATE products SET name = 'Sản phẩm mẫu số ' || ?2"
        " WHERE id = (SELECT product_id FROM variants WHERE id = ?1)";
    struct change *c = cls;
    if (c->price == 2) {
        sqlite3_stmt *st = db_stmt(d, name_sql, ec);
        if (!st)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, c->l->variant);
        sqlite3_bind_int64(st, 2, c->value);
        return db_exec(d, st, ec);
    }
    if (!c->price) {
        int64_t have = stk_on_hand_of(d, c->l->variant, c->l->location);
        int64_t delta = c->value - have;
        return delta ? stock_change(c->l, delta, ec) : ERR_OK;
    }
    sqlite3_stmt *st = db_stmt(d, price_sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, c->l->variant);
    sqlite3_bind_int64(st, 2, c->value);
    return db_exec(d, st, ec);
}

/* apply_changes: n stock or price changes on random listings, a few at a
 * time, while the worker runs. */
static void apply_changes(int n)
{
    for (int i = 0; i < n; i++) {
        struct change c = {&listings[next_rand() % (unsigned)n_listings],
                           (int)(next_rand() % 10), 0};
        struct err_ctx ec = {0};
        /* 45% stock, 45% price, 10% a new name (content) */
        c.price = c.price < 9 ? c.price % 2 : 2;
        c.value = c.price == 1 ? 10000 + (int64_t)(next_rand() % 900) * 1000
                : c.price == 2 ? (int64_t)(next_rand() % 100000)
                               : (int64_t)(next_rand() % 60);
        assert_int_equal(db_tx_run(db, "change", change_fn, &c, &ec), ERR_OK);
        if (i % 100 == 99)
            usleep(20000);
    }
}

static void fast_opts(struct sync_opts *o)
{
    sync_opts_default(o);
    o->timeout_ms = 1000;        /* the mock's timeouts last 1500 ms */
    o->backoff_base_ms = 50;
    o->backoff_max_ms = 1000;
    o->max_attempts = 40;        /* 0.3^40: never dead by chance */
    o->orders_every_s = 3600;
    o->media_dir = media_dir;
    o->base_url = "http://127.0.0.1:9";
    o->default_rate = 1000;
    o->market_rate = 5000;
}

/* --- checks --------------------------------------------------------------- */

static cJSON *shop_items(cJSON *state, const struct shop *s)
{
    cJSON *sh;
    cJSON_ArrayForEach(sh, cJSON_GetObjectItem(state, "shops"))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(sh, "market")), s->market) == 0 &&
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(sh, "shop")), s->name) == 0)
            return cJSON_GetObjectItem(sh, "items");
    return NULL;
}

static struct shop *shop_of(int64_t id)
{
    for (int i = 0; i < N_SHOPS; i++)
        if (shops[i].id == id)
            return &shops[i];
    return NULL;
}

/* title_of: the title the catalog gives the listing (name and size). */
static void title_of(int64_t variant, char *buf, size_t size)
{
    static const char sql[] =
        "SELECT p.name || CASE WHEN v.size <> '' THEN ' ' || v.size ELSE '' END"
        " FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    sqlite3_bind_int64(st, 1, variant);
    snprintf(buf, size, "%s",
             sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "");
    sqlite3_reset(st);
}

static int64_t price_of(int64_t variant)
{
    static const char sql[] = "SELECT price_vnd FROM variants WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    sqlite3_bind_int64(st, 1, variant);
    int64_t p = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return p;
}

/* mismatches: listings whose mock item is missing, doubled, or holds
 * another price or stock than the catalog (skip: a shop not checked). */
static int mismatches(int64_t skip_shop, int verbose)
{
    cJSON *state = NULL;
    int bad = 0;
    assert_int_equal(itest_mock_call(&mock, "/_mock/state", NULL, &state), 200);
    for (int i = 0; i < n_listings; i++) {
        struct listing *l = &listings[i];
        if (l->shop == skip_shop)
            continue;
        cJSON *items = shop_items(state, shop_of(l->shop)), *it;
        int count = 0;
        int64_t price = -1, stock = -1;
        char title[300] = "", want_title[300];
        cJSON_ArrayForEach(it, items)
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")), l->sku) == 0) {
                count++;
                price = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "price_vnd"));
                stock = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "stock"));
                snprintf(title, sizeof(title), "%s",
                         cJSON_GetStringValue(cJSON_GetObjectItem(it, "title")));
            }
        int64_t want_stock = stk_on_hand_of(db, l->variant, l->location);
        title_of(l->variant, want_title, sizeof(want_title));
        if (count != 1 || price != price_of(l->variant) || stock != want_stock ||
            strcmp(title, want_title) != 0) {
            if (verbose && bad < 5)
                fprintf(stderr, "  %s on shop %lld: %d item(s), price %lld (want %lld),"
                        " stock %lld (want %lld), title \"%s\" (want \"%s\")\n", l->sku,
                        (long long)l->shop, count, (long long)price,
                        (long long)price_of(l->variant), (long long)stock,
                        (long long)want_stock, title, want_title);
            bad++;
        }
    }
    cJSON_Delete(state);
    return bad;
}

static long count_jobs(const char *state)
{
    static const char sql[] = "SELECT COUNT(*) FROM sync_jobs WHERE state = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

/* --- tests ---------------------------------------------------------------- */

static void converges_under_faults(void **state)
{
    struct sync_opts o;
    struct sync_worker *w = NULL;
    struct sync_stats st;
    struct err_ctx ec = {0};
    cJSON *mstate = NULL;

    (void)state;
    assert_true(n_listings >= MIN_LISTINGS);
    assert_int_equal(itest_mock_call(&mock, "/_mock/faults",
                                     "{\"rate\":0.3,\"timeout_ms\":1500}", NULL), 200);
    fast_opts(&o);
    assert_int_equal(sync_worker_start(db_path, &o, &w, &ec), ERR_OK);
    apply_changes(N_CHANGES);
    sync_worker_stop(w);
    /* the last changes may still be queued: drain, faults still on */
    assert_int_equal(sync_run(db_path, &o, 240, &st, &ec), ERR_OK);
    o.drain = 1;
    assert_int_equal(sync_run(db_path, &o, 240, &st, &ec), ERR_OK);
    assert_int_equal(count_jobs("pending"), 0);
    assert_int_equal(count_jobs("running"), 0);
    assert_int_equal(count_jobs("dead"), 0);
    assert_int_equal(count_jobs("failed"), 0);
    assert_int_equal(mismatches(0, 1), 0);
    /* the faults did happen: the mock counted its requests */
    assert_int_equal(itest_mock_call(&mock, "/_mock/state", NULL, &mstate), 200);
    cJSON_Delete(mstate);
    assert_int_equal(itest_mock_call(&mock, "/_mock/faults", "{\"rate\":0}", NULL), 200);
}

static void expired_token_is_refreshed(void **state)
{
    struct sync_opts o;
    struct sync_stats st;
    struct err_ctx ec = {0};
    char body[128];
    struct shop *s = &shops[0];

    (void)state;
    snprintf(body, sizeof(body), "{\"market\":\"%s\",\"shop\":\"%s\"}", s->market, s->name);
    assert_int_equal(itest_mock_call(&mock, "/_mock/expire", body, NULL), 200);
    apply_changes(200);
    fast_opts(&o);
    o.drain = 1;
    assert_int_equal(sync_run(db_path, &o, 120, &st, &ec), ERR_OK);
    assert_true(st.refreshed >= 1);
    assert_int_equal(st.revoked, 0);
    assert_int_equal(count_jobs("pending"), 0);
    assert_int_equal(mismatches(0, 1), 0);
}

static void revoked_token_stops_only_its_shop(void **state)
{
    struct sync_opts o;
    struct sync_stats st;
    struct err_ctx ec = {0};
    char body[128];
    struct shop *s = &shops[1];
    cJSON *shop = NULL;

    (void)state;
    snprintf(body, sizeof(body), "{\"market\":\"%s\",\"shop\":\"%s\"}", s->market, s->name);
    assert_int_equal(itest_mock_call(&mock, "/_mock/revoke", body, NULL), 200);
    apply_changes(400);
    fast_opts(&o);
    o.drain = 1;
    assert_int_equal(sync_run(db_path, &o, 120, &st, &ec), ERR_OK);
    assert_int_equal(st.revoked, 1);
    /* the shop says why, for the producer and the office */
    assert_int_equal(sync_shop(db, s->id, &shop, &ec), ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(shop, "state")), "revoked");
    assert_true(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(shop, "state_message"))) > 0);
    cJSON_Delete(shop);
    /* its jobs wait for the seller to reconnect: not failed, not dead */
    assert_int_equal(count_jobs("dead"), 0);
    assert_int_equal(count_jobs("failed"), 0);
    /* and every other shop holds the catalog's state */
    assert_int_equal(mismatches(s->id, 1), 0);
}

static const char *item_status(const struct listing *l, int64_t *stock)
{
    static char status[16];
    cJSON *state = NULL, *it;
    status[0] = '\0';
    assert_int_equal(itest_mock_call(&mock, "/_mock/state", NULL, &state), 200);
    cJSON_ArrayForEach(it, shop_items(state, shop_of(l->shop)))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")), l->sku) == 0) {
            snprintf(status, sizeof(status), "%s",
                     cJSON_GetStringValue(cJSON_GetObjectItem(it, "status")));
            *stock = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "stock"));
        }
    cJSON_Delete(state);
    return status;
}

static struct listing *listing_on(const char *market)
{
    for (int i = 0; i < n_listings; i++)
        if (strcmp(shop_of(listings[i].shop)->market, market) == 0 &&
            shop_of(listings[i].shop) != &shops[1])
            return &listings[i];
    return NULL;
}

static int64_t listing_id_of(const struct listing *l)
{
    static const char sql[] =
        "SELECT id FROM sync_listings WHERE shop_id = ?1 AND variant_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    sqlite3_bind_int64(st, 1, l->shop);
    sqlite3_bind_int64(st, 2, l->variant);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

static void drain(void)
{
    struct sync_opts o;
    struct sync_stats st;
    struct err_ctx ec = {0};
    fast_opts(&o);
    o.drain = 1;
    assert_int_equal(sync_run(db_path, &o, 60, &st, &ec), ERR_OK);
}

/* unlisted, an item keeps what it had; back on sale, it gets the
 * catalog's price and stock; a marketplace without a relist call says so */
static void unlist_and_relist(void **state)
{
    static const char *const relisting[] = {"shopee", "tiktok", "tiki", "sendo"};
    struct err_ctx ec = {0};
    int64_t stock = -1;

    (void)state;
    for (int m = 0; m < 4; m++) {
        struct listing *l = listing_on(relisting[m]);
        int64_t id = listing_id_of(l);
        assert_non_null(l);
        assert_int_equal(sync_listing_set_wanted(db, &tester, id, 0, &ec), ERR_OK);
        drain();
        assert_string_equal(item_status(l, &stock), "UNLIST");
        int64_t held = stock;
        struct change c = {l, 0, held + 7};
        assert_int_equal(db_tx_run(db, "change", change_fn, &c, &ec), ERR_OK);
        drain();
        (void)item_status(l, &stock);
        assert_int_equal(stock, held); /* not put back on sale by a stock update */
        assert_int_equal(sync_listing_set_wanted(db, &tester, id, 1, &ec), ERR_OK);
        drain();
        assert_string_equal(item_status(l, &stock), "NORMAL");
        assert_int_equal(stock, held + 7);
    }
    struct listing *lz = listing_on("lazada");
    int64_t id = listing_id_of(lz);
    assert_int_equal(sync_listing_set_wanted(db, &tester, id, 0, &ec), ERR_OK);
    drain();
    assert_int_equal(sync_listing_set_wanted(db, &tester, id, 1, &ec), ERR_OK);
    drain();
    assert_int_equal(count_jobs("failed"), 1); /* relist_manual, said plainly */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(converges_under_faults),
        cmocka_unit_test(expired_token_is_refreshed),
        cmocka_unit_test(revoked_token_stops_only_its_shop),
        cmocka_unit_test(unlist_and_relist),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
