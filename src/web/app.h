/* app.h: the web application: routes, handlers' shared state.
 * Owns: struct app (configuration, theme, media, groups, page cache),
 *   built before the worker threads start and read-only after (the page
 *   cache has its own lock); struct worker, the per-thread state (database
 *   connection, scratch buffers); the routing table.
 * Does not own: HTTP mechanics (http), domain rules (catalog, cert,
 *   srch), templates (tmpl).
 * Memory: app_new() result is the caller's; app_free(). */
#ifndef OCOP_APP_H
#define OCOP_APP_H

#include "assets/asset.h"
#include "core/conf.h"
#include "db/db.h"
#include "http/http.h"
#include "i18n/i18n.h"
#include "tmpl/tmpl.h"

#include <cjson/cJSON.h>
#include <stdio.h>

struct page_cache;

struct theme {
    struct tmpl_set *tmpl;
    struct asset_store *stat; /* /static/ */
    struct i18n *i18n;
    cJSON *assets; /* {"css": url, ...} for templates */
};

struct app {
    const struct conf *conf;
    struct theme theme;
    struct asset_store *media; /* /media/ */
    struct page_cache *cache;
    struct mworker *media_worker; /* photo processing (web/photos.c) */
};

struct worker {
    struct db *db;
    struct sb page;    /* rendered body, reused between requests */
    struct sb scratch;
};

enum err app_new(const struct conf *conf, struct app **out,
                 struct err_ctx *ec) MUST_CHECK;
void app_free(struct app *app);

/* app_print_routes: the routing table, one "METHOD\tPATH\tNEED" line each
 * ("*" is one path segment, "**" a path), for `ocop routes` and the
 * authorization tests. */
void app_print_routes(FILE *out);

/* http glue */
enum hres app_handle(void *cls, struct http_req *req);
/* web_body_policy: photo uploads are streamed multipart bodies of up to
 * 100 MB (web/photos.c); other bodies keep http's defaults. */
void web_body_policy(void *cls, struct http_req *req,
                     struct http_body_policy *p);
void *app_thread_init(void *cls);
void app_thread_fini(void *cls, void *thread_ctx);

#endif
