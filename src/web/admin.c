/* admin.c: the programme office (/quan-tri): what its pages share (the
 * navigation, notes after a write, form errors, dates), the dashboard,
 * the certificates that expire, and the audit log. The other pages are in
 * admin_producer.c, admin_cycle.c and admin_account.c. Every route here is
 * NEED_ADMIN (app.c checks the role, and the CSRF field of every POST). */
#include "web/web.h"

#include "catalog/cat_cycle.h"
#include "catalog/cat_producer.h"
#include "cert/cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPIRING_DAYS 90
#define RERATING_DAYS 180 /* the re-rating window opens 180 days before */
#define AUDIT_PER_PAGE 30

const char *admin_t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* --- the frame of every office page -------------------------------------- */

static const struct {
    const char *id, *path, *label_key;
} sections[] = {
    {"home", "/quan-tri", "office_nav_home"},
    {"candidates", "/quan-tri/ung-vien", "office_nav_candidates"},
    {"certs", "/quan-tri/chung-nhan", "office_nav_certs"},
    {"producers", "/quan-tri/nha-san-xuat", "office_nav_producers"},
    {"users", "/quan-tri/tai-khoan", "office_nav_users"},
    {"keys", "/quan-tri/khoa-api", "office_nav_keys"},
    {"audit", "/quan-tri/nhat-ky", "office_nav_audit"},
};

/* The notes a page shows after a successful write (?ok=CODE); only these
 * codes, so the URL cannot put other text on the page. */
static const char *const ok_codes[] = {
    "producer_created", "producer_saved", "account_created",
    "linked",           "unlinked",       "candidate_registered",
    "step_moved",       "evaluated",      "evaluated_none",
    "revoked",          "hidden",         "shown",
    "user_created",     "user_disabled",  "user_enabled",
    "key_revoked",
};

static void add_ok_note(struct ctx *c, cJSON *office)
{
    const char *code = http_arg(c->req, "ok");
    size_t i;

    for (i = 0; code != NULL && i < sizeof(ok_codes) / sizeof(ok_codes[0]); i++)
        if (strcmp(code, ok_codes[i]) == 0) {
            cJSON_AddStringToObject(
                office, "ok",
                admin_t(c, arena_printf(&c->req->arena, "office_ok_%s", code)));
            return;
        }
}

cJSON *admin_model(struct ctx *c, const char *title_key, const char *path,
                   const char *section)
{
    cJSON *m = view_private_new(c, admin_t(c, title_key), path), *office, *nav;
    size_t i;

    if (m == NULL)
        return NULL;
    office = cJSON_AddObjectToObject(m, "office");
    nav = cJSON_AddArrayToObject(office, "nav");
    for (i = 0; nav != NULL && i < sizeof(sections) / sizeof(sections[0]);
         i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "href", view_url(c, sections[i].path));
        cJSON_AddStringToObject(s, "label", admin_t(c, sections[i].label_key));
        cJSON_AddBoolToObject(s, "current",
                              strcmp(section, sections[i].id) == 0);
        cJSON_AddItemToArray(nav, s);
    }
    add_ok_note(c, office);
    cJSON_AddItemToObject(m, "values", cJSON_CreateObject());
    return m;
}

enum hres admin_render(struct ctx *c, unsigned status, const char *name,
                       cJSON *m)
{
    return view_render_private(c, &(struct http_reply){.status = status}, name,
                               m);
}

unsigned admin_status(enum err e)
{
    switch (e) {
    case ERR_NOTFOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_FORBIDDEN: return 403;
    case ERR_INVALID: return 400;
    default: return 422;
    }
}

int admin_form_error(enum err e)
{
    return e == ERR_UNPROCESSABLE || e == ERR_CONFLICT || e == ERR_NOTFOUND ||
           e == ERR_FORBIDDEN;
}

void admin_error(struct ctx *c, cJSON *m, const char *form,
                 const struct err_ctx *ec, const char *fallback_key)
{
    const char *key = ec != NULL && ec->key != NULL ? ec->key : fallback_key;
    cJSON *in = cJSON_AddObjectToObject(m, "error_in");
    cJSON *invalid = cJSON_AddObjectToObject(m, "invalid");

    cJSON_AddStringToObject(m, "error", admin_t(c, key));
    if (in != NULL)
        cJSON_AddTrueToObject(in, form);
    if (invalid != NULL && ec != NULL && ec->field[0] != '\0')
        cJSON_AddTrueToObject(invalid, ec->field);
}

void admin_values(cJSON *m, const struct form *f)
{
    cJSON *v = cJSON_GetObjectItem(m, "values");
    int i;

    for (i = 0; v != NULL && i < f->n; i++)
        if (strcmp(f->keys[i], "csrf") != 0 &&
            strncmp(f->keys[i], "password", 8) != 0 && /* never echoed */
            !cJSON_HasObjectItem(v, f->keys[i]))
            cJSON_AddStringToObject(v, f->keys[i], f->values[i]);
}

const char *admin_field(const struct form *f, const char *key)
{
    const char *v = form_get(f, key);

    return v != NULL ? v : "";
}

int admin_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return 0;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

const char *admin_path(struct ctx *c, const char *before, const char *arg,
                       const char *after)
{
    struct sb sb;
    const char *s;
    enum err e;

    sb_init(&sb, 4096);
    e = sb_adds(&sb, before);
    if (e == ERR_OK)
        e = sb_add_urlenc(&sb, arg ? arg : "");
    if (e == ERR_OK)
        e = sb_adds(&sb, after);
    s = e == ERR_OK ? arena_strdup(&c->req->arena, sb_str(&sb)) : "/quan-tri";
    sb_release(&sb);
    return s;
}

void admin_drop_empty(cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    /* Mustache treats "" and 0 as true: drop them so {{#key}} is false. */
    if (cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0') ||
        (cJSON_IsNumber(v) && cJSON_GetNumberValue(v) == 0))
        cJSON_DeleteItemFromObjectCaseSensitive(o, key);
}

/* --- dates --------------------------------------------------------------- */

const char *admin_date(struct ctx *c, const char *ymd)
{
    struct sb sb;
    const char *s;

    if (ymd == NULL)
        return NULL;
    sb_init(&sb, 64);
    s = i18n_date(ymd, c->lang, &sb) == ERR_OK
            ? arena_strdup(&c->req->arena, sb_str(&sb))
            : ymd;
    sb_release(&sb);
    return s;
}

/* admin_when: a stored UTC time "YYYY-MM-DDTHH:MM:SSZ" as the date and
 * time in Vietnam (UTC+7), where the office works. */
const char *admin_when(struct ctx *c, const char *iso)
{
    struct tm tm = {0};
    char ymd[11], hm[6];
    time_t t;

    if (iso == NULL ||
        sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return iso;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm) + 7 * 3600;
    gmtime_r(&t, &tm);
    (void)strftime(ymd, sizeof(ymd), "%Y-%m-%d", &tm);
    (void)strftime(hm, sizeof(hm), "%H:%M", &tm);
    return arena_printf(&c->req->arena, "%s %s", admin_date(c, ymd), hm);
}

/* days_until: whole days from today to ymd (negative when past). */
static long days_until(const char *today, const char *ymd)
{
    struct tm a = {0}, b = {0};

    if (ymd == NULL ||
        sscanf(today, "%4d-%2d-%2d", &a.tm_year, &a.tm_mon, &a.tm_mday) != 3 ||
        sscanf(ymd, "%4d-%2d-%2d", &b.tm_year, &b.tm_mon, &b.tm_mday) != 3)
        return 0;
    a.tm_year -= 1900;
    b.tm_year -= 1900;
    a.tm_mon -= 1;
    b.tm_mon -= 1;
    return (long)((timegm(&b) - timegm(&a)) / 86400);
}

/* admin_cert_view: display fields of a certificate (cert.h's JSON). */
void admin_cert_view(struct ctx *c, cJSON *cert)
{
    const char *status = str_of(cert, "status");
    const char *expires = str_of(cert, "expires_on");
    long left = days_until(c->today, expires);
    char key[48];

    (void)snprintf(key, sizeof(key), "office_cert_%s", status ? status : "");
    cJSON_AddStringToObject(cert, "status_text", admin_t(c, key));
    (void)snprintf(key, sizeof(key), "level_%s",
                   str_of(cert, "level") ? str_of(cert, "level") : "province");
    cJSON_AddStringToObject(cert, "level_text", admin_t(c, key));
    (void)snprintf(
        key, sizeof(key), "stars_%d",
        (int)cJSON_GetNumberValue(cJSON_GetObjectItem(cert, "stars")));
    cJSON_AddStringToObject(cert, "stars_text", admin_t(c, key));
    cJSON_AddStringToObject(cert, "issued_text",
                            admin_date(c, str_of(cert, "issued_on")));
    cJSON_AddStringToObject(cert, "expires_text", admin_date(c, expires));
    if (str_of(cert, "revoked_on") != NULL)
        cJSON_AddStringToObject(cert, "revoked_text",
                                admin_date(c, str_of(cert, "revoked_on")));
    admin_drop_empty(cert, "issuer");
    admin_drop_empty(cert, "legal_basis");
    admin_drop_empty(cert, "revoke_reason");
    cJSON_AddNumberToObject(cert, "days_left", left);
    cJSON_AddNumberToObject(cert, "days_ago", -left);
    cJSON_AddBoolToObject(cert, "is_active",
                          status != NULL && strcmp(status, "active") == 0);
    cJSON_AddBoolToObject(cert, "rerating_open",
                          status != NULL && strcmp(status, "active") == 0 &&
                              expires && cert_rerating_open(expires, c->today));
    if (str_of(cert, "product_slug") != NULL)
        cJSON_AddStringToObject(
            cert, "office_href",
            view_url(c, admin_path(c, "/quan-tri/san-pham/",
                                   str_of(cert, "product_slug"), "")));
}

/* --- the certificates that expire ---------------------------------------- */

struct cert_groups {
    cJSON *expired, *soon, *later;
    int window; /* how many are in their re-rating window */
};

/* split_certs: moves the current certificates into the page's groups:
 * expired (latest first), within 90 days and within 180 days (soonest
 * first; the re-rating window is 180 to 120 days before expiry). */
static void split_certs(struct ctx *c, cJSON *list, struct cert_groups *g)
{
    cJSON *cert;

    while ((cert = cJSON_DetachItemFromArray(list, 0)) != NULL) {
        long left;
        admin_cert_view(c, cert);
        left =
            (long)cJSON_GetNumberValue(cJSON_GetObjectItem(cert, "days_left"));
        g->window += cJSON_IsTrue(cJSON_GetObjectItem(cert, "rerating_open"));
        if (left < 0)
            cJSON_AddItemToArray(g->expired, cert);
        else if (left <= EXPIRING_DAYS)
            cJSON_InsertItemInArray(g->soon, 0, cert);
        else
            cJSON_InsertItemInArray(g->later, 0, cert);
    }
}

static void add_group(struct ctx *c, cJSON *groups, const char *id, cJSON *rows)
{
    cJSON *g = cJSON_CreateObject();

    cJSON_AddStringToObject(g, "id", id);
    cJSON_AddStringToObject(
        g, "title",
        admin_t(c, arena_printf(&c->req->arena, "office_certs_%s", id)));
    cJSON_AddNumberToObject(g, "count", cJSON_GetArraySize(rows));
    cJSON_AddBoolToObject(g, "any", cJSON_GetArraySize(rows) > 0);
    cJSON_AddItemToObject(g, "rows", rows);
    cJSON_AddItemToArray(groups, g);
}

/* cert_groups_load: m.groups (soon, expired, later, each with its rows),
 * the counts and has_* flags. */
static enum err cert_groups_load(struct ctx *c, cJSON *m, struct err_ctx *ec)
{
    struct cert_groups g = {0};
    cJSON *list = NULL, *groups;
    enum err e = cert_expiring(c->w->db, c->today, RERATING_DAYS, &list, ec);

    if (e != ERR_OK)
        return e;
    g.expired = cJSON_CreateArray();
    g.soon = cJSON_CreateArray();
    g.later = cJSON_CreateArray();
    groups = cJSON_AddArrayToObject(m, "groups");
    split_certs(c, list, &g);
    cJSON_Delete(list);
    cJSON_AddNumberToObject(m, "expired_count", cJSON_GetArraySize(g.expired));
    cJSON_AddNumberToObject(m, "soon_count", cJSON_GetArraySize(g.soon));
    cJSON_AddNumberToObject(m, "window_count", g.window);
    cJSON_AddBoolToObject(m, "has_soon", cJSON_GetArraySize(g.soon) > 0);
    cJSON_AddBoolToObject(m, "has_expired", cJSON_GetArraySize(g.expired) > 0);
    add_group(c, groups, "soon", g.soon);
    add_group(c, groups, "expired", g.expired);
    add_group(c, groups, "later", g.later);
    return groups != NULL ? ERR_OK : ERR_NOMEM;
}

enum hres page_admin_certs(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *m =
        admin_model(c, "office_certs_title", "/quan-tri/chung-nhan", "certs");
    enum err e = m ? cert_groups_load(c, m, &ec) : ERR_NOMEM;

    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    return admin_render(c, 200, "admin_certs", m);
}

/* --- the dashboard ------------------------------------------------------- */

static void add_step_counts(struct ctx *c, cJSON *m, const int64_t *counts)
{
    cJSON *steps = cJSON_AddArrayToObject(m, "steps");
    char key[32], path[40];
    int s;

    for (s = 1; steps != NULL && s <= CAT_CYCLE_STEPS; s++) {
        cJSON *o = cJSON_CreateObject();
        (void)snprintf(key, sizeof(key), "cycle_step_%d", s);
        (void)snprintf(path, sizeof(path), "/quan-tri/ung-vien?step=%d", s);
        cJSON_AddNumberToObject(o, "n", s);
        cJSON_AddStringToObject(o, "name", admin_t(c, key));
        cJSON_AddNumberToObject(o, "count", (double)counts[s]);
        cJSON_AddStringToObject(o, "href", view_url(c, path));
        cJSON_AddItemToArray(steps, o);
    }
    cJSON_AddNumberToObject(m, "candidates", (double)counts[0]);
}

static enum err dashboard_counts(struct ctx *c, cJSON *m, struct err_ctx *ec)
{
    int64_t steps[CAT_CYCLE_STEPS + 1], producers = 0, users = 0;
    enum err e = cat_cycle_counts(c->w->db, steps, ec);

    if (e == ERR_OK)
        e = cat_producer_count(c->w->db, &producers, ec);
    if (e == ERR_OK)
        e = auth_user_count(c->w->db, &users, ec);
    if (e == ERR_OK)
        e = cert_groups_load(c, m, ec);
    if (e != ERR_OK)
        return e;
    add_step_counts(c, m, steps);
    cJSON_AddNumberToObject(m, "producers", (double)producers);
    cJSON_AddNumberToObject(m, "users", (double)users);
    return ERR_OK;
}

static void add_links(struct ctx *c, cJSON *m)
{
    cJSON *l = cJSON_AddObjectToObject(m, "links");
    size_t i;

    for (i = 0; l != NULL && i < sizeof(sections) / sizeof(sections[0]); i++)
        cJSON_AddStringToObject(l, sections[i].id,
                                view_url(c, sections[i].path));
}

enum hres page_admin(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *m = admin_model(c, "office_title", "/quan-tri", "home");
    enum err e = m ? dashboard_counts(c, m, &ec) : ERR_NOMEM;

    if (e != ERR_OK) {
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    add_links(c, m);
    return admin_render(c, 200, "admin", m);
}

/* --- the audit log ------------------------------------------------------- */

static const char *const audit_entities[] = {"product", "producer",
                                             "certificate", "user", "api_key"};

static const char *audit_entity(struct ctx *c)
{
    const char *v = http_arg(c->req, "entity");
    size_t i;

    for (i = 0;
         v != NULL && i < sizeof(audit_entities) / sizeof(*audit_entities); i++)
        if (strcmp(v, audit_entities[i]) == 0)
            return audit_entities[i];
    return NULL;
}

/* pretty: before/after as indented JSON text (escaped by the template). */
static void add_pretty(cJSON *row, const char *key, const char *out_key)
{
    const cJSON *v = cJSON_GetObjectItem(row, key);
    char *text;

    if (v == NULL || cJSON_IsNull(v))
        return;
    text = cJSON_Print(v);
    if (text != NULL)
        cJSON_AddStringToObject(row, out_key, text);
    cJSON_free(text);
}

void admin_audit_rows(struct ctx *c, cJSON *items)
{
    cJSON *r;
    char key[80], *dot;

    cJSON_ArrayForEach(r, items)
    {
        const char *label;
        (void)snprintf(key, sizeof(key), "audit_%s", str_of(r, "action"));
        while ((dot = strchr(key, '.')) != NULL)
            *dot = '_';
        label = admin_t(c, key);
        cJSON_AddStringToObject(r, "action_text",
                                strcmp(label, key) == 0 ? str_of(r, "action")
                                                        : label);
        cJSON_AddStringToObject(r, "when", admin_when(c, str_of(r, "at")));
        (void)snprintf(key, sizeof(key), "audit_entity_%s",
                       str_of(r, "entity"));
        label = admin_t(c, key);
        cJSON_AddStringToObject(r, "entity_text",
                                strcmp(label, key) == 0 ? str_of(r, "entity")
                                                        : label);
        admin_drop_empty(r, "summary");
        admin_drop_empty(r, "entity_id");
        add_pretty(r, "before", "before_text");
        add_pretty(r, "after", "after_text");
    }
}

static void audit_filters(struct ctx *c, cJSON *m, const char *q,
                          const char *entity)
{
    cJSON *opts = cJSON_AddArrayToObject(m, "entities");
    char key[40];
    size_t i;

    cJSON_AddStringToObject(m, "q", q ? q : "");
    cJSON_AddStringToObject(m, "form_action", view_url(c, "/quan-tri/nhat-ky"));
    for (i = 0; i < sizeof(audit_entities) / sizeof(*audit_entities); i++) {
        cJSON *o = cJSON_CreateObject();
        (void)snprintf(key, sizeof(key), "audit_entity_%s", audit_entities[i]);
        cJSON_AddStringToObject(o, "value", audit_entities[i]);
        cJSON_AddStringToObject(o, "label", admin_t(c, key));
        cJSON_AddBoolToObject(o, "selected",
                              entity && strcmp(entity, audit_entities[i]) == 0);
        cJSON_AddItemToArray(opts, o);
    }
}

static const char *audit_href(struct ctx *c, const char *q, const char *entity,
                              long page)
{
    struct sb sb;
    const char *s;
    enum err e;

    sb_init(&sb, 4096);
    e = sb_addf(&sb, "/quan-tri/nhat-ky?page=%ld", page);
    if (e == ERR_OK && q != NULL && *q != '\0')
        e = sb_adds(&sb, "&q=");
    if (e == ERR_OK && q != NULL && *q != '\0')
        e = sb_add_urlenc(&sb, q);
    if (e == ERR_OK && entity != NULL)
        e = sb_addf(&sb, "&entity=%s", entity);
    s = view_url(c, e == ERR_OK ? arena_strdup(&c->req->arena, sb_str(&sb))
                                : "/quan-tri/nhat-ky");
    sb_release(&sb);
    return s;
}

static void audit_pages(struct ctx *c, cJSON *m, const char *q,
                        const char *entity, long page, long total)
{
    long last = (total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE;

    cJSON_AddNumberToObject(m, "total", (double)total);
    cJSON_AddNumberToObject(m, "page_n", (double)page);
    cJSON_AddNumberToObject(m, "pages", (double)(last > 0 ? last : 1));
    if (page > 1)
        cJSON_AddStringToObject(m, "prev_href",
                                audit_href(c, q, entity, page - 1));
    if (page < last)
        cJSON_AddStringToObject(m, "next_href",
                                audit_href(c, q, entity, page + 1));
}

enum hres page_admin_audit(struct ctx *c)
{
    const char *q = http_arg(c->req, "q"), *entity = audit_entity(c);
    struct err_ctx ec = {0};
    cJSON *m, *res = NULL, *items;
    long page = 1;
    enum err e;

    if (http_arg(c->req, "page") != NULL &&
        !admin_long(http_arg(c->req, "page"), 1, CAT_PAGE_MAX, &page))
        return web_fail(c, 400, "invalid", "err_page");
    if (q != NULL && strlen(q) > 200)
        return web_fail(c, 400, "invalid", "err_query_too_long");
    e = audit_search(c->w->db, q, entity, 0, (int)page, AUDIT_PER_PAGE, &res,
                     &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    m = admin_model(c, "office_audit_title", "/quan-tri/nhat-ky", "audit");
    items = cJSON_DetachItemFromObject(res, "items");
    admin_audit_rows(c, items);
    cJSON_AddItemToObject(m, "items", items);
    audit_filters(c, m, q, entity);
    audit_pages(c, m, q, entity, page,
                (long)cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")));
    cJSON_Delete(res);
    return admin_render(c, 200, "admin_audit", m);
}
