/* conf.c: configuration from defaults, file, environment, flags. */
#include "core/conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum key {
    K_DB, K_LISTEN, K_THEME, K_THEMES_DIR, K_CATALOG_DIR, K_BASE_URL,
    K_THREADS, K_LOG_LEVEL, K_IDLE, K_MAX, K_MEDIA, K_SYNC, K_COUNT
};

static const char *const key_names[K_COUNT] = {
    "db.path",  "listen",   "theme",   "themes.dir",
    "catalog.dir", "base_url", "threads", "log.level",
    "session.idle_s", "session.max_s", "media.dir", "db.synchronous",
};
static const char *const env_names[K_COUNT] = {
    "OCOP_DB_PATH",  "OCOP_LISTEN",   "OCOP_THEME",   "OCOP_THEMES_DIR",
    "OCOP_CATALOG_DIR", "OCOP_BASE_URL", "OCOP_THREADS", "OCOP_LOG_LEVEL",
    "OCOP_SESSION_IDLE_S", "OCOP_SESSION_MAX_S", "OCOP_MEDIA_DIR",
    "OCOP_DB_SYNCHRONOUS",
};

void conf_defaults(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    (void)snprintf(c->db_path, sizeof(c->db_path), "var/ocop.db");
    (void)snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->listen_port = 8080;
    (void)snprintf(c->theme, sizeof(c->theme), "default");
    (void)snprintf(c->themes_dir, sizeof(c->themes_dir), "themes");
    (void)snprintf(c->catalog_dir, sizeof(c->catalog_dir), "catalog");
    (void)snprintf(c->log_level, sizeof(c->log_level), "info");
    c->session_idle_s = 2 * 3600;
    c->session_max_s = 12 * 3600;
}

static int key_index(const char *key)
{
    int i;

    for (i = 0; i < K_COUNT; i++)
        if (strcmp(key, key_names[i]) == 0)
            return i;
    return -1;
}

static enum err copy_value(char *dst, size_t size, const char *v,
                           const char *key, struct err_ctx *ec)
{
    if (strlen(v) >= size)
        return err_set(ec, ERR_INVALID, "%s: value too long", key);
    memcpy(dst, v, strlen(v) + 1);
    return ERR_OK;
}

static enum err parse_listen(struct conf *c, const char *v,
                             struct err_ctx *ec)
{
    const char *colon = strrchr(v, ':');
    char *end;
    long port;

    if (colon == NULL || (size_t)(colon - v) >= sizeof(c->listen_host))
        return err_set(ec, ERR_INVALID, "listen: expected HOST:PORT, got %s",
                       v);
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
        return err_set(ec, ERR_INVALID, "listen: bad port in %s", v);
    memcpy(c->listen_host, v, (size_t)(colon - v));
    c->listen_host[colon - v] = '\0';
    c->listen_port = (int)port;
    return ERR_OK;
}

static enum err parse_int(int *out, const char *key, const char *v, long lo,
                          long hi, struct err_ctx *ec)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < lo || n > hi)
        return err_set(ec, ERR_INVALID, "%s: expected %ld..%ld, got %s", key,
                       lo, hi, v);
    *out = (int)n;
    return ERR_OK;
}

enum err conf_set(struct conf *c, const char *key, const char *v,
                  enum conf_source src, struct err_ctx *ec)
{
    int k = key_index(key);
    enum err e;

    switch (k) {
    case K_DB: e = copy_value(c->db_path, sizeof(c->db_path), v, key, ec); break;
    case K_LISTEN: e = parse_listen(c, v, ec); break;
    case K_THEME: e = copy_value(c->theme, sizeof(c->theme), v, key, ec); break;
    case K_THEMES_DIR:
        e = copy_value(c->themes_dir, sizeof(c->themes_dir), v, key, ec);
        break;
    case K_CATALOG_DIR:
        e = copy_value(c->catalog_dir, sizeof(c->catalog_dir), v, key, ec);
        break;
    case K_BASE_URL:
        e = copy_value(c->base_url, sizeof(c->base_url), v, key, ec);
        break;
    case K_THREADS: e = parse_int(&c->threads, key, v, 0, 256, ec); break;
    case K_IDLE: e = parse_int(&c->session_idle_s, key, v, 1, 86400 * 30, ec); break;
    case K_MAX: e = parse_int(&c->session_max_s, key, v, 1, 86400 * 90, ec); break;
    case K_SYNC:
        if (strcmp(v, "full") != 0 && strcmp(v, "normal") != 0)
            return err_set(ec, ERR_INVALID, "%s: normal or full", key);
        c->db_sync_full = strcmp(v, "full") == 0;
        e = ERR_OK;
        break;
    case K_MEDIA:
        e = copy_value(c->media_dir, sizeof(c->media_dir), v, key, ec);
        break;
    case K_LOG_LEVEL:
        e = copy_value(c->log_level, sizeof(c->log_level), v, key, ec);
        break;
    default: return err_set(ec, ERR_INVALID, "unknown setting %s", key);
    }
    if (e == ERR_OK)
        c->src[k] = src;
    return e;
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

enum err conf_load_file(struct conf *c, const char *path, struct err_ctx *ec)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int lineno = 0;
    enum err e = ERR_OK;

    if (f == NULL)
        return err_set(ec, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                       "%s: %s", path, strerror(errno));
    while (e == ERR_OK && fgets(line, sizeof(line), f) != NULL) {
        char *eq, *s = trim(line);
        lineno++;
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (eq == NULL) {
            e = err_set(ec, ERR_INVALID, "%s:%d: expected key = value", path,
                        lineno);
            break;
        }
        *eq = '\0';
        e = conf_set(c, trim(s), trim(eq + 1), CONF_FILE, ec);
    }
    fclose(f);
    return e;
}

enum err conf_load_env(struct conf *c, struct err_ctx *ec)
{
    int k;
    enum err e = ERR_OK;

    for (k = 0; k < K_COUNT && e == ERR_OK; k++) {
        const char *v = getenv(env_names[k]);
        if (v != NULL && *v != '\0')
            e = conf_set(c, key_names[k], v, CONF_ENV, ec);
    }
    return e;
}

enum err conf_finish(struct conf *c, struct err_ctx *ec)
{
    size_t n;

    if (c->threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        c->threads = cores > 0 ? (int)(cores < 64 ? cores : 64) : 2;
    }
    if (c->media_dir[0] == '\0') {
        const char *slash = strrchr(c->db_path, '/');
        int dir_len = slash ? (int)(slash - c->db_path) : 1;
        (void)snprintf(c->media_dir, sizeof(c->media_dir), "%.*s/media",
                       dir_len, slash ? c->db_path : ".");
    }
    if (c->base_url[0] == '\0') {
        (void)snprintf(c->base_url, sizeof(c->base_url), "http://%s:%d",
                       c->listen_host, c->listen_port);
        c->base_url_derived = 1;
    }
    n = strlen(c->base_url);
    if (n > 0 && c->base_url[n - 1] == '/')
        c->base_url[n - 1] = '\0';
    if (strncmp(c->base_url, "http://", 7) != 0 &&
        strncmp(c->base_url, "https://", 8) != 0)
        return err_set(ec, ERR_INVALID, "base_url must start with http(s)://");
    if (strchr(c->theme, '/') != NULL || c->theme[0] == '.')
        return err_set(ec, ERR_INVALID, "theme: a folder name, not a path");
    return ERR_OK;
}

void conf_print(const struct conf *c, FILE *out)
{
    static const char *const src_names[] = {"default", "file", "env", "flag"};
    char listen[300], threads[16], idle[16], max[16];
    const char *values[K_COUNT];
    int k;

    (void)snprintf(listen, sizeof(listen), "%s:%d", c->listen_host,
                   c->listen_port);
    (void)snprintf(threads, sizeof(threads), "%d", c->threads);
    values[K_DB] = c->db_path;
    values[K_LISTEN] = listen;
    values[K_THEME] = c->theme;
    values[K_THEMES_DIR] = c->themes_dir;
    values[K_CATALOG_DIR] = c->catalog_dir;
    values[K_BASE_URL] = c->base_url;
    values[K_THREADS] = threads;
    values[K_LOG_LEVEL] = c->log_level;
    (void)snprintf(idle, sizeof(idle), "%d", c->session_idle_s);
    (void)snprintf(max, sizeof(max), "%d", c->session_max_s);
    values[K_IDLE] = idle;
    values[K_MAX] = max;
    values[K_MEDIA] = c->media_dir;
    values[K_SYNC] = c->db_sync_full ? "full" : "normal";
    for (k = 0; k < K_COUNT; k++)
        fprintf(out, "%s = %s\t# %s\n", key_names[k], values[k],
                src_names[c->src[k]]);
}
