/* test_settlement.c: the consignment settlement (stk_report): the
 * scenario tests/fixtures/stock/settlement.tsv with its numbers worked by
 * hand, commission rounding (tests/fixtures/stock/commission.tsv), the
 * balance of every line, and bad periods. */
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

static void commission_rounding(void **state)
{
    FILE *f = tu_open("tests/fixtures/stock/commission.tsv");
    char line[256], *cols[3];
    int n, rows = 0;

    (void)state;
    assert_non_null(f);
    while ((n = tu_next_row(f, line, sizeof(line), cols, 3)) >= 0) {
        int64_t got =
            stk_commission(strtoll(cols[0], NULL, 10), strtod(cols[1], NULL));
        assert_int_equal(n, 3);
        if (got != strtoll(cols[2], NULL, 10))
            fail_msg("%s x %s %%: got %lld, want %s", cols[0], cols[1],
                     (long long)got, cols[2]);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 10);
}

static void scenario(void **state)
{
    struct scn *s = *state;

    assert_true(scn_run(s, "tests/fixtures/stock/settlement.tsv") > 40);
}

static int64_t get(const cJSON *o, const char *key)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

/* balanced: every line and total of a settlement adds up. */
static void balanced(const cJSON *o)
{
    assert_int_equal(get(o, "closing"), get(o, "opening") + get(o, "received") -
                                            get(o, "sent") - get(o, "sold") -
                                            get(o, "returned") +
                                            get(o, "adjusted"));
}

static void every_line_balances(void **state)
{
    static const char *const places[] = {"F", "P", "B1", "B2"};
    struct scn *s = *state;
    char from[11], to[11];
    struct stk_period p = {from, to};
    size_t i;

    scn_day(s, "D-5", from);
    scn_day(s, "D", to);
    for (i = 0; i < sizeof(places) / sizeof(*places); i++) {
        struct err_ctx ec = {0};
        cJSON *r = NULL, *pr, *it;
        int64_t due = 0;
        assert_int_equal(
            stk_settlement(s->db, scn_id(s, places[i]), 0, &p, &r, &ec),
            ERR_OK);
        cJSON_ArrayForEach(pr, cJSON_GetObjectItem(r, "producers"))
        {
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(pr, "items"))
                balanced(it);
            balanced(cJSON_GetObjectItem(pr, "totals"));
            due += get(cJSON_GetObjectItem(pr, "totals"), "due_vnd");
        }
        balanced(cJSON_GetObjectItem(r, "totals"));
        assert_int_equal(get(cJSON_GetObjectItem(r, "totals"), "due_vnd"), due);
        cJSON_Delete(r);
    }
}

static void producer_with_nothing_there(void **state)
{
    struct scn *s = *state;
    char from[11], to[11];
    struct stk_period p = {from, to};
    struct err_ctx ec = {0};
    cJSON *r = NULL, *pr;

    scn_day(s, "D-2", from);
    scn_day(s, "D", to);
    assert_int_equal(stk_settlement(s->db, scn_id(s, "P"),
                                    scn_producer(s, "tuyet-huong"), &p, &r,
                                    &ec),
                     ERR_OK);
    pr = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "producers"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(pr, "slug")),
                        "tuyet-huong");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(pr, "items")), 0);
    assert_int_equal(get(cJSON_GetObjectItem(pr, "totals"), "due_vnd"), 0);
    cJSON_Delete(r);
    assert_int_equal(stk_settlement(s->db, scn_id(s, "P"), 999999, &p, &r, &ec),
                     ERR_NOTFOUND);
    assert_int_equal(stk_settlement(s->db, 999999, 0, &p, &r, &ec),
                     ERR_NOTFOUND);
}

/* live_figures: the fair on D-1 (sales made then; all reached the server
 * today, so today every one of them counts as late). */
static void live_figures(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    char day[11];
    cJSON *r = NULL, *tot, *b, *hours, *top;

    scn_day(s, "D-1", day);
    assert_int_equal(stk_fair_live(s->db, scn_id(s, "F"), day, &r, &ec),
                     ERR_OK);
    tot = cJSON_GetObjectItem(r, "totals");
    assert_int_equal(get(tot, "sales_count"), 3);
    assert_int_equal(get(tot, "sales_vnd"), 182000 + 230000 + 470000);
    assert_int_equal(get(tot, "all_sales_vnd"), 882000 + 70000 + 37000);
    assert_int_equal(get(tot, "late"), 0); /* none reached us on D-1 */
    assert_int_equal(get(tot, "short_open"), 1);
    b = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "booths"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(b, "name")),
                        "B2"); /* the best day first */
    assert_int_equal(get(b, "sales_vnd"), 700000);
    assert_int_equal(get(b, "units"), -4);
    hours = cJSON_GetObjectItem(r, "hours");
    assert_int_equal(cJSON_GetArraySize(hours), 24);
    assert_int_equal(get(cJSON_GetArrayItem(hours, 0), "sales_vnd"), 182000);
    assert_int_equal(get(cJSON_GetArrayItem(hours, 11), "sales_vnd"), 230000);
    assert_int_equal(get(cJSON_GetArrayItem(hours, 20), "sales_vnd"), 470000);
    assert_int_equal(get(cJSON_GetArrayItem(hours, 12), "sales_count"), 0);
    top = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "products"), 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(top, "sku")),
                        "CULAORE-YHCV-070");
    assert_int_equal(get(top, "qty"), 15);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "shortfalls")),
                     1);
    cJSON_Delete(r);
    assert_int_equal(stk_fair_live(s->db, scn_id(s, "F"), s->today, &r, &ec),
                     ERR_OK);
    /* today: the six sales of F made earlier arrived today */
    assert_int_equal(get(cJSON_GetObjectItem(r, "totals"), "late"), 6);
    assert_int_equal(get(cJSON_GetObjectItem(r, "totals"), "sales_count"), 0);
    cJSON_Delete(r);
}

static void bad_periods(void **state)
{
    static const struct {
        const char *from, *to, *field;
    } cases[] = {
        {"2026-05-20", "2026-05-19", "to"},
        {"2026-02-30", "2026-03-01", "from"},
        {"20-05-2026", "2026-05-21", "from"},
        {"2026-05-01", "", "to"},
        {"2026-05-01", "2026-05-01T00:00", "to"},
    };
    struct scn *s = *state;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct stk_period p = {cases[i].from, cases[i].to};
        struct err_ctx ec = {0};
        cJSON *r = NULL;
        assert_int_equal(stk_settlement(s->db, scn_id(s, "P"), 0, &p, &r, &ec),
                         ERR_UNPROCESSABLE);
        assert_null(r);
        assert_string_equal(ec.key, "err_period");
        assert_string_equal(ec.field, cases[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commission_rounding),
        cmocka_unit_test(scenario),
        cmocka_unit_test(every_line_balances),
        cmocka_unit_test(producer_with_nothing_there),
        cmocka_unit_test(live_figures),
        cmocka_unit_test(bad_periods),
    };
    return cmocka_run_group_tests_name("settlement", tests, setup, teardown);
}
