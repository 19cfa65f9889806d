/* test_sign.c: marketplace request signing (Shopee, Lazada, TikTok) against
 * tests/fixtures/integrations/sign.tsv (doc examples and vectors computed
 * with openssl) and sign_invalid.tsv, plus `ocop integrations sign`. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lazada/sign.h"
#include "shopee/sign.h"
#include "testutil.h"
#include "tiktok/sign.h"

#include <sys/wait.h>
#include <unistd.h>

static enum err base_of(const char *mp, const char *path, const cJSON *params,
                        const char *body, struct sb *out, struct err_ctx *ec)
{
    if (strcmp(mp, "shopee") == 0)
        return shopee_base_string(path, params, out, ec);
    if (strcmp(mp, "lazada") == 0)
        return lazada_base_string(path, params, out, ec);
    return tiktok_base_string(path, params, body, body ? strlen(body) : 0, out,
                              ec);
}

static enum err sign_of(const char *mp, const char *secret, const char *path,
                        const cJSON *params, const char *body, struct sb *out,
                        struct err_ctx *ec)
{
    if (strcmp(mp, "shopee") == 0)
        return shopee_sign(secret, path, params, out, ec);
    if (strcmp(mp, "lazada") == 0)
        return lazada_sign(secret, path, params, out, ec);
    return tiktok_sign(secret, path, params, body, body ? strlen(body) : 0,
                       out, ec);
}

/* vectors: c = name, marketplace, secret, path, params, body, base, sign. */
static void vectors(void **state)
{
    FILE *f = tu_open("tests/fixtures/integrations/sign.tsv");
    char line[4096], *c[8];
    int rows = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof(line), c, 8) == 8) {
        struct err_ctx ec = {0};
        const char *body = strcmp(c[5], "-") == 0 ? NULL : c[5];
        cJSON *params = cJSON_Parse(c[4]);
        struct sb out;

        assert_non_null(params);
        sb_init(&out, 0);
        if (base_of(c[1], c[3], params, body, &out, &ec) != ERR_OK)
            fail_msg("%s: base: %s", c[0], ec.msg);
        assert_string_equal(sb_str(&out), c[6]);
        sb_reset(&out);
        if (sign_of(c[1], c[2], c[3], params, body, &out, &ec) != ERR_OK)
            fail_msg("%s: sign: %s", c[0], ec.msg);
        if (strcmp(sb_str(&out), c[7]) != 0)
            fail_msg("%s: sign %s, want %s", c[0], sb_str(&out), c[7]);
        sb_release(&out);
        cJSON_Delete(params);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 11);
}

/* invalid: c = name, marketplace, secret, path, params, words. */
static void invalid(void **state)
{
    FILE *f = tu_open("tests/fixtures/integrations/sign_invalid.tsv");
    char line[4096], *c[6];
    int rows = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof(line), c, 6) == 6) {
        struct err_ctx ec = {0};
        cJSON *params = cJSON_Parse(c[4]);
        struct sb out;

        assert_non_null(params);
        sb_init(&out, 0);
        if (sign_of(c[1], c[2], c[3], params, NULL, &out, &ec) != ERR_INVALID)
            fail_msg("%s: accepted", c[0]);
        if (strstr(ec.msg, c[5]) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", c[0], ec.msg, c[5]);
        assert_int_equal(out.len, 0);
        sb_release(&out);
        cJSON_Delete(params);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 17);
}

/* appends: results are appended to what the sb holds. */
static void appends(void **state)
{
    struct err_ctx ec = {0};
    cJSON *params = cJSON_Parse("{\"partner_id\":1,\"timestamp\":2}");
    struct sb out;

    (void)state;
    sb_init(&out, 0);
    assert_int_equal(sb_adds(&out, "sign="), ERR_OK);
    assert_int_equal(shopee_sign("k", "/p", params, &out, &ec), ERR_OK);
    assert_int_equal(out.len, 5 + 64);
    assert_int_equal(strncmp(sb_str(&out), "sign=", 5), 0);
    sb_release(&out);
    cJSON_Delete(params);
}

static const char *ocop_bin(void)
{
    const char *b = getenv("OCOP_BIN");
    return b != NULL ? b : "./ocop";
}

/* run: echo input | cmd; the first output line into buf; the exit code. */
static int run(const char *cmd, char *buf, size_t size)
{
    FILE *p = popen(cmd, "r");
    int st;
    size_t n;

    assert_non_null(p);
    buf[0] = '\0';
    if (fgets(buf, (int)size, p) != NULL) {
        n = strlen(buf);
        if (n > 0 && buf[n - 1] == '\n')
            buf[n - 1] = '\0';
        while (fgetc(p) != EOF) /* anything more is a failure */
            buf[0] = '!';
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cli(void **state)
{
    char cmd[2048], out[512];
    const char *bin = ocop_bin();

    (void)state;
    if (access(bin, X_OK) != 0)
        skip();
    snprintf(cmd, sizeof(cmd),
             "printf '%%s' '{\"secret\":\"helloworld\",\"path\":\"/order/get\","
             "\"params\":{\"access_token\":\"test\",\"app_key\":123456,"
             "\"order_id\":\"1234\",\"sign_method\":\"sha256\","
             "\"timestamp\":1517820392000}}' | %s integrations sign lazada "
             "2>/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_string_equal(out, "4190D32361CFB9581350222F345CB77F3B19F0E31D162316"
                             "848A2C1FFD5FAB4A");
    snprintf(cmd, sizeof(cmd),
             "printf '%%s' '{\"secret\":\"tt_secret\",\"path\":\"/api/x\","
             "\"params\":{\"b\":\"\",\"a\":\"\xc4\x83\"},\"body\":\"\"}' | "
             "%s integrations sign tiktok 2>/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_string_equal(out, "7da2ce347f23f7d25d60b1adcf03d04c4c8f70876040e31b"
                             "e904e398710762ce");
    snprintf(cmd, sizeof(cmd),
             "echo '{\"secret\":\"k\",\"path\":\"/p\",\"params\":[]}' | "
             "%s integrations sign shopee 2>&1 >/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "params"));
    snprintf(cmd, sizeof(cmd),
             "echo '{\"path\":\"/p\",\"params\":{}}' | "
             "%s integrations sign lazada 2>&1 >/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "secret"));
    snprintf(cmd, sizeof(cmd),
             "echo '{}' | %s integrations sign tiki 2>&1 >/dev/null", bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "unknown marketplace"));
    snprintf(cmd, sizeof(cmd),
             "echo 'nope' | %s integrations sign tiktok 2>&1 >/dev/null", bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "JSON object"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(invalid),
        cmocka_unit_test(appends),
        cmocka_unit_test(cli),
    };
    return cmocka_run_group_tests_name("integrations_sign", tests, NULL, NULL);
}
