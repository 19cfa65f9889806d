/* sb.h: the string builder.
 * Owns: a growable, always NUL-terminated byte buffer with a size cap.
 * Memory: the buffer is the sb's until sb_take() hands it to the caller
 *   (free() it); sb_release() frees it and leaves an empty sb.
 * Errors: growing calls return ERR_NOMEM when malloc fails or the cap
 *   would be passed; the content is then unchanged. */
#ifndef OCOP_SB_H
#define OCOP_SB_H

#include "core/err.h"

#include <stdarg.h>
#include <stddef.h>

struct sb {
    char *buf;  /* NUL-terminated when cap > 0; "" when empty */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* size cap for len */
};

#define SB_DEFAULT_MAX ((size_t)64 << 20)

void sb_init(struct sb *sb, size_t max);
void sb_release(struct sb *sb);
void sb_reset(struct sb *sb); /* len = 0, memory kept */
const char *sb_str(const struct sb *sb); /* never NULL */
char *sb_take(struct sb *sb); /* caller frees; sb is left empty */

enum err sb_add(struct sb *sb, const void *data, size_t n) MUST_CHECK;
enum err sb_adds(struct sb *sb, const char *s) MUST_CHECK;
enum err sb_addc(struct sb *sb, char c) MUST_CHECK;
enum err sb_addf(struct sb *sb, const char *fmt, ...) MUST_CHECK
    PRINTF_LIKE(2, 3);
enum err sb_vaddf(struct sb *sb, const char *fmt, va_list ap) MUST_CHECK;
/* sb_add_html: append with & < > " ' escaped for HTML text and attributes. */
enum err sb_add_html(struct sb *sb, const char *s, size_t n) MUST_CHECK;
/* sb_add_urlenc: append percent-encoded (RFC 3986 unreserved kept). */
enum err sb_add_urlenc(struct sb *sb, const char *s) MUST_CHECK;

#endif
