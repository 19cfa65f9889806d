/* api_write.c: the write API: product changes, undo, evaluations and
 * revocations. The portal's forms call the same domain functions. */
#include "web/web.h"

#include "catalog/cat_edit.h"
#include "cert/cert.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

cJSON *web_json_body(struct ctx *c, enum hres *h)
{
    cJSON *j;

    if (c->req->body_too_big) {
        *h = web_fail(c, 413, "too_big", "err_too_big");
        return NULL;
    }
    j = cJSON_ParseWithLength(sb_str(&c->req->body), c->req->body.len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        *h = web_fail(c, 400, "invalid_json", "err_json_object");
        return NULL;
    }
    return j;
}

cJSON *web_editable(struct ctx *c, const char *slug, enum hres *h)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL;
    enum err e;

    if (slug == NULL || !params_valid_slug(slug)) {
        *h = web_fail(c, 404, "not_found", "err_product_not_found");
        return NULL;
    }
    e = cat_editable(c->w->db, slug, &p, &ec);
    if (e != ERR_OK) {
        *h = web_fail_err(c, e, &ec);
        return NULL;
    }
    if (!auth_may_edit_producer(
            &c->who,
            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "producer_id")))) {
        cJSON_Delete(p);
        *h = web_fail(c, 403, "forbidden", "err_not_your_product");
        return NULL;
    }
    return p;
}

static int64_t id_of(const cJSON *o)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id"));
}

/* send_product: the whole product, as GET /api/v1/products/{slug}. */
static enum hres send_product(struct ctx *c, const char *slug, unsigned status)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL;
    enum hres h;
    enum err e = cat_product_any(c->w->db, &c->env, slug, &p, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    h = api_send_json(c, status, p, 0);
    cJSON_Delete(p);
    return h;
}

struct patch_job {
    struct actor who;
    int64_t id;
    const cJSON *patch;
};

static enum err patch_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct patch_job *j = cls;

    return cat_patch(db, &j->who, j->id, j->patch, NULL, ec);
}

enum hres api_product_patch(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *body;
    struct patch_job job;
    struct err_ctx ec = {0};
    enum err e;

    if (p == NULL)
        return h;
    body = web_json_body(c, &h);
    if (body == NULL) {
        cJSON_Delete(p);
        return h;
    }
    job = (struct patch_job){auth_actor(&c->who, c->ip), id_of(p), body};
    e = db_tx_run(c->w->db, "product patch", patch_tx, &job, &ec);
    cJSON_Delete(body);
    cJSON_Delete(p);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return send_product(c, c->rest, 200);
}

enum hres api_product_history(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *revs = NULL, *wrap;
    struct err_ctx ec = {0};
    enum err e;

    if (p == NULL)
        return h;
    e = cat_revisions(c->w->db, id_of(p), 100, &revs, &ec);
    cJSON_Delete(p);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    wrap = cJSON_CreateObject();
    cJSON_AddItemToObject(wrap, "items", revs);
    h = api_send_json(c, 200, wrap, 0);
    cJSON_Delete(wrap);
    return h;
}

struct undo_job {
    struct actor who;
    int64_t id, rev;
};

static enum err undo_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct undo_job *j = cls;

    return cat_undo(db, &j->who, j->id, j->rev, ec);
}

enum hres api_product_undo(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *body;
    const cJSON *rev;
    struct undo_job job;
    struct err_ctx ec = {0};
    enum err e;

    if (p == NULL)
        return h;
    body = web_json_body(c, &h);
    rev = cJSON_GetObjectItem(body, "revision");
    if (body != NULL && !cJSON_IsNumber(rev))
        h = web_fail(c, 422, "invalid_value", "err_revision");
    if (body == NULL || !cJSON_IsNumber(rev)) {
        cJSON_Delete(body);
        cJSON_Delete(p);
        return h;
    }
    job = (struct undo_job){auth_actor(&c->who, c->ip), id_of(p),
                            (int64_t)cJSON_GetNumberValue(rev)};
    cJSON_Delete(body);
    cJSON_Delete(p);
    e = db_tx_run(c->w->db, "product undo", undo_tx, &job, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return send_product(c, c->rest, 200);
}

static double num_or(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? cJSON_GetNumberValue(v) : dflt;
}

/* evaluation_from_json: fills ev from the request; 0 with *key set when a
 * value has the wrong type. */
static int evaluation_from_json(const cJSON *b, struct cert_evaluation *ev,
                                const char **key)
{
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(b, "parts");

    *key = NULL;
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(b, "score")))
        *key = "err_score";
    else if (parts != NULL && !cJSON_IsObject(parts))
        *key = "err_parts";
    ev->score = num_or(b, "score", -1);
    ev->part_a = num_or(parts, "A", -1);
    ev->part_b = num_or(parts, "B", -1);
    ev->part_c = num_or(parts, "C", -1);
    ev->level = cJSON_GetStringValue(cJSON_GetObjectItem(b, "level"));
    ev->decision_no = cJSON_GetStringValue(cJSON_GetObjectItem(b, "decision_no"));
    ev->decision_date =
        cJSON_GetStringValue(cJSON_GetObjectItem(b, "decision_date"));
    ev->legal_basis = cJSON_GetStringValue(cJSON_GetObjectItem(b, "legal_basis"));
    if (ev->decision_date == NULL && *key == NULL)
        *key = "err_decision_date";
    return *key == NULL;
}

struct eval_job {
    struct actor who;
    struct cert_evaluation ev;
    cJSON *out;
};

static enum err eval_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct eval_job *j = cls;

    cJSON_Delete(j->out); /* a retried transaction starts over */
    j->out = NULL;
    return cert_evaluate(db, &j->who, &j->ev, &j->out, ec);
}

/* web_evaluate: shared by the API and the office's form. */
enum err web_evaluate(struct ctx *c, struct cert_evaluation *ev, cJSON **out,
                      struct err_ctx *ec)
{
    struct eval_job job = {auth_actor(&c->who, c->ip), *ev, NULL};
    enum err e = db_tx_run(c->w->db, "evaluate", eval_tx, &job, ec);

    *out = job.out;
    if (e != ERR_OK) {
        cJSON_Delete(job.out);
        *out = NULL;
    }
    return e;
}

enum hres api_evaluation_post(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *body, *out = NULL;
    struct cert_evaluation ev = {0};
    struct err_ctx ec = {0};
    const char *bad;
    enum err e;

    if (p == NULL)
        return h;
    ev.product_id = id_of(p);
    cJSON_Delete(p);
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    if (!evaluation_from_json(body, &ev, &bad)) {
        cJSON_Delete(body);
        return web_fail(c, 422, "invalid_value", bad);
    }
    e = web_evaluate(c, &ev, &out, &ec);
    cJSON_Delete(body); /* ev's strings pointed into it */
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    h = api_send_json(c, 201, out, 0);
    cJSON_Delete(out);
    return h;
}

enum hres api_certificates(struct ctx *c)
{
    enum hres h = H_OK;
    cJSON *p = web_editable(c, c->rest, &h), *list = NULL, *wrap;
    struct err_ctx ec = {0};
    enum err e;

    if (p == NULL)
        return h;
    e = cert_history(c->w->db, id_of(p), c->today, &list, &ec);
    cJSON_Delete(p);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    wrap = cJSON_CreateObject();
    cJSON_AddItemToObject(wrap, "items", list);
    h = api_send_json(c, 200, wrap, 0);
    cJSON_Delete(wrap);
    return h;
}

struct revoke_job {
    struct actor who;
    int64_t id;
    const char *reason, *today;
};

static enum err revoke_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct revoke_job *j = cls;

    return cert_revoke(db, &j->who, j->id, j->reason, j->today, ec);
}

enum err web_revoke(struct ctx *c, int64_t cert_id, const char *reason,
                    struct err_ctx *ec)
{
    struct revoke_job job = {auth_actor(&c->who, c->ip), cert_id, reason,
                             c->today};

    return db_tx_run(c->w->db, "revoke", revoke_tx, &job, ec);
}

enum hres api_revoke_post(struct ctx *c)
{
    char *end;
    long long id = strtoll(c->rest, &end, 10);
    enum hres h = H_OK;
    struct err_ctx ec = {0};
    cJSON *body, *out = NULL;
    enum err e;

    if (*end != '\0' || id <= 0)
        return web_fail(c, 404, "not_found", "err_certificate_not_found");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    e = web_revoke(c, id,
                   cJSON_GetStringValue(cJSON_GetObjectItem(body, "reason")), &ec);
    cJSON_Delete(body);
    if (e == ERR_OK)
        e = cert_by_id(c->w->db, id, c->today, &out, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    h = api_send_json(c, 200, out, 0);
    cJSON_Delete(out);
    return h;
}
