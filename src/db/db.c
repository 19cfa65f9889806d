/* db.c: SQLite connections, migrations, statements, transactions. */
#include "db/db.h"

#include "core/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Generated from the src/db/migrations SQL files by src/tools/embed.c. */
extern const struct {
    const char *name;
    const char *text;
} ocop_migrations[];

#define STMT_SLOTS 1024 /* open addressing; about 4x the SQL we have */
#define BUSY_TIMEOUT_MS 5000
#define TX_RETRIES 8

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

struct db {
    sqlite3 *h;
    struct stmt_slot slots[STMT_SLOTS];
};

static enum err sql_err(struct db *db, struct err_ctx *ec, const char *what)
{
    int rc = sqlite3_errcode(db->h);

    (void)err_set(ec, ERR_DB, "%s: %s", what, sqlite3_errmsg(db->h));
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ERR_BUSY : ERR_DB;
}

static enum err exec_plain(struct db *db, const char *sql, struct err_ctx *ec)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

    if (rc == SQLITE_OK)
        return ERR_OK;
    (void)err_set(ec, ERR_DB, "%s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc == SQLITE_BUSY ? ERR_BUSY : ERR_DB;
}

enum err db_open(const char *path, int flags, struct db **out,
                 struct err_ctx *ec)
{
    struct db *db = calloc(1, sizeof(*db));
    int oflags = SQLITE_OPEN_NOMUTEX;
    enum err e;

    *out = NULL;
    if (db == NULL)
        return err_set(ec, ERR_NOMEM, "out of memory");
    oflags |= flags & DB_READONLY ? SQLITE_OPEN_READONLY
                                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK) {
        e = sql_err(db, ec, path);
        db_close(db);
        return e;
    }
    sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
    e = exec_plain(db,
                   "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                   "PRAGMA cache_size=-8000;"
                   "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
                   ec);
    if (e == ERR_OK && (flags & DB_SYNC_FULL))
        e = exec_plain(db, "PRAGMA synchronous=FULL", ec);
    if (e != ERR_OK) {
        db_close(db);
        return e;
    }
    *out = db;
    return ERR_OK;
}

void db_close(struct db *db)
{
    size_t i;

    if (db == NULL)
        return;
    for (i = 0; i < STMT_SLOTS; i++)
        sqlite3_finalize(db->slots[i].st);
    sqlite3_close(db->h);
    free(db);
}

sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

int db_schema_version(struct db *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static enum err apply_migration(struct db *db, int version, const char *name,
                                const char *text, struct err_ctx *ec)
{
    char pragma[64];
    enum err e = exec_plain(db, "BEGIN IMMEDIATE", ec);

    if (e != ERR_OK)
        return e;
    e = exec_plain(db, text, ec);
    if (e == ERR_OK) {
        (void)snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d",
                       version);
        e = exec_plain(db, pragma, ec);
    }
    if (e == ERR_OK)
        e = exec_plain(db, "COMMIT", ec);
    if (e != ERR_OK) {
        struct err_ctx ignored;
        (void)exec_plain(db, "ROLLBACK", &ignored); /* first error wins */
        log_msg(LOG_ERROR, "db", "migration %s failed", name);
        return e;
    }
    log_msg(LOG_INFO, "db", "applied migration %s", name);
    return ERR_OK;
}

enum err db_migrate(struct db *db, int *applied, struct err_ctx *ec)
{
    int current = db_schema_version(db), i, n = 0;
    enum err e;

    if (applied != NULL)
        *applied = 0;
    if (current < 0)
        return sql_err(db, ec, "user_version");
    for (i = 0; ocop_migrations[i].name != NULL; i++) {
        if (i + 1 <= current)
            continue;
        e = apply_migration(db, i + 1, ocop_migrations[i].name,
                            ocop_migrations[i].text, ec);
        if (e != ERR_OK)
            return e;
        n++;
    }
    if (current > i)
        return err_set(ec, ERR_INVALID,
                       "database schema %d is newer than this program (%d)",
                       current, i);
    if (applied != NULL)
        *applied = n;
    return ERR_OK;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err_ctx *ec)
{
    size_t h = ((size_t)(uintptr_t)sql >> 3) % STMT_SLOTS, i;

    for (i = 0; i < STMT_SLOTS; i++) {
        struct stmt_slot *s = &db->slots[(h + i) % STMT_SLOTS];
        if (s->sql == sql) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
        if (s->sql != NULL)
            continue;
        if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                               &s->st, NULL) != SQLITE_OK) {
            (void)sql_err(db, ec, "prepare");
            sqlite3_finalize(s->st);
            s->st = NULL;
            return NULL;
        }
        s->sql = sql;
        return s->st;
    }
    (void)err_set(ec, ERR_NOMEM, "statement cache full");
    return NULL;
}

enum err db_exec(struct db *db, sqlite3_stmt *st, struct err_ctx *ec)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return ERR_OK;
    }
    sqlite3_reset(st);
    return sql_err(db, ec, "step");
}

static enum err tx_attempts(struct db *db, const char *name, db_tx_fn fn,
                            void *cls, struct err_ctx *ec);

/* One writer at a time in this process: threads wait on a mutex, which
 * wakes them as soon as the write lock is free, instead of SQLite's busy
 * handler, which sleeps 1, 2, 5 ... ms. Other processes (an import while
 * serving) still meet the busy timeout. Owned by this file. */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;

enum err db_tx_run(struct db *db, const char *name, db_tx_fn fn, void *cls,
                   struct err_ctx *ec)
{
    enum err e;

    pthread_mutex_lock(&writer);
    e = tx_attempts(db, name, fn, cls, ec);
    pthread_mutex_unlock(&writer);
    return e;
}

static enum err tx_attempts(struct db *db, const char *name, db_tx_fn fn,
                            void *cls, struct err_ctx *ec)
{
    struct err_ctx ignored;
    enum err e = ERR_BUSY;
    int attempt;

    for (attempt = 0; attempt < TX_RETRIES && e == ERR_BUSY; attempt++) {
        if (attempt > 0)
            usleep(1000u << (attempt < 6 ? attempt : 6));
        e = exec_plain(db, "BEGIN IMMEDIATE", ec);
        if (e != ERR_OK)
            continue;
        e = fn(db, cls, ec);
        if (e == ERR_OK)
            e = exec_plain(db, "COMMIT", ec);
        if (e != ERR_OK)
            (void)exec_plain(db, "ROLLBACK", &ignored); /* keep first error */
    }
    if (e == ERR_DB || e == ERR_BUSY || e == ERR_NOMEM || e == ERR_IO)
        log_msg(LOG_WARN, "db", "transaction %s failed: %s", name,
                ec ? ec->msg : err_name(e));
    return e;
}

enum err db_catalog_version(struct db *db, int64_t *out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key='catalog_version'";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK
                                                 : sql_err(db, ec, "version");
}

enum err db_bump_catalog_version(struct db *db, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
        " WHERE key='catalog_version'";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    return st == NULL ? ERR_DB : db_exec(db, st, ec);
}

const char *db_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}
