/* test_sync_outbox.c: the sync outbox (migration 0006's triggers, sync_view,
 * sync_job, sync_map, sync_item) on a fresh migrated database seeded from
 * tests/fixtures/sync/outbox.sql, with two Shopee shops of producer 1 added
 * through sync_shop_add (secrets sealed with a key from OCOP_SECRET_KEY).
 * Covered: jobs queued by listing, price, stock and visibility changes and
 * their coalescing; which jobs a claim offers; a retry that meets a newer
 * job; "retry now"; the category mapping (tests/fixtures/sync/mapping.tsv);
 * what a listing lacks; the retry backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "seal/seal.h"
#include "stock/stk.h"
#include "sync/sync.h"
#include "sync/sync_worker.h"
#include "testutil.h"

#include <unistd.h>

/* A fixed test key: never a real one. */
#define TEST_KEY                                                               \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const struct actor who = {0, "test", "127.0.0.1"};

struct t {
    struct db *db;
    char path[64];
    int64_t shop1, shop2; /* both producer 1's, on Shopee */
    int64_t loc1, loc2;   /* their channel places */
};

/* --- database helpers ----------------------------------------------------- */

static sqlite3_stmt *prep(struct t *t, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = NULL;
    int n;

    if (sqlite3_prepare_v2(db_handle(t->db), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db_handle(t->db)));
    n = sqlite3_bind_parameter_count(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (n >= 2)
        sqlite3_bind_int64(st, 2, b);
    return st;
}

/* qi: the first column of the first row of sql (?1 = a, ?2 = b), or 0. */
static int64_t qi(struct t *t, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = prep(t, sql, a, b);
    int64_t v = 0;

    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ex: runs a statement that returns no rows; it must succeed. */
static void ex(struct t *t, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = prep(t, sql, a, b);
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db_handle(t->db)));
    sqlite3_finalize(st);
}

/* njobs: jobs of a listing (0: any) of a kind and state (NULL: any). */
static int64_t njobs(struct t *t, int64_t listing, const char *kind,
                     const char *state)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM sync_jobs WHERE (?1 = 0 OR listing_id = ?1)"
        " AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR state = ?3)";
    sqlite3_stmt *st = prep(t, sql, listing, 0);
    int64_t v;

    if (kind != NULL)
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    if (state != NULL)
        sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* job: the id of the one job of a listing, kind and state. */
static int64_t job(struct t *t, int64_t listing, const char *kind,
                   const char *state)
{
    static const char sql[] = "SELECT id FROM sync_jobs WHERE listing_id = ?1"
                              " AND kind = ?2 AND state = ?3";
    sqlite3_stmt *st = prep(t, sql, listing, 0);
    int64_t id = 0;

    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    if (id == 0 || sqlite3_step(st) != SQLITE_DONE)
        fail_msg("want one %s job of listing %lld in state %s", kind,
                 (long long)listing, state);
    sqlite3_finalize(st);
    return id;
}

static int64_t listing(struct t *t, int64_t shop, int64_t variant)
{
    int64_t id = qi(t,
                    "SELECT id FROM sync_listings WHERE shop_id = ?1"
                    " AND variant_id = ?2",
                    shop, variant);

    if (id == 0)
        fail_msg("no listing of variant %lld on shop %lld", (long long)variant,
                 (long long)shop);
    return id;
}

static void list_product(struct t *t, int64_t shop, int64_t product,
                         int want_added)
{
    struct err_ctx ec = {0};
    int added = -1;

    if (sync_list_product(t->db, &who, shop, product, &added, &ec) != ERR_OK)
        fail_msg("sync_list_product: %s", ec.msg);
    assert_int_equal(added, want_added);
}

/* --- setup ---------------------------------------------------------------- */

static int64_t add_shop(struct t *t, const char *name, int64_t *loc)
{
    struct sync_shop_new n = {.market = "shopee",
                              .name = name,
                              .producer_id = 1,
                              .app_key = "2001234",
                              .app_secret = "partner-key-for-tests"};
    struct err_ctx ec = {0};
    int64_t id = 0;

    if (sync_shop_add(t->db, &who, &n, &id, &ec) != ERR_OK) {
        fprintf(stderr, "sync_shop_add: %s\n", ec.msg);
        return 0;
    }
    *loc = qi(t, "SELECT location_id FROM sync_shops WHERE id = ?1", id, 0);
    return id;
}

static int seed(struct t *t)
{
    FILE *f = tu_open("tests/fixtures/sync/outbox.sql");
    char sql[8192];
    size_t n;
    char *msg = NULL;

    if (f == NULL)
        return -1;
    n = fread(sql, 1, sizeof(sql) - 1, f);
    fclose(f);
    sql[n] = '\0';
    if (sqlite3_exec(db_handle(t->db), sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "outbox.sql: %s\n", msg);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int group_setup(void **state)
{
    struct err_ctx ec = {0};

    (void)state;
    setenv("OCOP_SECRET_KEY", TEST_KEY, 1);
    if (seal_init(NULL, &ec) != ERR_OK) {
        fprintf(stderr, "seal_init: %s\n", ec.msg);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    struct t *t = calloc(1, sizeof(*t));
    struct err_ctx ec = {0};
    int fd;

    if (t == NULL)
        return -1;
    *state = t;
    snprintf(t->path, sizeof(t->path), "/tmp/ocop-sync-XXXXXX");
    fd = mkstemp(t->path);
    if (fd < 0)
        return -1;
    close(fd);
    if (db_open(t->path, DB_READWRITE, &t->db, &ec) != ERR_OK ||
        db_migrate(t->db, NULL, &ec) != ERR_OK) {
        fprintf(stderr, "setup: %s\n", ec.msg);
        return -1;
    }
    if (seed(t) != 0)
        return -1;
    t->shop1 = add_shop(t, "Mắm ruốc Sa Huỳnh", &t->loc1);
    t->shop2 = add_shop(t, "Sa Huỳnh Official", &t->loc2);
    return t->shop1 > 0 && t->shop2 > 0 && t->loc1 != t->loc2 ? 0 : -1;
}

static int teardown(void **state)
{
    struct t *t = *state;
    char side[80];

    db_close(t->db);
    unlink(t->path);
    snprintf(side, sizeof(side), "%s-wal", t->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", t->path);
    unlink(side);
    free(t);
    return 0;
}

/* --- listing -------------------------------------------------------------- */

static void shop_added_sealed(void **state)
{
    struct t *t = *state;
    static const char secret[] = "partner-key-for-tests";
    sqlite3_stmt *st = prep(t,
                            "SELECT secrets, state FROM sync_shops"
                            " WHERE id = ?1",
                            t->shop1, 0);

    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_bytes(st, 0) > 40);
    assert_null(memmem(sqlite3_column_blob(st, 0),
                       (size_t)sqlite3_column_bytes(st, 0), secret,
                       strlen(secret)));
    assert_string_equal(sqlite3_column_text(st, 1), "new");
    sqlite3_finalize(st);
    assert_int_equal(qi(t,
                        "SELECT COUNT(*) FROM locations WHERE id = ?1"
                        " AND kind = 'channel' AND channel = 'shopee'",
                        t->loc1, 0),
                     1);
    /* a shop adds no job by itself */
    assert_int_equal(njobs(t, 0, NULL, NULL), 0);
}

static void listing_queues_one_create_per_variant(void **state)
{
    struct t *t = *state;
    struct err_ctx ec = {0};
    int64_t v, added = -1;
    int n = -1;

    list_product(t, t->shop1, 1, 3);
    assert_int_equal(njobs(t, 0, NULL, NULL), 3);
    for (v = 1; v <= 3; v++) {
        int64_t l = listing(t, t->shop1, v);
        assert_int_equal(njobs(t, l, "create", "pending"), 1);
        assert_int_equal(njobs(t, l, NULL, NULL), 1);
    }
    /* listing again adds neither listings nor jobs */
    list_product(t, t->shop1, 1, 0);
    assert_int_equal(njobs(t, 0, NULL, NULL), 3);
    assert_int_equal(qi(t,
                        "SELECT COUNT(*) FROM sync_listings WHERE shop_id = ?1",
                        t->shop1, 0),
                     3);
    /* another producer's product is refused, and queues nothing */
    assert_int_equal(sync_list_product(t->db, &who, t->shop1, 2, &n, &ec),
                     ERR_FORBIDDEN);
    assert_int_equal(sync_list_product(t->db, &who, t->shop1, 999, &n, &ec),
                     ERR_NOTFOUND);
    assert_int_equal(sync_list_product(t->db, &who, 999, 1, &n, &ec),
                     ERR_NOTFOUND);
    added = qi(t, "SELECT COUNT(*) FROM sync_listings", 0, 0);
    assert_int_equal(added, 3);
    assert_int_equal(njobs(t, 0, NULL, NULL), 3);
}

/* --- price ---------------------------------------------------------------- */

static void price_change_coalesced_until_running(void **state)
{
    struct t *t = *state;
    int64_t a, b;

    list_product(t, t->shop1, 1, 3);
    list_product(t, t->shop2, 1, 3);
    a = listing(t, t->shop1, 1);
    b = listing(t, t->shop2, 1);
    ex(t, "UPDATE variants SET price_vnd = 47000 WHERE id = 1", 0, 0);
    /* one per listing of the variant, on each shop; none for the others */
    assert_int_equal(njobs(t, a, "price", "pending"), 1);
    assert_int_equal(njobs(t, b, "price", "pending"), 1);
    assert_int_equal(njobs(t, 0, "price", NULL), 2);
    /* two more while it is pending: carried by the same job */
    ex(t, "UPDATE variants SET price_vnd = 48000 WHERE id = 1", 0, 0);
    ex(t, "UPDATE variants SET price_vnd = 49000 WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, 0, "price", NULL), 2);
    /* the same price again is no change */
    ex(t, "UPDATE variants SET price_vnd = 49000 WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, 0, "price", NULL), 2);
    /* once it runs, it carries an older price: a new change needs a job */
    ex(t,
       "UPDATE sync_jobs SET state = 'running' WHERE listing_id = ?1"
       " AND kind = 'price'",
       a, 0);
    ex(t, "UPDATE variants SET price_vnd = 50000 WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, a, "price", "running"), 1);
    assert_int_equal(njobs(t, a, "price", "pending"), 1);
    assert_int_equal(njobs(t, b, "price", NULL), 1);
    /* a price set from NULL counts too */
    ex(t, "UPDATE variants SET price_vnd = NULL WHERE id = 2", 0, 0);
    assert_int_equal(njobs(t, listing(t, t->shop1, 2), "price", NULL), 1);
}

/* --- stock ---------------------------------------------------------------- */

struct move_tx {
    struct stk_move m;
};

static enum err move_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct move_tx *x = cls;

    return stk_record(db, &who, &x->m, NULL, ec);
}

static void receive(struct t *t, int64_t variant, int64_t place, int64_t qty)
{
    struct move_tx x = {{variant, place, qty,
                         qty > 0 ? STK_RECEIVE : STK_ADJUST, "test", NULL, NULL,
                         -1, 0}};
    struct err_ctx ec = {0};

    if (db_tx_run(t->db, "test_move", move_fn, &x, &ec) != ERR_OK)
        fail_msg("stk_record: %s", ec.msg);
}

static void stock_move_at_the_shops_place(void **state)
{
    struct t *t = *state;
    int64_t a, b;

    list_product(t, t->shop1, 1, 3);
    list_product(t, t->shop2, 1, 3);
    a = listing(t, t->shop1, 1);
    b = listing(t, t->shop2, 1);
    /* elsewhere: the warehouse, a point */
    receive(t, 1, 1, 50);
    receive(t, 1, 2, 5);
    assert_int_equal(njobs(t, 0, "stock", NULL), 0);
    /* at shop 1's place: shop 1's listing of that variant only */
    receive(t, 1, t->loc1, 10);
    assert_int_equal(njobs(t, a, "stock", "pending"), 1);
    assert_int_equal(njobs(t, 0, "stock", NULL), 1);
    /* a running job is not reused (more while pending: see
     * stock_and_price_upserts_while_pending) */
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE kind = 'stock'", 0, 0);
    receive(t, 1, t->loc1, 1);
    assert_int_equal(njobs(t, a, "stock", "pending"), 1);
    assert_int_equal(njobs(t, a, "stock", NULL), 2);
    /* shop 2's place, another variant */
    receive(t, 3, t->loc2, 4);
    assert_int_equal(njobs(t, listing(t, t->shop2, 3), "stock", "pending"), 1);
    assert_int_equal(njobs(t, b, "stock", NULL), 0);
    /* an unlisted variant at a shop's place queues nothing */
    receive(t, 5, t->loc1, 4);
    assert_int_equal(njobs(t, 0, "stock", NULL), 3);
}

/* The catalog and the ledger write with upserts (INSERT ... ON CONFLICT DO
 * UPDATE: stk.c add_on_hand, cat_edit.c upsert_variant, cat_import.c). An
 * upsert's DO UPDATE runs with ABORT, and SQLite lets the outer
 * statement's conflict policy override the triggers' INSERT OR IGNORE, so
 * the outbox must not rely on OR IGNORE: a second change while a job of
 * its kind is pending must be carried by it, not fail the change. */
static void stock_and_price_upserts_while_pending(void **state)
{
    struct t *t = *state;
    struct err_ctx ec = {0};
    int64_t a;

    list_product(t, t->shop1, 1, 3);
    a = listing(t, t->shop1, 1);
    /* stock: every movement after the first updates on hand */
    receive(t, 1, t->loc1, 10);
    assert_int_equal(njobs(t, a, "stock", "pending"), 1);
    receive(t, 1, t->loc1, 3);
    receive(t, 1, t->loc1, -2);
    assert_int_equal(stk_on_hand_of(t->db, 1, t->loc1), 11);
    assert_int_equal(njobs(t, a, "stock", NULL), 1);
    /* price, saved the way the product editor saves variants */
    ex(t, "UPDATE variants SET price_vnd = 47000 WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, a, "price", "pending"), 1);
    ex(t,
       "INSERT INTO variants (product_id, position, sku, price_vnd)"
       " VALUES (1, 0, 'MRSH-200', 48000) ON CONFLICT (sku) DO UPDATE"
       " SET price_vnd = excluded.price_vnd",
       0, 0);
    assert_int_equal(qi(t, "SELECT price_vnd FROM variants WHERE id = 1", 0, 0),
                     48000);
    assert_int_equal(njobs(t, a, "price", NULL), 1);
    /* visibility, as the catalog import writes products */
    assert_int_equal(sync_listing_set_wanted(t->db, &who, a, 0, &ec), ERR_OK);
    ex(t,
       "INSERT INTO products (slug, name, name_key, producer_id,"
       " group_code, status) VALUES ('mam-ruoc-sa-huynh', 'Mắm ruốc Sa"
       " Huỳnh', x'00', 1, 1, 'withdrawn') ON CONFLICT (slug) DO UPDATE"
       " SET status = excluded.status",
       0, 0);
    assert_int_equal(njobs(t, a, "unlist", NULL), 1);
    assert_int_equal(njobs(t, 0, "unlist", NULL), 3);
}

/* --- off and on sale ------------------------------------------------------ */

static void unlist_on_hide_and_unwanted(void **state)
{
    struct t *t = *state;
    struct err_ctx ec = {0};
    int64_t a, b, c, all;

    list_product(t, t->shop1, 1, 3);
    a = listing(t, t->shop1, 1);
    b = listing(t, t->shop1, 2);
    c = listing(t, t->shop1, 3);
    assert_int_equal(sync_listing_set_wanted(t->db, &who, a, 0, &ec), ERR_OK);
    assert_int_equal(njobs(t, a, "unlist", "pending"), 1);
    assert_int_equal(njobs(t, 0, "unlist", NULL), 1);
    assert_int_equal(
        qi(t, "SELECT wanted FROM sync_listings WHERE id = ?1", a, 0), 0);
    /* unwanted again: no change, no job */
    assert_int_equal(sync_listing_set_wanted(t->db, &who, a, 0, &ec), ERR_OK);
    assert_int_equal(njobs(t, 0, "unlist", NULL), 1);
    /* hiding the product: every listing of it (a's is carried) */
    ex(t,
       "UPDATE products SET hidden_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
       " WHERE id = 1",
       0, 0);
    assert_int_equal(njobs(t, b, "unlist", "pending"), 1);
    assert_int_equal(njobs(t, c, "unlist", "pending"), 1);
    assert_int_equal(njobs(t, 0, "unlist", NULL), 3);
    /* shown again while they wait: they send what the catalog wants when
     * they run, so nothing more is queued */
    all = njobs(t, 0, NULL, NULL);
    ex(t, "UPDATE products SET hidden_at = NULL WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, 0, NULL, NULL), all);
    /* once they ran: withdrawn is off sale too, certified again back on */
    ex(t, "UPDATE sync_jobs SET state = 'done' WHERE kind = 'unlist'", 0, 0);
    ex(t, "UPDATE products SET status = 'withdrawn' WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, 0, "unlist", "pending"), 3);
    ex(t, "UPDATE sync_jobs SET state = 'done' WHERE kind = 'unlist'", 0, 0);
    ex(t, "UPDATE products SET status = 'certified' WHERE id = 1", 0, 0);
    assert_int_equal(
        njobs(t, 0, "unlist", "pending") + njobs(t, 0, "relist", "pending"), 3);
    /* from one off-sale status to another (registered, withdrawn): none */
    ex(t, "UPDATE sync_jobs SET state = 'done' WHERE state = 'pending'", 0, 0);
    ex(t, "UPDATE products SET status = 'registered' WHERE id = 1", 0, 0);
    ex(t, "UPDATE sync_jobs SET state = 'done' WHERE state = 'pending'", 0, 0);
    ex(t, "UPDATE products SET status = 'withdrawn' WHERE id = 1", 0, 0);
    assert_int_equal(njobs(t, 0, NULL, "pending"), 0);
    /* wanted again by its producer */
    assert_int_equal(sync_listing_set_wanted(t->db, &who, a, 1, &ec), ERR_OK);
    assert_int_equal(njobs(t, a, "relist", "pending"), 1);
    assert_int_equal(sync_listing_set_wanted(t->db, &who, 9999, 0, &ec),
                     ERR_NOTFOUND);
}

/* --- claiming ------------------------------------------------------------- */

#define MAX_CLAIMED 32

struct claimed {
    struct sync_job j[MAX_CLAIMED];
    int n;
};

struct claim_tx {
    int64_t shop;
    int limit;
    struct claimed *o;
};

static enum err claim_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct claim_tx *c = cls;

    return sync_job_claim_shop(db, sync_now_ms(), c->shop, c->limit, c->o->j,
                               &c->o->n, ec);
}

/* claim: what the worker would start now for shop, at most limit. */
static void claim(struct t *t, int64_t shop, int limit, struct claimed *o)
{
    struct claim_tx c = {shop, limit, o};
    struct err_ctx ec = {0};

    memset(o, 0, sizeof(*o));
    assert_true(limit <= MAX_CLAIMED);
    if (db_tx_run(t->db, "test_claim", claim_fn, &c, &ec) != ERR_OK)
        fail_msg("sync_job_claim_shop: %s", ec.msg);
}

static int claimed_job(const struct claimed *o, int64_t id)
{
    int i;

    for (i = 0; i < o->n; i++)
        if (o->j[i].id == id)
            return 1;
    return 0;
}

static void claim_takes_the_head_of_each_listing(void **state)
{
    struct t *t = *state;
    struct claimed o;
    int64_t a, b, c, ca, cb, cc, pa, pb;
    int i;

    list_product(t, t->shop1, 1, 3);
    list_product(t, t->shop2, 1, 3); /* shop 2 stays 'new' */
    a = listing(t, t->shop1, 1);
    b = listing(t, t->shop1, 2);
    c = listing(t, t->shop1, 3);
    ca = job(t, a, "create", "pending");
    cb = job(t, b, "create", "pending");
    cc = job(t, c, "create", "pending");
    ex(t, "UPDATE variants SET price_vnd = 47000 WHERE id = 1", 0, 0);
    pa = job(t, a, "price", "pending");
    /* a shop that is not active: nothing */
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 0);
    ex(t, "UPDATE sync_shops SET state = 'active' WHERE id = ?1", t->shop1, 0);
    /* the oldest of each listing, in queue order, no more than asked */
    claim(t, t->shop1, 2, &o);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.j[0].id, ca);
    assert_int_equal(o.j[1].id, cb);
    for (i = 0; i < o.n; i++) {
        assert_string_equal(o.j[i].kind, "create");
        assert_int_equal(o.j[i].shop_id, t->shop1);
    }
    assert_int_equal(o.j[0].listing_id, a);
    assert_int_equal(njobs(t, 0, NULL, "running"), 2);
    /* a and b are in flight: only c; a's price waits behind its create */
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.j[0].id, cc);
    assert_false(claimed_job(&o, pa));
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 0);
    /* a's create done: its price comes next */
    ex(t, "UPDATE sync_jobs SET state = 'done' WHERE id = ?1", ca, 0);
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.j[0].id, pa);
    /* a job due later is not taken yet, nor what queues behind it */
    ex(t, "UPDATE sync_jobs SET state = 'pending', due_ms = ?2 WHERE id = ?1",
       cb, sync_now_ms() + 3600 * 1000);
    ex(t, "UPDATE variants SET price_vnd = 99000 WHERE id = 2", 0, 0);
    pb = job(t, b, "price", "pending");
    claim(t, t->shop1, 10, &o);
    assert_false(claimed_job(&o, cb));
    assert_false(claimed_job(&o, pb));
    /* a paused or revoked shop's jobs are not taken */
    ex(t, "UPDATE sync_jobs SET due_ms = 0 WHERE id = ?1", cb, 0);
    ex(t, "UPDATE sync_shops SET state = 'paused' WHERE id = ?1", t->shop1, 0);
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 0);
    ex(t, "UPDATE sync_shops SET state = 'revoked' WHERE id = ?1", t->shop1, 0);
    claim(t, t->shop1, 10, &o);
    assert_int_equal(o.n, 0);
    /* shop 2 active: its three, never shop 1's */
    ex(t, "UPDATE sync_shops SET state = 'active' WHERE id = ?1", t->shop2, 0);
    claim(t, t->shop2, 10, &o);
    assert_int_equal(o.n, 3);
    for (i = 0; i < o.n; i++)
        assert_int_equal(o.j[i].shop_id, t->shop2);
}

/* --- ending a job --------------------------------------------------------- */

struct end_tx {
    struct sync_job_end end;
};

static enum err end_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct end_tx *x = cls;

    return sync_job_end(db, &x->end, ec);
}

static void end_job(struct t *t, int64_t job_id, int64_t listing_id,
                    const char *state, int attempts, int64_t due_ms)
{
    struct end_tx x = {{job_id, listing_id, state, attempts, due_ms, 503,
                        "error_server", "try later", NULL, NULL}};
    struct err_ctx ec = {0};

    if (db_tx_run(t->db, "test_end", end_fn, &x, &ec) != ERR_OK)
        fail_msg("sync_job_end %s: %s", state, ec.msg);
}

static void retry_later_superseded_by_newer_job(void **state)
{
    struct t *t = *state;
    int64_t a, p1, p2;

    list_product(t, t->shop1, 1, 3);
    a = listing(t, t->shop1, 1);
    ex(t, "UPDATE variants SET price_vnd = 47000 WHERE id = 1", 0, 0);
    p1 = job(t, a, "price", "pending");
    /* alone, a retry goes back to pending with its attempts and due time */
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE id = ?1", p1, 0);
    end_job(t, p1, a, "pending", 1, 123456);
    assert_int_equal(job(t, a, "price", "pending"), p1);
    assert_int_equal(qi(t,
                        "SELECT attempts * 1000000 + due_ms FROM sync_jobs"
                        " WHERE id = ?1",
                        p1, 0),
                     1 * 1000000 + 123456);
    /* running again; a newer price queues p2 meanwhile */
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE id = ?1", p1, 0);
    ex(t, "UPDATE variants SET price_vnd = 48000 WHERE id = 1", 0, 0);
    p2 = job(t, a, "price", "pending");
    assert_true(p2 != p1);
    /* the retry of p1 would be a second pending price: p1 is done */
    end_job(t, p1, a, "pending", 2, 0);
    assert_int_equal(qi(t,
                        "SELECT state = 'done' AND message = 'superseded'"
                        " AND finished_at IS NOT NULL"
                        " FROM sync_jobs WHERE id = ?1",
                        p1, 0),
                     1);
    assert_int_equal(job(t, a, "price", "pending"), p2);
    assert_int_equal(njobs(t, a, "price", NULL), 2);
    /* p2 untouched */
    assert_int_equal(
        qi(t, "SELECT attempts FROM sync_jobs WHERE id = ?1", p2, 0), 0);
    /* failing is not superseding: a failed end is recorded as such */
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE id = ?1", p2, 0);
    end_job(t, p2, a, "failed", 1, 0);
    assert_int_equal(njobs(t, a, "price", "failed"), 1);
}

/* --- retry now ------------------------------------------------------------ */

static void retry_now(void **state)
{
    struct t *t = *state;
    struct err_ctx ec = {0};
    int64_t a, ca, pa;

    list_product(t, t->shop1, 1, 3);
    a = listing(t, t->shop1, 1);
    ca = job(t, a, "create", "pending");
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE id = ?1", ca, 0);
    end_job(t, ca, a, "failed", 3, 99999);
    assert_int_equal(sync_retry(t->db, &who, ca, &ec), ERR_OK);
    assert_int_equal(qi(t,
                        "SELECT state = 'pending' AND attempts = 0"
                        " AND due_ms = 0 AND finished_at IS NULL"
                        " FROM sync_jobs WHERE id = ?1",
                        ca, 0),
                     1);
    /* dead too */
    ex(t, "UPDATE sync_jobs SET state = 'dead', attempts = 8 WHERE id = ?1", ca,
       0);
    assert_int_equal(sync_retry(t->db, &who, ca, &ec), ERR_OK);
    assert_int_equal(qi(t,
                        "SELECT state = 'pending' AND attempts = 0"
                        " FROM sync_jobs WHERE id = ?1",
                        ca, 0),
                     1);
    /* pending, running or done: nothing to retry */
    assert_int_equal(sync_retry(t->db, &who, ca, &ec), ERR_CONFLICT);
    ex(t, "UPDATE sync_jobs SET state = 'running' WHERE id = ?1", ca, 0);
    assert_int_equal(sync_retry(t->db, &who, ca, &ec), ERR_CONFLICT);
    end_job(t, ca, a, "done", 1, 0);
    ec.key = NULL;
    assert_int_equal(sync_retry(t->db, &who, ca, &ec), ERR_CONFLICT);
    assert_non_null(ec.key);
    assert_string_equal(ec.key, "err_job_not_failed");
    assert_int_equal(
        qi(t, "SELECT state = 'done' FROM sync_jobs WHERE id = ?1", ca, 0), 1);
    /* a failed price while a newer price is pending: closed, not doubled */
    ex(t, "UPDATE variants SET price_vnd = 47000 WHERE id = 1", 0, 0);
    pa = job(t, a, "price", "pending");
    ex(t, "UPDATE sync_jobs SET state = 'failed' WHERE id = ?1", pa, 0);
    ex(t, "UPDATE variants SET price_vnd = 48000 WHERE id = 1", 0, 0);
    assert_int_equal(sync_retry(t->db, &who, pa, &ec), ERR_OK);
    assert_int_equal(njobs(t, a, "price", "pending"), 1);
    assert_int_equal(qi(t,
                        "SELECT state = 'done' AND message = 'superseded'"
                        " FROM sync_jobs WHERE id = ?1",
                        pa, 0),
                     1);
    /* every retry is audited */
    assert_true(qi(t,
                   "SELECT COUNT(*) FROM audit_log"
                   " WHERE action = 'sync.retry'",
                   0, 0) >= 3);
}

/* --- the category mapping ------------------------------------------------- */

static const char *dash_null(const char *v)
{
    return strcmp(v, "-") == 0 ? NULL : v;
}

static int64_t stored_mappings(struct t *t)
{
    return qi(t, "SELECT COUNT(*) FROM sync_categories", 0, 0);
}

static void category_mapping(void **state)
{
    FILE *f = tu_open("tests/fixtures/sync/mapping.tsv");
    struct t *t = *state;
    char line[1024], *c[6];
    int n, rows = 0, ok = 0;
    cJSON *all = NULL, *m, *req;

    assert_non_null(f);
    while ((n = tu_next_row(f, line, sizeof(line), c, 6)) >= 0) {
        struct err_ctx ec = {0};
        int64_t before = stored_mappings(t);
        int64_t changed = qi(t, "SELECT total_changes()", 0, 0);
        enum err e;

        assert_int_equal(n, 6);
        e = sync_category_set(t->db, &who, c[0], strtoll(c[1], NULL, 10), c[2],
                              "Thực phẩm khô", dash_null(c[3]), dash_null(c[4]),
                              &ec);
        rows++;
        if (strcmp(c[5], "ok") == 0) {
            if (e != ERR_OK)
                fail_msg("%s %s %s: %s", c[0], c[3], c[4], ec.msg);
            ok++;
            continue;
        }
        if (e != ERR_UNPROCESSABLE || ec.key == NULL ||
            strcmp(ec.key, c[5]) != 0)
            fail_msg("%s %s %s %s: want %s, got %s %s", c[0], c[1], c[3], c[4],
                     c[5], err_name(e), ec.key ? ec.key : "(no key)");
        /* nothing stored, nothing changed */
        assert_int_equal(stored_mappings(t), before);
        assert_int_equal(qi(t, "SELECT total_changes()", 0, 0), changed);
    }
    fclose(f);
    assert_true(rows >= 15);
    assert_int_equal(ok, 2);
    /* what the first row stored is what comes back */
    assert_int_equal(sync_categories(t->db, "shopee", &all, NULL), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(all), 2);
    m = cJSON_GetArrayItem(all, 0);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "group_code")),
                     1);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(m, "category_id")), "100629");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m, "group")),
                        "Thực phẩm");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(m, "attributes"), "Xuất xứ")),
                        "Việt Nam");
    req = cJSON_GetObjectItem(m, "required");
    assert_int_equal(cJSON_GetArraySize(req), 4);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(req, 3)),
                        "attr:Xuất xứ");
    cJSON_Delete(all);
    /* another market has none; every market: the same two */
    assert_int_equal(sync_categories(t->db, "lazada", &all, NULL), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(all), 0);
    cJSON_Delete(all);
    assert_int_equal(sync_categories(t->db, NULL, &all, NULL), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(all), 2);
    cJSON_Delete(all);
}

/* --- what a listing lacks ------------------------------------------------- */

/* missing_fields: sync_missing for the listing, as "f1,f2,..." in buf. */
static void missing_fields(struct t *t, int64_t listing_id, char *buf,
                           size_t size)
{
    struct err_ctx ec = {0};
    cJSON *arr = NULL, *m;
    size_t len = 0;

    if (sync_missing(t->db, listing_id, &arr, &ec) != ERR_OK)
        fail_msg("sync_missing: %s", ec.msg);
    buf[0] = '\0';
    cJSON_ArrayForEach(m, arr)
    {
        const char *field =
            cJSON_GetStringValue(cJSON_GetObjectItem(m, "field"));
        const char *label =
            cJSON_GetStringValue(cJSON_GetObjectItem(m, "label"));
        assert_non_null(field);
        assert_non_null(label);
        assert_int_equal(strncmp(label, "sync_field_", 11), 0);
        len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                len > 0 ? "," : "", field);
        assert_true(len < size);
    }
    cJSON_Delete(arr);
}

static void set_mapping(struct t *t, const char *attributes)
{
    struct err_ctx ec = {0};

    if (sync_category_set(t->db, &who, "shopee", 1, "100629", "Mắm", attributes,
                          "[\"category\",\"weight\",\"image\","
                          "\"attr:Xuất xứ\"]",
                          &ec) != ERR_OK)
        fail_msg("sync_category_set: %s", ec.msg);
}

static void missing_fields_of_a_listing(void **state)
{
    struct t *t = *state;
    struct err_ctx ec = {0};
    char got[256];
    cJSON *arr = NULL;
    int64_t a, d;

    list_product(t, t->shop1, 1, 3);
    list_product(t, t->shop1, 3, 1);
    a = listing(t, t->shop1, 1);
    d = listing(t, t->shop1, 5);
    /* no mapping for the group at all: the category is what lacks */
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "category");
    set_mapping(t, "{\"Thương hiệu\":\"Sa Huỳnh\"}");
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "weight,image,attr:Xuất xứ");
    /* a photo of the catalog's own (not uploaded) is not an image */
    ex(t, "INSERT INTO photos (product_id, file) VALUES (1, 'mam-ruoc.jpg')", 0,
       0);
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "weight,image,attr:Xuất xứ");
    ex(t, "UPDATE variants SET weight_g = 250 WHERE id = 1", 0, 0);
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "image,attr:Xuất xứ");
    /* the other variants still lack their weight */
    missing_fields(t, listing(t, t->shop1, 2), got, sizeof(got));
    assert_string_equal(got, "weight,image,attr:Xuất xứ");
    ex(t,
       "INSERT INTO photos (product_id, file, kind) VALUES (1, 'a1b2c3',"
       " 'upload')",
       0, 0);
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "attr:Xuất xứ");
    /* an empty value is no value */
    set_mapping(t, "{\"Xuất xứ\":\"\"}");
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "attr:Xuất xứ");
    set_mapping(t, "{\"Xuất xứ\":\"Quảng Ngãi\"}");
    missing_fields(t, a, got, sizeof(got));
    assert_string_equal(got, "");
    /* group 2 (product 3) still has no mapping */
    missing_fields(t, d, got, sizeof(got));
    assert_string_equal(got, "category");
    assert_int_equal(sync_missing(t->db, 9999, &arr, &ec), ERR_NOTFOUND);
    cJSON_Delete(arr);
}

/* sync_item_missing on an item built here: each field, alone. */
static void item_missing_each_field(void **state)
{
    static const char *const lack[][2] = {
        {"category", "category_id"},    {"brand", "brand"},
        {"description", "description"}, {"image", "n_images"},
        {"weight", "weight_g"},         {"price", "price_vnd"},
        {"warehouse", "warehouse"},     {"attr:Xuất xứ", "attributes"},
    };
    struct t *t = *state;
    struct sync_shop_rec shop;
    size_t i;

    memset(&shop, 0, sizeof(shop));
    shop.s.market = "shopee";
    /* everything required; in each round only one field lacks */
    set_mapping(t, "{}");
    ex(t,
       "UPDATE sync_categories SET required = '[\"category\",\"brand\","
       "\"description\",\"image\",\"weight\",\"price\",\"warehouse\","
       "\"attr:Xuất xứ\"]' WHERE market = 'shopee' AND group_code = ?1",
       1, 0);
    for (i = 0; i < sizeof(lack) / sizeof(lack[0]); i++) {
        cJSON *attrs = cJSON_Parse("{\"Xuất xứ\":\"Quảng Ngãi\"}");
        struct mkt_item it = {.seller_sku = "MRSH-200",
                              .title = "Mắm ruốc Sa Huỳnh 200 g",
                              .description = "Mắm ruốc làm từ ruốc biển.",
                              .category_id = "100629",
                              .attributes = attrs,
                              .brand = "HTX Sa Huỳnh",
                              .price_vnd = 45000,
                              .weight_g = 250,
                              .n_images = 1};
        struct err_ctx ec = {0};
        cJSON *arr = cJSON_CreateArray();
        const char *f = lack[i][1];

        shop.s.warehouse = "WH-1";
        if (strcmp(f, "category_id") == 0)
            it.category_id = "";
        else if (strcmp(f, "brand") == 0)
            it.brand = "";
        else if (strcmp(f, "description") == 0)
            it.description = "ngắn";
        else if (strcmp(f, "n_images") == 0)
            it.n_images = 0;
        else if (strcmp(f, "weight_g") == 0)
            it.weight_g = 0;
        else if (strcmp(f, "price_vnd") == 0)
            it.price_vnd = 0;
        else if (strcmp(f, "warehouse") == 0)
            shop.s.warehouse = "";
        else
            cJSON_DeleteItemFromObject(attrs, "Xuất xứ");
        assert_int_equal(sync_item_missing(t->db, &shop, 1, &it, arr, &ec),
                         ERR_OK);
        if (cJSON_GetArraySize(arr) != 1 ||
            strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
                       cJSON_GetArrayItem(arr, 0), "field")),
                   lack[i][0]) != 0)
            fail_msg("lacking %s: got %d fields", lack[i][0],
                     cJSON_GetArraySize(arr));
        cJSON_Delete(arr);
        cJSON_Delete(attrs);
    }
}

/* --- backoff -------------------------------------------------------------- */

static void check_backoff(const struct sync_opts *o, int64_t retry_after)
{
    int attempts, k;

    for (attempts = 1; attempts <= 10; attempts++) {
        int64_t d = o->backoff_base_ms, lo = INT64_MAX, hi = 0;
        for (k = 1; k < attempts; k++)
            d *= 2;
        if (d > o->backoff_max_ms)
            d = o->backoff_max_ms;
        for (k = 0; k < 300; k++) {
            int64_t got = syncw_backoff_ms(o, attempts, retry_after);
            int64_t want_lo = d / 2 > retry_after ? d / 2 : retry_after;
            int64_t want_hi = d > retry_after ? d : retry_after;
            if (got < want_lo || got > want_hi)
                fail_msg("attempt %d (base %ld, max %ld, retry-after %lld):"
                         " %lld not in [%lld, %lld]",
                         attempts, o->backoff_base_ms, o->backoff_max_ms,
                         (long long)retry_after, (long long)got,
                         (long long)want_lo, (long long)want_hi);
            lo = got < lo ? got : lo;
            hi = got > hi ? got : hi;
        }
        /* jittered: 300 draws from hundreds of values are not all equal */
        if (retry_after < d / 2)
            assert_true(lo < hi);
    }
}

static void backoff(void **state)
{
    struct sync_opts o;

    (void)state;
    sync_opts_default(&o);
    check_backoff(&o, 0);
    check_backoff(&o, 1800);   /* between d/2 and d early on */
    check_backoff(&o, 600000); /* the marketplace asked for more */
    assert_int_equal(syncw_backoff_ms(&o, 3, 600000), 600000);
    o.backoff_base_ms = 999; /* odd: halves round down */
    o.backoff_max_ms = 20001;
    check_backoff(&o, 0);
    /* far past the cap, no overflow */
    sync_opts_default(&o);
    assert_true(syncw_backoff_ms(&o, 200, 0) <= o.backoff_max_ms);
    assert_true(syncw_backoff_ms(&o, 200, 0) >= o.backoff_max_ms / 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(shop_added_sealed),
        T(listing_queues_one_create_per_variant),
        T(price_change_coalesced_until_running),
        T(stock_move_at_the_shops_place),
        T(stock_and_price_upserts_while_pending),
        T(unlist_on_hide_and_unwanted),
        T(claim_takes_the_head_of_each_listing),
        T(retry_later_superseded_by_newer_job),
        T(retry_now),
        T(category_mapping),
        T(missing_fields_of_a_listing),
        T(item_missing_each_field),
        cmocka_unit_test(backoff),
    };
#undef T

    return cmocka_run_group_tests(tests, group_setup, NULL);
}
