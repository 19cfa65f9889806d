/* cat_producer.h: producers as the programme office keeps them.
 * Owns: validating a producer's record (name, kind, legal
 *   representative, tax code, address with province and commune, phone,
 *   e-mail, website); creating one (with a new stable slug) and updating
 *   one (one transaction: the row, the search index of its products, an
 *   audit record with before/after, the catalog version); the office's
 *   view of every producer, public or not; the 34 province-level units
 *   (QĐ 19/2025/QĐ-TTg) a producer's province is chosen from.
 * Does not own: the public producer pages (cat.h), accounts linked to a
 *   producer (auth.h), who may change producers (web: the office only).
 * Rules: a tax code (mã số thuế) is 10 digits, or 10 digits, "-" and 3
 *   digits for a branch; a phone is a Vietnamese number (0 + 9 or 10
 *   digits, +84 + 9 or 10 digits, or a 1800/1900 line), stored without
 *   spaces or dots; a website is http(s) only, so no other scheme can
 *   reach a link; text is stored NFC, trimmed, without control characters.
 * Memory: cJSON results are the caller's (cJSON_Delete).
 * Errors: ERR_UNPROCESSABLE with an i18n key and the field in ec for a bad
 *   value; ERR_NOTFOUND for an unknown producer. Call the writing
 *   functions inside db_tx_run. */
#ifndef OCOP_CAT_PRODUCER_H
#define OCOP_CAT_PRODUCER_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define CAT_PRODUCER_NAME_MAX 200
#define CAT_PRODUCER_SLUG_MAX 96 /* bytes, NUL included */
#define CAT_PROVINCES 34

/* What the office types; NULL or "" for an optional field left empty. */
struct cat_producer_in {
    const char *name;
    const char *kind; /* company | cooperative | household */
    const char *representative;
    const char *tax_code;
    const char *address;
    const char *province; /* one of cat_province_name() */
    const char *commune;
    const char *phone;
    const char *email;
    const char *website;
};

/* cat_text_clean: s as NFC, trimmed, without CR or other control
 * characters (newline and tab kept when multiline), of min..max
 * characters; NULL when it is not. The result is the caller's (free()).
 * Shared by the office's catalog writes (cat_producer, cat_cycle). */
char *cat_text_clean(const char *s, int multiline, size_t min, size_t max);

/* cat_province_name: the i-th (0..CAT_PROVINCES-1) province-level unit,
 * in the official order; NULL past the end. */
const char *cat_province_name(int i);

/* cat_producer_clean: validates in and fills *out (the cleaned record:
 * {"name","kind","representative","tax_code","address","province",
 * "commune","phone","email","website"}, empty optional fields as null). */
enum err cat_producer_clean(const struct cat_producer_in *in, cJSON **out,
                            struct err_ctx *ec) MUST_CHECK;

/* cat_producer_create: a new producer; slug_out (may be NULL) gets its
 * slug, the folded name made unique with -2, -3 ... */
enum err cat_producer_create(struct db *db, const struct actor *who,
                             const struct cat_producer_in *in,
                             char slug_out[CAT_PRODUCER_SLUG_MAX],
                             int64_t *id_out, struct err_ctx *ec) MUST_CHECK;

/* cat_producer_update: replaces producer id's record (its slug stays). */
enum err cat_producer_update(struct db *db, const struct actor *who, int64_t id,
                             const struct cat_producer_in *in,
                             struct err_ctx *ec) MUST_CHECK;

/* cat_producer_get: the office's view of one producer by slug: the
 * cleaned record's fields plus "id", "slug", "created_at", "updated_at",
 * "products", "public_products", "candidates". */
enum err cat_producer_get(struct db *db, const char *today, const char *slug,
                          cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cat_producer_list: every producer whose folded name or tax code
 * contains q (NULL or "" for all), by name:
 * {"items":[{"id","slug","name","kind","province","commune","tax_code",
 * "products","candidates"}],"page","per_page","total"}. */
enum err cat_producer_list(struct db *db, const char *q, int page, int per_page,
                           cJSON **out, struct err_ctx *ec) MUST_CHECK;

/* cat_producer_options: [{"slug","name"}] of every producer, by name. */
enum err cat_producer_options(struct db *db, cJSON **out,
                              struct err_ctx *ec) MUST_CHECK;

/* cat_producer_count: how many producers there are. */
enum err cat_producer_count(struct db *db, int64_t *out,
                            struct err_ctx *ec) MUST_CHECK;

#endif
