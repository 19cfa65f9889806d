/* sales_bench.c: the bare SQLite side of the sales benchmark (bench.sh).
 *
 *   sales_bench loop DB SECONDS BOOTH SKU:QTY [SKU:QTY ...]
 *       records sales as fast as one thread can for SECONDS, each in its
 *       own BEGIN IMMEDIATE transaction with the writes POST /api/v1/sales
 *       makes for an offline sale (src/pos/pos.c, src/stock/stk.c): a
 *       sales row; per line a sale_lines row, a stock_moves row, the
 *       stock_on_hand upsert and, when that takes stock below zero, a
 *       stock_shortfalls row. The connection is set up as the server's
 *       with db.synchronous = full (src/db/db.c): WAL, foreign_keys=ON,
 *       cache_size=-8000, temp_store=MEMORY, synchronous=FULL. No reads
 *       but the upsert's RETURNING: no key lookup, no catalog checks, no
 *       reply. Prints "sales N seconds S per_s R".
 *   sales_bench body DB BOOTH
 *       prints the sale both sides record: line 1 the JSON body of POST
 *       /api/v1/sales (two SKUs the booth holds, 1 and 2 of them, at
 *       catalog prices, offline), line 2 the same lines as SKU:QTY
 *       arguments for loop.
 *   sales_bench rows DB
 *       prints "sales N lines N moves N shortfalls N" (moves of kind
 *       sale) in one read transaction, to check that both sides wrote
 *       the same rows per sale.
 *
 * Built with cc and pkg-config sqlite3 by tests/bench/bench.sh; not part
 * of ocop. Exit status 0, or 1 with a message on stderr. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINES 8

struct line {
    int64_t variant_id, qty, unit_price_vnd;
    char sku[48], name[256];
};

struct bench {
    sqlite3 *db;
    sqlite3_stmt *sale, *line, *move, *on_hand, *shortfall;
    int64_t booth;
    struct line lines[MAX_LINES];
    int n_lines;
    int64_t subtotal_vnd;
    uint64_t counter, nonce;
};

/* The statements of pos.c and stk.c, as they are there. */
static const char sale_sql[] =
    "INSERT INTO sales (uuid, request_hash, booth_id, staff, user_id,"
    " sold_at, subtotal_vnd, discount_vnd, total_vnd, payment_method,"
    " payment, receipt_token) VALUES (lower(?1), ?2, ?3, ?4, nullif(?5, 0),"
    " ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char line_sql[] =
    "INSERT INTO sale_lines (sale_id, line_no, variant_id, sku, name, qty,"
    " unit_price_vnd, discount_vnd, total_vnd)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char move_sql[] =
    "INSERT INTO stock_moves (occurred_at, variant_id, location_id, qty,"
    " kind, reason, ref, unit_price_vnd, actor, user_id)"
    " VALUES (coalesce(?1, strftime('%Y-%m-%dT%H:%M:%fZ')), ?2, ?3, ?4,"
    " ?5, coalesce(?6, ''), coalesce(?7, ''), ?8, ?9, nullif(?10, 0))";
static const char on_hand_sql[] =
    "INSERT INTO stock_on_hand (variant_id, location_id, qty)"
    " VALUES (?1, ?2, ?3) ON CONFLICT (variant_id, location_id)"
    " DO UPDATE SET qty = qty + excluded.qty RETURNING qty";
static const char shortfall_sql[] =
    "INSERT INTO stock_shortfalls (move_id, variant_id, location_id,"
    " qty_short) VALUES (?1, ?2, ?3, ?4)";

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sales_bench: %s: %s\n", what,
            db ? sqlite3_errmsg(db) : "failed");
    return -1;
}

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
                                                                : fail(db, sql);
}

/* open_like_server: the pragmas of db_open() with DB_SYNC_FULL. */
static int open_like_server(const char *path, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return fail(*db, path);
    sqlite3_busy_timeout(*db, 5000);
    return exec(*db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                     "PRAGMA cache_size=-8000; PRAGMA synchronous=NORMAL;"
                     "PRAGMA temp_store=MEMORY; PRAGMA synchronous=FULL");
}

static int prepare(struct bench *b)
{
    const char *const sql[] = {sale_sql, line_sql, move_sql, on_hand_sql,
                               shortfall_sql};
    sqlite3_stmt **st[] = {&b->sale, &b->line, &b->move, &b->on_hand,
                           &b->shortfall};
    size_t i;

    for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
        if (sqlite3_prepare_v3(b->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               st[i], NULL) != SQLITE_OK)
            return fail(b->db, sql[i]);
    return 0;
}

/* parse_line: "SKU:QTY", and the variant's id, catalog price and name. */
static int parse_line(struct bench *b, const char *arg, struct line *l)
{
    const char *colon = strrchr(arg, ':');
    sqlite3_stmt *st = NULL;
    int found;

    if (colon == NULL || (size_t)(colon - arg) >= sizeof(l->sku))
        return fail(NULL, "a line is SKU:QTY");
    snprintf(l->sku, sizeof(l->sku), "%.*s", (int)(colon - arg), arg);
    l->qty = strtoll(colon + 1, NULL, 10);
    if (l->qty < 1)
        return fail(NULL, "a line's quantity is at least 1");
    if (sqlite3_prepare_v2(b->db,
                           "SELECT v.id, coalesce(v.price_vnd, 0), p.name"
                           " FROM variants v JOIN products p"
                           " ON p.id = v.product_id WHERE v.sku = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(b->db, "variants");
    sqlite3_bind_text(st, 1, l->sku, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        l->variant_id = sqlite3_column_int64(st, 0);
        l->unit_price_vnd = sqlite3_column_int64(st, 1);
        snprintf(l->name, sizeof(l->name), "%s",
                 (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return found ? 0 : fail(NULL, l->sku);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(db, what);
}

/* insert_sale: the sales row, under a fresh key and receipt token. */
static int insert_sale(struct bench *b, int64_t *id)
{
    char key[40], token[33];
    unsigned char hash[32] = {0};
    sqlite3_stmt *st = b->sale;

    b->counter++;
    snprintf(key, sizeof(key), "%08llx-0000-4000-8000-%012llx",
             (unsigned long long)(b->nonce & 0xffffffffu),
             (unsigned long long)b->counter);
    snprintf(token, sizeof(token), "%016llx%016llx",
             (unsigned long long)b->nonce, (unsigned long long)b->counter);
    memcpy(hash, &b->counter, sizeof(b->counter));
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, b->booth);
    sqlite3_bind_text(st, 4, "apikey:bench", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, 0);
    sqlite3_bind_text(st, 6, "2026-01-01T00:00:00Z", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, b->subtotal_vnd);
    sqlite3_bind_int64(st, 8, 0);
    sqlite3_bind_int64(st, 9, b->subtotal_vnd);
    sqlite3_bind_text(st, 10, "cash", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, token, -1, SQLITE_TRANSIENT);
    if (step_done(b->db, st, "insert sale") != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(b->db);
    return 0;
}

static int insert_line(struct bench *b, int64_t sale_id, int i)
{
    const struct line *l = &b->lines[i];
    sqlite3_stmt *st = b->line;

    sqlite3_bind_int64(st, 1, sale_id);
    sqlite3_bind_int(st, 2, i + 1);
    sqlite3_bind_int64(st, 3, l->variant_id);
    sqlite3_bind_text(st, 4, l->sku, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, l->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, l->qty);
    sqlite3_bind_int64(st, 7, l->unit_price_vnd);
    sqlite3_bind_int64(st, 8, 0);
    sqlite3_bind_int64(st, 9, l->qty * l->unit_price_vnd);
    return step_done(b->db, st, "insert sale line");
}

/* insert_move: the ledger row, on hand, and the shortfall below zero. */
static int insert_move(struct bench *b, int64_t sale_id, const struct line *l)
{
    char ref[32];
    sqlite3_stmt *st = b->move;
    int64_t move_id, after = 0;
    int rc;

    snprintf(ref, sizeof(ref), "sale:%lld", (long long)sale_id);
    sqlite3_bind_text(st, 1, "2026-01-01T00:00:00Z", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, l->variant_id);
    sqlite3_bind_int64(st, 3, b->booth);
    sqlite3_bind_int64(st, 4, -l->qty);
    sqlite3_bind_text(st, 5, "sale", -1, SQLITE_STATIC);
    sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, l->unit_price_vnd);
    sqlite3_bind_text(st, 9, "apikey:bench", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, 0);
    if (step_done(b->db, st, "insert move") != 0)
        return -1;
    move_id = sqlite3_last_insert_rowid(b->db);
    st = b->on_hand;
    sqlite3_bind_int64(st, 1, l->variant_id);
    sqlite3_bind_int64(st, 2, b->booth);
    sqlite3_bind_int64(st, 3, -l->qty);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        after = sqlite3_column_int64(st, 0);
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(b->db, "on hand");
    if (after >= 0)
        return 0;
    st = b->shortfall;
    sqlite3_bind_int64(st, 1, move_id);
    sqlite3_bind_int64(st, 2, l->variant_id);
    sqlite3_bind_int64(st, 3, b->booth);
    sqlite3_bind_int64(st, 4, -after < l->qty ? -after : l->qty);
    return step_done(b->db, st, "insert shortfall");
}

/* one_sale: one transaction, as db_tx_run() runs it. */
static int one_sale(struct bench *b)
{
    int64_t id = 0;
    int i, rc;

    if (exec(b->db, "BEGIN IMMEDIATE") != 0)
        return -1;
    rc = insert_sale(b, &id);
    for (i = 0; rc == 0 && i < b->n_lines; i++) {
        rc = insert_line(b, id, i);
        if (rc == 0)
            rc = insert_move(b, id, &b->lines[i]);
    }
    if (rc == 0)
        return exec(b->db, "COMMIT");
    (void)exec(b->db, "ROLLBACK"); /* the first error is reported */
    return -1;
}

static int cmd_loop(int argc, char **argv)
{
    struct bench b = {0};
    double seconds = strtod(argv[3], NULL), t0, t;
    int i, rc = 0;

    b.booth = strtoll(argv[4], NULL, 10);
    b.nonce = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
    if (seconds <= 0 || b.booth <= 0 || argc - 5 < 1 || argc - 5 > MAX_LINES)
        return fail(NULL, "usage: loop DB SECONDS BOOTH SKU:QTY...");
    if (open_like_server(argv[2], &b.db) != 0)
        goto out;
    for (i = 5; i < argc && rc == 0; i++) {
        rc = parse_line(&b, argv[i], &b.lines[b.n_lines]);
        b.subtotal_vnd +=
            b.lines[b.n_lines].qty * b.lines[b.n_lines].unit_price_vnd;
        b.n_lines++;
    }
    if (rc != 0 || prepare(&b) != 0)
        goto out;
    t0 = now_s();
    do {
        rc = one_sale(&b);
        t = now_s() - t0;
    } while (rc == 0 && t < seconds);
    if (rc == 0)
        printf("sales %llu seconds %.3f per_s %.0f\n",
               (unsigned long long)b.counter, t, (double)b.counter / t);
out:
    sqlite3_finalize(b.sale);
    sqlite3_finalize(b.line);
    sqlite3_finalize(b.move);
    sqlite3_finalize(b.on_hand);
    sqlite3_finalize(b.shortfall);
    sqlite3_close(b.db);
    return rc == 0 && b.counter > 0 ? 0 : -1;
}

static int64_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int cmd_rows(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail(db, path);
        sqlite3_close(db);
        return -1;
    }
    (void)exec(db, "BEGIN"); /* one snapshot for the four counts */
    printf("sales %lld lines %lld moves %lld shortfalls %lld\n",
           (long long)count(db, "SELECT count(*) FROM sales"),
           (long long)count(db, "SELECT count(*) FROM sale_lines"),
           (long long)count(db, "SELECT count(*) FROM stock_moves"
                                " WHERE kind = 'sale'"),
           (long long)count(db, "SELECT count(*) FROM stock_shortfalls"));
    sqlite3_close(db);
    return 0;
}

/* cmd_body: the first two priced SKUs the booth holds. */
static int cmd_body(const char *path, const char *booth)
{
    static const char sql[] =
        "SELECT v.sku, v.price_vnd FROM stock_on_hand h"
        " JOIN variants v ON v.id = h.variant_id WHERE h.location_id = ?1"
        " AND v.price_vnd IS NOT NULL AND v.sku NOT GLOB '*[\"\\]*'"
        " ORDER BY v.id LIMIT 2";
    char sku[2][48], body[512];
    long long price[2];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int n = 0;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(db, path);
        sqlite3_close(db);
        return -1;
    }
    sqlite3_bind_int64(st, 1, strtoll(booth, NULL, 10));
    while (n < 2 && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(sku[n], sizeof(sku[n]), "%s", sqlite3_column_text(st, 0));
        price[n++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (n < 2)
        return fail(NULL, "the booth holds fewer than two priced SKUs");
    snprintf(body, sizeof(body),
             "{\"booth\":%s,\"offline\":true,\"lines\":["
             "{\"sku\":\"%s\",\"qty\":1,\"unit_price_vnd\":%lld},"
             "{\"sku\":\"%s\",\"qty\":2,\"unit_price_vnd\":%lld}],"
             "\"payment\":{\"method\":\"cash\"}}",
             booth, sku[0], price[0], sku[1], price[1]);
    printf("%s\n%s:1 %s:2\n", body, sku[0], sku[1]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && strcmp(argv[1], "loop") == 0)
        return cmd_loop(argc, argv) == 0 ? 0 : 1;
    if (argc == 3 && strcmp(argv[1], "rows") == 0)
        return cmd_rows(argv[2]) == 0 ? 0 : 1;
    if (argc == 4 && strcmp(argv[1], "body") == 0)
        return cmd_body(argv[2], argv[3]) == 0 ? 0 : 1;
    fprintf(stderr, "usage: sales_bench loop DB SECONDS BOOTH SKU:QTY...\n"
                    "       sales_bench body DB BOOTH\n"
                    "       sales_bench rows DB\n");
    return 1;
}
