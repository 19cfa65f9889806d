/* cat_import.c: seed catalog import and sample products (see cat_import.h). */
#include "catalog/cat_import.h"

#include "cert/cert.h"
#include "core/file.h"
#include "core/sb.h"
#include "search/srch.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CATALOG_FILE ((size_t)64 << 20)

struct import {
    struct db *db;
    const char *dir;
    cJSON *groups, *producers, *products;
    cJSON *changed_producers; /* object used as a set of slugs */
    struct cat_import_stats *stats;
    struct sb tmp, tmp2;
};

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int num(const cJSON *o, const char *key, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (int)cJSON_GetNumberValue(v) : dflt;
}

static void bind_opt_text(sqlite3_stmt *st, int col, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

static enum err load_json(const char *dir, const char *name, cJSON **out,
                          struct err_ctx *ec)
{
    char path[4096], *text = NULL;
    enum err e;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    e = file_read_all(path, MAX_CATALOG_FILE, &text, NULL, ec);
    if (e != ERR_OK)
        return e;
    *out = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return err_set(ec, ERR_INVALID, "%s: not a JSON array", path);
    }
    return ERR_OK;
}

/* run_changes: runs an upsert and counts it when it changed a row. */
static enum err run_changes(struct import *im, sqlite3_stmt *st, int *changed,
                            struct err_ctx *ec)
{
    enum err e = db_exec(im->db, st, ec);
    int n = sqlite3_changes(db_handle(im->db));

    if (e == ERR_OK && n > 0)
        im->stats->changed += n;
    if (changed != NULL)
        *changed = e == ERR_OK && n > 0;
    return e;
}

/* --- groups and producers ----------------------------------------------- */

static const char group_sql[] =
    "INSERT INTO product_groups (code, slug, name_vi, name_en,"
    " description_vi, description_en) VALUES (?1, ?2, ?3, ?4,"
    " coalesce(?5, ''), coalesce(?6, ''))"
    " ON CONFLICT (code) DO UPDATE SET slug = excluded.slug,"
    " name_vi = excluded.name_vi, name_en = excluded.name_en,"
    " description_vi = excluded.description_vi,"
    " description_en = excluded.description_en"
    " WHERE (slug, name_vi, name_en, description_vi, description_en)"
    " IS NOT (excluded.slug, excluded.name_vi, excluded.name_en,"
    " excluded.description_vi, excluded.description_en)";

static enum err import_group(struct import *im, const cJSON *g,
                             struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(im->db, group_sql, ec);

    if (st == NULL)
        return ERR_DB;
    if (num(g, "code", 0) < 1 || !str(g, "slug") || !str(g, "name_vi") ||
        !str(g, "name_en"))
        return err_set(ec, ERR_INVALID, "groups.json: a group lacks code, "
                                        "slug or names");
    sqlite3_bind_int(st, 1, num(g, "code", 0));
    bind_opt_text(st, 2, str(g, "slug"));
    bind_opt_text(st, 3, str(g, "name_vi"));
    bind_opt_text(st, 4, str(g, "name_en"));
    bind_opt_text(st, 5, str(g, "description_vi"));
    bind_opt_text(st, 6, str(g, "description_en"));
    im->stats->groups++;
    return run_changes(im, st, NULL, ec);
}

static const char producer_sql[] =
    "INSERT INTO producers (slug, name, kind, address, province,"
    " province_slug, province_as_stated, commune, commune_slug,"
    " representative, phone, email, source)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
    " kind = excluded.kind, address = excluded.address,"
    " province = excluded.province, province_slug = excluded.province_slug,"
    " province_as_stated = excluded.province_as_stated,"
    " commune = excluded.commune, commune_slug = excluded.commune_slug,"
    " representative = excluded.representative, phone = excluded.phone,"
    " email = excluded.email, source = excluded.source,"
    " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
    " WHERE (name, kind, address, province, province_as_stated, commune,"
    " representative, phone, email, source) IS NOT (excluded.name,"
    " excluded.kind, excluded.address, excluded.province,"
    " excluded.province_as_stated, excluded.commune,"
    " excluded.representative, excluded.phone, excluded.email,"
    " excluded.source)";

static enum err bind_slug_of(struct sb *tmp, sqlite3_stmt *st, int col,
                             const char *text)
{
    sb_reset(tmp);
    if (text == NULL)
        return ERR_OK;
    if (srch_slug(text, tmp) != ERR_OK)
        return ERR_INVALID;
    sqlite3_bind_text(st, col, tmp->buf, (int)tmp->len, SQLITE_TRANSIENT);
    return ERR_OK;
}

static enum err import_producer(struct import *im, const cJSON *p,
                                struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(im->db, producer_sql, ec);
    const cJSON *contact = cJSON_GetObjectItemCaseSensitive(p, "contact");
    int changed = 0;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    if (!str(p, "slug") || !str(p, "name") || !str(p, "kind"))
        return err_set(ec, ERR_INVALID, "producers.json: a producer lacks "
                                        "slug, name or kind");
    bind_opt_text(st, 1, str(p, "slug"));
    bind_opt_text(st, 2, str(p, "name"));
    bind_opt_text(st, 3, str(p, "kind"));
    bind_opt_text(st, 4, str(p, "address"));
    bind_opt_text(st, 5, str(p, "province"));
    e = bind_slug_of(&im->tmp, st, 6, str(p, "province"));
    bind_opt_text(st, 7, str(p, "province_as_stated"));
    bind_opt_text(st, 8, str(p, "commune"));
    if (e == ERR_OK)
        e = bind_slug_of(&im->tmp, st, 9, str(p, "commune"));
    bind_opt_text(st, 10, str(p, "representative"));
    bind_opt_text(st, 11, str(contact, "phone"));
    bind_opt_text(st, 12, str(contact, "email"));
    bind_opt_text(st, 13, str(p, "source"));
    if (e != ERR_OK)
        return err_set(ec, e, "producers.json: %s: invalid text",
                       str(p, "slug"));
    im->stats->producers++;
    e = run_changes(im, st, &changed, ec);
    if (e == ERR_OK && changed)
        cJSON_AddTrueToObject(im->changed_producers, str(p, "slug"));
    return e;
}

/* --- products ------------------------------------------------------------ */

static const char product_sql[] =
    "INSERT INTO products (slug, name, name_key, producer_id, group_code,"
    " status, target_stars, description, source, note, is_sample)"
    " VALUES (?1, ?2, ?3, (SELECT id FROM producers WHERE slug = ?4), ?5,"
    " ?6, ?7, coalesce(?8, ''), ?9, ?10, ?11)"
    " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
    " name_key = excluded.name_key, producer_id = excluded.producer_id,"
    " group_code = excluded.group_code, status = excluded.status,"
    " target_stars = excluded.target_stars,"
    " description = excluded.description, source = excluded.source,"
    " note = excluded.note, is_sample = excluded.is_sample,"
    " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
    " WHERE (name, producer_id, group_code, status, target_stars,"
    " description, source, note, is_sample) IS NOT (excluded.name,"
    " excluded.producer_id, excluded.group_code, excluded.status,"
    " excluded.target_stars, excluded.description, excluded.source,"
    " excluded.note, excluded.is_sample)";

static const char product_id_sql[] =
    "SELECT p.id, pr.name FROM products p JOIN producers pr"
    " ON pr.id = p.producer_id WHERE p.slug = ?1";

static enum err bind_product(struct import *im, sqlite3_stmt *st,
                             const cJSON *p, int is_sample)
{
    const char *name = str(p, "name");

    sb_reset(&im->tmp);
    if (srch_collation_key(name, &im->tmp) != ERR_OK)
        return ERR_INVALID;
    bind_opt_text(st, 1, str(p, "slug"));
    bind_opt_text(st, 2, name);
    sqlite3_bind_blob(st, 3, im->tmp.buf, (int)im->tmp.len, SQLITE_TRANSIENT);
    bind_opt_text(st, 4, str(p, "producer"));
    sqlite3_bind_int(st, 5, num(p, "group", 0));
    bind_opt_text(st, 6, str(p, "status"));
    if (num(p, "target_stars", 0) > 0)
        sqlite3_bind_int(st, 7, num(p, "target_stars", 0));
    bind_opt_text(st, 8, str(p, "description"));
    bind_opt_text(st, 9, str(p, "source"));
    bind_opt_text(st, 10, str(p, "note"));
    sqlite3_bind_int(st, 11, is_sample);
    return ERR_OK;
}

static enum err product_id(struct import *im, const char *slug, int64_t *id,
                           struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(im->db, product_id_sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_set(ec, ERR_DB, "product %s vanished", slug);
    }
    *id = sqlite3_column_int64(st, 0);
    sb_reset(&im->tmp2);
    if (sb_adds(&im->tmp2, db_text(st, 1)) != ERR_OK) {
        sqlite3_reset(st);
        return ERR_NOMEM;
    }
    sqlite3_reset(st);
    return ERR_OK;
}

static const char variant_sql[] =
    "INSERT INTO variants (product_id, position, sku, size, unit, price_vnd,"
    " barcode, is_sample) VALUES (?1, ?2, ?3, coalesce(?4, ''),"
    " coalesce(?5, ''), ?6, ?7, ?8)"
    " ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id,"
    " position = excluded.position, size = excluded.size,"
    " unit = excluded.unit, price_vnd = excluded.price_vnd,"
    " barcode = excluded.barcode, is_sample = excluded.is_sample"
    " WHERE (product_id, position, size, unit, price_vnd, barcode, is_sample)"
    " IS NOT (excluded.product_id, excluded.position, excluded.size,"
    " excluded.unit, excluded.price_vnd, excluded.barcode,"
    " excluded.is_sample)";

static const char price_sql[] =
    "UPDATE products SET price_vnd = (SELECT min(price_vnd) FROM variants"
    " WHERE product_id = ?1) WHERE id = ?1 AND price_vnd IS NOT"
    " (SELECT min(price_vnd) FROM variants WHERE product_id = ?1)";

static enum err import_variants(struct import *im, int64_t id,
                                const cJSON *list, int is_sample,
                                struct err_ctx *ec)
{
    const cJSON *v;
    sqlite3_stmt *st;
    int pos = 0;
    enum err e = ERR_OK;

    cJSON_ArrayForEach(v, list)
    {
        const cJSON *price = cJSON_GetObjectItemCaseSensitive(v, "price_vnd");
        st = db_stmt(im->db, variant_sql, ec);
        if (st == NULL)
            return ERR_DB;
        if (str(v, "sku") == NULL)
            return err_set(ec, ERR_INVALID, "a variant lacks its sku");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, pos++);
        bind_opt_text(st, 3, str(v, "sku"));
        bind_opt_text(st, 4, str(v, "size"));
        bind_opt_text(st, 5, str(v, "unit"));
        if (cJSON_IsNumber(price))
            sqlite3_bind_int64(st, 6, (int64_t)cJSON_GetNumberValue(price));
        bind_opt_text(st, 7, str(v, "barcode"));
        sqlite3_bind_int(st, 8, is_sample);
        im->stats->variants++;
        e = run_changes(im, st, NULL, ec);
        if (e != ERR_OK)
            return e;
    }
    st = db_stmt(im->db, price_sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return run_changes(im, st, NULL, ec);
}

static const char photo_sql[] =
    "INSERT INTO photos (product_id, position, file, alt_vi, alt_en,"
    " is_sample) SELECT ?1, ?2, ?3, coalesce(?4, ''), coalesce(?5, ''), ?6"
    " WHERE NOT EXISTS (SELECT 1 FROM photos WHERE product_id = ?1"
    " AND file = ?3)";

static enum err import_photos(struct import *im, int64_t id,
                              const cJSON *list, int is_sample,
                              struct err_ctx *ec)
{
    const cJSON *ph;
    int pos = 0;
    enum err e;

    cJSON_ArrayForEach(ph, list)
    {
        sqlite3_stmt *st = db_stmt(im->db, photo_sql, ec);
        if (st == NULL)
            return ERR_DB;
        if (str(ph, "file") == NULL || strchr(str(ph, "file"), '/') != NULL)
            return err_set(ec, ERR_INVALID, "a photo lacks a plain file name");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, pos++);
        bind_opt_text(st, 3, str(ph, "file"));
        bind_opt_text(st, 4, str(ph, "alt_vi"));
        bind_opt_text(st, 5, str(ph, "alt_en"));
        sqlite3_bind_int(st, 6, is_sample);
        im->stats->photos++;
        e = run_changes(im, st, NULL, ec);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

static const char cert_exists_sql[] =
    "SELECT 1 FROM certificates WHERE product_id = ?1 AND number = ?2";

static enum err import_certificate(struct import *im, int64_t id,
                                   const cJSON *c, int stars, int is_sample,
                                   struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(im->db, cert_exists_sql, ec);
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(c, "score");
    struct cert_new cn = {0};
    int exists;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    bind_opt_text(st, 2, str(c, "number"));
    exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    im->stats->certificates++;
    if (exists)
        return ERR_OK;
    cn.product_id = id;
    cn.number = str(c, "number");
    cn.stars = num(c, "stars", stars);
    cn.score = cJSON_IsNumber(score) ? cJSON_GetNumberValue(score) : -1.0;
    cn.level = str(c, "level");
    cn.issuer = str(c, "issuer");
    cn.legal_basis = str(c, "legal_basis");
    cn.issued_on = str(c, "issued_on");
    cn.is_sample = is_sample;
    if (cn.level == NULL || cn.number == NULL)
        return err_set(ec, ERR_INVALID, "a certificate lacks number or level");
    im->stats->changed++;
    return cert_insert(im->db, &cn, NULL, ec);
}

/* A record's facts are top level; values the sources do not give sit under
 * "sample" and are stored flagged as sample data. */
static enum err import_parts(struct import *im, int64_t id, const cJSON *p,
                             int stars, int is_sample, struct err_ctx *ec)
{
    const cJSON *cert = cJSON_GetObjectItemCaseSensitive(p, "certificate");
    enum err e;

    e = import_variants(im, id, cJSON_GetObjectItemCaseSensitive(p, "variants"),
                        is_sample, ec);
    if (e == ERR_OK)
        e = import_photos(im, id, cJSON_GetObjectItemCaseSensitive(p, "photos"),
                          is_sample, ec);
    if (e == ERR_OK && cJSON_IsObject(cert))
        e = import_certificate(im, id, cert, stars, is_sample, ec);
    return e;
}

static enum err import_product(struct import *im, const cJSON *p,
                               int is_sample, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(im->db, product_sql, ec);
    const cJSON *sample = cJSON_GetObjectItemCaseSensitive(p, "sample");
    const char *slug = str(p, "slug");
    int changed = 0;
    int64_t id = 0;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    if (slug == NULL || str(p, "name") == NULL || str(p, "producer") == NULL ||
        str(p, "status") == NULL)
        return err_set(ec, ERR_INVALID, "products.json: a product lacks slug, "
                                        "name, producer or status");
    if (bind_product(im, st, p, is_sample) != ERR_OK)
        return err_set(ec, ERR_INVALID, "products.json: %s: bad text", slug);
    im->stats->products++;
    e = run_changes(im, st, &changed, ec);
    if (e == ERR_OK)
        e = product_id(im, slug, &id, ec);
    if (e == ERR_OK)
        e = import_parts(im, id, p, num(p, "stars", 0), is_sample, ec);
    if (e == ERR_OK && cJSON_IsObject(sample))
        e = import_parts(im, id, sample, num(p, "stars", 0), 1, ec);
    if (e == ERR_OK &&
        (changed || cJSON_HasObjectItem(im->changed_producers, str(p, "producer"))))
        e = srch_index_product(im->db, id, str(p, "name"),
                               str(p, "description"), im->tmp2.buf, ec);
    if (e != ERR_OK && ec != NULL && strstr(ec->msg, slug) == NULL) {
        char msg[sizeof(ec->msg)];
        memcpy(msg, ec->msg, sizeof(msg));
        (void)err_set(ec, e, "product %s: %s", slug, msg);
    }
    return e;
}

static enum err import_all(struct db *db, void *cls, struct err_ctx *ec)
{
    struct import *im = cls;
    const cJSON *x;
    enum err e = ERR_OK;

    (void)db;
    for (x = im->groups->child; x != NULL && e == ERR_OK; x = x->next)
        e = import_group(im, x, ec);
    for (x = im->producers->child; x != NULL && e == ERR_OK; x = x->next)
        e = import_producer(im, x, ec);
    for (x = im->products->child; x != NULL && e == ERR_OK; x = x->next)
        e = import_product(im, x, 0, ec);
    if (e == ERR_OK && im->stats->changed > 0)
        e = db_bump_catalog_version(im->db, ec);
    return e;
}

enum err cat_import_dir(struct db *db, const char *dir,
                        struct cat_import_stats *stats, struct err_ctx *ec)
{
    struct import im = {.db = db, .dir = dir, .stats = stats};
    enum err e;

    memset(stats, 0, sizeof(*stats));
    sb_init(&im.tmp, 1 << 20);
    sb_init(&im.tmp2, 1 << 20);
    im.changed_producers = cJSON_CreateObject();
    e = im.changed_producers ? ERR_OK : ERR_NOMEM;
    if (e == ERR_OK)
        e = load_json(dir, "groups.json", &im.groups, ec);
    if (e == ERR_OK)
        e = load_json(dir, "producers.json", &im.producers, ec);
    if (e == ERR_OK)
        e = load_json(dir, "products.json", &im.products, ec);
    if (e == ERR_OK)
        e = db_tx_run(db, "import", import_all, &im, ec);
    cJSON_Delete(im.groups);
    cJSON_Delete(im.producers);
    cJSON_Delete(im.products);
    cJSON_Delete(im.changed_producers);
    sb_release(&im.tmp);
    sb_release(&im.tmp2);
    return e;
}

int cat_catalog_empty(struct db *db)
{
    static const char sql[] = "SELECT NOT EXISTS (SELECT 1 FROM products)";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int empty = 1;

    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        empty = sqlite3_column_int(st, 0);
    if (st != NULL)
        sqlite3_reset(st);
    return empty;
}

/* --- synthetic sample products ------------------------------------------- */

static const char *const sample_kinds[] = {
    "Mật ong hoa cà phê", "Trà shan tuyết", "Nước mắm cá cơm", "Bánh tráng",
    "Cà phê rang xay", "Gạo thơm", "Hạt điều rang muối", "Kẹo dừa",
    "Mứt gừng", "Tinh dầu sả chanh", "Nón lá", "Giỏ mây tre đan",
    "Rượu cần", "Chè búp", "Nấm linh chi", "Miến dong", "Tương ớt",
    "Muối tôm", "Bột sắn dây", "Khô cá dứa",
};
static const char *const sample_places[] = {
    "Tây Nguyên", "Hà Giang", "Phú Quốc", "Trảng Bàng", "Buôn Ma Thuột",
    "Sóc Trăng", "Bình Phước", "Bến Tre", "Quảng Ngãi", "Hội An",
    "Huế", "Sa Pa", "Cao Bằng", "Ninh Thuận", "Đồng Tháp",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static cJSON *sample_record(int i, const char *producer)
{
    const char *kind = sample_kinds[(unsigned)i % COUNT_OF(sample_kinds)];
    const char *place = sample_places[((unsigned)i / COUNT_OF(sample_kinds)) %
                                      COUNT_OF(sample_places)];
    char name[256], slug[64], sku[64], issued[32], number[64];
    int stars = 3 + i % 3, group = 1 + (i % 7 == 3) * 3 + (i % 11 == 5) * 2;
    cJSON *r = cJSON_CreateObject(), *v, *c, *ph;

    (void)snprintf(name, sizeof(name), "%s %s mẫu %d", kind, place, i);
    (void)snprintf(slug, sizeof(slug), "mau-%d", i);
    (void)snprintf(sku, sizeof(sku), "MAU-%06d", i);
    (void)snprintf(issued, sizeof(issued), "%04d-%02d-%02d", 2024 + i % 3,
                   1 + i % 10, 1 + i % 28);
    (void)snprintf(number, sizeof(number), "MẪU-%06d", i);
    cJSON_AddStringToObject(r, "slug", slug);
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddStringToObject(r, "producer", producer);
    cJSON_AddNumberToObject(r, "group", group);
    cJSON_AddStringToObject(r, "status", "certified");
    cJSON_AddNumberToObject(r, "stars", stars);
    cJSON_AddStringToObject(r, "description",
                            "Sản phẩm mẫu, tạo tự động để thử nghiệm và "
                            "trình diễn; không phải sản phẩm thật.");
    if (r == NULL || cJSON_AddArrayToObject(r, "variants") == NULL) {
        cJSON_Delete(r);
        return NULL;
    }
    v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "sku", sku);
    cJSON_AddStringToObject(v, "size", "500 g");
    cJSON_AddStringToObject(v, "unit", "gói");
    cJSON_AddNumberToObject(v, "price_vnd", 20000 + (i * 7919 % 480) * 1000);
    cJSON_AddItemToArray(cJSON_GetObjectItem(r, "variants"), v);
    c = cJSON_AddObjectToObject(r, "certificate");
    cJSON_AddStringToObject(c, "number", number);
    cJSON_AddNumberToObject(c, "stars", stars);
    cJSON_AddNumberToObject(c, "score", 50 + (stars - 3) * 20 + i % 19);
    cJSON_AddStringToObject(c, "level", stars == 5 ? "national" : "province");
    cJSON_AddStringToObject(c, "issuer", "Dữ liệu mẫu");
    cJSON_AddStringToObject(c, "legal_basis", "148+1489");
    cJSON_AddStringToObject(c, "issued_on", issued);
    ph = cJSON_CreateObject();
    (void)snprintf(name, sizeof(name), "group-%d-%c.svg", group, 'a' + i % 3);
    cJSON_AddStringToObject(ph, "file", name);
    cJSON_AddStringToObject(ph, "alt_vi", "Hình minh hoạ (dữ liệu mẫu)");
    cJSON_AddStringToObject(ph, "alt_en", "Illustration (sample data)");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "photos"), ph);
    return r;
}

struct sample_job {
    struct import im;
    cJSON *producers; /* array of slugs */
    int n, first;
};

static enum err sample_all(struct db *db, void *cls, struct err_ctx *ec)
{
    struct sample_job *job = cls;
    int np = cJSON_GetArraySize(job->producers), i;
    enum err e = ERR_OK;

    (void)db;
    if (np == 0)
        return err_set(ec, ERR_INVALID, "import the catalog before samples");
    for (i = 0; i < job->n && e == ERR_OK; i++) {
        int k = job->first + i;
        const char *pr = cJSON_GetStringValue(
            cJSON_GetArrayItem(job->producers, k % np));
        cJSON *r = sample_record(k, pr);
        e = r ? import_product(&job->im, r, 1, ec) : ERR_NOMEM;
        cJSON_Delete(r);
    }
    if (e == ERR_OK)
        e = db_bump_catalog_version(job->im.db, ec);
    return e;
}

static enum err sample_producers(struct db *db, struct sample_job *job,
                                 struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT slug, (SELECT count(*) FROM products WHERE is_sample = 1)"
        " FROM producers ORDER BY id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON_AddItemToArray(job->producers,
                             cJSON_CreateString(db_text(st, 0)));
        job->first = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

enum err cat_import_sample(struct db *db, int n, struct err_ctx *ec)
{
    struct cat_import_stats stats = {0};
    struct sample_job job = {.im = {.db = db, .stats = &stats}, .n = n};
    enum err e;

    sb_init(&job.im.tmp, 1 << 20);
    sb_init(&job.im.tmp2, 1 << 20);
    job.im.changed_producers = cJSON_CreateObject();
    job.producers = cJSON_CreateArray();
    e = job.producers && job.im.changed_producers ? ERR_OK : ERR_NOMEM;
    if (e == ERR_OK)
        e = sample_producers(db, &job, ec);
    if (e == ERR_OK)
        e = db_tx_run(db, "sample", sample_all, &job, ec);
    cJSON_Delete(job.producers);
    cJSON_Delete(job.im.changed_producers);
    sb_release(&job.im.tmp);
    sb_release(&job.im.tmp2);
    return e;
}
