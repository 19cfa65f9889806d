/* cat_photo.c: a product's photos for editors (see cat_photo.h). */
#include "catalog/cat_photo.h"

#include <stdio.h>
#include <string.h>

#define MAX_PHOTOS 256 /* rows renumbered at most (> CAT_PHOTO_MAX) */

static const char owner_sql[] =
    "SELECT id, producer_id, slug, name FROM products WHERE slug = ?1";

static const char list_sql[] =
    "SELECT id, position, kind, file, alt_vi, alt_en, width, height,"
    " is_sample FROM photos WHERE product_id = ?1 ORDER BY position, id";

static const char get_sql[] = "SELECT id, position, kind, file FROM photos"
                              " WHERE product_id = ?1 AND id = ?2";

static const char add_sql[] =
    "INSERT INTO photos (product_id, position, file, alt_vi, alt_en,"
    " is_sample, kind, width, height) VALUES (?1, (SELECT coalesce("
    "max(position) + 1, 0) FROM photos WHERE product_id = ?1), '', ?2, ?3,"
    " 0, 'upload', ?4, ?5)";

static const char set_file_sql[] = "UPDATE photos SET file = ?2 WHERE id = ?1";

static const char set_pos_sql[] =
    "UPDATE photos SET position = ?2 WHERE id = ?1";

static const char set_alt_sql[] =
    "UPDATE photos SET alt_vi = coalesce(?3, alt_vi),"
    " alt_en = coalesce(?4, alt_en) WHERE product_id = ?1 AND id = ?2";

static const char delete_sql[] =
    "DELETE FROM photos WHERE product_id = ?1 AND id = ?2";

static const char touch_sql[] =
    "UPDATE products SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
    " WHERE id = ?1";

static enum err order_ids(struct db *db, int64_t product_id, int64_t *ids,
                          int *n, struct err_ctx *ec);

static enum err step_err(struct db *db, struct err_ctx *ec)
{
    return err_set(ec, ERR_DB, "photos: %s", sqlite3_errmsg(db_handle(db)));
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const char *s = db_text(st, col);

    (void)snprintf(dst, size, "%s", s ? s : ""); /* truncates safely */
}

enum err cat_photo_owner(struct db *db, const char *slug,
                         struct cat_photo_owner *out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, owner_sql, ec);
    int rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->product_id = sqlite3_column_int64(st, 0);
        out->producer_id = sqlite3_column_int64(st, 1);
        copy_text(out->slug, sizeof(out->slug), st, 2);
        copy_text(out->name, sizeof(out->name), st, 3);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(ec, ERR_NOTFOUND, "no product %s", slug)
                             : step_err(db, ec);
}

void cat_photo_upload_urls(cJSON *ph, const char *base)
{
    static const int widths[] = {320, 800, 1600};
    static const char *const fmts[] = {"jpg", "webp"};
    char buf[640], url[160];
    size_t f, w, n;

    (void)snprintf(url, sizeof(url), "/media/u/%s-800.jpg", base);
    cJSON_AddStringToObject(ph, "url", url);
    (void)snprintf(url, sizeof(url), "/media/u/%s-320.jpg", base);
    cJSON_AddStringToObject(ph, "thumb", url);
    for (f = 0; f < 2; f++) {
        buf[0] = '\0';
        for (w = n = 0; w < 3 && n < sizeof(buf); w++)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                                  "%s/media/u/%s-%d.%s %dw", w ? ", " : "",
                                  base, widths[w], fmts[f], widths[w]);
        cJSON_AddStringToObject(ph, f ? "srcset_webp" : "srcset", buf);
    }
}

static void add_file_urls(cJSON *ph, const struct cat_env *env,
                          const char *file)
{
    const char *u =
        env->media_url ? env->media_url(env->media_cls, file) : NULL;

    cJSON_AddStringToObject(ph, "url", u ? u : "/media/placeholder.svg");
    cJSON_AddStringToObject(ph, "thumb", u ? u : "/media/placeholder.svg");
}

static cJSON *photo_json(sqlite3_stmt *st, const struct cat_env *env)
{
    cJSON *ph = cJSON_CreateObject();
    const char *kind = db_text(st, 2), *file = db_text(st, 3);

    if (ph == NULL)
        return NULL;
    cJSON_AddNumberToObject(ph, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddNumberToObject(ph, "position", sqlite3_column_int(st, 1));
    cJSON_AddStringToObject(ph, "kind", kind ? kind : "file");
    if (kind != NULL && strcmp(kind, "upload") == 0)
        cat_photo_upload_urls(ph, file ? file : "");
    else
        add_file_urls(ph, env, file ? file : "");
    cJSON_AddStringToObject(ph, "alt_vi", db_text(st, 4) ? db_text(st, 4) : "");
    cJSON_AddStringToObject(ph, "alt_en", db_text(st, 5) ? db_text(st, 5) : "");
    cJSON_AddNumberToObject(ph, "width", sqlite3_column_int(st, 6));
    cJSON_AddNumberToObject(ph, "height", sqlite3_column_int(st, 7));
    cJSON_AddBoolToObject(ph, "sample", sqlite3_column_int(st, 8));
    return ph;
}

/* each_row: the photos of product_id as an array: the editors' JSON, or
 * the compact form of audit records. */
static enum err each_row(struct db *db, const struct cat_env *env,
                         int64_t product_id, int compact, cJSON **out,
                         struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, list_sql, ec);
    cJSON *arr = cJSON_CreateArray(), *ph;
    int rc, i = 0;

    *out = arr;
    if (st == NULL || arr == NULL)
        return st == NULL ? ERR_DB : ERR_NOMEM;
    sqlite3_bind_int64(st, 1, product_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ph = compact ? cJSON_CreateObject() : photo_json(st, env);
        if (ph == NULL || !cJSON_AddItemToArray(arr, ph)) {
            cJSON_Delete(ph);
            sqlite3_reset(st);
            return ERR_NOMEM;
        }
        if (compact) {
            cJSON_AddNumberToObject(ph, "id",
                                    (double)sqlite3_column_int64(st, 0));
            cJSON_AddNumberToObject(ph, "position", sqlite3_column_int(st, 1));
            cJSON_AddStringToObject(ph, "kind",
                                    db_text(st, 2) ? db_text(st, 2) : "");
            cJSON_AddStringToObject(ph, "file",
                                    db_text(st, 3) ? db_text(st, 3) : "");
            cJSON_AddStringToObject(ph, "alt_vi",
                                    db_text(st, 4) ? db_text(st, 4) : "");
            cJSON_AddStringToObject(ph, "alt_en",
                                    db_text(st, 5) ? db_text(st, 5) : "");
        } else {
            cJSON_AddBoolToObject(ph, "cover", i == 0);
        }
        i++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : step_err(db, ec);
}

enum err cat_photo_list(struct db *db, const struct cat_env *env,
                        int64_t product_id, cJSON **out, struct err_ctx *ec)
{
    return each_row(db, env, product_id, 0, out, ec);
}

enum err cat_photo_snapshot(struct db *db, int64_t product_id, cJSON **out,
                            struct err_ctx *ec)
{
    return each_row(db, NULL, product_id, 1, out, ec);
}

enum err cat_photo_add(struct db *db, int64_t product_id,
                       const struct cat_photo_new *p, int64_t *id_out,
                       char base[CAT_PHOTO_BASE], struct err_ctx *ec)
{
    int64_t ids[MAX_PHOTOS];
    sqlite3_stmt *st;
    int n;
    enum err e = order_ids(db, product_id, ids, &n, ec);

    if (e != ERR_OK)
        return e;
    if (n >= CAT_PHOTO_MAX)
        return err_user(ec, ERR_UNPROCESSABLE, "err_photo_too_many", NULL,
                        "a product has at most %d photos", CAT_PHOTO_MAX);
    st = db_stmt(db, add_sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_text(st, 2, p->alt_vi ? p->alt_vi : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->alt_en ? p->alt_en : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, p->width);
    sqlite3_bind_int(st, 5, p->height);
    e = db_exec(db, st, ec);
    if (e != ERR_OK)
        return e;
    *id_out = sqlite3_last_insert_rowid(db_handle(db));
    (void)snprintf(base, CAT_PHOTO_BASE, "%lld-%.8s", (long long)*id_out,
                   p->hash); /* fits: 19 digits, "-", 8 */
    st = db_stmt(db, set_file_sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, *id_out);
    sqlite3_bind_text(st, 2, base, -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}

enum err cat_photo_count(struct db *db, int64_t product_id, int *n,
                         struct err_ctx *ec)
{
    int64_t ids[MAX_PHOTOS];

    return order_ids(db, product_id, ids, n, ec);
}

enum err cat_photo_get(struct db *db, int64_t product_id, int64_t photo_id,
                       struct cat_photo_row *out, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, get_sql, ec);
    int rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, photo_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->position = sqlite3_column_int(st, 1);
        copy_text(out->kind, sizeof(out->kind), st, 2);
        copy_text(out->file, sizeof(out->file), st, 3);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE
               ? err_set(ec, ERR_NOTFOUND, "no photo %lld", (long long)photo_id)
               : step_err(db, ec);
}

/* order_ids: the product's photo ids in order. */
static enum err order_ids(struct db *db, int64_t product_id, int64_t *ids,
                          int *n, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, list_sql, ec);
    int rc;

    *n = 0;
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < MAX_PHOTOS)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? ERR_OK : step_err(db, ec);
}

static enum err renumber(struct db *db, const int64_t *ids, int n,
                         struct err_ctx *ec)
{
    enum err e = ERR_OK;
    int i;

    for (i = 0; i < n && e == ERR_OK; i++) {
        sqlite3_stmt *st = db_stmt(db, set_pos_sql, ec);
        if (st == NULL)
            return ERR_DB;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int(st, 2, i);
        e = db_exec(db, st, ec);
    }
    return e;
}

enum err cat_photo_move(struct db *db, int64_t product_id, int64_t photo_id,
                        int position, struct err_ctx *ec)
{
    int64_t ids[MAX_PHOTOS];
    int n, i, from = -1;
    enum err e = order_ids(db, product_id, ids, &n, ec);

    if (e != ERR_OK)
        return e;
    for (i = 0; i < n; i++)
        if (ids[i] == photo_id)
            from = i;
    if (from < 0)
        return err_set(ec, ERR_NOTFOUND, "no photo %lld", (long long)photo_id);
    position = position < 0 ? 0 : position >= n ? n - 1 : position;
    if (from < position)
        memmove(&ids[from], &ids[from + 1],
                sizeof(ids[0]) * (size_t)(position - from));
    else if (from > position)
        memmove(&ids[position + 1], &ids[position],
                sizeof(ids[0]) * (size_t)(from - position));
    ids[position] = photo_id;
    return renumber(db, ids, n, ec);
}

enum err cat_photo_set_alt(struct db *db, int64_t product_id, int64_t photo_id,
                           const char *alt_vi, const char *alt_en,
                           struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, set_alt_sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, photo_id);
    if (alt_vi != NULL)
        sqlite3_bind_text(st, 3, alt_vi, -1, SQLITE_STATIC);
    if (alt_en != NULL)
        sqlite3_bind_text(st, 4, alt_en, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_set(ec, ERR_NOTFOUND, "no photo %lld", (long long)photo_id);
    return e;
}

enum err cat_photo_delete(struct db *db, int64_t product_id, int64_t photo_id,
                          struct cat_photo_row *out, struct err_ctx *ec)
{
    int64_t ids[MAX_PHOTOS];
    sqlite3_stmt *st;
    enum err e = cat_photo_get(db, product_id, photo_id, out, ec);
    int n;

    if (e != ERR_OK)
        return e;
    st = db_stmt(db, delete_sql, ec);
    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, photo_id);
    e = db_exec(db, st, ec);
    if (e == ERR_OK)
        e = order_ids(db, product_id, ids, &n, ec);
    return e == ERR_OK ? renumber(db, ids, n, ec) : e;
}

enum err cat_photo_touch(struct db *db, int64_t product_id, struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, touch_sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    return db_exec(db, st, ec);
}
