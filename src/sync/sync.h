/* sync.h: keeping the marketplaces in step with the catalog.
 * Owns: marketplace shops and their sealed credentials (sync_shops), the
 *   category and attribute mapping (sync_categories), listings (one
 *   variant on one shop, sync_listings), the outbox (sync_jobs, written by
 *   the triggers of migration 0006 in the same transaction as the change)
 *   and imported orders (sync_orders). The worker (sync_worker.c) runs the
 *   outbox through the connectors (integrations/) with libcurl multi.
 * Does not own: a marketplace's protocol (integrations/NAME), stock
 *   movements (stk: an order becomes a stk_record sale), prices (catalog).
 * Status words shown to people: a listing is "waiting" (queued or in
 *   flight), "synced", "failed" (the marketplace refused it, message in
 *   its own words) or "unlisted"; a job is pending, running, done, failed
 *   (not retried: validation) or dead (retries exhausted).
 * Errors: ERR_NOTFOUND for unknown shops, listings, jobs; ERR_INVALID /
 *   ERR_UNPROCESSABLE with an i18n key for bad input; ERR_UPSTREAM when a
 *   marketplace refuses a token exchange (message says why). */
#ifndef OCOP_SYNC_H
#define OCOP_SYNC_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* ---- shops ---- */

struct sync_shop_new {
    const char *market;      /* a connector name: shopee, lazada, ... */
    const char *name;        /* what people call the shop */
    int64_t producer_id;
    int64_t location_id;     /* stock it sells from; 0: a new channel place */
    const char *api_base, *auth_base, *web_base; /* NULL: the connector's */
    const char *app_key, *app_secret;            /* the app's credentials */
    const char *shop_ref;    /* known already (Sendo shop_key), or NULL */
    const char *warehouse;   /* NULL or "" */
    double rate_per_s;       /* 0: the marketplace's documented default */
    int is_demo;
};
enum err sync_shop_add(struct db *db, const struct actor *who,
                       const struct sync_shop_new *n, int64_t *id_out,
                       struct err_ctx *ec) MUST_CHECK;

/* sync_shop_auth_url: where to send the seller to authorise the shop; the
 * redirect comes back to redirect with ?code=&state= (and shop_id for
 * Shopee). Empty string for Sendo (sync_shop_connect with no code). */
enum err sync_shop_auth_url(struct db *db, int64_t shop_id,
                            const char *redirect, char *buf, size_t size,
                            struct err_ctx *ec) MUST_CHECK;

/* sync_shop_connect: exchange code (NULL for Sendo) for tokens, seal and
 * store them, mark the shop active. state must match the nonce from
 * sync_shop_auth_url (NULL from the CLI). shop_ref: from the redirect
 * (Shopee's shop_id), or NULL. Blocking: one HTTPS call. */
enum err sync_shop_connect(struct db *db, const struct actor *who,
                           int64_t shop_id, const char *code,
                           const char *state, const char *shop_ref,
                           struct err_ctx *ec) MUST_CHECK;

/* sync_shop_set_state: "paused" or "active" (resume). */
enum err sync_shop_set_state(struct db *db, const struct actor *who,
                             int64_t shop_id, const char *state,
                             struct err_ctx *ec) MUST_CHECK;

/* sync_shops: [{"id","market","market_label","name","producer_id",
 * "producer","location_id","location","state","state_message",
 * "connected","listings","synced","waiting","failed","dead",
 * "access_expires_at","orders_since"}]; producer_id 0: every shop. Never
 * contains a secret. */
enum err sync_shops(struct db *db, int64_t producer_id, cJSON **out,
                    struct err_ctx *ec) MUST_CHECK;
/* sync_shop: one shop as above; ERR_NOTFOUND. */
enum err sync_shop(struct db *db, int64_t shop_id, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

/* ---- listings ---- */

/* sync_list_product: put every variant of a product on a shop (listings
 * that exist are wanted again). The shop must belong to the product's
 * producer. *added gets the number of new listings. */
enum err sync_list_product(struct db *db, const struct actor *who,
                           int64_t shop_id, int64_t product_id, int *added,
                           struct err_ctx *ec) MUST_CHECK;

/* sync_listing_set_wanted: 0 takes it off sale there, 1 puts it back. */
enum err sync_listing_set_wanted(struct db *db, const struct actor *who,
                                 int64_t listing_id, int wanted,
                                 struct err_ctx *ec) MUST_CHECK;

/* sync_product_status: for the portal, per shop of the product's producer:
 * [{"shop_id","shop","market","market_label","state","listed" (bool),
 *   "variants":[{"listing_id","variant_id","sku","size","status",
 *   "message","link","missing":[{"field","label"}],"job_id",
 *   "job_state","attempts","synced_at"}]}] */
enum err sync_product_status(struct db *db, int64_t product_id, cJSON **out,
                             struct err_ctx *ec) MUST_CHECK;

/* sync_missing: what a marketplace requires that this listing lacks:
 * [{"field","label"}] (label is an i18n key), [] when complete. */
enum err sync_missing(struct db *db, int64_t listing_id, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;

/* ---- jobs ---- */

/* sync_retry: "retry now" for a failed or dead job: pending, due now, its
 * attempts counted afresh. */
enum err sync_retry(struct db *db, const struct actor *who, int64_t job_id,
                    struct err_ctx *ec) MUST_CHECK;

/* sync_health: {"pending","running","failed","dead","done_1h",
 * "oldest_pending_s","shops":[{"id","name","market_label","state",
 * "state_message","pending","failed","dead","last_ok_at"}],
 * "problems":[{"job_id","listing_id","shop","sku","kind","state",
 * "attempts","http_status","error_code","message","finished_at"}]} */
enum err sync_health(struct db *db, cJSON **out,
                     struct err_ctx *ec) MUST_CHECK;

/* sync_job_producer: the producer a job's listing belongs to (for the
 * portal's authorisation), or ERR_NOTFOUND. */
enum err sync_job_producer(struct db *db, int64_t job_id, int64_t *out,
                           struct err_ctx *ec) MUST_CHECK;
enum err sync_listing_producer(struct db *db, int64_t listing_id,
                               int64_t *out, struct err_ctx *ec) MUST_CHECK;

/* ---- category mapping ---- */

/* sync_categories: [{"market","market_label","group_code","group",
 * "category_id","category_name","attributes":{...},"required":[...]}]
 * for one market, or every market when market is NULL. */
enum err sync_categories(struct db *db, const char *market, cJSON **out,
                         struct err_ctx *ec) MUST_CHECK;

/* sync_category_set: attributes a JSON object text (name -> string),
 * required a JSON array text of field names (sync_fields()). */
enum err sync_category_set(struct db *db, const struct actor *who,
                           const char *market, int64_t group_code,
                           const char *category_id,
                           const char *category_name,
                           const char *attributes, const char *required,
                           struct err_ctx *ec) MUST_CHECK;

/* sync_fields: the field names a mapping may require, NULL-terminated:
 * category, brand, description, image, weight, price, barcode, and
 * "attr:<name>" for a mapped attribute. */
const char *const *sync_fields(void);

/* sync_categories_seed: load integrations/NAME/categories.json files
 * found under dir for markets with no mapping yet. */
enum err sync_categories_seed(struct db *db, const char *dir,
                              struct err_ctx *ec) MUST_CHECK;

/* ---- the worker ---- */

struct sync_opts {
    int max_inflight;       /* requests in flight at once (default 64) */
    long timeout_ms;        /* per request (default 10000) */
    int max_attempts;       /* then dead (default 8) */
    long backoff_base_ms;   /* first retry delay (default 1000) */
    long backoff_max_ms;    /* cap (default 300000) */
    long orders_every_s;    /* order polling per shop (default 60) */
    double default_rate;    /* req/s per shop when unknown (default 5) */
    const char *media_dir;  /* local photo files */
    const char *base_url;   /* public URL of this server, for image URLs */
    double market_rate;     /* req/s per marketplace, all shops (default 200) */
    int drain;              /* sync_run: wait out backoffs until no job is
                             * pending (tests, `ocop sync run --drain`) */
};
void sync_opts_default(struct sync_opts *o);

struct sync_stats {
    int64_t requests, ok, retried, failed, dead, refreshed, revoked, orders;
    int64_t jobs_done;
};

/* sync_run: run the worker in this thread until nothing is due (idle),
 * or max_s seconds passed (0: no limit). `ocop sync run`. */
enum err sync_run(const char *db_path, const struct sync_opts *o,
                  double max_s, struct sync_stats *st,
                  struct err_ctx *ec) MUST_CHECK;

/* sync_worker_start/stop: the same loop on a background thread (ocop
 * serve), waking every second; stop waits for in-flight requests. */
struct sync_worker;
enum err sync_worker_start(const char *db_path, const struct sync_opts *o,
                           struct sync_worker **out,
                           struct err_ctx *ec) MUST_CHECK;
void sync_worker_stop(struct sync_worker *w);

#endif
