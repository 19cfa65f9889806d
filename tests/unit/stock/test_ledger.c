/* test_ledger.c: places and the ledger's rules (stk, stk_place): the
 * scenario tests/fixtures/stock/ledger.tsv, the rules of a place
 * (tests/fixtures/stock/places.tsv), the append-only ledger, shortfalls
 * and closing them, edits, and one audit entry per write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stock/scenario.h"

static int setup(void **state)
{
    struct scn *s = calloc(1, sizeof(*s));

    if (s == NULL || scn_open(s) != 0)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    scn_close(*state);
    free(*state);
    return 0;
}

static void scenario(void **state)
{
    struct scn *s = *state;

    assert_true(scn_run(s, "tests/fixtures/stock/ledger.tsv") > 40);
}

static const char *col(char *v)
{
    return strcmp(v, "-") == 0 ? NULL : v;
}

static void place_rules(void **state)
{
    FILE *f = tu_open("tests/fixtures/stock/places.tsv");
    struct scn *s = *state;
    char line[1024], *c[10];
    int n, rows = 0;

    assert_non_null(f);
    while ((n = tu_next_row(f, line, sizeof(line), c, 10)) >= 0) {
        struct stk_place p = {
            c[0], c[1],      0,         0,         "",
            "",   col(c[4]), col(c[5]), col(c[7]), strtod(c[6], NULL),
            0};
        struct err_ctx ec = {0};
        enum err e;
        assert_true(n >= 9);
        if (col(c[2]) != NULL)
            p.parent_id = scn_id(s, c[2]);
        if (col(c[3]) != NULL)
            p.producer_id = scn_producer(s, c[3]);
        e = stk_place_check(s->db, &p, &ec);
        if (strcmp(c[8], "ok") == 0 && e != ERR_OK)
            fail_msg("%s \"%s\": %s", c[0], c[1], ec.msg);
        if (strcmp(c[8], "ok") != 0 &&
            (e != ERR_UNPROCESSABLE || strcmp(ec.key, c[8]) != 0 ||
             strcmp(ec.field, c[9]) != 0))
            fail_msg("%s \"%s\": want %s %s, got %s %s", c[0], c[1], c[8], c[9],
                     err_name(e), ec.key ? ec.key : "");
        rows++;
    }
    fclose(f);
    assert_true(rows >= 15);
}

static void append_only(void **state)
{
    struct scn *s = *state;
    sqlite3 *h = db_handle(s->db);

    assert_int_not_equal(
        sqlite3_exec(h, "UPDATE stock_moves SET qty = 99", NULL, NULL, NULL),
        SQLITE_OK);
    assert_non_null(strstr(sqlite3_errmsg(h), "append-only"));
    assert_int_not_equal(
        sqlite3_exec(h, "DELETE FROM stock_moves", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(stk_verify(s->db), 0);
}

static enum err resolve_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    const int64_t *a = cls;

    return stk_shortfall_resolve(db, &scn_who, a[0], a[1],
                                 a[2] ? "đã bù hàng từ kho" : "", ec);
}

static void shortfalls(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    cJSON *open = NULL, *first;
    int64_t a[3] = {scn_id(s, "P"), 0, 1};

    assert_int_equal(stk_shortfalls(s->db, a[0], 1, &open, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(open), 1);
    first = cJSON_GetArrayItem(open, 0);
    assert_int_equal(
        cJSON_GetNumberValue(cJSON_GetObjectItem(first, "qty_short")), 2);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(first, "sku")),
                        "CULAORE-YHC-070");
    a[1] = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(first, "id"));
    cJSON_Delete(open);
    a[2] = 0; /* a note is required */
    assert_int_equal(db_tx_run(s->db, "t", resolve_tx, a, &ec),
                     ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_note_required");
    a[2] = 1;
    a[0] = scn_id(s, "F"); /* not the fair's */
    assert_int_equal(db_tx_run(s->db, "t", resolve_tx, a, &ec), ERR_CONFLICT);
    a[0] = scn_id(s, "P");
    assert_int_equal(db_tx_run(s->db, "t", resolve_tx, a, &ec), ERR_OK);
    assert_int_equal(db_tx_run(s->db, "t", resolve_tx, a, &ec), ERR_CONFLICT);
    assert_string_equal(ec.key, "err_shortfall_closed");
    assert_int_equal(stk_shortfalls(s->db, a[0], 1, &open, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(open), 0);
    cJSON_Delete(open);
    assert_int_equal(stk_shortfalls(s->db, a[0], 0, &open, &ec), ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetArrayItem(open, 0), "resolve_note")),
                        "đã bù hàng từ kho");
    cJSON_Delete(open);
}

static enum err update_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    const struct stk_place *p = cls;

    return stk_place_update(db, &scn_who, p->parent_id, p, ec);
}

static void editing_a_place(void **state)
{
    struct scn *s = *state;
    struct stk_place p = {"point",
                          "Điểm bán đổi tên",
                          0,
                          0,
                          "Ga Quảng Ngãi",
                          "Sở Công Thương",
                          "2026-01-01",
                          NULL,
                          NULL,
                          15,
                          0};
    struct err_ctx ec = {0};
    cJSON *o = NULL;

    p.parent_id = scn_id(s, "P"); /* which place, for update_tx */
    assert_int_equal(db_tx_run(s->db, "t", update_tx, &p, &ec), ERR_OK);
    assert_int_equal(stk_place(s->db, p.parent_id, &o, &ec), ERR_OK);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
                        "Điểm bán đổi tên");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind")),
                        "point");
    assert_int_equal(
        cJSON_GetNumberValue(cJSON_GetObjectItem(o, "commission_pct")), 15);
    cJSON_Delete(o);
    p.kind = "fair"; /* the kind stays what it was */
    p.commission_pct = 120;
    assert_int_equal(db_tx_run(s->db, "t", update_tx, &p, &ec),
                     ERR_UNPROCESSABLE);
    assert_string_equal(ec.field, "commission_pct");
    p.parent_id = 999999;
    p.commission_pct = 1;
    assert_int_equal(db_tx_run(s->db, "t", update_tx, &p, &ec), ERR_NOTFOUND);
}

static void every_write_is_audited(void **state)
{
    static const char *const actions[] = {
        "place.create", "place.producer_add",
        "place.update", "stock.receive",
        "stock.return", "stock.adjust",
        "stock.levels", "stock.shortfall_resolve",
    };
    struct scn *s = *state;
    size_t i;

    for (i = 0; i < sizeof(actions) / sizeof(*actions); i++)
        if (scn_int(s, "SELECT count(*) FROM audit_log WHERE action = ?1",
                    actions[i]) == 0)
            fail_msg("no audit entry %s", actions[i]);
    /* the refused steps of the scenario left none */
    assert_int_equal(scn_int(s,
                             "SELECT count(*) FROM audit_log WHERE action ="
                             " 'stock.receive'",
                             NULL),
                     2);
}

static void the_ledger_of_a_place(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    cJSON *rows = NULL, *first;

    assert_int_equal(stk_moves(s->db, scn_id(s, "P"), 3, &rows, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(rows), 3);
    first = cJSON_GetArrayItem(rows, 0); /* newest first: the sale */
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(first, "kind")), "sale");
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(first, "qty")),
                     -10);
    cJSON_Delete(rows);
}

static void dates_and_times(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2026-05-20", "2026-05-20T05:00:00Z"},
        {"2026-05-20T17:30:00Z", "2026-05-20T17:30:00Z"},
        {"2024-02-29", "2024-02-29T05:00:00Z"},
        {"2026-02-29", NULL},
        {"2026-05-20T24:00:00Z", NULL},
        {"2026-05-20T10:00:00+07:00", NULL},
        {"20/05/2026", NULL},
        {"", NULL},
    };
    char out[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct err_ctx ec = {0};
        enum err e = stk_when(cases[i].in, out, sizeof(out), &ec);
        if (cases[i].out == NULL) {
            assert_int_equal(e, ERR_UNPROCESSABLE);
            continue;
        }
        assert_int_equal(e, ERR_OK);
        assert_string_equal(out, cases[i].out);
    }
    assert_false(stk_date_ok(NULL));
    assert_false(stk_date_ok("2026-13-01"));
    assert_true(stk_date_ok("2026-12-31"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario),
        cmocka_unit_test(place_rules),
        cmocka_unit_test(append_only),
        cmocka_unit_test(shortfalls),
        cmocka_unit_test(editing_a_place),
        cmocka_unit_test(every_write_is_audited),
        cmocka_unit_test(the_ledger_of_a_place),
        cmocka_unit_test(dates_and_times),
    };
    return cmocka_run_group_tests_name("ledger", tests, setup, teardown);
}
