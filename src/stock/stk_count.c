/* stk_count.c: stocktakes (see stk_count.h). */
#include "stock/stk_count.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sheet_state: the place of sheet id and whether it is open. */
static enum err sheet_state(struct db *db, int64_t id, int64_t *place,
                            int *open, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT location_id, closed_at IS NULL FROM stocktakes WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *place = sqlite3_column_int64(st, 0);
        *open = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_count_not_found", NULL,
                            "no stocktake %lld", (long long)id);
}

static enum err open_sheet_of(struct db *db, int64_t place, int64_t *id,
                              struct err_ctx *ec)
{
    static const char sql[] = "SELECT id FROM stocktakes"
                              " WHERE location_id = ?1 AND closed_at IS NULL";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *id = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, place);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

static enum err insert_sheet(struct db *db, const struct actor *who,
                             int64_t place, int64_t *id, struct err_ctx *ec)
{
    static const char head[] =
        "INSERT INTO stocktakes (location_id, actor) VALUES (?1, ?2)";
    /* the same variants as stk_stock(): held here, or of a producer the
     * place sells for */
    static const char lines[] =
        "INSERT INTO stocktake_lines (stocktake_id, variant_id, expected)"
        " SELECT ?1, v.id, coalesce(h.qty, 0) FROM variants v"
        " JOIN products p ON p.id = v.product_id"
        " LEFT JOIN stock_on_hand h ON h.variant_id = v.id"
        " AND h.location_id = ?2"
        " WHERE h.qty IS NOT NULL OR p.producer_id IN"
        " (SELECT producer_id FROM booth_producers WHERE location_id = ?2)";
    sqlite3_stmt *st = db_stmt(db, head, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, place);
    sqlite3_bind_text(st, 2, who->label ? who->label : "?", -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    st = e == ERR_OK ? db_stmt(db, lines, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_int64(st, 2, place);
    return db_exec(db, st, ec);
}

enum err stk_count_open(struct db *db, const struct actor *who, int64_t place,
                        int64_t *id_out, struct err_ctx *ec)
{
    char kind[16];
    int64_t id = 0;
    enum err e = stk_place_kind(db, place, kind, sizeof(kind), ec);

    if (e == ERR_OK && !stk_kind_holds_stock(kind))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_place_no_stock", NULL,
                     "a fair holds no stock: its booths do");
    if (e == ERR_OK)
        e = open_sheet_of(db, place, &id, ec);
    if (e == ERR_OK && id != 0)
        e = err_user(ec, ERR_CONFLICT, "err_count_open", NULL,
                     "stocktake %lld is open", (long long)id);
    if (e == ERR_OK)
        e = insert_sheet(db, who, place, &id, ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "stocktake.open", "stocktake", id, NULL, NULL,
                         NULL, ec);
    if (e == ERR_OK && id_out != NULL)
        *id_out = id;
    return e;
}

static enum err set_line(struct db *db, int64_t id, const struct stk_line *l,
                         struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE stocktake_lines SET counted = nullif(?3, -1)"
        " WHERE stocktake_id = ?1 AND variant_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char field[40];
    enum err e;

    (void)snprintf(field, sizeof(field), "qty_%lld", (long long)l->variant_id);
    if (st == NULL)
        return ERR_DB;
    if (l->qty < -1 || l->qty > STK_MAX_QTY)
        return err_user(ec, ERR_UNPROCESSABLE, "err_stock_qty", field,
                        "a count is 0..%d", STK_MAX_QTY);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, l->variant_id);
    sqlite3_bind_int64(st, 3, l->qty);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_count_line", field,
                        "variant %lld is not on the sheet",
                        (long long)l->variant_id);
    return e;
}

enum err stk_count_set(struct db *db, const struct actor *who, int64_t id,
                       const struct stk_line *counts, int n, struct err_ctx *ec)
{
    int64_t place = 0;
    int open = 0, i;
    cJSON *after;
    enum err e = sheet_state(db, id, &place, &open, ec);

    if (e == ERR_OK && !open)
        e = err_user(ec, ERR_CONFLICT, "err_count_closed", NULL, "closed");
    if (e == ERR_OK && (n < 0 || n > STK_MAX_LINES))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_stock_lines", "lines",
                     "0..%d lines", STK_MAX_LINES);
    for (i = 0; e == ERR_OK && i < n; i++)
        e = set_line(db, id, &counts[i], ec);
    if (e != ERR_OK || n == 0)
        return e;
    after = cJSON_CreateObject();
    cJSON_AddItemToObject(after, "counts", stk_lines_json(counts, n));
    e = audit_record(db, who, "stocktake.count", "stocktake", id, NULL, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

/* variances: the counted lines that differ, into lines (STK_MAX_LINES). */
static enum err variances(struct db *db, int64_t id, struct stk_line *lines,
                          int *n, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT variant_id, counted - expected FROM stocktake_lines"
        " WHERE stocktake_id = ?1 AND counted IS NOT NULL"
        " AND counted <> expected ORDER BY variant_id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *n = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    while (*n < STK_MAX_LINES && sqlite3_step(st) == SQLITE_ROW) {
        lines[*n].variant_id = sqlite3_column_int64(st, 0);
        lines[*n].qty = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    sqlite3_reset(st);
    return ERR_OK;
}

static enum err book(struct db *db, const struct actor *who, int64_t id,
                     int64_t place, const struct stk_line *l,
                     struct err_ctx *ec)
{
    char ref[40];
    struct stk_move m = {l->variant_id, place, l->qty, STK_COUNT, "stocktake",
                         ref,           NULL,  -1,     0};
    enum err e;

    (void)snprintf(ref, sizeof(ref), "stocktake:%lld", (long long)id);
    e = stk_record(db, who, &m, NULL, ec);
    if (e == ERR_CONFLICT)
        (void)snprintf(ec->field, sizeof(ec->field), "qty_%lld",
                       (long long)l->variant_id);
    return e;
}

static enum err audit_lines_count(struct db *db, const struct actor *who,
                                  int64_t id, const struct stk_line *lines,
                                  int n, struct err_ctx *ec)
{
    cJSON *after = cJSON_CreateObject();
    int64_t units = 0;
    char summary[64];
    enum err e;
    int i;

    for (i = 0; i < n; i++)
        units += lines[i].qty;
    (void)snprintf(summary, sizeof(summary), "%d lines, %+lld units", n,
                   (long long)units);
    cJSON_AddItemToObject(after, "variances", stk_lines_json(lines, n));
    e = audit_record(db, who, "stocktake.close", "stocktake", id, summary, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

enum err stk_count_close(struct db *db, const struct actor *who, int64_t id,
                         int *moves, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE stocktakes SET closed_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
        " WHERE id = ?1";
    struct stk_line *lines = calloc(STK_MAX_LINES, sizeof(*lines));
    int64_t place = 0;
    int open = 0, n = 0, i;
    sqlite3_stmt *st;
    enum err e = lines ? sheet_state(db, id, &place, &open, ec) : ERR_NOMEM;

    if (e == ERR_OK && !open)
        e = err_user(ec, ERR_CONFLICT, "err_count_closed", NULL, "closed");
    if (e == ERR_OK)
        e = variances(db, id, lines, &n, ec);
    for (i = 0; e == ERR_OK && i < n; i++)
        e = book(db, who, id, place, &lines[i], ec);
    st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, id);
        e = db_exec(db, st, ec);
    } else if (e == ERR_OK) {
        e = ERR_DB;
    }
    if (e == ERR_OK)
        e = audit_lines_count(db, who, id, lines, n, ec);
    if (e == ERR_OK && moves != NULL)
        *moves = n;
    free(lines);
    return e;
}

/* --- reading ------------------------------------------------------------- */

enum err stk_count(struct db *db, int64_t id, cJSON **out, struct err_ctx *ec)
{
    static const char head[] =
        "SELECT s.id, s.location_id, l.name AS place, l.kind, s.started_at,"
        " s.closed_at, s.actor, s.closed_at IS NULL AS is_open,"
        " (SELECT count(counted) FROM stocktake_lines"
        "  WHERE stocktake_id = s.id) AS counted_lines,"
        " (SELECT coalesce(sum(counted - expected), 0) FROM stocktake_lines"
        "  WHERE stocktake_id = s.id) AS variance_units,"
        " (SELECT coalesce(sum((counted - expected) * coalesce(v.price_vnd,"
        "  0)), 0) FROM stocktake_lines k JOIN variants v"
        "  ON v.id = k.variant_id WHERE k.stocktake_id = s.id) AS variance_vnd"
        " FROM stocktakes s JOIN locations l ON l.id = s.location_id"
        " WHERE s.id = ?1";
    static const char body[] =
        "SELECT k.variant_id, v.sku, p.name, v.size, v.price_vnd, k.expected,"
        " k.counted, k.counted - k.expected AS variance,"
        " (k.counted - k.expected) * v.price_vnd AS variance_vnd"
        " FROM stocktake_lines k JOIN variants v ON v.id = k.variant_id"
        " JOIN products p ON p.id = v.product_id"
        " WHERE k.stocktake_id = ?1 ORDER BY p.name_key, v.position";
    sqlite3_stmt *st = db_stmt(db, head, ec);
    cJSON *rows = cJSON_CreateArray(), *t;

    *out = NULL;
    if (st == NULL || rows == NULL) {
        cJSON_Delete(rows);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    stk_rows(st, rows);
    t = cJSON_DetachItemFromArray(rows, 0);
    cJSON_Delete(rows);
    if (t == NULL)
        return err_user(ec, ERR_NOTFOUND, "err_count_not_found", NULL,
                        "no stocktake %lld", (long long)id);
    st = db_stmt(db, body, ec);
    if (st == NULL) {
        cJSON_Delete(t);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    stk_rows(st, cJSON_AddArrayToObject(t, "lines"));
    *out = t;
    return ERR_OK;
}

enum err stk_counts(struct db *db, int64_t place, cJSON **out,
                    struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.id, s.started_at, s.closed_at, s.actor,"
        " s.closed_at IS NULL AS is_open, count(k.variant_id) AS lines,"
        " count(k.counted) AS counted_lines,"
        " coalesce(sum(k.counted - k.expected), 0) AS variance_units"
        " FROM stocktakes s LEFT JOIN stocktake_lines k"
        " ON k.stocktake_id = s.id WHERE s.location_id = ?1"
        " GROUP BY s.id ORDER BY s.id DESC LIMIT 50";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    *out = cJSON_CreateArray();
    sqlite3_bind_int64(st, 1, place);
    stk_rows(st, *out);
    return ERR_OK;
}
