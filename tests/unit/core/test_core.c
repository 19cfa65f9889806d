/* test_core.c: the string builder, the arena and the configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/sb.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sb_grows_and_caps(void **state)
{
    struct sb sb;
    char *taken;
    int i;

    (void)state;
    sb_init(&sb, 100);
    assert_string_equal(sb_str(&sb), "");
    for (i = 0; i < 9; i++)
        assert_int_equal(sb_adds(&sb, "0123456789"), ERR_OK);
    assert_int_equal(sb.len, 90);
    /* past the cap: refused, content unchanged */
    assert_int_equal(sb_adds(&sb, "0123456789x"), ERR_NOMEM);
    assert_int_equal(sb.len, 90);
    assert_int_equal(sb_addf(&sb, "%d", 42), ERR_OK);
    taken = sb_take(&sb);
    assert_int_equal(strlen(taken), 92);
    assert_int_equal(sb.len, 0);
    free(taken);
    sb_release(&sb);
}

static void sb_escapes(void **state)
{
    struct sb sb;
    const char *in = "<a href=\"x\">Tom & Jerry's</a>";

    (void)state;
    sb_init(&sb, 1024);
    assert_int_equal(sb_add_html(&sb, in, strlen(in)), ERR_OK);
    assert_string_equal(sb_str(&sb), "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
                                     "Jerry&#39;s&lt;/a&gt;");
    sb_reset(&sb);
    assert_int_equal(sb_add_urlenc(&sb, "yến sào&x=1"), ERR_OK);
    assert_string_equal(sb_str(&sb), "y%E1%BA%BFn%20s%C3%A0o%26x%3D1");
    sb_release(&sb);
}

static void arena_allocates_aligned(void **state)
{
    struct arena a;
    char *s;
    void *p;
    int i;

    (void)state;
    arena_init(&a, 64);
    for (i = 0; i < 100; i++) {
        p = arena_alloc(&a, (size_t)i + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    }
    p = arena_alloc(&a, 100000); /* bigger than a block */
    assert_non_null(p);
    memset(p, 1, 100000);
    s = arena_printf(&a, "%s-%d", "ocop", 5);
    assert_string_equal(s, "ocop-5");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    arena_release(&a);
    assert_null(a.head);
}

static void conf_precedence(void **state)
{
    char path[] = "/tmp/ocop-conf-XXXXXX";
    struct conf c;
    struct err_ctx ec;
    int fd = mkstemp(path);
    const char text[] = "# comment\ndb.path = /tmp/from-file.db\n"
                        "listen = 0.0.0.0:9000\ntheme = file-theme\n";

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
    close(fd);
    conf_defaults(&c);
    assert_string_equal(c.db_path, "var/ocop.db");
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(conf_load_file(&c, path, &ec), ERR_OK);
    assert_string_equal(c.db_path, "/tmp/from-file.db");
    setenv("OCOP_THEME", "env-theme", 1);
    setenv("OCOP_DB_PATH", "/tmp/from-env.db", 1);
    assert_int_equal(conf_load_env(&c, &ec), ERR_OK);
    assert_string_equal(c.theme, "env-theme");
    assert_int_equal(conf_set(&c, "db.path", "/tmp/from-flag.db", CONF_FLAG,
                              &ec),
                     ERR_OK);
    assert_string_equal(c.db_path, "/tmp/from-flag.db");
    assert_int_equal(c.listen_port, 9000); /* file value not overridden */
    assert_int_equal(conf_finish(&c, &ec), ERR_OK);
    assert_string_equal(c.base_url, "http://0.0.0.0:9000");
    unsetenv("OCOP_THEME");
    unsetenv("OCOP_DB_PATH");
    unlink(path);
}

static void conf_rejects_bad_values(void **state)
{
    struct conf c;
    struct err_ctx ec;

    (void)state;
    conf_defaults(&c);
    assert_int_equal(conf_set(&c, "listen", "nohost", CONF_FLAG, &ec),
                     ERR_INVALID);
    assert_int_equal(conf_set(&c, "listen", "h:99999", CONF_FLAG, &ec),
                     ERR_INVALID);
    assert_int_equal(conf_set(&c, "threads", "-3", CONF_FLAG, &ec),
                     ERR_INVALID);
    assert_int_equal(conf_set(&c, "nope", "1", CONF_FLAG, &ec), ERR_INVALID);
    assert_int_equal(conf_set(&c, "theme", "../etc", CONF_FLAG, &ec), ERR_OK);
    assert_int_equal(conf_finish(&c, &ec), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sb_grows_and_caps),
        cmocka_unit_test(sb_escapes),
        cmocka_unit_test(arena_allocates_aligned),
        cmocka_unit_test(conf_precedence),
        cmocka_unit_test(conf_rejects_bad_values),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
