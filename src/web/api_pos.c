/* api_pos.c: the sales API the booth POS uses (partners may too), stock
 * per place, the end-of-day report and the buyer's e-receipt page. */
#include "web/web.h"

#include "cert/cert.h"
#include "pos/pos.h"
#include "stock/stk.h"

#include <stdlib.h>
#include <string.h>

static int64_t id_arg(const char *s)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return 0;
    v = strtoll(s, &end, 10);
    return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static enum hres send_owned(struct ctx *c, unsigned status, cJSON *j)
{
    enum hres h = api_send_json(c, status, j, 0);

    cJSON_Delete(j);
    return h;
}

enum hres api_sale_post(struct ctx *c)
{
    const char *key = http_header(c->req, "Idempotency-Key");
    struct err_ctx ec = {0};
    cJSON *sale = NULL;
    int replayed = 0;
    enum err e;

    if (c->req->body_too_big)
        return web_fail(c, 413, "too_big", "err_too_big");
    e = pos_sale(c->w->db, &c->who, c->ip, key, sb_str(&c->req->body),
                 c->req->body.len, &sale, &replayed, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    /* The same key and body again: the sale as first recorded. */
    return send_owned(c, replayed ? 200 : 201, sale);
}

enum hres api_sales(struct ctx *c)
{
    int64_t booth = id_arg(http_arg(c->req, "booth"));
    const char *since = http_arg(c->req, "since");
    struct err_ctx ec = {0};
    cJSON *list = NULL, *wrap;
    enum err e;

    if (booth == 0)
        return web_fail(c, 400, "invalid_booth", "err_sale_booth");
    if (since != NULL && *since != '\0' &&
        (strlen(since) < 10 || !cert_valid_date(arena_strndup(&c->req->arena,
                                                               since, 10))))
        return web_fail(c, 400, "invalid_since", "err_since");
    if (!pos_may_sell(c->w->db, &c->who, booth))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    e = pos_sales(c->w->db, booth, since && *since ? since : NULL, &list, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    wrap = cJSON_CreateObject();
    cJSON_AddNumberToObject(wrap, "total", cJSON_GetArraySize(list));
    cJSON_AddItemToObject(wrap, "items", list);
    return send_owned(c, 200, wrap);
}

static enum hres sale_after(struct ctx *c, int64_t id, enum err e,
                            struct err_ctx *ec)
{
    cJSON *sale = NULL;

    if (e == ERR_OK)
        e = pos_sale_get(c->w->db, id, &sale, ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, ec);
    return send_owned(c, 200, sale);
}

enum hres api_sale_void(struct ctx *c)
{
    int64_t id = id_arg(c->args[0]);
    enum hres h = H_OK;
    struct err_ctx ec = {0};
    cJSON *body;
    enum err e;

    if (id == 0)
        return web_fail(c, 404, "not_found", "err_sale_not_found");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    e = pos_void(c->w->db, &c->who, c->ip, id,
                 cJSON_GetStringValue(cJSON_GetObjectItem(body, "reason")), &ec);
    cJSON_Delete(body);
    return sale_after(c, id, e, &ec);
}

enum hres api_sale_return(struct ctx *c)
{
    int64_t id = id_arg(c->args[0]);
    enum hres h = H_OK;
    struct err_ctx ec = {0};
    cJSON *body;
    enum err e;

    if (id == 0)
        return web_fail(c, 404, "not_found", "err_sale_not_found");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    e = pos_return(c->w->db, &c->who, c->ip, id,
                   cJSON_GetObjectItem(body, "lines"),
                   cJSON_GetStringValue(cJSON_GetObjectItem(body, "reason")), &ec);
    cJSON_Delete(body);
    return sale_after(c, id, e, &ec);
}

enum hres api_location_stock(struct ctx *c)
{
    int64_t id = id_arg(c->args[0]);
    struct err_ctx ec = {0};
    cJSON *place = NULL, *stock = NULL;
    enum err e;

    /* who may, before whether it exists: no probing of place ids */
    if (id == 0 || !pos_may_sell(c->w->db, &c->who, id))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    e = stk_place(c->w->db, id, &place, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    e = stk_stock(c->w->db, id, &stock, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(place);
        return web_fail_err(c, e, &ec);
    }
    cJSON_AddItemToObject(place, "items", stock);
    return send_owned(c, 200, place);
}

enum hres api_booth_z(struct ctx *c)
{
    int64_t id = id_arg(c->args[0]);
    const char *day = http_arg(c->req, "day");
    struct err_ctx ec = {0};
    cJSON *z = NULL;
    enum err e;

    if (id == 0 || !pos_may_sell(c->w->db, &c->who, id))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    if (day != NULL && *day != '\0' && !cert_valid_date(day))
        return web_fail(c, 400, "invalid_day", "err_day");
    e = pos_z_report(c->w->db, id, day && *day ? day : c->today, &z, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return send_owned(c, 200, z);
}
