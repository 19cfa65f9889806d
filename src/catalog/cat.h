/* cat.h: the public catalog: groups, producers, products, variants, photos.
 * Owns: the tables product_groups, producers, products, variants, photos;
 *   what is public (a certified product with a current certificate; only
 *   an active certificate lists it and shows its stars); listings with
 *   filters, sorting and pagination; the canonical JSON of each thing,
 *   which the API serialises and the pages render (one source of truth).
 * Does not own: certificate rules (cert), folding and the FTS index
 *   (srch), HTTP, presentation strings (i18n).
 * Memory: cJSON results are the caller's (cJSON_Delete).
 * Errors: ERR_NOTFOUND for what does not exist or is not public;
 *   ERR_INVALID for a bad query (message in ec). */
#ifndef OCOP_CAT_H
#define OCOP_CAT_H

#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define CAT_PER_PAGE_DEFAULT 24
#define CAT_PER_PAGE_MAX 100
#define CAT_PAGE_MAX 10000

enum cat_sort {
    CAT_SORT_RELEVANCE, /* bm25 with a query; featured order without */
    CAT_SORT_NAME,
    CAT_SORT_STARS,
    CAT_SORT_NEWEST,
    CAT_SORT_PRICE,
    CAT_SORT_PRICE_DESC,
    CAT_SORT_COUNT
};

/* cat_sort_parse: name -> sort; -1 when unknown. */
int cat_sort_parse(const char *name);
const char *cat_sort_name(enum cat_sort s);

/* Resolves a stored media file name to its public URL (content-hashed). */
typedef const char *(*cat_media_url_fn)(void *cls, const char *file);

struct cat_env {
    const char *today; /* YYYY-MM-DD in Vietnam */
    cat_media_url_fn media_url;
    void *media_cls;
};

struct cat_query {
    const char *q;        /* NULL or "" for none */
    int group;            /* 0 for any */
    int stars;            /* 0 for any */
    const char *province; /* province slug or NULL */
    const char *commune;  /* commune slug or NULL */
    const char *producer; /* producer slug or NULL */
    enum cat_sort sort;
    int page;     /* from 1 */
    int per_page; /* 1..CAT_PER_PAGE_MAX */
};

void cat_query_init(struct cat_query *q);

/* cat_list: {"items":[...],"page","per_page","total"} of active products. */
enum err cat_list(struct db *db, const struct cat_env *env,
                  const struct cat_query *q, cJSON **out,
                  struct err_ctx *ec) MUST_CHECK;

/* cat_product: the whole product (variants, photos, certificate,
 * producer) by slug; ERR_NOTFOUND unless public. */
enum err cat_product(struct db *db, const struct cat_env *env,
                     const char *slug, cJSON **out,
                     struct err_ctx *ec) MUST_CHECK;

/* cat_product_any: the same JSON for any product, public or not (a
 * candidate, expired, hidden), with "public", "status", "hidden" and
 * "producer_id"; for its producer and the office only. */
enum err cat_product_any(struct db *db, const struct cat_env *env,
                         const char *slug, cJSON **out,
                         struct err_ctx *ec) MUST_CHECK;

/* cat_related: up to n active products of the same group, the same
 * producer's first, without the product itself. */
enum err cat_related(struct db *db, const struct cat_env *env,
                     const cJSON *product, int n, cJSON **out,
                     struct err_ctx *ec) MUST_CHECK;

/* cat_featured: up to n active products, the highest stars first. */
enum err cat_featured(struct db *db, const struct cat_env *env, int n,
                      cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cat_groups: the six groups, with their count of active products when
 * counts is set (one pass over the catalog). */
enum err cat_groups(struct db *db, const struct cat_env *env, int counts,
                    cJSON **out, struct err_ctx *ec) MUST_CHECK;
enum err cat_group(struct db *db, const struct cat_env *env,
                   const char *slug, cJSON **out,
                   struct err_ctx *ec) MUST_CHECK;

/* cat_places: provinces with their communes and counts of active
 * products: [{"slug","name","count","communes":[{"slug","name","count"}]}]. */
enum err cat_places(struct db *db, const struct cat_env *env, cJSON **out,
                    struct err_ctx *ec) MUST_CHECK;

/* cat_producers: producers with at least one public product. */
enum err cat_producers(struct db *db, const struct cat_env *env,
                       cJSON **out, struct err_ctx *ec) MUST_CHECK;
enum err cat_producer(struct db *db, const struct cat_env *env,
                      const char *slug, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;

/* cat_suggest: up to n {"slug","name","url"} whose words start with q. */
enum err cat_suggest(struct db *db, const struct cat_env *env, const char *q,
                     int n, cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cat_sitemap_each: calls fn for each public product and producer path. */
typedef enum err (*cat_path_fn)(void *cls, const char *path,
                                const char *lastmod);
enum err cat_sitemap_each(struct db *db, cat_path_fn fn, void *cls,
                          struct err_ctx *ec) MUST_CHECK;

#endif
