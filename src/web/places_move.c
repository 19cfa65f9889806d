/* places_move.c: transfers between places (the list, one transfer and
 * receiving it, counting what came) and stocktakes (opening a count sheet,
 * entering counts, closing it with its adjustments). Sending a transfer
 * is a goods form of the place's page (places_stock.c). */
#include "web/places.h"

#include "stock/stk_count.h"
#include "stock/stk_transfer.h"

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

/* --- transfers ----------------------------------------------------------- */

enum hres page_transfers(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *m = places_model(c, "transfer_list_title", "/quan-tri/chuyen-kho",
                            "transfers"),
          *rows = NULL;
    enum err e = m ? stk_transfers(c->w->db, 0, &rows, &ec) : ERR_NOMEM;

    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    places_transfer_rows(c, rows);
    cJSON_AddItemToObject(m, "transfers", rows);
    return admin_render(c, 200, "place_transfers", m);
}

/* line_inputs: each line's input: what was typed, else what was sent. */
static void line_inputs(struct ctx *c, cJSON *t, const struct form *f)
{
    cJSON *l;

    cJSON_ArrayForEach(l, cJSON_GetObjectItem(t, "lines"))
    {
        const char *field = arena_printf(&c->req->arena, "qty_%lld",
                                         (long long)num_of(l, "variant_id"));
        const char *typed = f ? form_get(f, field) : NULL;
        cJSON_AddStringToObject(l, "field", field);
        if (typed != NULL)
            cJSON_AddStringToObject(l, "input", typed);
        else
            cJSON_AddNumberToObject(l, "input", (double)num_of(l, "qty_sent"));
        cJSON_AddBoolToObject(l, "has_diff",
                              cJSON_IsNumber(cJSON_GetObjectItem(l, "diff")) &&
                                  num_of(l, "diff") != 0);
        cJSON_AddBoolToObject(l, "is_loss", num_of(l, "diff") < 0);
    }
}

static enum hres transfer_page(struct ctx *c, int64_t id, unsigned status,
                               const struct form *f, const struct err_ctx *err)
{
    struct err_ctx ec = {0};
    cJSON *t = NULL, *m;
    enum err e = id > 0 ? stk_transfer(c->w->db, id, &t, &ec)
                        : err_user(&ec, ERR_NOTFOUND, "err_transfer_not_found",
                                   NULL, "none");

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    places_transfer_row(c, t); /* the same words as the list */
    line_inputs(c, t, f);
    cJSON_AddStringToObject(t, "from_href",
                            places_href(c, "/quan-tri/dia-diem/%lld",
                                        (long long)num_of(t, "from_id")));
    cJSON_AddStringToObject(t, "to_href",
                            places_href(c, "/quan-tri/dia-diem/%lld",
                                        (long long)num_of(t, "to_id")));
    cJSON_AddStringToObject(
        t, "receive_action",
        places_href(c, "/quan-tri/chuyen-kho/%lld/nhan", (long long)id));
    admin_drop_empty(t, "note");
    m = places_model(c, "transfer_title", str_of(t, "href"), "transfers");
    cJSON_AddItemToObject(m, "transfer", t);
    if (err != NULL) {
        admin_error(c, m, "receive", err, "err_invalid");
        places_mark_invalid(cJSON_GetObjectItem(t, "lines"), err);
    }
    return admin_render(c, status, "place_transfer", m);
}

enum hres page_transfer(struct ctx *c)
{
    return transfer_page(c, places_id(c->rest), 200, NULL, NULL);
}

struct came_job {
    struct actor who;
    int64_t id;
    struct stk_line *lines;
    int n;
};

static enum err came_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct came_job *j = cls;

    return stk_transfer_receive(db, &j->who, j->id, j->lines, j->n, ec);
}

enum hres page_transfer_receive(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct came_job j = {auth_actor(&c->who, c->ip), places_id(c->args[0]),
                         NULL, 0};
    const char *bad = NULL;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    j.lines = arena_alloc(&c->req->arena, sizeof(*j.lines) * STK_MAX_LINES);
    if (j.lines == NULL)
        return H_FATAL;
    /* a line left empty: nothing came of it */
    if (!places_lines(&f, j.lines, &j.n, 1, 0, &bad))
        e = err_user(&ec, ERR_UNPROCESSABLE, "err_stock_qty", bad,
                     "not a whole number");
    else
        e = db_tx_run(c->w->db, "transfer receive", came_tx, &j, &ec);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return transfer_page(c, j.id, admin_status(e), &f, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-tri/chuyen-kho/%lld"
                                        "?ok=transfer_received",
                                        (long long)j.id));
}

/* --- stocktakes ---------------------------------------------------------- */

struct count_job {
    struct actor who;
    int64_t id;   /* the place (open) or the sheet */
    int64_t made; /* the sheet opened */
    struct stk_line *lines;
    int n, close, moves;
};

static enum err open_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct count_job *j = cls;

    return stk_count_open(db, &j->who, j->id, &j->made, ec);
}

enum hres page_place_count_open(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct place_view v = {"count", NULL, NULL, &ec, 0};
    struct count_job j = {
        auth_actor(&c->who, c->ip), places_id(c->args[0]), 0, NULL, 0, 0, 0};
    enum err e = db_tx_run(c->w->db, "count open", open_tx, &j, &ec);

    v.status = admin_status(e);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return places_page(c, j.id, &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c,
                        arena_printf(&c->req->arena, "/quan-tri/kiem-kho/%lld",
                                     (long long)j.made));
}

static void sheet_view(struct ctx *c, cJSON *t, const struct form *f)
{
    cJSON *l;

    cJSON_ArrayForEach(l, cJSON_GetObjectItem(t, "lines"))
    {
        const char *field = arena_printf(&c->req->arena, "qty_%lld",
                                         (long long)num_of(l, "variant_id"));
        const char *typed = f ? form_get(f, field) : NULL;
        cJSON_AddStringToObject(l, "field", field);
        if (typed != NULL)
            cJSON_AddStringToObject(l, "input", typed);
        else if (cJSON_IsNumber(cJSON_GetObjectItem(l, "counted")))
            cJSON_AddNumberToObject(l, "input", (double)num_of(l, "counted"));
        cJSON_AddBoolToObject(
            l, "has_variance",
            cJSON_IsNumber(cJSON_GetObjectItem(l, "variance")) &&
                num_of(l, "variance") != 0);
        cJSON_AddBoolToObject(l, "is_loss", num_of(l, "variance") < 0);
        places_add_money(c, l, "variance_vnd");
    }
    places_add_money(c, t, "variance_vnd");
    cJSON_AddStringToObject(t, "started_text",
                            admin_when(c, str_of(t, "started_at")));
    if (str_of(t, "closed_at") != NULL)
        cJSON_AddStringToObject(t, "closed_text",
                                admin_when(c, str_of(t, "closed_at")));
    cJSON_AddStringToObject(t, "place_href",
                            places_href(c, "/quan-tri/dia-diem/%lld",
                                        (long long)num_of(t, "location_id")));
    cJSON_AddStringToObject(
        t, "action",
        places_href(c, "/quan-tri/kiem-kho/%lld", (long long)num_of(t, "id")));
}

static enum hres count_page(struct ctx *c, int64_t id, unsigned status,
                            const struct form *f, const struct err_ctx *err)
{
    struct err_ctx ec = {0};
    cJSON *t = NULL, *m;
    enum err e = id > 0 ? stk_count(c->w->db, id, &t, &ec)
                        : err_user(&ec, ERR_NOTFOUND, "err_count_not_found",
                                   NULL, "none");

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    sheet_view(c, t, f);
    m = places_model(c, "count_title", str_of(t, "action"), "places");
    cJSON_AddItemToObject(m, "sheet", t);
    if (err != NULL) {
        admin_error(c, m, "count", err, "err_invalid");
        places_mark_invalid(cJSON_GetObjectItem(t, "lines"), err);
    }
    return admin_render(c, status, "place_count", m);
}

enum hres page_count(struct ctx *c)
{
    return count_page(c, places_id(c->rest), 200, NULL, NULL);
}

static enum err count_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct count_job *j = cls;
    enum err e = stk_count_set(db, &j->who, j->id, j->lines, j->n, ec);

    if (e == ERR_OK && j->close)
        e = stk_count_close(db, &j->who, j->id, &j->moves, ec);
    return e;
}

enum hres page_count_post(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct count_job j = {
        auth_actor(&c->who, c->ip), places_id(c->rest), 0, NULL, 0, 0, 0};
    const char *bad = NULL;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    j.close = strcmp(admin_field(&f, "action"), "close") == 0;
    j.lines = arena_alloc(&c->req->arena, sizeof(*j.lines) * STK_MAX_LINES);
    if (j.lines == NULL)
        return H_FATAL;
    /* an empty field: not counted (yet) */
    if (!places_lines(&f, j.lines, &j.n, 1, 1, &bad))
        e = err_user(&ec, ERR_UNPROCESSABLE, "err_stock_qty", bad,
                     "not a whole number");
    else
        e = db_tx_run(c->w->db, "count", count_tx, &j, &ec);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return count_page(c, j.id, admin_status(e), &f, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(
        c, arena_printf(&c->req->arena, "/quan-tri/kiem-kho/%lld?ok=%s",
                        (long long)j.id,
                        j.close ? "count_closed" : "count_saved"));
}
