/* stk_transfer.c: goods sent from one place to another (see
 * stk_transfer.h). */
#include "stock/stk_transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ends_ok: both places hold stock and differ; *sold_flag is
 * STK_LINES_SOLD when the receiver sells (a booth or a point). */
static enum err ends_ok(struct db *db, int64_t from_id, int64_t to_id,
                        int *sold_flag, struct err_ctx *ec)
{
    char from[16], to[16];
    enum err e = stk_place_kind(db, from_id, from, sizeof(from), ec);

    if (e == ERR_OK &&
        stk_place_kind(db, to_id, to, sizeof(to), NULL) != ERR_OK)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_transfer_to", "to",
                     "no place %lld", (long long)to_id);
    if (e != ERR_OK)
        return e;
    if (from_id == to_id)
        return err_user(ec, ERR_UNPROCESSABLE, "err_transfer_same", "to",
                        "a transfer goes to another place");
    if (!stk_kind_holds_stock(from) || !stk_kind_holds_stock(to))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_no_stock", "to",
                        "a fair holds no stock: its booths do");
    *sold_flag = strcmp(to, "booth") == 0 || strcmp(to, "point") == 0
                     ? STK_LINES_SOLD
                     : 0;
    return ERR_OK;
}

static enum err insert_transfer(struct db *db, const struct actor *who,
                                int64_t from_id, int64_t to_id,
                                const char *note, int64_t *id,
                                struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO transfers (from_id, to_id, status, note, actor)"
        " VALUES (?1, ?2, 'sent', coalesce(?3, ''), ?4)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, from_id);
    sqlite3_bind_int64(st, 2, to_id);
    if (note != NULL)
        sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, who->label ? who->label : "?", -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

static enum err send_line(struct db *db, const struct actor *who, int64_t id,
                          int64_t from_id, const struct stk_line *l,
                          const char *note, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO transfer_lines (transfer_id, variant_id, qty_sent)"
        " VALUES (?1, ?2, ?3)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char ref[40];
    struct stk_move m = {
        l->variant_id, from_id, -l->qty, STK_TRANSFER_OUT, note, ref,
        NULL,          -1,      0};
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, l->variant_id);
    sqlite3_bind_int64(st, 3, l->qty);
    e = db_exec(db, st, ec);
    (void)snprintf(ref, sizeof(ref), "transfer:%lld", (long long)id);
    if (e == ERR_OK)
        e = stk_record(db, who, &m, NULL, ec);
    if (e == ERR_CONFLICT)
        (void)snprintf(ec->field, sizeof(ec->field), "qty_%lld",
                       (long long)l->variant_id);
    return e;
}

enum err stk_transfer_send(struct db *db, const struct actor *who,
                           int64_t from_id, int64_t to_id,
                           const struct stk_line *lines, int n,
                           const char *note, int64_t *id_out,
                           struct err_ctx *ec)
{
    int64_t id = 0;
    int sold = 0, i;
    cJSON *after;
    enum err e = ends_ok(db, from_id, to_id, &sold, ec);

    if (e == ERR_OK && note != NULL && strlen(note) > STK_MAX_NOTE)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_note", "note", "too long");
    if (e == ERR_OK)
        e = stk_lines_check(db, from_id, lines, n, 0, ec);
    if (e == ERR_OK && sold) /* the receiver must be able to sell them */
        e = stk_lines_check(db, to_id, lines, n, sold, ec);
    if (e == ERR_OK)
        e = insert_transfer(db, who, from_id, to_id, note, &id, ec);
    for (i = 0; e == ERR_OK && i < n; i++)
        e = send_line(db, who, id, from_id, &lines[i], note, ec);
    if (e != ERR_OK)
        return e;
    if (id_out != NULL)
        *id_out = id;
    after = cJSON_CreateObject();
    cJSON_AddNumberToObject(after, "from_id", (double)from_id);
    cJSON_AddNumberToObject(after, "to_id", (double)to_id);
    cJSON_AddItemToObject(after, "lines", stk_lines_json(lines, n));
    e = audit_record(db, who, "transfer.send", "transfer", id, note, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

/* --- receiving ----------------------------------------------------------- */

struct sent_line {
    int64_t variant_id, sent, came;
};

struct sent {
    int64_t from_id, to_id;
    struct sent_line *lines;
    int n;
};

static enum err load_sent(struct db *db, int64_t id, struct sent *s,
                          struct err_ctx *ec)
{
    static const char head[] =
        "SELECT from_id, to_id, status FROM transfers WHERE id = ?1";
    static const char body[] =
        "SELECT variant_id, qty_sent FROM transfer_lines"
        " WHERE transfer_id = ?1 ORDER BY variant_id LIMIT 400";
    sqlite3_stmt *st = db_stmt(db, head, ec);
    int found, received = 0;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        s->from_id = sqlite3_column_int64(st, 0);
        s->to_id = sqlite3_column_int64(st, 1);
        received = strcmp(db_text(st, 2), "received") == 0;
    }
    sqlite3_reset(st);
    if (!found)
        return err_user(ec, ERR_NOTFOUND, "err_transfer_not_found", NULL,
                        "no transfer %lld", (long long)id);
    if (received)
        return err_user(ec, ERR_CONFLICT, "err_transfer_received", NULL,
                        "transfer %lld was received", (long long)id);
    st = db_stmt(db, body, ec);
    s->lines = calloc(STK_MAX_LINES, sizeof(*s->lines));
    if (st == NULL || s->lines == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, id);
    for (s->n = 0; s->n < STK_MAX_LINES && sqlite3_step(st) == SQLITE_ROW;
         s->n++) {
        s->lines[s->n].variant_id = sqlite3_column_int64(st, 0);
        s->lines[s->n].sent = s->lines[s->n].came = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

/* apply_came: what the receiver counted, line by line. */
static enum err apply_came(struct sent *s, const struct stk_line *came, int n,
                           struct err_ctx *ec)
{
    int i, k;

    for (i = 0; i < n; i++) {
        char field[40];
        (void)snprintf(field, sizeof(field), "qty_%lld",
                       (long long)came[i].variant_id);
        for (k = 0; k < s->n && s->lines[k].variant_id != came[i].variant_id;
             k++)
            ;
        if (k == s->n)
            return err_user(ec, ERR_UNPROCESSABLE, "err_transfer_line", field,
                            "variant %lld was not sent",
                            (long long)came[i].variant_id);
        if (came[i].qty < 0 || came[i].qty > STK_MAX_QTY)
            return err_user(ec, ERR_UNPROCESSABLE, "err_stock_qty", field,
                            "quantity out of range");
        s->lines[k].came = came[i].qty;
    }
    return ERR_OK;
}

static enum err receive_line(struct db *db, const struct actor *who, int64_t id,
                             const struct sent *s, const struct sent_line *l,
                             struct err_ctx *ec)
{
    static const char sql[] = "UPDATE transfer_lines SET qty_received = ?3"
                              " WHERE transfer_id = ?1 AND variant_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char ref[40];
    int64_t diff = l->came - l->sent;
    struct stk_move in = {
        l->variant_id, s->to_id, l->sent, STK_TRANSFER_IN, NULL, ref,
        NULL,          -1,       0};
    struct stk_move adj = {l->variant_id,
                           s->to_id,
                           diff,
                           STK_ADJUST,
                           diff < 0 ? "transfer_loss" : "transfer_surplus",
                           ref,
                           NULL,
                           -1,
                           0};
    enum err e;

    if (st == NULL)
        return ERR_DB;
    (void)snprintf(ref, sizeof(ref), "transfer:%lld", (long long)id);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, l->variant_id);
    sqlite3_bind_int64(st, 3, l->came);
    e = db_exec(db, st, ec);
    if (e == ERR_OK)
        e = stk_record(db, who, &in, NULL, ec);
    if (e == ERR_OK && diff != 0)
        e = stk_record(db, who, &adj, NULL, ec);
    return e;
}

static enum err mark_received(struct db *db, const struct actor *who,
                              int64_t id, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE transfers SET status = 'received', received_by = ?2,"
        " received_at = strftime('%Y-%m-%dT%H:%M:%SZ') WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, who->label ? who->label : "?", -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}

static enum err audit_received(struct db *db, const struct actor *who,
                               int64_t id, const struct sent *s,
                               struct err_ctx *ec)
{
    cJSON *after = cJSON_CreateObject(), *arr;
    int64_t lost = 0, surplus = 0;
    char summary[80];
    enum err e;
    int i;

    arr = cJSON_AddArrayToObject(after, "lines");
    for (i = 0; i < s->n; i++) {
        cJSON *o = cJSON_CreateObject();
        int64_t d = s->lines[i].came - s->lines[i].sent;
        cJSON_AddNumberToObject(o, "variant_id",
                                (double)s->lines[i].variant_id);
        cJSON_AddNumberToObject(o, "sent", (double)s->lines[i].sent);
        cJSON_AddNumberToObject(o, "received", (double)s->lines[i].came);
        cJSON_AddItemToArray(arr, o);
        lost += d < 0 ? -d : 0;
        surplus += d > 0 ? d : 0;
    }
    (void)snprintf(summary, sizeof(summary), "lost %lld, surplus %lld",
                   (long long)lost, (long long)surplus);
    e = audit_record(db, who, "transfer.receive", "transfer", id, summary, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

enum err stk_transfer_receive(struct db *db, const struct actor *who,
                              int64_t id, const struct stk_line *came, int n,
                              struct err_ctx *ec)
{
    struct sent s = {0, 0, NULL, 0};
    enum err e = load_sent(db, id, &s, ec);
    int i;

    if (e == ERR_OK)
        e = apply_came(&s, came, n, ec);
    for (i = 0; e == ERR_OK && i < s.n; i++)
        e = receive_line(db, who, id, &s, &s.lines[i], ec);
    if (e == ERR_OK)
        e = mark_received(db, who, id, ec);
    if (e == ERR_OK)
        e = audit_received(db, who, id, &s, ec);
    free(s.lines);
    return e;
}

/* --- reading ------------------------------------------------------------- */

#define TRANSFER_COLUMNS                                                       \
    "SELECT t.id, t.from_id, f.name AS \"from\", t.to_id, d.name AS \"to\","   \
    " t.status, t.note, t.sent_at, t.received_at, t.actor, t.received_by,"     \
    " (SELECT sum(qty_sent) FROM transfer_lines WHERE transfer_id = t.id)"     \
    "  AS units_sent,"                                                         \
    " (SELECT sum(qty_received) FROM transfer_lines"                           \
    "  WHERE transfer_id = t.id) AS units_received,"                           \
    " (SELECT sum(max(qty_sent - qty_received, 0)) FROM transfer_lines"        \
    "  WHERE transfer_id = t.id) AS lost,"                                     \
    " (SELECT sum(max(qty_received - qty_sent, 0)) FROM transfer_lines"        \
    "  WHERE transfer_id = t.id) AS surplus"                                   \
    " FROM transfers t JOIN locations f ON f.id = t.from_id"                   \
    " JOIN locations d ON d.id = t.to_id"

enum err stk_transfer(struct db *db, int64_t id, cJSON **out,
                      struct err_ctx *ec)
{
    static const char head[] = TRANSFER_COLUMNS " WHERE t.id = ?1";
    static const char body[] =
        "SELECT l.variant_id, v.sku, p.name, v.size, l.qty_sent,"
        " l.qty_received, l.qty_received - l.qty_sent AS diff"
        " FROM transfer_lines l JOIN variants v ON v.id = l.variant_id"
        " JOIN products p ON p.id = v.product_id"
        " WHERE l.transfer_id = ?1 ORDER BY p.name_key, v.position";
    sqlite3_stmt *st = db_stmt(db, head, ec);
    cJSON *rows = cJSON_CreateArray(), *t, *lines;

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
        return err_user(ec, ERR_NOTFOUND, "err_transfer_not_found", NULL,
                        "no transfer %lld", (long long)id);
    st = db_stmt(db, body, ec);
    lines = cJSON_AddArrayToObject(t, "lines");
    if (st == NULL) {
        cJSON_Delete(t);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, id);
    stk_rows(st, lines);
    *out = t;
    return ERR_OK;
}

enum err stk_transfers(struct db *db, int64_t place, cJSON **out,
                       struct err_ctx *ec)
{
    static const char sql[] =
        TRANSFER_COLUMNS " WHERE ?1 = 0 OR t.from_id = ?1 OR t.to_id = ?1"
                         " ORDER BY t.status = 'received', t.id DESC LIMIT 200";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    *out = cJSON_CreateArray();
    sqlite3_bind_int64(st, 1, place);
    stk_rows(st, *out);
    return ERR_OK;
}
