/* http.h: the HTTP server, knowing HTTP and nothing of OCOP.
 * Owns: libmicrohttpd glue (a thread pool sized to the machine), one
 *   request struct with its arena per request, reading query arguments,
 *   headers and bodies with limits, per-thread state for handlers,
 *   replies with ETag / If-None-Match (304), gzip when the client accepts
 *   it, and the security headers sent on every response.
 * Does not own: routing and handlers (web), what pages contain.
 * Memory: a request's arena lives until the response is done. Reply
 *   bodies are copied or taken over by http_send*(), as documented.
 * Handlers return H_OK after queueing a reply, H_FATAL when they could
 *   not (a plain 500 is sent). */
#ifndef OCOP_HTTP_H
#define OCOP_HTTP_H

#include "core/arena.h"
#include "core/err.h"
#include "core/sb.h"

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_BODY ((size_t)1 << 20)
#define HTTP_MAX_QUERY 4096 /* bytes of all query arguments together */

enum hres { H_OK = 0, H_FATAL = 1 };

struct MHD_Connection;

struct http_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;    /* decoded path, without the query */
    struct arena arena;  /* dies with the request */
    void *thread_ctx;    /* from http_config.thread_init, per thread */
    struct sb body;      /* request body (methods with one) */
    int body_too_big;
    int replied;
    int gzip_ok;         /* client accepts gzip */
    unsigned status;     /* status sent, for logs and tests */
};

typedef enum hres (*http_handler_fn)(void *cls, struct http_req *req);

struct http_config {
    const char *host;
    int port;    /* 0: any free port; see http_server_port() */
    int threads; /* thread pool size */
    http_handler_fn handler;
    void *cls;
    /* per-thread state, made on a thread's first request */
    void *(*thread_init)(void *cls);
    void (*thread_fini)(void *cls, void *thread_ctx);
};

struct http_server;

enum err http_server_start(const struct http_config *cfg,
                           struct http_server **out,
                           struct err_ctx *ec) MUST_CHECK;
int http_server_port(const struct http_server *s);
void http_server_stop(struct http_server *s); /* NULL is a no-op */

/* Request data; strings are borrowed for the request's lifetime. */
const char *http_arg(struct http_req *req, const char *name);
const char *http_header(struct http_req *req, const char *name);
size_t http_query_bytes(struct http_req *req);
int http_arg_count(struct http_req *req);

struct http_reply {
    unsigned status;
    const char *content_type;
    const void *body; /* copied */
    size_t len;
    const void *gz;   /* optional precompressed body, copied */
    size_t gz_len;
    const char *etag; /* optional; 304 when If-None-Match matches */
    const char *cache_control;
    const char *location; /* optional Location header */
    const char *content_language;
};

/* http_send: queues r (answering 304 when the ETag matches). */
enum hres http_send(struct http_req *req, const struct http_reply *r);

/* http_send_sb: queues body with a weak ETag computed from its bytes,
 * gzip-compressed when the client accepts it and it is worth it. */
enum hres http_send_sb(struct http_req *req, unsigned status,
                       const char *content_type, const struct sb *body,
                       const char *cache_control);

/* http_etag_of: W/"crc-len" of the bytes, into out (size >= 32). */
void http_etag_of(const void *data, size_t len, char *out, size_t size);

/* http_accepts_gzip / http_etag_matches: for callers with cached
 * bodies. */
int http_etag_matches(struct http_req *req, const char *etag);

#endif
