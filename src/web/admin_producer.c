/* admin_producer.c: the office's producers: the list, creating and editing
 * one, and the producer accounts linked to it (see web.h). */
#include "web/web.h"

#include "catalog/cat_edit.h"
#include "catalog/cat_producer.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PRODUCERS_PER_PAGE 50

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *const record_fields[] = {
    "name",     "kind",    "representative", "tax_code", "address",
    "province", "commune", "phone",          "email",    "website"};

static struct cat_producer_in producer_in(const struct form *f)
{
    struct cat_producer_in in;

    in.name = form_get(f, "name");
    in.kind = form_get(f, "kind");
    in.representative = form_get(f, "representative");
    in.tax_code = form_get(f, "tax_code");
    in.address = form_get(f, "address");
    in.province = form_get(f, "province");
    in.commune = form_get(f, "commune");
    in.phone = form_get(f, "phone");
    in.email = form_get(f, "email");
    in.website = form_get(f, "website");
    return in;
}

/* add_choices: the kinds and provinces for the form's selects, with the
 * current values selected. */
static void add_choices(struct ctx *c, cJSON *m)
{
    static const char *const kinds[] = {"company", "cooperative", "household"};
    const cJSON *v = cJSON_GetObjectItem(m, "values");
    const char *kind = str_of(v, "kind"), *prov = str_of(v, "province");
    cJSON *ks = cJSON_AddArrayToObject(m, "kinds");
    cJSON *ps = cJSON_AddArrayToObject(m, "provinces");
    char key[32];
    int i;

    for (i = 0; ks != NULL && i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        (void)snprintf(key, sizeof(key), "kind_%s", kinds[i]);
        cJSON_AddStringToObject(o, "value", kinds[i]);
        cJSON_AddStringToObject(o, "label", admin_t(c, key));
        cJSON_AddBoolToObject(o, "selected",
                              kind && strcmp(kind, kinds[i]) == 0);
        cJSON_AddItemToArray(ks, o);
    }
    for (i = 0; ps != NULL && i < CAT_PROVINCES; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", cat_province_name(i));
        cJSON_AddBoolToObject(o, "selected",
                              prov && strcmp(prov, cat_province_name(i)) == 0);
        cJSON_AddItemToArray(ps, o);
    }
}

/* --- the list and the form to create one --------------------------------- */

static void view_rows(struct ctx *c, cJSON *items)
{
    cJSON *p;
    char key[32];

    cJSON_ArrayForEach(p, items)
    {
        (void)snprintf(key, sizeof(key), "kind_%s", str_of(p, "kind"));
        cJSON_AddStringToObject(p, "kind_text", admin_t(c, key));
        cJSON_AddStringToObject(
            p, "href",
            view_url(c, admin_path(c, "/quan-tri/nha-san-xuat/",
                                   str_of(p, "slug"), "")));
    }
}

static void list_pages(struct ctx *c, cJSON *m, const char *q, long page,
                       long total)
{
    long last = (total + PRODUCERS_PER_PAGE - 1) / PRODUCERS_PER_PAGE;
    const char *base = q && *q
                           ? admin_path(c, "/quan-tri/nha-san-xuat?q=", q, "&")
                           : "/quan-tri/nha-san-xuat?";

    cJSON_AddNumberToObject(m, "total", (double)total);
    if (page > 1)
        cJSON_AddStringToObject(
            m, "prev_href",
            view_url(
                c, arena_printf(&c->req->arena, "%spage=%ld", base, page - 1)));
    if (page < last)
        cJSON_AddStringToObject(
            m, "next_href",
            view_url(
                c, arena_printf(&c->req->arena, "%spage=%ld", base, page + 1)));
}

static enum hres producers_page(struct ctx *c, unsigned status,
                                const struct form *f, const struct err_ctx *ec)
{
    const char *q = http_arg(c->req, "q");
    struct err_ctx lec = {0};
    cJSON *res = NULL, *m, *items;
    long page = 1;
    enum err e;

    if (http_arg(c->req, "page") != NULL &&
        !admin_long(http_arg(c->req, "page"), 1, CAT_PAGE_MAX, &page))
        return web_fail(c, 400, "invalid", "err_page");
    if (q != NULL && strlen(q) > 200)
        return web_fail(c, 400, "invalid", "err_query_too_long");
    e = cat_producer_list(c->w->db, q, (int)page, PRODUCERS_PER_PAGE, &res,
                          &lec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &lec);
    m = admin_model(c, "office_producers_title", "/quan-tri/nha-san-xuat",
                    "producers");
    items = cJSON_DetachItemFromObject(res, "items");
    view_rows(c, items);
    cJSON_AddItemToObject(m, "items", items);
    list_pages(c, m, q, page,
               (long)cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")));
    cJSON_Delete(res);
    cJSON_AddStringToObject(m, "q", q ? q : "");
    cJSON_AddStringToObject(m, "search_action",
                            view_url(c, "/quan-tri/nha-san-xuat"));
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/nha-san-xuat"));
    if (f != NULL)
        admin_values(m, f);
    if (ec != NULL)
        admin_error(c, m, "create", ec, "err_invalid");
    add_choices(c, m);
    return admin_render(c, status, "admin_producers", m);
}

enum hres page_admin_producers(struct ctx *c)
{
    return producers_page(c, 200, NULL, NULL);
}

struct producer_job {
    struct actor who;
    struct cat_producer_in in;
    int64_t id;
    char slug[CAT_PRODUCER_SLUG_MAX];
};

static enum err create_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct producer_job *j = cls;

    return cat_producer_create(db, &j->who, &j->in, j->slug, &j->id, ec);
}

enum hres page_admin_producer_create(struct ctx *c)
{
    struct producer_job job = {0};
    struct err_ctx ec = {0};
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job.who = auth_actor(&c->who, c->ip);
    job.in = producer_in(&f);
    e = db_tx_run(c->w->db, "producer create", create_tx, &job, &ec);
    if (admin_form_error(e))
        return producers_page(c, admin_status(e), &f, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, admin_path(c, "/quan-tri/nha-san-xuat/", job.slug,
                                      "?ok=producer_created"));
}

/* --- one producer -------------------------------------------------------- */

/* A secret made for the office and shown once (a generated password). */
struct shown_once {
    const char *username, *password;
};

struct producer_view {
    const char *form; /* the form that failed, or NULL */
    const struct form *f;
    const struct err_ctx *ec;
    const struct shown_once *secret;
};

static void fill_values(cJSON *m, const cJSON *p, const struct producer_view *v)
{
    cJSON *vals = cJSON_GetObjectItem(m, "values");
    size_t i;

    if (v->f != NULL && v->form != NULL && strcmp(v->form, "edit") == 0) {
        admin_values(m, v->f);
        return;
    }
    for (i = 0; i < sizeof(record_fields) / sizeof(record_fields[0]); i++)
        cJSON_AddStringToObject(
            vals, record_fields[i],
            str_of(p, record_fields[i]) ? str_of(p, record_fields[i]) : "");
    if (v->f != NULL) /* another form failed: keep what was typed there */
        cJSON_AddStringToObject(vals, "username",
                                admin_field(v->f, "username"));
}

static void view_accounts(struct ctx *c, cJSON *accounts)
{
    cJSON *u;
    char key[32];

    cJSON_ArrayForEach(u, accounts)
    {
        (void)snprintf(key, sizeof(key), "role_%s", str_of(u, "role"));
        cJSON_AddStringToObject(u, "role_text", admin_t(c, key));
        cJSON_AddStringToObject(u, "created_text",
                                admin_when(c, str_of(u, "created_at")));
    }
}

static void view_own_products(struct ctx *c, cJSON *products)
{
    cJSON *p;
    char key[48];

    cJSON_ArrayForEach(p, products)
    {
        (void)snprintf(key, sizeof(key), "product_status_%s",
                       str_of(p, "status"));
        cJSON_AddStringToObject(p, "status_text", admin_t(c, key));
        cJSON_AddStringToObject(p, "office_href",
                                view_url(c, admin_path(c, "/quan-tri/san-pham/",
                                                       str_of(p, "slug"), "")));
    }
}

static enum err producer_parts(struct ctx *c, cJSON *m, cJSON *p,
                               struct err_ctx *ec)
{
    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));
    cJSON *accounts = NULL, *products = NULL;
    enum err e = auth_user_list(c->w->db, id, &accounts, ec);

    if (e == ERR_OK)
        e = cat_producer_products(c->w->db, &id, 1, &products, ec);
    if (e != ERR_OK) {
        cJSON_Delete(accounts);
        return e;
    }
    view_accounts(c, accounts);
    view_own_products(c, products);
    cJSON_AddBoolToObject(m, "has_accounts", cJSON_GetArraySize(accounts) > 0);
    cJSON_AddItemToObject(m, "accounts", accounts);
    cJSON_AddItemToObject(m, "products", products);
    return ERR_OK;
}

static void producer_links(struct ctx *c, cJSON *m, const cJSON *p)
{
    const char *slug = str_of(p, "slug");
    char key[32];

    (void)snprintf(key, sizeof(key), "kind_%s", str_of(p, "kind"));
    cJSON_AddStringToObject(m, "kind_text", admin_t(c, key));
    cJSON_AddStringToObject(
        m, "form_action",
        view_url(c, admin_path(c, "/quan-tri/nha-san-xuat/", slug, "")));
    cJSON_AddStringToObject(m, "account_action",
                            view_url(c, admin_path(c, "/quan-tri/nha-san-xuat/",
                                                   slug, "/tai-khoan")));
    cJSON_AddStringToObject(m, "link_action",
                            view_url(c, admin_path(c, "/quan-tri/nha-san-xuat/",
                                                   slug, "/lien-ket")));
    cJSON_AddStringToObject(
        m, "public_href",
        view_url(c, admin_path(c, "/nha-san-xuat/", slug, "")));
    cJSON_AddStringToObject(m, "list_href",
                            view_url(c, "/quan-tri/nha-san-xuat"));
    cJSON_AddBoolToObject(
        m, "has_public",
        cJSON_GetNumberValue(cJSON_GetObjectItem(p, "public_products")) > 0);
}

static enum hres producer_page(struct ctx *c, const char *slug, unsigned status,
                               const struct producer_view *v)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL, *m;
    enum err e = cat_producer_get(c->w->db, c->today, slug, &p, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    m = admin_model(c, "office_producer_title",
                    admin_path(c, "/quan-tri/nha-san-xuat/", slug, ""),
                    "producers");
    fill_values(m, p, v);
    producer_links(c, m, p);
    e = producer_parts(c, m, p, &ec);
    cJSON_AddItemToObject(m, "producer", p);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    if (v->ec != NULL)
        admin_error(c, m, v->form, v->ec, "err_invalid");
    if (v->secret != NULL) {
        cJSON *s = cJSON_AddObjectToObject(m, "secret");
        cJSON_AddTrueToObject(s, "password");
        cJSON_AddStringToObject(s, "who", v->secret->username);
        cJSON_AddStringToObject(s, "value", v->secret->password);
    }
    add_choices(c, m);
    return admin_render(c, status, "admin_producer", m);
}

static int valid_slug_arg(struct ctx *c)
{
    return c->rest != NULL && params_valid_slug(c->rest);
}

enum hres page_admin_producer(struct ctx *c)
{
    struct producer_view v = {0};

    if (!valid_slug_arg(c))
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    return producer_page(c, c->rest, 200, &v);
}

static enum err update_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct producer_job *j = cls;

    return cat_producer_update(db, &j->who, j->id, &j->in, ec);
}

enum hres page_admin_producer_update(struct ctx *c)
{
    struct producer_job job = {0};
    struct err_ctx ec = {0};
    struct producer_view v = {"edit", NULL, &ec, NULL};
    cJSON *p = NULL;
    struct form f;
    enum err e;

    if (!valid_slug_arg(c))
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    e = cat_producer_get(c->w->db, c->today, c->rest, &p, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    job.id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));
    cJSON_Delete(p);
    job.who = auth_actor(&c->who, c->ip);
    job.in = producer_in(&f);
    e = db_tx_run(c->w->db, "producer update", update_tx, &job, &ec);
    v.f = &f;
    if (admin_form_error(e))
        return producer_page(c, c->rest, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, admin_path(c, "/quan-tri/nha-san-xuat/", c->rest,
                                      "?ok=producer_saved"));
}

/* --- its accounts -------------------------------------------------------- */

struct account_job {
    struct actor who;
    const char *username, *password, *producer;
};

static enum err account_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct account_job *j = cls;

    return auth_user_add(db, j->username, ROLE_PRODUCER, j->password,
                         j->producer, &j->who, NULL, ec);
}

enum hres page_admin_producer_account(struct ctx *c)
{
    char generated[AUTH_GEN_PASSWORD_CHARS];
    struct account_job job;
    struct err_ctx ec = {0};
    struct producer_view v = {"account", NULL, &ec, NULL};
    struct shown_once once;
    struct form f;
    enum hres h;
    enum err e;

    if (!valid_slug_arg(c))
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    auth_password_generate(generated);
    job = (struct account_job){auth_actor(&c->who, c->ip),
                               admin_field(&f, "username"),
                               admin_field(&f, "password"), c->rest};
    if (*job.password == '\0')
        job.password = generated;
    e = db_tx_run(c->w->db, "producer account", account_tx, &job, &ec);
    v.f = &f;
    if (admin_form_error(e))
        return producer_page(c, c->rest, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (job.password != generated)
        return web_redirect(c, admin_path(c, "/quan-tri/nha-san-xuat/", c->rest,
                                          "?ok=account_created"));
    once = (struct shown_once){job.username, generated};
    v = (struct producer_view){NULL, NULL, NULL, &once};
    h = producer_page(c, c->rest, 201, &v);
    sodium_memzero(generated, sizeof(generated));
    return h;
}

struct link_job {
    struct actor who;
    const char *username, *producer;
    int link;
};

static enum err link_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct link_job *j = cls;

    return auth_user_link(db, &j->who, j->username, j->producer, j->link, ec);
}

enum hres page_admin_producer_link(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct producer_view v = {"link", NULL, &ec, NULL};
    struct link_job job;
    struct form f;
    enum err e;

    if (!valid_slug_arg(c))
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job = (struct link_job){auth_actor(&c->who, c->ip),
                            admin_field(&f, "username"), c->rest,
                            strcmp(admin_field(&f, "action"), "unlink") != 0};
    e = db_tx_run(c->w->db, "producer link", link_tx, &job, &ec);
    v.f = &f;
    if (admin_form_error(e))
        return producer_page(c, c->rest, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c,
                        admin_path(c, "/quan-tri/nha-san-xuat/", c->rest,
                                   job.link ? "?ok=linked" : "?ok=unlinked"));
}
