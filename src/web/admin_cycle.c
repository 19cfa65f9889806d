/* admin_cycle.c: the OCOP cycle in the office: candidates and their
 * steps, and the office's page of one product (its cycle, evaluations,
 * certificates, visibility) with the forms that change them: evaluate
 * (web_evaluate), revoke (web_revoke), hide or show (cat_hide). */
#include "web/web.h"

#include "catalog/cat_cycle.h"
#include "catalog/cat_edit.h"
#include "catalog/cat_producer.h"
#include "cert/cert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODUCT_AUDIT_N 20
#define LAW_26_2026 "2026-05-22" /* QĐ 26/2026 in force */
#define LAW_1489 "2025-07-06"    /* QĐ 1489 amends 148 */

static const char *const legal_bases[] = {"148/2023", "148+1489", "26/2026"};
static const char *const levels[] = {"province", "national", "district"};

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static double num_of(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *step_name(struct ctx *c, int step)
{
    char key[32];

    (void)snprintf(key, sizeof(key), "cycle_step_%d", step);
    return admin_t(c, arena_strdup(&c->req->arena, key));
}

/* add_options: [{"value","label","selected"}] into m[name]. */
static void add_options(cJSON *m, const char *name, const char *const *values,
                        const char *const *labels, int n, const char *current)
{
    cJSON *arr = cJSON_AddArrayToObject(m, name);
    int i;

    for (i = 0; arr != NULL && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", values[i]);
        cJSON_AddStringToObject(o, "label", labels ? labels[i] : values[i]);
        cJSON_AddBoolToObject(
            o, "selected", current != NULL && strcmp(current, values[i]) == 0);
        cJSON_AddItemToArray(arr, o);
    }
}

static void add_step_options(struct ctx *c, cJSON *m, const char *name,
                             const char *current)
{
    static const char *const nums[] = {"1", "2", "3", "4", "5", "6"};
    const char *labels[CAT_CYCLE_STEPS];
    int s;

    for (s = 0; s < CAT_CYCLE_STEPS; s++)
        labels[s] =
            arena_printf(&c->req->arena, "%d. %s", s + 1, step_name(c, s + 1));
    add_options(m, name, nums, labels, CAT_CYCLE_STEPS, current);
}

/* --- candidates ---------------------------------------------------------- */

static const char *group_name(const cJSON *m, int code)
{
    const cJSON *g;

    cJSON_ArrayForEach(g, cJSON_GetObjectItem(m, "nav_groups"))
    {
        if ((int)num_of(g, "code") == code)
            return str_of(g, "name");
    }
    return "";
}

static void view_candidates(struct ctx *c, cJSON *m, cJSON *list)
{
    cJSON *p;
    char key[16];

    cJSON_ArrayForEach(p, list)
    {
        int step = (int)num_of(p, "step");
        (void)snprintf(key, sizeof(key), "%d", step);
        cJSON_AddStringToObject(p, "step_name", step_name(c, step));
        cJSON_AddStringToObject(p, "group_name",
                                group_name(m, (int)num_of(p, "group")));
        cJSON_AddBoolToObject(p, "at_evaluation", step == CAT_CYCLE_EVALUATION);
        cJSON_AddStringToObject(p, "office_href",
                                view_url(c, admin_path(c, "/quan-tri/san-pham/",
                                                       str_of(p, "slug"), "")));
        cJSON_AddStringToObject(
            p, "step_action",
            view_url(c, admin_path(c, "/quan-tri/ung-vien/", str_of(p, "slug"),
                                   "/buoc")));
        cJSON_AddStringToObject(p, "moved_text",
                                admin_when(c, str_of(p, "moved_at")
                                                  ? str_of(p, "moved_at")
                                                  : str_of(p, "created_at")));
        add_step_options(c, p, "step_options", key);
    }
}

static void add_filter_tabs(struct ctx *c, cJSON *m, int current,
                            const int64_t *counts)
{
    cJSON *tabs = cJSON_AddArrayToObject(m, "tabs");
    int s;

    for (s = 0; tabs != NULL && s <= CAT_CYCLE_STEPS; s++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(
            o, "label",
            s ? arena_printf(&c->req->arena, "%d. %s", s, step_name(c, s))
              : admin_t(c, "office_all_steps"));
        cJSON_AddNumberToObject(o, "count", (double)counts[s]);
        cJSON_AddBoolToObject(o, "current", s == current);
        cJSON_AddStringToObject(
            o, "href",
            view_url(c, s ? arena_printf(&c->req->arena,
                                         "/quan-tri/ung-vien?step=%d", s)
                          : "/quan-tri/ung-vien"));
        cJSON_AddItemToArray(tabs, o);
    }
}

static void add_group_options(cJSON *m, const char *current)
{
    cJSON *arr = cJSON_AddArrayToObject(m, "group_options");
    const cJSON *g;
    long cur = 0;

    if (current == NULL || !admin_long(current, 1, 6, &cur))
        cur = 0;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(m, "nav_groups"))
    {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "value", num_of(g, "code"));
        cJSON_AddStringToObject(o, "label", str_of(g, "name"));
        cJSON_AddBoolToObject(o, "selected", (long)num_of(g, "code") == cur);
        cJSON_AddItemToArray(arr, o);
    }
}

static void register_choices(struct ctx *c, cJSON *m, cJSON *producers)
{
    static const char *const stars[] = {"", "3", "4", "5"};
    const char *star_labels[4];
    const cJSON *v = cJSON_GetObjectItem(m, "values");
    const char *sel = str_of(v, "producer");
    cJSON *p;

    star_labels[0] = admin_t(c, "office_no_target");
    star_labels[1] = admin_t(c, "stars_3");
    star_labels[2] = admin_t(c, "stars_4");
    star_labels[3] = admin_t(c, "stars_5");
    cJSON_ArrayForEach(p, producers)
    {
        cJSON_AddBoolToObject(
            p, "selected", sel != NULL && strcmp(sel, str_of(p, "slug")) == 0);
    }
    cJSON_AddItemToObject(m, "producer_options", producers);
    add_group_options(m, str_of(v, "group"));
    add_options(m, "star_options", stars, star_labels, 4,
                str_of(v, "target_stars"));
    add_step_options(c, m, "step_options",
                     str_of(v, "step") ? str_of(v, "step") : "2");
}

static long step_arg(struct ctx *c)
{
    long step = 0;

    if (!admin_long(http_arg(c->req, "step"), 1, CAT_CYCLE_STEPS, &step))
        step = 0;
    return step;
}

static enum err candidates_data(struct ctx *c, cJSON *m, long step,
                                struct err_ctx *ec)
{
    int64_t counts[CAT_CYCLE_STEPS + 1];
    cJSON *list = NULL, *producers = NULL;
    enum err e = cat_cycle_list(c->w->db, (int)step, &list, ec);

    if (e == ERR_OK)
        e = cat_cycle_counts(c->w->db, counts, ec);
    if (e == ERR_OK)
        e = cat_producer_options(c->w->db, &producers, ec);
    if (e != ERR_OK) {
        cJSON_Delete(list);
        return e;
    }
    view_candidates(c, m, list);
    cJSON_AddNumberToObject(m, "count", cJSON_GetArraySize(list));
    cJSON_AddItemToObject(m, "candidates", list);
    add_filter_tabs(c, m, (int)step, counts);
    register_choices(c, m, producers);
    return ERR_OK;
}

static enum hres candidates_page(struct ctx *c, unsigned status,
                                 const struct form *f, const struct err_ctx *ec)
{
    struct err_ctx lec = {0};
    cJSON *m = admin_model(c, "office_candidates_title", "/quan-tri/ung-vien",
                           "candidates");
    enum err e;

    if (m == NULL)
        return H_FATAL;
    if (f != NULL)
        admin_values(m, f);
    e = candidates_data(c, m, step_arg(c), &lec);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &lec);
    }
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/ung-vien"));
    if (ec != NULL)
        admin_error(c, m, "register", ec, "err_invalid");
    return admin_render(c, status, "admin_candidates", m);
}

enum hres page_admin_candidates(struct ctx *c)
{
    return candidates_page(c, 200, NULL, NULL);
}

struct register_job {
    struct actor who;
    struct cat_candidate in;
    char slug[CAT_CYCLE_SLUG_MAX];
};

static enum err register_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct register_job *j = cls;

    return cat_cycle_register(db, &j->who, &j->in, j->slug, NULL, ec);
}

/* candidate_in: the form as a candidate; a number that does not parse
 * becomes -1, which cat_cycle rejects with its own message. */
static struct cat_candidate candidate_in(const struct form *f)
{
    struct cat_candidate in = {0};
    long v;

    in.name = form_get(f, "name");
    in.producer_slug = form_get(f, "producer");
    in.group = admin_long(form_get(f, "group"), 1, 6, &v) ? (int)v : -1;
    in.target_stars = *admin_field(f, "target_stars") == '\0' ? 0
                      : admin_long(form_get(f, "target_stars"), 3, 5, &v)
                          ? (int)v
                          : -1;
    in.step =
        admin_long(form_get(f, "step"), 1, CAT_CYCLE_STEPS, &v) ? (int)v : -1;
    in.note = form_get(f, "note");
    return in;
}

enum hres page_admin_candidate_register(struct ctx *c)
{
    struct register_job job = {0};
    struct err_ctx ec = {0};
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job.who = auth_actor(&c->who, c->ip);
    job.in = candidate_in(&f);
    e = db_tx_run(c->w->db, "candidate register", register_tx, &job, &ec);
    if (admin_form_error(e))
        return candidates_page(c, admin_status(e), &f, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, admin_path(c, "/quan-tri/san-pham/", job.slug,
                                      "?ok=candidate_registered"));
}

/* --- one product in the office ------------------------------------------- */

struct page_state {
    const char *form; /* the form that failed, or NULL */
    const struct form *f;
    const struct err_ctx *ec;
};

static void view_history(struct ctx *c, cJSON *arr)
{
    cJSON *h;

    cJSON_ArrayForEach(h, arr)
    {
        cJSON_AddStringToObject(h, "step_name",
                                step_name(c, (int)num_of(h, "step")));
        cJSON_AddStringToObject(h, "when", admin_when(c, str_of(h, "at")));
        admin_drop_empty(h, "note");
    }
}

static const char *number_text(struct ctx *c, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);

    if (!cJSON_IsNumber(v))
        return NULL;
    return arena_printf(&c->req->arena, "%g", cJSON_GetNumberValue(v));
}

static void view_evaluations(struct ctx *c, cJSON *arr)
{
    cJSON *ev;
    char key[32];
    int stars;

    cJSON_ArrayForEach(ev, arr)
    {
        stars = (int)num_of(ev, "stars");
        (void)snprintf(key, sizeof(key), "stars_%d", stars);
        cJSON_AddStringToObject(
            ev, "stars_text",
            stars >= 3 ? admin_t(c, key) : admin_t(c, "office_no_certificate"));
        (void)snprintf(key, sizeof(key), "level_%s", str_of(ev, "level"));
        cJSON_AddStringToObject(ev, "level_text", admin_t(c, key));
        cJSON_AddStringToObject(ev, "score_text", number_text(c, ev, "score"));
        if (cJSON_IsNumber(cJSON_GetObjectItem(ev, "part_a")))
            cJSON_AddStringToObject(ev, "parts_text",
                                    arena_printf(&c->req->arena,
                                                 "A %s · B %s · C %s",
                                                 number_text(c, ev, "part_a"),
                                                 number_text(c, ev, "part_b"),
                                                 number_text(c, ev, "part_c")));
        cJSON_AddStringToObject(ev, "date_text",
                                admin_date(c, str_of(ev, "decision_date")));
        cJSON_AddStringToObject(ev, "when",
                                admin_when(c, str_of(ev, "created_at")));
    }
}

static void view_certs(struct ctx *c, cJSON *arr)
{
    cJSON *cert;

    cJSON_ArrayForEach(cert, arr)
    {
        const char *s = str_of(cert, "status");
        admin_cert_view(c, cert);
        cJSON_AddBoolToObject(
            cert, "can_revoke",
            cJSON_IsTrue(cJSON_GetObjectItem(cert, "current")) && s != NULL &&
                strcmp(s, "revoked") != 0);
        cJSON_AddStringToObject(
            cert, "revoke_action",
            view_url(c, arena_printf(&c->req->arena,
                                     "/quan-tri/chung-nhan/%lld/thu-hoi",
                                     (long long)num_of(cert, "id"))));
    }
}

/* add_hidden_reason: why the product is hidden, from the audit log. */
static enum err add_hidden_reason(struct ctx *c, cJSON *m, int64_t id,
                                  struct err_ctx *ec)
{
    cJSON *res = NULL;
    const cJSON *last;
    enum err e =
        audit_search(c->w->db, "product.hide", "product", id, 1, 1, &res, ec);

    if (e != ERR_OK)
        return e;
    last = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "items"), 0);
    if (last != NULL) {
        cJSON_AddStringToObject(m, "hidden_reason", str_of(last, "summary"));
        cJSON_AddStringToObject(m, "hidden_when",
                                admin_when(c, str_of(last, "at")));
    }
    cJSON_Delete(res);
    return ERR_OK;
}

static enum err add_audit(struct ctx *c, cJSON *m, int64_t id,
                          struct err_ctx *ec)
{
    cJSON *res = NULL, *items;
    enum err e = audit_search(c->w->db, NULL, "product", id, 1, PRODUCT_AUDIT_N,
                              &res, ec);

    if (e != ERR_OK)
        return e;
    items = cJSON_DetachItemFromObject(res, "items");
    admin_audit_rows(c, items);
    cJSON_AddItemToObject(m, "audit", items);
    cJSON_Delete(res);
    return ERR_OK;
}

/* product_parts: the cycle, certificates, evaluations and changes. */
static enum err product_parts(struct ctx *c, cJSON *m, int64_t id, int *step,
                              struct err_ctx *ec)
{
    cJSON *hist = NULL, *certs = NULL, *evals = NULL;
    enum err e = cat_cycle_step(c->w->db, id, step, ec);

    if (e == ERR_OK)
        e = cat_cycle_history(c->w->db, id, &hist, ec);
    if (e == ERR_OK)
        e = cert_history(c->w->db, id, c->today, &certs, ec);
    if (e == ERR_OK)
        e = cert_evaluations(c->w->db, id, &evals, ec);
    if (e == ERR_OK)
        e = add_audit(c, m, id, ec);
    if (e != ERR_OK) {
        cJSON_Delete(hist);
        cJSON_Delete(certs);
        return e;
    }
    view_history(c, hist);
    view_certs(c, certs);
    view_evaluations(c, evals);
    cJSON_AddBoolToObject(m, "has_cycle", cJSON_GetArraySize(hist) > 0);
    cJSON_AddItemToObject(m, "cycle", hist);
    cJSON_AddItemToObject(m, "certificates", certs);
    cJSON_AddBoolToObject(m, "has_evaluations", cJSON_GetArraySize(evals) > 0);
    cJSON_AddItemToObject(m, "evaluations", evals);
    return ERR_OK;
}

static const char *default_basis(const char *date)
{
    if (strcmp(date, LAW_26_2026) >= 0)
        return "26/2026";
    return strcmp(date, LAW_1489) >= 0 ? "148+1489" : "148/2023";
}

static void evaluate_form(struct ctx *c, cJSON *m, const struct page_state *st)
{
    const char *level_labels[3];
    cJSON *v = cJSON_GetObjectItem(m, "values");
    int i;

    if (st->form == NULL || strcmp(st->form, "evaluate") != 0) {
        cJSON_AddStringToObject(v, "level", "province");
        cJSON_AddStringToObject(v, "decision_date", c->today);
        cJSON_AddStringToObject(v, "legal_basis", default_basis(c->today));
    }
    for (i = 0; i < 3; i++)
        level_labels[i] =
            admin_t(c, arena_printf(&c->req->arena, "level_%s", levels[i]));
    add_options(m, "level_options", levels, level_labels, 3,
                str_of(v, "level"));
    add_options(m, "basis_options", legal_bases, NULL, 3,
                str_of(v, "legal_basis"));
    cJSON_AddStringToObject(m, "today", c->today);
}

static void product_state(struct ctx *c, cJSON *m, const cJSON *p, int step)
{
    const char *status = str_of(p, "status");
    char key[48];

    (void)snprintf(key, sizeof(key), "product_status_%s", status);
    cJSON_AddStringToObject(m, "status_text", admin_t(c, key));
    cJSON_AddBoolToObject(m, "is_candidate", step > 0);
    cJSON_AddNumberToObject(m, "step", step);
    if (step > 0)
        cJSON_AddStringToObject(m, "step_name", step_name(c, step));
    cJSON_AddBoolToObject(m, "can_evaluate",
                          strcmp(status, "certified") == 0 ||
                              step == CAT_CYCLE_EVALUATION);
    cJSON_AddBoolToObject(m, "is_hidden",
                          cJSON_IsTrue(cJSON_GetObjectItem(p, "hidden")));
    cJSON_AddBoolToObject(m, "is_public",
                          cJSON_IsTrue(cJSON_GetObjectItem(p, "public")));
    (void)snprintf(key, sizeof(key), "%d", step);
    add_step_options(c, m, "step_options",
                     str_of(cJSON_GetObjectItem(m, "values"), "step")
                         ? str_of(cJSON_GetObjectItem(m, "values"), "step")
                         : key);
}

static void product_links(struct ctx *c, cJSON *m, const char *slug,
                          const cJSON *p)
{
    const cJSON *pr = cJSON_GetObjectItem(p, "producer");

    cJSON_AddStringToObject(m, "public_href",
                            view_url(c, admin_path(c, "/san-pham/", slug, "")));
    cJSON_AddStringToObject(m, "producer_href",
                            view_url(c, admin_path(c, "/quan-tri/nha-san-xuat/",
                                                   str_of(pr, "slug"), "")));
    cJSON_AddStringToObject(
        m, "step_action",
        view_url(c, admin_path(c, "/quan-tri/ung-vien/", slug, "/buoc")));
    cJSON_AddStringToObject(
        m, "evaluate_action",
        view_url(c, admin_path(c, "/quan-tri/san-pham/", slug, "/danh-gia")));
    cJSON_AddStringToObject(
        m, "hide_action",
        view_url(c, admin_path(c, "/quan-tri/san-pham/", slug, "/an")));
}

/* product_model: the page's frame; a candidate belongs to the candidates'
 * section, any other product to the office as a whole. */
static cJSON *product_model(struct ctx *c, const char *slug, const cJSON *p)
{
    int candidate = strcmp(str_of(p, "status"), "registered") == 0;
    cJSON *m = admin_model(c, "office_product_title",
                           admin_path(c, "/quan-tri/san-pham/", slug, ""),
                           candidate ? "candidates" : "");

    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(m, "page"), "title",
                              cJSON_CreateString(str_of(p, "name")));
    cJSON_AddStringToObject(
        m, "crumb_href",
        view_url(c, candidate ? "/quan-tri/ung-vien" : "/quan-tri"));
    cJSON_AddStringToObject(
        m, "crumb_label",
        admin_t(c, candidate ? "office_candidates_title" : "office_title"));
    return m;
}

static enum hres product_page(struct ctx *c, const char *slug, unsigned status,
                              const struct page_state *st)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL, *m;
    int step = 0;
    int64_t id;
    enum err e = cat_product_any(c->w->db, &c->env, slug, &p, &ec);

    if (e == ERR_NOTFOUND)
        return web_fail(c, 404, "not_found", "err_product_not_found");
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    view_product(c, p);
    id = (int64_t)num_of(p, "id");
    m = product_model(c, slug, p);
    if (st->f != NULL)
        admin_values(m, st->f);
    e = product_parts(c, m, id, &step, &ec);
    if (e == ERR_OK && cJSON_IsTrue(cJSON_GetObjectItem(p, "hidden")))
        e = add_hidden_reason(c, m, id, &ec);
    product_state(c, m, p, step);
    product_links(c, m, slug, p);
    cJSON_AddItemToObject(m, "product", p);
    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    evaluate_form(c, m, st);
    if (st->ec != NULL)
        admin_error(c, m, st->form, st->ec, "err_invalid");
    return admin_render(c, status, "admin_product", m);
}

enum hres page_admin_product(struct ctx *c)
{
    struct page_state st = {0};

    if (c->rest == NULL || !params_valid_slug(c->rest))
        return web_fail(c, 404, "not_found", "err_product_not_found");
    return product_page(c, c->rest, 200, &st);
}

/* product_id: the id of the product slug names; 0 when there is none. */
static int64_t product_id(struct ctx *c, const char *slug)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL;
    int64_t id = 0;

    if (slug == NULL || !params_valid_slug(slug))
        return 0;
    if (cat_editable(c->w->db, slug, &p, &ec) == ERR_OK)
        id = (int64_t)num_of(p, "id");
    cJSON_Delete(p);
    return id;
}

/* --- moving a candidate -------------------------------------------------- */

struct step_job {
    struct actor who;
    int64_t id;
    int step;
    const char *note;
};

static enum err step_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct step_job *j = cls;

    return cat_cycle_move(db, &j->who, j->id, j->step, j->note, ec);
}

enum hres page_admin_candidate_step(struct ctx *c)
{
    const char *slug = c->args[0];
    struct step_job job = {0};
    struct err_ctx ec = {0};
    struct page_state st = {"step", NULL, &ec};
    struct form f;
    long step = -1;
    enum err e;

    job.id = product_id(c, slug);
    if (job.id == 0)
        return web_fail(c, 404, "not_found", "err_product_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    if (!admin_long(form_get(&f, "step"), 1, CAT_CYCLE_STEPS, &step))
        step = -1;
    job = (struct step_job){auth_actor(&c->who, c->ip), job.id, (int)step,
                            form_get(&f, "note")};
    e = db_tx_run(c->w->db, "candidate step", step_tx, &job, &ec);
    st.f = &f;
    if (admin_form_error(e))
        return product_page(c, slug, admin_status(e), &st);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (strcmp(admin_field(&f, "back"), "product") == 0)
        return web_redirect(
            c, admin_path(c, "/quan-tri/san-pham/", slug, "?ok=step_moved"));
    return web_redirect(c, "/quan-tri/ung-vien?ok=step_moved");
}

/* --- evaluating ---------------------------------------------------------- */

/* parse_decimal: "72", "72.5" or "72,5"; 1 parsed, 0 empty, -1 not a
 * number. */
static int parse_decimal(const char *s, double *out)
{
    char buf[32], *end;
    size_t i, n;

    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return 0;
    if (n >= sizeof(buf))
        return -1;
    for (i = 0; i < n; i++)
        buf[i] = s[i] == ',' ? '.' : s[i];
    buf[n] = '\0';
    *out = strtod(buf, &end);
    return *end == '\0' && isfinite(*out) ? 1 : -1;
}

static int is_legal_basis(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(legal_bases) / sizeof(legal_bases[0]); i++)
        if (strcmp(s, legal_bases[i]) == 0)
            return 1;
    return 0;
}

/* evaluation_in: the form as an evaluation; ERR_UNPROCESSABLE with the
 * message in ec when a number or the legal basis is not one we know. */
static enum err evaluation_in(const struct form *f, struct cert_evaluation *ev,
                              struct err_ctx *ec)
{
    static const char *const parts[] = {"part_a", "part_b", "part_c"};
    double *dst[] = {&ev->part_a, &ev->part_b, &ev->part_c};
    int i, r;

    if (parse_decimal(admin_field(f, "score"), &ev->score) != 1)
        return err_user(ec, ERR_UNPROCESSABLE, "err_score", "score", "score");
    for (i = 0; i < 3; i++) {
        r = parse_decimal(admin_field(f, parts[i]), dst[i]);
        if (r < 0)
            return err_user(ec, ERR_UNPROCESSABLE, "err_parts", parts[i],
                            "part");
        if (r == 0)
            *dst[i] = -1;
    }
    ev->level = admin_field(f, "level");
    ev->decision_no = admin_field(f, "decision_no");
    ev->decision_date = admin_field(f, "decision_date");
    ev->legal_basis = admin_field(f, "legal_basis");
    if (!is_legal_basis(ev->legal_basis))
        return err_user(ec, ERR_UNPROCESSABLE, "err_legal_basis_choice",
                        "legal_basis", "unknown legal basis");
    return ERR_OK;
}

/* may_evaluate: a candidate is rated at step 5 of the cycle; a certified
 * product at any time (re-rating, upgrade). Checked before web_evaluate's
 * own transaction: a step moved in between only changes when it shows. */
static enum err may_evaluate(struct ctx *c, int64_t id, struct err_ctx *ec)
{
    int step = 0;
    enum err e = cat_cycle_step(c->w->db, id, &step, ec);

    if (e == ERR_OK && step != 0 && step != CAT_CYCLE_EVALUATION)
        e = err_user(ec, ERR_CONFLICT, "err_cycle_not_evaluation", "step",
                     "a candidate is evaluated at step 5");
    return e;
}

enum hres page_admin_evaluate(struct ctx *c)
{
    struct cert_evaluation ev = {0};
    struct err_ctx ec = {0};
    struct page_state st = {"evaluate", NULL, &ec};
    cJSON *out = NULL;
    struct form f;
    int stars;
    enum err e;

    ev.product_id = product_id(c, c->args[0]);
    if (ev.product_id == 0)
        return web_fail(c, 404, "not_found", "err_product_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    e = evaluation_in(&f, &ev, &ec);
    if (e == ERR_OK)
        e = may_evaluate(c, ev.product_id, &ec);
    if (e == ERR_OK)
        e = web_evaluate(c, &ev, &out, &ec);
    st.f = &f;
    if (admin_form_error(e))
        return product_page(c, c->args[0], admin_status(e), &st);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    stars = (int)num_of(out, "stars");
    cJSON_Delete(out);
    return web_redirect(
        c, admin_path(c, "/quan-tri/san-pham/", c->args[0],
                      stars >= 3 ? "?ok=evaluated" : "?ok=evaluated_none"));
}

/* --- revoking, hiding ---------------------------------------------------- */

/* clean_reason: the reason as stored text (in the arena), or NULL. */
static const char *clean_reason(struct ctx *c, const char *in, size_t max)
{
    char *s = cat_text_clean(in, 1, 1, max);
    const char *r;

    if (s == NULL)
        return NULL;
    r = arena_strdup(&c->req->arena, s);
    free(s);
    return r;
}

enum hres page_admin_revoke(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct page_state st = {"revoke", NULL, &ec};
    const char *slug, *reason;
    cJSON *cert = NULL;
    struct form f;
    long id = 0;
    enum err e;

    if (!admin_long(c->args[0], 1, 2147483647L, &id) ||
        cert_by_id(c->w->db, id, c->today, &cert, &ec) != ERR_OK)
        return web_fail(c, 404, "not_found", "err_certificate_not_found");
    slug = arena_strdup(&c->req->arena, str_of(cert, "product_slug"));
    cJSON_Delete(cert);
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    reason = clean_reason(c, admin_field(&f, "reason"), 1000);
    e = reason ? web_revoke(c, id, reason, &ec)
               : err_user(&ec, ERR_UNPROCESSABLE, "err_revoke_reason", "reason",
                          "revoking needs a reason");
    st.f = &f;
    if (admin_form_error(e))
        return product_page(c, slug, admin_status(e), &st);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(
        c, admin_path(c, "/quan-tri/san-pham/", slug, "?ok=revoked"));
}

struct hide_job {
    struct actor who;
    int64_t id;
    int hide;
    const char *reason;
};

static enum err hide_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct hide_job *j = cls;

    return cat_hide(db, &j->who, j->id, j->hide, j->reason, ec);
}

enum hres page_admin_hide(struct ctx *c)
{
    struct hide_job job = {0};
    struct err_ctx ec = {0};
    struct page_state st = {"hide", NULL, &ec};
    struct form f;
    enum err e = ERR_OK;

    job.id = product_id(c, c->args[0]);
    if (job.id == 0)
        return web_fail(c, 404, "not_found", "err_product_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job.who = auth_actor(&c->who, c->ip);
    job.hide = strcmp(admin_field(&f, "action"), "show") != 0;
    job.reason =
        job.hide ? clean_reason(c, admin_field(&f, "reason"), 500) : NULL;
    if (job.hide && job.reason == NULL)
        e = err_user(&ec, ERR_UNPROCESSABLE, "err_hide_reason", "reason",
                     "hiding needs a reason");
    if (e == ERR_OK)
        e = db_tx_run(c->w->db, "product hide", hide_tx, &job, &ec);
    st.f = &f;
    if (admin_form_error(e))
        return product_page(c, c->args[0], admin_status(e), &st);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, admin_path(c, "/quan-tri/san-pham/", c->args[0],
                                      job.hide ? "?ok=hidden" : "?ok=shown"));
}
