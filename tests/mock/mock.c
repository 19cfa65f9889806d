/* mock.c: the mock marketplaces' core and process (see mock.h).
 * Owns, in this order: the shared state (apps, shops, tokens, codes,
 *   items, images, orders), the HTTP server and request decoding, fault
 *   injection, the control API under /_mock, and main().
 * Does not own: any marketplace's protocol (mock_NAME.c).
 * Threads: libmicrohttpd runs a thread per connection; the state is only
 *   touched with `lock` held, which handlers get already held. Sleeps
 *   (latency, timeouts) happen outside it. */
#include "mock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A shop. Tokens live in fixed buffers: they are 32 hex digits. The
 * previous access token stays valid until it expires, as on the real
 * marketplaces, so calls in flight during a refresh do not fail. */
struct mock_shop {
    char market[32];
    char name[64];
    char access[33], prev_access[33], refresh[33];
    int64_t access_exp, prev_exp, refresh_exp;
    /* refresh tokens replaced in the last five minutes, still accepted */
    char prev_refresh[16][33];
    int64_t prev_refresh_until[16];
    int next_prev;
    int revoked;
    struct mock_item **items;
    int n_items, cap_items;
    struct mock_order *orders;
    int n_orders, cap_orders;
    int n_images;
    long requests;
};

#define MAX_APPS 16
#define MAX_FRESH 64

struct app {
    char key[64];
    char secret[128];
};

/* The one mutable state of the mock process, behind the mock lock. */
static struct {
    struct app apps[MAX_APPS];
    int n_apps;
    int apps_given; /* a --app replaced the default app */
    struct mock_shop **shops;
    int n_shops, cap_shops;
    int64_t next_item_id, next_sku_id, next_image_id, next_order;
    /* codes an authorisation page handed out since they were last used:
     * they work even while the shop still holds a live refresh token */
    char fresh[MAX_FRESH][72];
    int n_fresh;
    int64_t token_ttl_s;
} st = {
    .apps = {{MOCK_APP_KEY, MOCK_APP_SECRET}},
    .n_apps = 1,
    .next_item_id = 1000001,
    .next_sku_id = 2000001,
    .next_image_id = 5000001,
    .next_order = 1,
    .token_ttl_s = 4 * 3600,
};

#define REFRESH_TTL_S (30 * 24 * 3600)

static struct mock_shop *shop_by_any_token(const char *token,
                                           enum mock_token_state *state);

int64_t mock_now(void)
{
    return (int64_t)time(NULL);
}

static void set_token_ttl(int64_t ttl_s)
{
    st.token_ttl_s = ttl_s;
}

static int add_app(const char *key, const char *secret)
{
    if (!st.apps_given) {
        st.n_apps = 0;
        st.apps_given = 1;
    }
    if (st.n_apps == MAX_APPS || strlen(key) >= sizeof st.apps[0].key ||
        strlen(secret) >= sizeof st.apps[0].secret || !key[0])
        return -1;
    snprintf(st.apps[st.n_apps].key, sizeof st.apps[0].key, "%s", key);
    snprintf(st.apps[st.n_apps].secret, sizeof st.apps[0].secret, "%s", secret);
    st.n_apps++;
    return 0;
}

const char *mock_app_secret(const char *app_key)
{
    if (!app_key)
        return NULL;
    for (int i = 0; i < st.n_apps; i++)
        if (strcmp(st.apps[i].key, app_key) == 0)
            return st.apps[i].secret;
    return NULL;
}

int mock_secret_known(const char *secret)
{
    if (!secret)
        return 0;
    for (int i = 0; i < st.n_apps; i++)
        if (strcmp(st.apps[i].secret, secret) == 0)
            return 1;
    return 0;
}

void mock_json(struct mock_resp *rs, int status, cJSON *j)
{
    rs->status = status;
    rs->content_type = "application/json";
    free(rs->body);
    rs->body = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
}

void mock_hmac_hex(const char *key, const void *msg, size_t len, char out[65],
                   int upper)
{
    static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
    const char *hex = upper ? up : lo;
    crypto_auth_hmacsha256_state s;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    /* the state API, because the marketplaces' secrets are of any length */
    crypto_auth_hmacsha256_init(&s, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&s, msg, len);
    crypto_auth_hmacsha256_final(&s, mac);
    for (size_t i = 0; i < sizeof mac; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
}

/* ---- shops and tokens ---- */

static int shop_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof((struct mock_shop *)0)->name)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

struct mock_shop *mock_shop_get(const char *market, const char *shop,
                                int create)
{
    if (!market || !shop)
        return NULL;
    for (int i = 0; i < st.n_shops; i++)
        if (strcmp(st.shops[i]->market, market) == 0 &&
            strcmp(st.shops[i]->name, shop) == 0)
            return st.shops[i];
    if (!create || !shop_name_ok(shop) ||
        strlen(market) >= sizeof st.shops[0]->market)
        return NULL;
    if (st.n_shops == st.cap_shops) {
        int cap = st.cap_shops ? st.cap_shops * 2 : 16;
        struct mock_shop **p = realloc(st.shops, sizeof *p * (size_t)cap);
        if (!p)
            return NULL;
        st.shops = p;
        st.cap_shops = cap;
    }
    struct mock_shop *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->market, sizeof s->market, "%s", market);
    snprintf(s->name, sizeof s->name, "%s", shop);
    st.shops[st.n_shops++] = s;
    return s;
}

const char *mock_shop_name(const struct mock_shop *s)
{
    return s->name;
}

const char *mock_shop_market(const struct mock_shop *s)
{
    return s->market;
}

const char *mock_access_token(const struct mock_shop *s)
{
    return s->access;
}

const char *mock_refresh_token(const struct mock_shop *s)
{
    return s->refresh;
}

int64_t mock_access_expires(const struct mock_shop *s)
{
    return s->access_exp;
}

int64_t mock_refresh_expires(const struct mock_shop *s)
{
    return s->refresh_exp;
}

static void random_hex(char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];

    randombytes_buf(b, sizeof b);
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[32] = '\0';
}

void mock_issue(struct mock_shop *s)
{
    int64_t now = mock_now();

    if (s->access[0] && !s->revoked) {
        memcpy(s->prev_access, s->access, sizeof s->access);
        s->prev_exp = s->access_exp;
        /* a refresh token just replaced stays good for a while: answers
         * lost on the way must not cost the seller a new authorisation
         * (rotation with a grace period, as OAuth servers do) */
        memcpy(s->prev_refresh[s->next_prev], s->refresh, sizeof s->refresh);
        s->prev_refresh_until[s->next_prev] = now + 300;
        s->next_prev = (s->next_prev + 1) % 16;
    }
    random_hex(s->access);
    random_hex(s->refresh);
    s->access_exp = now + st.token_ttl_s;
    s->refresh_exp = now + REFRESH_TTL_S;
    s->revoked = 0;
}

static void code_fresh(const char *code)
{
    if (!code || strlen(code) >= sizeof st.fresh[0])
        return;
    for (int i = 0; i < st.n_fresh; i++)
        if (strcmp(st.fresh[i], code) == 0)
            return;
    if (st.n_fresh == MAX_FRESH) { /* forget the oldest */
        memmove(st.fresh[0], st.fresh[1], sizeof st.fresh[0] * (MAX_FRESH - 1));
        st.n_fresh--;
    }
    snprintf(st.fresh[st.n_fresh++], sizeof st.fresh[0], "%s", code);
}

/* take_fresh: 1 and forgets code when an authorisation page issued it. */
static int take_fresh(const char *code)
{
    for (int i = 0; i < st.n_fresh; i++) {
        if (strcmp(st.fresh[i], code) != 0)
            continue;
        memmove(st.fresh[i], st.fresh[i + 1],
                sizeof st.fresh[0] * (size_t)(st.n_fresh - i - 1));
        st.n_fresh--;
        return 1;
    }
    return 0;
}

struct mock_shop *mock_authorise(const char *market, const char *code)
{
    if (!code || strncmp(code, "mock-", 5) != 0 || !shop_name_ok(code + 5))
        return NULL;
    struct mock_shop *s = mock_shop_get(market, code + 5, 1);
    if (!s)
        return NULL;
    /* A code is single use: while the shop holds a live refresh token,
     * the same code is a replay, unless an authorisation page handed it
     * out again since (the seller reconnected). */
    int live = s->refresh[0] && !s->revoked && s->refresh_exp > mock_now();
    if (!take_fresh(code) && live)
        return NULL;
    mock_issue(s);
    return s;
}

struct mock_shop *mock_shop_by_token(const char *market, const char *token,
                                     enum mock_token_state *state)
{
    struct mock_shop *s = shop_by_any_token(token, state);

    if (s && market && strcmp(s->market, market) != 0) {
        *state = MOCK_TOKEN_UNKNOWN;
        return NULL;
    }
    return s;
}

static struct mock_shop *shop_by_any_token(const char *token,
                                           enum mock_token_state *state)
{
    int64_t now = mock_now();

    *state = MOCK_TOKEN_UNKNOWN;
    if (!token || !token[0])
        return NULL;
    for (int i = 0; i < st.n_shops; i++) {
        struct mock_shop *s = st.shops[i];
        int64_t exp;
        if (s->revoked)
            continue;
        if (strcmp(s->access, token) == 0)
            exp = s->access_exp;
        else if (s->prev_access[0] && strcmp(s->prev_access, token) == 0)
            exp = s->prev_exp;
        else
            continue;
        *state = exp > now ? MOCK_TOKEN_OK : MOCK_TOKEN_EXPIRED;
        return s;
    }
    return NULL;
}

struct mock_shop *mock_refresh(const char *market, const char *refresh_token)
{
    if (!refresh_token || !refresh_token[0])
        return NULL;
    for (int i = 0; i < st.n_shops; i++) {
        struct mock_shop *s = st.shops[i];
        int prev = 0;
        for (int k = 0; k < 16; k++)
            prev |= s->prev_refresh[k][0] && mock_now() < s->prev_refresh_until[k] &&
                    strcmp(s->prev_refresh[k], refresh_token) == 0;
        if (s->revoked || (strcmp(s->refresh, refresh_token) != 0 && !prev))
            continue;
        if (market && strcmp(s->market, market) != 0)
            return NULL;
        if (s->refresh_exp <= mock_now())
            return NULL;
        mock_issue(s); /* replaces the refresh token: single use */
        return s;
    }
    return NULL;
}

static void expire_shop(struct mock_shop *s)
{
    int64_t past = mock_now() - 1;

    s->access_exp = past;
    if (s->prev_access[0])
        s->prev_exp = past;
}

static void revoke_shop(struct mock_shop *s)
{
    s->revoked = 1;
    s->access[0] = s->prev_access[0] = s->refresh[0] = '\0';
    memset(s->prev_refresh, 0, sizeof s->prev_refresh);
    s->access_exp = s->prev_exp = s->refresh_exp = 0;
}

static void count_request(struct mock_shop *s)
{
    s->requests++;
}

/* ---- items, images, orders ---- */

struct mock_item *mock_item_create(struct mock_shop *s, const char *sku,
                                   const char *title, int64_t price_vnd,
                                   int64_t stock, int images)
{
    if (s->n_items == s->cap_items) {
        int cap = s->cap_items ? s->cap_items * 2 : 16;
        struct mock_item **p = realloc(s->items, sizeof *p * (size_t)cap);
        if (!p)
            return NULL;
        s->items = p;
        s->cap_items = cap;
    }
    struct mock_item *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->id = st.next_item_id++;
    it->sku_id = st.next_sku_id++;
    snprintf(it->sku, sizeof it->sku, "%s", sku ? sku : "");
    snprintf(it->title, sizeof it->title, "%s", title ? title : "");
    it->price_vnd = price_vnd;
    it->stock = stock;
    snprintf(it->status, sizeof it->status, "NORMAL");
    it->images = images;
    it->updated_at = mock_now();
    s->items[s->n_items++] = it;
    /* creates counts every create with this SKU, on each of its items,
     * so a test sees 2 on both items of a duplicate */
    int creates = 0;
    for (int i = 0; i < s->n_items; i++)
        creates += strcmp(s->items[i]->sku, it->sku) == 0;
    for (int i = 0; i < s->n_items; i++)
        if (strcmp(s->items[i]->sku, it->sku) == 0)
            s->items[i]->creates = creates;
    return it;
}

struct mock_item *mock_item_by_id(struct mock_shop *s, int64_t id)
{
    for (int i = 0; i < s->n_items; i++)
        if (s->items[i]->id == id)
            return s->items[i];
    return NULL;
}

struct mock_item *mock_item_by_sku(struct mock_shop *s, const char *sku)
{
    if (!sku)
        return NULL;
    for (int i = 0; i < s->n_items; i++)
        if (strcmp(s->items[i]->sku, sku) == 0)
            return s->items[i];
    return NULL;
}

int64_t mock_image_add(struct mock_shop *s, size_t bytes)
{
    (void)bytes; /* the mock keeps no pixels, only that an upload happened */
    s->n_images++;
    return st.next_image_id++;
}

static struct mock_order *order_add(struct mock_shop *s, struct mock_item *it,
                                    int64_t qty)
{
    if (s->n_orders == s->cap_orders) {
        int cap = s->cap_orders ? s->cap_orders * 2 : 16;
        struct mock_order *p = realloc(s->orders, sizeof *p * (size_t)cap);
        if (!p)
            return NULL;
        s->orders = p;
        s->cap_orders = cap;
    }
    struct mock_order *o = &s->orders[s->n_orders++];
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "MOCK%lld", (long long)st.next_order++);
    snprintf(o->sku, sizeof o->sku, "%s", it->sku);
    o->qty = qty;
    o->price_vnd = it->price_vnd;
    o->created_at = mock_now();
    o->item_id = it->id;
    it->stock -= qty;
    if (it->stock < 0)
        it->stock = 0;
    it->updated_at = o->created_at;
    return o;
}

const struct mock_order *mock_orders(struct mock_shop *s, int64_t since,
                                     int64_t until, int *n)
{
    int first = 0, last;

    /* orders are appended as time goes on, so a window is a run */
    while (first < s->n_orders && s->orders[first].created_at < since)
        first++;
    last = first;
    while (last < s->n_orders && s->orders[last].created_at < until)
        last++;
    *n = last - first;
    return s->orders ? s->orders + first : NULL;
}

/* ---- the whole state ---- */

static void shop_free(struct mock_shop *s)
{
    for (int i = 0; i < s->n_items; i++)
        free(s->items[i]);
    free(s->items);
    free(s->orders);
    free(s);
}

static void reset_state(void)
{
    for (int i = 0; i < st.n_shops; i++)
        shop_free(st.shops[i]);
    free(st.shops);
    st.shops = NULL;
    st.n_shops = st.cap_shops = 0;
    st.n_fresh = 0;
}

/* ---- text buffers (the HTML page and small answers) ---- */

struct buf {
    char *p;
    size_t len, cap;
    int failed; /* an allocation failed: the text is incomplete */
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    /* callers format numbers and short names only: a cut is a bug */
    buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* buf_html: s with the five HTML specials escaped (titles come from the
 * connectors under test, so they are untrusted). */
static void buf_html(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': buf_str(b, "&lt;"); break;
        case '>': buf_str(b, "&gt;"); break;
        case '&': buf_str(b, "&amp;"); break;
        case '"': buf_str(b, "&quot;"); break;
        case '\'': buf_str(b, "&#39;"); break;
        default: buf_add(b, s, 1);
        }
    }
}

/* buf_vnd: 1234567 as "1.234.567 ₫", the Vietnamese way. */
static void buf_vnd(struct buf *b, int64_t v)
{
    char digits[32], out[48];
    size_t n, o = 0;

    if (v < 0) {
        out[o++] = '-';
        v = -v;
    }
    n = (size_t)snprintf(digits, sizeof digits, "%lld", (long long)v);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    buf_printf(b, "%s \xe2\x82\xab", out);
}

/* ---- process settings and faults ---- */

enum fault {
    F_NONE,
    F_429,
    F_500,
    F_DROP,
    F_TIMEOUT,
    F_MALFORMED,
    F_EXPIRE,
    F_COUNT
};
static const char *const fault_names[F_COUNT] = {
    "", "429", "500", "drop", "timeout", "malformed", "expire"};
#define ALL_KINDS (((1u << F_COUNT) - 1) & ~1u)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stopping;
static int quiet;

/* behind lock, like the state */
static struct {
    double rate;
    int latency_ms, timeout_ms;
    unsigned kinds; /* bit (1 << enum fault) */
    uint64_t rng;
} fl = {.timeout_ms = 4000, .kinds = ALL_KINDS, .rng = 1};

/* rng_next: xorshift64*, so a --seed replays the same faults for the
 * same sequence of requests. */
static uint64_t rng_next(void)
{
    uint64_t x = fl.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    fl.rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void rng_seed(uint64_t seed)
{
    /* xorshift must not start at 0 */
    fl.rng = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    if (fl.rng == 0)
        fl.rng = 1;
}

/* pick_fault: one kind with probability rate, uniformly among kinds. */
static enum fault pick_fault(void)
{
    enum fault on[F_COUNT];
    int n = 0;

    if (fl.rate <= 0)
        return F_NONE;
    double r = (double)(rng_next() >> 11) / 9007199254740992.0;
    if (r >= fl.rate)
        return F_NONE;
    for (int k = 1; k < F_COUNT; k++)
        if (fl.kinds & (1u << k))
            on[n++] = (enum fault)k;
    return n ? on[rng_next() % (uint64_t)n] : F_NONE;
}

/* sleep_ms: in 50 ms slices, so a SIGTERM is not held up by a fault. */
static void sleep_ms(int ms)
{
    while (ms > 0 && !stopping) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};
        (void)nanosleep(&ts, NULL); /* an early wake only shortens it */
        ms -= step;
    }
}

/* is_auth_page: the pages a person's browser opens; they are never
 * faulted, since a person, not the connector, would see the fault. */
static int is_auth_page(const char *method, const char *path)
{
    static const char *const ends[] = {"/auth_partner", "/authorize",
                                       "/oauth2/auth"};
    size_t n = strlen(path);

    if (strcmp(method, "GET") != 0)
        return 0;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t k = strlen(ends[i]);
        if (n >= k && strcmp(path + n - k, ends[i]) == 0)
            return 1;
    }
    return 0;
}

/* ---- requests ---- */

#define BODY_CAP ((size_t)16 << 20)

/* One connection's request, from the first call of the access handler
 * to MHD_OPTION_NOTIFY_COMPLETED. */
struct conn {
    struct MHD_Connection *c;
    struct MHD_PostProcessor *pp;
    int multipart;
    char *body;
    size_t len, cap;
    int too_big;
    cJSON *form;
    char file_field[128];
    int has_file;
    size_t file_size;
};

static const struct mock_market *const markets[] = {
    &mock_shopee,      &mock_lazada, &mock_lazada_auth, &mock_tiktok,
    &mock_tiktok_auth, &mock_tiki,   &mock_sendo};

/* route: the market whose prefix is the first path segment; *rest is
 * the path after it ("/" when nothing follows). */
static const struct mock_market *route(const char *url, const char **rest)
{
    if (url[0] != '/')
        return NULL;
    const char *seg = url + 1, *end = strchr(seg, '/');
    size_t n = end ? (size_t)(end - seg) : strlen(seg);

    for (size_t i = 0; i < sizeof markets / sizeof markets[0]; i++) {
        if (strlen(markets[i]->prefix) == n &&
            strncmp(markets[i]->prefix, seg, n) == 0) {
            *rest = end ? end : "/";
            return markets[i];
        }
    }
    return NULL;
}

static const char *req_header(const struct mock_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* set_field: key = value in obj, replacing an earlier one (last wins). */
static void set_field(cJSON *obj, const char *key, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    (void)cJSON_AddStringToObject(obj, key, value ? value : "");
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    (void)kind;
    set_field(cls, key, value);
    return MHD_YES;
}

/* append_field: a form value arrives in pieces; off > 0 continues one. */
static void append_field(cJSON *form, const char *key, const char *data,
                         size_t size, uint64_t off)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(form, key);
    const char *prev = off > 0 && cJSON_IsString(old) ? old->valuestring : "";
    size_t n = strlen(prev);
    char *v = malloc(n + size + 1);

    if (!v)
        return;
    memcpy(v, prev, n);
    memcpy(v + n, data, size);
    v[n + size] = '\0';
    set_field(form, key, v);
    free(v);
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *filename,
                                 const char *content_type,
                                 const char *transfer_encoding,
                                 const char *data, uint64_t off, size_t size)
{
    struct conn *cs = cls;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (filename) {
        snprintf(cs->file_field, sizeof cs->file_field, "%s", key);
        cs->has_file = 1;
        cs->file_size += size;
        return MHD_YES;
    }
    append_field(cs->form, key, data ? data : "", data ? size : 0, off);
    return MHD_YES;
}

static struct conn *conn_new(struct MHD_Connection *c)
{
    struct conn *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    cs->c = c;
    cs->form = cJSON_CreateObject();
    if (!cs->form) {
        free(cs);
        return NULL;
    }
    const char *ct =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ct && (strncasecmp(ct, "multipart/form-data", 19) == 0 ||
               strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)) {
        cs->multipart = strncasecmp(ct, "multipart/", 10) == 0;
        cs->pp = MHD_create_post_processor(c, 64 * 1024, post_iter, cs);
    }
    return cs;
}

static void conn_free(struct conn *cs)
{
    if (!cs)
        return;
    if (cs->pp)
        (void)MHD_destroy_post_processor(cs->pp); /* nothing left to do */
    cJSON_Delete(cs->form);
    free(cs->body);
    free(cs);
}

/* conn_feed: one piece of the body, to the form decoder and, unless it
 * is multipart (a photo), to the raw body as well. */
static void conn_feed(struct conn *cs, const char *data, size_t size)
{
    if (cs->pp && MHD_post_process(cs->pp, data, size) != MHD_YES)
        cs->too_big = cs->too_big ? cs->too_big : 2; /* undecodable */
    if (cs->multipart || cs->too_big)
        return;
    if (cs->len + size > BODY_CAP) {
        cs->too_big = 1;
        return;
    }
    if (cs->len + size + 1 > cs->cap) {
        size_t cap = cs->cap ? cs->cap : 4096;
        while (cap < cs->len + size + 1)
            cap *= 2;
        char *p = realloc(cs->body, cap);
        if (!p) {
            cs->too_big = 1;
            return;
        }
        cs->body = p;
        cs->cap = cap;
    }
    memcpy(cs->body + cs->len, data, size);
    cs->len += size;
    cs->body[cs->len] = '\0';
}

/* bearer: the access token a request carries, wherever the market puts
 * it (Shopee/Lazada access_token, TikTok x-tts-access-token, Tiki and
 * Sendo Authorization: Bearer). */
static const char *bearer(const struct mock_req *rq)
{
    const cJSON *q =
        cJSON_GetObjectItemCaseSensitive(rq->query, "access_token");
    if (!cJSON_IsString(q))
        q = cJSON_GetObjectItemCaseSensitive(rq->form, "access_token");
    if (cJSON_IsString(q))
        return q->valuestring;
    const char *h = req_header(rq, "x-tts-access-token");
    if (h)
        return h;
    h = req_header(rq, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return NULL;
}

static void req_init(struct mock_req *rq, struct conn *cs, const char *method,
                     const char *path, const struct mock_market *m)
{
    memset(rq, 0, sizeof *rq);
    rq->method = method;
    rq->path = path;
    rq->market = m->prefix;
    rq->query = cJSON_CreateObject();
    if (rq->query)
        (void)MHD_get_connection_values(cs->c, MHD_GET_ARGUMENT_KIND,
                                        query_iter, rq->query);
    rq->form = cs->form;
    rq->file_field = cs->has_file ? cs->file_field : NULL;
    rq->file_size = cs->file_size;
    rq->body = cs->body ? cs->body : "";
    rq->body_len = cs->len;
    rq->content_type =
        MHD_lookup_connection_value(cs->c, MHD_HEADER_KIND, "Content-Type");
    rq->header = req_header;
    rq->conn = cs->c;
}

/* ---- answers ---- */

static enum MHD_Result send_resp(struct MHD_Connection *c, struct mock_resp *rs,
                                 const char *location)
{
    size_t n = rs->body ? strlen(rs->body) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        n, rs->body ? rs->body : (void *)"",
        rs->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);

    if (!r) {
        free(rs->body);
        return MHD_NO;
    }
    rs->body = NULL; /* the response owns it now */
    if (MHD_add_response_header(r, "Content-Type",
                                rs->content_type
                                    ? rs->content_type
                                    : "application/json") != MHD_YES ||
        (location && location[0] &&
         MHD_add_response_header(r, "Location", location) != MHD_YES)) {
        MHD_destroy_response(r);
        return MHD_NO;
    }
    enum MHD_Result ret =
        MHD_queue_response(c, (unsigned)(rs->status ? rs->status : 200), r);
    MHD_destroy_response(r);
    return ret;
}

static void error_json(struct mock_resp *rs, int status, const char *msg)
{
    cJSON *j = cJSON_CreateObject();
    if (j)
        (void)cJSON_AddStringToObject(j, "error", msg);
    mock_json(rs, status, j);
}

static void log_request(const char *method, const char *url, int status,
                        enum fault f)
{
    if (quiet)
        return;
    fprintf(stderr, "mockmkt %s %s -> %d%s%s\n", method, url, status,
            f != F_NONE ? " fault " : "", fault_names[f]);
}

/* note_fresh_code: an authorisation page that redirects with
 * code=mock-<shop> makes that code usable again (see mock_authorise). */
static void note_fresh_code(const char *location)
{
    const char *p = location ? strstr(location, "code=mock-") : NULL;
    char code[72];
    size_t n = 0;

    if (!p)
        return;
    p += 5;
    while (p[n] && p[n] != '&' && p[n] != '#' && n + 1 < sizeof code)
        n++;
    memcpy(code, p, n);
    code[n] = '\0';
    code_fresh(code);
}

/* prelude: under the lock, before the handler: count the request for
 * the caller's shop, draw a fault, and apply "expire". */
static enum fault prelude(const struct mock_req *rq, int *latency_ms,
                          int *timeout_ms)
{
    enum mock_token_state ts;
    enum fault f = F_NONE;

    pthread_mutex_lock(&lock);
    struct mock_shop *s = shop_by_any_token(bearer(rq), &ts);
    if (s)
        count_request(s);
    if (!is_auth_page(rq->method, rq->path))
        f = pick_fault();
    if (f == F_EXPIRE && s)
        expire_shop(s);
    *latency_ms = fl.latency_ms;
    *timeout_ms = fl.timeout_ms;
    pthread_mutex_unlock(&lock);
    return f;
}

/* run_handler: the market's handler under the lock; the redirect target
 * is copied while the lock still protects the handler's buffer. */
static void run_handler(const struct mock_market *m, struct mock_req *rq,
                        struct mock_resp *rs, char *loc, size_t loc_size)
{
    pthread_mutex_lock(&lock);
    m->handle(rq, rs);
    loc[0] = '\0';
    if (rs->location) {
        snprintf(loc, loc_size, "%s", rs->location);
        note_fresh_code(loc);
    }
    pthread_mutex_unlock(&lock);
}

static enum MHD_Result serve_market(struct conn *cs, const char *method,
                                    const char *url,
                                    const struct mock_market *m,
                                    const char *path)
{
    struct mock_req rq;
    struct mock_resp rs = {.status = 200};
    char loc[2048];
    int latency_ms, timeout_ms;

    req_init(&rq, cs, method, path, m);
    enum fault f = prelude(&rq, &latency_ms, &timeout_ms);
    sleep_ms(latency_ms);
    if (f == F_429 || f == F_500) {
        cJSON_Delete(rq.query);
        error_json(&rs, f == F_429 ? 429 : 500,
                   f == F_429 ? "too many requests" : "internal error");
        log_request(method, url, rs.status, f);
        return send_resp(cs->c, &rs, NULL);
    }
    run_handler(m, &rq, &rs, loc, sizeof loc);
    cJSON_Delete(rq.query);
    log_request(method, url, rs.status, f);
    if (f == F_DROP || f == F_TIMEOUT) {
        /* the handler applied the call; its answer is lost */
        free(rs.body);
        if (f == F_TIMEOUT)
            sleep_ms(timeout_ms);
        return MHD_NO;
    }
    if (f == F_MALFORMED && rs.body) {
        rs.body[strlen(rs.body) / 2] = '\0';
        rs.status = 200;
    }
    return send_resp(cs->c, &rs, loc);
}

static void control(const char *method, const char *path, struct conn *cs,
                    struct mock_resp *rs);

static enum MHD_Result dispatch(struct conn *cs, const char *method,
                                const char *url)
{
    struct mock_resp rs = {.status = 200};
    const char *rest = NULL;

    if (cs->too_big) {
        error_json(&rs, cs->too_big == 1 ? 413 : 400,
                   cs->too_big == 1 ? "body too large" : "bad form body");
        return send_resp(cs->c, &rs, NULL);
    }
    if (strncmp(url, "/_mock", 6) == 0 && (url[6] == '\0' || url[6] == '/')) {
        pthread_mutex_lock(&lock);
        control(method, url[6] ? url + 6 : "/", cs, &rs);
        pthread_mutex_unlock(&lock);
        return send_resp(cs->c, &rs, NULL);
    }
    const struct mock_market *m = route(url, &rest);
    if (!m) {
        error_json(&rs, 404, "no such marketplace prefix");
        log_request(method, url, 404, F_NONE);
        return send_resp(cs->c, &rs, NULL);
    }
    return serve_market(cs, method, url, m, rest);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct conn *cs = *con_cls;

    (void)cls;
    (void)version;
    if (!cs) {
        cs = conn_new(c);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_size) {
        conn_feed(cs, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(cs, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_free(*con_cls);
    *con_cls = NULL;
}

/* ---- the control API (/_mock) ---- */

static int cmp_shop(const void *a, const void *b)
{
    const struct mock_shop *x = *(struct mock_shop *const *)a;
    const struct mock_shop *y = *(struct mock_shop *const *)b;
    int c = strcmp(x->market, y->market);
    return c ? c : strcmp(x->name, y->name);
}

static int cmp_item(const void *a, const void *b)
{
    const struct mock_item *x = *(struct mock_item *const *)a;
    const struct mock_item *y = *(struct mock_item *const *)b;
    int c = strcmp(x->sku, y->sku);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* sorted_shops / sorted_items: malloc'd copies of the pointer arrays in
 * a stable order (market, shop; then SKU, id), so answers and the page
 * do not depend on which request came first. NULL when empty or OOM. */
static struct mock_shop **sorted_shops(void)
{
    struct mock_shop **v =
        st.n_shops ? malloc(sizeof *v * (size_t)st.n_shops) : NULL;
    if (v) {
        memcpy(v, st.shops, sizeof *v * (size_t)st.n_shops);
        qsort(v, (size_t)st.n_shops, sizeof *v, cmp_shop);
    }
    return v;
}

static struct mock_item **sorted_items(const struct mock_shop *s)
{
    struct mock_item **v =
        s->n_items ? malloc(sizeof *v * (size_t)s->n_items) : NULL;
    if (v) {
        memcpy(v, s->items, sizeof *v * (size_t)s->n_items);
        qsort(v, (size_t)s->n_items, sizeof *v, cmp_item);
    }
    return v;
}

static cJSON *item_json(const struct mock_item *it)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    (void)cJSON_AddStringToObject(j, "sku", it->sku);
    (void)cJSON_AddNumberToObject(j, "item_id", (double)it->id);
    (void)cJSON_AddNumberToObject(j, "sku_id", (double)it->sku_id);
    (void)cJSON_AddStringToObject(j, "title", it->title);
    (void)cJSON_AddNumberToObject(j, "price_vnd", (double)it->price_vnd);
    (void)cJSON_AddNumberToObject(j, "stock", (double)it->stock);
    (void)cJSON_AddStringToObject(j, "status", it->status);
    (void)cJSON_AddNumberToObject(j, "creates", it->creates);
    (void)cJSON_AddNumberToObject(j, "images", it->images);
    return j;
}

static cJSON *shop_json(const struct mock_shop *s)
{
    cJSON *j = cJSON_CreateObject(), *items = cJSON_CreateArray();
    struct mock_item **v = sorted_items(s);

    if (!j || !items || (s->n_items && !v)) {
        cJSON_Delete(j);
        cJSON_Delete(items);
        free(v);
        return NULL;
    }
    for (int i = 0; i < s->n_items; i++)
        (void)cJSON_AddItemToArray(items, item_json(v[i]));
    free(v);
    (void)cJSON_AddStringToObject(j, "market", s->market);
    (void)cJSON_AddStringToObject(j, "shop", s->name);
    (void)cJSON_AddItemToObject(j, "items", items);
    (void)cJSON_AddNumberToObject(j, "requests", (double)s->requests);
    (void)cJSON_AddNumberToObject(j, "uploaded_images", s->n_images);
    (void)cJSON_AddNumberToObject(j, "orders", s->n_orders);
    (void)cJSON_AddBoolToObject(j, "revoked", s->revoked);
    (void)cJSON_AddNumberToObject(j, "access_expires", (double)s->access_exp);
    return j;
}

static void ctl_state(struct mock_resp *rs)
{
    cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "shops");
    struct mock_shop **v = sorted_shops();

    if (!arr || (st.n_shops && !v)) {
        cJSON_Delete(j);
        free(v);
        error_json(rs, 500, "out of memory");
        return;
    }
    for (int i = 0; i < st.n_shops; i++)
        (void)cJSON_AddItemToArray(arr, shop_json(v[i]));
    free(v);
    mock_json(rs, 200, j);
}

static cJSON *faults_json(void)
{
    cJSON *j = cJSON_CreateObject(), *kinds = cJSON_CreateArray();
    if (!j || !kinds) {
        cJSON_Delete(j);
        cJSON_Delete(kinds);
        return NULL;
    }
    for (int k = 1; k < F_COUNT; k++)
        if (fl.kinds & (1u << k))
            (void)cJSON_AddItemToArray(kinds,
                                       cJSON_CreateString(fault_names[k]));
    (void)cJSON_AddNumberToObject(j, "rate", fl.rate);
    (void)cJSON_AddNumberToObject(j, "latency_ms", fl.latency_ms);
    (void)cJSON_AddNumberToObject(j, "timeout_ms", fl.timeout_ms);
    (void)cJSON_AddItemToObject(j, "kinds", kinds);
    return j;
}

/* parse_kinds: the bit set of a "kinds" array; 0 when a name is unknown. */
static unsigned parse_kinds(const cJSON *kinds)
{
    unsigned bits = 0;
    const cJSON *k;

    if (!kinds)
        return ALL_KINDS;
    if (!cJSON_IsArray(kinds))
        return 0;
    cJSON_ArrayForEach(k, kinds)
    {
        int found = 0;
        for (int i = 1; i < F_COUNT && cJSON_IsString(k); i++) {
            if (strcmp(k->valuestring, fault_names[i]) == 0) {
                bits |= 1u << i;
                found = 1;
            }
        }
        if (!found)
            return 0;
    }
    return bits ? bits : ALL_KINDS;
}

static int int_field(const cJSON *j, const char *name, int dflt, int max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    if (!v)
        return dflt;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max)
        return -1;
    return (int)v->valuedouble;
}

/* ctl_faults: a POST replaces the whole setting (absent fields take
 * their defaults: rate 0, latency 0, timeout 4000 ms, every kind), so a
 * test states all it wants and {} turns faults off. */
static void ctl_faults(const cJSON *req, struct mock_resp *rs)
{
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(req, "rate");
    double r = rate ? (cJSON_IsNumber(rate) ? rate->valuedouble : -1) : 0;
    int lat = int_field(req, "latency_ms", 0, 600000);
    int tmo = int_field(req, "timeout_ms", 4000, 600000);
    unsigned kinds =
        parse_kinds(cJSON_GetObjectItemCaseSensitive(req, "kinds"));

    if (!cJSON_IsObject(req) || r < 0 || r > 1 || lat < 0 || tmo < 0 ||
        !kinds) {
        error_json(rs, 400,
                   "faults: want {rate 0..1, latency_ms, "
                   "timeout_ms, kinds:[429,500,drop,timeout,"
                   "malformed,expire]}");
        return;
    }
    fl.rate = r;
    fl.latency_ms = lat;
    fl.timeout_ms = tmo;
    fl.kinds = kinds;
    mock_json(rs, 200, faults_json());
}

/* body_shop: the shop named by {"market","shop"}; answers 404/400 and
 * returns NULL when there is none. */
static struct mock_shop *body_shop(const cJSON *req, struct mock_resp *rs)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "market");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(req, "shop");

    if (!cJSON_IsString(m) || !cJSON_IsString(s)) {
        error_json(rs, 400, "want {\"market\",\"shop\"}");
        return NULL;
    }
    struct mock_shop *shop = mock_shop_get(m->valuestring, s->valuestring, 0);
    if (!shop)
        error_json(rs, 404, "no such shop");
    return shop;
}

static void ctl_orders(const cJSON *req, struct mock_resp *rs)
{
    struct mock_shop *s = body_shop(req, rs);
    const cJSON *sku = cJSON_GetObjectItemCaseSensitive(req, "sku");
    const cJSON *qty = cJSON_GetObjectItemCaseSensitive(req, "qty");

    if (!s)
        return;
    int64_t q = cJSON_IsNumber(qty) ? (int64_t)qty->valuedouble : qty ? 0 : 1;
    if (!cJSON_IsString(sku) || q <= 0) {
        error_json(rs, 400, "want {\"sku\", \"qty\" > 0}");
        return;
    }
    struct mock_item *it = mock_item_by_sku(s, sku->valuestring);
    if (!it) {
        error_json(rs, 404, "no such item");
        return;
    }
    const struct mock_order *o = order_add(s, it, q);
    cJSON *j = o ? cJSON_CreateObject() : NULL;
    if (!j) {
        error_json(rs, 500, "out of memory");
        return;
    }
    (void)cJSON_AddStringToObject(j, "order_id", o->id);
    (void)cJSON_AddNumberToObject(j, "item_id", (double)o->item_id);
    (void)cJSON_AddNumberToObject(j, "price_vnd", (double)o->price_vnd);
    (void)cJSON_AddNumberToObject(j, "qty", (double)o->qty);
    (void)cJSON_AddNumberToObject(j, "stock", (double)it->stock);
    mock_json(rs, 200, j);
}

static void ok_json(struct mock_resp *rs)
{
    cJSON *j = cJSON_CreateObject();
    if (j)
        (void)cJSON_AddBoolToObject(j, "ok", 1);
    mock_json(rs, 200, j);
}

static const char *status_vi(const char *status)
{
    if (strcmp(status, "NORMAL") == 0)
        return "Đang bán";
    if (strcmp(status, "UNLIST") == 0)
        return "Đã ẩn";
    return status;
}

static void page_shop(struct buf *b, const struct mock_shop *s)
{
    struct mock_item **v = sorted_items(s);

    buf_str(b, "<h3>Cửa hàng <code>");
    buf_html(b, s->name);
    buf_printf(b,
               "</code></h3><p>%ld yêu cầu API, %d ảnh đã tải lên, "
               "%d đơn hàng%s</p>\n",
               s->requests, s->n_images, s->n_orders,
               s->revoked ? " — <strong>đã thu hồi quyền</strong>" : "");
    if (!s->n_items || !v) {
        buf_str(b, "<p><em>Chưa có sản phẩm nào.</em></p>\n");
        free(v);
        return;
    }
    buf_str(b, "<table><tr><th>Mã SKU</th><th>Mã sản phẩm</th><th>Tên "
               "sản phẩm</th><th>Giá</th><th>Tồn kho</th><th>Trạng thái"
               "</th><th>Số lần tạo</th></tr>\n");
    for (int i = 0; i < s->n_items; i++) {
        const struct mock_item *it = v[i];
        buf_str(b, "<tr><td><code>");
        buf_html(b, it->sku);
        buf_printf(b, "</code></td><td>%lld</td><td>", (long long)it->id);
        buf_html(b, it->title);
        buf_str(b, "</td><td class=n>");
        buf_vnd(b, it->price_vnd);
        buf_printf(b, "</td><td class=n>%lld</td><td>", (long long)it->stock);
        buf_html(b, status_vi(it->status));
        buf_printf(b, "</td><td class=n%s>%d</td></tr>\n",
                   it->creates > 1 ? " style=\"color:#b00\"" : "", it->creates);
    }
    buf_str(b, "</table>\n");
    free(v);
}

/* ctl_page: the demo page, Vietnamese first; it reloads itself every
 * 3 s so a demo shows listings appear as the sync engine works. */
static void ctl_page(struct mock_resp *rs)
{
    struct buf b = {0};
    struct mock_shop **v = sorted_shops();
    const char *market = "";

    buf_str(&b, "<!doctype html><html lang=vi><head><meta charset=utf-8>"
                "<meta http-equiv=refresh content=3><title>Sàn mô phỏng "
                "(chỉ để thử nghiệm)</title><style>body{font-family:"
                "sans-serif;margin:2em}table{border-collapse:collapse}"
                "td,th{border:1px solid #ccc;padding:.3em .6em}"
                ".n{text-align:right}</style></head><body>\n"
                "<h1>Sàn mô phỏng (chỉ để thử nghiệm)</h1>\n<p lang=en>"
                "<small>Mock marketplaces, for tests and demos only. "
                "Nothing here is a real shop.</small></p>\n");
    if (!st.n_shops || !v)
        buf_str(&b, "<p>Chưa có cửa hàng nào được kết nối.</p>\n");
    for (int i = 0; v && i < st.n_shops; i++) {
        if (strcmp(v[i]->market, market) != 0) {
            market = v[i]->market;
            buf_str(&b, "<h2>Sàn ");
            buf_html(&b, market);
            buf_str(&b, "</h2>\n");
        }
        page_shop(&b, v[i]);
    }
    buf_str(&b, "</body></html>\n");
    free(v);
    if (b.failed) {
        free(b.p);
        error_json(rs, 500, "out of memory");
        return;
    }
    rs->status = 200;
    rs->body = b.p;
    rs->content_type = "text/html; charset=utf-8";
}

static void ctl_text(struct mock_resp *rs, int status, const char *text)
{
    rs->status = status;
    rs->body = strdup(text);
    rs->content_type = "text/plain; charset=utf-8";
}

/* ctl_post: the control calls that take a JSON body. */
static void ctl_post(const char *path, const cJSON *req, struct mock_resp *rs)
{
    struct mock_shop *s;

    if (strcmp(path, "/faults") == 0) {
        ctl_faults(req, rs);
    } else if (strcmp(path, "/orders") == 0) {
        ctl_orders(req, rs);
    } else if (strcmp(path, "/expire") == 0 || strcmp(path, "/revoke") == 0) {
        s = body_shop(req, rs);
        if (!s)
            return;
        if (path[1] == 'e')
            expire_shop(s);
        else
            revoke_shop(s);
        ok_json(rs);
    } else if (strcmp(path, "/reset") == 0) {
        reset_state();
        ok_json(rs);
    } else {
        error_json(rs, 404, "no such control call");
    }
}

static void control(const char *method, const char *path, struct conn *cs,
                    struct mock_resp *rs)
{
    if (strcmp(method, "GET") == 0) {
        if (strcmp(path, "/") == 0)
            ctl_page(rs);
        else if (strcmp(path, "/healthz") == 0)
            ctl_text(rs, 200, "ok");
        else if (strcmp(path, "/state") == 0)
            ctl_state(rs);
        else if (strcmp(path, "/faults") == 0)
            mock_json(rs, 200, faults_json());
        else if (strncmp(path, "/shopee/", 8) == 0 ||
                 strncmp(path, "/lazada/", 8) == 0 ||
                 strncmp(path, "/tiktok/", 8) == 0 ||
                 strncmp(path, "/tiki/", 6) == 0 ||
                 strncmp(path, "/sendo/", 7) == 0)
            ctl_page(rs); /* an item's "marketplace link" in a demo */
        else
            error_json(rs, 404, "no such control page");
        return;
    }
    if (strcmp(method, "POST") != 0) {
        error_json(rs, 405, "GET or POST");
        return;
    }
    /* an empty body is {} (reset, or faults off) */
    cJSON *req = cs->len ? cJSON_ParseWithLength(cs->body, cs->len)
                         : cJSON_CreateObject();
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        error_json(rs, 400, "body: a JSON object");
        return;
    }
    ctl_post(path, req, rs);
    cJSON_Delete(req);
}

/* ---- the process ---- */

struct opts {
    unsigned port;
    const char *listen;
    uint64_t seed;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: mockmkt [--port N] [--listen ADDR] [--app KEY:SECRET]...\n"
            "               [--seed N] [--latency-ms N] [--fault-rate R]\n"
            "               [--token-ttl S] [--quiet]\n");
}

/* num: argument text as a number in [lo, hi]; -1 when it is not. */
static int num(const char *s, double lo, double hi, double *out)
{
    char *end;

    if (!s || !*s)
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (errno || *end || *out < lo || *out > hi)
        return -1;
    return 0;
}

static int app_arg(const char *s)
{
    const char *colon = s ? strchr(s, ':') : NULL;
    char key[64];

    if (!colon || (size_t)(colon - s) >= sizeof key || colon == s)
        return -1;
    memcpy(key, s, (size_t)(colon - s));
    key[colon - s] = '\0';
    return add_app(key, colon + 1);
}

/* one_opt: the option at argv[*i] (its value at argv[*i + 1]). */
static int one_opt(int argc, char **argv, int *i, struct opts *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double d;

    if (strcmp(a, "--quiet") == 0) {
        quiet = 1;
        return 0;
    }
    (*i)++;
    if (strcmp(a, "--listen") == 0 && v) {
        o->listen = v;
        return 0;
    }
    if (strcmp(a, "--app") == 0)
        return app_arg(v);
    if (num(v, 0, strcmp(a, "--fault-rate") == 0 ? 1 : 1e15, &d) < 0)
        return -1;
    if (strcmp(a, "--port") == 0 && d <= 65535)
        o->port = (unsigned)d;
    else if (strcmp(a, "--seed") == 0)
        o->seed = (uint64_t)d;
    else if (strcmp(a, "--latency-ms") == 0 && d <= 600000)
        fl.latency_ms = (int)d;
    else if (strcmp(a, "--fault-rate") == 0)
        fl.rate = d;
    else if (strcmp(a, "--token-ttl") == 0 && d >= 1)
        set_token_ttl((int64_t)d);
    else
        return -1;
    return 0;
}

static struct MHD_Daemon *start(const struct opts *o)
{
    struct sockaddr_in sa;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->listen, &sa.sin_addr) != 1) {
        fprintf(stderr, "mockmkt: --listen wants an IPv4 address\n");
        return NULL;
    }
    return MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
            (quiet ? 0 : MHD_USE_ERROR_LOG),
        (uint16_t)o->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
    struct opts o = {.listen = "127.0.0.1", .seed = 1};
    sigset_t set;
    int sig;

    for (int i = 1; i < argc; i++) {
        if (one_opt(argc, argv, &i, &o) < 0) {
            usage();
            return 2;
        }
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "mockmkt: libsodium failed to start\n");
        return 1;
    }
    rng_seed(o.seed);
    /* block the stop signals before any thread exists, so every thread
     * inherits the mask and sigwait() below receives them */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start(&o);
    if (!d) {
        fprintf(stderr, "mockmkt: cannot listen on %s:%u\n", o.listen, o.port);
        return 1;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("mockmkt listening on %u\n", info ? info->port : o.port);
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    stopping = 1;
    MHD_stop_daemon(d);
    reset_state();
    return 0;
}
