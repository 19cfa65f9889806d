/* err.h: error values shared by every module.
 * Owns: enum err, the optional error context, MUST_CHECK.
 * Does not own: mapping errors to HTTP status (http/status.c), logging.
 * Errors are values: fallible functions return enum err and are MUST_CHECK.
 * struct err_ctx is filled only on failure, so calls can be chained. */
#ifndef OCOP_ERR_H
#define OCOP_ERR_H

#include <stddef.h>

#define MUST_CHECK __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

enum err {
    ERR_OK = 0,
    ERR_NOMEM,    /* allocation failed or a size cap was reached */
    ERR_INVALID,  /* input does not satisfy the contract */
    ERR_NOTFOUND, /* the thing asked for does not exist */
    ERR_CONFLICT, /* the request conflicts with stored state */
    ERR_BUSY,     /* a resource stayed busy past the retry budget */
    ERR_DB,       /* the database failed */
    ERR_IO,       /* a file or socket operation failed */
    ERR_TOOBIG,   /* input larger than allowed */
    ERR_UPSTREAM, /* a remote service failed */
    ERR_UNAUTHORIZED, /* no valid credentials */
    ERR_FORBIDDEN,    /* credentials that may not do this */
    ERR_RATELIMIT,    /* too many attempts; try later */
    ERR_UNPROCESSABLE, /* well-formed but invalid values */
};

/* The message is for logs (English). key, when set, names the i18n
 * message shown to the user, and field the input it is about. */
struct err_ctx {
    char msg[256];
    const char *key;
    char field[64];
};

/* err_name: a stable lower-case name for logs and JSON codes. */
const char *err_name(enum err e);

/* err_set: fill ec (when not NULL) with a formatted message; returns e. */
enum err err_set(struct err_ctx *ec, enum err e, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/* err_user: like err_set, and names the i18n key (a static string) and
 * the field (may be NULL) for the user-facing message. */
enum err err_user(struct err_ctx *ec, enum err e, const char *key,
                  const char *field, const char *fmt, ...) PRINTF_LIKE(5, 6);

#endif
