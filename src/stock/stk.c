/* stk.c: places and the stock ledger (see stk.h). */
#include "stock/stk.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    "receive", "transfer_out", "transfer_in", "sale", "return",
    "void",    "adjust",       "count",       "dispatch",
};

const char *stk_kind_name(enum stk_kind k)
{
    return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0])
               ? kind_names[k]
               : "adjust";
}

static enum err insert_move(struct db *db, const struct actor *who,
                            const struct stk_move *m, int64_t *id,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO stock_moves (occurred_at, variant_id, location_id, qty,"
        " kind, reason, ref, unit_price_vnd, actor, user_id)"
        " VALUES (coalesce(?1, strftime('%Y-%m-%dT%H:%M:%fZ')), ?2, ?3, ?4,"
        " ?5, coalesce(?6, ''), coalesce(?7, ''), ?8, ?9, nullif(?10, 0))";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    if (m->occurred_at != NULL)
        sqlite3_bind_text(st, 1, m->occurred_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, m->variant_id);
    sqlite3_bind_int64(st, 3, m->location_id);
    sqlite3_bind_int64(st, 4, m->qty);
    sqlite3_bind_text(st, 5, stk_kind_name(m->kind), -1, SQLITE_STATIC);
    if (m->reason != NULL)
        sqlite3_bind_text(st, 6, m->reason, -1, SQLITE_STATIC);
    if (m->ref != NULL)
        sqlite3_bind_text(st, 7, m->ref, -1, SQLITE_STATIC);
    if (m->unit_price_vnd >= 0)
        sqlite3_bind_int64(st, 8, m->unit_price_vnd);
    sqlite3_bind_text(st, 9, who->label ? who->label : "?", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, who->user_id);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

/* add_on_hand: on-hand += qty; *after gets the new quantity. */
static enum err add_on_hand(struct db *db, const struct stk_move *m,
                            int64_t *after, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO stock_on_hand (variant_id, location_id, qty)"
        " VALUES (?1, ?2, ?3) ON CONFLICT (variant_id, location_id)"
        " DO UPDATE SET qty = qty + excluded.qty RETURNING qty";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, m->variant_id);
    sqlite3_bind_int64(st, 2, m->location_id);
    sqlite3_bind_int64(st, 3, m->qty);
    rc = sqlite3_step(st);
    *after = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK
                             : err_set(ec, ERR_DB, "on hand: %s",
                                       sqlite3_errmsg(db_handle(db)));
}

static enum err add_shortfall(struct db *db, int64_t move_id,
                              const struct stk_move *m, int64_t short_qty,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO stock_shortfalls (move_id, variant_id, location_id,"
        " qty_short) VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, move_id);
    sqlite3_bind_int64(st, 2, m->variant_id);
    sqlite3_bind_int64(st, 3, m->location_id);
    sqlite3_bind_int64(st, 4, short_qty);
    return db_exec(db, st, ec);
}

enum err stk_record(struct db *db, const struct actor *who,
                    const struct stk_move *m, int64_t *shortfall,
                    struct err_ctx *ec)
{
    int64_t id = 0, after = 0, short_qty;
    enum err e;

    if (shortfall != NULL)
        *shortfall = 0;
    if (m->qty == 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_qty", "qty", "zero move");
    e = insert_move(db, who, m, &id, ec);
    if (e == ERR_OK)
        e = add_on_hand(db, m, &after, ec);
    if (e != ERR_OK || after >= 0 || m->qty > 0)
        return e;
    if (!m->allow_negative)
        return err_user(ec, ERR_CONFLICT, "err_stock_insufficient", "qty",
                        "not enough stock of variant %lld at %lld",
                        (long long)m->variant_id, (long long)m->location_id);
    /* the part of this move that went below zero */
    short_qty = -after < -m->qty ? -after : -m->qty;
    if (shortfall != NULL)
        *shortfall = short_qty;
    return add_shortfall(db, id, m, short_qty, ec);
}

int64_t stk_on_hand_of(struct db *db, int64_t variant_id, int64_t location_id)
{
    static const char sql[] = "SELECT qty FROM stock_on_hand"
                              " WHERE variant_id = ?1 AND location_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t q = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, variant_id);
    sqlite3_bind_int64(st, 2, location_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        q = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return q;
}

int64_t stk_verify(struct db *db)
{
    static const char sql[] =
        "SELECT count(*) FROM (SELECT variant_id, location_id, sum(qty) AS s"
        " FROM stock_moves GROUP BY 1, 2) m FULL JOIN stock_on_hand h"
        " USING (variant_id, location_id)"
        " WHERE coalesce(m.s, 0) <> coalesce(h.qty, 0)";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t bad = -1;

    if (st == NULL)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        bad = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return bad;
}

enum err stk_stock(struct db *db, int64_t location_id, cJSON **out,
                   struct err_ctx *ec)
{
    /* Every variant the place holds, and every variant of the producers
     * it sells for, even at zero. */
    static const char sql[] =
        "SELECT v.id, v.sku, p.name, v.size, v.unit, v.price_vnd,"
        " coalesce(h.qty, 0), coalesce(l.min_qty, 0), p.slug, v.barcode,"
        " (SELECT CASE ph.kind WHEN 'upload'"
        " THEN '/media/u/' || ph.file || '-320.jpg' ELSE '/media/' || ph.file"
        " END FROM photos ph WHERE ph.product_id = p.id"
        " ORDER BY ph.position, ph.id LIMIT 1)"
        " FROM variants v JOIN products p ON p.id = v.product_id"
        " LEFT JOIN stock_on_hand h ON h.variant_id = v.id"
        " AND h.location_id = ?1"
        " LEFT JOIN stock_levels l ON l.variant_id = v.id"
        " AND l.location_id = ?1"
        " WHERE h.qty IS NOT NULL OR p.producer_id IN"
        " (SELECT producer_id FROM booth_producers WHERE location_id = ?1)"
        " ORDER BY p.name_key, v.position";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, location_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *r = cJSON_CreateObject();
        int64_t on_hand = sqlite3_column_int64(st, 6), min = sqlite3_column_int64(st, 7);
        cJSON_AddNumberToObject(r, "variant_id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(r, "sku", db_text(st, 1));
        cJSON_AddStringToObject(r, "name", db_text(st, 2));
        cJSON_AddStringToObject(r, "size", db_text(st, 3));
        cJSON_AddStringToObject(r, "unit", db_text(st, 4));
        if (sqlite3_column_type(st, 5) == SQLITE_NULL)
            cJSON_AddNullToObject(r, "price_vnd");
        else
            cJSON_AddNumberToObject(r, "price_vnd",
                                    (double)sqlite3_column_int64(st, 5));
        cJSON_AddNumberToObject(r, "on_hand", (double)on_hand);
        cJSON_AddNumberToObject(r, "min_qty", (double)min);
        cJSON_AddBoolToObject(r, "low", on_hand <= min && min > 0);
        cJSON_AddStringToObject(r, "product_slug", db_text(st, 8));
        if (db_text(st, 9) != NULL)
            cJSON_AddStringToObject(r, "barcode", db_text(st, 9));
        else
            cJSON_AddNullToObject(r, "barcode");
        if (db_text(st, 10) != NULL) /* the cover photo, for the POS */
            cJSON_AddStringToObject(r, "photo", db_text(st, 10));
        else
            cJSON_AddNullToObject(r, "photo");
        cJSON_AddItemToArray(arr, r);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}

/* --- places -------------------------------------------------------------- */

enum err stk_place_add(struct db *db, const struct actor *who,
                       const struct stk_place *p, int64_t *id_out,
                       struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO locations (kind, name, parent_id, producer_id, venue,"
        " organiser, starts_on, ends_on, channel, commission_pct, is_sample)"
        " VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), coalesce(?5, ''),"
        " coalesce(?6, ''), ?7, ?8, ?9, ?10, ?11)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int64_t id;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    if (p->name == NULL || p->name[0] == '\0' || strlen(p->name) > 200)
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_name", "name",
                        "a place needs a name");
    sqlite3_bind_text(st, 1, p->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, p->parent_id);
    sqlite3_bind_int64(st, 4, p->producer_id);
    sqlite3_bind_text(st, 5, p->venue, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->organiser, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, p->starts_on, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, p->ends_on, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, p->channel, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 10, p->commission_pct);
    sqlite3_bind_int(st, 11, p->is_sample);
    e = db_exec(db, st, ec);
    id = sqlite3_last_insert_rowid(db_handle(db));
    if (id_out != NULL)
        *id_out = id;
    return e == ERR_OK ? audit_record(db, who, "place.create", "location", id,
                                      p->name, NULL, NULL, ec)
                       : e;
}

enum err stk_place_producer(struct db *db, int64_t location_id,
                            int64_t producer_id, double commission_pct,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO booth_producers (location_id, producer_id, commission_pct)"
        " VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET"
        " commission_pct = excluded.commission_pct";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, location_id);
    sqlite3_bind_int64(st, 2, producer_id);
    if (commission_pct >= 0)
        sqlite3_bind_double(st, 3, commission_pct);
    return db_exec(db, st, ec);
}

enum err stk_place_staff(struct db *db, int64_t location_id, int64_t user_id,
                         struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO booth_staff (location_id, user_id)"
        " VALUES (?1, ?2)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, location_id);
    sqlite3_bind_int64(st, 2, user_id);
    return db_exec(db, st, ec);
}

static int exists(struct db *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

int stk_is_staff(struct db *db, int64_t location_id, int64_t user_id)
{
    static const char sql[] = "SELECT 1 FROM booth_staff"
                              " WHERE location_id = ?1 AND user_id = ?2";
    return exists(db, sql, location_id, user_id);
}

int stk_sells(struct db *db, int64_t location_id, int64_t variant_id)
{
    static const char sql[] =
        "SELECT 1 FROM variants v JOIN products p ON p.id = v.product_id"
        " JOIN booth_producers b ON b.producer_id = p.producer_id"
        " WHERE b.location_id = ?1 AND v.id = ?2";
    return exists(db, sql, location_id, variant_id);
}

enum err stk_place(struct db *db, int64_t id, cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT l.id, l.kind, l.name, coalesce(l.parent_id, 0), l.venue,"
        " l.organiser, l.starts_on, l.ends_on, l.commission_pct, l.is_sample,"
        " f.name FROM locations l LEFT JOIN locations f ON f.id = l.parent_id"
        " WHERE l.id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *o;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                        "no place %lld", (long long)id);
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "kind", db_text(st, 1));
    cJSON_AddStringToObject(o, "name", db_text(st, 2));
    cJSON_AddNumberToObject(o, "parent_id", (double)sqlite3_column_int64(st, 3));
    cJSON_AddStringToObject(o, "venue", db_text(st, 4));
    cJSON_AddStringToObject(o, "organiser", db_text(st, 5));
    if (db_text(st, 6))
        cJSON_AddStringToObject(o, "starts_on", db_text(st, 6));
    if (db_text(st, 7))
        cJSON_AddStringToObject(o, "ends_on", db_text(st, 7));
    cJSON_AddNumberToObject(o, "commission_pct", sqlite3_column_double(st, 8));
    cJSON_AddBoolToObject(o, "sample", sqlite3_column_int(st, 9));
    if (db_text(st, 10))
        cJSON_AddStringToObject(o, "fair_name", db_text(st, 10));
    sqlite3_reset(st);
    *out = o;
    return ERR_OK;
}
