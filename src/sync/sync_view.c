/* sync_view.c: listings as producers and the office see and change them:
 * putting a product on a shop, taking it off, its status per shop, the
 * queue's health, "retry now". */
#include "sync/sync_int.h"

#include <stdio.h>
#include <string.h>

/* ---- shops ---- */

static const char shops_sql[] =
    "SELECT s.id, s.market, s.name, s.producer_id, pr.name, s.location_id,"
    " l.name, s.state, s.state_message, s.secrets IS NOT NULL"
    "  AND s.access_expires_at > 0, s.access_expires_at, s.orders_since,"
    " (SELECT COUNT(*) FROM sync_listings x WHERE x.shop_id = s.id),"
    " (SELECT COUNT(*) FROM sync_listings x WHERE x.shop_id = s.id"
    "   AND x.status = 'synced'),"
    " (SELECT COUNT(*) FROM sync_listings x WHERE x.shop_id = s.id"
    "   AND x.status = 'waiting'),"
    " (SELECT COUNT(*) FROM sync_listings x WHERE x.shop_id = s.id"
    "   AND x.status = 'failed'),"
    " (SELECT COUNT(*) FROM sync_jobs j JOIN sync_listings x"
    "   ON x.id = j.listing_id WHERE x.shop_id = s.id AND j.state = 'dead'),"
    " s.is_demo"
    " FROM sync_shops s JOIN producers pr ON pr.id = s.producer_id"
    " JOIN locations l ON l.id = s.location_id"
    " WHERE (?1 = 0 OR s.producer_id = ?1) AND (?2 = 0 OR s.id = ?2)"
    " ORDER BY s.producer_id, s.market, s.name";

static cJSON *shop_row(sqlite3_stmt *st)
{
    static const char *const counts[] = {"listings", "synced", "waiting",
                                         "failed", "dead"};
    cJSON *o = cJSON_CreateObject();
    const struct mkt_connector *c = mkt_connector(db_text(st, 1));
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "market", db_text(st, 1));
    cJSON_AddStringToObject(o, "market_label", c ? c->label : db_text(st, 1));
    cJSON_AddStringToObject(o, "name", db_text(st, 2));
    cJSON_AddNumberToObject(o, "producer_id", (double)sqlite3_column_int64(st, 3));
    cJSON_AddStringToObject(o, "producer", db_text(st, 4));
    cJSON_AddNumberToObject(o, "location_id", (double)sqlite3_column_int64(st, 5));
    cJSON_AddStringToObject(o, "location", db_text(st, 6));
    cJSON_AddStringToObject(o, "state", db_text(st, 7));
    cJSON_AddStringToObject(o, "state_message", db_text(st, 8));
    cJSON_AddBoolToObject(o, "connected", sqlite3_column_int(st, 9));
    cJSON_AddNumberToObject(o, "access_expires_at", (double)sqlite3_column_int64(st, 10));
    cJSON_AddNumberToObject(o, "orders_since", (double)sqlite3_column_int64(st, 11));
    for (int i = 0; i < 5; i++)
        cJSON_AddNumberToObject(o, counts[i], sqlite3_column_int(st, 12 + i));
    cJSON_AddBoolToObject(o, "demo", sqlite3_column_int(st, 17));
    return o;
}

static enum err shops_query(struct db *db, int64_t producer_id,
                            int64_t shop_id, cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, shops_sql, ec);
    int rc;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, producer_id);
    sqlite3_bind_int64(st, 2, shop_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = shop_row(st);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            sqlite3_reset(st);
            return err_set(ec, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : err_set(ec, ERR_DB, "shops");
}

enum err sync_shops(struct db *db, int64_t producer_id, cJSON **out,
                    struct err_ctx *ec)
{
    *out = cJSON_CreateArray();
    if (!*out)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return shops_query(db, producer_id, 0, *out, ec);
}

enum err sync_shop(struct db *db, int64_t shop_id, cJSON **out,
                   struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    *out = NULL;
    if (!arr)
        return err_set(ec, ERR_NOMEM, "out of memory");
    enum err e = shop_id > 0 ? shops_query(db, 0, shop_id, arr, ec) : ERR_OK;
    if (e == ERR_OK && cJSON_GetArraySize(arr) == 0)
        e = err_user(ec, ERR_NOTFOUND, "err_shop_not_found", NULL, "no shop");
    if (e == ERR_OK)
        *out = cJSON_DetachItemFromArray(arr, 0);
    cJSON_Delete(arr);
    return e;
}

/* ---- putting a product on a shop ---- */

struct list_tx {
    const struct actor *who;
    int64_t shop_id, product_id;
    int added;
};

static enum err list_check(struct db *db, struct list_tx *t, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.producer_id = p.producer_id FROM sync_shops s, products p"
        " WHERE s.id = ?1 AND p.id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, t->shop_id);
    sqlite3_bind_int64(st, 2, t->product_id);
    int rc = sqlite3_step(st);
    int same = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return err_user(ec, ERR_NOTFOUND, "err_shop_not_found", NULL,
                        "no such shop or product");
    return same ? ERR_OK
                : err_user(ec, ERR_FORBIDDEN, "err_shop_other_producer", NULL,
                           "the shop sells for another producer");
}

static enum err list_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char add_sql[] =
        "INSERT OR IGNORE INTO sync_listings (shop_id, variant_id)"
        " SELECT ?1, id FROM variants WHERE product_id = ?2";
    static const char want_sql[] =
        "UPDATE sync_listings SET wanted = 1 WHERE shop_id = ?1 AND wanted = 0"
        " AND variant_id IN (SELECT id FROM variants WHERE product_id = ?2)";
    struct list_tx *t = cls;
    enum err e = list_check(db, t, ec);
    sqlite3_stmt *st = e == ERR_OK ? db_stmt(db, add_sql, ec) : NULL;
    if (e != ERR_OK || !st)
        return e != ERR_OK ? e : ERR_DB;
    sqlite3_bind_int64(st, 1, t->shop_id);
    sqlite3_bind_int64(st, 2, t->product_id);
    e = db_exec(db, st, ec);
    t->added = sqlite3_changes(db_handle(db));
    st = e == ERR_OK ? db_stmt(db, want_sql, ec) : NULL;
    if (e != ERR_OK || !st)
        return e != ERR_OK ? e : ERR_DB;
    sqlite3_bind_int64(st, 1, t->shop_id);
    sqlite3_bind_int64(st, 2, t->product_id);
    e = db_exec(db, st, ec);
    return e == ERR_OK ? audit_record(db, t->who, "listing.add", "product",
                                      t->product_id, "", NULL, NULL, ec)
                       : e;
}

enum err sync_list_product(struct db *db, const struct actor *who,
                           int64_t shop_id, int64_t product_id, int *added,
                           struct err_ctx *ec)
{
    struct list_tx t = {who, shop_id, product_id, 0};
    enum err e = db_tx_run(db, "sync_list_product", list_fn, &t, ec);
    if (added)
        *added = t.added;
    return e;
}

struct wanted_tx {
    const struct actor *who;
    int64_t listing_id;
    int wanted;
};

static enum err wanted_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_listings SET wanted = ?2 WHERE id = ?1";
    struct wanted_tx *t = cls;
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, t->listing_id);
    sqlite3_bind_int(st, 2, t->wanted);
    enum err e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_listing_not_found", NULL,
                        "no such listing");
    return e == ERR_OK ? audit_record(db, t->who,
                                      t->wanted ? "listing.relist"
                                                : "listing.unlist",
                                      "sync_listing", t->listing_id, "", NULL,
                                      NULL, ec)
                       : e;
}

enum err sync_listing_set_wanted(struct db *db, const struct actor *who,
                                 int64_t listing_id, int wanted,
                                 struct err_ctx *ec)
{
    struct wanted_tx t = {who, listing_id, wanted ? 1 : 0};
    return db_tx_run(db, "sync_listing_wanted", wanted_fn, &t, ec);
}

/* ---- owners, for the portal's checks ---- */

static enum err owner_of(struct db *db, const char *sql, int64_t id,
                         int64_t *out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    *out = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_listing_not_found", NULL,
                            "not found");
}

enum err sync_job_producer(struct db *db, int64_t job_id, int64_t *out,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.producer_id FROM sync_jobs j"
        " JOIN sync_listings l ON l.id = j.listing_id"
        " JOIN sync_shops s ON s.id = l.shop_id WHERE j.id = ?1";
    return owner_of(db, sql, job_id, out, ec);
}

enum err sync_listing_producer(struct db *db, int64_t listing_id,
                               int64_t *out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.producer_id FROM sync_listings l"
        " JOIN sync_shops s ON s.id = l.shop_id WHERE l.id = ?1";
    return owner_of(db, sql, listing_id, out, ec);
}

/* ---- retry now ---- */

static int job_exists(struct db *db, int64_t id)
{
    static const char sql[] = "SELECT 1 FROM sync_jobs WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

struct retry_tx {
    const struct actor *who;
    int64_t job_id;
};

static enum err retry_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    /* A pending job of the same kind already carries the change: the old
     * one is then simply closed. */
    static const char sql[] =
        "UPDATE OR IGNORE sync_jobs SET state = 'pending', attempts = 0,"
        " due_ms = 0, finished_at = NULL WHERE id = ?1"
        " AND state IN ('failed', 'dead')";
    static const char close_sql[] =
        "UPDATE sync_jobs SET state = 'done', message = 'superseded'"
        " WHERE id = ?1 AND state IN ('failed', 'dead')";
    struct retry_tx *t = cls;
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, t->job_id);
    enum err e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0) {
        st = db_stmt(db, close_sql, ec);
        if (!st)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, t->job_id);
        e = db_exec(db, st, ec);
        if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
            return job_exists(db, t->job_id)
                       ? err_user(ec, ERR_CONFLICT, "err_job_not_failed", NULL,
                                  "the job is not failed")
                       : err_user(ec, ERR_NOTFOUND, "err_listing_not_found",
                                  NULL, "no such job");
    }
    return e == ERR_OK ? audit_record(db, t->who, "sync.retry", "sync_job",
                                      t->job_id, "", NULL, NULL, ec)
                       : e;
}

enum err sync_retry(struct db *db, const struct actor *who, int64_t job_id,
                    struct err_ctx *ec)
{
    struct retry_tx t = {who, job_id};
    return db_tx_run(db, "sync_retry", retry_fn, &t, ec);
}
