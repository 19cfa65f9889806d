/* lazada/lazada.h: the Lazada Open Platform (LazOP) connector.
 * Owns: turning a struct mkt_call into a signed LazOP request (system
 *   params app_key, timestamp in ms, sign_method=sha256, sign and, for
 *   seller calls, access_token; GET params in the query, POST params as
 *   an application/x-www-form-urlencoded body) and reading LazOP's
 *   envelopes ({"code":"0","data":...} / {"type","code","message"}) back
 *   into a struct mkt_reply. Operations, endpoints and limits: README.md.
 * Does not own: sending, retries, rate limiting, storing tokens (the sync
 *   worker), the signing rule itself (sign.h), the category mapping
 *   (categories.json, seeded by sync).
 * Memory and errors: as struct mkt_connector in common/conn.h. RELIST is
 *   not offered: our notes document no activate call (README.md). */
#ifndef OCOP_LAZADA_H
#define OCOP_LAZADA_H

#include "common/conn.h"

extern const struct mkt_connector lazada_connector;

#endif
