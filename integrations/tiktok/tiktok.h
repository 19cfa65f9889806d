/* tiktok/tiktok.h: the TikTok Shop Partner API (202309+) connector.
 * Owns: turning a struct mkt_call into a signed TikTok Shop request
 *   (query app_key, timestamp in s, shop_cipher for shop APIs, sign;
 *   header x-tts-access-token; a JSON body serialised once, signed and
 *   sent as the same bytes) and reading TikTok's envelope
 *   ({"code":0,"message","request_id","data"}) back into a struct
 *   mkt_reply. Operations, endpoints and limits: README.md.
 * Does not own: sending, retries, rate limiting, storing tokens (the sync
 *   worker), the signing rule itself (sign.h), the category mapping
 *   (categories.json, seeded by sync).
 * Memory and errors: as struct mkt_connector in common/conn.h. */
#ifndef OCOP_TIKTOK_H
#define OCOP_TIKTOK_H

#include "common/conn.h"

extern const struct mkt_connector tiktok_connector;

#endif
