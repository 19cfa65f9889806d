/* sync_demo.c: the demo: shops on the mock marketplaces, so a newcomer
 * running `make run` sees a product appear "on Shopee" and its stock
 * change there after a booth sale. Demo shops are flagged is_demo and
 * their places, weights and photos are sample data. */
#include "sync/sync_cli.h"

#include "catalog/cat_import.h"
#include "catalog/cat_photo.h"
#include "media/photo.h"
#include "stock/stk_sample.h"
#include "sync/sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_APP_KEY "100001"
#define DEMO_APP_SECRET "ocop-demo-secret"
#define DEMO_PRODUCTS 3

static const struct actor demo_actor = {0, "demo", ""};

static int64_t one_int(struct db *db, const char *sql, int64_t arg)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, arg);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return v;
}

static enum err ensure_fair(const struct conf *conf, struct db *db,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM locations WHERE kind = 'fair' AND is_sample = ?1";
    if (one_int(db, sql, 1) > 0)
        return ERR_OK;
    cJSON *out = NULL;
    enum err e = stk_sample_fair(db, &out, ec);
    if (e == ERR_OK) {
        /* the booth staff's passwords and PINs, for the newcomer */
        char path[1100];
        const char *slash = strrchr(conf->db_path, '/');
        snprintf(path, sizeof path, "%.*s/demo-fair.json",
                 slash ? (int)(slash - conf->db_path) : 1,
                 slash ? conf->db_path : ".");
        char *text = cJSON_Print(out);
        FILE *f = text ? fopen(path, "w") : NULL;
        if (f) {
            fputs(text, f);
            fclose(f);
            printf("demo: sample fair made; booth accounts in %s\n", path);
        }
        cJSON_free(text);
    }
    cJSON_Delete(out);
    return e;
}

static const char *auth_prefix(const char *market)
{
    if (strcmp(market, "lazada") == 0)
        return "lazada-auth";
    if (strcmp(market, "tiktok") == 0)
        return "tiktok-auth";
    return market;
}

static int64_t demo_shop(struct db *db, const char *market, int *active)
{
    static const char sql[] =
        "SELECT id, state = 'active' FROM sync_shops WHERE is_demo = 1"
        " AND market = ?1 ORDER BY id LIMIT 1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t id = 0;
    *active = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, market, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        *active = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return id;
}

/* demo_reset: the mock keeps nothing across runs, so a demo shop made by
 * an earlier `make run` is connected again and its listings made afresh. */
static enum err reset_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char listings_sql[] =
        "UPDATE sync_listings SET ext_item_id = '', ext_sku_id = '',"
        " images = '{}', create_sent = 0, status = 'waiting', message = '',"
        " sent_price = NULL, sent_stock = NULL WHERE shop_id = ?1";
    static const char jobs_sql[] =
        "UPDATE sync_jobs SET state = 'done', message = 'demo reset',"
        " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ')"
        " WHERE state <> 'done' AND listing_id IN"
        " (SELECT id FROM sync_listings WHERE shop_id = ?1)";
    static const char create_sql[] =
        "INSERT INTO sync_jobs (listing_id, kind)"
        " SELECT id, 'create' FROM sync_listings WHERE shop_id = ?1";
    static const char *const sqls[] = {jobs_sql, listings_sql, create_sql};
    int64_t id = *(int64_t *)cls;
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st = db_stmt(db, sqls[i], ec);
        if (!st)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, id);
        enum err e = db_exec(db, st, ec);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

static enum err demo_reset(struct db *db, int64_t id, struct err_ctx *ec)
{
    return db_tx_run(db, "sync_demo_reset", reset_fn, &id, ec);
}

/* add_shop: the market's demo shop, made once, connected every run. */
static enum err add_shop(struct db *db, const struct mkt_connector *c,
                         int64_t producer, int64_t booth, const char *mock,
                         int64_t *id, struct err_ctx *ec)
{
    char api[512], auth[512], web[512], name[64], code[80];
    int active = 0;
    snprintf(api, sizeof api, "%s/%s", mock, c->name);
    snprintf(auth, sizeof auth, "%s/%s", mock, auth_prefix(c->name));
    snprintf(web, sizeof web, "%s/_mock/%s", mock, c->name);
    snprintf(name, sizeof name, "demo-%s", c->name);
    snprintf(code, sizeof code, "mock-%s", name);
    int sendo = strcmp(c->name, "sendo") == 0;
    struct sync_shop_new n = {
        .market = c->name, .name = name, .producer_id = producer,
        .location_id = booth, .api_base = api, .auth_base = auth,
        .web_base = web, .app_key = sendo ? name : DEMO_APP_KEY,
        .app_secret = DEMO_APP_SECRET, .shop_ref = name,
        .warehouse = "demo-warehouse", .is_demo = 1};
    enum err e = ERR_OK;
    *id = demo_shop(db, c->name, &active);
    if (*id == 0)
        e = sync_shop_add(db, &demo_actor, &n, id, ec);
    else
        e = demo_reset(db, *id, ec);
    if (e == ERR_OK)
        e = sync_shop_connect(db, &demo_actor, *id, sendo ? NULL : code, NULL,
                              name, ec);
    if (e == ERR_OK)
        printf("demo: %s shop %s connected (%s)\n", c->label, name, api);
    return e;
}

/* demo_photo: the product's group illustration, rendered to PNG by the
 * make run script, through the real photo pipeline. */
static enum err demo_photo(const struct conf *conf, struct db *db,
                           int64_t product_id, int64_t group,
                           const char *photos_dir, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM photos WHERE product_id = ?1 AND kind = 'upload'";
    char src[1100], tmp[1100], from[1200], to[1200], base[CAT_PHOTO_BASE];
    struct photo_result res;
    if (!photos_dir || one_int(db, sql, product_id) > 0)
        return ERR_OK;
    snprintf(src, sizeof src, "%s/group-%lld-a.png", photos_dir, (long long)group);
    if (access(src, R_OK) != 0)
        return ERR_OK; /* no rendering tool: the listing says "no photo" */
    snprintf(tmp, sizeof tmp, "%s/demo-tmp", conf->media_dir);
    (void)mkdir(conf->media_dir, 0755); /* serve makes it too */
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return err_set(ec, ERR_IO, "%s: %s", tmp, strerror(errno));
    enum err e = photo_process(src, tmp, "0", &res, ec);
    struct cat_photo_new p = {res.hash, res.width, res.height,
                              "Ảnh minh hoạ (dữ liệu mẫu)",
                              "Illustration (sample data)"};
    int64_t id = 0;
    if (e == ERR_OK)
        e = cat_photo_add(db, product_id, &p, &id, base, ec);
    for (int i = 0; e == ERR_OK && i < PHOTO_N_SIZES; i++)
        for (int f = 0; f < 2; f++) {
            const char *ext = f ? "webp" : "jpg";
            snprintf(from, sizeof from, "%s/0-%d.%s", tmp, photo_width(i), ext);
            snprintf(to, sizeof to, "%s/%s-%d.%s", conf->media_dir, base,
                     photo_width(i), ext);
            if (rename(from, to) != 0)
                e = err_set(ec, ERR_IO, "%s: %s", to, strerror(errno));
        }
    return e;
}

static const char products_sql[] =
    "SELECT p.id, p.group_code FROM products p"
    " JOIN booth_producers b ON b.producer_id = p.producer_id"
    " WHERE b.location_id = ?1 AND p.status = 'certified'"
    " AND p.hidden_at IS NULL AND p.producer_id = ?2"
    " AND p.group_code <> 6 ORDER BY p.id LIMIT 3";

static enum err demo_products(const struct conf *conf, struct db *db,
                              int64_t booth, int64_t producer,
                              const char *photos_dir, int64_t *ids, int *n,
                              struct err_ctx *ec)
{
    static const char weight_sql[] =
        "UPDATE variants SET weight_g = 600 WHERE product_id = ?1"
        " AND weight_g IS NULL";
    int64_t groups[DEMO_PRODUCTS];
    sqlite3_stmt *st = db_stmt(db, products_sql, ec);
    *n = 0;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, booth);
    sqlite3_bind_int64(st, 2, producer);
    while (*n < DEMO_PRODUCTS && sqlite3_step(st) == SQLITE_ROW) {
        ids[*n] = sqlite3_column_int64(st, 0);
        groups[(*n)++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    enum err e = ERR_OK;
    for (int i = 0; e == ERR_OK && i < *n; i++) {
        st = db_stmt(db, weight_sql, ec);
        if (!st)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, ids[i]);
        e = db_exec(db, st, ec);
        if (e == ERR_OK)
            e = demo_photo(conf, db, ids[i], groups[i], photos_dir, ec);
    }
    return e;
}

static int demo_fail(const struct err_ctx *ec)
{
    fprintf(stderr, "ocop sync demo: %s\n", ec->msg);
    return 1;
}

int sync_demo_cli(const struct conf *conf, struct db *db,
                  const char *mock_url, const char *photos_dir)
{
    static const char booth_sql[] =
        "SELECT l.id FROM locations l WHERE l.kind = 'booth'"
        " AND l.is_sample = ?1 ORDER BY l.id LIMIT 1";
    static const char producer_sql[] =
        "SELECT producer_id FROM booth_producers WHERE location_id = ?1"
        " ORDER BY producer_id LIMIT 1";
    struct err_ctx ec = {0};
    int64_t products[DEMO_PRODUCTS];
    int n = 0;
    if (!mock_url) {
        fprintf(stderr, "ocop sync demo: --mock URL is needed\n");
        return 2;
    }
    if (cat_catalog_empty(db) &&
        cat_import_dir(db, conf->catalog_dir, &(struct cat_import_stats){0},
                       &ec) != ERR_OK)
        return demo_fail(&ec);
    if (ensure_fair(conf, db, &ec) != ERR_OK)
        return demo_fail(&ec);
    int64_t booth = one_int(db, booth_sql, 1);
    int64_t producer = one_int(db, producer_sql, booth);
    if (demo_products(conf, db, booth, producer, photos_dir, products, &n,
                      &ec) != ERR_OK)
        return demo_fail(&ec);
    for (const struct mkt_connector *const *c = mkt_connectors(); *c; c++) {
        int64_t shop = 0;
        if (add_shop(db, *c, producer, booth, mock_url, &shop, &ec) != ERR_OK)
            return demo_fail(&ec);
        for (int i = 0; i < n; i++)
            if (sync_list_product(db, &demo_actor, shop, products[i], NULL,
                                  &ec) != ERR_OK)
                return demo_fail(&ec);
    }
    printf("demo: %d products of booth %lld listed on every mock shop;"
           " see %s/_mock/\n", n, (long long)booth, mock_url);
    return 0;
}
