/* i18n.h: user-facing text and the Vietnamese ways of writing numbers.
 * Owns: the message catalogues of a theme (messages/vi.json is the
 *   reference and complete; messages/en.json falls back to vi key by key),
 *   choosing the language of a request, and formatting money (125.000 ₫),
 *   dates (22/05/2026) and counts for display.
 * Does not own: data (catalog), templates (tmpl).
 * Memory: struct i18n is built before the worker threads start and is
 *   read-only after; strings it returns live as long as it does.
 * Log lines, JSON error codes and marketplace payloads are never
 *   translated. */
#ifndef OCOP_I18N_H
#define OCOP_I18N_H

#include "core/err.h"
#include "core/sb.h"

#include <cjson/cJSON.h>
#include <stdint.h>

enum lang { LANG_VI, LANG_EN, LANG_COUNT };

struct i18n;

enum err i18n_load(const char *messages_dir, struct i18n **out,
                   struct err_ctx *ec) MUST_CHECK;
void i18n_free(struct i18n *i);

/* i18n_t: the text of key in lang; the key itself when no catalogue has
 * it (a test checks that never happens). */
const char *i18n_t(const struct i18n *i, enum lang lang, const char *key);

/* i18n_messages: the whole catalogue of lang (en merged over vi), for
 * templates ({{t.key}}). Borrowed. */
const cJSON *i18n_messages(const struct i18n *i, enum lang lang);

const char *i18n_lang_code(enum lang lang); /* "vi", "en" */
/* i18n_lang_parse: "vi"/"en" -> lang; -1 otherwise. */
int i18n_lang_parse(const char *code);
/* i18n_lang_from_header: the best language of an Accept-Language value. */
enum lang i18n_lang_from_header(const char *accept_language);

/* i18n_money: 125000 -> "125.000 ₫" (vi, NBSP before ₫) or "₫125,000". */
enum err i18n_money(int64_t vnd, enum lang lang, struct sb *out) MUST_CHECK;
/* i18n_date: "2026-05-22" -> "22/05/2026" (vi) or "22 May 2026" (en). */
enum err i18n_date(const char *iso, enum lang lang, struct sb *out) MUST_CHECK;

#endif
