/* api.c: the read-only JSON API under /api/v1 (see docs/openapi.yaml).
 * Each handler calls the same catalog function as its page twin and
 * serialises the canonical JSON. */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#define SUGGEST_MAX 8

static const char json_type[] = "application/json; charset=utf-8";

enum hres api_send_json(struct ctx *c, unsigned status, const cJSON *json,
                        int cacheable)
{
    char *text = cJSON_PrintUnformatted(json);
    struct sb body;
    const char *key = NULL;
    enum hres h;

    if (text == NULL)
        return H_FATAL;
    body = (struct sb){.buf = text, .len = strlen(text),
                       .cap = strlen(text) + 1, .max = strlen(text) + 1};
    if (status == 200 && cacheable)
        key = web_cache_key(c, "api");
    if (status == 200)
        h = web_send_cached(c, key, json_type, &body);
    else
        h = http_send_sb(c->req, status, json_type, &body, "no-store");
    free(text);
    return h;
}

/* send_result: sends a catalog result or its error, and frees it. */
static enum hres send_result(struct ctx *c, enum err e, cJSON *json,
                             const struct err_ctx *ec)
{
    enum hres h;

    if (e != ERR_OK) {
        cJSON_Delete(json);
        return web_fail_err(c, e, ec);
    }
    h = api_send_json(c, 200, json, 1);
    cJSON_Delete(json);
    return h;
}

static int cached(struct ctx *c)
{
    const char *key = web_cache_key(c, "api");

    return key != NULL && page_cache_send(c->app->cache, c->req, key);
}

enum hres api_products(struct ctx *c)
{
    struct cat_query q;
    struct param_error pe;
    struct err_ctx ec;
    cJSON *res = NULL;
    enum err e;

    if (!params_listing(c, &q, &pe))
        return web_fail(c, 400, pe.code, pe.msg_key);
    if (cached(c))
        return H_OK;
    e = cat_list(c->w->db, &c->env, &q, &res, &ec);
    return send_result(c, e, res, &ec);
}

enum hres api_product(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *res = NULL;
    enum err e;

    if (!params_valid_slug(c->rest))
        return web_fail(c, 404, "not_found", "err_product_not_found");
    if (cached(c))
        return H_OK;
    e = cat_product(c->w->db, &c->env, c->rest, &res, &ec);
    if (e == ERR_NOTFOUND)
        return web_fail(c, 404, "not_found", "err_product_not_found");
    return send_result(c, e, res, &ec);
}

enum hres api_producers(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *res = NULL, *wrap;
    enum err e;

    if (cached(c))
        return H_OK;
    e = cat_producers(c->w->db, &c->env, &res, &ec);
    if (e != ERR_OK)
        return send_result(c, e, res, &ec);
    wrap = cJSON_CreateObject();
    if (wrap == NULL) {
        cJSON_Delete(res);
        return H_FATAL;
    }
    cJSON_AddNumberToObject(wrap, "total", cJSON_GetArraySize(res));
    cJSON_AddItemToObject(wrap, "items", res);
    return send_result(c, ERR_OK, wrap, &ec);
}

enum hres api_producer(struct ctx *c)
{
    struct cat_query q;
    struct err_ctx ec;
    cJSON *res = NULL, *products = NULL;
    enum err e;

    if (!params_valid_slug(c->rest))
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    if (cached(c))
        return H_OK;
    e = cat_producer(c->w->db, &c->env, c->rest, &res, &ec);
    if (e == ERR_NOTFOUND)
        return web_fail(c, 404, "not_found", "err_producer_not_found");
    cat_query_init(&q);
    q.producer = c->rest;
    q.sort = CAT_SORT_NAME;
    q.per_page = CAT_PER_PAGE_MAX;
    if (e == ERR_OK)
        e = cat_list(c->w->db, &c->env, &q, &products, &ec);
    if (e == ERR_OK)
        cJSON_AddItemToObject(res, "products",
                              cJSON_DetachItemFromObject(products, "items"));
    cJSON_Delete(products);
    return send_result(c, e, res, &ec);
}

static enum hres wrap_items(struct ctx *c, enum err e, cJSON *arr,
                            const struct err_ctx *ec)
{
    cJSON *wrap;

    if (e != ERR_OK)
        return send_result(c, e, arr, ec);
    wrap = cJSON_CreateObject();
    if (wrap == NULL) {
        cJSON_Delete(arr);
        return H_FATAL;
    }
    cJSON_AddItemToObject(wrap, "items", arr);
    return send_result(c, ERR_OK, wrap, ec);
}

enum hres api_groups(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *res = NULL;
    enum err e;

    if (cached(c))
        return H_OK;
    e = cat_groups(c->w->db, &c->env, 1, &res, &ec);
    return wrap_items(c, e, res, &ec);
}

enum hres api_places(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *res = NULL;
    enum err e;

    if (cached(c))
        return H_OK;
    e = cat_places(c->w->db, &c->env, &res, &ec);
    return wrap_items(c, e, res, &ec);
}

enum hres api_suggest(struct ctx *c)
{
    const char *q = http_arg(c->req, "q");
    struct err_ctx ec;
    cJSON *res = NULL;
    enum err e;

    if (q == NULL)
        return web_fail(c, 400, "missing_query", "err_missing_query");
    if (strlen(q) > 200)
        return web_fail(c, 400, "query_too_long", "err_query_too_long");
    if (cached(c))
        return H_OK;
    e = cat_suggest(c->w->db, &c->env, q, SUGGEST_MAX, &res, &ec);
    return wrap_items(c, e, res, &ec);
}
