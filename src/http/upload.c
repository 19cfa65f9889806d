/* upload.c: request bodies as they stream in (see upload.h). */
#include "http/upload.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PP_BUFFER 16384
#define MAX_FIELDS 32
#define MAX_FIELD_BYTES 8192
/* Past the limit a chunked body is read and dropped for this much more,
 * so a client slightly over still gets its 413; then the connection is
 * closed. */
#define DRAIN_SLACK ((uint64_t)1 << 20)

struct http_upload {
    struct http_body_policy pol;
    struct MHD_PostProcessor *pp;
    uint64_t total;   /* body bytes seen */
    int fd;           /* the file part being written, or -1 */
    int field_open;   /* a field part is being read */
    uint64_t part_n;  /* bytes of the current part */
    const char *name; /* the current part's field name (arena) */
    struct sb val;    /* the current field's value */
    int n_made;       /* files made, for removal (req->files[0..n_made)) */
    int finished;
};

static void set_error(struct http_req *req, enum http_body_error e,
                      const char *file)
{
    if (req->body_error != HTTP_BODY_OK)
        return;
    req->body_error = e;
    req->error_file = file;
    if (e == HTTP_BODY_TOO_BIG || e == HTTP_BODY_FILE_TOO_BIG)
        req->body_too_big = 1;
}

static void close_file(struct http_upload *up)
{
    if (up->fd >= 0)
        (void)close(up->fd); /* written with write(2): nothing buffered */
    up->fd = -1;
}

static void remove_files(struct http_req *req)
{
    struct http_upload *up = req->up;
    int i;

    close_file(up);
    for (i = 0; i < up->n_made; i++)
        if (req->files[i].path != NULL && unlink(req->files[i].path) != 0 &&
            errno != ENOENT)
            log_msg(LOG_WARN, "http", "cannot remove a temporary file: %s",
                    strerror(errno));
    up->n_made = 0;
    req->n_files = 0;
}

/* end_part: the part being read is complete. */
static void end_part(struct http_req *req)
{
    struct http_upload *up = req->up;
    struct http_field *f;

    if (up->fd >= 0) {
        close_file(up);
        if (up->part_n == 0) { /* an empty file input: no file */
            (void)unlink(req->files[req->n_files - 1].path);
            req->n_files--;
            up->n_made--;
        }
    }
    if (up->field_open && req->body_error == HTTP_BODY_OK) {
        f = &req->fields[req->n_fields++];
        f->name = up->name;
        f->value = arena_strndup(&req->arena, sb_str(&up->val), up->val.len);
        if (f->value == NULL)
            set_error(req, HTTP_BODY_IO, NULL);
    }
    up->field_open = 0;
}

static void begin_file(struct http_req *req, const char *filename)
{
    struct http_upload *up = req->up;
    struct http_file *f;
    char *path;

    if (req->n_files >= up->pol.max_files) {
        set_error(req, HTTP_BODY_TOO_MANY_FILES,
                  arena_strdup(&req->arena, filename));
        return;
    }
    f = &req->files[req->n_files];
    memset(f, 0, sizeof(*f));
    path = arena_printf(&req->arena, "%s/up-XXXXXX", up->pol.tmp_dir);
    f->field = up->name;
    f->filename = arena_strdup(&req->arena, filename);
    if (path == NULL || f->filename == NULL) {
        set_error(req, HTTP_BODY_IO, NULL);
        return;
    }
    up->fd = mkostemp(path, O_CLOEXEC);
    if (up->fd < 0) {
        log_msg(LOG_ERROR, "http", "cannot make a temporary file in %s: %s",
                up->pol.tmp_dir, strerror(errno));
        set_error(req, HTTP_BODY_IO, f->filename);
        return;
    }
    f->path = path;
    req->n_files++;
    up->n_made++;
}

static void begin_part(struct http_req *req, const char *key,
                       const char *filename)
{
    struct http_upload *up = req->up;

    end_part(req);
    up->part_n = 0;
    up->name = arena_strdup(&req->arena, key ? key : "");
    if (up->name == NULL) {
        set_error(req, HTTP_BODY_IO, NULL);
        return;
    }
    if (filename != NULL) {
        begin_file(req, filename);
        return;
    }
    if (req->n_fields >= MAX_FIELDS) {
        set_error(req, HTTP_BODY_MALFORMED, NULL);
        return;
    }
    sb_reset(&up->val);
    up->field_open = 1;
}

static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        data += w;
        n -= (size_t)w;
    }
    return 1;
}

static void part_data(struct http_req *req, const char *data, size_t n)
{
    struct http_upload *up = req->up;
    struct http_file *f;

    up->part_n += n;
    if (up->field_open) {
        if (sb_add(&up->val, data, n) != ERR_OK)
            set_error(req, HTTP_BODY_MALFORMED, NULL);
        return;
    }
    if (up->fd < 0)
        return;
    f = &req->files[req->n_files - 1];
    f->size += n;
    if (f->size > up->pol.max_file)
        set_error(req, HTTP_BODY_FILE_TOO_BIG, f->filename);
    else if (!write_all(up->fd, data, n))
        set_error(req, HTTP_BODY_IO, f->filename);
    if (req->body_error != HTTP_BODY_OK)
        remove_files(req);
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    struct http_req *req = cls;
    struct http_upload *up = req->up;
    int open_part = up->fd >= 0 || up->field_open;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (req->body_error != HTTP_BODY_OK)
        return MHD_YES; /* the rest is dropped */
    /* A part starts at offset 0; MHD may first report it with no bytes. */
    if (off == 0 && !(open_part && up->part_n == 0 && up->name != NULL &&
                      strcmp(up->name, key ? key : "") == 0))
        begin_part(req, key, filename);
    if (req->body_error == HTTP_BODY_OK && size > 0)
        part_data(req, data, size);
    return MHD_YES;
}

static int is_multipart(struct http_req *req)
{
    const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);

    return ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0;
}

static void check_length(struct http_req *req, const struct http_body_policy *p)
{
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long n;
    char *end;

    if (cl == NULL)
        return;
    errno = 0;
    n = strtoull(cl, &end, 10);
    if (errno != 0 || end == cl || n > p->max_total) {
        req->body_refused = 1;
        set_error(req, HTTP_BODY_TOO_BIG, NULL);
    }
}

static enum err start_multipart(struct http_req *req)
{
    struct http_upload *up = req->up;

    req->multipart = 1;
    req->fields = arena_alloc(&req->arena, sizeof(*req->fields) * MAX_FIELDS);
    req->files = arena_alloc(&req->arena,
                             sizeof(*req->files) * (size_t)up->pol.max_files);
    if (req->fields == NULL || req->files == NULL)
        return ERR_NOMEM;
    up->pp = MHD_create_post_processor(req->conn, PP_BUFFER, on_part, req);
    if (up->pp == NULL)
        set_error(req, HTTP_BODY_MALFORMED, NULL); /* no boundary */
    return ERR_OK;
}

enum err upload_begin(struct http_req *req, const struct http_body_policy *p)
{
    struct http_upload *up = calloc(1, sizeof(*up));

    if (up == NULL)
        return ERR_NOMEM;
    req->up = up;
    up->pol = *p;
    up->fd = -1;
    sb_init(&up->val, MAX_FIELD_BYTES);
    /* A plain body is kept in memory: a larger limit is for streamed
     * multipart bodies only, unless the policy asked for a plain one. */
    req->body.max = p->multipart && p->max_total > HTTP_MAX_BODY ? HTTP_MAX_BODY
                                                                 : p->max_total;
    check_length(req, p);
    if (req->body_refused)
        return ERR_OK;
    if (p->multipart && p->tmp_dir != NULL && p->max_files > 0 &&
        is_multipart(req))
        return start_multipart(req);
    return ERR_OK;
}

int upload_take(struct http_req *req, const char *data, size_t n)
{
    struct http_upload *up = req->up;

    up->total += n;
    if (up->total > up->pol.max_total) {
        set_error(req, HTTP_BODY_TOO_BIG, NULL);
        if (req->multipart)
            remove_files(req);
        return up->total <= up->pol.max_total + DRAIN_SLACK;
    }
    if (req->body_error != HTTP_BODY_OK)
        return 1; /* dropped */
    if (up->pp != NULL) {
        if (MHD_post_process(up->pp, data, n) != MHD_YES)
            set_error(req, HTTP_BODY_MALFORMED, NULL);
    } else if (!req->multipart && sb_add(&req->body, data, n) != ERR_OK) {
        set_error(req, HTTP_BODY_TOO_BIG, NULL);
    }
    if (req->body_error != HTTP_BODY_OK && req->multipart)
        remove_files(req);
    return 1;
}

void upload_finish(struct http_req *req)
{
    struct http_upload *up = req->up;

    if (up == NULL || up->finished)
        return;
    up->finished = 1;
    if (up->pp != NULL) {
        /* MHD reports leftovers after the last boundary as an error too,
         * which browsers never send; a cut body never gets here. */
        (void)MHD_destroy_post_processor(up->pp);
        up->pp = NULL;
        end_part(req);
    }
    if (req->body_error != HTTP_BODY_OK && req->multipart)
        remove_files(req);
}

void upload_release(struct http_req *req)
{
    struct http_upload *up = req->up;

    if (up == NULL)
        return;
    if (up->pp != NULL)
        (void)MHD_destroy_post_processor(up->pp); /* the request is over */
    if (req->multipart)
        remove_files(req);
    sb_release(&up->val);
    free(up);
    req->up = NULL;
}
