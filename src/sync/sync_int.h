/* sync_int.h: what the files of the sync module share (not for others).
 * Owns: loading a shop with its credentials opened (sync_shop.c), storing
 *   new tokens sealed, loading a listing as the catalog says it now
 *   (sync_item.c), and turning a connector's request into a curl handle
 *   (sync_http.c). */
#ifndef OCOP_SYNC_INT_H
#define OCOP_SYNC_INT_H

#include "common/conn.h"
#include "core/arena.h"
#include "core/sb.h"
#include "sync/sync.h"

#include <curl/curl.h>

struct sync_shop_rec {
    int64_t id, producer_id, location_id;
    struct mkt_shop s;                /* strings in the caller's arena */
    const struct mkt_connector *conn;
    char state[16];
    double rate_per_s;
    int64_t access_expires_at, refresh_expires_at, orders_since;
};

/* sync_shop_load: the shop with its secrets opened into a. */
enum err sync_shop_load(struct db *db, int64_t shop_id, struct arena *a,
                        struct sync_shop_rec *out,
                        struct err_ctx *ec) MUST_CHECK;

/* sync_shop_store_tokens: seal app_secret + the reply's tokens and keep
 * their lifetimes; the shop becomes active (and shop_ref is set when the
 * reply names the shop). Inside the caller's transaction or alone. */
enum err sync_shop_store_tokens(struct db *db, int64_t shop_id,
                                const char *app_secret,
                                const struct mkt_reply *r,
                                struct err_ctx *ec) MUST_CHECK;

/* sync_shop_revoke: the seller must reconnect: state revoked, message. */
enum err sync_shop_revoke(struct db *db, int64_t shop_id, const char *message,
                          struct err_ctx *ec) MUST_CHECK;

/* One listing as it must be sent now. */
struct sync_listing_rec {
    int64_t id, shop_id, variant_id, product_id, group_code;
    int wanted, visible, create_sent;
    char status[16];
    cJSON *images_done;               /* photo id -> ref; caller frees */
    int64_t *photo_ids;               /* per item image, in a */
};

/* sync_item_load: the item for listing_id in market (mapping applied),
 * strings in a; free with sync_item_free (even after a failure). */
enum err sync_item_load(struct db *db, int64_t listing_id,
                        const struct sync_shop_rec *shop,
                        const struct sync_opts *o, struct arena *a,
                        struct mkt_item *item, struct sync_listing_rec *lr,
                        struct err_ctx *ec) MUST_CHECK;

/* sync_item_missing: the required fields item lacks for its mapping,
 * appended to arr as {"field","label"}. */
enum err sync_item_missing(struct db *db, const struct sync_shop_rec *shop,
                           int64_t group_code, const struct mkt_item *item,
                           cJSON *arr, struct err_ctx *ec) MUST_CHECK;
void sync_item_free(struct mkt_item *item, struct sync_listing_rec *lr);

/* HTTP. A transfer's memory: headers, form, the answer's body. */
struct sync_http {
    CURL *easy;
    struct curl_slist *headers;
    curl_mime *mime;
    struct sb body;
};
enum err sync_http_setup(struct sync_http *h, const struct mkt_req *r,
                         long timeout_ms, struct err_ctx *ec) MUST_CHECK;
void sync_http_cleanup(struct sync_http *h);

/* sync_http_once: send one request and wait (token exchanges from a web
 * request or the CLI). *status 0 when no answer came. */
enum err sync_http_once(const struct mkt_req *r, long timeout_ms,
                        long *status, struct sb *body,
                        struct err_ctx *ec) MUST_CHECK;

int64_t sync_now_ms(void);

#endif
