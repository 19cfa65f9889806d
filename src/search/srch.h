/* srch.h: Vietnamese-aware search and sorting.
 * Owns: folding text for accent- and case-insensitive matching (NFD, case
 *   fold, strip combining marks, đ/Đ -> d), the Vietnamese collation key
 *   used to sort names (a ă â b c d đ e ê ... with tones as a secondary
 *   difference), turning a visitor's query into a safe FTS5 query, and the
 *   product_fts table (written only here).
 * Does not own: which products are public (catalog), ranking weights are
 *   here but the listing SQL is catalog's.
 * Memory: results go into the caller's sb.
 * Errors: ERR_INVALID for invalid UTF-8 or a query with no words. */
#ifndef OCOP_SRCH_H
#define OCOP_SRCH_H

#include "core/err.h"
#include "core/sb.h"
#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

/* Weights of bm25() over the columns (name, description, producer). */
#define SRCH_BM25_WEIGHTS "10.0, 1.0, 3.0"
#define SRCH_MAX_QUERY_BYTES 200
#define SRCH_MAX_TERMS 8

/* srch_fold: appends the folded form of s ("Đường Phèn" -> "duong phen"). */
enum err srch_fold(const char *s, size_t n, struct sb *out) MUST_CHECK;

/* srch_slug: appends a URL slug: folded, runs of other characters as one
 * "-", none at either end ("Mạch nha Quảng Ngãi" -> "mach-nha-quang-ngai"). */
enum err srch_slug(const char *s, struct sb *out) MUST_CHECK;

/* srch_nfc: appends s normalised to NFC (ERR_INVALID for bad UTF-8). */
enum err srch_nfc(const char *s, size_t n, struct sb *out) MUST_CHECK;

/* srch_collation_key: appends a byte string whose memcmp order is the
 * Vietnamese dictionary order of s. Not NUL-safe: use len. */
enum err srch_collation_key(const char *s, struct sb *out) MUST_CHECK;

enum srch_flags {
    SRCH_PREFIX_LAST = 1, /* the last word may be unfinished (suggestions) */
    SRCH_NAMES_ONLY = 2,  /* match product and producer names only */
};

/* srch_fts_query: appends an FTS5 MATCH expression for a visitor's query:
 * each folded word quoted (so no FTS5 syntax can come from the visitor),
 * all required; flags from enum srch_flags. A search matches whole words
 * only: prefixes across columns made "nam bao ngu" match unrelated
 * products. ERR_INVALID when the query has no word. */
enum err srch_fts_query(const char *q, int flags, struct sb *out) MUST_CHECK;

/* srch_index_product: (re)writes the folded texts of one product. */
enum err srch_index_product(struct db *db, int64_t product_id,
                            const char *name, const char *description,
                            const char *producer_name,
                            struct err_ctx *ec) MUST_CHECK;

#endif
