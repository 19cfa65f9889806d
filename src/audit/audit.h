/* audit.h: the audit log: who changed what, when, before and after.
 * Owns: the audit_log table (append-only) and searching it.
 * Does not own: what the changes mean; every module that writes calls
 *   audit_record() in the same transaction as its change.
 * Memory: audit_search() result is the caller's (cJSON_Delete). */
#ifndef OCOP_AUDIT_H
#define OCOP_AUDIT_H

#include "core/err.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* Who acts: a signed-in user, an API key, or the command line. */
struct actor {
    int64_t user_id; /* 0 when not a user */
    const char *label; /* username, "apikey:NAME" or "cli" */
    const char *ip;
};

/* audit_record: before/after may be NULL; they are stored as JSON. */
enum err audit_record(struct db *db, const struct actor *who,
                      const char *action, const char *entity,
                      int64_t entity_id, const char *summary,
                      const cJSON *before, const cJSON *after,
                      struct err_ctx *ec) MUST_CHECK;

/* audit_search: newest first; q matches actor, action, entity or summary
 * (NULL for all). {"items":[...],"page","per_page","total"}. */
enum err audit_search(struct db *db, const char *q, const char *entity,
                      int64_t entity_id, int page, int per_page, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;

#endif
