/* db.h: SQLite connections, migrations, statements and transactions.
 * Owns: opening a connection (WAL, foreign keys, busy timeout), applying
 *   the numbered migrations compiled into the binary, a per-connection
 *   cache of prepared statements, BEGIN IMMEDIATE transactions with a
 *   bounded retry on SQLITE_BUSY, and the catalog version number.
 * Does not own: any domain table; modules keep their own SQL.
 * Threads: a struct db is used by one thread at a time (one per worker).
 * Memory: db_open() result is the caller's; free with db_close().
 *   Statements from db_stmt() belong to the db; do not finalize them.
 * Errors: enum err, with SQLite's message in *ec. */
#ifndef OCOP_DB_H
#define OCOP_DB_H

#include "core/err.h"

#include <sqlite3.h>
#include <stdint.h>

struct db;

enum db_open_flags {
    DB_READWRITE = 0,
    DB_READONLY = 1,
    /* fsync the WAL on every commit (survives power loss, not only a
     * crashed process; NORMAL, the default, survives a crash) */
    DB_SYNC_FULL = 2,
};

enum err db_open(const char *path, int flags, struct db **out,
                 struct err_ctx *ec) MUST_CHECK;
void db_close(struct db *db); /* NULL is a no-op */
sqlite3 *db_handle(struct db *db);

/* db_migrate: applies every migration newer than PRAGMA user_version,
 * one transaction each. *applied (may be NULL) gets how many ran. */
enum err db_migrate(struct db *db, int *applied, struct err_ctx *ec) MUST_CHECK;
int db_schema_version(struct db *db);

/* db_stmt: the prepared statement for sql, reset and with bindings
 * cleared. sql must be a string with static storage: the cache is keyed
 * by its address. Returns NULL (message in ec) if it does not compile. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err_ctx *ec);

/* db_tx_run: runs fn inside BEGIN IMMEDIATE ... COMMIT, retrying the
 * whole transaction a bounded number of times on SQLITE_BUSY. fn returns
 * ERR_OK to commit; anything else rolls back and is returned. */
typedef enum err (*db_tx_fn)(struct db *db, void *cls, struct err_ctx *ec);
enum err db_tx_run(struct db *db, const char *name, db_tx_fn fn, void *cls,
                   struct err_ctx *ec) MUST_CHECK;

/* db_exec: runs a statement from db_stmt() to completion (no rows). */
enum err db_exec(struct db *db, sqlite3_stmt *st, struct err_ctx *ec) MUST_CHECK;

/* The catalog version: every write to public data bumps it, so it can key
 * the rendered-page cache and make ETags. */
enum err db_catalog_version(struct db *db, int64_t *out,
                            struct err_ctx *ec) MUST_CHECK;
enum err db_bump_catalog_version(struct db *db, struct err_ctx *ec) MUST_CHECK;

/* db_text: column text or NULL, as const char * (valid until the next
 * step/reset of st). */
const char *db_text(sqlite3_stmt *st, int col);

#endif
