/* test_edit.c: product changes (validation, revisions, undo, hiding) and
 * evaluations (stars from scores, certificates, re-rating, revocation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/cat.h"
#include "catalog/cat_edit.h"
#include "catalog/cat_import.h"
#include "cert/cert.h"
#include "testutil.h"

#include <unistd.h>

static const struct actor who = {0, "test", ""};

struct fx {
    char path[64];
    struct db *db;
    struct cat_env env;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    struct cat_import_stats st;
    int fd;

    snprintf(fx->path, sizeof(fx->path), "/tmp/ocop-edit-XXXXXX");
    fd = mkstemp(fx->path);
    close(fd);
    if (db_open(fx->path, DB_READWRITE, &fx->db, NULL) != ERR_OK ||
        db_migrate(fx->db, NULL, NULL) != ERR_OK ||
        cat_import_dir(fx->db, "catalog", &st, NULL) != ERR_OK)
        return -1;
    fx->env.today = "2026-11-29";
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    char p[80];

    db_close(fx->db);
    unlink(fx->path);
    snprintf(p, sizeof(p), "%s-wal", fx->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", fx->path);
    unlink(p);
    free(fx);
    return 0;
}

static int64_t product_id(struct fx *fx, const char *slug)
{
    cJSON *p = NULL;
    int64_t id;

    assert_int_equal(cat_editable(fx->db, slug, &p, NULL), ERR_OK);
    id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "id"));
    cJSON_Delete(p);
    return id;
}

/* patch: applies JSON text; returns the error and the i18n key. */
static enum err patch(struct fx *fx, const char *slug, const char *json,
                      const char **key)
{
    cJSON *j = cJSON_Parse(json);
    struct err_ctx ec = {0};
    enum err e;

    assert_non_null(j);
    e = cat_patch(fx->db, &who, product_id(fx, slug), j, NULL, &ec);
    cJSON_Delete(j);
    if (key != NULL)
        *key = ec.key;
    return e;
}

static void invalid_values_are_refused(void **state)
{
    static const struct {
        const char *json, *key;
        enum err e;
    } cases[] = {
        {"{\"name\":\"x\"}", "err_name", ERR_UNPROCESSABLE},
        {"{\"name\":\"ok name\\u0007\"}", "err_name", ERR_UNPROCESSABLE},
        {"{\"stars\":5}", "err_office_only", ERR_FORBIDDEN},
        {"{\"certificate\":{}}", "err_office_only", ERR_FORBIDDEN},
        {"{\"colour\":\"red\"}", "err_unknown_field", ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"\"}]}", "err_sku", ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"A\",\"price_vnd\":-1}]}", "err_price",
         ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"A\",\"price_vnd\":12.5}]}", "err_price",
         ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"A\",\"barcode\":\"8935002301000\"}]}",
         "err_barcode", ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"A\"},{\"sku\":\"A\"}]}",
         "err_sku_duplicate", ERR_UNPROCESSABLE},
        {"{\"variants\":[{\"sku\":\"CULAORE-YRL-050\"}]}", "err_sku_taken",
         ERR_CONFLICT},
    };
    struct fx *fx = *state;
    const char *key;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum err e = patch(fx, "duong-phen-tuyet-huong", cases[i].json, &key);
        if (e != cases[i].e || key == NULL || strcmp(key, cases[i].key) != 0)
            fail_msg("%s: got %d %s, want %d %s", cases[i].json, e,
                     key ? key : "-", cases[i].e, cases[i].key);
    }
}

static void change_undo_and_history(void **state)
{
    struct fx *fx = *state;
    int64_t id = product_id(fx, "duong-phen-tuyet-huong"), v1, v2;
    cJSON *revs = NULL, *p = NULL;
    int64_t rev;

    assert_int_equal(db_catalog_version(fx->db, &v1, NULL), ERR_OK);
    assert_int_equal(
        patch(fx, "duong-phen-tuyet-huong",
              "{\"name\":\"  Đường phèn loại 1 \",\"variants\":[{\"sku\":"
              "\"TH-1\",\"size\":\"500 g\",\"unit\":\"túi\",\"price_vnd\":"
              "45000,\"barcode\":\"8935002301003\"}]}",
              NULL),
        ERR_OK);
    assert_int_equal(db_catalog_version(fx->db, &v2, NULL), ERR_OK);
    assert_true(v2 > v1);
    assert_int_equal(cat_product(fx->db, &fx->env, "duong-phen-tuyet-huong", &p,
                                 NULL),
                     ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")),
                        "Đường phèn loại 1"); /* trimmed */
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(p, "price_vnd")),
                     45000);
    cJSON_Delete(p);
    assert_int_equal(cat_revisions(fx->db, id, 10, &revs, NULL), ERR_OK);
    rev = (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItem(cJSON_GetArrayItem(revs, 0), "id"));
    cJSON_Delete(revs);
    /* only the latest can be undone; undo restores the old state */
    assert_int_equal(cat_undo(fx->db, &who, id, rev + 1, NULL), ERR_CONFLICT);
    assert_int_equal(cat_undo(fx->db, &who, id, rev, NULL), ERR_OK);
    assert_int_equal(cat_product(fx->db, &fx->env, "duong-phen-tuyet-huong", &p,
                                 NULL),
                     ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")),
                        "Đường phèn Tuyết Hường");
    cJSON_Delete(p);
    assert_int_equal(cat_undo(fx->db, &who, id, rev, NULL), ERR_CONFLICT);
}

static void search_follows_changes(void **state)
{
    struct fx *fx = *state;
    struct cat_query q;
    cJSON *res = NULL;

    assert_int_equal(patch(fx, "duong-phen-tuyet-huong",
                           "{\"description\":\"Kẹo mạch nha thủ công\"}", NULL),
                     ERR_OK);
    cat_query_init(&q);
    q.q = "keo mach nha thu cong";
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")), 1);
    cJSON_Delete(res);
}

static void hidden_products_are_not_public(void **state)
{
    struct fx *fx = *state;
    int64_t id = product_id(fx, "duong-phen-tuyet-huong");
    cJSON *p = NULL;

    assert_int_equal(cat_hide(fx->db, &who, id, 1, "", NULL), ERR_UNPROCESSABLE);
    assert_int_equal(cat_hide(fx->db, &who, id, 1, "Nhãn sai", NULL), ERR_OK);
    assert_int_equal(cat_product(fx->db, &fx->env, "duong-phen-tuyet-huong", &p,
                                 NULL),
                     ERR_NOTFOUND);
    assert_int_equal(cat_hide(fx->db, &who, id, 0, NULL, NULL), ERR_OK);
    assert_int_equal(cat_product(fx->db, &fx->env, "duong-phen-tuyet-huong", &p,
                                 NULL),
                     ERR_OK);
    cJSON_Delete(p);
}

static enum err evaluate(struct fx *fx, const char *slug, double score,
                         const char *level, const char *date, cJSON **out,
                         const char **key)
{
    struct cert_evaluation ev = {product_id(fx, slug), score, -1, -1, -1,
                                 level, "QĐ 1/2026", date, "26/2026"};
    struct err_ctx ec = {0};
    enum err e = cert_evaluate(fx->db, &who, &ev, out, &ec);

    if (key != NULL)
        *key = ec.key;
    return e;
}

static void evaluations_issue_certificates(void **state)
{
    struct fx *fx = *state;
    cJSON *out = NULL, *p = NULL, *c;
    const char *key;

    /* a candidate at 72 points becomes a public 4-star product */
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 72, "province", "2026-11-20",
                              &out, NULL),
                     ERR_OK);
    c = cJSON_GetObjectItem(out, "certificate");
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "stars")), 4);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "expires_on")),
                        "2029-11-20");
    cJSON_Delete(out);
    assert_int_equal(cat_product(fx->db, &fx->env, "nam-bao-ngu", &p, NULL),
                     ERR_OK);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(p, "stars")), 4);
    cJSON_Delete(p);
    /* the rules: 5 stars are national, 4 not, districts ended in 2025 */
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 91, "province", "2026-11-20",
                              &out, &key),
                     ERR_UNPROCESSABLE);
    assert_string_equal(key, "err_level_five");
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 60, "district", "2026-01-02",
                              &out, &key),
                     ERR_UNPROCESSABLE);
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 101, "province", "2026-01-02",
                              &out, &key),
                     ERR_UNPROCESSABLE);
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 60, "province", "2099-01-02",
                              &out, &key),
                     ERR_UNPROCESSABLE);
    /* re-rated below 50: the certificate ends, the product is not listed */
    assert_int_equal(evaluate(fx, "nam-bao-ngu", 45.5, "province", "2026-11-25",
                              &out, NULL),
                     ERR_OK);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(out, "certificate")));
    cJSON_Delete(out);
    assert_int_equal(cat_product(fx->db, &fx->env, "nam-bao-ngu", &p, NULL),
                     ERR_OK);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "stars")));
    cJSON_Delete(p);
}

static void revocation(void **state)
{
    struct fx *fx = *state;
    cJSON *out = NULL, *hist = NULL;
    int64_t cert;

    assert_int_equal(evaluate(fx, "nam-bao-ngu", 80, "province", "2026-11-26",
                              &out, NULL),
                     ERR_OK);
    cert = (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(out, "certificate"), "id"));
    cJSON_Delete(out);
    assert_int_equal(cert_revoke(fx->db, &who, cert, "", "2026-11-29", NULL),
                     ERR_UNPROCESSABLE);
    assert_int_equal(cert_revoke(fx->db, &who, cert, "Vi phạm nhãn mác",
                                 "2026-11-29", NULL),
                     ERR_OK);
    assert_int_equal(cert_revoke(fx->db, &who, cert, "again", "2026-11-29", NULL),
                     ERR_CONFLICT);
    /* history keeps everything */
    assert_int_equal(cert_history(fx->db, product_id(fx, "nam-bao-ngu"),
                                  "2026-11-29", &hist, NULL),
                     ERR_OK);
    assert_true(cJSON_GetArraySize(hist) >= 2);
    cJSON_Delete(hist);
}

/* A variant on sale on a marketplace is not removed with the others: the
 * marketplace would keep selling it. Off sale there, it may go. */
static void listed_variants_stay(void **state)
{
    static const char setup_sql[] =
        "INSERT INTO locations (id, kind, name) VALUES (900, 'channel', 'Shopee');"
        "INSERT INTO sync_shops (id, market, name, producer_id, location_id,"
        " api_base, auth_base, web_base, app_key, state)"
        " SELECT 900, 'shopee', 'test', producer_id, 900, 'x', 'x', 'x', 'k',"
        " 'active' FROM products WHERE id = %lld;"
        "INSERT INTO sync_listings (shop_id, variant_id, ext_item_id, status)"
        " SELECT 900, id, '123', 'synced' FROM variants WHERE product_id = %lld"
        " ORDER BY position DESC LIMIT 1;";
    struct fx *fx = *state;
    sqlite3_stmt *st;
    char slug[200], sql[1024], *text;
    cJSON *p = NULL, *patch_json;
    const char *key = NULL;
    int64_t id;

    assert_int_equal(sqlite3_prepare_v2(db_handle(fx->db),
        "SELECT slug FROM products p WHERE (SELECT COUNT(*) FROM variants v"
        " WHERE v.product_id = p.id) >= 2 ORDER BY id LIMIT 1", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(slug, sizeof(slug), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    id = product_id(fx, slug);
    snprintf(sql, sizeof(sql), setup_sql, (long long)id, (long long)id);
    assert_int_equal(sqlite3_exec(db_handle(fx->db), sql, NULL, NULL, NULL), SQLITE_OK);
    /* the patch keeps only the first variant */
    assert_int_equal(cat_editable(fx->db, slug, &p, NULL), ERR_OK);
    patch_json = cJSON_CreateObject();
    cJSON *vars = cJSON_AddArrayToObject(patch_json, "variants");
    cJSON_AddItemToArray(vars, cJSON_Duplicate(cJSON_GetArrayItem(
                                   cJSON_GetObjectItem(p, "variants"), 0), 1));
    cJSON_Delete(p);
    text = cJSON_PrintUnformatted(patch_json);
    cJSON_Delete(patch_json);
    assert_int_equal(patch(fx, slug, text, &key), ERR_CONFLICT);
    assert_string_equal(key, "err_variant_in_use");
    /* taken off the marketplace, it may be removed (and its listing goes) */
    assert_int_equal(sqlite3_exec(db_handle(fx->db),
                                  "UPDATE sync_listings SET status = 'unlisted'",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(patch(fx, slug, text, NULL), ERR_OK);
    cJSON_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_values_are_refused),
        cmocka_unit_test(change_undo_and_history),
        cmocka_unit_test(search_follows_changes),
        cmocka_unit_test(hidden_products_are_not_public),
        cmocka_unit_test(evaluations_issue_certificates),
        cmocka_unit_test(revocation),
        cmocka_unit_test(listed_variants_stay),
    };
    return cmocka_run_group_tests_name("catalog edits", tests, setup, teardown);
}
