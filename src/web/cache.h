/* cache.h: the rendered-response cache.
 * Owns: a bounded, direct-mapped table of finished responses (body, gzip
 *   body, ETag, content type) keyed by a string that includes the catalog
 *   version and today's date, so a write or a new day can never serve a
 *   stale page: old keys simply stop matching and are overwritten.
 * Threads: safe; each slot has its own lock. Hits copy the bytes out.
 * Memory: bounded by slots x PAGE_CACHE_MAX_BODY. */
#ifndef OCOP_CACHE_H
#define OCOP_CACHE_H

#include "core/err.h"
#include "http/http.h"

#include <stddef.h>

#define PAGE_CACHE_SLOTS 512
#define PAGE_CACHE_MAX_BODY ((size_t)96 * 1024)

struct page_cache;

struct page_cache *page_cache_new(void);
void page_cache_free(struct page_cache *c);

/* page_cache_send: when key is cached, sends it and returns 1. */
int page_cache_send(struct page_cache *c, struct http_req *req,
                    const char *key);

/* page_cache_put_send: stores the response under key (when small enough)
 * and sends it. */
enum hres page_cache_put_send(struct page_cache *c, struct http_req *req,
                              const char *key, const char *content_type,
                              const char *cache_control, const void *body,
                              size_t len);

#endif
