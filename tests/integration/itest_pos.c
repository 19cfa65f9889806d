/* itest_pos.c: the booth POS's API against the real server: the sales API
 * refuses bad input with a clear message in Vietnamese (English with
 * Accept-Language: en) and changes nothing; a replay answers the same
 * sale; an offline sale below zero records a shortfall; voids and returns
 * put the goods back; staff PINs, shifts and their limits; VietQR codes;
 * closing counts; the ledger always equals on-hand. The tests run in
 * order and share one server with a sample fair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKU "CULAORE-YHC-070" /* 37 000 đ, 40 in stock at booth A */
#define SKU2 "CULAORE-YHCV-070" /* 47 000 đ */
#define SKU3 "CULAORE-YHCD-070" /* 52 000 đ */

static struct itest_server srv;

struct booth {
    long id;
    char staff[64], pin[8], key[128];
};
static struct booth a, b, c; /* culaore, hai-phu, tuyet-huong */
static char admin_key[128], staff_token[64];
static int uuid_n;

static void booth_of(cJSON *fair, const char *producer, struct booth *out)
{
    cJSON *x;

    cJSON_ArrayForEach(x, cJSON_GetObjectItem(fair, "booths"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "producer")),
                   producer) != 0)
            continue;
        out->id = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id"));
        snprintf(out->staff, sizeof(out->staff), "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(x, "staff")));
        snprintf(out->pin, sizeof(out->pin), "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(x, "pin")));
    }
}

static void device_key(const char *db, struct booth *bo)
{
    char args[128];

    snprintf(args, sizeof(args), "apikey create --role booth --booth %ld --name tablet%ld",
             bo->id, bo->id);
    if (itest_ocop(db, NULL, bo->key, sizeof(bo->key), args) != 0)
        fprintf(stderr, "setup: %s failed\n", args);
}

static void setup_db(const char *db, void *cls)
{
    char out[8192];
    cJSON *fair;

    (void)cls;
    if (itest_ocop(db, NULL, out, sizeof(out), "sample --fair") != 0 ||
        (fair = cJSON_Parse(out)) == NULL) {
        fprintf(stderr, "setup: sample --fair failed\n");
        return;
    }
    booth_of(fair, "culaore", &a);
    booth_of(fair, "hai-phu", &b);
    booth_of(fair, "tuyet-huong", &c);
    cJSON_Delete(fair);
    device_key(db, &a);
    device_key(db, &b);
    device_key(db, &c);
    if (itest_ocop(db, NULL, admin_key, sizeof(admin_key),
                   "apikey create --role admin --name admin") != 0)
        fprintf(stderr, "setup: admin key failed\n");
}

static int setup(void **state)
{
    (void)state;
    if (itest_start_setup(&srv, setup_db, NULL) != 0 || a.id == 0 ||
        b.id == 0 || a.key[0] == '\0')
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return itest_stop(&srv);
}

/* --- helpers -------------------------------------------------------------- */

/* call: method path with key (and staff token, idempotency key, language
 * when not NULL); returns the status, the body parsed into *json. */
static long call(const char *method, const char *path, const char *key,
                 const char *staff, const char *idem, const char *lang,
                 const char *body, cJSON **json)
{
    char h_auth[200], h_staff[100], h_idem[100], h_lang[64];
    const char *h[6] = {"Content-Type: application/json", NULL};
    struct itest_resp r;
    long status;
    int n = 1;

    if (key != NULL) {
        snprintf(h_auth, sizeof(h_auth), "Authorization: Bearer %s", key);
        h[n++] = h_auth;
    }
    if (staff != NULL) {
        snprintf(h_staff, sizeof(h_staff), "X-Staff-Token: %s", staff);
        h[n++] = h_staff;
    }
    if (idem != NULL) {
        snprintf(h_idem, sizeof(h_idem), "Idempotency-Key: %s", idem);
        h[n++] = h_idem;
    }
    snprintf(h_lang, sizeof(h_lang), "Accept-Language: %s", lang ? lang : "vi");
    h[n++] = h_lang;
    h[n] = NULL;
    assert_int_equal(itest_request(&srv, method, path, h, body, &r), 0);
    status = r.status;
    if (json != NULL)
        *json = cJSON_Parse(r.body);
    itest_resp_free(&r);
    return status;
}

static const char *message(const cJSON *j)
{
    const char *m = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "message"));
    return m ? m : "";
}

static void next_uuid(char out[37])
{
    snprintf(out, 37, "00000000-0000-4000-8000-%012d", ++uuid_n);
}

static long on_hand(long booth, const char *sku)
{
    char path[64];
    cJSON *j = NULL, *it;
    long q = -999999;

    snprintf(path, sizeof(path), "/api/v1/locations/%ld/stock", booth);
    assert_int_equal(call("GET", path, admin_key, NULL, NULL, NULL, NULL, &j), 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")), sku) == 0)
            q = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "on_hand"));
    cJSON_Delete(j);
    return q;
}

static long sales_count(long booth)
{
    char path[64];
    cJSON *j = NULL;
    long n;

    snprintf(path, sizeof(path), "/api/v1/sales?booth=%ld", booth);
    assert_int_equal(call("GET", path, admin_key, NULL, NULL, NULL, NULL, &j), 200);
    n = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total"));
    cJSON_Delete(j);
    return n;
}

static void ledger_agrees(void)
{
    cJSON *j = NULL;

    assert_int_equal(call("GET", "/api/v1/stock/verify", admin_key, NULL, NULL,
                          NULL, NULL, &j), 200);
    assert_int_equal((long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "mismatches")), 0);
    cJSON_Delete(j);
}

/* sale_body: one line at booth; extra is more JSON members or "". */
static const char *sale_body(long booth, const char *sku, const char *qty,
                             const char *price, const char *extra)
{
    static char body[1024];

    snprintf(body, sizeof(body),
             "{\"booth\":%ld,\"lines\":[{\"sku\":\"%s\",\"qty\":%s,"
             "\"unit_price_vnd\":%s}],\"payment\":{\"method\":\"cash\"}%s}",
             booth, sku, qty, price, extra);
    return body;
}

/* --- PINs and shifts ------------------------------------------------------ */

static void pin_signin(void **state)
{
    char body[200];
    cJSON *j = NULL;

    (void)state;
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"0000\"}", a.staff);
    if (strcmp(a.pin, "0000") == 0)
        snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"9999\"}", a.staff);
    assert_int_equal(call("POST", "/api/v1/pos/pin", a.key, NULL, NULL, NULL, body, &j), 401);
    assert_string_equal(message(j), "Mã PIN không đúng.");
    cJSON_Delete(j);
    assert_int_equal(call("POST", "/api/v1/pos/pin", a.key, NULL, NULL, "en", body, &j), 401);
    assert_string_equal(message(j), "Wrong PIN.");
    cJSON_Delete(j);
    /* the office's key is not a booth's device */
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"%s\"}", a.staff, a.pin);
    assert_int_equal(call("POST", "/api/v1/pos/pin", admin_key, NULL, NULL, NULL, body, NULL), 403);
    /* staff of booth A on booth B's device: the same answer as a wrong PIN */
    assert_int_equal(call("POST", "/api/v1/pos/pin", b.key, NULL, NULL, NULL, body, NULL), 401);
    assert_int_equal(call("POST", "/api/v1/pos/pin", a.key, NULL, NULL, NULL, body, &j), 200);
    snprintf(staff_token, sizeof(staff_token), "%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(j, "token")));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(j, "staff"), "username")), a.staff);
    cJSON_Delete(j);
    /* the device's start data names the booth, its bank and its staff */
    assert_int_equal(call("GET", "/api/v1/pos/device", a.key, NULL, NULL, NULL, NULL, &j), 200);
    assert_int_equal((long)cJSON_GetNumberValue(cJSON_GetObjectItem(
                         cJSON_GetObjectItem(j, "booth"), "id")), a.id);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(j, "bank"), "bin")), "970436");
    cJSON_Delete(j);
}

static void pin_rate_limited(void **state)
{
    char body[200];
    cJSON *j = NULL;
    int i;

    (void)state;
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"%s\"}", c.staff,
             strcmp(c.pin, "2468") == 0 ? "8642" : "2468");
    for (i = 0; i < 5; i++)
        assert_int_equal(call("POST", "/api/v1/pos/pin", c.key, NULL, NULL, NULL, body, NULL), 401);
    /* the sixth try is refused, even with the right PIN */
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"pin\":\"%s\"}", c.staff, c.pin);
    assert_int_equal(call("POST", "/api/v1/pos/pin", c.key, NULL, NULL, NULL, body, &j), 429);
    assert_non_null(strstr(message(j), "quá nhiều lần"));
    cJSON_Delete(j);
}

static void staff_token_checked(void **state)
{
    char idem[37];
    cJSON *j = NULL;

    (void)state;
    next_uuid(idem);
    /* a made-up token, and a real one on another booth's device */
    assert_int_equal(call("POST", "/api/v1/sales", a.key, "not-a-token", idem, NULL,
                          sale_body(a.id, SKU, "1", "37000", ""), &j), 401);
    assert_non_null(strstr(message(j), "mã PIN"));
    cJSON_Delete(j);
    assert_int_equal(call("GET", "/api/v1/pos/device", b.key, staff_token, NULL,
                          NULL, NULL, NULL), 401);
}

/* --- bad sales change nothing ---------------------------------------------- */

struct bad {
    const char *what;
    const char *key_of; /* "a" or "b" */
    int malformed_key;
    const char *body;
    long status;
    const char *vi, *en; /* messages, or NULL */
};

static void bad_sales(void **state)
{
    char unknown[256], neg[256], huge[256], price[256], ok[256];
    const struct bad cases[] = {
        {"unknown product", "a", 0, unknown, 422,
         "Không có sản phẩm với mã hàng (SKU) này.",
         "There is no product with this SKU."},
        {"negative quantity", "a", 0, neg, 422,
         "Số lượng phải là số nguyên từ 1 đến 100.000.", NULL},
        {"a quantity of 10^12", "a", 0, huge, 422,
         "Số lượng phải là số nguyên từ 1 đến 100.000.",
         "The quantity must be a whole number from 1 to 100,000."},
        {"a price not the catalog's", "a", 0, price, 422,
         "Đơn giá không khớp với giá trong danh mục.",
         "The unit price does not match the catalog price."},
        {"a malformed idempotency key", "a", 1, ok, 400, NULL,
         "The Idempotency-Key is missing or wrong: it must be a UUID made by "
         "the selling device."},
        {"another booth's key", "b", 0, ok, 403,
         "Tài khoản hoặc máy này không bán ở gian hàng đó.",
         "This account or device does not sell at that booth."},
    };
    long stock = on_hand(a.id, SKU), n = sales_count(a.id);
    size_t i;

    (void)state;
    snprintf(unknown, sizeof(unknown), "%s", sale_body(a.id, "KHONG-CO-MA-NAY", "1", "37000", ""));
    snprintf(neg, sizeof(neg), "%s", sale_body(a.id, SKU, "-2", "37000", ""));
    snprintf(huge, sizeof(huge), "%s", sale_body(a.id, SKU, "1000000000000", "37000", ""));
    snprintf(price, sizeof(price), "%s", sale_body(a.id, SKU, "1", "1000", ""));
    snprintf(ok, sizeof(ok), "%s", sale_body(a.id, SKU, "1", "37000", ""));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *x = &cases[i];
        const char *key = x->key_of[0] == 'a' ? a.key : b.key;
        char idem[37];
        int lang;
        next_uuid(idem);
        for (lang = 0; lang < 2; lang++) {
            cJSON *j = NULL;
            const char *want = lang ? x->en : x->vi;
            long got = call("POST", "/api/v1/sales", key, NULL,
                            x->malformed_key ? "12345" : idem, lang ? "en" : "vi",
                            x->body, &j);
            if (got != x->status || (want && strcmp(message(j), want) != 0))
                fail_msg("%s (%s): got %ld \"%s\"", x->what, lang ? "en" : "vi",
                         got, message(j));
            cJSON_Delete(j);
        }
    }
    assert_int_equal(on_hand(a.id, SKU), stock);
    assert_int_equal(sales_count(a.id), n);
    ledger_agrees();
}

static void replay(void **state)
{
    char idem[37], first_id[32], again_id[32];
    const char *body = sale_body(a.id, SKU, "2", "37000", "");
    char copy[1024];
    cJSON *j = NULL;
    long stock = on_hand(a.id, SKU), n = sales_count(a.id);

    (void)state;
    snprintf(copy, sizeof(copy), "%s", body);
    next_uuid(idem);
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL, copy, &j), 201);
    snprintf(first_id, sizeof(first_id), "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id")));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "staff")), a.staff);
    cJSON_Delete(j);
    /* the same key and body: the same sale, 200, counted once */
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL, copy, &j), 200);
    snprintf(again_id, sizeof(again_id), "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id")));
    assert_string_equal(first_id, again_id);
    cJSON_Delete(j);
    /* the same key with another body: 409, nothing changes */
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL,
                          sale_body(a.id, SKU, "3", "37000", ""), &j), 409);
    assert_string_equal(message(j), "Khoá chống trùng này đã dùng cho một đơn hàng khác; đơn cũ không bị thay đổi.");
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU), stock - 2);
    assert_int_equal(sales_count(a.id), n + 1);
    ledger_agrees();
}

static void offline_shortfall(void **state)
{
    char idem[37];
    cJSON *j = NULL;
    long stock = on_hand(a.id, SKU3), n = sales_count(a.id);
    char qty[16];

    (void)state;
    snprintf(qty, sizeof(qty), "%ld", stock + 5);
    /* online: not enough stock is refused */
    next_uuid(idem);
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL,
                          sale_body(a.id, SKU3, qty, "52000", ""), &j), 409);
    assert_string_equal(message(j), "Không đủ hàng trong kho để thực hiện.");
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU3), stock);
    /* made offline: the goods are gone, the shortfall is recorded; the same
     * key is free, as the refused sale recorded nothing */
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL,
                          sale_body(a.id, SKU3, qty, "52000", ",\"offline\":true"), &j), 201);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "shortfall")));
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU3), -5);
    assert_int_equal(sales_count(a.id), n + 1);
    ledger_agrees();
}

static void void_and_return(void **state)
{
    char idem[37], path[64];
    cJSON *j = NULL;
    long stock = on_hand(a.id, SKU2), id;

    (void)state;
    next_uuid(idem);
    assert_int_equal(call("POST", "/api/v1/sales", a.key, staff_token, idem, NULL,
                          sale_body(a.id, SKU2, "3", "47000", ""), &j), 201);
    id = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id"));
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU2), stock - 3);
    snprintf(path, sizeof(path), "/api/v1/sales/%ld/returns", id);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU2 "\",\"qty\":1}]}", &j), 422);
    assert_string_equal(message(j), "Cần ghi lý do.");
    cJSON_Delete(j);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU2 "\",\"qty\":1}],\"reason\":\"Hàng lỗi\"}", NULL), 200);
    assert_int_equal(on_hand(a.id, SKU2), stock - 2);
    /* another booth may not void it */
    snprintf(path, sizeof(path), "/api/v1/sales/%ld/void", id);
    assert_int_equal(call("POST", path, b.key, NULL, NULL, NULL, "{\"reason\":\"x\"}", NULL), 403);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL, "{\"reason\":\"Khách đổi ý\"}", &j), 200);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")), "voided");
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU2), stock);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL, "{\"reason\":\"again\"}", NULL), 409);
    ledger_agrees();
}

/* --- the rest of the POS's API ---------------------------------------------- */

static void closing_count(void **state)
{
    char path[64];
    cJSON *j = NULL;
    long stock = on_hand(a.id, SKU);

    (void)state;
    snprintf(path, sizeof(path), "/api/v1/locations/%ld/counts", a.id);
    assert_int_equal(call("POST", path, b.key, NULL, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU "\",\"counted\":1}]}", NULL), 403);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU "\",\"counted\":-1}]}", &j), 422);
    assert_string_equal(message(j), "Số đếm được phải là số nguyên từ 0 đến 100.000.");
    cJSON_Delete(j);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU "\",\"counted\":1},{\"sku\":\"" SKU "\",\"counted\":2}]}", NULL), 422);
    assert_int_equal(on_hand(a.id, SKU), stock);
    assert_int_equal(call("POST", path, a.key, staff_token, NULL, NULL,
                          "{\"lines\":[{\"sku\":\"" SKU "\",\"counted\":30},{\"sku\":\"" SKU3 "\",\"counted\":0}],"
                          "\"reason\":\"Kiểm kho cuối ngày\"}", &j), 201);
    assert_int_equal((long)cJSON_GetNumberValue(cJSON_GetObjectItem(
                         cJSON_GetArrayItem(cJSON_GetObjectItem(j, "lines"), 0), "variance")), 30 - stock);
    assert_int_equal((long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "units_over")), 5);
    cJSON_Delete(j);
    assert_int_equal(on_hand(a.id, SKU), 30);
    assert_int_equal(on_hand(a.id, SKU3), 0);
    ledger_agrees();
}

static void vietqr_and_receipt(void **state)
{
    char path[160];
    struct itest_resp r;
    cJSON *j = NULL, *sales;
    const char *url;

    (void)state;
    snprintf(path, sizeof(path), "/api/v1/pos/vietqr?booth=%ld&amount=74000&ref=OCOP%%20%ld%%20AB12CD34&format=json", a.id, a.id);
    assert_int_equal(call("GET", path, a.key, NULL, NULL, NULL, NULL, &j), 200);
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "payload")), "540574000"));
    assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "svg")), "<svg"));
    cJSON_Delete(j);
    assert_int_equal(call("GET", path, b.key, NULL, NULL, NULL, NULL, NULL), 403);
    snprintf(path, sizeof(path), "/api/v1/pos/vietqr?booth=%ld&amount=12.000", a.id);
    assert_int_equal(call("GET", path, a.key, NULL, NULL, NULL, NULL, NULL), 422);
    /* the e-receipt of the first sale, public by its token */
    snprintf(path, sizeof(path), "/api/v1/sales?booth=%ld", a.id);
    assert_int_equal(call("GET", path, a.key, NULL, NULL, NULL, NULL, &sales), 200);
    url = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(sales, "items"), 0), "receipt_url"));
    assert_non_null(url);
    assert_int_equal(itest_get(&srv, url, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "74.000"));
    assert_non_null(strstr(r.body, "<svg"));
    itest_resp_free(&r);
    cJSON_Delete(sales);
    assert_int_equal(itest_get(&srv, "/hoa-don/00000000000000000000000000000000", &r), 0);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
    /* the ledger check is the office's */
    assert_int_equal(call("GET", "/api/v1/stock/verify", a.key, NULL, NULL, NULL, NULL, NULL), 403);
}

static void z_report(void **state)
{
    char path[64];
    cJSON *j = NULL, *row;
    int staff_seen = 0;

    (void)state;
    snprintf(path, sizeof(path), "/api/v1/booths/%ld/z-report", a.id);
    assert_int_equal(call("GET", path, a.key, NULL, NULL, NULL, NULL, &j), 200);
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(j, "by_staff_method"))
        staff_seen |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(row, "staff")), a.staff) == 0;
    assert_true(staff_seen);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "counts")), 1);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_signin),
        cmocka_unit_test(pin_rate_limited),
        cmocka_unit_test(staff_token_checked),
        cmocka_unit_test(bad_sales),
        cmocka_unit_test(replay),
        cmocka_unit_test(offline_shortfall),
        cmocka_unit_test(void_and_return),
        cmocka_unit_test(closing_count),
        cmocka_unit_test(vietqr_and_receipt),
        cmocka_unit_test(z_report),
    };
    return cmocka_run_group_tests_name("pos", tests, setup, teardown);
}
