/* sync_job.h: the outbox as the worker uses it (part of sync).
 * Owns: choosing which jobs may run now (one per listing, in queue
 *   order, active shops only), marking them running, and recording their
 *   end and what the marketplace now holds. All inside the caller's
 *   transaction. */
#ifndef OCOP_SYNC_JOB_H
#define OCOP_SYNC_JOB_H

#include "sync/sync_int.h"

#include <stdlib.h>

struct sync_job {
    int64_t id, listing_id;
    char kind[12];
    int attempts;
    int64_t shop_id;
};

enum err sync_job_recover(struct db *db, struct err_ctx *ec) MUST_CHECK;

/* sync_job_claim_shop: up to limit runnable jobs of one active shop (the
 * oldest pending job of each listing with none in flight, due), oldest
 * first, marked running, into out[0..*n). */
enum err sync_job_claim_shop(struct db *db, int64_t now_ms, int64_t shop_id,
                             int limit, struct sync_job *out, int *n,
                             struct err_ctx *ec) MUST_CHECK;
/* sync_job_prune: forget done jobs older than a week. */
enum err sync_job_prune(struct db *db, struct err_ctx *ec) MUST_CHECK;

struct sync_job_end {
    int64_t job_id, listing_id;
    const char *state;          /* pending (retry later), done, failed, dead */
    int attempts;
    int64_t due_ms;
    long http_status;
    const char *code, *message;
    const char *listing_status; /* NULL: unchanged */
    const char *listing_message;
};
enum err sync_job_end(struct db *db, const struct sync_job_end *end,
                      struct err_ctx *ec) MUST_CHECK;

/* What the marketplace holds now; NULL / -1 leaves a field as it is. */
struct sync_sent {
    const char *ext_item_id, *ext_sku_id;
    int create_sent;
    int64_t price, stock;
};
enum err sync_listing_sent(struct db *db, int64_t listing_id,
                           const struct sync_sent *s,
                           struct err_ctx *ec) MUST_CHECK;
enum err sync_listing_image(struct db *db, int64_t listing_id,
                            int64_t photo_id, const char *ref,
                            struct err_ctx *ec) MUST_CHECK;

/* Orders (sync_orders.c): new ones become sales at the shop's place,
 * cancelled ones give their stock back; each order once. */
enum err sync_orders_import(struct db *db, const struct sync_shop_rec *shop,
                            const cJSON *orders, int *imported,
                            struct err_ctx *ec) MUST_CHECK;
enum err sync_orders_since(struct db *db, int64_t shop_id, int64_t until,
                           struct err_ctx *ec) MUST_CHECK;

#endif
