/* pos_count.c: the closing count of a booth (see pos_count.h). */
#include "pos/pos_count.h"

#include "pos/pos.h"
#include "pos/pos_device.h"
#include "stock/stk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct count_job {
    const struct auth_principal *who;
    const char *ip, *reason;
    int64_t location;
    const cJSON *lines;
    int64_t *seen; /* variant ids met so far */
    int n_seen;
    int64_t id;
    cJSON *out;
};

static enum err add_count(struct db *db, struct count_job *j,
                          struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO pos_counts (location_id, actor, user_id, reason)"
        " VALUES (?1, ?2, nullif(?3, 0), ?4) RETURNING id, at";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int rc;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, j->location);
    sqlite3_bind_text(st, 2, j->who->username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, j->who->user_id);
    sqlite3_bind_text(st, 4, j->reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        j->id = sqlite3_column_int64(st, 0);
        cJSON_AddNumberToObject(j->out, "id", (double)j->id);
        cJSON_AddStringToObject(j->out, "at", db_text(st, 1));
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK
                             : err_set(ec, ERR_DB, "count: %s",
                                       sqlite3_errmsg(db_handle(db)));
}

struct variant {
    int64_t id, price;
    char name[256];
};

static int find_variant(struct db *db, const char *sku, struct variant *v)
{
    static const char sql[] =
        "SELECT v.id, coalesce(v.price_vnd, 0), p.name FROM variants v"
        " JOIN products p ON p.id = v.product_id WHERE v.sku = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int found;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        v->id = sqlite3_column_int64(st, 0);
        v->price = sqlite3_column_int64(st, 1);
        (void)snprintf(v->name, sizeof(v->name), "%s", db_text(st, 2));
    }
    sqlite3_reset(st);
    return found;
}

static int counted_of(const cJSON *v, int64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return 0;
    d = cJSON_GetNumberValue(v);
    if (d != floor(d) || d < 0 || d > POS_MAX_QTY)
        return 0;
    *out = (int64_t)d;
    return 1;
}

/* check_line: the variant of one line, sold or held here, met once. */
static enum err check_line(struct db *db, struct count_job *j, const cJSON *l,
                           struct variant *v, int64_t *counted,
                           struct err_ctx *ec)
{
    const char *sku = cJSON_GetStringValue(cJSON_GetObjectItem(l, "sku"));
    int i;

    if (sku == NULL || strlen(sku) > 64 || !find_variant(db, sku, v) ||
        (!stk_sells(db, j->location, v->id) &&
         stk_on_hand_of(db, v->id, j->location) == 0))
        return err_user(ec, ERR_UNPROCESSABLE, "err_count_sku", "sku",
                        "unknown SKU or not sold here: %.64s",
                        sku ? sku : "(none)");
    if (!counted_of(cJSON_GetObjectItem(l, "counted"), counted))
        return err_user(ec, ERR_UNPROCESSABLE, "err_count_qty", "counted",
                        "counted must be 0..%d", POS_MAX_QTY);
    for (i = 0; i < j->n_seen; i++)
        if (j->seen[i] == v->id)
            return err_user(ec, ERR_UNPROCESSABLE, "err_count_duplicate", "sku",
                            "%s counted twice", sku);
    j->seen[j->n_seen++] = v->id;
    return ERR_OK;
}

static enum err count_line(struct db *db, struct count_job *j, const cJSON *l,
                           cJSON *arr, struct err_ctx *ec)
{
    struct actor a = auth_actor(j->who, j->ip);
    struct variant v = {0};
    int64_t counted = 0, expected, diff;
    struct stk_move m;
    char ref[32];
    cJSON *r;
    enum err e = check_line(db, j, l, &v, &counted, ec);

    if (e != ERR_OK)
        return e;
    expected = stk_on_hand_of(db, v.id, j->location);
    diff = counted - expected;
    (void)snprintf(ref, sizeof(ref), "count:%lld", (long long)j->id);
    m = (struct stk_move){v.id, j->location, diff, STK_COUNT, j->reason,
                          ref,  NULL,        -1,   0};
    if (diff != 0)
        e = stk_record(db, &a, &m, NULL, ec);
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(
        r, "sku", cJSON_GetStringValue(cJSON_GetObjectItem(l, "sku")));
    cJSON_AddStringToObject(r, "name", v.name);
    cJSON_AddNumberToObject(r, "expected", (double)expected);
    cJSON_AddNumberToObject(r, "counted", (double)counted);
    cJSON_AddNumberToObject(r, "variance", (double)diff);
    cJSON_AddNumberToObject(r, "unit_price_vnd", (double)v.price);
    cJSON_AddNumberToObject(r, "variance_vnd", (double)(diff * v.price));
    cJSON_AddItemToArray(arr, r);
    return e;
}

static enum err store_lines(struct db *db, struct count_job *j, cJSON *arr,
                            struct err_ctx *ec)
{
    static const char sql[] = "UPDATE pos_counts SET lines = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char *text = cJSON_PrintUnformatted(arr);
    enum err e;

    if (st == NULL || text == NULL) {
        cJSON_free(text);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    e = db_exec(db, st, ec);
    cJSON_free(text);
    return e;
}

static void add_totals(cJSON *out, const cJSON *arr)
{
    int64_t over = 0, shrt = 0, value = 0;
    const cJSON *r;

    cJSON_ArrayForEach(r, arr)
    {
        int64_t d =
            (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "variance"));
        over += d > 0 ? d : 0;
        shrt += d < 0 ? -d : 0;
        value += (int64_t)cJSON_GetNumberValue(
            cJSON_GetObjectItem(r, "variance_vnd"));
    }
    cJSON_AddNumberToObject(out, "units_over", (double)over);
    cJSON_AddNumberToObject(out, "units_short", (double)shrt);
    cJSON_AddNumberToObject(out, "variance_vnd", (double)value);
}

static enum err count_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct count_job *j = cls;
    const cJSON *l;
    cJSON *arr;
    enum err e;

    cJSON_Delete(j->out); /* a retried transaction starts again */
    j->out = cJSON_CreateObject();
    j->n_seen = 0;
    if (j->out == NULL)
        return ERR_NOMEM;
    e = add_count(db, j, ec);
    cJSON_AddNumberToObject(j->out, "location", (double)j->location);
    cJSON_AddStringToObject(j->out, "reason", j->reason);
    arr = cJSON_AddArrayToObject(j->out, "lines");
    for (l = j->lines->child; e == ERR_OK && l != NULL; l = l->next)
        e = count_line(db, j, l, arr, ec);
    if (e == ERR_OK)
        e = store_lines(db, j, arr, ec);
    add_totals(j->out, arr);
    return e;
}

enum err pos_count(struct db *db, const struct auth_principal *who,
                   const char *ip, int64_t location_id, const cJSON *lines,
                   const char *reason, cJSON **out, struct err_ctx *ec)
{
    struct count_job j = {
        who, ip, reason ? reason : "", location_id, lines, NULL, 0, 0, NULL};
    int n = cJSON_IsArray(lines) ? cJSON_GetArraySize(lines) : 0;
    enum err e;

    *out = NULL;
    if (!pos_may_sell(db, who, location_id))
        return err_user(ec, ERR_FORBIDDEN, "err_not_your_booth", NULL,
                        "may not count at %lld", (long long)location_id);
    if (!pos_place_sells(db, location_id))
        return err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                        "no place %lld", (long long)location_id);
    if (n < 1 || n > POS_COUNT_MAX_LINES)
        return err_user(ec, ERR_UNPROCESSABLE, "err_count_lines", "lines",
                        "a count needs 1..%d lines", POS_COUNT_MAX_LINES);
    if (strlen(j.reason) > 500)
        return err_user(ec, ERR_UNPROCESSABLE, "err_reason", "reason",
                        "reason too long");
    j.seen = calloc((size_t)n, sizeof(*j.seen));
    if (j.seen == NULL)
        return ERR_NOMEM;
    e = db_tx_run(db, "count", count_tx, &j, ec);
    free(j.seen);
    if (e != ERR_OK) {
        cJSON_Delete(j.out);
        return e;
    }
    *out = j.out;
    return ERR_OK;
}
