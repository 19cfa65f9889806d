/* places.c: the office's places (/quan-tri/dia-diem): what the places
 * pages share (see places.h), the list of places with the form that adds
 * one, a place's page (details, booths, stock with its goods forms,
 * producers, staff, shortfalls, transfers, stocktakes, the latest ledger
 * rows) and editing a place. Every route is NEED_ADMIN. */
#include "web/places.h"

#include "catalog/cat_producer.h"
#include "stock/stk_count.h"
#include "stock/stk_transfer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (int64_t)cJSON_GetNumberValue(v) : 0;
}

/* --- shared -------------------------------------------------------------- */

/* The notes shown after a write (?ok=CODE): only these codes. */
static const char *const ok_codes[] = {
    "place_created",  "place_saved",       "booth_created",
    "producer_added", "producer_removed",  "staff_added",
    "staff_removed",  "received",          "given_back",
    "adjusted",       "levels_saved",      "shortfall_closed",
    "transfer_sent",  "transfer_received", "count_saved",
    "count_closed",
};

void places_ok(struct ctx *c, cJSON *m, const char *code)
{
    cJSON *office = cJSON_GetObjectItem(m, "office");
    size_t i;

    for (i = 0; code != NULL && i < sizeof(ok_codes) / sizeof(*ok_codes); i++)
        if (strcmp(code, ok_codes[i]) == 0) {
            cJSON_DeleteItemFromObject(office, "ok");
            cJSON_AddStringToObject(
                office, "ok",
                admin_t(c, arena_printf(&c->req->arena, "place_ok_%s", code)));
            return;
        }
}

static const struct {
    const char *id, *path, *label_key;
} tabs[] = {
    {"places", "/quan-tri/dia-diem", "place_tab_places"},
    {"transfers", "/quan-tri/chuyen-kho", "place_tab_transfers"},
    {"settlement", "/quan-tri/doi-soat", "place_tab_settlement"},
};

cJSON *places_model(struct ctx *c, const char *title_key, const char *path,
                    const char *tab)
{
    cJSON *m = admin_model(c, title_key, path, "places"), *arr;
    size_t i;

    if (m == NULL)
        return NULL;
    cJSON_AddTrueToObject(cJSON_GetObjectItem(m, "office"), "places_current");
    arr = cJSON_AddArrayToObject(m, "place_tabs");
    for (i = 0; arr != NULL && i < sizeof(tabs) / sizeof(*tabs); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "href", view_url(c, tabs[i].path));
        cJSON_AddStringToObject(o, "label", admin_t(c, tabs[i].label_key));
        cJSON_AddBoolToObject(o, "current", strcmp(tab, tabs[i].id) == 0);
        cJSON_AddItemToArray(arr, o);
    }
    places_ok(c, m, http_arg(c->req, "ok"));
    return m;
}

void places_any(cJSON *o, const char *key, const char *flag)
{
    cJSON_AddBoolToObject(o, flag,
                          cJSON_GetArraySize(cJSON_GetObjectItem(o, key)) > 0);
}

void places_mark_invalid(cJSON *rows, const struct err_ctx *ec)
{
    cJSON *r;

    if (ec == NULL || strncmp(ec->field, "qty_", 4) != 0)
        return;
    cJSON_ArrayForEach(r, rows)
    {
        const char *field = str_of(r, "field");
        if (field != NULL && strcmp(field, ec->field) == 0)
            cJSON_AddTrueToObject(r, "is_invalid");
    }
}

int64_t places_id(const char *s)
{
    long v = 0;

    return admin_long(s, 1, 2147483647L, &v) ? (int64_t)v : 0;
}

const char *places_money(struct ctx *c, int64_t vnd)
{
    struct sb sb;
    const char *s;

    sb_init(&sb, 64);
    s = i18n_money(vnd, c->lang, &sb) == ERR_OK
            ? arena_strdup(&c->req->arena, sb_str(&sb))
            : "";
    sb_release(&sb);
    return s;
}

void places_add_money(struct ctx *c, cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (cJSON_IsNumber(v))
        cJSON_AddStringToObject(
            o, arena_printf(&c->req->arena, "%s_text", key),
            places_money(c, (int64_t)cJSON_GetNumberValue(v)));
}

const char *places_href(struct ctx *c, const char *fmt, ...)
{
    char path[512];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(path, sizeof(path), fmt, ap); /* ids only: short */
    va_end(ap);
    return view_url(c, arena_strdup(&c->req->arena, path));
}

const char *places_kind_text(struct ctx *c, const char *kind)
{
    return admin_t(c, arena_printf(&c->req->arena, "place_kind_%s",
                                   kind ? kind : "point"));
}

/* whole: s as a whole number (an optional sign, digits, spaces around). */
static int whole(const char *s, int64_t *out)
{
    char *end;
    long long v;

    while (*s == ' ')
        s++;
    if (*s == '\0')
        return 0;
    v = strtoll(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end != '\0' || v > STK_MAX_QTY * 10LL || v < -STK_MAX_QTY * 10LL)
        return 0;
    *out = (int64_t)v;
    return 1;
}

int places_lines(const struct form *f, struct stk_line *lines, int *n,
                 int keep_empty, int blank_is_minus, const char **bad)
{
    int i;

    *n = 0;
    for (i = 0; i < f->n && *n < STK_MAX_LINES; i++) {
        const char *k = f->keys[i], *v = f->values[i];
        int64_t id = strncmp(k, "qty_", 4) == 0 ? places_id(k + 4) : 0, q = 0;
        if (id == 0)
            continue;
        if (v[strspn(v, " ")] == '\0') {
            if (!keep_empty)
                continue;
            q = blank_is_minus ? -1 : 0;
        } else if (!whole(v, &q)) {
            *bad = k;
            return 0;
        }
        lines[*n].variant_id = id;
        lines[(*n)++].qty = q;
    }
    return 1;
}

static void place_dates(struct ctx *c, cJSON *p)
{
    const char *from = str_of(p, "starts_on"), *to = str_of(p, "ends_on");

    if (from != NULL && to != NULL && strcmp(from, to) != 0)
        cJSON_AddStringToObject(p, "dates_text",
                                arena_printf(&c->req->arena, "%s – %s",
                                             admin_date(c, from),
                                             admin_date(c, to)));
    else if (from != NULL || to != NULL)
        cJSON_AddStringToObject(p, "dates_text",
                                admin_date(c, from ? from : to));
}

cJSON *places_place(struct ctx *c, int64_t id, enum hres *h)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL;
    const char *kind;
    enum err e = id > 0 ? stk_place(c->w->db, id, &p, &ec)
                        : err_user(&ec, ERR_NOTFOUND, "err_place_not_found",
                                   NULL, "no id");

    if (e != ERR_OK) {
        *h = web_fail_err(c, e, &ec);
        return NULL;
    }
    kind = str_of(p, "kind");
    cJSON_AddStringToObject(p, "kind_text", places_kind_text(c, kind));
    cJSON_AddBoolToObject(p, "is_fair", strcmp(kind, "fair") == 0);
    cJSON_AddBoolToObject(p, "is_booth", strcmp(kind, "booth") == 0);
    cJSON_AddBoolToObject(p, "holds_stock", stk_kind_holds_stock(kind));
    cJSON_AddBoolToObject(p, "sells",
                          strcmp(kind, "booth") == 0 ||
                              strcmp(kind, "point") == 0 ||
                              strcmp(kind, "channel") == 0);
    cJSON_AddBoolToObject(p, "has_staff",
                          strcmp(kind, "booth") == 0 ||
                              strcmp(kind, "point") == 0);
    cJSON_AddBoolToObject(
        p, "has_live", strcmp(kind, "fair") == 0 || strcmp(kind, "point") == 0);
    place_dates(c, p);
    admin_drop_empty(p, "venue");
    admin_drop_empty(p, "organiser");
    cJSON_AddStringToObject(
        p, "href", places_href(c, "/quan-tri/dia-diem/%lld", (long long)id));
    cJSON_AddStringToObject(
        p, "live_href",
        places_href(c, "/quan-tri/hoi-cho/%lld", (long long)id));
    cJSON_AddStringToObject(
        p, "settle_href",
        places_href(c, "/quan-tri/doi-soat?place=%lld", (long long)id));
    if (num_of(p, "parent_id") > 0)
        cJSON_AddStringToObject(p, "fair_href",
                                places_href(c, "/quan-tri/dia-diem/%lld",
                                            (long long)num_of(p, "parent_id")));
    return p;
}

/* --- the list of places -------------------------------------------------- */

static void list_row(struct ctx *c, cJSON *r)
{
    const char *kind = str_of(r, "kind");
    int64_t id = num_of(r, "id");

    cJSON_AddStringToObject(r, "kind_text", places_kind_text(c, kind));
    cJSON_AddStringToObject(
        r, "href", places_href(c, "/quan-tri/dia-diem/%lld", (long long)id));
    cJSON_AddStringToObject(
        r, "live_href",
        places_href(c, "/quan-tri/hoi-cho/%lld", (long long)id));
    place_dates(c, r);
    admin_drop_empty(r, "low");
    admin_drop_empty(r, "short_open");
    admin_drop_empty(r, "venue");
    admin_drop_empty(r, "owner");
    admin_drop_empty(r, "channel");
}

/* group_places: fairs (each with its booths), points, warehouses,
 * channels, as stk_places() orders them. */
static void group_places(struct ctx *c, cJSON *m, cJSON *all)
{
    cJSON *fairs = cJSON_AddArrayToObject(m, "fairs"), *fair = NULL, *r;
    cJSON *points = cJSON_AddArrayToObject(m, "points");
    cJSON *warehouses = cJSON_AddArrayToObject(m, "warehouses");
    cJSON *channels = cJSON_AddArrayToObject(m, "channels");

    while ((r = cJSON_DetachItemFromArray(all, 0)) != NULL) {
        const char *kind = str_of(r, "kind");
        list_row(c, r);
        if (strcmp(kind, "fair") == 0) {
            fair = r;
            cJSON_AddArrayToObject(fair, "booth_rows");
            cJSON_AddItemToArray(fairs, r);
        } else if (strcmp(kind, "booth") == 0 && fair != NULL &&
                   num_of(r, "parent_id") == num_of(fair, "id")) {
            cJSON_AddItemToArray(cJSON_GetObjectItem(fair, "booth_rows"), r);
        } else {
            cJSON_AddItemToArray(strcmp(kind, "point") == 0       ? points
                                 : strcmp(kind, "warehouse") == 0 ? warehouses
                                 : strcmp(kind, "channel") == 0   ? channels
                                                                  : fairs,
                                 r);
        }
    }
}

static const char *const new_kinds[] = {"fair", "point", "warehouse",
                                        "channel"};

static void add_kind_options(struct ctx *c, cJSON *m)
{
    const char *kind = str_of(cJSON_GetObjectItem(m, "values"), "kind");
    cJSON *arr = cJSON_AddArrayToObject(m, "kind_options");
    size_t i;

    for (i = 0; i < sizeof(new_kinds) / sizeof(*new_kinds); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", new_kinds[i]);
        cJSON_AddStringToObject(o, "label", places_kind_text(c, new_kinds[i]));
        cJSON_AddBoolToObject(o, "selected",
                              kind != NULL && strcmp(kind, new_kinds[i]) == 0);
        cJSON_AddItemToArray(arr, o);
    }
}

/* add_producer_options: every producer, the chosen one selected (by id). */
static enum err add_producer_options(struct ctx *c, cJSON *m, const char *key,
                                     const char *chosen, struct err_ctx *ec)
{
    cJSON *arr = NULL, *p;
    enum err e = cat_producer_options(c->w->db, &arr, ec);

    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(p, arr)
    {
        cJSON_AddBoolToObject(p, "selected",
                              chosen != NULL &&
                                  strcmp(chosen, str_of(p, "slug")) == 0);
    }
    cJSON_AddItemToObject(m, key, arr);
    return ERR_OK;
}

static enum hres list_page(struct ctx *c, unsigned status, const struct form *f,
                           const struct err_ctx *err)
{
    struct err_ctx ec = {0};
    cJSON *m = places_model(c, "place_list_title", "/quan-tri/dia-diem",
                            "places"),
          *all = NULL;
    enum err e = m ? stk_places(c->w->db, &all, &ec) : ERR_NOMEM;

    if (e == ERR_OK && f != NULL)
        admin_values(m, f);
    if (e == ERR_OK)
        e = add_producer_options(c, m, "producer_options",
                                 f ? admin_field(f, "producer") : NULL, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(all);
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    group_places(c, m, all);
    cJSON_Delete(all);
    places_any(m, "points", "any_points");
    places_any(m, "warehouses", "any_warehouses");
    places_any(m, "channels", "any_channels");
    {
        cJSON *fair;
        cJSON_ArrayForEach(fair, cJSON_GetObjectItem(m, "fairs"))
            places_any(fair, "booth_rows", "any_booths");
    }
    add_kind_options(c, m);
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/dia-diem"));
    if (err != NULL)
        admin_error(c, m, "create", err, "err_invalid");
    return admin_render(c, status, "places", m);
}

enum hres page_places(struct ctx *c)
{
    return list_page(c, 200, NULL, NULL);
}

struct place_job {
    struct actor who;
    struct stk_place p;
    int64_t id;
    int ok_pct;
};

/* place_of_form: the fields of the add and edit forms. */
static struct stk_place place_of_form(struct ctx *c, const struct form *f,
                                      int *ok_pct)
{
    struct stk_place p = {admin_field(f, "kind"),
                          admin_field(f, "name"),
                          0,
                          0,
                          admin_field(f, "venue"),
                          admin_field(f, "organiser"),
                          admin_field(f, "starts_on"),
                          admin_field(f, "ends_on"),
                          admin_field(f, "channel"),
                          0,
                          0};
    const char *pct = admin_field(f, "commission_pct");
    char *end;

    (void)c;
    *ok_pct = 1;
    if (*pct != '\0') {
        char buf[32];
        (void)snprintf(buf, sizeof(buf), "%s", pct);
        if (strchr(buf, ',') != NULL) /* 12,5 as a Vietnamese writes it */
            *strchr(buf, ',') = '.';
        p.commission_pct = strtod(buf, &end);
        *ok_pct = *end == '\0' && end != buf;
    }
    return p;
}

int64_t places_producer_id(struct ctx *c, const char *slug)
{
    static const char sql[] = "SELECT id FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(c->w->db, sql, NULL);
    int64_t id = 0;

    if (st == NULL || slug == NULL)
        return 0;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

static enum err create_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_job *j = cls;

    if (!j->ok_pct)
        return err_user(ec, ERR_UNPROCESSABLE, "err_commission",
                        "commission_pct", "not a number");
    if (strcmp(j->p.kind, "booth") == 0) /* booths are added to a fair */
        return err_user(ec, ERR_UNPROCESSABLE, "err_booth_fair", "kind",
                        "add booths on the fair's page");
    return stk_place_create(db, &j->who, &j->p, &j->id, ec);
}

enum hres page_place_create(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct place_job j;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    memset(&j, 0, sizeof(j));
    j.who = auth_actor(&c->who, c->ip);
    j.p = place_of_form(c, &f, &j.ok_pct);
    j.p.producer_id = places_producer_id(c, admin_field(&f, "producer"));
    e = db_tx_run(c->w->db, "place create", create_tx, &j, &ec);
    if (admin_form_error(e))
        return list_page(c, admin_status(e), &f, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c,
                        arena_printf(&c->req->arena,
                                     "/quan-tri/dia-diem/%lld?ok=place_created",
                                     (long long)j.id));
}

/* --- a place's page ------------------------------------------------------ */

/* The goods forms of a place's stock table (?thao-tac=KEY). */
static const struct {
    const char *key, *action, *label_key, *flag;
} modes[] = {
    {"nhap", "nhap-hang", "place_mode_receive", "is_receive"},
    {"tra", "tra-hang", "place_mode_giveback", "is_giveback"},
    {"dieu-chinh", "dieu-chinh", "place_mode_adjust", "is_adjust"},
    {"muc", "muc-toi-thieu", "place_mode_levels", "is_levels"},
    {"chuyen", "chuyen-kho", "place_mode_transfer", "is_transfer"},
};

static int mode_index(const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < sizeof(modes) / sizeof(*modes); i++)
        if (strcmp(key, modes[i].key) == 0)
            return (int)i;
    return -1;
}

static void add_modes(struct ctx *c, cJSON *m, int64_t id, int current)
{
    cJSON *arr = cJSON_AddArrayToObject(m, "modes"), *mode;
    size_t i;

    for (i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "label", admin_t(c, modes[i].label_key));
        cJSON_AddStringToObject(
            o, "href",
            places_href(c, "/quan-tri/dia-diem/%lld?thao-tac=%s#hang",
                        (long long)id, modes[i].key));
        cJSON_AddBoolToObject(o, "current", (int)i == current);
        cJSON_AddItemToArray(arr, o);
    }
    if (current < 0)
        return;
    mode = cJSON_AddObjectToObject(m, "mode");
    cJSON_AddTrueToObject(mode, modes[current].flag);
    cJSON_AddStringToObject(mode, "column",
                            admin_t(c, arena_printf(&c->req->arena, "%s_column",
                                                    modes[current].label_key)));
    cJSON_AddStringToObject(mode, "title",
                            admin_t(c, modes[current].label_key));
    cJSON_AddStringToObject(mode, "action",
                            places_href(c, "/quan-tri/dia-diem/%lld/%s",
                                        (long long)id, modes[current].action));
    cJSON_AddStringToObject(
        mode, "cancel_href",
        places_href(c, "/quan-tri/dia-diem/%lld#hang", (long long)id));
}

/* stock_rows: the place's stock; in a goods form, each row's input keeps
 * what was typed (or, for levels, the level). */
static enum err stock_rows(struct ctx *c, cJSON *m, int64_t id,
                           const struct place_view *v, struct err_ctx *ec)
{
    cJSON *rows = NULL, *r;
    int levels = v->mode != NULL && strcmp(v->mode, "muc") == 0;
    int64_t units = 0, low = 0;
    enum err e = stk_stock(c->w->db, id, &rows, ec);

    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(r, rows)
    {
        const char *field = arena_printf(&c->req->arena, "qty_%lld",
                                         (long long)num_of(r, "variant_id"));
        const char *typed = v->f ? form_get(v->f, field) : NULL;
        cJSON_AddStringToObject(r, "field", field);
        if (typed != NULL)
            cJSON_AddStringToObject(r, "input", typed);
        else if (levels && num_of(r, "min_qty") > 0)
            cJSON_AddNumberToObject(r, "input", (double)num_of(r, "min_qty"));
        cJSON_AddBoolToObject(r, "is_short", num_of(r, "on_hand") < 0);
        admin_drop_empty(r, "min_qty");
        places_add_money(c, r, "price_vnd");
        units += num_of(r, "on_hand");
        low += cJSON_IsTrue(cJSON_GetObjectItem(r, "low"));
    }
    cJSON_AddNumberToObject(m, "stock_units", (double)units);
    cJSON_AddNumberToObject(m, "stock_low", (double)low);
    cJSON_AddItemToObject(m, "stock", rows);
    return ERR_OK;
}

static void when_fields(struct ctx *c, cJSON *rows, const char *key)
{
    cJSON *r;

    cJSON_ArrayForEach(r, rows)
    {
        if (str_of(r, key) != NULL)
            cJSON_AddStringToObject(
                r, arena_printf(&c->req->arena, "%s_text", key),
                admin_when(c, str_of(r, key)));
    }
}

/* move_rows: the latest ledger rows, kinds and system reasons in words. */
static enum err move_rows(struct ctx *c, cJSON *m, int64_t id,
                          struct err_ctx *ec)
{
    cJSON *rows = NULL, *r;
    enum err e = stk_moves(c->w->db, id, 30, &rows, ec);

    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(r, rows)
    {
        const char *reason = str_of(r, "reason");
        const char *key = arena_printf(&c->req->arena, "move_reason_%s",
                                       reason ? reason : "");
        const char *said = admin_t(c, key);
        cJSON_AddStringToObject(
            r, "kind_text",
            admin_t(c, arena_printf(&c->req->arena, "move_kind_%s",
                                    str_of(r, "kind"))));
        cJSON_AddBoolToObject(r, "is_in", num_of(r, "qty") > 0);
        if (reason != NULL && strcmp(said, key) != 0)
            cJSON_ReplaceItemInObject(r, "reason", cJSON_CreateString(said));
        admin_drop_empty(r, "reason");
        admin_drop_empty(r, "ref");
    }
    when_fields(c, rows, "occurred_at");
    cJSON_AddItemToObject(m, "moves", rows);
    return ERR_OK;
}

static enum err booth_rows(struct ctx *c, cJSON *m, int64_t id,
                           struct err_ctx *ec)
{
    cJSON *rows = NULL, *r;
    enum err e = stk_booths(c->w->db, id, &rows, ec);

    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(r, rows) list_row(c, r);
    cJSON_AddItemToObject(m, "booths", rows);
    return ERR_OK;
}

/* producer_rows: who the place sells for, and the others to add. */
static enum err producer_rows(struct ctx *c, cJSON *m, int64_t id,
                              struct err_ctx *ec)
{
    cJSON *rows = NULL, *r;
    enum err e = stk_place_producers(c->w->db, id, &rows, ec);
    const char *action =
        places_href(c, "/quan-tri/dia-diem/%lld/nha-san-xuat", (long long)id);

    if (e == ERR_OK)
        e = add_producer_options(
            c, m, "producer_options",
            str_of(cJSON_GetObjectItem(m, "values"), "producer"), ec);
    if (e != ERR_OK) {
        cJSON_Delete(rows);
        return e;
    }
    cJSON_ArrayForEach(r, rows)
    {
        cJSON_AddBoolToObject(
            r, "own_rate",
            cJSON_IsNumber(cJSON_GetObjectItem(r, "commission_pct")));
        cJSON_AddStringToObject(
            r, "settle_href",
            places_href(c, "/quan-tri/doi-soat?place=%lld&producer=%s",
                        (long long)id, str_of(r, "slug")));
    }
    cJSON_AddItemToObject(m, "producers", rows);
    cJSON_AddStringToObject(m, "producer_action", action);
    return ERR_OK;
}

static enum err staff_rows(struct ctx *c, cJSON *m, int64_t id,
                           struct err_ctx *ec)
{
    cJSON *rows = NULL, *users = NULL, *u, *opts;
    enum err e = stk_place_staff_list(c->w->db, id, &rows, ec);

    if (e == ERR_OK)
        e = auth_user_list(c->w->db, 0, &users, ec);
    if (e != ERR_OK) {
        cJSON_Delete(rows);
        return e;
    }
    opts = cJSON_AddArrayToObject(m, "staff_options");
    cJSON_ArrayForEach(u, users)
    {
        if (strcmp(str_of(u, "role"), "booth") == 0)
            cJSON_AddItemToArray(opts,
                                 cJSON_CreateString(str_of(u, "username")));
    }
    cJSON_Delete(users);
    cJSON_AddItemToObject(m, "staff", rows);
    cJSON_AddStringToObject(
        m, "staff_action",
        places_href(c, "/quan-tri/dia-diem/%lld/nhan-vien", (long long)id));
    return ERR_OK;
}

static enum err shortfall_rows(struct ctx *c, cJSON *m, int64_t id,
                               struct err_ctx *ec)
{
    cJSON *rows = NULL;
    enum err e = stk_shortfalls(c->w->db, id, 1, &rows, ec);

    if (e != ERR_OK)
        return e;
    when_fields(c, rows, "occurred_at");
    when_fields(c, rows, "at");
    cJSON_AddItemToObject(m, "shortfalls", rows);
    cJSON_AddStringToObject(
        m, "shortfall_action",
        places_href(c, "/quan-tri/dia-diem/%lld/thieu-hang", (long long)id));
    return ERR_OK;
}

void places_transfer_row(struct ctx *c, cJSON *r)
{
    const char *status = str_of(r, "status");

    cJSON_AddStringToObject(r, "href",
                            places_href(c, "/quan-tri/chuyen-kho/%lld",
                                        (long long)num_of(r, "id")));
    cJSON_AddStringToObject(
        r, "status_text",
        admin_t(c, arena_printf(&c->req->arena, "transfer_status_%s", status)));
    cJSON_AddBoolToObject(r, "is_sent", strcmp(status, "sent") == 0);
    admin_drop_empty(r, "lost");
    admin_drop_empty(r, "surplus");
    if (str_of(r, "sent_at") != NULL)
        cJSON_AddStringToObject(r, "sent_at_text",
                                admin_when(c, str_of(r, "sent_at")));
    if (str_of(r, "received_at") != NULL)
        cJSON_AddStringToObject(r, "received_at_text",
                                admin_when(c, str_of(r, "received_at")));
}

void places_transfer_rows(struct ctx *c, cJSON *rows)
{
    cJSON *r;

    cJSON_ArrayForEach(r, rows) places_transfer_row(c, r);
}

static enum err transfer_and_count_rows(struct ctx *c, cJSON *m, int64_t id,
                                        struct err_ctx *ec)
{
    cJSON *transfers = NULL, *counts = NULL, *r;
    enum err e = stk_transfers(c->w->db, id, &transfers, ec);

    if (e == ERR_OK)
        e = stk_counts(c->w->db, id, &counts, ec);
    if (e != ERR_OK) {
        cJSON_Delete(transfers);
        return e;
    }
    places_transfer_rows(c, transfers);
    cJSON_ArrayForEach(r, counts)
    {
        cJSON_AddStringToObject(r, "href",
                                places_href(c, "/quan-tri/kiem-kho/%lld",
                                            (long long)num_of(r, "id")));
    }
    when_fields(c, counts, "started_at");
    when_fields(c, counts, "closed_at");
    cJSON_AddItemToObject(m, "transfers", transfers);
    cJSON_AddItemToObject(m, "counts", counts);
    cJSON_AddStringToObject(
        m, "count_action",
        places_href(c, "/quan-tri/dia-diem/%lld/kiem-kho", (long long)id));
    return ERR_OK;
}

/* destinations: where goods may be sent: places holding stock, a booth
 * named with its fair. */
static enum err destinations(struct ctx *c, cJSON *m, int64_t id,
                             struct err_ctx *ec)
{
    const char *to = str_of(cJSON_GetObjectItem(m, "values"), "to");
    cJSON *all = NULL, *fairs = cJSON_CreateObject(), *opts, *r;
    enum err e = stk_places(c->w->db, &all, ec);

    if (e != ERR_OK) {
        cJSON_Delete(fairs);
        return e;
    }
    opts = cJSON_AddArrayToObject(m, "destinations");
    cJSON_ArrayForEach(r, all)
    {
        const char *kind = str_of(r, "kind"), *name = str_of(r, "name");
        char key[24];
        (void)snprintf(key, sizeof(key), "%lld", (long long)num_of(r, "id"));
        if (strcmp(kind, "fair") == 0)
            cJSON_AddStringToObject(fairs, key, name);
        if (!stk_kind_holds_stock(kind) || num_of(r, "id") == id)
            continue;
        (void)snprintf(key, sizeof(key), "%lld",
                       (long long)num_of(r, "parent_id"));
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)num_of(r, "id"));
        cJSON_AddStringToObject(
            o, "label",
            str_of(fairs, key) ? arena_printf(&c->req->arena, "%s — %s",
                                              str_of(fairs, key), name)
                               : arena_printf(&c->req->arena, "%s (%s)", name,
                                              places_kind_text(c, kind)));
        cJSON_AddBoolToObject(o, "selected",
                              to && places_id(to) == num_of(r, "id"));
        cJSON_AddItemToArray(opts, o);
    }
    cJSON_Delete(all);
    cJSON_Delete(fairs);
    return ERR_OK;
}

static enum err stock_sections(struct ctx *c, cJSON *m, const cJSON *p,
                               const struct place_view *v, struct err_ctx *ec)
{
    int64_t id = num_of(p, "id");
    enum err e = stock_rows(c, m, id, v, ec);

    add_modes(c, m, id, mode_index(v->mode));
    if (e == ERR_OK)
        e = move_rows(c, m, id, ec);
    if (e == ERR_OK)
        e = transfer_and_count_rows(c, m, id, ec);
    if (e == ERR_OK && v->mode != NULL && strcmp(v->mode, "chuyen") == 0)
        e = destinations(c, m, id, ec);
    if (e == ERR_OK && cJSON_IsTrue(cJSON_GetObjectItem(p, "sells")))
        e = producer_rows(c, m, id, ec);
    if (e == ERR_OK && cJSON_IsTrue(cJSON_GetObjectItem(p, "has_staff")))
        e = staff_rows(c, m, id, ec);
    return e;
}

static void place_actions(struct ctx *c, cJSON *m, int64_t id)
{
    cJSON_AddStringToObject(
        m, "edit_action",
        places_href(c, "/quan-tri/dia-diem/%lld", (long long)id));
    cJSON_AddStringToObject(
        m, "booth_action",
        places_href(c, "/quan-tri/dia-diem/%lld/gian-hang", (long long)id));
}

/* edit_values: the place's stored fields as the edit form's values,
 * unless a form was sent. */
static void edit_values(cJSON *m, const cJSON *p, const struct place_view *v)
{
    static const char *const keys[] = {"name",      "venue",   "organiser",
                                       "starts_on", "ends_on", "channel"};
    cJSON *vals = cJSON_GetObjectItem(m, "values");
    size_t i;

    if (v->f != NULL) {
        admin_values(m, v->f);
        return;
    }
    for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
        if (str_of(p, keys[i]) != NULL)
            cJSON_AddStringToObject(vals, keys[i], str_of(p, keys[i]));
    cJSON_AddNumberToObject(
        vals, "commission_pct",
        cJSON_GetNumberValue(cJSON_GetObjectItem(p, "commission_pct")));
}

static void any_flags(cJSON *m)
{
    static const char *const lists[][2] = {
        {"booths", "any_booths"},
        {"stock", "any_stock"},
        {"producers", "any_producers"},
        {"staff", "any_staff"},
        {"moves", "any_moves"},
        {"transfers", "any_transfers"},
        {"counts", "any_counts"},
        {"shortfalls", "any_shortfalls"},
        {"staff_options", "any_staff_options"},
    };
    size_t i;

    for (i = 0; i < sizeof(lists) / sizeof(*lists); i++)
        places_any(m, lists[i][0], lists[i][1]);
}

enum hres places_page(struct ctx *c, int64_t id, const struct place_view *v)
{
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    cJSON *p = places_place(c, id, &h), *m;
    enum err e = ERR_OK;

    if (p == NULL)
        return h;
    m = places_model(c, "place_title", str_of(p, "href"), "places");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(m, "page"), "title",
                              cJSON_CreateString(str_of(p, "name")));
    edit_values(m, p, v);
    place_actions(c, m, id);
    if (cJSON_IsTrue(cJSON_GetObjectItem(p, "is_fair")))
        e = booth_rows(c, m, id, &ec);
    else
        e = stock_sections(c, m, p, v, &ec);
    if (e == ERR_OK)
        e = shortfall_rows(c, m, id, &ec);
    cJSON_AddItemToObject(m, "place", p);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    any_flags(m);
    if (v->ec != NULL) {
        admin_error(c, m, v->form, v->ec, "err_invalid");
        places_mark_invalid(cJSON_GetObjectItem(m, "stock"), v->ec);
    }
    return admin_render(c, v->status ? v->status : 200, "place", m);
}

enum hres page_place(struct ctx *c)
{
    const char *mode = http_arg(c->req, "thao-tac");
    struct place_view v = {NULL, mode_index(mode) >= 0 ? mode : NULL, NULL,
                           NULL, 200};

    return places_page(c, places_id(c->rest), &v);
}

static enum err update_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_job *j = cls;

    if (!j->ok_pct)
        return err_user(ec, ERR_UNPROCESSABLE, "err_commission",
                        "commission_pct", "not a number");
    return stk_place_update(db, &j->who, j->id, &j->p, ec);
}

enum hres page_place_update(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct place_view v = {"edit", NULL, NULL, &ec, 0};
    struct place_job j;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    memset(&j, 0, sizeof(j));
    j.who = auth_actor(&c->who, c->ip);
    j.p = place_of_form(c, &f, &j.ok_pct);
    j.id = places_id(c->rest);
    e = db_tx_run(c->w->db, "place update", update_tx, &j, &ec);
    v.f = &f;
    v.status = admin_status(e);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return places_page(c, j.id, &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c,
                        arena_printf(&c->req->arena,
                                     "/quan-tri/dia-diem/%lld?ok=place_saved",
                                     (long long)j.id));
}
