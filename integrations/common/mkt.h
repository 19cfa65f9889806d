/* mkt.h: what the marketplace connectors share.
 * Owns: the text of a request parameter as the marketplaces sign it (a
 *   string as is, an integer in decimal; other JSON values refused), and
 *   the byte order of parameter names.
 * Does not own: any marketplace's signing rules (NAME/sign.c). */
#ifndef OCOP_MKT_H
#define OCOP_MKT_H

#include "core/err.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* mkt_param_text: *text points into v or buf. Integers above 2^53 lose
 * digits in JSON, so they must come as strings. */
enum err mkt_param_text(const cJSON *v, const char *name, char *buf,
                        size_t size, const char **text,
                        struct err_ctx *ec) MUST_CHECK;

/* mkt_by_name: qsort comparator of (const cJSON *) items by name, byte
 * order (strcmp compares as unsigned char). */
int mkt_by_name(const void *a, const void *b);

#endif
