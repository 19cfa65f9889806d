/* test_srch.c: folding, slugs, collation and FTS queries, from fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "search/srch.h"
#include "testutil.h"

static void fold_fixtures(void **state)
{
    FILE *f = tu_open("tests/fixtures/search/fold.tsv");
    char line[1024], *cols[2];
    int rows = 0;
    struct sb sb;

    (void)state;
    assert_non_null(f);
    sb_init(&sb, 4096);
    while (tu_next_row(f, line, sizeof(line), cols, 2) == 2) {
        sb_reset(&sb);
        assert_int_equal(srch_fold(cols[0], strlen(cols[0]), &sb), ERR_OK);
        if (strcmp(sb_str(&sb), cols[1]) != 0)
            fail_msg("fold(%s) = '%s', want '%s'", cols[0], sb_str(&sb),
                     cols[1]);
        rows++;
    }
    fclose(f);
    sb_release(&sb);
    assert_true(rows >= 10);
}

static void fold_rejects_invalid_utf8(void **state)
{
    struct sb sb;
    const char bad[] = {'a', (char)0xC3, (char)0x28, 0};

    (void)state;
    sb_init(&sb, 4096);
    assert_int_equal(srch_fold(bad, strlen(bad), &sb), ERR_INVALID);
    assert_int_equal(srch_nfc(bad, strlen(bad), &sb), ERR_INVALID);
    sb_release(&sb);
}

static void slug_fixtures(void **state)
{
    FILE *f = tu_open("tests/fixtures/search/slug.tsv");
    char line[1024], *cols[2];
    struct sb sb;

    (void)state;
    assert_non_null(f);
    sb_init(&sb, 4096);
    while (tu_next_row(f, line, sizeof(line), cols, 2) == 2) {
        sb_reset(&sb);
        assert_int_equal(srch_slug(cols[0], &sb), ERR_OK);
        assert_string_equal(sb_str(&sb), cols[1]);
    }
    fclose(f);
    sb_release(&sb);
}

static int key_cmp(const struct sb *a, const struct sb *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->buf, b->buf, n);

    return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static void collation_order(void **state)
{
    FILE *f = tu_open("tests/fixtures/search/collation.txt");
    char line[256], prev_word[256] = "", *cols[1];
    struct sb prev, cur;
    int rows = 0;

    (void)state;
    assert_non_null(f);
    sb_init(&prev, 4096);
    sb_init(&cur, 4096);
    while (tu_next_row(f, line, sizeof(line), cols, 1) == 1) {
        sb_reset(&cur);
        assert_int_equal(srch_collation_key(cols[0], &cur), ERR_OK);
        if (rows > 0 && key_cmp(&prev, &cur) >= 0)
            fail_msg("'%s' should sort before '%s'", prev_word, cols[0]);
        sb_reset(&prev);
        assert_int_equal(sb_add(&prev, cur.buf, cur.len), ERR_OK);
        snprintf(prev_word, sizeof(prev_word), "%s", cols[0]);
        rows++;
    }
    fclose(f);
    sb_release(&prev);
    sb_release(&cur);
    assert_true(rows >= 15);
}

static void fts_fixtures(void **state)
{
    FILE *f = tu_open("tests/fixtures/search/fts.tsv");
    char line[1024], *cols[3];
    struct sb sb;

    (void)state;
    assert_non_null(f);
    sb_init(&sb, 4096);
    while (tu_next_row(f, line, sizeof(line), cols, 3) == 3) {
        enum err e;
        sb_reset(&sb);
        e = srch_fts_query(cols[0], atoi(cols[1]), &sb);
        if (strcmp(cols[2], "-") == 0) {
            assert_int_equal(e, ERR_INVALID);
            assert_int_equal(sb.len, 0);
            continue;
        }
        assert_int_equal(e, ERR_OK);
        assert_string_equal(sb_str(&sb), cols[2]);
    }
    fclose(f);
    sb_release(&sb);
}

static void fts_query_too_long(void **state)
{
    char q[400];
    struct sb sb;

    (void)state;
    memset(q, 'a', sizeof(q) - 1);
    q[sizeof(q) - 1] = '\0';
    sb_init(&sb, 4096);
    assert_int_equal(srch_fts_query(q, 1, &sb), ERR_TOOBIG);
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_fixtures),
        cmocka_unit_test(fold_rejects_invalid_utf8),
        cmocka_unit_test(slug_fixtures),
        cmocka_unit_test(collation_order),
        cmocka_unit_test(fts_fixtures),
        cmocka_unit_test(fts_query_too_long),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
