/* cat_cycle.h: the OCOP cycle of candidate products.
 * Owns: the six steps of the yearly OCOP cycle (QĐ 26/2026 and 148/2023:
 *   1 propaganda and guidance, 2 receiving product-idea registrations,
 *   3 receiving production/business plans, 4 carrying out the plans,
 *   5 evaluation and rating, 6 trade promotion); registering a candidate
 *   (a product with status 'registered', not public); moving it to
 *   another step with a note, each move a new row of product_cycle
 *   (never overwritten) and products.cycle_step the current one; lists
 *   and counts of candidates for the office. A seed candidate without a
 *   recorded step is at step 2 (its registration was received).
 * Does not own: evaluations and certificates (cert: an evaluation of 50
 *   or more turns a candidate into a certified product), the step names
 *   (i18n keys cycle_step_1 .. cycle_step_6), who may do this (web).
 * Memory: cJSON results are the caller's (cJSON_Delete).
 * Errors: ERR_UNPROCESSABLE with an i18n key and the field in ec for a bad
 *   value; ERR_NOTFOUND for an unknown product or producer; ERR_CONFLICT
 *   for a product that is not a candidate. Call the writing functions
 *   inside db_tx_run. */
#ifndef OCOP_CAT_CYCLE_H
#define OCOP_CAT_CYCLE_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define CAT_CYCLE_STEPS 6
#define CAT_CYCLE_REGISTERED 2 /* the step of a newly registered idea */
#define CAT_CYCLE_EVALUATION 5 /* the step at which a candidate is rated */
#define CAT_CYCLE_NOTE_MAX 1000
#define CAT_CYCLE_SLUG_MAX 121 /* bytes, NUL included (URLs take 120) */

struct cat_candidate {
    const char *name;
    const char *producer_slug;
    int group;        /* 1..6 */
    int target_stars; /* 3..5, or 0 when not set */
    int step;         /* 1..6, or 0 for CAT_CYCLE_REGISTERED */
    const char *note; /* may be NULL */
};

/* cat_cycle_register: a new candidate; slug_out (may be NULL) gets its
 * slug (the folded name; with the producer's slug, then -2, -3 ... when
 * taken). */
enum err cat_cycle_register(struct db *db, const struct actor *who,
                            const struct cat_candidate *in,
                            char slug_out[CAT_CYCLE_SLUG_MAX], int64_t *id_out,
                            struct err_ctx *ec) MUST_CHECK;

/* cat_cycle_move: moves candidate product_id to step (another step than
 * its current one) with a note (may be NULL or ""). */
enum err cat_cycle_move(struct db *db, const struct actor *who,
                        int64_t product_id, int step, const char *note,
                        struct err_ctx *ec) MUST_CHECK;

/* cat_cycle_step: the current step of product_id, or 0 when it is not a
 * candidate. */
enum err cat_cycle_step(struct db *db, int64_t product_id, int *step,
                        struct err_ctx *ec) MUST_CHECK;

/* cat_cycle_list: the candidates at step (0: every step), by step then
 * name: [{"id","slug","name","producer_slug","producer_name","group",
 * "target_stars" (or null),"step","moved_at" (or null),"created_at"}]. */
enum err cat_cycle_list(struct db *db, int step, cJSON **out,
                        struct err_ctx *ec) MUST_CHECK;

/* cat_cycle_counts: counts[s] candidates at step s (1..6), counts[0] all. */
enum err cat_cycle_counts(struct db *db, int64_t counts[CAT_CYCLE_STEPS + 1],
                          struct err_ctx *ec) MUST_CHECK;

/* cat_cycle_history: the moves of product_id, newest first:
 * [{"step","at","actor","note"}]. */
enum err cat_cycle_history(struct db *db, int64_t product_id, cJSON **out,
                           struct err_ctx *ec) MUST_CHECK;

#endif
