/* shopee/sign.h: Shopee Open Platform v2 request signing.
 * Owns: the base string (partner_id + api_path + timestamp
 *   [+ access_token + shop_id | merchant_id]) and its signature,
 *   HMAC-SHA256 keyed with the partner key text, 64 lower-case hex digits.
 * Does not own: timestamps, URL building, sending (the connector).
 * params: a cJSON object name -> value (string, or integer number). Needs
 *   partner_id and timestamp; with access_token, exactly one of shop_id
 *   (Shop API) or merchant_id (Merchant API). Other names are not signed
 *   and are ignored. path: the API path, starting with '/'.
 * Memory: out is the caller's; results are appended to it.
 * Errors: ERR_INVALID for bad input, ERR_NOMEM; message in *ec. */
#ifndef OCOP_SHOPEE_SIGN_H
#define OCOP_SHOPEE_SIGN_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>

/* shopee_base_string: append the string that is signed. */
enum err shopee_base_string(const char *path, const cJSON *params,
                            struct sb *out, struct err_ctx *ec) MUST_CHECK;

/* shopee_sign: append the value of the `sign` query parameter. */
enum err shopee_sign(const char *partner_key, const char *path,
                     const cJSON *params, struct sb *out,
                     struct err_ctx *ec) MUST_CHECK;

#endif
