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
