/* tiktok/sign.h: TikTok Shop Partner API (202309+) request signing.
 * Owns: the string to sign (request path, then every query parameter
 *   except `sign` and `access_token` as name + value, sorted by name in
 *   byte order, no separators, then the exact body bytes) and its
 *   signature: HMAC-SHA256 keyed with the app secret over
 *   app_secret + string + app_secret, 64 lower-case hex digits.
 * Does not own: timestamps, URL-encoding, the x-tts-access-token header,
 *   serialising the body (sign the very buffer that is sent).
 * params: a cJSON object name -> value (string, or integer number), the
 *   decoded query values; repeated names are refused. body: the bytes
 *   sent, or NULL when none is signed (no body, or multipart/form-data).
 * Memory: out is the caller's; results are appended to it.
 * Errors: ERR_INVALID for bad input, ERR_NOMEM; message in *ec. */
#ifndef OCOP_TIKTOK_SIGN_H
#define OCOP_TIKTOK_SIGN_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* tiktok_base_string: append the string to sign, before the secret is
 * put on both sides of it (steps 1-4 of the doc). */
enum err tiktok_base_string(const char *path, const cJSON *params,
                            const char *body, size_t body_len, struct sb *out,
                            struct err_ctx *ec) MUST_CHECK;

/* tiktok_sign: append the value of the `sign` query parameter. */
enum err tiktok_sign(const char *app_secret, const char *path,
                     const cJSON *params, const char *body, size_t body_len,
                     struct sb *out, struct err_ctx *ec) MUST_CHECK;

#endif
