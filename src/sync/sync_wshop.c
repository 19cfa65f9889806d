/* sync_wshop.c: the worker's shop-wide calls: refreshing a shop's token
 * (a refused refresh stops only that shop, with a message for people),
 * and walking the orders placed since the last walk. */
#include "sync/sync_worker.h"

#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- token refresh ---- */

struct tokens_tx {
    int64_t shop_id;
    const char *app_secret;
    const struct mkt_reply *r;
};

static enum err tokens_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct tokens_tx *t = cls;
    return sync_shop_store_tokens(db, t->shop_id, t->app_secret, t->r, ec);
}

struct revoke_tx {
    int64_t shop_id;
    const char *message;
};

static enum err revoke_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct revoke_tx *t = cls;
    return sync_shop_revoke(db, t->shop_id, t->message, ec);
}

static void revoke(struct worker *w, struct wshop *s, const char *label,
                   const struct mkt_reply *r)
{
    struct err_ctx ec;
    char msg[700];
    snprintf(msg, sizeof msg, "%s: %s", label,
             r->message[0] ? r->message : r->code);
    struct revoke_tx t = {s->id, msg};
    if (db_tx_run(w->db, "sync_revoke", revoke_fn, &t, &ec) != ERR_OK)
        log_msg(LOG_ERROR, "sync", "shop %lld: %s", (long long)s->id, ec.msg);
    log_msg(LOG_WARN, "sync", "shop %lld stopped: authorisation refused (%s)",
            (long long)s->id, r->code);
    s->active = 0;
    s->need_refresh = 0;
    w->st.revoked++;
}

static void refreshed(struct worker *w, struct xfer *x,
                      const struct mkt_reply *r)
{
    struct err_ctx ec;
    struct wshop *s = x->shop;
    struct mkt_reply keep = *r;
    /* a marketplace that does not rotate the refresh token (Lazada keeps
     * it; Sendo has none) leaves it empty: keep the one we had */
    if (!keep.refresh_token[0])
        mkt_copy(keep.refresh_token, sizeof keep.refresh_token,
                 x->rec.s.refresh_token);
    if (!keep.refresh_expires_at)
        keep.refresh_expires_at = x->rec.refresh_expires_at;
    keep.orders = NULL;
    struct tokens_tx t = {s->id, x->rec.s.app_secret, &keep};
    if (db_tx_run(w->db, "sync_tokens", tokens_fn, &t, &ec) != ERR_OK) {
        log_msg(LOG_ERROR, "sync", "shop %lld: %s", (long long)s->id, ec.msg);
        s->retry_refresh_ms = sync_now_ms() + 5000;
    } else {
        s->need_refresh = 0;
        s->refreshed_ms = sync_now_ms();
        s->access_expires_at = keep.access_expires_at;
        w->st.refreshed++;
    }
    sodium_memzero(&keep, sizeof keep);
}

static void refresh_done(struct worker *w, struct xfer *x,
                         const struct mkt_reply *r)
{
    struct wshop *s = x->shop;
    s->refreshing = 0;
    log_msg(r->outcome == MKT_OK ? LOG_DEBUG : LOG_INFO, "sync",
            "shop %lld token refresh: %d %s %s", (long long)s->id, r->outcome,
            r->code, r->message);
    if (r->outcome == MKT_OK)
        refreshed(w, x, r);
    else if (r->outcome == MKT_RETRY)
        s->retry_refresh_ms = sync_now_ms() + 5000;
    else
        revoke(w, s, x->rec.conn->label, r);
}

static void start_refresh(struct worker *w, struct wshop *s, int64_t now)
{
    struct err_ctx ec;
    struct xfer *x = syncw_xfer_new(X_REFRESH, s);
    if (!x)
        return;
    s->refreshing = 1;
    if (sync_shop_load(w->db, s->id, &x->a, &x->rec, &ec) != ERR_OK ||
        syncw_send(w, x, MKT_OP_TOKEN_REFRESH, &ec) != ERR_OK) {
        log_msg(LOG_WARN, "sync", "shop %lld refresh: %s", (long long)s->id,
                ec.msg);
        s->refreshing = 0;
        s->retry_refresh_ms = now + 5000;
        syncw_xfer_free(x);
    }
}

/* ---- orders ---- */

static enum err start_orders_call(struct worker *w, struct wshop *s,
                                  enum mkt_op op, const char *cursor,
                                  const char *ids)
{
    struct err_ctx ec;
    struct xfer *x = syncw_xfer_new(op == MKT_OP_ORDERS ? X_ORDERS : X_ORDER_LINES, s);
    if (!x)
        return ERR_NOMEM;
    enum err e = sync_shop_load(w->db, s->id, &x->a, &x->rec, &ec);
    x->call.since = s->orders_since;
    x->call.until = s->orders_until;
    mkt_copy(x->cursor, sizeof x->cursor, cursor);
    x->call.cursor = x->cursor;
    x->call.order_ids = ids ? arena_strdup(&x->a, ids) : NULL;
    if (e == ERR_OK)
        e = syncw_send(w, x, op, &ec);
    if (e != ERR_OK) {
        log_msg(LOG_WARN, "sync", "shop %lld orders: %s", (long long)s->id,
                ec.msg);
        syncw_xfer_free(x);
        return e;
    }
    syncw_spend(w, s);
    s->orders_busy++;
    return ERR_OK;
}

static void start_orders(struct worker *w, struct wshop *s, int64_t now)
{
    int64_t now_s = now / 1000;
    /* a first walk looks back three days; later ones overlap the last by
     * two minutes, since orders are applied once whatever the overlap */
    s->orders_since = s->orders_since > 0 ? s->orders_since - 120
                                          : now_s - 3 * 86400;
    s->orders_until = now_s;
    if (start_orders_call(w, s, MKT_OP_ORDERS, "", NULL) != ERR_OK)
        s->orders_due_ms = now + 5000;
}

struct import_tx {
    const struct sync_shop_rec *rec;
    const cJSON *orders;
    int imported;
};

static enum err import_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct import_tx *t = cls;
    return sync_orders_import(db, t->rec, t->orders, &t->imported, ec);
}

/* lines_of: the ids of listed orders that came without their lines,
 * fetched fifty at a time. */
static void fetch_lines(struct worker *w, struct wshop *s, const cJSON *orders)
{
    struct sb ids;
    int n = 0;
    const cJSON *o;
    sb_init(&ids, 1u << 16);
    cJSON_ArrayForEach(o, orders) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
        if (cJSON_GetObjectItemCaseSensitive(o, "lines") || !cJSON_IsString(id))
            continue;
        if ((n > 0 && sb_addc(&ids, ',') != ERR_OK) ||
            sb_adds(&ids, id->valuestring) != ERR_OK)
            break;
        if (++n == 50) {
            (void)start_orders_call(w, s, MKT_OP_ORDER_LINES, "", sb_str(&ids));
            sb_reset(&ids);
            n = 0;
        }
    }
    if (n > 0)
        (void)start_orders_call(w, s, MKT_OP_ORDER_LINES, "", sb_str(&ids));
    sb_release(&ids);
}

struct since_tx {
    int64_t shop_id, until;
};

static enum err since_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct since_tx *t = cls;
    return sync_orders_since(db, t->shop_id, t->until, ec);
}

static void orders_done(struct worker *w, struct xfer *x,
                        const struct mkt_reply *r)
{
    struct err_ctx ec;
    struct wshop *s = x->shop;
    s->orders_busy--;
    if (r->outcome != MKT_OK) {
        log_msg(LOG_INFO, "sync", "shop %lld orders: %s %s", (long long)s->id,
                r->code, r->message);
        if (r->outcome == MKT_AUTH_EXPIRED || r->outcome == MKT_AUTH_REVOKED)
            s->need_refresh = 1;
        /* the walk starts again later from the same point */
        s->orders_due_ms = sync_now_ms() + 5000;
        s->orders_until = 0;
        return;
    }
    struct import_tx t = {&x->rec, r->orders, 0};
    if (r->orders && db_tx_run(w->db, "sync_orders", import_fn, &t, &ec) != ERR_OK)
        log_msg(LOG_ERROR, "sync", "shop %lld orders: %s", (long long)s->id,
                ec.msg);
    w->st.orders += t.imported;
    if (x->kind == X_ORDERS && r->orders)
        fetch_lines(w, s, r->orders);
    if (x->kind == X_ORDERS && r->cursor[0])
        (void)start_orders_call(w, s, MKT_OP_ORDERS, r->cursor, NULL);
    if (s->orders_busy == 0 && s->orders_until > 0) {
        struct since_tx st = {s->id, s->orders_until};
        if (db_tx_run(w->db, "sync_orders_since", since_fn, &st, &ec) == ERR_OK)
            s->orders_since = s->orders_until;
        s->orders_due_ms = sync_now_ms() + w->o.orders_every_s * 1000;
    }
}

/* ---- dispatch ---- */

void syncw_shop_work(struct worker *w, int64_t now)
{
    for (size_t i = 0; i < w->n_shops; i++) {
        struct wshop *s = &w->shops[i];
        if (!s->active)
            continue;
        if (s->need_refresh && !s->refreshing && s->inflight == 0 &&
            now >= s->retry_refresh_ms) {
            start_refresh(w, s, now);
            continue;
        }
        if (!s->need_refresh && !s->refreshing && s->orders_busy == 0 &&
            s->orders_due_ms <= now && syncw_may_send(w, s, now))
            start_orders(w, s, now);
    }
}

void syncw_shop_done(struct worker *w, struct xfer *x, long status,
               const struct mkt_reply *r)
{
    (void)status;
    if (x->kind == X_REFRESH)
        refresh_done(w, x, r);
    else
        orders_done(w, x, r);
    syncw_xfer_free(x);
}
