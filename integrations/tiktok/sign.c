/* tiktok/sign.c: TikTok Shop request signing (see sign.h and README.md for
 * the protocol and its sources). */
#include "tiktok/sign.h"

#include "common/mkt.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unsigned_param(const char *name)
{
    return strcmp(name, "sign") == 0 || strcmp(name, "access_token") == 0;
}

/* add_sorted: append name + value for the n sorted items. */
static enum err add_sorted(const cJSON **items, size_t n, struct sb *out,
                           struct err_ctx *ec)
{
    char buf[32];
    const char *text = "";

    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(items[i - 1]->string, items[i]->string) == 0)
            return err_set(ec, ERR_INVALID, "param %s is repeated",
                           items[i]->string);
        if (mkt_param_text(items[i], items[i]->string, buf, sizeof(buf), &text,
                           ec) != ERR_OK)
            return ERR_INVALID;
        if (sb_adds(out, items[i]->string) != ERR_OK ||
            sb_adds(out, text) != ERR_OK)
            return err_set(ec, ERR_NOMEM, "signature base string too long");
    }
    return ERR_OK;
}

enum err tiktok_base_string(const char *path, const cJSON *params,
                            const char *body, size_t body_len, struct sb *out,
                            struct err_ctx *ec)
{
    const cJSON **items, *it;
    size_t n = 0;
    enum err e;

    if (path == NULL || path[0] != '/')
        return err_set(ec, ERR_INVALID, "path must start with '/'");
    if (!cJSON_IsObject(params))
        return err_set(ec, ERR_INVALID, "params must be an object");
    items = calloc((size_t)cJSON_GetArraySize(params) + 1, sizeof(*items));
    if (items == NULL)
        return err_set(ec, ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(it, params)
    {
        if (!unsigned_param(it->string))
            items[n++] = it;
    }
    qsort(items, n, sizeof(*items), mkt_by_name);
    e = sb_adds(out, path) != ERR_OK
            ? err_set(ec, ERR_NOMEM, "signature base string too long")
            : add_sorted(items, n, out, ec);
    free(items);
    if (e == ERR_OK && body != NULL && sb_add(out, body, body_len) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "signature base string too long");
    return e;
}

enum err tiktok_sign(const char *app_secret, const char *path,
                     const cJSON *params, const char *body, size_t body_len,
                     struct sb *out, struct err_ctx *ec)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof(mac) + 1];
    size_t klen = app_secret != NULL ? strlen(app_secret) : 0;
    struct sb base;
    enum err e;

    if (klen == 0)
        return err_set(ec, ERR_INVALID, "app secret is empty");
    sb_init(&base, 0);
    e = tiktok_base_string(path, params, body, body_len, &base, ec);
    if (e != ERR_OK)
        goto out;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)app_secret, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)app_secret, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)base.buf,
                                  base.len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)app_secret, klen);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    if (sb_adds(out, hex) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "signature does not fit");
out:
    sb_release(&base);
    return e;
}
