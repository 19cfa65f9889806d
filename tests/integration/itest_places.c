/* itest_places.c: points, fairs and consignment end to end against the
 * real server, as the office's browser and the booths' tablets use it: a
 * fair with booths, producers and staff; goods received from producers;
 * a transfer that loses one on the way; a stocktake; a low-stock warning;
 * sales through POST /api/v1/sales with a booth key, a buyer's return,
 * goods given back; the consignment settlement with a known answer and
 * its CSV bytes; the live view; the sync-queue API; what a producer may
 * see; and, at the end, the ledger and on-hand agree (stk_verify = 0).
 * The tests run in order and share the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include "db/db.h"
#include "stock/stk.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PW "correct horse battery"
#define NBSP "\xC2\xA0"

struct session {
    char cookie[128];
    char csrf[64];
};

static struct itest_server srv;
static struct session office, producer;
static char admin_key[128], b1_key[128], db_path[128];
/* what the steps make and later steps use */
static long fair, b1, b2, point, point2;
static long yhc, dpt; /* variants: CULAORE-YHC-070, THANHHUONG-DPT-500 */
static long sale_a;
static char yesterday[11], today[11];

static void setup_db(const char *db, void *cls)
{
    (void)cls;
    snprintf(db_path, sizeof(db_path), "%s", db);
    if (itest_ocop(
            db, PW "\n", NULL, 0,
            "user add --role admin --username office --password-stdin") ||
        itest_ocop(db, PW "\n", NULL, 0,
                   "user add --role producer --username culaore --producer "
                   "culaore --password-stdin") ||
        itest_ocop(
            db, PW "\n", NULL, 0,
            "user add --role booth --username booth1 --password-stdin") ||
        itest_ocop(db, NULL, admin_key, sizeof(admin_key),
                   "apikey create --role admin --name office-key"))
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

static int after(const char *s, const char *needle, const char *stop, char *out,
                 size_t size)
{
    const char *at = s ? strstr(s, needle) : NULL;

    if (at == NULL)
        return -1;
    at += strlen(needle);
    snprintf(out, size, "%.*s", (int)strcspn(at, stop), at);
    return 0;
}

static long req(const struct session *s, const char *method, const char *path,
                const char *body, struct itest_resp *r)
{
    char cookie[200], full[16384];
    const char *h[3] = {"Content-Type: application/x-www-form-urlencoded", NULL,
                        NULL};

    if (s != NULL) {
        snprintf(cookie, sizeof(cookie), "Cookie: %s", s->cookie);
        h[1] = cookie;
    }
    if (body != NULL && s != NULL)
        snprintf(full, sizeof(full), "%s%scsrf=%s", body, *body ? "&" : "",
                 s->csrf);
    else
        snprintf(full, sizeof(full), "%s", body ? body : "");
    assert_int_equal(
        itest_request(&srv, method, path, h, body ? full : NULL, r), 0);
    return r->status;
}

static void page(const struct session *s, const char *path, long want,
                 struct itest_resp *r)
{
    if (req(s, "GET", path, NULL, r) != want)
        fail_msg("GET %s: %ld, want %ld", path, r->status, want);
}

static void post(const struct session *s, const char *path, const char *body,
                 long want, struct itest_resp *r)
{
    if (req(s, "POST", path, body, r) != want)
        fail_msg("POST %s %s: %ld, want %ld\n%.1500s", path, body, r->status,
                 want, r->body);
}

static void expect_text(const struct itest_resp *r, const char *text)
{
    if (strstr(r->body, text) == NULL)
        fail_msg("missing \"%s\"", text);
}

/* created: the id in a 303's Location after prefix ("/quan-tri/...%ld"). */
static long created(const struct itest_resp *r, const char *prefix)
{
    char *loc = itest_header(r, "location");
    long id = 0;

    assert_non_null(loc);
    if (strncmp(loc, prefix, strlen(prefix)) == 0)
        id = strtol(loc + strlen(prefix), NULL, 10);
    if (id <= 0)
        fail_msg("Location %s is not %s<id>", loc, prefix);
    free(loc);
    return id;
}

static long api(const char *key, const char *method, const char *path,
                const char *body, const char *idem, struct itest_resp *r)
{
    char auth[200], idem_h[80];
    const char *h[4] = {"Content-Type: application/json", auth, NULL, NULL};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    if (idem != NULL) {
        snprintf(idem_h, sizeof(idem_h), "Idempotency-Key: %s", idem);
        h[2] = idem_h;
    }
    assert_int_equal(itest_request(&srv, method, path, h, body, r), 0);
    return r->status;
}

static int sign_in(const char *user, struct session *s)
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
    snprintf(body, sizeof(body), "csrf=%s&username=%s&password=%s", csrf, user,
             "correct+horse+battery");
    if (itest_request(&srv, "POST", "/dang-nhap", h, body, &r) != 0)
        return -1;
    status = r.status;
    if (status != 303 ||
        cookie_of(&r, "ocop_session", s->cookie, sizeof(s->cookie)) != 0)
        status = -1;
    itest_resp_free(&r);
    if (status != 303)
        return -1;
    page(s, "/tai-khoan", 200, &r);
    status =
        after(r.body, "name=\"csrf\" value=\"", "\"", s->csrf, sizeof(s->csrf));
    itest_resp_free(&r);
    return (int)status;
}

/* on_hand: a variant's stock at a place, from the stock API. */
static long on_hand(long place, long variant, int *low)
{
    struct itest_resp r;
    char path[80];
    cJSON *j, *it;
    long q = -999999;

    snprintf(path, sizeof(path), "/api/v1/locations/%ld/stock", place);
    assert_int_equal(api(admin_key, "GET", path, NULL, NULL, &r), 200);
    j = cJSON_Parse(r.body);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
    {
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "variant_id")) !=
            variant)
            continue;
        q = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "on_hand"));
        if (low != NULL)
            *low = cJSON_IsTrue(cJSON_GetObjectItem(it, "low"));
    }
    cJSON_Delete(j);
    itest_resp_free(&r);
    return q;
}

static long variant_of(const char *sku)
{
    char path[200];
    struct itest_resp r;
    long id = 0;

    /* the sample data's SKUs belong to public products */
    snprintf(path, sizeof(path), "/api/v1/locations/%ld/stock", b1);
    assert_int_equal(api(admin_key, "GET", path, NULL, NULL, &r), 200);
    {
        cJSON *j = cJSON_Parse(r.body), *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
        {
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "sku")),
                       sku) == 0)
                id = (long)cJSON_GetNumberValue(
                    cJSON_GetObjectItem(it, "variant_id"));
        }
        cJSON_Delete(j);
    }
    itest_resp_free(&r);
    if (id == 0)
        fail_msg("no %s at booth %ld", sku, b1);
    return id;
}

static void vn_day(int days_ago, char out[11])
{
    time_t t = time(NULL) + 7 * 3600 - (time_t)days_ago * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* --- setup --------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    vn_day(1, yesterday);
    vn_day(0, today);
    if (itest_start_setup(&srv, setup_db, NULL) != 0 ||
        sign_in("office", &office) != 0 || sign_in("culaore", &producer) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return itest_stop(&srv);
}

static char *enc(const char *s)
{
    static char buf[8][1024];
    static int k;
    char *e = curl_easy_escape(NULL, s, 0);

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%s", e);
    curl_free(e);
    return buf[k];
}

/* --- a fair, its booths, producers and staff ----------------------------- */

static long add_booth(const char *name, const char *pct)
{
    struct itest_resp r;
    char path[80], body[200];
    long id;

    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/gian-hang", fair);
    snprintf(body, sizeof(body), "name=%s&commission_pct=%s", enc(name), pct);
    post(&office, path, body, 303, &r);
    id = created(&r, "/quan-tri/dia-diem/");
    itest_resp_free(&r);
    return id;
}

static void sells(long place, const char *producer_slug, const char *pct)
{
    struct itest_resp r;
    char path[80], body[200];

    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/nha-san-xuat", place);
    snprintf(body, sizeof(body), "producer=%s&commission_pct=%s", producer_slug,
             pct);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
}

static void fair_with_booths(void **state)
{
    struct itest_resp r;
    char body[800], path[120], args[120];

    (void)state;
    snprintf(body, sizeof(body),
             "kind=fair&name=%s&venue=%s&organiser=%s&starts_on=2026-02-06"
             "&ends_on=2026-02-11&commission_pct=",
             enc("Hội chợ OCOP Xuân 2026"), enc("Cung Quy hoạch, Hạ Long"),
             enc("Văn phòng điều phối OCOP tỉnh"));
    post(&office, "/quan-tri/dia-diem", body, 303, &r);
    fair = created(&r, "/quan-tri/dia-diem/");
    itest_resp_free(&r);
    post(&office, "/quan-tri/dia-diem", "kind=fair&name=&commission_pct=", 422,
         &r);
    expect_text(&r, "Địa điểm cần có tên.");
    itest_resp_free(&r);
    b1 = add_booth("Gian hàng A1", "10");
    b2 = add_booth("Gian hàng A2", "10");
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/gian-hang", fair);
    post(&office, path, "name=A3&commission_pct=abc", 422, &r);
    expect_text(&r, "Hoa hồng là một số từ 0 đến 100.");
    itest_resp_free(&r);
    snprintf(body, sizeof(body), "kind=point&name=%s&commission_pct=12,5",
             enc("Điểm bán OCOP ga Hạ Long"));
    post(&office, "/quan-tri/dia-diem", body, 303, &r);
    point = created(&r, "/quan-tri/dia-diem/");
    itest_resp_free(&r);
    /* a name a spreadsheet would run as a formula */
    snprintf(body, sizeof(body), "kind=point&name=%s&commission_pct=5",
             enc("=HYPERLINK(\"http://x\",\"y\")"));
    post(&office, "/quan-tri/dia-diem", body, 303, &r);
    point2 = created(&r, "/quan-tri/dia-diem/");
    itest_resp_free(&r);
    sells(b1, "culaore", "");
    sells(b1, "tuyet-huong", "15");
    sells(b2, "culaore", "");
    sells(point, "culaore", "");
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/nhan-vien", b1);
    post(&office, path, "username=booth1", 303, &r);
    itest_resp_free(&r);
    post(&office, path, "username=office", 422, &r);
    expect_text(&r,
                "Nhân viên bán hàng phải là tài khoản nhân viên gian hàng.");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld", b1);
    page(&office, path, 200, &r);
    expect_text(&r, "booth1");
    expect_text(&r, "15 %");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld", point);
    page(&office, path, 200, &r);
    expect_text(&r, "12.5 %"); /* stored as a number */
    itest_resp_free(&r);
    snprintf(args, sizeof(args),
             "apikey create --role booth --booth %ld --name b1", b1);
    assert_int_equal(itest_ocop(db_path, NULL, b1_key, sizeof(b1_key), args),
                     0);
}

/* --- goods --------------------------------------------------------------- */

static void receive_stock(void **state)
{
    struct itest_resp r;
    char path[80], body[300];

    (void)state;
    yhc = variant_of("CULAORE-YHC-070");
    dpt = variant_of("THANHHUONG-DPT-500");
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/nhap-hang", b1);
    snprintf(body, sizeof(body), "ref=&qty_%ld=20", yhc);
    post(&office, path, body, 422, &r);
    expect_text(&r, "Cần số phiếu");
    itest_resp_free(&r);
    snprintf(body, sizeof(body),
             "ref=PGH-001&at=%s&qty_%ld=20&qty_%ld=10&qty_1=", yesterday, yhc,
             dpt);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b1, yhc, NULL), 20);
    assert_int_equal(on_hand(b1, dpt, NULL), 10);
}

/* sent 10, 9 came: the missing one is a transfer loss at the receiver */
static void transfer_with_a_difference(void **state)
{
    struct itest_resp r;
    char path[80], body[200];
    long t;

    (void)state;
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/chuyen-kho", b1);
    snprintf(body, sizeof(body), "to=%ld&qty_%ld=10&note=%s", b2, yhc,
             enc("xe máy, anh Tuấn"));
    post(&office, path, body, 303, &r);
    t = created(&r, "/quan-tri/chuyen-kho/");
    itest_resp_free(&r);
    assert_int_equal(on_hand(b1, yhc, NULL), 10);
    assert_int_equal(on_hand(b2, yhc, NULL), 0); /* on the road */
    snprintf(path, sizeof(path), "/quan-tri/chuyen-kho/%ld", t);
    page(&office, path, 200, &r);
    expect_text(&r, "Đang chuyển");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/chuyen-kho/%ld/nhan", t);
    snprintf(body, sizeof(body), "qty_%ld=9", yhc);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    post(&office, path, body, 409, &r);
    expect_text(&r, "Phiếu chuyển này đã được nhận.");
    itest_resp_free(&r);
    assert_int_equal(on_hand(b2, yhc, NULL), 9);
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld", b2);
    page(&office, path, 200, &r);
    expect_text(&r, "Hao hụt khi chuyển kho");
    itest_resp_free(&r);
}

static void stocktake_with_a_variance(void **state)
{
    struct itest_resp r;
    char path[80], body[200];
    long s;

    (void)state;
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/kiem-kho", b2);
    post(&office, path, "", 303, &r);
    s = created(&r, "/quan-tri/kiem-kho/");
    itest_resp_free(&r);
    post(&office, path, "", 409, &r);
    expect_text(&r, "đang có một phiếu kiểm kê chưa chốt");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/kiem-kho/%ld", s);
    snprintf(body, sizeof(body), "qty_%ld=7&action=save", yhc);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b2, yhc, NULL), 9); /* saved, not booked */
    snprintf(body, sizeof(body), "qty_%ld=7&action=close", yhc);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b2, yhc, NULL), 7);
    page(&office, path, 200, &r);
    expect_text(&r, ">-2</span>");
    itest_resp_free(&r);
}

static void low_stock_warning(void **state)
{
    struct itest_resp r;
    char path[80], body[200];
    int low = -1;

    (void)state;
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/muc-toi-thieu", b2);
    snprintf(body, sizeof(body), "qty_%ld=6", yhc);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b2, yhc, &low), 7);
    assert_int_equal(low, 0);
    snprintf(body, sizeof(body), "qty_%ld=7", yhc); /* on hand <= min */
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b2, yhc, &low), 7);
    assert_int_equal(low, 1);
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld", b2);
    page(&office, path, 200, &r);
    expect_text(&r, "row-low");
    expect_text(&r, "1 sắp hết");
    itest_resp_free(&r);
}

/* --- sales and the settlement -------------------------------------------- */

static void sell(const char *key, long booth, const char *uuid,
                 const char *lines, const char *sold_at, int offline, long *id)
{
    struct itest_resp r;
    char body[1024];
    cJSON *j;

    snprintf(body, sizeof(body),
             "{\"booth\":%ld,\"lines\":%s,\"payment\":{\"method\":\"cash\"},"
             "\"sold_at\":\"%s\",\"offline\":%s}",
             booth, lines, sold_at, offline ? "true" : "false");
    if (api(key, "POST", "/api/v1/sales", body, uuid, &r) != 201)
        fail_msg("sale: %ld %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    if (id != NULL)
        *id = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "id"));
    cJSON_Delete(j);
    itest_resp_free(&r);
}

static void name_of(const char *path, const char *key, char *out, size_t size)
{
    struct itest_resp r;
    cJSON *j;

    assert_int_equal(api(admin_key, "GET", path, NULL, NULL, &r), 200);
    j = cJSON_Parse(r.body);
    snprintf(out, size, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(j, key)));
    cJSON_Delete(j);
    itest_resp_free(&r);
}

/* product_of: the name and size of a variant at booth 1. */
static void product_of(long variant, char *name, size_t name_n, char *size,
                       size_t size_n)
{
    struct itest_resp r;
    char path[80];
    cJSON *j, *it;

    snprintf(path, sizeof(path), "/api/v1/locations/%ld/stock", b1);
    assert_int_equal(api(admin_key, "GET", path, NULL, NULL, &r), 200);
    j = cJSON_Parse(r.body);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
    {
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "variant_id")) !=
            variant)
            continue;
        snprintf(name, name_n, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")));
        snprintf(size, size_n, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(it, "size")));
    }
    cJSON_Delete(j);
    itest_resp_free(&r);
}

/* Worked by hand. Booth A1, yesterday and today: 20 jars of YHC (37.000)
 * and 10 bags of DPT (37.000) received; 10 YHC sent to A2; sale A: 3 YHC
 * less a 1.000 discount = 110.000; sale B: 2 DPT = 74.000; a buyer brings
 * back 1 YHC of sale A: 37.000 less 333 of its discount = 36.667; 2 YHC go
 * back to the producer. culaore: sold 2, on hand 6, sales 73.333, 10 % =
 * 7.333, due 66.000. tuyet-huong (its own 15 %): sold 2, on hand 8, sales
 * 74.000, commission 11.100, due 62.900. */
static void expected_csv(char *out, size_t size)
{
    char culaore[200], tuyet[200], yname[300], ysize[40], dname[300], dsize[40];

    name_of("/api/v1/producers/culaore", "name", culaore, sizeof(culaore));
    name_of("/api/v1/producers/tuyet-huong", "name", tuyet, sizeof(tuyet));
    product_of(yhc, yname, sizeof(yname), ysize, sizeof(ysize));
    product_of(dpt, dname, sizeof(dname), dsize, sizeof(dsize));
    snprintf(
        out, size,
        "\xEF\xBB\xBF"
        "Điểm bán,Nhà sản xuất,Mã SKU,Sản phẩm,Quy cách,Đầu kỳ,Nhận,"
        "Chuyển đi,Bán,Trả NSX,Điều chỉnh,Tồn cuối kỳ,Doanh thu (đ),"
        "Hoa hồng (%%),Hoa hồng (đ),Phải trả NSX (đ)\r\n"
        "Gian hàng A1,%s,CULAORE-YHC-070,%s,%s,0,20,10,2,2,0,6,73333,10,,\r\n"
        "Gian hàng A1,%s,,Tổng cộng,,0,20,10,2,2,0,6,73333,10,7333,66000\r\n"
        "Gian hàng A1,%s,THANHHUONG-DPT-500,%s,%s,0,10,0,2,0,0,8,74000,15,,\r\n"
        "Gian hàng A1,%s,,Tổng cộng,,0,10,0,2,0,0,8,74000,15,11100,62900\r\n"
        "Gian hàng A1,Tất cả nhà sản xuất,,Tổng cộng,,0,30,10,4,2,0,14,"
        "147333,,18433,128900\r\n",
        culaore, yname, ysize, culaore, tuyet, dname, dsize, tuyet);
}

static void settlement_with_a_known_answer(void **state)
{
    struct itest_resp r;
    char path[200], body[300], at[32], *csv;
    size_t n;

    (void)state;
    snprintf(at, sizeof(at), "%sT07:00:00Z", yesterday); /* 14:00 in VN */
    snprintf(body, sizeof(body),
             "[{\"sku\":\"CULAORE-YHC-070\",\"qty\":3,\"unit_price_vnd\":37000,"
             "\"discount_vnd\":1000}]");
    sell(b1_key, b1, "6f1c1a52-0000-4000-8000-000000000001", body, at, 0,
         &sale_a);
    snprintf(at, sizeof(at), "%sT12:00:00Z", yesterday); /* 19:00 */
    sell(
        b1_key, b1, "6f1c1a52-0000-4000-8000-000000000002",
        "[{\"sku\":\"THANHHUONG-DPT-500\",\"qty\":2,\"unit_price_vnd\":37000}]",
        at, 0, NULL);
    snprintf(path, sizeof(path), "/api/v1/sales/%ld/returns", sale_a);
    assert_int_equal(api(b1_key, "POST", path,
                         "{\"lines\":[{\"sku\":\"CULAORE-YHC-070\",\"qty\":1}],"
                         "\"reason\":\"hũ bị móp\"}",
                         NULL, &r),
                     200);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/dia-diem/%ld/tra-hang", b1);
    snprintf(body, sizeof(body), "ref=PTH-01&note=%s&qty_%ld=2",
             enc("hàng sắp hết hạn"), yhc);
    post(&office, path, body, 303, &r);
    itest_resp_free(&r);
    assert_int_equal(on_hand(b1, yhc, NULL), 6);
    snprintf(path, sizeof(path),
             "/quan-tri/doi-soat?place=%ld&producer=culaore&from=%s&to=%s", b1,
             yesterday, today);
    page(&office, path, 200, &r);
    expect_text(&r, "73.333" NBSP "₫");
    expect_text(&r, "7.333" NBSP "₫");
    expect_text(&r, "66.000" NBSP "₫");
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-tri/doi-soat.csv?place=%ld&from=%s&to=%s", b1, yesterday,
             today);
    page(&office, path, 200, &r);
    assert_non_null(strstr(r.headers, "content-type: text/csv; charset=utf-8"));
    csv = malloc(8192);
    expected_csv(csv, 8192);
    n = strlen(csv);
    if (r.len != n || memcmp(r.body, csv, n) != 0) {
        FILE *f = fopen("/tmp/itest_places_got.csv", "wb");
        fwrite(r.body, 1, r.len, f);
        fclose(f);
        f = fopen("/tmp/itest_places_want.csv", "wb");
        fwrite(csv, 1, n, f);
        fclose(f);
        fail_msg("CSV differs (%zu bytes, want %zu)", r.len, n);
    }
    free(csv);
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-tri/doi-soat.csv?place=%ld&producer=culaore&from=%s&to=%s",
             point2, yesterday, today);
    page(&office, path, 200, &r);
    expect_text(&r, "\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",");
    itest_resp_free(&r);
}

/* --- the live view and the booths' queues -------------------------------- */

/* kpi: the number in <strong data-kpi="NAME">N</strong>. */
static long kpi(const struct itest_resp *r, const char *name)
{
    char needle[64], text[64];

    snprintf(needle, sizeof(needle), "data-kpi=\"%s\">", name);
    if (after(r->body, needle, "<", text, sizeof(text)) != 0)
        fail_msg("no KPI %s", name);
    return strtol(text, NULL, 10);
}

static void queue_reports(void)
{
    struct itest_resp r;
    struct session staff;
    char path[80], csrf_h[120], cookie[200];
    const char *h[4] = {"Content-Type: application/json", cookie, csrf_h, NULL};

    snprintf(path, sizeof(path), "/api/v1/booths/%ld/queue", b1);
    assert_int_equal(api(b1_key, "POST", path, "{\"waiting\":3}", NULL, &r),
                     200);
    expect_text(&r, "\"waiting\":3");
    itest_resp_free(&r);
    assert_int_equal(api(b1_key, "POST", path, "{\"waiting\":-1}", NULL, &r),
                     422);
    itest_resp_free(&r);
    assert_int_equal(api(b1_key, "POST", path, "{\"waiting\":\"x\"}", NULL, &r),
                     422);
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/booths/%ld/queue", b2);
    assert_int_equal(api(b1_key, "POST", path, "{\"waiting\":1}", NULL, &r),
                     403);
    itest_resp_free(&r);
    /* a staff member's session: CSRF header required */
    assert_int_equal(sign_in("booth1", &staff), 0);
    snprintf(cookie, sizeof(cookie), "Cookie: %s", staff.cookie);
    snprintf(csrf_h, sizeof(csrf_h), "X-CSRF-Token: %s", staff.csrf);
    snprintf(path, sizeof(path), "/api/v1/booths/%ld/queue", b1);
    assert_int_equal(
        itest_request(&srv, "POST", path, h, "{\"waiting\":3}", &r), 0);
    assert_int_equal(r.status, 200);
    itest_resp_free(&r);
    h[2] = NULL;
    assert_int_equal(
        itest_request(&srv, "POST", path, h, "{\"waiting\":3}", &r), 0);
    assert_int_equal(r.status, 403);
    itest_resp_free(&r);
}

static void live_view(void **state)
{
    struct itest_resp r;
    char path[120], args[120], key2[128], at[32];
    time_t t = time(NULL) - 20 * 60;

    (void)state;
    /* an offline sale at A2, made 20 minutes ago: 9 jars where 7 are */
    snprintf(args, sizeof(args),
             "apikey create --role booth --booth %ld --name b2", b2);
    assert_int_equal(itest_ocop(db_path, NULL, key2, sizeof(key2), args), 0);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    sell(key2, b2, "6f1c1a52-0000-4000-8000-000000000003",
         "[{\"sku\":\"CULAORE-YHC-070\",\"qty\":9,\"unit_price_vnd\":37000}]",
         at, 1, NULL);
    assert_int_equal(on_hand(b2, yhc, NULL), -2);
    queue_reports();
    snprintf(path, sizeof(path), "/quan-tri/hoi-cho/%ld?ngay=%s", fair,
             yesterday);
    page(&office, path, 200, &r);
    assert_int_equal(kpi(&r, "count"), 2);
    expect_text(&r, "data-kpi=\"sales\">184.000" NBSP "₫<");
    expect_text(&r, ">14h<");
    expect_text(&r, "110.000" NBSP "₫");
    expect_text(&r, "Gian hàng A1");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/hoi-cho/%ld", fair);
    page(&office, path, 200, &r);
    assert_int_equal(kpi(&r, "waiting"), 3);
    assert_true(kpi(&r, "late") >= 2); /* A and B reached us a day late */
    assert_int_equal(kpi(&r, "short"), 1);
    assert_int_equal(kpi(&r, "low"), 1);
    expect_text(&r, "−2");
    expect_text(&r, "/static/js/fair-live.");
    itest_resp_free(&r);
    snprintf(path, sizeof(path), "/quan-tri/hoi-cho/%ld?ngay=2026-02-30", fair);
    page(&office, path, 400, &r);
    itest_resp_free(&r);
}

/* --- what a producer sees ------------------------------------------------ */

static void a_producer_sees_only_their_goods(void **state)
{
    struct itest_resp r;
    char path[200];

    (void)state;
    page(&producer, "/quan-ly/ky-gui", 200, &r);
    expect_text(&r, "Gian hàng A1");
    expect_text(&r, "Gian hàng A2");
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-ly/ky-gui?producer=culaore&place=%ld&from=%s&to=%s", b1,
             yesterday, today);
    page(&producer, path, 200, &r);
    expect_text(&r, "66.000" NBSP "₫");
    assert_null(strstr(r.body, "THANHHUONG-DPT-500"));
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-ly/ky-gui.csv?producer=culaore&place=%ld"
             "&from=%s&to=%s",
             b1, yesterday, today);
    page(&producer, path, 200, &r);
    expect_text(&r, "CULAORE-YHC-070,");
    assert_null(strstr(r.body, "THANHHUONG"));
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-ly/ky-gui?producer=tuyet-huong&place=%ld", b1);
    page(&producer, path, 403, &r);
    itest_resp_free(&r);
    snprintf(path, sizeof(path),
             "/quan-ly/ky-gui.csv?producer=tuyet-huong&place=%ld", b1);
    page(&producer, path, 403, &r);
    itest_resp_free(&r);
    page(&producer, "/quan-tri/doi-soat", 403, &r);
    itest_resp_free(&r);
    page(NULL, "/quan-ly/ky-gui", 303, &r);
    itest_resp_free(&r);
}

/* --- the books ----------------------------------------------------------- */

static void every_write_is_audited(void **state)
{
    struct itest_resp r;

    (void)state;
    page(&office, "/quan-tri/nhat-ky?q=transfer", 200, &r);
    expect_text(&r, "nhận chuyển kho");
    expect_text(&r, "gửi chuyển kho");
    itest_resp_free(&r);
    page(&office, "/quan-tri/nhat-ky?q=stock", 200, &r);
    expect_text(&r, "nhận hàng");
    expect_text(&r, "trả hàng cho nhà sản xuất");
    expect_text(&r, "đặt mức cảnh báo");
    itest_resp_free(&r);
}

static void the_books_agree(void **state)
{
    struct err_ctx ec = {0};
    struct db *db = NULL;

    (void)state;
    assert_int_equal(db_open(db_path, DB_READONLY, &db, &ec), ERR_OK);
    assert_int_equal(stk_verify(db), 0);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fair_with_booths),
        cmocka_unit_test(receive_stock),
        cmocka_unit_test(transfer_with_a_difference),
        cmocka_unit_test(stocktake_with_a_variance),
        cmocka_unit_test(low_stock_warning),
        cmocka_unit_test(settlement_with_a_known_answer),
        cmocka_unit_test(live_view),
        cmocka_unit_test(a_producer_sees_only_their_goods),
        cmocka_unit_test(every_write_is_audited),
        cmocka_unit_test(the_books_agree),
    };
    return cmocka_run_group_tests_name("places", tests, setup, teardown);
}
