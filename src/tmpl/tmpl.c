/* tmpl.c: Mustache templates (see tmpl.h).
 *
 * Compiling runs four passes over the source. lex() cuts it into text and
 * tag tokens, following set-delimiter tags. pair() matches open and close
 * tags and reports nesting errors. standalone() finds the tags that sit
 * alone on their line and trims that line's whitespace and newline from
 * the neighbouring text. build() turns the tokens into one flat pre-order
 * node array (a node's subtree is the next size-1 nodes) and one string
 * pool. Rendering walks the nodes only; the source is not kept.
 *
 * Indentation. A standalone partial or parent, and a block expanded on a
 * line of its own, push their indentation onto a stack while they render.
 * The whole stack is written before the first output of every template
 * line (a line that starts after a newline of template text, so newlines
 * inside data are not indented; empty lines are not indented either).
 * Blocks follow ~inheritance: when a block's open tag is standalone, its
 * content lines lose the indentation of the line after the tag ("intrinsic
 * indentation", removed at compile time) and get the expansion site's
 * indentation back while rendering. Indentation nested inside such a block
 * is stored relative to it. An open/close block pair standing alone on one
 * line indents with the whitespace before the open tag.
 *
 * Blocks. Rendering a parent pushes a link naming its override blocks; a
 * block takes the override from the outermost link that has one, and
 * renders it in the scope of the template that wrote it. */
#include "tmpl/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NONE ((size_t)-1)
#define DELIM_MAX 16
#define NAME_SHOWN 64 /* longest name quoted in an error message */

enum node_kind {
    N_TEXT,
    N_VAR,      /* {{x}}: HTML-escaped */
    N_RAW,      /* {{{x}}} and {{&x}} */
    N_SECTION,  /* {{#x}} */
    N_INVERTED, /* {{^x}} */
    N_PARTIAL,  /* {{>x}} */
    N_PARENT,   /* {{<x}}: its children are the override blocks */
    N_BLOCK,    /* {{$x}}: its children are the default content */
};

struct node {
    enum node_kind kind;
    size_t size;    /* nodes in this subtree, itself included */
    size_t str;     /* pool offset: text bytes, or NUL-terminated name(s) */
    size_t len;     /* text bytes; name parts for vars and sections (0 is
                     * "."); name bytes for partials, parents and blocks */
    size_t ind;     /* pool offset of the indentation pushed while */
    size_t ind_len; /* expanding a partial, parent or block */
};

struct tmpl {
    struct node *nodes;
    size_t nnodes;
    char *pool; /* starts with a NUL, so offset 0 is "" */
};

/* --- Lexing ---------------------------------------------------------- */

enum tok_kind {
    TK_TEXT,
    TK_VAR,
    TK_RAW,
    TK_SECTION,
    TK_INVERTED,
    TK_CLOSE,
    TK_PARTIAL,
    TK_PARENT,
    TK_BLOCK,
    TK_COMMENT,
    TK_DELIM,
};

struct tok {
    enum tok_kind kind;
    size_t start, end;       /* text: bytes kept after standalone trims */
    size_t ostart, oend;     /* untrimmed span; a tag's with delimiters */
    size_t name, name_len;   /* tag content, trimmed */
    size_t up;               /* enclosing open tag, or NONE */
    size_t match;            /* open <-> close partner */
    size_t ind, ind_len;     /* indentation in src (absolute) */
    size_t strip, strip_len; /* open tags: removed from content lines */
    size_t node;             /* open tags: the node built */
    int alone;     /* parent: pair standalone; block: open tag standalone */
    int in_parent; /* block tags directly inside a parent's body */
};

struct delims {
    const char *open, *close;
    size_t olen, clen;
};

struct comp {
    const char *src;
    size_t len;
    struct err_ctx *ec;
    struct tok *toks;
    size_t ntoks, tcap;
    struct node *nodes;
    size_t nnodes, ncap;
    struct sb pool;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_space(char c)
{
    return is_blank(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int shown(size_t n)
{
    return n > NAME_SHOWN ? NAME_SHOWN : (int)n;
}

static size_t line_of(const struct comp *c, size_t pos)
{
    size_t i, line = 1;

    for (i = 0; i < pos && i < c->len; i++)
        line += c->src[i] == '\n';
    return line;
}

static enum err push_tok(struct comp *c, const struct tok *tk)
{
    if (c->ntoks == c->tcap) {
        size_t ncap = c->tcap ? c->tcap * 2 : 64;
        struct tok *nt = realloc(c->toks, ncap * sizeof(*nt));

        if (nt == NULL)
            return ERR_NOMEM;
        c->toks = nt;
        c->tcap = ncap;
    }
    c->toks[c->ntoks++] = *tk;
    return ERR_OK;
}

static enum err add_text_tok(struct comp *c, size_t start, size_t end)
{
    struct tok tk;

    memset(&tk, 0, sizeof(tk));
    tk.kind = TK_TEXT;
    tk.start = tk.ostart = start;
    tk.end = tk.oend = end;
    return push_tok(c, &tk);
}

static enum tok_kind sigil_kind(char s)
{
    switch (s) {
    case '#': return TK_SECTION;
    case '^': return TK_INVERTED;
    case '/': return TK_CLOSE;
    case '>': return TK_PARTIAL;
    case '<': return TK_PARENT;
    case '$': return TK_BLOCK;
    case '!': return TK_COMMENT;
    case '=': return TK_DELIM;
    case '{':
    case '&': return TK_RAW;
    default: return TK_VAR;
    }
}

/* find_close: the end of the tag opened at at, whose content starts at
 * from: *cend is where the content stops, *end is past the delimiter. */
static enum err find_close(const struct comp *c, const struct delims *d,
                           size_t at, size_t from, char sigil, size_t *cend,
                           size_t *end)
{
    char pat[DELIM_MAX + 1];
    size_t plen = 0;
    const char *p;

    if (sigil == '{' || sigil == '=')
        pat[plen++] = sigil == '{' ? '}' : '=';
    memcpy(pat + plen, d->close, d->clen);
    plen += d->clen;
    p = memmem(c->src + from, c->len - from, pat, plen);
    if (p == NULL)
        return err_set(c->ec, ERR_INVALID, "line %zu: unclosed tag",
                       line_of(c, at));
    *cend = (size_t)(p - c->src);
    *end = *cend + plen;
    return ERR_OK;
}

static int has_space(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (is_space(s[i]) || s[i] == '\0')
            return 1;
    }
    return 0;
}

static enum err set_delims(const struct comp *c, struct delims *d,
                           const struct tok *tk)
{
    const char *s = c->src + tk->name;
    size_t n = tk->name_len, a = 0, b;

    while (a < n && !is_space(s[a]))
        a++;
    b = a;
    while (b < n && is_space(s[b]))
        b++;
    if (a == 0 || b == n || a > DELIM_MAX || n - b > DELIM_MAX ||
        has_space(s + b, n - b))
        return err_set(c->ec, ERR_INVALID, "line %zu: bad delimiters '%.*s'",
                       line_of(c, tk->ostart), shown(n), s);
    d->open = s;
    d->olen = a;
    d->close = s + b;
    d->clen = n - b;
    return ERR_OK;
}

static enum err check_name(const struct comp *c, const struct tok *tk)
{
    if (tk->name_len == 0)
        return err_set(c->ec, ERR_INVALID, "line %zu: empty tag name",
                       line_of(c, tk->ostart));
    if (has_space(c->src + tk->name, tk->name_len))
        return err_set(c->ec, ERR_INVALID, "line %zu: space in tag '%.*s'",
                       line_of(c, tk->ostart), shown(tk->name_len),
                       c->src + tk->name);
    return ERR_OK;
}

/* lex_tag: read the tag at *pos (its open delimiter), push its token and
 * move *pos past it; a set-delimiter tag changes *d. */
static enum err lex_tag(struct comp *c, struct delims *d, size_t *pos)
{
    struct tok tk;
    size_t i = *pos + d->olen, cend = 0, end = 0;
    char sigil;
    enum err e;

    while (i < c->len && is_space(c->src[i]))
        i++;
    sigil = i < c->len ? c->src[i] : '\0';
    memset(&tk, 0, sizeof(tk));
    tk.kind = sigil_kind(sigil);
    if (tk.kind != TK_VAR)
        i++;
    e = find_close(c, d, *pos, i, sigil, &cend, &end);
    if (e != ERR_OK)
        return e;
    while (i < cend && is_space(c->src[i]))
        i++;
    while (cend > i && is_space(c->src[cend - 1]))
        cend--;
    tk.start = tk.ostart = *pos;
    tk.end = tk.oend = end;
    tk.name = i;
    tk.name_len = cend - i;
    *pos = end;
    if (tk.kind == TK_DELIM)
        e = set_delims(c, d, &tk);
    else if (tk.kind != TK_COMMENT)
        e = check_name(c, &tk);
    return e == ERR_OK ? push_tok(c, &tk) : e;
}

static enum err lex(struct comp *c)
{
    struct delims d = {"{{", "}}", 2, 2};
    size_t pos = 0;
    enum err e = ERR_OK;

    while (pos < c->len && e == ERR_OK) {
        const char *p = memmem(c->src + pos, c->len - pos, d.open, d.olen);
        size_t at = p != NULL ? (size_t)(p - c->src) : c->len;

        if (at > pos)
            e = add_text_tok(c, pos, at);
        pos = at;
        if (e == ERR_OK && p != NULL)
            e = lex_tag(c, &d, &pos);
    }
    return e;
}

/* --- Pairing --------------------------------------------------------- */

static int is_open(enum tok_kind k)
{
    return k == TK_SECTION || k == TK_INVERTED || k == TK_PARENT ||
           k == TK_BLOCK;
}

static enum err close_tag(struct comp *c, size_t i, size_t *top)
{
    struct tok *t = &c->toks[i], *o;

    if (*top == NONE)
        return err_set(c->ec, ERR_INVALID,
                       "line %zu: close tag '%.*s' without open section",
                       line_of(c, t->ostart), shown(t->name_len),
                       c->src + t->name);
    o = &c->toks[*top];
    if (o->name_len != t->name_len ||
        memcmp(c->src + o->name, c->src + t->name, t->name_len) != 0)
        return err_set(c->ec, ERR_INVALID,
                       "line %zu: close tag '%.*s' does not match '%.*s' "
                       "opened on line %zu",
                       line_of(c, t->ostart), shown(t->name_len),
                       c->src + t->name, shown(o->name_len), c->src + o->name,
                       line_of(c, o->ostart));
    t->match = *top;
    o->match = i;
    t->up = o->up;
    o->in_parent = o->up != NONE && c->toks[o->up].kind == TK_PARENT;
    t->in_parent = o->in_parent;
    *top = o->up;
    return ERR_OK;
}

static enum err pair(struct comp *c)
{
    size_t i, top = NONE;
    enum err e = ERR_OK;
    const struct tok *o;

    for (i = 0; i < c->ntoks && e == ERR_OK; i++) {
        c->toks[i].up = top;
        c->toks[i].match = NONE;
        if (is_open(c->toks[i].kind))
            top = i;
        else if (c->toks[i].kind == TK_CLOSE)
            e = close_tag(c, i, &top);
    }
    if (e != ERR_OK || top == NONE)
        return e;
    o = &c->toks[top];
    return err_set(c->ec, ERR_INVALID, "line %zu: section '%.*s' not closed",
                   line_of(c, o->ostart), shown(o->name_len), c->src + o->name);
}

/* --- Standalone lines ------------------------------------------------ */

/* left_clear: only blanks stand between the line start (or the template
 * start) and tag i; *ws is where those blanks begin. Uses untrimmed spans,
 * so the order in which tags are trimmed does not matter. */
static int left_clear(const struct comp *c, size_t i, size_t *ws)
{
    const struct tok *p;
    size_t q;

    *ws = c->toks[i].ostart;
    if (i == 0)
        return 1;
    p = &c->toks[i - 1];
    if (p->kind != TK_TEXT)
        return 0;
    q = p->oend;
    while (q > p->ostart && is_blank(c->src[q - 1]))
        q--;
    *ws = q;
    if (q > p->ostart)
        return c->src[q - 1] == '\n';
    return p->ostart == 0;
}

/* right_clear: only blanks stand between tag i and the end of its line
 * (or of the template); *nl_end is past that line's newline. */
static int right_clear(const struct comp *c, size_t i, size_t *nl_end)
{
    const struct tok *n;
    size_t q;

    *nl_end = c->toks[i].oend;
    if (i + 1 == c->ntoks)
        return 1;
    n = &c->toks[i + 1];
    if (n->kind != TK_TEXT)
        return 0;
    q = n->ostart;
    while (q < n->oend && is_blank(c->src[q]))
        q++;
    *nl_end = q;
    if (q == n->oend)
        return i + 2 == c->ntoks;
    if (c->src[q] == '\r' && q + 1 < n->oend && c->src[q + 1] == '\n')
        q++;
    if (c->src[q] != '\n')
        return 0;
    *nl_end = q + 1;
    return 1;
}

static void trim_left(struct comp *c, size_t i, size_t ws)
{
    struct tok *p;

    if (i == 0 || c->toks[i - 1].kind != TK_TEXT)
        return;
    p = &c->toks[i - 1];
    if (ws < p->end)
        p->end = ws > p->start ? ws : p->start;
}

static void trim_right(struct comp *c, size_t i, size_t nl_end)
{
    struct tok *n;

    if (i + 1 == c->ntoks || c->toks[i + 1].kind != TK_TEXT)
        return;
    n = &c->toks[i + 1];
    if (nl_end > n->start)
        n->start = nl_end < n->end ? nl_end : n->end;
}

/* classic: the spec's rule, a tag alone on its line loses the line. */
static void classic(struct comp *c, size_t i)
{
    struct tok *t = &c->toks[i];
    size_t ws, nl;

    if (!left_clear(c, i, &ws) || !right_clear(c, i, &nl))
        return;
    trim_left(c, i, ws);
    trim_right(c, i, nl);
    t->ind = ws;
    t->ind_len = t->ostart - ws;
}

/* A parent pair is standalone when its open tag clears on the left and
 * its close tag on the right: whatever is between is ignored anyway. */
static void stand_parent(struct comp *c, size_t i)
{
    struct tok *t = &c->toks[i];
    size_t ws, nl;

    if (!left_clear(c, i, &ws) || !right_clear(c, t->match, &nl))
        return;
    t->alone = 1;
    trim_left(c, i, ws);
    t->ind = ws;
    t->ind_len = t->ostart - ws;
}

/* A block's open tag is standalone as usual, or inside a parent's body
 * (where the left side is ignored text) when it clears on the right; its
 * indentation is then the next line's. Otherwise an open/close pair alone
 * on its line indents with the blanks before the open tag. */
static void stand_block(struct comp *c, size_t i)
{
    struct tok *t = &c->toks[i];
    size_t ws, nl, q;
    int lc = left_clear(c, i, &ws);

    if (right_clear(c, i, &nl) && (lc || t->in_parent)) {
        if (!t->in_parent)
            trim_left(c, i, ws);
        trim_right(c, i, nl);
        t->alone = 1;
        q = nl;
        while (q < c->len && is_blank(c->src[q]))
            q++;
        t->ind = nl;
        t->ind_len = q - nl;
    } else if (lc && !t->in_parent && right_clear(c, t->match, &nl)) {
        trim_left(c, i, ws);
        t->ind = ws;
        t->ind_len = t->ostart - ws;
    }
}

static void stand_close(struct comp *c, size_t i)
{
    const struct tok *o = &c->toks[c->toks[i].match];
    size_t ws, nl;

    if (o->kind == TK_PARENT) {
        if (o->alone && right_clear(c, i, &nl))
            trim_right(c, i, nl);
    } else if (o->kind == TK_BLOCK && o->in_parent) {
        if (left_clear(c, i, &ws))
            trim_left(c, i, ws);
    } else {
        classic(c, i);
    }
}

static void standalone(struct comp *c)
{
    size_t i;

    for (i = 0; i < c->ntoks; i++) {
        switch (c->toks[i].kind) {
        case TK_SECTION:
        case TK_INVERTED:
        case TK_PARTIAL:
        case TK_COMMENT:
        case TK_DELIM: classic(c, i); break;
        case TK_PARENT: stand_parent(c, i); break;
        case TK_BLOCK: stand_block(c, i); break;
        case TK_CLOSE: stand_close(c, i); break;
        default: break;
        }
    }
}

/* --- Building the node tree ------------------------------------------ */

static size_t common_prefix(const char *s, size_t n, const char *p, size_t pn)
{
    size_t i = 0;

    while (i < n && i < pn && s[i] == p[i])
        i++;
    return i;
}

static enum err add_node(struct comp *c, enum node_kind kind, size_t str,
                         size_t len)
{
    struct node *n;

    if (c->nnodes == c->ncap) {
        size_t ncap = c->ncap ? c->ncap * 2 : 32;
        struct node *nn = realloc(c->nodes, ncap * sizeof(*nn));

        if (nn == NULL)
            return ERR_NOMEM;
        c->nodes = nn;
        c->ncap = ncap;
    }
    n = &c->nodes[c->nnodes++];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->size = 1;
    n->str = str;
    n->len = len;
    return ERR_OK;
}

/* build_text: copy the kept bytes, removing the strip prefix from each
 * line that starts inside them. */
static enum err build_text(struct comp *c, const struct tok *t,
                           const char *strip, size_t slen)
{
    size_t s = t->start, from = c->pool.len;
    int bol = s == 0 || c->src[s - 1] == '\n';
    enum err e = ERR_OK;

    while (s < t->end && e == ERR_OK) {
        const char *nl;
        size_t stop;

        if (bol)
            s += common_prefix(c->src + s, t->end - s, strip, slen);
        nl = memchr(c->src + s, '\n', t->end - s);
        stop = nl != NULL ? (size_t)(nl - c->src) + 1 : t->end;
        e = sb_add(&c->pool, c->src + s, stop - s);
        s = stop;
        bol = 1;
    }
    if (e != ERR_OK || c->pool.len == from)
        return e;
    return add_node(c, N_TEXT, from, c->pool.len - from);
}

/* add_parts: store a dotted name as NUL-terminated parts; "." has none. */
static enum err add_parts(struct comp *c, const struct tok *t, size_t *n)
{
    const char *s = c->src + t->name;
    size_t i = 0, len = t->name_len;
    enum err e = ERR_OK;

    *n = 0;
    if (len == 1 && s[0] == '.')
        return ERR_OK;
    while (i <= len && e == ERR_OK) {
        const char *dot = memchr(s + i, '.', len - i);
        size_t k = dot != NULL ? (size_t)(dot - s) - i : len - i;

        if (k == 0)
            return err_set(c->ec, ERR_INVALID, "line %zu: bad name '%.*s'",
                           line_of(c, t->ostart), shown(len), s);
        e = sb_add(&c->pool, s + i, k);
        if (e == ERR_OK)
            e = sb_addc(&c->pool, '\0');
        (*n)++;
        i += k + 1;
    }
    return e;
}

static enum err add_name(struct comp *c, const struct tok *t, size_t *n)
{
    enum err e = sb_add(&c->pool, c->src + t->name, t->name_len);

    *n = t->name_len;
    return e == ERR_OK ? sb_addc(&c->pool, '\0') : e;
}

static enum node_kind node_kind(enum tok_kind k)
{
    switch (k) {
    case TK_RAW: return N_RAW;
    case TK_SECTION: return N_SECTION;
    case TK_INVERTED: return N_INVERTED;
    case TK_PARTIAL: return N_PARTIAL;
    case TK_PARENT: return N_PARENT;
    case TK_BLOCK: return N_BLOCK;
    default: return N_VAR;
    }
}

/* build_tag: a var, section, partial, parent or block node. Indentation
 * is stored relative to the strip of the enclosing container (cs, cn). */
static enum err build_tag(struct comp *c, size_t i, size_t cs, size_t cn)
{
    struct tok *t = &c->toks[i];
    size_t from = c->pool.len, n, ind, skip;
    int nested =
        t->kind == TK_PARTIAL || t->kind == TK_PARENT || t->kind == TK_BLOCK;
    enum err e;

    e = nested ? add_name(c, t, &n) : add_parts(c, t, &n);
    ind = c->pool.len;
    skip = common_prefix(c->src + t->ind, t->ind_len, c->src + cs, cn);
    if (e == ERR_OK && nested)
        e = sb_add(&c->pool, c->src + t->ind + skip, t->ind_len - skip);
    if (e == ERR_OK)
        e = add_node(c, node_kind(t->kind), from, n);
    if (e != ERR_OK)
        return e;
    c->nodes[c->nnodes - 1].ind = ind;
    c->nodes[c->nnodes - 1].ind_len = c->pool.len - ind;
    t->node = c->nnodes - 1;
    t->strip = cs;
    t->strip_len = cn;
    if (t->kind == TK_BLOCK && t->alone) {
        t->strip = t->ind;
        t->strip_len = t->ind_len;
    }
    return ERR_OK;
}

/* keep_blocks: a parent's body only passes blocks; drop the rest. */
static void keep_blocks(struct comp *c, size_t p)
{
    size_t j = p + 1, w = p + 1;

    while (j < c->nnodes) {
        size_t sz = c->nodes[j].size;

        if (c->nodes[j].kind == N_BLOCK) {
            memmove(&c->nodes[w], &c->nodes[j], sz * sizeof(*c->nodes));
            w += sz;
        }
        j += sz;
    }
    c->nnodes = w;
    c->nodes[p].size = w - p;
}

static void build_close(struct comp *c, const struct tok *t)
{
    const struct tok *o = &c->toks[t->match];

    c->nodes[o->node].size = c->nnodes - o->node;
    if (o->kind == TK_PARENT)
        keep_blocks(c, o->node);
}

static enum err build(struct comp *c)
{
    size_t i;
    enum err e = ERR_OK;

    for (i = 0; i < c->ntoks && e == ERR_OK; i++) {
        const struct tok *t = &c->toks[i];
        size_t cs = 0, cn = 0; /* the container's strip, in src */

        if (t->up != NONE) {
            cs = c->toks[t->up].strip;
            cn = c->toks[t->up].strip_len;
        }
        if (t->kind == TK_TEXT)
            e = build_text(c, t, c->src + cs, cn);
        else if (t->kind == TK_CLOSE)
            build_close(c, t);
        else if (t->kind != TK_COMMENT && t->kind != TK_DELIM)
            e = build_tag(c, i, cs, cn);
    }
    return e;
}

static enum err finish(struct comp *c, struct tmpl **out)
{
    struct tmpl *t = malloc(sizeof(*t));

    if (t == NULL)
        return ERR_NOMEM;
    t->nodes = c->nodes;
    t->nnodes = c->nnodes;
    t->pool = sb_take(&c->pool); /* never NULL: the pool is not empty */
    c->nodes = NULL;
    *out = t;
    return ERR_OK;
}

enum err tmpl_compile(const char *src, size_t len, struct tmpl **out,
                      struct err_ctx *ec)
{
    struct comp c;
    enum err e;

    if (out == NULL || (src == NULL && len > 0))
        return err_set(ec, ERR_INVALID, "tmpl_compile: bad arguments");
    *out = NULL;
    memset(&c, 0, sizeof(c));
    c.src = src != NULL ? src : "";
    c.len = len;
    c.ec = ec;
    sb_init(&c.pool, 0);
    e = sb_addc(&c.pool, '\0');
    if (e == ERR_OK)
        e = lex(&c);
    if (e == ERR_OK)
        e = pair(&c);
    if (e == ERR_OK) {
        standalone(&c);
        e = build(&c);
    }
    if (e == ERR_OK)
        e = finish(&c, out);
    free(c.toks);
    free(c.nodes);
    sb_release(&c.pool);
    if (e == ERR_NOMEM)
        e = err_set(ec, e, "tmpl_compile: out of memory");
    return e;
}

void tmpl_free(struct tmpl *t)
{
    if (t == NULL)
        return;
    free(t->nodes);
    free(t->pool);
    free(t);
}

/* --- Rendering ------------------------------------------------------- */

/* A parent being rendered: its override blocks, and the chain that was
 * current where it was written (outer), in which overrides render. */
struct chain {
    const struct tmpl *t;
    size_t node;
    const struct chain *outer;
};

struct rstate {
    struct sb *out;
    const struct tmpl_set *set;
    struct err_ctx *ec;
    const struct chain *chain;
    unsigned depth;
    int bol; /* at a template line start: indent before the next output */
    size_t nctx, nind, ind_total;
    const cJSON *ctx[TMPL_MAX_DEPTH + 1];
    const char *ind[TMPL_MAX_DEPTH];
    size_t ind_len[TMPL_MAX_DEPTH];
};

static enum err render_nodes(struct rstate *st, const struct tmpl *t,
                             size_t first, size_t end);

static enum err enter(struct rstate *st)
{
    if (st->depth >= TMPL_MAX_DEPTH)
        return err_set(st->ec, ERR_INVALID,
                       "templates nest deeper than %d (recursive partial?)",
                       TMPL_MAX_DEPTH);
    st->depth++;
    return ERR_OK;
}

static enum err put_indent(struct rstate *st)
{
    size_t k;
    enum err e = ERR_OK;

    for (k = 0; k < st->nind && e == ERR_OK; k++)
        e = sb_add(st->out, st->ind[k], st->ind_len[k]);
    st->bol = 0;
    return e;
}

/* put_text: template text; its newlines start indented lines. */
static enum err put_text(struct rstate *st, const char *s, size_t n)
{
    enum err e = ERR_OK;

    if (st->ind_total == 0) {
        st->bol = n > 0 ? s[n - 1] == '\n' : st->bol;
        return sb_add(st->out, s, n);
    }
    while (n > 0 && e == ERR_OK) {
        const char *nl = memchr(s, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - s) + 1 : n;

        if (st->bol && s[0] != '\n')
            e = put_indent(st);
        if (e == ERR_OK)
            e = sb_add(st->out, s, k);
        st->bol = s[k - 1] == '\n';
        s += k;
        n -= k;
    }
    return e;
}

/* put_value: data; its newlines are not template lines. */
static enum err put_value(struct rstate *st, const char *s, size_t n,
                          int escape)
{
    enum err e = ERR_OK;

    if (n == 0)
        return ERR_OK;
    if (st->bol && st->ind_total > 0)
        e = put_indent(st);
    st->bol = 0;
    if (e != ERR_OK)
        return e;
    return escape ? sb_add_html(st->out, s, n) : sb_add(st->out, s, n);
}

static void push_indent(struct rstate *st, const char *s, size_t n)
{
    st->ind[st->nind] = s;
    st->ind_len[st->nind++] = n;
    st->ind_total += n;
}

static void pop_indent(struct rstate *st)
{
    st->ind_total -= st->ind_len[--st->nind];
}

/* lookup: the first part searches the context stack from the top; later
 * parts only the value found before them. */
static const cJSON *lookup(const struct rstate *st, const char *name,
                           size_t nparts)
{
    const cJSON *v = NULL;
    size_t i;

    if (st->nctx == 0)
        return NULL;
    if (nparts == 0)
        return st->ctx[st->nctx - 1];
    for (i = st->nctx; i-- > 0 && v == NULL;) {
        if (cJSON_IsObject(st->ctx[i]))
            v = cJSON_GetObjectItemCaseSensitive(st->ctx[i], name);
    }
    while (v != NULL && --nparts > 0) {
        name += strlen(name) + 1;
        v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, name)
                              : NULL;
    }
    return v;
}

static int falsey(const cJSON *v)
{
    return v == NULL || cJSON_IsFalse(v) || cJSON_IsNull(v) ||
           cJSON_IsInvalid(v) || (cJSON_IsArray(v) && v->child == NULL);
}

/* format_number: integers without a fraction (85), others in the
 * shortest form that reads back the same (1.21). */
static const char *format_number(double d, char *buf, size_t cap)
{
    if (d > -1e15 && d < 1e15 && (double)(long long)d == d) {
        (void)snprintf(buf, cap, "%lld", (long long)d); /* sized */
        return buf;
    }
    (void)snprintf(buf, cap, "%.15g", d); /* sized */
    if (strtod(buf, NULL) != d)
        (void)snprintf(buf, cap, "%.17g", d); /* sized */
    return buf;
}

static enum err render_var(struct rstate *st, const struct tmpl *t,
                           const struct node *n)
{
    const cJSON *v = lookup(st, t->pool + n->str, n->len);
    const char *s = "";
    char buf[64];

    if (cJSON_IsString(v) && v->valuestring != NULL)
        s = v->valuestring;
    else if (cJSON_IsNumber(v))
        s = format_number(v->valuedouble, buf, sizeof(buf));
    else if (cJSON_IsBool(v))
        s = cJSON_IsTrue(v) ? "true" : "false";
    return put_value(st, s, strlen(s), n->kind == N_VAR);
}

static enum err with_ctx(struct rstate *st, const cJSON *v,
                         const struct tmpl *t, size_t i)
{
    enum err e;

    st->ctx[st->nctx++] = v;
    e = render_nodes(st, t, i + 1, i + t->nodes[i].size);
    st->nctx--;
    return e;
}

static enum err render_section(struct rstate *st, const struct tmpl *t,
                               size_t i)
{
    const struct node *n = &t->nodes[i];
    const cJSON *v = lookup(st, t->pool + n->str, n->len), *it;
    enum err e;

    if (falsey(v) != (n->kind == N_INVERTED))
        return ERR_OK; /* the section is skipped */
    e = enter(st);
    if (e != ERR_OK)
        return e;
    if (n->kind == N_INVERTED) {
        e = render_nodes(st, t, i + 1, i + n->size);
    } else if (cJSON_IsArray(v)) {
        for (it = v->child; it != NULL && e == ERR_OK; it = it->next)
            e = with_ctx(st, it, t, i);
    } else {
        e = with_ctx(st, v, t, i);
    }
    st->depth--;
    return e;
}

/* render_partial: partials and parents; a missing one renders as empty. */
static enum err render_partial(struct rstate *st, const struct tmpl *t,
                               size_t i)
{
    const struct node *n = &t->nodes[i];
    const struct tmpl *p = tmpl_set_get(st->set, t->pool + n->str);
    struct chain link = {t, i, st->chain};
    enum err e;

    if (p == NULL)
        return ERR_OK;
    e = enter(st);
    if (e != ERR_OK)
        return e;
    if (n->kind == N_PARENT)
        st->chain = &link;
    push_indent(st, t->pool + n->ind, n->ind_len);
    e = render_nodes(st, p, 0, p->nnodes);
    pop_indent(st);
    st->chain = link.outer;
    st->depth--;
    return e;
}

/* find_override: the outermost parent link passing a block named name. */
static const struct chain *find_override(const struct chain *ch,
                                         const char *name, size_t *at)
{
    const struct chain *found = NULL;
    size_t j, end;

    for (; ch != NULL; ch = ch->outer) {
        end = ch->node + ch->t->nodes[ch->node].size;
        for (j = ch->node + 1; j < end; j += ch->t->nodes[j].size) {
            if (strcmp(ch->t->pool + ch->t->nodes[j].str, name) != 0)
                continue;
            found = ch;
            *at = j;
            break;
        }
    }
    return found;
}

static enum err render_block(struct rstate *st, const struct tmpl *t, size_t i)
{
    const struct node *n = &t->nodes[i];
    const struct chain *saved = st->chain, *ov;
    const struct tmpl *bt = t;
    size_t at = i;
    enum err e;

    ov = find_override(st->chain, t->pool + n->str, &at);
    if (ov != NULL) {
        bt = ov->t;
        st->chain = ov->outer;
    }
    e = enter(st);
    if (e == ERR_OK) {
        push_indent(st, t->pool + n->ind, n->ind_len);
        e = render_nodes(st, bt, at + 1, at + bt->nodes[at].size);
        pop_indent(st);
        st->depth--;
    }
    st->chain = saved;
    return e;
}

static enum err render_node(struct rstate *st, const struct tmpl *t, size_t i)
{
    const struct node *n = &t->nodes[i];

    switch (n->kind) {
    case N_TEXT: return put_text(st, t->pool + n->str, n->len);
    case N_VAR:
    case N_RAW: return render_var(st, t, n);
    case N_SECTION:
    case N_INVERTED: return render_section(st, t, i);
    case N_PARTIAL:
    case N_PARENT: return render_partial(st, t, i);
    case N_BLOCK: return render_block(st, t, i);
    }
    return ERR_OK;
}

static enum err render_nodes(struct rstate *st, const struct tmpl *t,
                             size_t first, size_t end)
{
    size_t i;
    enum err e = ERR_OK;

    for (i = first; i < end && e == ERR_OK; i += t->nodes[i].size)
        e = render_node(st, t, i);
    return e;
}

enum err tmpl_render(const struct tmpl *t, const cJSON *ctx,
                     const struct tmpl_set *set, struct sb *out,
                     struct err_ctx *ec)
{
    struct rstate st;
    size_t mark;
    enum err e;

    if (t == NULL || out == NULL)
        return err_set(ec, ERR_INVALID, "tmpl_render: NULL argument");
    st.out = out;
    st.set = set;
    st.ec = ec;
    st.chain = NULL;
    st.depth = 0;
    st.bol = 1;
    st.nind = st.ind_total = 0;
    st.ctx[0] = ctx;
    st.nctx = ctx != NULL;
    mark = out->len;
    e = render_nodes(&st, t, 0, t->nnodes);
    if (e == ERR_OK)
        return ERR_OK;
    out->len = mark; /* drop the partial page */
    if (out->cap > 0)
        out->buf[mark] = '\0';
    if (e == ERR_NOMEM)
        e = err_set(ec, e, "tmpl_render: output cap reached or out of memory");
    return e;
}

/* --- Template sets --------------------------------------------------- */

struct slot {
    char *name; /* NULL: empty slot */
    struct tmpl *t;
};

/* Open addressing, linear probing, at most half full. */
struct tmpl_set {
    struct slot *slots;
    size_t cap; /* 0 or a power of two */
    size_t count;
};

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static size_t find_slot(const struct slot *slots, size_t cap, const char *name)
{
    size_t i = hash_name(name) & (cap - 1);

    while (slots[i].name != NULL && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

struct tmpl_set *tmpl_set_new(void)
{
    return calloc(1, sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->cap; i++) {
        free(s->slots[i].name);
        tmpl_free(s->slots[i].t);
    }
    free(s->slots);
    free(s);
}

const struct tmpl *tmpl_set_get(const struct tmpl_set *s, const char *name)
{
    if (s == NULL || name == NULL || s->cap == 0)
        return NULL;
    return s->slots[find_slot(s->slots, s->cap, name)].t;
}

static enum err grow_set(struct tmpl_set *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 16, i;
    struct slot *ns = calloc(ncap, sizeof(*ns));

    if (ns == NULL)
        return ERR_NOMEM;
    for (i = 0; i < s->cap; i++) {
        if (s->slots[i].name != NULL)
            ns[find_slot(ns, ncap, s->slots[i].name)] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return ERR_OK;
}

enum err tmpl_set_add(struct tmpl_set *s, const char *name, const char *src,
                      size_t len, struct err_ctx *ec)
{
    struct tmpl *t;
    struct slot *sl;
    enum err e;

    if (s == NULL || name == NULL || name[0] == '\0')
        return err_set(ec, ERR_INVALID, "tmpl_set_add: bad arguments");
    if ((s->count + 1) * 2 > s->cap && grow_set(s) != ERR_OK)
        return err_set(ec, ERR_NOMEM, "tmpl_set_add: out of memory");
    e = tmpl_compile(src, len, &t, ec);
    if (e != ERR_OK)
        return e;
    sl = &s->slots[find_slot(s->slots, s->cap, name)];
    if (sl->name == NULL) {
        sl->name = strdup(name);
        if (sl->name == NULL) {
            tmpl_free(t);
            return err_set(ec, ERR_NOMEM, "tmpl_set_add: out of memory");
        }
        s->count++;
    }
    tmpl_free(sl->t);
    sl->t = t;
    return ERR_OK;
}

static enum err read_file(const char *path, struct sb *buf, struct err_ctx *ec)
{
    char chunk[8192];
    size_t n;
    enum err e = ERR_OK;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return err_set(ec, ERR_IO, "%s: %s", path, strerror(errno));
    do {
        n = fread(chunk, 1, sizeof(chunk), f);
        e = sb_add(buf, chunk, n);
    } while (n == sizeof(chunk) && e == ERR_OK);
    if (e == ERR_OK && ferror(f))
        e = err_set(ec, ERR_IO, "%s: read error", path);
    else if (e != ERR_OK)
        e = err_set(ec, e, "%s: too big or out of memory", path);
    (void)fclose(f); /* read-only: nothing to flush */
    return e;
}

/* load_file: add dir/file under the file name minus ".mustache";
 * directories and devices with such names are skipped. */
static enum err load_file(struct tmpl_set *s, const char *dir, const char *file,
                          struct err_ctx *ec)
{
    struct sb path, text;
    struct stat sbuf;
    char *name = strndup(file, strlen(file) - strlen(".mustache"));
    enum err e;

    sb_init(&path, 0);
    sb_init(&text, 0);
    e = name != NULL ? sb_addf(&path, "%s/%s", dir, file) : ERR_NOMEM;
    if (e != ERR_OK) {
        e = err_set(ec, e, "tmpl_set_load_dir: out of memory");
        goto out;
    }
    if (stat(sb_str(&path), &sbuf) != 0) {
        e = err_set(ec, ERR_IO, "%s: %s", sb_str(&path), strerror(errno));
        goto out;
    }
    if (!S_ISREG(sbuf.st_mode))
        goto out;
    e = read_file(sb_str(&path), &text, ec);
    if (e == ERR_OK)
        e = tmpl_set_add(s, name, sb_str(&text), text.len, ec);
    if (e == ERR_INVALID && ec != NULL) {
        struct err_ctx inner = *ec;

        e = err_set(ec, e, "%s: %s", sb_str(&path), inner.msg);
    }
out:
    free(name);
    sb_release(&path);
    sb_release(&text);
    return e;
}

static int is_template_file(const char *f)
{
    size_t n = strlen(f), k = strlen(".mustache");

    return f[0] != '.' && n > k && strcmp(f + n - k, ".mustache") == 0;
}

enum err tmpl_set_load_dir(struct tmpl_set *s, const char *dir,
                           struct err_ctx *ec)
{
    DIR *d;
    enum err e = ERR_OK;

    if (s == NULL || dir == NULL)
        return err_set(ec, ERR_INVALID, "tmpl_set_load_dir: bad arguments");
    d = opendir(dir);
    if (d == NULL)
        return err_set(ec, ERR_IO, "%s: %s", dir, strerror(errno));
    while (e == ERR_OK) {
        const struct dirent *de;

        errno = 0;
        de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                e = err_set(ec, ERR_IO, "%s: %s", dir, strerror(errno));
            break;
        }
        if (is_template_file(de->d_name))
            e = load_file(s, dir, de->d_name, ec);
    }
    (void)closedir(d); /* read-only directory stream */
    return e;
}

enum err tmpl_render_name(const struct tmpl_set *set, const char *name,
                          const cJSON *ctx, struct sb *out, struct err_ctx *ec)
{
    const struct tmpl *t = tmpl_set_get(set, name);

    if (t == NULL)
        return err_set(ec, ERR_NOTFOUND, "template '%s' not found",
                       name != NULL ? name : "(null)");
    return tmpl_render(t, ctx, set, out, ec);
}
