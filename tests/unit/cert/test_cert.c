/* test_cert.c: star bands, expiry, status and the re-rating window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cert/cert.h"

static void star_bands(void **state)
{
    /* QĐ 26/2026 Điều 3.3: half-open intervals, fractional means. */
    static const struct {
        double score;
        int stars;
    } cases[] = {
        {0, 0},    {29.9, 0}, {49.99, 0}, {50, 3},   {69.99, 3}, {70, 4},
        {89.9, 4}, {90, 5},   {100, 5},   {100.1, 0}, {-1, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (cert_stars_for_score(cases[i].score) != cases[i].stars)
            fail_msg("score %.2f: got %d stars, want %d", cases[i].score,
                     cert_stars_for_score(cases[i].score), cases[i].stars);
}

static void expiry_is_36_months(void **state)
{
    char out[11];

    (void)state;
    assert_int_equal(cert_expiry("2023-05-15", out), ERR_OK);
    assert_string_equal(out, "2026-05-15");
    assert_int_equal(cert_expiry("2024-02-29", out), ERR_OK);
    assert_string_equal(out, "2027-02-28"); /* no 29 Feb in 2027 */
    assert_int_equal(cert_expiry("2025-12-31", out), ERR_OK);
    assert_string_equal(out, "2028-12-31");
    assert_int_equal(cert_expiry("2023-02-30", out), ERR_INVALID);
    assert_int_equal(cert_expiry("2023-5-15", out), ERR_INVALID);
    assert_int_equal(cert_expiry("", out), ERR_INVALID);
}

static void status_against_today(void **state)
{
    (void)state;
    assert_int_equal(cert_status_on("2026-05-15", NULL, "2026-05-15"),
                     CERT_ACTIVE);
    assert_int_equal(cert_status_on("2026-05-15", NULL, "2026-05-16"),
                     CERT_EXPIRED);
    assert_int_equal(cert_status_on("2028-01-01", "2026-01-01", "2026-02-01"),
                     CERT_REVOKED);
    assert_string_equal(cert_status_name(CERT_EXPIRED), "expired");
}

static void today_is_vietnam_time(void **state)
{
    char out[11];

    (void)state;
    /* 2026-05-21 17:30 UTC is already 22/05 00:30 in Vietnam. */
    cert_today((time_t)1779384600, out);
    assert_string_equal(out, "2026-05-22");
}

static void rerating_window(void **state)
{
    (void)state;
    /* open from 180 to 120 days before expiry */
    assert_false(cert_rerating_open("2026-12-31", "2026-07-03")); /* 181 */
    assert_true(cert_rerating_open("2026-12-31", "2026-07-04"));  /* 180 */
    assert_true(cert_rerating_open("2026-12-31", "2026-09-02"));  /* 120 */
    assert_false(cert_rerating_open("2026-12-31", "2026-09-03")); /* 119 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_bands),
        cmocka_unit_test(expiry_is_36_months),
        cmocka_unit_test(status_against_today),
        cmocka_unit_test(today_is_vietnam_time),
        cmocka_unit_test(rerating_window),
    };
    return cmocka_run_group_tests_name("cert", tests, NULL, NULL);
}
