/* form.c: application/x-www-form-urlencoded bodies (see web.h). */
#include "web/web.h"

#include <microhttpd.h>
#include <string.h>

#define FORM_MAX_FIELDS 400

static char *decode(struct arena *a, const char *s, size_t n)
{
    char *d = arena_strndup(a, s, n), *p;

    if (d == NULL)
        return NULL;
    for (p = d; *p != '\0'; p++)
        if (*p == '+')
            *p = ' ';
    d[MHD_http_unescape(d)] = '\0';
    return d;
}

int form_parse(struct arena *a, const char *body, size_t len, struct form *f)
{
    const char *p = body, *end = body + len;

    f->n = 0;
    f->keys = arena_alloc(a, sizeof(char *) * FORM_MAX_FIELDS);
    f->values = arena_alloc(a, sizeof(char *) * FORM_MAX_FIELDS);
    if (f->keys == NULL || f->values == NULL)
        return 0;
    while (p < end && f->n < FORM_MAX_FIELDS) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (stop > p) {
            f->keys[f->n] = decode(a, p, (size_t)((eq ? eq : stop) - p));
            f->values[f->n] =
                eq ? decode(a, eq + 1, (size_t)(stop - eq - 1)) : arena_strdup(a, "");
            if (f->keys[f->n] == NULL || f->values[f->n] == NULL)
                return 0;
            f->n++;
        }
        p = stop + 1;
    }
    return p >= end;
}

const char *form_get(const struct form *f, const char *key)
{
    int i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], key) == 0)
            return f->values[i];
    return NULL;
}

const char *form_get_nth(const struct form *f, const char *key, int nth)
{
    int i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], key) == 0 && nth-- == 0)
            return f->values[i];
    return NULL;
}

int form_count(const struct form *f, const char *key)
{
    int i, n = 0;

    for (i = 0; i < f->n; i++)
        n += strcmp(f->keys[i], key) == 0;
    return n;
}
