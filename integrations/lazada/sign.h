/* lazada/sign.h: Lazada Open Platform (LazOP) request signing.
 * Owns: the string to sign (API path, then every parameter except `sign`
 *   as name + value, sorted by name in byte order, no separators) and its
 *   signature, HMAC-SHA256 keyed with the app secret, 64 UPPER-case hex.
 * Does not own: timestamps, URL-encoding and sending (the connector).
 * params: a cJSON object name -> value (string, or integer number), the
 *   raw (not URL-encoded) system and business parameters. Empty values
 *   and repeated names are refused: the doc's samples disagree on empty
 *   values, so they must never be sent. path: e.g. "/order/get".
 * Memory: out is the caller's; results are appended to it.
 * Errors: ERR_INVALID for bad input, ERR_NOMEM; message in *ec. */
#ifndef OCOP_LAZADA_SIGN_H
#define OCOP_LAZADA_SIGN_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>

/* lazada_base_string: append the string that is signed. */
enum err lazada_base_string(const char *path, const cJSON *params,
                            struct sb *out, struct err_ctx *ec) MUST_CHECK;

/* lazada_sign: append the value of the `sign` parameter. */
enum err lazada_sign(const char *app_secret, const char *path,
                     const cJSON *params, struct sb *out,
                     struct err_ctx *ec) MUST_CHECK;

#endif
