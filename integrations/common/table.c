/* table.c: the connectors, in the order people see them. */
#include "common/conn.h"
#include "lazada/lazada.h"
#include "sendo/sendo.h"
#include "shopee/shopee.h"
#include "tiki/tiki.h"
#include "tiktok/tiktok.h"

#include <string.h>

static const struct mkt_connector *const table[] = {
    &shopee_connector, &lazada_connector, &tiktok_connector,
    &tiki_connector,   &sendo_connector,  NULL};

const struct mkt_connector *const *mkt_connectors(void)
{
    return table;
}

const struct mkt_connector *mkt_connector(const char *name)
{
    for (int i = 0; name && table[i]; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}
