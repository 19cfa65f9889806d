/* itest_crash.c: booth sales survive a crashing server.
 *
 * 50 simulated tablets post 2,000 sales to POST /api/v1/sales, each with
 * its own Idempotency-Key and "offline": true (stock may go below zero,
 * so no sale is refused), each tablet retrying a sale with a short,
 * bounded backoff until it is acknowledged (201, or 200 for a replay).
 * Meanwhile the main thread kills the server with SIGKILL three times, at
 * random moments while sales are in flight, and restarts it on the same
 * port with the same database after a short pause.
 *
 * Afterwards, with the server up again:
 *   - every acknowledged sale is stored exactly once, under the id it was
 *     acknowledged with, with the lines that were sent (no line lost or
 *     doubled) and one ledger move per line;
 *   - no key is stored twice, and no sale is stored that was not sent;
 *   - sales = acknowledged + unacknowledged that did commit;
 *   - the ledger adds up: sum(stock_moves.qty) = stock_on_hand.qty for
 *     every variant and place (stk_verify's query), and on hand = stock
 *     received - the quantities of the stored sales;
 *   - the database passes integrity_check and foreign_key_check;
 *   - the API lists the same sales per booth, and a replay of a sale
 *     answers 200 with the same id, another body under its key 409.
 *
 * Loopback only. Bounded in time: the tablets give up at DEADLINE_S, each
 * request times out after REQUEST_TIMEOUT_S. The seed of the sales'
 * contents is printed; CRASH_SEED=N repeats them (the timing differs). */
/* cmocka.h needs these first */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "itest.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TABLETS 50
#define SALES_PER_TABLET 40
#define SALES (TABLETS * SALES_PER_TABLET)
#define KILLS 3
#define BOOTHS 3
#define MAX_LINES 3
#define MAX_ITEMS 32
#define DEADLINE_S 90
#define REQUEST_TIMEOUT_S 10
#define MAX_ATTEMPTS 200
#define BACKOFF_MIN_MS 20
#define BACKOFF_MAX_MS 400

struct item {
    char sku[48];
    int64_t price_vnd;
};

struct booth {
    int64_t id;
    char key[128];
    struct item items[MAX_ITEMS];
    int n_items;
};

struct line {
    int item;
    int64_t qty, discount_vnd;
};

struct sale {
    char key[37];
    struct booth *booth;
    struct line lines[MAX_LINES];
    int n_lines;
    char *body;
    int attempts, lost;   /* requests sent; without an answer */
    long status;          /* the acknowledging status, or the last one */
    int acked, bad_reply; /* 201/200 seen; its body was not this sale */
    int64_t id;           /* as acknowledged */
};

struct tablet {
    int index;
    struct sale *sales;
    pthread_t thread;
};

struct run {
    atomic_int acked, in_flight, lost, done;
    atomic_int stop;
    struct timespec start;
};

static struct itest_server srv;
static struct booth booths[BOOTHS];
static char admin_key[128];
static struct sale sales[SALES];
static struct tablet tablets[TABLETS];
static struct run run;
static char sales_url[96]; /* written before the tablets start */
static uint64_t seed;
static double setup_s;

/* --- randomness (reproducible contents) ----------------------------- */

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int below(uint64_t *s, int n)
{
    return (int)(next_rand(s) % (uint64_t)n);
}

static void make_uuid(uint64_t *s, char out[37])
{
    uint64_t a = next_rand(s), b = next_rand(s);

    a = (a & ~0xf000ULL) | 0x4000ULL;                        /* version 4 */
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; /* variant */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff,
             (unsigned)(b >> 48), (unsigned long long)b & 0xffffffffffffULL);
}

static double elapsed_s(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - run.start.tv_sec) +
           (double)(now.tv_nsec - run.start.tv_nsec) / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&t, NULL);
}

/* --- set-up: the sample fair, keys, stock --------------------------- */

static void setup_db(const char *db, void *cls)
{
    char out[4096], args[256];
    cJSON *fair, *b;
    int i = 0;

    (void)cls;
    if (itest_ocop(db, NULL, out, sizeof(out), "sample --fair") != 0) {
        fprintf(stderr, "setup: sample --fair failed\n");
        return;
    }
    fair = cJSON_Parse(out);
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(fair, "booths"))
    {
        if (i == BOOTHS)
            break;
        booths[i].id =
            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(b, "id"));
        snprintf(args, sizeof(args),
                 "apikey create --role booth --booth %lld --name tablets%d",
                 (long long)booths[i].id, i + 1);
        if (itest_ocop(db, NULL, booths[i].key, sizeof(booths[i].key), args) !=
            0)
            fprintf(stderr, "setup: %s failed\n", args);
        i++;
    }
    cJSON_Delete(fair);
    if (itest_ocop(db, NULL, admin_key, sizeof(admin_key),
                   "apikey create --role admin --name office") != 0)
        fprintf(stderr, "setup: admin key failed\n");
}

/* load_stock: the SKUs a booth sells that have a catalog price. */
static int load_stock(struct booth *b)
{
    char path[64], auth[192];
    const char *hdr[] = {auth, NULL};
    struct itest_resp r;
    cJSON *j, *it;
    int ok;

    snprintf(path, sizeof(path), "/api/v1/locations/%lld/stock",
             (long long)b->id);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", b->key);
    ok =
        itest_request(&srv, "GET", path, hdr, NULL, &r) == 0 && r.status == 200;
    j = ok ? cJSON_Parse(r.body) : NULL;
    b->n_items = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
    {
        const char *sku = cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku"));
        const cJSON *price = cJSON_GetObjectItem(it, "price_vnd");
        if (b->n_items == MAX_ITEMS || sku == NULL || !cJSON_IsNumber(price) ||
            strlen(sku) >= sizeof(b->items[0].sku))
            continue;
        snprintf(b->items[b->n_items].sku, sizeof(b->items[0].sku), "%s", sku);
        b->items[b->n_items++].price_vnd = (int64_t)cJSON_GetNumberValue(price);
    }
    cJSON_Delete(j);
    itest_resp_free(&r);
    return b->n_items > 0 ? 0 : -1;
}

static double mono_s(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int setup(void **state)
{
    const char *env = getenv("CRASH_SEED");
    double t0 = mono_s();
    int i;

    (void)state;
    seed = env ? strtoull(env, NULL, 10)
               : (uint64_t)time(NULL) ^ (uint64_t)getpid();
    if (seed == 0)
        seed = 1;
    if (itest_start_setup(&srv, setup_db, NULL) != 0)
        return -1;
    for (i = 0; i < BOOTHS; i++)
        if (booths[i].key[0] == '\0' || load_stock(&booths[i]) != 0)
            return -1;
    setup_s = mono_s() - t0;
    return admin_key[0] != '\0' ? 0 : -1;
}

static int teardown(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < SALES; i++)
        cJSON_free(sales[i].body);
    return itest_stop(&srv);
}

/* --- the sales ------------------------------------------------------ */

/* sale_body: what the tablet sends, built once: every retry sends the
 * same bytes. */
static char *sale_body(const struct sale *s, const char *sold_at)
{
    cJSON *o = cJSON_CreateObject(), *lines, *pay;
    int64_t total = 0;
    char *text;
    int i;

    cJSON_AddNumberToObject(o, "booth", (double)s->booth->id);
    cJSON_AddTrueToObject(o, "offline");
    cJSON_AddStringToObject(o, "sold_at", sold_at);
    lines = cJSON_AddArrayToObject(o, "lines");
    for (i = 0; i < s->n_lines; i++) {
        const struct line *l = &s->lines[i];
        const struct item *it = &s->booth->items[l->item];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "sku", it->sku);
        cJSON_AddNumberToObject(j, "qty", (double)l->qty);
        cJSON_AddNumberToObject(j, "unit_price_vnd", (double)it->price_vnd);
        if (l->discount_vnd > 0)
            cJSON_AddNumberToObject(j, "discount_vnd", (double)l->discount_vnd);
        cJSON_AddItemToArray(lines, j);
        total += l->qty * it->price_vnd - l->discount_vnd;
    }
    pay = cJSON_AddObjectToObject(o, "payment");
    cJSON_AddStringToObject(pay, "method", "cash");
    cJSON_AddNumberToObject(pay, "tendered_vnd",
                            (double)((total / 10000 + 1) * 10000));
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* make_sale: 1..3 distinct SKUs of the booth, 1..3 of each, a discount
 * on one line in four, at catalog prices. */
static int make_sale(struct sale *s, struct booth *b, uint64_t *rnd,
                     const char *sold_at)
{
    int i, k;

    memset(s, 0, sizeof(*s));
    make_uuid(rnd, s->key);
    s->booth = b;
    s->n_lines =
        1 + below(rnd, b->n_items < MAX_LINES ? b->n_items : MAX_LINES);
    for (i = 0; i < s->n_lines; i++) {
        struct line *l = &s->lines[i];
        do {
            l->item = below(rnd, b->n_items);
            for (k = 0; k < i && s->lines[k].item != l->item; k++)
                ;
        } while (k < i);
        l->qty = 1 + below(rnd, 3);
        if (below(rnd, 4) == 0)
            l->discount_vnd =
                (l->qty * b->items[l->item].price_vnd / 10 / 1000) * 1000;
    }
    s->body = sale_body(s, sold_at);
    return s->body != NULL ? 0 : -1;
}

static int make_sales(void)
{
    time_t now = time(NULL) - 300; /* sold five minutes ago, offline */
    char sold_at[40];
    int t, i;

    strftime(sold_at, sizeof(sold_at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    for (t = 0; t < TABLETS; t++) {
        uint64_t rnd = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(t + 1);
        tablets[t].index = t;
        tablets[t].sales = &sales[t * SALES_PER_TABLET];
        for (i = 0; i < SALES_PER_TABLET; i++)
            if (make_sale(&tablets[t].sales[i], &booths[t % BOOTHS], &rnd,
                          sold_at) != 0)
                return -1;
    }
    return 0;
}

/* --- the tablets ---------------------------------------------------- */

struct buf {
    char *p;
    size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *cls)
{
    struct buf *b = cls;
    size_t n = size * nmemb;
    char *np = realloc(b->p, b->n + n + 1);

    if (np == NULL)
        return 0;
    memcpy(np + b->n, data, n);
    b->n += n;
    np[b->n] = '\0';
    b->p = np;
    return n;
}

/* check_reply: the acknowledgement names this sale: its key, its lines. */
static void check_reply(struct sale *s, const char *body)
{
    cJSON *j = cJSON_Parse(body);
    const char *uuid = cJSON_GetStringValue(cJSON_GetObjectItem(j, "uuid"));
    double id = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id"));

    if (uuid == NULL || strcmp(uuid, s->key) != 0 || !(id > 0) ||
        cJSON_GetArraySize(cJSON_GetObjectItem(j, "lines")) != s->n_lines)
        s->bad_reply = 1;
    else
        s->id = (int64_t)id;
    cJSON_Delete(j);
}

/* post_once: one attempt; 1 when the sale is acknowledged, 0 to try again,
 * -1 for an answer that retrying cannot change (a 4xx). */
static int post_once(CURL *c, struct sale *s, struct buf *b)
{
    char key_hdr[64], auth[192];
    struct curl_slist *h = NULL;
    CURLcode rc;
    long status = 0;

    snprintf(key_hdr, sizeof(key_hdr), "Idempotency-Key: %s", s->key);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->booth->key);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, key_hdr);
    h = curl_slist_append(h, "Content-Type: application/json");
    b->n = 0;
    if (b->p != NULL)
        b->p[0] = '\0'; /* no body: no stale one either */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, s->body);
    atomic_fetch_add(&run.in_flight, 1);
    rc = curl_easy_perform(c);
    atomic_fetch_sub(&run.in_flight, 1);
    curl_slist_free_all(h);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    s->attempts++;
    if (rc != CURLE_OK) {
        s->lost++;
        atomic_fetch_add(&run.lost, 1);
        return 0;
    }
    s->status = status;
    if (status == 201 || status == 200) {
        check_reply(s, b->p ? b->p : "");
        s->acked = 1;
        atomic_fetch_add(&run.acked, 1);
        return 1;
    }
    return status >= 500 || status == 408 || status == 429 ? 0 : -1;
}

static void post_until_acked(CURL *c, struct sale *s, struct buf *b,
                             uint64_t *rnd)
{
    int backoff = BACKOFF_MIN_MS, r = 0;

    while (!atomic_load(&run.stop) && s->attempts < MAX_ATTEMPTS &&
           elapsed_s() < DEADLINE_S) {
        r = post_once(c, s, b);
        if (r != 0)
            return;
        sleep_ms(backoff / 2 + below(rnd, backoff / 2 + 1));
        backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
    }
}

static void *tablet_run(void *arg)
{
    struct tablet *t = arg;
    uint64_t rnd = seed ^ (0xc2b2ae3d27d4eb4fULL * (uint64_t)(t->index + 7));
    struct buf b = {0};
    CURL *c = curl_easy_init();
    int i;

    if (c != NULL) {
        curl_easy_setopt(c, CURLOPT_URL, sales_url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)REQUEST_TIMEOUT_S);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        for (i = 0; i < SALES_PER_TABLET; i++)
            post_until_acked(c, &t->sales[i], &b, &rnd);
        curl_easy_cleanup(c);
    }
    free(b.p);
    atomic_fetch_add(&run.done, 1);
    return NULL;
}

/* --- the killer ----------------------------------------------------- */

/* The main thread kills and restarts the server: a server dies with the
 * thread that started it (itest.h). */

struct kill_log {
    double at_s, down_ms;
    int acked_before, in_flight, restarts;
};

/* server_died: 1 when the server exited without being killed (a crash of
 * its own, a sanitizer report); it is reaped and reported. */
static int server_died(void)
{
    int status = 0;

    if (srv.pid <= 0 || waitpid(srv.pid, &status, WNOHANG) != srv.pid)
        return 0;
    printf("crash: the server (pid %d) died on its own: %s %d\n", (int)srv.pid,
           WIFSIGNALED(status) ? "signal" : "exit status",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    srv.pid = 0;
    return 1;
}

/* wait_for: until target sales are acknowledged, every tablet is done or
 * time is up; -1 when the server died meanwhile. */
static int wait_for(int target)
{
    while (atomic_load(&run.acked) < target &&
           atomic_load(&run.done) < TABLETS && elapsed_s() < DEADLINE_S) {
        if (server_died())
            return -1;
        sleep_ms(1);
    }
    return server_died() ? -1 : 0;
}

static int crash_and_restart(uint64_t *rnd, struct kill_log *k)
{
    int tries;

    sleep_ms(below(rnd, 30)); /* a random moment, not right at a threshold */
    k->acked_before = atomic_load(&run.acked);
    k->in_flight = atomic_load(&run.in_flight);
    k->at_s = elapsed_s();
    if (itest_kill(&srv) != 0)
        return -1;
    sleep_ms(100 + below(rnd, 300));
    for (tries = 1; tries <= 20; tries++) {
        if (itest_restart(&srv) == 0)
            break;
        sleep_ms(250); /* the port may still be held for a moment */
    }
    k->restarts = tries;
    k->down_ms = (elapsed_s() - k->at_s) * 1000;
    return tries <= 20 ? 0 : -1;
}

static int stress(struct kill_log *kills)
{
    uint64_t rnd = seed * 31 + 17;
    int t, k, n, rc = 0;

    snprintf(sales_url, sizeof(sales_url), "%s/api/v1/sales", srv.base);
    clock_gettime(CLOCK_MONOTONIC, &run.start);
    for (t = 0; t < TABLETS && rc == 0; t++)
        rc = pthread_create(&tablets[t].thread, NULL, tablet_run, &tablets[t]);
    n = rc == 0 ? TABLETS : t - 1;
    for (k = 0; k < KILLS && rc == 0; k++) {
        /* kill k lands between (k + 0.5) and (k + 1.5) / (KILLS + 1) of the
         * sales, so the three are spread over the run */
        int lo = SALES * (2 * k + 1) / (2 * (KILLS + 1));
        rc = wait_for(lo + below(&rnd, SALES / (KILLS + 1)));
        if (rc != 0 || atomic_load(&run.done) == TABLETS)
            break;
        rc = crash_and_restart(&rnd, &kills[k]);
        if (rc == 0)
            printf("crash: kill %d at %.2f s after %d sales acknowledged, "
                   "%d requests in flight; serving again after %.0f ms "
                   "(%d start%s)\n",
                   k + 1, kills[k].at_s, kills[k].acked_before,
                   kills[k].in_flight, kills[k].down_ms, kills[k].restarts,
                   kills[k].restarts == 1 ? "" : "s");
        else
            printf("crash: kill %d: the server did not serve again\n", k + 1);
    }
    if (rc == 0 && wait_for(SALES) != 0)
        rc = -1;
    if (rc != 0)
        atomic_store(&run.stop, 1); /* no server: let the tablets go */
    for (t = 0; t < n; t++)
        pthread_join(tablets[t].thread, NULL);
    return rc != 0 ? -1 : k;
}

/* --- the checks ----------------------------------------------------- */

/* one_int: the first column of the first row of sql, with ?1 bound to id
 * when id >= 0; -1 on error. */
static int64_t one_int(sqlite3 *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "crash: %s: %s\n", sql, sqlite3_errmsg(db));
        return -1;
    }
    if (id >= 0)
        sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int text_is(sqlite3 *db, const char *sql, const char *want)
{
    sqlite3_stmt *st = NULL;
    int same = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        same = strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
    sqlite3_finalize(st);
    return same;
}

/* stored: how many sales have the key (at most one: UNIQUE); *id gets one. */
static int stored(sqlite3 *db, const char *key, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    int n = 0;

    *id = 0;
    if (sqlite3_prepare_v2(db, "SELECT id FROM sales WHERE uuid = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

/* same_lines: the stored lines are the ones sent, in order, and the
 * ledger has exactly one sale move per line, at the booth, of -qty. */
static int same_lines(sqlite3 *db, const struct sale *s, int64_t id)
{
    static const char sql[] =
        "SELECT l.sku, l.qty, l.unit_price_vnd, l.discount_vnd,"
        " (SELECT count(*) FROM stock_moves m WHERE m.ref = 'sale:' || ?1"
        "  AND m.kind = 'sale' AND m.variant_id = l.variant_id"
        "  AND m.location_id = ?2 AND m.qty = -l.qty)"
        " FROM sale_lines l WHERE l.sale_id = ?1 ORDER BY l.line_no";
    sqlite3_stmt *st = NULL;
    int n = 0, bad = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, s->booth->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const struct line *l = n < s->n_lines ? &s->lines[n] : NULL;
        const char *sku = (const char *)sqlite3_column_text(st, 0);
        if (l == NULL || strcmp(sku, s->booth->items[l->item].sku) != 0 ||
            sqlite3_column_int64(st, 1) != l->qty ||
            sqlite3_column_int64(st, 2) != s->booth->items[l->item].price_vnd ||
            sqlite3_column_int64(st, 3) != l->discount_vnd ||
            sqlite3_column_int64(st, 4) != 1)
            bad = 1;
        n++;
    }
    sqlite3_finalize(st);
    return !bad && n == s->n_lines &&
           one_int(db,
                   "SELECT count(*) FROM stock_moves WHERE ref = 'sale:' || ?1",
                   id) == n;
}

struct tally {
    int acked, unacked, stored_acked, stored_unacked, replays_after_loss;
    int missing, doubled, wrong_id, wrong_lines, bad_reply, odd_replay;
    int refused;
};

static void complain(int *counter, const struct sale *s, const char *what)
{
    if (++*counter <= 5)
        printf("crash: sale %s (booth %lld, %d attempts, %d unanswered, "
               "last status %ld): %s\n",
               s->key, (long long)s->booth->id, s->attempts, s->lost, s->status,
               what);
}

static void check_sale(sqlite3 *db, const struct sale *s, struct tally *t)
{
    int64_t id = 0;
    int n = stored(db, s->key, &id);

    if (n > 1)
        complain(&t->doubled, s, "stored more than once");
    if (s->acked) {
        t->acked++;
        t->stored_acked += n == 1;
        if (n == 0)
            complain(&t->missing, s, "acknowledged but not stored");
        else if (id != s->id)
            complain(&t->wrong_id, s,
                     "stored under another id than acknowledged");
        if (s->bad_reply)
            complain(&t->bad_reply, s, "acknowledged with another sale's body");
        if (s->status == 200 && s->lost > 0)
            t->replays_after_loss++;
        else if (s->status == 200) /* a replay, yet no attempt went missing */
            complain(&t->odd_replay, s, "200 on its first answered attempt");
    } else {
        t->unacked++;
        t->stored_unacked += n == 1;
        if (s->attempts > 0 && s->status >= 400 && s->status < 500)
            complain(&t->refused, s, "refused");
    }
    if (n >= 1 && !same_lines(db, s, id))
        complain(&t->wrong_lines, s, "stored lines or ledger moves differ");
}

/* ledger: pairs where the ledger's sum is not on hand (stk_verify), and
 * pairs where on hand is not what was received less what was sold. */
static void check_ledger(sqlite3 *db, int64_t *verify, int64_t *expected,
                         int64_t *orphans)
{
    *verify = one_int(
        db,
        "SELECT count(*) FROM (SELECT variant_id, location_id, sum(qty) AS s"
        " FROM stock_moves GROUP BY 1, 2) m FULL JOIN stock_on_hand h"
        " USING (variant_id, location_id)"
        " WHERE coalesce(m.s, 0) <> coalesce(h.qty, 0)",
        -1);
    *expected = one_int(
        db,
        "SELECT count(*) FROM stock_on_hand h WHERE h.qty <>"
        " (SELECT coalesce(sum(m.qty), 0) FROM stock_moves m"
        "  WHERE m.kind = 'receive' AND m.variant_id = h.variant_id"
        "  AND m.location_id = h.location_id)"
        " - (SELECT coalesce(sum(l.qty), 0) FROM sale_lines l"
        "  JOIN sales s ON s.id = l.sale_id WHERE s.booth_id = h.location_id"
        "  AND l.variant_id = h.variant_id)",
        -1);
    *orphans =
        one_int(db,
                "SELECT count(*) FROM stock_moves m WHERE m.kind = 'sale'"
                " AND (m.ref NOT LIKE 'sale:%' OR"
                " CAST(substr(m.ref, 6) AS INTEGER)"
                " NOT IN (SELECT id FROM sales))",
                -1);
}

/* api_total: the sales GET /api/v1/sales?booth= lists, or -1. */
static int api_total(int64_t booth)
{
    char path[64], auth[192];
    const char *hdr[] = {auth, NULL};
    struct itest_resp r;
    cJSON *j;
    int n = -1;

    snprintf(path, sizeof(path), "/api/v1/sales?booth=%lld", (long long)booth);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin_key);
    if (itest_request(&srv, "GET", path, hdr, NULL, &r) == 0 &&
        r.status == 200) {
        j = cJSON_Parse(r.body);
        n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "items"));
        cJSON_Delete(j);
    }
    itest_resp_free(&r);
    return n;
}

/* replay: the sale posted again answers status with its id (200), or a
 * conflict (409) for another body. 0 when it did. */
static int replay(const struct sale *s, const char *body, long want)
{
    char key_hdr[64], auth[192];
    const char *hdr[] = {auth, key_hdr, "Content-Type: application/json", NULL};
    struct itest_resp r;
    cJSON *j;
    int ok;

    snprintf(key_hdr, sizeof(key_hdr), "Idempotency-Key: %s", s->key);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->booth->key);
    ok = itest_request(&srv, "POST", "/api/v1/sales", hdr, body, &r) == 0 &&
         r.status == want;
    if (ok && want == 200) {
        j = cJSON_Parse(r.body);
        ok = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id")) ==
             s->id;
        cJSON_Delete(j);
    }
    if (!ok)
        printf("crash: replay of %s answered %ld, not %ld: %.200s\n", s->key,
               r.status, want, r.body ? r.body : "");
    itest_resp_free(&r);
    return ok ? 0 : -1;
}

static int replays(void)
{
    int t, bad = 0;

    for (t = 0; t < TABLETS; t++) {
        const struct sale *s = &tablets[t].sales[t % SALES_PER_TABLET];
        if (s->acked)
            bad += replay(s, s->body, 200) != 0;
    }
    /* the key of one sale with the body of the next (same booth) */
    bad += replay(&sales[0], sales[1].body, 409) != 0;
    return bad;
}

struct report {
    struct tally t;
    int64_t total, doubled_keys, verify, expected, orphans, shortfalls;
    int integrity_ok, fk_errors, api_bad, replay_bad;
};

/* check_db: reads the database (read-only, beside the running server)
 * and asks the API; fills r. 0 when the database could be read. */
static int check_db(struct report *r)
{
    char path[128];
    sqlite3 *db = NULL;
    int i;

    snprintf(path, sizeof(path), "%s/ocop.db", srv.dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    for (i = 0; i < SALES; i++)
        check_sale(db, &sales[i], &r->t);
    r->total = one_int(db, "SELECT count(*) FROM sales", -1);
    r->doubled_keys = one_int(db,
                              "SELECT count(*) FROM (SELECT lower(uuid)"
                              " FROM sales GROUP BY 1 HAVING count(*) > 1)",
                              -1);
    check_ledger(db, &r->verify, &r->expected, &r->orphans);
    r->shortfalls = one_int(db, "SELECT count(*) FROM stock_shortfalls", -1);
    r->integrity_ok = text_is(db, "PRAGMA integrity_check", "ok");
    r->fk_errors =
        (int)one_int(db, "SELECT count(*) FROM pragma_foreign_key_check", -1);
    for (i = 0; i < BOOTHS; i++) {
        int64_t here = one_int(
            db, "SELECT count(*) FROM sales WHERE booth_id = ?1", booths[i].id);
        int listed = api_total(booths[i].id);
        if (listed == here)
            continue;
        printf("crash: booth %lld: the API lists %d sales, the database holds "
               "%lld\n",
               (long long)booths[i].id, listed, (long long)here);
        r->api_bad++;
    }
    sqlite3_close(db);
    r->replay_bad = replays();
    return 0;
}

static void print_report(const struct report *r, double took, int kills)
{
    const struct tally *t = &r->t;

    printf("crash: %d sales from %d tablets in %.1f s with %d kills: %d "
           "acknowledged (%d of them as 200 replays after an unanswered "
           "attempt), %d not; %d attempts unanswered; %lld sales stored "
           "(%d acknowledged + %d unacknowledged that committed)\n",
           SALES, TABLETS, took, kills, t->acked, t->replays_after_loss,
           t->unacked, atomic_load(&run.lost), (long long)r->total,
           t->stored_acked, t->stored_unacked);
    printf("crash: missing %d, stored twice %d (keys %lld), wrong id %d, "
           "wrong lines %d, bad replies %d, odd replays %d, refused %d; "
           "ledger pairs off %lld, on hand off %lld, orphan moves %lld; "
           "shortfalls %lld; integrity %s, foreign keys %d; API mismatches "
           "%d; replays/conflict wrong %d\n",
           t->missing, t->doubled, (long long)r->doubled_keys, t->wrong_id,
           t->wrong_lines, t->bad_reply, t->odd_replay, t->refused,
           (long long)r->verify, (long long)r->expected, (long long)r->orphans,
           (long long)r->shortfalls, r->integrity_ok ? "ok" : "FAILED",
           r->fk_errors, r->api_bad, r->replay_bad);
}

static void test_crash_sales(void **state)
{
    struct kill_log kills[KILLS] = {{0}};
    struct report r = {0};
    double took;
    int n_kills;

    (void)state;
    printf("crash: seed %llu (CRASH_SEED=%llu repeats the sales), %d tablets "
           "x %d sales, booths %lld/%lld/%lld with %d/%d/%d SKUs\n",
           (unsigned long long)seed, (unsigned long long)seed, TABLETS,
           SALES_PER_TABLET, (long long)booths[0].id, (long long)booths[1].id,
           (long long)booths[2].id, booths[0].n_items, booths[1].n_items,
           booths[2].n_items);
    assert_int_equal(make_sales(), 0);
    n_kills = stress(kills);
    took = elapsed_s();
    assert_int_equal(n_kills, KILLS);
    assert_int_equal(check_db(&r), 0);
    print_report(&r, took, n_kills);
    printf("crash: set-up %.1f s, sales and kills %.1f s, checks %.1f s\n",
           setup_s, took, elapsed_s() - took);
    fflush(stdout);

    assert_int_equal(r.t.missing, 0);
    assert_int_equal(r.t.doubled + r.doubled_keys, 0);
    assert_int_equal(r.t.wrong_id + r.t.wrong_lines + r.t.bad_reply, 0);
    assert_int_equal(r.t.odd_replay + r.t.refused, 0);
    assert_int_equal(r.total, r.t.stored_acked + r.t.stored_unacked);
    assert_int_equal(r.verify, 0);
    assert_int_equal(r.expected + r.orphans, 0);
    assert_true(r.shortfalls > 0); /* the offline path was taken */
    assert_true(r.integrity_ok);
    assert_int_equal(r.fk_errors, 0);
    assert_int_equal(r.api_bad + r.replay_bad, 0);
    /* liveness: after the last restart every tablet got through */
    assert_int_equal(r.t.unacked, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_sales),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = cmocka_run_group_tests_name("crash", tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
