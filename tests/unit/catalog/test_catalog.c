/* test_catalog.c: the seed import and the public catalog queries, on a
 * temporary database built from catalog/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/cat.h"
#include "catalog/cat_import.h"
#include "testutil.h"

#include <unistd.h>

struct fx {
    char path[64];
    struct db *db;
    struct cat_env env;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    struct cat_import_stats st;
    struct err_ctx ec = {0};
    int fd;

    snprintf(fx->path, sizeof(fx->path), "/tmp/ocop-unit-XXXXXX");
    fd = mkstemp(fx->path);
    close(fd);
    if (db_open(fx->path, DB_READWRITE, &fx->db, &ec) != ERR_OK ||
        db_migrate(fx->db, NULL, &ec) != ERR_OK ||
        cat_import_dir(fx->db, "catalog", &st, &ec) != ERR_OK) {
        fprintf(stderr, "setup: %s\n", ec.msg);
        return -1;
    }
    fx->env.today = "2026-11-29";
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    char wal[80];

    db_close(fx->db);
    unlink(fx->path);
    snprintf(wal, sizeof(wal), "%s-wal", fx->path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", fx->path);
    unlink(wal);
    free(fx);
    return 0;
}

static void import_is_idempotent(void **state)
{
    struct fx *fx = *state;
    struct cat_import_stats st;
    int64_t v1, v2;

    assert_int_equal(db_catalog_version(fx->db, &v1, NULL), ERR_OK);
    assert_int_equal(cat_import_dir(fx->db, "catalog", &st, NULL), ERR_OK);
    assert_int_equal(st.products, 94);
    assert_int_equal(st.producers, 57);
    assert_int_equal(st.changed, 0);
    assert_int_equal(db_catalog_version(fx->db, &v2, NULL), ERR_OK);
    assert_int_equal(v1, v2);
}

static const char *first_name(const cJSON *res)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(res, "items"), 0), "name"));
}

static cJSON *search(struct fx *fx, const char *q, enum cat_sort sort)
{
    struct cat_query cq;
    cJSON *res = NULL;

    cat_query_init(&cq);
    cq.q = q;
    cq.sort = sort;
    assert_int_equal(cat_list(fx->db, &fx->env, &cq, &res, NULL), ERR_OK);
    return res;
}

static void search_folds_accents(void **state)
{
    static const char *const queries[] = {
        "duong phen", "ĐƯỜNG PHÈN",
        "\x64\xC6\xB0\xCC\x9B\x6F\xCC\x9B\xCC\x80\x6E\x67 ph\x65\xCC\x80n",
    };
    struct fx *fx = *state;
    size_t i;

    for (i = 0; i < 3; i++) {
        cJSON *res = search(fx, queries[i], CAT_SORT_RELEVANCE);
        assert_non_null(first_name(res));
        assert_string_equal(first_name(res), "Đường phèn Tuyết Hường");
        cJSON_Delete(res);
    }
}

static void registered_products_are_not_public(void **state)
{
    struct fx *fx = *state;
    cJSON *res = search(fx, "nam bao ngu", CAT_SORT_RELEVANCE), *p = NULL;

    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")), 0);
    cJSON_Delete(res);
    assert_int_equal(cat_product(fx->db, &fx->env, "nam-bao-ngu", &p, NULL),
                     ERR_NOTFOUND);
}

static void expired_certificates_are_not_listed(void **state)
{
    struct fx *fx = *state;
    struct cat_query q;
    cJSON *res = NULL, *item;

    cat_query_init(&q);
    q.per_page = 100;
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(res, "items"))
    {
        const cJSON *c = cJSON_GetObjectItem(item, "certificate");
        assert_string_equal(
            cJSON_GetStringValue(cJSON_GetObjectItem(c, "status")), "active");
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(item, "stars")));
    }
    /* the same catalog seen in 2030: every seed certificate has lapsed */
    cJSON_Delete(res);
    fx->env.today = "2030-01-01";
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")), 0);
    cJSON_Delete(res);
    fx->env.today = "2026-11-29";
}

static void expired_product_page_says_so(void **state)
{
    struct fx *fx = *state;
    cJSON *p = NULL;

    fx->env.today = "2030-01-01";
    assert_int_equal(cat_product(fx->db, &fx->env,
                                 "mach-nha-quang-ngai-duong-mantoza", &p, NULL),
                     ERR_OK);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "stars")));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(p, "certificate"), "status")),
                        "expired");
    cJSON_Delete(p);
    fx->env.today = "2026-11-29";
}

static void sorts_by_price_and_name(void **state)
{
    struct fx *fx = *state;
    struct cat_query q;
    cJSON *res = NULL, *item;
    double prev = -1;

    cat_query_init(&q);
    q.sort = CAT_SORT_PRICE;
    q.per_page = 100;
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(res, "items"))
    {
        const cJSON *price = cJSON_GetObjectItem(item, "price_vnd");
        if (!cJSON_IsNumber(price))
            continue; /* unknown prices come last */
        assert_true(cJSON_GetNumberValue(price) >= prev);
        prev = cJSON_GetNumberValue(price);
    }
    cJSON_Delete(res);
    q.sort = CAT_SORT_NAME;
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    /* Vietnamese order: "Đ..." comes after "D..." and before "E..." */
    item = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "items"), 0);
    assert_true(strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(item, "name")),
                        "B", 1) == 0);
    cJSON_Delete(res);
}

static void sample_products_are_flagged(void **state)
{
    struct fx *fx = *state;
    struct cat_query q;
    cJSON *res = NULL, *item;

    assert_int_equal(cat_import_sample(fx->db, 30, NULL), ERR_OK);
    cat_query_init(&q);
    q.q = "mau";
    q.per_page = 100;
    assert_int_equal(cat_list(fx->db, &fx->env, &q, &res, NULL), ERR_OK);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total")) >= 20);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(res, "items"))
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(item, "sample")));
    cJSON_Delete(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_is_idempotent),
        cmocka_unit_test(search_folds_accents),
        cmocka_unit_test(registered_products_are_not_public),
        cmocka_unit_test(expired_certificates_are_not_listed),
        cmocka_unit_test(expired_product_page_says_so),
        cmocka_unit_test(sorts_by_price_and_name),
        cmocka_unit_test(sample_products_are_flagged),
    };
    return cmocka_run_group_tests_name("catalog", tests, setup, teardown);
}
