/* mkt.c: what the marketplace connectors share (see mkt.h). */
#include "common/mkt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum err mkt_param_text(const cJSON *v, const char *name, char *buf,
                        size_t size, const char **text, struct err_ctx *ec)
{
    if (cJSON_IsString(v)) {
        *text = v->valuestring;
        return ERR_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 9007199254740992.0)
        return err_set(ec, ERR_INVALID,
                       "param %s: expected a string or an integer", name);
    (void)snprintf(buf, size, "%lld", (long long)v->valuedouble);
    *text = buf;
    return ERR_OK;
}

int mkt_by_name(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

    return strcmp(x->string, y->string);
}
