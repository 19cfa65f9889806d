/* itest_showcase.c: the public pages and the JSON API, end to end against
 * the real server. Each test is a labelled step with an expected status. */
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

static int setup(void **state)
{
    (void)state;
    return itest_start(&srv);
}

static int teardown(void **state)
{
    (void)state;
    if (itest_stop(&srv) != 0) {
        fprintf(stderr, "server did not exit cleanly\n");
        return -1;
    }
    return 0;
}

static cJSON *get_json(const char *path, long want_status)
{
    struct itest_resp r;
    cJSON *j;

    assert_int_equal(itest_get(&srv, path, &r), 0);
    if (r.status != want_status)
        fail_msg("GET %s: %ld, want %ld: %s", path, r.status, want_status,
                 r.body);
    j = cJSON_Parse(r.body);
    itest_resp_free(&r);
    assert_non_null(j);
    return j;
}

static const char *jstr(const cJSON *o, const char *path)
{
    char key[64];
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
        o = cJSON_GetObjectItem(o, key);
        path = dot + 1;
    }
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, path));
}

static void home_page(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(itest_get(&srv, "/", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<html lang=\"vi\">"));
    assert_non_null(strstr(r.body, "<link rel=\"canonical\""));
    assert_non_null(strstr(r.body, "property=\"og:title\""));
    assert_non_null(strstr(r.body, "class=\"stars stars-5\""));
    assert_non_null(strstr(r.headers, "content-security-policy:"));
    assert_non_null(strstr(r.headers, "x-content-type-options: nosniff"));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/?lang=en", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<html lang=\"en\">"));
    assert_non_null(strstr(r.body, "Featured products"));
    itest_resp_free(&r);
}

static void api_list_shape(void **state)
{
    cJSON *j = get_json("/api/v1/products?per_page=5", 200), *item, *cert;

    (void)state;
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "page")), 1);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "per_page")), 5);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total")) > 5);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 5);
    item = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), 0);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(item, "id")));
    assert_non_null(jstr(item, "slug"));
    assert_non_null(jstr(item, "producer.slug"));
    assert_non_null(jstr(item, "producer.name"));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(item, "stars")));
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(item, "group")));
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(item, "photos")));
    assert_true(strncmp(jstr(item, "url"), "/san-pham/", 10) == 0);
    cert = cJSON_GetObjectItem(item, "certificate");
    assert_string_equal(jstr(cert, "status"), "active");
    assert_true(cJSON_IsBool(cJSON_GetObjectItem(cert, "sample")));
    assert_non_null(jstr(cert, "number"));
    assert_non_null(jstr(cert, "expires_on"));
    cJSON_Delete(j);
}

static void search_is_accent_insensitive(void **state)
{
    static const char *const paths[] = {
        "/api/v1/products?q=duong+phen",
        "/api/v1/products?q=%C4%90%C6%AF%E1%BB%9CNG%20PH%C3%88N",
        /* NFD: d u+0306... as sent by macOS and iOS keyboards */
        "/api/v1/products?q=%C4%91u%CC%9Bo%CC%9B%CC%80ng%20phe%CC%80n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        cJSON *j = get_json(paths[i], 200);
        cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), 0);
        assert_non_null(first);
        assert_string_equal(jstr(first, "slug"), "duong-phen-tuyet-huong");
        cJSON_Delete(j);
    }
}

static void registered_candidates_are_hidden(void **state)
{
    cJSON *j = get_json("/api/v1/products?q=nam+bao+ngu", 200);
    struct itest_resp r;
    char *text;

    (void)state;
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total")), 0);
    cJSON_Delete(j);
    j = get_json("/api/v1/suggest?q=nam+bao+ngu", 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 0);
    cJSON_Delete(j);
    /* "nam bao" suggests Nấm Ngọc Bảo Thy's products, never the candidate */
    j = get_json("/api/v1/suggest?q=nam+bao", 200);
    text = cJSON_PrintUnformatted(j);
    assert_null(strstr(text, "nam-bao-ngu"));
    cJSON_free(text);
    cJSON_Delete(j);
    assert_int_equal(itest_get(&srv, "/san-pham/nam-bao-ngu", &r), 0);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
    j = get_json("/api/v1/products/nam-bao-ngu", 404);
    assert_string_equal(jstr(j, "error.code"), "not_found");
    cJSON_Delete(j);
}

static void product_page(void **state)
{
    const char *slug = "/san-pham/mach-nha-quang-ngai-duong-mantoza";
    struct itest_resp r;

    (void)state;
    assert_int_equal(itest_get(&srv, slug, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(r.len < 100 * 1024);
    assert_non_null(strstr(r.body, "\"@type\":\"Product\""));
    assert_non_null(strstr(r.body, "og:type\" content=\"product\""));
    assert_non_null(strstr(r.body, "Giấy chứng nhận OCOP"));
    assert_non_null(strstr(r.body, "Còn hiệu lực"));
    assert_non_null(strstr(r.body, "dữ liệu mẫu"));
    assert_non_null(strstr(r.body, "\xC2\xA0₫")); /* 59.000 ₫ with NBSP */
    assert_non_null(strstr(r.body, "/qr/mach-nha-quang-ngai-duong-mantoza.svg"));
    assert_non_null(strstr(r.body, "loading=\"lazy\""));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/qr/mach-nha-quang-ngai-duong-mantoza.svg",
                               &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<svg"));
    itest_resp_free(&r);
}

static void etag_and_gzip(void **state)
{
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    struct itest_resp r;
    char *etag, *inm;
    const char *hdr[2];

    (void)state;
    assert_int_equal(itest_request(&srv, "GET", "/api/v1/groups", gz, NULL, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "content-encoding: gzip"));
    etag = itest_header(&r, "etag");
    assert_non_null(etag);
    itest_resp_free(&r);
    inm = malloc(strlen(etag) + 32);
    snprintf(inm, strlen(etag) + 32, "If-None-Match: %s", etag);
    hdr[0] = inm;
    hdr[1] = NULL;
    assert_int_equal(itest_request(&srv, "GET", "/api/v1/groups", hdr, NULL, &r),
                     0);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.len, 0);
    itest_resp_free(&r);
    free(inm);
    free(etag);
}

static void static_assets_are_hashed(void **state)
{
    struct itest_resp r, a;
    char path[256];
    const char *at, *end;

    (void)state;
    assert_int_equal(itest_get(&srv, "/", &r), 0);
    at = strstr(r.body, "/static/css/app.");
    assert_non_null(at);
    end = strchr(at, '"');
    snprintf(path, sizeof(path), "%.*s", (int)(end - at), at);
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, path, &a), 0);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.headers, "immutable"));
    assert_non_null(strstr(a.headers, "content-type: text/css"));
    itest_resp_free(&a);
}

static void sitemap_and_robots(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(itest_get(&srv, "/sitemap.xml", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "/san-pham/duong-phen-tuyet-huong</loc>"));
    assert_null(strstr(r.body, "nam-bao-ngu"));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/robots.txt", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Sitemap: "));
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    itest_resp_free(&r);
}

static void browse_filters(void **state)
{
    cJSON *j, *item;

    (void)state;
    j = get_json("/api/v1/products?stars=5&group=thuc-pham&per_page=100", 200);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")) > 0);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(j, "items"))
    {
        assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(item, "stars")), 5);
        assert_string_equal(jstr(item, "group.slug"), "thuc-pham");
    }
    cJSON_Delete(j);
    j = get_json("/api/v1/products?province=quang-ngai&commune=phuong-nghia-lo", 200);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(j, "items"))
        assert_string_equal(jstr(item, "producer.commune_slug"), "phuong-nghia-lo");
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total")) > 0);
    cJSON_Delete(j);
    j = get_json("/api/v1/producers/culaore", 200);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "products")) >= 7);
    cJSON_Delete(j);
    j = get_json("/api/v1/groups", 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 6);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(home_page),
        cmocka_unit_test(api_list_shape),
        cmocka_unit_test(search_is_accent_insensitive),
        cmocka_unit_test(registered_candidates_are_hidden),
        cmocka_unit_test(product_page),
        cmocka_unit_test(etag_and_gzip),
        cmocka_unit_test(static_assets_are_hashed),
        cmocka_unit_test(sitemap_and_robots),
        cmocka_unit_test(browse_filters),
    };
    return cmocka_run_group_tests_name("showcase", tests, setup, teardown);
}
