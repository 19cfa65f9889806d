/* srch.c: folding, Vietnamese collation keys, FTS5 queries and index. */
#include "search/srch.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

enum err srch_nfc(const char *s, size_t n, struct sb *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t len;
    enum err e;

    len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res,
                       UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (len < 0)
        return ERR_INVALID;
    e = sb_add(out, res, (size_t)len);
    free(res);
    return e;
}

/* After case folding and stripping marks only "đ" (C4 91) stays
 * non-ASCII among Vietnamese letters: it has no decomposition. */
static enum err append_folded(struct sb *out, const utf8proc_uint8_t *p,
                              size_t len)
{
    size_t i, run = 0;
    enum err e;

    for (i = 0; i + 1 < len; i++) {
        if (p[i] != 0xC4 || p[i + 1] != 0x91)
            continue;
        e = sb_add(out, p + run, i - run);
        if (e == ERR_OK)
            e = sb_addc(out, 'd');
        if (e != ERR_OK)
            return e;
        run = i + 2;
        i++;
    }
    return sb_add(out, p + run, len - run);
}

enum err srch_fold(const char *s, size_t n, struct sb *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t len;
    enum err e;

    len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res,
                       UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                           UTF8PROC_STRIPMARK);
    if (len < 0)
        return ERR_INVALID;
    e = append_folded(out, res, (size_t)len);
    free(res);
    return e;
}

enum err srch_slug(const char *s, struct sb *out)
{
    struct sb folded;
    const char *p;
    int pending_dash = 0;
    size_t start = out->len;
    enum err e;

    sb_init(&folded, 1 << 16);
    e = srch_fold(s, strlen(s), &folded);
    for (p = folded.buf; e == ERR_OK && *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            pending_dash = out->len > start;
            continue;
        }
        if (pending_dash)
            e = sb_addc(out, '-');
        if (e == ERR_OK)
            e = sb_addc(out, (char)c);
        pending_dash = 0;
    }
    sb_release(&folded);
    return e;
}

/* --- collation ---------------------------------------------------------- */

/* Primary order of base letters; modified vowels follow their base. */
static const char alphabet[] = "a\x01\x02" "bcd\x03" "e\x04" "fghijklmno\x05\x06"
                               "pqrstu\x07" "vwxyz";

enum letter_mod { MOD_NONE, MOD_BREVE, MOD_CIRC, MOD_HORN, MOD_STROKE };

static int letter_rank(char base, enum letter_mod mod)
{
    char code = base;
    const char *p;

    if (mod == MOD_BREVE && base == 'a')
        code = '\x01';
    else if (mod == MOD_CIRC && base == 'a')
        code = '\x02';
    else if (mod == MOD_STROKE && base == 'd')
        code = '\x03';
    else if (mod == MOD_CIRC && base == 'e')
        code = '\x04';
    else if (mod == MOD_CIRC && base == 'o')
        code = '\x05';
    else if (mod == MOD_HORN && base == 'o')
        code = '\x06';
    else if (mod == MOD_HORN && base == 'u')
        code = '\x07';
    p = strchr(alphabet, code);
    return p == NULL ? -1 : (int)(p - alphabet);
}

/* Tone order: ngang, huyền, hỏi, ngã, sắc, nặng. */
static int tone_of(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x0300: return 1;
    case 0x0309: return 2;
    case 0x0303: return 3;
    case 0x0301: return 4;
    case 0x0323: return 5;
    default: return 0;
    }
}

static enum letter_mod mod_of(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x0306: return MOD_BREVE;
    case 0x0302: return MOD_CIRC;
    case 0x031B: return MOD_HORN;
    default: return MOD_NONE;
    }
}

struct key_state {
    struct sb primary, secondary;
    int have_letter;
};

static enum err key_base(struct key_state *k, utf8proc_int32_t cp)
{
    int lower = (int)utf8proc_tolower(cp), rank;

    if (lower == 0x0111)
        rank = letter_rank('d', MOD_STROKE);
    else if (lower < 128 && lower >= 'a' && lower <= 'z')
        rank = letter_rank((char)lower, MOD_NONE);
    else if (lower >= '0' && lower <= '9')
        return sb_addc(&k->primary, (char)(0x10 + lower - '0'));
    else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS || lower == ' ')
        return sb_addc(&k->primary, '\x08');
    else if (lower < 128)
        return ERR_OK; /* punctuation does not take part in the order */
    else
        rank = 0xC0 - 0x30; /* other letters after z, in a stable block */
    k->have_letter = 1;
    if (sb_addc(&k->primary, (char)(0x30 + rank)) != ERR_OK)
        return ERR_NOMEM;
    return sb_addc(&k->secondary, '\x01');
}

/* A modifier changes the last primary letter; a tone the last secondary. */
static enum err key_mark(struct key_state *k, utf8proc_int32_t cp)
{
    enum letter_mod mod = mod_of(cp);
    int tone = tone_of(cp);

    if (!k->have_letter || k->primary.len == 0)
        return ERR_OK;
    if (mod != MOD_NONE) {
        char *last = &k->primary.buf[k->primary.len - 1];
        int idx = (int)(unsigned char)*last - 0x30;
        int rank = -1;
        if (idx >= 0 && idx < (int)sizeof(alphabet) - 1)
            rank = letter_rank(alphabet[idx], mod);
        if (rank >= 0)
            *last = (char)(0x30 + rank);
    }
    if (tone > 0 && k->secondary.len > 0)
        k->secondary.buf[k->secondary.len - 1] = (char)(1 + tone);
    return ERR_OK;
}

enum err srch_collation_key(const char *s, struct sb *out)
{
    utf8proc_int32_t *cps = NULL;
    utf8proc_ssize_t n, i;
    struct key_state k = {.have_letter = 0};
    enum err e = ERR_OK;

    n = utf8proc_decompose((const utf8proc_uint8_t *)s, -1, NULL, 0,
                           UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE);
    if (n < 0)
        return ERR_INVALID;
    cps = malloc(sizeof(*cps) * ((size_t)n + 1));
    if (cps == NULL)
        return ERR_NOMEM;
    n = utf8proc_decompose((const utf8proc_uint8_t *)s, -1, cps, n,
                           UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE);
    sb_init(&k.primary, 4096);
    sb_init(&k.secondary, 4096);
    for (i = 0; i < n && e == ERR_OK; i++) {
        if (utf8proc_category(cps[i]) == UTF8PROC_CATEGORY_MN)
            e = key_mark(&k, cps[i]);
        else
            e = key_base(&k, cps[i]);
    }
    if (e == ERR_OK)
        e = sb_add(out, k.primary.buf, k.primary.len);
    if (e == ERR_OK)
        e = sb_addc(out, '\x00');
    if (e == ERR_OK)
        e = sb_add(out, k.secondary.buf, k.secondary.len);
    sb_release(&k.primary);
    sb_release(&k.secondary);
    free(cps);
    return e;
}

/* --- queries ------------------------------------------------------------ */

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

enum err srch_fts_query(const char *q, int flags, struct sb *out)
{
    struct sb folded;
    const char *p, *end;
    size_t start_len = out->len;
    int terms = 0;
    enum err e;

    if (strlen(q) > SRCH_MAX_QUERY_BYTES)
        return ERR_TOOBIG;
    sb_init(&folded, 4096);
    e = srch_fold(q, strlen(q), &folded);
    if (e == ERR_OK && (flags & SRCH_NAMES_ONLY))
        e = sb_adds(out, "{name producer} : (");
    for (p = folded.buf; e == ERR_OK && *p != '\0'; p = end) {
        while (*p != '\0' && !is_word_byte((unsigned char)*p))
            p++;
        for (end = p; is_word_byte((unsigned char)*end); end++)
            ;
        if (end == p || terms == SRCH_MAX_TERMS)
            break;
        e = sb_adds(out, terms ? " \"" : "\"");
        if (e == ERR_OK)
            e = sb_add(out, p, (size_t)(end - p));
        if (e == ERR_OK)
            e = sb_adds(out, "\"");
        terms++;
    }
    if (e == ERR_OK && terms > 0 && (flags & SRCH_PREFIX_LAST))
        e = sb_addc(out, '*');
    if (e == ERR_OK && (flags & SRCH_NAMES_ONLY))
        e = sb_addc(out, ')');
    sb_release(&folded);
    if (e == ERR_OK && terms == 0)
        e = ERR_INVALID;
    if (e != ERR_OK) {
        out->len = start_len;
        if (out->cap > 0)
            out->buf[start_len] = '\0';
    }
    return e;
}

static enum err bind_folded(sqlite3_stmt *st, int col, const char *s,
                            struct sb *tmp)
{
    enum err e;

    sb_reset(tmp);
    e = srch_fold(s ? s : "", s ? strlen(s) : 0, tmp);
    if (e != ERR_OK)
        return e;
    return sqlite3_bind_text(st, col, tmp->buf, (int)tmp->len,
                             SQLITE_TRANSIENT) == SQLITE_OK
               ? ERR_OK
               : ERR_DB;
}

enum err srch_index_product(struct db *db, int64_t product_id,
                            const char *name, const char *description,
                            const char *producer_name, struct err_ctx *ec)
{
    static const char del_sql[] = "DELETE FROM product_fts WHERE rowid = ?1";
    static const char ins_sql[] =
        "INSERT INTO product_fts (rowid, name, description, producer)"
        " VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = db_stmt(db, del_sql, ec);
    struct sb tmp;
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, product_id);
    e = db_exec(db, st, ec);
    st = e == ERR_OK ? db_stmt(db, ins_sql, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    sb_init(&tmp, 1 << 20);
    sqlite3_bind_int64(st, 1, product_id);
    e = bind_folded(st, 2, name, &tmp);
    if (e == ERR_OK)
        e = bind_folded(st, 3, description, &tmp);
    if (e == ERR_OK)
        e = bind_folded(st, 4, producer_name, &tmp);
    sb_release(&tmp);
    if (e == ERR_OK)
        e = db_exec(db, st, ec);
    else
        (void)err_set(ec, e, "cannot index product %lld",
                      (long long)product_id);
    return e;
}
