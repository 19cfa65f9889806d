/* file.h: whole-file reading.
 * Owns: reading a regular file into memory with a size cap.
 * Memory: *out is malloc'ed and NUL-terminated; the caller frees it. */
#ifndef OCOP_FILE_H
#define OCOP_FILE_H

#include "core/err.h"

#include <stddef.h>

enum err file_read_all(const char *path, size_t max, char **out, size_t *len,
                       struct err_ctx *ec) MUST_CHECK;

#endif
