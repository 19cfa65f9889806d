/* cert.c: OCOP certificate rules and storage (see cert.h). */
#include "cert/cert.h"

#include <stdio.h>
#include <string.h>

#define VN_UTC_OFFSET_S (7 * 3600)

int cert_stars_for_score(double score)
{
    if (!(score >= 0.0 && score <= 100.0))
        return 0;
    if (score >= 90.0)
        return 5;
    if (score >= 70.0)
        return 4;
    if (score >= 50.0)
        return 3;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    int i;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
         (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    return *y >= 1900 && *m >= 1 && *m <= 12 && *d >= 1 &&
           *d <= days_in_month(*y, *m);
}

int cert_valid_date(const char *s)
{
    int y, m, d;

    return parse_date(s, &y, &m, &d);
}

enum err cert_expiry(const char *issued_on, char out[11])
{
    int y, m, d, months;

    if (!parse_date(issued_on, &y, &m, &d))
        return ERR_INVALID;
    months = (m - 1) + CERT_VALID_MONTHS;
    y += months / 12;
    m = months % 12 + 1;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    (void)snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return ERR_OK;
}

void cert_today(time_t now, char out[11])
{
    time_t local = now + VN_UTC_OFFSET_S;
    struct tm tm;

    gmtime_r(&local, &tm);
    (void)strftime(out, 11, "%Y-%m-%d", &tm);
}

enum cert_status cert_status_on(const char *expires_on, const char *revoked_on,
                                const char *today)
{
    if (revoked_on != NULL && revoked_on[0] != '\0')
        return CERT_REVOKED;
    /* ISO dates compare correctly as strings. */
    return strcmp(today, expires_on) <= 0 ? CERT_ACTIVE : CERT_EXPIRED;
}

const char *cert_status_name(enum cert_status s)
{
    switch (s) {
    case CERT_ACTIVE: return "active";
    case CERT_EXPIRED: return "expired";
    case CERT_REVOKED: return "revoked";
    }
    return "expired";
}

static long day_number(int y, int m, int d)
{
    /* days since 1970-01-01, proleptic Gregorian (Howard Hinnant) */
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cert_rerating_open(const char *expires_on, const char *today)
{
    int y1, m1, d1, y2, m2, d2;
    long left;

    if (!parse_date(expires_on, &y1, &m1, &d1) ||
        !parse_date(today, &y2, &m2, &d2))
        return 0;
    left = day_number(y1, m1, d1) - day_number(y2, m2, d2);
    return left <= 180 && left >= 120;
}

static enum err supersede_current(struct db *db, int64_t product_id,
                                  int64_t new_id, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE certificates SET superseded_by = ?2"
        " WHERE product_id = ?1 AND superseded_by = id AND id <> ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, new_id);
    return db_exec(db, st, ec);
}

static void bind_cert(sqlite3_stmt *st, const struct cert_new *c,
                      const char *expires_on)
{
    sqlite3_bind_int64(st, 1, c->product_id);
    sqlite3_bind_text(st, 2, c->number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, c->stars);
    if (c->score >= 0)
        sqlite3_bind_double(st, 4, c->score);
    sqlite3_bind_text(st, 5, c->level, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, c->issuer ? c->issuer : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, c->legal_basis ? c->legal_basis : "", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, c->issued_on, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, expires_on, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 10, c->is_sample != 0);
}

enum err cert_insert(struct db *db, const struct cert_new *c, int64_t *id_out,
                     struct err_ctx *ec)
{
    /* The unique index allows one current certificate per product, so the
     * old one is parked (superseded_by = its own id) before the insert and
     * pointed at the new one after it. */
    static const char sql[] =
        "INSERT INTO certificates (product_id, number, stars, score, level,"
        " issuer, legal_basis, issued_on, expires_on, is_sample, superseded_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)";
    static const char park_sql[] =
        "UPDATE certificates SET superseded_by = id"
        " WHERE product_id = ?1 AND superseded_by IS NULL";
    char expires_on[11];
    sqlite3_stmt *st;
    int64_t id;
    enum err e;

    if (c->stars < 3 || c->stars > 5 || c->number == NULL ||
        cert_expiry(c->issued_on, expires_on) != ERR_OK)
        return err_set(ec, ERR_INVALID, "invalid certificate");
    st = db_stmt(db, park_sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, c->product_id);
    e = db_exec(db, st, ec);
    st = e == ERR_OK ? db_stmt(db, sql, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    bind_cert(st, c, expires_on);
    e = db_exec(db, st, ec);
    if (e != ERR_OK)
        return e;
    id = sqlite3_last_insert_rowid(db_handle(db));
    if (id_out != NULL)
        *id_out = id;
    return supersede_current(db, c->product_id, id, ec);
}

/* --- evaluations ---------------------------------------------------------- */

static int valid_level(const char *level)
{
    return level != NULL &&
           (strcmp(level, "national") == 0 || strcmp(level, "province") == 0 ||
            strcmp(level, "district") == 0);
}

static enum err check_parts(const struct cert_evaluation *ev,
                            struct err_ctx *ec)
{
    int given = (ev->part_a >= 0) + (ev->part_b >= 0) + (ev->part_c >= 0);
    double sum = ev->part_a + ev->part_b + ev->part_c;

    if (given == 0)
        return ERR_OK;
    /* QĐ 26/2026 Điều 3.1: A 40, B 25, C 35 points. */
    if (given != 3 || ev->part_a > 40 || ev->part_b > 25 || ev->part_c > 35 ||
        sum - ev->score > 0.05 || ev->score - sum > 0.05)
        return err_user(ec, ERR_UNPROCESSABLE, "err_parts", "parts",
                        "parts A<=40, B<=25, C<=35 must add up to the score");
    return ERR_OK;
}

/* check_level: 5★ is certified nationally, 3★ and 4★ by the province (by
 * the district before July 2025, when districts were abolished). */
static enum err check_level(const struct cert_evaluation *ev, int stars,
                            struct err_ctx *ec)
{
    if (!valid_level(ev->level))
        return err_user(ec, ERR_UNPROCESSABLE, "err_level", "level",
                        "level must be national, province or district");
    if (stars == 5 && strcmp(ev->level, "national") != 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_level_five", "level",
                        "5 stars are certified at the national level");
    if (stars != 5 && stars > 0 && strcmp(ev->level, "national") == 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_level_national", "level",
                        "the national level certifies 5 stars only");
    if (strcmp(ev->level, "district") == 0 &&
        strcmp(ev->decision_date, "2025-07-01") >= 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_level_district", "level",
                        "districts no longer exist after 1 July 2025");
    return ERR_OK;
}

static enum err check_evaluation(const struct cert_evaluation *ev,
                                 const char *today, struct err_ctx *ec)
{
    if (!(ev->score >= 0 && ev->score <= 100))
        return err_user(ec, ERR_UNPROCESSABLE, "err_score", "score",
                        "score must be 0 to 100");
    if (!cert_valid_date(ev->decision_date) ||
        strcmp(ev->decision_date, today) > 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_decision_date",
                        "decision_date", "decision date must be a past date");
    if (ev->decision_no == NULL || ev->decision_no[0] == '\0' ||
        strlen(ev->decision_no) > 100)
        return err_user(ec, ERR_UNPROCESSABLE, "err_decision_no",
                        "decision_no", "a decision number is required");
    if (ev->legal_basis != NULL && strlen(ev->legal_basis) > 50)
        return err_user(ec, ERR_UNPROCESSABLE, "err_legal_basis",
                        "legal_basis", "legal basis too long");
    return check_parts(ev, ec);
}

static const char *issuer_of(const char *level, const char *date)
{
    if (strcmp(level, "national") == 0)
        return strcmp(date, "2025-03-01") < 0
                   ? "Bộ Nông nghiệp và Phát triển nông thôn"
                   : "Bộ Nông nghiệp và Môi trường";
    if (strcmp(level, "district") == 0)
        return "UBND cấp huyện";
    return "UBND cấp tỉnh";
}

static enum err insert_evaluation(struct db *db, const struct actor *who,
                                  const struct cert_evaluation *ev, int stars,
                                  int64_t cert_id, int64_t *id,
                                  struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO evaluations (product_id, score, part_a, part_b, part_c,"
        " stars, level, decision_no, decision_date, legal_basis,"
        " certificate_id, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " coalesce(?10, ''), nullif(?11, 0), ?12)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    const double parts[3] = {ev->part_a, ev->part_b, ev->part_c};
    int i;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, ev->product_id);
    sqlite3_bind_double(st, 2, ev->score);
    for (i = 0; i < 3; i++)
        if (parts[i] >= 0)
            sqlite3_bind_double(st, 3 + i, parts[i]);
    sqlite3_bind_int(st, 6, stars);
    sqlite3_bind_text(st, 7, ev->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, ev->decision_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, ev->decision_date, -1, SQLITE_STATIC);
    if (ev->legal_basis != NULL)
        sqlite3_bind_text(st, 10, ev->legal_basis, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, cert_id);
    sqlite3_bind_text(st, 12, who->label, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

static enum err product_exists(struct db *db, int64_t id, struct err_ctx *ec)
{
    static const char sql[] = "SELECT 1 FROM products WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_product_not_found", NULL,
                            "no product %lld", (long long)id);
}

static enum err promote_candidate(struct db *db, int64_t product_id,
                                  struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE products SET status = 'certified', cycle_step = NULL"
        " WHERE id = ?1 AND status = 'registered'";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    return db_exec(db, st, ec);
}

/* end_current: a re-rating below 50 ends the current certificate. */
static enum err end_current(struct db *db, int64_t product_id,
                            const char *date, struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE certificates SET revoked_on = ?2, revoke_reason = ?3"
        " WHERE product_id = ?1 AND superseded_by IS NULL"
        " AND revoked_on IS NULL";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, "Đánh giá lại dưới 50 điểm (re-rated below 50)",
                      -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}

static enum err issue(struct db *db, const struct cert_evaluation *ev,
                      int stars, int64_t *cert_id, struct err_ctx *ec)
{
    struct cert_new cn = {0};
    enum err e;

    cn.product_id = ev->product_id;
    cn.number = ev->decision_no;
    cn.stars = stars;
    cn.score = ev->score;
    cn.level = ev->level;
    cn.issuer = issuer_of(ev->level, ev->decision_date);
    cn.legal_basis = ev->legal_basis;
    cn.issued_on = ev->decision_date;
    e = cert_insert(db, &cn, cert_id, ec);
    if (e == ERR_OK)
        e = promote_candidate(db, ev->product_id, ec);
    return e;
}

enum err cert_evaluate(struct db *db, const struct actor *who,
                       const struct cert_evaluation *ev, cJSON **out,
                       struct err_ctx *ec)
{
    char today[11];
    int stars = cert_stars_for_score(ev->score);
    int64_t cert_id = 0, eval_id = 0;
    cJSON *after = NULL;
    enum err e;

    *out = NULL;
    cert_today(time(NULL), today);
    e = check_evaluation(ev, today, ec);
    if (e == ERR_OK)
        e = check_level(ev, stars, ec);
    if (e == ERR_OK)
        e = product_exists(db, ev->product_id, ec);
    if (e == ERR_OK && stars >= 3)
        e = issue(db, ev, stars, &cert_id, ec);
    else if (e == ERR_OK)
        e = end_current(db, ev->product_id, ev->decision_date, ec);
    if (e == ERR_OK)
        e = insert_evaluation(db, who, ev, stars, cert_id, &eval_id, ec);
    if (e == ERR_OK && cert_id != 0)
        e = cert_by_id(db, cert_id, today, &after, ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "certificate.evaluate", "product",
                         ev->product_id, ev->decision_no, NULL, after, ec);
    if (e == ERR_OK)
        e = db_bump_catalog_version(db, ec);
    if (e != ERR_OK) {
        cJSON_Delete(after);
        return e;
    }
    *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(*out, "evaluation_id", (double)eval_id);
    cJSON_AddNumberToObject(*out, "score", ev->score);
    cJSON_AddNumberToObject(*out, "stars", stars);
    /* the new certificate's expiry, at the top for clients in a hurry */
    if (after != NULL)
        cJSON_AddItemToObject(*out, "expires_on",
                              cJSON_Duplicate(cJSON_GetObjectItem(after, "expires_on"), 1));
    else
        cJSON_AddNullToObject(*out, "expires_on");
    cJSON_AddItemToObject(*out, "certificate", after ? after : cJSON_CreateNull());
    return ERR_OK;
}

/* --- reading certificates ------------------------------------------------- */

#define CERT_COLS                                                             \
    "c.id, c.product_id, c.number, c.stars, c.score, c.level, c.issuer,"     \
    " c.legal_basis, c.issued_on, c.expires_on, c.revoked_on,"               \
    " c.revoke_reason, c.superseded_by, c.is_sample, p.slug, p.name,"        \
    " c.decision_no"

static void add_text_or_null(cJSON *o, const char *key, sqlite3_stmt *st,
                             int col)
{
    const char *v = db_text(st, col);

    if (v != NULL)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *cert_row(sqlite3_stmt *st, const char *today)
{
    cJSON *c = cJSON_CreateObject();
    int superseded = sqlite3_column_type(st, 12) != SQLITE_NULL;
    enum cert_status s = cert_status_on(db_text(st, 9), db_text(st, 10), today);

    cJSON_AddNumberToObject(c, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddNumberToObject(c, "product_id", (double)sqlite3_column_int64(st, 1));
    add_text_or_null(c, "number", st, 2);
    cJSON_AddNumberToObject(c, "stars", sqlite3_column_int(st, 3));
    if (sqlite3_column_type(st, 4) == SQLITE_NULL)
        cJSON_AddNullToObject(c, "score");
    else
        cJSON_AddNumberToObject(c, "score", sqlite3_column_double(st, 4));
    add_text_or_null(c, "level", st, 5);
    add_text_or_null(c, "issuer", st, 6);
    add_text_or_null(c, "legal_basis", st, 7);
    add_text_or_null(c, "issued_on", st, 8);
    add_text_or_null(c, "expires_on", st, 9);
    add_text_or_null(c, "revoked_on", st, 10);
    add_text_or_null(c, "revoke_reason", st, 11);
    cJSON_AddStringToObject(c, "status",
                            superseded && s != CERT_REVOKED ? "superseded"
                                                            : cert_status_name(s));
    cJSON_AddBoolToObject(c, "current", !superseded);
    cJSON_AddBoolToObject(c, "sample", sqlite3_column_int(st, 13));
    add_text_or_null(c, "product_slug", st, 14);
    add_text_or_null(c, "product_name", st, 15);
    return c;
}

enum err cert_by_id(struct db *db, int64_t id, const char *today, cJSON **out,
                    struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT " CERT_COLS " FROM certificates c"
        " JOIN products p ON p.id = c.product_id WHERE c.id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    *out = NULL;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        *out = cert_row(st, today);
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_certificate_not_found", NULL,
                            "no certificate %lld", (long long)id);
}

/* rows: the certificates a bound statement gives. */
static enum err rows(sqlite3_stmt *st, const char *today, cJSON **out)
{
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (arr == NULL) {
        sqlite3_reset(st);
        return ERR_NOMEM;
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, cert_row(st, today));
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}

enum err cert_expiring(struct db *db, const char *today, int days,
                       cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT " CERT_COLS " FROM certificates c"
        " JOIN products p ON p.id = c.product_id"
        " WHERE c.superseded_by IS NULL AND c.revoked_on IS NULL"
        " AND c.expires_on <= date(?1, '+' || ?2 || ' days')"
        " ORDER BY c.expires_on DESC";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, days);
    return rows(st, today, out);
}

enum err cert_history(struct db *db, int64_t product_id, const char *today,
                      cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT " CERT_COLS " FROM certificates c"
        " JOIN products p ON p.id = c.product_id"
        " WHERE c.product_id = ?1 ORDER BY c.issued_on DESC, c.id DESC";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    return rows(st, today, out);
}

enum err cert_revoke(struct db *db, const struct actor *who, int64_t cert_id,
                     const char *reason, const char *today,
                     struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE certificates SET revoked_on = ?2, revoke_reason = ?3,"
        " revoked_by = ?4 WHERE id = ?1 AND revoked_on IS NULL"
        " AND superseded_by IS NULL";
    sqlite3_stmt *st;
    cJSON *before = NULL, *after = NULL;
    enum err e = cert_by_id(db, cert_id, today, &before, ec);

    if (e != ERR_OK)
        return e;
    if (reason == NULL || *reason == '\0' || strlen(reason) > 1000) {
        cJSON_Delete(before);
        return err_user(ec, ERR_UNPROCESSABLE, "err_revoke_reason", "reason",
                        "revoking needs a reason");
    }
    st = db_stmt(db, sql, ec);
    if (st == NULL) {
        cJSON_Delete(before);
        return ERR_DB;
    }
    sqlite3_bind_int64(st, 1, cert_id);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, who->label, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        e = err_user(ec, ERR_CONFLICT, "err_certificate_not_current", NULL,
                     "certificate already revoked or superseded");
    if (e == ERR_OK)
        e = cert_by_id(db, cert_id, today, &after, ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "certificate.revoke", "certificate", cert_id,
                         reason, before, after, ec);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return e == ERR_OK ? db_bump_catalog_version(db, ec) : e;
}

static void add_real_or_null(cJSON *o, const char *key, sqlite3_stmt *st,
                             int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, sqlite3_column_double(st, col));
}

static cJSON *evaluation_row(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddNumberToObject(o, "score", sqlite3_column_double(st, 1));
    add_real_or_null(o, "part_a", st, 2);
    add_real_or_null(o, "part_b", st, 3);
    add_real_or_null(o, "part_c", st, 4);
    cJSON_AddNumberToObject(o, "stars", sqlite3_column_int(st, 5));
    add_text_or_null(o, "level", st, 6);
    add_text_or_null(o, "decision_no", st, 7);
    add_text_or_null(o, "decision_date", st, 8);
    add_text_or_null(o, "legal_basis", st, 9);
    add_real_or_null(o, "certificate_id", st, 10);
    add_text_or_null(o, "actor", st, 11);
    add_text_or_null(o, "created_at", st, 12);
    return o;
}

enum err cert_evaluations(struct db *db, int64_t product_id, cJSON **out,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, score, part_a, part_b, part_c, stars, level, decision_no,"
        " decision_date, legal_basis, certificate_id, actor, created_at"
        " FROM evaluations WHERE product_id = ?1 ORDER BY id DESC";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int64(st, 1, product_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, evaluation_row(st));
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}
