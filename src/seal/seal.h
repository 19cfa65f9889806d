/* seal.h: secrets sealed at rest (marketplace credentials and tokens).
 * Owns: the sealing key and libsodium secretbox (XSalsa20-Poly1305):
 *   a sealed value is nonce || box, so the database alone reveals nothing
 *   and any change to it is detected when opened.
 * The key: OCOP_SECRET_KEY (64 hex digits) when set, else the file
 *   named by seal_init (var/secret.key beside the database), created with
 *   mode 0600 and a random key the first time. Never in the database,
 *   never logged: losing it means reconnecting the shops, nothing more.
 * Does not own: what is sealed (sync), password hashing (auth).
 * Threads: seal_init once before threads start; then read-only. */
#ifndef OCOP_SEAL_H
#define OCOP_SEAL_H

#include "core/err.h"
#include "core/sb.h"

#include <stddef.h>

/* seal_init: load (or create) the key; key_file may be NULL when
 * OCOP_SECRET_KEY is set. Calling it again is harmless. */
enum err seal_init(const char *key_file, struct err_ctx *ec) MUST_CHECK;

/* seal_ready: 1 after a successful seal_init. */
int seal_ready(void);

/* seal_box: append the sealed form of plain[0..n) to out. */
enum err seal_box(const void *plain, size_t n, struct sb *out,
                  struct err_ctx *ec) MUST_CHECK;

/* seal_open: append the plain text of sealed[0..n) to out (NUL-kept by
 * sb); ERR_INVALID when it was altered or sealed with another key. */
enum err seal_open(const void *sealed, size_t n, struct sb *out,
                   struct err_ctx *ec) MUST_CHECK;

/* seal_key_file_default: "<dir of db_path>/secret.key" into buf. */
void seal_key_file_default(const char *db_path, char *buf, size_t size);

#endif
