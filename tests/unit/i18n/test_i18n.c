/* test_i18n.c: money and dates the Vietnamese way, and the message
 * catalogues: vi complete for every key the templates and the C code use,
 * en never having a key that vi lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/file.h"
#include "i18n/i18n.h"
#include "testutil.h"

#include <dirent.h>

#define NBSP "\xC2\xA0"

static void money(void **state)
{
    static const struct {
        int64_t vnd;
        enum lang lang;
        const char *want;
    } cases[] = {
        {125000, LANG_VI, "125.000" NBSP "₫"},
        {1234567, LANG_VI, "1.234.567" NBSP "₫"},
        {0, LANG_VI, "0" NBSP "₫"},
        {999, LANG_VI, "999" NBSP "₫"},
        {-125000, LANG_VI, "-125.000" NBSP "₫"},
        {125000, LANG_EN, "₫125,000"},
    };
    struct sb sb;
    size_t i;

    (void)state;
    sb_init(&sb, 256);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sb_reset(&sb);
        assert_int_equal(i18n_money(cases[i].vnd, cases[i].lang, &sb), ERR_OK);
        assert_string_equal(sb_str(&sb), cases[i].want);
    }
    sb_release(&sb);
}

static void dates(void **state)
{
    struct sb sb;

    (void)state;
    sb_init(&sb, 256);
    assert_int_equal(i18n_date("2026-05-22", LANG_VI, &sb), ERR_OK);
    assert_string_equal(sb_str(&sb), "22/05/2026");
    sb_reset(&sb);
    assert_int_equal(i18n_date("2026-05-22", LANG_EN, &sb), ERR_OK);
    assert_string_equal(sb_str(&sb), "22 May 2026");
    assert_int_equal(i18n_date("22/05/2026", LANG_VI, &sb), ERR_INVALID);
    sb_release(&sb);
}

static void language_choice(void **state)
{
    (void)state;
    assert_int_equal(i18n_lang_parse("en"), LANG_EN);
    assert_int_equal(i18n_lang_parse("fr"), -1);
    assert_int_equal(i18n_lang_from_header(NULL), LANG_VI);
    assert_int_equal(i18n_lang_from_header("en-US,en;q=0.9"), LANG_EN);
    assert_int_equal(i18n_lang_from_header("vi-VN,vi;q=0.9,en;q=0.8"), LANG_VI);
}

static cJSON *load(const char *rel)
{
    char path[4096], *text = NULL;
    cJSON *j;

    snprintf(path, sizeof(path), "%s/%s", tu_root(), rel);
    assert_int_equal(file_read_all(path, 1 << 22, &text, NULL, NULL), ERR_OK);
    j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

/* check_keys_in: every {{t.key}} or {{#t.key}} in text is in vi. */
static void check_keys_in(const char *text, const cJSON *vi, const char *file)
{
    const char *p = text;

    while ((p = strstr(p, "t.")) != NULL) {
        char key[128];
        size_t n = 0;
        int in_tag = p > text && (p[-1] == '{' || p[-1] == '#' ||
                                  p[-1] == '^' || p[-1] == '/');
        p += 2;
        while (n + 1 < sizeof(key) &&
               ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                *p == '_'))
            key[n++] = *p++;
        key[n] = '\0';
        if (in_tag && n > 0 && !cJSON_HasObjectItem(vi, key))
            fail_msg("%s uses t.%s, which messages/vi.json lacks", file, key);
    }
}

static void templates_have_vi_text(void **state)
{
    static const char *const dirs[] = {"themes/default/templates",
                                       "themes/default/partials"};
    cJSON *vi = load("themes/default/messages/vi.json");
    size_t d;
    int files = 0;

    (void)state;
    for (d = 0; d < 2; d++) {
        char dir[4096], path[8192], *text;
        struct dirent *de;
        DIR *dh;
        snprintf(dir, sizeof(dir), "%s/%s", tu_root(), dirs[d]);
        dh = opendir(dir);
        assert_non_null(dh);
        while ((de = readdir(dh)) != NULL) {
            if (strstr(de->d_name, ".mustache") == NULL)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            assert_int_equal(file_read_all(path, 1 << 20, &text, NULL, NULL),
                             ERR_OK);
            check_keys_in(text, vi, de->d_name);
            free(text);
            files++;
        }
        closedir(dh);
    }
    cJSON_Delete(vi);
    assert_true(files >= 6);
}

static void en_keys_exist_in_vi(void **state)
{
    cJSON *vi = load("themes/default/messages/vi.json");
    cJSON *en = load("themes/default/messages/en.json");
    const cJSON *item;

    (void)state;
    cJSON_ArrayForEach(item, en)
        if (!cJSON_HasObjectItem(vi, item->string))
            fail_msg("en.json has %s, vi.json does not", item->string);
    cJSON_ArrayForEach(item, vi)
        assert_true(cJSON_IsString(item) && item->valuestring[0] != '\0');
    cJSON_Delete(vi);
    cJSON_Delete(en);
}

static void code_keys_exist_in_vi(void **state)
{
    /* Keys the C code asks for, directly or by a computed name. */
    static const char *const keys[] = {
        "price_contact", "stars_3", "stars_4", "stars_5",
        "cert_status_active", "cert_status_expired", "cert_status_revoked",
        "level_national", "level_province", "level_district",
        "kind_company", "kind_cooperative", "kind_household",
        "sort_relevance", "sort_name", "sort_stars", "sort_newest",
        "sort_price", "sort_price_desc", "err_page", "err_per_page",
        "err_stars", "err_sort", "err_group", "err_filter",
        "err_query_too_long", "err_invalid_utf8", "err_not_found",
        "err_page_not_found", "err_route_not_found", "err_product_not_found",
        "err_producer_not_found", "err_missing_query", "err_method",
        "err_internal", "err_busy", "err_too_big", "err_conflict",
        "err_invalid", "not_found_title", "error_title", "lang_switch",
    };
    struct i18n *i = NULL;
    size_t k;

    (void)state;
    assert_int_equal(i18n_load("themes/default/messages", &i, NULL), ERR_OK);
    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        if (strcmp(i18n_t(i, LANG_VI, keys[k]), keys[k]) == 0)
            fail_msg("messages/vi.json lacks %s", keys[k]);
        assert_string_not_equal(i18n_t(i, LANG_EN, keys[k]), keys[k]);
    }
    i18n_free(i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(money),
        cmocka_unit_test(dates),
        cmocka_unit_test(language_choice),
        cmocka_unit_test(templates_have_vi_text),
        cmocka_unit_test(en_keys_exist_in_vi),
        cmocka_unit_test(code_keys_exist_in_vi),
    };
    return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
