/* audit.c: the append-only audit log (see audit.h). */
#include "audit/audit.h"

#include <stdlib.h>

static void bind_json(sqlite3_stmt *st, int col, const cJSON *j)
{
    char *text;

    if (j == NULL)
        return;
    text = cJSON_PrintUnformatted(j);
    if (text != NULL)
        sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
}

enum err audit_record(struct db *db, const struct actor *who,
                      const char *action, const char *entity,
                      int64_t entity_id, const char *summary,
                      const cJSON *before, const cJSON *after,
                      struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO audit_log (actor_id, actor, action, entity, entity_id,"
        " summary, before, after, ip) VALUES (nullif(?1, 0), ?2, ?3, ?4,"
        " nullif(?5, 0), coalesce(?6, ''), ?7, ?8, coalesce(?9, ''))";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, who->user_id);
    sqlite3_bind_text(st, 2, who->label ? who->label : "?", -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, entity_id);
    if (summary != NULL)
        sqlite3_bind_text(st, 6, summary, -1, SQLITE_TRANSIENT);
    bind_json(st, 7, before);
    bind_json(st, 8, after);
    if (who->ip != NULL)
        sqlite3_bind_text(st, 9, who->ip, -1, SQLITE_TRANSIENT);
    return db_exec(db, st, ec);
}

#define AUDIT_WHERE                                                           \
    " WHERE (?1 IS NULL OR actor LIKE '%' || ?1 || '%' OR action LIKE '%'"    \
    " || ?1 || '%' OR entity LIKE '%' || ?1 || '%' OR summary LIKE '%' ||"    \
    " ?1 || '%') AND (?2 IS NULL OR entity = ?2)"                             \
    " AND (?3 = 0 OR entity_id = ?3)"

static void bind_filters(sqlite3_stmt *st, const char *q, const char *entity,
                         int64_t entity_id)
{
    if (q != NULL && *q != '\0')
        sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    if (entity != NULL && *entity != '\0')
        sqlite3_bind_text(st, 2, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, entity_id);
}

static cJSON *row_json(sqlite3_stmt *st)
{
    cJSON *r = cJSON_CreateObject();
    int i;
    static const char *const names[] = {"id", "at", "actor", "action",
                                        "entity", "entity_id", "summary",
                                        "before", "after", "ip"};

    for (i = 0; r != NULL && i < 10; i++) {
        const char *v = db_text(st, i);
        if (i == 0 || i == 5)
            cJSON_AddNumberToObject(r, names[i],
                                    (double)sqlite3_column_int64(st, i));
        else if (i == 7 || i == 8)
            cJSON_AddItemToObject(r, names[i],
                                  v ? cJSON_Parse(v) : cJSON_CreateNull());
        else
            cJSON_AddStringToObject(r, names[i], v ? v : "");
    }
    return r;
}

enum err audit_search(struct db *db, const char *q, const char *entity,
                      int64_t entity_id, int page, int per_page, cJSON **out,
                      struct err_ctx *ec)
{
    static const char list_sql[] =
        "SELECT id, at, actor, action, entity, coalesce(entity_id, 0),"
        " summary, before, after, ip FROM audit_log" AUDIT_WHERE
        " ORDER BY id DESC LIMIT ?4 OFFSET ?5";
    static const char count_sql[] = "SELECT count(*) FROM audit_log" AUDIT_WHERE;
    sqlite3_stmt *st = db_stmt(db, count_sql, ec);
    cJSON *res = cJSON_CreateObject(), *items;
    int rc;

    *out = NULL;
    if (st == NULL || res == NULL) {
        cJSON_Delete(res);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    bind_filters(st, q, entity, entity_id);
    rc = sqlite3_step(st);
    cJSON_AddNumberToObject(res, "total",
                            rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0);
    sqlite3_reset(st);
    cJSON_AddNumberToObject(res, "page", page);
    cJSON_AddNumberToObject(res, "per_page", per_page);
    items = cJSON_AddArrayToObject(res, "items");
    st = db_stmt(db, list_sql, ec);
    if (st == NULL) {
        cJSON_Delete(res);
        return ERR_DB;
    }
    bind_filters(st, q, entity, entity_id);
    sqlite3_bind_int(st, 4, per_page);
    sqlite3_bind_int64(st, 5, (int64_t)(page - 1) * per_page);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(items, row_json(st));
    sqlite3_reset(st);
    *out = res;
    return rc == SQLITE_DONE ? ERR_OK : err_set(ec, ERR_DB, "audit search");
}
