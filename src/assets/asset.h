/* asset.h: files served from memory under content-hashed URLs.
 * Owns: loading a folder (recursively) into memory once at start, a
 *   content hash per file ("app.css" -> "app.1f3a9c0b5e2d7a64.css"), a
 *   gzip copy of text files, the MIME type, and finding a file by URL.
 *   Only files loaded here can be served, so a URL can never reach
 *   outside the folder (no path traversal by construction).
 * Does not own: HTTP caching headers (the handler sets them).
 * Memory: the store owns everything; read-only after loading, shared by
 *   all threads; pointers stay valid until asset_store_free(). */
#ifndef OCOP_ASSET_H
#define OCOP_ASSET_H

#include "core/err.h"

#include <stddef.h>

struct asset {
    const char *name;   /* relative path, e.g. "css/app.css" */
    const char *url;    /* prefix + hashed name */
    const char *mime;
    const char *etag;   /* "\"<hash>\"" */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* NULL when not worth compressing */
    size_t gz_len;
};

struct asset_store;

/* asset_store_load: loads dir; url_prefix like "/static/". A missing dir
 * gives an empty store. */
enum err asset_store_load(const char *dir, const char *url_prefix,
                          struct asset_store **out,
                          struct err_ctx *ec) MUST_CHECK;
void asset_store_free(struct asset_store *s);

/* asset_by_name: by relative path; NULL if absent. */
const struct asset *asset_by_name(const struct asset_store *s,
                                  const char *name);
/* asset_by_url_path: by the part of the URL after the prefix, hashed or
 * plain name; *immutable is set to 1 for a hashed (cacheable) name. */
const struct asset *asset_by_url_path(const struct asset_store *s,
                                      const char *rest, int *immutable);
/* asset_url: the hashed URL of name, or NULL. */
const char *asset_url(const struct asset_store *s, const char *name);
size_t asset_count(const struct asset_store *s);
const struct asset *asset_at(const struct asset_store *s, size_t i);

/* asset_gzip: gzip-compresses data at level (1..9) into a malloc'ed
 * buffer. */
enum err asset_gzip(const void *data, size_t len, int level,
                    unsigned char **out, size_t *out_len) MUST_CHECK;

#endif
