/* sync_auth.c: connecting a shop: the authorisation link, the code for
 * tokens exchange, pausing and resuming. */
#include "sync/sync_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static enum err store_nonce(struct db *db, int64_t shop_id, const char *nonce,
                            struct err_ctx *ec)
{
    static const char sql[] = "UPDATE sync_shops SET auth_nonce = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    sqlite3_bind_text(st, 2, nonce, -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}

enum err sync_shop_auth_url(struct db *db, int64_t shop_id,
                            const char *redirect, char *buf, size_t size,
                            struct err_ctx *ec)
{
    struct arena a;
    struct sync_shop_rec shop;
    unsigned char raw[16];
    char nonce[33];

    buf[0] = '\0';
    arena_init(&a, 4096);
    enum err e = sync_shop_load(db, shop_id, &a, &shop, ec);
    if (e == ERR_OK && shop.conn->auth_url) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
        e = store_nonce(db, shop_id, nonce, ec);
        /* the connector carries the state the way its marketplace does
         * (Shopee has no state parameter: it rides in the redirect) */
        if (e == ERR_OK)
            shop.conn->auth_url(&shop.s, redirect, nonce, sync_now_ms(), buf,
                                size);
    }
    arena_release(&a);
    return e;
}

static enum err check_nonce(struct db *db, int64_t shop_id, const char *state,
                            struct err_ctx *ec)
{
    static const char sql[] = "SELECT auth_nonce FROM sync_shops WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    const char *want = sqlite3_step(st) == SQLITE_ROW ? db_text(st, 0) : NULL;
    int ok = want && strlen(want) == strlen(state) &&
             sodium_memcmp(want, state, strlen(state)) == 0;
    sqlite3_reset(st);
    return ok ? ERR_OK
              : err_user(ec, ERR_FORBIDDEN, "err_shop_state", NULL,
                         "the authorisation does not match this shop");
}

/* exchange: one token call, answered into r. */
static enum err exchange(struct sync_shop_rec *shop, enum mkt_op op,
                         const char *code, struct mkt_reply *r,
                         struct err_ctx *ec)
{
    struct arena a;
    struct mkt_req req;
    struct sb body;
    long status = 0;
    struct mkt_call call = {.op = op, .shop = &shop->s, .code = code,
                            .now_ms = sync_now_ms()};

    memset(r, 0, sizeof *r);
    memset(&req, 0, sizeof req);
    arena_init(&a, 8192);
    sb_init(&body, 4u << 20);
    enum err e = shop->conn->build(&a, &call, &req, ec);
    if (e == ERR_OK)
        e = sync_http_once(&req, 15000, &status, &body, ec);
    if (e == ERR_OK)
        shop->conn->parse(&call, status, sb_str(&body), body.len, r);
    cJSON_Delete(r->orders);
    r->orders = NULL;
    sb_release(&body);
    arena_release(&a);
    return e;
}

struct connect_tx {
    const struct actor *who;
    int64_t shop_id;
    const char *app_secret;
    struct mkt_reply *r;
};

static enum err connect_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct connect_tx *t = cls;
    enum err e = sync_shop_store_tokens(db, t->shop_id, t->app_secret, t->r, ec);
    if (e == ERR_OK)
        e = audit_record(db, t->who, "shop.connect", "sync_shop", t->shop_id,
                         "", NULL, NULL, ec);
    return e;
}

static enum err refused(const struct sync_shop_rec *shop,
                        const struct mkt_reply *r, struct err_ctx *ec)
{
    return err_user(ec, ERR_UPSTREAM, "err_shop_connect", NULL, "%s: %s",
                    shop->conn->label, r->message[0] ? r->message : "?");
}

/* shop_info: TikTok names the shop (its cipher) only after the tokens. */
static enum err shop_info(struct sync_shop_rec *shop, struct mkt_reply *r,
                          struct err_ctx *ec)
{
    struct mkt_reply info;
    shop->s.access_token = r->access_token;
    enum err e = exchange(shop, MKT_OP_SHOP_INFO, NULL, &info, ec);
    if (e == ERR_OK && info.outcome != MKT_OK)
        return refused(shop, &info, ec);
    if (e == ERR_OK)
        mkt_copy(r->shop_ref, sizeof r->shop_ref, info.shop_ref);
    return e;
}

enum err sync_shop_connect(struct db *db, const struct actor *who,
                           int64_t shop_id, const char *code,
                           const char *state, const char *shop_ref,
                           struct err_ctx *ec)
{
    struct arena a;
    struct sync_shop_rec shop;
    struct mkt_reply r;

    arena_init(&a, 4096);
    enum err e = sync_shop_load(db, shop_id, &a, &shop, ec);
    if (e == ERR_OK && state)
        e = check_nonce(db, shop_id, state, ec);
    if (e == ERR_OK && shop_ref && *shop_ref)
        shop.s.shop_ref = shop_ref;
    if (e == ERR_OK)
        e = exchange(&shop, MKT_OP_TOKEN_CODE, code ? code : "", &r, ec);
    if (e == ERR_OK && r.outcome != MKT_OK)
        e = refused(&shop, &r, ec);
    if (e == ERR_OK && !r.shop_ref[0])
        mkt_copy(r.shop_ref, sizeof r.shop_ref, shop.s.shop_ref);
    if (e == ERR_OK && mkt_has_op(shop.conn, MKT_OP_SHOP_INFO))
        e = shop_info(&shop, &r, ec);
    if (e == ERR_OK) {
        struct connect_tx t = {who, shop_id, shop.s.app_secret, &r};
        e = db_tx_run(db, "sync_shop_connect", connect_fn, &t, ec);
    }
    sodium_memzero(&r, sizeof r);
    arena_release(&a);
    return e;
}

struct state_tx {
    const struct actor *who;
    int64_t shop_id;
    const char *state;
};

static enum err state_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_shops SET state = ?2 WHERE id = ?1"
        " AND state IN ('active', 'paused')";
    struct state_tx *t = cls;
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, t->shop_id);
    sqlite3_bind_text(st, 2, t->state, -1, SQLITE_STATIC);
    enum err e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_CONFLICT, "err_shop_not_connected", NULL,
                        "the shop is not connected");
    return e == ERR_OK ? audit_record(db, t->who, "shop.state", "sync_shop",
                                      t->shop_id, t->state, NULL, NULL, ec)
                       : e;
}

enum err sync_shop_set_state(struct db *db, const struct actor *who,
                             int64_t shop_id, const char *state,
                             struct err_ctx *ec)
{
    if (!state || (strcmp(state, "paused") != 0 && strcmp(state, "active") != 0))
        return err_user(ec, ERR_INVALID, "err_shop_state_word", "state",
                        "paused or active");
    struct state_tx t = {who, shop_id, strcmp(state, "paused") ? "active" : "paused"};
    return db_tx_run(db, "sync_shop_state", state_fn, &t, ec);
}
