/* sync_orders.c: orders brought back from a marketplace become sales in
 * the catalog's ledger, at the place the shop sells from, once each. */
#include "sync/sync_job.h"

#include "stock/stk.h"

#include <stdio.h>
#include <string.h>

static const struct actor market_actor = {0, "sync", ""};

static int64_t variant_of(struct db *db, const char *sku)
{
    static const char sql[] = "SELECT id FROM variants WHERE sku = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

/* moves: every line as a sale (sign -1) or its return (sign +1). A line
 * whose SKU the catalog does not know is skipped and logged: it was
 * listed by hand on the marketplace. */
static enum err moves(struct db *db, const struct sync_shop_rec *shop,
                      const char *ext_id, const cJSON *lines, int sign,
                      struct err_ctx *ec)
{
    char ref[160];
    const cJSON *l;
    snprintf(ref, sizeof ref, "order:%lld:%s", (long long)shop->id, ext_id);
    cJSON_ArrayForEach(l, lines) {
        const cJSON *sku = cJSON_GetObjectItemCaseSensitive(l, "seller_sku");
        const cJSON *qty = cJSON_GetObjectItemCaseSensitive(l, "qty");
        const cJSON *price = cJSON_GetObjectItemCaseSensitive(l, "price_vnd");
        int64_t vid = cJSON_IsString(sku) ? variant_of(db, sku->valuestring) : 0;
        if (!vid || !cJSON_IsNumber(qty) || qty->valuedouble < 1)
            continue;
        struct stk_move m = {
            .variant_id = vid, .location_id = shop->location_id,
            .qty = sign * (int64_t)qty->valuedouble,
            .kind = sign < 0 ? STK_SALE : STK_RETURN,
            .reason = shop->conn->label, .ref = ref,
            .unit_price_vnd = cJSON_IsNumber(price) ? (int64_t)price->valuedouble : -1,
            /* the marketplace sold it already: a gap is recorded, not refused */
            .allow_negative = 1};
        enum err e = stk_record(db, &market_actor, &m, NULL, ec);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* known: 0 new, 1 imported, 2 imported and cancelled */
static int known(struct db *db, int64_t shop_id, const char *ext_id)
{
    static const char sql[] =
        "SELECT cancelled FROM sync_orders WHERE shop_id = ?1 AND ext_id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, shop_id);
    sqlite3_bind_text(st, 2, ext_id, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st) == SQLITE_ROW ? 1 + sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return r;
}

static enum err remember(struct db *db, int64_t shop_id, const cJSON *o,
                         const char *ext_id, int cancelled, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sync_orders (shop_id, ext_id, status, cancelled, lines,"
        " created_at) VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT (shop_id, ext_id)"
        " DO UPDATE SET status = ?3, cancelled = ?4";
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
    const cJSON *created = cJSON_GetObjectItemCaseSensitive(o, "created_at");
    char *lines = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "lines"));
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e = st ? ERR_OK : ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, shop_id);
        sqlite3_bind_text(st, 2, ext_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, cJSON_IsString(status) ? status->valuestring : "",
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, cancelled);
        sqlite3_bind_text(st, 5, lines ? lines : "[]", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, cJSON_IsNumber(created)
                                      ? (int64_t)created->valuedouble : 0);
        e = db_exec(db, st, ec);
    }
    cJSON_free(lines);
    return e;
}

static enum err import_one(struct db *db, const struct sync_shop_rec *shop,
                           const cJSON *o, int *imported, struct err_ctx *ec)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines");
    int cancelled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "cancelled"));
    if (!cJSON_IsString(id) || !cJSON_IsArray(lines))
        return ERR_OK;
    int k = known(db, shop->id, id->valuestring);
    enum err e = ERR_OK;
    if (k < 0)
        return err_set(ec, ERR_DB, "orders");
    if (k == 0 && !cancelled)
        e = moves(db, shop, id->valuestring, lines, -1, ec);
    else if (k == 1 && cancelled)
        e = moves(db, shop, id->valuestring, lines, +1, ec);
    else if (k == 2 || (k == 1 && !cancelled))
        return ERR_OK; /* nothing new */
    if (e == ERR_OK)
        e = remember(db, shop->id, o, id->valuestring, cancelled, ec);
    if (e == ERR_OK)
        (*imported)++;
    return e;
}

enum err sync_orders_import(struct db *db, const struct sync_shop_rec *shop,
                            const cJSON *orders, int *imported,
                            struct err_ctx *ec)
{
    const cJSON *o;
    enum err e = ERR_OK;
    cJSON_ArrayForEach(o, orders) {
        if (e == ERR_OK)
            e = import_one(db, shop, o, imported, ec);
    }
    return e;
}

enum err sync_orders_since(struct db *db, int64_t shop_id, int64_t until,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sync_shops SET orders_since = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, shop_id);
    sqlite3_bind_int64(st, 2, until);
    return db_exec(db, st, ec);
}
