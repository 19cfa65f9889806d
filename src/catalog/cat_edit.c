/* cat_edit.c: changing products (see cat_edit.h). */
#include "catalog/cat_edit.h"

#include "barcode/gtin.h"
#include "core/sb.h"
#include "search/srch.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKU_MAX 40
#define SIZE_MAX_CHARS 60
#define UNIT_MAX_CHARS 30
#define PRICE_MAX_VND 1000000000000.0
#define WEIGHT_MAX_G 100000 /* 100 kg: more is freight, not a parcel */

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* --- reading ------------------------------------------------------------- */

static enum err load_variants(struct db *db, int64_t id, cJSON *obj,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT sku, size, unit, price_vnd, barcode, weight_g FROM variants"
        " WHERE product_id = ?1 ORDER BY position, id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(obj, "variants");

    if (st == NULL || arr == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "sku", db_text(st, 0));
        cJSON_AddStringToObject(v, "size", db_text(st, 1));
        cJSON_AddStringToObject(v, "unit", db_text(st, 2));
        if (sqlite3_column_type(st, 3) == SQLITE_NULL)
            cJSON_AddNullToObject(v, "price_vnd");
        else
            cJSON_AddNumberToObject(v, "price_vnd",
                                    (double)sqlite3_column_int64(st, 3));
        if (db_text(st, 4) != NULL)
            cJSON_AddStringToObject(v, "barcode", db_text(st, 4));
        else
            cJSON_AddNullToObject(v, "barcode");
        if (sqlite3_column_type(st, 5) == SQLITE_NULL)
            cJSON_AddNullToObject(v, "weight_g");
        else
            cJSON_AddNumberToObject(v, "weight_g",
                                    (double)sqlite3_column_int64(st, 5));
        cJSON_AddItemToArray(arr, v);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

static const char editable_sql[] =
    "SELECT p.id, p.slug, p.producer_id, p.name, p.description, pr.name"
    " FROM products p JOIN producers pr ON pr.id = p.producer_id"
    " WHERE p.slug = ?1 OR (?1 IS NULL AND p.id = ?2)";

static enum err editable(struct db *db, const char *slug, int64_t id,
                         cJSON **out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, editable_sql, ec);
    cJSON *o;
    int64_t pid;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    if (slug != NULL)
        sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_product_not_found", NULL,
                        "no product");
    }
    o = cJSON_CreateObject();
    pid = sqlite3_column_int64(st, 0);
    cJSON_AddNumberToObject(o, "id", (double)pid);
    cJSON_AddStringToObject(o, "slug", db_text(st, 1));
    cJSON_AddNumberToObject(o, "producer_id",
                            (double)sqlite3_column_int64(st, 2));
    cJSON_AddStringToObject(o, "name", db_text(st, 3));
    cJSON_AddStringToObject(o, "description", db_text(st, 4));
    cJSON_AddStringToObject(o, "producer_name", db_text(st, 5));
    sqlite3_reset(st);
    *out = o;
    return load_variants(db, pid, o, ec);
}

enum err cat_editable(struct db *db, const char *slug, cJSON **out,
                      struct err_ctx *ec)
{
    return editable(db, slug, 0, out, ec);
}

/* --- validation ---------------------------------------------------------- */

static size_t char_count(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* clean_text: NFC, trimmed, CR removed, no other control characters
 * (newlines only when multiline). NULL when invalid. */
static char *clean_text(const char *in, int multiline)
{
    struct sb sb;
    char *s, *start, *end, *w;
    const char *r;

    sb_init(&sb, 1 << 20);
    if (srch_nfc(in, strlen(in), &sb) != ERR_OK) {
        sb_release(&sb);
        return NULL;
    }
    s = sb_take(&sb);
    for (r = w = s; *r != '\0'; r++) {
        unsigned char ch = (unsigned char)*r;
        if (ch == '\r')
            continue;
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) ||
            ch == 0x7f) {
            free(s);
            return NULL;
        }
        *w++ = *r;
    }
    *w = '\0';
    for (start = s; isspace((unsigned char)*start); start++)
        ;
    end = start + strlen(start);
    while (end > start && isspace((unsigned char)end[-1]))
        *--end = '\0';
    memmove(s, start, strlen(start) + 1);
    return s;
}

/* set_text: validates patch[key] into after[key]. */
static enum err set_text(cJSON *after, const cJSON *patch, const char *key,
                         size_t min, size_t max, int multiline,
                         const char *err_key, struct err_ctx *ec)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(patch, key);
    char *clean;
    size_t n;

    if (v == NULL)
        return ERR_OK;
    if (!cJSON_IsString(v))
        return err_user(ec, ERR_UNPROCESSABLE, err_key, key, "%s: not text",
                        key);
    clean = clean_text(v->valuestring, multiline);
    n = clean ? char_count(clean) : 0;
    if (clean == NULL || n < min || n > max) {
        free(clean);
        return err_user(ec, ERR_UNPROCESSABLE, err_key, key,
                        "%s: invalid text or length", key);
    }
    cJSON_ReplaceItemInObject(after, key, cJSON_CreateString(clean));
    free(clean);
    return ERR_OK;
}

static int valid_sku(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > SKU_MAX || !isalnum((unsigned char)s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' &&
            s[i] != '.')
            return 0;
    return 1;
}

static enum err check_price(const cJSON *price, struct err_ctx *ec)
{
    double v;

    if (price == NULL || cJSON_IsNull(price))
        return ERR_OK;
    v = cJSON_GetNumberValue(price);
    if (!cJSON_IsNumber(price) || v < 0 || v > PRICE_MAX_VND || floor(v) != v)
        return err_user(ec, ERR_UNPROCESSABLE, "err_price", "price_vnd",
                        "price must be whole đồng, 0 or more");
    return ERR_OK;
}

static enum err check_barcode(const cJSON *bc, struct err_ctx *ec)
{
    if (bc == NULL || cJSON_IsNull(bc) ||
        (cJSON_IsString(bc) && bc->valuestring[0] == '\0'))
        return ERR_OK;
    if (!cJSON_IsString(bc) || !gtin_valid(bc->valuestring))
        return err_user(ec, ERR_UNPROCESSABLE, "err_barcode", "barcode",
                        "barcode is not a valid GTIN");
    return ERR_OK;
}

static enum err check_weight(const cJSON *w, struct err_ctx *ec)
{
    double g;

    if (w == NULL || cJSON_IsNull(w))
        return ERR_OK;
    g = cJSON_GetNumberValue(w);
    if (!cJSON_IsNumber(w) || g < 1 || g > WEIGHT_MAX_G || floor(g) != g)
        return err_user(ec, ERR_UNPROCESSABLE, "err_weight", "weight_g",
                        "weight must be whole grams, 1 to %d", WEIGHT_MAX_G);
    return ERR_OK;
}

/* weight_of: the weight the variant will have. Absent, it keeps the one
 * stored for its SKU (old: the variants before the change), so a client
 * that does not know the field does not erase it; null clears it. */
static cJSON *weight_of(const cJSON *v, const cJSON *old)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(v, "weight_g"), *o;

    if (w == NULL)
        cJSON_ArrayForEach(o, old)
        {
            if (strcmp(str(o, "sku"), str(v, "sku")) == 0)
                w = cJSON_GetObjectItemCaseSensitive(o, "weight_g");
        }
    return cJSON_IsNumber(w) ? cJSON_CreateNumber(cJSON_GetNumberValue(w))
                             : cJSON_CreateNull();
}

/* clean_variant: a validated copy of one variant object. */
static enum err clean_variant(const cJSON *v, const cJSON *old, cJSON **out,
                              struct err_ctx *ec)
{
    const char *sku = str(v, "sku");
    cJSON *o;
    enum err e;

    *out = NULL;
    if (!cJSON_IsObject(v) || sku == NULL || !valid_sku(sku))
        return err_user(ec, ERR_UNPROCESSABLE, "err_sku", "sku",
                        "invalid SKU");
    e = check_price(cJSON_GetObjectItemCaseSensitive(v, "price_vnd"), ec);
    if (e == ERR_OK)
        e = check_barcode(cJSON_GetObjectItemCaseSensitive(v, "barcode"), ec);
    if (e == ERR_OK)
        e = check_weight(cJSON_GetObjectItemCaseSensitive(v, "weight_g"), ec);
    if (e != ERR_OK)
        return e;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sku", sku);
    cJSON_AddStringToObject(o, "size", "");
    cJSON_AddStringToObject(o, "unit", "");
    e = set_text(o, v, "size", 0, SIZE_MAX_CHARS, 0, "err_variant_size", ec);
    if (e == ERR_OK)
        e = set_text(o, v, "unit", 0, UNIT_MAX_CHARS, 0, "err_variant_unit", ec);
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, "price_vnd")))
        cJSON_AddNumberToObject(
            o, "price_vnd",
            cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "price_vnd")));
    else
        cJSON_AddNullToObject(o, "price_vnd");
    if (str(v, "barcode") != NULL && str(v, "barcode")[0] != '\0')
        cJSON_AddStringToObject(o, "barcode", str(v, "barcode"));
    else
        cJSON_AddNullToObject(o, "barcode");
    cJSON_AddItemToObject(o, "weight_g", weight_of(v, old));
    if (e != ERR_OK)
        cJSON_Delete(o);
    else
        *out = o;
    return e;
}

static int sku_seen(const cJSON *arr, const char *sku)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, arr)
    {
        if (strcmp(str(v, "sku"), sku) == 0)
            return 1;
    }
    return 0;
}

static enum err set_variants(cJSON *after, const cJSON *patch,
                             struct err_ctx *ec)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(patch, "variants"), *v;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(after, "variants");
    cJSON *clean = NULL, *arr;
    enum err e = ERR_OK;

    if (list == NULL)
        return ERR_OK;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > CAT_VARIANTS_MAX)
        return err_user(ec, ERR_UNPROCESSABLE, "err_variants", "variants",
                        "variants must be a list of at most %d",
                        CAT_VARIANTS_MAX);
    arr = cJSON_CreateArray();
    cJSON_ArrayForEach(v, list)
    {
        e = clean_variant(v, old, &clean, ec);
        if (e != ERR_OK)
            break;
        if (sku_seen(arr, str(clean, "sku")))
            e = err_user(ec, ERR_UNPROCESSABLE, "err_sku_duplicate", "sku",
                         "SKU %s twice", str(clean, "sku"));
        cJSON_AddItemToArray(arr, clean);
        if (e != ERR_OK)
            break;
    }
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    cJSON_ReplaceItemInObject(after, "variants", arr);
    return ERR_OK;
}

/* The office's fields: never changed through a product edit. */
static enum err check_fields(const cJSON *patch, struct err_ctx *ec)
{
    static const char *const allowed[] = {"name", "description", "variants"};
    static const char *const office[] = {"stars", "score", "certificate",
                                         "certificates", "status", "level"};
    const cJSON *item;
    size_t i;

    if (!cJSON_IsObject(patch))
        return err_user(ec, ERR_UNPROCESSABLE, "err_json_object", NULL,
                        "expected a JSON object");
    cJSON_ArrayForEach(item, patch)
    {
        int ok = 0;
        for (i = 0; i < sizeof(office) / sizeof(office[0]); i++)
            if (strcmp(item->string, office[i]) == 0)
                return err_user(ec, ERR_FORBIDDEN, "err_office_only",
                                item->string, "%s belongs to the office",
                                item->string);
        for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
            ok |= strcmp(item->string, allowed[i]) == 0;
        if (!ok)
            return err_user(ec, ERR_UNPROCESSABLE, "err_unknown_field",
                            item->string, "unknown field %s", item->string);
    }
    return ERR_OK;
}

/* validated_after: before with the patch applied and validated. */
static enum err validated_after(const cJSON *before, const cJSON *patch,
                                cJSON **out, struct err_ctx *ec)
{
    cJSON *after = cJSON_Duplicate(before, 1);
    enum err e = check_fields(patch, ec);

    if (e == ERR_OK)
        e = set_text(after, patch, "name", 2, CAT_NAME_MAX, 0, "err_name", ec);
    if (e == ERR_OK)
        e = set_text(after, patch, "description", 0, CAT_DESC_MAX, 1,
                     "err_description", ec);
    if (e == ERR_OK)
        e = set_variants(after, patch, ec);
    if (e != ERR_OK) {
        cJSON_Delete(after);
        after = NULL;
    }
    *out = after;
    return e;
}

/* --- writing ------------------------------------------------------------- */

static enum err write_product(struct db *db, int64_t id, const cJSON *after,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE products SET name = ?2, name_key = ?3, description = ?4,"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ') WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    struct sb key;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sb_init(&key, 1 << 16);
    e = srch_collation_key(str(after, "name"), &key);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, str(after, "name"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, key.buf, (int)key.len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, str(after, "description"), -1, SQLITE_TRANSIENT);
    sb_release(&key);
    return e == ERR_OK ? db_exec(db, st, ec) : e;
}

static enum err sku_free(struct db *db, int64_t id, const char *sku,
                         struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT 1 FROM variants WHERE sku = ?1 AND product_id <> ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int taken;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return taken ? err_user(ec, ERR_CONFLICT, "err_sku_taken", "sku",
                            "SKU %s belongs to another product", sku)
                 : ERR_OK;
}

static enum err upsert_variant(struct db *db, int64_t id, int pos,
                               const cJSON *v, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO variants (product_id, position, sku, size, unit,"
        " price_vnd, barcode, weight_g, is_sample)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)"
        " ON CONFLICT (sku) DO UPDATE SET position = excluded.position,"
        " size = excluded.size, unit = excluded.unit,"
        " price_vnd = excluded.price_vnd, barcode = excluded.barcode,"
        " weight_g = excluded.weight_g,"
        /* a sample value stays marked as such until someone changes it */
        " is_sample = CASE WHEN (size, unit, price_vnd, barcode) IS"
        " (excluded.size, excluded.unit, excluded.price_vnd, excluded.barcode)"
        " THEN is_sample ELSE 0 END";
    const cJSON *price = cJSON_GetObjectItem(v, "price_vnd");
    const cJSON *weight = cJSON_GetObjectItem(v, "weight_g");
    sqlite3_stmt *st;
    enum err e = sku_free(db, id, str(v, "sku"), ec);

    if (e != ERR_OK)
        return e;
    st = db_stmt(db, sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, pos);
    sqlite3_bind_text(st, 3, str(v, "sku"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, str(v, "size"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, str(v, "unit"), -1, SQLITE_STATIC);
    if (cJSON_IsNumber(price))
        sqlite3_bind_int64(st, 6, (int64_t)cJSON_GetNumberValue(price));
    if (str(v, "barcode") != NULL)
        sqlite3_bind_text(st, 7, str(v, "barcode"), -1, SQLITE_STATIC);
    if (cJSON_IsNumber(weight))
        sqlite3_bind_int64(st, 8, (int64_t)cJSON_GetNumberValue(weight));
    return db_exec(db, st, ec);
}

static enum err still_used(struct db *db, const char *sql, int64_t id,
                           const char *skus, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char sku[64] = "";
    int used;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, skus, -1, SQLITE_STATIC);
    used = sqlite3_step(st) == SQLITE_ROW;
    if (used)
        (void)snprintf(sku, sizeof(sku), "%s", db_text(st, 0));
    sqlite3_reset(st);
    return used ? err_user(ec, ERR_CONFLICT, "err_variant_in_use", "variants",
                           "variant %s has stock or sales", sku)
                : ERR_OK;
}

static enum err write_variants(struct db *db, int64_t id, const cJSON *after,
                               struct err_ctx *ec)
{
    static const char del_sql[] =
        "DELETE FROM variants WHERE product_id = ?1 AND sku NOT IN"
        " (SELECT value FROM json_each(?2))";
    /* A variant with stock or sales stays: the ledger refers to it. So
     * does one on sale on a marketplace: its listing must be taken off
     * first, or the marketplace would keep selling it. */
    static const char used_sql[] =
        "SELECT v.sku FROM variants v WHERE v.product_id = ?1 AND v.sku NOT IN"
        " (SELECT value FROM json_each(?2)) AND (EXISTS (SELECT 1 FROM"
        " stock_moves m WHERE m.variant_id = v.id) OR EXISTS (SELECT 1 FROM"
        " sale_lines l WHERE l.variant_id = v.id) OR EXISTS (SELECT 1 FROM"
        " sync_listings s WHERE s.variant_id = v.id AND s.ext_item_id <> ''"
        " AND s.status <> 'unlisted')) LIMIT 1";
    static const char price_sql[] =
        "UPDATE products SET price_vnd = (SELECT min(price_vnd) FROM variants"
        " WHERE product_id = ?1) WHERE id = ?1";
    const cJSON *list = cJSON_GetObjectItem(after, "variants"), *v;
    cJSON *skus = cJSON_CreateArray();
    sqlite3_stmt *st;
    char *text;
    int pos = 0;
    enum err e = ERR_OK;

    cJSON_ArrayForEach(v, list)
        cJSON_AddItemToArray(skus, cJSON_CreateString(str(v, "sku")));
    text = cJSON_PrintUnformatted(skus);
    cJSON_Delete(skus);
    e = text ? still_used(db, used_sql, id, text, ec) : ERR_NOMEM;
    st = text && e == ERR_OK ? db_stmt(db, del_sql, ec) : NULL;
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
        e = db_exec(db, st, ec);
    }
    cJSON_free(text);
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    for (v = list ? list->child : NULL; v != NULL && e == ERR_OK; v = v->next)
        e = upsert_variant(db, id, pos++, v, ec);
    st = e == ERR_OK ? db_stmt(db, price_sql, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    sqlite3_bind_int64(st, 1, id);
    return db_exec(db, st, ec);
}

/* editable_part: the fields a revision keeps, without ids. */
static cJSON *editable_part(const cJSON *state)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", str(state, "name"));
    cJSON_AddStringToObject(o, "description", str(state, "description"));
    cJSON_AddItemToObject(o, "variants",
                          cJSON_Duplicate(cJSON_GetObjectItem(state, "variants"),
                                          1));
    return o;
}

static enum err add_revision(struct db *db, const struct actor *who,
                             int64_t id, const cJSON *before,
                             const cJSON *after, int64_t undo_of,
                             int64_t *rev, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO product_revisions (product_id, user_id, actor, before,"
        " after, undo_of) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, nullif(?6, 0))";
    static const char mark_sql[] =
        "UPDATE product_revisions SET undone_by = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char *b = cJSON_PrintUnformatted(before), *a = cJSON_PrintUnformatted(after);
    enum err e = st && a && b ? ERR_OK : ERR_DB;

    if (e == ERR_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, who->user_id);
        sqlite3_bind_text(st, 3, who->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, b, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, a, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, undo_of);
        e = db_exec(db, st, ec);
        *rev = sqlite3_last_insert_rowid(db_handle(db));
    }
    cJSON_free(a);
    cJSON_free(b);
    st = e == ERR_OK && undo_of ? db_stmt(db, mark_sql, ec) : NULL;
    if (st == NULL)
        return e;
    sqlite3_bind_int64(st, 1, undo_of);
    sqlite3_bind_int64(st, 2, *rev);
    return db_exec(db, st, ec);
}

/* apply: writes after over before (both full states) and records it. */
static enum err apply(struct db *db, const struct actor *who,
                      const cJSON *before, const cJSON *after,
                      int64_t undo_of, int64_t *rev, struct err_ctx *ec)
{
    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(before, "id"));
    cJSON *b = editable_part(before), *a = editable_part(after);
    enum err e = ERR_OK;

    *rev = 0;
    if (cJSON_Compare(b, a, 1))
        goto out; /* nothing changed: no revision, no new version */
    e = write_product(db, id, after, ec);
    if (e == ERR_OK)
        e = write_variants(db, id, after, ec);
    if (e == ERR_OK)
        e = srch_index_product(db, id, str(after, "name"),
                               str(after, "description"),
                               str(before, "producer_name"), ec);
    if (e == ERR_OK)
        e = add_revision(db, who, id, b, a, undo_of, rev, ec);
    if (e == ERR_OK)
        e = audit_record(db, who, undo_of ? "product.undo" : "product.update",
                         "product", id, str(after, "name"), b, a, ec);
    if (e == ERR_OK)
        e = db_bump_catalog_version(db, ec);
out:
    cJSON_Delete(b);
    cJSON_Delete(a);
    return e;
}

enum err cat_patch(struct db *db, const struct actor *who, int64_t product_id,
                   const cJSON *patch, int64_t *revision_out,
                   struct err_ctx *ec)
{
    cJSON *before = NULL, *after = NULL;
    int64_t rev = 0;
    enum err e = editable(db, NULL, product_id, &before, ec);

    if (e == ERR_OK)
        e = validated_after(before, patch, &after, ec);
    if (e == ERR_OK)
        e = apply(db, who, before, after, 0, &rev, ec);
    if (revision_out != NULL)
        *revision_out = rev;
    cJSON_Delete(before);
    cJSON_Delete(after);
    return e;
}

static enum err latest_revision(struct db *db, int64_t product_id,
                                int64_t revision_id, cJSON **before,
                                struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, before, undone_by FROM product_revisions"
        " WHERE product_id = ?1 ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int ok;

    *before = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    ok = sqlite3_step(st) == SQLITE_ROW &&
         sqlite3_column_int64(st, 0) == revision_id &&
         sqlite3_column_type(st, 2) == SQLITE_NULL;
    if (ok)
        *before = cJSON_Parse(db_text(st, 1));
    sqlite3_reset(st);
    if (!ok)
        return err_user(ec, ERR_CONFLICT, "err_undo_not_latest", NULL,
                        "only the latest change can be undone");
    return *before ? ERR_OK : err_set(ec, ERR_DB, "bad revision JSON");
}

enum err cat_undo(struct db *db, const struct actor *who, int64_t product_id,
                  int64_t revision_id, struct err_ctx *ec)
{
    cJSON *old = NULL, *state = NULL, *after = NULL;
    int64_t rev = 0;
    enum err e = latest_revision(db, product_id, revision_id, &old, ec);

    if (e == ERR_OK)
        e = editable(db, NULL, product_id, &state, ec);
    if (e == ERR_OK)
        e = validated_after(state, old, &after, ec);
    if (e == ERR_OK)
        e = apply(db, who, state, after, revision_id, &rev, ec);
    cJSON_Delete(old);
    cJSON_Delete(state);
    cJSON_Delete(after);
    return e;
}

enum err cat_revisions(struct db *db, int64_t product_id, int limit,
                       cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, at, actor, before, after, undone_by IS NOT NULL,"
        " coalesce(undo_of, 0), id = (SELECT max(id) FROM product_revisions"
        " WHERE product_id = ?1) FROM product_revisions WHERE product_id = ?1"
        " ORDER BY id DESC LIMIT ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int(st, 2, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(r, "at", db_text(st, 1));
        cJSON_AddStringToObject(r, "actor", db_text(st, 2));
        cJSON_AddItemToObject(r, "before", cJSON_Parse(db_text(st, 3)));
        cJSON_AddItemToObject(r, "after", cJSON_Parse(db_text(st, 4)));
        cJSON_AddBoolToObject(r, "undone", sqlite3_column_int(st, 5));
        cJSON_AddNumberToObject(r, "undo_of", sqlite3_column_int(st, 6));
        cJSON_AddBoolToObject(r, "latest", sqlite3_column_int(st, 7));
        cJSON_AddItemToArray(arr, r);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}

enum err cat_hide(struct db *db, const struct actor *who, int64_t product_id,
                  int hide, const char *reason, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE products SET hidden_at = CASE WHEN ?2 THEN"
        " strftime('%Y-%m-%dT%H:%M:%SZ') END, hidden_reason = CASE WHEN ?2"
        " THEN ?3 END WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *after;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    if (hide && (reason == NULL || *reason == '\0' || strlen(reason) > 500))
        return err_user(ec, ERR_UNPROCESSABLE, "err_hide_reason", "reason",
                        "hiding needs a reason");
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int(st, 2, hide);
    if (reason != NULL)
        sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_product_not_found", NULL, "none");
    after = cJSON_CreateObject();
    cJSON_AddBoolToObject(after, "hidden", hide);
    if (reason != NULL)
        cJSON_AddStringToObject(after, "reason", reason);
    if (e == ERR_OK)
        e = audit_record(db, who, hide ? "product.hide" : "product.show",
                         "product", product_id, reason, NULL, after, ec);
    cJSON_Delete(after);
    return e == ERR_OK ? db_bump_catalog_version(db, ec) : e;
}

enum err cat_producer_products(struct db *db, const int64_t *ids, int n,
                               cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT p.slug, p.name, p.status, p.hidden_at IS NOT NULL,"
        " p.price_vnd, pr.slug, pr.name, p.id, p.producer_id FROM products p"
        " JOIN producers pr ON pr.id = p.producer_id"
        " WHERE ?2 OR p.producer_id IN (SELECT value FROM json_each(?1))"
        " ORDER BY pr.name, p.name_key";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *idl = cJSON_CreateArray(), *arr = cJSON_CreateArray();
    char *text;
    int i;

    *out = NULL;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(idl, cJSON_CreateNumber((double)ids[i]));
    text = cJSON_PrintUnformatted(idl);
    cJSON_Delete(idl);
    if (st == NULL || text == NULL) {
        cJSON_free(text);
        cJSON_Delete(arr);
        return ERR_DB;
    }
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, ids == NULL);
    cJSON_free(text);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "slug", db_text(st, 0));
        cJSON_AddStringToObject(p, "name", db_text(st, 1));
        cJSON_AddStringToObject(p, "status", db_text(st, 2));
        cJSON_AddBoolToObject(p, "hidden", sqlite3_column_int(st, 3));
        if (sqlite3_column_type(st, 4) == SQLITE_NULL)
            cJSON_AddNullToObject(p, "price_vnd");
        else
            cJSON_AddNumberToObject(p, "price_vnd",
                                    (double)sqlite3_column_int64(st, 4));
        cJSON_AddStringToObject(p, "producer_slug", db_text(st, 5));
        cJSON_AddStringToObject(p, "producer_name", db_text(st, 6));
        cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(st, 7));
        cJSON_AddItemToArray(arr, p);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}
