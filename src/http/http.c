/* http.c: libmicrohttpd glue, requests and replies (see http.h). */
#include "http/http.h"

#include "assets/asset.h"
#include "core/log.h"
#include "http/upload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 512
#define STOP_WAIT_S 120 /* for suspended requests at http_server_stop() */

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
    pthread_mutex_t lock; /* guards slots, n_suspended, stopping */
    pthread_cond_t resumed;
    struct thread_slot *slots;
    int n_suspended; /* requests parked by http_suspend() */
    int stopping;
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

static struct http_req *req_new(struct http_server *s,
                                struct MHD_Connection *conn,
                                const char *method, const char *url)
{
    struct http_req *req = calloc(1, sizeof(*req));
    const char *ae;

    if (req == NULL)
        return NULL;
    req->srv = s;
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
    if (req->user_free != NULL)
        req->user_free(req->user);
    upload_release(req);
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

static enum MHD_Result dispatch(struct http_server *s, struct http_req *req)
{
    enum hres h;

    req->thread_ctx = thread_ctx(s);
    req->suspending = 0;
    h = s->cfg.handler(s->cfg.cls, req);
    if (req->replied || (h == H_OK && req->suspending))
        return MHD_YES;
    if (h != H_OK)
        log_msg(LOG_ERROR, "http", "%s %s: handler failed", req->method,
                req->path);
    req->status = 500;
    return send_plain(req->conn, 500, "500 Internal Server Error\n");
}

/* body_begin: the policy of a body, asked before any of it is read; a
 * body refused by its length is answered at once. */
static enum MHD_Result body_begin(struct http_server *s, struct http_req *req)
{
    struct http_body_policy p = {.max_total = HTTP_MAX_BODY};

    if (s->cfg.body_policy != NULL)
        s->cfg.body_policy(s->cfg.cls, req, &p);
    if (upload_begin(req, &p) != ERR_OK)
        return send_plain(req->conn, 503, "503 Service Unavailable\n");
    if (req->body_refused)
        return dispatch(s, req);
    return MHD_YES; /* the body comes in the next calls */
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
        req = req_new(s, conn, method, url);
        if (req == NULL)
            return send_plain(conn, 503, "503 Service Unavailable\n");
        *con_cls = req;
        if (has_body(method))
            return body_begin(s, req);
        /* Answer in the next call: a response queued in the first call,
         * before MHD knows the request has no body, makes it close the
         * connection (no keep-alive). */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        return upload_take(req, upload, n) ? MHD_YES : MHD_NO;
    }
    if (req->replied)
        return MHD_YES;
    upload_finish(req);
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

/* listen_on: a listening socket for addr (port 0: any free port), made
 * here rather than by MHD so the port is known before requests come. */
static int listen_on(const struct sockaddr_in *addr, int *port)
{
    struct sockaddr_in bound;
    socklen_t len = sizeof(bound);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0 ||
        listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *port = ntohs(bound.sin_port);
    return fd;
}

enum err http_server_start(const struct http_config *cfg,
                           struct http_server **out, struct err_ctx *ec)
{
    struct http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;
    int fd;

    *out = NULL;
    if (s == NULL)
        return ERR_NOMEM;
    s->cfg = *cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->resumed, NULL);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        http_server_stop(s);
        return err_set(ec, ERR_INVALID, "listen: %s is not an IPv4 address",
                       cfg->host);
    }
    fd = listen_on(&addr, &s->port);
    if (fd < 0) {
        http_server_stop(s);
        return err_set(ec, ERR_IO, "cannot listen on %s:%d: %s", cfg->host,
                       cfg->port, strerror(errno));
    }
    if (cfg->on_bound != NULL)
        cfg->on_bound(cfg->bound_cls, s->port);
    s->d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL,
        on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        1024u, MHD_OPTION_END);
    if (s->d == NULL) {
        close(fd);
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

/* wait_suspended: MHD must not stop with parked connections; their work
 * finishes (bounded by the media worker's job size) and resumes them. */
static void wait_suspended(struct http_server *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += STOP_WAIT_S;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    while (s->n_suspended > 0 &&
           pthread_cond_timedwait(&s->resumed, &s->lock, &until) == 0)
        ;
    if (s->n_suspended > 0)
        log_msg(LOG_ERROR, "http", "%d requests still suspended at stop",
                s->n_suspended);
    pthread_mutex_unlock(&s->lock);
}

void http_server_stop(struct http_server *s)
{
    struct thread_slot *slot, *next;

    if (s == NULL)
        return;
    if (s->d != NULL) {
        wait_suspended(s);
        MHD_stop_daemon(s->d);
    }
    for (slot = s->slots; slot != NULL; slot = next) {
        next = slot->next;
        if (s->cfg.thread_fini != NULL)
            s->cfg.thread_fini(s->cfg.cls, slot->ctx);
        free(slot);
    }
    pthread_cond_destroy(&s->resumed);
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

const char *http_field(const struct http_req *req, const char *name)
{
    int i;

    for (i = 0; i < req->n_fields; i++)
        if (strcmp(req->fields[i].name, name) == 0)
            return req->fields[i].value;
    return NULL;
}

enum err http_suspend(struct http_req *req)
{
    struct http_server *s = req->srv;

    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        return ERR_BUSY;
    }
    s->n_suspended++;
    pthread_mutex_unlock(&s->lock);
    req->suspending = 1;
    MHD_suspend_connection(req->conn);
    return ERR_OK;
}

void http_resume(struct http_req *req)
{
    struct http_server *s = req->srv;

    /* req may be gone as soon as the connection is resumed. */
    MHD_resume_connection(req->conn);
    pthread_mutex_lock(&s->lock);
    s->n_suspended--;
    pthread_cond_broadcast(&s->resumed);
    pthread_mutex_unlock(&s->lock);
}

const char *http_cookie(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_client_ip(struct http_req *req)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
        req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    char buf[INET6_ADDRSTRLEN] = "";

    if (sa == NULL)
        return "";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  buf, sizeof(buf));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  sizeof(buf));
    return arena_strdup(&req->arena, buf);
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
    if (rep->set_cookie != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE,
                                      rep->set_cookie);
    if (rep->retry_after != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER,
                                      rep->retry_after);
    if (rep->disposition != NULL)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                                      rep->disposition);
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

enum hres http_send_fd(struct http_req *req, const struct http_reply *rep,
                       int fd, uint64_t size)
{
    int not_modified = rep->etag != NULL && rep->status == 200 &&
                       http_etag_matches(req, rep->etag);
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (not_modified) {
        (void)close(fd); /* only read from */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_fd64(size, fd);
        if (r == NULL)
            (void)close(fd);
    }
    if (r == NULL)
        return H_FATAL;
    add_reply_headers(r, rep, 0);
    ret = MHD_queue_response(req->conn, not_modified ? 304 : rep->status, r);
    MHD_destroy_response(r);
    if (ret != MHD_YES)
        return H_FATAL;
    req->replied = 1;
    req->status = not_modified ? 304 : rep->status;
    return H_OK;
}

enum hres http_send_sb(struct http_req *req, unsigned status,
                       const char *content_type, const struct sb *body,
                       const char *cache_control)
{
    struct http_reply extra = {.status = status,
                               .content_type = content_type,
                               .cache_control = cache_control};

    return http_send_sb_with(req, &extra, body);
}

enum hres http_send_sb_with(struct http_req *req, const struct http_reply *extra,
                            const struct sb *body)
{
    struct http_reply rep = *extra;
    unsigned status = extra->status;
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    char etag[48];
    enum hres h;

    rep.body = sb_str(body);
    rep.len = body->len;
    rep.gz = NULL;
    rep.etag = NULL;
    if (status == 200 && extra->set_cookie == NULL) {
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
