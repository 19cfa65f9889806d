/* test_seal.c: secrets sealed at rest (seal). The key is loaded once per
 * process, so the tests run in order: nothing works before seal_init, the
 * first seal_init creates a 0600 key file of 64 hex digits, later ones
 * (in this process and in child processes of this same binary, run with
 * "child" as argv[1]) reuse it; then boxes: round trip, no plain text in
 * the box, a fresh nonce each time, any change or truncation refused.
 * A child seals a known text with the key it loaded and writes the box to
 * a file, so the parent can tell whether both used the same key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "seal/seal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_TEXT "child: access_token=tok-7f3a"
#define PLAIN "{\"app_secret\":\"s3cr3t-partner-key\"}"

static char dir[64];        /* a fresh directory for key files */
static char key_path[128];  /* the parent's key file */
static char first_key[128]; /* its content right after creation */

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static size_t read_file(const char *path, unsigned char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

/* child_main: the second process. Exit 0 and the box in out_path when the
 * key loaded; 2 when seal_init refused; 3 when sealing failed. */
static int child_main(const char *key_file, const char *out_path)
{
    struct err_ctx ec = {0};
    struct sb box;
    FILE *f;
    int rc = 0;

    if (seal_init(*key_file ? key_file : NULL, &ec) != ERR_OK)
        return 2;
    sb_init(&box, 4096);
    if (seal_box(CHILD_TEXT, strlen(CHILD_TEXT), &box, &ec) != ERR_OK)
        rc = 3;
    f = rc == 0 ? fopen(out_path, "wb") : NULL;
    if (rc == 0 && (f == NULL || fwrite(box.buf, 1, box.len, f) != box.len))
        rc = 3;
    if (f != NULL)
        fclose(f);
    sb_release(&box);
    return rc;
}

/* run_child: this binary again, in a new process, with OCOP_SECRET_KEY
 * set to env_key (NULL: unset). Returns its exit status. */
static int run_child(const char *env_key, const char *key_file,
                     const char *out_path)
{
    pid_t pid = fork();
    int status = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        if (env_key != NULL)
            setenv("OCOP_SECRET_KEY", env_key, 1);
        else
            unsetenv("OCOP_SECRET_KEY");
        execl("/proc/self/exe", "test_seal", "child", key_file, out_path,
              (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* open_child_box: opens what a child sealed with this process's key. */
static enum err open_child_box(const char *out_path, struct sb *plain)
{
    unsigned char box[512];
    struct err_ctx ec = {0};
    size_t n = read_file(out_path, box, sizeof(box));

    assert_true(n > 0);
    return seal_open(box, n, plain, &ec);
}

/* --- before the key ------------------------------------------------------- */

static void nothing_before_init(void **state)
{
    struct err_ctx ec = {0};
    struct sb out;
    unsigned char fake[64] = {0};

    (void)state;
    sb_init(&out, 4096);
    assert_int_equal(seal_ready(), 0);
    assert_int_equal(seal_box("x", 1, &out, &ec), ERR_INVALID);
    assert_int_equal(seal_open(fake, sizeof(fake), &out, &ec), ERR_INVALID);
    assert_int_equal(out.len, 0);
    /* neither a key in the environment nor a file: refused, not a
     * process-wide all-zero key */
    assert_int_equal(seal_init(NULL, &ec), ERR_INVALID);
    assert_int_equal(seal_init("", &ec), ERR_INVALID);
    assert_int_equal(seal_ready(), 0);
    sb_release(&out);
}

/* --- the key file --------------------------------------------------------- */

static void key_file_created(void **state)
{
    struct err_ctx ec = {0};
    struct stat st;
    size_t n, i;

    (void)state;
    assert_int_equal(access(key_path, F_OK), -1); /* missing before */
    assert_int_equal(seal_init(key_path, &ec), ERR_OK);
    assert_int_equal(seal_ready(), 1);
    assert_int_equal(stat(key_path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    n = read_file(key_path, (unsigned char *)first_key, sizeof(first_key) - 1);
    first_key[n] = '\0';
    assert_int_equal(n, 65);
    for (i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)first_key[i]))
            fail_msg("key file byte %zu is %#x, not a hex digit", i,
                     (unsigned)(unsigned char)first_key[i]);
    assert_int_equal(first_key[64], '\n');
    /* a random key, not a constant */
    assert_int_not_equal(strspn(first_key, "0"), 64);
}

static void key_file_kept_in_process(void **state)
{
    struct err_ctx ec = {0};
    char again[128];
    size_t n;

    (void)state;
    assert_int_equal(seal_init(key_path, &ec), ERR_OK);
    n = read_file(key_path, (unsigned char *)again, sizeof(again) - 1);
    again[n] = '\0';
    assert_string_equal(again, first_key);
}

static void key_file_reused_by_next_process(void **state)
{
    char out[128], again[128];
    struct sb plain;
    size_t n;

    (void)state;
    path_in_dir(out, sizeof(out), "child.box");
    assert_int_equal(run_child(NULL, key_path, out), 0);
    /* the file was read, not replaced */
    n = read_file(key_path, (unsigned char *)again, sizeof(again) - 1);
    again[n] = '\0';
    assert_string_equal(again, first_key);
    /* and the child's key is ours */
    sb_init(&plain, 4096);
    assert_int_equal(open_child_box(out, &plain), ERR_OK);
    assert_string_equal(sb_str(&plain), CHILD_TEXT);
    sb_release(&plain);
    unlink(out);
}

static void other_key_file_other_key(void **state)
{
    char other[128], out[128];
    struct sb plain;

    (void)state;
    path_in_dir(other, sizeof(other), "other.key");
    path_in_dir(out, sizeof(out), "other.box");
    assert_int_equal(run_child(NULL, other, out), 0);
    sb_init(&plain, 4096);
    assert_int_equal(open_child_box(out, &plain), ERR_INVALID);
    assert_int_equal(plain.len, 0);
    sb_release(&plain);
    unlink(other);
    unlink(out);
}

static void environment_key_wins(void **state)
{
    char env[80], out[128], missing[128];
    struct sb plain;

    (void)state;
    /* our key through OCOP_SECRET_KEY, and a key file that cannot be
     * created: the file is never looked at */
    snprintf(env, sizeof(env), "%.64s", first_key);
    path_in_dir(out, sizeof(out), "env.box");
    snprintf(missing, sizeof(missing), "%s/no/such/dir/secret.key", dir);
    assert_int_equal(run_child(env, missing, out), 0);
    sb_init(&plain, 4096);
    assert_int_equal(open_child_box(out, &plain), ERR_OK);
    assert_string_equal(sb_str(&plain), CHILD_TEXT);
    sb_release(&plain);
    unlink(out);
    /* a key that is not 32 bytes of hex is refused */
    assert_int_equal(run_child("abcd", "", out), 2);
    assert_int_equal(run_child("zz", "", out), 2);
    env[0] = 'g'; /* 64 characters, one not hex */
    assert_int_equal(run_child(env, "", out), 2);
}

static void bad_key_file_refused(void **state)
{
    char bad[128], out[128];
    FILE *f;

    (void)state;
    path_in_dir(bad, sizeof(bad), "short.key");
    path_in_dir(out, sizeof(out), "short.box");
    f = fopen(bad, "w");
    assert_non_null(f);
    fputs("0123456789abcdef\n", f); /* 8 bytes, not 32 */
    fclose(f);
    assert_int_equal(run_child(NULL, bad, out), 2);
    assert_int_equal(access(out, F_OK), -1);
    unlink(bad);
}

static void default_key_file(void **state)
{
    char buf[128];

    (void)state;
    seal_key_file_default("var/ocop.db", buf, sizeof(buf));
    assert_string_equal(buf, "var/secret.key");
    seal_key_file_default("/srv/ocop/data/ocop.db", buf, sizeof(buf));
    assert_string_equal(buf, "/srv/ocop/data/secret.key");
    seal_key_file_default("ocop.db", buf, sizeof(buf));
    assert_string_equal(buf, "secret.key");
    seal_key_file_default("/ocop.db", buf, sizeof(buf));
    assert_string_equal(buf, "/secret.key");
}

/* --- boxes ---------------------------------------------------------------- */

static void round_trip(void **state)
{
    static const unsigned char bin[] = {0, 1, 2, 0xff, 0, 'a'};
    struct err_ctx ec = {0};
    struct sb box, plain;

    (void)state;
    sb_init(&box, 4096);
    sb_init(&plain, 4096);
    assert_int_equal(seal_box(PLAIN, strlen(PLAIN), &box, &ec), ERR_OK);
    assert_true(box.len > strlen(PLAIN));
    assert_int_equal(seal_open(box.buf, box.len, &plain, &ec), ERR_OK);
    assert_int_equal(plain.len, strlen(PLAIN));
    assert_string_equal(sb_str(&plain), PLAIN);
    /* binary, with NUL bytes */
    sb_reset(&box);
    sb_reset(&plain);
    assert_int_equal(seal_box(bin, sizeof(bin), &box, &ec), ERR_OK);
    assert_int_equal(seal_open(box.buf, box.len, &plain, &ec), ERR_OK);
    assert_int_equal(plain.len, sizeof(bin));
    assert_memory_equal(plain.buf, bin, sizeof(bin));
    /* the empty secret */
    sb_reset(&box);
    sb_reset(&plain);
    assert_int_equal(seal_box("", 0, &box, &ec), ERR_OK);
    assert_true(box.len > 0);
    assert_int_equal(seal_open(box.buf, box.len, &plain, &ec), ERR_OK);
    assert_int_equal(plain.len, 0);
    sb_release(&box);
    sb_release(&plain);
}

static void no_plain_text_inside(void **state)
{
    struct err_ctx ec = {0};
    struct sb box;

    (void)state;
    sb_init(&box, 4096);
    assert_int_equal(seal_box(PLAIN, strlen(PLAIN), &box, &ec), ERR_OK);
    assert_null(memmem(box.buf, box.len, PLAIN, strlen(PLAIN)));
    assert_null(memmem(box.buf, box.len, "s3cr3t", 6));
    assert_null(memmem(box.buf, box.len, "app_secret", 10));
    sb_release(&box);
}

static void fresh_nonce_each_time(void **state)
{
    struct err_ctx ec = {0};
    struct sb a, b;

    (void)state;
    sb_init(&a, 4096);
    sb_init(&b, 4096);
    assert_int_equal(seal_box(PLAIN, strlen(PLAIN), &a, &ec), ERR_OK);
    assert_int_equal(seal_box(PLAIN, strlen(PLAIN), &b, &ec), ERR_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.buf, b.buf, a.len);
    /* the nonce leads the box, so it is what differs first */
    assert_memory_not_equal(a.buf, b.buf, 24);
    sb_release(&a);
    sb_release(&b);
}

static void altered_box_refused(void **state)
{
    struct err_ctx ec = {0};
    struct sb box, plain;
    unsigned char *copy;
    size_t i;

    (void)state;
    sb_init(&box, 4096);
    sb_init(&plain, 4096);
    assert_int_equal(seal_box(PLAIN, strlen(PLAIN), &box, &ec), ERR_OK);
    copy = malloc(box.len);
    assert_non_null(copy);
    /* one flipped bit anywhere: in the nonce, the tag or the text */
    for (i = 0; i < box.len; i++) {
        memcpy(copy, box.buf, box.len);
        copy[i] ^= 0x01;
        if (seal_open(copy, box.len, &plain, &ec) != ERR_INVALID)
            fail_msg("a flipped bit at byte %zu of %zu was not detected", i,
                     box.len);
        assert_int_equal(plain.len, 0); /* nothing appended */
    }
    /* truncated by one byte, to the bare nonce and tag, to nothing */
    assert_int_equal(seal_open(box.buf, box.len - 1, &plain, &ec), ERR_INVALID);
    assert_int_equal(seal_open(box.buf, 40, &plain, &ec), ERR_INVALID);
    assert_int_equal(seal_open(box.buf, 39, &plain, &ec), ERR_INVALID);
    assert_int_equal(seal_open(box.buf, 0, &plain, &ec), ERR_INVALID);
    assert_int_equal(plain.len, 0);
    /* one byte too many */
    free(copy);
    copy = calloc(1, box.len + 1);
    assert_non_null(copy);
    memcpy(copy, box.buf, box.len);
    assert_int_equal(seal_open(copy, box.len + 1, &plain, &ec), ERR_INVALID);
    assert_int_equal(plain.len, 0);
    /* the untouched box still opens */
    assert_int_equal(seal_open(box.buf, box.len, &plain, &ec), ERR_OK);
    free(copy);
    sb_release(&box);
    sb_release(&plain);
}

static void appends_to_out(void **state)
{
    struct err_ctx ec = {0};
    struct sb box, plain;

    (void)state;
    sb_init(&box, 4096);
    sb_init(&plain, 4096);
    assert_int_equal(sb_adds(&box, "hdr:"), ERR_OK);
    assert_int_equal(seal_box("abc", 3, &box, &ec), ERR_OK);
    assert_memory_equal(box.buf, "hdr:", 4);
    assert_int_equal(sb_adds(&plain, "pre-"), ERR_OK);
    assert_int_equal(seal_open(box.buf + 4, box.len - 4, &plain, &ec), ERR_OK);
    assert_string_equal(sb_str(&plain), "pre-abc");
    sb_release(&box);
    sb_release(&plain);
}

static int cleanup(void **state)
{
    (void)state;
    unlink(key_path);
    rmdir(dir);
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_before_init),
        cmocka_unit_test(key_file_created),
        cmocka_unit_test(key_file_kept_in_process),
        cmocka_unit_test(key_file_reused_by_next_process),
        cmocka_unit_test(other_key_file_other_key),
        cmocka_unit_test(environment_key_wins),
        cmocka_unit_test(bad_key_file_refused),
        cmocka_unit_test(default_key_file),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(no_plain_text_inside),
        cmocka_unit_test(fresh_nonce_each_time),
        cmocka_unit_test(altered_box_refused),
        cmocka_unit_test(appends_to_out),
    };

    if (argc == 4 && strcmp(argv[1], "child") == 0)
        return child_main(argv[2], argv[3]);
    snprintf(dir, sizeof(dir), "/tmp/ocop-seal-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    path_in_dir(key_path, sizeof(key_path), "secret.key");
    /* the parent always uses the key file; a fixed umask makes 0600 the
     * mode the code asks for, not what the shell allowed */
    unsetenv("OCOP_SECRET_KEY");
    umask(022);
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
