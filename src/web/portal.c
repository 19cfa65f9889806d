/* portal.c: the producer portal: a producer's products, editing them
 * next to what the public sees, their history and undo. The forms call
 * the same domain functions as the write API (cat_patch, cat_undo). */
#include "web/web.h"

#include "catalog/cat_edit.h"
#include "web/sync_pages.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLANK_VARIANT_ROWS 2

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* --- the list of my products --------------------------------------------- */

static void decorate_rows(struct ctx *c, cJSON *rows)
{
    cJSON *r;
    char key[48];

    cJSON_ArrayForEach(r, rows)
    {
        const char *slug = str_of(r, "slug");
        (void)snprintf(key, sizeof(key), "product_status_%s", str_of(r, "status"));
        cJSON_AddStringToObject(r, "status_text", t(c, key));
        cJSON_AddStringToObject(
            r, "edit_href",
            view_url(c, arena_printf(&c->req->arena, "/quan-ly/san-pham/%s", slug)));
        cJSON_AddStringToObject(
            r, "public_href",
            view_url(c, arena_printf(&c->req->arena, "/san-pham/%s", slug)));
        cJSON_AddBoolToObject(r, "is_certified",
                              strcmp(str_of(r, "status"), "certified") == 0);
    }
}

enum hres page_portal(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *rows = NULL, *m;
    int all = c->who.role == ROLE_ADMIN;
    enum err e = cat_producer_products(c->w->db, all ? NULL : c->who.producers,
                                       all ? 0 : c->who.n_producers, &rows, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    decorate_rows(c, rows);
    m = view_private_new(c, t(c, "portal_title"), "/quan-ly");
    cJSON_AddNumberToObject(m, "total", cJSON_GetArraySize(rows));
    cJSON_AddBoolToObject(m, "empty", cJSON_GetArraySize(rows) == 0);
    cJSON_AddItemToObject(m, "products", rows);
    return view_render_private(c, &(struct http_reply){.status = 200}, "portal",
                               m);
}

/* --- the edit form ------------------------------------------------------- */

/* parse_price: "125000", "125.000", "125.000 ₫", "125k" -> đồng; an empty
 * field is no price. 0 when it is not a price. */
static int parse_price(const char *in, cJSON **out)
{
    char digits[32];
    size_t n = 0;
    long long v;
    int k = 0;
    const char *p;

    *out = NULL;
    for (p = in; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p) && n + 1 < sizeof(digits))
            digits[n++] = *p;
        else if (*p == 'k' || *p == 'K')
            k = 1;
        else if (*p != '.' && *p != ',' && *p != ' ' && (unsigned char)*p < 0x80 &&
                 strchr("dDvVnN", *p) == NULL)
            return 0; /* letters, signs: not a price */
    }
    digits[n] = '\0';
    if (n == 0) {
        *out = cJSON_CreateNull();
        return strspn(in, " ") == strlen(in);
    }
    errno = 0;
    v = strtoll(digits, NULL, 10);
    if (errno != 0 || n > 13)
        return 0;
    *out = cJSON_CreateNumber((double)(k ? v * 1000 : v));
    return 1;
}

/* thousands_dot: p is a '.' that groups thousands ("1.200"), not a
 * decimal point ("12.5"). */
static int thousands_dot(const char *p)
{
    return p[0] == '.' && isdigit((unsigned char)p[1]) &&
           isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
           !isdigit((unsigned char)p[4]);
}

/* parse_weight: "550", "550 g", "1.200" -> grams; an empty field is no
 * weight. 0 when it is not a whole number (cat_patch checks the range). */
static int parse_weight(const char *in, cJSON **out)
{
    char digits[16];
    size_t n = 0;
    const char *p;

    *out = NULL;
    for (p = in; *p != '\0'; p++) {
        if (isdigit((unsigned char)*p) && n + 1 < sizeof(digits))
            digits[n++] = *p;
        else if (isdigit((unsigned char)*p))
            return 0; /* too many digits */
        else if (*p == '.' ? !thousands_dot(p)
                           : *p != ' ' && *p != 'g' && *p != 'G')
            return 0;
    }
    digits[n] = '\0';
    *out = n == 0 ? cJSON_CreateNull()
                  : cJSON_CreateNumber((double)strtoll(digits, NULL, 10));
    return 1;
}

static int row_empty(const struct form *f, int i)
{
    static const char *const fields[] = {"sku",   "size",    "unit",
                                         "price", "barcode", "weight_g"};
    size_t k;

    for (k = 0; k < sizeof(fields) / sizeof(*fields); k++) {
        const char *v = form_get_nth(f, fields[k], i);
        if (v != NULL && v[strspn(v, " ")] != '\0')
            return 0;
    }
    return 1;
}

/* patch_from_form: the JSON patch the form means; 0 with *bad_key when a
 * price cannot be read. */
static cJSON *patch_from_form(const struct form *f, const char **bad_key)
{
    cJSON *patch = cJSON_CreateObject(), *vars, *price, *weight;
    int i, rows = form_count(f, "sku");

    *bad_key = NULL;
    cJSON_AddStringToObject(patch, "name", form_get(f, "name") ? form_get(f, "name") : "");
    cJSON_AddStringToObject(patch, "description",
                            form_get(f, "description") ? form_get(f, "description") : "");
    vars = cJSON_AddArrayToObject(patch, "variants");
    for (i = 0; i < rows && i < CAT_VARIANTS_MAX + BLANK_VARIANT_ROWS; i++) {
        cJSON *v;
        if (row_empty(f, i))
            continue;
        v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "sku", form_get_nth(f, "sku", i));
        cJSON_AddStringToObject(v, "size", form_get_nth(f, "size", i) ? form_get_nth(f, "size", i) : "");
        cJSON_AddStringToObject(v, "unit", form_get_nth(f, "unit", i) ? form_get_nth(f, "unit", i) : "");
        if (!parse_price(form_get_nth(f, "price", i) ? form_get_nth(f, "price", i) : "",
                         &price))
            *bad_key = "err_price";
        cJSON_AddItemToObject(v, "price_vnd", price ? price : cJSON_CreateNull());
        cJSON_AddStringToObject(v, "barcode", form_get_nth(f, "barcode", i) ? form_get_nth(f, "barcode", i) : "");
        if (!parse_weight(form_get_nth(f, "weight_g", i)
                              ? form_get_nth(f, "weight_g", i)
                              : "",
                          &weight) &&
            *bad_key == NULL)
            *bad_key = "err_weight";
        cJSON_AddItemToObject(v, "weight_g",
                              weight ? weight : cJSON_CreateNull());
        cJSON_AddItemToArray(vars, v);
    }
    return patch;
}

static void add_form_values(cJSON *m, const cJSON *values)
{
    cJSON *form = cJSON_AddObjectToObject(m, "form"), *rows, *v;
    int i;

    cJSON_AddStringToObject(form, "name", str_of(values, "name") ? str_of(values, "name") : "");
    cJSON_AddStringToObject(form, "description",
                            str_of(values, "description") ? str_of(values, "description") : "");
    rows = cJSON_AddArrayToObject(form, "variants");
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(values, "variants"))
    {
        cJSON *r = cJSON_Duplicate(v, 1);
        const cJSON *price = cJSON_GetObjectItem(v, "price_vnd");
        cJSON_DeleteItemFromObject(r, "price_vnd");
        if (cJSON_IsNumber(price))
            cJSON_AddNumberToObject(r, "price", cJSON_GetNumberValue(price));
        if (!cJSON_IsNumber(cJSON_GetObjectItem(r, "weight_g")))
            cJSON_DeleteItemFromObject(r, "weight_g");
        cJSON_AddItemToArray(rows, r);
    }
    for (i = 0; i < BLANK_VARIANT_ROWS; i++)
        cJSON_AddItemToArray(rows, cJSON_CreateObject());
    i = 0;
    cJSON_ArrayForEach(v, rows)
        cJSON_AddNumberToObject(v, "n", ++i);
}

/* changed_fields: the names of what a revision changed, for the list. */
static void describe_revisions(struct ctx *c, cJSON *revs)
{
    static const char *const fields[] = {"name", "description", "variants"};
    cJSON *r;
    size_t i;

    cJSON_ArrayForEach(r, revs)
    {
        cJSON *changes = cJSON_AddArrayToObject(r, "changes");
        const cJSON *b = cJSON_GetObjectItem(r, "before");
        const cJSON *a = cJSON_GetObjectItem(r, "after");
        char key[48];
        for (i = 0; i < 3; i++) {
            if (cJSON_Compare(cJSON_GetObjectItem(b, fields[i]),
                              cJSON_GetObjectItem(a, fields[i]), 1))
                continue;
            (void)snprintf(key, sizeof(key), "field_%s", fields[i]);
            cJSON_AddItemToArray(changes, cJSON_CreateString(t(c, key)));
        }
        cJSON_AddBoolToObject(r, "can_undo",
                              cJSON_IsTrue(cJSON_GetObjectItem(r, "latest")) &&
                                  !cJSON_IsTrue(cJSON_GetObjectItem(r, "undone")));
        cJSON_AddBoolToObject(r, "is_undo",
                              cJSON_GetNumberValue(cJSON_GetObjectItem(r, "undo_of")) > 0);
    }
}

static enum hres edit_page(struct ctx *c, unsigned status, const cJSON *values,
                           const struct err_ctx *ec)
{
    struct err_ctx ec2 = {0};
    cJSON *p = NULL, *revs = NULL, *m;
    const char *slug = c->args[0] ? c->args[0] : c->rest;
    const char *ok = http_arg(c->req, "ok");
    enum err e = cat_product_any(c->w->db, &c->env, slug, &p, &ec2);

    if (e == ERR_OK)
        e = cat_revisions(c->w->db,
                          (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id")),
                          20, &revs, &ec2);
    if (e != ERR_OK) {
        cJSON_Delete(p);
        return web_fail_err(c, e, &ec2);
    }
    view_product(c, p);
    describe_revisions(c, revs);
    m = view_private_new(c, str_of(p, "name"), c->req->path);
    add_form_values(m, values ? values : p);
    cJSON_AddItemToObject(m, "product", p);
    cJSON_AddItemToObject(m, "history", revs);
    cJSON_AddBoolToObject(m, "has_history", cJSON_GetArraySize(revs) > 0);
    cJSON_AddStringToObject(m, "form_action", view_url(c, arena_printf(&c->req->arena, "/quan-ly/san-pham/%s", slug)));
    cJSON_AddStringToObject(m, "undo_action", view_url(c, arena_printf(&c->req->arena, "/quan-ly/san-pham/%s/hoan-tac", slug)));
    cJSON_AddStringToObject(m, "photos_href", view_url(c, arena_printf(&c->req->arena, "/quan-ly/san-pham/%s/anh", slug)));
    cJSON_AddStringToObject(m, "portal_href", view_url(c, "/quan-ly"));
    cJSON_AddBoolToObject(m, "saved",
                          ok != NULL && strcmp(ok, "1") == 0 && ec == NULL);
    if (ec == NULL && sync_pages_ok(c, ok) != NULL)
        cJSON_AddStringToObject(m, "notice", sync_pages_ok(c, ok));
    sync_pages_product(
        c, m, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id")),
        slug);
    if (ec != NULL && ec->key != NULL)
        cJSON_AddStringToObject(m, "error", t(c, ec->key));
    if (ec != NULL && ec->field[0] != '\0')
        cJSON_AddStringToObject(m, "error_field", ec->field);
    return view_render_private(c, &(struct http_reply){.status = status},
                               "edit", m);
}

enum hres page_edit(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h);
    enum hres r;

    if (p == NULL)
        return h;
    r = edit_page(c, 200, p, NULL);
    cJSON_Delete(p);
    return r;
}

struct form_job {
    struct actor who;
    int64_t id;
    const cJSON *patch;
    int64_t rev;
};

static enum err form_patch_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct form_job *j = cls;

    return cat_patch(db, &j->who, j->id, j->patch, NULL, ec);
}

static unsigned status_of(enum err e)
{
    switch (e) {
    case ERR_CONFLICT: return 409;
    case ERR_FORBIDDEN: return 403;
    case ERR_NOTFOUND: return 404;
    default: return 422;
    }
}

enum hres page_edit_post(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *patch;
    struct err_ctx ec = {0};
    struct form_job job;
    const char *bad = NULL;
    struct form f;
    enum err e;

    if (p == NULL)
        return h;
    if (!web_form(c, &f)) {
        cJSON_Delete(p);
        return web_fail(c, 400, "invalid", "err_invalid");
    }
    patch = patch_from_form(&f, &bad);
    job = (struct form_job){auth_actor(&c->who, c->ip),
                            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id")),
                            patch, 0};
    cJSON_Delete(p);
    e = bad ? err_user(&ec, ERR_UNPROCESSABLE, bad,
                       strcmp(bad, "err_weight") == 0 ? "weight_g" : "price",
                       "bad %s", bad)
            : db_tx_run(c->w->db, "product form", form_patch_tx, &job, &ec);
    if (e == ERR_OK) {
        cJSON_Delete(patch);
        return web_redirect(c, arena_printf(&c->req->arena,
                                            "/quan-ly/san-pham/%s?ok=1", c->rest));
    }
    h = e == ERR_DB || e == ERR_BUSY ? web_fail_err(c, e, &ec)
                                     : edit_page(c, status_of(e), patch, &ec);
    cJSON_Delete(patch);
    return h;
}

struct undo_form_job {
    struct actor who;
    int64_t id, rev;
};

static enum err undo_form_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct undo_form_job *j = cls;

    return cat_undo(db, &j->who, j->id, j->rev, ec);
}

enum hres page_undo_post(struct ctx *c)
{
    enum hres h = H_OK;
    const char *slug = c->args[0];
    cJSON *p = web_editable(c, slug, &h);
    struct err_ctx ec = {0};
    struct undo_form_job job;
    const char *rev;
    struct form f;
    enum err e;

    if (p == NULL)
        return h;
    job.who = auth_actor(&c->who, c->ip);
    job.id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));
    rev = web_form(c, &f) ? form_get(&f, "revision") : NULL;
    job.rev = rev ? strtoll(rev, NULL, 10) : 0;
    e = db_tx_run(c->w->db, "product undo form", undo_form_tx, &job, &ec);
    if (e == ERR_OK) {
        cJSON_Delete(p);
        return web_redirect(c, arena_printf(&c->req->arena,
                                            "/quan-ly/san-pham/%s?ok=1", slug));
    }
    h = e == ERR_DB || e == ERR_BUSY ? web_fail_err(c, e, &ec)
                                     : edit_page(c, status_of(e), p, &ec);
    cJSON_Delete(p);
    return h;
}
