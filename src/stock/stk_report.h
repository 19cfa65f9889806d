/* stk_report.h: what the ledger and the sales add up to.
 * Owns: the consignment (ký gửi) settlement of a producer's goods at a
 *   place for a period, and the live figures of a fair. Read only.
 * Does not own: the ledger (stk.h), sales (pos.h), formatting and CSV
 *   (the web layer).
 *
 * Settlement. A period is two days, YYYY-MM-DD, inclusive, in Vietnam's
 * time (UTC+7): a move belongs to the day of date(occurred_at, '+7
 * hours'); an offline sale's occurred_at is when it was sold. The place
 * is a point, a booth or a channel, or a fair, which stands for its
 * booths. Per variant and place, in units:
 *   opening   on hand when the period starts
 *   received  from producers (receive) and other places (transfer_in)
 *   sent      to other places (transfer_out)
 *   sold      sales and marketplace dispatches, less buyers' returns and
 *             voids (net)
 *   returned  given back to the producer (kind return, negative)
 *   adjusted  adjustments, transfer losses and stocktake variances
 *             (signed)
 *   closing   on hand when the period ends
 * and closing = opening + received - sent - sold - returned + adjusted.
 * sales_vnd is what buyers paid, in đồng: units x the unit price recorded
 * with each sale, less the sale line's discount (a return gives back its
 * share of it, as pos does). The commission rate is the producer's at
 * that place (booth_producers.commission_pct) or else the place's
 * (locations.commission_pct); it is applied to the producer's sales at
 * each place and rounded to whole đồng, half away from zero; the amount
 * due to the producer is sales less commission.
 *
 * Errors: ERR_UNPROCESSABLE (err_period, field from/to) for a bad period,
 *   ERR_NOTFOUND for an unknown place or producer.
 * Memory: cJSON results are the caller's (cJSON_Delete). */
#ifndef OCOP_STK_REPORT_H
#define OCOP_STK_REPORT_H

#include "stock/stk.h"

struct stk_period {
    const char *from, *to; /* YYYY-MM-DD, Vietnam days, inclusive */
};

/* stk_commission: value_vnd x pct %, rounded half away from zero. */
int64_t stk_commission(int64_t value_vnd, double pct);

/* stk_period_check: both days real, from <= to. */
enum err stk_period_check(const struct stk_period *p,
                          struct err_ctx *ec) MUST_CHECK;

/* stk_settlement: producer_id 0 gives every producer with goods there.
 * {"place_id","place","kind","from","to","multi" (a fair: items name
 * their booth),"producers":[{"producer_id","slug","name",
 * "commission_pct" (absent when the rate differs between booths),
 * "items":[{"place_id","place","variant_id","sku","name","size",
 * "opening","received","sent","sold","returned","adjusted","closing",
 * "sales_vnd","commission_pct"}],"totals":{the unit columns,
 * "sales_vnd","commission_vnd","due_vnd"}}],"totals":{the same}}. */
enum err stk_settlement(struct db *db, int64_t place, int64_t producer_id,
                        const struct stk_period *p, cJSON **out,
                        struct err_ctx *ec) MUST_CHECK;

/* stk_fair_live: a fair (or a point: the place and its booths) on day
 * (YYYY-MM-DD, Vietnam): {"day","totals":{"sales_count","sales_vnd",
 * "all_sales_vnd","all_sales_count","late","waiting","low",
 * "short_open"},"booths":[{"id","name","sales_count","sales_vnd",
 * "all_sales_vnd","units","skus","low","short_open","last_received_at",
 * "last_sold_at","late_today","waiting","queue_at"}] (best day first),
 * "hours":[24 x {"hour","sales_count","sales_vnd"}],"products":[{"sku",
 * "name","size","qty","sales_vnd"}] (the day's best 15),"low":[{
 * "booth_id","booth","sku","name","size","on_hand","min_qty"}],
 * "shortfalls":[as stk_shortfalls, open only]}. Sales are what was rung
 * up: completed (not voided) sales by the day they were sold, before
 * buyers' returns (the settlement nets those); a sale is late when it
 * reached the server more than STK_LATE_S after it was made. */
#define STK_LATE_S 300
enum err stk_fair_live(struct db *db, int64_t fair_id, const char *day,
                       cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* stk_producer_places: where a producer's goods are or were:
 * [{"place_id","place","kind","fair","units","skus"}]. */
enum err stk_producer_places(struct db *db, int64_t producer_id, cJSON **out,
                             struct err_ctx *ec) MUST_CHECK;

#endif
