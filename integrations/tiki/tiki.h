/* tiki.h: the Tiki Open API (Seller) connector.
 * Owns: turning a struct mkt_call into Tiki's HTTP request (OAuth2 token
 *   calls on auth_base, product requests, "Update product info"
 *   requests, updateSku, order listing on api_base, all with
 *   "Authorization: Bearer") and Tiki's answers into
 *   a struct mkt_reply; the buyer link and the authorisation link.
 * Does not own: sending, retries, rate limits, storing tokens (the sync
 *   engine), the category mapping (integrations/tiki/categories.json).
 * Protocol: docs/marketplaces.md section 4; what we chose where Tiki's
 *   pages are silent is in integrations/tiki/README.md.
 * Memory and errors: as struct mkt_connector says (common/conn.h). */
#ifndef OCOP_TIKI_H
#define OCOP_TIKI_H

#include "common/conn.h"

extern const struct mkt_connector tiki_connector;

#endif
