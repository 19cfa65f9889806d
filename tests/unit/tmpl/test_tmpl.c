/* test_tmpl.c: the Mustache spec as data, then tmpl's own cases.
 * Every JSON file of tests/spec/mustache (or $OCOP_SPEC_DIR) is read at run
 * time; each of its cases is one cmocka test named "<file>: <case>". Lambdas
 * are not supported, so ~lambdas.json is skipped. Run from the repo root. */
#include "core/sb.h"
#include "tmpl/tmpl.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define SPEC_DIR "tests/spec/mustache"

struct spec_case {
    char *name;        /* "<file>: <case>", owned */
    const cJSON *test; /* borrowed from its file's document */
};

struct spec_run {
    cJSON **docs;
    size_t ndocs;
    struct spec_case *cases;
    size_t ncases, cap;
};

/* ---- helpers ---------------------------------------------------------- */

static char *read_all(const char *path)
{
    struct sb buf;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return NULL;
    sb_init(&buf, 0);
    do {
        n = fread(chunk, 1, sizeof(chunk), f);
        if (sb_add(&buf, chunk, n) != ERR_OK)
            n = 0;
    } while (n == sizeof(chunk));
    (void)fclose(f); /* read-only */
    return sb_take(&buf);
}

/* visible: s with newlines, tabs and CRs shown as escapes, for diffs. */
static char *visible(const char *s)
{
    struct sb out;
    enum err e = ERR_OK;

    sb_init(&out, 0);
    for (; *s != '\0' && e == ERR_OK; s++) {
        if (*s == '\n')
            e = sb_adds(&out, "\\n");
        else if (*s == '\r')
            e = sb_adds(&out, "\\r");
        else if (*s == '\t')
            e = sb_adds(&out, "\\t");
        else
            e = sb_addc(&out, *s);
    }
    return sb_take(&out);
}

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* render_src: compile src, render it with the JSON data and partials
 * (both may be NULL) into a string the caller frees; NULL on failure,
 * with the error in *e. */
static char *render_src(const char *src, const char *data_json,
                        const cJSON *partials, enum err *e, struct err_ctx *ec)
{
    struct tmpl_set *set = tmpl_set_new();
    struct tmpl *t = NULL;
    cJSON *data = data_json ? cJSON_Parse(data_json) : NULL;
    const cJSON *p;
    struct sb out;
    char *res = NULL;

    sb_init(&out, 0);
    *e = set != NULL ? ERR_OK : ERR_NOMEM;
    cJSON_ArrayForEach(p, partials)
    {
        if (*e == ERR_OK)
            *e = tmpl_set_add(set, p->string, p->valuestring,
                              strlen(p->valuestring), ec);
    }
    if (*e == ERR_OK)
        *e = tmpl_compile(src, strlen(src), &t, ec);
    if (*e == ERR_OK)
        *e = tmpl_render(t, data, set, &out, ec);
    if (*e == ERR_OK)
        res = sb_take(&out);
    sb_release(&out);
    tmpl_free(t);
    tmpl_set_free(set);
    cJSON_Delete(data);
    return res;
}

/* ---- the spec --------------------------------------------------------- */

static void run_spec_case(void **state)
{
    const struct spec_case *sc = *state;
    const cJSON *t = sc->test;
    const char *src = str_item(t, "template");
    const char *want = str_item(t, "expected");
    struct err_ctx ec = {0};
    char *data =
        cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(t, "data"));
    enum err e;
    char *got;

    assert_non_null(src);
    assert_non_null(want);
    got = render_src(src, data, cJSON_GetObjectItemCaseSensitive(t, "partials"),
                     &e, &ec);
    free(data);
    if (e != ERR_OK)
        print_error("%s: %s (%s)\n", sc->name, err_name(e), ec.msg);
    if (got != NULL && strcmp(got, want) != 0) {
        char *vs = visible(src), *vw = visible(want), *vg = visible(got);

        print_error("template: %s\nexpected: %s\nactual:   %s\n", vs, vw, vg);
        free(vs);
        free(vw);
        free(vg);
    }
    e = got != NULL && strcmp(got, want) == 0 ? ERR_OK : ERR_INVALID;
    free(got);
    assert_int_equal(e, ERR_OK);
}

static int add_case(struct spec_run *r, const char *file, const cJSON *test)
{
    const char *name = str_item(test, "name");
    struct sb nm;

    if (r->ncases == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        struct spec_case *nc = realloc(r->cases, ncap * sizeof(*nc));

        if (nc == NULL)
            return -1;
        r->cases = nc;
        r->cap = ncap;
    }
    sb_init(&nm, 0);
    if (sb_addf(&nm, "%s: %s", file, name ? name : "?") != ERR_OK)
        return -1;
    r->cases[r->ncases].name = sb_take(&nm);
    r->cases[r->ncases++].test = test;
    return 0;
}

static int load_spec_file(struct spec_run *r, const char *dir, const char *file)
{
    struct sb path;
    char *text;
    cJSON *doc, **nd;
    const cJSON *test;

    sb_init(&path, 0);
    if (sb_addf(&path, "%s/%s", dir, file) != ERR_OK)
        return -1;
    text = read_all(sb_str(&path));
    doc = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    if (doc == NULL)
        fprintf(stderr, "cannot read spec file %s\n", sb_str(&path));
    sb_release(&path);
    nd = doc != NULL ? realloc(r->docs, (r->ndocs + 1) * sizeof(*nd)) : NULL;
    if (nd == NULL) {
        cJSON_Delete(doc);
        return -1;
    }
    r->docs = nd;
    r->docs[r->ndocs++] = doc;
    cJSON_ArrayForEach(test, cJSON_GetObjectItemCaseSensitive(doc, "tests"))
    {
        if (add_case(r, file, test) != 0)
            return -1;
    }
    return 0;
}

static int is_spec_file(const struct dirent *de)
{
    size_t n = strlen(de->d_name);

    return n > 5 && strcmp(de->d_name + n - 5, ".json") == 0 &&
           strcmp(de->d_name, "~lambdas.json") != 0;
}

static int load_spec(struct spec_run *r, const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, is_spec_file, alphasort), i, rc = 0;

    if (n < 0) {
        fprintf(stderr, "cannot list %s\n", dir);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (rc == 0)
            rc = load_spec_file(r, dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    if (rc == 0 && r->ncases == 0) {
        fprintf(stderr, "no spec cases in %s\n", dir);
        rc = -1;
    }
    return rc;
}

static void free_spec(struct spec_run *r)
{
    size_t i;

    for (i = 0; i < r->ncases; i++)
        free(r->cases[i].name);
    for (i = 0; i < r->ndocs; i++)
        cJSON_Delete(r->docs[i]);
    free(r->cases);
    free(r->docs);
}

static int run_spec(const char *dir)
{
    struct spec_run r = {0};
    struct CMUnitTest *tests;
    size_t i;
    int failed = -1;

    if (load_spec(&r, dir) != 0) {
        free_spec(&r);
        return 1;
    }
    tests = calloc(r.ncases, sizeof(*tests));
    if (tests != NULL) {
        for (i = 0; i < r.ncases; i++) {
            tests[i].name = r.cases[i].name;
            tests[i].test_func = run_spec_case;
            tests[i].initial_state = &r.cases[i];
        }
        failed = _cmocka_run_group_tests("mustache spec", tests, r.ncases, NULL,
                                         NULL);
    }
    free(tests);
    free_spec(&r);
    return failed;
}

/* ---- own cases -------------------------------------------------------- */

static void expect_compile_error(const char *src, const char *needle)
{
    struct tmpl *t = (struct tmpl *)1;
    struct err_ctx ec = {0};

    assert_int_equal(tmpl_compile(src, strlen(src), &t, &ec), ERR_INVALID);
    assert_null(t);
    if (strstr(ec.msg, needle) == NULL)
        print_error("message '%s' lacks '%s'\n", ec.msg, needle);
    assert_non_null(strstr(ec.msg, needle));
}

static void test_compile_errors(void **state)
{
    (void)state;
    expect_compile_error("a\n{{#s}}x", "line 2: section 's' not closed");
    expect_compile_error("{{#a}}\n{{^b}}{{/a}}", "line 2: close tag 'a'");
    expect_compile_error("x\n\ny {{name", "line 3: unclosed tag");
    expect_compile_error("{{/a}}", "line 1: close tag 'a' without");
    expect_compile_error("{{#a}}{{/b}}", "opened on line 1");
    expect_compile_error("{{}}", "empty tag name");
    expect_compile_error("{{a b}}", "space in tag");
    expect_compile_error("{{=<% =}}", "bad delimiters");
    expect_compile_error("{{a..b}}", "bad name");
    expect_compile_error("{{<p}}{{$b}}{{/p}}", "close tag 'p' does not match");
}

static void expect_render(const char *src, const char *data,
                          const char *partials, const char *want)
{
    cJSON *p = partials ? cJSON_Parse(partials) : NULL;
    struct err_ctx ec = {0};
    enum err e;
    char *got = render_src(src, data, p, &e, &ec);

    cJSON_Delete(p);
    if (e != ERR_OK)
        print_error("%s: %s\n", err_name(e), ec.msg);
    assert_int_equal(e, ERR_OK);
    assert_string_equal(got, want);
    free(got);
}

static void test_escaping(void **state)
{
    (void)state;
    expect_render("{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"'\\\"<>&\"}", NULL,
                  "&#39;&quot;&lt;&gt;&amp;|'\"<>&|'\"<>&");
    /* data is never re-parsed as a template */
    expect_render("{{x}}", "{\"x\":\"{{y}}\",\"y\":\"no\"}", NULL, "{{y}}");
}

static void test_values(void **state)
{
    (void)state;
    expect_render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
                  "{\"a\":1.210,\"b\":85,\"c\":-3,\"d\":0.1,\"e\":true,"
                  "\"f\":null,\"g\":1e20}",
                  NULL, "1.21 85 -3 0.1 true  1e+20");
    /* per the spec only false, null, missing and [] are falsey */
    expect_render("{{#z}}0{{/z}}{{#s}}s{{/s}}{{#n}}n{{/n}}{{^l}}[]{{/l}}",
                  "{\"z\":0,\"s\":\"\",\"n\":null,\"l\":[]}", NULL, "0s[]");
    expect_render("[{{x}}|{{#a}}y{{/a}}|{{^a}}n{{/a}}]", NULL, NULL, "[||n]");
}

static void test_indentation(void **state)
{
    (void)state;
    /* every template line of an indented partial, once per iteration;
     * newlines inside data and empty lines are not indented */
    expect_render("<ul>\n  {{>li}}\n</ul>\n",
                  "{\"l\":[{\"v\":\"a\\nb\"},{\"v\":\"c\"}]}",
                  "{\"li\":\"{{#l}}\\n<li>{{v}}</li>\\n\\n{{/l}}\\n\"}",
                  "<ul>\n  <li>a\nb</li>\n\n  <li>c</li>\n\n</ul>\n");
    /* nested standalone partials add up */
    expect_render(" {{>a}}\n", NULL,
                  "{\"a\":\"x\\n {{>b}}\\n\",\"b\":\"y\\n\"}", " x\n  y\n");
    /* a layout block indented by the parent */
    expect_render(
        "{{<page}}\n{{$body}}\n<p>\n  hi\n</p>\n{{/body}}\n{{/page}}\n", NULL,
        "{\"page\":\"<body>\\n  {{$body}}\\n  {{/body}}\\n</body>\"}",
        "<body>\n  <p>\n    hi\n  </p>\n</body>");
}

static void test_inheritance_scope(void **state)
{
    (void)state;
    /* an override passing a block to another parent is not re-overridden
     * by its own outer override (no endless recursion) */
    expect_render("{{<layout}}{{$content}}{{<card}}{{$content}}in"
                  "{{/content}}{{/card}}{{/content}}{{/layout}}",
                  NULL,
                  "{\"layout\":\"[{{$content}}{{/content}}]\","
                  "\"card\":\"({{$content}}{{/content}})\"}",
                  "[(in)]");
}

static void test_depth_limit(void **state)
{
    const char *srcs[] = {"{{>self}}", "{{<self}}{{/self}}",
                          "{{#a}}{{>self}}{{/a}}"};
    struct tmpl_set *set;
    struct err_ctx ec = {0};
    struct sb out;
    cJSON *data = cJSON_Parse("{\"a\":{}}");
    size_t i;

    (void)state;
    sb_init(&out, 0);
    for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        set = tmpl_set_new();
        assert_non_null(set);
        assert_int_equal(
            tmpl_set_add(set, "self", srcs[i], strlen(srcs[i]), &ec), ERR_OK);
        assert_int_equal(sb_adds(&out, "kept"), ERR_OK);
        assert_int_equal(tmpl_render_name(set, "self", data, &out, &ec),
                         ERR_INVALID);
        assert_non_null(strstr(ec.msg, "deeper"));
        assert_string_equal(sb_str(&out), "kept"); /* restored */
        sb_reset(&out);
        tmpl_set_free(set);
    }
    sb_release(&out);
    cJSON_Delete(data);
}

static void test_render_twice(void **state)
{
    const char *src = "{{#items}}\n  {{>row}}\n{{/items}}{{^items}}none{{/"
                      "items}}\n";
    const char *row = "<li>{{name}} {{price}}</li>\n";
    struct tmpl_set *set = tmpl_set_new();
    struct err_ctx ec = {0};
    struct sb a, b;
    cJSON *data = cJSON_Parse("{\"items\":[{\"name\":\"Trà\",\"price\":5},"
                              "{\"name\":\"<Mắm>\",\"price\":7.5}]}");

    (void)state;
    assert_non_null(set);
    assert_int_equal(tmpl_set_add(set, "row", row, strlen(row), &ec), ERR_OK);
    assert_int_equal(tmpl_set_add(set, "page", src, strlen(src), &ec), ERR_OK);
    sb_init(&a, 0);
    sb_init(&b, 0);
    assert_int_equal(tmpl_render_name(set, "page", data, &a, &ec), ERR_OK);
    assert_int_equal(tmpl_render_name(set, "page", data, &b, &ec), ERR_OK);
    assert_string_equal(sb_str(&a), sb_str(&b));
    assert_string_equal(sb_str(&a),
                        "  <li>Trà 5</li>\n  <li>&lt;Mắm&gt; 7.5</li>\n\n");
    sb_release(&a);
    sb_release(&b);
    tmpl_set_free(set);
    cJSON_Delete(data);
}

static void test_set(void **state)
{
    struct tmpl_set *set = tmpl_set_new();
    struct err_ctx ec = {0};
    struct sb out;
    char name[32];
    int i;

    (void)state;
    assert_non_null(set);
    sb_init(&out, 0);
    for (i = 0; i < 100; i++) { /* forces the table to grow */
        (void)snprintf(name, sizeof(name), "t%d", i); /* sized */
        assert_int_equal(tmpl_set_add(set, name, name, strlen(name), &ec),
                         ERR_OK);
    }
    assert_int_equal(tmpl_set_add(set, "t7", "new", 3, &ec), ERR_OK);
    assert_int_equal(tmpl_render_name(set, "t7", NULL, &out, &ec), ERR_OK);
    assert_string_equal(sb_str(&out), "new");
    assert_non_null(tmpl_set_get(set, "t99"));
    assert_null(tmpl_set_get(set, "t100"));
    assert_null(tmpl_set_get(NULL, "t1"));
    assert_int_equal(tmpl_set_add(set, "t1", "{{#x}}", 6, &ec), ERR_INVALID);
    assert_int_equal(tmpl_render_name(set, "nope", NULL, &out, &ec),
                     ERR_NOTFOUND);
    sb_reset(&out);
    assert_int_equal(tmpl_render_name(set, "t1", NULL, &out, &ec), ERR_OK);
    assert_string_equal(sb_str(&out), "t1"); /* failed add kept the old */
    sb_release(&out);
    tmpl_set_free(set);
    tmpl_set_free(NULL);
    tmpl_free(NULL);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name); /* sized */
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name); /* sized */
    (void)unlink(path); /* best effort cleanup of a temp dir */
}

static void test_load_dir(void **state)
{
    char dir[] = "/tmp/test_tmpl_XXXXXX";
    struct tmpl_set *set = tmpl_set_new();
    struct err_ctx ec = {0};
    struct sb out;
    cJSON *data = cJSON_Parse("{\"x\":1}");

    (void)state;
    assert_non_null(set);
    assert_non_null(mkdtemp(dir));
    write_file(dir, "page.mustache", "<{{>part}}>");
    write_file(dir, "part.mustache", "{{x}}");
    write_file(dir, "notes.txt", "{{#broken");
    sb_init(&out, 0);
    assert_int_equal(tmpl_set_load_dir(set, dir, &ec), ERR_OK);
    assert_null(tmpl_set_get(set, "notes"));
    assert_int_equal(tmpl_render_name(set, "page", data, &out, &ec), ERR_OK);
    assert_string_equal(sb_str(&out), "<1>");
    write_file(dir, "bad.mustache", "ok\n{{#broken}}");
    assert_int_equal(tmpl_set_load_dir(set, dir, &ec), ERR_INVALID);
    assert_non_null(strstr(ec.msg, "bad.mustache: line 2"));
    remove_file(dir, "bad.mustache");
    remove_file(dir, "page.mustache");
    remove_file(dir, "part.mustache");
    remove_file(dir, "notes.txt");
    (void)rmdir(dir); /* best effort */
    assert_int_equal(tmpl_set_load_dir(set, dir, &ec), ERR_IO);
    sb_release(&out);
    tmpl_set_free(set);
    cJSON_Delete(data);
}

static void test_output_cap(void **state)
{
    struct tmpl *t = NULL;
    struct err_ctx ec = {0};
    struct sb out;
    const char *src = "{{#l}}0123456789{{/l}}";
    cJSON *data = cJSON_Parse("{\"l\":[1,2,3,4]}");

    (void)state;
    sb_init(&out, 16);
    assert_int_equal(tmpl_compile(src, strlen(src), &t, &ec), ERR_OK);
    assert_int_equal(sb_adds(&out, "ab"), ERR_OK);
    assert_int_equal(tmpl_render(t, data, NULL, &out, &ec), ERR_NOMEM);
    assert_string_equal(sb_str(&out), "ab");
    assert_int_equal(tmpl_render(NULL, data, NULL, &out, &ec), ERR_INVALID);
    sb_release(&out);
    tmpl_free(t);
    cJSON_Delete(data);
}

int main(void)
{
    const struct CMUnitTest own[] = {
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_indentation),
        cmocka_unit_test(test_inheritance_scope),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_render_twice),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_output_cap),
    };
    const char *dir = getenv("OCOP_SPEC_DIR");
    int failed = run_spec(dir != NULL && dir[0] != '\0' ? dir : SPEC_DIR);

    return failed + cmocka_run_group_tests_name("tmpl", own, NULL, NULL);
}
