/* auth.h: accounts, sessions, API keys and who may do what.
 * Owns: the tables users, user_producers, sessions, api_keys,
 *   password_resets, login_attempts; password rules (a minimum length and
 *   a list of common passwords) and Argon2id hashing (libsodium);
 *   256-bit session tokens and API keys stored only as hashes; idle and
 *   absolute session expiry; per-session CSRF tokens; login rate limits
 *   per account and per address; one-time password-reset links; and the
 *   authorization rules (auth_may_*), checked on the server for every
 *   route.
 * Does not own: cookies and headers (web), the audit log (audit).
 * Threads: functions take the caller's db connection; no global state.
 * Errors: ERR_UNAUTHORIZED for wrong or expired credentials,
 *   ERR_RATELIMIT when attempts are exhausted, ERR_UNPROCESSABLE with an
 *   i18n key in ec for a password that breaks the rules. */
#ifndef OCOP_AUTH_H
#define OCOP_AUTH_H

#include "audit/audit.h"
#include "core/err.h"
#include "db/db.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define AUTH_TOKEN_CHARS 44   /* base64url of 32 bytes, NUL included */
#define AUTH_APIKEY_CHARS 64  /* "ocop_" + base64url of 32 bytes + NUL */
#define AUTH_MIN_PASSWORD 10
#define AUTH_MAX_PRODUCERS 32
#define AUTH_LOGIN_WINDOW_S (15 * 60)
#define AUTH_MAX_FAILS_USER 5
#define AUTH_MAX_FAILS_IP 20

enum auth_role { ROLE_PUBLIC = 0, ROLE_ADMIN, ROLE_PRODUCER, ROLE_BOOTH };

struct auth_principal {
    enum auth_role role;
    int64_t user_id;    /* 0 for an API key or the public */
    int64_t api_key_id; /* 0 unless authenticated by an API key */
    int64_t session_id;
    int64_t booth_id;
    char username[64];  /* or the API key's name */
    char csrf[AUTH_TOKEN_CHARS];
    int64_t producers[AUTH_MAX_PRODUCERS];
    int n_producers;
};

struct auth_limits {
    int idle_s;     /* a session unused this long ends */
    int absolute_s; /* a session ends this long after sign-in anyway */
};

const char *auth_role_name(enum auth_role r);
int auth_role_parse(const char *name); /* -1 when unknown */

/* auth_check_password: the password rules; ERR_UNPROCESSABLE with the
 * i18n key err_password_short or err_password_common. */
enum err auth_check_password(const char *password,
                             struct err_ctx *ec) MUST_CHECK;

/* auth_user_add: a new account; producer_slug links a producer account
 * (required for role producer). *id_out may be NULL. */
enum err auth_user_add(struct db *db, const char *username,
                       enum auth_role role, const char *password,
                       const char *producer_slug, const struct actor *who,
                       int64_t *id_out, struct err_ctx *ec) MUST_CHECK;

/* auth_login: checks the password and the rate limits, records the
 * attempt, and on success opens a session: token_out gets the cookie
 * value (shown once; only its hash is stored). */
enum err auth_login(struct db *db, const char *username, const char *password,
                    const char *ip, const char *user_agent,
                    const struct auth_limits *lim, time_t now,
                    char token_out[AUTH_TOKEN_CHARS],
                    struct auth_principal *p, struct err_ctx *ec) MUST_CHECK;

/* auth_session: resolves a cookie value; refreshes its idle time. */
enum err auth_session(struct db *db, const char *token,
                      const struct auth_limits *lim, time_t now,
                      struct auth_principal *p, struct err_ctx *ec) MUST_CHECK;
enum err auth_logout(struct db *db, int64_t session_id,
                     struct err_ctx *ec) MUST_CHECK;

/* auth_apikey_create: key_out gets the key, shown once. */
enum err auth_apikey_create(struct db *db, enum auth_role role,
                            const char *producer_slug, int64_t booth_id,
                            const char *name, const struct actor *who,
                            char key_out[AUTH_APIKEY_CHARS],
                            int64_t *id_out, struct err_ctx *ec) MUST_CHECK;
enum err auth_apikey(struct db *db, const char *key, struct auth_principal *p,
                     struct err_ctx *ec) MUST_CHECK;
enum err auth_apikey_revoke(struct db *db, int64_t id, const struct actor *who,
                            struct err_ctx *ec) MUST_CHECK;

/* Password reset: an admin makes a one-time link token (valid 24 h);
 * using it sets a new password and ends the user's sessions. */
enum err auth_reset_create(struct db *db, int64_t user_id,
                           const struct actor *who, time_t now,
                           char token_out[AUTH_TOKEN_CHARS],
                           struct err_ctx *ec) MUST_CHECK;
enum err auth_reset_use(struct db *db, const char *token,
                        const char *new_password, time_t now,
                        struct err_ctx *ec) MUST_CHECK;
/* auth_reset_user: the user a valid token would reset, for the form. */
enum err auth_reset_peek(struct db *db, const char *token, time_t now,
                         char username[64], struct err_ctx *ec) MUST_CHECK;

/* auth_change_password: checks the current password, applies the rules
 * to the new one, and ends the user's other sessions. */
enum err auth_change_password(struct db *db, const struct auth_principal *p,
                              const char *current, const char *next,
                              const char *ip, struct err_ctx *ec) MUST_CHECK;

/* auth_csrf_ok: constant-time comparison with the session's token. */
int auth_csrf_ok(const struct auth_principal *p, const char *token);

/* Authorization. */
int auth_is_admin(const struct auth_principal *p);
/* auth_may_edit_producer: admin, or a producer account linked to it. */
int auth_may_edit_producer(const struct auth_principal *p,
                           int64_t producer_id);

/* auth_actor: the audit actor for p. */
struct actor auth_actor(const struct auth_principal *p, const char *ip);

/* --- the office's account management --- */

#define AUTH_GEN_PASSWORD_CHARS 21 /* 20 characters and the NUL */

/* auth_password_generate: a random password of 20 letters and digits
 * (no look-alikes such as l/1, O/0), for an account the office makes;
 * shown once, never stored in clear. */
void auth_password_generate(char out[AUTH_GEN_PASSWORD_CHARS]);

/* auth_user_list: accounts by username, [{"id","username","role",
 * "disabled","created_at","producers":[{"slug","name"}]}]; producer_id 0
 * lists every account, else those linked to that producer. */
enum err auth_user_list(struct db *db, int64_t producer_id, cJSON **out,
                        struct err_ctx *ec) MUST_CHECK;
enum err auth_user_count(struct db *db, int64_t *out,
                         struct err_ctx *ec) MUST_CHECK;

/* auth_user_set_disabled: disables user_id (ending all its sessions; it
 * can no longer sign in) or enables it again. ERR_NOTFOUND for an
 * unknown user, ERR_CONFLICT (err_disable_self) for one's own account. */
enum err auth_user_set_disabled(struct db *db, const struct actor *who,
                                int64_t user_id, int disabled,
                                struct err_ctx *ec) MUST_CHECK;

/* auth_user_link: links (link = 1) or unlinks a producer account and a
 * producer. ERR_NOTFOUND (err_user_not_found, err_producer_not_found,
 * err_link_missing), ERR_UNPROCESSABLE (err_link_role) for an account
 * that is not a producer account, ERR_CONFLICT (err_link_exists). */
enum err auth_user_link(struct db *db, const struct actor *who,
                        const char *username, const char *producer_slug,
                        int link, struct err_ctx *ec) MUST_CHECK;

/* auth_apikey_list: every key, newest first, never the key itself:
 * [{"id","name","prefix","role","producer_slug","producer_name",
 * "booth_id","created_at","last_used_at","revoked_at"}] (null when
 * not set). */
enum err auth_apikey_list(struct db *db, cJSON **out,
                          struct err_ctx *ec) MUST_CHECK;

#endif
