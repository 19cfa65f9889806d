/* pos_count.h: the closing count of a booth.
 * Owns: pos_counts; recording what staff counted at the end of a day,
 *   per SKU, against the books: each difference becomes one stock move of
 *   kind count (ref count:ID) and the count is kept with its variance, all
 *   in one transaction.
 * Does not own: the ledger (stk), the office's stocktakes (stk), sales.
 * Memory: *out is the caller's (cJSON_Delete).
 * Errors: ERR_FORBIDDEN (err_not_your_booth), ERR_NOTFOUND
 *   (err_place_not_found), ERR_UNPROCESSABLE with an i18n key and field
 *   for bad lines (err_count_lines, err_count_sku, err_count_qty,
 *   err_count_duplicate, err_reason); nothing is written then. */
#ifndef OCOP_POS_COUNT_H
#define OCOP_POS_COUNT_H

#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define POS_COUNT_MAX_LINES 2000

/* pos_count: lines is [{"sku","counted"}] (counted 0..POS_MAX_QTY),
 * reason may be NULL. *out: {"id","location","at","reason","lines":[{"sku",
 * "name","expected","counted","variance","unit_price_vnd",
 * "variance_vnd"}],"units_over","units_short","variance_vnd"}. */
enum err pos_count(struct db *db, const struct auth_principal *who,
                   const char *ip, int64_t location_id, const cJSON *lines,
                   const char *reason, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

#endif
