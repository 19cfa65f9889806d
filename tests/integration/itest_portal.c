/* itest_portal.c: the producer portal end to end: signing in, editing a
 * product next to its public page, validation messages, undo, stored XSS,
 * CSRF, rate limits and session expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PW "correct+horse+battery"
#define IDLE_S 3

static struct itest_server srv;
static char cookie[160], csrf[64];

static void setup_db(const char *db, void *cls)
{
    (void)cls;
    if (itest_ocop(db, "correct horse battery\n", NULL, 0,
                   "user add --role producer --username tuyethuong "
                   "--producer tuyet-huong --password-stdin") != 0)
        fprintf(stderr, "setup: user add failed\n");
}

static int setup(void **state)
{
    char idle[16];

    (void)state;
    snprintf(idle, sizeof(idle), "%d", IDLE_S);
    setenv("OCOP_SESSION_IDLE_S", idle, 1); /* the server inherits it */
    return itest_start_setup(&srv, setup_db, NULL);
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("OCOP_SESSION_IDLE_S");
    return itest_stop(&srv);
}

static int field(const char *html, const char *attr, char *out, size_t size)
{
    const char *at = strstr(html, attr), *end;

    if (at == NULL)
        return -1;
    at += strlen(attr);
    end = strchr(at, '"');
    snprintf(out, size, "%.*s", (int)(end - at), at);
    return 0;
}

static int set_cookie(const struct itest_resp *r, const char *name, char *out,
                      size_t size)
{
    char key[64];
    const char *at, *end;

    snprintf(key, sizeof(key), "set-cookie: %s=", name);
    at = strstr(r->headers, key);
    if (at == NULL)
        return -1;
    at += strlen("set-cookie: ");
    end = strchr(at, ';');
    snprintf(out, size, "%.*s", (int)(end - at), at);
    return 0;
}

/* login: status of POST /dang-nhap with the form's double-submit token. */
static long login(const char *user, const char *pw)
{
    struct itest_resp r;
    char pre[128], token[64], hdr[200], body[300];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};
    long status;

    assert_int_equal(itest_get(&srv, "/dang-nhap", &r), 0);
    assert_int_equal(set_cookie(&r, "ocop_pre", pre, sizeof(pre)), 0);
    assert_int_equal(field(r.body, "name=\"csrf\" value=\"", token, sizeof(token)), 0);
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s", pre);
    snprintf(body, sizeof(body), "csrf=%s&username=%s&password=%s", token, user, pw);
    assert_int_equal(itest_request(&srv, "POST", "/dang-nhap", h, body, &r), 0);
    status = r.status;
    if (status == 303)
        assert_int_equal(set_cookie(&r, "ocop_session", cookie, sizeof(cookie)), 0);
    if (status == 429)
        assert_non_null(strstr(r.body, "15 phút"));
    itest_resp_free(&r);
    return status;
}

static long get(const char *path, struct itest_resp *r)
{
    char hdr[200];
    const char *h[2] = {hdr, NULL};

    snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
    assert_int_equal(itest_request(&srv, "GET", path, h, NULL, r), 0);
    return r->status;
}

static long post(const char *path, const char *body, int with_csrf,
                 struct itest_resp *r)
{
    char hdr[200], full[8192];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};

    snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
    snprintf(full, sizeof(full), "%s%s%s", body, with_csrf ? "&csrf=" : "",
             with_csrf ? csrf : "");
    assert_int_equal(itest_request(&srv, "POST", path, h, full, r), 0);
    return r->status;
}

#define EDIT "/quan-ly/san-pham/duong-phen-tuyet-huong"

static void sign_in_and_see_my_products(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(login("tuyethuong", "wrong+password+here"), 401);
    assert_int_equal(login("tuyethuong", PW), 303);
    assert_int_equal(get("/quan-ly", &r), 200);
    assert_non_null(strstr(r.body, "Đường phèn Tuyết Hường"));
    assert_null(strstr(r.body, "Yến sào")); /* another producer's */
    assert_non_null(strstr(r.headers, "cache-control: no-store"));
    itest_resp_free(&r);
    assert_int_equal(get(EDIT, &r), 200);
    assert_int_equal(field(r.body, "name=\"csrf\" value=\"", csrf, sizeof(csrf)), 0);
    itest_resp_free(&r);
}

static void edit_goes_live(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(post(EDIT,
                          "name=%C4%90%C6%B0%E1%BB%9Dng+ph%C3%A8n+Tuy%E1%BA%BFt+H%C6%B0%E1%BB%9Dng"
                          "&description=Lo%E1%BA%A1i+1%0A%0A-+kh%C3%B4ng+ch%E1%BA%A5t+b%E1%BA%A3o+qu%E1%BA%A3n"
                          "&sku=TH-500&size=500+g&unit=t%C3%BAi&price=125.000&barcode=8935002301003",
                          1, &r),
                     303);
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/san-pham/duong-phen-tuyet-huong", &r), 0);
    assert_non_null(strstr(r.body, "125.000\xC2\xA0₫"));
    assert_non_null(strstr(r.body, "<li>không chất bảo quản</li>"));
    itest_resp_free(&r);
}

static void bad_values_keep_what_was_typed(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(post(EDIT, "name=Ok+name&description=&sku=TH-500&size=&unit="
                                "&price=abc&barcode=",
                          1, &r),
                     422);
    assert_non_null(strstr(r.body, "Giá phải là số đồng nguyên"));
    itest_resp_free(&r);
    assert_int_equal(post(EDIT, "name=Ok+name&description=&sku=TH-500&size=&unit="
                                "&price=1000&barcode=8935002301000",
                          1, &r),
                     422);
    assert_non_null(strstr(r.body, "Mã vạch không hợp lệ"));
    assert_non_null(strstr(r.body, "value=\"8935002301000\"")); /* kept */
    itest_resp_free(&r);
    assert_int_equal(post(EDIT, "name=Ok+name&sku=CULAORE-YRL-050", 1, &r), 409);
    assert_non_null(strstr(r.body, "đã dùng cho một sản phẩm khác"));
    itest_resp_free(&r);
}

static void stored_xss_is_shown_as_text(void **state)
{
    static const char *const raw[] = {"<script>alert(1)</script>",
                                      "\"><img src=x onerror=alert(1)>"};
    struct itest_resp r;
    const char *pages[] = {EDIT, "/san-pham/duong-phen-tuyet-huong", "/quan-ly"};
    size_t i, k;

    (void)state;
    assert_int_equal(
        post(EDIT,
             "name=XSS+%3Cscript%3Ealert(1)%3C%2Fscript%3E"
             "&description=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"
             "&sku=TH-500&size=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
             "&unit=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&price=1000&barcode=",
             1, &r),
        303);
    itest_resp_free(&r);
    for (i = 0; i < 3; i++) {
        long st = i == 1 ? (itest_get(&srv, pages[i], &r), r.status)
                         : get(pages[i], &r);
        assert_int_equal(st, 200);
        for (k = 0; k < 2; k++)
            if (strstr(r.body, raw[k]) != NULL)
                fail_msg("%s shows %s unescaped", pages[i], raw[k]);
        assert_non_null(strstr(r.body, "&lt;script&gt;"));
        itest_resp_free(&r);
    }
}

static void undo_restores(void **state)
{
    struct itest_resp r;
    char rev[32], body[64];

    (void)state;
    assert_int_equal(get(EDIT, &r), 200);
    assert_int_equal(field(r.body, "name=\"revision\" value=\"", rev, sizeof(rev)), 0);
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "revision=%s", rev);
    assert_int_equal(post(EDIT "/hoan-tac", body, 1, &r), 303);
    itest_resp_free(&r);
    assert_int_equal(itest_get(&srv, "/san-pham/duong-phen-tuyet-huong", &r), 0);
    assert_null(strstr(r.body, "XSS"));
    assert_non_null(strstr(r.body, "125.000\xC2\xA0₫"));
    itest_resp_free(&r);
}

static void csrf_is_required(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(post(EDIT, "name=No+token+here", 0, &r), 403);
    assert_non_null(strstr(r.body, "CSRF"));
    itest_resp_free(&r);
}

static void session_expires_when_idle(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(get("/quan-ly", &r), 200);
    itest_resp_free(&r);
    sleep(IDLE_S + 2);
    assert_int_equal(get("/quan-ly", &r), 303);
    assert_non_null(strstr(r.headers, "location: /dang-nhap"));
    itest_resp_free(&r);
}

static void sign_in_is_rate_limited(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 5; i++)
        assert_int_equal(login("tuyethuong", "wrong+password+here"), 401);
    assert_int_equal(login("tuyethuong", PW), 429);
}

static void sign_out_ends_the_session(void **state)
{
    struct itest_resp r;

    (void)state;
    assert_int_equal(login("tuyethuong", PW), 303);
    assert_int_equal(get("/tai-khoan", &r), 200);
    assert_int_equal(field(r.body, "name=\"csrf\" value=\"", csrf, sizeof(csrf)), 0);
    itest_resp_free(&r);
    assert_int_equal(post("/dang-xuat", "", 1, &r), 303);
    assert_non_null(strstr(r.headers, "Max-Age=0"));
    itest_resp_free(&r);
    /* the old cookie no longer opens anything */
    assert_int_equal(get("/quan-ly", &r), 303);
    itest_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_in_and_see_my_products),
        cmocka_unit_test(edit_goes_live),
        cmocka_unit_test(bad_values_keep_what_was_typed),
        cmocka_unit_test(stored_xss_is_shown_as_text),
        cmocka_unit_test(undo_restores),
        cmocka_unit_test(csrf_is_required),
        cmocka_unit_test(session_expires_when_idle),
        cmocka_unit_test(sign_out_ends_the_session),
        cmocka_unit_test(sign_in_is_rate_limited),
    };
    return cmocka_run_group_tests_name("portal", tests, setup, teardown);
}
