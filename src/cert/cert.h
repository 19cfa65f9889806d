/* cert.h: OCOP certificates and the rules about them.
 * Owns: the certificates table; stars from a score (QĐ 26/2026 Điều 3.3:
 *   50 <= s < 70 is 3★, 70 <= s < 90 is 4★, s >= 90 is 5★, below 50 no
 *   certificate); expiry = issue date + 36 months; the status seen by the
 *   public (active / expired / revoked) evaluated against today's date in
 *   Vietnam (UTC+7), so an expired certificate stops showing by itself.
 * Does not own: who may issue or revoke (auth), products (catalog).
 * Dates are "YYYY-MM-DD" strings (char[11]). */
#ifndef OCOP_CERT_H
#define OCOP_CERT_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>

#include <stdint.h>
#include <time.h>

#define CERT_VALID_MONTHS 36

enum cert_status { CERT_ACTIVE, CERT_EXPIRED, CERT_REVOKED };

struct cert_new {
    int64_t product_id;
    const char *number;
    int stars;
    double score; /* < 0 when unknown */
    const char *level;       /* national | province | district */
    const char *issuer;
    const char *legal_basis;
    const char *issued_on;   /* YYYY-MM-DD */
    int is_sample;
};

/* cert_stars_for_score: 3, 4 or 5; 0 when the score earns no certificate
 * (also for a score outside 0..100). */
int cert_stars_for_score(double score);

/* cert_valid_date: 1 when s is a real calendar date YYYY-MM-DD. */
int cert_valid_date(const char *s);

/* cert_expiry: issued + 36 months (the last day of the month when the
 * day does not exist, e.g. 29 Feb). */
enum err cert_expiry(const char *issued_on, char out[11]) MUST_CHECK;

/* cert_today: today's date in Vietnam (UTC+7) for the time now. */
void cert_today(time_t now, char out[11]);

enum cert_status cert_status_on(const char *expires_on, const char *revoked_on,
                                const char *today);
const char *cert_status_name(enum cert_status s);

/* cert_rerating_open: 1 when today is 180..120 days before expiry (the
 * window in which a re-rating dossier may be filed). */
int cert_rerating_open(const char *expires_on, const char *today);

/* cert_insert: stores a new current certificate for the product, marking
 * the product's previous current one as superseded. Call inside a
 * transaction. *id_out (may be NULL) gets the new id. */
enum err cert_insert(struct db *db, const struct cert_new *c, int64_t *id_out,
                     struct err_ctx *ec) MUST_CHECK;

/* An evaluation by a council: the score decides the stars. */
struct cert_evaluation {
    int64_t product_id;
    double score;          /* 0..100, may have decimals */
    double part_a, part_b, part_c; /* < 0 when not given */
    const char *level;     /* national | province | district */
    const char *decision_no;
    const char *decision_date; /* YYYY-MM-DD: the certificate's issue date */
    const char *legal_basis;   /* 148/2023, 148+1489, 26/2026 ... */
};

/* cert_evaluate: validates and records an evaluation. With 50 points or
 * more it issues a certificate (stars from the score, expiry 36 months
 * after the decision) that supersedes the current one, and a candidate
 * becomes certified; below 50 the current certificate ends (revoked with
 * the reason "re-rated below 50"). *out gets the evaluation with its
 * certificate. Call inside a transaction. Errors: ERR_UNPROCESSABLE with
 * an i18n key and field. */
enum err cert_evaluate(struct db *db, const struct actor *who,
                       const struct cert_evaluation *ev, cJSON **out,
                       struct err_ctx *ec) MUST_CHECK;

/* cert_revoke: ends a certificate for a reason (office only); ERR_CONFLICT
 * when already revoked or not current. */
enum err cert_revoke(struct db *db, const struct actor *who, int64_t cert_id,
                     const char *reason, const char *today,
                     struct err_ctx *ec) MUST_CHECK;

/* cert_history: every evaluation and certificate of a product, newest
 * first, for the office. */
enum err cert_history(struct db *db, int64_t product_id, const char *today,
                      cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cert_expiring: current certificates that expire within days of today,
 * and those already expired (newest expiry first). */
enum err cert_expiring(struct db *db, const char *today, int days,
                       cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cert_by_id: {"id","product_id","status",...} or ERR_NOTFOUND. */
enum err cert_by_id(struct db *db, int64_t id, const char *today, cJSON **out,
                    struct err_ctx *ec) MUST_CHECK;

/* cert_evaluations: every evaluation of a product, newest first, for the
 * office: [{"id","score","part_a","part_b","part_c" (null when not
 * given),"stars","level","decision_no","decision_date","legal_basis",
 * "certificate_id" (or null),"actor","created_at"}]. */
enum err cert_evaluations(struct db *db, int64_t product_id, cJSON **out,
                          struct err_ctx *ec) MUST_CHECK;

#endif
