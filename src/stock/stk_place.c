/* stk_place.c: the office's work on places (see stk_place.h). */
#include "stock/stk_place.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const place_kinds[] = {"warehouse", "point", "fair", "booth",
                                          "channel"};

int stk_place_kind_ok(const char *kind)
{
    size_t i;

    for (i = 0; kind != NULL && i < sizeof(place_kinds) / sizeof(*place_kinds);
         i++)
        if (strcmp(kind, place_kinds[i]) == 0)
            return 1;
    return 0;
}

int stk_kind_holds_stock(const char *kind)
{
    return stk_place_kind_ok(kind) && strcmp(kind, "fair") != 0;
}

int stk_date_ok(const char *s)
{
    struct tm tm = {0};
    char back[11];
    int y, m, d;
    time_t t;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 2000 || y > 2200)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    t = timegm(&tm);
    gmtime_r(&t, &tm);
    (void)strftime(back, sizeof(back), "%Y-%m-%d", &tm);
    return strcmp(back, s) == 0; /* 2026-02-30 comes back as 03-02 */
}

enum err stk_when(const char *at, char *out, size_t size, struct err_ctx *ec)
{
    int y, mo, d, h, mi, sec, n = 0;

    if (stk_date_ok(at)) {
        (void)snprintf(out, size, "%sT05:00:00Z", at); /* noon in Vietnam */
        return ERR_OK;
    }
    if (at != NULL && strlen(at) == 20 &&
        sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec,
               &n) == 6 &&
        n == 20 && h < 24 && mi < 60 && sec < 60) {
        char day[11];
        (void)snprintf(day, sizeof(day), "%.10s", at);
        if (stk_date_ok(day)) {
            (void)snprintf(out, size, "%s", at);
            return ERR_OK;
        }
    }
    return err_user(ec, ERR_UNPROCESSABLE, "err_place_date", "at",
                    "a date is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
}

void stk_rows(sqlite3_stmt *st, cJSON *arr)
{
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        int i, n = sqlite3_column_count(st);
        for (i = 0; i < n; i++) {
            const char *name = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: break;
            case SQLITE_INTEGER:
                if (strncmp(name, "is_", 3) == 0)
                    cJSON_AddBoolToObject(o, name, sqlite3_column_int(st, i));
                else
                    cJSON_AddNumberToObject(
                        o, name, (double)sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT:
                cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, i));
                break;
            default: cJSON_AddStringToObject(o, name, db_text(st, i)); break;
            }
        }
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
}

/* query: the rows of sql bound to a and b (when >= 0). */
static enum err query(struct db *db, const char *sql, int64_t a, int64_t b,
                      cJSON **out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    *out = cJSON_CreateArray();
    if (*out == NULL) {
        sqlite3_reset(st);
        return ERR_NOMEM;
    }
    if (a >= 0)
        sqlite3_bind_int64(st, 1, a);
    if (b >= 0)
        sqlite3_bind_int64(st, 2, b);
    stk_rows(st, *out);
    return ERR_OK;
}

enum err stk_place_kind(struct db *db, int64_t id, char *out, size_t size,
                        struct err_ctx *ec)
{
    static const char sql[] = "SELECT kind FROM locations WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    out[0] = '\0';
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        (void)snprintf(out, size, "%s", db_text(st, 0));
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                            "no place %lld", (long long)id);
}

/* --- checking and editing places ----------------------------------------- */

static enum err check_dates(const struct stk_place *p, struct err_ctx *ec)
{
    int has_start = p->starts_on != NULL && p->starts_on[0] != '\0';
    int has_end = p->ends_on != NULL && p->ends_on[0] != '\0';

    if (has_start && !stk_date_ok(p->starts_on))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_date", "starts_on",
                        "start date is not YYYY-MM-DD");
    if (has_end && !stk_date_ok(p->ends_on))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_date", "ends_on",
                        "end date is not YYYY-MM-DD");
    if (has_start && has_end && strcmp(p->ends_on, p->starts_on) < 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_dates", "ends_on",
                        "the end is before the start");
    return ERR_OK;
}

/* check_links: a booth's fair and a warehouse's producer exist. */
static enum err check_links(struct db *db, const struct stk_place *p,
                            struct err_ctx *ec)
{
    static const char sql[] = "SELECT 1 FROM producers WHERE id = ?1";
    char kind[16];
    sqlite3_stmt *st;
    int found;

    if (strcmp(p->kind, "booth") == 0 &&
        (p->parent_id <= 0 ||
         stk_place_kind(db, p->parent_id, kind, sizeof(kind), NULL) != ERR_OK ||
         strcmp(kind, "fair") != 0))
        return err_user(ec, ERR_UNPROCESSABLE, "err_booth_fair", "parent_id",
                        "a booth belongs to a fair");
    if (strcmp(p->kind, "warehouse") != 0)
        return ERR_OK;
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, p->producer_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_UNPROCESSABLE, "err_warehouse_producer",
                            "producer", "a warehouse belongs to a producer");
}

static int text_ok(const char *s, size_t max)
{
    return s == NULL || strlen(s) <= max;
}

/* check_fields: what a place's form says, whatever it links to. */
static enum err check_fields(const struct stk_place *p, struct err_ctx *ec)
{
    if (!stk_place_kind_ok(p->kind))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_kind", "kind",
                        "unknown kind of place");
    if (p->name == NULL || p->name[strspn(p->name, " ")] == '\0' ||
        strlen(p->name) > 200)
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_name", "name",
                        "a place needs a name");
    if (!text_ok(p->venue, 300) || !text_ok(p->organiser, 300))
        return err_user(ec, ERR_UNPROCESSABLE, "err_too_long",
                        text_ok(p->venue, 300) ? "organiser" : "venue",
                        "too long");
    if (!(p->commission_pct >= 0 && p->commission_pct <= 100))
        return err_user(ec, ERR_UNPROCESSABLE, "err_commission",
                        "commission_pct", "commission is 0..100 %%");
    if (strcmp(p->kind, "channel") == 0 &&
        (p->channel == NULL || p->channel[0] == '\0' ||
         strlen(p->channel) > 40))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_channel", "channel",
                        "a channel needs its marketplace's name");
    return check_dates(p, ec);
}

enum err stk_place_check(struct db *db, const struct stk_place *p,
                         struct err_ctx *ec)
{
    enum err e = check_fields(p, ec);

    return e == ERR_OK ? check_links(db, p, ec) : e;
}

enum err stk_place_create(struct db *db, const struct actor *who,
                          const struct stk_place *p, int64_t *id_out,
                          struct err_ctx *ec)
{
    struct stk_place q = *p;
    enum err e = stk_place_check(db, p, ec);

    if (e != ERR_OK)
        return e;
    /* Only what the kind uses is kept. */
    if (strcmp(q.kind, "warehouse") != 0)
        q.producer_id = 0;
    if (strcmp(q.kind, "booth") != 0)
        q.parent_id = 0;
    if (strcmp(q.kind, "channel") != 0)
        q.channel = NULL;
    if (q.starts_on != NULL && q.starts_on[0] == '\0')
        q.starts_on = NULL;
    if (q.ends_on != NULL && q.ends_on[0] == '\0')
        q.ends_on = NULL;
    return stk_place_add(db, who, &q, id_out, ec);
}

static enum err place_json(struct db *db, int64_t id, cJSON **out,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT name, venue, organiser, starts_on, ends_on, channel,"
        " commission_pct FROM locations WHERE id = ?1";
    cJSON *rows = NULL;
    enum err e = query(db, sql, id, -1, &rows, ec);

    *out = NULL;
    if (e == ERR_OK && cJSON_GetArraySize(rows) == 1)
        *out = cJSON_DetachItemFromArray(rows, 0);
    cJSON_Delete(rows);
    if (e == ERR_OK && *out == NULL)
        e = err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL, "none");
    return e;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL && s[0] != '\0')
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

enum err stk_place_update(struct db *db, const struct actor *who, int64_t id,
                          const struct stk_place *p, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE locations SET name = ?2, venue = coalesce(?3, ''),"
        " organiser = coalesce(?4, ''), starts_on = ?5, ends_on = ?6,"
        " channel = CASE kind WHEN 'channel' THEN ?7 ELSE NULL END,"
        " commission_pct = ?8 WHERE id = ?1";
    struct stk_place q = *p;
    cJSON *before = NULL, *after = NULL;
    sqlite3_stmt *st;
    char kind[16];
    enum err e = stk_place_kind(db, id, kind, sizeof(kind), ec);

    if (e == ERR_OK) {
        q.kind = kind; /* the kind and what it links to stay */
        e = check_fields(&q, ec);
    }
    if (e == ERR_OK)
        e = place_json(db, id, &before, ec);
    st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, q.name, -1, SQLITE_STATIC);
        bind_opt(st, 3, q.venue);
        bind_opt(st, 4, q.organiser);
        bind_opt(st, 5, q.starts_on);
        bind_opt(st, 6, q.ends_on);
        bind_opt(st, 7, q.channel);
        sqlite3_bind_double(st, 8, q.commission_pct);
        e = db_exec(db, st, ec);
    } else if (e == ERR_OK) {
        e = ERR_DB;
    }
    if (e == ERR_OK)
        e = place_json(db, id, &after, ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "place.update", "location", id, q.name,
                         before, after, ec);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return e;
}

/* --- listing places ------------------------------------------------------ */

#define PLACE_COLUMNS                                                          \
    "SELECT l.id, l.kind, l.name, l.parent_id, l.venue, l.organiser,"          \
    " l.starts_on, l.ends_on, l.channel, l.commission_pct,"                    \
    " pr.name AS owner, l.is_sample,"                                          \
    " (SELECT coalesce(sum(h.qty), 0) FROM stock_on_hand h"                    \
    "  WHERE h.location_id = l.id) AS units,"                                  \
    " (SELECT count(*) FROM stock_on_hand h WHERE h.location_id = l.id"        \
    "  AND h.qty > 0) AS skus,"                                                \
    " (SELECT count(*) FROM stock_levels v LEFT JOIN stock_on_hand h"          \
    "  ON h.variant_id = v.variant_id AND h.location_id = v.location_id"       \
    "  WHERE v.location_id = l.id AND v.min_qty > 0"                           \
    "  AND coalesce(h.qty, 0) <= v.min_qty) AS low,"                           \
    " (SELECT count(*) FROM stock_shortfalls s WHERE s.location_id = l.id"     \
    "  AND s.resolved_at IS NULL) AS short_open,"                              \
    " (SELECT count(*) FROM locations b WHERE b.parent_id = l.id) AS booths"   \
    " FROM locations l LEFT JOIN producers pr ON pr.id = l.producer_id"

enum err stk_places(struct db *db, cJSON **out, struct err_ctx *ec)
{
    /* A booth sorts under its fair: by the fair's id, then its own. */
    static const char sql[] = PLACE_COLUMNS
        " ORDER BY CASE l.kind WHEN 'fair' THEN 0 WHEN 'booth' THEN 0"
        " WHEN 'point' THEN 1 WHEN 'warehouse' THEN 2 ELSE 3 END,"
        " coalesce(l.parent_id, l.id) DESC, l.parent_id IS NOT NULL, l.id";

    return query(db, sql, -1, -1, out, ec);
}

enum err stk_booths(struct db *db, int64_t fair_id, cJSON **out,
                    struct err_ctx *ec)
{
    static const char sql[] =
        PLACE_COLUMNS " WHERE l.parent_id = ?1 ORDER BY l.id";

    return query(db, sql, fair_id, -1, out, ec);
}

/* --- producers and staff ------------------------------------------------- */

enum err stk_place_producers(struct db *db, int64_t id, cJSON **out,
                             struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT p.id AS producer_id, p.slug, p.name, b.commission_pct,"
        " coalesce(b.commission_pct, l.commission_pct) AS effective_pct"
        " FROM booth_producers b JOIN producers p ON p.id = b.producer_id"
        " JOIN locations l ON l.id = b.location_id"
        " WHERE b.location_id = ?1 ORDER BY p.name";

    return query(db, sql, id, -1, out, ec);
}

static enum err producer_name(struct db *db, int64_t producer_id, char *out,
                              size_t size, struct err_ctx *ec)
{
    static const char sql[] = "SELECT name FROM producers WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, producer_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        (void)snprintf(out, size, "%s", db_text(st, 0));
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_producer_not_found",
                            "producer", "no producer %lld",
                            (long long)producer_id);
}

enum err stk_place_assign(struct db *db, const struct actor *who, int64_t id,
                          int64_t producer_id, double pct, struct err_ctx *ec)
{
    char kind[16], name[256];
    cJSON *after;
    enum err e = stk_place_kind(db, id, kind, sizeof(kind), ec);

    if (e == ERR_OK && !stk_kind_holds_stock(kind))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_place_no_stock", NULL,
                     "a fair sells through its booths");
    if (e == ERR_OK && pct > 100)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_commission", "commission_pct",
                     "commission is 0..100 %%");
    if (e == ERR_OK)
        e = producer_name(db, producer_id, name, sizeof(name), ec);
    if (e == ERR_OK)
        e = stk_place_producer(db, id, producer_id, pct, ec);
    if (e != ERR_OK)
        return e;
    after = cJSON_CreateObject();
    cJSON_AddNumberToObject(after, "producer_id", (double)producer_id);
    if (pct >= 0)
        cJSON_AddNumberToObject(after, "commission_pct", pct);
    e = audit_record(db, who, "place.producer_add", "location", id, name, NULL,
                     after, ec);
    cJSON_Delete(after);
    return e;
}

enum err stk_place_unassign(struct db *db, const struct actor *who, int64_t id,
                            int64_t producer_id, struct err_ctx *ec)
{
    static const char sql[] = "DELETE FROM booth_producers"
                              " WHERE location_id = ?1 AND producer_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char name[256];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    e = producer_name(db, producer_id, name, sizeof(name), ec);
    if (e != ERR_OK)
        return e;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, producer_id);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_place_producer_none", "producer",
                        "the place does not sell for it");
    return e == ERR_OK ? audit_record(db, who, "place.producer_remove",
                                      "location", id, name, NULL, NULL, ec)
                       : e;
}

enum err stk_place_staff_list(struct db *db, int64_t id, cJSON **out,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT u.id AS user_id, u.username, u.disabled AS is_disabled"
        " FROM booth_staff s JOIN users u ON u.id = s.user_id"
        " WHERE s.location_id = ?1 ORDER BY u.username";

    return query(db, sql, id, -1, out, ec);
}

enum err stk_place_staff_add(struct db *db, const struct actor *who, int64_t id,
                             const char *username, struct err_ctx *ec)
{
    static const char sql[] = "SELECT id, role FROM users WHERE username = ?1";
    sqlite3_stmt *st;
    int64_t uid = 0;
    int booth = 0;
    char kind[16];
    enum err e = stk_place_kind(db, id, kind, sizeof(kind), ec);

    if (e != ERR_OK)
        return e;
    if (strcmp(kind, "booth") != 0 && strcmp(kind, "point") != 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_staff_place", "username",
                        "only booths and points have sales staff");
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, username ? username : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        uid = sqlite3_column_int64(st, 0);
        booth = strcmp(db_text(st, 1), "booth") == 0;
    }
    sqlite3_reset(st);
    if (uid == 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_user_not_found", "username",
                        "no such account");
    if (!booth)
        return err_user(ec, ERR_UNPROCESSABLE, "err_staff_role", "username",
                        "staff are booth accounts");
    e = stk_place_staff(db, id, uid, ec);
    return e == ERR_OK ? audit_record(db, who, "place.staff_add", "location",
                                      id, username, NULL, NULL, ec)
                       : e;
}

enum err stk_place_staff_remove(struct db *db, const struct actor *who,
                                int64_t id, int64_t user_id, struct err_ctx *ec)
{
    static const char sql[] =
        "DELETE FROM booth_staff WHERE location_id = ?1 AND user_id = ?2"
        " RETURNING (SELECT username FROM users WHERE id = ?2)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char name[64] = "";
    int rc;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        (void)snprintf(name, sizeof(name), "%s", db_text(st, 0));
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return err_set(ec, ERR_DB, "staff: %s", sqlite3_errmsg(db_handle(db)));
    if (name[0] == '\0')
        return err_user(ec, ERR_NOTFOUND, "err_user_not_found", NULL,
                        "not on the staff");
    return audit_record(db, who, "place.staff_remove", "location", id, name,
                        NULL, NULL, ec);
}

/* --- lines of goods ------------------------------------------------------ */

/* A place sells the goods of the producers it takes on consignment; a
 * warehouse holds its owner's. held: or goods it has had. */
static int here(struct db *db, int64_t place, int64_t variant, int held)
{
    static const char sql[] =
        "SELECT 1 FROM variants v JOIN products p ON p.id = v.product_id"
        " WHERE v.id = ?2 AND (p.producer_id IN (SELECT producer_id"
        " FROM booth_producers WHERE location_id = ?1)"
        " OR p.producer_id = (SELECT producer_id FROM locations"
        " WHERE id = ?1) OR (?3 AND EXISTS (SELECT 1 FROM stock_on_hand h"
        " WHERE h.variant_id = v.id AND h.location_id = ?1)))";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;

    if (st == NULL)
        return 0;
    sqlite3_bind_int64(st, 1, place);
    sqlite3_bind_int64(st, 2, variant);
    sqlite3_bind_int(st, 3, held);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

static enum err check_line(struct db *db, int64_t place,
                           const struct stk_line *l, int flags,
                           struct err_ctx *ec)
{
    char field[40];
    int64_t q = l->qty;

    (void)snprintf(field, sizeof(field), "qty_%lld", (long long)l->variant_id);
    if ((q == 0 && !(flags & STK_LINES_ZERO)) ||
        (q < 0 && !(flags & STK_LINES_SIGNED)) || q > STK_MAX_QTY ||
        q < -STK_MAX_QTY)
        return err_user(ec, ERR_UNPROCESSABLE, "err_stock_qty", field,
                        "quantity %lld out of range", (long long)q);
    if (!here(db, place, l->variant_id, !(flags & STK_LINES_SOLD)))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_not_selling", field,
                        "variant %lld is not sold at place %lld",
                        (long long)l->variant_id, (long long)place);
    return ERR_OK;
}

enum err stk_lines_check(struct db *db, int64_t place,
                         const struct stk_line *lines, int n, int flags,
                         struct err_ctx *ec)
{
    enum err e = ERR_OK;
    int i, k;

    if (n < 1 || n > STK_MAX_LINES)
        return err_user(ec, ERR_UNPROCESSABLE, "err_stock_lines", "lines",
                        "1..%d lines", STK_MAX_LINES);
    for (i = 0; i < n && e == ERR_OK; i++) {
        for (k = 0; k < i; k++)
            if (lines[k].variant_id == lines[i].variant_id)
                return err_user(ec, ERR_UNPROCESSABLE, "err_stock_lines_dup",
                                "lines", "variant %lld twice",
                                (long long)lines[i].variant_id);
        e = check_line(db, place, &lines[i], flags, ec);
    }
    return e;
}

cJSON *stk_lines_json(const struct stk_line *lines, int n)
{
    cJSON *arr = cJSON_CreateArray();
    int i;

    for (i = 0; arr != NULL && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "variant_id", (double)lines[i].variant_id);
        cJSON_AddNumberToObject(o, "qty", (double)lines[i].qty);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* --- levels -------------------------------------------------------------- */

static enum err set_level(struct db *db, int64_t place,
                          const struct stk_line *l, struct err_ctx *ec)
{
    static const char upsert[] =
        "INSERT INTO stock_levels (variant_id, location_id, min_qty)"
        " VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET min_qty = ?3";
    static const char del[] =
        "DELETE FROM stock_levels WHERE variant_id = ?1 AND location_id = ?2";
    sqlite3_stmt *st = db_stmt(db, l->qty > 0 ? upsert : del, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, l->variant_id);
    sqlite3_bind_int64(st, 2, place);
    if (l->qty > 0)
        sqlite3_bind_int64(st, 3, l->qty);
    return db_exec(db, st, ec);
}

/* holding_place: ERR_OK when id is a place that holds stock. */
static enum err holding_place(struct db *db, int64_t id, struct err_ctx *ec)
{
    char kind[16];
    enum err e = stk_place_kind(db, id, kind, sizeof(kind), ec);

    if (e == ERR_OK && !stk_kind_holds_stock(kind))
        return err_user(ec, ERR_UNPROCESSABLE, "err_place_no_stock", NULL,
                        "a fair holds no stock: its booths do");
    return e;
}

/* audit_lines: one audit entry for a form's lines. */
static enum err audit_lines(struct db *db, const struct actor *who,
                            const char *action, int64_t place,
                            const char *summary, const char *ref,
                            const struct stk_line *lines, int n,
                            struct err_ctx *ec)
{
    cJSON *after = cJSON_CreateObject();
    enum err e;

    if (after == NULL)
        return ERR_NOMEM;
    if (ref != NULL && ref[0] != '\0')
        cJSON_AddStringToObject(after, "ref", ref);
    cJSON_AddItemToObject(after, "lines", stk_lines_json(lines, n));
    e = audit_record(db, who, action, "location", place, summary, NULL, after,
                     ec);
    cJSON_Delete(after);
    return e;
}

enum err stk_levels_set(struct db *db, const struct actor *who, int64_t id,
                        const struct stk_line *lines, int n, struct err_ctx *ec)
{
    enum err e = holding_place(db, id, ec);
    int i;

    if (e == ERR_OK)
        e = stk_lines_check(db, id, lines, n, STK_LINES_ZERO, ec);
    for (i = 0; e == ERR_OK && i < n; i++)
        e = set_level(db, id, &lines[i], ec);
    return e == ERR_OK ? audit_lines(db, who, "stock.levels", id, NULL, NULL,
                                     lines, n, ec)
                       : e;
}

/* --- goods in and out ---------------------------------------------------- */

struct goods {
    const struct stk_line *lines;
    int n;
    enum stk_kind kind;
    int sign; /* -1: lines are given as positive and go out */
    const char *reason, *ref, *at;
};

static enum err record_goods(struct db *db, const struct actor *who,
                             int64_t place, const struct goods *g,
                             struct err_ctx *ec)
{
    enum err e = ERR_OK;
    int i;

    for (i = 0; i < g->n && e == ERR_OK; i++) {
        struct stk_move m = {g->lines[i].variant_id,
                             place,
                             g->sign * g->lines[i].qty,
                             g->kind,
                             g->reason,
                             g->ref,
                             g->at,
                             -1,
                             0};
        e = stk_record(db, who, &m, NULL, ec);
        if (e == ERR_CONFLICT)
            (void)snprintf(ec->field, sizeof(ec->field), "qty_%lld",
                           (long long)g->lines[i].variant_id);
    }
    return e;
}

static enum err check_text(const char *s, size_t max, int required,
                           const char *key, const char *field,
                           struct err_ctx *ec)
{
    if ((required && (s == NULL || s[strspn(s, " ")] == '\0')) ||
        (s != NULL && strlen(s) > max))
        return err_user(ec, ERR_UNPROCESSABLE, key, field,
                        "%s is required (at most %zu bytes)", field, max);
    return ERR_OK;
}

enum err stk_receive(struct db *db, const struct actor *who, int64_t id,
                     const struct stk_line *lines, int n, const char *ref,
                     const char *note, const char *at, struct err_ctx *ec)
{
    struct goods g = {lines, n, STK_RECEIVE, 1, note, ref, NULL};
    char when[32];
    enum err e = holding_place(db, id, ec);

    if (e == ERR_OK)
        e = check_text(ref, STK_MAX_REF, 1, "err_delivery_note", "ref", ec);
    if (e == ERR_OK)
        e = check_text(note, STK_MAX_NOTE, 0, "err_note", "note", ec);
    if (e == ERR_OK && at != NULL && at[0] != '\0') {
        e = stk_when(at, when, sizeof(when), ec);
        g.at = when;
    }
    if (e == ERR_OK)
        e = stk_lines_check(db, id, lines, n, STK_LINES_SOLD, ec);
    if (e == ERR_OK)
        e = record_goods(db, who, id, &g, ec);
    return e == ERR_OK ? audit_lines(db, who, "stock.receive", id, ref, ref,
                                     lines, n, ec)
                       : e;
}

enum err stk_give_back(struct db *db, const struct actor *who, int64_t id,
                       const struct stk_line *lines, int n, const char *ref,
                       const char *note, struct err_ctx *ec)
{
    struct goods g = {lines, n, STK_RETURN, -1, note, ref, NULL};
    enum err e = holding_place(db, id, ec);

    if (e == ERR_OK)
        e = check_text(ref, STK_MAX_REF, 1, "err_delivery_note", "ref", ec);
    if (e == ERR_OK)
        e = check_text(note, STK_MAX_NOTE, 0, "err_note", "note", ec);
    if (e == ERR_OK)
        e = stk_lines_check(db, id, lines, n, 0, ec);
    if (e == ERR_OK)
        e = record_goods(db, who, id, &g, ec);
    return e == ERR_OK ? audit_lines(db, who, "stock.return", id, ref, ref,
                                     lines, n, ec)
                       : e;
}

enum err stk_adjust(struct db *db, const struct actor *who, int64_t id,
                    const struct stk_line *lines, int n, const char *reason,
                    struct err_ctx *ec)
{
    struct goods g = {lines, n, STK_ADJUST, 1, reason, NULL, NULL};
    enum err e = holding_place(db, id, ec);

    if (e == ERR_OK)
        e = check_text(reason, STK_MAX_NOTE, 1, "err_reason", "reason", ec);
    if (e == ERR_OK)
        e = stk_lines_check(db, id, lines, n, STK_LINES_SIGNED, ec);
    if (e == ERR_OK)
        e = record_goods(db, who, id, &g, ec);
    return e == ERR_OK ? audit_lines(db, who, "stock.adjust", id, reason, NULL,
                                     lines, n, ec)
                       : e;
}

/* --- the ledger, shortfalls, queues -------------------------------------- */

enum err stk_moves(struct db *db, int64_t id, int limit, cJSON **out,
                   struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT m.id, m.at, m.occurred_at, v.sku, p.name, v.size, m.qty,"
        " m.kind, m.reason, m.ref, m.unit_price_vnd, m.actor"
        " FROM stock_moves m JOIN variants v ON v.id = m.variant_id"
        " JOIN products p ON p.id = v.product_id"
        " WHERE m.location_id = ?1 ORDER BY m.id DESC LIMIT ?2";

    return query(db, sql, id, limit > 0 ? limit : 50, out, ec);
}

enum err stk_shortfalls(struct db *db, int64_t id, int open_only, cJSON **out,
                        struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.id, s.location_id AS booth_id, l.name AS booth, v.sku,"
        " p.name, v.size, s.qty_short, s.at, m.ref, m.occurred_at,"
        " s.resolved_at, s.resolved_by, s.resolve_note"
        " FROM stock_shortfalls s JOIN locations l ON l.id = s.location_id"
        " JOIN variants v ON v.id = s.variant_id"
        " JOIN products p ON p.id = v.product_id"
        " JOIN stock_moves m ON m.id = s.move_id"
        " WHERE (s.location_id = ?1 OR l.parent_id = ?1)"
        " AND (?2 = 0 OR s.resolved_at IS NULL)"
        " ORDER BY s.resolved_at IS NOT NULL, s.id DESC LIMIT 500";

    return query(db, sql, id, open_only ? 1 : 0, out, ec);
}

enum err stk_shortfall_resolve(struct db *db, const struct actor *who,
                               int64_t id, int64_t shortfall_id,
                               const char *note, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE stock_shortfalls SET resolved_at ="
        " strftime('%Y-%m-%dT%H:%M:%SZ'), resolved_by = ?3, resolve_note = ?4"
        " WHERE id = ?1 AND resolved_at IS NULL AND location_id IN"
        " (SELECT id FROM locations WHERE id = ?2 OR parent_id = ?2)";
    sqlite3_stmt *st;
    char kind[16];
    enum err e = stk_place_kind(db, id, kind, sizeof(kind), ec);

    if (e == ERR_OK)
        e = check_text(note, STK_MAX_NOTE, 1, "err_note_required", "note", ec);
    st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (st == NULL)
        return e != ERR_OK ? e : ERR_DB;
    sqlite3_bind_int64(st, 1, shortfall_id);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, who->label ? who->label : "?", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_CONFLICT, "err_shortfall_closed", NULL,
                        "no open shortfall %lld here", (long long)shortfall_id);
    return e == ERR_OK ? audit_record(db, who, "stock.shortfall_resolve",
                                      "location", id, note, NULL, NULL, ec)
                       : e;
}

enum err stk_queue_report(struct db *db, const struct actor *who,
                          int64_t booth_id, int64_t waiting, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO booth_queue (location_id, waiting, reported_at,"
        " reported_by) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ'), ?3)"
        " ON CONFLICT DO UPDATE SET waiting = excluded.waiting,"
        " reported_at = excluded.reported_at,"
        " reported_by = excluded.reported_by";
    sqlite3_stmt *st;
    char kind[16];
    enum err e = stk_place_kind(db, booth_id, kind, sizeof(kind), ec);

    if (e != ERR_OK)
        return e;
    if (strcmp(kind, "booth") != 0 && strcmp(kind, "point") != 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_queue_booth", "booth",
                        "only booths and points sell");
    if (waiting < 0 || waiting > 1000000)
        return err_user(ec, ERR_UNPROCESSABLE, "err_queue_waiting", "waiting",
                        "waiting must be 0..1000000");
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, booth_id);
    sqlite3_bind_int64(st, 2, waiting);
    sqlite3_bind_text(st, 3, who->label ? who->label : "?", -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}
