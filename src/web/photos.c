/* photos.c: producers' product photos over HTTP (see web.h).
 * An upload streams to temporary files (http), is checked and resized on
 * the media worker thread while its request is suspended (so no MHD
 * thread waits for libvips), and is then stored in one transaction: the
 * rows, the audit record and the catalog version, the files linked into
 * place. Nothing is kept when any file is refused.
 * Files: conf->media_dir holds BASE-{320,800,1600}.{webp,jpg} (public,
 * served by media_serve_upload); its sibling originals/ keeps the source
 * (never served); its sibling tmp/ holds uploads in progress. */
#include "web/web.h"

#include "catalog/cat_photo.h"
#include "core/log.h"
#include "media/mworker.h"
#include "media/photo.h"
#include "search/srch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UPLOAD_MAX_FILES 10
#define UPLOAD_MAX_TOTAL ((size_t)100 << 20)
#define ALT_MAX_BYTES 1000 /* 300 characters of Vietnamese and more */

static const char *const fmts[] = {"webp", "jpg"};
static const char *const orig_exts[] = {"jpg", "png", "webp", "heic"};

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

/* --- folders ------------------------------------------------------------- */

/* sibling_dir: a folder next to the media folder (originals, tmp). */
static void sibling_dir(const struct conf *conf, const char *leaf, char *out,
                        size_t size)
{
    char media[CONF_STR];
    size_t n;
    const char *slash;

    (void)snprintf(media, sizeof(media), "%s", conf->media_dir);
    n = strlen(media);
    while (n > 1 && media[n - 1] == '/')
        media[--n] = '\0';
    slash = strrchr(media, '/');
    if (slash == NULL)
        (void)snprintf(out, size, "%s", leaf);
    else
        (void)snprintf(out, size, "%.*s/%s", (int)(slash - media + 1), media,
                       leaf);
}

static enum err make_dir(const char *path, mode_t mode, struct err_ctx *ec)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        return err_set(ec, ERR_IO, "%s: %s", path, strerror(errno));
    return ERR_OK;
}

/* remove_tree: a job folder and the files in it (no deeper). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char sub[PATH_MAX + 260];

    while (d != NULL && (de = readdir(d)) != NULL) {
        (void)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        (void)unlink(sub); /* "." and ".." fail, as they should */
    }
    if (d != NULL)
        (void)closedir(d);
    (void)rmdir(path);
}

/* clean_tmp: uploads and jobs left by a process that did not stop. */
static void clean_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *de;
    char path[PATH_MAX];

    while (d != NULL && (de = readdir(d)) != NULL) {
        (void)snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
        if (strncmp(de->d_name, "job-", 4) == 0)
            remove_tree(path);
        else if (strncmp(de->d_name, "up-", 3) == 0)
            (void)unlink(path); /* a leftover upload */
    }
    if (d != NULL)
        (void)closedir(d);
}

enum err web_photos_start(struct app *app, struct err_ctx *ec)
{
    char orig[CONF_STR + 16], tmp[CONF_STR + 16];
    enum err e;

    sibling_dir(app->conf, "originals", orig, sizeof(orig));
    sibling_dir(app->conf, "tmp", tmp, sizeof(tmp));
    e = make_dir(app->conf->media_dir, 0755, ec);
    if (e == ERR_OK)
        e = make_dir(orig, 0700, ec);
    if (e == ERR_OK)
        e = make_dir(tmp, 0700, ec);
    if (e != ERR_OK)
        return e;
    clean_tmp(tmp);
    /* libvips itself starts with the first photo (photo_init) */
    return mworker_start(&app->media_worker, ec);
}

void web_photos_stop(struct app *app)
{
    if (app->media_worker == NULL)
        return;
    mworker_free(app->media_worker);
    app->media_worker = NULL;
    photo_shutdown();
}

/* --- the body policy ----------------------------------------------------- */

/* one_segment: path is prefix, one non-empty segment, then suffix. */
static int one_segment(const char *path, const char *prefix, const char *suffix)
{
    size_t n = strlen(prefix);
    const char *slash;

    if (strncmp(path, prefix, n) != 0)
        return 0;
    slash = strchr(path + n, '/');
    return slash != NULL && slash > path + n && strcmp(slash, suffix) == 0;
}

static int is_upload_path(const char *path)
{
    return one_segment(path, "/api/v1/products/", "/photos") ||
           one_segment(path, "/quan-ly/san-pham/", "/anh");
}

void web_body_policy(void *cls, struct http_req *req,
                     struct http_body_policy *p)
{
    struct app *app = cls;
    char tmp[CONF_STR + 16];

    if (strcmp(req->method, "POST") != 0 || !is_upload_path(req->path))
        return;
    sibling_dir(app->conf, "tmp", tmp, sizeof(tmp));
    p->multipart = 1;
    p->max_total = UPLOAD_MAX_TOTAL;
    p->max_file = PHOTO_MAX_BYTES;
    p->max_files = UPLOAD_MAX_FILES;
    p->tmp_dir = arena_strdup(&req->arena, tmp);
}

enum hres web_refuse_body(struct ctx *c)
{
    return web_fail(c, 413, "too_big",
                    is_upload_path(c->req->path) ? "err_upload_too_big"
                                                 : "err_too_big");
}

/* --- serving processed files --------------------------------------------- */

static int is_hex8(const char *s)
{
    int i;

    for (i = 0; i < 8; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* valid_base: "<id>-<8 hex>", the id without leading zeros. */
static int valid_base(const char *s, size_t n)
{
    size_t i = 0;

    if (n < 10 || n > 28 || s[0] < '1' || s[0] > '9')
        return 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i <= 19 && i + 9 == n && s[i] == '-' && is_hex8(s + i + 1);
}

/* upload_name: NAME is BASE-{320,800,1600}.{webp,jpg}; *type gets its
 * content type. A fixed pattern: nothing else can name a file. */
static int upload_name(const char *name, const char **type)
{
    static const char *const tails[] = {"-320.webp", "-800.webp", "-1600.webp",
                                        "-320.jpg",  "-800.jpg",  "-1600.jpg"};
    size_t n = strlen(name), k, tl;

    for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
        tl = strlen(tails[k]);
        if (n > tl && strcmp(name + n - tl, tails[k]) == 0 &&
            valid_base(name, n - tl)) {
            *type = k < 3 ? "image/webp" : "image/jpeg";
            return 1;
        }
    }
    return 0;
}

enum hres media_serve_upload(struct ctx *c)
{
    struct http_reply rep = {.status = 200};
    const char *type = NULL;
    char path[PATH_MAX];
    struct stat st;
    int fd;

    if (!upload_name(c->rest, &type))
        return web_fail(c, 404, "not_found", "err_not_found");
    (void)snprintf(path, sizeof(path), "%s/%s", c->app->conf->media_dir,
                   c->rest);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return web_fail(c, 404, "not_found", "err_not_found");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        (void)close(fd); /* read only */
        return web_fail(c, 404, "not_found", "err_not_found");
    }
    rep.content_type = type;
    /* A name is never reused for other bytes: its id and source hash. */
    rep.etag = arena_printf(&c->req->arena, "\"%s\"", c->rest);
    rep.cache_control = "public, max-age=31536000, immutable";
    return http_send_fd(c->req, &rep, fd, (uint64_t)st.st_size);
}

/* --- files of a stored photo --------------------------------------------- */

/* link_file: dst becomes another name of src (a copy across file
 * systems); a file already at dst is an orphan of a failed attempt. */
static enum err link_file(const char *src, const char *dst, struct err_ctx *ec)
{
    char buf[65536];
    ssize_t n = 0;
    int in, out;

    (void)unlink(dst); /* usually absent */
    if (link(src, dst) == 0)
        return ERR_OK;
    if (errno != EXDEV && errno != EPERM)
        return err_set(ec, ERR_IO, "link %s: %s", dst, strerror(errno));
    in = open(src, O_RDONLY | O_CLOEXEC);
    out =
        in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    if (in >= 0)
        (void)close(in); /* read only */
    if (out < 0 || n < 0 || close(out) != 0) {
        (void)unlink(dst);
        return err_set(ec, ERR_IO, "copy %s: %s", dst, strerror(errno));
    }
    return ERR_OK;
}

/* remove_stored: the public versions and the original of base. */
static void remove_stored(const struct conf *conf, const char *base)
{
    char orig[CONF_STR + 16], path[PATH_MAX];
    size_t w, f;

    if (!valid_base(base, strlen(base)))
        return; /* never compose a path from anything else */
    for (w = 0; w < PHOTO_N_SIZES; w++)
        for (f = 0; f < 2; f++) {
            (void)snprintf(path, sizeof(path), "%s/%s-%d.%s", conf->media_dir,
                           base, photo_width((int)w), fmts[f]);
            if (unlink(path) != 0 && errno != ENOENT)
                log_msg(LOG_WARN, "photos", "cannot remove %s: %s", path,
                        strerror(errno));
        }
    sibling_dir(conf, "originals", orig, sizeof(orig));
    for (f = 0; f < sizeof(orig_exts) / sizeof(orig_exts[0]); f++) {
        (void)snprintf(path, sizeof(path), "%s/%s.%s", orig, base,
                       orig_exts[f]);
        (void)unlink(path); /* only one of them exists */
    }
}

/* --- the media worker job ------------------------------------------------ */

struct photo_job {
    struct http_req *req;
    char dir[PATH_MAX]; /* the job's own folder under tmp/ */
    int n;
    const char *src[UPLOAD_MAX_FILES];  /* the uploads (the request's) */
    const char *name[UPLOAD_MAX_FILES]; /* as the client named them */
    struct photo_result res[UPLOAD_MAX_FILES];
    enum err e;
    struct err_ctx ec;
    int failed; /* which file e is about */
    double ms;
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* job_run: on the media worker thread; the request waits, suspended. */
static void job_run(void *cls)
{
    struct photo_job *j = cls;
    double t0 = now_ms();
    char stem[16];
    int i;

    for (i = 0; i < j->n && j->e == ERR_OK; i++) {
        (void)snprintf(stem, sizeof(stem), "%d", i);
        j->e = photo_process(j->src[i], j->dir, stem, &j->res[i], &j->ec);
        if (j->e != ERR_OK)
            j->failed = i;
    }
    j->ms = now_ms() - t0;
    http_resume(j->req); /* the last touch of the request */
}

static void job_free(void *cls)
{
    struct photo_job *j = cls;
    char path[PATH_MAX + 32];
    int i, w, f;

    for (i = 0; i < j->n; i++)
        for (w = 0; w < PHOTO_N_SIZES; w++)
            for (f = 0; f < 2; f++) {
                (void)snprintf(path, sizeof(path), "%s/%d-%d.%s", j->dir, i,
                               photo_width(w), fmts[f]);
                (void)unlink(path); /* absent after a failure */
            }
    if (j->dir[0] != '\0' && rmdir(j->dir) != 0)
        log_msg(LOG_WARN, "photos", "cannot remove %s: %s", j->dir,
                strerror(errno));
    free(j);
}

/* --- failures ------------------------------------------------------------ */

/* Each user-facing failure: its i18n key, status and JSON code. */
static const struct {
    const char *key;
    unsigned status;
    const char *code;
} failures[] = {
    {"err_upload_too_big", 413, "too_big"},
    {"err_photo_too_big", 413, "file_too_big"},
    {"err_photo_too_many_files", 413, "too_many_files"},
    {"err_upload_malformed", 422, "bad_upload"},
    {"err_photo_none", 422, "no_photo"},
    {"err_photo_not_image", 422, "not_image"},
    {"err_photo_format", 422, "unsupported_format"},
    {"err_photo_pixels", 422, "too_many_pixels"},
    {"err_photo_corrupt", 422, "corrupt_image"},
    {"err_photo_too_many", 422, "too_many_photos"},
    {"err_photo_alt", 422, "invalid_alt"},
    {"err_photo_change", 422, "invalid_change"},
    {"err_photo_not_found", 404, "not_found"},
    {"err_busy", 503, "busy"},
};

struct fail {
    const char *key;  /* NULL: none */
    const char *file; /* the file it is about, or NULL */
};

static unsigned fail_status(const char *key, const char **code)
{
    size_t i;

    for (i = 0; i < sizeof(failures) / sizeof(failures[0]); i++)
        if (strcmp(failures[i].key, key) == 0) {
            *code = failures[i].code;
            return failures[i].status;
        }
    *code = "internal";
    return 500;
}

/* api_fail: {"error":{"code","message","file"}}. */
static enum hres api_fail(struct ctx *c, const struct fail *f)
{
    const char *code;
    unsigned status = fail_status(f->key, &code);
    cJSON *root = cJSON_CreateObject(), *err;
    enum hres h;

    err = cJSON_AddObjectToObject(root, "error");
    if (err == NULL) {
        cJSON_Delete(root);
        return H_FATAL;
    }
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message",
                            t(c, status == 500 ? "err_internal" : f->key));
    if (f->file != NULL)
        cJSON_AddStringToObject(err, "file", f->file);
    h = api_send_json(c, status, root, 0);
    cJSON_Delete(root);
    return h;
}

static enum hres render_page(struct ctx *c, const struct cat_photo_owner *own,
                             const struct fail *f, const char *ok_key);

static enum hres reply_fail(struct ctx *c, const struct cat_photo_owner *own,
                            const struct fail *f)
{
    if (strcmp(f->key, "err_internal") == 0)
        log_msg(LOG_ERROR, "photos", "%s %s failed", c->req->method,
                c->req->path);
    return c->is_api ? api_fail(c, f) : render_page(c, own, f, NULL);
}

/* fail_of_err: the failure for e from a lower layer. */
static struct fail fail_of_err(enum err e, const struct err_ctx *ec,
                               const char *file)
{
    struct fail f = {"err_internal", file};

    if (e == ERR_UNPROCESSABLE && ec->key != NULL)
        f.key = ec->key;
    else if (e == ERR_NOTFOUND)
        f.key = "err_photo_not_found";
    else if (e == ERR_BUSY)
        f.key = "err_busy";
    if (strcmp(f.key, "err_internal") == 0)
        log_msg(LOG_ERROR, "photos", "%s: %s", err_name(e), ec->msg);
    return f;
}

/* --- the product and who may change it ----------------------------------- */

/* owner: the product of the route's slug when c->who may edit it; else
 * the 404 or 403 is sent (*h). */
static int owner(struct ctx *c, struct cat_photo_owner *own, enum hres *h)
{
    struct err_ctx ec = {0};
    const char *slug = c->args[0];
    enum err e;

    if (slug == NULL || !params_valid_slug(slug)) {
        *h = web_fail(c, 404, "not_found", "err_product_not_found");
        return 0;
    }
    e = cat_photo_owner(c->w->db, slug, own, &ec);
    if (e == ERR_NOTFOUND)
        *h = web_fail(c, 404, "not_found", "err_product_not_found");
    else if (e != ERR_OK)
        *h = web_fail_err(c, e, &ec);
    else if (!auth_may_edit_producer(&c->who, own->producer_id))
        *h = web_fail(c, 403, "forbidden", "err_not_your_product");
    return e == ERR_OK && auth_may_edit_producer(&c->who, own->producer_id);
}

/* photo_id_arg: the route's second "*" as a photo id; 0 when invalid. */
static int64_t photo_id_arg(struct ctx *c)
{
    const char *s = c->args[1];
    long long v;
    char *end;

    if (s == NULL || s[0] < '1' || s[0] > '9' || strlen(s) > 18)
        return 0;
    v = strtoll(s, &end, 10);
    return *end == '\0' ? (int64_t)v : 0;
}

/* send_product: the whole product as GET /api/v1/products/{slug} has it
 * (for any product, public or not). */
static enum hres send_product(struct ctx *c, const char *slug, unsigned status)
{
    struct err_ctx ec = {0};
    cJSON *p = NULL;
    enum hres h;
    enum err e = cat_product_any(c->w->db, &c->env, slug, &p, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    h = api_send_json(c, status, p, 0);
    cJSON_Delete(p);
    return h;
}

/* clean_text: s normalised to NFC, without control characters, at most
 * ALT_MAX_BYTES; NULL when it is not valid UTF-8 or too long. */
static const char *clean_text(struct ctx *c, const char *s)
{
    struct sb sb;
    const char *out = NULL, *p;

    sb_init(&sb, ALT_MAX_BYTES);
    if (srch_nfc(s, strlen(s), &sb) == ERR_OK) {
        for (p = sb_str(&sb); *p != '\0' && (unsigned char)*p >= 0x20; p++)
            ;
        if (*p == '\0')
            out = arena_strdup(&c->req->arena, sb_str(&sb));
    }
    sb_release(&sb);
    return out;
}

/* --- storing an upload --------------------------------------------------- */

struct store_tx {
    struct ctx *c;
    const struct cat_photo_owner *own;
    struct photo_job *j;
    const char *alt;
    char base[UPLOAD_MAX_FILES][CAT_PHOTO_BASE];
    int n_placed; /* photos whose files are in place */
};

static void unplace(struct store_tx *s)
{
    int i;

    for (i = 0; i < s->n_placed; i++)
        remove_stored(s->c->app->conf, s->base[i]);
    s->n_placed = 0;
}

/* place: links photo i's versions and original under their names. */
static enum err place(struct store_tx *s, int i, struct err_ctx *ec)
{
    const struct conf *conf = s->c->app->conf;
    char src[PATH_MAX + 32], dst[PATH_MAX], orig[CONF_STR + 16];
    enum err e = ERR_OK;
    int w, f;

    s->n_placed = i + 1; /* what failed half-way is removed too */
    for (w = 0; w < PHOTO_N_SIZES && e == ERR_OK; w++)
        for (f = 0; f < 2 && e == ERR_OK; f++) {
            (void)snprintf(src, sizeof(src), "%s/%d-%d.%s", s->j->dir, i,
                           photo_width(w), fmts[f]);
            (void)snprintf(dst, sizeof(dst), "%s/%s-%d.%s", conf->media_dir,
                           s->base[i], photo_width(w), fmts[f]);
            e = link_file(src, dst, ec);
        }
    sibling_dir(conf, "originals", orig, sizeof(orig));
    (void)snprintf(dst, sizeof(dst), "%s/%s.%s", orig, s->base[i],
                   s->j->res[i].ext);
    return e == ERR_OK ? link_file(s->j->src[i], dst, ec) : e;
}

/* finish_change: the audit record, the product's updated_at and the
 * catalog version, in the caller's transaction. */
static enum err finish_change(struct db *db, struct ctx *c, int64_t product_id,
                              const char *action, const char *summary,
                              const cJSON *before, struct err_ctx *ec)
{
    struct actor who = auth_actor(&c->who, c->ip);
    cJSON *after = NULL;
    enum err e = cat_photo_snapshot(db, product_id, &after, ec);

    if (e == ERR_OK)
        e = audit_record(db, &who, action, "product", product_id, summary,
                         before, after, ec);
    cJSON_Delete(after);
    if (e == ERR_OK)
        e = cat_photo_touch(db, product_id, ec);
    return e == ERR_OK ? db_bump_catalog_version(db, ec) : e;
}

static enum err store_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct store_tx *s = cls;
    struct cat_photo_new p = {0};
    cJSON *before = NULL;
    int64_t id;
    int i;
    enum err e;

    unplace(s); /* a retried transaction starts clean */
    e = cat_photo_snapshot(db, s->own->product_id, &before, ec);
    for (i = 0; i < s->j->n && e == ERR_OK; i++) {
        p.hash = s->j->res[i].hash;
        p.width = s->j->res[i].width;
        p.height = s->j->res[i].height;
        p.alt_vi = p.alt_en = s->alt;
        e = cat_photo_add(db, s->own->product_id, &p, &id, s->base[i], ec);
        if (e == ERR_OK)
            e = place(s, i, ec);
    }
    if (e == ERR_OK)
        e = finish_change(
            db, s->c, s->own->product_id, "photo.upload",
            arena_printf(&s->c->req->arena, "%d photo(s) added", s->j->n),
            before, ec);
    cJSON_Delete(before);
    return e;
}

/* --- uploading ----------------------------------------------------------- */

/* body_fail: what is wrong with the streamed body, or key NULL. */
static struct fail body_fail(struct ctx *c)
{
    struct http_req *r = c->req;
    struct fail f = {NULL, r->error_file};
    int i, n = 0;

    switch (r->body_error) {
    case HTTP_BODY_OK: break;
    case HTTP_BODY_TOO_BIG: f.key = "err_upload_too_big"; return f;
    case HTTP_BODY_FILE_TOO_BIG: f.key = "err_photo_too_big"; return f;
    case HTTP_BODY_TOO_MANY_FILES: f.key = "err_photo_too_many_files"; return f;
    case HTTP_BODY_MALFORMED: f.key = "err_upload_malformed"; return f;
    default: f.key = "err_internal"; return f;
    }
    if (!r->multipart) {
        f.key = "err_upload_malformed";
        return f;
    }
    for (i = 0; i < r->n_files; i++)
        n += strcmp(r->files[i].field, "photo") == 0;
    if (n == 0)
        f.key = "err_photo_none";
    else if (http_field(r, "alt") != NULL && *http_field(r, "alt") != '\0' &&
             clean_text(c, http_field(r, "alt")) == NULL)
        f.key = "err_photo_alt";
    return f;
}

/* room_fail: refused before any work when the product has no room for
 * the photos sent (cat_photo_add checks again when storing). */
static struct fail room_fail(struct ctx *c, const struct cat_photo_owner *own)
{
    struct fail f = {NULL, NULL};
    struct err_ctx ec = {0};
    int i, have = 0, n = 0;
    enum err e = cat_photo_count(c->w->db, own->product_id, &have, &ec);

    for (i = 0; i < c->req->n_files; i++)
        n += strcmp(c->req->files[i].field, "photo") == 0;
    if (e != ERR_OK)
        return fail_of_err(e, &ec, NULL);
    if (have + n > CAT_PHOTO_MAX)
        f.key = "err_photo_too_many";
    return f;
}

static struct photo_job *job_new(struct ctx *c)
{
    struct photo_job *j = calloc(1, sizeof(*j));
    char tmp[CONF_STR + 16];
    int i;

    if (j == NULL)
        return NULL;
    j->req = c->req;
    for (i = 0; i < c->req->n_files; i++)
        if (strcmp(c->req->files[i].field, "photo") == 0) {
            j->src[j->n] = c->req->files[i].path;
            j->name[j->n++] = c->req->files[i].filename;
        }
    sibling_dir(c->app->conf, "tmp", tmp, sizeof(tmp));
    (void)snprintf(j->dir, sizeof(j->dir), "%s/job-XXXXXX", tmp);
    if (mkdtemp(j->dir) == NULL) {
        log_msg(LOG_ERROR, "photos", "mkdtemp in %s: %s", tmp, strerror(errno));
        free(j);
        return NULL;
    }
    return j;
}

/* start_job: parks the request and hands its files to the media worker;
 * the handler runs again (resumed) when they are done. */
static enum hres start_job(struct ctx *c, const struct cat_photo_owner *own)
{
    struct photo_job *j = job_new(c);
    struct fail f = {"err_internal", NULL};

    if (j == NULL)
        return reply_fail(c, own, &f);
    c->req->user = j;
    c->req->user_free = job_free;
    if (http_suspend(c->req) != ERR_OK) {
        f.key = "err_busy";
        return reply_fail(c, own, &f);
    }
    if (mworker_submit(c->app->media_worker, job_run, j) != ERR_OK) {
        j->e = err_user(&j->ec, ERR_BUSY, "err_busy", NULL, "queue full");
        http_resume(c->req); /* answered busy when run again */
    }
    return H_OK;
}

/* upload: POST of photos, by the API (201 with the product) or the
 * portal (303 back to the list). */
static enum hres upload(struct ctx *c)
{
    struct photo_job *j = c->req->user;
    struct store_tx s = {.c = c};
    struct cat_photo_owner own;
    struct err_ctx ec = {0};
    struct fail f;
    enum hres h;
    enum err e;

    if (!owner(c, &own, &h))
        return h;
    if (j == NULL) {
        f = body_fail(c);
        if (f.key == NULL)
            f = room_fail(c, &own);
        return f.key != NULL ? reply_fail(c, &own, &f) : start_job(c, &own);
    }
    if (j->e != ERR_OK) {
        f = fail_of_err(j->e, &j->ec, j->name[j->failed]);
        return reply_fail(c, &own, &f);
    }
    s.own = &own;
    s.j = j;
    s.alt = http_field(c->req, "alt") && *http_field(c->req, "alt") != '\0'
                ? clean_text(c, http_field(c->req, "alt"))
                : own.name;
    e = db_tx_run(c->w->db, "photo upload", store_fn, &s, &ec);
    if (e != ERR_OK) {
        unplace(&s);
        f = fail_of_err(e, &ec, NULL);
        return reply_fail(c, &own, &f);
    }
    log_msg(LOG_INFO, "photos", "%s: %d photo(s) processed in %.0f ms",
            own.slug, j->n, j->ms);
    if (c->is_api)
        return send_product(c, own.slug, 201);
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-ly/san-pham/%s/anh?ok=uploaded",
                                        own.slug));
}

enum hres api_photos_post(struct ctx *c)
{
    return upload(c);
}

enum hres page_photos_post(struct ctx *c)
{
    return upload(c);
}

/* --- changing and removing ----------------------------------------------- */

struct edit_tx {
    struct ctx *c;
    int64_t product_id, photo_id;
    int remove;
    int position; /* -1: unchanged */
    int step;     /* -1 up, +1 down, 0 none (the portal's buttons) */
    const char *alt_vi, *alt_en;
    struct cat_photo_row row; /* what was removed */
};

static enum err change(struct db *db, struct edit_tx *x, struct err_ctx *ec)
{
    struct cat_photo_row row;
    enum err e = ERR_OK;

    if (x->remove)
        return cat_photo_delete(db, x->product_id, x->photo_id, &x->row, ec);
    if (x->step != 0) {
        e = cat_photo_get(db, x->product_id, x->photo_id, &row, ec);
        x->position = row.position + x->step < 0 ? 0 : row.position + x->step;
    }
    if (e == ERR_OK && x->position >= 0)
        e = cat_photo_move(db, x->product_id, x->photo_id, x->position, ec);
    if (e == ERR_OK && (x->alt_vi != NULL || x->alt_en != NULL))
        e = cat_photo_set_alt(db, x->product_id, x->photo_id, x->alt_vi,
                              x->alt_en, ec);
    return e;
}

static enum err edit_fn(struct db *db, void *cls, struct err_ctx *ec)
{
    struct edit_tx *x = cls;
    cJSON *before = NULL;
    enum err e = cat_photo_snapshot(db, x->product_id, &before, ec);

    if (e == ERR_OK)
        e = change(db, x, ec);
    if (e == ERR_OK)
        e = finish_change(db, x->c, x->product_id,
                          x->remove ? "photo.delete" : "photo.update",
                          arena_printf(&x->c->req->arena, "photo %lld %s",
                                       (long long)x->photo_id,
                                       x->remove ? "removed" : "changed"),
                          before, ec);
    cJSON_Delete(before);
    return e;
}

/* run_edit: the change in one transaction; an uploaded photo's files go
 * once its row is gone (shared seed illustrations stay). */
static enum err run_edit(struct edit_tx *x, struct err_ctx *ec)
{
    enum err e = db_tx_run(x->c->w->db, "photo edit", edit_fn, x, ec);

    if (e == ERR_OK && x->remove && strcmp(x->row.kind, "upload") == 0)
        remove_stored(x->c->app->conf, x->row.file);
    return e;
}

/* patch_of: the change a PATCH body asks for; 0 when it is invalid. */
static int patch_of(struct ctx *c, const cJSON *j, struct edit_tx *x)
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(j, "position");
    const cJSON *cover = cJSON_GetObjectItemCaseSensitive(j, "cover");
    const cJSON *vi = cJSON_GetObjectItemCaseSensitive(j, "alt_vi");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(j, "alt_en");

    if ((pos && (!cJSON_IsNumber(pos) || pos->valuedouble < 0 ||
                 pos->valuedouble > 1000 ||
                 pos->valuedouble != (double)(int)pos->valuedouble)) ||
        (cover && !cJSON_IsBool(cover)) || (vi && !cJSON_IsString(vi)) ||
        (en && !cJSON_IsString(en)) || (!pos && !cover && !vi && !en))
        return 0;
    x->position = pos ? (int)pos->valuedouble : -1;
    if (cJSON_IsTrue(cover))
        x->position = 0;
    x->alt_vi = vi ? clean_text(c, vi->valuestring) : NULL;
    x->alt_en = en ? clean_text(c, en->valuestring) : NULL;
    return (!vi || x->alt_vi != NULL) && (!en || x->alt_en != NULL);
}

static enum hres api_edit(struct ctx *c, int remove)
{
    struct edit_tx x = {.c = c, .remove = remove, .position = -1};
    struct cat_photo_owner own;
    struct err_ctx ec = {0};
    struct fail f = {"err_photo_change", NULL};
    cJSON *j = NULL;
    enum hres h;
    enum err e;

    if (!owner(c, &own, &h))
        return h;
    x.product_id = own.product_id;
    x.photo_id = photo_id_arg(c);
    if (x.photo_id == 0)
        return web_fail(c, 404, "not_found", "err_photo_not_found");
    if (!remove) {
        j = web_json_body(c, &h);
        if (j == NULL)
            return h;
        if (!patch_of(c, j, &x)) {
            cJSON_Delete(j);
            return reply_fail(c, &own, &f);
        }
    }
    e = run_edit(&x, &ec);
    cJSON_Delete(j);
    if (e != ERR_OK) {
        f = fail_of_err(e, &ec, NULL);
        return reply_fail(c, &own, &f);
    }
    return send_product(c, own.slug, 200);
}

enum hres api_photo_patch(struct ctx *c)
{
    return api_edit(c, 0);
}

enum hres api_photo_delete(struct ctx *c)
{
    return api_edit(c, 1);
}

/* --- the portal page ----------------------------------------------------- */

/* Notes after a change, by ?ok= (never echoed). */
static const struct {
    const char *ok, *key;
} notes[] = {
    {"uploaded", "photos_ok_uploaded"},
    {"moved", "photos_ok_moved"},
    {"cover", "photos_ok_cover"},
    {"deleted", "photos_ok_deleted"},
};

static const char *note_of(const char *ok)
{
    size_t i;

    for (i = 0; ok != NULL && i < sizeof(notes) / sizeof(notes[0]); i++)
        if (strcmp(ok, notes[i].ok) == 0)
            return notes[i].key;
    return NULL;
}

/* view_photo_list: display fields for each photo of the list. */
static void view_photo_list(struct ctx *c, const struct cat_photo_owner *own,
                            cJSON *photos)
{
    int n = cJSON_GetArraySize(photos), i = 0;
    cJSON *ph;

    cJSON_ArrayForEach(ph, photos)
    {
        const char *alt = cJSON_GetStringValue(
            cJSON_GetObjectItem(ph, c->lang == LANG_EN ? "alt_en" : "alt_vi"));
        cJSON_AddStringToObject(ph, "alt", alt ? alt : "");
        cJSON_AddNumberToObject(ph, "n", i + 1);
        cJSON_AddBoolToObject(ph, "can_up", i > 0);
        cJSON_AddBoolToObject(ph, "can_down", i + 1 < n);
        cJSON_AddStringToObject(
            ph, "action",
            view_url(c, arena_printf(&c->req->arena,
                                     "/quan-ly/san-pham/%s/anh/%lld", own->slug,
                                     (long long)cJSON_GetNumberValue(
                                         cJSON_GetObjectItem(ph, "id")))));
        i++;
    }
}

static void page_links(struct ctx *c, const struct cat_photo_owner *own,
                       cJSON *m)
{
    const char *base =
        arena_printf(&c->req->arena, "/quan-ly/san-pham/%s", own->slug);

    cJSON_AddStringToObject(m, "portal_href", view_url(c, "/quan-ly"));
    cJSON_AddStringToObject(m, "edit_href", view_url(c, base));
    cJSON_AddStringToObject(
        m, "upload_action",
        view_url(c, arena_printf(&c->req->arena, "%s/anh", base)));
    cJSON_AddStringToObject(
        m, "public_href",
        view_url(c, arena_printf(&c->req->arena, "/san-pham/%s", own->slug)));
}

static enum hres render_page(struct ctx *c, const struct cat_photo_owner *own,
                             const struct fail *f, const char *ok_key)
{
    struct http_reply rep = {.status = 200, .cache_control = "no-store"};
    const char *code;
    struct err_ctx ec = {0};
    cJSON *m, *photos = NULL, *prod;
    enum err e =
        cat_photo_list(c->w->db, &c->env, own->product_id, &photos, &ec);

    if (e != ERR_OK) {
        cJSON_Delete(photos);
        return web_fail_err(c, e, &ec);
    }
    m = view_private_new(
        c,
        arena_printf(&c->req->arena, "%s — %s", t(c, "photos_title"),
                     own->name),
        arena_printf(&c->req->arena, "/quan-ly/san-pham/%s/anh", own->slug));
    prod = cJSON_AddObjectToObject(m, "product");
    if (m == NULL || prod == NULL) {
        cJSON_Delete(photos);
        cJSON_Delete(m);
        return H_FATAL;
    }
    cJSON_AddStringToObject(prod, "name", own->name);
    cJSON_AddStringToObject(prod, "slug", own->slug);
    page_links(c, own, m);
    view_photo_list(c, own, photos);
    cJSON_AddBoolToObject(m, "has_photos", cJSON_GetArraySize(photos) > 0);
    cJSON_AddItemToObject(m, "photos", photos);
    if (f != NULL && f->key != NULL) {
        rep.status = fail_status(f->key, &code);
        cJSON_AddStringToObject(
            m, "error", t(c, rep.status == 500 ? "err_internal" : f->key));
        if (f->file != NULL)
            cJSON_AddStringToObject(m, "error_file", f->file);
    }
    if (ok_key != NULL)
        cJSON_AddStringToObject(m, "ok", t(c, ok_key));
    return view_render_private(c, &rep, "photos", m);
}

enum hres page_photos(struct ctx *c)
{
    struct cat_photo_owner own;
    enum hres h;

    if (!owner(c, &own, &h))
        return h;
    return render_page(c, &own, NULL, note_of(http_arg(c->req, "ok")));
}

/* action_of: the portal's button; 0 when unknown. */
static int action_of(const char *a, struct edit_tx *x, const char **ok)
{
    if (a == NULL)
        return 0;
    *ok = "moved";
    if (strcmp(a, "up") == 0)
        x->step = -1;
    else if (strcmp(a, "down") == 0)
        x->step = 1;
    else if (strcmp(a, "cover") == 0)
        x->position = 0, *ok = "cover";
    else if (strcmp(a, "delete") == 0)
        x->remove = 1, *ok = "deleted";
    else
        return 0;
    return 1;
}

enum hres page_photo_action(struct ctx *c)
{
    struct edit_tx x = {.c = c, .position = -1};
    struct fail f = {"err_photo_change", NULL};
    struct cat_photo_owner own;
    struct err_ctx ec = {0};
    const char *ok = NULL;
    struct form form;
    enum hres h;
    enum err e;

    if (!owner(c, &own, &h))
        return h;
    x.product_id = own.product_id;
    x.photo_id = photo_id_arg(c);
    if (x.photo_id == 0)
        return web_fail(c, 404, "not_found", "err_photo_not_found");
    if (!web_form(c, &form) || !action_of(form_get(&form, "action"), &x, &ok))
        return reply_fail(c, &own, &f);
    e = run_edit(&x, &ec);
    if (e != ERR_OK) {
        f = fail_of_err(e, &ec, NULL);
        return reply_fail(c, &own, &f);
    }
    return web_redirect(c, arena_printf(&c->req->arena,
                                        "/quan-ly/san-pham/%s/anh?ok=%s",
                                        own.slug, ok));
}
