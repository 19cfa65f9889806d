/* sync_office.c: the office's marketplace sync pages (see sync_pages.h):
 * the health of the outbox with the problems to retry, and the mapping of
 * the six catalog groups to each marketplace's categories, attributes
 * and required fields. */
#include "web/sync_pages.h"

#include "common/conn.h"
#include "sync/sync.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CATEGORY_ID_MAX 100
#define CATEGORY_NAME_MAX 300
#define ATTRS_MAX 100

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t num_of(const cJSON *o, const char *key)
{
    return (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(o, key));
}

/* n_text: the message of key with {n} replaced by n. */
static const char *n_text(struct ctx *c, const char *key, long long n)
{
    const char *s = admin_t(c, key), *at = strstr(s, "{n}");

    if (at == NULL)
        return s;
    return arena_printf(&c->req->arena, "%.*s%lld%s", (int)(at - s), s, n,
                        at + 3);
}

/* set_ok: office.ok for ?ok=CODE when code is one of this file's. */
static void set_ok(struct ctx *c, cJSON *m)
{
    static const char *const codes[] = {"retried", "mapping_saved"};
    const char *code = http_arg(c->req, "ok");
    cJSON *office = cJSON_GetObjectItem(m, "office");
    size_t i;

    for (i = 0; code != NULL && i < sizeof(codes) / sizeof(*codes); i++)
        if (strcmp(code, codes[i]) == 0 && office != NULL)
            cJSON_AddStringToObject(
                office, "ok",
                admin_t(c, arena_printf(&c->req->arena, "sync_ok_%s", code)));
}

/* --- the health of the queue --------------------------------------------- */

/* age_text: seconds in words: "45 giây", "12 phút", "3 giờ", "2 ngày". */
static const char *age_text(struct ctx *c, long long s)
{
    if (s < 60)
        return n_text(c, "sync_age_s", s);
    if (s < 3600)
        return n_text(c, "sync_age_m", s / 60);
    if (s < 86400)
        return n_text(c, "sync_age_h", s / 3600);
    return n_text(c, "sync_age_d", s / 86400);
}

static const char *shop_state_class(const char *state)
{
    if (strcmp(state, "active") == 0)
        return "status-certified";
    if (strcmp(state, "revoked") == 0)
        return "status-hidden";
    return "status-registered";
}

static void health_shops(struct ctx *c, cJSON *shops)
{
    cJSON *s;

    cJSON_ArrayForEach(s, shops)
    {
        const char *state = str_of(s, "state") ? str_of(s, "state") : "";
        cJSON_AddStringToObject(s, "state_class", shop_state_class(state));
        cJSON_AddStringToObject(
            s, "state_text",
            admin_t(c,
                    arena_printf(&c->req->arena, "sync_shop_state_%s", state)));
        if (str_of(s, "last_ok_at") != NULL)
            cJSON_AddStringToObject(s, "last_ok_text",
                                    admin_when(c, str_of(s, "last_ok_at")));
        admin_drop_empty(s, "state_message");
        cJSON_AddBoolToObject(s, "attention",
                              num_of(s, "failed") + num_of(s, "dead") > 0 ||
                                  strcmp(state, "revoked") == 0);
    }
}

static void health_problems(struct ctx *c, cJSON *problems)
{
    cJSON *p;

    cJSON_ArrayForEach(p, problems)
    {
        const char *kind = str_of(p, "kind") ? str_of(p, "kind") : "";
        const char *state = str_of(p, "state") ? str_of(p, "state") : "";
        cJSON_AddStringToObject(
            p, "kind_text",
            admin_t(c, arena_printf(&c->req->arena, "sync_kind_%s", kind)));
        cJSON_AddStringToObject(
            p, "state_text",
            admin_t(c, arena_printf(&c->req->arena, "sync_job_%s", state)));
        if (str_of(p, "finished_at") != NULL)
            cJSON_AddStringToObject(p, "when",
                                    admin_when(c, str_of(p, "finished_at")));
        cJSON_AddStringToObject(
            p, "retry_action",
            view_url(c, arena_printf(&c->req->arena,
                                     "/quan-tri/dong-bo/%lld/thu-lai",
                                     (long long)num_of(p, "job_id"))));
        admin_drop_empty(p, "http_status");
        admin_drop_empty(p, "message");
        admin_drop_empty(p, "error_code");
    }
}

static void health_counts(struct ctx *c, cJSON *m, const cJSON *h)
{
    static const char *const keys[] = {"pending", "running", "failed", "dead",
                                       "done_1h"};
    cJSON *stats = cJSON_AddArrayToObject(m, "stats");
    long long oldest = (long long)num_of(h, "oldest_pending_s");
    size_t i;

    for (i = 0; stats != NULL && i < sizeof(keys) / sizeof(*keys); i++) {
        cJSON *o = cJSON_CreateObject();
        int64_t n = num_of(h, keys[i]);
        cJSON_AddNumberToObject(o, "count", (double)n);
        cJSON_AddStringToObject(
            o, "label",
            admin_t(c, arena_printf(&c->req->arena, "sync_stat_%s", keys[i])));
        int problem =
            strcmp(keys[i], "failed") == 0 || strcmp(keys[i], "dead") == 0;
        cJSON_AddBoolToObject(o, "attention", n > 0 && problem);
        cJSON_AddStringToObject(o, "anchor",
                                problem ? "#problems-h" : "#shops-h");
        cJSON_AddItemToArray(stats, o);
    }
    cJSON_AddStringToObject(m, "oldest_text",
                            num_of(h, "pending") > 0
                                ? age_text(c, oldest < 0 ? 0 : oldest)
                                : admin_t(c, "sync_none_pending"));
}

enum hres page_sync_health(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *h = NULL, *m, *shops, *problems;
    enum err e = sync_health(c->w->db, &h, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    m = admin_model(c, "sync_health_title", "/quan-tri/dong-bo", "sync");
    if (m == NULL) {
        cJSON_Delete(h);
        return H_FATAL;
    }
    set_ok(c, m);
    health_counts(c, m, h);
    shops = cJSON_DetachItemFromObject(h, "shops");
    problems = cJSON_DetachItemFromObject(h, "problems");
    cJSON_Delete(h);
    health_shops(c, shops);
    health_problems(c, problems);
    cJSON_AddBoolToObject(m, "has_shops", cJSON_GetArraySize(shops) > 0);
    cJSON_AddBoolToObject(m, "has_problems", cJSON_GetArraySize(problems) > 0);
    cJSON_AddItemToObject(m, "shops", shops ? shops : cJSON_CreateArray());
    cJSON_AddItemToObject(m, "problems",
                          problems ? problems : cJSON_CreateArray());
    cJSON_AddStringToObject(m, "refresh_href",
                            view_url(c, "/quan-tri/dong-bo"));
    cJSON_AddStringToObject(m, "mapping_href",
                            view_url(c, "/quan-tri/dong-bo/danh-muc"));
    return admin_render(c, 200, "sync_health", m);
}

enum hres page_sync_retry(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    int64_t producer = 0;
    long id = 0;
    enum err e;

    if (!admin_long(c->args[0], 1, 2147483647L, &id))
        return web_fail(c, 404, "not_found", "err_not_found");
    e = sync_job_producer(c->w->db, (int64_t)id, &producer, &ec); /* 404 */
    if (e == ERR_OK)
        e = sync_retry(c->w->db, &who, (int64_t)id, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, "/quan-tri/dong-bo?ok=retried");
}

/* --- the category mapping ------------------------------------------------ */

/* The mapping form that failed, shown again with its values. */
struct mapping_view {
    unsigned status;
    const char *market;
    long group;
    const struct form *f;
    const char *error;
};

static const struct mkt_connector *market_or_first(const char *name)
{
    const struct mkt_connector *const *all = mkt_connectors();
    const struct mkt_connector *k = name ? mkt_connector(name) : NULL;

    return k != NULL ? k : (all != NULL ? all[0] : NULL);
}

static void market_tabs(struct ctx *c, cJSON *m, const char *current)
{
    const struct mkt_connector *const *k = mkt_connectors();
    cJSON *tabs = cJSON_AddArrayToObject(m, "tabs");

    for (; k != NULL && *k != NULL; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "label", (*k)->label);
        cJSON_AddStringToObject(
            o, "href",
            admin_path(c, "/quan-tri/dong-bo/danh-muc?san=", (*k)->name, ""));
        cJSON_AddBoolToObject(o, "current", strcmp((*k)->name, current) == 0);
        cJSON_AddItemToArray(tabs, o);
    }
}

/* attrs_text: {"a":"b"} as the lines "a = b". */
static const char *attrs_text(struct ctx *c, const cJSON *attrs)
{
    struct sb sb;
    const cJSON *a;
    const char *s;
    enum err e = ERR_OK;

    sb_init(&sb, 1 << 16);
    cJSON_ArrayForEach(a, attrs)
    {
        char *v = cJSON_IsString(a) ? NULL : cJSON_PrintUnformatted(a);
        if (e == ERR_OK)
            e = sb_addf(&sb, "%s = %s\n", a->string,
                        v ? v : cJSON_GetStringValue(a));
        cJSON_free(v);
    }
    s = e == ERR_OK ? arena_strdup(&c->req->arena, sb_str(&sb)) : "";
    sb_release(&sb);
    return s;
}

static int in_list(const cJSON *list, const char *name)
{
    const cJSON *x;

    cJSON_ArrayForEach(x, list)
    {
        if (cJSON_IsString(x) && strcmp(x->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

static int form_has(const struct form *f, const char *key, const char *value)
{
    int i, n = form_count(f, key);

    for (i = 0; i < n; i++)
        if (strcmp(form_get_nth(f, key, i), value) == 0)
            return 1;
    return 0;
}

/* required_view: the checkboxes of sync_fields() and the "attr:" names
 * as text; from the stored list, or from the form shown again. */
static void required_view(struct ctx *c, cJSON *g, const cJSON *required,
                          const struct form *f)
{
    const char *const *fields = sync_fields();
    cJSON *boxes = cJSON_AddArrayToObject(g, "fields");
    const cJSON *x;
    struct sb sb;
    size_t i;

    for (i = 0; fields != NULL && fields[i] != NULL; i++) {
        cJSON *o;
        if (strncmp(fields[i], "attr:", 5) == 0)
            continue;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", fields[i]);
        cJSON_AddStringToObject(
            o, "label",
            admin_t(c,
                    arena_printf(&c->req->arena, "sync_field_%s", fields[i])));
        cJSON_AddBoolToObject(o, "checked",
                              f ? form_has(f, "required", fields[i])
                                : in_list(required, fields[i]));
        cJSON_AddItemToArray(boxes, o);
    }
    if (f != NULL) {
        cJSON_AddStringToObject(g, "required_attrs",
                                admin_field(f, "required_attrs"));
        return;
    }
    sb_init(&sb, 1 << 14);
    cJSON_ArrayForEach(x, required)
    {
        const char *s = cJSON_GetStringValue(x);
        if (s == NULL || strncmp(s, "attr:", 5) != 0)
            continue;
        if ((sb.len > 0 && sb_adds(&sb, ", ") != ERR_OK) ||
            sb_adds(&sb, s + 5) != ERR_OK)
            break;
    }
    cJSON_AddStringToObject(g, "required_attrs", sb_str(&sb));
    sb_release(&sb);
}

static const cJSON *row_of(const cJSON *rows, int64_t code)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, rows)
    {
        if (num_of(r, "group_code") == code)
            return r;
    }
    return NULL;
}

/* mapping_group: one group's form: the stored mapping, or the failed
 * form's values with its error. */
static cJSON *mapping_group(struct ctx *c, const cJSON *group, const cJSON *row,
                            const struct mapping_view *v, const char *market)
{
    int64_t code = num_of(group, "code");
    int failed = v->f != NULL && v->group == code;
    const struct form *f = failed ? v->f : NULL;
    cJSON *g = cJSON_CreateObject();

    cJSON_AddNumberToObject(g, "code", (double)code);
    cJSON_AddStringToObject(g, "name",
                            str_of(group, "name") ? str_of(group, "name") : "");
    cJSON_AddStringToObject(g, "market", market);
    cJSON_AddStringToObject(
        g, "category_id",
        f ? admin_field(f, "category_id")
          : (str_of(row, "category_id") ? str_of(row, "category_id") : ""));
    cJSON_AddStringToObject(
        g, "category_name",
        f ? admin_field(f, "category_name")
          : (str_of(row, "category_name") ? str_of(row, "category_name") : ""));
    cJSON_AddStringToObject(
        g, "attributes",
        f ? admin_field(f, "attributes")
          : attrs_text(c, cJSON_GetObjectItem(row, "attributes")));
    required_view(c, g, cJSON_GetObjectItem(row, "required"), f);
    if (failed && v->error != NULL)
        cJSON_AddStringToObject(g, "group_error", v->error);
    return g;
}

static enum hres mapping_page(struct ctx *c, const struct mapping_view *v)
{
    const struct mkt_connector *k = market_or_first(v->market);
    struct err_ctx ec = {0};
    cJSON *rows = NULL, *groups, *list, *m, *g;
    enum err e;

    if (k == NULL)
        return web_fail(c, 404, "not_found", "err_not_found");
    e = sync_categories(c->w->db, k->name, &rows, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    groups = view_groups_list(c, 0);
    m = admin_model(c, "sync_mapping_title", "/quan-tri/dong-bo/danh-muc",
                    "sync");
    if (m == NULL || groups == NULL) {
        cJSON_Delete(rows);
        cJSON_Delete(groups);
        cJSON_Delete(m);
        return H_FATAL;
    }
    set_ok(c, m);
    market_tabs(c, m, k->name);
    list = cJSON_AddArrayToObject(m, "groups");
    cJSON_ArrayForEach(g, groups) cJSON_AddItemToArray(
        list, mapping_group(c, g, row_of(rows, num_of(g, "code")), v, k->name));
    cJSON_Delete(groups);
    cJSON_Delete(rows);
    cJSON_AddStringToObject(m, "market_label", k->label);
    if (v->error != NULL &&
        (v->group < 1 || v->group > 6 || v->market == NULL ||
         strcmp(v->market, k->name) != 0))
        cJSON_AddStringToObject(m, "error", v->error);
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/dong-bo/danh-muc"));
    cJSON_AddStringToObject(m, "health_href", view_url(c, "/quan-tri/dong-bo"));
    return admin_render(c, v->status, "sync_mapping", m);
}

enum hres page_sync_mapping(struct ctx *c)
{
    struct mapping_view v = {200, http_arg(c->req, "san"), 0, NULL, NULL};

    return mapping_page(c, &v);
}

/* trim: s without leading and trailing spaces, in the arena. */
static char *trim(struct ctx *c, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(&c->req->arena, s, n);
}

/* attrs_json_of: the attributes textarea as a JSON object: "name = value"
 * lines, or a JSON object pasted as is (string values). *key is set and
 * NULL returned when it is neither. The result is the caller's. */
static cJSON *attrs_json_of(struct ctx *c, const char *text, const char **key)
{
    cJSON *o;
    const char *line, *nl;

    *key = NULL;
    text += strspn(text, " \t\r\n");
    if (*text == '{') {
        const cJSON *a, *obj;
        o = cJSON_Parse(text);
        obj = cJSON_IsObject(o) ? o : NULL;
        *key = obj != NULL ? NULL : "sync_err_attr_json";
        cJSON_ArrayForEach(a, obj)
        {
            if (!cJSON_IsString(a) || *a->string == '\0')
                *key = "sync_err_attr_json";
        }
        if (*key != NULL)
            cJSON_Delete(o);
        return *key ? NULL : o;
    }
    o = cJSON_CreateObject();
    for (line = text; *line != '\0' && *key == NULL; line = nl ? nl + 1 : "") {
        const char *eq;
        size_t n;
        nl = strchr(line, '\n');
        n = nl ? (size_t)(nl - line) : strlen(line);
        eq = memchr(line, '=', n);
        if (strspn(line, " \t\r") >= n)
            continue;
        if (eq == NULL || trim(c, line, (size_t)(eq - line))[0] == '\0' ||
            cJSON_GetArraySize(o) >= ATTRS_MAX) {
            *key = "sync_err_attr_line";
            break;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(
            o, trim(c, line, (size_t)(eq - line)));
        cJSON_AddStringToObject(o, trim(c, line, (size_t)(eq - line)),
                                trim(c, eq + 1, n - (size_t)(eq - line) - 1));
    }
    if (*key != NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int known_field(const char *name)
{
    const char *const *fields = sync_fields();
    size_t i;

    for (i = 0; fields != NULL && fields[i] != NULL; i++)
        if (strcmp(fields[i], name) == 0)
            return 1;
    return 0;
}

/* required_json_of: the checked fields and "attr:NAME" for each name in
 * the text (commas or new lines between them); NULL with *key set when a
 * checked field is unknown. The result is the caller's. */
static cJSON *required_json_of(struct ctx *c, const struct form *f,
                               const char **key)
{
    const char *text = admin_field(f, "required_attrs"), *p;
    cJSON *arr = cJSON_CreateArray();
    int i, n = form_count(f, "required");

    *key = NULL;
    for (i = 0; i < n && *key == NULL; i++) {
        const char *name = form_get_nth(f, "required", i);
        if (!known_field(name) || strncmp(name, "attr:", 5) == 0)
            *key = "sync_err_field";
        else if (!in_list(arr, name))
            cJSON_AddItemToArray(arr, cJSON_CreateString(name));
    }
    for (p = text; *key == NULL && *p != '\0';) {
        size_t len = strcspn(p, ",\n");
        const char *name = trim(c, p, len);
        if (*name != '\0') {
            const char *full = arena_printf(&c->req->arena, "attr:%s", name);
            if (!in_list(arr, full))
                cJSON_AddItemToArray(arr, cJSON_CreateString(full));
        }
        p += len + (p[len] != '\0');
    }
    if (*key != NULL) {
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

struct mapping_in {
    const char *market;
    long group;
    char *category_id, *category_name;
    char *attributes, *required; /* JSON texts, cJSON_free */
};

/* mapping_in_of: the form checked and converted; *key (and *status) say
 * what is wrong. */
static int mapping_in_of(struct ctx *c, const struct form *f,
                         struct mapping_in *in, const char **key,
                         unsigned *status)
{
    cJSON *attrs = NULL, *req = NULL;

    memset(in, 0, sizeof(*in));
    in->market = admin_field(f, "market");
    *status = 422;
    *key = mkt_connector(in->market) == NULL ? "sync_err_market"
           : !admin_long(admin_field(f, "group"), 1, 6, &in->group)
               ? "sync_err_group"
               : NULL;
    in->category_id = trim(c, admin_field(f, "category_id"),
                           strlen(admin_field(f, "category_id")));
    in->category_name = trim(c, admin_field(f, "category_name"),
                             strlen(admin_field(f, "category_name")));
    if (*key == NULL && (strlen(in->category_id) > CATEGORY_ID_MAX ||
                         strlen(in->category_name) > CATEGORY_NAME_MAX))
        *key = "sync_err_category";
    if (*key == NULL)
        attrs = attrs_json_of(c, admin_field(f, "attributes"), key);
    if (*key != NULL && strcmp(*key, "sync_err_attr_json") == 0)
        *status = 400;
    if (*key == NULL)
        req = required_json_of(c, f, key);
    if (*key == NULL) {
        in->attributes = cJSON_PrintUnformatted(attrs);
        in->required = cJSON_PrintUnformatted(req);
    }
    cJSON_Delete(attrs);
    cJSON_Delete(req);
    if (*key == NULL && (in->attributes == NULL || in->required == NULL))
        *key = "err_internal";
    return *key == NULL;
}

enum hres page_sync_mapping_post(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    struct mapping_in in;
    struct mapping_view v = {422, NULL, 0, NULL, NULL};
    const char *key = NULL;
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    v.f = &f;
    if (!mapping_in_of(c, &f, &in, &key, &v.status)) {
        cJSON_free(in.attributes);
        cJSON_free(in.required);
        v.market = in.market;
        v.group = in.group;
        v.error = admin_t(c, key);
        return mapping_page(c, &v);
    }
    e = sync_category_set(c->w->db, &who, in.market, in.group, in.category_id,
                          in.category_name, in.attributes, in.required, &ec);
    cJSON_free(in.attributes);
    cJSON_free(in.required);
    if (e == ERR_INVALID || e == ERR_UNPROCESSABLE) {
        v = (struct mapping_view){e == ERR_INVALID ? 400 : 422, in.market,
                                  in.group, &f,
                                  admin_t(c, ec.key ? ec.key : "err_invalid")};
        return mapping_page(c, &v);
    }
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(
        c,
        admin_path(c, "/quan-tri/dong-bo/danh-muc?san=", in.market,
                   arena_printf(&c->req->arena, "&ok=mapping_saved%s%ld",
                                /* view_url adds &lang= */
                                c->lang == LANG_VI ? "#g" : "&g=", in.group)));
}
