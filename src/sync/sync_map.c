/* sync_map.c: the category and attribute mapping per marketplace, kept as
 * data (seeded from integrations/NAME/categories.json, edited by the
 * office). */
#include "sync/sync_int.h"

#include "core/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char list_sql[] =
    "SELECT c.market, c.group_code, g.name_vi, c.category_id,"
    " c.category_name, c.attributes, c.required"
    " FROM sync_categories c JOIN product_groups g ON g.code = c.group_code"
    " WHERE ?1 IS NULL OR c.market = ?1 ORDER BY c.market, c.group_code";

static cJSON *map_row(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    const struct mkt_connector *c = mkt_connector(db_text(st, 0));
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "market", db_text(st, 0));
    cJSON_AddStringToObject(o, "market_label", c ? c->label : db_text(st, 0));
    cJSON_AddNumberToObject(o, "group_code", (double)sqlite3_column_int64(st, 1));
    cJSON_AddStringToObject(o, "group", db_text(st, 2) ? db_text(st, 2) : "");
    cJSON_AddStringToObject(o, "category_id", db_text(st, 3));
    cJSON_AddStringToObject(o, "category_name", db_text(st, 4));
    cJSON *attrs = cJSON_Parse(db_text(st, 5));
    cJSON *req = cJSON_Parse(db_text(st, 6));
    cJSON_AddItemToObject(o, "attributes", attrs ? attrs : cJSON_CreateObject());
    cJSON_AddItemToObject(o, "required", req ? req : cJSON_CreateArray());
    return o;
}

enum err sync_categories(struct db *db, const char *market, cJSON **out,
                         struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, list_sql, ec);
    cJSON *arr = cJSON_CreateArray();
    int rc;
    *out = arr;
    if (!st || !arr)
        return st ? err_set(ec, ERR_NOMEM, "out of memory") : ERR_DB;
    if (market)
        sqlite3_bind_text(st, 1, market, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = map_row(st);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            sqlite3_reset(st);
            return err_set(ec, ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : err_set(ec, ERR_DB, "categories");
}

/* ---- checking an edit ---- */

static int known_field(const char *f)
{
    if (strncmp(f, "attr:", 5) == 0)
        return f[5] != '\0' && strlen(f) < 100;
    for (const char *const *k = sync_fields(); *k; k++)
        if (strcmp(*k, f) == 0)
            return 1;
    return 0;
}

static enum err check_attributes(const char *text, struct err_ctx *ec)
{
    cJSON *j = cJSON_Parse(text);
    enum err e = ERR_OK;
    if (!cJSON_IsObject(j))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_map_attributes",
                     "attributes", "attributes must be name = value pairs");
    const cJSON *v;
    cJSON_ArrayForEach(v, j) {
        if (e == ERR_OK && (!cJSON_IsString(v) || !*v->string ||
                            strlen(v->string) > 100 ||
                            strlen(v->valuestring) > 500))
            e = err_user(ec, ERR_UNPROCESSABLE, "err_map_attributes",
                         "attributes", "attribute %s is not text", v->string);
    }
    cJSON_Delete(j);
    return e;
}

static enum err check_required(const char *text, struct err_ctx *ec)
{
    cJSON *j = cJSON_Parse(text);
    enum err e = cJSON_IsArray(j)
                     ? ERR_OK
                     : err_user(ec, ERR_UNPROCESSABLE, "err_map_required",
                                "required", "required must be a list");
    const cJSON *v;
    cJSON_ArrayForEach(v, j) {
        if (e == ERR_OK && (!cJSON_IsString(v) || !known_field(v->valuestring)))
            e = err_user(ec, ERR_UNPROCESSABLE, "err_map_required",
                         "required", "unknown required field");
    }
    cJSON_Delete(j);
    return e;
}

struct set_tx {
    const struct actor *who;
    const char *market, *category_id, *category_name, *attributes, *required;
    int64_t group_code;
};

static enum err set_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sync_categories (market, group_code, category_id,"
        " category_name, attributes, required) VALUES (?1,?2,?3,?4,?5,?6)"
        " ON CONFLICT (market, group_code) DO UPDATE SET"
        " category_id = ?3, category_name = ?4, attributes = ?5,"
        " required = ?6, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')";
    struct set_tx *t = cls;
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char summary[200];
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, t->market, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, t->group_code);
    sqlite3_bind_text(st, 3, t->category_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, t->category_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, t->attributes, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, t->required, -1, SQLITE_TRANSIENT);
    enum err e = db_exec(db, st, ec);
    snprintf(summary, sizeof summary, "%s group %lld -> %s", t->market,
             (long long)t->group_code, t->category_id);
    return e == ERR_OK ? audit_record(db, t->who, "sync.mapping",
                                      "sync_category", t->group_code, summary,
                                      NULL, NULL, ec)
                       : e;
}

static enum err check_group(struct db *db, int64_t code, struct err_ctx *ec)
{
    static const char sql[] = "SELECT 1 FROM product_groups WHERE code = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    if (!st)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, code);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_UNPROCESSABLE, "err_map_group",
                            "group_code", "no such product group");
}

enum err sync_category_set(struct db *db, const struct actor *who,
                           const char *market, int64_t group_code,
                           const char *category_id,
                           const char *category_name,
                           const char *attributes, const char *required,
                           struct err_ctx *ec)
{
    if (!market || !mkt_connector(market))
        return err_user(ec, ERR_UNPROCESSABLE, "err_shop_market", "market",
                        "unknown marketplace");
    if (!category_id || strlen(category_id) > 64 || !category_name ||
        strlen(category_name) > 300)
        return err_user(ec, ERR_UNPROCESSABLE, "err_map_category",
                        "category_id", "category id too long");
    enum err e = check_group(db, group_code, ec);
    if (e == ERR_OK)
        e = check_attributes(attributes ? attributes : "", ec);
    if (e == ERR_OK)
        e = check_required(required ? required : "", ec);
    if (e != ERR_OK)
        return e;
    struct set_tx t = {who, market, category_id, category_name, attributes,
                       required, group_code};
    return db_tx_run(db, "sync_category_set", set_fn, &t, ec);
}

/* ---- seeding ---- */

static enum err seed_group(struct db *db, const char *market,
                           const cJSON *g, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO sync_categories (market, group_code,"
        " category_id, category_name, attributes, required)"
        " VALUES (?1,?2,?3,?4,?5,?6)";
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(g, "group_code");
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(g, "category_id");
    const cJSON *cname = cJSON_GetObjectItemCaseSensitive(g, "category_name");
    char *attrs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(g, "attributes"));
    char *req = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(g, "required"));
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e = st ? ERR_OK : ERR_DB;
    if (e == ERR_OK && (!cJSON_IsNumber(code) || !cJSON_IsString(cid)))
        e = err_set(ec, ERR_INVALID, "%s: a group without code or category",
                    market);
    if (e == ERR_OK) {
        sqlite3_bind_text(st, 1, market, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (int64_t)code->valuedouble);
        sqlite3_bind_text(st, 3, cid->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, cJSON_IsString(cname) ? cname->valuestring : "",
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, attrs ? attrs : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, req ? req : "[]", -1, SQLITE_TRANSIENT);
        e = db_exec(db, st, ec);
    }
    cJSON_free(attrs);
    cJSON_free(req);
    return e;
}

struct seed_tx {
    const char *market;
    const cJSON *doc;
};

static enum err seed_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct seed_tx *t = cls;
    const cJSON *g;
    enum err e = ERR_OK;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(t->doc, "groups")) {
        if (e == ERR_OK)
            e = seed_group(db, t->market, g, ec);
    }
    return e;
}

enum err sync_categories_seed(struct db *db, const char *dir,
                              struct err_ctx *ec)
{
    enum err e = ERR_OK;
    for (const struct mkt_connector *const *c = mkt_connectors();
         *c && e == ERR_OK; c++) {
        char path[1024];
        char *text = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s/categories.json", dir, (*c)->name);
        e = file_read_all(path, 1u << 20, &text, &len, ec);
        if (e == ERR_NOTFOUND) {
            e = ERR_OK; /* a marketplace without a default mapping */
        } else if (e == ERR_OK) {
            cJSON *doc = cJSON_ParseWithLength(text, len);
            struct seed_tx t = {(*c)->name, doc};
            e = doc ? db_tx_run(db, "sync_categories_seed", seed_fn, &t, ec)
                    : err_set(ec, ERR_INVALID, "%s is not JSON", path);
            cJSON_Delete(doc);
        }
        free(text);
    }
    return e;
}
