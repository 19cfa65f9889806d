/* stk_sample.h: a sample fair for demos, tests and benchmarks.
 * Owns: making a fair (flagged as sample data) with three booths of seed
 *   producers, stock received into them, one staff account per booth (with
 *   a POS PIN) and a plainly fake bank account per booth.
 * Does not own: the tables (stk, auth own them; this calls them).
 * Memory: *out is the caller's (cJSON_Delete). Runs its own transaction. */
#ifndef OCOP_STK_SAMPLE_H
#define OCOP_STK_SAMPLE_H

#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>

/* stk_sample_fair: {"fair":ID,"name":...,"booths":[{"id","name",
 * "producer","staff","password","pin"}]}; the passwords and POS PINs are
 * shown only here. Each booth gets a sample bank account for VietQR. */
enum err stk_sample_fair(struct db *db, cJSON **out,
                         struct err_ctx *ec) MUST_CHECK;

#endif
