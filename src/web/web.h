/* web.h: private interface between the files of the web layer.
 * app.c routes; params.c validates query arguments; view.c builds and
 * renders page view models; pages.c and api.c are the handlers. A page and
 * its API twin call the same catalog function (one source of truth). */
#ifndef OCOP_WEB_H
#define OCOP_WEB_H

#include "catalog/cat.h"
#include "web/app.h"
#include "web/cache.h"

#include <stdint.h>

struct ctx {
    struct app *app;
    struct worker *w;
    struct http_req *req;
    enum lang lang;
    int lang_explicit; /* ?lang= was given */
    int is_api;
    char today[11];
    int64_t version;
    struct cat_env env;
    const char *rest; /* the path after the route's prefix, decoded */
};

/* --- replies (app.c) --- */
/* web_fail: an error reply: JSON {"error":{code,message}} under /api,
 * a themed page elsewhere; msg_key is an i18n key. */
enum hres web_fail(struct ctx *c, unsigned status, const char *code,
                   const char *msg_key);
/* web_fail_err: maps e to its status (ERR_NOTFOUND 404, ERR_INVALID 400,
 * ERR_TOOBIG 413, ERR_CONFLICT 409, else 500 logged with ec). */
enum hres web_fail_err(struct ctx *c, enum err e, const struct err_ctx *ec);
/* web_cache_key: a key for this request's response in the page cache. */
const char *web_cache_key(struct ctx *c, const char *kind);
enum hres web_send_cached(struct ctx *c, const char *key, const char *ctype,
                          const struct sb *body);

/* --- parameters (params.c) --- */
struct param_error {
    const char *code;    /* JSON error code */
    const char *msg_key; /* i18n key */
};
/* params_check_request: size and UTF-8 of all arguments. */
int params_check_request(struct ctx *c, struct param_error *pe);
/* params_listing: fills q from ?q= &group= &stars= &province= &commune=
 * &producer= &sort= &page= &per_page=; 0 with pe set when invalid. */
int params_listing(struct ctx *c, struct cat_query *q, struct param_error *pe);
int params_valid_slug(const char *s);
/* params_group_code: a group given as 1..6 or as its slug; 0 if none. */
int params_group_code(struct ctx *c, const char *v);

/* --- pages (pages.c) and API (api.c) --- */
enum hres page_home(struct ctx *c);
enum hres page_products(struct ctx *c);
enum hres page_product(struct ctx *c);
enum hres page_group(struct ctx *c);
enum hres page_producers(struct ctx *c);
enum hres page_producer(struct ctx *c);
enum hres page_qr(struct ctx *c);
enum hres page_sitemap(struct ctx *c);
enum hres page_robots(struct ctx *c);
enum hres page_not_found(struct ctx *c);
enum hres page_error(struct ctx *c, unsigned status, const char *msg_key);

enum hres api_products(struct ctx *c);
enum hres api_product(struct ctx *c);
enum hres api_producers(struct ctx *c);
enum hres api_producer(struct ctx *c);
enum hres api_groups(struct ctx *c);
enum hres api_places(struct ctx *c);
enum hres api_suggest(struct ctx *c);
enum hres api_send_json(struct ctx *c, unsigned status, const cJSON *json,
                        int cacheable);

/* --- views (view.c) --- */
/* view_new: the common page model (lang, t, assets, site, nav). */
cJSON *view_new(struct ctx *c, const char *title, const char *description,
                const char *canonical_path);
/* view_product: adds display fields (price text, star badge, certificate
 * words, localised names, URLs with the language) to a catalog product. */
void view_product(struct ctx *c, cJSON *p);
void view_products(struct ctx *c, cJSON *arr);
/* view_url: path with ?lang=en (or &lang=en) when the page is English. */
const char *view_url(struct ctx *c, const char *path);
/* view_render: renders template name with model and sends it. */
enum hres view_render(struct ctx *c, unsigned status, const char *name,
                      cJSON *model, const char *cache_key);

#endif
