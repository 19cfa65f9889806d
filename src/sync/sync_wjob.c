/* sync_wjob.c: running one job: deciding the next call for its listing
 * (look up, upload images, create, price, stock, unlist), and what the
 * answer means for the job, the listing and the shop. */
#include "sync/sync_worker.h"

#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum err syncw_recover_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    (void)cls;
    return sync_job_recover(db, ec);
}

int64_t syncw_backoff_ms(const struct sync_opts *o, int attempts,
                   int64_t retry_after_ms)
{
    int64_t d = o->backoff_base_ms;
    for (int i = 1; i < attempts && d < o->backoff_max_ms; i++)
        d *= 2;
    if (d > o->backoff_max_ms)
        d = o->backoff_max_ms;
    /* equal jitter: half fixed, half random, so shops that failed together
     * do not all come back in the same instant */
    d = d / 2 + (int64_t)randombytes_uniform((uint32_t)(d / 2 + 1));
    return d > retry_after_ms ? d : retry_after_ms;
}

int sync_pending_left(struct worker *w)
{
    static const char sql[] =
        "SELECT 1 FROM sync_jobs j JOIN sync_listings l ON l.id = j.listing_id"
        " JOIN sync_shops s ON s.id = l.shop_id"
        " WHERE j.state IN ('pending', 'running') AND s.state = 'active'"
        " LIMIT 1";
    sqlite3_stmt *st = db_stmt(w->db, sql, NULL);
    if (!st)
        return 0;
    int left = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return left;
}

/* ---- ending a job ---- */

struct end_tx {
    const struct sync_job_end *end;
    const struct sync_sent *sent; /* may be NULL */
};

static enum err end_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct end_tx *t = cls;
    enum err e = ERR_OK;
    if (t->sent)
        e = sync_listing_sent(db, t->end->listing_id, t->sent, ec);
    return e == ERR_OK ? sync_job_end(db, t->end, ec) : e;
}

static void end_job(struct worker *w, struct xfer *x,
                    const struct sync_job_end *end, const struct sync_sent *sent)
{
    struct err_ctx ec;
    struct end_tx t = {end, sent};
    if (db_tx_run(w->db, "sync_job_end", end_fn, &t, &ec) != ERR_OK)
        log_msg(LOG_ERROR, "sync", "job %lld: %s", (long long)x->job.id, ec.msg);
    if (strcmp(end->state, "done") == 0)
        w->st.jobs_done++;
    syncw_xfer_free(x);
}

static const char *wanted_status(const struct xfer *x)
{
    return x->lr.wanted && x->lr.visible ? "synced" : "unlisted";
}

static void job_ok(struct worker *w, struct xfer *x, const char *status,
                   const struct sync_sent *sent)
{
    struct sync_job_end end = {x->job.id, x->job.listing_id, "done",
                               x->job.attempts, 0, 200, "", "", status, ""};
    end_job(w, x, &end, sent);
}

static void job_failed(struct worker *w, struct xfer *x, long status,
                       const char *code, const char *message)
{
    struct sync_job_end end = {x->job.id, x->job.listing_id, "failed",
                               x->job.attempts + 1, 0, status, code, message,
                               "failed", message};
    w->st.failed++;
    end_job(w, x, &end, NULL);
}

/* job_later: back in the queue; counted as an attempt unless it was the
 * shop's token, not the job, that failed. */
static void job_later(struct worker *w, struct xfer *x, long status,
                      const struct mkt_reply *r, int counts)
{
    int attempts = x->job.attempts + (counts ? 1 : 0);
    int dead = attempts >= w->o.max_attempts;
    struct sync_job_end end = {
        x->job.id, x->job.listing_id, dead ? "dead" : "pending", attempts,
        counts ? sync_now_ms() + syncw_backoff_ms(&w->o, attempts, r->retry_after_ms)
               : 0,
        status, r->code, r->message, dead ? "failed" : NULL, r->message};
    if (dead)
        w->st.dead++;
    else
        w->st.retried++;
    end_job(w, x, &end, NULL);
}

/* ---- the next call for a job ---- */

static enum err mark_create_sent(struct worker *w, struct xfer *x,
                                 struct err_ctx *ec);

static enum err missing_fields(struct worker *w, struct xfer *x, int *missing,
                               struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e = arr ? sync_item_missing(w->db, &x->rec, x->lr.group_code,
                                         &x->item, arr, ec)
                     : err_set(ec, ERR_NOMEM, "out of memory");
    *missing = 0;
    if (e == ERR_OK && cJSON_GetArraySize(arr) > 0) {
        struct sb list;
        const cJSON *m;
        sb_init(&list, 1024);
        cJSON_ArrayForEach(m, arr) {
            const char *f = cJSON_GetObjectItem(m, "field")->valuestring;
            if (sb_adds(&list, list.len ? "," : "") != ERR_OK ||
                sb_adds(&list, f) != ERR_OK)
                break;
        }
        *missing = 1;
        job_failed(w, x, 0, "missing_fields", sb_str(&list));
        sb_release(&list);
    }
    cJSON_Delete(arr);
    return e;
}

/* next_upload: 1 and the index in the call when a photo of the item is
 * not on the marketplace yet (where it takes uploads). */
static int next_upload(struct xfer *x)
{
    if (!mkt_has_op(x->rec.conn, MKT_OP_UPLOAD_IMAGE))
        return 0;
    for (int i = 0; i < x->item.n_images; i++)
        if (!x->item.image_ids[i][0]) {
            x->call.image_index = i;
            return 1;
        }
    return 0;
}

/* plan_create: a listing not yet on the marketplace. Returns the call, or
 * MKT_OP_COUNT when the job ended without one. */
static enum mkt_op plan_create(struct worker *w, struct xfer *x,
                               struct err_ctx *ec)
{
    int missing = 0;
    if (!x->lr.wanted || !x->lr.visible) {
        job_ok(w, x, "unlisted", NULL); /* nothing to take off */
        return MKT_OP_COUNT;
    }
    if (missing_fields(w, x, &missing, ec) != ERR_OK || missing)
        return missing ? MKT_OP_COUNT : MKT_OP_CREATE;
    /* A create went out and its answer was lost: look before creating
     * again, so the listing is never made twice. */
    if (x->lr.create_sent && mkt_has_op(x->rec.conn, MKT_OP_FIND))
        return MKT_OP_FIND;
    if (next_upload(x))
        return MKT_OP_UPLOAD_IMAGE;
    return mark_create_sent(w, x, ec) == ERR_OK ? MKT_OP_CREATE : MKT_OP_COUNT;
}

/* plan_update: the content of a listing that is on the marketplace. */
static enum mkt_op plan_update(struct worker *w, struct xfer *x,
                               struct err_ctx *ec)
{
    int missing = 0;
    if (!mkt_has_op(x->rec.conn, MKT_OP_UPDATE)) {
        job_ok(w, x, wanted_status(x), NULL);
        return MKT_OP_COUNT;
    }
    if (missing_fields(w, x, &missing, ec) != ERR_OK || missing)
        return missing ? MKT_OP_COUNT : MKT_OP_UPDATE;
    return next_upload(x) ? MKT_OP_UPLOAD_IMAGE : MKT_OP_UPDATE;
}

/* relist_phase: after a relist, what was not sent while the listing was
 * off sale: its content, then its price, then its stock. */
static enum mkt_op relist_phase(struct worker *w, struct xfer *x,
                                struct err_ctx *ec)
{
    if (x->phase == 1 && !mkt_has_op(x->rec.conn, MKT_OP_UPDATE))
        x->phase = 2;
    if (x->phase == 1)
        return plan_update(w, x, ec);
    return x->phase == 2 ? MKT_OP_PRICE : MKT_OP_STOCK;
}

static enum mkt_op plan(struct worker *w, struct xfer *x, struct err_ctx *ec)
{
    const char *k = x->job.kind;
    int desired = x->lr.wanted && x->lr.visible;
    if (!x->item.ext_item_id[0])
        return plan_create(w, x, ec);
    if (x->phase)
        return relist_phase(w, x, ec);
    if (!desired && (strcmp(k, "price") == 0 || strcmp(k, "stock") == 0 ||
                     strcmp(k, "update") == 0)) {
        /* off sale: nothing to tell (on Sendo a price or stock update
         * would even put it back on sale); a relist sends it all */
        job_ok(w, x, "unlisted", NULL);
        return MKT_OP_COUNT;
    }
    if (strcmp(k, "update") == 0)
        return plan_update(w, x, ec);
    if (strcmp(k, "create") == 0) {
        job_ok(w, x, wanted_status(x), NULL);
        return MKT_OP_COUNT;
    }
    if (strcmp(k, "price") == 0)
        return MKT_OP_PRICE;
    if (strcmp(k, "stock") == 0)
        return MKT_OP_STOCK;
    /* unlist / relist: whatever the catalog wants now */
    if (!desired)
        return MKT_OP_UNLIST;
    if (!mkt_has_op(x->rec.conn, MKT_OP_RELIST)) {
        job_failed(w, x, 0, "relist_manual",
                   "Sàn này không cho bán lại sản phẩm qua API: hãy bật lại"
                   " sản phẩm trong trang người bán của sàn.");
        return MKT_OP_COUNT;
    }
    return MKT_OP_RELIST;
}

static enum err create_sent_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct sync_sent s = {NULL, NULL, 1, -1, -1};
    return sync_listing_sent(db, *(int64_t *)cls, &s, ec);
}

static enum err mark_create_sent(struct worker *w, struct xfer *x,
                                 struct err_ctx *ec)
{
    /* written before the request leaves, so a crash or a lost answer is
     * followed by a look-up, not a second create */
    int64_t id = x->job.listing_id;
    enum err e = db_tx_run(w->db, "sync_create_sent", create_sent_fn, &id, ec);
    if (e != ERR_OK)
        job_failed(w, x, 0, "internal", ec->msg);
    return e;
}

/* job_next: load the listing as the catalog says it now and send the next
 * call; ends the job when there is nothing to send. */
static void job_next(struct worker *w, struct xfer *x)
{
    struct err_ctx ec;
    sync_item_free(&x->item, &x->lr);
    enum err e = sync_item_load(w->db, x->job.listing_id, &x->rec, &w->o,
                                &x->a, &x->item, &x->lr, &ec);
    if (e != ERR_OK) {
        job_failed(w, x, 0, "internal", ec.msg);
        return;
    }
    enum mkt_op op = plan(w, x, &ec);
    if (op == MKT_OP_COUNT)
        return; /* plan ended the job */
    if (syncw_send(w, x, op, &ec) != ERR_OK)
        job_failed(w, x, 0, "request", ec.msg);
}

static void job_start(struct worker *w, const struct sync_job *j)
{
    struct err_ctx ec;
    struct wshop *s = syncw_shop(w, j->shop_id);
    struct xfer *x = s ? syncw_xfer_new(X_JOB, s) : NULL;
    if (!x)
        return; /* stays 'running' until the next start recovers it */
    x->job = *j;
    if (sync_shop_load(w->db, j->shop_id, &x->a, &x->rec, &ec) != ERR_OK) {
        job_failed(w, x, 0, "internal", ec.msg);
        return;
    }
    job_next(w, x);
}

/* ---- claiming ---- */

struct claim {
    struct worker *w;
    int64_t now;
    int room;
    struct sync_job *jobs;
    int n;
};

/* claim_fn: for every shop that may send now, as many of its runnable
 * jobs as its rate allows, oldest first. */
static enum err claim_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct claim *c = cls;
    c->n = 0; /* a retried transaction starts again */
    for (size_t i = 0; i < c->w->n_shops && c->n < c->room; i++) {
        struct wshop *s = &c->w->shops[i];
        int got = 0, limit = syncw_allowance(c->w, s, c->now);
        if (limit > c->room - c->n)
            limit = c->room - c->n;
        if (limit <= 0)
            continue;
        enum err e = sync_job_claim_shop(db, c->now, s->id, limit,
                                         c->jobs + c->n, &got, ec);
        if (e != ERR_OK)
            return e;
        c->n += got;
    }
    return ERR_OK;
}

void syncw_claim(struct worker *w, int64_t now)
{
    struct err_ctx ec;
    struct claim c = {w, now, w->o.max_inflight - w->inflight, NULL, 0};
    w->claimable = 0;
    if (c.room <= 0 || syncw_ready_shops(w, now) == 0) {
        /* nothing could be sent now: look again when a token comes back */
        w->claimable = c.room <= 0 || sync_pending_left(w);
        return;
    }
    c.jobs = calloc((size_t)c.room, sizeof *c.jobs);
    if (!c.jobs)
        return;
    if (db_tx_run(w->db, "sync_claim", claim_fn, &c, &ec) != ERR_OK) {
        log_msg(LOG_WARN, "sync", "claiming jobs: %s", ec.msg);
        c.n = 0;
    }
    for (int i = 0; i < c.n; i++)
        syncw_spend(w, syncw_shop(w, c.jobs[i].shop_id));
    w->claimable = c.n > 0 || sync_pending_left(w);
    for (int i = 0; i < c.n; i++)
        job_start(w, &c.jobs[i]);
    free(c.jobs);
}

/* ---- answers ---- */

struct image_tx {
    int64_t listing_id, photo_id;
    const char *ref;
};

static enum err image_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct image_tx *t = cls;
    return sync_listing_image(db, t->listing_id, t->photo_id, t->ref, ec);
}

struct nf_tx {
    int64_t listing_id;
    const struct sync_sent *sent;
};


static enum err sent_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct nf_tx *t = cls;
    return sync_listing_sent(db, t->listing_id, t->sent, ec);
}

/* record_sent: what the marketplace holds, in the middle of a job. */
static enum err record_sent(struct worker *w, struct xfer *x,
                            const struct sync_sent *sent)
{
    struct err_ctx ec;
    struct nf_tx t = {x->job.listing_id, sent};
    enum err e = db_tx_run(w->db, "sync_sent", sent_fn, &t, &ec);
    if (e != ERR_OK)
        job_failed(w, x, 200, "internal", ec.msg);
    return e;
}

static void on_ok(struct worker *w, struct xfer *x, const struct mkt_reply *r)
{
    struct err_ctx ec;
    struct sync_sent sent = {NULL, NULL, -1, -1, -1};
    switch (x->call.op) {
    case MKT_OP_UPLOAD_IMAGE: {
        int64_t photo = x->lr.photo_ids[x->call.image_index];
        if (db_tx_run(w->db, "sync_image", image_fn,
                      &(struct image_tx){x->job.listing_id, photo, r->image_id},
                      &ec) != ERR_OK) {
            job_failed(w, x, 200, "internal", ec.msg);
            return;
        }
        syncw_spend(w, x->shop);
        job_next(w, x);
        return;
    }
    case MKT_OP_FIND:
    case MKT_OP_CREATE:
        sent.ext_item_id = r->ext_item_id;
        sent.ext_sku_id = r->ext_sku_id;
        sent.create_sent = 0;
        if (x->call.op == MKT_OP_CREATE) {
            sent.price = x->item.price_vnd;
            sent.stock = x->item.stock;
        }
        break;
    case MKT_OP_RELIST:
        /* back on sale: bring content, price and stock up to date, as
         * they were not sent while it was off */
        x->phase = 1;
        syncw_spend(w, x->shop);
        job_next(w, x);
        return;
    case MKT_OP_UPDATE:
        if (x->phase == 1) {
            x->phase = 2;
            syncw_spend(w, x->shop);
            job_next(w, x);
            return;
        }
        break;
    case MKT_OP_PRICE:
        sent.price = x->item.price_vnd;
        if (x->phase == 2) {
            x->phase = 3;
            if (record_sent(w, x, &sent) != ERR_OK)
                return;
            syncw_spend(w, x->shop);
            job_next(w, x);
            return;
        }
        break;
    case MKT_OP_STOCK:
        sent.stock = x->item.stock;
        break;
    default:
        break;
    }
    job_ok(w, x, x->call.op == MKT_OP_UNLIST ? "unlisted" : wanted_status(x),
           &sent);
}

/* on_not_found: FIND found nothing (create it), or the marketplace lost
 * the item (create it again). */
static void on_not_found(struct worker *w, struct xfer *x,
                         const struct mkt_reply *r, long status)
{
    struct err_ctx ec;
    struct sync_sent sent = {"", "", 0, -1, -1};
    if (x->call.op != MKT_OP_FIND && x->call.op != MKT_OP_PRICE &&
        x->call.op != MKT_OP_STOCK && x->call.op != MKT_OP_UNLIST &&
        x->call.op != MKT_OP_RELIST && x->call.op != MKT_OP_UPDATE) {
        job_failed(w, x, status, r->code, r->message);
        return;
    }
    if (db_tx_run(w->db, "sync_not_found", sent_fn,
                  &(struct nf_tx){x->job.listing_id, &sent}, &ec) != ERR_OK) {
        job_failed(w, x, status, "internal", ec.msg);
        return;
    }
    syncw_spend(w, x->shop);
    job_next(w, x);
}

void syncw_job_done(struct worker *w, struct xfer *x, long status,
              const struct mkt_reply *r)
{
    switch (r->outcome) {
    case MKT_OK:
        w->st.ok++;
        on_ok(w, x, r);
        return;
    case MKT_NOT_FOUND:
        on_not_found(w, x, r, status);
        return;
    case MKT_INVALID:
        job_failed(w, x, status, r->code, r->message);
        return;
    case MKT_AUTH_EXPIRED:
        /* the shop's token, not the job: refresh, then run it again; a
         * token refused right after a refresh counts as an attempt */
        x->shop->need_refresh = 1;
        job_later(w, x, status, r,
                  sync_now_ms() - x->shop->refreshed_ms < 10000);
        return;
    case MKT_AUTH_REVOKED:
        x->shop->need_refresh = 1;
        job_later(w, x, status, r, 0);
        return;
    case MKT_RETRY:
    default:
        if (status == 429)
            x->shop->hold_until_ms =
                sync_now_ms() + (r->retry_after_ms > 0 ? r->retry_after_ms : 1000);
        job_later(w, x, status, r, 1);
        return;
    }
}
