/* stk_place.h: the office's work on places and the goods in them.
 * Owns: checking, listing and editing places (stk.h adds them); which
 *   producers a booth or point sells for, with their commission, and who
 *   staffs it (adding and taking off, with audit records, which stk.h's
 *   stk_place_producer / stk_place_staff do not write); low-stock levels;
 *   goods received from a producer (kind receive, with a delivery note),
 *   given back to the producer (kind return with a negative quantity; a
 *   buyer's return is positive and refers to its sale) and adjusted by
 *   hand; the shortfalls of offline sales and closing them with a note;
 *   a place's ledger rows; the sync queue a booth's tablet reports
 *   (booth_queue, migration 0005).
 * Does not own: the ledger's rule (stk.h: stk_record keeps on-hand equal
 *   to the ledger and refuses to go below zero), transfers
 *   (stk_transfer.h), stocktakes (stk_count.h), reports (stk_report.h),
 *   sales (pos.h).
 * Stock is kept at warehouses, points, booths and channels, never at a
 *   fair itself: a fair is its booths.
 * Errors: ERR_NOTFOUND for an unknown place, producer, account or
 *   variant; ERR_UNPROCESSABLE with an i18n key and the field for bad
 *   input; ERR_CONFLICT (err_stock_insufficient) when goods would go
 *   below zero. Writers run in the caller's transaction (db_tx_run) and
 *   record their audit entry there.
 * Memory: cJSON results are the caller's (cJSON_Delete). */
#ifndef OCOP_STK_PLACE_H
#define OCOP_STK_PLACE_H

#include "stock/stk.h"

#define STK_MAX_LINES                                                          \
    400                     /* lines of one receipt, transfer, count           \
                             * (a form holds 400 fields at most) */
#define STK_MAX_QTY 1000000 /* units of one line */
#define STK_MAX_NOTE 500    /* bytes of a reason or note */
#define STK_MAX_REF 100     /* bytes of a delivery note number */

/* One line of goods: a variant and a quantity (signed for adjustments). */
struct stk_line {
    int64_t variant_id;
    int64_t qty;
};

/* stk_place_kind_ok: 1 for warehouse, point, fair, booth or channel. */
int stk_place_kind_ok(const char *kind);
/* stk_kind_holds_stock: 0 for a fair, 1 for the other kinds. */
int stk_kind_holds_stock(const char *kind);

/* stk_place_check: the rules of a place: a name (1..200 bytes), a known
 * kind, dates YYYY-MM-DD with the end not before the start, a commission
 * of 0..100 %, a booth's fair, a warehouse's producer, a channel's name.
 * ERR_UNPROCESSABLE with key and field. */
enum err stk_place_check(struct db *db, const struct stk_place *p,
                         struct err_ctx *ec) MUST_CHECK;
/* stk_place_create: stk_place_check, then stk_place_add (audited). */
enum err stk_place_create(struct db *db, const struct actor *who,
                          const struct stk_place *p, int64_t *id_out,
                          struct err_ctx *ec) MUST_CHECK;
/* stk_place_update: name, venue, organiser, dates, commission, channel;
 * the kind, fair and producer stay. Audited with before and after. */
enum err stk_place_update(struct db *db, const struct actor *who, int64_t id,
                          const struct stk_place *p,
                          struct err_ctx *ec) MUST_CHECK;

/* stk_places: every place, fairs followed by their booths:
 * [{"id","kind","name","parent_id","venue","organiser","starts_on",
 * "ends_on","channel","commission_pct","owner" (a warehouse's producer),
 * "units","skus","low","short_open","booths","is_sample"}]. */
enum err stk_places(struct db *db, cJSON **out, struct err_ctx *ec) MUST_CHECK;
/* stk_booths: a fair's booths, like stk_places. */
enum err stk_booths(struct db *db, int64_t fair_id, cJSON **out,
                    struct err_ctx *ec) MUST_CHECK;

/* Producers a place sells for: [{"producer_id","slug","name",
 * "commission_pct" (absent when the place's rate applies),
 * "effective_pct"}]. */
enum err stk_place_producers(struct db *db, int64_t id, cJSON **out,
                             struct err_ctx *ec) MUST_CHECK;
/* stk_place_assign: sells for producer_id from now on; pct < 0 takes the
 * place's rate. Again: changes the rate. */
enum err stk_place_assign(struct db *db, const struct actor *who, int64_t id,
                          int64_t producer_id, double pct,
                          struct err_ctx *ec) MUST_CHECK;
enum err stk_place_unassign(struct db *db, const struct actor *who, int64_t id,
                            int64_t producer_id, struct err_ctx *ec) MUST_CHECK;

/* Staff: booth accounts. [{"user_id","username","disabled"}]. */
enum err stk_place_staff_list(struct db *db, int64_t id, cJSON **out,
                              struct err_ctx *ec) MUST_CHECK;
/* stk_place_staff_add: the account must have the booth role. */
enum err stk_place_staff_add(struct db *db, const struct actor *who, int64_t id,
                             const char *username,
                             struct err_ctx *ec) MUST_CHECK;
enum err stk_place_staff_remove(struct db *db, const struct actor *who,
                                int64_t id, int64_t user_id,
                                struct err_ctx *ec) MUST_CHECK;

/* stk_levels_set: the low-stock level of each line's variant (qty is the
 * minimum; 0 removes the warning). One audit entry. */
enum err stk_levels_set(struct db *db, const struct actor *who, int64_t id,
                        const struct stk_line *lines, int n,
                        struct err_ctx *ec) MUST_CHECK;

/* Goods in and out of a place, each line one ledger row, one audit entry.
 * stk_receive: from a producer the place sells for, or into the
 * producer's own warehouse (qty > 0); ref is the
 * delivery note (required); at is when (NULL or "": now; see stk_when). */
enum err stk_receive(struct db *db, const struct actor *who, int64_t id,
                     const struct stk_line *lines, int n, const char *ref,
                     const char *note, const char *at,
                     struct err_ctx *ec) MUST_CHECK;
/* stk_give_back: unsold goods back to their producer (qty > 0 given;
 * recorded as kind return, negative); never below zero. */
enum err stk_give_back(struct db *db, const struct actor *who, int64_t id,
                       const struct stk_line *lines, int n, const char *ref,
                       const char *note, struct err_ctx *ec) MUST_CHECK;
/* stk_adjust: found or lost goods (qty signed, not 0); a reason is
 * required; never below zero. */
enum err stk_adjust(struct db *db, const struct actor *who, int64_t id,
                    const struct stk_line *lines, int n, const char *reason,
                    struct err_ctx *ec) MUST_CHECK;

/* stk_moves: a place's latest ledger rows, newest first: [{"id","at",
 * "occurred_at","sku","name","qty","kind","reason","ref","actor"}]. */
enum err stk_moves(struct db *db, int64_t id, int limit, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

/* stk_shortfalls: the shortfalls of a place, or of a fair's booths:
 * [{"id","booth_id","booth","sku","name","qty_short","at","ref",
 * "resolved_at","resolved_by","resolve_note"}], open ones first. */
enum err stk_shortfalls(struct db *db, int64_t id, int open_only, cJSON **out,
                        struct err_ctx *ec) MUST_CHECK;
/* stk_shortfall_resolve: closes one shortfall of place id (or of one of
 * the fair id's booths) with a note; ERR_CONFLICT if already closed. */
enum err stk_shortfall_resolve(struct db *db, const struct actor *who,
                               int64_t id, int64_t shortfall_id,
                               const char *note, struct err_ctx *ec) MUST_CHECK;

/* stk_queue_report: the number of sales a booth's tablet holds, not yet
 * sent; kept with the time (one row per booth, replaced). Not audited:
 * it is a reading, not a change of goods or money. */
enum err stk_queue_report(struct db *db, const struct actor *who,
                          int64_t booth_id, int64_t waiting,
                          struct err_ctx *ec) MUST_CHECK;

/* For the stk_*.c files. */
/* stk_place_kind: the kind of place id into out (size >= 16); ERR_NOTFOUND
 * (err_place_not_found) when there is none. */
enum err stk_place_kind(struct db *db, int64_t id, char *out, size_t size,
                        struct err_ctx *ec) MUST_CHECK;
/* stk_rows: the rows of st (bound, not yet stepped) appended to arr as
 * objects keyed by column name: integers and reals as numbers, text as
 * strings, NULL left out, columns named is_* as booleans. Resets st. */
void stk_rows(sqlite3_stmt *st, cJSON *arr);
/* stk_lines_check: 1..STK_MAX_LINES lines, each variant once, 1 ..
 * STK_MAX_QTY units (flags: STK_LINES_SIGNED allows negative quantities,
 * STK_LINES_ZERO zero), each variant sold at the place (STK_LINES_SOLD:
 * of a producer it sells for, or of a warehouse's owner) or else known
 * there (sold, or held). The field of an error is "qty_VARIANT". */
enum { STK_LINES_SIGNED = 1, STK_LINES_ZERO = 2, STK_LINES_SOLD = 4 };
enum err stk_lines_check(struct db *db, int64_t place,
                         const struct stk_line *lines, int n, int flags,
                         struct err_ctx *ec) MUST_CHECK;
/* stk_lines_json: [{"variant_id","qty"}] for audit records. */
cJSON *stk_lines_json(const struct stk_line *lines, int n);
/* stk_date_ok: 1 for a real date written YYYY-MM-DD. */
int stk_date_ok(const char *s);
/* stk_when: a ledger time from a day (YYYY-MM-DD: noon in Vietnam) or a
 * UTC time (YYYY-MM-DDTHH:MM:SSZ), into out (size >= 21). */
enum err stk_when(const char *at, char *out, size_t size,
                  struct err_ctx *ec) MUST_CHECK;

#endif
