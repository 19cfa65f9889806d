/* test_vietqr.c: VietQR payloads, from the fixtures in tests/fixtures/pay/:
 * decoding (valid and invalid), encoding (checked against vietnam-qr-pay
 * output), folding, the CRC, the JSON view and the `ocop vietqr` command. */
#include <setjmp.h> /* before cmocka.h, which needs them */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pay/vietqr.h"
#include "testutil.h"

#include <inttypes.h>
#include <sys/wait.h>
#include <unistd.h>

/* opt: "-" in a fixture stands for NULL. */
static const char *opt(const char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

static const char *or_empty(const char *s)
{
    return strcmp(s, "-") == 0 ? "" : s;
}

static void crc_check_value(void **state)
{
    (void)state;
    assert_int_equal(vietqr_crc16("123456789", 9), 0x29B1);
    assert_int_equal(vietqr_crc16("", 0), 0xFFFF);
}

/* reencode: the request a decoded vector came from must give it back. */
static void reencode(const struct vietqr *q, const char *payload)
{
    struct vietqr_request req = {0};
    struct err_ctx ec = {0};
    struct sb out;

    req.bin = q->bin;
    req.account = q->account;
    req.to = strcmp(q->service, "QRIBFTTC") == 0 ? VIETQR_TO_CARD
                                                 : VIETQR_TO_ACCOUNT;
    req.amount_vnd = q->amount_vnd > 0 ? q->amount_vnd : 0;
    req.purpose = q->purpose;
    req.bill = q->bill;
    sb_init(&out, 0);
    if (vietqr_encode(&req, &out, &ec) != ERR_OK)
        fail_msg("re-encode of %s: %s", payload, ec.msg);
    assert_string_equal(sb_str(&out), payload);
    sb_release(&out);
}

static void check_fields(const struct vietqr *q, char **c)
{
    char amount[24] = "-";

    if (q->amount_vnd >= 0)
        (void)snprintf(amount, sizeof(amount), "%" PRId64, q->amount_vnd);
    assert_string_equal(q->init, c[1]);
    assert_string_equal(q->bin, c[2]);
    assert_string_equal(q->account, c[3]);
    assert_string_equal(q->service, c[4]);
    assert_string_equal(amount, c[5]);
    assert_string_equal(q->purpose, or_empty(c[6]));
    assert_string_equal(q->bill, or_empty(c[7]));
    assert_string_equal(q->crc, c[8]);
}

static void decode_valid(void **state)
{
    FILE *f = tu_open("tests/fixtures/pay/vietqr_valid.tsv");
    char line[1024], *c[11];
    struct vietqr q;
    struct err_ctx ec = {0};
    int rows = 0, same = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof(line), c, 11) >= 0) {
        if (vietqr_decode(c[0], &q, &ec) != ERR_OK)
            fail_msg("%s (%s): %s", c[0], c[10], ec.msg);
        check_fields(&q, c);
        if (strcmp(c[9], "1") == 0) {
            reencode(&q, c[0]);
            same++;
        }
        rows++;
    }
    fclose(f);
    assert_true(rows >= 11);
    assert_true(same >= 6);
}

static void decode_invalid(void **state)
{
    FILE *f = tu_open("tests/fixtures/pay/vietqr_invalid.tsv");
    char line[1024], *c[3];
    struct vietqr q;
    struct err_ctx ec;
    int rows = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof(line), c, 3) >= 2) {
        memset(&ec, 0, sizeof(ec));
        if (vietqr_decode(or_empty(c[0]), &q, &ec) != ERR_INVALID)
            fail_msg("accepted %s (%s)", c[0], c[2]);
        if (strstr(ec.msg, c[1]) == NULL)
            fail_msg("%s (%s):\n  got  %s\n  want %s", c[0], c[2], ec.msg,
                     c[1]);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 40);
}

static void encode_row(char **c)
{
    struct vietqr_request req = {0};
    struct err_ctx ec = {0};
    struct sb out;
    enum err e;

    req.bin = opt(c[0]);
    req.account = opt(c[1]);
    req.to = strcmp(c[2], "card") == 0 ? VIETQR_TO_CARD : VIETQR_TO_ACCOUNT;
    req.amount_vnd = strtoll(c[3], NULL, 10);
    req.purpose = opt(c[4]);
    req.bill = opt(c[5]);
    sb_init(&out, 0);
    e = vietqr_encode(&req, &out, &ec);
    if (c[6][0] != '!' && e != ERR_OK)
        fail_msg("%s/%s: %s", c[0], c[1], ec.msg);
    if (c[6][0] != '!')
        assert_string_equal(sb_str(&out), c[6]);
    if (c[6][0] == '!' &&
        (e != ERR_INVALID || strstr(ec.msg, c[6] + 1) == NULL))
        fail_msg("%s/%s: got %d \"%s\", want \"%s\"", c[0], c[1], e, ec.msg,
                 c[6] + 1);
    if (c[6][0] == '!')
        assert_string_equal(sb_str(&out), ""); /* unchanged */
    sb_release(&out);
}

static void encode_fixtures(void **state)
{
    FILE *f = tu_open("tests/fixtures/pay/vietqr_encode.tsv");
    char line[1024], *c[7];
    int rows = 0;

    (void)state;
    assert_non_null(f);
    while (tu_next_row(f, line, sizeof(line), c, 7) == 7) {
        encode_row(c);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 20);
}

/* unescape: \t and \n in a fixture cell, in place. */
static void unescape(char *s)
{
    char *w = s;

    for (; *s != '\0'; s++) {
        if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n')) {
            *w++ = s[1] == 't' ? '\t' : '\n';
            s++;
        } else {
            *w++ = *s;
        }
    }
    *w = '\0';
}

static void fold_fixtures(void **state)
{
    FILE *f = tu_open("tests/fixtures/pay/vietqr_fold.tsv");
    char line[1024], *c[2];
    struct sb out;
    int rows = 0;

    (void)state;
    assert_non_null(f);
    sb_init(&out, 0);
    while (tu_next_row(f, line, sizeof(line), c, 2) == 2) {
        unescape(c[0]);
        sb_reset(&out);
        assert_int_equal(vietqr_fold_text(c[0], &out), ERR_OK);
        assert_string_equal(sb_str(&out), or_empty(c[1]));
        rows++;
    }
    sb_release(&out);
    fclose(f);
    assert_true(rows >= 10);
    assert_int_equal(vietqr_fold_text("\xC3\x28", &out), ERR_INVALID);
}

static void encode_contract(void **state)
{
    struct vietqr_request req = {
        .bin = "970436", .account = "0011001234567", .purpose = "\xC3\x28"};
    struct err_ctx ec = {0};
    struct sb out;

    (void)state;
    sb_init(&out, 0);
    assert_int_equal(sb_adds(&out, "x"), ERR_OK);
    assert_int_equal(vietqr_encode(&req, &out, &ec), ERR_INVALID);
    assert_string_equal(ec.msg, "purpose is not valid UTF-8");
    assert_string_equal(ec.field, "purpose");
    assert_string_equal(sb_str(&out), "x"); /* unchanged on failure */
    req.purpose = "";                       /* "" is no purpose */
    assert_int_equal(vietqr_encode(&req, &out, NULL), ERR_OK);
    assert_string_equal(sb_str(&out),
                        "x00020101021138570010A0000007270127000697043601130011"
                        "0012345670208QRIBFTTA53037045802VN6304E8DB");
    sb_reset(&out);
    req.bin = "97043";
    assert_int_equal(vietqr_encode(&req, &out, NULL), ERR_INVALID);
    sb_release(&out);
}

static void decode_contract(void **state)
{
    struct vietqr q;
    struct err_ctx ec = {0};
    char big[VIETQR_PAYLOAD_MAX + 2];

    (void)state;
    assert_int_equal(vietqr_decode(NULL, &q, &ec), ERR_INVALID);
    assert_string_equal(ec.msg, "empty payload");
    assert_int_equal(vietqr_decode("garbage", &q, NULL), ERR_INVALID);
    memset(big, '0', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(vietqr_decode(big, &q, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "longer than 512"));
    /* a trailing newline (as from a copy-paste) is not part of a payload */
    assert_int_equal(
        vietqr_decode("00020101021138530010A0000007270123000697041601092576"
                      "788590208QRIBFTTA53037045802VN6304AE9F\n",
                      &q, &ec),
        ERR_INVALID);
    assert_non_null(strstr(ec.msg, "byte 0x0A at offset 90"));
}

static void amounts(void **state)
{
    int64_t v = 0;
    struct err_ctx ec = {0};

    (void)state;
    assert_int_equal(vietqr_parse_amount("125000", &v, &ec), ERR_OK);
    assert_int_equal(v, 125000);
    assert_int_equal(vietqr_parse_amount("9999999999999", &v, &ec), ERR_OK);
    assert_true(v == VIETQR_AMOUNT_MAX);
    assert_int_equal(vietqr_parse_amount("125.000", &v, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "separator"));
    assert_string_equal(ec.field, "amount");
    assert_int_equal(vietqr_parse_amount("10000000000000", &v, &ec),
                     ERR_INVALID);
    assert_int_equal(vietqr_parse_amount("0", &v, &ec), ERR_INVALID);
    assert_int_equal(vietqr_parse_amount("", &v, &ec), ERR_INVALID);
    assert_int_equal(vietqr_parse_amount(NULL, &v, &ec), ERR_INVALID);
    assert_int_equal(vietqr_parse_amount("+5", &v, &ec), ERR_INVALID);
    assert_int_equal(vietqr_parse_amount(" 5", &v, &ec), ERR_INVALID);
    assert_int_equal(vietqr_parse_amount("125k", &v, &ec), ERR_INVALID);
}

static void json_of(const char *payload, const char *want)
{
    struct vietqr q;
    cJSON *j = NULL;
    char *s;

    assert_int_equal(vietqr_decode(payload, &q, NULL), ERR_OK);
    assert_int_equal(vietqr_to_json(&q, &j), ERR_OK);
    s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    cJSON_Delete(j);
}

static void json_view(void **state)
{
    (void)state;
    json_of("00020101021238530010A0000007270123000697041601092576788590208"
            "QRIBFTTA53037045405100005802VN62150811Chuyen tien630453E6",
            "{\"init\":\"12\",\"bank_bin\":\"970416\",\"account\":"
            "\"257678859\",\"service\":\"QRIBFTTA\",\"amount\":10000,"
            "\"purpose\":\"Chuyen tien\",\"crc\":\"53E6\"}");
    json_of("00020101021138600010A00000072701300006970403011697040311012345"
            "670208QRIBFTTC53037045802VN63044F52",
            "{\"init\":\"11\",\"bank_bin\":\"970403\",\"account\":"
            "\"9704031101234567\",\"service\":\"QRIBFTTC\",\"amount\":null,"
            "\"purpose\":null,\"crc\":\"4F52\"}");
    json_of("00020101021238480010A00000072701180006970422010401230208QRIBFT"
            "TA5303704541399999999999995802VN6304C6AE",
            "{\"init\":\"12\",\"bank_bin\":\"970422\",\"account\":\"0123\","
            "\"service\":\"QRIBFTTA\",\"amount\":9999999999999,\"purpose\":"
            "null,\"crc\":\"C6AE\"}");
}

/* ---- the command line, when ./ocop (or $OCOP_BIN) has been built ---- */

static const char *ocop_bin(void)
{
    const char *b = getenv("OCOP_BIN");
    return b != NULL ? b : "./ocop";
}

/* run: the first line of the command's output into buf; its exit code. */
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
             "%s vietqr encode --bin 970436 --account 0011001234567 "
             "--amount 125000 --purpose 'Đơn hàng 42' 2>/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_string_equal(out, "00020101021238570010A000000727012700069704360113"
                             "00110012345670208QRIBFTTA530370454061250005802VN"
                             "62150811Don hang 42630427B3");
    snprintf(cmd, sizeof(cmd), "%s vietqr decode '%s' 2>/dev/null", bin, out);
    assert_int_equal(run(cmd, out, sizeof(out)), 0);
    assert_string_equal(out, "{\"init\":\"12\",\"bank_bin\":\"970436\","
                             "\"account\":\"0011001234567\",\"service\":"
                             "\"QRIBFTTA\",\"amount\":125000,\"purpose\":"
                             "\"Don hang 42\",\"crc\":\"27B3\"}");
    snprintf(cmd, sizeof(cmd), "%s vietqr decode garbage 2>&1 >/dev/null", bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "not two digits"));
    snprintf(cmd, sizeof(cmd),
             "%s vietqr encode --bin 970436 --account 1 --amount 125.000 "
             "2>&1 >/dev/null",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "separator"));
    snprintf(cmd, sizeof(cmd), "%s vietqr encode --bin 970436 >/dev/null 2>&1",
             bin);
    assert_int_equal(run(cmd, out, sizeof(out)), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_value), cmocka_unit_test(decode_valid),
        cmocka_unit_test(decode_invalid),  cmocka_unit_test(encode_fixtures),
        cmocka_unit_test(fold_fixtures),   cmocka_unit_test(encode_contract),
        cmocka_unit_test(decode_contract), cmocka_unit_test(amounts),
        cmocka_unit_test(json_view),       cmocka_unit_test(cli),
    };
    return cmocka_run_group_tests_name("vietqr", tests, NULL, NULL);
}
