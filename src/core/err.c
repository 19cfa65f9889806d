/* err.c: names and messages for enum err. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *err_name(enum err e)
{
    switch (e) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "no_memory";
    case ERR_INVALID: return "invalid";
    case ERR_NOTFOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_BUSY: return "busy";
    case ERR_DB: return "database";
    case ERR_IO: return "io";
    case ERR_TOOBIG: return "too_big";
    case ERR_UPSTREAM: return "upstream";
    case ERR_UNAUTHORIZED: return "unauthorized";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_RATELIMIT: return "rate_limited";
    case ERR_UNPROCESSABLE: return "invalid_value";
    }
    return "unknown";
}

enum err err_set(struct err_ctx *ec, enum err e, const char *fmt, ...)
{
    va_list ap;

    if (ec == NULL)
        return e;
    va_start(ap, fmt);
    (void)vsnprintf(ec->msg, sizeof(ec->msg), fmt, ap); /* truncation is fine */
    va_end(ap);
    ec->key = NULL;
    ec->field[0] = '\0';
    return e;
}

enum err err_user(struct err_ctx *ec, enum err e, const char *key,
                  const char *field, const char *fmt, ...)
{
    va_list ap;

    if (ec == NULL)
        return e;
    va_start(ap, fmt);
    (void)vsnprintf(ec->msg, sizeof(ec->msg), fmt, ap); /* truncation is fine */
    va_end(ap);
    ec->key = key;
    (void)snprintf(ec->field, sizeof(ec->field), "%s", field ? field : "");
    return e;
}
