/* places.h: private to places*.c, the office's places and fairs.
 * places.c        the list of places, a place's page, adding and editing
 * places_stock.c  goods in and out, levels, shortfalls, who sells, staff
 * places_move.c   transfers and stocktakes
 * places_report.c consignment settlements (page and CSV, for the office
 *                 and in the producer portal), a fair's live view, and
 *                 the booths' sync-queue API
 * Every POST is a form with the session's csrf field (app.c checks it),
 * runs one transaction (db_tx_run) whose domain calls write the audit
 * record, and answers 303 with ?ok=CODE, or the page again with the error
 * (422, 409, 404). Strings returned live in the request's arena. */
#ifndef OCOP_WEB_PLACES_H
#define OCOP_WEB_PLACES_H

#include "stock/stk_place.h"
#include "web/web.h"

/* places_model: admin_model for the places area: the office's "places"
 * link marked current, the area's tabs (tab: places, transfers,
 * settlement) and the note of a valid ?ok=CODE. */
cJSON *places_model(struct ctx *c, const char *title_key, const char *path,
                    const char *tab);
/* places_ok: sets office.ok to the note of code (one of places.c's). */
void places_ok(struct ctx *c, cJSON *m, const char *code);
/* places_any: o[flag] = o[key] is a non-empty array (Mustache cannot
 * ask). */
void places_any(cJSON *o, const char *key, const char *flag);
/* places_mark_invalid: the row whose "field" is ec's gets is_invalid. */
void places_mark_invalid(cJSON *rows, const struct err_ctx *ec);
/* places_id: s as a positive id, or 0. */
int64_t places_id(const char *s);
/* places_money: "125.000 ₫" (or "₫125,000"). */
const char *places_money(struct ctx *c, int64_t vnd);
/* places_add_money: o[key_text] = the money of the number o[key]. */
void places_add_money(struct ctx *c, cJSON *o, const char *key);
/* places_href: view_url of the formatted path. */
const char *places_href(struct ctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* places_producer_id: the producer of slug, or 0. */
int64_t places_producer_id(struct ctx *c, const char *slug);
/* places_kind_text: the localised kind of a place. */
const char *places_kind_text(struct ctx *c, const char *kind);
/* places_lines: the form's qty_VARIANT fields as lines: empty ones are
 * skipped unless keep_empty (then 0, or -1 when blank_is_minus). 0 with
 * *bad set to the field when a value is not a whole number. */
int places_lines(const struct form *f, struct stk_line *lines, int *n,
                 int keep_empty, int blank_is_minus, const char **bad);
/* places_place: the place of id with display fields (kind_text, dates,
 * hrefs), or NULL with the error reply sent (*h). */
cJSON *places_place(struct ctx *c, int64_t id, enum hres *h);

/* places_transfer_row(s): a transfer (stk_transfer, stk_transfers) with
 * its link, words and times. */
void places_transfer_row(struct ctx *c, cJSON *r);
void places_transfer_rows(struct ctx *c, cJSON *rows);

/* The place's page (places.c), shown again by places_stock.c with a
 * form's error: form names the failed form, f its fields. */
struct place_view {
    const char *form;     /* which form failed, or NULL */
    const char *mode;     /* the goods form shown (receive, ...) or NULL */
    const struct form *f; /* its fields */
    const struct err_ctx *ec;
    unsigned status;
};
enum hres places_page(struct ctx *c, int64_t id, const struct place_view *v);

#endif
