/* cat.c: the public catalog queries and their canonical JSON (see cat.h). */
#include "catalog/cat.h"

#include "catalog/cat_photo.h"
#include "cert/cert.h"
#include "core/sb.h"
#include "search/srch.h"

#include <stdio.h>
#include <string.h>

/* --- SQL ---------------------------------------------------------------- */

#define PRODUCT_COLS                                                          \
    "p.id, p.slug, p.name, p.group_code, g.slug, g.name_vi, g.name_en,"       \
    " p.price_vnd, (p.is_sample OR EXISTS (SELECT 1 FROM variants v"          \
    " WHERE v.product_id = p.id AND v.is_sample)), p.description,"            \
    " p.created_at, p.updated_at,"                                             \
    " pr.id, pr.slug, pr.name, pr.kind, pr.province, pr.province_slug,"       \
    " pr.commune, pr.commune_slug, c.id, c.number, c.stars, c.level,"         \
    " c.issuer, c.legal_basis, c.score, c.issued_on, c.expires_on,"           \
    " c.revoked_on, c.revoke_reason, c.is_sample, p.is_sample, pr.address,"   \
    " pr.phone, pr.email, pr.website, p.status, p.hidden_at, pr.id"

enum col {
    C_ID, C_SLUG, C_NAME, C_GROUP, C_GSLUG, C_GNAME_VI, C_GNAME_EN, C_PRICE,
    C_SAMPLE, C_DESC, C_CREATED, C_UPDATED, C_PR_ID, C_PR_SLUG, C_PR_NAME,
    C_PR_KIND, C_PR_PROV, C_PR_PROV_SLUG, C_PR_COMMUNE, C_PR_COMMUNE_SLUG,
    C_CERT_ID, C_CERT_NO, C_CERT_STARS, C_CERT_LEVEL, C_CERT_ISSUER,
    C_CERT_BASIS, C_CERT_SCORE, C_CERT_ISSUED, C_CERT_EXPIRES,
    C_CERT_REVOKED, C_CERT_REASON, C_CERT_SAMPLE, C_PSAMPLE, C_PR_ADDRESS,
    C_PR_PHONE, C_PR_EMAIL, C_PR_WEBSITE, C_STATUS, C_HIDDEN, C_PRODUCER_ID
};

#define PRODUCT_JOINS                                                         \
    " JOIN product_groups g ON g.code = p.group_code"                         \
    " JOIN producers pr ON pr.id = p.producer_id"                             \
    " JOIN certificates c ON c.product_id = p.id AND c.superseded_by IS NULL"

#define FROM_PLAIN " FROM products p" PRODUCT_JOINS
#define FROM_FTS                                                              \
    " FROM product_fts f JOIN products p ON p.id = f.rowid" PRODUCT_JOINS

/* ?1 today, ?2 group, ?3 stars, ?4 province, ?5 commune, ?6 producer,
 * ?7 fts query, ?8 limit, ?9 offset */
#define WHERE_ACTIVE                                                          \
    " WHERE p.status = 'certified' AND p.hidden_at IS NULL"                   \
    " AND c.revoked_on IS NULL"                                                \
    " AND c.expires_on >= ?1 AND (?2 = 0 OR p.group_code = ?2)"               \
    " AND (?3 = 0 OR c.stars = ?3)"                                           \
    " AND (?4 IS NULL OR pr.province_slug = ?4)"                              \
    " AND (?5 IS NULL OR pr.commune_slug = ?5)"                               \
    " AND (?6 IS NULL OR pr.slug = ?6)"
#define WHERE_FTS WHERE_ACTIVE " AND product_fts MATCH ?7"
#define PAGE " LIMIT ?8 OFFSET ?9"

#define ORDER_FEATURED " ORDER BY c.stars DESC, c.issued_on DESC, p.name_key"
#define ORDER_BM25 " ORDER BY bm25(product_fts, " SRCH_BM25_WEIGHTS "), p.id"
#define ORDER_NAME " ORDER BY p.name_key, p.id"
#define ORDER_STARS " ORDER BY c.stars DESC, p.name_key, p.id"
#define ORDER_NEWEST " ORDER BY p.created_at DESC, p.id DESC"
#define ORDER_PRICE " ORDER BY p.price_vnd IS NULL, p.price_vnd, p.name_key"
#define ORDER_PRICE_DESC                                                      \
    " ORDER BY p.price_vnd IS NULL, p.price_vnd DESC, p.name_key"

#define LIST_SQL(from, where, order)                                          \
    "SELECT " PRODUCT_COLS from where order PAGE

/* Variable ORDER BY clauses come from this fixed table, never from input. */
static const char *const list_sql[2][CAT_SORT_COUNT] = {
    {
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_FEATURED),
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_NAME),
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_STARS),
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_NEWEST),
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_PRICE),
        LIST_SQL(FROM_PLAIN, WHERE_ACTIVE, ORDER_PRICE_DESC),
    },
    {
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_BM25),
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_NAME),
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_STARS),
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_NEWEST),
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_PRICE),
        LIST_SQL(FROM_FTS, WHERE_FTS, ORDER_PRICE_DESC),
    },
};

static const char *const count_sql[2] = {
    "SELECT count(*)" FROM_PLAIN WHERE_ACTIVE,
    "SELECT count(*)" FROM_FTS WHERE_FTS,
};

static const char detail_sql[] =
    "SELECT " PRODUCT_COLS FROM_PLAIN
    " WHERE p.slug = ?1 AND p.status = 'certified' AND p.hidden_at IS NULL";

/* Any product, public or not, for its producer and the office. */
static const char any_sql[] =
    "SELECT " PRODUCT_COLS " FROM products p"
    " JOIN product_groups g ON g.code = p.group_code"
    " JOIN producers pr ON pr.id = p.producer_id"
    " LEFT JOIN certificates c ON c.product_id = p.id"
    " AND c.superseded_by IS NULL WHERE p.slug = ?1";

/* Related products: the same producer's first, then the group's in name
 * order. Both walk an index (products_producer, products_group) and stop
 * at the limit instead of sorting the whole catalog. */
#define WHERE_RELATED                                                         \
    " WHERE p.status = 'certified' AND p.hidden_at IS NULL"                   \
    " AND c.revoked_on IS NULL AND c.expires_on >= ?1 AND p.id <> ?10"
static const char related_producer_sql[] =
    "SELECT " PRODUCT_COLS FROM_PLAIN WHERE_RELATED
    " AND p.producer_id = ?11 ORDER BY p.name_key LIMIT ?8";
static const char related_group_sql[] =
    "SELECT " PRODUCT_COLS FROM_PLAIN WHERE_RELATED
    " AND p.group_code = ?2 AND p.producer_id <> ?11 ORDER BY p.name_key"
    " LIMIT ?8";

static const char photos_sql[] =
    "SELECT file, alt_vi, alt_en, is_sample, id, kind, width, height"
    " FROM photos WHERE product_id = ?1 ORDER BY position, id";

static const char variants_sql[] =
    "SELECT sku, size, unit, price_vnd, barcode, is_sample FROM variants"
    " WHERE product_id = ?1 ORDER BY position, id";

static const char *const sort_names[CAT_SORT_COUNT] = {
    "relevance", "name", "stars", "newest", "price", "price_desc",
};

int cat_sort_parse(const char *name)
{
    int i;

    for (i = 0; i < CAT_SORT_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0)
            return i;
    return -1;
}

const char *cat_sort_name(enum cat_sort s)
{
    return (unsigned)s < CAT_SORT_COUNT ? sort_names[s] : "relevance";
}

void cat_query_init(struct cat_query *q)
{
    memset(q, 0, sizeof(*q));
    q->sort = CAT_SORT_RELEVANCE;
    q->page = 1;
    q->per_page = CAT_PER_PAGE_DEFAULT;
}

/* --- JSON building ------------------------------------------------------ */

static enum err step_err(struct db *db, struct err_ctx *ec)
{
    return err_set(ec, ERR_DB, "query: %s", sqlite3_errmsg(db_handle(db)));
}

static cJSON *add_text(cJSON *obj, const char *key, sqlite3_stmt *st, int col)
{
    const char *s = db_text(st, col);

    return s ? cJSON_AddStringToObject(obj, key, s)
             : cJSON_AddNullToObject(obj, key);
}

static cJSON *add_int_or_null(cJSON *obj, const char *key, sqlite3_stmt *st,
                              int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return cJSON_AddNullToObject(obj, key);
    return cJSON_AddNumberToObject(obj, key,
                                   (double)sqlite3_column_int64(st, col));
}

static const char *media_url(const struct cat_env *env, const char *file)
{
    const char *u = env->media_url ? env->media_url(env->media_cls, file) : NULL;

    return u ? u : "/media/placeholder.svg";
}

static enum err add_photos(struct db *db, const struct cat_env *env,
                           cJSON *item, int64_t id, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, photos_sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(item, "photos");
    int rc;

    if (st == NULL || arr == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *ph = cJSON_CreateObject();
        if (ph == NULL || !cJSON_AddItemToArray(arr, ph))
            return ERR_NOMEM;
        cJSON_AddNumberToObject(ph, "id", (double)sqlite3_column_int64(st, 4));
        if (strcmp(db_text(st, 5), "upload") == 0)
            cat_photo_upload_urls(ph, db_text(st, 0)); /* BASE-{w}.{fmt} */
        else
            cJSON_AddStringToObject(ph, "url", media_url(env, db_text(st, 0)));
        add_text(ph, "alt_vi", st, 1);
        add_text(ph, "alt_en", st, 2);
        cJSON_AddNumberToObject(ph, "width", sqlite3_column_int(st, 6));
        cJSON_AddNumberToObject(ph, "height", sqlite3_column_int(st, 7));
        cJSON_AddBoolToObject(ph, "sample", sqlite3_column_int(st, 3));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : step_err(db, ec);
}

static enum err add_variants(struct db *db, cJSON *item, int64_t id,
                             struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, variants_sql, ec);
    cJSON *arr = cJSON_AddArrayToObject(item, "variants");
    int rc;

    if (st == NULL || arr == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *v = cJSON_CreateObject();
        if (v == NULL || !cJSON_AddItemToArray(arr, v))
            return ERR_NOMEM;
        add_text(v, "sku", st, 0);
        add_text(v, "size", st, 1);
        add_text(v, "unit", st, 2);
        add_int_or_null(v, "price_vnd", st, 3);
        add_text(v, "barcode", st, 4);
        cJSON_AddBoolToObject(v, "sample", sqlite3_column_int(st, 5));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : step_err(db, ec);
}

static cJSON *certificate_json(sqlite3_stmt *st, const struct cat_env *env,
                               enum cert_status *status)
{
    cJSON *c = cJSON_CreateObject();
    const char *expires = db_text(st, C_CERT_EXPIRES);

    if (c == NULL)
        return NULL;
    *status = cert_status_on(expires, db_text(st, C_CERT_REVOKED), env->today);
    add_text(c, "number", st, C_CERT_NO);
    cJSON_AddNumberToObject(c, "stars", sqlite3_column_int(st, C_CERT_STARS));
    add_text(c, "level", st, C_CERT_LEVEL);
    add_text(c, "issuer", st, C_CERT_ISSUER);
    add_text(c, "legal_basis", st, C_CERT_BASIS);
    if (sqlite3_column_type(st, C_CERT_SCORE) == SQLITE_NULL)
        cJSON_AddNullToObject(c, "score");
    else
        cJSON_AddNumberToObject(c, "score",
                                sqlite3_column_double(st, C_CERT_SCORE));
    add_text(c, "issued_on", st, C_CERT_ISSUED);
    add_text(c, "expires_on", st, C_CERT_EXPIRES);
    cJSON_AddStringToObject(c, "status", cert_status_name(*status));
    add_text(c, "revoked_on", st, C_CERT_REVOKED);
    add_text(c, "revoke_reason", st, C_CERT_REASON);
    cJSON_AddBoolToObject(c, "rerating_open",
                          *status == CERT_ACTIVE &&
                              cert_rerating_open(expires, env->today));
    cJSON_AddBoolToObject(c, "sample", sqlite3_column_int(st, C_CERT_SAMPLE));
    return c;
}

static void add_group_and_producer(cJSON *item, sqlite3_stmt *st)
{
    cJSON *g = cJSON_AddObjectToObject(item, "group");
    cJSON *pr = cJSON_AddObjectToObject(item, "producer"), *contact;
    char url[300];

    if (g != NULL) {
        cJSON_AddNumberToObject(g, "code", sqlite3_column_int(st, C_GROUP));
        add_text(g, "slug", st, C_GSLUG);
        add_text(g, "name_vi", st, C_GNAME_VI);
        add_text(g, "name_en", st, C_GNAME_EN);
    }
    if (pr == NULL)
        return;
    add_text(pr, "slug", st, C_PR_SLUG);
    add_text(pr, "name", st, C_PR_NAME);
    add_text(pr, "kind", st, C_PR_KIND);
    add_text(pr, "province", st, C_PR_PROV);
    add_text(pr, "province_slug", st, C_PR_PROV_SLUG);
    add_text(pr, "commune", st, C_PR_COMMUNE);
    add_text(pr, "commune_slug", st, C_PR_COMMUNE_SLUG);
    add_text(pr, "address", st, C_PR_ADDRESS);
    contact = cJSON_AddObjectToObject(pr, "contact");
    add_text(contact, "phone", st, C_PR_PHONE);
    add_text(contact, "email", st, C_PR_EMAIL);
    add_text(contact, "website", st, C_PR_WEBSITE);
    cJSON_AddBoolToObject(pr, "has_contact",
                          db_text(st, C_PR_PHONE) || db_text(st, C_PR_EMAIL) ||
                              db_text(st, C_PR_WEBSITE));
    (void)snprintf(url, sizeof(url), "/nha-san-xuat/%s",
                   db_text(st, C_PR_SLUG)); /* slugs are short ASCII */
    cJSON_AddStringToObject(pr, "url", url);
}

/* product_json: the canonical product object from a PRODUCT_COLS row. */
static enum err product_json(struct db *db, const struct cat_env *env,
                             sqlite3_stmt *st, int detail, cJSON **out,
                             struct err_ctx *ec)
{
    cJSON *item = cJSON_CreateObject(), *cert;
    int64_t id = sqlite3_column_int64(st, C_ID);
    enum cert_status status = CERT_EXPIRED;
    char url[300];
    enum err e;

    *out = item;
    if (item == NULL)
        return ERR_NOMEM;
    cJSON_AddNumberToObject(item, "id", (double)id);
    add_text(item, "slug", st, C_SLUG);
    add_text(item, "name", st, C_NAME);
    cert = sqlite3_column_type(st, C_CERT_ID) == SQLITE_NULL
               ? cJSON_CreateNull()
               : certificate_json(st, env, &status);
    if (status == CERT_ACTIVE)
        cJSON_AddNumberToObject(item, "stars",
                                sqlite3_column_int(st, C_CERT_STARS));
    else
        cJSON_AddNullToObject(item, "stars");
    add_group_and_producer(item, st);
    add_int_or_null(item, "price_vnd", st, C_PRICE);
    cJSON_AddBoolToObject(item, "price_sample", sqlite3_column_int(st, C_SAMPLE));
    cJSON_AddBoolToObject(item, "sample", sqlite3_column_int(st, C_PSAMPLE));
    (void)snprintf(url, sizeof(url), "/san-pham/%s", db_text(st, C_SLUG));
    cJSON_AddStringToObject(item, "url", url);
    if (cert == NULL || !cJSON_AddItemToObject(item, "certificate", cert))
        return ERR_NOMEM;
    add_text(item, "status", st, C_STATUS);
    cJSON_AddBoolToObject(item, "hidden",
                          sqlite3_column_type(st, C_HIDDEN) != SQLITE_NULL);
    cJSON_AddBoolToObject(item, "public",
                          strcmp(db_text(st, C_STATUS), "certified") == 0 &&
                              sqlite3_column_type(st, C_HIDDEN) == SQLITE_NULL &&
                              sqlite3_column_type(st, C_CERT_ID) != SQLITE_NULL);
    add_text(item, "created_at", st, C_CREATED);
    add_text(item, "updated_at", st, C_UPDATED);
    e = add_photos(db, env, item, id, ec);
    if (e != ERR_OK || !detail)
        return e;
    add_text(item, "description", st, C_DESC);
    return add_variants(db, item, id, ec);
}

static enum err collect_products(struct db *db, const struct cat_env *env,
                                 sqlite3_stmt *st, cJSON *arr,
                                 struct err_ctx *ec)
{
    enum err e = ERR_OK;
    int rc;

    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *item = NULL;
        e = product_json(db, env, st, 0, &item, ec);
        if (item != NULL && !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            e = ERR_NOMEM;
        }
    }
    if (e == ERR_OK && rc != SQLITE_DONE)
        e = step_err(db, ec);
    sqlite3_reset(st);
    return e;
}

/* --- listings ----------------------------------------------------------- */

static void bind_filters(sqlite3_stmt *st, const struct cat_env *env,
                         const struct cat_query *q, const char *fts)
{
    sqlite3_bind_text(st, 1, env->today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, q->group);
    sqlite3_bind_int(st, 3, q->stars);
    if (q->province != NULL)
        sqlite3_bind_text(st, 4, q->province, -1, SQLITE_STATIC);
    if (q->commune != NULL)
        sqlite3_bind_text(st, 5, q->commune, -1, SQLITE_STATIC);
    if (q->producer != NULL)
        sqlite3_bind_text(st, 6, q->producer, -1, SQLITE_STATIC);
    if (fts != NULL)
        sqlite3_bind_text(st, 7, fts, -1, SQLITE_STATIC);
}

static enum err count_active(struct db *db, const struct cat_env *env,
                             const struct cat_query *q, const char *fts,
                             int64_t *total, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, count_sql[fts != NULL], ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    bind_filters(st, env, q, fts);
    rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ERR_OK : step_err(db, ec);
}

static enum err list_page(struct db *db, const struct cat_env *env,
                          const struct cat_query *q, const char *fts,
                          cJSON *items, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, list_sql[fts != NULL][q->sort], ec);

    if (st == NULL)
        return ERR_DB;
    bind_filters(st, env, q, fts);
    sqlite3_bind_int(st, 8, q->per_page);
    sqlite3_bind_int64(st, 9, (int64_t)(q->page - 1) * q->per_page);
    return collect_products(db, env, st, items, ec);
}

enum err cat_list(struct db *db, const struct cat_env *env,
                  const struct cat_query *q, cJSON **out, struct err_ctx *ec)
{
    cJSON *res = cJSON_CreateObject(), *items;
    struct sb fts;
    int64_t total = 0;
    enum err e = ERR_OK;

    *out = NULL;
    if (res == NULL)
        return ERR_NOMEM;
    sb_init(&fts, 4096);
    if (q->q != NULL && q->q[0] != '\0')
        e = srch_fts_query(q->q, 0, &fts);
    if (e == ERR_INVALID) /* no word in the query: nothing can match */
        e = ERR_OK, total = -1;
    items = cJSON_AddArrayToObject(res, "items");
    if (e == ERR_OK && total == 0 && items != NULL)
        e = list_page(db, env, q, fts.len ? fts.buf : NULL, items, ec);
    if (e == ERR_OK && total == 0)
        e = count_active(db, env, q, fts.len ? fts.buf : NULL, &total, ec);
    sb_release(&fts);
    cJSON_AddNumberToObject(res, "page", q->page);
    cJSON_AddNumberToObject(res, "per_page", q->per_page);
    cJSON_AddNumberToObject(res, "total", (double)(total < 0 ? 0 : total));
    if (e != ERR_OK || items == NULL) {
        cJSON_Delete(res);
        return e != ERR_OK ? e : ERR_NOMEM;
    }
    *out = res;
    return ERR_OK;
}

static enum err product_by(struct db *db, const struct cat_env *env,
                           const char *sql, const char *slug, cJSON **out,
                           struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;
    int rc;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? ERR_NOTFOUND : step_err(db, ec);
    }
    e = product_json(db, env, st, 1, out, ec);
    if (e == ERR_OK)
        cJSON_AddNumberToObject(*out, "producer_id",
                                (double)sqlite3_column_int64(st, C_PRODUCER_ID));
    sqlite3_reset(st);
    if (e != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return e;
}

enum err cat_product(struct db *db, const struct cat_env *env,
                     const char *slug, cJSON **out, struct err_ctx *ec)
{
    return product_by(db, env, detail_sql, slug, out, ec);
}

enum err cat_product_any(struct db *db, const struct cat_env *env,
                         const char *slug, cJSON **out, struct err_ctx *ec)
{
    return product_by(db, env, any_sql, slug, out, ec);
}

static enum err product_array(struct db *db, const struct cat_env *env,
                              sqlite3_stmt *st, cJSON **out,
                              struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e;

    *out = NULL;
    if (arr == NULL) {
        sqlite3_reset(st);
        return ERR_NOMEM;
    }
    e = collect_products(db, env, st, arr, ec);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

static enum err related_from(struct db *db, const struct cat_env *env,
                             const char *sql, int64_t id, int64_t producer,
                             int group, int n, cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, env->today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, group);
    sqlite3_bind_int(st, 8, n);
    sqlite3_bind_int64(st, 10, id);
    sqlite3_bind_int64(st, 11, producer);
    return collect_products(db, env, st, arr, ec);
}

enum err cat_related(struct db *db, const struct cat_env *env,
                     const cJSON *product, int n, cJSON **out,
                     struct err_ctx *ec)
{
    const cJSON *g = cJSON_GetObjectItem(product, "group");
    int group = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(g, "code"));
    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(product, "id"));
    int64_t producer = (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItem(product, "producer_id"));
    cJSON *arr = cJSON_CreateArray();
    enum err e;

    *out = NULL;
    if (arr == NULL)
        return ERR_NOMEM;
    e = related_from(db, env, related_producer_sql, id, producer, group, n, arr,
                     ec);
    if (e == ERR_OK && cJSON_GetArraySize(arr) < n)
        e = related_from(db, env, related_group_sql, id, producer, group,
                         n - cJSON_GetArraySize(arr), arr, ec);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

enum err cat_featured(struct db *db, const struct cat_env *env, int n,
                      cJSON **out, struct err_ctx *ec)
{
    struct cat_query q;
    sqlite3_stmt *st = db_stmt(db, list_sql[0][CAT_SORT_RELEVANCE], ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    cat_query_init(&q);
    bind_filters(st, env, &q, NULL);
    sqlite3_bind_int(st, 8, n);
    sqlite3_bind_int(st, 9, 0);
    return product_array(db, env, st, out, ec);
}

/* --- groups, places, producers ------------------------------------------ */

static const char groups_sql[] =
    "SELECT code, slug, name_vi, name_en, description_vi, description_en"
    " FROM product_groups WHERE (?10 IS NULL OR slug = ?10) ORDER BY code";

/* One pass over the active products, not one per group. */
static const char group_counts_sql[] =
    "SELECT p.group_code, count(*)" FROM_PLAIN WHERE_ACTIVE
    " GROUP BY p.group_code";

static enum err add_counts(struct db *db, const struct cat_env *env,
                           cJSON *arr, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, group_counts_sql, ec);
    struct cat_query q;
    cJSON *g;
    int rc;

    if (st == NULL)
        return ERR_DB;
    cat_query_init(&q);
    bind_filters(st, env, &q, NULL);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int code = sqlite3_column_int(st, 0);
        cJSON_ArrayForEach(g, arr)
        {
            if ((int)cJSON_GetNumberValue(cJSON_GetObjectItem(g, "code")) == code)
                cJSON_SetNumberValue(cJSON_GetObjectItem(g, "count"),
                                     sqlite3_column_int(st, 1));
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : step_err(db, ec);
}

static enum err group_rows(struct db *db, const struct cat_env *env,
                           const char *slug, int counts, cJSON *arr,
                           struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, groups_sql, ec);
    char url[200];
    int rc;

    if (st == NULL)
        return ERR_DB;
    if (slug != NULL)
        sqlite3_bind_text(st, 10, slug, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *g = cJSON_CreateObject();
        if (g == NULL || !cJSON_AddItemToArray(arr, g)) {
            sqlite3_reset(st);
            return ERR_NOMEM;
        }
        cJSON_AddNumberToObject(g, "code", sqlite3_column_int(st, 0));
        add_text(g, "slug", st, 1);
        add_text(g, "name_vi", st, 2);
        add_text(g, "name_en", st, 3);
        add_text(g, "description_vi", st, 4);
        add_text(g, "description_en", st, 5);
        cJSON_AddNumberToObject(g, "count", 0);
        (void)snprintf(url, sizeof(url), "/nhom/%s", db_text(st, 1));
        cJSON_AddStringToObject(g, "url", url);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return step_err(db, ec);
    return counts ? add_counts(db, env, arr, ec) : ERR_OK;
}

enum err cat_groups(struct db *db, const struct cat_env *env, int counts,
                    cJSON **out, struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e = arr ? group_rows(db, env, NULL, counts, arr, ec) : ERR_NOMEM;

    if (e != ERR_OK) {
        cJSON_Delete(arr);
        arr = NULL;
    }
    *out = arr;
    return e;
}

enum err cat_group(struct db *db, const struct cat_env *env, const char *slug,
                   cJSON **out, struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e = arr ? group_rows(db, env, slug, 0, arr, ec) : ERR_NOMEM;

    *out = NULL;
    if (e == ERR_OK && cJSON_GetArraySize(arr) == 0)
        e = ERR_NOTFOUND;
    if (e == ERR_OK)
        *out = cJSON_DetachItemFromArray(arr, 0);
    cJSON_Delete(arr);
    return e;
}

static const char places_sql[] =
    "SELECT pr.province_slug, pr.province, pr.commune_slug, pr.commune,"
    " count(*)" FROM_PLAIN WHERE_ACTIVE
    " AND pr.province_slug IS NOT NULL"
    " GROUP BY pr.province_slug, pr.commune_slug"
    " ORDER BY pr.province_slug, pr.commune_slug";

static cJSON *place(cJSON *arr, sqlite3_stmt *st, int slug_col, int name_col)
{
    cJSON *p = cJSON_CreateObject();

    if (p == NULL || !cJSON_AddItemToArray(arr, p))
        return NULL;
    add_text(p, "slug", st, slug_col);
    add_text(p, "name", st, name_col);
    cJSON_AddNumberToObject(p, "count", 0);
    return p;
}

static void add_count(cJSON *p, int n)
{
    cJSON *c = cJSON_GetObjectItem(p, "count");

    cJSON_SetNumberValue(c, cJSON_GetNumberValue(c) + n);
}

static enum err place_row(cJSON *arr, cJSON **prov, sqlite3_stmt *st)
{
    const char *pslug = db_text(st, 0);
    const char *cur = *prov ? cJSON_GetStringValue(
                                  cJSON_GetObjectItem(*prov, "slug"))
                            : NULL;
    int n = sqlite3_column_int(st, 4);
    cJSON *communes, *c;

    if (cur == NULL || strcmp(cur, pslug) != 0) {
        *prov = place(arr, st, 0, 1);
        if (*prov == NULL || !cJSON_AddArrayToObject(*prov, "communes"))
            return ERR_NOMEM;
    }
    add_count(*prov, n);
    if (sqlite3_column_type(st, 2) == SQLITE_NULL)
        return ERR_OK;
    communes = cJSON_GetObjectItem(*prov, "communes");
    c = place(communes, st, 2, 3);
    if (c == NULL)
        return ERR_NOMEM;
    add_count(c, n);
    return ERR_OK;
}

enum err cat_places(struct db *db, const struct cat_env *env, cJSON **out,
                    struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, places_sql, ec);
    cJSON *arr = cJSON_CreateArray(), *prov = NULL;
    struct cat_query q;
    enum err e = ERR_OK;
    int rc = SQLITE_DONE;

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    cat_query_init(&q);
    bind_filters(st, env, &q, NULL);
    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        e = place_row(arr, &prov, st);
    if (e == ERR_OK && rc != SQLITE_DONE)
        e = step_err(db, ec);
    sqlite3_reset(st);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

#define PRODUCER_COLS                                                         \
    "op.id, op.slug, op.name, op.kind, op.address, op.province,"              \
    " op.province_slug, op.commune, op.commune_slug, op.representative,"     \
    " op.phone, op.email, op.website,"                                        \
    " (SELECT count(*)" FROM_PLAIN WHERE_ACTIVE " AND p.producer_id = op.id)"

/* A producer is public when it has a public (certified) product. The
 * outer alias is op: FROM_PLAIN inside the count already names producers pr. */
#define PRODUCER_PUBLIC                                                       \
    " EXISTS (SELECT 1 FROM products p2 JOIN certificates c2"                 \
    " ON c2.product_id = p2.id AND c2.superseded_by IS NULL"                  \
    " WHERE p2.producer_id = op.id AND p2.status = 'certified')"

static const char producers_sql[] =
    "SELECT " PRODUCER_COLS " FROM producers op WHERE" PRODUCER_PUBLIC
    " AND (?10 IS NULL OR op.slug = ?10) ORDER BY op.name";

static enum err producer_json(sqlite3_stmt *st, cJSON *arr)
{
    cJSON *p = cJSON_CreateObject(), *contact;
    char url[300];

    if (p == NULL || !cJSON_AddItemToArray(arr, p))
        return ERR_NOMEM;
    cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(st, 0));
    add_text(p, "slug", st, 1);
    add_text(p, "name", st, 2);
    add_text(p, "kind", st, 3);
    add_text(p, "address", st, 4);
    add_text(p, "province", st, 5);
    add_text(p, "province_slug", st, 6);
    add_text(p, "commune", st, 7);
    add_text(p, "commune_slug", st, 8);
    add_text(p, "representative", st, 9);
    contact = cJSON_AddObjectToObject(p, "contact");
    if (contact == NULL)
        return ERR_NOMEM;
    add_text(contact, "phone", st, 10);
    add_text(contact, "email", st, 11);
    add_text(contact, "website", st, 12);
    cJSON_AddNumberToObject(p, "product_count", sqlite3_column_int(st, 13));
    (void)snprintf(url, sizeof(url), "/nha-san-xuat/%s", db_text(st, 1));
    cJSON_AddStringToObject(p, "url", url);
    return ERR_OK;
}

static enum err producer_rows(struct db *db, const struct cat_env *env,
                              const char *slug, cJSON *arr,
                              struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, producers_sql, ec);
    struct cat_query q;
    enum err e = ERR_OK;
    int rc = SQLITE_DONE;

    if (st == NULL)
        return ERR_DB;
    cat_query_init(&q);
    bind_filters(st, env, &q, NULL);
    if (slug != NULL)
        sqlite3_bind_text(st, 10, slug, -1, SQLITE_STATIC);
    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        e = producer_json(st, arr);
    if (e == ERR_OK && rc != SQLITE_DONE)
        e = step_err(db, ec);
    sqlite3_reset(st);
    return e;
}

enum err cat_producers(struct db *db, const struct cat_env *env, cJSON **out,
                       struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e = arr ? producer_rows(db, env, NULL, arr, ec) : ERR_NOMEM;

    if (e != ERR_OK) {
        cJSON_Delete(arr);
        arr = NULL;
    }
    *out = arr;
    return e;
}

enum err cat_producer(struct db *db, const struct cat_env *env,
                      const char *slug, cJSON **out, struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    enum err e = arr ? producer_rows(db, env, slug, arr, ec) : ERR_NOMEM;

    *out = NULL;
    if (e == ERR_OK && cJSON_GetArraySize(arr) == 0)
        e = ERR_NOTFOUND;
    if (e == ERR_OK)
        *out = cJSON_DetachItemFromArray(arr, 0);
    cJSON_Delete(arr);
    return e;
}

/* --- suggestions and sitemap -------------------------------------------- */

static const char suggest_sql[] =
    "SELECT p.slug, p.name, c.stars" FROM_FTS WHERE_FTS
    " ORDER BY bm25(product_fts, " SRCH_BM25_WEIGHTS "), p.id LIMIT ?8";

static enum err suggest_rows(struct db *db, const struct cat_env *env,
                             const char *fts, int n, cJSON *arr,
                             struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, suggest_sql, ec);
    struct cat_query q;
    char url[300];
    int rc;

    if (st == NULL)
        return ERR_DB;
    cat_query_init(&q);
    bind_filters(st, env, &q, fts);
    sqlite3_bind_int(st, 8, n);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *s = cJSON_CreateObject();
        if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
            sqlite3_reset(st);
            return ERR_NOMEM;
        }
        add_text(s, "slug", st, 0);
        add_text(s, "name", st, 1);
        cJSON_AddNumberToObject(s, "stars", sqlite3_column_int(st, 2));
        (void)snprintf(url, sizeof(url), "/san-pham/%s", db_text(st, 0));
        cJSON_AddStringToObject(s, "url", url);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : step_err(db, ec);
}

enum err cat_suggest(struct db *db, const struct cat_env *env, const char *q,
                     int n, cJSON **out, struct err_ctx *ec)
{
    cJSON *arr = cJSON_CreateArray();
    struct sb fts;
    enum err e;

    *out = NULL;
    if (arr == NULL)
        return ERR_NOMEM;
    sb_init(&fts, 4096);
    e = srch_fts_query(q, SRCH_PREFIX_LAST | SRCH_NAMES_ONLY, &fts);
    if (e == ERR_OK)
        e = suggest_rows(db, env, fts.buf, n, arr, ec);
    else if (e == ERR_INVALID)
        e = ERR_OK; /* no word yet: no suggestion */
    sb_release(&fts);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

static const char sitemap_sql[] =
    "SELECT '/san-pham/' || p.slug, substr(p.updated_at, 1, 10)"
    " FROM products p JOIN certificates c ON c.product_id = p.id"
    " AND c.superseded_by IS NULL WHERE p.status = 'certified'"
    " UNION ALL SELECT '/nha-san-xuat/' || op.slug,"
    " substr(op.updated_at, 1, 10) FROM producers op WHERE" PRODUCER_PUBLIC
    " UNION ALL SELECT '/nhom/' || slug, NULL FROM product_groups";

enum err cat_sitemap_each(struct db *db, cat_path_fn fn, void *cls,
                          struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, sitemap_sql, ec);
    enum err e = ERR_OK;
    int rc = SQLITE_DONE;

    if (st == NULL)
        return ERR_DB;
    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        e = fn(cls, db_text(st, 0), db_text(st, 1));
    if (e == ERR_OK && rc != SQLITE_DONE)
        e = step_err(db, ec);
    sqlite3_reset(st);
    return e;
}
