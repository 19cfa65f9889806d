/* file.c: whole-file reading (see file.h). */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum err file_read_all(const char *path, size_t max, char **out, size_t *len,
                       struct err_ctx *ec)
{
    FILE *f = fopen(path, "rb");
    struct stat stbuf;
    char *buf;
    size_t n;

    *out = NULL;
    if (f == NULL)
        return err_set(ec, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s",
                       path, strerror(errno));
    if (fstat(fileno(f), &stbuf) != 0 || !S_ISREG(stbuf.st_mode) ||
        (size_t)stbuf.st_size > max) {
        fclose(f);
        return err_set(ec, ERR_TOOBIG, "%s: not a regular file or too big",
                       path);
    }
    buf = malloc((size_t)stbuf.st_size + 1);
    if (buf == NULL) {
        fclose(f);
        return err_set(ec, ERR_NOMEM, "out of memory");
    }
    n = fread(buf, 1, (size_t)stbuf.st_size, f);
    fclose(f);
    if (n != (size_t)stbuf.st_size) {
        free(buf);
        return err_set(ec, ERR_IO, "%s: short read", path);
    }
    buf[n] = '\0';
    *out = buf;
    if (len != NULL)
        *len = n;
    return ERR_OK;
}
