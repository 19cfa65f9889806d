/* places_stock.c: the forms of a place's page: goods received from a
 * producer, given back, adjusted, sent to another place, low-stock
 * levels; closing a shortfall; booths of a fair; who a place sells for
 * and who staffs it. Each POST is one transaction with its audit record;
 * an error shows the place's page again with the form and its values. */
#include "web/places.h"

#include "stock/stk_transfer.h"

#include <stdlib.h>
#include <string.h>

/* --- goods forms --------------------------------------------------------- */

struct goods_job {
    struct actor who;
    int64_t id;
    const char *mode; /* nhap, tra, dieu-chinh, muc, chuyen */
    const struct form *f;
    struct stk_line *lines;
    int n;
    int64_t made; /* a transfer's id */
};

static enum err goods_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct goods_job *j = cls;
    const char *m = j->mode;
    const struct form *f = j->f;

    if (strcmp(m, "nhap") == 0)
        return stk_receive(db, &j->who, j->id, j->lines, j->n,
                           admin_field(f, "ref"), admin_field(f, "note"),
                           admin_field(f, "at"), ec);
    if (strcmp(m, "tra") == 0)
        return stk_give_back(db, &j->who, j->id, j->lines, j->n,
                             admin_field(f, "ref"), admin_field(f, "note"), ec);
    if (strcmp(m, "dieu-chinh") == 0)
        return stk_adjust(db, &j->who, j->id, j->lines, j->n,
                          admin_field(f, "reason"), ec);
    if (strcmp(m, "muc") == 0)
        return stk_levels_set(db, &j->who, j->id, j->lines, j->n, ec);
    if (places_id(admin_field(f, "to")) == 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_transfer_to", "to",
                        "where to?");
    return stk_transfer_send(db, &j->who, j->id,
                             places_id(admin_field(f, "to")), j->lines, j->n,
                             admin_field(f, "note"), &j->made, ec);
}

static const char *ok_of(const char *mode)
{
    return strcmp(mode, "nhap") == 0         ? "received"
           : strcmp(mode, "tra") == 0        ? "given_back"
           : strcmp(mode, "dieu-chinh") == 0 ? "adjusted"
                                             : "levels_saved";
}

static enum hres goods_post(struct ctx *c, const char *mode)
{
    struct err_ctx ec = {0};
    struct place_view v = {"goods", mode, NULL, &ec, 0};
    struct goods_job j = {auth_actor(&c->who, c->ip),
                          places_id(c->args[0]),
                          mode,
                          NULL,
                          NULL,
                          0,
                          0};
    const char *bad = NULL;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    j.f = v.f = &f;
    j.lines = arena_alloc(&c->req->arena, sizeof(*j.lines) * STK_MAX_LINES);
    if (j.lines == NULL)
        return H_FATAL;
    if (!places_lines(&f, j.lines, &j.n, strcmp(mode, "muc") == 0, 0, &bad))
        e = err_user(&ec, ERR_UNPROCESSABLE, "err_stock_qty", bad,
                     "not a whole number");
    else
        e = db_tx_run(c->w->db, "goods", goods_tx, &j, &ec);
    v.status = admin_status(e);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return places_page(c, j.id, &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (strcmp(mode, "chuyen") == 0)
        return web_redirect(c, arena_printf(&c->req->arena,
                                            "/quan-tri/chuyen-kho/%lld"
                                            "?ok=transfer_sent",
                                            (long long)j.made));
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-tri/dia-diem/%lld?ok=%s#hang",
                                        (long long)j.id, ok_of(mode)));
}

enum hres page_place_receive(struct ctx *c)
{
    return goods_post(c, "nhap");
}

enum hres page_place_giveback(struct ctx *c)
{
    return goods_post(c, "tra");
}

enum hres page_place_adjust(struct ctx *c)
{
    return goods_post(c, "dieu-chinh");
}

enum hres page_place_levels(struct ctx *c)
{
    return goods_post(c, "muc");
}

enum hres page_place_transfer(struct ctx *c)
{
    return goods_post(c, "chuyen");
}

/* --- the other forms of a place ------------------------------------------ */

struct place_form_job {
    struct actor who;
    int64_t id;
    const struct form *f;
    const char *ok; /* the note after success */
    int64_t made;   /* a booth's id */
};

typedef enum err (*place_form_fn)(struct db *db, void *cls, struct err_ctx *ec);

/* place_form: one form of a place's page: fn in a transaction, then back
 * to the page (to the new booth's page for a booth). */
static enum hres place_form(struct ctx *c, const char *form, place_form_fn fn)
{
    struct err_ctx ec = {0};
    struct place_view v = {form, NULL, NULL, &ec, 0};
    struct place_form_job j = {auth_actor(&c->who, c->ip),
                               places_id(c->args[0]), NULL, NULL, 0};
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    j.f = v.f = &f;
    e = j.id > 0 ? db_tx_run(c->w->db, form, fn, &j, &ec)
                 : err_user(&ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                            "no place");
    v.status = admin_status(e);
    if (admin_form_error(e) && e != ERR_NOTFOUND)
        return places_page(c, j.id, &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(
        c, arena_printf(&c->req->arena, "/quan-tri/dia-diem/%lld?ok=%s",
                        (long long)(j.made ? j.made : j.id), j.ok));
}

static enum err booth_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_form_job *j = cls;
    const char *pct = admin_field(j->f, "commission_pct");
    struct stk_place p = {"booth", admin_field(j->f, "name"),
                          j->id,   0,
                          "",      "",
                          NULL,    NULL,
                          NULL,    0,
                          0};
    char kind[16];
    char *end = NULL;
    enum err e = stk_place_kind(db, j->id, kind, sizeof(kind), ec);

    if (e != ERR_OK)
        return e;
    if (*pct != '\0')
        p.commission_pct = strtod(pct, &end);
    if (end != NULL && *end != '\0')
        return err_user(ec, ERR_UNPROCESSABLE, "err_commission",
                        "commission_pct", "not a number");
    j->ok = "booth_created";
    return stk_place_create(db, &j->who, &p, &j->made, ec);
}

enum hres page_place_booth(struct ctx *c)
{
    return place_form(c, "booth", booth_tx);
}

static enum err producer_id_of(struct db *db, const char *slug, int64_t *id,
                               struct err_ctx *ec)
{
    static const char sql[] = "SELECT id FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *id = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return *id != 0 ? ERR_OK
                    : err_user(ec, ERR_UNPROCESSABLE, "err_producer_not_found",
                               "producer", "no producer %s", slug);
}

static enum err producer_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_form_job *j = cls;
    const char *pct = admin_field(j->f, "commission_pct");
    int remove = strcmp(admin_field(j->f, "action"), "remove") == 0;
    double rate = -1;
    int64_t producer = 0;
    char *end = NULL;
    enum err e =
        producer_id_of(db, admin_field(j->f, "producer"), &producer, ec);

    if (e != ERR_OK)
        return e;
    j->ok = remove ? "producer_removed" : "producer_added";
    if (remove)
        return stk_place_unassign(db, &j->who, j->id, producer, ec);
    if (*pct != '\0')
        rate = strtod(pct, &end);
    if ((end != NULL && *end != '\0') || (end != NULL && rate < 0))
        return err_user(ec, ERR_UNPROCESSABLE, "err_commission",
                        "commission_pct", "not a rate");
    return stk_place_assign(db, &j->who, j->id, producer, rate, ec);
}

enum hres page_place_producer(struct ctx *c)
{
    return place_form(c, "producer", producer_tx);
}

static enum err staff_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_form_job *j = cls;
    int64_t user = places_id(admin_field(j->f, "user"));

    if (strcmp(admin_field(j->f, "action"), "remove") == 0) {
        j->ok = "staff_removed";
        return stk_place_staff_remove(db, &j->who, j->id, user, ec);
    }
    j->ok = "staff_added";
    return stk_place_staff_add(db, &j->who, j->id,
                               admin_field(j->f, "username"), ec);
}

enum hres page_place_staff(struct ctx *c)
{
    return place_form(c, "staff", staff_tx);
}

static enum err shortfall_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct place_form_job *j = cls;

    j->ok = "shortfall_closed";
    return stk_shortfall_resolve(db, &j->who, j->id,
                                 places_id(admin_field(j->f, "shortfall")),
                                 admin_field(j->f, "note"), ec);
}

enum hres page_place_shortfall(struct ctx *c)
{
    return place_form(c, "shortfall", shortfall_tx);
}
