/* conn.c: helpers shared by the connectors (see conn.h). */
#include "common/conn.h"

#include <stdio.h>
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
