/* cat_producer.c: producers as the office keeps them (see cat_producer.h). */
#include "catalog/cat_producer.h"

#include "core/sb.h"
#include "search/srch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPRESENTATIVE_MAX 100
#define ADDRESS_MAX 300
#define COMMUNE_MAX 100
#define EMAIL_MAX 254
#define WEBSITE_MAX 200
#define SLUG_BASE_MAX 80
#define SLUG_TRIES 100

/* QĐ 19/2025/QĐ-TTg, by code (01 Hà Nội ... 96 Cà Mau); spelled as the
 * seed catalog spells them ("Thanh Hóa"). */
static const char *const provinces[CAT_PROVINCES] = {
    "Hà Nội",    "Cao Bằng",   "Tuyên Quang", "Điện Biên", "Lai Châu",
    "Sơn La",    "Lào Cai",    "Thái Nguyên", "Lạng Sơn",  "Quảng Ninh",
    "Bắc Ninh",  "Phú Thọ",    "Hải Phòng",   "Hưng Yên",  "Ninh Bình",
    "Thanh Hóa", "Nghệ An",    "Hà Tĩnh",     "Quảng Trị", "Huế",
    "Đà Nẵng",   "Quảng Ngãi", "Gia Lai",     "Khánh Hòa", "Đắk Lắk",
    "Lâm Đồng",  "Đồng Nai",   "Hồ Chí Minh", "Tây Ninh",  "Đồng Tháp",
    "Vĩnh Long", "An Giang",   "Cần Thơ",     "Cà Mau",
};

static const char *const record_keys[] = {
    "name",         "kind",     "representative", "tax_code",
    "address",      "province", "province_slug",  "commune",
    "commune_slug", "phone",    "email",          "website",
};
#define RECORD_COLS 12

const char *cat_province_name(int i)
{
    return i >= 0 && i < CAT_PROVINCES ? provinces[i] : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* --- text ---------------------------------------------------------------- */

static size_t char_count(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int strip_controls(char *s, int multiline)
{
    char *w = s;
    const char *r;

    for (r = s; *r != '\0'; r++) {
        unsigned char ch = (unsigned char)*r;
        if (ch == '\r')
            continue;
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) ||
            ch == 0x7f)
            return 0;
        *w++ = *r;
    }
    *w = '\0';
    return 1;
}

char *cat_text_clean(const char *in, int multiline, size_t min, size_t max)
{
    struct sb sb;
    char *s, *start, *end;
    size_t n;

    if (in == NULL)
        in = "";
    sb_init(&sb, 1 << 20);
    if (srch_nfc(in, strlen(in), &sb) != ERR_OK) {
        sb_release(&sb);
        return NULL;
    }
    s = sb_take(&sb);
    if (s == NULL || !strip_controls(s, multiline)) {
        free(s);
        return NULL;
    }
    for (start = s; isspace((unsigned char)*start); start++)
        ;
    end = start + strlen(start);
    while (end > start && isspace((unsigned char)end[-1]))
        *--end = '\0';
    memmove(s, start, strlen(start) + 1);
    n = char_count(s);
    if (n < min || n > max) {
        free(s);
        return NULL;
    }
    return s;
}

/* --- validation ---------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* valid_tax_code: NNNNNNNNNN or NNNNNNNNNN-NNN (a branch). */
static int valid_tax_code(const char *s)
{
    size_t n = strlen(s);

    if (n == 10)
        return all_digits(s, 10);
    return n == 14 && all_digits(s, 10) && s[10] == '-' &&
           all_digits(s + 11, 3);
}

/* phone_normal: the number without spaces, dots, dashes or brackets into
 * out (size >= 32); 0 when it is not a Vietnamese number. */
static int phone_normal(const char *s, char *out, size_t size)
{
    size_t n = 0, digits;

    for (; *s != '\0'; s++) {
        if (strchr(" .-()", *s) != NULL)
            continue;
        if (n + 1 >= size ||
            (!isdigit((unsigned char)*s) && !(*s == '+' && n == 0)))
            return 0;
        out[n++] = *s;
    }
    out[n] = '\0';
    if (strncmp(out, "+84", 3) == 0) {
        digits = n - 3;
        return out[3] != '0' && digits >= 9 && digits <= 10;
    }
    if (strncmp(out, "1800", 4) == 0 || strncmp(out, "1900", 4) == 0)
        return n == 8 || n == 10;
    return out[0] == '0' && (n == 10 || n == 11);
}

static int valid_host(const char *h, size_t n)
{
    size_t i, label = 0;
    int dots = 0;

    if (n == 0 || h[0] == '.' || h[n - 1] == '.' || h[0] == '-')
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch == '.') {
            if (label == 0)
                return 0;
            dots++;
            label = 0;
            continue;
        }
        if (!isalnum(ch) && ch != '-')
            return 0;
        label++;
    }
    return dots > 0;
}

static int valid_email(const char *s)
{
    const char *at = strchr(s, '@'), *p;

    if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
        strlen(s) > EMAIL_MAX)
        return 0;
    for (p = s; p < at; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
            strchr("<>()[]\\,;:\"", *p) != NULL)
            return 0;
    return valid_host(at + 1, strlen(at + 1));
}

/* website_normal: "https://host/..." into out; "www.x.vn" gets https://.
 * Only http(s), so no javascript: or data: link can be stored. */
static int website_normal(const char *s, char *out, size_t size)
{
    const char *host, *end;
    size_t i;

    if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0)
        (void)snprintf(out, size, "%s", s);
    else if (strstr(s, "://") == NULL && strchr(s, ':') == NULL)
        (void)snprintf(out, size, "https://%s", s);
    else
        return 0;
    if (strlen(out) > WEBSITE_MAX)
        return 0;
    for (i = 0; out[i] != '\0'; i++)
        if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f ||
            strchr("<>\"'`\\", out[i]) != NULL)
            return 0;
    host = strstr(out, "://") + 3;
    end = host + strcspn(host, "/?#");
    return valid_host(host, (size_t)(end - host));
}

static int valid_kind(const char *k)
{
    return k != NULL &&
           (strcmp(k, "company") == 0 || strcmp(k, "cooperative") == 0 ||
            strcmp(k, "household") == 0);
}

static enum err add_slug_of(cJSON *rec, const char *key, const char *text)
{
    struct sb sb;
    enum err e;

    if (text == NULL) {
        cJSON_AddNullToObject(rec, key);
        return ERR_OK;
    }
    sb_init(&sb, 1024);
    e = srch_slug(text, &sb);
    if (e == ERR_OK)
        cJSON_AddStringToObject(rec, key, sb_str(&sb));
    sb_release(&sb);
    return e;
}

/* province_canonical: the official spelling of a province given in any
 * tone-mark placement ("Thanh Hoá" is "Thanh Hóa"); NULL if unknown. */
static const char *province_canonical(const char *name)
{
    struct sb a, b;
    const char *found = NULL;
    int i;

    sb_init(&a, 1024);
    sb_init(&b, 1024);
    if (srch_slug(name, &a) == ERR_OK && a.len > 0)
        for (i = 0; i < CAT_PROVINCES && found == NULL; i++) {
            sb_reset(&b);
            if (srch_slug(provinces[i], &b) == ERR_OK &&
                strcmp(sb_str(&a), sb_str(&b)) == 0)
                found = provinces[i];
        }
    sb_release(&a);
    sb_release(&b);
    return found;
}

/* add_text: the cleaned optional text field, or null when empty. */
static enum err add_text(cJSON *rec, const char *key, const char *v, size_t min,
                         size_t max, const char *err_key, struct err_ctx *ec)
{
    char *clean = cat_text_clean(v, 0, min, max);

    if (clean == NULL)
        return err_user(ec, ERR_UNPROCESSABLE, err_key, key,
                        "%s: invalid text or length", key);
    if (*clean == '\0')
        cJSON_AddNullToObject(rec, key);
    else
        cJSON_AddStringToObject(rec, key, clean);
    free(clean);
    return ERR_OK;
}

static enum err check_codes(cJSON *rec, struct err_ctx *ec)
{
    const char *tax = str(rec, "tax_code");

    if (tax != NULL && !valid_tax_code(tax))
        return err_user(ec, ERR_UNPROCESSABLE, "err_tax_code", "tax_code",
                        "tax code must be 10 digits or 10-3 digits");
    return ERR_OK;
}

static enum err check_contact(cJSON *rec, struct err_ctx *ec)
{
    char buf[WEBSITE_MAX + 16];
    const char *v;

    v = str(rec, "phone");
    if (v != NULL && !phone_normal(v, buf, sizeof(buf)))
        return err_user(ec, ERR_UNPROCESSABLE, "err_phone", "phone",
                        "not a Vietnamese phone number");
    if (v != NULL)
        cJSON_ReplaceItemInObject(rec, "phone", cJSON_CreateString(buf));
    v = str(rec, "email");
    if (v != NULL && !valid_email(v))
        return err_user(ec, ERR_UNPROCESSABLE, "err_email", "email",
                        "not an e-mail address");
    v = str(rec, "website");
    if (v != NULL && !website_normal(v, buf, sizeof(buf)))
        return err_user(ec, ERR_UNPROCESSABLE, "err_website", "website",
                        "website must be an http(s) address");
    if (v != NULL)
        cJSON_ReplaceItemInObject(rec, "website", cJSON_CreateString(buf));
    return ERR_OK;
}

static enum err check_place(cJSON *rec, const char *province,
                            struct err_ctx *ec)
{
    const char *canon = province ? province_canonical(province) : NULL;
    enum err e;

    if (canon == NULL)
        return err_user(ec, ERR_UNPROCESSABLE, "err_province", "province",
                        "choose one of the 34 provinces");
    cJSON_AddStringToObject(rec, "province", canon);
    e = add_slug_of(rec, "province_slug", canon);
    if (e == ERR_OK)
        e = add_slug_of(rec, "commune_slug", str(rec, "commune"));
    return e;
}

enum err cat_producer_clean(const struct cat_producer_in *in, cJSON **out,
                            struct err_ctx *ec)
{
    cJSON *rec = cJSON_CreateObject();
    enum err e;

    *out = NULL;
    if (rec == NULL)
        return ERR_NOMEM;
    e = add_text(rec, "name", in->name, 2, CAT_PRODUCER_NAME_MAX,
                 "err_producer_name", ec);
    if (e == ERR_OK && !valid_kind(in->kind))
        e = err_user(ec, ERR_UNPROCESSABLE, "err_producer_kind", "kind",
                     "kind must be company, cooperative or household");
    if (e == ERR_OK)
        cJSON_AddStringToObject(rec, "kind", in->kind);
    if (e == ERR_OK)
        e = add_text(rec, "representative", in->representative, 0,
                     REPRESENTATIVE_MAX, "err_representative", ec);
    if (e == ERR_OK)
        e = add_text(rec, "tax_code", in->tax_code, 0, 20, "err_tax_code", ec);
    if (e == ERR_OK)
        e = check_codes(rec, ec);
    if (e == ERR_OK)
        e = add_text(rec, "address", in->address, 0, ADDRESS_MAX, "err_address",
                     ec);
    if (e == ERR_OK)
        e = add_text(rec, "commune", in->commune, 0, COMMUNE_MAX, "err_commune",
                     ec);
    if (e == ERR_OK)
        e = check_place(rec, in->province, ec);
    if (e == ERR_OK)
        e = add_text(rec, "phone", in->phone, 0, 40, "err_phone", ec);
    if (e == ERR_OK)
        e = add_text(rec, "email", in->email, 0, EMAIL_MAX, "err_email", ec);
    if (e == ERR_OK)
        e = add_text(rec, "website", in->website, 0, WEBSITE_MAX, "err_website",
                     ec);
    if (e == ERR_OK)
        e = check_contact(rec, ec);
    if (e != ERR_OK)
        cJSON_Delete(rec);
    else
        *out = rec;
    return e;
}

/* --- writing ------------------------------------------------------------- */

/* bind_record: the RECORD_COLS columns of record_keys from ?first on. */
static void bind_record(sqlite3_stmt *st, const cJSON *rec, int first)
{
    int i;

    for (i = 0; i < RECORD_COLS; i++) {
        const char *v = str(rec, record_keys[i]);
        if (v != NULL)
            sqlite3_bind_text(st, first + i, v, -1, SQLITE_TRANSIENT);
    }
}

static enum err slug_taken(struct db *db, const char *slug, int *taken,
                           struct err_ctx *ec)
{
    static const char sql[] = "SELECT 1 FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    *taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ERR_OK;
}

/* new_slug: the folded name, at most SLUG_BASE_MAX bytes cut at a "-",
 * made unique with -2, -3 ... */
static enum err new_slug(struct db *db, const char *name,
                         char out[CAT_PRODUCER_SLUG_MAX], struct err_ctx *ec)
{
    char base[SLUG_BASE_MAX + 1];
    struct sb sb;
    int taken = 1, n;
    enum err e;

    sb_init(&sb, 4096);
    e = srch_slug(name, &sb);
    (void)snprintf(base, sizeof(base), "%s",
                   e == ERR_OK && sb.len > 0 ? sb_str(&sb) : "nha-san-xuat");
    sb_release(&sb);
    if (strlen(base) == SLUG_BASE_MAX && strrchr(base, '-') != NULL)
        *strrchr(base, '-') = '\0';
    (void)snprintf(out, CAT_PRODUCER_SLUG_MAX, "%s", base);
    for (n = 2; e == ERR_OK && n < SLUG_TRIES; n++) {
        e = slug_taken(db, out, &taken, ec);
        if (e != ERR_OK || !taken)
            break;
        (void)snprintf(out, CAT_PRODUCER_SLUG_MAX, "%s-%d", base, n);
    }
    if (e == ERR_OK && taken)
        e = err_user(ec, ERR_CONFLICT, "err_conflict", "name",
                     "no free slug for %s", base);
    return e;
}

static enum err insert_producer(struct db *db, const char *slug,
                                const cJSON *rec, int64_t *id,
                                struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO producers (slug, name, kind, representative, tax_code,"
        " address, province, province_slug, commune, commune_slug, phone,"
        " email, website) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12, ?13)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    bind_record(st, rec, 2);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

enum err cat_producer_create(struct db *db, const struct actor *who,
                             const struct cat_producer_in *in,
                             char slug_out[CAT_PRODUCER_SLUG_MAX],
                             int64_t *id_out, struct err_ctx *ec)
{
    char slug[CAT_PRODUCER_SLUG_MAX] = "";
    cJSON *rec = NULL;
    int64_t id = 0;
    enum err e = cat_producer_clean(in, &rec, ec);

    if (e == ERR_OK)
        e = new_slug(db, str(rec, "name"), slug, ec);
    if (e == ERR_OK)
        e = insert_producer(db, slug, rec, &id, ec);
    if (e == ERR_OK) {
        cJSON_AddStringToObject(rec, "slug", slug);
        e = audit_record(db, who, "producer.create", "producer", id,
                         str(rec, "name"), NULL, rec, ec);
    }
    cJSON_Delete(rec);
    if (e != ERR_OK)
        return e;
    if (slug_out != NULL)
        (void)snprintf(slug_out, CAT_PRODUCER_SLUG_MAX, "%s", slug);
    if (id_out != NULL)
        *id_out = id;
    return ERR_OK;
}

/* stored_record: the record as stored, with the same keys as a cleaned
 * one (for before/after in the audit log). */
static enum err stored_record(struct db *db, int64_t id, cJSON **out,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT name, kind, representative, tax_code, address, province,"
        " province_slug, commune, commune_slug, phone, email, website"
        " FROM producers WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *rec;
    int i;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_producer_not_found", NULL,
                        "no producer %lld", (long long)id);
    }
    rec = cJSON_CreateObject();
    for (i = 0; i < RECORD_COLS; i++) {
        const char *v = db_text(st, i);
        if (v != NULL)
            cJSON_AddStringToObject(rec, record_keys[i], v);
        else
            cJSON_AddNullToObject(rec, record_keys[i]);
    }
    sqlite3_reset(st);
    *out = rec;
    return ERR_OK;
}

static enum err update_row(struct db *db, int64_t id, const cJSON *rec,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE producers SET name = ?2, kind = ?3, representative = ?4,"
        " tax_code = ?5, address = ?6, province = ?7, province_slug = ?8,"
        " commune = ?9, commune_slug = ?10, phone = ?11, email = ?12,"
        " website = ?13, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    bind_record(st, rec, 2);
    return db_exec(db, st, ec);
}

/* reindex_products: the producer's name is searchable with each product. */
static enum err reindex_products(struct db *db, int64_t id, const char *name,
                                 struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, name, description FROM products WHERE producer_id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e = ERR_OK;
    int rc;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        e = srch_index_product(db, sqlite3_column_int64(st, 0), db_text(st, 1),
                               db_text(st, 2), name, ec);
    sqlite3_reset(st);
    return e;
}

enum err cat_producer_update(struct db *db, const struct actor *who, int64_t id,
                             const struct cat_producer_in *in,
                             struct err_ctx *ec)
{
    cJSON *before = NULL, *after = NULL;
    enum err e = stored_record(db, id, &before, ec);

    if (e == ERR_OK)
        e = cat_producer_clean(in, &after, ec);
    if (e != ERR_OK || cJSON_Compare(before, after, 1))
        goto out; /* an error, or nothing changed */
    e = update_row(db, id, after, ec);
    if (e == ERR_OK && strcmp(str(before, "name"), str(after, "name")) != 0)
        e = reindex_products(db, id, str(after, "name"), ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "producer.update", "producer", id,
                         str(after, "name"), before, after, ec);
    if (e == ERR_OK)
        e = db_bump_catalog_version(db, ec);
out:
    cJSON_Delete(before);
    cJSON_Delete(after);
    return e;
}

/* --- reading ------------------------------------------------------------- */

#define COUNT_PRODUCTS                                                         \
    " (SELECT count(*) FROM products p WHERE p.producer_id = op.id),"          \
    " (SELECT count(*) FROM products p WHERE p.producer_id = op.id"            \
    " AND p.status = 'registered')"

static void add_col(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    const char *v = db_text(st, col);

    if (v != NULL)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *office_row(sqlite3_stmt *st)
{
    static const char *const keys[] = {
        "slug",    "name",       "kind",      "representative", "tax_code",
        "address", "province",   "commune",   "phone",          "email",
        "website", "created_at", "updated_at"};
    cJSON *o = cJSON_CreateObject();
    size_t i;

    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        add_col(o, keys[i], st, (int)i + 1);
    cJSON_AddNumberToObject(o, "products", sqlite3_column_int(st, 14));
    cJSON_AddNumberToObject(o, "candidates", sqlite3_column_int(st, 15));
    return o;
}

enum err cat_producer_get(struct db *db, const char *today, const char *slug,
                          cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT op.id, op.slug, op.name, op.kind, op.representative,"
        " op.tax_code, op.address, op.province, op.commune, op.phone,"
        " op.email, op.website, op.created_at, op.updated_at," COUNT_PRODUCTS
        ", (SELECT count(*) FROM products p JOIN certificates c"
        " ON c.product_id = p.id AND c.superseded_by IS NULL"
        " WHERE p.producer_id = op.id AND p.status = 'certified'"
        " AND p.hidden_at IS NULL AND c.revoked_on IS NULL"
        " AND c.expires_on >= ?2) FROM producers op WHERE op.slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_producer_not_found", NULL,
                        "no producer %s", slug);
    }
    *out = office_row(st);
    cJSON_AddNumberToObject(*out, "public_products",
                            sqlite3_column_int(st, 16));
    sqlite3_reset(st);
    return ERR_OK;
}

#define LIST_WHERE                                                             \
    " WHERE ?1 IS NULL OR op.slug LIKE '%' || ?1 || '%'"                       \
    " OR op.tax_code LIKE ?2 || '%'"

static void bind_query(sqlite3_stmt *st, const char *folded, const char *q)
{
    if (folded != NULL && *folded != '\0')
        sqlite3_bind_text(st, 1, folded, -1, SQLITE_STATIC);
    if (q != NULL && *q != '\0')
        sqlite3_bind_text(st, 2, q, -1, SQLITE_STATIC);
}

static enum err list_rows(struct db *db, const char *folded, const char *q,
                          int page, int per_page, cJSON *items,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT op.id, op.slug, op.name, op.kind, op.representative,"
        " op.tax_code, op.address, op.province, op.commune, op.phone,"
        " op.email, op.website, op.created_at, op.updated_at," COUNT_PRODUCTS
        " FROM producers op" LIST_WHERE " ORDER BY op.slug LIMIT ?3 OFFSET ?4";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    bind_query(st, folded, q);
    sqlite3_bind_int(st, 3, per_page);
    sqlite3_bind_int64(st, 4, (int64_t)(page - 1) * per_page);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(items, office_row(st));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : err_set(ec, ERR_DB, "producer list");
}

static enum err list_total(struct db *db, const char *folded, const char *q,
                           int64_t *total, struct err_ctx *ec)
{
    static const char sql[] = "SELECT count(*) FROM producers op" LIST_WHERE;
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    bind_query(st, folded, q);
    *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return ERR_OK;
}

enum err cat_producer_list(struct db *db, const char *q, int page, int per_page,
                           cJSON **out, struct err_ctx *ec)
{
    cJSON *res = cJSON_CreateObject(), *items;
    int64_t total = 0;
    struct sb folded;
    enum err e = ERR_OK;

    *out = NULL;
    sb_init(&folded, 4096);
    if (q != NULL && *q != '\0')
        e = srch_slug(q, &folded);
    items = cJSON_AddArrayToObject(res, "items");
    if (e == ERR_OK && items == NULL)
        e = ERR_NOMEM;
    if (e == ERR_OK && (q == NULL || *q == '\0' || folded.len > 0))
        e = list_rows(db, q && *q ? sb_str(&folded) : NULL, q, page, per_page,
                      items, ec);
    if (e == ERR_OK && (q == NULL || *q == '\0' || folded.len > 0))
        e = list_total(db, q && *q ? sb_str(&folded) : NULL, q, &total, ec);
    sb_release(&folded);
    if (e != ERR_OK) {
        cJSON_Delete(res);
        return e;
    }
    cJSON_AddNumberToObject(res, "page", page);
    cJSON_AddNumberToObject(res, "per_page", per_page);
    cJSON_AddNumberToObject(res, "total", (double)total);
    *out = res;
    return ERR_OK;
}

enum err cat_producer_options(struct db *db, cJSON **out, struct err_ctx *ec)
{
    static const char sql[] = "SELECT slug, name FROM producers ORDER BY slug";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "slug", db_text(st, 0));
        cJSON_AddStringToObject(o, "name", db_text(st, 1));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}

enum err cat_producer_count(struct db *db, int64_t *out, struct err_ctx *ec)
{
    static const char sql[] = "SELECT count(*) FROM producers";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = 0;
    if (st == NULL)
        return ERR_DB;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}
