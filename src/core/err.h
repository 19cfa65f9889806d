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
};

struct err_ctx {
    char msg[256];
};

/* err_name: a stable lower-case name for logs and JSON codes. */
const char *err_name(enum err e);

/* err_set: fill ec (when not NULL) with a formatted message; returns e. */
enum err err_set(struct err_ctx *ec, enum err e, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

#endif
