/* itest_photos.c: producers' product photos against the real server: the
 * upload API (multipart, several files, processed on the media worker),
 * reordering, the cover and removal, who may do it, refusals that store
 * nothing (not an image, SVG, truncated, a decompression bomb, too big,
 * 200 MB announced and refused before it is sent), serving the versions,
 * and the portal's pages with a session and its CSRF token. Images are
 * made here with libvips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>
#include <zlib.h>

#define PW "correct horse battery"
#define SLUG "duong-phen-tuyet-huong"
#define API "/api/v1/products/" SLUG "/photos"
#define PORTAL "/quan-ly/san-pham/" SLUG "/anh"

static struct itest_server srv;
static char own_key[128], other_key[128], admin_key[128];
static char cookie[128], csrf[64]; /* the producer's session */

/* --- set-up ------------------------------------------------------------- */

static void setup_db(const char *db, void *cls)
{
    (void)cls;
    if (itest_ocop(db, PW "\n", NULL, 0,
                   "user add --role producer --username tuyethuong "
                   "--producer tuyet-huong --password-stdin") != 0 ||
        itest_ocop(db, NULL, own_key, sizeof(own_key),
                   "apikey create --role producer --producer tuyet-huong "
                   "--name own") != 0 ||
        itest_ocop(db, NULL, other_key, sizeof(other_key),
                   "apikey create --role producer --producer culaore "
                   "--name other") != 0 ||
        itest_ocop(db, NULL, admin_key, sizeof(admin_key),
                   "apikey create --role admin --name office") != 0)
        fprintf(stderr, "setup: ocop user/apikey failed\n");
}

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

static int hidden_csrf(const char *html, char *out, size_t size)
{
    const char *at = strstr(html, "name=\"csrf\" value=\"");
    const char *end;

    if (at == NULL)
        return -1;
    at += strlen("name=\"csrf\" value=\"");
    end = strchr(at, '"');
    snprintf(out, size, "%.*s", (int)(end - at), at);
    return 0;
}

/* sign_in: GET /dang-nhap for the pre-session cookie and its token, POST
 * the form, then read the session's token from a signed-in page. */
static int sign_in(void)
{
    struct itest_resp r;
    char pre[128], tok[64], hdr[200], body[300];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};
    int ok;

    ok = itest_get(&srv, "/dang-nhap", &r) == 0 &&
         cookie_of(&r, "ocop_pre", pre, sizeof(pre)) == 0 &&
         hidden_csrf(r.body, tok, sizeof(tok)) == 0;
    itest_resp_free(&r);
    if (!ok)
        return -1;
    snprintf(hdr, sizeof(hdr), "Cookie: %s", pre);
    snprintf(body, sizeof(body),
             "csrf=%s&username=tuyethuong&password=correct+horse+battery", tok);
    ok = itest_request(&srv, "POST", "/dang-nhap", h, body, &r) == 0 &&
         r.status == 303 &&
         cookie_of(&r, "ocop_session", cookie, sizeof(cookie)) == 0;
    if (!ok)
        fprintf(stderr, "sign in: %ld\n%s\n", r.status, r.headers);
    itest_resp_free(&r);
    if (!ok)
        return -1;
    snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
    h[1] = NULL;
    ok = itest_request(&srv, "GET", PORTAL, h, NULL, &r) == 0 &&
         r.status == 200 && hidden_csrf(r.body, csrf, sizeof(csrf)) == 0;
    if (!ok)
        fprintf(stderr, "photos page: %ld\n%.400s\n", r.status, r.body);
    itest_resp_free(&r);
    return ok ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    if (VIPS_INIT("itest_photos") != 0)
        return -1;
    if (itest_start_setup(&srv, setup_db, NULL) != 0)
        return -1;
    if (sign_in() != 0) {
        fprintf(stderr, "cannot sign in\n");
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vips_shutdown();
    if (itest_stop(&srv) != 0) {
        fprintf(stderr, "server did not exit cleanly\n");
        return -1;
    }
    return 0;
}

/* --- images --------------------------------------------------------------- */

struct blob {
    void *data;
    size_t len;
};

static VipsImage *noise(int w, int h)
{
    VipsImage *g = NULL, *u = NULL, *rgb = NULL, *b[3];

    assert_int_equal(
        vips_gaussnoise(&g, w, h, "mean", 128.0, "sigma", 40.0, NULL), 0);
    assert_int_equal(vips_cast_uchar(g, &u, NULL), 0);
    b[0] = b[1] = b[2] = u;
    assert_int_equal(vips_bandjoin(b, &rgb, 3, NULL), 0);
    g_object_unref(g);
    g_object_unref(u);
    return rgb;
}

/* phone_jpeg: orientation 6 and a GPS position, as a phone writes. */
static struct blob phone_jpeg(int w, int h)
{
    VipsImage *im = noise(w, h);
    struct blob b = {0};

    vips_image_set_int(im, "orientation", 6);
    vips_image_set_string(im, "exif-ifd0-Make", "TestPhone");
    vips_image_set_string(im, "exif-ifd3-GPSLatitudeRef", "N");
    vips_image_set_string(im, "exif-ifd3-GPSLatitude", "21/1 1/1 30/1");
    assert_int_equal(vips_jpegsave_buffer(im, &b.data, &b.len, "Q", 85, NULL),
                     0);
    g_object_unref(im);
    return b;
}

static struct blob png_of(int w, int h)
{
    VipsImage *im = noise(w, h);
    struct blob b = {0};

    assert_int_equal(vips_pngsave_buffer(im, &b.data, &b.len, NULL), 0);
    g_object_unref(im);
    return b;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t png_chunk(unsigned char *out, size_t at, const char *type,
                        const unsigned char *data, uint32_t n)
{
    put32(out + at, n);
    memcpy(out + at + 4, type, 4);
    if (n > 0)
        memcpy(out + at + 8, data, n);
    put32(out + at + 8 + n, (uint32_t)crc32(0, out + at + 4, (uInt)n + 4));
    return at + 12 + n;
}

/* png_bomb: a valid header for 50,000 x 50,000 pixels and a tiny body. */
static struct blob png_bomb(void)
{
    static unsigned char png[2048];
    unsigned char ihdr[13] = {0}, raw[512] = {0}, z[512];
    uLongf zn = sizeof(z);
    struct blob b = {png, 8};

    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, 50000);
    put32(ihdr + 4, 50000);
    ihdr[8] = 8;
    ihdr[9] = 2;
    b.len = png_chunk(png, b.len, "IHDR", ihdr, 13);
    assert_int_equal(compress2(z, &zn, raw, sizeof(raw), 9), Z_OK);
    b.len = png_chunk(png, b.len, "IDAT", z, (uint32_t)zn);
    b.len = png_chunk(png, b.len, "IEND", NULL, 0);
    return b;
}

/* --- requests ------------------------------------------------------------- */

struct buf {
    char *p;
    size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *cls)
{
    struct buf *b = cls;
    size_t n = size * nmemb;
    char *np = realloc(b->p, b->n + n + 1);

    if (np == NULL)
        return 0;
    memcpy(np + b->n, data, n);
    b->n += n;
    np[b->n] = '\0';
    b->p = np;
    return n;
}

struct part {
    const char *field;
    const char *filename; /* NULL: a plain field */
    const void *data;
    size_t len;
};

/* post_parts: a multipart/form-data POST, as a browser or an app sends. */
static void post_parts(const char *path, const char *const *headers,
                       const struct part *parts, int n, struct itest_resp *r)
{
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    struct curl_slist *hl = NULL;
    struct buf b = {0}, h = {0};
    char url[512];
    int i;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < n; i++) {
        curl_mimepart *p = curl_mime_addpart(mime);
        curl_mime_name(p, parts[i].field);
        curl_mime_data(p, parts[i].data, parts[i].len);
        if (parts[i].filename != NULL)
            curl_mime_filename(p, parts[i].filename);
    }
    for (; headers && *headers; headers++)
        hl = curl_slist_append(hl, *headers);
    hl = curl_slist_append(hl, "Expect:");
    snprintf(url, sizeof(url), "%s%s", srv.base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_mime_free(mime);
    curl_easy_cleanup(c);
    r->body = b.p ? b.p : calloc(1, 1);
    r->len = b.n;
    r->headers = h.p ? h.p : calloc(1, 1);
    for (size_t k = 0; k < h.n; k++)
        if (r->headers[k] >= 'A' && r->headers[k] <= 'Z')
            r->headers[k] = (char)(r->headers[k] + 32);
}

static const char *bearer(const char *key)
{
    static char h[4][200];
    static int k;

    k = (k + 1) % 4;
    snprintf(h[k], sizeof(h[k]), "Authorization: Bearer %s", key);
    return h[k];
}

static cJSON *json_of(const struct itest_resp *r)
{
    cJSON *j = cJSON_Parse(r->body);

    if (j == NULL)
        fprintf(stderr, "not JSON: %.300s\n", r->body);
    assert_non_null(j);
    return j;
}

static const char *error_code(const cJSON *j)
{
    return cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "code"));
}

/* photos: the product's photos as the API has them (a new reference). */
static cJSON *photos(void)
{
    struct itest_resp r;
    const char *h[2] = {bearer(own_key), NULL};
    cJSON *j, *ph;

    assert_int_equal(
        itest_request(&srv, "GET", "/api/v1/products/" SLUG, h, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    j = json_of(&r);
    itest_resp_free(&r);
    ph = cJSON_DetachItemFromObject(j, "photos");
    cJSON_Delete(j);
    assert_non_null(ph);
    return ph;
}

static int n_photos(void)
{
    cJSON *p = photos();
    int n = cJSON_GetArraySize(p);

    cJSON_Delete(p);
    return n;
}

static int64_t id_at(const cJSON *arr, int i)
{
    return (int64_t)cJSON_GetNumberValue(
        cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "id"));
}

/* files_in: regular entries of the server's folder (media, originals,
 * tmp). */
static int files_in(const char *leaf)
{
    char path[256];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s", srv.dir, leaf);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* tmp_empty: the server removes a request's temporary files when the
 * request ends, just after the reply has gone: wait a little for it. */
static int tmp_empty(void)
{
    int i;

    for (i = 0; i < 100 && files_in("tmp") != 0; i++)
        usleep(20000);
    return files_in("tmp") == 0;
}

/* --- tests ---------------------------------------------------------------- */

static void upload_two_photos(void **state)
{
    struct blob a = phone_jpeg(1200, 900), b = png_of(700, 500);
    struct part parts[] = {
        {"photo", "IMG_0001.JPG", a.data, a.len},
        {"photo", "label.png", b.data, b.len},
        {"alt", NULL, "Gói đường phèn", strlen("Gói đường phèn")}};
    const char *h[2] = {bearer(own_key), NULL};
    int before = n_photos(), media = files_in("media");
    struct itest_resp r;
    cJSON *j, *arr, *last;

    (void)state;
    post_parts(API, h, parts, 3, &r);
    if (r.status != 201)
        fprintf(stderr, "upload: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    j = json_of(&r);
    arr = cJSON_GetObjectItem(j, "photos");
    assert_int_equal(cJSON_GetArraySize(arr), before + 2);
    last = cJSON_GetArrayItem(arr, before + 1);
    assert_non_null(
        strstr(cJSON_GetStringValue(cJSON_GetObjectItem(last, "srcset_webp")),
               "-1600.webp 1600w"));
    /* the PNG was 700 wide: never upscaled */
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(last, "width")),
                     700);
    /* the phone photo, upright: 900 x 1200 */
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(
                         cJSON_GetArrayItem(arr, before), "height")),
                     1200);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(last, "alt_vi")),
        "Gói đường phèn");
    cJSON_Delete(j);
    itest_resp_free(&r);
    assert_int_equal(files_in("media"), media + 12);
    assert_int_equal(files_in("originals"), 2);
    assert_true(tmp_empty());
    g_free(a.data);
    g_free(b.data);
}

static void public_page_and_files(void **state)
{
    cJSON *arr = photos(), *ph;
    const char *url, *srcset;
    char path[256], *ct, *cc, *etag, hdr[300];
    struct itest_resp r;
    const char *h[2] = {hdr, NULL};

    (void)state;
    ph = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 2);
    url = cJSON_GetStringValue(cJSON_GetObjectItem(ph, "url"));
    srcset = cJSON_GetStringValue(cJSON_GetObjectItem(ph, "srcset_webp"));
    assert_non_null(url);
    assert_int_equal(itest_get(&srv, "/san-pham/" SLUG, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(r.body, "<picture><source type=\"image/webp\" srcset=\""));
    assert_non_null(strstr(r.body, srcset));
    itest_resp_free(&r);
    /* the 1600 px JPEG: served, cached forever, and without GPS */
    snprintf(path, sizeof(path), "%.*s1600.jpg", (int)(strlen(url) - 7), url);
    assert_int_equal(itest_get(&srv, path, &r), 0);
    assert_int_equal(r.status, 200);
    ct = itest_header(&r, "content-type");
    cc = itest_header(&r, "cache-control");
    etag = itest_header(&r, "etag");
    assert_string_equal(ct, "image/jpeg");
    assert_non_null(strstr(cc, "immutable"));
    assert_true(r.len > 1000);
    /* no EXIF block, where the GPS position was */
    assert_null(memmem(r.body, r.len, "Exif\0\0", 6));
    assert_null(memmem(r.body, r.len, "TestPhone", 9));
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
    assert_int_equal(itest_request(&srv, "GET", path, h, NULL, &r), 0);
    assert_int_equal(r.status, 304);
    itest_resp_free(&r);
    free(ct);
    free(cc);
    free(etag);
    cJSON_Delete(arr);
}

static void only_versions_are_served(void **state)
{
    static const char *const bad[] = {
        "/media/u/1-00000000-1600.png",     "/media/u/..%2Foriginals%2F1.jpg",
        "/media/u/01-abcdef01-800.jpg",     "/media/u/1-ABCDEF01-800.jpg",
        "/media/u/1-abcdef01-800.jpg.jpg",  "/originals/1-abcdef01.jpg",
        "/media/u/999999-abcdef01-800.webp"};
    struct itest_resp r;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(itest_get(&srv, bad[i], &r), 0);
        if (r.status != 404)
            fprintf(stderr, "%s: %ld\n", bad[i], r.status);
        assert_int_equal(r.status, 404);
        itest_resp_free(&r);
    }
}

/* refused: posts parts and wants status and code, with nothing stored. */
static void refused(const struct part *parts, int n, long status,
                    const char *code)
{
    const char *h[3] = {bearer(own_key), "Accept-Language: en", NULL};
    int before = n_photos(), media = files_in("media");
    int orig = files_in("originals");
    struct itest_resp r;
    cJSON *j;

    post_parts(API, h, parts, n, &r);
    if (r.status != status)
        fprintf(stderr, "want %ld %s, got %ld %s\n", status, code, r.status,
                r.body);
    assert_int_equal(r.status, status);
    j = json_of(&r);
    assert_string_equal(error_code(j), code);
    cJSON_Delete(j);
    itest_resp_free(&r);
    assert_int_equal(n_photos(), before);
    assert_int_equal(files_in("media"), media);
    assert_int_equal(files_in("originals"), orig);
    assert_true(tmp_empty());
}

static void bad_files_store_nothing(void **state)
{
    static const char text[] = "Không phải ảnh, chỉ là chữ.\n";
    static const char svg[] =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\">"
        "<rect width=\"40\" height=\"30\"/></svg>";
    struct blob good = png_of(300, 200), bomb = png_bomb();
    struct blob jpg = phone_jpeg(800, 600);
    struct part p[2] = {{"photo", "x.jpg", text, sizeof(text) - 1}};

    (void)state;
    refused(p, 1, 422, "not_image");
    p[0] = (struct part){"photo", "logo.svg", svg, sizeof(svg) - 1};
    refused(p, 1, 422, "unsupported_format");
    p[0] = (struct part){"photo", "cut.jpg", jpg.data, jpg.len / 2};
    refused(p, 1, 422, "corrupt_image");
    p[0] = (struct part){"photo", "bomb.png", bomb.data, bomb.len};
    refused(p, 1, 422, "too_many_pixels");
    /* one good photo and one bad: all or nothing */
    p[0] = (struct part){"photo", "ok.png", good.data, good.len};
    p[1] = (struct part){"photo", "bad.jpg", text, sizeof(text) - 1};
    refused(p, 2, 422, "not_image");
    /* no file at all */
    p[0] = (struct part){"alt", NULL, "x", 1};
    refused(p, 1, 422, "no_photo");
    g_free(good.data);
    g_free(jpg.data);
}

static void file_over_20_mb(void **state)
{
    size_t n = (size_t)21 << 20;
    char *big = malloc(n);
    struct part p[1] = {{"photo", "huge.jpg", big, n}};

    (void)state;
    assert_non_null(big);
    memset(big, 0xAB, n);
    refused(p, 1, 413, "file_too_big");
    free(big);
}

static void english_message(void **state)
{
    static const char text[] = "plain text";
    struct part p[1] = {{"photo", "notes.txt", text, sizeof(text) - 1}};
    const char *h[3] = {bearer(own_key), "Accept-Language: en-GB,en", NULL};
    struct itest_resp r;

    (void)state;
    post_parts(API, h, p, 1, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "This file is not an image"));
    assert_non_null(strstr(r.body, "\"file\":\"notes.txt\""));
    itest_resp_free(&r);
    h[1] = NULL;
    post_parts(API, h, p, 1, &r);
    assert_non_null(strstr(r.body, "Tệp này không phải là ảnh"));
    itest_resp_free(&r);
}

static int connect_server(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_port = htons((uint16_t)srv.port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* read_reply: what the server sends within timeout_ms. */
static size_t read_reply(int fd, char *buf, size_t size, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    size_t got = 0;
    ssize_t n;

    while (got + 1 < size && poll(&p, 1, timeout_ms) > 0) {
        n = read(fd, buf + got, size - got - 1);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "\r\n\r\n") && strstr(buf, "}}"))
            break;
    }
    buf[got] = '\0';
    return got;
}

/* announced_200_mb_refused_at_once: the headers of a 200 MB upload and
 * none of its body; the 413 must come without waiting for it. */
static void announced_200_mb_refused_at_once(void **state)
{
    char req[1024], reply[4096];
    int fd = connect_server();
    double t0;

    (void)state;
    snprintf(req, sizeof(req),
             "POST " API " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: multipart/form-data; boundary=XyZ\r\n"
             "Content-Length: 209715200\r\n\r\n",
             own_key);
    t0 = now_ms();
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    assert_true(read_reply(fd, reply, sizeof(reply), 10000) > 0);
    assert_true(now_ms() - t0 < 3000);
    assert_int_equal(strncmp(reply, "HTTP/1.1 413", 12), 0);
    assert_non_null(strstr(reply, "\"code\":\"too_big\""));
    close(fd);
    assert_true(tmp_empty());
}

/* chunked_overflow_dropped: no length announced; past 100 MB the body is
 * dropped and the connection closed, and nothing is kept. */
static void chunked_overflow_dropped(void **state)
{
    static char chunk[(1 << 20) + 64];
    char req[1024], reply[4096] = "", part[200];
    int fd = connect_server(), i, closed = 0, before = n_photos();
    size_t n;

    (void)state;
    snprintf(part, sizeof(part),
             "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; "
             "filename=\"a.jpg\"\r\n\r\n");
    snprintf(req, sizeof(req),
             "POST " API " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: multipart/form-data; boundary=XyZ\r\n"
             "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n",
             own_key, strlen(part), part);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    n = (size_t)snprintf(chunk, sizeof(chunk), "%x\r\n", 1 << 20);
    memset(chunk + n, 'x', 1 << 20);
    memcpy(chunk + n + (1 << 20), "\r\n", 2);
    n += (1 << 20) + 2;
    for (i = 0; i < 130 && !closed; i++)
        closed = send(fd, chunk, n, MSG_NOSIGNAL) != (ssize_t)n;
    if (!closed)
        (void)read_reply(fd, reply, sizeof(reply), 5000);
    close(fd);
    assert_true(closed || strncmp(reply, "HTTP/1.1 413", 12) == 0);
    usleep(200000);
    assert_true(tmp_empty());
    assert_int_equal(n_photos(), before);
}

static cJSON *patch(const char *key, int64_t id, const char *body, long want)
{
    char path[256];
    const char *h[3] = {bearer(key), "Content-Type: application/json", NULL};
    struct itest_resp r;
    cJSON *j;

    snprintf(path, sizeof(path), "%s/%lld", API, (long long)id);
    assert_int_equal(
        itest_request(&srv, body ? "PATCH" : "DELETE", path, h, body, &r), 0);
    if (r.status != want)
        fprintf(stderr, "%s %s: %ld %s\n", body ? "PATCH" : "DELETE", path,
                r.status, r.body);
    assert_int_equal(r.status, want);
    j = json_of(&r);
    itest_resp_free(&r);
    return j;
}

static void reorder_cover_alt_delete(void **state)
{
    cJSON *arr = photos(), *j;
    int n = cJSON_GetArraySize(arr), media;
    int64_t first = id_at(arr, 0), up1 = id_at(arr, n - 2),
            up2 = id_at(arr, n - 1);
    char url[256];
    struct itest_resp r;

    (void)state;
    cJSON_Delete(arr);
    cJSON_Delete(patch(own_key, up2, "{\"cover\":true}", 200));
    arr = photos();
    assert_int_equal(id_at(arr, 0), up2);
    assert_int_equal(id_at(arr, 1), first);
    cJSON_Delete(arr);
    cJSON_Delete(patch(own_key, up2, "{\"position\":2}", 200));
    arr = photos();
    assert_int_equal(id_at(arr, 0), first);
    assert_int_equal(id_at(arr, 2), up2);
    cJSON_Delete(arr);
    j = patch(own_key, up1,
              "{\"alt_vi\":\"Túi 500 g\",\"alt_en\":\"500 g bag\"}", 200);
    cJSON_Delete(j);
    arr = photos();
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
                            cJSON_GetArrayItem(arr, n - 1), "alt_en")),
                        "500 g bag");
    cJSON_Delete(arr);
    cJSON_Delete(patch(own_key, up1, "{\"position\":\"x\"}", 422));
    cJSON_Delete(patch(own_key, up1, "{}", 422));
    /* removing an upload removes its six versions and its original */
    media = files_in("media");
    cJSON_Delete(patch(own_key, up1, NULL, 200));
    assert_int_equal(files_in("media"), media - 6);
    assert_int_equal(files_in("originals"), 1);
    assert_int_equal(n_photos(), n - 1);
    /* a seed illustration leaves the product; its shared file stays */
    arr = photos();
    snprintf(url, sizeof(url), "%s",
             cJSON_GetStringValue(
                 cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "url")));
    cJSON_Delete(arr);
    cJSON_Delete(patch(own_key, first, NULL, 200));
    assert_int_equal(n_photos(), n - 2);
    assert_int_equal(itest_get(&srv, url, &r), 0);
    assert_int_equal(r.status, 200);
    itest_resp_free(&r);
    cJSON_Delete(patch(own_key, first, NULL, 404)); /* gone */
}

static void who_may(void **state)
{
    struct blob a = png_of(200, 100);
    struct part p[1] = {{"photo", "a.png", a.data, a.len}};
    const char *other[2] = {bearer(other_key), NULL};
    const char *none[1] = {NULL};
    const char *admin[2] = {bearer(admin_key), NULL};
    int64_t id;
    cJSON *arr = photos(), *j;
    struct itest_resp r;

    (void)state;
    id = id_at(arr, 0);
    cJSON_Delete(arr);
    post_parts(API, other, p, 1, &r);
    assert_int_equal(r.status, 403);
    itest_resp_free(&r);
    post_parts(API, none, p, 1, &r);
    assert_int_equal(r.status, 401);
    itest_resp_free(&r);
    post_parts("/api/v1/products/khong-co-san-pham-nay/photos", admin, p, 1,
               &r);
    assert_int_equal(r.status, 404);
    itest_resp_free(&r);
    cJSON_Delete(patch(other_key, id, "{\"cover\":true}", 403));
    cJSON_Delete(patch(other_key, id, NULL, 403));
    cJSON_Delete(patch(own_key, 999999, "{\"cover\":true}", 404));
    /* the office may */
    j = patch(admin_key, id, "{\"cover\":true}", 200);
    cJSON_Delete(j);
    g_free(a.data);
}

static void portal_pages(void **state)
{
    struct blob a = png_of(640, 480);
    char hdr[200], path[256];
    const char *h[2] = {hdr, NULL};
    struct part with[2] = {{"csrf", NULL, csrf, strlen(csrf)},
                           {"photo", "pic.png", a.data, a.len}};
    struct part bad[2] = {{"csrf", NULL, csrf, strlen(csrf)},
                          {"photo", "pic.txt", "hello", 5}};
    int before = n_photos();
    struct itest_resp r;
    cJSON *arr;
    char *loc;
    const char *hf[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                         NULL};

    (void)state;
    snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
    /* without the CSRF token: refused, nothing stored */
    post_parts(PORTAL, h, with + 1, 1, &r);
    assert_int_equal(r.status, 403);
    itest_resp_free(&r);
    assert_int_equal(n_photos(), before);
    post_parts(PORTAL, h, with, 2, &r);
    assert_int_equal(r.status, 303);
    loc = itest_header(&r, "location");
    assert_string_equal(loc, PORTAL "?ok=uploaded");
    free(loc);
    itest_resp_free(&r);
    assert_int_equal(n_photos(), before + 1);
    assert_int_equal(
        itest_request(&srv, "GET", PORTAL "?ok=uploaded", h, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "class=\"form-ok\""));
    assert_non_null(strstr(r.body, "enctype=\"multipart/form-data\""));
    assert_non_null(strstr(
        r.body,
        "accept=\"image/jpeg,image/png,image/webp,image/heic,image/heif\""));
    itest_resp_free(&r);
    /* an error re-renders the list, in Vietnamese, then in English */
    post_parts(PORTAL, h, bad, 2, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "class=\"form-error\""));
    assert_non_null(strstr(r.body, "không phải là ảnh"));
    assert_non_null(strstr(r.body, "class=\"photo-grid\""));
    itest_resp_free(&r);
    post_parts(PORTAL "?lang=en", h, bad, 2, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "This file is not an image"));
    itest_resp_free(&r);
    /* the buttons: make the new one the cover, then delete it */
    arr = photos();
    snprintf(path, sizeof(path), PORTAL "/%lld",
             (long long)id_at(arr, cJSON_GetArraySize(arr) - 1));
    cJSON_Delete(arr);
    {
        char body[200];
        snprintf(body, sizeof(body), "csrf=%s&action=cover", csrf);
        assert_int_equal(itest_request(&srv, "POST", path, hf, body, &r), 0);
        assert_int_equal(r.status, 303);
        itest_resp_free(&r);
        assert_int_equal(
            itest_request(&srv, "POST", path, hf, "action=delete", &r), 0);
        assert_int_equal(r.status, 403); /* no token */
        itest_resp_free(&r);
        snprintf(body, sizeof(body), "csrf=%s&action=up", csrf);
        assert_int_equal(itest_request(&srv, "POST", path, hf, body, &r), 0);
        assert_int_equal(r.status, 303);
        itest_resp_free(&r);
        snprintf(body, sizeof(body), "csrf=%s&action=delete", csrf);
        assert_int_equal(itest_request(&srv, "POST", path, hf, body, &r), 0);
        assert_int_equal(r.status, 303);
        itest_resp_free(&r);
    }
    assert_int_equal(n_photos(), before);
    g_free(a.data);
}

/* limits: 10 files a request, 30 photos a product (checked before any
 * processing, and again when storing). */
static void limits(void **state)
{
    struct blob a = png_of(64, 48);
    struct part p[11];
    const char *h[2] = {bearer(own_key), NULL};
    struct itest_resp r;
    int i, left;

    (void)state;
    for (i = 0; i < 11; i++)
        p[i] = (struct part){"photo", "tiny.png", a.data, a.len};
    refused(p, 11, 413, "too_many_files");
    for (left = 30 - n_photos(); left > 0; left -= 10) {
        post_parts(API, h, p, left < 10 ? left : 10, &r);
        assert_int_equal(r.status, 201);
        itest_resp_free(&r);
    }
    assert_int_equal(n_photos(), 30);
    refused(p, 1, 422, "too_many_photos");
    g_free(a.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upload_two_photos),
        cmocka_unit_test(public_page_and_files),
        cmocka_unit_test(only_versions_are_served),
        cmocka_unit_test(bad_files_store_nothing),
        cmocka_unit_test(file_over_20_mb),
        cmocka_unit_test(english_message),
        cmocka_unit_test(announced_200_mb_refused_at_once),
        cmocka_unit_test(chunked_overflow_dropped),
        cmocka_unit_test(reorder_cover_alt_delete),
        cmocka_unit_test(who_may),
        cmocka_unit_test(portal_pages),
        cmocka_unit_test(limits),
    };

    return cmocka_run_group_tests_name("photos", tests, setup, teardown);
}
