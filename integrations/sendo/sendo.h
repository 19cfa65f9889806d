/* sendo.h: the Sendo Open API connector.
 * Owns: turning a struct mkt_call into Sendo's HTTP request (the
 *   shop_key/secret_key login, products, price and stock, order search,
 *   all JSON with "Authorization: bearer") and Sendo's envelope
 *   {"result","success","error","status_code"} into a struct mkt_reply;
 *   the buyer link. Sendo has no redirect flow: auth_url gives "".
 * Does not own: sending, retries, rate limits, storing tokens (the sync
 *   engine), the category mapping (integrations/sendo/categories.json).
 * Protocol: docs/marketplaces.md section 5; what we chose where Sendo's
 *   pages are silent is in integrations/sendo/README.md.
 * Caution: Sendo sets price, stock and availability in one call, so
 *   PRICE and STOCK both send the item's current price and stock, with
 *   availability = stock > 0; so does UPDATE, whose product call
 *   carries them beside the content. The engine must not send any of
 *   them for a listing it unlisted: that would put the item back on
 *   sale.
 * Memory and errors: as struct mkt_connector says (common/conn.h). */
#ifndef OCOP_SENDO_H
#define OCOP_SENDO_H

#include "common/conn.h"

extern const struct mkt_connector sendo_connector;

#endif
