/* stk_count.h: stocktakes: counting what is really in a place.
 * Owns: the tables stocktakes and stocktake_lines. Opening a count sheet
 *   takes what the books say of every variant the place holds or sells
 *   (expected); counts are entered, and may be changed, while the sheet
 *   is open; closing it records, for each counted line whose count
 *   differs, one ledger row of kind count with the variance (counted -
 *   expected), reason "stocktake", ref "stocktake:N". The variance, not
 *   the count, is booked: a sale made while counting stays booked too.
 *   Lines left blank are not counted and change nothing. A place has at
 *   most one open sheet.
 * Does not own: the ledger (stk.h), places (stk_place.h).
 * Errors: ERR_NOTFOUND (err_count_not_found, err_place_not_found),
 *   ERR_CONFLICT (err_count_open: a sheet is open already;
 *   err_count_closed; err_stock_insufficient when sales since the sheet
 *   opened leave too little for a loss), ERR_UNPROCESSABLE with key and
 *   field. Writers run in the caller's transaction, with audit entries.
 * Memory: cJSON results are the caller's (cJSON_Delete). */
#ifndef OCOP_STK_COUNT_H
#define OCOP_STK_COUNT_H

#include "stock/stk_place.h"

enum err stk_count_open(struct db *db, const struct actor *who, int64_t place,
                        int64_t *id_out, struct err_ctx *ec) MUST_CHECK;

/* stk_count_set: counts of lines (qty >= 0, or -1 to blank a line). */
enum err stk_count_set(struct db *db, const struct actor *who, int64_t id,
                       const struct stk_line *counts, int n,
                       struct err_ctx *ec) MUST_CHECK;

/* stk_count_close: books the variances and closes the sheet; *moves (may
 * be NULL) gets how many ledger rows it wrote. */
enum err stk_count_close(struct db *db, const struct actor *who, int64_t id,
                         int *moves, struct err_ctx *ec) MUST_CHECK;

/* stk_count: {"id","location_id","place","started_at","closed_at",
 * "actor","is_open","lines":[{"variant_id","sku","name","size",
 * "price_vnd","expected","counted","variance","variance_vnd"}],
 * "counted_lines","variance_units","variance_vnd"} (variance only on
 * counted lines). */
enum err stk_count(struct db *db, int64_t id, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

/* stk_counts: a place's sheets, newest first: [{"id","started_at",
 * "closed_at","actor","lines","counted_lines","variance_units"}]. */
enum err stk_counts(struct db *db, int64_t place, cJSON **out,
                    struct err_ctx *ec) MUST_CHECK;

#endif
