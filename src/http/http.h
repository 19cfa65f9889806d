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
 *   not (a plain 500 is sent).
 * Bodies: by default a body is kept in req->body (HTTP_MAX_BODY at most).
 *   A body policy (http_config.body_policy) is asked once per request,
 *   before any of the body is read; it may change the limit and have a
 *   multipart/form-data body streamed: fields into req->fields, file
 *   parts into new files under a folder (never whole in memory), removed
 *   when the request ends. A body whose Content-Length is over the limit
 *   is refused before it is read: the handler runs at once with
 *   body_refused set, and the connection is closed after its reply. A
 *   chunked body that goes over is dropped as it comes, and the
 *   connection closed if it goes on much further.
 * Suspending: a handler may park its request (http_suspend) while another
 *   thread works for it; http_resume() runs the handler again on an MHD
 *   thread. http_server_stop() waits for parked requests first. */
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
struct http_server;
struct http_upload; /* private to http.c */

/* What the body policy may set; it gets the defaults filled in. */
struct http_body_policy {
    size_t max_total;    /* bytes of the whole body */
    int multipart;       /* 1: stream a multipart/form-data body */
    size_t max_file;     /* bytes of one file part (multipart) */
    int max_files;       /* file parts (multipart) */
    const char *tmp_dir; /* existing folder for the file parts; borrowed
                          * for the request (the arena is fine) */
};

enum http_body_error {
    HTTP_BODY_OK = 0,
    HTTP_BODY_TOO_BIG,        /* the body passed max_total */
    HTTP_BODY_FILE_TOO_BIG,   /* a file part passed max_file */
    HTTP_BODY_TOO_MANY_FILES, /* more than max_files file parts */
    HTTP_BODY_MALFORMED,      /* not multipart, or too many fields */
    HTTP_BODY_IO,             /* a temporary file could not be written */
};

struct http_field {
    const char *name, *value; /* in the arena */
};

struct http_file {
    const char *field;    /* form field name */
    const char *filename; /* as the client sent it: for messages only */
    const char *path;     /* the temporary file, removed with the request */
    uint64_t size;
};

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
    /* streamed bodies (see "Bodies" above) */
    int body_refused;    /* over the limit by Content-Length: not read */
    int multipart;       /* the body was streamed as multipart */
    enum http_body_error body_error;
    const char *error_file; /* the file part body_error is about, or NULL */
    struct http_field *fields;
    int n_fields;
    struct http_file *files; /* only when body_error is HTTP_BODY_OK */
    int n_files;
    /* The handler's own state across a suspension; user_free (when set)
     * is called with it when the request ends. */
    void *user;
    void (*user_free)(void *user);
    /* private to http.c */
    struct http_server *srv;
    struct http_upload *up;
    int suspending;
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
    /* optional: the body policy of a request (see "Bodies" above) */
    void (*body_policy)(void *cls, struct http_req *req,
                        struct http_body_policy *p);
    /* optional: told the bound port before the first request can come
     * (so a port chosen by the system can go into absolute URLs) */
    void (*on_bound)(void *bound_cls, int port);
    void *bound_cls;
};

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
/* http_field: a field of a streamed multipart body, or NULL. */
const char *http_field(const struct http_req *req, const char *name);

/* http_suspend: parks the request; the handler then returns H_OK without
 * a reply. Call it before handing the request to another thread.
 * ERR_BUSY while the server stops. */
enum err http_suspend(struct http_req *req) MUST_CHECK;
/* http_resume: from any thread, once; the handler runs again on an MHD
 * thread (with req->user still set). The caller must not touch req
 * afterwards. */
void http_resume(struct http_req *req);

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
    const char *set_cookie;  /* optional Set-Cookie header */
    const char *retry_after; /* optional Retry-After header (seconds) */
    const char *disposition; /* optional Content-Disposition (downloads) */
};

/* http_send: queues r (answering 304 when the ETag matches). */
enum hres http_send(struct http_req *req, const struct http_reply *r);

/* http_send_sb: queues body with a weak ETag computed from its bytes,
 * gzip-compressed when the client accepts it and it is worth it. */
enum hres http_send_sb(struct http_req *req, unsigned status,
                       const char *content_type, const struct sb *body,
                       const char *cache_control);

/* http_send_full: like http_send_sb with the extra headers of extra
 * (its body, gz and etag fields are ignored). */
enum hres http_send_sb_with(struct http_req *req, const struct http_reply *extra,
                            const struct sb *body);

/* http_send_fd: r's headers with the bytes of fd (size bytes) as the
 * body, sent from the file; fd is taken over (closed) in every case.
 * r->body and r->gz are ignored; 304 when r->etag matches. */
enum hres http_send_fd(struct http_req *req, const struct http_reply *r,
                       int fd, uint64_t size);

/* http_cookie: the value of a request cookie, or NULL. */
const char *http_cookie(struct http_req *req, const char *name);
/* http_client_ip: the peer's address as text ("" when unknown). */
const char *http_client_ip(struct http_req *req);

/* http_etag_of: W/"crc-len" of the bytes, into out (size >= 32). */
void http_etag_of(const void *data, size_t len, char *out, size_t size);

/* http_accepts_gzip / http_etag_matches: for callers with cached
 * bodies. */
int http_etag_matches(struct http_req *req, const char *etag);

#endif
