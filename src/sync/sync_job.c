/* sync_job.c: the outbox from the worker's side: claiming jobs in order,
 * and writing down what became of them. Every function here runs inside
 * the caller's transaction. */
#include "sync/sync_job.h"

#include <stdio.h>
#include <string.h>

static const char claim_sql[] =
    "UPDATE sync_jobs SET state = 'running' WHERE id = ?1 AND state = 'pending'";

/* The first pending job of each listing, due, on an active shop, and no
 * job of that listing in flight: a listing's jobs run one at a time, in
 * the order they were queued, so a later price or stock update can never
 * be overtaken by an earlier one. Asked per shop, through its listings:
 * the worker asks only for shops that may send now, so a long queue held
 * back by rate limits costs nothing to look at. */
static const char shop_due_sql[] =
    "SELECT j.id, j.listing_id, j.kind, j.attempts FROM sync_listings l"
    " JOIN sync_jobs j ON j.id = (SELECT MIN(p.id) FROM sync_jobs p"
    "  WHERE p.listing_id = l.id AND p.state = 'pending')"
    " WHERE l.shop_id = ?2 AND j.due_ms <= ?1"
    " AND EXISTS (SELECT 1 FROM sync_shops s WHERE s.id = ?2"
    "     AND s.state = 'active')"
    " AND NOT EXISTS (SELECT 1 FROM sync_jobs r"
    "     WHERE r.listing_id = l.id AND r.state = 'running')"
    " ORDER BY j.id LIMIT ?3";

enum err sync_job_claim_shop(struct db *db, int64_t now_ms, int64_t shop_id,
                             int limit, struct sync_job *out, int *n,
                             struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, shop_due_sql, ec);
    enum err e = ERR_OK;
    *n = 0;
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, shop_id);
    sqlite3_bind_int(st, 3, limit);
    while (*n < limit && sqlite3_step(st) == SQLITE_ROW) {
        struct sync_job *j = &out[(*n)++];
        j->id = sqlite3_column_int64(st, 0);
        j->listing_id = sqlite3_column_int64(st, 1);
        snprintf(j->kind, sizeof j->kind, "%s", db_text(st, 2));
        j->attempts = sqlite3_column_int(st, 3);
        j->shop_id = shop_id;
    }
    sqlite3_reset(st);
    for (int i = 0; e == ERR_OK && i < *n; i++) {
        sqlite3_stmt *c = db_stmt(db, claim_sql, ec);
        if (!c)
            return ERR_DB;
        sqlite3_bind_int64(c, 1, out[i].id);
        e = db_exec(db, c, ec);
    }
    return e;
}

/* sync_job_prune: done jobs older than a week go (the office's figures
 * look back an hour; the audit log keeps who changed what). */
enum err sync_job_prune(struct db *db, struct err_ctx *ec)
{
    static const char sql[] =
        "DELETE FROM sync_jobs WHERE state = 'done' AND finished_at <"
        " strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    return st ? db_exec(db, st, ec) : ERR_DB;
}

/* sync_job_recover: after a crash, what was in flight runs again
 * (a pending job of the same kind already carries the newer change). */
enum err sync_job_recover(struct db *db, struct err_ctx *ec)
{
    static const char back_sql[] =
        "UPDATE OR IGNORE sync_jobs SET state = 'pending'"
        " WHERE state = 'running'";
    static const char drop_sql[] =
        "UPDATE sync_jobs SET state = 'done', message = 'superseded',"
        " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE state = 'running'";
    sqlite3_stmt *st = db_stmt(db, back_sql, ec);
    enum err e = st ? db_exec(db, st, ec) : ERR_DB;
    st = e == ERR_OK ? db_stmt(db, drop_sql, ec) : NULL;
    return e == ERR_OK ? (st ? db_exec(db, st, ec) : ERR_DB) : e;
}

static enum err finish(struct db *db, const struct sync_job_end *end,
                       struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_jobs SET state = ?2, attempts = ?3, due_ms = ?4,"
        " http_status = ?5, error_code = ?6, message = ?7,"
        " finished_at = CASE WHEN ?2 = 'pending' THEN NULL"
        "  ELSE strftime('%Y-%m-%dT%H:%M:%fZ') END WHERE id = ?1";
    static const char drop_sql[] =
        "UPDATE sync_jobs SET state = 'done', message = 'superseded',"
        " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, end->job_id);
    sqlite3_bind_text(st, 2, end->state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, end->attempts);
    sqlite3_bind_int64(st, 4, end->due_ms);
    sqlite3_bind_int64(st, 5, end->http_status);
    sqlite3_bind_text(st, 6, end->code ? end->code : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, end->message ? end->message : "", -1,
                      SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT && strcmp(end->state, "pending") == 0) {
        /* A newer change queued the same kind meanwhile: it carries the
         * catalog's latest value, so this one is done. */
        st = db_stmt(db, drop_sql, ec);
        if (!st)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, end->job_id);
        return db_exec(db, st, ec);
    }
    return rc == SQLITE_DONE ? ERR_OK
                             : err_set(ec, ERR_DB, "finishing job: %s",
                                       sqlite3_errmsg(db_handle(db)));
}

static enum err listing_status(struct db *db, const struct sync_job_end *end,
                               struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_listings SET status = ?2, message = ?3,"
        " synced_at = CASE WHEN ?2 IN ('synced', 'unlisted')"
        "  THEN strftime('%Y-%m-%dT%H:%M:%SZ') ELSE synced_at END"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, end->listing_id);
    sqlite3_bind_text(st, 2, end->listing_status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, end->listing_message ? end->listing_message : "",
                      -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}

enum err sync_job_end(struct db *db, const struct sync_job_end *end,
                      struct err_ctx *ec)
{
    enum err e = finish(db, end, ec);
    if (e == ERR_OK && end->listing_status)
        e = listing_status(db, end, ec);
    return e;
}

enum err sync_listing_sent(struct db *db, int64_t listing_id,
                           const struct sync_sent *s, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_listings SET"
        " ext_item_id = COALESCE(?2, ext_item_id),"
        " ext_sku_id = COALESCE(?3, ext_sku_id),"
        " create_sent = COALESCE(?4, create_sent),"
        " sent_price = COALESCE(?5, sent_price),"
        " sent_stock = COALESCE(?6, sent_stock) WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, listing_id);
    if (s->ext_item_id)
        sqlite3_bind_text(st, 2, s->ext_item_id, -1, SQLITE_TRANSIENT);
    if (s->ext_sku_id)
        sqlite3_bind_text(st, 3, s->ext_sku_id, -1, SQLITE_TRANSIENT);
    if (s->create_sent >= 0)
        sqlite3_bind_int(st, 4, s->create_sent);
    if (s->price >= 0)
        sqlite3_bind_int64(st, 5, s->price);
    if (s->stock >= 0)
        sqlite3_bind_int64(st, 6, s->stock);
    return db_exec(db, st, ec);
}

enum err sync_listing_image(struct db *db, int64_t listing_id,
                            int64_t photo_id, const char *ref,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_listings SET images = json_set(images, '$.' || ?2, ?3)"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, listing_id);
    sqlite3_bind_int64(st, 2, photo_id);
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}
