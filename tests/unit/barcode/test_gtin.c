/* test_gtin.c: GS1 check digits, from fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "barcode/gtin.h"
#include "testutil.h"

static void codes(void **state)
{
    FILE *f = tu_open("tests/fixtures/barcode/gtin.tsv");
    char line[256], *cols[2];
    int rows = 0, n;

    (void)state;
    assert_non_null(f);
    while ((n = tu_next_row(f, line, sizeof(line), cols, 2)) >= 1) {
        const char *code = n == 2 ? cols[0] : "";
        int want = n == 2 ? cols[1][0] == '1' : cols[0][0] == '1';
        if (gtin_valid(code) != want)
            fail_msg("gtin_valid(%s) != %d", code, want);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 10);
}

static void check_digits(void **state)
{
    (void)state;
    assert_int_equal(gtin_check_digit("893500230100"), 3);
    assert_int_equal(gtin_check_digit("400638133393"), 1);
    assert_int_equal(gtin_check_digit("12345"), -1);
    assert_int_equal(gtin_check_digit("89350023010x"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes),
        cmocka_unit_test(check_digits),
    };
    return cmocka_run_group_tests_name("gtin", tests, NULL, NULL);
}
