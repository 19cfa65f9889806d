/* sync_shop.c: marketplace shops, their sealed credentials, and the
 * seller's authorisation (the code-for-token exchange). */
#include "sync/sync_int.h"

#include "core/log.h"
#include "seal/seal.h"
#include "stock/stk.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- secrets ---- */

struct creds {
    char app_secret[256], access_token[512], refresh_token[512];
};

static enum err creds_seal(const struct creds *c, struct sb *out,
                           struct err_ctx *ec)
{
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "app_secret", c->app_secret) ||
        !cJSON_AddStringToObject(j, "access_token", c->access_token) ||
        !cJSON_AddStringToObject(j, "refresh_token", c->refresh_token)) {
        cJSON_Delete(j);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return err_set(ec, ERR_NOMEM, "out of memory");
    enum err e = seal_box(text, strlen(text), out, ec);
    sodium_memzero(text, strlen(text));
    cJSON_free(text);
    return e;
}

static void creds_field(const cJSON *j, const char *name, char *buf,
                        size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    mkt_copy(buf, size, cJSON_IsString(v) ? v->valuestring : "");
}

static enum err creds_open(const void *blob, size_t n, struct creds *c,
                           struct err_ctx *ec)
{
    memset(c, 0, sizeof *c);
    if (!blob || n == 0)
        return ERR_OK;
    struct sb plain;
    sb_init(&plain, 1u << 16);
    enum err e = seal_open(blob, n, &plain, ec);
    cJSON *j = e == ERR_OK ? cJSON_Parse(sb_str(&plain)) : NULL;
    if (e == ERR_OK && !j)
        e = err_set(ec, ERR_INVALID, "sealed credentials are not JSON");
    if (j) {
        creds_field(j, "app_secret", c->app_secret, sizeof c->app_secret);
        creds_field(j, "access_token", c->access_token,
                    sizeof c->access_token);
        creds_field(j, "refresh_token", c->refresh_token,
                    sizeof c->refresh_token);
        cJSON_Delete(j);
    }
    if (plain.cap)
        sodium_memzero(plain.buf, plain.cap);
    sb_release(&plain);
    return e;
}

static enum err creds_store(struct db *db, int64_t shop_id,
                            const struct creds *c, struct err_ctx *ec)
{
    static const char sql[] = "UPDATE sync_shops SET secrets = ?2 WHERE id = ?1";
    struct sb box;
    sb_init(&box, 1u << 16);
    enum err e = creds_seal(c, &box, ec);
    sqlite3_stmt *st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (e == ERR_OK && !st)
        e = ERR_DB;
    if (e == ERR_OK) {
        sqlite3_bind_int64(st, 1, shop_id);
        sqlite3_bind_blob(st, 2, box.buf, (int)box.len, SQLITE_TRANSIENT);
        e = db_exec(db, st, ec);
    }
    sb_release(&box);
    return e;
}

/* ---- loading ---- */

static const char load_sql[] =
    "SELECT market, producer_id, location_id, api_base, auth_base, web_base,"
    " app_key, shop_ref, warehouse, secrets, access_expires_at,"
    " refresh_expires_at, state, rate_per_s, orders_since"
    " FROM sync_shops WHERE id = ?1";

static const char *dup_col(struct arena *a, sqlite3_stmt *st, int col)
{
    const char *s = db_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static enum err load_row(sqlite3_stmt *st, struct arena *a,
                         struct sync_shop_rec *o, struct creds *c,
                         struct err_ctx *ec)
{
    o->s.market = dup_col(a, st, 0);
    o->producer_id = sqlite3_column_int64(st, 1);
    o->location_id = sqlite3_column_int64(st, 2);
    o->s.api_base = dup_col(a, st, 3);
    o->s.auth_base = dup_col(a, st, 4);
    o->s.web_base = dup_col(a, st, 5);
    o->s.app_key = dup_col(a, st, 6);
    o->s.shop_ref = dup_col(a, st, 7);
    o->s.warehouse = dup_col(a, st, 8);
    o->access_expires_at = sqlite3_column_int64(st, 10);
    o->refresh_expires_at = sqlite3_column_int64(st, 11);
    mkt_copy(o->state, sizeof o->state, db_text(st, 12));
    o->rate_per_s = sqlite3_column_double(st, 13);
    o->orders_since = sqlite3_column_int64(st, 14);
    o->conn = mkt_connector(o->s.market);
    if (!o->conn)
        return err_set(ec, ERR_INVALID, "unknown market %s", o->s.market);
    return creds_open(sqlite3_column_blob(st, 9),
                      (size_t)sqlite3_column_bytes(st, 9), c, ec);
}

enum err sync_shop_load(struct db *db, int64_t shop_id, struct arena *a,
                        struct sync_shop_rec *out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, load_sql, ec);
    struct creds c;
    enum err e;

    memset(out, 0, sizeof *out);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_shop_not_found", NULL,
                        "no shop %lld", (long long)shop_id);
    }
    out->id = shop_id;
    e = load_row(st, a, out, &c, ec);
    sqlite3_reset(st);
    out->s.app_secret = arena_strdup(a, c.app_secret);
    out->s.access_token = arena_strdup(a, c.access_token);
    out->s.refresh_token = arena_strdup(a, c.refresh_token);
    sodium_memzero(&c, sizeof c);
    if (e == ERR_OK && (!out->s.app_secret || !out->s.refresh_token))
        e = err_set(ec, ERR_NOMEM, "out of memory");
    return e;
}

/* ---- tokens ---- */

enum err sync_shop_store_tokens(struct db *db, int64_t shop_id,
                                const char *app_secret,
                                const struct mkt_reply *r, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_shops SET access_expires_at = ?2, refresh_expires_at = ?3,"
        " shop_ref = CASE WHEN ?4 <> '' THEN ?4 ELSE shop_ref END,"
        " state = CASE state WHEN 'paused' THEN 'paused' ELSE 'active' END,"
        " state_message = '', auth_nonce = NULL WHERE id = ?1";
    struct creds c;
    memset(&c, 0, sizeof c);
    mkt_copy(c.app_secret, sizeof c.app_secret, app_secret);
    mkt_copy(c.access_token, sizeof c.access_token, r->access_token);
    mkt_copy(c.refresh_token, sizeof c.refresh_token, r->refresh_token);
    enum err e = creds_store(db, shop_id, &c, ec);
    sodium_memzero(&c, sizeof c);
    sqlite3_stmt *st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (e != ERR_OK || !st)
        return e != ERR_OK ? e : ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    sqlite3_bind_int64(st, 2, r->access_expires_at);
    sqlite3_bind_int64(st, 3, r->refresh_expires_at);
    sqlite3_bind_text(st, 4, r->shop_ref, -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}

enum err sync_shop_revoke(struct db *db, int64_t shop_id, const char *message,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_shops SET state = 'revoked', state_message = ?2"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    sqlite3_bind_text(st, 2, message ? message : "", -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}

/* ---- adding a shop ---- */

struct add_tx {
    const struct actor *who;
    const struct sync_shop_new *n;
    const struct mkt_connector *conn;
    int64_t id;
};

static const char *or_default(const char *v, const char *def)
{
    return v && *v ? v : def;
}

static enum err add_location(struct db *db, struct add_tx *t, int64_t *loc,
                             struct err_ctx *ec)
{
    char name[300];
    snprintf(name, sizeof name, "%s — %s", t->conn->label, t->n->name);
    struct stk_place p = {.kind = "channel", .name = name,
                          .channel = t->conn->name,
                          .is_sample = t->n->is_demo};
    return stk_place_add(db, t->who, &p, loc, ec);
}

static enum err add_row(struct db *db, struct add_tx *t, int64_t loc,
                        struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sync_shops (market, name, producer_id, location_id,"
        " api_base, auth_base, web_base, app_key, shop_ref, warehouse,"
        " rate_per_s, is_demo) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";
    const struct sync_shop_new *n = t->n;
    const char *api = or_default(n->api_base, t->conn->api_base);
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, t->conn->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, n->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, n->producer_id);
    sqlite3_bind_int64(st, 4, loc);
    sqlite3_bind_text(st, 5, api, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, or_default(n->auth_base,
                                        n->api_base && *n->api_base
                                            ? n->api_base
                                            : t->conn->auth_base),
                      -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, or_default(n->web_base, t->conn->web_base), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, n->app_key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, or_default(n->shop_ref, ""), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, or_default(n->warehouse, ""), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 11, n->rate_per_s > 0 ? n->rate_per_s
                                                  : t->conn->rate_per_shop);
    sqlite3_bind_int(st, 12, n->is_demo);
    enum err e = db_exec(db, st, ec);
    t->id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

static enum err check_producer_place(struct db *db, struct add_tx *t,
                                     struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT (SELECT COUNT(*) FROM producers WHERE id = ?1),"
        " (SELECT COUNT(*) FROM locations WHERE id = ?2"
        "  AND kind IN ('warehouse', 'point', 'booth', 'channel'))";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, t->n->producer_id);
    sqlite3_bind_int64(st, 2, t->n->location_id);
    int ok = sqlite3_step(st) == SQLITE_ROW;
    int producer = ok && sqlite3_column_int(st, 0) > 0;
    int place = ok && sqlite3_column_int(st, 1) > 0;
    sqlite3_reset(st);
    if (!producer)
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_producer",
                        "producer_id", "no such producer");
    if (t->n->location_id > 0 && !place)
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_location",
                        "location_id", "no such place to sell from");
    return ERR_OK;
}

static enum err add_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct add_tx *t = cls;
    int64_t loc = t->n->location_id;
    enum err e = check_producer_place(db, t, ec);
    if (e == ERR_OK && loc <= 0)
        e = add_location(db, t, &loc, ec);
    if (e == ERR_OK)
        e = add_row(db, t, loc, ec);
    struct creds c;
    memset(&c, 0, sizeof c);
    mkt_copy(c.app_secret, sizeof c.app_secret, t->n->app_secret);
    if (e == ERR_OK)
        e = creds_store(db, t->id, &c, ec);
    sodium_memzero(&c, sizeof c);
    if (e == ERR_OK)
        e = audit_record(db, t->who, "shop.add", "sync_shop", t->id,
                         t->n->name, NULL, NULL, ec);
    return e;
}

static enum err check_new(const struct sync_shop_new *n, struct err_ctx *ec)
{
    if (!n->market || !mkt_connector(n->market))
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_market", "market",
                        "unknown marketplace");
    if (!n->name || !*n->name || strlen(n->name) > 120)
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_name", "name",
                        "a shop needs a name of at most 120 bytes");
    if (!n->app_key || !*n->app_key || strlen(n->app_key) > 200)
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_app_key", "app_key",
                        "the app key is missing");
    if (!n->app_secret || !*n->app_secret || strlen(n->app_secret) > 250)
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_app_secret",
                        "app_secret", "the app secret is missing");
    return ERR_OK;
}

enum err sync_shop_add(struct db *db, const struct actor *who,
                       const struct sync_shop_new *n, int64_t *id_out,
                       struct err_ctx *ec)
{
    enum err e = check_new(n, ec);
    if (e != ERR_OK)
        return e;
    struct add_tx t = {who, n, mkt_connector(n->market), 0};
    e = db_tx_run(db, "sync_shop_add", add_fn, &t, ec);
    if (e == ERR_OK && id_out)
        *id_out = t.id;
    return e;
}
