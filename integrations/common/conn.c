/* conn.c: helpers shared by the connectors (see conn.h). */
#include "common/conn.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mkt_reply_http(long http_status, struct mkt_reply *out)
{
    if (http_status == 429 || http_status >= 500 || http_status == 0) {
        out->outcome = MKT_RETRY;
        if (!out->message[0])
            snprintf(out->message, sizeof out->message, "HTTP %ld",
                     http_status);
        return 1;
    }
    if (http_status == 401) {
        out->outcome = MKT_AUTH_EXPIRED;
        if (!out->message[0])
            mkt_copy(out->message, sizeof out->message, "HTTP 401");
        return 1;
    }
    return 0;
}

void mkt_copy(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

char *mkt_urlenc(struct arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 3 + 1);
    if (!out)
        return NULL;
    char *p = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
            (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
            *c == '.' || *c == '~') {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    *p = '\0';
    return out;
}

/* html_lines: one paragraph's text, its single newlines as <br>. */
static enum err html_lines(const char *p, size_t n, struct sb *out)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        if (sb_add_html(out, p, k) != ERR_OK ||
            (nl && sb_adds(out, "<br>") != ERR_OK))
            return ERR_NOMEM;
        p += k + (nl ? 1 : 0);
        n -= k + (nl ? 1 : 0);
    }
    return ERR_OK;
}

enum err mkt_html(const char *text, struct sb *out)
{
    const char *p = text;

    while (*p != '\0') {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0 && (sb_adds(out, "<p>") != ERR_OK ||
                      html_lines(p, n, out) != ERR_OK ||
                      sb_adds(out, "</p>") != ERR_OK))
            return ERR_NOMEM;
        p += n;
        while (*p == '\n')
            p++;
    }
    return ERR_OK;
}

char *mkt_html_in(struct arena *a, const char *text)
{
    struct sb d;
    sb_init(&d, 1u << 20);
    char *out = mkt_html(text, &d) == ERR_OK ? arena_strdup(a, sb_str(&d)) : NULL;
    sb_release(&d);
    return out;
}

void mkt_kg(int64_t g, char *buf, size_t size)
{
    (void)snprintf(buf, size, "%" PRId64 ".%03" PRId64, g / 1000, g % 1000);
    char *end = buf + strlen(buf) - 1;
    while (*end == '0')
        *end-- = '\0';
    if (*end == '.')
        *end = '\0';
}

int mkt_json_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
        mkt_copy(buf, size, v->valuestring);
        return 1;
    }
    if (cJSON_IsNumber(v)) {
        (void)snprintf(buf, size, "%.0f", v->valuedouble);
        return 1;
    }
    mkt_copy(buf, size, "");
    return 0;
}

int64_t mkt_json_int(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return (int64_t)llround(v->valuedouble);
    if (cJSON_IsString(v))
        return (int64_t)llround(strtod(v->valuestring, NULL));
    return 0;
}
