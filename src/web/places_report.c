/* places_report.c: what the office and producers read of places:
 * - the consignment settlement (/quan-tri/doi-soat, NEED_ADMIN; and
 *   /quan-ly/ky-gui in the producer portal, NEED_EDITOR, a producer's own
 *   goods only), as a page that prints and as CSV (RFC 4180, UTF-8 with a
 *   byte order mark so Excel shows Vietnamese, amounts in whole đồng);
 * - a fair's live view (/quan-tri/hoi-cho/ID, NEED_ADMIN): sales by booth,
 *   product and hour as server-drawn SVG bars with their data tables,
 *   stock, low stock, shortfalls of offline sales, and what booths have
 *   not synced yet;
 * - POST /api/v1/booths/ID/queue {"waiting":N}: a booth's tablet reports
 *   how many sales it holds (a booth key or staff of that booth, or an
 *   admin). */
#include "web/places.h"

#include "pos/pos.h"
#include "stock/stk_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (int64_t)cJSON_GetNumberValue(v) : 0;
}

/* pct_text: 12.5 as "12,5" in Vietnamese, "12.5" in English. */
static const char *pct_text(struct ctx *c, double pct)
{
    char *s = arena_printf(&c->req->arena, "%g", pct), *dot;

    if (s != NULL && c->lang == LANG_VI && (dot = strchr(s, '.')) != NULL)
        *dot = ',';
    return s ? s : "";
}

/* --- the settlement's query ---------------------------------------------- */

struct settle_q {
    int64_t place, producer; /* producer 0: all */
    char from[11], to[11];
    const char *producer_slug;
};

/* settle_query: ?place=&producer=&from=&to=, the period by default this
 * month to today (Vietnam). 0 when a value is malformed. */
static int settle_query(struct ctx *c, struct settle_q *q)
{
    const char *from = http_arg(c->req, "from"), *to = http_arg(c->req, "to");
    const char *place = http_arg(c->req, "place");

    memset(q, 0, sizeof(*q));
    q->place = places_id(place);
    q->producer_slug = http_arg(c->req, "producer");
    if (q->producer_slug != NULL && q->producer_slug[0] == '\0')
        q->producer_slug = NULL;
    if (q->producer_slug != NULL) {
        q->producer = places_producer_id(c, q->producer_slug);
        if (q->producer == 0)
            return 0;
    }
    (void)snprintf(q->from, sizeof(q->from), "%.7s-01", c->today);
    (void)snprintf(q->to, sizeof(q->to), "%s", c->today);
    if (from != NULL && *from != '\0')
        (void)snprintf(q->from, sizeof(q->from), "%.10s", from);
    if (to != NULL && *to != '\0')
        (void)snprintf(q->to, sizeof(q->to), "%.10s", to);
    return (place == NULL || *place == '\0' || q->place > 0) &&
           (from == NULL || strlen(from) <= 10) &&
           (to == NULL || strlen(to) <= 10);
}

static const char *query_string(struct ctx *c, const struct settle_q *q)
{
    return arena_printf(
        &c->req->arena, "place=%lld%s%s&from=%s&to=%s", (long long)q->place,
        q->producer_slug ? "&producer=" : "",
        q->producer_slug ? q->producer_slug : "", q->from, q->to);
}

/* --- the settlement as a page -------------------------------------------- */

static const char *const money_keys[] = {"sales_vnd", "commission_vnd",
                                         "due_vnd"};

static void money_texts(struct ctx *c, cJSON *o)
{
    size_t i;

    for (i = 0; i < sizeof(money_keys) / sizeof(*money_keys); i++)
        places_add_money(c, o, money_keys[i]);
}

static void settle_view(struct ctx *c, cJSON *r)
{
    cJSON *pr, *it;

    cJSON_ArrayForEach(pr, cJSON_GetObjectItem(r, "producers"))
    {
        const cJSON *pct = cJSON_GetObjectItem(pr, "commission_pct");
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(pr, "items"))
        {
            money_texts(c, it);
            cJSON_AddStringToObject(
                it, "pct_text",
                pct_text(c, cJSON_GetNumberValue(
                                cJSON_GetObjectItem(it, "commission_pct"))));
        }
        if (cJSON_IsNumber(pct))
            cJSON_AddStringToObject(pr, "pct_text",
                                    pct_text(c, cJSON_GetNumberValue(pct)));
        money_texts(c, cJSON_GetObjectItem(pr, "totals"));
        cJSON_AddBoolToObject(
            pr, "empty",
            cJSON_GetArraySize(cJSON_GetObjectItem(pr, "items")) == 0);
    }
    money_texts(c, cJSON_GetObjectItem(r, "totals"));
    cJSON_AddBoolToObject(
        r, "several",
        cJSON_GetArraySize(cJSON_GetObjectItem(r, "producers")) > 1);
    cJSON_AddStringToObject(r, "from_text", admin_date(c, str_of(r, "from")));
    cJSON_AddStringToObject(r, "to_text", admin_date(c, str_of(r, "to")));
}

/* place_options: the places a settlement can be of (not warehouses), a
 * booth named with its fair. */
static enum err place_options(struct ctx *c, cJSON *m, int64_t chosen,
                              struct err_ctx *ec)
{
    cJSON *all = NULL, *r, *opts, *fairs = cJSON_CreateObject();
    enum err e = stk_places(c->w->db, &all, ec);

    if (e != ERR_OK) {
        cJSON_Delete(fairs);
        return e;
    }
    opts = cJSON_AddArrayToObject(m, "place_options");
    cJSON_ArrayForEach(r, all)
    {
        char key[24], parent[24];
        const char *fair;
        cJSON *o;
        (void)snprintf(key, sizeof(key), "%lld", (long long)num_of(r, "id"));
        (void)snprintf(parent, sizeof(parent), "%lld",
                       (long long)num_of(r, "parent_id"));
        if (strcmp(str_of(r, "kind"), "fair") == 0)
            cJSON_AddStringToObject(fairs, key, str_of(r, "name"));
        if (strcmp(str_of(r, "kind"), "warehouse") == 0)
            continue;
        fair = str_of(fairs, parent);
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)num_of(r, "id"));
        cJSON_AddStringToObject(
            o, "label",
            fair ? arena_printf(&c->req->arena, "%s — %s", fair,
                                str_of(r, "name"))
                 : arena_printf(&c->req->arena, "%s (%s)", str_of(r, "name"),
                                places_kind_text(c, str_of(r, "kind"))));
        cJSON_AddBoolToObject(o, "selected", num_of(r, "id") == chosen);
        cJSON_AddItemToArray(opts, o);
    }
    cJSON_Delete(all);
    cJSON_Delete(fairs);
    return ERR_OK;
}

static void query_values(cJSON *m, const struct settle_q *q)
{
    cJSON *v = cJSON_GetObjectItem(m, "values");

    cJSON_AddStringToObject(v, "from", q->from);
    cJSON_AddStringToObject(v, "to", q->to);
    if (q->producer_slug != NULL)
        cJSON_AddStringToObject(v, "producer", q->producer_slug);
}

/* add_report: the settlement of q into m.report, when a place is chosen.
 * A period the user typed wrong is shown as the form's error. */
static enum err add_report(struct ctx *c, cJSON *m, const struct settle_q *q,
                           const char *csv_path, struct err_ctx *ec)
{
    struct stk_period p = {q->from, q->to};
    cJSON *r = NULL;
    enum err e;

    if (q->place == 0)
        return ERR_OK;
    e = stk_settlement(c->w->db, q->place, q->producer, &p, &r, ec);
    if (e == ERR_UNPROCESSABLE) {
        admin_error(c, m, "query", ec, "err_period");
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    settle_view(c, r);
    cJSON_AddStringToObject(
        r, "csv_href",
        view_url(c, arena_printf(&c->req->arena, "%s?%s", csv_path,
                                 query_string(c, q))));
    cJSON_AddStringToObject(r, "csv_name",
                            arena_printf(&c->req->arena,
                                         "doi-soat-%lld-%s-%s.csv",
                                         (long long)q->place, q->from, q->to));
    cJSON_AddItemToObject(m, "report", r);
    return ERR_OK;
}

/* producer_options: the producers some place sells for. */
static enum err producer_options(struct ctx *c, cJSON *m, const char *chosen,
                                 struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT slug, name FROM producers WHERE id IN"
        " (SELECT producer_id FROM booth_producers) ORDER BY name";
    sqlite3_stmt *st = db_stmt(c->w->db, sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(m, "producer_options"), *p;

    if (st == NULL)
        return ERR_DB;
    stk_rows(st, arr);
    cJSON_ArrayForEach(p, arr)
    {
        cJSON_AddBoolToObject(p, "selected",
                              chosen != NULL &&
                                  strcmp(chosen, str_of(p, "slug")) == 0);
    }
    return ERR_OK;
}

enum hres page_settlement(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct settle_q q;
    cJSON *m;
    enum err e;

    if (!settle_query(c, &q))
        return web_fail(c, 400, "invalid", "err_invalid");
    m = places_model(c, "settlement_title", "/quan-tri/doi-soat", "settlement");
    query_values(m, &q);
    e = place_options(c, m, q.place, &ec);
    if (e == ERR_OK)
        e = producer_options(c, m, q.producer_slug, &ec);
    if (e == ERR_OK)
        e = add_report(c, m, &q, "/quan-tri/doi-soat.csv", &ec);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    cJSON_AddStringToObject(m, "form_action", "/quan-tri/doi-soat");
    return admin_render(c, 200, "settlement", m);
}

/* --- the settlement as CSV ----------------------------------------------- */

/* csv_field: RFC 4180: quoted when it holds a comma, a quote or a line
 * break, quotes doubled. Text that a spreadsheet would take for a formula
 * (= + - @ first: a producer names its own products) gets a leading '. */
static enum err csv_field(struct sb *sb, const char *s, int last)
{
    const char *p = s ? s : "";
    int quote = strpbrk(p, ",\"\r\n") != NULL;
    int guard = p[0] != '\0' && strchr("=+-@\t\r", p[0]) != NULL;
    enum err e = quote ? sb_addc(sb, '"') : ERR_OK;

    if (e == ERR_OK && guard)
        e = sb_addc(sb, '\'');
    for (; e == ERR_OK && *p != '\0'; p++)
        e = *p == '"' ? sb_adds(sb, "\"\"") : sb_addc(sb, *p);
    if (e == ERR_OK && quote)
        e = sb_addc(sb, '"');
    if (e == ERR_OK)
        e = sb_adds(sb, last ? "\r\n" : ",");
    return e;
}

static const char *const csv_heads[] = {
    "csv_place", "csv_producer", "csv_sku",        "csv_product",
    "csv_size",  "csv_opening",  "csv_received",   "csv_sent",
    "csv_sold",  "csv_returned", "csv_adjusted",   "csv_closing",
    "csv_sales", "csv_pct",      "csv_commission", "csv_due"};
#define CSV_COLS 16

static const char *const csv_units[] = {"opening", "received", "sent",
                                        "sold",    "returned", "adjusted",
                                        "closing", "sales_vnd"};

/* csv_row: the first five columns as given, the numbers of o, then pct
 * and, on a total row, commission and due. */
static enum err csv_row(struct ctx *c, struct sb *sb, const char *const *text,
                        const cJSON *o, const char *pct, int total)
{
    enum err e = ERR_OK;
    size_t i;

    for (i = 0; e == ERR_OK && i < 5; i++)
        e = csv_field(sb, text[i], 0);
    for (i = 0; e == ERR_OK && i < sizeof(csv_units) / sizeof(*csv_units); i++)
        e = sb_addf(sb, "%lld,", (long long)num_of(o, csv_units[i]));
    if (e == ERR_OK)
        e = csv_field(sb, pct, 0);
    if (e == ERR_OK && !total)
        return sb_adds(sb, ",\r\n");
    if (e == ERR_OK)
        e = sb_addf(sb, "%lld,%lld\r\n", (long long)num_of(o, "commission_vnd"),
                    (long long)num_of(o, "due_vnd"));
    (void)c;
    return e;
}

static enum err csv_producer(struct ctx *c, struct sb *sb, const cJSON *r,
                             const cJSON *pr)
{
    const char *place = str_of(r, "name"), *name = str_of(pr, "name");
    const cJSON *pct = cJSON_GetObjectItem(pr, "commission_pct");
    const cJSON *it;
    enum err e = ERR_OK;

    cJSON_ArrayForEach(it, cJSON_GetObjectItem(pr, "items"))
    {
        const char *text[5] = {str_of(it, "place"), name, str_of(it, "sku"),
                               str_of(it, "name"), str_of(it, "size")};
        if (e == ERR_OK)
            e = csv_row(c, sb, text, it,
                        pct_text(c, cJSON_GetNumberValue(cJSON_GetObjectItem(
                                        it, "commission_pct"))),
                        0);
    }
    if (e == ERR_OK) {
        const char *text[5] = {place, name, "", admin_t(c, "csv_total"), ""};
        e = csv_row(c, sb, text, cJSON_GetObjectItem(pr, "totals"),
                    cJSON_IsNumber(pct) ? pct_text(c, cJSON_GetNumberValue(pct))
                                        : "",
                    1);
    }
    return e;
}

static enum err csv_write(struct ctx *c, struct sb *sb, const cJSON *r)
{
    const cJSON *pr, *all = cJSON_GetObjectItem(r, "producers");
    enum err e = sb_adds(sb, "\xEF\xBB\xBF"); /* BOM: Excel reads UTF-8 */
    int i;

    for (i = 0; e == ERR_OK && i < CSV_COLS; i++)
        e = csv_field(sb, admin_t(c, csv_heads[i]), i == CSV_COLS - 1);
    cJSON_ArrayForEach(pr, all)
    {
        if (e == ERR_OK)
            e = csv_producer(c, sb, r, pr);
    }
    if (e == ERR_OK && cJSON_GetArraySize(all) > 1) {
        const char *text[5] = {str_of(r, "name"),
                               admin_t(c, "csv_all_producers"), "",
                               admin_t(c, "csv_total"), ""};
        e = csv_row(c, sb, text, cJSON_GetObjectItem(r, "totals"), "", 1);
    }
    return e;
}

static enum hres send_csv(struct ctx *c, const struct settle_q *q)
{
    struct stk_period p = {q->from, q->to};
    struct err_ctx ec = {0};
    struct sb sb;
    cJSON *r = NULL;
    enum hres h;
    enum err e =
        q->place > 0
            ? stk_settlement(c->w->db, q->place, q->producer, &p, &r, &ec)
            : err_user(&ec, ERR_NOTFOUND, "err_place_not_found", NULL, "none");

    if (e == ERR_UNPROCESSABLE)
        return web_fail(c, 400, "invalid", "err_period");
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    sb_init(&sb, 32 << 20);
    e = csv_write(c, &sb, r);
    cJSON_Delete(r);
    h = e == ERR_OK ? http_send_sb(c->req, 200, "text/csv; charset=utf-8", &sb,
                                   "no-store")
                    : H_FATAL;
    sb_release(&sb);
    return h;
}

enum hres page_settlement_csv(struct ctx *c)
{
    struct settle_q q;

    if (!settle_query(c, &q))
        return web_fail(c, 400, "invalid", "err_invalid");
    return send_csv(c, &q);
}

/* --- consignment in the producer portal ---------------------------------- */

/* may_see: an admin any producer; a producer account its own. */
static int may_see(const struct ctx *c, int64_t producer)
{
    int i;

    if (c->who.role == ROLE_ADMIN)
        return producer > 0;
    for (i = 0; i < c->who.n_producers; i++)
        if (c->who.producers[i] == producer)
            return 1;
    return 0;
}

/* portal_query: the settlement query, the producer by default the
 * account's first; 403 (sent, *h) for another producer's. */
static int portal_query(struct ctx *c, struct settle_q *q, enum hres *h)
{
    if (!settle_query(c, q)) {
        *h = web_fail(c, 400, "invalid", "err_invalid");
        return 0;
    }
    if (q->producer == 0 && c->who.n_producers > 0)
        q->producer = c->who.producers[0];
    if (q->producer != 0 && !may_see(c, q->producer)) {
        *h = web_fail(c, 403, "forbidden", "err_forbidden");
        return 0;
    }
    return 1;
}

static enum err my_places(struct ctx *c, cJSON *m, const struct settle_q *q,
                          struct err_ctx *ec)
{
    cJSON *rows = NULL, *r;
    enum err e = stk_producer_places(c->w->db, q->producer, &rows, ec);

    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(r, rows)
    {
        struct settle_q one = *q;
        one.place = num_of(r, "place_id");
        cJSON_AddStringToObject(r, "kind_text",
                                places_kind_text(c, str_of(r, "kind")));
        cJSON_AddStringToObject(
            r, "href",
            view_url(c, arena_printf(&c->req->arena, "/quan-ly/ky-gui?%s",
                                     query_string(c, &one))));
        cJSON_AddBoolToObject(r, "current", one.place == q->place);
        admin_drop_empty(r, "fair");
    }
    cJSON_AddItemToObject(m, "places", rows);
    return ERR_OK;
}

/* producer_slug_of: the slug of the chosen producer, for the links. */
static void producer_slug_of(struct ctx *c, struct settle_q *q, cJSON *m)
{
    static const char sql[] = "SELECT slug, name FROM producers WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(c->w->db, sql, NULL);

    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, q->producer);
    if (sqlite3_step(st) == SQLITE_ROW) {
        q->producer_slug = arena_strdup(&c->req->arena, db_text(st, 0));
        cJSON_AddStringToObject(m, "producer_name", db_text(st, 1));
    }
    sqlite3_reset(st);
}

enum hres page_consign(struct ctx *c)
{
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    struct settle_q q;
    cJSON *m;
    enum err e = ERR_OK;

    if (!portal_query(c, &q, &h))
        return h;
    m = view_private_new(c, admin_t(c, "consign_title"), "/quan-ly/ky-gui");
    cJSON_AddItemToObject(m, "values", cJSON_CreateObject());
    if (q.producer != 0) {
        producer_slug_of(c, &q, m);
        e = my_places(c, m, &q, &ec);
    }
    query_values(m, &q);
    if (e == ERR_OK && c->who.role == ROLE_ADMIN)
        e = producer_options(c, m, q.producer_slug, &ec);
    if (e == ERR_OK && q.producer != 0)
        e = add_report(c, m, &q, "/quan-ly/ky-gui.csv", &ec);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    cJSON_AddBoolToObject(m, "is_admin", c->who.role == ROLE_ADMIN);
    cJSON_AddStringToObject(m, "form_action", "/quan-ly/ky-gui");
    cJSON_AddStringToObject(m, "portal_href", view_url(c, "/quan-ly"));
    return view_render_private(c, &(struct http_reply){.status = 200},
                               "settlement_portal", m);
}

enum hres page_consign_csv(struct ctx *c)
{
    enum hres h = H_OK;
    struct settle_q q;

    if (!portal_query(c, &q, &h))
        return h;
    if (q.producer == 0)
        return web_fail(c, 403, "forbidden", "err_forbidden");
    return send_csv(c, &q);
}

/* --- a fair's live view -------------------------------------------------- */

#define CH_W 960 /* the hour chart's drawing, in SVG units */
#define CH_H 250
#define CH_LEFT 60 /* room for the axis labels */
#define CH_BOTTOM 26
#define CH_TOP 10
#define TOP_BOOTHS 15

/* nice_max: the axis top: 1, 2, 2.5 or 5 times a power of ten. */
static double nice_max(double v)
{
    static const double steps[] = {1, 2, 2.5, 5, 10};
    double p;
    size_t i;

    if (v <= 0)
        return 1000;
    p = pow(10, floor(log10(v)));
    for (i = 0; i < sizeof(steps) / sizeof(*steps); i++)
        if (v <= steps[i] * p)
            return steps[i] * p;
    return 10 * p;
}

/* compact: 1250000 as "1,25 tr" (vi) or "1.25M" (en), for axis labels. */
static const char *compact(struct ctx *c, double v)
{
    const char *unit = "";
    char *s, *dot;
    double d = v;

    if (v >= 1e9) {
        d = v / 1e9;
        unit = admin_t(c, "chart_unit_b");
    } else if (v >= 1e6) {
        d = v / 1e6;
        unit = admin_t(c, "chart_unit_m");
    } else if (v >= 1e3) {
        d = v / 1e3;
        unit = admin_t(c, "chart_unit_k");
    }
    s = arena_printf(&c->req->arena, "%.3g%s", d, unit);
    if (s != NULL && c->lang == LANG_VI && (dot = strchr(s, '.')) != NULL)
        *dot = ',';
    return s ? s : "";
}

static void hour_range(const cJSON *hours, int *lo, int *hi)
{
    const cJSON *h;

    *lo = 8;
    *hi = 21;
    cJSON_ArrayForEach(h, hours)
    {
        int hour = (int)num_of(h, "hour");
        if (num_of(h, "sales_count") == 0)
            continue;
        *lo = hour < *lo ? hour : *lo;
        *hi = hour > *hi ? hour : *hi;
    }
}

static void chart_grid(struct ctx *c, cJSON *chart, double top)
{
    cJSON *grid = cJSON_AddArrayToObject(chart, "grid");
    int i;

    for (i = 0; i <= 4; i++) {
        cJSON *g = cJSON_CreateObject();
        double y = CH_TOP + (CH_H - CH_TOP - CH_BOTTOM) * (4 - i) / 4.0;
        cJSON_AddNumberToObject(g, "y", round(y));
        cJSON_AddNumberToObject(g, "ty", round(y) + 4);
        cJSON_AddStringToObject(g, "label", compact(c, top * i / 4));
        cJSON_AddItemToArray(grid, g);
    }
}

/* hour_chart: bars of the day's sales by hour (the busy hours at least). */
static void hour_chart(struct ctx *c, cJSON *m, cJSON *hours)
{
    cJSON *chart = cJSON_AddObjectToObject(m, "chart"), *bars, *h;
    double top = 0, plot = CH_H - CH_TOP - CH_BOTTOM, slot;
    int lo, hi;

    hour_range(hours, &lo, &hi);
    cJSON_ArrayForEach(h, hours) top =
        fmax(top, (double)num_of(h, "sales_vnd"));
    top = nice_max(top);
    slot = (double)(CH_W - CH_LEFT) / (hi - lo + 1);
    cJSON_AddNumberToObject(chart, "width", CH_W);
    cJSON_AddNumberToObject(chart, "height", CH_H);
    cJSON_AddNumberToObject(chart, "left", CH_LEFT);
    cJSON_AddNumberToObject(chart, "base", CH_H - CH_BOTTOM);
    chart_grid(c, chart, top);
    bars = cJSON_AddArrayToObject(chart, "bars");
    cJSON_ArrayForEach(h, hours)
    {
        int hour = (int)num_of(h, "hour");
        double v = (double)num_of(h, "sales_vnd"), bh = round(plot * v / top);
        cJSON *b;
        if (hour < lo || hour > hi)
            continue;
        b = cJSON_CreateObject();
        cJSON_AddNumberToObject(
            b, "x", round(CH_LEFT + slot * (hour - lo) + slot * 0.15));
        cJSON_AddNumberToObject(b, "w", round(slot * 0.7));
        cJSON_AddNumberToObject(b, "h", bh);
        cJSON_AddNumberToObject(b, "y", CH_H - CH_BOTTOM - bh);
        cJSON_AddNumberToObject(b, "tx",
                                round(CH_LEFT + slot * (hour - lo + 0.5)));
        cJSON_AddNumberToObject(b, "ty", CH_H - 8);
        cJSON_AddStringToObject(b, "label",
                                arena_printf(&c->req->arena, "%dh", hour));
        cJSON_AddStringToObject(b, "value_text", places_money(c, (int64_t)v));
        cJSON_AddNumberToObject(b, "count", (double)num_of(h, "sales_count"));
        cJSON_AddItemToArray(bars, b);
    }
}

/* bar_widths: each row's bar (0..100) against the largest value of key. */
static void bar_widths(struct ctx *c, cJSON *rows, const char *key)
{
    double top = 0;
    cJSON *r;

    cJSON_ArrayForEach(r, rows) top = fmax(top, (double)num_of(r, key));
    cJSON_ArrayForEach(r, rows)
    {
        double w = top > 0 ? 100.0 * (double)num_of(r, key) / top : 0;
        cJSON_AddNumberToObject(r, "bar", round(w * 10) / 10);
        places_add_money(c, r, key);
    }
}

static void booth_view(struct ctx *c, cJSON *booths)
{
    cJSON *b;
    int n = 0;

    cJSON_ArrayForEach(b, booths)
    {
        cJSON_AddBoolToObject(b, "in_chart", n++ < TOP_BOOTHS);
        cJSON_AddStringToObject(b, "href",
                                places_href(c, "/quan-tri/dia-diem/%lld",
                                            (long long)num_of(b, "id")));
        places_add_money(c, b, "all_sales_vnd");
        if (str_of(b, "last_received_at") != NULL)
            cJSON_AddStringToObject(
                b, "last_received_text",
                admin_when(c, str_of(b, "last_received_at")));
        if (str_of(b, "queue_at") != NULL)
            cJSON_AddStringToObject(b, "queue_text",
                                    admin_when(c, str_of(b, "queue_at")));
        cJSON_AddBoolToObject(b, "is_waiting", num_of(b, "waiting") > 0);
        cJSON_AddBoolToObject(b, "is_late", num_of(b, "late_today") > 0);
        cJSON_AddBoolToObject(b, "is_low", num_of(b, "low") > 0);
        cJSON_AddBoolToObject(b, "is_short", num_of(b, "short_open") > 0);
    }
    bar_widths(c, booths, "sales_vnd");
}

/* day_links: the day shown, the days before and after. */
static void day_links(struct ctx *c, cJSON *m, int64_t id, const char *day)
{
    struct tm tm = {0};
    char prev[11], next[11];
    time_t t;

    (void)sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    t -= 86400;
    (void)strftime(prev, sizeof(prev), "%Y-%m-%d", gmtime_r(&t, &tm));
    t += 2 * 86400;
    (void)strftime(next, sizeof(next), "%Y-%m-%d", gmtime_r(&t, &tm));
    cJSON_AddStringToObject(m, "day_text", admin_date(c, day));
    cJSON_AddBoolToObject(m, "is_today", strcmp(day, c->today) == 0);
    cJSON_AddStringToObject(
        m, "prev_href",
        places_href(c, "/quan-tri/hoi-cho/%lld?ngay=%s", (long long)id, prev));
    if (strcmp(day, c->today) < 0)
        cJSON_AddStringToObject(m, "next_href",
                                places_href(c, "/quan-tri/hoi-cho/%lld?ngay=%s",
                                            (long long)id, next));
    cJSON_AddStringToObject(
        m, "today_href",
        places_href(c, "/quan-tri/hoi-cho/%lld", (long long)id));
}

static void live_view(struct ctx *c, cJSON *m, cJSON *live)
{
    cJSON *tot = cJSON_GetObjectItem(live, "totals"), *r;
    time_t now = time(NULL);
    char iso[32];

    places_add_money(c, tot, "sales_vnd");
    places_add_money(c, tot, "all_sales_vnd");
    booth_view(c, cJSON_GetObjectItem(live, "booths"));
    bar_widths(c, cJSON_GetObjectItem(live, "products"), "sales_vnd");
    hour_chart(c, m, cJSON_GetObjectItem(live, "hours"));
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(live, "shortfalls"))
    {
        if (str_of(r, "occurred_at") != NULL)
            cJSON_AddStringToObject(r, "occurred_text",
                                    admin_when(c, str_of(r, "occurred_at")));
    }
    places_any(live, "low", "any_low");
    places_any(live, "shortfalls", "any_shortfalls");
    (void)strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(m, "now_text", admin_when(c, iso));
    cJSON_AddNumberToObject(m, "late_minutes", STK_LATE_S / 60);
}

enum hres page_fair_live(struct ctx *c)
{
    const char *day = http_arg(c->req, "ngay");
    int64_t id = places_id(c->rest);
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    cJSON *p, *live = NULL, *m;
    enum err e;

    if (day == NULL || *day == '\0')
        day = c->today;
    if (!stk_date_ok(day))
        return web_fail(c, 400, "invalid", "err_period");
    p = places_place(c, id, &h);
    if (p == NULL)
        return h;
    e = stk_fair_live(c->w->db, id, day, &live, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(p);
        return web_fail_err(c, e, &ec);
    }
    m = places_model(c, "fair_live_title", str_of(p, "live_href"), "places");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(m, "page"), "title",
                              cJSON_CreateString(arena_printf(
                                  &c->req->arena, "%s · %s", str_of(p, "name"),
                                  admin_t(c, "fair_live_title"))));
    day_links(c, m, id, day);
    live_view(c, m, live);
    cJSON_AddItemToObject(m, "place", p);
    cJSON_AddItemToObject(m, "live", live);
    return admin_render(c, 200, "fair_live", m);
}

/* --- the booths' sync queues --------------------------------------------- */

struct queue_job {
    struct actor who;
    int64_t booth, waiting;
};

static enum err queue_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct queue_job *j = cls;

    return stk_queue_report(db, &j->who, j->booth, j->waiting, ec);
}

enum hres api_booth_queue(struct ctx *c)
{
    struct queue_job j = {auth_actor(&c->who, c->ip), places_id(c->args[0]), 0};
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    const cJSON *n;
    cJSON *body, *out;
    time_t now = time(NULL);
    char iso[32];
    enum err e;

    if (j.booth == 0 || !pos_may_sell(c->w->db, &c->who, j.booth))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    n = cJSON_GetObjectItem(body, "waiting");
    if (!cJSON_IsNumber(n) || n->valuedouble != floor(n->valuedouble)) {
        cJSON_Delete(body);
        return web_fail(c, 422, "invalid_value", "err_queue_waiting");
    }
    j.waiting = n->valuedouble < 0 ? -1 : (int64_t)fmin(n->valuedouble, 1e7);
    cJSON_Delete(body);
    e = db_tx_run(c->w->db, "booth queue", queue_tx, &j, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    (void)strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "booth", (double)j.booth);
    cJSON_AddNumberToObject(out, "waiting", (double)j.waiting);
    cJSON_AddStringToObject(out, "reported_at", iso);
    h = api_send_json(c, 200, out, 0);
    cJSON_Delete(out);
    return h;
}
