/* sync_status.c: what a producer sees per product and marketplace, and
 * the office's view of the queue's health. */
#include "sync/sync_int.h"

#include <stdio.h>
#include <string.h>

enum err sync_missing(struct db *db, int64_t listing_id, cJSON **out,
                      struct err_ctx *ec)
{
    static const char sql[] = "SELECT shop_id FROM sync_listings WHERE id = ?1";
    struct arena a;
    struct sync_shop_rec shop;
    struct mkt_item item;
    struct sync_listing_rec lr;
    struct sync_opts o;
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = cJSON_CreateArray();
    if (!st || !*out)
        return st ? err_set(ec, ERR_NOMEM, "out of memory") : ERR_DB;
    sqlite3_bind_int64(st, 1, listing_id);
    int64_t shop_id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sync_opts_default(&o);
    memset(&item, 0, sizeof item);
    memset(&lr, 0, sizeof lr);
    arena_init(&a, 8192);
    enum err e = sync_shop_load(db, shop_id, &a, &shop, ec);
    if (e == ERR_OK)
        e = sync_item_load(db, listing_id, &shop, &o, &a, &item, &lr, ec);
    if (e == ERR_OK)
        e = sync_item_missing(db, &shop, lr.group_code, &item, *out, ec);
    sync_item_free(&item, &lr);
    arena_release(&a);
    return e;
}

/* ---- per product ---- */

static const char shops_sql[] =
    "SELECT s.id, s.name, s.market, s.state, s.web_base, s.shop_ref"
    " FROM sync_shops s JOIN products p ON p.producer_id = s.producer_id"
    " WHERE p.id = ?1 ORDER BY s.id";

static const char variants_sql[] =
    "SELECT v.id, v.sku, v.size, l.id, l.status, l.message, l.ext_item_id,"
    " l.synced_at, l.wanted, j.id, j.state, j.attempts"
    " FROM variants v LEFT JOIN sync_listings l"
    "  ON l.variant_id = v.id AND l.shop_id = ?2"
    " LEFT JOIN sync_jobs j ON j.id = (SELECT MAX(id) FROM sync_jobs"
    "  WHERE listing_id = l.id AND state <> 'done')"
    " WHERE v.product_id = ?1 ORDER BY v.position, v.id";

static void add_link(cJSON *o, const struct mkt_connector *c,
                     const struct mkt_shop *s, const char *ext)
{
    char link[512] = "";
    if (c && ext && *ext && c->link)
        c->link(s, ext, link, sizeof link);
    if (link[0])
        cJSON_AddStringToObject(o, "link", link);
    else
        cJSON_AddNullToObject(o, "link");
}

static cJSON *variant_row(sqlite3_stmt *st,
                          const struct mkt_connector *c,
                          const struct mkt_shop *s, int *listed)
{
    cJSON *o = cJSON_CreateObject();
    int has = sqlite3_column_type(st, 3) != SQLITE_NULL;
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "variant_id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "sku", db_text(st, 1));
    cJSON_AddStringToObject(o, "size", db_text(st, 2) ? db_text(st, 2) : "");
    if (!has) {
        cJSON_AddNullToObject(o, "listing_id");
        cJSON_AddStringToObject(o, "status", "none");
        return o;
    }
    *listed = *listed || sqlite3_column_int(st, 8);
    int64_t lid = sqlite3_column_int64(st, 3);
    cJSON_AddNumberToObject(o, "listing_id", (double)lid);
    cJSON_AddStringToObject(o, "status", db_text(st, 4));
    cJSON_AddStringToObject(o, "message", db_text(st, 5));
    add_link(o, c, s, db_text(st, 6));
    cJSON_AddBoolToObject(o, "wanted", sqlite3_column_int(st, 8));
    if (db_text(st, 7))
        cJSON_AddStringToObject(o, "synced_at", db_text(st, 7));
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        cJSON_AddNumberToObject(o, "job_id", (double)sqlite3_column_int64(st, 9));
        cJSON_AddStringToObject(o, "job_state", db_text(st, 10));
        cJSON_AddNumberToObject(o, "attempts", sqlite3_column_int(st, 11));
    }
    return o;
}

static enum err add_missing_lists(struct db *db, cJSON *variants,
                                  struct err_ctx *ec)
{
    cJSON *v;
    cJSON_ArrayForEach(v, variants) {
        const cJSON *lid = cJSON_GetObjectItemCaseSensitive(v, "listing_id");
        cJSON *missing = NULL;
        if (!cJSON_IsNumber(lid))
            continue;
        enum err e = sync_missing(db, (int64_t)lid->valuedouble, &missing, ec);
        if (e != ERR_OK) {
            cJSON_Delete(missing);
            return e;
        }
        cJSON_AddItemToObject(v, "missing", missing);
    }
    return ERR_OK;
}

static enum err shop_variants(struct db *db, int64_t product_id,
                              int64_t shop_id, const struct mkt_connector *c,
                              const struct mkt_shop *s, cJSON *shop,
                              struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, variants_sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(shop, "variants");
    int listed = 0, rc;
    if (!st || !arr)
        return st ? err_set(ec, ERR_NOMEM, "out of memory") : ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, shop_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = variant_row(st, c, s, &listed);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            sqlite3_reset(st);
            return err_set(ec, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_reset(st);
    cJSON_AddBoolToObject(shop, "listed", listed);
    return rc == SQLITE_DONE ? add_missing_lists(db, arr, ec)
                             : err_set(ec, ERR_DB, "variants");
}

enum err sync_product_status(struct db *db, int64_t product_id, cJSON **out,
                             struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    *out = arr;
    if (!arr)
        return err_set(ec, ERR_NOMEM, "out of memory");
    /* Collect the shops first: the per-shop queries reuse statements. */
    sqlite3_stmt *st = db_stmt(db, shops_sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        const struct mkt_connector *c = mkt_connector(db_text(st, 2));
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            sqlite3_reset(st);
            return err_set(ec, ERR_NOMEM, "out of memory");
        }
        cJSON_AddNumberToObject(o, "shop_id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "shop", db_text(st, 1));
        cJSON_AddStringToObject(o, "market", db_text(st, 2));
        cJSON_AddStringToObject(o, "market_label", c ? c->label : db_text(st, 2));
        cJSON_AddStringToObject(o, "state", db_text(st, 3));
        cJSON_AddStringToObject(o, "web_base", db_text(st, 4));
        cJSON_AddStringToObject(o, "shop_ref", db_text(st, 5));
    }
    sqlite3_reset(st);
    cJSON *o;
    cJSON_ArrayForEach(o, arr) {
        const char *market = cJSON_GetObjectItem(o, "market")->valuestring;
        struct mkt_shop s = {.market = market,
                             .web_base = cJSON_GetObjectItem(o, "web_base")->valuestring,
                             .shop_ref = cJSON_GetObjectItem(o, "shop_ref")->valuestring};
        enum err e = shop_variants(db, product_id,
                                   (int64_t)cJSON_GetObjectItem(o, "shop_id")->valuedouble,
                                   mkt_connector(market), &s, o, ec);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* ---- the queue's health ---- */

static const char counts_sql[] =
    "SELECT (SELECT COUNT(*) FROM sync_jobs WHERE state = 'pending'),"
    " (SELECT COUNT(*) FROM sync_jobs WHERE state = 'running'),"
    " (SELECT COUNT(*) FROM sync_jobs WHERE state = 'failed'),"
    " (SELECT COUNT(*) FROM sync_jobs WHERE state = 'dead'),"
    " (SELECT COUNT(*) FROM sync_jobs WHERE state = 'done'"
    "   AND finished_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour')),"
    " COALESCE((SELECT CAST((julianday('now') - julianday(MIN(queued_at)))"
    "   * 86400 AS INTEGER) FROM sync_jobs WHERE state = 'pending'), 0)";

static const char health_shops_sql[] =
    "SELECT s.id, s.name, s.market, s.state, s.state_message,"
    " SUM(j.state = 'pending'), SUM(j.state = 'failed'),"
    " SUM(j.state = 'dead'),"
    " MAX(CASE WHEN j.state = 'done' THEN j.finished_at END)"
    " FROM sync_shops s LEFT JOIN sync_listings l ON l.shop_id = s.id"
    " LEFT JOIN sync_jobs j ON j.listing_id = l.id"
    " GROUP BY s.id ORDER BY s.name";

static const char problems_sql[] =
    "SELECT j.id, j.listing_id, s.name, s.market, v.sku, j.kind, j.state,"
    " j.attempts, j.http_status, j.error_code, j.message, j.finished_at"
    " FROM sync_jobs j JOIN sync_listings l ON l.id = j.listing_id"
    " JOIN sync_shops s ON s.id = l.shop_id"
    " JOIN variants v ON v.id = l.variant_id"
    " WHERE j.state IN ('failed', 'dead') ORDER BY j.id DESC LIMIT 200";

static enum err health_counts(struct db *db, cJSON *h, struct err_ctx *ec)
{
    static const char *const names[] = {"pending", "running", "failed",
                                        "dead", "done_1h", "oldest_pending_s"};
    sqlite3_stmt *st = db_stmt(db, counts_sql, ec);
    if (!st)
        return ERR_DB;
    if (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 6; i++)
            cJSON_AddNumberToObject(h, names[i],
                                    (double)sqlite3_column_int64(st, i));
    sqlite3_reset(st);
    return ERR_OK;
}

static cJSON *health_shop(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    const struct mkt_connector *c = mkt_connector(db_text(st, 2));
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "name", db_text(st, 1));
    cJSON_AddStringToObject(o, "market_label", c ? c->label : db_text(st, 2));
    cJSON_AddStringToObject(o, "state", db_text(st, 3));
    cJSON_AddStringToObject(o, "state_message", db_text(st, 4));
    cJSON_AddNumberToObject(o, "pending", sqlite3_column_int(st, 5));
    cJSON_AddNumberToObject(o, "failed", sqlite3_column_int(st, 6));
    cJSON_AddNumberToObject(o, "dead", sqlite3_column_int(st, 7));
    if (db_text(st, 8))
        cJSON_AddStringToObject(o, "last_ok_at", db_text(st, 8));
    else
        cJSON_AddNullToObject(o, "last_ok_at");
    return o;
}

static cJSON *problem_row(sqlite3_stmt *st)
{
    static const char *const text_cols[] = {"shop", "market", "sku", "kind",
                                            "state"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "job_id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddNumberToObject(o, "listing_id", (double)sqlite3_column_int64(st, 1));
    for (int i = 0; i < 5; i++)
        cJSON_AddStringToObject(o, text_cols[i], db_text(st, 2 + i));
    const struct mkt_connector *c = mkt_connector(db_text(st, 3));
    cJSON_AddStringToObject(o, "market_label", c ? c->label : db_text(st, 3));
    cJSON_AddNumberToObject(o, "attempts", sqlite3_column_int(st, 7));
    cJSON_AddNumberToObject(o, "http_status", sqlite3_column_int(st, 8));
    cJSON_AddStringToObject(o, "error_code", db_text(st, 9));
    cJSON_AddStringToObject(o, "message", db_text(st, 10));
    cJSON_AddStringToObject(o, "finished_at", db_text(st, 11) ? db_text(st, 11) : "");
    return o;
}

static enum err health_rows(struct db *db, const char *sql,
                            cJSON *(*row)(sqlite3_stmt *), cJSON *arr,
                            struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int rc;
    if (!st || !arr)
        return st ? err_set(ec, ERR_NOMEM, "out of memory") : ERR_DB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = row(st);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            sqlite3_reset(st);
            return err_set(ec, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : err_set(ec, ERR_DB, "health");
}

enum err sync_health(struct db *db, cJSON **out, struct err_ctx *ec)
{
    cJSON *h = cJSON_CreateObject();
    *out = h;
    if (!h)
        return err_set(ec, ERR_NOMEM, "out of memory");
    enum err e = health_counts(db, h, ec);
    if (e == ERR_OK)
        e = health_rows(db, health_shops_sql, health_shop,
                        cJSON_AddArrayToObject(h, "shops"), ec);
    if (e == ERR_OK)
        e = health_rows(db, problems_sql, problem_row,
                        cJSON_AddArrayToObject(h, "problems"), ec);
    return e;
}
