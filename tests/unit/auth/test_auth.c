/* test_auth.c: password rules, sign-in, rate limits, sessions, API keys,
 * reset links and the authorization rules, on a temporary database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "catalog/cat_import.h"
#include "testutil.h"

#include <unistd.h>

static const struct actor cli = {0, "test", ""};
static const struct auth_limits lim = {3600, 8 * 3600};
#define GOOD_PW "correct horse battery"

struct fx {
    char path[64];
    struct db *db;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    struct cat_import_stats st;
    int fd;

    snprintf(fx->path, sizeof(fx->path), "/tmp/ocop-auth-XXXXXX");
    fd = mkstemp(fx->path);
    close(fd);
    if (db_open(fx->path, DB_READWRITE, &fx->db, NULL) != ERR_OK ||
        db_migrate(fx->db, NULL, NULL) != ERR_OK ||
        cat_import_dir(fx->db, "catalog", &st, NULL) != ERR_OK ||
        auth_user_add(fx->db, "office", ROLE_ADMIN, GOOD_PW, NULL, &cli, NULL,
                      NULL) != ERR_OK ||
        auth_user_add(fx->db, "culaore", ROLE_PRODUCER, GOOD_PW, "culaore",
                      &cli, NULL, NULL) != ERR_OK)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    char p[80];

    db_close(fx->db);
    unlink(fx->path);
    snprintf(p, sizeof(p), "%s-wal", fx->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", fx->path);
    unlink(p);
    free(fx);
    return 0;
}

static void password_rules(void **state)
{
    struct err_ctx ec;

    (void)state;
    assert_int_equal(auth_check_password("short", &ec), ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_password_short");
    assert_int_equal(auth_check_password("Password123", &ec), ERR_UNPROCESSABLE);
    assert_string_equal(ec.key, "err_password_common");
    assert_int_equal(auth_check_password("MATKHAU1234", &ec), ERR_UNPROCESSABLE);
    /* characters, not bytes: 10 Vietnamese letters are long enough */
    assert_int_equal(auth_check_password("đườngphènx", &ec), ERR_OK);
    assert_int_equal(auth_check_password("đườngphèn", &ec), ERR_UNPROCESSABLE);
    assert_int_equal(auth_check_password(GOOD_PW, &ec), ERR_OK);
}

static void sign_in_and_sessions(void **state)
{
    struct fx *fx = *state;
    char token[AUTH_TOKEN_CHARS];
    struct auth_principal p, q;
    time_t now = 1800000000;

    assert_int_equal(auth_login(fx->db, "culaore", GOOD_PW, "10.0.0.1", "t",
                                &lim, now, token, &p, NULL),
                     ERR_OK);
    assert_int_equal(p.role, ROLE_PRODUCER);
    assert_int_equal(p.n_producers, 1);
    assert_true(strlen(p.csrf) > 20);
    /* the cookie value works, the database only has its hash */
    assert_int_equal(auth_session(fx->db, token, &lim, now + 10, &q, NULL),
                     ERR_OK);
    assert_int_equal(q.user_id, p.user_id);
    assert_true(auth_csrf_ok(&q, p.csrf));
    assert_false(auth_csrf_ok(&q, "nope"));
    /* idle expiry */
    assert_int_equal(auth_session(fx->db, token, &lim, now + 10 + 3601, &q,
                                  NULL),
                     ERR_UNAUTHORIZED);
    /* a fresh session, then logout really ends it */
    assert_int_equal(auth_login(fx->db, "culaore", GOOD_PW, "10.0.0.1", "t",
                                &lim, now, token, &p, NULL),
                     ERR_OK);
    assert_int_equal(auth_logout(fx->db, p.session_id, NULL), ERR_OK);
    assert_int_equal(auth_session(fx->db, token, &lim, now + 1, &q, NULL),
                     ERR_UNAUTHORIZED);
}

static void absolute_expiry(void **state)
{
    struct fx *fx = *state;
    char token[AUTH_TOKEN_CHARS];
    struct auth_principal p, q;
    time_t now = 1800100000, t;

    assert_int_equal(auth_login(fx->db, "office", GOOD_PW, "10.0.0.2", "t",
                                &lim, now, token, &p, NULL),
                     ERR_OK);
    /* kept busy every 30 minutes, it still ends after 8 hours */
    for (t = now; t < now + 8 * 3600; t += 1800)
        assert_int_equal(auth_session(fx->db, token, &lim, t, &q, NULL), ERR_OK);
    assert_int_equal(auth_session(fx->db, token, &lim, now + 8 * 3600 + 1, &q,
                                  NULL),
                     ERR_UNAUTHORIZED);
}

static void rate_limits(void **state)
{
    struct fx *fx = *state;
    char token[AUTH_TOKEN_CHARS];
    struct auth_principal p;
    struct err_ctx ec;
    time_t now = 1800200000;
    int i;

    for (i = 0; i < AUTH_MAX_FAILS_USER; i++)
        assert_int_equal(auth_login(fx->db, "office", "wrong password!", "10.1.1.1",
                                    "t", &lim, now + i, token, &p, &ec),
                         ERR_UNAUTHORIZED);
    /* now even the right password is refused for a while */
    assert_int_equal(auth_login(fx->db, "office", GOOD_PW, "10.1.1.1", "t",
                                &lim, now + 10, token, &p, &ec),
                     ERR_RATELIMIT);
    assert_string_equal(ec.key, "err_login_rate_limited");
    /* after the window it works again */
    assert_int_equal(auth_login(fx->db, "office", GOOD_PW, "10.1.1.1", "t",
                                &lim, now + AUTH_LOGIN_WINDOW_S + 60, token,
                                &p, &ec),
                     ERR_OK);
    /* per address: many accounts from one address */
    for (i = 0; i < AUTH_MAX_FAILS_IP; i++) {
        char user[32];
        snprintf(user, sizeof(user), "nobody%d", i);
        assert_int_equal(auth_login(fx->db, user, "wrong password!", "10.9.9.9",
                                    "t", &lim, now + 5000 + i, token, &p, &ec),
                         ERR_UNAUTHORIZED);
    }
    assert_int_equal(auth_login(fx->db, "culaore", GOOD_PW, "10.9.9.9", "t",
                                &lim, now + 5100, token, &p, &ec),
                     ERR_RATELIMIT);
}

static void api_keys(void **state)
{
    struct fx *fx = *state;
    char key[AUTH_APIKEY_CHARS];
    struct auth_principal p;
    int64_t id;

    assert_int_equal(auth_apikey_create(fx->db, ROLE_PRODUCER, "culaore", 0,
                                        "shop sync", &cli, key, &id, NULL),
                     ERR_OK);
    assert_int_equal(strncmp(key, "ocop_", 5), 0);
    assert_int_equal(auth_apikey(fx->db, key, &p, NULL), ERR_OK);
    assert_int_equal(p.role, ROLE_PRODUCER);
    assert_int_equal(p.n_producers, 1);
    assert_int_equal(auth_apikey_revoke(fx->db, id, &cli, NULL), ERR_OK);
    assert_int_equal(auth_apikey(fx->db, key, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_apikey_create(fx->db, ROLE_PRODUCER, "nope", 0, "x",
                                        &cli, key, &id, NULL),
                     ERR_UNPROCESSABLE);
}

static void reset_links(void **state)
{
    struct fx *fx = *state;
    char token[AUTH_TOKEN_CHARS], user[64], stoken[AUTH_TOKEN_CHARS];
    struct auth_principal p;
    time_t now = 1800300000;

    assert_int_equal(auth_login(fx->db, "culaore", GOOD_PW, "10.2.2.2", "t",
                                &lim, now, stoken, &p, NULL),
                     ERR_OK);
    assert_int_equal(auth_reset_create(fx->db, p.user_id, &cli, now, token, NULL),
                     ERR_OK);
    assert_int_equal(auth_reset_peek(fx->db, token, now, user, NULL), ERR_OK);
    assert_string_equal(user, "culaore");
    assert_int_equal(auth_reset_use(fx->db, token, "12345678", now, NULL),
                     ERR_UNPROCESSABLE);
    assert_int_equal(auth_reset_use(fx->db, token, "a new long passphrase",
                                    now, NULL),
                     ERR_OK);
    /* one time only, and the old sessions are gone */
    assert_int_equal(auth_reset_use(fx->db, token, "another long passphrase",
                                    now, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(auth_session(fx->db, stoken, &lim, now + 1, &p, NULL),
                     ERR_UNAUTHORIZED);
    assert_int_equal(auth_login(fx->db, "culaore", "a new long passphrase",
                                "10.2.2.2", "t", &lim, now + 2, stoken, &p,
                                NULL),
                     ERR_OK);
}

static void authorization_rules(void **state)
{
    struct auth_principal admin = {.role = ROLE_ADMIN};
    struct auth_principal prod = {.role = ROLE_PRODUCER, .n_producers = 1,
                                  .producers = {7}};
    struct auth_principal booth = {.role = ROLE_BOOTH};
    struct auth_principal public = {.role = ROLE_PUBLIC};

    (void)state;
    assert_true(auth_may_edit_producer(&admin, 7));
    assert_true(auth_may_edit_producer(&prod, 7));
    assert_false(auth_may_edit_producer(&prod, 8));
    assert_false(auth_may_edit_producer(&booth, 7));
    assert_false(auth_may_edit_producer(&public, 7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(password_rules),
        cmocka_unit_test(sign_in_and_sessions),
        cmocka_unit_test(absolute_expiry),
        cmocka_unit_test(rate_limits),
        cmocka_unit_test(api_keys),
        cmocka_unit_test(reset_links),
        cmocka_unit_test(authorization_rules),
    };
    return cmocka_run_group_tests_name("auth", tests, setup, teardown);
}
