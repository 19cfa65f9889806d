/* cat_cycle.c: the OCOP cycle of candidate products (see cat_cycle.h). */
#include "catalog/cat_cycle.h"

#include "catalog/cat_edit.h"
#include "catalog/cat_producer.h"
#include "core/sb.h"
#include "search/srch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLUG_BASE_MAX 80
#define SLUG_TRIES 100

/* --- registering --------------------------------------------------------- */

static enum err producer_of(struct db *db, const char *slug, int64_t *id,
                            char name[CAT_PRODUCER_NAME_MAX * 4 + 1],
                            struct err_ctx *ec)
{
    static const char sql[] = "SELECT id, name FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug ? slug : "", -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *id = sqlite3_column_int64(st, 0);
        (void)snprintf(name, CAT_PRODUCER_NAME_MAX * 4 + 1, "%s",
                       db_text(st, 1));
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_UNPROCESSABLE, "err_producer_not_found",
                            "producer", "no producer %s", slug ? slug : "");
}

static enum err slug_taken(struct db *db, const char *slug, int *taken,
                           struct err_ctx *ec)
{
    static const char sql[] = "SELECT 1 FROM products WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    *taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ERR_OK;
}

/* new_slug: as catalog/README.md says: the folded name; when taken, with
 * "-" and the producer's slug; then -2, -3 ... */
static enum err new_slug(struct db *db, const char *name, const char *producer,
                         char out[CAT_CYCLE_SLUG_MAX], struct err_ctx *ec)
{
    char base[SLUG_BASE_MAX + 1],
        with[CAT_CYCLE_SLUG_MAX - 8]; /* room for -NN */
    struct sb sb;
    int taken = 1, n;
    enum err e;

    sb_init(&sb, 4096);
    e = srch_slug(name, &sb);
    (void)snprintf(base, sizeof(base), "%s",
                   e == ERR_OK && sb.len > 0 ? sb_str(&sb) : "san-pham");
    sb_release(&sb);
    if (strlen(base) == SLUG_BASE_MAX && strrchr(base, '-') != NULL)
        *strrchr(base, '-') = '\0';
    (void)snprintf(out, CAT_CYCLE_SLUG_MAX, "%s", base);
    (void)snprintf(with, sizeof(with), "%s-%s", base, producer);
    if (e == ERR_OK)
        e = slug_taken(db, out, &taken, ec);
    if (e == ERR_OK && taken)
        (void)snprintf(out, CAT_CYCLE_SLUG_MAX, "%s", with);
    for (n = 2; e == ERR_OK && taken && n < SLUG_TRIES; n++) {
        e = slug_taken(db, out, &taken, ec);
        if (e == ERR_OK && taken)
            (void)snprintf(out, CAT_CYCLE_SLUG_MAX, "%s-%d", with, n);
    }
    if (e == ERR_OK && taken)
        e = err_user(ec, ERR_CONFLICT, "err_conflict", "name",
                     "no free slug for %s", base);
    return e;
}

static enum err check_candidate(const struct cat_candidate *in,
                                struct err_ctx *ec)
{
    if (in->group < 1 || in->group > 6)
        return err_user(ec, ERR_UNPROCESSABLE, "err_group", "group",
                        "group must be 1 to 6");
    if (in->target_stars != 0 && (in->target_stars < 3 || in->target_stars > 5))
        return err_user(ec, ERR_UNPROCESSABLE, "err_stars", "target_stars",
                        "target stars must be 3, 4 or 5");
    if (in->step < 0 || in->step > CAT_CYCLE_STEPS)
        return err_user(ec, ERR_UNPROCESSABLE, "err_cycle_step", "step",
                        "step must be 1 to 6");
    return ERR_OK;
}

struct candidate_row {
    const char *slug, *name;
    int64_t producer_id;
    const struct cat_candidate *in;
    int step;
};

static enum err insert_candidate(struct db *db, const struct candidate_row *r,
                                 int64_t *id, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO products (slug, name, name_key, producer_id, group_code,"
        " status, target_stars, description, cycle_step) VALUES (?1, ?2, ?3,"
        " ?4, ?5, 'registered', nullif(?6, 0), '', ?7)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    struct sb key;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sb_init(&key, 1 << 16);
    e = srch_collation_key(r->name, &key);
    sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, key.buf, (int)key.len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, r->producer_id);
    sqlite3_bind_int(st, 5, r->in->group);
    sqlite3_bind_int(st, 6, r->in->target_stars);
    sqlite3_bind_int(st, 7, r->step);
    sb_release(&key);
    if (e == ERR_OK)
        e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

static enum err add_move(struct db *db, const struct actor *who, int64_t id,
                         int step, const char *note, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO product_cycle (product_id, step, actor, note)"
        " VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, step);
    sqlite3_bind_text(st, 3, who->label ? who->label : "?", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}

static cJSON *candidate_json(const struct candidate_row *r, const char *note)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "slug", r->slug);
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON_AddStringToObject(o, "producer", r->in->producer_slug);
    cJSON_AddNumberToObject(o, "group", r->in->group);
    if (r->in->target_stars != 0)
        cJSON_AddNumberToObject(o, "target_stars", r->in->target_stars);
    cJSON_AddNumberToObject(o, "step", r->step);
    cJSON_AddStringToObject(o, "note", note);
    return o;
}

/* store_candidate: the row, its search text, its first step, the audit. */
static enum err store_candidate(struct db *db, const struct actor *who,
                                const struct candidate_row *r,
                                const char *producer_name, const char *note,
                                int64_t *id, struct err_ctx *ec)
{
    cJSON *after;
    enum err e = insert_candidate(db, r, id, ec);

    if (e == ERR_OK)
        e = srch_index_product(db, *id, r->name, "", producer_name, ec);
    if (e == ERR_OK)
        e = add_move(db, who, *id, r->step, note, ec);
    if (e != ERR_OK)
        return e;
    after = candidate_json(r, note);
    e = audit_record(db, who, "candidate.register", "product", *id, r->name,
                     NULL, after, ec);
    cJSON_Delete(after);
    return e;
}

enum err cat_cycle_register(struct db *db, const struct actor *who,
                            const struct cat_candidate *in,
                            char slug_out[CAT_CYCLE_SLUG_MAX], int64_t *id_out,
                            struct err_ctx *ec)
{
    char slug[CAT_CYCLE_SLUG_MAX] = "", pname[CAT_PRODUCER_NAME_MAX * 4 + 1];
    char *name = cat_text_clean(in->name, 0, 2, CAT_NAME_MAX);
    char *note = cat_text_clean(in->note, 1, 0, CAT_CYCLE_NOTE_MAX);
    struct candidate_row r = {slug, name, 0, in,
                              in->step ? in->step : CAT_CYCLE_REGISTERED};
    int64_t id = 0;
    enum err e = ERR_OK;

    if (name == NULL)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_name", "name",
                     "a name of 2 to %d characters", CAT_NAME_MAX);
    else if (note == NULL)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_cycle_note", "note",
                     "note too long or with control characters");
    if (e == ERR_OK)
        e = check_candidate(in, ec);
    if (e == ERR_OK)
        e = producer_of(db, in->producer_slug, &r.producer_id, pname, ec);
    if (e == ERR_OK)
        e = new_slug(db, name, in->producer_slug, slug, ec);
    if (e == ERR_OK)
        e = store_candidate(db, who, &r, pname, note, &id, ec);
    free(name);
    free(note);
    if (e != ERR_OK)
        return e;
    if (slug_out != NULL)
        (void)snprintf(slug_out, CAT_CYCLE_SLUG_MAX, "%s", slug);
    if (id_out != NULL)
        *id_out = id;
    return ERR_OK;
}

/* --- moving -------------------------------------------------------------- */

enum err cat_cycle_step(struct db *db, int64_t product_id, int *step,
                        struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT status = 'registered', coalesce(cycle_step, ?2)"
        " FROM products WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    *step = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int(st, 2, CAT_CYCLE_REGISTERED);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found && sqlite3_column_int(st, 0))
        *step = sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_product_not_found", NULL,
                            "no product %lld", (long long)product_id);
}

static enum err set_step(struct db *db, int64_t id, int step,
                         struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE products SET cycle_step = ?2,"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ') WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, step);
    return db_exec(db, st, ec);
}

static enum err check_move(int from, int to, struct err_ctx *ec)
{
    if (from == 0)
        return err_user(ec, ERR_CONFLICT, "err_cycle_not_candidate", NULL,
                        "the product is not a candidate");
    if (to < 1 || to > CAT_CYCLE_STEPS)
        return err_user(ec, ERR_UNPROCESSABLE, "err_cycle_step", "step",
                        "step must be 1 to 6");
    if (to == from)
        return err_user(ec, ERR_UNPROCESSABLE, "err_cycle_same_step", "step",
                        "the candidate is already at step %d", to);
    return ERR_OK;
}

enum err cat_cycle_move(struct db *db, const struct actor *who,
                        int64_t product_id, int step, const char *note,
                        struct err_ctx *ec)
{
    char *clean = cat_text_clean(note, 1, 0, CAT_CYCLE_NOTE_MAX);
    cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
    int from = 0;
    enum err e = cat_cycle_step(db, product_id, &from, ec);

    if (e == ERR_OK)
        e = check_move(from, step, ec);
    if (e == ERR_OK && clean == NULL)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_cycle_note", "note",
                     "note too long or with control characters");
    if (e == ERR_OK)
        e = set_step(db, product_id, step, ec);
    if (e == ERR_OK)
        e = add_move(db, who, product_id, step, clean, ec);
    cJSON_AddNumberToObject(before, "step", from);
    cJSON_AddNumberToObject(after, "step", step);
    cJSON_AddStringToObject(after, "note", clean ? clean : "");
    if (e == ERR_OK)
        e = audit_record(db, who, "candidate.step", "product", product_id,
                         clean, before, after, ec);
    cJSON_Delete(before);
    cJSON_Delete(after);
    free(clean);
    return e;
}

/* --- reading ------------------------------------------------------------- */

static cJSON *list_row(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "slug", db_text(st, 1));
    cJSON_AddStringToObject(o, "name", db_text(st, 2));
    cJSON_AddStringToObject(o, "producer_slug", db_text(st, 3));
    cJSON_AddStringToObject(o, "producer_name", db_text(st, 4));
    cJSON_AddNumberToObject(o, "group", sqlite3_column_int(st, 5));
    if (sqlite3_column_type(st, 6) == SQLITE_NULL)
        cJSON_AddNullToObject(o, "target_stars");
    else
        cJSON_AddNumberToObject(o, "target_stars", sqlite3_column_int(st, 6));
    cJSON_AddNumberToObject(o, "step", sqlite3_column_int(st, 7));
    if (db_text(st, 8) != NULL)
        cJSON_AddStringToObject(o, "moved_at", db_text(st, 8));
    else
        cJSON_AddNullToObject(o, "moved_at");
    cJSON_AddStringToObject(o, "created_at", db_text(st, 9));
    return o;
}

enum err cat_cycle_list(struct db *db, int step, cJSON **out,
                        struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT p.id, p.slug, p.name, pr.slug, pr.name, p.group_code,"
        " p.target_stars, coalesce(p.cycle_step, ?2) AS step,"
        " (SELECT max(at) FROM product_cycle c WHERE c.product_id = p.id),"
        " p.created_at FROM products p JOIN producers pr"
        " ON pr.id = p.producer_id WHERE p.status = 'registered'"
        " AND (?1 = 0 OR coalesce(p.cycle_step, ?2) = ?1)"
        " ORDER BY step, p.name_key, p.id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();
    int rc;

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int(st, 1, step);
    sqlite3_bind_int(st, 2, CAT_CYCLE_REGISTERED);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, list_row(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return err_set(ec, ERR_DB, "candidate list");
    }
    *out = arr;
    return ERR_OK;
}

enum err cat_cycle_counts(struct db *db, int64_t counts[CAT_CYCLE_STEPS + 1],
                          struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT coalesce(cycle_step, ?1), count(*) FROM products"
        " WHERE status = 'registered' GROUP BY 1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int i;

    for (i = 0; i <= CAT_CYCLE_STEPS; i++)
        counts[i] = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int(st, 1, CAT_CYCLE_REGISTERED);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int s = sqlite3_column_int(st, 0);
        if (s >= 1 && s <= CAT_CYCLE_STEPS)
            counts[s] = sqlite3_column_int64(st, 1);
        counts[0] += sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return ERR_OK;
}

enum err cat_cycle_history(struct db *db, int64_t product_id, cJSON **out,
                           struct err_ctx *ec)
{
    static const char sql[] = "SELECT step, at, actor, note FROM product_cycle"
                              " WHERE product_id = ?1 ORDER BY id DESC";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int64(st, 1, product_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "step", sqlite3_column_int(st, 0));
        cJSON_AddStringToObject(o, "at", db_text(st, 1));
        cJSON_AddStringToObject(o, "actor", db_text(st, 2));
        cJSON_AddStringToObject(o, "note", db_text(st, 3));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}
