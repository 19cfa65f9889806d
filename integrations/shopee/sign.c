/* shopee/sign.c: Shopee Open Platform v2 request signing (see sign.h and
 * README.md for the protocol and its sources). */
#include "shopee/sign.h"

#include "common/mkt.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* add_param: append the value of params[name]; a missing one is an error
 * when required, else *found is set to 0. */
static enum err add_param(const cJSON *params, const char *name, int required,
                          int *found, struct sb *out, struct err_ctx *ec)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, name);
    char buf[32];
    const char *text = "";
    enum err e;

    *found = v != NULL;
    if (v == NULL)
        return required ? err_set(ec, ERR_INVALID, "param %s is missing", name)
                        : ERR_OK;
    e = mkt_param_text(v, name, buf, sizeof(buf), &text, ec);
    if (e != ERR_OK)
        return e;
    if (text[0] == '\0')
        return err_set(ec, ERR_INVALID, "param %s is empty", name);
    if (sb_adds(out, text) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "signature base string too long");
    return ERR_OK;
}

/* add_account: access_token + shop_id | merchant_id, when there is a token. */
static enum err add_account(const cJSON *params, struct sb *out,
                            struct err_ctx *ec)
{
    int token, shop, merchant = 0;
    enum err e = add_param(params, "access_token", 0, &token, out, ec);

    if (e != ERR_OK)
        return e;
    shop = cJSON_GetObjectItemCaseSensitive(params, "shop_id") != NULL;
    merchant = cJSON_GetObjectItemCaseSensitive(params, "merchant_id") != NULL;
    if (!token && (shop || merchant))
        return err_set(ec, ERR_INVALID,
                       "shop_id/merchant_id need access_token");
    if (!token)
        return ERR_OK; /* Public API */
    if (shop == merchant)
        return err_set(
            ec, ERR_INVALID,
            "access_token needs exactly one of shop_id, merchant_id");
    return add_param(params, shop ? "shop_id" : "merchant_id", 1, &shop, out,
                     ec);
}

enum err shopee_base_string(const char *path, const cJSON *params,
                            struct sb *out, struct err_ctx *ec)
{
    int found;
    enum err e;

    if (path == NULL || path[0] != '/')
        return err_set(ec, ERR_INVALID, "path must start with '/'");
    if (!cJSON_IsObject(params))
        return err_set(ec, ERR_INVALID, "params must be an object");
    e = add_param(params, "partner_id", 1, &found, out, ec);
    if (e == ERR_OK && sb_adds(out, path) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "signature base string too long");
    if (e == ERR_OK)
        e = add_param(params, "timestamp", 1, &found, out, ec);
    if (e == ERR_OK)
        e = add_account(params, out, ec);
    return e;
}

enum err shopee_sign(const char *partner_key, const char *path,
                     const cJSON *params, struct sb *out, struct err_ctx *ec)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof(mac) + 1];
    struct sb base;
    enum err e;

    if (partner_key == NULL || partner_key[0] == '\0')
        return err_set(ec, ERR_INVALID, "partner key is empty");
    sb_init(&base, 0);
    e = shopee_base_string(path, params, &base, ec);
    if (e != ERR_OK)
        goto out;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)partner_key,
                                strlen(partner_key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)base.buf,
                                  base.len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    if (sb_adds(out, hex) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "signature does not fit");
out:
    sb_release(&base);
    return e;
}
