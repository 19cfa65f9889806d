/* photo.c: checking and resizing uploaded photos with libvips (see
 * photo.h). The source is decoded once into memory, made upright and
 * sRGB there, stripped of metadata, and every version is made from that. */
#include "media/photo.h"

#include <pthread.h>

#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>
#include <webp/encode.h>

#define JPEG_Q 82
#define WEBP_Q 80

static const int widths[PHOTO_N_SIZES] = {320, 800, 1600};

/* The loaders we take, by libvips nickname, and the type's extension.
 * Anything else a loader exists for (SVG, PDF, TIFF, PPM, ...) is
 * refused. */
static const struct {
    const char *loader;
    const char *ext;
} kinds[] = {
    {"jpegload", "jpg"},
    {"pngload", "png"},
    {"webpload", "webp"},
    {"heifload", "heic"},
};

int photo_width(int i)
{
    return i >= 0 && i < PHOTO_N_SIZES ? widths[i] : 0;
}

/* vips_fail: an error from libvips, its message for the log. */
static enum err vips_fail(struct err_ctx *ec, enum err e, const char *key,
                          const char *what)
{
    char msg[160];

    (void)snprintf(msg, sizeof(msg), "%s", vips_error_buffer());
    msg[strcspn(msg, "\n")] = '\0';
    vips_error_clear();
    if (key != NULL)
        return err_user(ec, e, key, NULL, "%s: %s", what, msg);
    return err_set(ec, e, "%s: %s", what, msg);
}

/* libvips' warnings go to our log, not to stderr as glib would. */
static void on_vips_log(const char *domain, GLogLevelFlags level,
                        const char *message, void *cls)
{
    (void)domain;
    (void)cls;
    log_msg(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL) ? LOG_WARN
                                                               : LOG_DEBUG,
            "photo", "libvips: %s", message);
}

/* libvips starts on the first photo, not with the server: loading it and
 * its modules took longer than the rest of the server's start together.
 * Owned by this file: once, its result, and whether it ran. */
static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ok;

static void start_vips(void)
{
    if (VIPS_INIT("ocop") != 0)
        return;
    (void)g_log_set_handler("VIPS", G_LOG_LEVEL_MASK, on_vips_log, NULL);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_block_untrusted_set(TRUE);
    vips_ok = 1;
}

enum err photo_init(struct err_ctx *ec)
{
    (void)pthread_once(&vips_once, start_vips);
    return vips_ok ? ERR_OK
                   : vips_fail(ec, ERR_IO, NULL, "libvips would not start");
}

void photo_shutdown(void)
{
    if (vips_ok)
        vips_shutdown();
}

enum err photo_check(const char *src, const char **ext, struct err_ctx *ec)
{
    const char *cls, *nick;
    size_t i;

    if (photo_init(ec) != ERR_OK)
        return ERR_IO;
    cls = vips_foreign_find_load(src);
    if (cls == NULL) {
        vips_error_clear();
        return err_user(ec, ERR_UNPROCESSABLE, "err_photo_not_image", NULL,
                        "no image loader recognises the file");
    }
    nick = vips_nickname_find(g_type_from_name(cls));
    for (i = 0; nick != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(nick, kinds[i].loader) == 0) {
            *ext = kinds[i].ext;
            return ERR_OK;
        }
    return err_user(ec, ERR_UNPROCESSABLE, "err_photo_format", NULL,
                    "%s files are not taken", nick ? nick : cls);
}

/* open_checked: the header only, then the size limits, so that a
 * decompression bomb is refused before any pixel is decoded. */
static enum err open_checked(const char *src, VipsImage **out,
                             struct err_ctx *ec)
{
    VipsImage *im =
        vips_image_new_from_file(src, "access", VIPS_ACCESS_SEQUENTIAL,
                                 "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    int w, h;

    *out = NULL;
    if (im == NULL)
        return vips_fail(ec, ERR_UNPROCESSABLE, "err_photo_corrupt", "header");
    w = vips_image_get_width(im);
    h = vips_image_get_height(im);
    if (w < 1 || h < 1 || w > PHOTO_MAX_SIDE || h > PHOTO_MAX_SIDE ||
        (long long)w * h > PHOTO_MAX_PIXELS) {
        g_object_unref(im);
        return err_user(ec, ERR_UNPROCESSABLE, "err_photo_pixels", NULL,
                        "%dx%d pixels is over the limit", w, h);
    }
    *out = im;
    return ERR_OK;
}

/* strip_all: removes every metadata item; the basic fields (size, bands,
 * format, resolution) are not metadata and stay. */
static void strip_all(VipsImage *im)
{
    gchar **names = vips_image_get_fields(im);
    int i;

    for (i = 0; names != NULL && names[i] != NULL; i++)
        (void)vips_image_remove(im, names[i]); /* FALSE for basic fields */
    g_strfreev(names);
}

/* to_srgb: ICC profile applied when there is one (phones use Display
 * P3), then 8-bit sRGB without alpha (flattened on white). */
static int to_srgb(VipsImage *in, VipsImage **t)
{
    VipsArrayDouble *white;
    int r;

    if (vips_image_get_typeof(in, VIPS_META_ICC_NAME) != 0 &&
        vips_icc_transform(in, &t[0], "srgb", "embedded", TRUE, NULL) != 0) {
        vips_error_clear(); /* a broken profile: convert without it */
        t[0] = NULL;
    }
    if (t[0] == NULL) {
        t[0] = in;
        g_object_ref(in);
    }
    if (vips_colourspace(t[0], &t[1], VIPS_INTERPRETATION_sRGB, NULL) != 0)
        return -1;
    if (!vips_image_hasalpha(t[1])) {
        t[2] = t[1];
        g_object_ref(t[1]);
    } else {
        white = vips_array_double_newv(1, 255.0);
        r = vips_flatten(t[1], &t[2], "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (r != 0)
            return -1;
    }
    return vips_cast_uchar(t[2], &t[3], NULL);
}

/* jpeg_shrink: how much libjpeg may shrink while decoding (1, 2, 4, 8)
 * and still leave the widest version its width: much less work. */
static int jpeg_shrink(VipsImage *hdr)
{
    int w = vips_image_get_orientation_swap(hdr) ? vips_image_get_height(hdr)
                                                 : vips_image_get_width(hdr);
    int s = 8;

    while (s > 1 && w / s < widths[PHOTO_N_SIZES - 1])
        s /= 2;
    return s;
}

/* decode: every pixel, into memory; a truncated file fails here. */
static VipsImage *decode(const char *src, VipsImage *hdr, const char *ext)
{
    int s = strcmp(ext, "jpg") == 0 ? jpeg_shrink(hdr) : 1;
    VipsImage *in, *mem;

    if (s == 1)
        return vips_image_copy_memory(hdr);
    in = vips_image_new_from_file(src, "access", VIPS_ACCESS_SEQUENTIAL,
                                  "fail_on", VIPS_FAIL_ON_ERROR, "shrink", s,
                                  NULL);
    if (in == NULL)
        return NULL;
    mem = vips_image_copy_memory(in);
    g_object_unref(in);
    return mem;
}

/* upright: decodes src, turns it upright and sRGB, and returns it in
 * memory without metadata. */
static enum err upright(const char *src, VipsImage *hdr, const char *ext,
                        VipsImage **out, struct err_ctx *ec)
{
    VipsObject *scope = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 6);
    enum err e = ERR_OK;

    *out = NULL;
    t[0] = decode(src, hdr, ext);
    if (t[0] == NULL) {
        e = vips_fail(ec, ERR_UNPROCESSABLE, "err_photo_corrupt", "decode");
        goto out;
    }
    if (vips_autorot(t[0], &t[1], NULL) != 0 || to_srgb(t[1], &t[2]) != 0) {
        e = vips_fail(ec, ERR_UNPROCESSABLE, "err_photo_corrupt", "convert");
        goto out;
    }
    *out = vips_image_copy_memory(t[5]);
    if (*out == NULL)
        e = vips_fail(ec, ERR_UNPROCESSABLE, "err_photo_corrupt", "convert");
    else
        strip_all(*out);
out:
    g_object_unref(scope);
    return e;
}

static enum err hash_file(const char *path, char hex[9], struct err_ctx *ec)
{
    unsigned char buf[65536], digest[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return err_set(ec, ERR_IO, "cannot read the upload");
    crypto_generichash_init(&st, NULL, 0, sizeof(digest));
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_generichash_update(&st, buf, n);
    n = (size_t)ferror(f);
    (void)fclose(f); /* read only */
    if (n != 0)
        return err_set(ec, ERR_IO, "cannot read the upload");
    crypto_generichash_final(&st, digest, sizeof(digest));
    (void)sodium_bin2hex(hex, 9, digest, 4);
    return ERR_OK;
}

/* save_webp: libvips 8.14's webpsave writes an EXIF block of its own
 * even with strip set, so WebP is encoded here: a simple-format file
 * (VP8 only), which has no room for metadata at all. */
static enum err save_webp(VipsImage *im, const char *path, struct err_ctx *ec)
{
    int w = vips_image_get_width(im), h = vips_image_get_height(im);
    uint8_t *webp = NULL;
    size_t n = 0, len;
    void *px;
    FILE *f;
    int ok;

    if (vips_image_get_bands(im) != 3 ||
        vips_image_get_format(im) != VIPS_FORMAT_UCHAR)
        return err_set(ec, ERR_IO, "webp: not 8-bit RGB");
    px = vips_image_write_to_memory(im, &n);
    if (px == NULL)
        return vips_fail(ec, ERR_IO, NULL, "webp");
    len = WebPEncodeRGB(px, w, h, w * 3, WEBP_Q, &webp);
    g_free(px);
    f = len > 0 ? fopen(path, "wb") : NULL;
    ok = f != NULL && fwrite(webp, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    WebPFree(webp);
    if (!ok) {
        (void)unlink(path); /* may not exist */
        return err_set(ec, ERR_IO, "webp: cannot write %s", path);
    }
    return ERR_OK;
}

/* save_both: one width as WebP and JPEG; paths[] gets what was made. */
static enum err save_both(VipsImage *im, const char *dir, const char *stem,
                          int w, char paths[2][4096], struct err_ctx *ec)
{
    enum err e;

    (void)snprintf(paths[0], 4096, "%s/%s-%d.webp", dir, stem, w);
    e = save_webp(im, paths[0], ec);
    if (e != ERR_OK)
        return e;
    (void)snprintf(paths[1], 4096, "%s/%s-%d.jpg", dir, stem, w);
    if (vips_jpegsave(im, paths[1], "Q", JPEG_Q, "strip", TRUE, "interlace",
                      TRUE, "optimize_coding", TRUE, NULL) != 0)
        return vips_fail(ec, ERR_IO, NULL, "jpegsave");
    return ERR_OK;
}

/* smaller: im at width w (height in proportion to the upright source
 * src_w x src_h), in memory; a new reference. */
static VipsImage *smaller(VipsImage *im, int w, int src_w, int src_h)
{
    int cw = vips_image_get_width(im), ch = vips_image_get_height(im);
    int h = (int)((double)src_h * w / src_w + 0.5);
    VipsImage *r = NULL, *m;

    if (w == cw) {
        g_object_ref(im);
        return im;
    }
    if (h < 1)
        h = 1;
    if (vips_resize(im, &r, (double)w / cw, "vscale", (double)h / ch, NULL))
        return NULL;
    m = vips_image_copy_memory(r);
    g_object_unref(r);
    return m;
}

/* write_sizes: every width, the widest first, each made from the one
 * before (cheaper than from the source, and as sharp). */
static enum err write_sizes(VipsImage *im, const char *dir, const char *stem,
                            struct photo_result *out, struct err_ctx *ec)
{
    char(*paths)[4096]; /* the files made, removed on failure */
    int src_w = vips_image_get_width(im), src_h = vips_image_get_height(im);
    VipsImage *cur = im, *next;
    enum err e = ERR_OK;
    int i, k;

    paths = calloc(PHOTO_N_SIZES * 2, 4096);
    if (paths == NULL)
        return ERR_NOMEM;
    g_object_ref(cur);
    for (i = PHOTO_N_SIZES - 1; i >= 0 && e == ERR_OK; i--) {
        next =
            smaller(cur, widths[i] < src_w ? widths[i] : src_w, src_w, src_h);
        g_object_unref(cur);
        cur = next;
        if (cur == NULL) {
            e = vips_fail(ec, ERR_IO, NULL, "resize");
            break;
        }
        e = save_both(cur, dir, stem, widths[i], &paths[2 * i], ec);
        if (i == PHOTO_N_SIZES - 1) {
            out->width = vips_image_get_width(cur);
            out->height = vips_image_get_height(cur);
        }
    }
    if (cur != NULL)
        g_object_unref(cur);
    for (k = 0; e != ERR_OK && k < PHOTO_N_SIZES * 2; k++)
        if (paths[k][0] != '\0')
            (void)unlink(paths[k]); /* may not exist yet */
    free(paths);
    return e;
}

enum err photo_process(const char *src, const char *dir, const char *stem,
                       struct photo_result *out, struct err_ctx *ec)
{
    VipsImage *in = NULL, *up = NULL;
    enum err e;

    memset(out, 0, sizeof(*out));
    e = photo_check(src, &out->ext, ec);
    if (e == ERR_OK)
        e = open_checked(src, &in, ec);
    if (e == ERR_OK)
        e = upright(src, in, out->ext, &up, ec);
    if (e == ERR_OK)
        e = hash_file(src, out->hash, ec);
    if (e == ERR_OK)
        e = write_sizes(up, dir, stem, out, ec);
    if (in != NULL)
        g_object_unref(in);
    if (up != NULL)
        g_object_unref(up);
    return e;
}
