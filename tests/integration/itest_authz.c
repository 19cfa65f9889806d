/* itest_authz.c: the authorization matrix (tests/fixtures/authz/matrix.tsv)
 * walked against the real server: every mutating route, every caller. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW "correct horse battery"

enum caller { PUBLIC, OTHER, BOOTH, OWN, ADMIN, CALLERS };

static const char *const names[CALLERS] = {"public", "other", "booth", "own",
                                           "admin"};
static const char *const users[CALLERS] = {
    NULL, "--role producer --username culaore --producer culaore",
    "--role booth --username booth1",
    "--role producer --username tuyethuong --producer tuyet-huong",
    "--role admin --username office"};

struct caller_creds {
    char key[128];
    char cookie[128]; /* "ocop_session=..." */
    char csrf[64];
};

static struct itest_server srv;
static struct caller_creds creds[CALLERS];

static void setup_db(const char *db, void *cls)
{
    static const char *const keys[CALLERS] = {
        NULL, "apikey create --role producer --producer culaore --name other",
        "apikey create --role booth --name booth",
        "apikey create --role producer --producer tuyet-huong --name own",
        "apikey create --role admin --name admin"};
    char args[256];
    int i;

    (void)cls;
    for (i = 1; i < CALLERS; i++) {
        snprintf(args, sizeof(args), "user add %s --password-stdin", users[i]);
        if (itest_ocop(db, PW "\n", NULL, 0, args) != 0)
            fprintf(stderr, "setup: %s failed\n", args);
        if (itest_ocop(db, NULL, creds[i].key, sizeof(creds[i].key), keys[i]) != 0)
            fprintf(stderr, "setup: %s failed\n", keys[i]);
    }
}

/* cookie_of: "name=value" of the response's Set-Cookie for name. */
static int cookie_of(const struct itest_resp *r, const char *name, char *out,
                     size_t size)
{
    char key[64];
    const char *at, *end;

    snprintf(key, sizeof(key), "set-cookie: %s=", name);
    at = strstr(r->headers, key);
    if (at == NULL)
        return -1;
    at += strlen("set-cookie: ");
    end = strchr(at, ';');
    snprintf(out, size, "%.*s", (int)(end ? end - at : (long)strlen(at)), at);
    return 0;
}

/* hidden_csrf: the value of the first name="csrf" field in a page. */
static int hidden_csrf(const char *html, char *out, size_t size)
{
    const char *at = strstr(html, "name=\"csrf\" value=\"");
    const char *end;

    if (at == NULL)
        return -1;
    at += strlen("name=\"csrf\" value=\"");
    end = strchr(at, '"');
    snprintf(out, size, "%.*s", (int)(end - at), at);
    return 0;
}

/* sign_in: a real browser's way in, keeping the session cookie. */
static int sign_in(const char *user, struct caller_creds *cr)
{
    struct itest_resp r;
    char pre[128], csrf[64], hdr[200], body[300];
    const char *h[3] = {hdr, "Content-Type: application/x-www-form-urlencoded",
                        NULL};
    const char *hc[2] = {hdr, NULL};

    if (itest_get(&srv, "/dang-nhap", &r) != 0 ||
        cookie_of(&r, "ocop_pre", pre, sizeof(pre)) != 0 ||
        hidden_csrf(r.body, csrf, sizeof(csrf)) != 0)
        return -1;
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s", pre);
    snprintf(body, sizeof(body), "csrf=%s&username=%s&password=%s", csrf, user,
             "correct+horse+battery");
    if (itest_request(&srv, "POST", "/dang-nhap", h, body, &r) != 0 ||
        r.status != 303 || cookie_of(&r, "ocop_session", cr->cookie,
                                     sizeof(cr->cookie)) != 0)
        return -1;
    itest_resp_free(&r);
    snprintf(hdr, sizeof(hdr), "Cookie: %s", cr->cookie);
    if (itest_request(&srv, "GET", "/tai-khoan", hc, NULL, &r) != 0 ||
        hidden_csrf(r.body, cr->csrf, sizeof(cr->csrf)) != 0)
        return -1;
    itest_resp_free(&r);
    return 0;
}

static int setup(void **state)
{
    static const char *const logins[CALLERS] = {NULL, "culaore", "booth1",
                                                "tuyethuong", "office"};
    int i;

    (void)state;
    if (itest_start_setup(&srv, setup_db, NULL) != 0)
        return -1;
    for (i = 1; i < CALLERS; i++)
        if (sign_in(logins[i], &creds[i]) != 0) {
            fprintf(stderr, "cannot sign in as %s\n", logins[i]);
            return -1;
        }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return itest_stop(&srv);
}

/* call: one request as caller c; the status, or -1 for "login". */
static long call(enum caller c, const char *method, const char *path,
                 const char *body)
{
    int api = strncmp(path, "/api/", 5) == 0;
    char auth[200], full[4096];
    const char *h[3] = {NULL, NULL, NULL};
    struct itest_resp r;
    long status;

    h[0] = api ? "Content-Type: application/json"
               : "Content-Type: application/x-www-form-urlencoded";
    if (c != PUBLIC && api)
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", creds[c].key);
    else if (c != PUBLIC)
        snprintf(auth, sizeof(auth), "Cookie: %s", creds[c].cookie);
    if (c != PUBLIC)
        h[1] = auth;
    if (!api && c != PUBLIC)
        snprintf(full, sizeof(full), "%s%scsrf=%s", body, *body ? "&" : "",
                 creds[c].csrf);
    else
        snprintf(full, sizeof(full), "%s", body);
    assert_int_equal(itest_request(&srv, method, path, h, full, &r), 0);
    status = r.status;
    if (status == 303 && strstr(r.headers, "location: /dang-nhap") != NULL)
        status = -1;
    itest_resp_free(&r);
    return status;
}

static long expected(const char *cell)
{
    return strcmp(cell, "login") == 0 ? -1 : strtol(cell, NULL, 10);
}

static void matrix(void **state)
{
    FILE *f = fopen("tests/fixtures/authz/matrix.tsv", "r");
    char line[4096], *cols[9];
    int rows = 0, bad = 0;

    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        int n = 0, k;
        char *p = line;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        for (cols[n++] = p; n < 9 && (p = strchr(p, '\t')) != NULL;)
            *p++ = '\0', cols[n++] = p;
        assert_int_equal(n, 9);
        for (k = 0; k < CALLERS; k++) {
            long got = call((enum caller)k, cols[1], cols[2], cols[3]);
            if (got == expected(cols[4 + k]))
                continue;
            fprintf(stderr, "%s %s as %s: got %ld, want %s\n", cols[1], cols[2],
                    names[k], got, cols[4 + k]);
            bad++;
        }
        rows++;
    }
    fclose(f);
    assert_true(rows >= 10);
    assert_int_equal(bad, 0);
}

/* every_route_is_in_the_matrix: `ocop routes` lists the table; every
 * route that changes something needs a row. */
static void every_route_is_in_the_matrix(void **state)
{
    char cmd[256], line[512], fixture[65536];
    FILE *p, *f = fopen("tests/fixtures/authz/matrix.tsv", "r");
    size_t n;
    int missing = 0;

    (void)state;
    assert_non_null(f);
    n = fread(fixture, 1, sizeof(fixture) - 1, f);
    fixture[n] = '\0';
    fclose(f);
    snprintf(cmd, sizeof(cmd), "%s routes",
             getenv("OCOP_BIN") ? getenv("OCOP_BIN") : "./ocop");
    p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p) != NULL) {
        char method[16], path[256], need[32], key[300];
        if (sscanf(line, "%15s %255s %31s", method, path, need) != 3 ||
            strcmp(method, "GET") == 0)
            continue;
        snprintf(key, sizeof(key), "\n%s\t%s\t", path, method);
        if (strstr(fixture, key) == NULL) {
            fprintf(stderr, "no matrix row for %s %s\n", method, path);
            missing++;
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_is_in_the_matrix),
        cmocka_unit_test(matrix),
    };
    return cmocka_run_group_tests_name("authorization", tests, setup, teardown);
}
