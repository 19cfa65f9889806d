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
    return e;
}
