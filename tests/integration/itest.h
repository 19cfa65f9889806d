/* itest.h: integration test harness.
 * Owns: starting the real ocop server (OCOP_BIN, default ./ocop) on a free
 *   loopback port with a fresh database in a temporary folder, stopping it
 *   (SIGTERM; its exit status is checked, so a sanitizer report at exit
 *   fails the test), crashing and restarting it on the same port and
 *   database, and HTTP requests with libcurl. A server dies with the
 *   thread that started it: start and restart from the main thread.
 * Tests run from the repository root. */
#ifndef OCOP_ITEST_H
#define OCOP_ITEST_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <sys/types.h>

struct itest_server {
    pid_t pid;
    int port;
    char dir[64];
    char base[64]; /* http://127.0.0.1:PORT */
};

struct itest_resp {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *headers; /* raw header block, lower-cased names */
};

/* itest_start: 0 on success. */
int itest_start(struct itest_server *s);
/* itest_start_setup: like itest_start, calling setup(db_path, cls) on the
 * new database before the server starts (to add accounts and keys). */
int itest_start_setup(struct itest_server *s,
                      void (*setup)(const char *db_path, void *cls), void *cls);
/* itest_ocop: runs `$OCOP_BIN ARGS --db DB` (the release or sanitizer
 * binary), feeding input (may be NULL) on stdin; the first line of its
 * stdout goes to out. 0 when it exited with 0. */
int itest_ocop(const char *db, const char *input, char *out, size_t size,
               const char *args);
/* itest_kill: SIGKILL (a crash) and reap; the database stays. 0 when the
 * server was running. */
int itest_kill(struct itest_server *s);
/* itest_restart: after itest_kill, starts the same binary on the same port
 * with the same database. 0 when it is serving again. */
int itest_restart(struct itest_server *s);
/* itest_stop: 0 when the server exited cleanly with status 0. */
int itest_stop(struct itest_server *s);

/* itest_get: a GET (or method) of base+path with optional extra header
 * lines (NULL-terminated array); path is sent as is. 0 on success. */
int itest_request(struct itest_server *s, const char *method,
                  const char *path, const char *const *headers,
                  const char *body, struct itest_resp *r);
int itest_get(struct itest_server *s, const char *path, struct itest_resp *r);
void itest_resp_free(struct itest_resp *r);

/* itest_header: the value of header name (lower case) or NULL; the result
 * is malloc'ed. */
char *itest_header(const struct itest_resp *r, const char *name);

/* The mock marketplaces (build/mockmkt), for the sync tests: started on a
 * free loopback port; srv.base is its origin, so itest_request works on
 * it. args are extra flags ("--seed 7"), or NULL. */
struct itest_mock {
    struct itest_server srv;
};
int itest_mock_start(struct itest_mock *m, const char *args);
int itest_mock_stop(struct itest_mock *m);
/* itest_mock_call: a control call (POST with a JSON body, or GET when
 * body is NULL); the answer parsed into *out (may be NULL). Returns the
 * HTTP status, or -1. */
long itest_mock_call(struct itest_mock *m, const char *path, const char *body,
                     cJSON **out);
#endif
