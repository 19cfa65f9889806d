/* mkt_test.h: what the connectors' unit tests share: the names of
 * operations and outcomes as the parse.tsv fixtures write them.
 * Include after cmocka.h (it uses fail_msg). */
#ifndef OCOP_MKT_TEST_H
#define OCOP_MKT_TEST_H

#include "common/conn.h"

#include <string.h>

static enum mkt_op op_named(const char *s)
{
    static const char *const names[] = {
        "TOKEN_CODE", "TOKEN_REFRESH", "SHOP_INFO", "UPLOAD_IMAGE", "FIND",
        "CREATE",     "PRICE",         "STOCK",     "UNLIST",       "RELIST",
        "ORDERS",     "ORDER_LINES",   "UPDATE"};
    /* a new operation must be named here, not read past the end */
    _Static_assert(sizeof names / sizeof names[0] == MKT_OP_COUNT,
                   "op_named lacks an operation");
    for (int i = 0; i < MKT_OP_COUNT; i++)
        if (strcmp(names[i], s) == 0)
            return (enum mkt_op)i;
    fail_msg("unknown op %s", s);
    return MKT_OP_COUNT;
}

static enum mkt_outcome outcome_named(const char *s)
{
    static const char *const names[] = {
        "OK", "RETRY", "INVALID", "AUTH_EXPIRED", "AUTH_REVOKED", "NOT_FOUND"};
    for (int i = 0; i < 6; i++)
        if (strcmp(names[i], s) == 0)
            return (enum mkt_outcome)i;
    fail_msg("unknown outcome %s", s);
    return MKT_OK;
}

#endif
