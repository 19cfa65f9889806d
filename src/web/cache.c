/* cache.c: the rendered-response cache (see cache.h). */
#include "web/cache.h"

#include "assets/asset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    pthread_rwlock_t lock; /* readers copy out together */
    char *key;
    unsigned char *body, *gz;
    size_t len, gz_len;
    const char *content_type;  /* static strings only */
    const char *cache_control; /* static strings only */
    char etag[48];
};

struct page_cache {
    struct slot slots[PAGE_CACHE_SLOTS];
};

static size_t hash_key(const char *s)
{
    size_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

struct page_cache *page_cache_new(void)
{
    struct page_cache *c = calloc(1, sizeof(*c));
    size_t i;

    if (c == NULL)
        return NULL;
    for (i = 0; i < PAGE_CACHE_SLOTS; i++)
        pthread_rwlock_init(&c->slots[i].lock, NULL);
    return c;
}

static void slot_clear(struct slot *s)
{
    free(s->key);
    free(s->body);
    free(s->gz);
    s->key = NULL;
    s->body = s->gz = NULL;
}

void page_cache_free(struct page_cache *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < PAGE_CACHE_SLOTS; i++) {
        slot_clear(&c->slots[i]);
        pthread_rwlock_destroy(&c->slots[i].lock);
    }
    free(c);
}

int page_cache_send(struct page_cache *c, struct http_req *req,
                    const char *key)
{
    struct slot *s = &c->slots[hash_key(key) % PAGE_CACHE_SLOTS];
    struct http_reply rep = {.status = 200};
    int hit;

    pthread_rwlock_rdlock(&s->lock);
    hit = s->key != NULL && strcmp(s->key, key) == 0;
    if (hit) {
        rep.content_type = s->content_type;
        rep.cache_control = s->cache_control;
        rep.body = s->body;
        rep.len = s->len;
        rep.gz = s->gz;
        rep.gz_len = s->gz_len;
        rep.etag = s->etag;
        /* http_send copies the bytes, so the lock covers only the copy. */
        hit = http_send(req, &rep) == H_OK;
    }
    pthread_rwlock_unlock(&s->lock);
    return hit;
}

static void slot_fill(struct slot *s, const char *key, const char *ctype,
                      const char *cc, const void *body, size_t len)
{
    unsigned char *gz = NULL;
    size_t gz_len = 0;

    slot_clear(s);
    s->key = strdup(key);
    s->body = malloc(len ? len : 1);
    if (s->key == NULL || s->body == NULL ||
        asset_gzip(body, len, 6, &gz, &gz_len) != ERR_OK) {
        slot_clear(s);
        return;
    }
    memcpy(s->body, body, len);
    s->len = len;
    s->gz = gz;
    s->gz_len = gz_len;
    s->content_type = ctype;
    s->cache_control = cc;
    http_etag_of(body, len, s->etag, sizeof(s->etag));
}

enum hres page_cache_put_send(struct page_cache *c, struct http_req *req,
                              const char *key, const char *content_type,
                              const char *cache_control, const void *body,
                              size_t len)
{
    struct slot *s = &c->slots[hash_key(key) % PAGE_CACHE_SLOTS];

    if (len <= PAGE_CACHE_MAX_BODY) {
        pthread_rwlock_wrlock(&s->lock);
        slot_fill(s, key, content_type, cache_control, body, len);
        pthread_rwlock_unlock(&s->lock);
        if (page_cache_send(c, req, key))
            return H_OK;
    }
    {
        struct sb tmp = {.buf = (char *)(uintptr_t)body, .len = len,
                         .cap = len + 1, .max = len};
        return http_send_sb(req, 200, content_type, &tmp, cache_control);
    }
}
