/* stk_transfer.h: goods sent from one place to another.
 * Owns: the tables transfers and transfer_lines. Sending takes the goods
 *   out of the sender at once (transfer_out), so they are in no place's
 *   stock while on the road. Receiving counts what came: the receiver
 *   gets what was sent (transfer_in) and, in the same transaction, the
 *   difference as an adjustment with the reason "transfer_loss" (fewer
 *   came) or "transfer_surplus" (more came), both with ref "transfer:N".
 *   So the transfer's own moves sum to zero, every loss is a row of its
 *   own at the receiver, and the ledger and on-hand agree everywhere.
 * Does not own: the ledger (stk.h), places (stk_place.h).
 * Errors: ERR_NOTFOUND (err_transfer_not_found, err_place_not_found),
 *   ERR_UNPROCESSABLE with key and field for bad input (the same place at
 *   both ends, a fair, goods the receiver does not sell), ERR_CONFLICT
 *   (err_stock_insufficient when the sender lacks the goods,
 *   err_transfer_received when it was received already). Writers run in
 *   the caller's transaction and record their audit entry there.
 * Memory: cJSON results are the caller's (cJSON_Delete). */
#ifndef OCOP_STK_TRANSFER_H
#define OCOP_STK_TRANSFER_H

#include "stock/stk_place.h"

/* stk_transfer_send: lines (qty > 0) from one place to another; *id_out
 * (may be NULL) gets the transfer's id. A booth or point receiving must
 * sell for the goods' producers. */
enum err stk_transfer_send(struct db *db, const struct actor *who,
                           int64_t from_id, int64_t to_id,
                           const struct stk_line *lines, int n,
                           const char *note, int64_t *id_out,
                           struct err_ctx *ec) MUST_CHECK;

/* stk_transfer_receive: what came of each line (qty >= 0); a line not
 * given came in full. */
enum err stk_transfer_receive(struct db *db, const struct actor *who,
                              int64_t id, const struct stk_line *came, int n,
                              struct err_ctx *ec) MUST_CHECK;

/* stk_transfer: {"id","from_id","from","to_id","to","status","note",
 * "sent_at","received_at","actor","received_by","units_sent",
 * "units_received","lost","surplus","lines":[{"variant_id","sku","name",
 * "size","qty_sent","qty_received","diff"}]}. */
enum err stk_transfer(struct db *db, int64_t id, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;

/* stk_transfers: the latest 200, newest first, of a place (as sender or
 * receiver) or of all (place 0): [{"id","from_id","from","to_id","to",
 * "status","sent_at","received_at","units_sent","units_received"}]. */
enum err stk_transfers(struct db *db, int64_t place, cJSON **out,
                       struct err_ctx *ec) MUST_CHECK;

#endif
