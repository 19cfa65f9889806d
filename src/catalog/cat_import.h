/* cat_import.h: loading the seed catalog and synthetic sample products.
 * Owns: reading catalog/{groups,producers,products}.json (the reviewable
 *   seed format described in catalog/README.md) into the catalog tables,
 *   idempotently (a second import of the same files changes nothing), and
 *   generating N synthetic products flagged as sample data.
 * Does not own: the tables' meaning (cat.h), certificates (cert.h), the
 *   search index (srch.h): it calls those modules to write.
 * Errors: ERR_INVALID with the file and record in ec for bad data; the
 *   whole import is one transaction, so nothing is half-written. */
#ifndef OCOP_CAT_IMPORT_H
#define OCOP_CAT_IMPORT_H

#include "core/err.h"
#include "db/db.h"

struct cat_import_stats {
    int groups, producers, products, variants, photos, certificates;
    int changed; /* rows inserted or updated */
};

/* cat_import_dir: imports the catalog folder dir. */
enum err cat_import_dir(struct db *db, const char *dir,
                        struct cat_import_stats *stats,
                        struct err_ctx *ec) MUST_CHECK;

/* cat_import_sample: adds n synthetic products (is_sample = 1), spread
 * over the existing producers and groups. */
enum err cat_import_sample(struct db *db, int n, struct err_ctx *ec) MUST_CHECK;

/* cat_catalog_empty: 1 when no product is stored yet. */
int cat_catalog_empty(struct db *db);

#endif
