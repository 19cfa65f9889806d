/* tmpl.h: Mustache templates.
 * Owns: compile at startup, render into an sb, HTML-escape {{x}}. Follows
 *   the Mustache spec (comments, delimiters, interpolation, sections,
 *   inverted, partials, ~inheritance); lambdas are not supported.
 * Does not own: finding theme files (theme.h), text (i18n.h), headers.
 * Memory: tmpl_compile() result is the caller's; free with tmpl_free().
 *   A tmpl_set owns the templates it holds; tmpl_set_get() borrows one,
 *   valid until the set is freed or that name is replaced. Nothing keeps
 *   a pointer to src, ctx or out after the call returns.
 * Threads: compiled templates and sets are read-only once built; any number
 *   of threads may render them at once, each with its own out sb. Adding to
 *   a set while others render from it is not allowed.
 * Rendering allocates nothing but the growth of out: the context stack,
 *   indentation and parent chains are fixed arrays of TMPL_MAX_DEPTH.
 * Errors: enum err; message in *ec when ec != NULL. Compile errors are
 *   ERR_INVALID and name the line. */
#ifndef OCOP_TMPL_H
#define OCOP_TMPL_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Deepest nesting of sections, partials, parents and blocks while
 * rendering; deeper (e.g. a partial including itself) is ERR_INVALID. */
#define TMPL_MAX_DEPTH 64

struct tmpl;     /* one compiled template, immutable, shareable by threads */
struct tmpl_set; /* named compiled templates (partials, ~inheritance parents) */

/* tmpl_compile: parse src (len bytes, need not be NUL-terminated) once into
 * a node tree. On success *out is the caller's (tmpl_free); on failure *out
 * is NULL. Unclosed or mismatched sections, unclosed tags, empty names and
 * bad delimiters are ERR_INVALID; allocation failure is ERR_NOMEM. */
enum err tmpl_compile(const char *src, size_t len, struct tmpl **out,
                      struct err_ctx *ec) MUST_CHECK;
void tmpl_free(struct tmpl *t); /* NULL is a no-op */

/* tmpl_set_new: an empty set, or NULL when out of memory. */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s); /* NULL is a no-op */

/* tmpl_set_add: compile src under name (copied), replacing (and freeing)
 * a template of the same name. On error the set is unchanged. */
enum err tmpl_set_add(struct tmpl_set *s, const char *name, const char *src,
                      size_t len, struct err_ctx *ec) MUST_CHECK;

/* tmpl_set_load_dir: add every regular *.mustache file of dir (not
 * recursive, dot files skipped) under its file name without ".mustache".
 * Stops at the first failure: ERR_IO for files, or the compile error with
 * the path prefixed to the message; templates added before it stay. */
enum err tmpl_set_load_dir(struct tmpl_set *s, const char *dir,
                           struct err_ctx *ec) MUST_CHECK;

/* tmpl_set_get: the template named name, or NULL if absent (or s NULL).
 * Borrowed: valid until the set is freed or name is replaced. */
const struct tmpl *tmpl_set_get(const struct tmpl_set *s, const char *name);

/* tmpl_render: append t rendered with ctx (NULL renders as an empty
 * context) to out. Partials and parents are looked up in set; when set is
 * NULL or lacks the name they render as empty. {{x}} escapes & < > " '.
 * Falsey for sections: missing, false, null, empty array (0 and "" are
 * truthy, as in the spec). On failure out is restored to its length at the
 * call: ERR_NOMEM when out's cap is reached, ERR_INVALID past
 * TMPL_MAX_DEPTH. */
enum err tmpl_render(const struct tmpl *t, const cJSON *ctx,
                     const struct tmpl_set *set, struct sb *out,
                     struct err_ctx *ec) MUST_CHECK;

/* tmpl_render_name: tmpl_render() of the set's template name;
 * ERR_NOTFOUND if absent. */
enum err tmpl_render_name(const struct tmpl_set *set, const char *name,
                          const cJSON *ctx, struct sb *out,
                          struct err_ctx *ec) MUST_CHECK;

#endif
