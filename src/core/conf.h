/* conf.h: the program's configuration.
 * Owns: defaults, the config file (key = value lines), OCOP_* environment
 *   variables and command-line flags, in that order of precedence (last
 *   wins, as in git), validated into one read-only struct conf, and where
 *   each value came from (--print-config).
 * Does not own: parsing subcommands (ocop.c).
 * Keys: db.path, listen, theme, themes.dir, catalog.dir, base_url,
 *   threads, log.level, session.idle_s, session.max_s, media.dir,
 *   db.synchronous (normal | full).
 *   Environment: OCOP_ and the key in capitals with "_" for "." (for
 *   example OCOP_DB_PATH, OCOP_SESSION_IDLE_S); OCOP_CONFIG names the
 *   file. */
#ifndef OCOP_CONF_H
#define OCOP_CONF_H

#include "core/err.h"

#include <stdio.h>

#define CONF_STR 1024

enum conf_source { CONF_DEFAULT, CONF_FILE, CONF_ENV, CONF_FLAG };

struct conf {
    char db_path[CONF_STR];
    char listen_host[256];
    int listen_port;
    char theme[128];
    char themes_dir[CONF_STR];
    char catalog_dir[CONF_STR];
    char base_url[CONF_STR]; /* public origin, no trailing slash */
    int base_url_derived;    /* made from listen by conf_finish */
    int threads;             /* 0: one per core */
    char log_level[16];
    int session_idle_s; /* a session unused this long ends */
    int session_max_s;  /* and ends this long after sign-in anyway */
    char media_dir[CONF_STR]; /* processed uploads (public) */
    int db_sync_full;         /* db.synchronous = full */
    enum conf_source src[12]; /* by key index, for --print-config */
};

void conf_defaults(struct conf *c);
/* conf_load_file: applies a config file; a missing file is ERR_NOTFOUND. */
enum err conf_load_file(struct conf *c, const char *path,
                        struct err_ctx *ec) MUST_CHECK;
enum err conf_load_env(struct conf *c, struct err_ctx *ec) MUST_CHECK;
/* conf_set: sets key from a flag or another source. */
enum err conf_set(struct conf *c, const char *key, const char *value,
                  enum conf_source src, struct err_ctx *ec) MUST_CHECK;
/* conf_finish: derives base_url when unset, checks values. */
enum err conf_finish(struct conf *c, struct err_ctx *ec) MUST_CHECK;
void conf_print(const struct conf *c, FILE *out);

#endif
