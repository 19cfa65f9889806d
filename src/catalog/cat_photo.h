/* cat_photo.h: a product's photos, for the people who edit them.
 * Owns: the rows of the photos table (catalog owns the table; cat.c reads
 *   it for the public JSON): adding an uploaded photo at the end, the
 *   order (position 0 is the cover; positions stay 0..n-1), alt texts,
 *   removing a photo, and the JSON of a product's photos for editors,
 *   whatever the product's public state.
 * Does not own: image files (media/photo.h makes them, the web layer
 *   places and removes them), who may edit (auth), the transaction and
 *   its audit record (the caller runs these inside db_tx_run).
 * Memory: cJSON results are the caller's (cJSON_Delete).
 * Errors: ERR_NOTFOUND for an unknown product or photo; ERR_DB. */
#ifndef OCOP_CAT_PHOTO_H
#define OCOP_CAT_PHOTO_H

#include "catalog/cat.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define CAT_PHOTO_BASE 40 /* "<id>-<8 hex>" and its NUL */
#define CAT_PHOTO_MAX 30  /* photos of one product */

/* The product a photo belongs to. */
struct cat_photo_owner {
    int64_t product_id;
    int64_t producer_id;
    char slug[128];
    char name[512];
};

/* One row, as stored. */
struct cat_photo_row {
    int64_t id;
    int position;
    char kind[16]; /* "upload" (files of its own) or "file" (shared seed) */
    char file[256];
};

/* cat_photo_owner: any product by slug (public or not). */
enum err cat_photo_owner(struct db *db, const char *slug,
                         struct cat_photo_owner *out,
                         struct err_ctx *ec) MUST_CHECK;

/* cat_photo_list: the product's photos in order: [{"id","position",
 * "kind","url","thumb","srcset","srcset_webp" (uploads),"alt_vi","alt_en",
 * "width","height","sample","cover"}]. */
enum err cat_photo_list(struct db *db, const struct cat_env *env,
                        int64_t product_id, cJSON **out,
                        struct err_ctx *ec) MUST_CHECK;

/* cat_photo_snapshot: a compact list for audit records:
 * [{"id","position","kind","file","alt_vi","alt_en"}]. */
enum err cat_photo_snapshot(struct db *db, int64_t product_id, cJSON **out,
                            struct err_ctx *ec) MUST_CHECK;

/* cat_photo_upload_urls: the URLs of an uploaded photo with file stem
 * base: "url" (800 px JPEG), "thumb" (320 px), "srcset", "srcset_webp". */
void cat_photo_upload_urls(cJSON *ph, const char *base);

struct cat_photo_new {
    const char *hash; /* 8 hex digits */
    int width, height;
    const char *alt_vi, *alt_en;
};

/* cat_photo_add: an uploaded photo at the end of the list; base gets its
 * file stem "<id>-<hash>". ERR_UNPROCESSABLE (err_photo_too_many) when
 * the product has CAT_PHOTO_MAX photos already. */
enum err cat_photo_add(struct db *db, int64_t product_id,
                       const struct cat_photo_new *p, int64_t *id_out,
                       char base[CAT_PHOTO_BASE],
                       struct err_ctx *ec) MUST_CHECK;

/* cat_photo_count: how many photos the product has. */
enum err cat_photo_count(struct db *db, int64_t product_id, int *n,
                         struct err_ctx *ec) MUST_CHECK;

enum err cat_photo_get(struct db *db, int64_t product_id, int64_t photo_id,
                       struct cat_photo_row *out,
                       struct err_ctx *ec) MUST_CHECK;

/* cat_photo_move: moves the photo to position (clamped to the list). */
enum err cat_photo_move(struct db *db, int64_t product_id, int64_t photo_id,
                        int position, struct err_ctx *ec) MUST_CHECK;

/* cat_photo_set_alt: NULL leaves that text as it is. */
enum err cat_photo_set_alt(struct db *db, int64_t product_id, int64_t photo_id,
                           const char *alt_vi, const char *alt_en,
                           struct err_ctx *ec) MUST_CHECK;

/* cat_photo_delete: removes the row (out gets it, to remove its files)
 * and closes the gap in the order. */
enum err cat_photo_delete(struct db *db, int64_t product_id, int64_t photo_id,
                          struct cat_photo_row *out,
                          struct err_ctx *ec) MUST_CHECK;

/* cat_photo_touch: marks the product changed (updated_at). */
enum err cat_photo_touch(struct db *db, int64_t product_id,
                         struct err_ctx *ec) MUST_CHECK;

#endif
