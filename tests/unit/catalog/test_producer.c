/* test_producer.c: producers and the OCOP cycle as the office keeps them
 * (cat_producer, cat_cycle), on a temporary database built from catalog/.
 * Field rules are data: tests/fixtures/catalog/producer_fields.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "catalog/cat_cycle.h"
#include "catalog/cat_import.h"
#include "catalog/cat_producer.h"
#include "testutil.h"

#include <unistd.h>

struct fx {
    char path[64];
    struct db *db;
};

static const struct actor who = {0, "test", "127.0.0.1"};

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

static struct cat_producer_in valid_in(void)
{
    struct cat_producer_in in = {0};

    in.name = "HTX Nông nghiệp Phổ Phong";
    in.kind = "cooperative";
    in.province = "Quảng Ngãi";
    return in;
}

static void set_field(struct cat_producer_in *in, const char *field,
                      const char *v)
{
    const char **slot = strcmp(field, "name") == 0         ? &in->name
                        : strcmp(field, "kind") == 0       ? &in->kind
                        : strcmp(field, "tax_code") == 0   ? &in->tax_code
                        : strcmp(field, "phone") == 0      ? &in->phone
                        : strcmp(field, "email") == 0      ? &in->email
                        : strcmp(field, "website") == 0    ? &in->website
                        : strcmp(field, "province") == 0   ? &in->province
                        : strcmp(field, "commune") == 0    ? &in->commune
                        : strcmp(field, "address") == 0    ? &in->address
                                                           : NULL;

    assert_non_null(slot);
    *slot = v;
}

static void field_rules(void **state)
{
    FILE *f = tu_open("tests/fixtures/catalog/producer_fields.tsv");
    char line[1024], *cols[4];
    int n, rows = 0;

    (void)state;
    assert_non_null(f);
    while ((n = tu_next_row(f, line, sizeof(line), cols, 4)) >= 0) {
        struct cat_producer_in in = valid_in();
        struct err_ctx ec = {0};
        cJSON *rec = NULL;
        enum err e;

        assert_true(n >= 3);
        set_field(&in, cols[0], cols[1]);
        e = cat_producer_clean(&in, &rec, &ec);
        if (strcmp(cols[2], "ok") != 0) {
            if (e != ERR_UNPROCESSABLE || ec.key == NULL ||
                strcmp(ec.key, cols[2]) != 0)
                fail_msg("%s=\"%s\": want %s, got %d %s", cols[0], cols[1],
                         cols[2], e, ec.key ? ec.key : "");
            assert_string_equal(ec.field, cols[0]);
        } else {
            const char *got = cJSON_GetStringValue(cJSON_GetObjectItem(rec, cols[0]));
            if (e != ERR_OK)
                fail_msg("%s=\"%s\": %s", cols[0], cols[1], ec.msg);
            assert_true(n == 4);
            if (strcmp(cols[3], "-") == 0)
                assert_null(got);
            else
                assert_string_equal(got, cols[3]);
        }
        cJSON_Delete(rec);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 40);
}

static void provinces_are_the_34(void **state)
{
    (void)state;
    assert_string_equal(cat_province_name(0), "Hà Nội");
    assert_string_equal(cat_province_name(CAT_PROVINCES - 1), "Cà Mau");
    assert_null(cat_province_name(CAT_PROVINCES));
    assert_null(cat_province_name(-1));
}

static int64_t audit_count(struct fx *fx, const char *q)
{
    cJSON *res = NULL;
    int64_t n;

    assert_int_equal(audit_search(fx->db, q, NULL, 0, 1, 1, &res, NULL), ERR_OK);
    n = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total"));
    cJSON_Delete(res);
    return n;
}

static void create_update_list(void **state)
{
    struct fx *fx = *state;
    struct cat_producer_in in = valid_in();
    char slug1[CAT_PRODUCER_SLUG_MAX], slug2[CAT_PRODUCER_SLUG_MAX];
    int64_t id = 0, v1, v2, before;
    cJSON *p = NULL, *list = NULL;

    assert_int_equal(cat_producer_create(fx->db, &who, &in, slug1, &id, NULL), ERR_OK);
    assert_int_equal(cat_producer_create(fx->db, &who, &in, slug2, NULL, NULL), ERR_OK);
    assert_string_equal(slug1, "htx-nong-nghiep-pho-phong");
    assert_string_equal(slug2, "htx-nong-nghiep-pho-phong-2");
    assert_int_equal(cat_producer_get(fx->db, "2026-11-29", slug1, &p, NULL), ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(p, "province")),
                        "Quảng Ngãi");
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(p, "products")), 0);
    cJSON_Delete(p);
    /* an update records before/after and bumps the catalog version */
    before = audit_count(fx, "producer.update");
    assert_int_equal(db_catalog_version(fx->db, &v1, NULL), ERR_OK);
    in.tax_code = "4300123456";
    assert_int_equal(cat_producer_update(fx->db, &who, id, &in, NULL), ERR_OK);
    assert_int_equal(db_catalog_version(fx->db, &v2, NULL), ERR_OK);
    assert_true(v2 > v1);
    assert_int_equal(audit_count(fx, "producer.update"), before + 1);
    /* the same record again changes nothing and records nothing */
    assert_int_equal(cat_producer_update(fx->db, &who, id, &in, NULL), ERR_OK);
    assert_int_equal(audit_count(fx, "producer.update"), before + 1);
    in.tax_code = "123";
    assert_int_equal(cat_producer_update(fx->db, &who, id, &in, NULL),
                     ERR_UNPROCESSABLE);
    assert_int_equal(cat_producer_update(fx->db, &who, 999999, &in, NULL),
                     ERR_NOTFOUND);
    /* search folds accents; a tax code prefix matches too */
    assert_int_equal(cat_producer_list(fx->db, "nông nghiệp PHỔ", 1, 10, &list, NULL),
                     ERR_OK);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(list, "total")), 2);
    cJSON_Delete(list);
    assert_int_equal(cat_producer_list(fx->db, "4300123", 1, 10, &list, NULL), ERR_OK);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(list, "total")), 1);
    cJSON_Delete(list);
}

static void cycle_moves_are_kept(void **state)
{
    struct fx *fx = *state;
    struct cat_candidate in = {"Nước mắm cá cơm", "culaore", 1, 4, 0, "Ý tưởng"};
    char slug[CAT_CYCLE_SLUG_MAX];
    int64_t id = 0, counts[CAT_CYCLE_STEPS + 1], before;
    cJSON *hist = NULL;
    struct err_ctx ec = {0};
    int step = 0;

    assert_int_equal(cat_cycle_counts(fx->db, counts, NULL), ERR_OK);
    before = counts[CAT_CYCLE_REGISTERED];
    assert_int_equal(cat_cycle_register(fx->db, &who, &in, slug, &id, NULL), ERR_OK);
    assert_string_equal(slug, "nuoc-mam-ca-com");
    assert_int_equal(cat_cycle_register(fx->db, &who, &in, slug, NULL, NULL), ERR_OK);
    assert_string_equal(slug, "nuoc-mam-ca-com-culaore"); /* README's rule */
    assert_int_equal(cat_cycle_counts(fx->db, counts, NULL), ERR_OK);
    assert_int_equal(counts[CAT_CYCLE_REGISTERED], before + 2);
    assert_int_equal(cat_cycle_move(fx->db, &who, id, 3, "Phương án", NULL), ERR_OK);
    assert_int_equal(cat_cycle_move(fx->db, &who, id, 5, "", NULL), ERR_OK);
    assert_int_equal(cat_cycle_move(fx->db, &who, id, 5, "", &ec), ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_cycle_same_step");
    assert_int_equal(cat_cycle_move(fx->db, &who, id, 7, "", NULL), ERR_UNPROCESSABLE);
    assert_int_equal(cat_cycle_step(fx->db, id, &step, NULL), ERR_OK);
    assert_int_equal(step, 5);
    assert_int_equal(cat_cycle_history(fx->db, id, &hist, NULL), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(hist), 3); /* 2, 3, 5: never rewritten */
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(
                         cJSON_GetArrayItem(hist, 2), "step")), 2);
    cJSON_Delete(hist);
    in.producer_slug = "khong-co";
    assert_int_equal(cat_cycle_register(fx->db, &who, &in, slug, NULL, NULL),
                     ERR_UNPROCESSABLE);
    in.producer_slug = "culaore";
    in.group = 7;
    assert_int_equal(cat_cycle_register(fx->db, &who, &in, slug, NULL, NULL),
                     ERR_UNPROCESSABLE);
}

static void certified_products_are_not_candidates(void **state)
{
    struct fx *fx = *state;
    sqlite3_stmt *st;
    struct err_ctx ec = {0};
    int64_t id;
    int step = -1;

    assert_int_equal(sqlite3_prepare_v2(db_handle(fx->db),
                                        "SELECT id FROM products WHERE status ="
                                        " 'certified' LIMIT 1", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(cat_cycle_step(fx->db, id, &step, NULL), ERR_OK);
    assert_int_equal(step, 0);
    assert_int_equal(cat_cycle_move(fx->db, &who, id, 2, "", &ec), ERR_CONFLICT);
    assert_string_equal(ec.key, "err_cycle_not_candidate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field_rules),
        cmocka_unit_test(provinces_are_the_34),
        cmocka_unit_test(create_update_list),
        cmocka_unit_test(cycle_moves_are_kept),
        cmocka_unit_test(certified_products_are_not_candidates),
    };
    return cmocka_run_group_tests_name("producers and the OCOP cycle", tests,
                                       setup, teardown);
}
