/* auth.c: accounts, sessions, API keys, authorization (see auth.h). */
#include "auth/auth.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Generated from src/auth/common-passwords.txt by src/tools/embed.c. */
extern const struct {
    const char *name;
    const char *text;
} ocop_common_passwords[];

/* Argon2id with OWASP's recommended cost (19 MiB, 2 passes): strong, and
 * small enough that a sign-in does not blow the server's memory budget. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT ((size_t)19 << 20)
#define RESET_VALID_S (24 * 3600)
#define SEEN_REFRESH_S 60

static const char *const role_names[] = {"public", "admin", "producer",
                                         "booth"};

const char *auth_role_name(enum auth_role r)
{
    return (unsigned)r < 4 ? role_names[r] : "public";
}

int auth_role_parse(const char *name)
{
    int i;

    for (i = 1; i < 4; i++)
        if (name != NULL && strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

/* --- passwords ----------------------------------------------------------- */

static int is_common(const char *password)
{
    char line[128];
    size_t n = strlen(password), i;
    const char *list = ocop_common_passwords[0].text, *p;

    if (n + 3 > sizeof(line))
        return 0;
    line[0] = '\n';
    for (i = 0; i < n; i++)
        line[i + 1] = (char)tolower((unsigned char)password[i]);
    line[n + 1] = '\n';
    line[n + 2] = '\0';
    p = strstr(list, line);
    return p != NULL;
}

enum err auth_check_password(const char *password, struct err_ctx *ec)
{
    size_t chars = 0;
    const unsigned char *p;

    if (password == NULL)
        return err_user(ec, ERR_UNPROCESSABLE, "err_password_short",
                        "password", "no password");
    for (p = (const unsigned char *)password; *p != '\0'; p++)
        chars += (*p & 0xC0) != 0x80; /* count characters, not bytes */
    if (chars < AUTH_MIN_PASSWORD)
        return err_user(ec, ERR_UNPROCESSABLE, "err_password_short",
                        "password", "password shorter than %d",
                        AUTH_MIN_PASSWORD);
    if (strlen(password) > 1024)
        return err_user(ec, ERR_UNPROCESSABLE, "err_password_long",
                        "password", "password too long");
    if (is_common(password))
        return err_user(ec, ERR_UNPROCESSABLE, "err_password_common",
                        "password", "a common password");
    return ERR_OK;
}

static enum err hash_password(const char *password,
                              char out[crypto_pwhash_STRBYTES],
                              struct err_ctx *ec)
{
    if (sodium_init() < 0 ||
        crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT,
                              PW_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(ec, ERR_NOMEM, "cannot hash the password");
    return ERR_OK;
}

/* --- tokens -------------------------------------------------------------- */

static void new_token(char out[AUTH_TOKEN_CHARS])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, AUTH_TOKEN_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

/* Tokens carry 256 bits of entropy, so a fast keyed-free hash is enough:
 * the database alone never lets anyone sign in. */
static void token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token),
                       NULL, 0);
}

int auth_csrf_ok(const struct auth_principal *p, const char *token)
{
    size_t n = strlen(p->csrf);

    if (token == NULL || n == 0 || strlen(token) != n)
        return 0;
    return sodium_memcmp(p->csrf, token, n) == 0;
}

/* --- users --------------------------------------------------------------- */

static enum err link_producer(struct db *db, int64_t user_id,
                              const char *slug, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO user_producers (user_id, producer_id)"
        " SELECT ?1, id FROM producers WHERE slug = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_producer_not_found", "producer",
                        "no producer %s", slug);
    return e;
}

static int valid_username(const char *u)
{
    size_t n = strlen(u), i;

    if (n < 3 || n > 60)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)u[i]) && u[i] != '.' && u[i] != '_' &&
            u[i] != '-' && u[i] != '@')
            return 0;
    return 1;
}

static enum err insert_user(struct db *db, const char *username,
                            enum auth_role role, const char *hash,
                            int64_t *id, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO users (username, role, password_hash) VALUES (?1, ?2, ?3)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, auth_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    if (e == ERR_DB &&
        sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_UNIQUE)
        return err_user(ec, ERR_CONFLICT, "err_username_taken", "username",
                        "username %s exists", username);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

enum err auth_user_add(struct db *db, const char *username,
                       enum auth_role role, const char *password,
                       const char *producer_slug, const struct actor *who,
                       int64_t *id_out, struct err_ctx *ec)
{
    char hash[crypto_pwhash_STRBYTES];
    int64_t id = 0;
    cJSON *after;
    enum err e;

    if (username == NULL || !valid_username(username))
        return err_user(ec, ERR_UNPROCESSABLE, "err_username", "username",
                        "invalid username");
    if (role == ROLE_PRODUCER && (producer_slug == NULL || !*producer_slug))
        return err_user(ec, ERR_UNPROCESSABLE, "err_producer_required",
                        "producer", "a producer account needs --producer");
    e = auth_check_password(password, ec);
    if (e == ERR_OK)
        e = hash_password(password, hash, ec);
    if (e == ERR_OK)
        e = insert_user(db, username, role, hash, &id, ec);
    if (e == ERR_OK && producer_slug != NULL && *producer_slug)
        e = link_producer(db, id, producer_slug, ec);
    sodium_memzero(hash, sizeof(hash));
    if (e != ERR_OK)
        return e;
    after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "username", username);
    cJSON_AddStringToObject(after, "role", auth_role_name(role));
    if (producer_slug != NULL)
        cJSON_AddStringToObject(after, "producer", producer_slug);
    e = audit_record(db, who, "user.create", "user", id, username, NULL, after,
                     ec);
    cJSON_Delete(after);
    if (id_out != NULL)
        *id_out = id;
    return e;
}

/* --- sign-in and sessions ------------------------------------------------ */

static int count_failures(struct db *db, const char *sql, const char *key,
                          time_t since)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int n = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)since);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return n;
}

/* rate_limited: failures within the window, counted since the account's
 * or the address's last success. */
static int rate_limited(struct db *db, const char *username, const char *ip,
                        time_t now)
{
    static const char by_user[] =
        "SELECT count(*) FROM login_attempts WHERE username = ?1 AND ok = 0"
        " AND at >= max(?2, coalesce((SELECT max(at) FROM login_attempts"
        " WHERE username = ?1 AND ok = 1), 0))";
    static const char by_ip[] =
        "SELECT count(*) FROM login_attempts WHERE ip = ?1 AND ok = 0"
        " AND at > ?2";
    time_t since = now - AUTH_LOGIN_WINDOW_S;

    return count_failures(db, by_user, username, since) >= AUTH_MAX_FAILS_USER ||
           count_failures(db, by_ip, ip, since) >= AUTH_MAX_FAILS_IP;
}

static enum err record_attempt(struct db *db, const char *username,
                               const char *ip, time_t now, int ok,
                               struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO login_attempts (username, ip, at, ok)"
        " VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ip, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)now);
    sqlite3_bind_int(st, 4, ok);
    return db_exec(db, st, ec);
}

static enum err load_producers(struct db *db, struct auth_principal *p,
                               struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT producer_id FROM user_producers WHERE user_id = ?1"
        " ORDER BY producer_id";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, p->user_id);
    p->n_producers = 0;
    while (sqlite3_step(st) == SQLITE_ROW && p->n_producers < AUTH_MAX_PRODUCERS)
        p->producers[p->n_producers++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

/* check_credentials: fills p->user_id, role and username when the
 * password is right. An unknown user costs a hash too, so timing does not
 * tell which accounts exist. */
static enum err check_credentials(struct db *db, const char *username,
                                  const char *password,
                                  struct auth_principal *p, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, role, password_hash, disabled, username FROM users"
        " WHERE username = ?1";
    static const char dummy[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
        "mGcqG8f1vm3PQWcwNt1wS5m7lC7YyeAYkrnpySc2EW8";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    char hash[crypto_pwhash_STRBYTES] = "";
    int found, ok;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 3) == 0;
    if (found) {
        p->user_id = sqlite3_column_int64(st, 0);
        p->role = (enum auth_role)auth_role_parse(db_text(st, 1));
        (void)snprintf(hash, sizeof(hash), "%s", db_text(st, 2));
        (void)snprintf(p->username, sizeof(p->username), "%s", db_text(st, 4));
    }
    sqlite3_reset(st);
    ok = crypto_pwhash_str_verify(found ? hash : dummy, password,
                                  strlen(password)) == 0;
    if (!found || !ok)
        return err_user(ec, ERR_UNAUTHORIZED, "err_login_failed", NULL,
                        "wrong username or password");
    return ERR_OK;
}

static enum err open_session(struct db *db, struct auth_principal *p,
                             const char *ip, const char *ua,
                             const struct auth_limits *lim, time_t now,
                             char token[AUTH_TOKEN_CHARS], struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
        " last_seen_at, expires_at, ip, user_agent)"
        " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, substr(?7, 1, 200))";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    unsigned char h[32];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    new_token(token);
    new_token(p->csrf);
    token_hash(token, h);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, p->user_id);
    sqlite3_bind_text(st, 3, p->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)now);
    sqlite3_bind_int64(st, 5, (int64_t)now + lim->absolute_s);
    sqlite3_bind_text(st, 6, ip, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, ua ? ua : "", -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    p->session_id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

enum err auth_login(struct db *db, const char *username, const char *password,
                    const char *ip, const char *user_agent,
                    const struct auth_limits *lim, time_t now,
                    char token_out[AUTH_TOKEN_CHARS],
                    struct auth_principal *p, struct err_ctx *ec)
{
    enum err e;

    memset(p, 0, sizeof(*p));
    if (username == NULL || password == NULL || !*username || !*password)
        return err_user(ec, ERR_UNAUTHORIZED, "err_login_failed", NULL,
                        "empty username or password");
    if (rate_limited(db, username, ip, now))
        return err_user(ec, ERR_RATELIMIT, "err_login_rate_limited", NULL,
                        "too many failed sign-ins for %s or %s", username,
                        ip);
    e = check_credentials(db, username, password, p, ec);
    if (record_attempt(db, username, ip, now, e == ERR_OK, NULL) != ERR_OK &&
        e == ERR_OK)
        e = err_set(ec, ERR_DB, "cannot record the sign-in");
    if (e == ERR_OK)
        e = load_producers(db, p, ec);
    if (e == ERR_OK)
        e = open_session(db, p, ip, user_agent, lim, now, token_out, ec);
    return e;
}

static enum err end_session(struct db *db, int64_t id, struct err_ctx *ec)
{
    static const char sql[] = "DELETE FROM sessions WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    return db_exec(db, st, ec);
}

enum err auth_logout(struct db *db, int64_t session_id, struct err_ctx *ec)
{
    return end_session(db, session_id, ec);
}

static enum err touch_session(struct db *db, int64_t id, time_t now,
                              struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (int64_t)now);
    return db_exec(db, st, ec);
}

enum err auth_session(struct db *db, const char *token,
                      const struct auth_limits *lim, time_t now,
                      struct auth_principal *p, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at,"
        " u.username, u.role, u.disabled FROM sessions s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    unsigned char h[32];
    int64_t seen, expires;
    int disabled;

    memset(p, 0, sizeof(*p));
    if (st == NULL)
        return ERR_DB;
    if (token == NULL || strlen(token) != AUTH_TOKEN_CHARS - 1)
        return err_user(ec, ERR_UNAUTHORIZED, "err_session", NULL, "no session");
    token_hash(token, h);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_UNAUTHORIZED, "err_session", NULL,
                        "unknown session");
    }
    p->session_id = sqlite3_column_int64(st, 0);
    p->user_id = sqlite3_column_int64(st, 1);
    (void)snprintf(p->csrf, sizeof(p->csrf), "%s", db_text(st, 2));
    seen = sqlite3_column_int64(st, 3);
    expires = sqlite3_column_int64(st, 4);
    (void)snprintf(p->username, sizeof(p->username), "%s", db_text(st, 5));
    p->role = (enum auth_role)auth_role_parse(db_text(st, 6));
    disabled = sqlite3_column_int(st, 7);
    sqlite3_reset(st);
    if (disabled || now - seen > lim->idle_s || now > expires) {
        (void)end_session(db, p->session_id, NULL); /* expired anyway */
        memset(p, 0, sizeof(*p));
        return err_user(ec, ERR_UNAUTHORIZED, "err_session_expired", NULL,
                        "session expired");
    }
    if (now - seen > SEEN_REFRESH_S && touch_session(db, p->session_id, now,
                                                     ec) != ERR_OK)
        return ERR_DB;
    return load_producers(db, p, ec);
}

/* --- API keys ------------------------------------------------------------ */

static int64_t producer_id_of(struct db *db, const char *slug)
{
    static const char sql[] = "SELECT id FROM producers WHERE slug = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t id = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

static enum err insert_key(struct db *db, enum auth_role role,
                           int64_t producer_id, int64_t booth_id,
                           const char *name, const struct actor *who,
                           const char *key, int64_t *id, struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO api_keys (name, prefix, key_hash, role, producer_id,"
        " booth_id, created_by) VALUES (?1, substr(?2, 1, 12), ?3, ?4,"
        " nullif(?5, 0), nullif(?6, 0), nullif(?7, 0))";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    unsigned char h[32];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    token_hash(key, h);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, auth_role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, producer_id);
    sqlite3_bind_int64(st, 6, booth_id);
    sqlite3_bind_int64(st, 7, who->user_id);
    e = db_exec(db, st, ec);
    *id = sqlite3_last_insert_rowid(db_handle(db));
    return e;
}

enum err auth_apikey_create(struct db *db, enum auth_role role,
                            const char *producer_slug, int64_t booth_id,
                            const char *name, const struct actor *who,
                            char key_out[AUTH_APIKEY_CHARS], int64_t *id_out,
                            struct err_ctx *ec)
{
    char token[AUTH_TOKEN_CHARS];
    int64_t producer_id = 0, id = 0;
    enum err e;

    if (name == NULL || *name == '\0' || strlen(name) > 100)
        return err_user(ec, ERR_UNPROCESSABLE, "err_key_name", "name",
                        "a key needs a name");
    if (role == ROLE_PRODUCER &&
        (producer_slug == NULL ||
         (producer_id = producer_id_of(db, producer_slug)) == 0))
        return err_user(ec, ERR_UNPROCESSABLE, "err_producer_required",
                        "producer", "a producer key needs a known producer");
    new_token(token);
    (void)snprintf(key_out, AUTH_APIKEY_CHARS, "ocop_%s", token);
    e = insert_key(db, role, producer_id, booth_id, name, who, key_out, &id,
                   ec);
    if (e == ERR_OK)
        e = audit_record(db, who, "apikey.create", "api_key", id, name, NULL,
                         NULL, ec);
    if (id_out != NULL)
        *id_out = id;
    sodium_memzero(token, sizeof(token));
    return e;
}

/* key_used: notes when a key was last used, at most once a minute. Best
 * effort: a busy database must not fail the request the key signs. */
static void key_used(struct db *db, int64_t id)
{
    static const char sql[] =
        "UPDATE api_keys SET last_used_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, NULL);

    if (st == NULL)
        return;
    sqlite3_bind_int64(st, 1, id);
    if (db_exec(db, st, NULL) != ERR_OK)
        return; /* ignored on purpose: see above */
}

enum err auth_apikey(struct db *db, const char *key, struct auth_principal *p,
                     struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, role, coalesce(producer_id, 0), coalesce(booth_id, 0),"
        " name, last_used_at IS NULL OR last_used_at <"
        " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-60 seconds')"
        " FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    unsigned char h[32];
    int stale;

    memset(p, 0, sizeof(*p));
    if (st == NULL)
        return ERR_DB;
    if (key == NULL || strncmp(key, "ocop_", 5) != 0 || strlen(key) > 100)
        return err_user(ec, ERR_UNAUTHORIZED, "err_api_key", NULL, "bad key");
    token_hash(key, h);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_UNAUTHORIZED, "err_api_key", NULL,
                        "unknown key");
    }
    p->api_key_id = sqlite3_column_int64(st, 0);
    p->role = (enum auth_role)auth_role_parse(db_text(st, 1));
    if (sqlite3_column_int64(st, 2) != 0)
        p->producers[p->n_producers++] = sqlite3_column_int64(st, 2);
    p->booth_id = sqlite3_column_int64(st, 3);
    (void)snprintf(p->username, sizeof(p->username), "apikey:%s",
                   db_text(st, 4));
    stale = sqlite3_column_int(st, 5);
    sqlite3_reset(st);
    if (stale)
        key_used(db, p->api_key_id);
    return ERR_OK;
}

enum err auth_apikey_revoke(struct db *db, int64_t id, const struct actor *who,
                            struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE api_keys SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ')"
        " WHERE id = ?1 AND revoked_at IS NULL";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_not_found", NULL, "no key %lld",
                        (long long)id);
    return e == ERR_OK ? audit_record(db, who, "apikey.revoke", "api_key", id,
                                      NULL, NULL, NULL, ec)
                       : e;
}

/* --- password resets ----------------------------------------------------- */

enum err auth_reset_create(struct db *db, int64_t user_id,
                           const struct actor *who, time_t now,
                           char token_out[AUTH_TOKEN_CHARS],
                           struct err_ctx *ec)
{
    static const char sql[] =
        "INSERT INTO password_resets (token_hash, user_id, created_by,"
        " expires_at) SELECT ?1, id, nullif(?3, 0), ?4 FROM users"
        " WHERE id = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    unsigned char h[32];
    enum err e;

    if (st == NULL)
        return ERR_DB;
    new_token(token_out);
    token_hash(token_out, h);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, who->user_id);
    sqlite3_bind_int64(st, 4, (int64_t)now + RESET_VALID_S);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return err_user(ec, ERR_NOTFOUND, "err_not_found", NULL, "no user");
    return e == ERR_OK ? audit_record(db, who, "user.reset_link", "user",
                                      user_id, NULL, NULL, NULL, ec)
                       : e;
}

static const char reset_find_sql[] =
    "SELECT r.id, r.user_id, u.username FROM password_resets r"
    " JOIN users u ON u.id = r.user_id WHERE r.token_hash = ?1"
    " AND r.used_at IS NULL AND r.expires_at > ?2";

static enum err find_reset(struct db *db, const char *token, time_t now,
                           int64_t *reset_id, int64_t *user_id,
                           char username[64], struct err_ctx *ec)
{
    sqlite3_stmt *st = db_stmt(db, reset_find_sql, ec);
    unsigned char h[32];

    if (st == NULL)
        return ERR_DB;
    if (token == NULL || strlen(token) != AUTH_TOKEN_CHARS - 1)
        return err_user(ec, ERR_NOTFOUND, "err_reset_invalid", NULL, "bad");
    token_hash(token, h);
    sqlite3_bind_blob(st, 1, h, sizeof(h), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (int64_t)now);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return err_user(ec, ERR_NOTFOUND, "err_reset_invalid", NULL,
                        "unknown, used or expired reset link");
    }
    *reset_id = sqlite3_column_int64(st, 0);
    *user_id = sqlite3_column_int64(st, 1);
    (void)snprintf(username, 64, "%s", db_text(st, 2));
    sqlite3_reset(st);
    return ERR_OK;
}

enum err auth_reset_peek(struct db *db, const char *token, time_t now,
                         char username[64], struct err_ctx *ec)
{
    int64_t rid, uid;

    return find_reset(db, token, now, &rid, &uid, username, ec);
}

static enum err set_password(struct db *db, int64_t user_id, int64_t reset_id,
                             const char *hash, time_t now, struct err_ctx *ec)
{
    static const char upd[] =
        "UPDATE users SET password_hash = ?2,"
        " password_changed_at = strftime('%Y-%m-%dT%H:%M:%SZ') WHERE id = ?1";
    static const char used[] =
        "UPDATE password_resets SET used_at = ?2 WHERE id = ?1";
    static const char kill[] = "DELETE FROM sessions WHERE user_id = ?1";
    sqlite3_stmt *st = db_stmt(db, upd, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    e = db_exec(db, st, ec);
    st = e == ERR_OK ? db_stmt(db, used, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    sqlite3_bind_int64(st, 1, reset_id);
    sqlite3_bind_int64(st, 2, (int64_t)now);
    e = db_exec(db, st, ec);
    st = e == ERR_OK ? db_stmt(db, kill, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK ? ERR_DB : e;
    sqlite3_bind_int64(st, 1, user_id);
    return db_exec(db, st, ec);
}

enum err auth_reset_use(struct db *db, const char *token,
                        const char *new_password, time_t now,
                        struct err_ctx *ec)
{
    char hash[crypto_pwhash_STRBYTES], username[64];
    struct actor who = {0, NULL, NULL};
    int64_t rid = 0, uid = 0;
    enum err e = find_reset(db, token, now, &rid, &uid, username, ec);

    if (e == ERR_OK)
        e = auth_check_password(new_password, ec);
    if (e == ERR_OK)
        e = hash_password(new_password, hash, ec);
    if (e == ERR_OK)
        e = set_password(db, uid, rid, hash, now, ec);
    who.user_id = uid;
    who.label = username;
    if (e == ERR_OK)
        e = audit_record(db, &who, "user.password_reset", "user", uid, NULL,
                         NULL, NULL, ec);
    sodium_memzero(hash, sizeof(hash));
    return e;
}

static enum err others_out(struct db *db, int64_t user_id, int64_t keep,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, keep);
    return db_exec(db, st, ec);
}

static enum err store_hash(struct db *db, int64_t user_id, const char *hash,
                           struct err_ctx *ec)
{
    static const char sql[] =
        "UPDATE users SET password_hash = ?2,"
        " password_changed_at = strftime('%Y-%m-%dT%H:%M:%SZ') WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    return db_exec(db, st, ec);
}

enum err auth_change_password(struct db *db, const struct auth_principal *p,
                              const char *current, const char *next,
                              const char *ip, struct err_ctx *ec)
{
    struct auth_principal check;
    char hash[crypto_pwhash_STRBYTES];
    struct actor who = auth_actor(p, ip);
    enum err e;

    memset(&check, 0, sizeof(check));
    if (p->user_id == 0)
        return err_user(ec, ERR_FORBIDDEN, "err_forbidden", NULL, "not a user");
    e = check_credentials(db, p->username, current ? current : "", &check, ec);
    if (e == ERR_UNAUTHORIZED)
        return err_user(ec, ERR_UNPROCESSABLE, "err_current_password",
                        "current", "wrong current password");
    if (e == ERR_OK)
        e = auth_check_password(next, ec);
    if (e == ERR_OK)
        e = hash_password(next, hash, ec);
    if (e == ERR_OK)
        e = store_hash(db, p->user_id, hash, ec);
    if (e == ERR_OK)
        e = others_out(db, p->user_id, p->session_id, ec);
    if (e == ERR_OK)
        e = audit_record(db, &who, "user.password_change", "user", p->user_id,
                         NULL, NULL, NULL, ec);
    sodium_memzero(hash, sizeof(hash));
    return e;
}

/* --- authorization ------------------------------------------------------- */

int auth_is_admin(const struct auth_principal *p)
{
    return p->role == ROLE_ADMIN;
}

int auth_may_edit_producer(const struct auth_principal *p, int64_t producer_id)
{
    int i;

    if (p->role == ROLE_ADMIN)
        return 1;
    if (p->role != ROLE_PRODUCER)
        return 0;
    for (i = 0; i < p->n_producers; i++)
        if (p->producers[i] == producer_id)
            return 1;
    return 0;
}

struct actor auth_actor(const struct auth_principal *p, const char *ip)
{
    struct actor a = {p->user_id, p->username, ip};

    return a;
}

/* --- the office's account management ------------------------------------- */

void auth_password_generate(char out[AUTH_GEN_PASSWORD_CHARS])
{
    static const char alphabet[] =
        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    int i;

    for (i = 0; i < AUTH_GEN_PASSWORD_CHARS - 1; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[i] = '\0';
}

static enum err add_user_producers(struct db *db, cJSON *arr,
                                   struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT pr.slug, pr.name FROM user_producers up JOIN producers pr"
        " ON pr.id = up.producer_id WHERE up.user_id = ?1 ORDER BY pr.slug";
    cJSON *u;

    cJSON_ArrayForEach(u, arr)
    {
        sqlite3_stmt *st = db_stmt(db, sql, ec);
        cJSON *list = cJSON_AddArrayToObject(u, "producers");
        if (st == NULL || list == NULL)
            return st == NULL ? ERR_DB : ERR_NOMEM;
        sqlite3_bind_int64(
            st, 1, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(u, "id")));
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "slug", db_text(st, 0));
            cJSON_AddStringToObject(p, "name", db_text(st, 1));
            cJSON_AddItemToArray(list, p);
        }
        sqlite3_reset(st);
    }
    return ERR_OK;
}

enum err auth_user_list(struct db *db, int64_t producer_id, cJSON **out,
                        struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT id, username, role, disabled, created_at FROM users u"
        " WHERE ?1 = 0 OR EXISTS (SELECT 1 FROM user_producers up"
        " WHERE up.user_id = u.id AND up.producer_id = ?1)"
        " ORDER BY username";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();
    enum err e;

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    sqlite3_bind_int64(st, 1, producer_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddNumberToObject(u, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(u, "username", db_text(st, 1));
        cJSON_AddStringToObject(u, "role", db_text(st, 2));
        cJSON_AddBoolToObject(u, "disabled", sqlite3_column_int(st, 3));
        cJSON_AddStringToObject(u, "created_at", db_text(st, 4));
        cJSON_AddItemToArray(arr, u);
    }
    sqlite3_reset(st);
    e = add_user_producers(db, arr, ec);
    if (e != ERR_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return ERR_OK;
}

enum err auth_user_count(struct db *db, int64_t *out, struct err_ctx *ec)
{
    static const char sql[] = "SELECT count(*) FROM users";
    sqlite3_stmt *st = db_stmt(db, sql, ec);

    *out = 0;
    if (st == NULL)
        return ERR_DB;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

/* user_state: a user's name, role and disabled flag; ERR_NOTFOUND. */
static enum err user_state(struct db *db, int64_t id, const char *username,
                           int64_t *id_out, char name[64], int *role,
                           int *disabled, struct err_ctx *ec)
{
    static const char sql[] = "SELECT id, username, role, disabled FROM users"
                              " WHERE id = ?1 OR username = ?2";
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    int found;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, username ? username : "", -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *id_out = sqlite3_column_int64(st, 0);
        (void)snprintf(name, 64, "%s", db_text(st, 1));
        *role = auth_role_parse(db_text(st, 2));
        *disabled = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    return found ? ERR_OK
                 : err_user(ec, ERR_NOTFOUND, "err_user_not_found", "username",
                            "no such user");
}

static enum err write_disabled(struct db *db, int64_t id, int disabled,
                               struct err_ctx *ec)
{
    static const char upd[] = "UPDATE users SET disabled = ?2 WHERE id = ?1";
    static const char kill[] = "DELETE FROM sessions WHERE user_id = ?1";
    sqlite3_stmt *st = db_stmt(db, upd, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, disabled != 0);
    e = db_exec(db, st, ec);
    st = e == ERR_OK && disabled ? db_stmt(db, kill, ec) : NULL;
    if (st == NULL)
        return e == ERR_OK && disabled ? ERR_DB : e;
    sqlite3_bind_int64(st, 1, id);
    return db_exec(db, st, ec);
}

enum err auth_user_set_disabled(struct db *db, const struct actor *who,
                                int64_t user_id, int disabled,
                                struct err_ctx *ec)
{
    char name[64];
    int64_t id = 0;
    int role = 0, was = 0;
    cJSON *before, *after;
    enum err e;

    if (user_id == 0 || user_id == who->user_id)
        return err_user(ec, ERR_CONFLICT, "err_disable_self", NULL,
                        "an account cannot disable itself");
    e = user_state(db, user_id, NULL, &id, name, &role, &was, ec);
    if (e == ERR_OK)
        e = write_disabled(db, id, disabled, ec);
    if (e != ERR_OK)
        return e;
    before = cJSON_CreateObject();
    after = cJSON_CreateObject();
    cJSON_AddBoolToObject(before, "disabled", was);
    cJSON_AddBoolToObject(after, "disabled", disabled != 0);
    e = audit_record(db, who, disabled ? "user.disable" : "user.enable", "user",
                     id, name, before, after, ec);
    cJSON_Delete(before);
    cJSON_Delete(after);
    return e;
}

static enum err write_link(struct db *db, int64_t user_id, int64_t producer_id,
                           int link, struct err_ctx *ec)
{
    static const char ins[] =
        "INSERT OR IGNORE INTO user_producers (user_id, producer_id)"
        " VALUES (?1, ?2)";
    static const char del[] =
        "DELETE FROM user_producers WHERE user_id = ?1 AND producer_id = ?2";
    sqlite3_stmt *st = db_stmt(db, link ? ins : del, ec);
    enum err e;

    if (st == NULL)
        return ERR_DB;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, producer_id);
    e = db_exec(db, st, ec);
    if (e == ERR_OK && sqlite3_changes(db_handle(db)) == 0)
        return link ? err_user(ec, ERR_CONFLICT, "err_link_exists", "username",
                               "already linked")
                    : err_user(ec, ERR_NOTFOUND, "err_link_missing", "username",
                               "not linked");
    return e;
}

enum err auth_user_link(struct db *db, const struct actor *who,
                        const char *username, const char *producer_slug,
                        int link, struct err_ctx *ec)
{
    char name[64];
    int64_t uid = 0,
            pid = producer_id_of(db, producer_slug ? producer_slug : "");
    int role = 0, disabled = 0;
    cJSON *after;
    enum err e;

    if (pid == 0)
        return err_user(ec, ERR_NOTFOUND, "err_producer_not_found", NULL,
                        "no producer");
    e = user_state(db, 0, username ? username : "", &uid, name, &role,
                   &disabled, ec);
    if (e == ERR_OK && role != ROLE_PRODUCER)
        e = err_user(ec, ERR_UNPROCESSABLE, "err_link_role", "username",
                     "only producer accounts are linked to producers");
    if (e == ERR_OK)
        e = write_link(db, uid, pid, link, ec);
    if (e != ERR_OK)
        return e;
    after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "username", name);
    cJSON_AddStringToObject(after, "producer", producer_slug);
    e = audit_record(db, who, link ? "user.link" : "user.unlink", "user", uid,
                     producer_slug, NULL, after, ec);
    cJSON_Delete(after);
    return e;
}

static void add_text_col(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    if (db_text(st, col) != NULL)
        cJSON_AddStringToObject(o, key, db_text(st, col));
    else
        cJSON_AddNullToObject(o, key);
}

enum err auth_apikey_list(struct db *db, cJSON **out, struct err_ctx *ec)
{
    static const char sql[] =
        "SELECT k.id, k.name, k.prefix, k.role, pr.slug, pr.name, k.booth_id,"
        " k.created_at, k.last_used_at, k.revoked_at FROM api_keys k"
        " LEFT JOIN producers pr ON pr.id = k.producer_id ORDER BY k.id DESC";
    static const char *const keys[] = {
        "name",          "prefix",        "role",
        "producer_slug", "producer_name", "booth_id",
        "created_at",    "last_used_at",  "revoked_at"};
    sqlite3_stmt *st = db_stmt(db, sql, ec);
    cJSON *arr = cJSON_CreateArray();
    int i;

    *out = NULL;
    if (st == NULL || arr == NULL) {
        cJSON_Delete(arr);
        return st == NULL ? ERR_DB : ERR_NOMEM;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddNumberToObject(k, "id", (double)sqlite3_column_int64(st, 0));
        for (i = 0; i < 9; i++)
            add_text_col(k, keys[i], st, i + 1);
        cJSON_AddItemToArray(arr, k);
    }
    sqlite3_reset(st);
    *out = arr;
    return ERR_OK;
}
