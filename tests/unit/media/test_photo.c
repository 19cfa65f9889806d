/* test_photo.c: the photo pipeline (media/photo.h) on images made here
 * with libvips itself: a phone-like JPEG (EXIF orientation 6, GPS, XMP,
 * an ICC profile), a truncated JPEG, a PNG whose header claims 50,000 x
 * 50,000 pixels, an SVG, a text file, a HEIC when libvips can write one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "media/photo.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>
#include <zlib.h>

static char root[64]; /* the test's temporary folder */

static const char *at(const char *name)
{
    static char path[16][256];
    static int k;

    k = (k + 1) % 16;
    snprintf(path[k], sizeof(path[k]), "%s/%s", root, name);
    return path[k];
}

/* out_dir: a fresh empty folder for one test's versions. */
static const char *out_dir(const char *name)
{
    const char *d = at(name);

    assert_int_equal(mkdir(d, 0700), 0);
    return d;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* noise: a w x h sRGB image that does not compress to nothing. */
static VipsImage *noise(int w, int h)
{
    VipsImage *g = NULL, *u = NULL, *rgb = NULL, *b[3];

    assert_int_equal(
        vips_gaussnoise(&g, w, h, "mean", 128.0, "sigma", 50.0, NULL), 0);
    assert_int_equal(vips_cast_uchar(g, &u, NULL), 0);
    b[0] = b[1] = b[2] = u;
    assert_int_equal(vips_bandjoin(b, &rgb, 3, NULL), 0);
    g_object_unref(g);
    g_object_unref(u);
    return rgb;
}

/* phone_jpeg: what a phone writes: rotated pixels with orientation 6,
 * GPS and a camera name in EXIF, XMP with a location, an ICC profile. */
static void phone_jpeg(const char *path, int w, int h)
{
    static const char xmp[] =
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www."
        "w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:exif='http:"
        "//ns.adobe.com/exif/1.0/' exif:GPSLatitude='21,1.5N'/></rdf:RDF>"
        "</x:xmpmeta>";
    VipsImage *im = noise(w, h);
    VipsBlob *icc = NULL;
    size_t n;
    const void *data;

    vips_image_set_int(im, "orientation", 6);
    vips_image_set_string(im, "exif-ifd0-Make", "TestPhone");
    vips_image_set_string(im, "exif-ifd3-GPSLatitudeRef", "N");
    vips_image_set_string(im, "exif-ifd3-GPSLatitude", "21/1 1/1 30/1");
    vips_image_set_string(im, "exif-ifd3-GPSLongitudeRef", "E");
    vips_image_set_string(im, "exif-ifd3-GPSLongitude", "105/1 51/1 12/1");
    vips_image_set_blob_copy(im, "xmp-data", xmp, sizeof(xmp) - 1);
    assert_int_equal(vips_profile_load("srgb", &icc, NULL), 0);
    data = vips_blob_get(icc, &n);
    vips_image_set_blob_copy(im, VIPS_META_ICC_NAME, data, n);
    vips_area_unref(VIPS_AREA(icc));
    assert_int_equal(vips_jpegsave(im, path, "Q", 90, NULL), 0);
    g_object_unref(im);
}

static int has_metadata(VipsImage *im, int report)
{
    static const char *const bad[] = {"exif", "xmp",         "iptc",   "icc",
                                      "gps",  "orientation", "comment"};
    gchar **f = vips_image_get_fields(im);
    int i, k, found = 0;

    for (i = 0; f[i] != NULL; i++) {
        gchar *low = g_ascii_strdown(f[i], -1);
        for (k = 0; k < (int)(sizeof(bad) / sizeof(bad[0])); k++)
            if (strstr(low, bad[k]) != NULL) {
                if (report)
                    fprintf(stderr, "metadata left: %s\n", f[i]);
                found = 1;
            }
        g_free(low);
    }
    g_strfreev(f);
    return found;
}

/* bytes_contain: the raw file holds the n bytes of needle (a marker
 * libvips would not report as a field, say). Markers are long enough not
 * to turn up by chance in compressed pixels. */
static int bytes_contain(const char *path, const char *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    static char buf[4 << 20];
    size_t len;

    assert_non_null(f);
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return memmem(buf, len, needle, n) != NULL;
}

/* check_version: the file for width W exists, is w x h and clean. */
static void check_version(const char *dir, int W, const char *fmt, int w, int h)
{
    char path[512];
    VipsImage *im;

    snprintf(path, sizeof(path), "%s/p-%d.%s", dir, W, fmt);
    im = vips_image_new_from_file(path, NULL);
    assert_non_null(im);
    assert_int_equal(vips_image_get_width(im), w);
    assert_int_equal(vips_image_get_height(im), h);
    assert_int_equal(vips_image_get_bands(im), 3);
    assert_false(has_metadata(im, 1));
    g_object_unref(im);
    /* no EXIF block (where GPS lives), no XMP, no ICC profile */
    assert_false(bytes_contain(path, "Exif\0\0", 6));
    assert_false(bytes_contain(path, "TestPhone", 9));
    assert_false(bytes_contain(path, "xmpmeta", 7));
    assert_false(bytes_contain(path, "ICC_PROFILE", 11));
}

static void phone_jpeg_made_upright_and_clean(void **state)
{
    const char *src = at("phone.jpg"), *dir = out_dir("phone");
    struct photo_result r;
    struct err_ctx ec = {0};
    VipsImage *in;

    (void)state;
    /* stored 2400 x 1800 with orientation 6: upright it is 1800 x 2400 */
    phone_jpeg(src, 2400, 1800);
    in = vips_image_new_from_file(src, NULL);
    assert_true(has_metadata(in, 0)); /* the fixture does carry GPS */
    assert_int_equal(vips_image_get_typeof(in, "exif-ifd3-GPSLatitude") != 0,
                     1);
    g_object_unref(in);
    assert_true(bytes_contain(src, "Exif\0\0", 6));
    assert_true(bytes_contain(src, "TestPhone", 9));
    assert_true(bytes_contain(src, "xmpmeta", 7));
    assert_true(bytes_contain(src, "ICC_PROFILE", 11));
    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_OK);
    assert_string_equal(r.ext, "jpg");
    assert_int_equal(strlen(r.hash), 8);
    assert_int_equal(r.width, 1600);
    assert_int_equal(r.height, 2133);
    assert_int_equal(count_files(dir), 6);
    check_version(dir, 320, "webp", 320, 427);
    check_version(dir, 320, "jpg", 320, 427);
    check_version(dir, 800, "webp", 800, 1067);
    check_version(dir, 800, "jpg", 800, 1067);
    check_version(dir, 1600, "webp", 1600, 2133);
    check_version(dir, 1600, "jpg", 1600, 2133);
}

static void never_upscaled(void **state)
{
    const char *src = at("small.png"), *dir = out_dir("small");
    struct photo_result r;
    struct err_ctx ec = {0};
    VipsImage *im = noise(500, 250);

    (void)state;
    assert_int_equal(vips_pngsave(im, src, NULL), 0);
    g_object_unref(im);
    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_OK);
    assert_string_equal(r.ext, "png");
    assert_int_equal(r.width, 500);
    assert_int_equal(r.height, 250);
    assert_int_equal(count_files(dir), 6); /* all three names */
    check_version(dir, 320, "jpg", 320, 160);
    check_version(dir, 800, "webp", 500, 250);
    check_version(dir, 1600, "jpg", 500, 250);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void assert_refused(const char *src, const char *dir, const char *key)
{
    struct photo_result r;
    struct err_ctx ec = {0};

    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_UNPROCESSABLE);
    assert_non_null(ec.key);
    assert_string_equal(ec.key, key);
    assert_int_equal(count_files(dir), 0); /* nothing left behind */
}

static void truncated_jpeg_refused(void **state)
{
    const char *src = at("cut.jpg"), *dir = out_dir("cut");
    char *buf;
    FILE *f;
    long n;

    (void)state;
    phone_jpeg(src, 1600, 1200);
    f = fopen(src, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    write_file(src, buf, (size_t)n / 2); /* cut in half */
    free(buf);
    assert_refused(src, dir, "err_photo_corrupt");
}

/* big_jpeg_shrunk_on_load: a 12-megapixel camera JPEG is decoded at half
 * size (libjpeg's shrink-on-load) and still makes a full 1600 px version;
 * cut short, it is refused on that path too. */
static void big_jpeg_shrunk_on_load(void **state)
{
    const char *src = at("big.jpg"), *dir = out_dir("big");
    const char *cut = at("bigcut.jpg"), *cutdir = out_dir("bigcut");
    struct photo_result r;
    struct err_ctx ec = {0};
    VipsImage *im = noise(4000, 3000);
    void *buf = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(vips_jpegsave(im, src, "Q", 85, NULL), 0);
    assert_int_equal(vips_jpegsave_buffer(im, &buf, &n, "Q", 85, NULL), 0);
    g_object_unref(im);
    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_OK);
    assert_int_equal(r.width, 1600);
    assert_int_equal(r.height, 1200);
    check_version(dir, 1600, "jpg", 1600, 1200);
    check_version(dir, 800, "webp", 800, 600);
    check_version(dir, 320, "jpg", 320, 240);
    write_file(cut, buf, n * 2 / 3);
    g_free(buf);
    assert_refused(cut, cutdir, "err_photo_corrupt");
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* chunk: appends a PNG chunk with its CRC; returns the new length. */
static size_t chunk(unsigned char *out, size_t at_, const char *type,
                    const unsigned char *data, uint32_t n)
{
    put32(out + at_, n);
    memcpy(out + at_ + 4, type, 4);
    if (n > 0)
        memcpy(out + at_ + 8, data, n);
    put32(out + at_ + 8 + n, (uint32_t)crc32(0, out + at_ + 4, (uInt)n + 4));
    return at_ + 12 + n;
}

static void png_bomb_refused_before_decoding(void **state)
{
    const char *src = at("bomb.png"), *dir = out_dir("bomb");
    static unsigned char png[4096];
    unsigned char ihdr[13] = {0}, raw[1024] = {0}, z[1024];
    uLongf zn = sizeof(z);
    struct timespec t0, t1;
    size_t n = 8;

    (void)state;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, 50000);
    put32(ihdr + 4, 50000);
    ihdr[8] = 8; /* 8 bits, RGB */
    ihdr[9] = 2;
    n = chunk(png, n, "IHDR", ihdr, 13);
    assert_int_equal(compress2(z, &zn, raw, sizeof(raw), 9), Z_OK);
    n = chunk(png, n, "IDAT", z, (uint32_t)zn);
    n = chunk(png, n, "IEND", NULL, 0);
    write_file(src, png, n);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_refused(src, dir, "err_photo_pixels");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* 7.5 GB of pixels were never decoded: it takes no time */
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
                    (t1.tv_nsec - t0.tv_nsec) / 1000000 <
                1000);
}

static void svg_and_text_refused(void **state)
{
    static const char svg[] =
        "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\"400\" height=\"300\"><rect width=\"400\" height=\"300\" "
        "fill=\"red\"/></svg>\n";
    static const char text[] = "Đây không phải là ảnh.\n";
    const char *dir = out_dir("refused");

    (void)state;
    write_file(at("x.svg"), svg, sizeof(svg) - 1);
    /* librsvg could draw it: it is refused by its loader's name */
    assert_refused(at("x.svg"), dir, "err_photo_format");
    write_file(at("x.txt"), text, sizeof(text) - 1);
    assert_refused(at("x.txt"), dir, "err_photo_not_image");
}

static void other_formats_refused(void **state)
{
    const char *dir = out_dir("other");
    VipsImage *im = noise(64, 48);

    (void)state;
    /* libvips can read these, but they are not phone photos */
    assert_int_equal(vips_tiffsave(im, at("x.tif"), NULL), 0);
    assert_int_equal(vips_gifsave(im, at("x.gif"), NULL), 0);
    g_object_unref(im);
    assert_refused(at("x.tif"), dir, "err_photo_format");
    assert_refused(at("x.gif"), dir, "err_photo_format");
}

static void heic_taken(void **state)
{
    const char *src = at("phone.heic"), *dir;
    char cmd[1024];
    struct photo_result r;
    struct err_ctx ec = {0};
    VipsImage *im;

    (void)state;
    if (vips_type_find("VipsOperation", "heifload") == 0) {
        fprintf(stderr, "heic_taken: this libvips has no HEIF support\n");
        skip();
    }
    /* Made by the vips tool: x265 leaks a little when it encodes, and
     * that would fail this (sanitized) test, not the code under test. */
    im = noise(1200, 900);
    vips_image_set_string(im, "exif-ifd3-GPSLatitudeRef", "N");
    vips_image_set_string(im, "exif-ifd3-GPSLatitude", "21/1 1/1 30/1");
    assert_int_equal(vips_jpegsave(im, at("heic-src.jpg"), NULL), 0);
    g_object_unref(im);
    snprintf(cmd, sizeof(cmd),
             "vips copy '%s' '%s[compression=hevc]' 2>/dev/null",
             at("heic-src.jpg"), src);
    if (system(cmd) != 0) {
        fprintf(stderr, "heic_taken: no vips tool with an HEVC encoder\n");
        skip();
    }
    dir = out_dir("heic");
    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_OK);
    assert_string_equal(r.ext, "heic");
    assert_int_equal(count_files(dir), 6);
    check_version(dir, 800, "jpg", 800, 600);
    check_version(dir, 1600, "webp", 1200, 900);
}

static void webp_with_alpha_flattened(void **state)
{
    const char *src = at("alpha.webp"), *dir = out_dir("alpha");
    struct photo_result r;
    struct err_ctx ec = {0};
    VipsImage *rgb = noise(400, 300), *a = NULL;

    (void)state;
    assert_int_equal(vips_bandjoin_const1(rgb, &a, 128.0, NULL), 0);
    assert_int_equal(vips_webpsave(a, src, NULL), 0);
    g_object_unref(rgb);
    g_object_unref(a);
    assert_int_equal(photo_process(src, dir, "p", &r, &ec), ERR_OK);
    assert_string_equal(r.ext, "webp");
    check_version(dir, 320, "webp", 320, 240); /* 3 bands: no alpha */
}

static int setup(void **state)
{
    struct err_ctx ec = {0};

    (void)state;
    snprintf(root, sizeof(root), "/tmp/ocop-photo-XXXXXX");
    if (mkdtemp(root) == NULL)
        return -1;
    return photo_init(&ec) == ERR_OK ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    photo_shutdown();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phone_jpeg_made_upright_and_clean),
        cmocka_unit_test(never_upscaled),
        cmocka_unit_test(truncated_jpeg_refused),
        cmocka_unit_test(big_jpeg_shrunk_on_load),
        cmocka_unit_test(png_bomb_refused_before_decoding),
        cmocka_unit_test(svg_and_text_refused),
        cmocka_unit_test(other_formats_refused),
        cmocka_unit_test(heic_taken),
        cmocka_unit_test(webp_with_alpha_flattened),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
