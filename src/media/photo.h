/* photo.h: product photos: checking and resizing uploaded images.
 * Owns: libvips (started once, one worker thread, no operation cache,
 *   untrusted loaders blocked); deciding whether a file is a photo we
 *   take: JPEG, PNG, WebP or HEIF by the loader libvips picks from its
 *   bytes (never by name or declared type), at most PHOTO_MAX_SIDE pixels
 *   a side and PHOTO_MAX_PIXELS in all, checked from the header before
 *   any pixel is decoded, then decoded completely, failing on truncation;
 *   turning it upright (EXIF orientation), converting it to 8-bit sRGB,
 *   removing ALL metadata (EXIF with GPS, XMP, IPTC, ICC), and writing it
 *   at PHOTO_N_SIZES widths as WebP and JPEG.
 * Does not own: where files live and what they are called (the caller
 *   names a folder and a stem), HTTP, SQL, threads (media/mworker.h).
 * Threads: libvips starts on first use (photo_init() runs once, from any
 *   thread; photo_check and photo_process call it), photo_shutdown() once
 *   at the end; photo_process() from any thread.
 * Errors: ERR_UNPROCESSABLE with an i18n key in ec: err_photo_not_image,
 *   err_photo_format (an image we do not take, as SVG), err_photo_pixels
 *   (too many pixels), err_photo_corrupt (truncated or undecodable);
 *   ERR_IO when a file cannot be read or written. */
#ifndef OCOP_PHOTO_H
#define OCOP_PHOTO_H

#include "core/err.h"

#include <stdint.h>

#define PHOTO_MAX_SIDE 20000
#define PHOTO_MAX_PIXELS 50000000LL
#define PHOTO_MAX_BYTES ((uint64_t)20 << 20) /* per file, for uploads */
#define PHOTO_N_SIZES 3

/* The widths written, smallest first: 320, 800, 1600. */
int photo_width(int i);

struct photo_result {
    int width, height; /* of the largest version written */
    char hash[9];      /* 8 hex digits of a hash of the source bytes */
    const char *ext;   /* the source's type as an extension: "jpg", "png",
                        * "webp", "heic" (static) */
};

enum err photo_init(struct err_ctx *ec) MUST_CHECK;
void photo_shutdown(void);

/* photo_process: checks src and writes dir/stem-W.webp and dir/stem-W.jpg
 * for each width W (a version is never wider than the source: then it
 * has the source's width, under the same file name). On failure nothing
 * it wrote is left. */
enum err photo_process(const char *src, const char *dir, const char *stem,
                       struct photo_result *out, struct err_ctx *ec) MUST_CHECK;

/* photo_check: only the checks made before decoding (type, size); *ext
 * gets the type as in photo_result. */
enum err photo_check(const char *src, const char **ext,
                     struct err_ctx *ec) MUST_CHECK;

#endif
