/* app.c: the web application: setup, routing, errors (see app.h). */
#include "web/app.h"

#include "cert/cert.h"
#include "core/log.h"
#include "web/cache.h"
#include "web/sync_pages.h"
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
    if (e == ERR_OK)
        e = web_photos_start(app, ec);
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
    web_photos_stop(app);
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
    if (db_open(app->conf->db_path,
                app->conf->db_sync_full ? DB_SYNC_FULL : DB_READWRITE, &w->db,
                &ec) != ERR_OK) {
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
    const char *key = ec ? ec->key : NULL;

    switch (e) {
    case ERR_NOTFOUND:
        return web_fail(c, 404, "not_found", key ? key : "err_not_found");
    case ERR_INVALID: return web_fail(c, 400, "invalid", key ? key : "err_invalid");
    case ERR_TOOBIG: return web_fail(c, 413, "too_big", key ? key : "err_too_big");
    case ERR_CONFLICT:
        return web_fail(c, 409, "conflict", key ? key : "err_conflict");
    case ERR_BUSY: return web_fail(c, 503, "busy", "err_busy");
    case ERR_UNAUTHORIZED:
        return web_fail(c, 401, "unauthorized", key ? key : "err_unauthorized");
    case ERR_FORBIDDEN:
        return web_fail(c, 403, "forbidden", key ? key : "err_forbidden");
    case ERR_RATELIMIT:
        return web_fail(c, 429, "rate_limited", key ? key : "err_rate_limited");
    case ERR_UNPROCESSABLE:
        return web_fail(c, 422, "invalid_value", key ? key : "err_invalid");
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
    /* what a signed-in caller sees is theirs alone */
    if (c->who.role != ROLE_PUBLIC)
        return http_send_sb(c->req, 200, ctype, body, "private, no-store");
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

enum need {
    NEED_NONE,     /* anyone */
    NEED_USER,     /* any signed-in account or API key */
    NEED_EDITOR,   /* an admin or a producer account */
    NEED_ADMIN,    /* the programme office */
};

struct route {
    const char *method;
    const char *path; /* exact path, or a prefix ending in "/" */
    int prefix;       /* 1: one more path segment follows; 2: a path */
    enum need need;
    route_fn fn;
};

static const struct route routes[] = {
    {"GET", "/", 0, NEED_NONE, page_home},
    {"GET", "/san-pham", 0, NEED_NONE, page_products},
    {"GET", "/san-pham/", 1, NEED_NONE, page_product},
    {"GET", "/nhom/", 1, NEED_NONE, page_group},
    {"GET", "/nha-san-xuat", 0, NEED_NONE, page_producers},
    {"GET", "/nha-san-xuat/", 1, NEED_NONE, page_producer},
    {"GET", "/qr/", 1, NEED_NONE, page_qr},
    {"GET", "/sitemap.xml", 0, NEED_NONE, page_sitemap},
    {"GET", "/robots.txt", 0, NEED_NONE, page_robots},
    {"GET", "/healthz", 0, NEED_NONE, healthz},
    {"GET", "/favicon.ico", 0, NEED_NONE, favicon},
    {"GET", "/static/", 2, NEED_NONE, serve_static},
    {"GET", "/media/u/", 1, NEED_NONE, media_serve_upload},
    {"GET", "/media/", 2, NEED_NONE, serve_media},
    {"GET", "/dang-nhap", 0, NEED_NONE, page_login},
    {"POST", "/dang-nhap", 0, NEED_NONE, page_login_post},
    {"POST", "/dang-xuat", 0, NEED_USER, page_logout_post},
    {"GET", "/dat-lai-mat-khau/", 1, NEED_NONE, page_reset},
    {"POST", "/dat-lai-mat-khau/", 1, NEED_NONE, page_reset_post},
    {"GET", "/tai-khoan", 0, NEED_USER, page_account},
    {"POST", "/tai-khoan/mat-khau", 0, NEED_USER, page_password_post},
    {"GET", "/quan-ly", 0, NEED_EDITOR, page_portal},
    {"GET", "/quan-ly/san-pham/", 1, NEED_EDITOR, page_edit},
    {"POST", "/quan-ly/san-pham/", 1, NEED_EDITOR, page_edit_post},
    {"POST", "/quan-ly/san-pham/*/hoan-tac", 0, NEED_EDITOR, page_undo_post},
    {"GET", "/quan-ly/san-pham/*/anh", 0, NEED_EDITOR, page_photos},
    {"POST", "/quan-ly/san-pham/*/anh", 0, NEED_EDITOR, page_photos_post},
    {"POST", "/quan-ly/san-pham/*/anh/*", 0, NEED_EDITOR, page_photo_action},
    {"GET", "/api/v1/products", 0, NEED_NONE, api_products},
    {"GET", "/api/v1/products/", 1, NEED_NONE, api_product},
    {"GET", "/api/v1/producers", 0, NEED_NONE, api_producers},
    {"GET", "/api/v1/producers/", 1, NEED_NONE, api_producer},
    {"GET", "/api/v1/groups", 0, NEED_NONE, api_groups},
    {"GET", "/api/v1/places", 0, NEED_NONE, api_places},
    {"GET", "/api/v1/suggest", 0, NEED_NONE, api_suggest},
    {"PATCH", "/api/v1/products/", 1, NEED_EDITOR, api_product_patch},
    {"POST", "/api/v1/products/*/photos", 0, NEED_EDITOR, api_photos_post},
    {"PATCH", "/api/v1/products/*/photos/*", 0, NEED_EDITOR, api_photo_patch},
    {"DELETE", "/api/v1/products/*/photos/*", 0, NEED_EDITOR,
     api_photo_delete},
    {"GET", "/api/v1/products/*/history", 0, NEED_EDITOR, api_product_history},
    {"POST", "/api/v1/products/*/undo", 0, NEED_EDITOR, api_product_undo},
    {"POST", "/api/v1/products/*/evaluations", 0, NEED_ADMIN,
     api_evaluation_post},
    {"GET", "/api/v1/products/*/certificates", 0, NEED_EDITOR,
     api_certificates},
    {"POST", "/api/v1/certificates/*/revoke", 0, NEED_ADMIN, api_revoke_post},
    {"POST", "/api/v1/sales", 0, NEED_USER, api_sale_post},
    {"GET", "/api/v1/sales", 0, NEED_USER, api_sales},
    {"POST", "/api/v1/sales/*/void", 0, NEED_USER, api_sale_void},
    {"POST", "/api/v1/sales/*/returns", 0, NEED_USER, api_sale_return},
    {"GET", "/api/v1/locations/*/stock", 0, NEED_USER, api_location_stock},
    {"GET", "/api/v1/booths/*/z-report", 0, NEED_USER, api_booth_z},
    /* the programme office (admin*.c) */
    {"GET", "/quan-tri", 0, NEED_ADMIN, page_admin},
    {"GET", "/quan-tri/nha-san-xuat", 0, NEED_ADMIN, page_admin_producers},
    {"POST", "/quan-tri/nha-san-xuat", 0, NEED_ADMIN,
     page_admin_producer_create},
    {"GET", "/quan-tri/nha-san-xuat/", 1, NEED_ADMIN, page_admin_producer},
    {"POST", "/quan-tri/nha-san-xuat/", 1, NEED_ADMIN,
     page_admin_producer_update},
    {"POST", "/quan-tri/nha-san-xuat/*/tai-khoan", 0, NEED_ADMIN,
     page_admin_producer_account},
    {"POST", "/quan-tri/nha-san-xuat/*/lien-ket", 0, NEED_ADMIN,
     page_admin_producer_link},
    {"GET", "/quan-tri/ung-vien", 0, NEED_ADMIN, page_admin_candidates},
    {"POST", "/quan-tri/ung-vien", 0, NEED_ADMIN,
     page_admin_candidate_register},
    {"POST", "/quan-tri/ung-vien/*/buoc", 0, NEED_ADMIN,
     page_admin_candidate_step},
    {"GET", "/quan-tri/san-pham/", 1, NEED_ADMIN, page_admin_product},
    {"POST", "/quan-tri/san-pham/*/danh-gia", 0, NEED_ADMIN,
     page_admin_evaluate},
    {"POST", "/quan-tri/san-pham/*/an", 0, NEED_ADMIN, page_admin_hide},
    {"GET", "/quan-tri/chung-nhan", 0, NEED_ADMIN, page_admin_certs},
    {"POST", "/quan-tri/chung-nhan/*/thu-hoi", 0, NEED_ADMIN,
     page_admin_revoke},
    {"GET", "/quan-tri/nhat-ky", 0, NEED_ADMIN, page_admin_audit},
    {"GET", "/quan-tri/tai-khoan", 0, NEED_ADMIN, page_admin_users},
    {"POST", "/quan-tri/tai-khoan", 0, NEED_ADMIN, page_admin_user_create},
    {"POST", "/quan-tri/tai-khoan/*/dat-lai", 0, NEED_ADMIN,
     page_admin_user_reset},
    {"POST", "/quan-tri/tai-khoan/*/khoa", 0, NEED_ADMIN,
     page_admin_user_disable},
    {"GET", "/quan-tri/khoa-api", 0, NEED_ADMIN, page_admin_keys},
    {"POST", "/quan-tri/khoa-api", 0, NEED_ADMIN, page_admin_key_create},
    {"POST", "/quan-tri/khoa-api/*/thu-hoi", 0, NEED_ADMIN,
     page_admin_key_revoke},
    /* the booth POS (pos_pages.c) */
    {"GET", "/ban-hang", 0, NEED_NONE, pos_page_root},
    {"GET", "/ban-hang/", 0, NEED_NONE, pos_page_app},
    {"GET", "/ban-hang/sw.js", 0, NEED_NONE, pos_page_sw},
    {"GET", "/ban-hang/manifest.webmanifest", 0, NEED_NONE, pos_page_manifest},
    {"GET", "/ban-hang/quan-ly", 0, NEED_ADMIN, pos_page_admin},
    {"POST", "/ban-hang/quan-ly/*/may", 0, NEED_ADMIN, pos_page_device_post},
    {"POST", "/ban-hang/quan-ly/*/ngan-hang", 0, NEED_ADMIN,
     pos_page_bank_post},
    {"POST", "/ban-hang/quan-ly/*/ma-pin", 0, NEED_ADMIN, pos_page_pin_post},
    {"GET", "/hoa-don/", 1, NEED_NONE, pos_page_receipt},
    {"GET", "/api/v1/pos/device", 0, NEED_USER, api_pos_device},
    {"POST", "/api/v1/pos/pin", 0, NEED_USER, api_pos_pin},
    {"GET", "/api/v1/pos/vietqr", 0, NEED_USER, api_pos_vietqr},
    {"POST", "/api/v1/locations/*/counts", 0, NEED_USER, api_pos_count},
    {"GET", "/api/v1/stock/verify", 0, NEED_ADMIN, api_stock_verify},
    /* places and fairs (places*.c) */
    {"GET", "/quan-tri/dia-diem", 0, NEED_ADMIN, page_places},
    {"POST", "/quan-tri/dia-diem", 0, NEED_ADMIN, page_place_create},
    {"GET", "/quan-tri/dia-diem/", 1, NEED_ADMIN, page_place},
    {"POST", "/quan-tri/dia-diem/", 1, NEED_ADMIN, page_place_update},
    {"POST", "/quan-tri/dia-diem/*/gian-hang", 0, NEED_ADMIN,
     page_place_booth},
    {"POST", "/quan-tri/dia-diem/*/nha-san-xuat", 0, NEED_ADMIN,
     page_place_producer},
    {"POST", "/quan-tri/dia-diem/*/nhan-vien", 0, NEED_ADMIN,
     page_place_staff},
    {"POST", "/quan-tri/dia-diem/*/nhap-hang", 0, NEED_ADMIN,
     page_place_receive},
    {"POST", "/quan-tri/dia-diem/*/tra-hang", 0, NEED_ADMIN,
     page_place_giveback},
    {"POST", "/quan-tri/dia-diem/*/dieu-chinh", 0, NEED_ADMIN,
     page_place_adjust},
    {"POST", "/quan-tri/dia-diem/*/muc-toi-thieu", 0, NEED_ADMIN,
     page_place_levels},
    {"POST", "/quan-tri/dia-diem/*/thieu-hang", 0, NEED_ADMIN,
     page_place_shortfall},
    {"POST", "/quan-tri/dia-diem/*/chuyen-kho", 0, NEED_ADMIN,
     page_place_transfer},
    {"POST", "/quan-tri/dia-diem/*/kiem-kho", 0, NEED_ADMIN,
     page_place_count_open},
    {"GET", "/quan-tri/chuyen-kho", 0, NEED_ADMIN, page_transfers},
    {"GET", "/quan-tri/chuyen-kho/", 1, NEED_ADMIN, page_transfer},
    {"POST", "/quan-tri/chuyen-kho/*/nhan", 0, NEED_ADMIN,
     page_transfer_receive},
    {"GET", "/quan-tri/kiem-kho/", 1, NEED_ADMIN, page_count},
    {"POST", "/quan-tri/kiem-kho/", 1, NEED_ADMIN, page_count_post},
    {"GET", "/quan-tri/doi-soat", 0, NEED_ADMIN, page_settlement},
    {"GET", "/quan-tri/doi-soat.csv", 0, NEED_ADMIN, page_settlement_csv},
    {"GET", "/quan-tri/hoi-cho/", 1, NEED_ADMIN, page_fair_live},
    {"GET", "/quan-ly/ky-gui", 0, NEED_EDITOR, page_consign},
    {"GET", "/quan-ly/ky-gui.csv", 0, NEED_EDITOR, page_consign_csv},
    {"POST", "/api/v1/booths/*/queue", 0, NEED_USER, api_booth_queue},
    /* marketplace sync (sync_portal.c, sync_office.c) */
    {"GET", "/quan-ly/san", 0, NEED_EDITOR, page_shops},
    {"GET", "/quan-ly/san/postmart", 0, NEED_EDITOR, page_postmart},
    {"POST", "/quan-ly/san", 0, NEED_EDITOR, page_shop_add},
    {"GET", "/quan-ly/san/*/ket-noi", 0, NEED_EDITOR, page_shop_callback},
    {"POST", "/quan-ly/san/*/ket-noi", 0, NEED_EDITOR, page_shop_connect},
    {"GET", "/quan-ly/san/*/cap-quyen", 0, NEED_EDITOR, page_shop_authorise},
    {"POST", "/quan-ly/san/*/tam-dung", 0, NEED_EDITOR, page_shop_pause},
    {"POST", "/quan-ly/san/*/tiep-tuc", 0, NEED_EDITOR, page_shop_resume},
    {"POST", "/quan-ly/san-pham/*/san", 0, NEED_EDITOR, page_product_list_post},
    {"POST", "/quan-ly/dong-bo/*/thu-lai", 0, NEED_EDITOR, page_job_retry},
    {"POST", "/quan-ly/niem-yet/*/go", 0, NEED_EDITOR, page_listing_unlist},
    {"POST", "/quan-ly/niem-yet/*/dang-lai", 0, NEED_EDITOR,
     page_listing_relist},
    {"GET", "/quan-tri/dong-bo", 0, NEED_ADMIN, page_sync_health},
    {"POST", "/quan-tri/dong-bo/*/thu-lai", 0, NEED_ADMIN, page_sync_retry},
    {"GET", "/quan-tri/dong-bo/danh-muc", 0, NEED_ADMIN, page_sync_mapping},
    {"POST", "/quan-tri/dong-bo/danh-muc", 0, NEED_ADMIN,
     page_sync_mapping_post},
};

/* pattern_matches: "*" in the pattern takes one path segment; the first
 * two are kept in args. */
static int pattern_matches(struct arena *a, const char *pat, const char *path,
                           const char **args)
{
    int k = 0;

    while (*pat != '\0' && *path != '\0') {
        if (*pat == '*') {
            const char *end = strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);
            if (n == 0)
                return 0;
            if (k < 2)
                args[k++] = arena_strndup(a, path, n);
            path += n;
            pat++;
            continue;
        }
        if (*pat++ != *path++)
            return 0;
    }
    return *pat == '\0' && *path == '\0';
}

static int path_matches(const struct route *r, struct ctx *c,
                        const char **rest)
{
    const char *path = c->req->path;
    size_t n = strlen(r->path);

    if (strchr(r->path, '*') != NULL) {
        *rest = "";
        if (!pattern_matches(&c->req->arena, r->path, path, c->args))
            return 0;
        *rest = c->args[0];
        return 1;
    }
    if (r->prefix == 0) {
        *rest = "";
        return strcmp(path, r->path) == 0;
    }
    if (strncmp(path, r->path, n) != 0 || path[n] == '\0')
        return 0;
    if (r->prefix == 1 && strchr(path + n, '/') != NULL)
        return 0;
    *rest = path + n;
    return 1;
}

/* find_route: the route for path and method; *path_known is set when the
 * path exists under another method (405, not 404). */
static const struct route *find_route(struct ctx *c, const char **rest,
                                      int *path_known)
{
    const char *method = c->req->method;
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    size_t i;

    *path_known = 0;
    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!path_matches(&routes[i], c, rest))
            continue;
        if (strcmp(routes[i].method, m) == 0)
            return &routes[i];
        *path_known = 1;
    }
    return NULL;
}

void app_print_routes(FILE *out)
{
    static const char *const needs[] = {"public", "user", "editor", "admin"};
    size_t i;

    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        fprintf(out, "%s\t%s%s\t%s\n", routes[i].method, routes[i].path,
                routes[i].prefix == 1 ? "*" : routes[i].prefix == 2 ? "**" : "",
                needs[routes[i].need]);
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

/* resolve_principal: a bearer API key, else a session cookie, else the
 * public. A wrong key is an error; a stale cookie is just the public. */
static enum err resolve_principal(struct ctx *c, struct err_ctx *ec)
{
    const char *authz = http_header(c->req, "Authorization");
    const char *cookie = http_cookie(c->req, WEB_SESSION_COOKIE);
    struct auth_limits lim = {c->app->conf->session_idle_s,
                              c->app->conf->session_max_s};
    enum err e;

    if (authz != NULL) {
        if (strncmp(authz, "Bearer ", 7) != 0)
            return err_user(ec, ERR_UNAUTHORIZED, "err_api_key", NULL,
                            "not a bearer token");
        c->by_api_key = 1;
        e = auth_apikey(c->w->db, authz + 7, &c->who, ec);
        return e == ERR_OK ? web_pos_staff(c, ec) : e; /* X-Staff-Token */
    }
    if (cookie == NULL)
        return ERR_OK;
    e = auth_session(c->w->db, cookie, &lim, time(NULL), &c->who, ec);
    return e == ERR_UNAUTHORIZED ? ERR_OK : e;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* guard: role and CSRF checks before the handler runs. */
static enum hres guard(struct ctx *c, const struct route *r, int *ok)
{
    int signed_in = c->who.role != ROLE_PUBLIC;

    *ok = 0;
    if (r->need != NEED_NONE && !signed_in)
        return c->is_api ? web_fail(c, 401, "unauthorized", "err_unauthorized")
                         : web_redirect_login(c);
    if ((r->need == NEED_ADMIN && c->who.role != ROLE_ADMIN) ||
        (r->need == NEED_EDITOR && c->who.role != ROLE_ADMIN &&
         c->who.role != ROLE_PRODUCER))
        return web_fail(c, 403, "forbidden", "err_forbidden");
    /* Forms carry the session's CSRF token; API calls made with the
     * session cookie send it as X-CSRF-Token. Bearer keys need none. The
     * public forms (sign-in, reset) check their own double-submit token. */
    if (is_write(c->req->method) && r->need != NEED_NONE && !c->by_api_key &&
        !web_csrf_ok(c))
        return web_fail(c, 403, "csrf", "err_csrf");
    *ok = 1;
    return H_OK;
}

static enum hres route_request(struct ctx *c)
{
    struct param_error pe;
    const struct route *r;
    struct err_ctx ec = {0};
    int path_known = 0, ok = 0;
    enum hres h;
    enum err e;

    if (!params_check_request(c, &pe))
        return web_fail(c, 400, pe.code, pe.msg_key);
    e = db_catalog_version(c->w->db, &c->version, &ec);
    if (e == ERR_OK)
        e = resolve_principal(c, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    r = find_route(c, &c->rest, &path_known);
    if (r == NULL && path_known)
        return web_fail(c, 405, "method_not_allowed", "err_method");
    if (r == NULL)
        return page_not_found(c);
    h = guard(c, r, &ok);
    return ok ? r->fn(c) : h;
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
    c.ip = http_client_ip(req);
    if (c.w == NULL)
        return web_fail(&c, 503, "busy", "err_busy");
    if (req->body_refused)
        return web_refuse_body(&c);
    return route_request(&c);
}
