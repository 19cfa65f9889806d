/* shopee/shopee.h: the Shopee Open Platform v2 connector (conn.h).
 * Owns: turning each mkt_call into a signed Shopee v2 request (Public
 *   signature for the token, image and auth-link calls, Shop signature for
 *   everything else) and each Shopee envelope into a mkt_reply; the item
 *   link and the authorisation link. Protocol and sources: README.md.
 * Does not own: sending, retries, rate limiting, storing tokens (the sync
 *   worker), the signature itself (shopee/sign.h), category choice (the
 *   mapping, categories.json).
 * Ids: shop_ref is the shop_id (decimal text; a non-numeric shop_ref, as
 *   the mock marketplace names its shops, is sent as a JSON string),
 *   ext_item_id the item_id. CREATE does not set ext_sku_id: an item made
 *   by this connector has no models, so Shopee's model_id is 0.
 * UPDATE: update_item with the item's content (item_id, item_name,
 *   description, weight, category_id, image_id_list, item_sku, mapped
 *   attributes and logistics), never price or stock. Every image_ids entry
 *   must be uploaded (ERR_INVALID otherwise), as update_item replaces the
 *   item's image list. An unknown item is MKT_NOT_FOUND.
 * ORDERS: Shopee answers at most 15 days per call, so [since, until) is
 *   walked in 15-day windows; the cursor returned is "<window start>:
 *   <Shopee's cursor>" and is opaque to the caller. "" means done.
 * Memory and errors: as conn.h. */
#ifndef OCOP_SHOPEE_H
#define OCOP_SHOPEE_H

#include "common/conn.h"

extern const struct mkt_connector shopee_connector;

#endif
