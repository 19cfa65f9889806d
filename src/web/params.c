/* params.c: validation of query arguments shared by pages and the API. */
#include "web/web.h"

#include "search/srch.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int fail(struct param_error *pe, const char *code, const char *key)
{
    pe->code = code;
    pe->msg_key = key;
    return 0;
}

static int valid_utf8(const char *s)
{
    utf8proc_int32_t cp;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t left = strlen(s);

    while (left > 0) {
        utf8proc_ssize_t n = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
        if (n <= 0 || cp == 0)
            return 0;
        p += n;
        left -= (size_t)n;
    }
    return 1;
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind,
                                 const char *key, const char *value)
{
    int *ok = cls;

    (void)kind;
    if (!valid_utf8(key) || (value != NULL && !valid_utf8(value))) {
        *ok = 0;
        return MHD_NO;
    }
    return MHD_YES;
}

int params_check_request(struct ctx *c, struct param_error *pe)
{
    int ok = 1;

    if (http_query_bytes(c->req) > HTTP_MAX_QUERY)
        return fail(pe, "query_too_long", "err_query_too_long");
    (void)MHD_get_connection_values(c->req->conn, MHD_GET_ARGUMENT_KIND,
                                    check_arg, &ok);
    if (!ok || !valid_utf8(c->req->path))
        return fail(pe, "invalid_utf8", "err_invalid_utf8");
    return 1;
}

/* parse_int: a whole decimal number in [lo, hi]; *out unchanged if absent. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v;

    if (s == NULL)
        return 1;
    if (*s == '\0' || strlen(s) > 9)
        return 0;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

int params_valid_slug(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 120)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return 0;
    }
    return 1;
}

int params_group_code(struct ctx *c, const char *v)
{
    static const char sql[] = "SELECT code FROM product_groups WHERE slug = ?1";
    sqlite3_stmt *st;
    int code = 0;

    static const char by_code[] = "SELECT code FROM product_groups WHERE code = ?1";
    int numeric;

    if (v == NULL || *v == '\0')
        return 0;
    numeric = parse_int(v, 1, 99, &code);
    if (!numeric && !params_valid_slug(v))
        return -1;
    st = db_stmt(c->w->db, numeric ? by_code : sql, NULL);
    if (st == NULL)
        return -1;
    if (numeric)
        sqlite3_bind_int(st, 1, code);
    else
        sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
    code = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return code;
}

static int slug_arg(struct ctx *c, const char *name, const char **out)
{
    const char *v = http_arg(c->req, name);

    *out = NULL;
    if (v == NULL || *v == '\0')
        return 1;
    if (!params_valid_slug(v))
        return 0;
    *out = v;
    return 1;
}

static int sort_arg(struct ctx *c, struct cat_query *q)
{
    const char *v = http_arg(c->req, "sort");
    int s;

    if (v == NULL || *v == '\0')
        return 1;
    s = cat_sort_parse(v);
    if (s < 0)
        return 0;
    q->sort = (enum cat_sort)s;
    return 1;
}

int params_listing(struct ctx *c, struct cat_query *q, struct param_error *pe)
{
    const char *text = http_arg(c->req, "q");

    cat_query_init(q);
    if (!parse_int(http_arg(c->req, "page"), 1, CAT_PAGE_MAX, &q->page))
        return fail(pe, "invalid_page", "err_page");
    if (!parse_int(http_arg(c->req, "per_page"), 1, CAT_PER_PAGE_MAX,
                   &q->per_page))
        return fail(pe, "invalid_per_page", "err_per_page");
    if (!parse_int(http_arg(c->req, "stars"), 3, 5, &q->stars))
        return fail(pe, "invalid_stars", "err_stars");
    if (!sort_arg(c, q))
        return fail(pe, "invalid_sort", "err_sort");
    q->group = params_group_code(c, http_arg(c->req, "group"));
    if (q->group < 0)
        return fail(pe, "invalid_group", "err_group");
    if (!slug_arg(c, "province", &q->province) ||
        !slug_arg(c, "commune", &q->commune) ||
        !slug_arg(c, "producer", &q->producer))
        return fail(pe, "invalid_filter", "err_filter");
    if (text != NULL && strlen(text) > SRCH_MAX_QUERY_BYTES)
        return fail(pe, "query_too_long", "err_query_too_long");
    q->q = text;
    return 1;
}
