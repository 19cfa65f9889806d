/* sb.c: the string builder (see sb.h). */
#include "core/sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_str[1];

void sb_init(struct sb *sb, size_t max)
{
    sb->buf = empty_str;
    sb->len = 0;
    sb->cap = 0;
    sb->max = max ? max : SB_DEFAULT_MAX;
}

void sb_release(struct sb *sb)
{
    if (sb->cap > 0)
        free(sb->buf);
    sb_init(sb, sb->max);
}

void sb_reset(struct sb *sb)
{
    sb->len = 0;
    if (sb->cap > 0)
        sb->buf[0] = '\0';
}

const char *sb_str(const struct sb *sb)
{
    return sb->buf;
}

char *sb_take(struct sb *sb)
{
    char *s = sb->cap > 0 ? sb->buf : strdup("");

    sb_init(sb, sb->max);
    return s;
}

static enum err grow(struct sb *sb, size_t extra)
{
    size_t need, ncap;
    char *nbuf;

    if (extra > sb->max - sb->len)
        return ERR_NOMEM;
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return ERR_OK;
    ncap = sb->cap ? sb->cap : 64;
    while (ncap < need)
        ncap *= 2;
    nbuf = realloc(sb->cap ? sb->buf : NULL, ncap);
    if (nbuf == NULL)
        return ERR_NOMEM;
    if (sb->cap == 0)
        nbuf[0] = '\0';
    sb->buf = nbuf;
    sb->cap = ncap;
    return ERR_OK;
}

enum err sb_add(struct sb *sb, const void *data, size_t n)
{
    enum err e = grow(sb, n);

    if (e != ERR_OK)
        return e;
    if (n > 0)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return ERR_OK;
}

enum err sb_adds(struct sb *sb, const char *s)
{
    return sb_add(sb, s, strlen(s));
}

enum err sb_addc(struct sb *sb, char c)
{
    return sb_add(sb, &c, 1);
}

enum err sb_vaddf(struct sb *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    enum err e;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ERR_INVALID;
    e = grow(sb, (size_t)n);
    if (e != ERR_OK)
        return e;
    (void)vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap); /* sized */
    sb->len += (size_t)n;
    return ERR_OK;
}

enum err sb_addf(struct sb *sb, const char *fmt, ...)
{
    va_list ap;
    enum err e;

    va_start(ap, fmt);
    e = sb_vaddf(sb, fmt, ap);
    va_end(ap);
    return e;
}

static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

enum err sb_add_html(struct sb *sb, const char *s, size_t n)
{
    size_t i, run = 0;
    enum err e;

    for (i = 0; i < n; i++) {
        const char *ent = html_entity(s[i]);
        if (ent == NULL)
            continue;
        e = sb_add(sb, s + run, i - run);
        if (e == ERR_OK)
            e = sb_adds(sb, ent);
        if (e != ERR_OK)
            return e;
        run = i + 1;
    }
    return sb_add(sb, s + run, n - run);
}

static int unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

enum err sb_add_urlenc(struct sb *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    enum err e = ERR_OK;

    for (; *s != '\0' && e == ERR_OK; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        e = unreserved(c) ? sb_addc(sb, (char)c) : sb_add(sb, esc, 3);
    }
    return e;
}
