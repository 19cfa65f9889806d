/* sync_portal.c: a producer's shops on the marketplaces and the "sell on
 * the marketplaces" section of the product edit page (see
 * sync_pages.h). The sync module does the work and checks its own rules;
 * this file checks who may act on which shop, listing or job first. */
#include "web/sync_pages.h"

#include "catalog/cat_producer.h"
#include "common/conn.h"
#include "core/log.h"
#include "postmart/postmart.h"
#include "sync/sync.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOP_NAME_MAX 100
#define SHOP_NAME_MAX_BYTES 120 /* sync_shop_add's limit */
#define APP_KEY_MAX 200
#define APP_SECRET_MAX 500
#define WAREHOUSE_MAX 64
#define AUTH_URL_MAX 4096

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t num_of(const cJSON *o, const char *key)
{
    return (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItemCaseSensitive(o, key));
}

/* id_of: s as a positive id, or 0. */
static int64_t id_of(const char *s)
{
    long v = 0;

    return admin_long(s, 1, 2147483647L, &v) ? (int64_t)v : 0;
}

/* fill: the message of key with {name} replaced by value (twice at most:
 * two names, two values; NULL names are skipped). */
static const char *fill(struct ctx *c, const char *key, const char *n1,
                        const char *v1, const char *n2, const char *v2)
{
    const char *names[2] = {n1, n2}, *values[2] = {v1, v2};
    const char *s = t(c, key);
    int i;

    for (i = 0; i < 2; i++) {
        const char *at = names[i] ? strstr(s, names[i]) : NULL;
        if (at == NULL)
            continue;
        s = arena_printf(&c->req->arena, "%.*s%s%s", (int)(at - s), s,
                         values[i] ? values[i] : "", at + strlen(names[i]));
    }
    return s;
}

static int may_manage(struct ctx *c, int64_t producer_id)
{
    return producer_id > 0 && auth_may_edit_producer(&c->who, producer_id);
}

/* redirect_out: 303 to a marketplace's authorisation page. */
static enum hres redirect_out(struct ctx *c, const char *url)
{
    struct http_reply rep = {
        .status = 303, .location = url, .cache_control = "no-store"};
    struct sb empty;

    sb_init(&empty, 16);
    return http_send_sb_with(c->req, &rep, &empty);
}

/* has_auth_flow: 1 when the marketplace sends the seller to its own page
 * to authorise the shop (all but Sendo, whose keys are typed here). The
 * connectors' auth_url is pure, so asking with an empty shop is safe. */
static int has_auth_flow(const char *market)
{
    const struct mkt_connector *k = market ? mkt_connector(market) : NULL;
    struct mkt_shop s = {market, "", "", "", "", "", "", "", "", ""};
    char buf[2048] = "";

    if (k == NULL || k->auth_url == NULL)
        return 0;
    k->auth_url(&s, "https://example.invalid/", "x", 0, buf, sizeof(buf));
    return buf[0] != '\0';
}

/* --- what a producer account may choose ---------------------------------- */

/* my_producers: [{"id","name"}] of the account's producers (every producer
 * for the office), by name. */
static enum err my_producers(struct ctx *c, cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, name FROM producers WHERE ?1 OR id IN"
        " (SELECT value FROM json_each(?2)) ORDER BY name";
    sqlite3_stmt *st = db_stmt(c->w->db, sql, ec);
    cJSON *ids = cJSON_CreateArray(), *arr = cJSON_CreateArray();
    char *text;
    int i;

    *out = NULL;
    for (i = 0; ids != NULL && i < c->who.n_producers; i++)
        cJSON_AddItemToArray(ids,
                             cJSON_CreateNumber((double)c->who.producers[i]));
    text = ids ? cJSON_PrintUnformatted(ids) : NULL;
    cJSON_Delete(ids);
    if (st == NULL || text == NULL || arr == NULL) {
        cJSON_free(text);
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int(st, 1, c->who.role == ROLE_ADMIN);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "name", db_text(st, 1));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}

/* my_locations: the places a shop may sell from: the warehouses, display
 * points and channels of the producers in producers (or that sell their
 * goods): [{"id","name","kind","producer_id","producer"}]. */
static enum err my_locations(struct ctx *c, const cJSON *producers, cJSON **out,
                             struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT l.id, l.name, l.kind, p.id, p.name FROM producers p"
        " JOIN locations l ON l.producer_id = p.id OR l.id IN (SELECT"
        " location_id FROM booth_producers b WHERE b.producer_id = p.id)"
        " WHERE p.id = ?1 AND l.kind IN ('warehouse', 'point', 'channel')"
        " ORDER BY l.kind DESC, l.name";
    sqlite3_stmt *st = db_stmt(c->w->db, sql, ec);
    cJSON *arr = cJSON_CreateArray();
    const cJSON *p;

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    cJSON_ArrayForEach(p, producers)
    {
        sqlite3_bind_int64(st, 1, num_of(p, "id"));
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id",
                                    (double)sqlite3_column_int64(st, 0));
            cJSON_AddStringToObject(o, "name", db_text(st, 1));
            cJSON_AddStringToObject(o, "kind", db_text(st, 2));
            cJSON_AddNumberToObject(o, "producer_id",
                                    (double)sqlite3_column_int64(st, 3));
            cJSON_AddStringToObject(o, "producer", db_text(st, 4));
            cJSON_AddItemToArray(arr, o);
        }
        sqlite3_reset(st);
    }
    *out = arr;
    return ERR_OK;
}

/* location_ok: 0 (a new channel place) or a place of producer_id. */
static int location_ok(const cJSON *locations, int64_t id, int64_t producer_id)
{
    const cJSON *l;

    if (id == 0)
        return 1;
    cJSON_ArrayForEach(l, locations)
    {
        if (num_of(l, "id") == id && num_of(l, "producer_id") == producer_id)
            return 1;
    }
    return 0;
}

/* --- the shops page ------------------------------------------------------ */

/* What the page shows again after a failed write. */
struct shops_view {
    unsigned status;
    const struct form *f; /* the add form's fields, or NULL */
    const char *error;    /* the message, or NULL */
    const char *field;    /* the field it is about, or NULL */
};

static enum err load_shops(struct ctx *c, cJSON **out, struct err_ctx *ec)
{
    cJSON *all = NULL, *part = NULL, *s;
    enum err e;
    int i;

    if (c->who.role == ROLE_ADMIN)
        return sync_shops(c->w->db, 0, out, ec);
    all = cJSON_CreateArray();
    for (i = 0, e = ERR_OK; i < c->who.n_producers && e == ERR_OK; i++) {
        e = sync_shops(c->w->db, c->who.producers[i], &part, ec);
        while (e == ERR_OK && (s = cJSON_DetachItemFromArray(part, 0)) != NULL)
            cJSON_AddItemToArray(all, s);
        cJSON_Delete(part);
        part = NULL;
    }
    if (e != ERR_OK) {
        cJSON_Delete(all);
        all = NULL;
    }
    *out = all;
    return e;
}

static const char *state_class(const char *state)
{
    if (strcmp(state, "active") == 0)
        return "status-certified";
    if (strcmp(state, "revoked") == 0)
        return "status-hidden";
    return "status-registered"; /* new, paused */
}

static void shop_actions(struct ctx *c, cJSON *s)
{
    const char *state = str_of(s, "state") ? str_of(s, "state") : "";
    long long id = (long long)num_of(s, "id");

    cJSON_AddStringToObject(s, "state_class", state_class(state));
    cJSON_AddStringToObject(
        s, "state_text",
        t(c, arena_printf(&c->req->arena, "sync_shop_state_%s", state)));
    cJSON_AddBoolToObject(s, "can_pause", strcmp(state, "active") == 0);
    cJSON_AddBoolToObject(s, "can_resume", strcmp(state, "paused") == 0);
    cJSON_AddBoolToObject(s, "can_connect",
                          strcmp(state, "new") == 0 ||
                              strcmp(state, "revoked") == 0);
    cJSON_AddStringToObject(
        s, "pause_action",
        view_url(
            c, arena_printf(&c->req->arena, "/quan-ly/san/%lld/tam-dung", id)));
    cJSON_AddStringToObject(
        s, "resume_action",
        view_url(
            c, arena_printf(&c->req->arena, "/quan-ly/san/%lld/tiep-tuc", id)));
    cJSON_AddStringToObject(
        s, "connect_action",
        view_url(
            c, arena_printf(&c->req->arena, "/quan-ly/san/%lld/ket-noi", id)));
    cJSON_AddBoolToObject(s, "via_market", has_auth_flow(str_of(s, "market")));
    cJSON_AddStringToObject(
        s, "authorise_href",
        view_url(c, arena_printf(&c->req->arena, "/quan-ly/san/%lld/cap-quyen",
                                 id)));
    admin_drop_empty(s, "state_message");
}

/* ok_note: the note of ?ok=CODE (fixed codes) naming the shop ?shop=ID
 * when it is one of the page's; after "added", the link on to the
 * marketplace's authorisation page. */
static void ok_note(struct ctx *c, cJSON *m, const cJSON *shops)
{
    static const char *const codes[] = {"added", "connected", "paused",
                                        "resumed"};
    const char *code = http_arg(c->req, "ok");
    int64_t id = id_of(http_arg(c->req, "shop"));
    const cJSON *s, *shop = NULL;
    size_t i;

    cJSON_ArrayForEach(s, shops)
    {
        if (num_of(s, "id") == id)
            shop = s;
    }
    for (i = 0; code != NULL && i < sizeof(codes) / sizeof(*codes); i++)
        if (strcmp(code, codes[i]) == 0)
            cJSON_AddStringToObject(
                m, "ok",
                fill(c, arena_printf(&c->req->arena, "sync_ok_%s", code),
                     "{shop}", shop ? str_of(shop, "name") : "", NULL, NULL));
    if (code != NULL && strcmp(code, "added") == 0 && shop != NULL &&
        cJSON_IsTrue(cJSON_GetObjectItem(shop, "via_market"))) {
        cJSON *next = cJSON_AddObjectToObject(m, "next");
        cJSON_AddStringToObject(next, "href", str_of(shop, "authorise_href"));
        cJSON_AddStringToObject(next, "label",
                                fill(c, "sync_authorise_on", "{label}",
                                     str_of(shop, "market_label"), NULL, NULL));
    }
}

static void market_options(struct ctx *c, cJSON *m, const char *chosen)
{
    const struct mkt_connector *const *k = mkt_connectors();
    cJSON *arr = cJSON_AddArrayToObject(m, "market_options");

    (void)c;
    for (; k != NULL && *k != NULL; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", (*k)->name);
        cJSON_AddStringToObject(o, "label", (*k)->label);
        cJSON_AddBoolToObject(
            o, "selected", chosen != NULL && strcmp(chosen, (*k)->name) == 0);
        cJSON_AddItemToArray(arr, o);
    }
}

/* choices: the producer and location selects, the chosen ones selected. */
static enum err choices(struct ctx *c, cJSON *m, const struct form *f,
                        struct err_ctx *ec)
{
    cJSON *producers = NULL, *locations = NULL, *o;
    int64_t pick = f ? id_of(form_get(f, "producer")) : 0;
    int64_t place = f ? id_of(form_get(f, "location")) : 0;
    enum err e = my_producers(c, &producers, ec);

    if (e == ERR_OK)
        e = my_locations(c, producers, &locations, ec);
    if (e != ERR_OK) {
        cJSON_Delete(producers);
        return e;
    }
    cJSON_ArrayForEach(o, producers)
        cJSON_AddBoolToObject(o, "selected", num_of(o, "id") == pick);
    cJSON_ArrayForEach(o, locations)
    {
        cJSON_AddBoolToObject(o, "selected", num_of(o, "id") == place);
        cJSON_AddStringToObject(
            o, "kind_text",
            t(c, arena_printf(&c->req->arena, "place_kind_%s",
                              str_of(o, "kind"))));
    }
    cJSON_AddBoolToObject(m, "many_producers",
                          cJSON_GetArraySize(producers) > 1);
    cJSON_AddBoolToObject(m, "no_producer", cJSON_GetArraySize(producers) == 0);
    if (cJSON_GetArraySize(producers) == 1)
        cJSON_AddNumberToObject(m, "only_producer",
                                (double)num_of(producers->child, "id"));
    cJSON_AddItemToObject(m, "producer_options", producers);
    cJSON_AddItemToObject(m, "location_options", locations);
    return ERR_OK;
}

/* form_values: what the add form shows again; never the app secret. */
static void form_values(cJSON *m, const struct form *f)
{
    static const char *const keys[] = {"market", "name", "app_key",
                                       "warehouse"};
    cJSON *v = cJSON_AddObjectToObject(m, "values");
    size_t i;

    for (i = 0; f != NULL && i < sizeof(keys) / sizeof(*keys); i++)
        cJSON_AddStringToObject(v, keys[i], admin_field(f, keys[i]));
}

static enum hres shops_page(struct ctx *c, const struct shops_view *v)
{
    struct err_ctx ec = {0};
    cJSON *shops = NULL, *m, *s, *invalid;
    enum err e = load_shops(c, &shops, &ec);

    m = e == ERR_OK
            ? view_private_new(c, t(c, "sync_shops_title"), "/quan-ly/san")
            : NULL;
    if (e == ERR_OK)
        e = m ? choices(c, m, v->f, &ec) : ERR_NOMEM;
    if (e != ERR_OK) {
        cJSON_Delete(shops);
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    cJSON_ArrayForEach(s, shops) shop_actions(c, s);
    ok_note(c, m, shops);
    market_options(c, m, v->f ? form_get(v->f, "market") : NULL);
    form_values(m, v->f);
    cJSON_AddItemToObject(m, "shops", shops);
    cJSON_AddBoolToObject(m, "has_shops", cJSON_GetArraySize(shops) > 0);
    cJSON_AddStringToObject(m, "form_action", view_url(c, "/quan-ly/san"));
    cJSON_AddStringToObject(m, "portal_href", view_url(c, "/quan-ly"));
    if (v->error != NULL)
        cJSON_AddStringToObject(m, "error", v->error);
    invalid = cJSON_AddObjectToObject(m, "invalid");
    if (v->field != NULL && v->field[0] != '\0')
        cJSON_AddTrueToObject(invalid, v->field);
    return view_render_private(c, &(struct http_reply){.status = v->status},
                               "shops", m);
}

enum hres page_shops(struct ctx *c)
{
    struct shops_view v = {.status = 200};

    return shops_page(c, &v);
}

/* own_words: the marketplace's message without the "Label: " that the
 * sync module puts first (the page names the marketplace itself). */
static const char *own_words(const char *msg, const char *label)
{
    size_t n = label ? strlen(label) : 0;

    if (n > 0 && strncmp(msg, label, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
        return msg + n + 2;
    return msg;
}

/* fail_page: the shops page again with e's message (a marketplace's
 * refusal in its own words), or the error page for a server fault. */
static enum hres fail_page(struct ctx *c, enum err e, const struct err_ctx *ec,
                           const char *market, const struct form *f)
{
    const struct mkt_connector *k = market ? mkt_connector(market) : NULL;
    struct shops_view v = {.status = 422, .f = f, .field = ec->field};

    if (ec->key == NULL || e == ERR_UPSTREAM) /* ours to fix, or theirs */
        log_msg(LOG_WARN, "web", "%s %s: %s: %s", c->req->method, c->req->path,
                err_name(e), ec->msg);
    switch (e) {
    case ERR_UPSTREAM:
        v.status = 502;
        v.error = fill(c, "sync_err_connect_refused", "{label}",
                       k ? k->label : market, "{message}",
                       own_words(ec->msg, k ? k->label : NULL));
        return shops_page(c, &v);
    case ERR_INVALID:
    case ERR_UNPROCESSABLE:
    case ERR_CONFLICT:
    case ERR_NOTFOUND:
    case ERR_FORBIDDEN:
        v.status = admin_status(e);
        v.error = t(c, ec->key ? ec->key : "err_invalid");
        return shops_page(c, &v);
    default: return web_fail_err(c, e, ec);
    }
}

/* --- adding and connecting a shop ---------------------------------------- */

/* connected: back to the list with the note, or the list with the error. */
static enum hres connected(struct ctx *c, int64_t id, const char *market,
                           enum err e, const struct err_ctx *ec)
{
    if (e != ERR_OK)
        return fail_page(c, e, ec, market, NULL);
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-ly/san?ok=connected&shop=%lld",
                                        (long long)id));
}

/* go_authorise: 303 to the marketplace's authorisation page, which sends
 * the seller back to /quan-ly/san/ID/ket-noi. Only from a link (GET): the
 * pages' Content-Security-Policy (form-action 'self') stops a form's
 * answer from leading to another site. */
static enum hres go_authorise(struct ctx *c, int64_t id, const char *market)
{
    struct err_ctx ec = {0};
    char *url = arena_alloc(&c->req->arena, AUTH_URL_MAX);
    const char *back =
        arena_printf(&c->req->arena, "%s/quan-ly/san/%lld/ket-noi",
                     c->app->conf->base_url, (long long)id);
    enum err e;

    if (url == NULL || back == NULL)
        return H_FATAL;
    url[0] = '\0';
    e = sync_shop_auth_url(c->w->db, id, back, url, AUTH_URL_MAX, &ec);
    if (e != ERR_OK)
        return fail_page(c, e, &ec, market, NULL);
    if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
        strpbrk(url, "\r\n") != NULL)
        return web_fail(c, 502, "upstream", "sync_err_auth_url");
    return redirect_out(c, url);
}

/* connect_now: a marketplace without that flow (Sendo) is connected at
 * once with the keys given; for the others the page offers the link to
 * their authorisation page (?ok=added). */
static enum hres connect_now(struct ctx *c, int64_t id, const char *market)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    enum err e;

    if (has_auth_flow(market))
        return web_redirect(c, arena_printf(&c->req->arena,
                                            "/quan-ly/san?ok=added&shop=%lld",
                                            (long long)id));
    e = sync_shop_connect(c->w->db, &who, id, NULL, NULL, NULL, &ec);
    return connected(c, id, market, e, &ec);
}

/* clean_name: the shop's name, NFC and trimmed, in the arena; NULL when
 * empty or too long. */
static const char *clean_name(struct ctx *c, const char *in)
{
    char *clean = cat_text_clean(in, 0, 1, SHOP_NAME_MAX);
    const char *s = clean ? arena_strdup(&c->req->arena, clean) : NULL;

    free(clean);
    return s;
}

/* shop_new_of: the add form as a sync_shop_new; 0 with *key and *field
 * set for the first field that is wrong. */
static int shop_new_of(struct ctx *c, const struct form *f,
                       const cJSON *locations, struct sync_shop_new *n,
                       const char **key, const char **field)
{
    const char *market = admin_field(f, "market");
    const char *loc = admin_field(f, "location");
    int need_wh = strcmp(market, "tiktok") == 0 || strcmp(market, "tiki") == 0;
    size_t i;

    memset(n, 0, sizeof(*n));
    n->market = market;
    n->name = clean_name(c, admin_field(f, "name"));
    n->app_key = admin_field(f, "app_key");
    n->app_secret = admin_field(f, "app_secret");
    n->warehouse = admin_field(f, "warehouse");
    n->producer_id = id_of(form_get(f, "producer"));
    if (n->producer_id == 0 && c->who.role != ROLE_ADMIN &&
        c->who.n_producers == 1)
        n->producer_id = c->who.producers[0];
    n->location_id = id_of(loc);
    {
        const struct {
            int bad;
            const char *key, *field;
        } checks[] = {
            {n->producer_id == 0, "sync_err_producer", "producer"},
            {mkt_connector(market) == NULL, "sync_err_market", "market"},
            {n->name == NULL || strlen(n->name) > SHOP_NAME_MAX_BYTES,
             "sync_err_shop_name", "name"},
            {*n->app_key == '\0' || strlen(n->app_key) > APP_KEY_MAX,
             "sync_err_app_key", "app_key"},
            {*n->app_secret == '\0' || strlen(n->app_secret) > APP_SECRET_MAX,
             "sync_err_app_secret", "app_secret"},
            {strlen(n->warehouse) > WAREHOUSE_MAX ||
                 (need_wh && !*n->warehouse),
             "sync_err_warehouse", "warehouse"},
            {(n->location_id == 0 && *loc != '\0' && strcmp(loc, "0") != 0) ||
                 !location_ok(locations, n->location_id, n->producer_id),
             "sync_err_location", "location"},
        };
        for (i = 0; i < sizeof(checks) / sizeof(*checks); i++)
            if (checks[i].bad) {
                *key = checks[i].key;
                *field = checks[i].field;
                return 0;
            }
    }
    return 1;
}

enum hres page_shop_add(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    cJSON *producers = NULL, *locations = NULL;
    struct sync_shop_new n;
    const char *key = NULL, *field = NULL;
    struct form f;
    int64_t id = 0;
    enum err e;
    int ok;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    e = my_producers(c, &producers, &ec);
    if (e == ERR_OK)
        e = my_locations(c, producers, &locations, &ec);
    cJSON_Delete(producers);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    ok = shop_new_of(c, &f, locations, &n, &key, &field);
    cJSON_Delete(locations);
    if (ok && !may_manage(c, n.producer_id))
        return web_fail(c, 403, "forbidden", "err_forbidden");
    if (!ok) {
        struct shops_view v = {422, &f, t(c, key), field};
        return shops_page(c, &v);
    }
    e = sync_shop_add(c->w->db, &who, &n, &id, &ec);
    if (e != ERR_OK)
        return fail_page(c, e, &ec, n.market, &f);
    return connect_now(c, id, n.market);
}

/* shop_of: shop ID (the route's first "*") when the caller may manage it;
 * else NULL with the error reply sent (*h). The caller frees it. */
static cJSON *shop_of(struct ctx *c, enum hres *h)
{
    struct err_ctx ec = {0};
    int64_t id = id_of(c->args[0]);
    cJSON *s = NULL;
    enum err e =
        id ? sync_shop(c->w->db, id, &s, &ec)
           : err_user(&ec, ERR_NOTFOUND, "sync_err_no_shop", NULL, "no shop");

    if (e != ERR_OK) {
        *h = web_fail_err(c, e, &ec);
        return NULL;
    }
    if (!may_manage(c, num_of(s, "producer_id"))) {
        cJSON_Delete(s);
        *h = web_fail(c, 403, "forbidden", "err_forbidden");
        return NULL;
    }
    return s;
}

enum hres page_shop_callback(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    enum hres h = H_OK;
    cJSON *s = shop_of(c, &h);
    const char *code = http_arg(c->req, "code");
    const char *market;
    int64_t id;
    enum err e;

    if (s == NULL)
        return h;
    id = num_of(s, "id");
    market = arena_strdup(&c->req->arena,
                          str_of(s, "market") ? str_of(s, "market") : "");
    cJSON_Delete(s);
    if (code == NULL || *code == '\0') {
        struct shops_view v = {400, NULL, t(c, "sync_err_no_code"), NULL};
        return shops_page(c, &v);
    }
    e = sync_shop_connect(c->w->db, &who, id, code, http_arg(c->req, "state"),
                          http_arg(c->req, "shop_id"), &ec);
    return connected(c, id, market, e, &ec);
}

enum hres page_shop_connect(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *s = shop_of(c, &h);
    const char *market;
    int64_t id;

    if (s == NULL)
        return h;
    id = num_of(s, "id");
    market = arena_strdup(&c->req->arena,
                          str_of(s, "market") ? str_of(s, "market") : "");
    cJSON_Delete(s);
    return connect_now(c, id, market);
}

enum hres page_shop_authorise(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *s = shop_of(c, &h);
    const char *market;
    int64_t id;

    if (s == NULL)
        return h;
    id = num_of(s, "id");
    market = arena_strdup(&c->req->arena,
                          str_of(s, "market") ? str_of(s, "market") : "");
    cJSON_Delete(s);
    if (!has_auth_flow(market))
        return web_redirect(c, "/quan-ly/san");
    return go_authorise(c, id, market);
}

static enum hres set_state(struct ctx *c, const char *state, const char *ok)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    enum hres h = H_OK;
    cJSON *s = shop_of(c, &h);
    int64_t id;
    enum err e;

    if (s == NULL)
        return h;
    id = num_of(s, "id");
    cJSON_Delete(s);
    e = sync_shop_set_state(c->w->db, &who, id, state, &ec);
    if (e != ERR_OK)
        return fail_page(c, e, &ec, NULL, NULL);
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-ly/san?ok=%s&shop=%lld", ok,
                                        (long long)id));
}

enum hres page_shop_pause(struct ctx *c)
{
    return set_state(c, "paused", "paused");
}

enum hres page_shop_resume(struct ctx *c)
{
    return set_state(c, "active", "resumed");
}

/* --- listings and jobs, from the product edit page ----------------------- */

/* anchor: the edit page's section, where view_url adds no "&lang=" after
 * it. */
static const char *anchor(const struct ctx *c)
{
    return c->lang == LANG_VI ? "#san" : "";
}

/* back_to: the product's edit page (the form's "product" field) with the
 * note, or the shops page. */
static enum hres back_to(struct ctx *c, const struct form *f, const char *ok)
{
    const char *slug = f ? form_get(f, "product") : NULL;

    if (slug != NULL && params_valid_slug(slug))
        return web_redirect(c, arena_printf(&c->req->arena,
                                            "/quan-ly/san-pham/%s?ok=%s%s",
                                            slug, ok, anchor(c)));
    return web_redirect(c,
                        arena_printf(&c->req->arena, "/quan-ly/san?ok=%s", ok));
}

enum hres page_product_list_post(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->args[0], &h), *s = NULL;
    int64_t shop_id, product_id, producer_id;
    struct form f;
    int added = 0;
    enum err e;

    if (p == NULL)
        return h;
    product_id = num_of(p, "id");
    producer_id = num_of(p, "producer_id");
    cJSON_Delete(p);
    shop_id = web_form(c, &f) ? id_of(form_get(&f, "shop_id")) : 0;
    e = shop_id ? sync_shop(c->w->db, shop_id, &s, &ec)
                : err_user(&ec, ERR_NOTFOUND, "sync_err_no_shop", NULL, "none");
    if (e == ERR_OK && num_of(s, "producer_id") != producer_id)
        e = err_user(&ec, ERR_FORBIDDEN, "sync_err_shop_not_producer", NULL,
                     "shop of another producer");
    cJSON_Delete(s);
    if (e == ERR_OK)
        e = sync_list_product(c->w->db, &who, shop_id, product_id, &added, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-ly/san-pham/%s?ok=listed%s",
                                        c->args[0], anchor(c)));
}

/* owned: 1 when the producer that find() names for id is the caller's;
 * else the error reply is sent (*h). */
static int owned(struct ctx *c, int64_t id,
                 enum err (*find)(struct db *, int64_t, int64_t *,
                                  struct err_ctx *),
                 enum hres *h)
{
    struct err_ctx ec = {0};
    int64_t producer = 0;
    enum err e =
        id ? find(c->w->db, id, &producer, &ec)
           : err_user(&ec, ERR_NOTFOUND, "err_not_found", NULL, "none");

    if (e != ERR_OK) {
        *h = web_fail_err(c, e, &ec);
        return 0;
    }
    if (!may_manage(c, producer)) {
        *h = web_fail(c, 403, "forbidden", "err_forbidden");
        return 0;
    }
    return 1;
}

enum hres page_job_retry(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    int64_t id = id_of(c->args[0]);
    enum hres h = H_OK;
    struct form f;
    int have = web_form(c, &f);
    enum err e;

    if (!owned(c, id, sync_job_producer, &h))
        return h;
    e = sync_retry(c->w->db, &who, id, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return back_to(c, have ? &f : NULL, "retried");
}

static enum hres set_wanted(struct ctx *c, int wanted)
{
    struct err_ctx ec = {0};
    struct actor who = auth_actor(&c->who, c->ip);
    int64_t id = id_of(c->args[0]);
    enum hres h = H_OK;
    struct form f;
    int have = web_form(c, &f);
    enum err e;

    if (!owned(c, id, sync_listing_producer, &h))
        return h;
    e = sync_listing_set_wanted(c->w->db, &who, id, wanted, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return back_to(c, have ? &f : NULL, wanted ? "relisted" : "unlisted");
}

enum hres page_listing_unlist(struct ctx *c)
{
    return set_wanted(c, 0);
}

enum hres page_listing_relist(struct ctx *c)
{
    return set_wanted(c, 1);
}

/* --- the section of the product edit page -------------------------------- */

const char *sync_pages_ok(struct ctx *c, const char *code)
{
    static const char *const codes[] = {"listed", "retried", "unlisted",
                                        "relisted"};
    size_t i;

    for (i = 0; code != NULL && i < sizeof(codes) / sizeof(*codes); i++)
        if (strcmp(code, codes[i]) == 0)
            return t(c, arena_printf(&c->req->arena, "sync_ok_%s", code));
    return NULL;
}

static const char *status_class(const char *status)
{
    if (strcmp(status, "synced") == 0)
        return "status-certified";
    if (strcmp(status, "failed") == 0)
        return "status-hidden";
    return "status-registered"; /* waiting, unlisted */
}

/* missing_text: "Thiếu: khối lượng, ảnh" from [{"field","label"}]. */
static const char *missing_text(struct ctx *c, const cJSON *missing)
{
    struct sb sb;
    const cJSON *x;
    const char *s = NULL;
    enum err e;

    if (cJSON_GetArraySize(missing) == 0)
        return NULL;
    sb_init(&sb, 4096);
    e = sb_adds(&sb, t(c, "sync_missing"));
    cJSON_ArrayForEach(x, missing)
    {
        const char *field = str_of(x, "field") ? str_of(x, "field") : "";
        const char *label = str_of(x, "label") ? str_of(x, "label") : field;
        if (e == ERR_OK && x != missing->child)
            e = sb_adds(&sb, ", ");
        if (e == ERR_OK)
            e = sb_adds(&sb,
                        fill(c, label, "{name}",
                             strncmp(field, "attr:", 5) == 0 ? field + 5 : "",
                             NULL, NULL));
    }
    if (e == ERR_OK)
        s = arena_strdup(&c->req->arena, sb_str(&sb));
    sb_release(&sb);
    return s;
}

static void variant_view(struct ctx *c, cJSON *v, const char *label,
                         const char *slug)
{
    const char *status = str_of(v, "status") ? str_of(v, "status") : "waiting";
    const char *job = str_of(v, "job_state") ? str_of(v, "job_state") : "";
    const char *msg = str_of(v, "message");
    const char *missing = missing_text(c, cJSON_GetObjectItem(v, "missing"));
    long long lid = (long long)num_of(v, "listing_id");

    cJSON_AddStringToObject(v, "status_class", status_class(status));
    cJSON_AddStringToObject(
        v, "status_text",
        t(c, arena_printf(&c->req->arena, "sync_status_%s", status)));
    if (strcmp(status, "failed") == 0 && msg != NULL && *msg != '\0')
        cJSON_AddStringToObject(v, "refused",
                                fill(c, "sync_refused", "{label}", label,
                                     "{message}", own_words(msg, label)));
    if (missing != NULL)
        cJSON_AddStringToObject(v, "missing_text", missing);
    cJSON_AddBoolToObject(
        v, "can_retry",
        num_of(v, "job_id") > 0 &&
            (strcmp(job, "failed") == 0 || strcmp(job, "dead") == 0));
    cJSON_AddBoolToObject(v, "is_unlisted", strcmp(status, "unlisted") == 0);
    cJSON_AddStringToObject(
        v, "retry_action",
        view_url(c,
                 arena_printf(&c->req->arena, "/quan-ly/dong-bo/%lld/thu-lai",
                              (long long)num_of(v, "job_id"))));
    cJSON_AddStringToObject(
        v, "unlist_action",
        view_url(
            c, arena_printf(&c->req->arena, "/quan-ly/niem-yet/%lld/go", lid)));
    cJSON_AddStringToObject(
        v, "relist_action",
        view_url(c, arena_printf(&c->req->arena,
                                 "/quan-ly/niem-yet/%lld/dang-lai", lid)));
    cJSON_AddStringToObject(v, "product", slug);
    admin_drop_empty(v, "link");
    admin_drop_empty(v, "size");
}

static void shop_view(struct ctx *c, cJSON *s, const char *slug,
                      const char *list_action)
{
    const char *label = str_of(s, "market_label") ? str_of(s, "market_label")
                                                  : str_of(s, "market");
    const char *state = str_of(s, "state") ? str_of(s, "state") : "";
    cJSON *v;

    cJSON_AddStringToObject(
        s, "list_label",
        fill(c, "sync_list_on", "{shop}", str_of(s, "shop"), NULL, NULL));
    cJSON_AddStringToObject(s, "list_action", list_action);
    cJSON_AddBoolToObject(s, "not_active", strcmp(state, "active") != 0);
    cJSON_AddStringToObject(s, "state_class", state_class(state));
    cJSON_AddStringToObject(
        s, "state_text",
        t(c, arena_printf(&c->req->arena, "sync_shop_state_%s", state)));
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(s, "variants"))
        variant_view(c, v, label, slug);
}

void sync_pages_product(struct ctx *c, cJSON *m, int64_t product_id,
                        const char *slug)
{
    struct err_ctx ec = {0};
    cJSON *shops = NULL, *s, *sec = cJSON_AddObjectToObject(m, "market");
    const char *list_action = view_url(
        c, arena_printf(&c->req->arena, "/quan-ly/san-pham/%s/san", slug));
    enum err e = sync_product_status(c->w->db, product_id, &shops, &ec);

    if (sec == NULL)
        return;
    if (e != ERR_OK) {
        log_msg(LOG_WARN, "web", "product %lld: marketplace status: %s: %s",
                (long long)product_id, err_name(e), ec.msg);
        cJSON_AddTrueToObject(sec, "unavailable");
        return;
    }
    cJSON_ArrayForEach(s, shops) shop_view(c, s, slug, list_action);
    cJSON_AddBoolToObject(sec, "no_shops", cJSON_GetArraySize(shops) == 0);
    cJSON_AddItemToObject(sec, "shops", shops);
    cJSON_AddStringToObject(sec, "shops_href", view_url(c, "/quan-ly/san"));
}

/* --- Postmart: the product sheet ------------------------------------------ */

/* page_postmart: Postmart has no seller API; its seller portal takes a
 * sheet. The producer downloads theirs (?producer=ID). */
enum hres page_postmart(struct ctx *c)
{
    static const struct http_reply xlsx = {
        .status = 200,
        .content_type =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        .cache_control = "no-store",
        .disposition = "attachment; filename=\"postmart-ocop.xlsx\""};
    const char *arg = http_arg(c->req, "producer");
    int64_t producer = arg ? id_of(arg) : 0;
    char path[] = "/tmp/ocop-postmart-XXXXXX";
    struct err_ctx ec = {0};
    struct stat sb;
    int fd;
    enum err e;

    if (!may_manage(c, producer))
        return web_fail(c, 404, "not_found", "err_not_found");
    fd = mkstemp(path);
    if (fd < 0)
        return H_FATAL;
    close(fd);
    e = postmart_export(c->w->db, producer, c->app->conf->base_url, path,
                        NULL, &ec);
    /* an open descriptor keeps the bytes; the name goes at once */
    fd = e == ERR_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    (void)unlink(path);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        close(fd);
        return H_FATAL;
    }
    return http_send_fd(c->req, &xlsx, fd, (uint64_t)sb.st_size);
}
