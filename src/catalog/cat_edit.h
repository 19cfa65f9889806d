/* cat_edit.h: changing products: what producers and the office may edit.
 * Owns: validating and applying a change to a product's name,
 *   description and packaging variants (one transaction: the rows, the
 *   search index, the lowest price, a revision with before/after for
 *   undo, an audit record, and the catalog version); undoing the latest
 *   change; hiding a product from the public (the office); the list of a
 *   producer's products for the portal.
 * Does not own: stars, scores and certificates (cert: only the office
 *   changes those, through evaluations), photos (cat_photo), who may edit
 *   which product (auth; callers check auth_may_edit_producer first).
 * Errors: ERR_UNPROCESSABLE with an i18n key and the field in ec for a
 *   bad value; ERR_CONFLICT when a SKU belongs to another product;
 *   ERR_FORBIDDEN for fields only the office sets. Call the writing
 *   functions inside db_tx_run. */
#ifndef OCOP_CAT_EDIT_H
#define OCOP_CAT_EDIT_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define CAT_NAME_MAX 200
#define CAT_DESC_MAX 5000
#define CAT_VARIANTS_MAX 20

/* cat_editable: {"id","slug","producer_id","name","description",
 * "variants":[{"sku","size","unit","price_vnd","barcode","weight_g"}]}.
 * weight_g: the package weight in grams (1..100000), or null. In a patch,
 * a variant without "weight_g" keeps its SKU's stored weight. */
enum err cat_editable(struct db *db, const char *slug, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;

/* cat_patch: applies patch ({"name"?, "description"?, "variants"?}) to
 * product id; *revision_out (may be NULL) gets the revision id. */
enum err cat_patch(struct db *db, const struct actor *who, int64_t product_id,
                   const cJSON *patch, int64_t *revision_out,
                   struct err_ctx *ec) MUST_CHECK;

/* cat_undo: undoes the product's latest change that is not undone. */
enum err cat_undo(struct db *db, const struct actor *who, int64_t product_id,
                  int64_t revision_id, struct err_ctx *ec) MUST_CHECK;

/* cat_revisions: newest first, [{"id","at","actor","before","after",
 * "undone","undo_of","latest"}]. */
enum err cat_revisions(struct db *db, int64_t product_id, int limit,
                       cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cat_hide: the office hides (hide = 1, with a reason) or shows again. */
enum err cat_hide(struct db *db, const struct actor *who, int64_t product_id,
                  int hide, const char *reason,
                  struct err_ctx *ec) MUST_CHECK;

/* cat_producer_products: the products of the given producer ids (all of
 * them, public or not) for the portal: [{"slug","name","status",
 * "hidden","price_vnd","producer"}]. n = 0 with ids NULL lists all. */
enum err cat_producer_products(struct db *db, const int64_t *ids, int n,
                               cJSON **out, struct err_ctx *ec) MUST_CHECK;

#endif
