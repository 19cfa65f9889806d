/* test_transfer.c: transfers and stocktakes (stk_transfer, stk_count): the
 * scenario tests/fixtures/stock/transfer.tsv, what a transfer and a count
 * sheet read back as, several lines at once, and a closed sheet. */
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

    assert_true(scn_run(s, "tests/fixtures/stock/transfer.tsv") > 40);
}

static int64_t num(const cJSON *o, const char *key)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
}

static void reading_a_transfer(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    cJSON *t = NULL, *line, *list = NULL;

    assert_int_equal(stk_transfer(s->db, scn_id(s, "transfer#1"), &t, &ec),
                     ERR_OK);
    assert_string_equal(str(t, "from"), "W");
    assert_string_equal(str(t, "to"), "B1");
    assert_string_equal(str(t, "actor"), "test");
    assert_string_equal(str(t, "received_by"), "test");
    assert_non_null(str(t, "received_at"));
    line = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "lines"), 0);
    assert_string_equal(str(line, "sku"), "CULAORE-YHC-070");
    assert_int_equal(num(line, "qty_sent"), 10);
    assert_int_equal(num(line, "qty_received"), 9);
    assert_int_equal(num(line, "diff"), -1);
    cJSON_Delete(t);
    assert_int_equal(stk_transfer(s->db, 999999, &t, &ec), ERR_NOTFOUND);
    assert_int_equal(stk_transfers(s->db, scn_id(s, "B1"), &list, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(list), 2); /* #1 in, #2 out */
    cJSON_Delete(list);
    assert_int_equal(stk_transfers(s->db, 0, &list, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(list), 3);
    cJSON_Delete(list);
}

struct send_job {
    int64_t from, to, id;
    struct stk_line lines[3];
    int n;
};

static enum err send_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct send_job *j = cls;

    return stk_transfer_send(db, &scn_who, j->from, j->to, j->lines, j->n,
                             "xe tải 51C", &j->id, ec);
}

static enum err receive_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct send_job *j = cls;

    return stk_transfer_receive(db, &scn_who, j->id, j->lines, j->n, ec);
}

static enum err stock_w_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct send_job *j = cls;

    return stk_receive(db, &scn_who, j->from, &j->lines[1], 1, "SX-02", NULL,
                       NULL, ec);
}

/* several lines: one the receiver counts short, one not given (so it came
 * in full); the same variant twice, or no line, is refused */
static void several_lines(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    struct send_job j = {scn_id(s, "W"), scn_id(s, "B2"), 0, {{0, 0}}, 2};
    int64_t yhc = scn_variant(s, "CULAORE-YHC-070");
    int64_t yhcd = scn_variant(s, "CULAORE-YHCD-070");

    j.lines[0] = (struct stk_line){yhc, 6};
    j.lines[1] = (struct stk_line){yhc, 1};
    assert_int_equal(db_tx_run(s->db, "t", send_tx, &j, &ec),
                     ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_stock_lines_dup");
    j.n = 0;
    assert_int_equal(db_tx_run(s->db, "t", send_tx, &j, &ec),
                     ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_stock_lines");
    j.lines[1] = (struct stk_line){yhcd, 3};
    assert_int_equal(db_tx_run(s->db, "t", stock_w_tx, &j, &ec), ERR_OK);
    j.n = 2;
    assert_int_equal(db_tx_run(s->db, "t", send_tx, &j, &ec), ERR_OK);
    j.lines[0].qty = 5;
    j.n = 1;
    assert_int_equal(db_tx_run(s->db, "t", receive_tx, &j, &ec), ERR_OK);
    assert_int_equal(stk_on_hand_of(s->db, yhc, j.to), 5);
    assert_int_equal(stk_on_hand_of(s->db, yhcd, j.to), 3);
    assert_int_equal(stk_on_hand_of(s->db, yhc, j.from), 14);
    assert_int_equal(stk_on_hand_of(s->db, yhcd, j.from), 0);
    assert_int_equal(stk_verify(s->db), 0);
}

static void a_count_sheet(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    cJSON *t = NULL, *list = NULL, *line;
    int64_t first = 0;

    assert_int_equal(stk_counts(s->db, scn_id(s, "B1"), &list, &ec), ERR_OK);
    assert_int_equal(cJSON_GetArraySize(list), 2); /* the open one first */
    assert_true(cJSON_IsTrue(
        cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "is_open")));
    first = num(cJSON_GetArrayItem(list, 1), "id");
    cJSON_Delete(list);
    assert_int_equal(stk_count(s->db, first, &t, &ec), ERR_OK);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(t, "is_open")));
    assert_int_equal(num(t, "counted_lines"), 1);
    assert_int_equal(num(t, "variance_units"), 2);
    assert_int_equal(num(t, "variance_vnd"), 2 * 37000);
    cJSON_ArrayForEach(line, cJSON_GetObjectItem(t, "lines"))
    {
        if (strcmp(str(line, "sku"), "CULAORE-YHC-070") != 0) {
            assert_null(cJSON_GetObjectItem(line, "counted"));
            continue;
        }
        assert_int_equal(num(line, "expected"), 5);
        assert_int_equal(num(line, "counted"), 7);
        assert_int_equal(num(line, "variance"), 2);
    }
    /* every variant of culaore is on the sheet, counted or not */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(t, "lines")), 13);
    cJSON_Delete(t);
}

static enum err close_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    return stk_count_close(db, &scn_who, *(int64_t *)cls, NULL, ec);
}

static void a_closed_sheet(void **state)
{
    struct scn *s = *state;
    struct err_ctx ec = {0};
    int64_t id = scn_int(s, "SELECT min(id) FROM stocktakes", NULL);

    assert_int_equal(db_tx_run(s->db, "t", close_tx, &id, &ec), ERR_CONFLICT);
    assert_string_equal(ec.key, "err_count_closed");
    id = 999999;
    assert_int_equal(db_tx_run(s->db, "t", close_tx, &id, &ec), ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario),       cmocka_unit_test(reading_a_transfer),
        cmocka_unit_test(several_lines),  cmocka_unit_test(a_count_sheet),
        cmocka_unit_test(a_closed_sheet),
    };
    return cmocka_run_group_tests_name("transfer", tests, setup, teardown);
}
