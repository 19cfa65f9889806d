/* arena.h: the per-request memory arena.
 * Owns: bump allocation from a chain of blocks, freed all at once.
 * Memory: everything arena_*() returns lives until arena_release(); never
 *   store it in a cache or a global. An arena is used by one thread.
 * Errors: allocation failure returns NULL (callers map it to ERR_NOMEM). */
#ifndef OCOP_ARENA_H
#define OCOP_ARENA_H

#include "core/err.h"

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t block_size;
    size_t total; /* bytes handed out, for limits and tests */
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) PRINTF_LIKE(2, 3);

#endif
