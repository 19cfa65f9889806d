/* mock.h: the mock marketplaces, for tests and demos (never production).
 * One process (build/mockmkt) serves all five marketplaces, each under its
 * own path prefix, so a shop's api_base is "http://127.0.0.1:PORT/shopee"
 * (and /lazada, /lazada-auth, /tiktok, /tiktok-auth, /tiki, /sendo). The
 * prefix is stripped before a handler sees the path, exactly as the real
 * hosts' paths are what the marketplaces sign.
 *
 * Owns (mock.c): the HTTP server (libmicrohttpd, a thread per connection
 *   so injected latency does not stall others), request decoding (query,
 *   urlencoded and multipart forms, raw body), the shared state (apps,
 *   shops, tokens, items, orders), fault injection and the control API:
 *     POST /_mock/faults  {"rate":0.3,"latency_ms":100,"timeout_ms":4000,
 *                          "kinds":["429","500","drop","timeout",
 *                          "malformed","expire"]}  (kinds default: all)
 *     GET  /_mock/state   {"shops":[{"market","shop","items":[{"sku",
 *                          "item_id","title","price_vnd","stock","status",
 *                          "creates","images"}],"requests":n}]}
 *     POST /_mock/expire  {"market","shop"}  access token expires now
 *     POST /_mock/revoke  {"market","shop"}  access and refresh tokens die
 *     POST /_mock/orders  {"market","shop","sku","qty"}  a buyer orders
 *     POST /_mock/reset   forget every shop, item and order
 *     GET  /_mock/        an HTML page of every shop and its items (demo)
 *   Faults: with probability rate a request (not /_mock) gets one kind,
 *   chosen uniformly: 429 / 500 before anything is applied; drop (the
 *   connection is closed with no answer), timeout (no answer for
 *   timeout_ms) and malformed (a truncated JSON answer) AFTER the handler
 *   applied the request, because a lost answer to a call that did succeed
 *   is what makes a connector create a listing twice; expire marks the
 *   caller's access token expired before the handler runs.
 * Owns (mock_NAME.c): one marketplace's protocol: its signature and
 *   timestamp checks exactly as documented, its token endpoints, its
 *   envelopes and error codes.
 * Apps: the mock knows one app per marketplace, app key MOCK_APP_KEY with
 *   secret MOCK_APP_SECRET (overridable with --app KEY:SECRET). Shops:
 *   an authorisation code "mock-<shop>" (any <shop> of [A-Za-z0-9_-])
 *   authorises shop <shop>, creating it; for Sendo, shop_key <shop> with
 *   the app secret as secret_key logs in. Items are keyed by seller SKU
 *   per shop, but a second create with the same SKU makes a second item
 *   (as real marketplaces do): that is how tests see duplicates.
 * Threads: handlers run under one mutex (mock_lock is held when called). */
#ifndef OCOP_MOCK_H
#define OCOP_MOCK_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define MOCK_APP_KEY "100001"
#define MOCK_APP_SECRET "ocop-demo-secret"

struct mock_req {
    const char *method;
    const char *path;       /* after the market prefix: "/api/v2/product/add_item" */
    const char *market;     /* "shopee", "lazada", "lazada-auth", ... */
    cJSON *query;           /* object: decoded query parameters (strings;
                             * a repeated name keeps the last) */
    cJSON *form;            /* object: urlencoded or multipart text fields */
    const char *file_field; /* multipart file part: name, or NULL */
    size_t file_size;       /* and its size in bytes */
    const char *body;       /* raw body (not for multipart), NUL-terminated */
    size_t body_len;
    const char *content_type;
    const char *(*header)(const struct mock_req *rq, const char *name);
    void *conn;             /* for header() */
};

struct mock_resp {
    int status;             /* HTTP status, default 200 */
    char *body;             /* malloc'd, owned by the core after return */
    const char *content_type; /* default application/json */
    const char *location;   /* a redirect (authorisation pages); the core
                             * copies it before the lock is released and
                             * never frees it: a static buffer is fine */
};

/* The answer helpers: set status and a JSON body (takes j). */
void mock_json(struct mock_resp *rs, int status, cJSON *j);

enum mock_token_state { MOCK_TOKEN_OK, MOCK_TOKEN_EXPIRED, MOCK_TOKEN_UNKNOWN };

struct mock_item {
    int64_t id;             /* the marketplace's item id (unique per market) */
    int64_t sku_id;         /* its SKU/model id */
    char sku[96];
    char title[256];
    int64_t price_vnd;
    int64_t stock;
    char status[16];        /* "NORMAL" / "UNLIST" */
    int creates;            /* how many create calls carried this SKU */
    int images;
    int64_t updated_at;
};

struct mock_shop;

/* All below require the mock lock (held while a handler runs). */
int64_t mock_now(void);                                 /* Unix seconds */
const char *mock_app_secret(const char *app_key);       /* NULL: unknown */
/* mock_authorise: code "mock-<shop>" -> that shop (created), tokens
 * issued; NULL for any other code (or a code used twice). */
struct mock_shop *mock_authorise(const char *market, const char *code);
/* mock_shop_get: by shop name, created when create is set. */
struct mock_shop *mock_shop_get(const char *market, const char *shop, int create);
const char *mock_shop_name(const struct mock_shop *s);
/* tokens of a shop (issued by mock_authorise / mock_refresh) */
const char *mock_access_token(const struct mock_shop *s);
const char *mock_refresh_token(const struct mock_shop *s);
int64_t mock_access_expires(const struct mock_shop *s); /* Unix seconds */
int64_t mock_refresh_expires(const struct mock_shop *s);
/* mock_shop_by_token: the shop an access token belongs to */
struct mock_shop *mock_shop_by_token(const char *market, const char *token,
                                     enum mock_token_state *state);
/* mock_refresh: a new pair for a valid refresh token (single use), or NULL */
struct mock_shop *mock_refresh(const char *market, const char *refresh_token);
/* mock_issue: new tokens for the shop (Sendo's login) */
void mock_issue(struct mock_shop *s);
/* mock_secret_known: 1 when secret is the secret of a known app (Sendo's
 * login takes a secret without an app key). */
int mock_secret_known(const char *secret);
/* mock_shop_market: the market name the shop was created under. */
const char *mock_shop_market(const struct mock_shop *s);

/* Items. */
struct mock_item *mock_item_create(struct mock_shop *s, const char *sku,
                                   const char *title, int64_t price_vnd,
                                   int64_t stock, int images);
struct mock_item *mock_item_by_id(struct mock_shop *s, int64_t id);
struct mock_item *mock_item_by_sku(struct mock_shop *s, const char *sku);
/* mock_image_add: remember an uploaded image; returns its id (>0) */
int64_t mock_image_add(struct mock_shop *s, size_t bytes);

/* Orders placed through /_mock/orders, in order; created_at Unix seconds. */
struct mock_order {
    char id[32];
    char sku[96];
    int64_t qty, price_vnd, created_at;
    int64_t item_id;
};
/* mock_orders: the shop's orders created in [since, until); *n set. The
 * array belongs to the mock. */
const struct mock_order *mock_orders(struct mock_shop *s, int64_t since,
                                     int64_t until, int *n);

/* The markets (mock_NAME.c). A handler answers every request under its
 * prefix; it never blocks. */
struct mock_market {
    const char *prefix;    /* "shopee" */
    void (*handle)(const struct mock_req *rq, struct mock_resp *rs);
};
extern const struct mock_market mock_shopee, mock_lazada, mock_lazada_auth,
    mock_tiktok, mock_tiktok_auth, mock_tiki, mock_sendo;

/* Shared by handlers: HMAC-SHA256 lower-case hex of msg with key (65 bytes). */
void mock_hmac_hex(const char *key, const void *msg, size_t len, char out[65],
                   int upper);

#endif
