/* sync_worker.c: the worker: runs the outbox through the connectors with
 * the libcurl multi interface (many requests in flight on one thread),
 * a token bucket per shop and per marketplace, retries with exponential
 * backoff and jitter, token refresh, and order polling.
 * Memory: each transfer owns an arena (its item, request, answer); shops
 * are a small array owned by the worker. */
#include "sync/sync_worker.h"

#include "core/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void sync_opts_default(struct sync_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_inflight = 64;
    o->timeout_ms = 10000;
    o->max_attempts = 8;
    o->backoff_base_ms = 1000;
    o->backoff_max_ms = 300000;
    o->orders_every_s = 60;
    o->default_rate = 5;
    o->market_rate = 200;
    o->media_dir = "var/media";
    o->base_url = "http://127.0.0.1:8080";
}

/* ---- rate limits ---- */

static void refill(double *tokens, int64_t *last, double rate, int64_t now)
{
    if (*last == 0)
        *last = now;
    *tokens += (double)(now - *last) * rate / 1000.0;
    /* a burst of one: the limit holds over any window, not on average */
    if (*tokens > 1.0)
        *tokens = 1.0;
    *last = now;
}

static struct wmarket *market_of(struct worker *w, const char *name)
{
    for (size_t i = 0; i < sizeof w->markets / sizeof w->markets[0]; i++) {
        if (!w->markets[i].name[0])
            snprintf(w->markets[i].name, sizeof w->markets[i].name, "%s", name);
        if (strcmp(w->markets[i].name, name) == 0)
            return &w->markets[i];
    }
    return &w->markets[0];
}

int syncw_may_send(struct worker *w, struct wshop *s, int64_t now)
{
    struct wmarket *m = market_of(w, s->market);
    if (!s->active || s->need_refresh || s->refreshing ||
        now < s->hold_until_ms)
        return 0;
    refill(&s->tokens, &s->refill_ms, s->rate, now);
    refill(&m->tokens, &m->refill_ms, w->o.market_rate, now);
    return s->tokens >= 1.0 && m->tokens >= 1.0;
}

int syncw_allowance(struct worker *w, struct wshop *s, int64_t now)
{
    if (!syncw_may_send(w, s, now))
        return 0;
    double room = s->tokens < market_of(w, s->market)->tokens
                      ? s->tokens
                      : market_of(w, s->market)->tokens;
    return room < 1.0 ? 0 : (int)room;
}

int syncw_ready_shops(struct worker *w, int64_t now)
{
    int n = 0;
    for (size_t i = 0; i < w->n_shops; i++)
        n += syncw_may_send(w, &w->shops[i], now);
    return n;
}

/* next_wake: milliseconds until a shop that spent its token gets the next
 * one, so a rate-limited queue is served on time (1 to 20 ms). */
static long next_wake(struct worker *w)
{
    double best = 20.0;
    for (size_t i = 0; i < w->n_shops; i++) {
        const struct wshop *s = &w->shops[i];
        if (s->active && s->tokens < 1.0 && s->rate > 0) {
            double ms = (1.0 - s->tokens) * 1000.0 / s->rate;
            if (ms < best)
                best = ms;
        }
    }
    return best < 1.0 ? 1 : (long)best + 1;
}

void syncw_spend(struct worker *w, struct wshop *s)
{
    s->tokens -= 1.0;
    market_of(w, s->market)->tokens -= 1.0;
}

/* ---- shops ---- */

struct wshop *syncw_shop(struct worker *w, int64_t id)
{
    for (size_t i = 0; i < w->n_shops; i++)
        if (w->shops[i].id == id)
            return &w->shops[i];
    return NULL;
}

static enum err shops_load(struct worker *w, int64_t now, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, market, rate_per_s, state, access_expires_at, orders_since"
        " FROM sync_shops ORDER BY id";
    sqlite3_stmt *st = db_stmt(w->db, sql, ec);
    if (!st)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        struct wshop *s = syncw_shop(w, id);
        if (!s) {
            struct wshop *grown =
                realloc(w->shops, (w->n_shops + 1) * sizeof *grown);
            if (!grown) {
                sqlite3_reset(st);
                return err_set(ec, ERR_NOMEM, "out of memory");
            }
            w->shops = grown;
            s = &w->shops[w->n_shops++];
            memset(s, 0, sizeof *s);
            s->id = id;
            s->tokens = 1.0;
            s->orders_due_ms = now;
        }
        snprintf(s->market, sizeof s->market, "%s", db_text(st, 1));
        double rate = sqlite3_column_double(st, 2);
        s->rate = rate > 0 ? rate : w->o.default_rate;
        s->active = strcmp(db_text(st, 3), "active") == 0;
        s->access_expires_at = sqlite3_column_int64(st, 4);
        s->orders_since = sqlite3_column_int64(st, 5);
        /* refresh ahead of expiry, not after a failed call */
        if (s->active && s->access_expires_at > 0 &&
            s->access_expires_at * 1000 - now < 120000 && !s->refreshing)
            s->need_refresh = 1;
    }
    sqlite3_reset(st);
    w->shops_loaded_ms = now;
    return ERR_OK;
}

/* ---- transfers ---- */

void syncw_xfer_free(struct xfer *x)
{
    if (!x)
        return;
    sync_item_free(&x->item, &x->lr);
    sync_http_cleanup(&x->h);
    if (x->rec.s.app_secret)
        sodium_memzero((char *)x->rec.s.app_secret, strlen(x->rec.s.app_secret));
    arena_release(&x->a);
    free(x);
}

struct xfer *syncw_xfer_new(enum xkind kind, struct wshop *s)
{
    struct xfer *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->kind = kind;
    x->shop = s;
    arena_init(&x->a, 16384);
    return x;
}

/* send: build the call into a request and hand it to curl. */
enum err syncw_send(struct worker *w, struct xfer *x, enum mkt_op op,
                          struct err_ctx *ec)
{
    memset(&x->req, 0, sizeof x->req);
    sync_http_cleanup(&x->h);
    x->call.op = op;
    x->call.shop = &x->rec.s;
    x->call.item = x->kind == X_JOB ? &x->item : NULL;
    x->call.now_ms = sync_now_ms();
    enum err e = x->rec.conn->build(&x->a, &x->call, &x->req, ec);
    if (e == ERR_OK)
        e = sync_http_setup(&x->h, &x->req, w->o.timeout_ms, ec);
    curl_easy_setopt(x->h.easy, CURLOPT_PRIVATE, x);
    /* libcurl silently sends a request again when a reused connection
     * turns out closed; for a create that would make a second listing
     * if the first had been made, so a create gets a connection of its
     * own (a lost answer is settled by a look-up instead) */
    if (e == ERR_OK && op == MKT_OP_CREATE) {
        curl_easy_setopt(x->h.easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(x->h.easy, CURLOPT_FORBID_REUSE, 1L);
    }
    if (e == ERR_OK && curl_multi_add_handle(w->multi, x->h.easy) != CURLM_OK)
        e = err_set(ec, ERR_IO, "curl_multi_add_handle");
    if (e == ERR_OK) {
        x->next = w->live;
        if (w->live)
            w->live->prev = x;
        w->live = x;
        w->inflight++;
        x->shop->inflight++;
        w->st.requests++;
    }
    return e;
}


/* ---- the loop ---- */

static void unlink_live(struct worker *w, struct xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        w->live = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->prev = x->next = NULL;
}

static void on_done(struct worker *w, CURLMsg *msg)
{
    struct xfer *x = NULL;
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
    if (msg->data.result == CURLE_OK)
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(w->multi, msg->easy_handle);
    unlink_live(w, x);
    w->inflight--;
    x->shop->inflight--;
    struct mkt_reply r;
    memset(&r, 0, sizeof r);
    if (msg->data.result == CURLE_OK) {
        x->rec.conn->parse(&x->call, status, sb_str(&x->h.body),
                           x->h.body.len, &r);
    } else {
        r.outcome = MKT_RETRY; /* no answer: a timeout or a dropped line */
        snprintf(r.message, sizeof r.message, "%s",
                 curl_easy_strerror(msg->data.result));
    }
    if (x->kind == X_JOB)
        syncw_job_done(w, x, status, &r);
    else
        syncw_shop_done(w, x, status, &r);
    cJSON_Delete(r.orders);
    sodium_memzero(r.access_token, sizeof r.access_token);
    sodium_memzero(r.refresh_token, sizeof r.refresh_token);
}

static enum err prune_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    (void)cls;
    return sync_job_prune(db, ec);
}

static void step(struct worker *w, struct err_ctx *ec)
{
    int64_t now = sync_now_ms();
    int running = 0;
    if (now - w->shops_loaded_ms >= 1000 && shops_load(w, now, ec) != ERR_OK)
        log_msg(LOG_WARN, "sync", "loading shops: %s", ec->msg);
    if (now - w->pruned_ms >= 3600000) {
        w->pruned_ms = now;
        if (db_tx_run(w->db, "sync_prune", prune_fn, NULL, ec) != ERR_OK)
            log_msg(LOG_WARN, "sync", "pruning jobs: %s", ec->msg);
    }
    syncw_shop_work(w, now);
    syncw_claim(w, now);
    curl_multi_perform(w->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(w->multi, &left)))
        if (msg->msg == CURLMSG_DONE)
            on_done(w, msg);
}

static int idle(struct worker *w, int64_t now)
{
    if (w->inflight > 0 || w->claimable)
        return 0;
    for (size_t i = 0; i < w->n_shops; i++) {
        struct wshop *s = &w->shops[i];
        if (s->active && (s->need_refresh || s->orders_busy ||
                          s->orders_due_ms <= now))
            return 0;
    }
    return !w->o.drain || !sync_pending_left(w);
}

static enum err worker_init(struct worker *w, const char *db_path,
                            const struct sync_opts *o, struct err_ctx *ec)
{
    memset(w, 0, sizeof *w);
    w->o = *o;
    enum err e = db_open(db_path, DB_READWRITE, &w->db, ec);
    if (e != ERR_OK)
        return e;
    w->multi = curl_multi_init();
    if (!w->multi)
        return err_set(ec, ERR_NOMEM, "curl_multi_init");
    curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)o->max_inflight);
    e = db_tx_run(w->db, "sync_recover", syncw_recover_fn, NULL, ec);
    return e == ERR_OK ? shops_load(w, sync_now_ms(), ec) : e;
}

static void worker_free(struct worker *w)
{
    if (w->multi) {
        /* abandon what is in flight: the jobs are still 'running' in the
         * database and the next start puts them back in the queue */
        while (w->live) {
            struct xfer *x = w->live;
            unlink_live(w, x);
            curl_multi_remove_handle(w->multi, x->h.easy);
            syncw_xfer_free(x);
        }
        curl_multi_cleanup(w->multi);
    }
    free(w->shops);
    db_close(w->db);
}

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

enum err sync_run(const char *db_path, const struct sync_opts *o,
                  double max_s, struct sync_stats *st, struct err_ctx *ec)
{
    struct worker w;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum err e = worker_init(&w, db_path, o, ec);
    int quiet = 0;
    while (e == ERR_OK) {
        step(&w, ec);
        /* idle twice in a row: an answer handled in the last step (orders
         * imported, say) may have queued jobs the step did not see */
        quiet = idle(&w, sync_now_ms()) ? quiet + 1 : 0;
        if (quiet >= 2 || (max_s > 0 && elapsed_s(&t0) > max_s))
            break;
        curl_multi_poll(w.multi, NULL, 0, w.claimable ? next_wake(&w) : 50,
                        NULL);
    }
    if (st)
        *st = w.st;
    worker_free(&w);
    return e;
}

/* ---- in the background (ocop serve) ---- */

struct sync_worker {
    pthread_t thread;
    atomic_int stop;
    struct worker w;
};

static void *worker_main(void *cls)
{
    struct sync_worker *sw = cls;
    struct err_ctx ec;
    while (!atomic_load(&sw->stop)) {
        step(&sw->w, &ec);
        curl_multi_poll(sw->w.multi, NULL, 0,
                        sw->w.claimable ? next_wake(&sw->w)
                                        : sw->w.inflight ? 20 : 1000,
                        NULL);
    }
    return NULL;
}

enum err sync_worker_start(const char *db_path, const struct sync_opts *o,
                           struct sync_worker **out, struct err_ctx *ec)
{
    struct sync_worker *sw = calloc(1, sizeof *sw);
    *out = NULL;
    if (!sw)
        return err_set(ec, ERR_NOMEM, "out of memory");
    enum err e = worker_init(&sw->w, db_path, o, ec);
    if (e == ERR_OK && pthread_create(&sw->thread, NULL, worker_main, sw) != 0)
        e = err_set(ec, ERR_IO, "cannot start the sync worker");
    if (e != ERR_OK) {
        worker_free(&sw->w);
        free(sw);
        return e;
    }
    *out = sw;
    return ERR_OK;
}

void sync_worker_stop(struct sync_worker *sw)
{
    if (!sw)
        return;
    atomic_store(&sw->stop, 1);
    curl_multi_wakeup(sw->w.multi);
    pthread_join(sw->thread, NULL);
    worker_free(&sw->w);
    free(sw);
}
