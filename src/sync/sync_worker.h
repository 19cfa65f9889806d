/* sync_worker.h: the worker's parts (sync_worker.c: the loop, shops and
 * rate limits; sync_wjob.c: running jobs; sync_wshop.c: token refresh and
 * orders). Internal to sync. */
#ifndef OCOP_SYNC_WORKER_H
#define OCOP_SYNC_WORKER_H

#include "sync/sync_job.h"

enum xkind { X_JOB, X_REFRESH, X_ORDERS, X_ORDER_LINES };

struct wshop {
    int64_t id;
    char market[16];
    double rate, tokens;
    int64_t refill_ms, hold_until_ms;
    int active, inflight;
    int need_refresh, refreshing;
    int64_t refreshed_ms, access_expires_at, retry_refresh_ms;
    int64_t orders_due_ms, orders_since, orders_until;
    int orders_busy; /* transfers of the current walk still out */
};

struct wmarket {
    char name[16];
    double tokens;
    int64_t refill_ms;
};

struct xfer {
    enum xkind kind;
    struct wshop *shop;
    struct sync_job job;
    struct arena a;
    struct sync_shop_rec rec;
    struct mkt_item item;
    struct sync_listing_rec lr;
    struct mkt_call call;
    struct mkt_req req;
    struct sync_http h;
    char cursor[256];
    int phase; /* after a relist: 1 content, 2 price, 3 stock next */
    struct xfer *prev, *next; /* the worker's transfers in flight */
};

struct worker {
    struct db *db;
    struct sync_opts o;
    CURLM *multi;
    struct wshop *shops;
    size_t n_shops;
    struct wmarket markets[8];
    int inflight;
    struct xfer *live;  /* in flight, to abandon on stop */
    int64_t shops_loaded_ms, pruned_ms;
    int claimable;     /* the last claim found runnable work */
    struct sync_stats st;
};

/* sync_worker.c */
enum err syncw_send(struct worker *w, struct xfer *x, enum mkt_op op,
                   struct err_ctx *ec) MUST_CHECK;
struct xfer *syncw_xfer_new(enum xkind kind, struct wshop *s);
void syncw_xfer_free(struct xfer *x);
struct wshop *syncw_shop(struct worker *w, int64_t id);
int syncw_may_send(struct worker *w, struct wshop *s, int64_t now);
void syncw_spend(struct worker *w, struct wshop *s);
int syncw_ready_shops(struct worker *w, int64_t now);
/* syncw_allowance: how many requests the shop may start now (0: none). */
int syncw_allowance(struct worker *w, struct wshop *s, int64_t now);

/* sync_wjob.c */
void syncw_claim(struct worker *w, int64_t now);
void syncw_job_done(struct worker *w, struct xfer *x, long status,
              const struct mkt_reply *r);
int sync_pending_left(struct worker *w);
enum err syncw_recover_fn(struct db *db, void *cls, struct err_ctx *ec);
int64_t syncw_backoff_ms(const struct sync_opts *o, int attempts,
                   int64_t retry_after_ms);

/* sync_wshop.c */
void syncw_shop_work(struct worker *w, int64_t now);
void syncw_shop_done(struct worker *w, struct xfer *x, long status,
               const struct mkt_reply *r);

#endif
