/* http.c: libmicrohttpd glue, requests and replies (see http.h). */
#include "http/http.h"

#include "assets/asset.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 512

static const char csp[] =
    "default-src 'self'; img-src 'self' data:; style-src 'self';"
    " script-src 'self'; object-src 'none'; base-uri 'self';"
    " form-action 'self'; frame-ancestors 'none'";

struct thread_slot {
    void *ctx;
    struct thread_slot *next;
};

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;
    pthread_mutex_t lock; /* guards slots */
    struct thread_slot *slots;
    int port;
};

/* Per-thread state of handler threads; owned by this file, one per MHD
 * worker thread, made on first use and released at http_server_stop(). */
static _Thread_local void *tl_ctx;

static void *thread_ctx(struct http_server *s)
{
    struct thread_slot *slot;

    if (tl_ctx != NULL || s->cfg.thread_init == NULL)
        return tl_ctx;
    tl_ctx = s->cfg.thread_init(s->cfg.cls);
    slot = tl_ctx ? malloc(sizeof(*slot)) : NULL;
    if (slot == NULL)
        return tl_ctx;
    slot->ctx = tl_ctx;
    pthread_mutex_lock(&s->lock);
    slot->next = s->slots;
    s->slots = slot;
    pthread_mutex_unlock(&s->lock);
    return tl_ctx;
}

static struct http_req *req_new(struct MHD_Connection *conn,
                                const char *method, const char *url)
{
    struct http_req *req = calloc(1, sizeof(*req));
    const char *ae;

    if (req == NULL)
        return NULL;
    req->conn = conn;
    arena_init(&req->arena, 16384);
    req->method = arena_strdup(&req->arena, method);
    req->path = arena_strdup(&req->arena, url);
    sb_init(&req->body, HTTP_MAX_BODY);
    ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                     MHD_HTTP_HEADER_ACCEPT_ENCODING);
    req->gzip_ok = ae != NULL && strstr(ae, "gzip") != NULL;
    if (req->method == NULL || req->path == NULL) {
        arena_release(&req->arena);
        free(req);
        return NULL;
    }
    return req;
}

static void req_free(struct http_req *req)
{
    if (req == NULL)
        return;
    sb_release(&req->body);
    arena_release(&req->arena);
    free(req);
}

static enum MHD_Result send_plain(struct MHD_Connection *conn,
                                  unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (r == NULL)
        return MHD_NO;
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                  "text/plain; charset=utf-8");
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static int has_body(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "DELETE") != 0 && strcmp(method, "OPTIONS") != 0;
}

static void take_upload(struct http_req *req, const char *data, size_t *size)
{
    /* Past the limit the rest is read and dropped, so the handler can
     * answer 413 with a proper body instead of a reset connection. */
    if (!req->body_too_big && sb_add(&req->body, data, *size) != ERR_OK)
        req->body_too_big = 1;
    *size = 0;
}

static enum MHD_Result dispatch(struct http_server *s, struct http_req *req)
{
    enum hres h;

    req->thread_ctx = thread_ctx(s);
    h = s->cfg.handler(s->cfg.cls, req);
    if (req->replied)
        return MHD_YES;
    if (h != H_OK)
        log_msg(LOG_ERROR, "http", "%s %s: handler failed", req->method,
                req->path);
    req->status = 500;
    return send_plain(req->conn, 500, "500 Internal Server Error\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct http_server *s = cls;
    struct http_req *req = *con_cls;

    (void)version;
    if (req == NULL) {
        req = req_new(conn, method, url);
        if (req == NULL)
            return send_plain(conn, 503, "503 Service Unavailable\n");
        *con_cls = req;
        if (has_body(method))
            return MHD_YES; /* the body comes in the next calls */
        return dispatch(s, req);
    }
    if (*upload_size > 0) {
        take_upload(req, upload, upload_size);
        return MHD_YES;
    }
    if (req->replied)
        return MHD_YES;
    return dispatch(s, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    req_free(*con_cls);
    *con_cls = NULL;
}

enum err http_server_start(const struct http_config *cfg,
                           struct http_server **out, struct err_ctx *ec)
{
    struct http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;

    *out = NULL;
    if (s == NULL)
        return ERR_NOMEM;
    s->cfg = *cfg;
    pthread_mutex_init(&s->lock, NULL);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        http_server_stop(s);
        return err_set(ec, ERR_INVALID, "listen: %s is not an IPv4 address",
                       cfg->host);
    }
    s->d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        1024u, MHD_OPTION_END);
    if (s->d == NULL) {
        http_server_stop(s);
        return err_set(ec, ERR_IO, "cannot listen on %s:%d", cfg->host,
                       cfg->port);
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *out = s;
    return ERR_OK;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s)
{
    struct thread_slot *slot, *next;

    if (s == NULL)
        return;
    if (s->d != NULL)
        MHD_stop_daemon(s->d);
    for (slot = s->slots; slot != NULL; slot = next) {
        next = slot->next;
        if (s->cfg.thread_fini != NULL)
            s->cfg.thread_fini(s->cfg.cls, slot->ctx);
        free(slot);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* --- request data -------------------------------------------------------- */

const char *http_arg(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result sum_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    size_t *sum = cls;

    (void)kind;
    *sum += strlen(key) + (value ? strlen(value) : 0) + 2;
    return MHD_YES;
}

size_t http_query_bytes(struct http_req *req)
{
    size_t sum = 0;

    (void)MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, sum_arg,
                                    &sum);
    return sum;
}

int http_arg_count(struct http_req *req)
{
    return MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, NULL,
                                     NULL);
}

/* --- replies ------------------------------------------------------------- */

void http_etag_of(const void *data, size_t len, char *out, size_t size)
{
    uLong crc = crc32(0L, data, (uInt)len);

    (void)snprintf(out, size, "W/\"%08lx-%zx\"", crc, len);
}

int http_etag_matches(struct http_req *req, const char *etag)
{
    const char *inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *bare = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;

    if (inm == NULL)
        return 0;
    /* Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored. */
    return strstr(inm, bare) != NULL || strcmp(inm, "*") == 0;
}

static void add_common_headers(struct MHD_Response *r)
{
    (void)MHD_add_response_header(r, "Content-Security-Policy", csp);
    (void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(r, "Referrer-Policy",
                                  "strict-origin-when-cross-origin");
    (void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static void add_reply_headers(struct MHD_Response *r,
                              const struct http_reply *rep, int gz)
{
    add_common_headers(r);
    if (rep->content_type != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                      rep->content_type);
    if (rep->etag != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rep->etag);
    if (rep->cache_control != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                                      rep->cache_control);
    if (rep->location != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
                                      rep->location);
    if (rep->content_language != NULL)
        (void)MHD_add_response_header(r, "Content-Language",
                                      rep->content_language);
    if (rep->gz != NULL || rep->len >= GZIP_MIN_BYTES)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
                                      "Accept-Encoding");
    if (gz)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
                                      "gzip");
}

enum hres http_send(struct http_req *req, const struct http_reply *rep)
{
    int not_modified = rep->etag != NULL && rep->status == 200 &&
                       http_etag_matches(req, rep->etag);
    int gz = !not_modified && rep->gz != NULL && req->gzip_ok;
    const void *body = gz ? rep->gz : rep->body;
    size_t len = not_modified ? 0 : gz ? rep->gz_len : rep->len;
    unsigned status = not_modified ? 304 : rep->status;
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                        MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return H_FATAL;
    add_reply_headers(r, rep, gz);
    ret = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    if (ret != MHD_YES)
        return H_FATAL;
    req->replied = 1;
    req->status = status;
    return H_OK;
}

enum hres http_send_sb(struct http_req *req, unsigned status,
                       const char *content_type, const struct sb *body,
                       const char *cache_control)
{
    struct http_reply rep = {.status = status,
                             .content_type = content_type,
                             .body = sb_str(body),
                             .len = body->len,
                             .cache_control = cache_control};
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    char etag[48];
    enum hres h;

    if (status == 200) {
        http_etag_of(body->buf, body->len, etag, sizeof(etag));
        rep.etag = etag;
    }
    if (req->gzip_ok && body->len >= GZIP_MIN_BYTES &&
        !(rep.etag && http_etag_matches(req, rep.etag)) &&
        asset_gzip(body->buf, body->len, 6, &gz, &gz_len) == ERR_OK) {
        rep.gz = gz;
        rep.gz_len = gz_len;
    }
    h = http_send(req, &rep);
    free(gz);
    return h;
}
