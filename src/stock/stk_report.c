/* stk_report.c: consignment settlements and a fair's live figures (see
 * stk_report.h). */
#include "stock/stk_report.h"

#include "stock/stk_place.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int64_t stk_commission(int64_t value_vnd, double pct)
{
    /* In hundredths of a percent, so 12.5 % is exactly 1250. */
    int64_t bp = (int64_t)llround(pct * 100.0);
    int64_t v = value_vnd < 0 ? -value_vnd : value_vnd;
    int64_t c = (v * bp + 5000) / 10000;

    return value_vnd < 0 ? -c : c;
}

enum err stk_period_check(const struct stk_period *p, struct err_ctx *ec)
{
    if (!stk_date_ok(p->from))
        return err_user(ec, ERR_UNPROCESSABLE, "err_period", "from",
                        "from is not a date");
    if (!stk_date_ok(p->to))
        return err_user(ec, ERR_UNPROCESSABLE, "err_period", "to",
                        "to is not a date");
    if (strcmp(p->from, p->to) > 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_period", "to",
                        "the period ends before it starts");
    return ERR_OK;
}

/* --- settlement ---------------------------------------------------------- */

/* A move sold (or gave back) goods to a buyer. */
#define SOLD_MOVE                                                              \
    "(m.kind IN ('sale', 'void', 'dispatch') OR"                               \
    " (m.kind = 'return' AND m.qty > 0))"

static const char settle_sql[] =
    "WITH mv AS (SELECT m.location_id, m.variant_id, m.kind, m.qty,"
    " date(m.occurred_at, '+7 hours') >= ?2 AS inp,"
    " " SOLD_MOVE " AS sold,"
    " CASE WHEN " SOLD_MOVE " THEN -m.qty * coalesce(m.unit_price_vnd, 0)"
    "  - CASE WHEN m.ref LIKE 'sale:%' THEN coalesce((SELECT -m.qty"
    "  * sum(sl.discount_vnd) / sum(sl.qty) FROM sale_lines sl"
    "  WHERE sl.sale_id = CAST(substr(m.ref, 6) AS INTEGER)"
    "  AND sl.variant_id = m.variant_id), 0) ELSE 0 END"
    " ELSE 0 END AS value"
    " FROM stock_moves m JOIN locations l ON l.id = m.location_id"
    " WHERE (l.id = ?1 OR l.parent_id = ?1)"
    " AND date(m.occurred_at, '+7 hours') <= ?3)"
    " SELECT mv.location_id, l.name, pd.producer_id, pr.slug, pr.name, v.id,"
    " v.sku, pd.name, v.size, coalesce(bp.commission_pct, l.commission_pct),"
    " sum(CASE WHEN NOT mv.inp THEN mv.qty ELSE 0 END),"
    " sum(CASE WHEN mv.inp AND mv.kind IN ('receive', 'transfer_in')"
    "  THEN mv.qty ELSE 0 END),"
    " sum(CASE WHEN mv.inp AND mv.kind = 'transfer_out' THEN -mv.qty"
    "  ELSE 0 END),"
    " sum(CASE WHEN mv.inp AND mv.sold THEN -mv.qty ELSE 0 END),"
    " sum(CASE WHEN mv.inp AND mv.kind = 'return' AND mv.qty < 0"
    "  THEN -mv.qty ELSE 0 END),"
    " sum(CASE WHEN mv.inp AND mv.kind IN ('adjust', 'count') THEN mv.qty"
    "  ELSE 0 END),"
    " sum(mv.qty), sum(CASE WHEN mv.inp THEN mv.value ELSE 0 END)"
    " FROM mv JOIN locations l ON l.id = mv.location_id"
    " JOIN variants v ON v.id = mv.variant_id"
    " JOIN products pd ON pd.id = v.product_id"
    " JOIN producers pr ON pr.id = pd.producer_id"
    " LEFT JOIN booth_producers bp ON bp.location_id = mv.location_id"
    " AND bp.producer_id = pd.producer_id"
    " WHERE ?4 = 0 OR pd.producer_id = ?4"
    " GROUP BY mv.location_id, mv.variant_id"
    " ORDER BY pr.slug, pd.producer_id, mv.location_id, pd.name_key,"
    " v.position";

#define N_SUMS 8
static const char *const sum_names[N_SUMS] = {"opening", "received", "sent",
                                              "sold",    "returned", "adjusted",
                                              "closing", "sales_vnd"};

struct sums {
    int64_t v[N_SUMS];
    int64_t commission;
};

struct settle {
    cJSON *producers, *cur; /* the producer being filled */
    int64_t producer, place;
    double pct, first_pct;
    int n_pct, mixed;
    int64_t place_value; /* sales of cur at place, for its commission */
    struct sums p_sums, all;
};

static void add_sums(cJSON *o, const struct sums *s)
{
    int i;

    for (i = 0; i < N_SUMS; i++)
        cJSON_AddNumberToObject(o, sum_names[i], (double)s->v[i]);
    cJSON_AddNumberToObject(o, "commission_vnd", (double)s->commission);
    cJSON_AddNumberToObject(o, "due_vnd",
                            (double)(s->v[N_SUMS - 1] - s->commission));
}

/* close_place: the commission of the producer's sales at one place. */
static void close_place(struct settle *s)
{
    s->p_sums.commission += stk_commission(s->place_value, s->pct);
    s->place_value = 0;
}

static void close_producer(struct settle *s)
{
    int i;

    if (s->cur == NULL)
        return;
    close_place(s);
    if (s->n_pct > 0 && !s->mixed)
        cJSON_AddNumberToObject(s->cur, "commission_pct", s->first_pct);
    add_sums(cJSON_AddObjectToObject(s->cur, "totals"), &s->p_sums);
    for (i = 0; i < N_SUMS; i++)
        s->all.v[i] += s->p_sums.v[i];
    s->all.commission += s->p_sums.commission;
    memset(&s->p_sums, 0, sizeof(s->p_sums));
    s->cur = NULL;
}

static void open_producer(struct settle *s, int64_t id, const char *slug,
                          const char *name)
{
    s->cur = cJSON_CreateObject();
    cJSON_AddNumberToObject(s->cur, "producer_id", (double)id);
    cJSON_AddStringToObject(s->cur, "slug", slug);
    cJSON_AddStringToObject(s->cur, "name", name);
    cJSON_AddArrayToObject(s->cur, "items");
    cJSON_AddItemToArray(s->producers, s->cur);
    s->producer = id;
    s->place = 0;
    s->n_pct = s->mixed = 0;
}

static void settle_row(struct settle *s, sqlite3_stmt *st)
{
    int64_t place = sqlite3_column_int64(st, 0), v[N_SUMS];
    double pct = sqlite3_column_double(st, 9);
    cJSON *it;
    int i, any = 0;

    for (i = 0; i < N_SUMS; i++)
        any |= (v[i] = sqlite3_column_int64(st, 10 + i)) != 0;
    if (s->cur == NULL || sqlite3_column_int64(st, 2) != s->producer) {
        close_producer(s);
        open_producer(s, sqlite3_column_int64(st, 2), db_text(st, 3),
                      db_text(st, 4));
    }
    if (place != s->place) {
        close_place(s);
        s->place = place;
        s->pct = pct;
        if (s->n_pct++ == 0)
            s->first_pct = pct;
        else if (pct != s->first_pct)
            s->mixed = 1;
    }
    if (!any)
        return; /* nothing there before, in or after the period */
    it = cJSON_CreateObject();
    cJSON_AddNumberToObject(it, "place_id", (double)place);
    cJSON_AddStringToObject(it, "place", db_text(st, 1));
    cJSON_AddNumberToObject(it, "variant_id",
                            (double)sqlite3_column_int64(st, 5));
    cJSON_AddStringToObject(it, "sku", db_text(st, 6));
    cJSON_AddStringToObject(it, "name", db_text(st, 7));
    cJSON_AddStringToObject(it, "size", db_text(st, 8));
    for (i = 0; i < N_SUMS; i++) {
        cJSON_AddNumberToObject(it, sum_names[i], (double)v[i]);
        s->p_sums.v[i] += v[i];
    }
    cJSON_AddNumberToObject(it, "commission_pct", pct);
    cJSON_AddItemToArray(cJSON_GetObjectItem(s->cur, "items"), it);
    s->place_value += v[N_SUMS - 1];
}

/* empty_producer: the asked-for producer, when nothing of theirs is
 * there (the report then says so with zeros). */
static enum err empty_producer(struct db *db, struct settle *s, int64_t id,
                               struct err_ctx *ec)
{
    static const char sql[] = "SELECT slug, name FROM producers WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        open_producer(s, id, db_text(st, 0), db_text(st, 1));
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_producer_not_found", NULL,
                            "no producer %lld", (long long)id);
}

static enum err settle_rows(struct db *db, int64_t place, int64_t producer_id,
                            const struct stk_period *p, struct settle *s,
                            struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, settle_sql, ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, place);
    sqlite3_bind_text(st, 2, p->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, producer_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        settle_row(s, st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return err_set(ec, ERR_DB, "settlement: %s",
                       sqlite3_errmsg(db_handle(db)));
    if (s->cur == NULL && producer_id != 0)
        return empty_producer(db, s, producer_id, ec);
    return ERR_OK;
}

enum err stk_settlement(struct db *db, int64_t place, int64_t producer_id,
                        const struct stk_period *p, cJSON **out,
                        struct err_ctx *ec)
{
    struct settle s;
    cJSON *r = NULL;
    enum err e = stk_period_check(p, ec);

    *out = NULL;
    memset(&s, 0, sizeof(s));
    if (e == ERR_OK)
        e = stk_place(db, place, &r, ec);
    if (e != ERR_OK)
        return e;
    cJSON_AddNumberToObject(r, "place_id", (double)place);
    cJSON_AddStringToObject(r, "from", p->from);
    cJSON_AddStringToObject(r, "to", p->to);
    cJSON_AddBoolToObject(
        r, "multi",
        strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "kind")), "fair") ==
            0);
    s.producers = cJSON_AddArrayToObject(r, "producers");
    e = settle_rows(db, place, producer_id, p, &s, ec);
    close_producer(&s);
    if (e != ERR_OK) {
        cJSON_Delete(r);
        return e;
    }
    add_sums(cJSON_AddObjectToObject(r, "totals"), &s.all);
    *out = r;
    return ERR_OK;
}

/* --- the live view of a fair --------------------------------------------- */

/* A sale of the fair's (or point's) booths, completed, sold on day ?2. */
#define FAIR_SALE                                                              \
    " s.booth_id IN (SELECT id FROM locations WHERE id = ?1"                   \
    " OR parent_id = ?1) AND s.status = 'completed'"                           \
    " AND date(s.sold_at, '+7 hours') = ?2"

static const char live_booths[] =
    "SELECT l.id, l.name,"
    " (SELECT count(*) FROM sales s WHERE s.booth_id = l.id"
    "  AND s.status = 'completed' AND date(s.sold_at, '+7 hours') = ?2)"
    "  AS sales_count,"
    " (SELECT coalesce(sum(s.total_vnd), 0) FROM sales s"
    "  WHERE s.booth_id = l.id AND s.status = 'completed'"
    "  AND date(s.sold_at, '+7 hours') = ?2) AS sales_vnd,"
    " (SELECT coalesce(sum(s.total_vnd), 0) FROM sales s"
    "  WHERE s.booth_id = l.id AND s.status = 'completed') AS all_sales_vnd,"
    " (SELECT count(*) FROM sales s WHERE s.booth_id = l.id"
    "  AND s.status = 'completed') AS all_sales_count,"
    " (SELECT coalesce(sum(h.qty), 0) FROM stock_on_hand h"
    "  WHERE h.location_id = l.id) AS units,"
    " (SELECT count(*) FROM stock_on_hand h WHERE h.location_id = l.id"
    "  AND h.qty > 0) AS skus,"
    " (SELECT count(*) FROM stock_levels v LEFT JOIN stock_on_hand h"
    "  ON h.variant_id = v.variant_id AND h.location_id = v.location_id"
    "  WHERE v.location_id = l.id AND v.min_qty > 0"
    "  AND coalesce(h.qty, 0) <= v.min_qty) AS low,"
    " (SELECT count(*) FROM stock_shortfalls f WHERE f.location_id = l.id"
    "  AND f.resolved_at IS NULL) AS short_open,"
    " (SELECT max(s.received_at) FROM sales s WHERE s.booth_id = l.id)"
    "  AS last_received_at,"
    " (SELECT max(s.sold_at) FROM sales s WHERE s.booth_id = l.id)"
    "  AS last_sold_at,"
    " (SELECT count(*) FROM sales s WHERE s.booth_id = l.id"
    "  AND date(s.received_at, '+7 hours') = ?2 AND (julianday(s.received_at)"
    "  - julianday(s.sold_at)) * 86400 > ?3) AS late_today,"
    " q.waiting, q.reported_at AS queue_at"
    " FROM locations l LEFT JOIN booth_queue q ON q.location_id = l.id"
    " WHERE (l.id = ?1 AND l.kind <> 'fair') OR l.parent_id = ?1"
    " ORDER BY sales_vnd DESC, l.id";

static const char live_hours[] =
    "SELECT CAST(strftime('%H', s.sold_at, '+7 hours') AS INTEGER),"
    " count(*), sum(s.total_vnd) FROM sales s WHERE" FAIR_SALE " GROUP BY 1";

static const char live_products[] =
    "SELECT sl.sku, sl.name, v.size, sum(sl.qty) AS qty,"
    " sum(sl.total_vnd) AS sales_vnd FROM sale_lines sl"
    " JOIN sales s ON s.id = sl.sale_id"
    " LEFT JOIN variants v ON v.id = sl.variant_id"
    " WHERE" FAIR_SALE " GROUP BY sl.variant_id ORDER BY sales_vnd DESC,"
    " sl.sku LIMIT 15";

static const char live_low[] =
    "SELECT l.id AS booth_id, l.name AS booth, v.sku, p.name, v.size,"
    " coalesce(h.qty, 0) AS on_hand, lv.min_qty"
    " FROM stock_levels lv JOIN locations l ON l.id = lv.location_id"
    " JOIN variants v ON v.id = lv.variant_id"
    " JOIN products p ON p.id = v.product_id"
    " LEFT JOIN stock_on_hand h ON h.variant_id = lv.variant_id"
    " AND h.location_id = lv.location_id"
    " WHERE (l.id = ?1 OR l.parent_id = ?1) AND lv.min_qty > 0"
    " AND coalesce(h.qty, 0) <= lv.min_qty"
    " ORDER BY coalesce(h.qty, 0) - lv.min_qty, l.id, p.name_key LIMIT 200";

static enum err live_rows(struct db *db, const char *sql, int64_t fair,
                          const char *day, cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, fair);
    if (sql != live_low) /* which has no day */
        sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    if (sql == live_booths)
        sqlite3_bind_int(st, 3, STK_LATE_S);
    stk_rows(st, arr);
    return ERR_OK;
}

static enum err live_hour_rows(struct db *db, int64_t fair, const char *day,
                               cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, live_hours, ec);
    int64_t count[24] = {0}, vnd[24] = {0};
    int h;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, fair);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        h = sqlite3_column_int(st, 0);
        if (h >= 0 && h < 24) {
            count[h] = sqlite3_column_int64(st, 1);
            vnd[h] = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_reset(st);
    for (h = 0; h < 24; h++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "hour", h);
        cJSON_AddNumberToObject(o, "sales_count", (double)count[h]);
        cJSON_AddNumberToObject(o, "sales_vnd", (double)vnd[h]);
        cJSON_AddItemToArray(arr, o);
    }
    return ERR_OK;
}

/* live_totals: sums over the booths. */
static void live_totals(cJSON *r)
{
    static const char *const keys[] = {
        "sales_count", "sales_vnd", "all_sales_vnd", "all_sales_count",
        "late_today",  "waiting",   "low",           "short_open"};
    double t[8] = {0};
    cJSON *b, *tot = cJSON_AddObjectToObject(r, "totals");
    size_t i;

    cJSON_ArrayForEach(b, cJSON_GetObjectItem(r, "booths"))
    {
        for (i = 0; i < 8; i++)
            if (cJSON_IsNumber(cJSON_GetObjectItem(b, keys[i])))
                t[i] += cJSON_GetNumberValue(cJSON_GetObjectItem(b, keys[i]));
    }
    for (i = 0; i < 8; i++)
        cJSON_AddNumberToObject(
            tot, strcmp(keys[i], "late_today") == 0 ? "late" : keys[i], t[i]);
}

enum err stk_fair_live(struct db *db, int64_t fair_id, const char *day,
                       cJSON **out, struct err_ctx *ec)
{
    cJSON *r = NULL, *shorts = NULL;
    enum err e = stk_date_ok(day) ? ERR_OK
                                  : err_user(ec, ERR_UNPROCESSABLE,
                                             "err_period", "day", "bad day");

    *out = NULL;
    if (e == ERR_OK)
        e = stk_place(db, fair_id, &r, ec);
    if (e != ERR_OK)
        return e;
    cJSON_AddStringToObject(r, "day", day);
    e = live_rows(db, live_booths, fair_id, day,
                  cJSON_AddArrayToObject(r, "booths"), ec);
    if (e == ERR_OK)
        e = live_hour_rows(db, fair_id, day, cJSON_AddArrayToObject(r, "hours"),
                           ec);
    if (e == ERR_OK)
        e = live_rows(db, live_products, fair_id, day,
                      cJSON_AddArrayToObject(r, "products"), ec);
    if (e == ERR_OK)
        e = live_rows(db, live_low, fair_id, day,
                      cJSON_AddArrayToObject(r, "low"), ec);
    if (e == ERR_OK)
        e = stk_shortfalls(db, fair_id, 1, &shorts, ec);
    if (e != ERR_OK) {
        cJSON_Delete(r);
        return e;
    }
    cJSON_AddItemToObject(r, "shortfalls", shorts);
    live_totals(r);
    *out = r;
    return ERR_OK;
}

enum err stk_producer_places(struct db *db, int64_t producer_id, cJSON **out,
                             struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT l.id AS place_id, l.name AS place, l.kind,"
        " f.id AS fair_id, f.name AS fair,"
        " (SELECT coalesce(sum(h.qty), 0) FROM stock_on_hand h"
        "  JOIN variants v ON v.id = h.variant_id"
        "  JOIN products p ON p.id = v.product_id"
        "  WHERE h.location_id = l.id AND p.producer_id = ?1) AS units,"
        " (SELECT count(*) FROM stock_on_hand h"
        "  JOIN variants v ON v.id = h.variant_id"
        "  JOIN products p ON p.id = v.product_id WHERE h.location_id = l.id"
        "  AND p.producer_id = ?1 AND h.qty > 0) AS skus"
        " FROM locations l LEFT JOIN locations f ON f.id = l.parent_id"
        " WHERE l.id IN (SELECT location_id FROM booth_producers"
        " WHERE producer_id = ?1 UNION SELECT m.location_id"
        " FROM stock_moves m JOIN variants v ON v.id = m.variant_id"
        " JOIN products p ON p.id = v.product_id WHERE p.producer_id = ?1)"
        " ORDER BY l.kind = 'warehouse', coalesce(l.parent_id, l.id) DESC,"
        " l.id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    *out = cJSON_CreateArray();
    sqlite3_bind_int64(st, 1, producer_id);
    stk_rows(st, *out);
    return ERR_OK;
}
