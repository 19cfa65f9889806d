/* sync_pages.h: the web pages of marketplace sync (sync.h), private to
 * the web layer.
 * sync_portal.c  the producer's shops on the marketplaces (/quan-ly/san),
 *                connecting one (the marketplace's redirect back), pausing
 *                and resuming it, and the "sell on the marketplaces"
 *                section of the product edit page with its actions: list a
 *                product on a shop, retry a job, take a listing off sale
 *                or put it back. NEED_EDITOR; a producer account acts on
 *                its own producers' shops, listings and jobs only (403),
 *                the office on any.
 * sync_office.c  the office's queue health (/quan-tri/dong-bo) with "retry
 *                now", and the category and attribute mapping editor
 *                (/quan-tri/dong-bo/danh-muc). NEED_ADMIN.
 * Every POST is a form with the session's csrf field (app.c checks it)
 * and answers 303 with ?ok=CODE (only fixed codes are shown), or the page
 * again with the error (4xx, or 502 when a marketplace refused). Strings
 * returned live in the request's arena. */
#ifndef OCOP_WEB_SYNC_PAGES_H
#define OCOP_WEB_SYNC_PAGES_H

#include "web/web.h"

/* the producer portal (sync_portal.c) */
enum hres page_shops(struct ctx *c);             /* GET /quan-ly/san */
enum hres page_postmart(struct ctx *c); /* GET /quan-ly/san/postmart */
enum hres page_shop_add(struct ctx *c);          /* POST /quan-ly/san */
enum hres page_shop_callback(struct ctx *c);     /* GET .../san/ID/ket-noi */
enum hres page_shop_connect(struct ctx *c);      /* POST .../san/ID/ket-noi */
enum hres page_shop_authorise(struct ctx *c);    /* GET .../san/ID/cap-quyen */
enum hres page_shop_pause(struct ctx *c);        /* POST .../san/ID/tam-dung */
enum hres page_shop_resume(struct ctx *c);       /* POST .../san/ID/tiep-tuc */
enum hres page_product_list_post(struct ctx *c); /* POST .../san-pham/S/san */
enum hres page_job_retry(struct ctx *c);      /* POST .../dong-bo/ID/thu-lai */
enum hres page_listing_unlist(struct ctx *c); /* POST .../niem-yet/ID/go */
enum hres page_listing_relist(struct ctx *c); /* POST .../ID/dang-lai */

/* sync_pages_product: adds m.market (the edit page's "sell on the
 * marketplaces" section) for product_id, slug its slug. A failure to read
 * the status is logged and shown as a note: the edit page still works. */
void sync_pages_product(struct ctx *c, cJSON *m, int64_t product_id,
                        const char *slug);
/* sync_pages_ok: the note of a marketplace ?ok=CODE on the edit page, or
 * NULL when code is not one of them. */
const char *sync_pages_ok(struct ctx *c, const char *code);

/* the office (sync_office.c) */
enum hres page_sync_health(struct ctx *c);  /* GET /quan-tri/dong-bo */
enum hres page_sync_retry(struct ctx *c);   /* POST .../dong-bo/ID/thu-lai */
enum hres page_sync_mapping(struct ctx *c); /* GET .../dong-bo/danh-muc */
enum hres page_sync_mapping_post(struct ctx *c); /* POST the same */

#endif
