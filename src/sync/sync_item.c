/* sync_item.c: a listing as the catalog says it now, and what its
 * marketplace requires that it lacks. */
#include "sync/sync_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_IMAGES 8

static const char item_sql[] =
    "SELECT l.shop_id, l.variant_id, v.product_id, p.group_code, l.wanted,"
    " (p.hidden_at IS NULL AND p.status = 'certified'), l.create_sent,"
    " l.status, l.images, l.ext_item_id, l.ext_sku_id, v.sku, p.name,"
    " v.size, p.description, COALESCE(v.price_vnd, p.price_vnd, 0),"
    " COALESCE(v.weight_g, 0), pr.name,"
    " COALESCE((SELECT qty FROM stock_on_hand WHERE variant_id = v.id"
    "           AND location_id = ?2), 0),"
    " COALESCE(c.category_id, ''), COALESCE(c.attributes, '{}')"
    " FROM sync_listings l JOIN variants v ON v.id = l.variant_id"
    " JOIN products p ON p.id = v.product_id"
    " JOIN producers pr ON pr.id = p.producer_id"
    " LEFT JOIN sync_categories c ON c.market = ?3"
    "  AND c.group_code = p.group_code"
    " WHERE l.id = ?1";

static const char photos_sql[] =
    "SELECT id, file FROM photos WHERE product_id = ?1 AND kind = 'upload'"
    " ORDER BY position, id LIMIT 8";

static const char *col(struct arena *a, sqlite3_stmt *st, int i)
{
    const char *s = db_text(st, i);
    return arena_strdup(a, s ? s : "");
}

static const char *title_of(struct arena *a, const char *name,
                            const char *size)
{
    return *size ? arena_printf(a, "%s %s", name, size)
                 : arena_strdup(a, name);
}

static void read_row(sqlite3_stmt *st, struct arena *a, struct mkt_item *it,
                     struct sync_listing_rec *lr)
{
    lr->shop_id = sqlite3_column_int64(st, 0);
    lr->variant_id = sqlite3_column_int64(st, 1);
    lr->product_id = sqlite3_column_int64(st, 2);
    lr->group_code = sqlite3_column_int64(st, 3);
    lr->wanted = sqlite3_column_int(st, 4);
    lr->visible = sqlite3_column_int(st, 5);
    lr->create_sent = sqlite3_column_int(st, 6);
    mkt_copy(lr->status, sizeof lr->status, db_text(st, 7));
    lr->images_done = cJSON_Parse(db_text(st, 8) ? db_text(st, 8) : "{}");
    it->ext_item_id = col(a, st, 9);
    it->ext_sku_id = col(a, st, 10);
    it->seller_sku = col(a, st, 11);
    it->title = title_of(a, db_text(st, 12) ? db_text(st, 12) : "",
                         db_text(st, 13) ? db_text(st, 13) : "");
    it->description = col(a, st, 14);
    it->price_vnd = sqlite3_column_int64(st, 15);
    it->weight_g = sqlite3_column_int64(st, 16);
    it->brand = col(a, st, 17);
    int64_t stock = sqlite3_column_int64(st, 18);
    it->stock = stock > 0 ? stock : 0; /* a shortfall is no negative offer */
    it->category_id = col(a, st, 19);
    it->attributes = cJSON_Parse(db_text(st, 20) ? db_text(st, 20) : "{}");
}

static enum err load_photos(struct db *db, const struct sync_opts *o,
                            struct arena *a, struct mkt_item *it,
                            struct sync_listing_rec *lr, struct err_ctx *ec)
{
    const char **urls = arena_alloc(a, sizeof *urls * MAX_IMAGES);
    const char **paths = arena_alloc(a, sizeof *paths * MAX_IMAGES);
    const char **ids = arena_alloc(a, sizeof *ids * MAX_IMAGES);
    lr->photo_ids = arena_alloc(a, sizeof *lr->photo_ids * MAX_IMAGES);
    sqlite3_stmt *st = db_stmt(db, photos_sql, ec);
    if (!urls || !paths || !ids || !lr->photo_ids)
        return err_set(ec, ERR_NOMEM, "out of memory");
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, lr->product_id);
    int n = 0;
    while (n < MAX_IMAGES && sqlite3_step(st) == SQLITE_ROW) {
        const char *file = db_text(st, 1) ? db_text(st, 1) : "";
        char key[32];
        lr->photo_ids[n] = sqlite3_column_int64(st, 0);
        snprintf(key, sizeof key, "%lld", (long long)lr->photo_ids[n]);
        const cJSON *done =
            cJSON_GetObjectItemCaseSensitive(lr->images_done, key);
        urls[n] = arena_printf(a, "%s/media/u/%s-1600.jpg", o->base_url, file);
        paths[n] = arena_printf(a, "%s/%s-1600.jpg", o->media_dir, file);
        ids[n] = arena_strdup(a, cJSON_IsString(done) ? done->valuestring : "");
        if (!urls[n] || !paths[n] || !ids[n])
            break;
        n++;
    }
    sqlite3_reset(st);
    it->n_images = n;
    it->image_urls = urls;
    it->image_paths = paths;
    it->image_ids = ids;
    return ERR_OK;
}

enum err sync_item_load(struct db *db, int64_t listing_id,
                        const struct sync_shop_rec *shop,
                        const struct sync_opts *o, struct arena *a,
                        struct mkt_item *item, struct sync_listing_rec *lr,
                        struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, item_sql, ec);
    memset(item, 0, sizeof *item);
    memset(lr, 0, sizeof *lr);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, listing_id);
    sqlite3_bind_int64(st, 2, shop->location_id);
    sqlite3_bind_text(st, 3, shop->s.market, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_listing_not_found", NULL,
                        "no listing %lld", (long long)listing_id);
    }
    lr->id = listing_id;
    read_row(st, a, item, lr);
    sqlite3_reset(st);
    if (!lr->images_done || !item->attributes || !item->title ||
        !item->seller_sku)
        return err_set(ec, ERR_NOMEM, "out of memory");
    return load_photos(db, o, a, item, lr, ec);
}

/* ---- required fields ---- */

static const char *const fields[] = {"category", "brand", "description",
                                     "image", "weight", "price",
                                     "warehouse", NULL};

const char *const *sync_fields(void)
{
    return fields;
}

static int lacks(const char *field, const struct mkt_item *it,
                 const char *warehouse)
{
    if (strcmp(field, "category") == 0)
        return !*it->category_id;
    if (strcmp(field, "brand") == 0)
        return !*it->brand;
    if (strcmp(field, "description") == 0)
        return strlen(it->description) < 20;
    if (strcmp(field, "image") == 0)
        return it->n_images == 0;
    if (strcmp(field, "weight") == 0)
        return it->weight_g <= 0;
    if (strcmp(field, "price") == 0)
        return it->price_vnd <= 0;
    if (strcmp(field, "warehouse") == 0)
        return !warehouse || !*warehouse;
    if (strncmp(field, "attr:", 5) == 0) {
        const cJSON *v =
            cJSON_GetObjectItemCaseSensitive(it->attributes, field + 5);
        return !cJSON_IsString(v) || !*v->valuestring;
    }
    return 0;
}

static enum err add_missing(cJSON *arr, const char *field)
{
    char key[96];
    cJSON *m = cJSON_CreateObject();
    snprintf(key, sizeof key, "sync_field_%s",
             strncmp(field, "attr:", 5) == 0 ? "attr" : field);
    if (!m || !cJSON_AddStringToObject(m, "field", field) ||
        !cJSON_AddStringToObject(m, "label", key) ||
        !cJSON_AddItemToArray(arr, m)) {
        cJSON_Delete(m);
        return ERR_NOMEM;
    }
    return ERR_OK;
}

static const char required_sql[] =
    "SELECT required FROM sync_categories WHERE market = ?1 AND group_code = ?2";

enum err sync_item_missing(struct db *db, const struct sync_shop_rec *shop,
                           int64_t group_code, const struct mkt_item *item,
                           cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, required_sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, shop->s.market, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, group_code);
    cJSON *req = sqlite3_step(st) == SQLITE_ROW
                     ? cJSON_Parse(db_text(st, 0) ? db_text(st, 0) : "[]")
                     : cJSON_Parse("[\"category\"]");
    sqlite3_reset(st);
    enum err e = req ? ERR_OK : err_set(ec, ERR_NOMEM, "required fields");
    const cJSON *f;
    cJSON_ArrayForEach(f, req) {
        if (e == ERR_OK && cJSON_IsString(f) &&
            lacks(f->valuestring, item, shop->s.warehouse))
            e = add_missing(arr, f->valuestring);
    }
    cJSON_Delete(req);
    return e;
}

void sync_item_free(struct mkt_item *item, struct sync_listing_rec *lr)
{
    cJSON_Delete((cJSON *)item->attributes);
    item->attributes = NULL;
    cJSON_Delete(lr->images_done);
    lr->images_done = NULL;
}
