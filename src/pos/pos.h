/* pos.h: booth sales.
 * Owns: the tables sales, sale_lines, sale_events; recording a sale from
 *   a tablet exactly once (its Idempotency-Key is the sale's uuid, stored
 *   with a hash of the request: the same key and body again answer the
 *   stored sale, the same key with another body is a conflict); checking
 *   it against the catalog (known SKUs the booth sells, catalog prices,
 *   sane quantities and discounts); taking the goods out of the booth's
 *   stock in the same transaction (an offline sale may go below zero, the
 *   shortfall is recorded); voids and returns with reasons; the sales
 *   list, the e-receipt and the end-of-day (Z) report.
 * Does not own: the ledger (stk), who is signed in (auth), payment codes
 *   (vietqr).
 * Errors: ERR_INVALID (400) for a malformed key or body, ERR_UNPROCESSABLE
 *   (422) with an i18n key and field for bad values, ERR_CONFLICT (409)
 *   for a reused key with another body or not enough stock online,
 *   ERR_FORBIDDEN for another booth. Writers run in their own
 *   transaction (db_tx_run inside). */
#ifndef OCOP_POS_H
#define OCOP_POS_H

#include "auth/auth.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define POS_MAX_LINES 200
#define POS_MAX_QTY 100000

/* pos_may_sell: admin anywhere; a booth key or booth staff at their own
 * booth only. */
int pos_may_sell(struct db *db, const struct auth_principal *p,
                 int64_t booth_id);

/* pos_sale: records the sale in body (JSON text) under idem_key.
 * *replayed is set when it was recorded before (same key, same body).
 * *out gets the sale as pos_sale_get() gives it. */
enum err pos_sale(struct db *db, const struct auth_principal *who,
                  const char *ip, const char *idem_key, const char *body,
                  size_t len, cJSON **out, int *replayed,
                  struct err_ctx *ec) MUST_CHECK;

/* The body: {"booth","lines":[{"sku","qty","unit_price_vnd",
 * "discount_vnd"}],"payment":{"method","tendered_vnd","ref","confirmed"},
 * "sold_at","offline","receipt_token"}; receipt_token (optional, 32
 * lower-case hex digits) lets a device print the e-receipt's QR code
 * before the sale is synced. */

/* pos_sale_get: {"id","uuid","booth","staff","sold_at","received_at",
 * "lines":[...],"subtotal_vnd","discount_vnd","total_vnd","payment",
 * "status","receipt_url","offline"}. */
enum err pos_sale_get(struct db *db, int64_t id, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;
enum err pos_receipt(struct db *db, const char *token, cJSON **out,
                     struct err_ctx *ec) MUST_CHECK;

enum err pos_void(struct db *db, const struct auth_principal *who,
                  const char *ip, int64_t sale_id, const char *reason,
                  struct err_ctx *ec) MUST_CHECK;
/* pos_return: lines is a JSON array of {"sku","qty"}. */
enum err pos_return(struct db *db, const struct auth_principal *who,
                    const char *ip, int64_t sale_id, const cJSON *lines,
                    const char *reason, struct err_ctx *ec) MUST_CHECK;

/* pos_sales: a booth's sales since an ISO time (NULL: all), newest last. */
enum err pos_sales(struct db *db, int64_t booth_id, const char *since,
                   cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* pos_z_report: one booth's day (YYYY-MM-DD, Vietnam time): counts and
 * totals by payment method and by staff member, voids and returns;
 * "totals" (completed and voided sales), "by_staff_method" ({"staff",
 * "method","count","total_vnd"}) and the day's closing counts. */
enum err pos_z_report(struct db *db, int64_t booth_id, const char *day,
                      cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* pos_valid_uuid: 1 for a canonical UUID (8-4-4-4-12 hex digits). */
int pos_valid_uuid(const char *s);

#endif
