/* itest_admin.c: the programme office (/quan-tri) end to end against the
 * real server, signed in as a browser would be: producers, the OCOP cycle,
 * evaluations and what the public then sees, revocation, expiring
 * certificates, hiding, the audit log, accounts with reset links, API
 * keys, who may reach the office, and stored XSS. Every HTML page the tests
 * fetch is checked for the raw XSS strings (check_html). The tests run in
 * order and share the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PW "correct horse battery"
#define XSS1 "<script>alert(1)</script>"
#define XSS2 "\"><img src=x onerror=alert(1)>"

struct session {
    char cookie[128]; /* "ocop_session=..." */
    char csrf[64];
};

static struct itest_server srv;
static struct session office, producer;
static int html_checked; /* pages checked for raw XSS, for the summary */

/* what the tests make and later steps use */
static char producer_slug[160], candidate_slug[200], pub_a[160], pub_b[160],
    pub_c[160], pub_d[160];

static void setup_db(const char *db, void *cls)
{
    (void)cls;
    if (itest_ocop(db, PW "\n", NULL, 0,
                   "user add --role admin --username office --password-stdin") != 0 ||
        itest_ocop(db, PW "\n", NULL, 0,
                   "user add --role producer --username culaore --producer "
                   "culaore --password-stdin") != 0)
        fprintf(stderr, "setup: cannot add the accounts\n");
}

/* --- HTTP helpers -------------------------------------------------------- */

static int cookie_of(const struct itest_resp *r, const char *name, char *out,
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
    snprintf(out, size, "%.*s", (int)(end ? end - at : (long)strlen(at)), at);
    return 0;
}

/* after: the text after needle in s up to the first of stop, into out. */
static int after(const char *s, const char *needle, const char *stop,
                 char *out, size_t size)
{
    const char *at = s ? strstr(s, needle) : NULL;
    size_t n;

    if (at == NULL)
        return -1;
    at += strlen(needle);
    n = strcspn(at, stop);
    snprintf(out, size, "%.*s", (int)n, at);
    return 0;
}

/* check_html: a stored XSS string must never come back unescaped. */
static void check_html(const char *path, const struct itest_resp *r)
{
    if (strncmp(path, "/api/", 5) == 0 || strstr(r->headers, "text/html") == NULL)
        return;
    if (strstr(r->body, "<script>alert(1)") != NULL ||
        strstr(r->body, "<img src=x onerror") != NULL)
        fail_msg("raw XSS in %s", path);
    html_checked++;
}

static long req(const struct session *s, const char *method, const char *path,
                const char *body, int with_csrf, struct itest_resp *r)
{
    char cookie[200], full[16384];
    const char *h[3] = {"Content-Type: application/x-www-form-urlencoded",
                        NULL, NULL};

    if (s != NULL) {
        snprintf(cookie, sizeof(cookie), "Cookie: %s", s->cookie);
        h[1] = cookie;
    }
    if (body != NULL && s != NULL && with_csrf)
        snprintf(full, sizeof(full), "%s%scsrf=%s", body, *body ? "&" : "",
                 s->csrf);
    else
        snprintf(full, sizeof(full), "%s", body ? body : "");
    assert_int_equal(itest_request(&srv, method, path, h, body ? full : NULL, r),
                     0);
    check_html(path, r);
    return r->status;
}

/* page / post: the request with the expected status (a labelled step). */
static void page(const struct session *s, const char *path, long want,
                 struct itest_resp *r)
{
    if (req(s, "GET", path, NULL, 0, r) != want)
        fail_msg("GET %s: %ld, want %ld", path, r->status, want);
}

static void post(const struct session *s, const char *path, const char *body,
                 long want, struct itest_resp *r)
{
    if (req(s, "POST", path, body, 1, r) != want)
        fail_msg("POST %s: %ld, want %ld\n%.2000s", path, r->status, want,
                 r->body);
}

static void expect_text(const struct itest_resp *r, const char *text)
{
    if (strstr(r->body, text) == NULL)
        fail_msg("missing \"%s\"", text);
}

/* location: the path of a 303's Location header. */
static void location(const struct itest_resp *r, char *out, size_t size)
{
    char *loc = itest_header(r, "location");

    assert_non_null(loc);
    snprintf(out, size, "%s", loc);
    free(loc);
}

static char *enc(const char *s)
{
    static char buf[8][2048];
    static int k;
    char *e = curl_easy_escape(NULL, s, 0);

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%s", e);
    curl_free(e);
    return buf[k];
}

static int sign_in(const char *user, const char *password, struct session *s)
{
    struct itest_resp r;
    char pre[128], csrf[64], hdr[200], body[600];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};
    long status;

    if (itest_get(&srv, "/dang-nhap", &r) != 0 ||
        cookie_of(&r, "ocop_pre", pre, sizeof(pre)) != 0 ||
        after(r.body, "name=\"csrf\" value=\"", "\"", csrf, sizeof(csrf)) != 0)
        return -1;
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s", pre);
    snprintf(body, sizeof(body), "csrf=%s&username=%s&password=%s", csrf,
             enc(user), enc(password));
    if (itest_request(&srv, "POST", "/dang-nhap", h, body, &r) != 0)
        return -1;
    status = r.status;
    if (status == 303 &&
        cookie_of(&r, "ocop_session", s->cookie, sizeof(s->cookie)) != 0)
        status = -1;
    itest_resp_free(&r);
    if (status != 303)
        return (int)status;
    page(s, "/tai-khoan", 200, &r);
    if (after(r.body, "name=\"csrf\" value=\"", "\"", s->csrf,
              sizeof(s->csrf)) != 0)
        status = -1;
    itest_resp_free(&r);
    return status == 303 ? 0 : -1;
}

/* Dates in Vietnam (UTC+7), as the server counts them. */
static void vn_date(int months_ago, int days_ago, char ymd[11], char dmy[11],
                    int plus_months)
{
    time_t now = time(NULL) + 7 * 3600 - (time_t)days_ago * 86400;
    struct tm tm;
    int y, m, d;

    gmtime_r(&now, &tm);
    y = tm.tm_year + 1900;
    m = tm.tm_mon + 1 - months_ago + plus_months;
    d = tm.tm_mday > 28 ? 28 : tm.tm_mday;
    if (months_ago == 0 && plus_months == 0)
        d = tm.tm_mday;
    while (m < 1)
        m += 12, y--;
    while (m > 12)
        m -= 12, y++;
    if (ymd != NULL)
        snprintf(ymd, 11, "%04d-%02d-%02d", y, m, d);
    if (dmy != NULL)
        snprintf(dmy, 11, "%02d/%02d/%04d", d, m, y);
}

/* public_slugs: slugs of four public products, from the API. */
static void public_slugs(void)
{
    char *slots[4] = {pub_a, pub_b, pub_c, pub_d};
    struct itest_resp r;
    cJSON *j;
    int i;

    page(NULL, "/api/v1/products?per_page=10&sort=name", 200, &r);
    j = cJSON_Parse(r.body);
    itest_resp_free(&r);
    assert_non_null(j);
    for (i = 0; i < 4; i++) {
        const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), i);
        const char *slug = cJSON_GetStringValue(cJSON_GetObjectItem(p, "slug"));
        assert_non_null(slug);
        snprintf(slots[i], 160, "%s", slug);
    }
    cJSON_Delete(j);
}

/* public_total: how many public products the API lists for a query. */
static int public_total(const char *query)
{
    struct itest_resp r;
    char path[512];
    cJSON *j;
    int n;

    snprintf(path, sizeof(path), "/api/v1/products?%s", query);
    page(NULL, path, 200, &r);
    j = cJSON_Parse(r.body);
    itest_resp_free(&r);
    assert_non_null(j);
    n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "total"));
    cJSON_Delete(j);
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (itest_start_setup(&srv, setup_db, NULL) != 0)
        return -1;
    if (sign_in("office", PW, &office) != 0 ||
        sign_in("culaore", PW, &producer) != 0) {
        fprintf(stderr, "cannot sign in\n");
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fprintf(stderr, "itest_admin: %d HTML pages checked for raw XSS\n",
            html_checked);
    return itest_stop(&srv);
}

/* --- who may reach the office -------------------------------------------- */

static const char *const office_pages[] = {
    "/quan-tri",          "/quan-tri/nha-san-xuat",
    "/quan-tri/nha-san-xuat/culaore", "/quan-tri/ung-vien",
    "/quan-tri/san-pham/kho-bo-tran-quoc-viet", "/quan-tri/chung-nhan",
    "/quan-tri/nhat-ky",  "/quan-tri/tai-khoan",
    "/quan-tri/khoa-api",
};

static const char *const office_posts[] = {
    "/quan-tri/nha-san-xuat", "/quan-tri/nha-san-xuat/culaore",
    "/quan-tri/nha-san-xuat/culaore/tai-khoan",
    "/quan-tri/nha-san-xuat/culaore/lien-ket", "/quan-tri/ung-vien",
    "/quan-tri/ung-vien/kho-bo-tran-quoc-viet/buoc",
    "/quan-tri/san-pham/kho-bo-tran-quoc-viet/danh-gia",
    "/quan-tri/san-pham/kho-bo-tran-quoc-viet/an",
    "/quan-tri/chung-nhan/1/thu-hoi", "/quan-tri/tai-khoan",
    "/quan-tri/tai-khoan/1/dat-lai", "/quan-tri/tai-khoan/2/khoa",
    "/quan-tri/khoa-api", "/quan-tri/khoa-api/1/thu-hoi",
};

static void office_is_admin_only(void **state)
{
    struct itest_resp r;
    char loc[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(office_pages) / sizeof(*office_pages); i++) {
        page(NULL, office_pages[i], 303, &r); /* no session: sign in first */
        location(&r, loc, sizeof(loc));
        assert_non_null(strstr(loc, "/dang-nhap?next="));
        itest_resp_free(&r);
        page(&producer, office_pages[i], 403, &r);
        itest_resp_free(&r);
        page(&office, office_pages[i], 200, &r);
        expect_text(&r, "class=\"office-nav\"");
        expect_text(&r, office.csrf); /* the account bar's logout form */
        itest_resp_free(&r);
    }
    for (i = 0; i < sizeof(office_posts) / sizeof(*office_posts); i++) {
        if (req(NULL, "POST", office_posts[i], "x=1", 0, &r) != 303)
            fail_msg("POST %s without a session: %ld", office_posts[i], r.status);
        itest_resp_free(&r);
        if (req(&producer, "POST", office_posts[i], "x=1", 1, &r) != 403)
            fail_msg("POST %s as a producer: %ld", office_posts[i], r.status);
        itest_resp_free(&r);
        if (req(&office, "POST", office_posts[i], "x=1", 0, &r) != 403)
            fail_msg("POST %s without csrf: %ld", office_posts[i], r.status);
        itest_resp_free(&r);
    }
    page(&office, "/quan-tri?lang=en", 200, &r);
    expect_text(&r, "<html lang=\"en\">");
    expect_text(&r, "Overview");
    expect_text(&r, "Receiving product-idea registrations");
    itest_resp_free(&r);
}

/* --- producers ----------------------------------------------------------- */

static void producer_create_and_edit(void **state)
{
    struct itest_resp r;
    char body[2048], loc[512];

    (void)state;
    snprintf(body, sizeof(body),
             "name=%s&kind=cooperative&representative=%s&tax_code=12345"
             "&address=%s&province=%s&commune=%s&phone=0912+345+678"
             "&email=htx%%40example.vn&website=www.example.vn",
             enc("HTX " XSS1 " Thử"), enc(XSS2), enc("Thôn 3 " XSS2),
             enc("Quảng Ngãi"), enc("xã Phổ Phong " XSS1));
    post(&office, "/quan-tri/nha-san-xuat", body, 422, &r); /* bad tax code */
    expect_text(&r, "Mã số thuế không hợp lệ");
    expect_text(&r, "aria-invalid=\"true\"");
    expect_text(&r, "value=\"HTX &lt;script&gt;"); /* typed values come back */
    itest_resp_free(&r);
    snprintf(body, sizeof(body),
             "name=%s&kind=cooperative&representative=%s&tax_code=4300123456"
             "&address=%s&province=%s&commune=%s&phone=0912+345+678"
             "&email=htx%%40example.vn&website=www.example.vn",
             enc("HTX " XSS1 " Thử"), enc(XSS2), enc("Thôn 3 " XSS2),
             enc("Quảng Ngãi"), enc("xã Phổ Phong " XSS1));
    post(&office, "/quan-tri/nha-san-xuat", body, 303, &r);
    location(&r, loc, sizeof(loc));
    itest_resp_free(&r);
    assert_int_equal(after(loc, "/quan-tri/nha-san-xuat/", "?", producer_slug,
                           sizeof(producer_slug)), 0);
    assert_non_null(strstr(loc, "ok=producer_created"));
    page(&office, loc, 200, &r);
    expect_text(&r, "HTX &lt;script&gt;alert(1)&lt;/script&gt; Thử");
    expect_text(&r, "value=\"0912345678\""); /* the phone, normalised */
    expect_text(&r, "value=\"https://www.example.vn\"");
    expect_text(&r, "Đã thêm nhà sản xuất.");
    itest_resp_free(&r);
    /* edit: a branch tax code, a bad e-mail, then a good one */
    snprintf(body, sizeof(body),
             "name=%s&kind=cooperative&tax_code=4300123456-001&province=%s"
             "&email=not-an-email&address=%s",
             enc("HTX " XSS1 " Thử"), enc("Quảng Ngãi"), enc("Thôn 3 " XSS2));
    snprintf(loc, sizeof(loc), "/quan-tri/nha-san-xuat/%s", producer_slug);
    post(&office, loc, body, 422, &r);
    expect_text(&r, "Địa chỉ thư điện tử không hợp lệ");
    itest_resp_free(&r);
    *strstr(body, "&email=not-an-email") = '\0';
    snprintf(body + strlen(body), sizeof(body) - strlen(body),
             "&website=javascript:alert(1)");
    post(&office, loc, body, 422, &r); /* only http(s) links */
    expect_text(&r, "http:// hoặc https://");
    itest_resp_free(&r);
    *strstr(body, "&website=") = '\0';
    post(&office, loc, body, 303, &r);
    itest_resp_free(&r);
    page(&office, "/quan-tri/nha-san-xuat?q=htx+script", 200, &r);
    expect_text(&r, producer_slug);
    expect_text(&r, "4300123456-001");
    itest_resp_free(&r);
}

/* --- the OCOP cycle and evaluations --------------------------------------- */

static void register_candidate(void)
{
    struct itest_resp r;
    char body[2048], loc[512];

    snprintf(body, sizeof(body), "name=%s&producer=%s&group=1&target_stars=4"
             "&step=2&note=%s", enc("Mắm " XSS1), producer_slug, enc(XSS2));
    post(&office, "/quan-tri/ung-vien", body, 303, &r);
    location(&r, loc, sizeof(loc));
    itest_resp_free(&r);
    assert_int_equal(after(loc, "/quan-tri/san-pham/", "?", candidate_slug,
                           sizeof(candidate_slug)), 0);
    page(&office, "/quan-tri/ung-vien", 200, &r);
    expect_text(&r, "Mắm &lt;script&gt;");
    itest_resp_free(&r);
    page(&office, "/quan-tri/ung-vien?step=2", 200, &r);
    expect_text(&r, candidate_slug);
    itest_resp_free(&r);
    snprintf(loc, sizeof(loc), "/san-pham/%s", candidate_slug);
    page(NULL, loc, 404, &r); /* a candidate is not public */
    itest_resp_free(&r);
}

static void move(const char *step, const char *note, long want)
{
    struct itest_resp r;
    char path[512], body[1024];

    snprintf(path, sizeof(path), "/quan-tri/ung-vien/%s/buoc", candidate_slug);
    snprintf(body, sizeof(body), "step=%s&note=%s&back=product", step, enc(note));
    post(&office, path, body, want, &r);
    itest_resp_free(&r);
}

static void evaluate(const char *slug, const char *score, const char *date,
                     const char *basis, long want, struct itest_resp *r)
{
    char path[512], body[1024];

    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s/danh-gia", slug);
    snprintf(body, sizeof(body), "score=%s&part_a=&part_b=&part_c=&level=province"
             "&decision_no=%s&decision_date=%s&legal_basis=%s", score,
             enc("QĐ 123/QĐ-UBND"), date, enc(basis));
    post(&office, path, body, want, r);
}

static void candidate_cycle_and_evaluation(void **state)
{
    struct itest_resp r;
    char path[512], date[11], expiry[11], q[300];

    (void)state;
    register_candidate();
    vn_date(0, 10, date, NULL, 0);
    evaluate(candidate_slug, "72", date, "26/2026", 409, &r); /* not at step 5 */
    expect_text(&r, "bước 5");
    itest_resp_free(&r);
    move("3", "Phương án " XSS1, 303);
    move("3", "again", 422); /* already there */
    move("9", "", 422);
    move("4", XSS2, 303);
    move("5", "", 303);
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s", candidate_slug);
    page(&office, path, 200, &r);
    expect_text(&r, "Phương án &lt;script&gt;"); /* each move is kept */
    expect_text(&r, "id=\"danh-gia\"");
    expect_text(&r, "name=\"score\"");
    itest_resp_free(&r);
    evaluate(candidate_slug, "72,5", date, "148/2099", 422, &r);
    expect_text(&r, "căn cứ pháp lý");
    itest_resp_free(&r);
    evaluate(candidate_slug, "72", date, "26/2026", 303, &r);
    location(&r, path, sizeof(path));
    assert_non_null(strstr(path, "ok=evaluated"));
    itest_resp_free(&r);
    /* the public page: 4 stars, valid 36 months from the decision */
    vn_date(0, 10, NULL, expiry, 36);
    snprintf(path, sizeof(path), "/san-pham/%s", candidate_slug);
    page(NULL, path, 200, &r);
    expect_text(&r, "4 sao");
    expect_text(&r, expiry);
    expect_text(&r, "HTX &lt;script&gt;"); /* the producer's name, escaped */
    itest_resp_free(&r);
    snprintf(q, sizeof(q), "producer=%s", producer_slug);
    assert_int_equal(public_total(q), 1);
    /* re-rated at 45: the certificate ends, the product leaves the list */
    evaluate(candidate_slug, "45", date, "26/2026", 303, &r);
    location(&r, path, sizeof(path));
    assert_non_null(strstr(path, "ok=evaluated_none"));
    itest_resp_free(&r);
    assert_int_equal(public_total(q), 0);
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s", candidate_slug);
    page(&office, path, 200, &r);
    expect_text(&r, "Không đạt (dưới 50 điểm)");
    expect_text(&r, "4 sao"); /* the history keeps the earlier one */
    itest_resp_free(&r);
}

static void revoke_with_reason(void **state)
{
    struct itest_resp r;
    char path[512], id[32], body[512];

    (void)state;
    public_slugs();
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s", pub_a);
    page(&office, path, 200, &r);
    assert_int_equal(after(r.body, "/quan-tri/chung-nhan/", "/", id, sizeof(id)), 0);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/chung-nhan/%s/thu-hoi", id);
    post(&office, path, "reason=", 422, &r);
    expect_text(&r, "Cần ghi lý do thu hồi");
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "reason=%s", enc("Nhãn sai quy định " XSS1));
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    post(&office, path, body, 409, &r); /* already revoked */
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/san-pham/%s", pub_a);
    page(NULL, path, 200, &r);
    expect_text(&r, "Đã bị thu hồi");
    expect_text(&r, "Nhãn sai quy định &lt;script&gt;");
    itest_resp_free(&r);
}

static void expiring_certificates(void **state)
{
    struct itest_resp r;
    char date[11], name[300], *soon, *expired;

    (void)state;
    vn_date(35, 0, date, NULL, 0); /* expires in about a month */
    evaluate(pub_b, "80", date, "148/2023", 303, &r);
    itest_resp_free(&r);
    vn_date(31, 0, date, NULL, 0); /* about 150 days left: re-rating window */
    evaluate(pub_c, "65", date, "148+1489", 303, &r);
    itest_resp_free(&r);
    page(&office, "/quan-tri/chung-nhan", 200, &r);
    soon = strstr(r.body, "id=\"g-soon\"");
    expired = strstr(r.body, "id=\"g-expired\"");
    assert_non_null(soon);
    assert_non_null(expired);
    snprintf(name, sizeof(name), "/quan-tri/san-pham/%s\"", pub_b);
    assert_true(strstr(soon, name) != NULL && strstr(soon, name) < expired);
    snprintf(name, sizeof(name), "/quan-tri/san-pham/%s\"", pub_c);
    assert_true(strstr(r.body, name) > expired); /* 91-180 days, after */
    expect_text(&r, "Đang trong hạn nộp đánh giá lại");
    itest_resp_free(&r);
    page(&office, "/quan-tri", 200, &r);
    expect_text(&r, "Hết hạn trong 90 ngày");
    itest_resp_free(&r);
}

static void hide_and_show(void **state)
{
    struct itest_resp r;
    char path[512], pub[512], body[512];

    (void)state;
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s/an", pub_d);
    snprintf(pub, sizeof(pub), "/san-pham/%s", pub_d);
    post(&office, path, "action=hide&reason=", 422, &r);
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "action=hide&reason=%s", enc("Kiểm tra " XSS2));
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    page(NULL, pub, 404, &r);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s", pub_d);
    page(&office, path, 200, &r);
    expect_text(&r, "Kiểm tra &quot;&gt;&lt;img");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s/an", pub_d);
    post(&office, path, "action=show", 303, &r);
    itest_resp_free(&r);
    page(NULL, pub, 200, &r);
    itest_resp_free(&r);
}

static void audit_log(void **state)
{
    struct itest_resp r;

    (void)state;
    page(&office, "/quan-tri/nhat-ky", 200, &r);
    expect_text(&r, "thu hồi giấy chứng nhận");
    expect_text(&r, "chuyển bước ứng viên");
    expect_text(&r, "ghi nhận đánh giá");
    expect_text(&r, "ẩn sản phẩm");
    expect_text(&r, "office");
    itest_resp_free(&r);
    page(&office, "/quan-tri/nhat-ky?q=producer.update&entity=producer", 200, &r);
    expect_text(&r, "sửa nhà sản xuất");
    expect_text(&r, "<summary>Trước</summary>");
    expect_text(&r, "<summary>Sau</summary>");
    expect_text(&r, "4300123456-001"); /* after */
    expect_text(&r, "&quot;4300123456&quot;"); /* before */
    itest_resp_free(&r);
    page(&office, "/quan-tri/nhat-ky?q=candidate&page=2", 200, &r);
    itest_resp_free(&r);
    page(&office, "/quan-tri/nhat-ky?page=0", 400, &r);
    itest_resp_free(&r);
}

/* --- accounts ------------------------------------------------------------ */

/* user_id: the id in the reset form's action of the row of username. */
static void user_id(const char *username, char *out, size_t size)
{
    struct itest_resp r;
    char key[128];
    const char *row;

    page(&office, "/quan-tri/tai-khoan", 200, &r);
    snprintf(key, sizeof(key), "<th scope=\"row\">%s", username);
    row = strstr(r.body, key);
    assert_non_null(row);
    assert_int_equal(after(row, "/quan-tri/tai-khoan/", "/", out, size), 0);
    itest_resp_free(&r);
}

static void reset_password(const char *link_page, const char *password)
{
    struct itest_resp r;
    char token[128], path[256], pre[128], csrf[64], hdr[200], body[512];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};

    assert_int_equal(after(link_page, "/dat-lai-mat-khau/", "\"", token,
                           sizeof(token)), 0);
    snprintf(path, sizeof(path), "/dat-lai-mat-khau/%s", token);
    page(NULL, path, 200, &r);
    assert_int_equal(cookie_of(&r, "ocop_pre", pre, sizeof(pre)), 0);
    assert_int_equal(after(r.body, "name=\"csrf\" value=\"", "\"", csrf,
                           sizeof(csrf)), 0);
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s", pre);
    snprintf(body, sizeof(body), "csrf=%s&password=%s&password2=%s", csrf,
             enc(password), enc(password));
    assert_int_equal(itest_request(&srv, "POST", path, h, body, &r), 0);
    assert_int_equal(r.status, 200);
    expect_text(&r, "Đã đổi mật khẩu");
    itest_resp_free(&r);
    page(NULL, path, 404, &r); /* used once */
    itest_resp_free(&r);
}

static void accounts_and_reset_links(void **state)
{
    struct itest_resp r;
    struct session s;
    char body[512], id[32], path[128], generated[64];

    (void)state;
    post(&office, "/quan-tri/tai-khoan", "username=x&role=admin", 422, &r);
    itest_resp_free(&r);
    post(&office, "/quan-tri/tai-khoan", "username=nguoi.moi&role=producer", 422,
         &r); /* a producer account needs a producer */
    expect_text(&r, "cần gắn với một nhà sản xuất");
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "username=nguoi.moi&role=producer&producer=%s",
             producer_slug);
    post(&office, "/quan-tri/tai-khoan", body, 201, &r); /* password made */
    assert_int_equal(after(r.body, "class=\"secret-value\" type=\"text\" value=\"",
                           "\"", generated, sizeof(generated)), 0);
    assert_int_equal(strlen(generated), 20);
    itest_resp_free(&r);
    post(&office, "/quan-tri/tai-khoan", body, 409, &r); /* taken */
    itest_resp_free(&r);
    assert_int_equal(sign_in("nguoi.moi", generated, &s), 0);
    page(&s, "/quan-tri", 403, &r);
    itest_resp_free(&r);
    /* a one-time reset link, shown once */
    user_id("nguoi.moi", id, sizeof(id));
    snprintf(path, sizeof(path), "/quan-tri/tai-khoan/%s/dat-lai", id);
    post(&office, path, "", 200, &r);
    expect_text(&r, "/dat-lai-mat-khau/");
    reset_password(r.body, "mot mat khau moi rat dai");
    itest_resp_free(&r);
    assert_int_equal(sign_in("nguoi.moi", generated, &s), 401);
    assert_int_equal(sign_in("nguoi.moi", "mot mat khau moi rat dai", &s), 0);
    /* disabling ends the sessions; enabling lets them in again */
    snprintf(path, sizeof(path), "/quan-tri/tai-khoan/%s/khoa", id);
    post(&office, path, "action=disable", 303, &r);
    itest_resp_free(&r);
    page(&s, "/quan-ly", 303, &r);
    itest_resp_free(&r);
    assert_int_equal(sign_in("nguoi.moi", "mot mat khau moi rat dai", &s), 401);
    post(&office, path, "action=enable", 303, &r);
    itest_resp_free(&r);
    assert_int_equal(sign_in("nguoi.moi", "mot mat khau moi rat dai", &s), 0);
    user_id("office", id, sizeof(id));
    snprintf(path, sizeof(path), "/quan-tri/tai-khoan/%s/khoa", id);
    post(&office, path, "action=disable", 409, &r); /* not oneself */
    expect_text(&r, "không thể tự khoá");
    itest_resp_free(&r);
    post(&office, "/quan-tri/tai-khoan", "username=quay.hang&role=booth"
         "&password=quay+hang+so+mot+2026", 303, &r);
    itest_resp_free(&r);
}

static void producer_accounts(void **state)
{
    struct itest_resp r;
    char path[256];

    (void)state;
    snprintf(path, sizeof(path), "/quan-tri/nha-san-xuat/%s/tai-khoan", producer_slug);
    post(&office, path, "username=htx.thu&password=", 201, &r);
    expect_text(&r, "class=\"secret-value\"");
    expect_text(&r, "htx.thu");
    itest_resp_free(&r);
    post(&office, path, "username=htx.thu2&password=ngan", 422, &r);
    expect_text(&r, "ít nhất 10 ký tự");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/nha-san-xuat/%s/lien-ket", producer_slug);
    post(&office, path, "username=culaore&action=link", 303, &r);
    itest_resp_free(&r);
    post(&office, path, "username=culaore&action=link", 409, &r);
    itest_resp_free(&r);
    post(&office, path, "username=office&action=link", 422, &r);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/nha-san-xuat/%s", producer_slug);
    page(&office, path, 200, &r);
    expect_text(&r, "<th scope=\"row\">culaore</th>");
    expect_text(&r, "<th scope=\"row\">htx.thu</th>");
    expect_text(&r, "<th scope=\"row\">nguoi.moi</th>");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/nha-san-xuat/%s/lien-ket", producer_slug);
    post(&office, path, "username=culaore&action=unlink", 303, &r);
    itest_resp_free(&r);
    post(&office, path, "username=culaore&action=unlink", 404, &r);
    itest_resp_free(&r);
}

/* --- API keys ------------------------------------------------------------ */

static long api_patch(const char *key, const char *slug)
{
    struct itest_resp r;
    char auth[200], path[256];
    const char *h[3] = {"Content-Type: application/json", auth, NULL};
    long status;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    snprintf(path, sizeof(path), "/api/v1/products/%s", slug);
    assert_int_equal(itest_request(&srv, "PATCH", path, h,
                                   "{\"description\":\"Mô tả mới\"}", &r), 0);
    status = r.status;
    itest_resp_free(&r);
    return status;
}

static void api_keys(void **state)
{
    struct itest_resp r;
    char key[128], body[512], path[128], id[32];
    const char *row;

    (void)state;
    post(&office, "/quan-tri/khoa-api", "name=&role=admin", 422, &r);
    itest_resp_free(&r);
    post(&office, "/quan-tri/khoa-api", "name=x&role=producer", 422, &r);
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "name=%s&role=admin", enc("Sàn " XSS1));
    post(&office, "/quan-tri/khoa-api", body, 201, &r);
    assert_int_equal(after(r.body, "class=\"secret-value\" type=\"text\" value=\"",
                           "\"", key, sizeof(key)), 0);
    assert_int_equal(strncmp(key, "ocop_", 5), 0);
    expect_text(&r, "Sàn &lt;script&gt;");
    itest_resp_free(&r);
    assert_int_equal(api_patch(key, pub_d), 200);
    page(&office, "/quan-tri/khoa-api", 200, &r);
    row = strstr(r.body, "Sàn &lt;script&gt;");
    assert_non_null(row);
    assert_int_equal(after(row, "/quan-tri/khoa-api/", "/", id, sizeof(id)), 0);
    assert_null(strstr(r.body, key)); /* shown once only */
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/khoa-api/%s/thu-hoi", id);
    post(&office, path, "", 303, &r);
    itest_resp_free(&r);
    post(&office, path, "", 404, &r);
    itest_resp_free(&r);
    assert_int_equal(api_patch(key, pub_d), 401);
    page(&office, "/quan-tri/khoa-api", 200, &r);
    expect_text(&r, "Đã thu hồi");
    itest_resp_free(&r);
}

/* every page once more, after all the writes, for stored XSS */
static void xss_stays_escaped(void **state)
{
    struct itest_resp r;
    char path[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(office_pages) / sizeof(*office_pages); i++) {
        page(&office, office_pages[i], 200, &r);
        itest_resp_free(&r);
    }
    snprintf(path, sizeof(path), "/quan-tri/san-pham/%s", candidate_slug);
    page(&office, path, 200, &r);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/nha-san-xuat/%s", producer_slug);
    page(&office, path, 200, &r);
    itest_resp_free(&r);
    page(&office, "/quan-tri/nhat-ky?q=script", 200, &r);
    expect_text(&r, "&lt;script&gt;alert(1)&lt;/script&gt;");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/san-pham/%s", candidate_slug);
    page(NULL, path, 200, &r);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/nha-san-xuat/%s", producer_slug);
    req(NULL, "GET", path, NULL, 0, &r); /* 404 now: no public product */
    itest_resp_free(&r);
    assert_true(html_checked > 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(office_is_admin_only),
        cmocka_unit_test(producer_create_and_edit),
        cmocka_unit_test(candidate_cycle_and_evaluation),
        cmocka_unit_test(revoke_with_reason),
        cmocka_unit_test(expiring_certificates),
        cmocka_unit_test(hide_and_show),
        cmocka_unit_test(audit_log),
        cmocka_unit_test(accounts_and_reset_links),
        cmocka_unit_test(producer_accounts),
        cmocka_unit_test(api_keys),
        cmocka_unit_test(xss_stays_escaped),
    };
    return cmocka_run_group_tests_name("office", tests, setup, teardown);
}
