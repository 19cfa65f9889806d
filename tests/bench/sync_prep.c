/* sync_prep.c: the database for the sync benchmark (tests/bench/sync.sh).
 * usage: sync_prep DB MOCK_URL SHOPS REQUESTS_PER_SHOP RATE MEDIA_DIR
 * On a database with sample products (`ocop sample`), through the library
 * the server runs: a category mapping for every marketplace, package
 * weights, one real photo per product (the photo pipeline once, then hard
 * links, as uploads would leave), SHOPS shops cycling through the five
 * marketplaces, each limited to RATE requests a second and connected to
 * the mock, and products put on each: REQUESTS_PER_SHOP / 2 where a
 * listing takes two calls (an image, then the item: Shopee, Lazada, TikTok),
 * REQUESTS_PER_SHOP on Tiki and Sendo, so every shop has the same work. The secret key
 * comes from OCOP_SECRET_KEY. Prints the number of listings. */
#include "catalog/cat_photo.h"
#include "db/db.h"
#include "media/photo.h"
#include "seal/seal.h"
#include "sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

static const char *const markets[] = {"shopee", "lazada", "tiktok", "tiki",
                                      "sendo"};
static const struct actor bench = {0, "bench", ""};

static void die(const char *what, const struct err_ctx *ec)
{
    fprintf(stderr, "sync_prep: %s: %s\n", what, ec ? ec->msg : "");
    exit(1);
}

static void map_all(struct db *db)
{
    for (int m = 0; m < 5; m++)
        for (int g = 1; g <= 5; g++) {
            struct err_ctx ec = {0};
            char id[16];
            snprintf(id, sizeof(id), "%d00%d", m + 1, g);
            if (sync_category_set(db, &bench, markets[m], g, id, "bench", "{}",
                                  "[\"category\",\"image\",\"weight\"]", &ec) != ERR_OK)
                die("mapping", &ec);
        }
}

static void photo_for(struct db *db, int64_t product, const struct photo_result *res,
                      const char *media)
{
    struct cat_photo_new p = {res->hash, res->width, res->height, "ảnh", "photo"};
    char base[CAT_PHOTO_BASE], from[512], to[512];
    struct err_ctx ec = {0};
    int64_t id;
    if (cat_photo_add(db, product, &p, &id, base, &ec) != ERR_OK)
        die("photo", &ec);
    for (int w = 0; w < PHOTO_N_SIZES; w++) {
        snprintf(from, sizeof(from), "%s/src-%d.jpg", media, photo_width(w));
        snprintf(to, sizeof(to), "%s/%s-%d.jpg", media, base, photo_width(w));
        if (link(from, to) != 0)
            die("link", NULL);
    }
}

static void shop_for(struct db *db, int i, const char *mock, double rate,
                     int64_t *id)
{
    const char *m = markets[i % 5];
    int sendo = strcmp(m, "sendo") == 0;
    char name[32], api[256], auth[256], code[64];
    struct err_ctx ec = {0};
    snprintf(name, sizeof(name), "bench%02d", i);
    snprintf(api, sizeof(api), "%s/%s", mock, m);
    snprintf(auth, sizeof(auth), "%s/%s%s", mock, m,
             strcmp(m, "lazada") == 0 || strcmp(m, "tiktok") == 0 ? "-auth" : "");
    snprintf(code, sizeof(code), "mock-%s", name);
    struct sync_shop_new n = {.market = m, .name = name, .producer_id = i + 1,
                              .api_base = api, .auth_base = auth, .web_base = api,
                              .app_key = sendo ? name : "100001",
                              .app_secret = "ocop-demo-secret", .shop_ref = name,
                              .warehouse = "wh-1", .rate_per_s = rate};
    if (sync_shop_add(db, &bench, &n, id, &ec) != ERR_OK ||
        sync_shop_connect(db, &bench, *id, sendo ? NULL : code, NULL, name, &ec) != ERR_OK)
        die("shop", &ec);
}

static int list_for(struct db *db, int i, int64_t shop, int per_shop,
                    const struct photo_result *res, const char *media)
{
    static const char sql[] =
        "SELECT id FROM products WHERE producer_id = ?1 AND status = 'certified'"
        " AND hidden_at IS NULL AND group_code <> 6 AND is_sample = 1"
        " AND (SELECT COUNT(*) FROM variants v WHERE v.product_id = products.id) = 1"
        " ORDER BY id LIMIT ?2"; /* one variant each: the same work per shop */
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t ids[1000];
    int n = 0, listed = 0;
    sqlite3_bind_int64(st, 1, i + 1);
    sqlite3_bind_int(st, 2, per_shop < 1000 ? per_shop : 1000);
    while (sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int k = 0; k < n; k++) {
        struct err_ctx ec = {0};
        int added = 0;
        photo_for(db, ids[k], res, media);
        if (sync_list_product(db, &bench, shop, ids[k], &added, &ec) != ERR_OK)
            die("list", &ec);
        listed += added;
    }
    return listed;
}

int main(int argc, char **argv)
{
    struct err_ctx ec = {0};
    struct db *db = NULL;
    struct photo_result res;
    VipsImage *noise = NULL, *u = NULL;
    char png[600];
    int listed = 0;

    if (argc != 7 || VIPS_INIT(argv[0]) != 0) {
        fprintf(stderr, "usage: sync_prep DB MOCK SHOPS PER_SHOP RATE MEDIA\n");
        return 2;
    }
    if (seal_init(NULL, &ec) != ERR_OK || db_open(argv[1], DB_READWRITE, &db, &ec) != ERR_OK ||
        db_migrate(db, NULL, &ec) != ERR_OK)
        die("database", &ec);
    map_all(db);
    snprintf(png, sizeof(png), "%s/../photo.png", argv[6]);
    mkdir(argv[6], 0755);
    if (vips_gaussnoise(&noise, 800, 800, "mean", 120.0, "sigma", 30.0, NULL) ||
        vips_cast_uchar(noise, &u, NULL) || vips_pngsave(u, png, NULL))
        die("vips", NULL);
    g_object_unref(noise);
    g_object_unref(u);
    if (photo_process(png, argv[6], "src", &res, &ec) != ERR_OK)
        die("photo_process", &ec);
    sqlite3_exec(db_handle(db), "UPDATE variants SET weight_g = 500", NULL, NULL, NULL);
    long shops = strtol(argv[3], NULL, 10), calls = strtol(argv[4], NULL, 10);
    for (int i = 0; i < shops; i++) {
        int64_t shop = 0;
        int two_calls = i % 5 < 3; /* shopee, lazada, tiktok */
        shop_for(db, i, argv[2], strtod(argv[5], NULL), &shop);
        listed += list_for(db, i, shop, (int)(two_calls ? calls / 2 : calls),
                           &res, argv[6]);
    }
    printf("%d\n", listed);
    db_close(db);
    vips_shutdown();
    return 0;
}
