/* seal.c: see seal.h. */
#include "seal/seal.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The one key of the process: written once by seal_init (under the
 * mutex), read-only afterwards. */
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char seal_key[crypto_secretbox_KEYBYTES];
static int key_loaded;

static enum err key_from_hex(const char *hex, struct err_ctx *ec)
{
    size_t len = 0;
    if (sodium_hex2bin(seal_key, sizeof seal_key, hex, strlen(hex), " \n",
                       &len, NULL) != 0 ||
        len != sizeof seal_key)
        return err_set(ec, ERR_INVALID,
                       "the secret key must be %zu bytes in hex",
                       sizeof seal_key);
    return ERR_OK;
}

static enum err key_create(const char *path, struct err_ctx *ec)
{
    char hex[crypto_secretbox_KEYBYTES * 2 + 2];
    randombytes_buf(seal_key, sizeof seal_key);
    sodium_bin2hex(hex, sizeof hex - 1, seal_key, sizeof seal_key);
    hex[crypto_secretbox_KEYBYTES * 2] = '\n';
    hex[crypto_secretbox_KEYBYTES * 2 + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return err_set(ec, ERR_IO, "%s: %s", path, strerror(errno));
    size_t n = strlen(hex);
    ssize_t w = write(fd, hex, n);
    int sync_failed = fsync(fd);
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (w != (ssize_t)n || sync_failed)
        return err_set(ec, ERR_IO, "%s: short write", path);
    return ERR_OK;
}

static enum err key_from_file(const char *path, struct err_ctx *ec)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return key_create(path, ec);
        return err_set(ec, ERR_IO, "%s: %s", path, strerror(errno));
    }
    char hex[256] = "";
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[n] = '\0';
    enum err e = key_from_hex(hex, ec);
    sodium_memzero(hex, sizeof hex);
    return e;
}

enum err seal_init(const char *key_file, struct err_ctx *ec)
{
    if (sodium_init() < 0)
        return err_set(ec, ERR_IO, "libsodium did not initialise");
    pthread_mutex_lock(&key_lock);
    enum err e = ERR_OK;
    if (!key_loaded) {
        const char *env = getenv("OCOP_SECRET_KEY");
        if (env && *env)
            e = key_from_hex(env, ec);
        else if (key_file && *key_file)
            e = key_from_file(key_file, ec);
        else
            e = err_set(ec, ERR_INVALID, "no secret key file");
        key_loaded = e == ERR_OK;
    }
    pthread_mutex_unlock(&key_lock);
    return e;
}

int seal_ready(void)
{
    pthread_mutex_lock(&key_lock);
    int r = key_loaded;
    pthread_mutex_unlock(&key_lock);
    return r;
}

enum err seal_box(const void *plain, size_t n, struct sb *out,
                  struct err_ctx *ec)
{
    if (!seal_ready())
        return err_set(ec, ERR_INVALID, "the secret key is not loaded");
    size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *buf = malloc(total);
    if (!buf)
        return err_set(ec, ERR_NOMEM, "out of memory");
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, plain, n, buf,
                          seal_key);
    enum err e = sb_add(out, buf, total);
    free(buf);
    return e == ERR_OK ? ERR_OK : err_set(ec, e, "out of memory");
}

enum err seal_open(const void *sealed, size_t n, struct sb *out,
                   struct err_ctx *ec)
{
    if (!seal_ready())
        return err_set(ec, ERR_INVALID, "the secret key is not loaded");
    if (n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return err_set(ec, ERR_INVALID, "sealed value too short");
    const unsigned char *s = sealed;
    size_t plain_n = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    unsigned char *buf = malloc(plain_n + 1);
    if (!buf)
        return err_set(ec, ERR_NOMEM, "out of memory");
    enum err e = ERR_OK;
    if (crypto_secretbox_open_easy(buf, s + crypto_secretbox_NONCEBYTES,
                                   n - crypto_secretbox_NONCEBYTES, s,
                                   seal_key) != 0)
        e = err_set(ec, ERR_INVALID,
                    "sealed value altered or sealed with another key");
    else if (sb_add(out, buf, plain_n) != ERR_OK)
        e = err_set(ec, ERR_NOMEM, "out of memory");
    sodium_memzero(buf, plain_n + 1);
    free(buf);
    return e;
}

void seal_key_file_default(const char *db_path, char *buf, size_t size)
{
    const char *slash = strrchr(db_path, '/');
    if (!slash)
        snprintf(buf, size, "secret.key");
    else
        snprintf(buf, size, "%.*s/secret.key", (int)(slash - db_path),
                 db_path);
}
