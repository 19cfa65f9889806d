/* app.c: the web application: setup, routing, errors (see app.h). */
#include "web/app.h"

#include "cert/cert.h"
#include "core/log.h"
#include "web/cache.h"
#include "web/web.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- setup --------------------------------------------------------------- */

static enum err load_templates(struct theme *t, const char *dir,
                               struct err_ctx *ec)
{
    char path[4096];
    enum err e;

    t->tmpl = tmpl_set_new();
    if (t->tmpl == NULL)
        return ERR_NOMEM;
    (void)snprintf(path, sizeof(path), "%s/partials", dir);
    e = tmpl_set_load_dir(t->tmpl, path, ec);
    if (e != ERR_OK)
        return e;
    (void)snprintf(path, sizeof(path), "%s/templates", dir);
    return tmpl_set_load_dir(t->tmpl, path, ec);
}

/* Templates see every static asset as {{asset.NAME}}, NAME being the file
 * name with each non-alphanumeric character as "_" (css/app.css ->
 * css_app_css). */
static enum err asset_map(struct theme *t)
{
    size_t i, n = asset_count(t->stat);

    t->assets = cJSON_CreateObject();
    if (t->assets == NULL)
        return ERR_NOMEM;
    for (i = 0; i < n; i++) {
        const struct asset *a = asset_at(t->stat, i);
        char key[256];
        size_t k;
        (void)snprintf(key, sizeof(key), "%s", a->name);
        for (k = 0; key[k] != '\0'; k++)
            if (!((key[k] >= 'a' && key[k] <= 'z') ||
                  (key[k] >= 'A' && key[k] <= 'Z') ||
                  (key[k] >= '0' && key[k] <= '9')))
                key[k] = '_';
        if (cJSON_AddStringToObject(t->assets, key, a->url) == NULL)
            return ERR_NOMEM;
    }
    return ERR_OK;
}

static enum err load_theme(struct theme *t, const struct conf *conf,
                           struct err_ctx *ec)
{
    char dir[4096], sub[4200];
    enum err e;

    (void)snprintf(dir, sizeof(dir), "%s/%s", conf->themes_dir, conf->theme);
    e = load_templates(t, dir, ec);
    if (e != ERR_OK)
        return e;
    (void)snprintf(sub, sizeof(sub), "%s/static", dir);
    e = asset_store_load(sub, "/static/", &t->stat, ec);
    if (e == ERR_OK)
        e = asset_map(t);
    if (e != ERR_OK)
        return e;
    (void)snprintf(sub, sizeof(sub), "%s/messages", dir);
    return i18n_load(sub, &t->i18n, ec);
}

enum err app_new(const struct conf *conf, struct app **out,
                 struct err_ctx *ec)
{
    struct app *app = calloc(1, sizeof(*app));
    char dir[4096];
    enum err e;

    *out = NULL;
    if (app == NULL)
        return ERR_NOMEM;
    app->conf = conf;
    e = load_theme(&app->theme, conf, ec);
    if (e == ERR_OK) {
        (void)snprintf(dir, sizeof(dir), "%s/media", conf->catalog_dir);
        e = asset_store_load(dir, "/media/", &app->media, ec);
    }
    if (e == ERR_OK) {
        app->cache = page_cache_new();
        e = app->cache ? ERR_OK : ERR_NOMEM;
    }
    if (e != ERR_OK) {
        app_free(app);
        return e;
    }
    *out = app;
    return ERR_OK;
}

void app_free(struct app *app)
{
    if (app == NULL)
        return;
    tmpl_set_free(app->theme.tmpl);
    asset_store_free(app->theme.stat);
    i18n_free(app->theme.i18n);
    cJSON_Delete(app->theme.assets);
    asset_store_free(app->media);
    page_cache_free(app->cache);
    free(app);
}

void *app_thread_init(void *cls)
{
    struct app *app = cls;
    struct worker *w = calloc(1, sizeof(*w));
    struct err_ctx ec;

    if (w == NULL)
        return NULL;
    if (db_open(app->conf->db_path, DB_READWRITE, &w->db, &ec) != ERR_OK) {
        log_msg(LOG_ERROR, "app", "worker cannot open database: %s", ec.msg);
        free(w);
        return NULL;
    }
    sb_init(&w->page, 8 << 20);
    sb_init(&w->scratch, 1 << 20);
    return w;
}

void app_thread_fini(void *cls, void *thread_ctx)
{
    struct worker *w = thread_ctx;

    (void)cls;
    if (w == NULL)
        return;
    db_close(w->db);
    sb_release(&w->page);
    sb_release(&w->scratch);
    free(w);
}

/* --- errors -------------------------------------------------------------- */

enum hres web_fail(struct ctx *c, unsigned status, const char *code,
                   const char *msg_key)
{
    const char *msg = i18n_t(c->app->theme.i18n, c->lang, msg_key);
    cJSON *root, *err;
    enum hres h;

    if (!c->is_api)
        return page_error(c, status, msg_key);
    root = cJSON_CreateObject();
    err = cJSON_AddObjectToObject(root, "error");
    if (err == NULL) {
        cJSON_Delete(root);
        return H_FATAL;
    }
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", msg);
    h = api_send_json(c, status, root, 0);
    cJSON_Delete(root);
    return h;
}

enum hres web_fail_err(struct ctx *c, enum err e, const struct err_ctx *ec)
{
    switch (e) {
    case ERR_NOTFOUND: return web_fail(c, 404, "not_found", "err_not_found");
    case ERR_INVALID: return web_fail(c, 400, "invalid", "err_invalid");
    case ERR_TOOBIG: return web_fail(c, 413, "too_big", "err_too_big");
    case ERR_CONFLICT: return web_fail(c, 409, "conflict", "err_conflict");
    case ERR_BUSY: return web_fail(c, 503, "busy", "err_busy");
    default: break;
    }
    log_msg(LOG_ERROR, "web", "%s %s: %s: %s", c->req->method, c->req->path,
            err_name(e), ec ? ec->msg : "");
    return web_fail(c, 500, "internal", "err_internal");
}

/* --- the page cache key -------------------------------------------------- */

struct key_build {
    struct sb *sb;
    enum err e;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    struct key_build *kb = cls;

    (void)kind;
    if (kb->e == ERR_OK)
        kb->e = sb_addf(kb->sb, "&%s=%s", key, value ? value : "");
    return kb->e == ERR_OK ? MHD_YES : MHD_NO;
}

const char *web_cache_key(struct ctx *c, const char *kind)
{
    struct sb *sb = &c->w->scratch;
    struct key_build kb = {.sb = sb};

    sb_reset(sb);
    kb.e = sb_addf(sb, "%s|%s|%lld|%s|%s|", kind, i18n_lang_code(c->lang),
                   (long long)c->version, c->today, c->req->path);
    if (kb.e == ERR_OK)
        (void)MHD_get_connection_values(c->req->conn, MHD_GET_ARGUMENT_KIND,
                                        add_arg, &kb);
    return kb.e == ERR_OK ? arena_strdup(&c->req->arena, sb_str(sb)) : NULL;
}

enum hres web_send_cached(struct ctx *c, const char *key, const char *ctype,
                          const struct sb *body)
{
    if (key == NULL)
        return http_send_sb(c->req, 200, ctype, body, "no-cache");
    return page_cache_put_send(c->app->cache, c->req, key, ctype, "no-cache",
                               body->buf, body->len);
}

/* --- static files -------------------------------------------------------- */

static enum hres serve_asset(struct ctx *c, const struct asset_store *store)
{
    int immutable = 0;
    const struct asset *a = asset_by_url_path(store, c->rest, &immutable);
    struct http_reply rep = {.status = 200};

    if (a == NULL)
        return web_fail(c, 404, "not_found", "err_not_found");
    rep.content_type = a->mime;
    rep.body = a->data;
    rep.len = a->len;
    rep.gz = a->gz;
    rep.gz_len = a->gz_len;
    rep.etag = a->etag;
    rep.cache_control = immutable ? "public, max-age=31536000, immutable"
                                  : "public, max-age=300";
    return http_send(c->req, &rep);
}

static enum hres serve_static(struct ctx *c)
{
    return serve_asset(c, c->app->theme.stat);
}

static enum hres serve_media(struct ctx *c)
{
    return serve_asset(c, c->app->media);
}

static enum hres favicon(struct ctx *c)
{
    c->rest = "favicon.svg";
    return serve_static(c);
}

static enum hres healthz(struct ctx *c)
{
    struct sb body;
    enum hres h;

    sb_init(&body, 256);
    if (sb_addf(&body, "{\"status\":\"ok\",\"catalog_version\":%lld}\n",
                (long long)c->version) != ERR_OK)
        return H_FATAL;
    h = http_send_sb(c->req, 200, "application/json", &body, "no-store");
    sb_release(&body);
    return h;
}

/* --- routing ------------------------------------------------------------- */

typedef enum hres (*route_fn)(struct ctx *c);

struct route {
    const char *path; /* exact path, or a prefix ending in "/" */
    int prefix;       /* 1: one more path segment follows */
    route_fn fn;
};

/* Every route here is read-only (GET/HEAD); writes come with accounts. */
static const struct route routes[] = {
    {"/", 0, page_home},
    {"/san-pham", 0, page_products},
    {"/san-pham/", 1, page_product},
    {"/nhom/", 1, page_group},
    {"/nha-san-xuat", 0, page_producers},
    {"/nha-san-xuat/", 1, page_producer},
    {"/qr/", 1, page_qr},
    {"/sitemap.xml", 0, page_sitemap},
    {"/robots.txt", 0, page_robots},
    {"/healthz", 0, healthz},
    {"/favicon.ico", 0, favicon},
    {"/static/", 2, serve_static},
    {"/media/", 2, serve_media},
    {"/api/v1/products", 0, api_products},
    {"/api/v1/products/", 1, api_product},
    {"/api/v1/producers", 0, api_producers},
    {"/api/v1/producers/", 1, api_producer},
    {"/api/v1/groups", 0, api_groups},
    {"/api/v1/places", 0, api_places},
    {"/api/v1/suggest", 0, api_suggest},
};

/* find_route: prefix 1 takes one segment, prefix 2 a relative path. */
static const struct route *find_route(const char *path, const char **rest)
{
    size_t i;

    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route *r = &routes[i];
        size_t n = strlen(r->path);
        if (r->prefix == 0 && strcmp(path, r->path) == 0) {
            *rest = "";
            return r;
        }
        if (r->prefix == 0 || strncmp(path, r->path, n) != 0 ||
            path[n] == '\0')
            continue;
        if (r->prefix == 1 && strchr(path + n, '/') != NULL)
            continue;
        *rest = path + n;
        return r;
    }
    return NULL;
}

static void ctx_lang(struct ctx *c)
{
    const char *v = http_arg(c->req, "lang");
    int l = v ? i18n_lang_parse(v) : -1;

    c->lang_explicit = l >= 0;
    if (l >= 0)
        c->lang = (enum lang)l;
    else if (c->is_api)
        c->lang = i18n_lang_from_header(http_header(c->req, "Accept-Language"));
    else
        c->lang = LANG_VI;
}

static const char *media_url_of(void *cls, const char *file)
{
    return asset_url(cls, file);
}

static enum hres route_request(struct ctx *c)
{
    struct param_error pe;
    const struct route *r;
    struct err_ctx ec;
    enum err e;

    if (!params_check_request(c, &pe))
        return web_fail(c, 400, pe.code, pe.msg_key);
    e = db_catalog_version(c->w->db, &c->version, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    r = find_route(c->req->path, &c->rest);
    if (r == NULL)
        return page_not_found(c);
    if (strcmp(c->req->method, "GET") != 0 &&
        strcmp(c->req->method, "HEAD") != 0)
        return web_fail(c, 405, "method_not_allowed", "err_method");
    return r->fn(c);
}

enum hres app_handle(void *cls, struct http_req *req)
{
    struct app *app = cls;
    struct ctx c = {.app = app, .w = req->thread_ctx, .req = req};

    c.is_api = strncmp(req->path, "/api/", 5) == 0;
    ctx_lang(&c);
    cert_today(time(NULL), c.today);
    c.env.today = c.today;
    c.env.media_url = media_url_of;
    c.env.media_cls = app->media;
    if (c.w == NULL)
        return web_fail(&c, 503, "busy", "err_busy");
    return route_request(&c);
}
