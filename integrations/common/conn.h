/* conn.h: the one C interface every marketplace connector implements.
 * Owns: the description of one marketplace call (struct mkt_call), the
 *   HTTP request a connector builds for it (struct mkt_req) and what the
 *   connector makes of the answer (struct mkt_reply), and the table of
 *   connectors (mkt_connector()).
 * Does not own: sending (the sync worker does all I/O with the libcurl
 *   multi interface), the queue, rate limits, retries, storing tokens.
 *   A connector is pure: build() turns a call into bytes, parse() turns
 *   an HTTP status and body into an outcome. That is what makes it
 *   testable without a network and lets one worker keep hundreds of
 *   requests in flight.
 *
 * A listing is one catalog variant (one SKU) on one shop: "Mật ong rừng
 * U Minh 500 ml" is one Shopee item, one Lazada product with one SKU, one
 * TikTok product with one SKU (ADR 0007).
 *
 * Memory: build() allocates everything it returns from the arena a; the
 *   call and its item are the caller's. parse() copies into fixed buffers
 *   of the reply, except reply->orders (a cJSON array the caller frees).
 * Errors: build() returns ERR_INVALID (with a message) when the call
 *   cannot be expressed (a required field missing: the sync engine checks
 *   the category mapping first, so this is a last line), ERR_NOTFOUND when
 *   the marketplace has no such operation (mkt_has_op() says which). */
#ifndef OCOP_MKT_CONN_H
#define OCOP_MKT_CONN_H

#include "core/arena.h"
#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

enum mkt_op {
    MKT_OP_TOKEN_CODE,    /* exchange an authorisation code (Sendo: log in) */
    MKT_OP_TOKEN_REFRESH, /* new access token (Sendo: log in again) */
    MKT_OP_SHOP_INFO,     /* TikTok: the shop cipher after authorisation */
    MKT_OP_UPLOAD_IMAGE,  /* one image of the item, call->image_index */
    MKT_OP_FIND,          /* look the item up by seller SKU (dedupe) */
    MKT_OP_CREATE,        /* create the listing with price, stock, images */
    MKT_OP_PRICE,         /* set the price of the item's SKU */
    MKT_OP_STOCK,         /* set the stock of the item's SKU (absolute) */
    MKT_OP_UNLIST,        /* take the item off sale */
    MKT_OP_RELIST,        /* put an unlisted item back on sale */
    MKT_OP_ORDERS,        /* orders created or updated in [since, until) */
    MKT_OP_ORDER_LINES,   /* the lines of orders listed without them */
    MKT_OP_UPDATE,        /* the listing's content now: title, description,
                           * images (every item->image_ids entry, uploaded
                           * first where the marketplace takes uploads;
                           * item->image_urls where it takes URLs), weight,
                           * category and attributes; never price or stock */
    MKT_OP_COUNT
};

/* One seller shop, with its credentials in clear (in memory only). */
struct mkt_shop {
    const char *market;       /* "shopee", "lazada", ... */
    const char *api_base;     /* no trailing '/': "https://partner.shopeemobile.com",
                               * "https://api.lazada.vn/rest", a mock's
                               * "http://127.0.0.1:P/shopee" */
    const char *auth_base;    /* token host where it differs (Lazada
                               * "https://auth.lazada.com/rest", TikTok
                               * "https://auth.tiktok-shops.com", Tiki
                               * "https://api.tiki.vn"); else == api_base */
    const char *web_base;     /* where buyers see items: "https://shopee.vn" */
    const char *app_key;      /* partner_id, app_key, client_id, shop_key */
    const char *app_secret;   /* partner_key, app_secret, client_secret,
                               * secret_key: never logged */
    const char *shop_ref;     /* Shopee shop_id, TikTok shop_cipher, Lazada
                               * seller_id, Tiki seller id, Sendo shop_key */
    const char *access_token; /* "" before authorisation */
    const char *refresh_token;
    const char *warehouse;    /* TikTok warehouse_id, Tiki warehouse id; "" */
};

/* The listing as the catalog says it now. Strings are never NULL ("" when
 * absent). */
struct mkt_item {
    const char *seller_sku;   /* the catalog SKU: the dedupe key everywhere */
    const char *title;        /* product name + size, as buyers see it */
    const char *description;  /* plain text, paragraphs split by "\n\n" */
    const char *category_id;  /* the marketplace's category, from mapping */
    const cJSON *attributes;  /* object: marketplace attribute -> value */
    const char *brand;        /* producer name when no brand is mapped */
    int64_t price_vnd;
    int64_t stock;            /* >= 0 */
    int64_t weight_g;         /* package weight, grams, > 0 */
    int n_images;
    const char *const *image_urls;  /* public https URLs of the photos */
    const char *const *image_paths; /* local JPEG files of the same photos */
    const char *const *image_ids;   /* what UPLOAD_IMAGE returned per photo
                                     * ("" not uploaded yet) */
    const char *ext_item_id;  /* the marketplace's item id; "" before create */
    const char *ext_sku_id;   /* its SKU/model id where it has one; "" */
};

struct mkt_call {
    enum mkt_op op;
    const struct mkt_shop *shop;
    const struct mkt_item *item; /* for item operations; else NULL */
    int image_index;             /* UPLOAD_IMAGE */
    const char *code;            /* TOKEN_CODE: the code from the redirect */
    int64_t since, until;        /* ORDERS: Unix seconds */
    const char *cursor;          /* ORDERS: "" for the first page */
    const char *order_ids;       /* ORDER_LINES: ids joined by ',' (<= 50) */
    int64_t now_ms;              /* the clock, Unix milliseconds */
};

#define MKT_MAX_HEADERS 8
#define MKT_MAX_FORM 8

struct mkt_form_field {
    const char *name, *value;
};

struct mkt_req {
    const char *method;       /* "GET", "POST", "PUT", "DELETE" */
    char *url;                /* absolute, query included, URL-encoded */
    const char *headers[MKT_MAX_HEADERS]; /* "Name: value" */
    int n_headers;
    const char *body;         /* exact bytes to send, or NULL */
    size_t body_len;
    /* multipart/form-data when file_path is set: the text fields in form[]
     * and one file part named file_field. Urlencoded forms go in body. */
    const char *file_path, *file_field, *file_type;
    struct mkt_form_field form[MKT_MAX_FORM];
    int n_form;
};

enum mkt_outcome {
    MKT_OK,
    MKT_RETRY,         /* 429, 5xx, timeouts, malformed answers: try later */
    MKT_INVALID,       /* the marketplace refused the data: do not retry;
                        * message is the marketplace's own words */
    MKT_AUTH_EXPIRED,  /* access token expired or invalid: refresh, go on */
    MKT_AUTH_REVOKED,  /* refresh impossible: the seller must reconnect */
    MKT_NOT_FOUND      /* FIND found nothing; PRICE/STOCK: item is gone */
};

struct mkt_reply {
    enum mkt_outcome outcome;
    char message[512];        /* the marketplace's message, or ours */
    char code[64];            /* the marketplace's error code, for logs */
    /* CREATE, FIND */
    char ext_item_id[64], ext_sku_id[64];
    /* UPLOAD_IMAGE: the id, uri or hosted URL the item refers to */
    char image_id[512];
    /* TOKEN_*: lifetimes as absolute Unix seconds (0 = unknown) */
    char access_token[512], refresh_token[512];
    int64_t access_expires_at, refresh_expires_at;
    char shop_ref[128];       /* TOKEN_CODE / SHOP_INFO, when the answer
                               * names the shop (shop_id, cipher, seller) */
    /* ORDERS, ORDER_LINES: [{"id": "...", "status": "...",
     *   "created_at": unix, "cancelled": bool, "lines": [{"seller_sku":
     *   "...", "qty": n, "price_vnd": n}]}]; the caller frees it. An
     *   order listed without "lines" has them fetched by ORDER_LINES
     *   (which fills "id" and "lines", other keys optional). */
    cJSON *orders;
    char cursor[256];         /* next page; "" when this was the last */
    int64_t retry_after_ms;   /* what the marketplace asked for, or 0 */
};

struct mkt_connector {
    const char *name;         /* "shopee" */
    const char *label;        /* "Shopee", as shown to people */
    /* default hosts, for a shop added without its own */
    const char *api_base, *auth_base, *web_base;
    /* bit (1 << op) for every operation it has */
    unsigned ops;
    /* requests per second per shop the documentation allows (0: unknown,
     * the engine uses its default) */
    double rate_per_shop;
    enum err (*build)(struct arena *a, const struct mkt_call *c,
                      struct mkt_req *r, struct err_ctx *ec);
    void (*parse)(const struct mkt_call *c, long http_status,
                  const char *body, size_t len, struct mkt_reply *out);
    /* link: the buyer-facing address of an item, written into buf */
    void (*link)(const struct mkt_shop *s, const char *ext_item_id,
                 char *buf, size_t size);
    /* auth_url: where to send the seller to authorise ("" if the
     * marketplace has no redirect flow, like Sendo) */
    void (*auth_url)(const struct mkt_shop *s, const char *redirect,
                     const char *state, int64_t now_ms, char *buf,
                     size_t size);
};

/* mkt_connector: by name, or NULL. */
const struct mkt_connector *mkt_connector(const char *name);
/* mkt_connectors: the NULL-terminated table, in display order. */
const struct mkt_connector *const *mkt_connectors(void);

static inline int mkt_has_op(const struct mkt_connector *c, enum mkt_op op)
{
    return (c->ops >> op) & 1u;
}

/* Helpers every connector uses (conn.c). */

/* mkt_reply_http: the outcome an HTTP status alone decides (429 and 5xx
 * RETRY, 401 AUTH_EXPIRED); returns 1 when it decided, 0 for 2xx and
 * other 4xx, which the connector reads from the body. */
int mkt_reply_http(long http_status, struct mkt_reply *out);

/* mkt_copy: bounded copy into a reply buffer (always terminated). */
void mkt_copy(char *dst, size_t size, const char *src);

/* mkt_urlenc: s URL-encoded (RFC 3986 unreserved kept), from the arena. */
char *mkt_urlenc(struct arena *a, const char *s);

/* mkt_html: plain text as the HTML descriptions marketplaces render:
 * paragraphs split by blank lines as <p>…</p>, a single newline as <br>,
 * everything escaped; appended to out. */
enum err mkt_html(const char *text, struct sb *out) MUST_CHECK;
/* mkt_html_in: the same, as a string from the arena (NULL: no memory). */
char *mkt_html_in(struct arena *a, const char *text);

/* mkt_kg: grams as kilograms without trailing zeros ("0.5", "1.25"). */
void mkt_kg(int64_t grams, char *buf, size_t size);

/* mkt_json_text: a JSON id or code, a non-empty string or a number (as
 * integer digits), into buf; 0 and "" when it is neither. */
int mkt_json_text(const cJSON *v, char *buf, size_t size);

/* mkt_json_int: a number, or decimal text, rounded to an integer; 0 when
 * neither (amounts and times marketplaces send either way). */
int64_t mkt_json_int(const cJSON *v);

#endif
