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

#include "core/err.h"
#include "db/db.h"

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

#endif
