/* asset.c: in-memory, content-hashed static files (see asset.h). */
#include "assets/asset.h"

#include "core/file.h"
#include "core/sb.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_ASSET ((size_t)32 << 20)
#define HASH_BYTES 8

struct entry {
    struct asset pub;
    char *name, *url, *hashed, *etag;
    unsigned char *data, *gz;
};

struct asset_store {
    struct entry *v;
    size_t n, cap;
    char *prefix;
};

static const struct {
    const char *ext, *mime;
    int text;
} mime_types[] = {
    {".css", "text/css; charset=utf-8", 1},
    {".js", "text/javascript; charset=utf-8", 1},
    {".svg", "image/svg+xml", 1},
    {".json", "application/json", 1},
    {".webmanifest", "application/manifest+json", 1},
    {".txt", "text/plain; charset=utf-8", 1},
    {".html", "text/html; charset=utf-8", 1},
    {".png", "image/png", 0},
    {".jpg", "image/jpeg", 0},
    {".jpeg", "image/jpeg", 0},
    {".webp", "image/webp", 0},
    {".ico", "image/x-icon", 0},
    {".woff2", "font/woff2", 0},
};

static int mime_of(const char *name, const char **mime)
{
    const char *dot = strrchr(name, '.');
    size_t i;

    *mime = "application/octet-stream";
    for (i = 0; dot && i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
        if (strcmp(dot, mime_types[i].ext) == 0) {
            *mime = mime_types[i].mime;
            return mime_types[i].text;
        }
    return 0;
}

enum err asset_gzip(const void *data, size_t len, int level,
                    unsigned char **out, size_t *out_len)
{
    z_stream z;
    uLong bound;
    unsigned char *buf;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return ERR_NOMEM;
    bound = deflateBound(&z, (uLong)len) + 32;
    buf = malloc(bound);
    if (buf == NULL) {
        deflateEnd(&z);
        return ERR_NOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(buf);
        return ERR_IO;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    *out = buf;
    return ERR_OK;
}

static char *hashed_name(const char *name, const unsigned char *data,
                         size_t len)
{
    unsigned char h[HASH_BYTES];
    char hex[HASH_BYTES * 2 + 1];
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    struct sb sb;

    crypto_generichash(h, sizeof(h), data, len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (dot == NULL || (slash != NULL && dot < slash))
        dot = name + strlen(name);
    sb_init(&sb, 4096);
    if (sb_add(&sb, name, (size_t)(dot - name)) != ERR_OK ||
        sb_addf(&sb, ".%s%s", hex, dot) != ERR_OK) {
        sb_release(&sb);
        return NULL;
    }
    return sb_take(&sb);
}

static enum err fill_entry(struct asset_store *s, struct entry *en,
                           const char *name, unsigned char *data, size_t len)
{
    const char *mime;
    int text = mime_of(name, &mime);
    unsigned char *gz = NULL;
    size_t gz_len = 0, url_size, etag_size;

    en->data = data;
    en->name = strdup(name);
    en->hashed = hashed_name(name, data, len);
    if (en->name == NULL || en->hashed == NULL)
        return ERR_NOMEM;
    url_size = strlen(s->prefix) + strlen(en->hashed) + 1;
    etag_size = strlen(en->hashed) + 3;
    en->url = malloc(url_size);
    en->etag = malloc(etag_size);
    if (en->url == NULL || en->etag == NULL)
        return ERR_NOMEM;
    (void)snprintf(en->url, url_size, "%s%s", s->prefix, en->hashed);
    (void)snprintf(en->etag, etag_size, "\"%s\"", en->hashed);
    if (text && len > 256 && asset_gzip(data, len, 9, &gz, &gz_len) == ERR_OK &&
        gz_len + 64 < len)
        en->gz = gz;
    else
        free(gz);
    en->pub = (struct asset){en->name, en->url, mime, en->etag, en->data, len,
                             en->gz, en->gz ? gz_len : 0};
    return ERR_OK;
}

static enum err add_file(struct asset_store *s, const char *path,
                         const char *name, struct err_ctx *ec)
{
    unsigned char *data = NULL;
    size_t len = 0;
    struct entry *en;
    enum err e;

    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 32;
        struct entry *nv = realloc(s->v, ncap * sizeof(*nv));
        if (nv == NULL)
            return ERR_NOMEM;
        s->v = nv;
        s->cap = ncap;
    }
    e = file_read_all(path, MAX_ASSET, (char **)&data, &len, ec);
    if (e != ERR_OK)
        return e;
    en = &s->v[s->n];
    memset(en, 0, sizeof(*en));
    s->n++; /* counted now so that asset_store_free releases it on error */
    return fill_entry(s, en, name, data, len);
}

static enum err load_dir(struct asset_store *s, const char *dir,
                         const char *rel, int depth, struct err_ctx *ec)
{
    DIR *d;
    struct dirent *de;
    char path[4096], name[4096];
    enum err e = ERR_OK;

    if (depth > 8)
        return ERR_OK;
    d = opendir(dir);
    if (d == NULL)
        return ERR_OK; /* an absent folder is an empty store */
    while (e == ERR_OK && (de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.')
            continue; /* hidden files and . / .. are never served */
        (void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        (void)snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "",
                       de->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            e = load_dir(s, path, name, depth + 1, ec);
        else if (S_ISREG(st.st_mode))
            e = add_file(s, path, name, ec);
    }
    closedir(d);
    return e;
}

enum err asset_store_load(const char *dir, const char *url_prefix,
                          struct asset_store **out, struct err_ctx *ec)
{
    struct asset_store *s = calloc(1, sizeof(*s));
    enum err e;

    *out = NULL;
    if (s == NULL)
        return ERR_NOMEM;
    if (sodium_init() < 0) {
        free(s);
        return err_set(ec, ERR_IO, "libsodium failed to start");
    }
    s->prefix = strdup(url_prefix);
    e = s->prefix ? load_dir(s, dir, "", 0, ec) : ERR_NOMEM;
    if (e != ERR_OK) {
        asset_store_free(s);
        return e;
    }
    *out = s;
    return ERR_OK;
}

void asset_store_free(struct asset_store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        free(s->v[i].name);
        free(s->v[i].url);
        free(s->v[i].hashed);
        free(s->v[i].etag);
        free(s->v[i].data);
        free(s->v[i].gz);
    }
    free(s->v);
    free(s->prefix);
    free(s);
}

const struct asset *asset_by_name(const struct asset_store *s,
                                  const char *name)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i].pub;
    return NULL;
}

const struct asset *asset_by_url_path(const struct asset_store *s,
                                      const char *rest, int *immutable)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].hashed, rest) == 0) {
            *immutable = 1;
            return &s->v[i].pub;
        }
    }
    *immutable = 0;
    return asset_by_name(s, rest);
}

const char *asset_url(const struct asset_store *s, const char *name)
{
    const struct asset *a = asset_by_name(s, name);

    return a ? a->url : NULL;
}

size_t asset_count(const struct asset_store *s)
{
    return s->n;
}

const struct asset *asset_at(const struct asset_store *s, size_t i)
{
    return i < s->n ? &s->v[i].pub : NULL;
}
