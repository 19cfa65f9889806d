/* itest_badinput.c: bad input gets a clear 4xx in the visitor's language,
 * never a crash or a 500, and the server keeps serving what it stored. */
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

static struct itest_server srv;
static double total_before;

static double product_total(void)
{
    struct itest_resp r;
    cJSON *j;
    double total;

    assert_int_equal(itest_get(&srv, "/api/v1/products?per_page=1", &r), 0);
    assert_int_equal(r.status, 200);
    j = cJSON_Parse(r.body);
    total = cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total"));
    cJSON_Delete(j);
    itest_resp_free(&r);
    return total;
}

static int setup(void **state)
{
    (void)state;
    if (itest_start(&srv) != 0)
        return -1;
    total_before = product_total();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return itest_stop(&srv);
}

/* expect_api_error: status, a JSON error with code and a message. */
static void expect_api_error(const char *path, const char *const *hdr,
                             long status, const char *code,
                             const char *message_part)
{
    struct itest_resp r;
    cJSON *j, *err;

    assert_int_equal(itest_request(&srv, "GET", path, hdr, NULL, &r), 0);
    if (r.status != status)
        fail_msg("GET %.80s: %ld, want %ld", path, r.status, status);
    assert_non_null(strstr(r.headers, "content-type: application/json"));
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    err = cJSON_GetObjectItem(j, "error");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(err, "code")),
                        code);
    if (strstr(cJSON_GetStringValue(cJSON_GetObjectItem(err, "message")),
               message_part) == NULL)
        fail_msg("GET %.80s: message '%s' lacks '%s'", path,
                 cJSON_GetStringValue(cJSON_GetObjectItem(err, "message")),
                 message_part);
    cJSON_Delete(j);
    itest_resp_free(&r);
}

static void malformed_parameters(void **state)
{
    const char *en[] = {"Accept-Language: en-US,en;q=0.9", NULL};

    (void)state;
    expect_api_error("/api/v1/products?page=-1", NULL, 400, "invalid_page",
                     "Số trang");
    expect_api_error("/api/v1/products?page=abc", NULL, 400, "invalid_page",
                     "Số trang");
    expect_api_error("/api/v1/products?page=abc", en, 400, "invalid_page",
                     "Invalid page");
    expect_api_error("/api/v1/products?per_page=100000", NULL, 400,
                     "invalid_per_page", "mỗi trang");
    expect_api_error("/api/v1/products?sort=cheapest", NULL, 400,
                     "invalid_sort", "sắp xếp");
    expect_api_error("/api/v1/products?stars=7", NULL, 400, "invalid_stars",
                     "3, 4 hoặc 5");
    expect_api_error("/api/v1/products?group=nope", NULL, 400,
                     "invalid_group", "Nhóm");
    expect_api_error("/api/v1/products?province=Qu%E1%BA%A3ng", NULL, 400,
                     "invalid_filter", "Bộ lọc");
    expect_api_error("/api/v1/products?q=%C3%28", NULL, 400, "invalid_utf8",
                     "UTF-8");
    expect_api_error("/api/v1/suggest", NULL, 400, "missing_query", "q");
    expect_api_error("/api/v1/nope", NULL, 404, "not_found", "API");
    expect_api_error("/api/v1/products/khong-co-san-pham-nay", NULL, 404,
                     "not_found", "Không tìm thấy sản phẩm");
    expect_api_error("/api/v1/products/%ff%fe", NULL, 400, "invalid_utf8",
                     "UTF-8");
    expect_api_error("/api/v1/products/%00", NULL, 404, "not_found", "API");
}

static void long_query_string(void **state)
{
    char *path = malloc(11000);

    (void)state;
    memcpy(path, "/api/v1/products?q=", 19);
    memset(path + 19, 'a', 10240);
    path[19 + 10240] = '\0';
    expect_api_error(path, NULL, 400, "query_too_long", "quá dài");
    memcpy(path, "/san-pham?x=", 12);
    {
        struct itest_resp r;
        assert_int_equal(itest_get(&srv, path, &r), 0);
        assert_int_equal(r.status, 400);
        assert_non_null(strstr(r.body, "quá dài"));
        itest_resp_free(&r);
    }
    free(path);
}

static void themed_pages_for_errors(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(itest_get(&srv, "/khong-co-trang-nay", &r), 0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.headers, "content-type: text/html"));
    assert_non_null(strstr(r.body, "Không tìm thấy trang"));
    assert_non_null(strstr(r.body, "class=\"site-header\""));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/san-pham?page=0", &r), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "Số trang không hợp lệ"));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/san-pham?sort=x&lang=en", &r), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "Invalid sort"));
    itest_resp_free(&r);
}

static void path_traversal_is_refused(void **state)
{
    static const char *const paths[] = {
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2fMakefile",
        "/media/../catalog/products.json",
        "/static/css/../../messages/vi.json",
        "/static/.hidden",
    };
    struct itest_resp r;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        assert_int_equal(itest_get(&srv, paths[i], &r), 0);
        if (r.status != 404 && r.status != 400)
            fail_msg("%s: %ld", paths[i], r.status);
        assert_null(strstr(r.body, "root:"));
        assert_null(strstr(r.body, "\"slug\""));
        itest_resp_free(&r);
    }
}

static void writes_are_refused(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(itest_request(&srv, "POST", "/api/v1/products", NULL,
                                   "{\"name\":\"x\"}", &r),
                     0);
    assert_int_equal(r.status, 405);
    itest_resp_free(&r);
    assert_int_equal(itest_request(&srv, "DELETE",
                                   "/api/v1/products/duong-phen-tuyet-huong",
                                   NULL, NULL, &r),
                     0);
    assert_int_equal(r.status, 405);
    itest_resp_free(&r);
}

static void still_serving_with_data_intact(void **state)
{
    (void)state;
    assert_true(product_total() == total_before);
    assert_true(total_before > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_parameters),
        cmocka_unit_test(long_query_string),
        cmocka_unit_test(themed_pages_for_errors),
        cmocka_unit_test(path_traversal_is_refused),
        cmocka_unit_test(writes_are_refused),
        cmocka_unit_test(still_serving_with_data_intact),
    };
    return cmocka_run_group_tests_name("bad input", tests, setup, teardown);
}
