/* testutil.h: small helpers shared by the unit tests (header-only).
 * Fixtures are data files under tests/fixtures/<module>/; the tests run
 * from the repository root (OCOP_ROOT overrides it). */
#ifndef OCOP_TESTUTIL_H
#define OCOP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *tu_root(void)
{
    const char *r = getenv("OCOP_ROOT");
    return r ? r : ".";
}

/* tu_open: opens a fixture, relative to the repository root. */
static inline FILE *tu_open(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", tu_root(), rel);
    return fopen(path, "r");
}

/* tu_next_row: reads the next non-comment line of a TSV fixture and
 * splits it at tabs into cols (up to max); returns the count, -1 at EOF. */
static inline int tu_next_row(FILE *f, char *line, size_t size, char **cols,
                              int max)
{
    while (fgets(line, (int)size, f) != NULL) {
        size_t n = strlen(line);
        int k = 0;
        char *p = line;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (line[0] == '#' || n == 0)
            continue;
        cols[k++] = p;
        while (k < max && (p = strchr(p, '\t')) != NULL) {
            *p++ = '\0';
            cols[k++] = p;
        }
        return k;
    }
    return -1;
}

#endif
