/* account.c: signing in and out, and password-reset links. */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static int secure_site(struct ctx *c)
{
    return strncmp(c->app->conf->base_url, "https://", 8) == 0;
}

/* form_of_fields: the fields of a streamed multipart body; they stay
 * valid when a file part was refused (the CSRF token still counts). */
static int form_of_fields(struct ctx *c, struct form *f)
{
    size_t n = (size_t)c->req->n_fields + 1;
    int i;

    f->n = 0;
    f->keys = arena_alloc(&c->req->arena, sizeof(char *) * n);
    f->values = arena_alloc(&c->req->arena, sizeof(char *) * n);
    if (f->keys == NULL || f->values == NULL)
        return 0;
    for (i = 0; i < c->req->n_fields; i++) {
        f->keys[i] = (char *)c->req->fields[i].name; /* read only */
        f->values[i] = (char *)c->req->fields[i].value;
    }
    f->n = c->req->n_fields;
    return 1;
}

int web_form(struct ctx *c, struct form *f)
{
    if (c->req->multipart)
        return form_of_fields(c, f);
    if (c->req->body_too_big)
        return 0;
    return form_parse(&c->req->arena, sb_str(&c->req->body), c->req->body.len,
                      f);
}

int web_csrf_ok(struct ctx *c)
{
    const char *token = http_header(c->req, "X-CSRF-Token");
    struct form f;

    if (token == NULL && web_form(c, &f))
        token = form_get(&f, "csrf");
    return auth_csrf_ok(&c->who, token);
}

enum hres web_redirect(struct ctx *c, const char *path)
{
    struct http_reply rep = {.status = 303,
                             .location = view_url(c, path),
                             .cache_control = "no-store"};
    struct sb empty;

    sb_init(&empty, 16);
    return http_send_sb_with(c->req, &rep, &empty);
}

/* safe_next: a local path to go back to after signing in, or NULL. */
static const char *safe_next(const char *next)
{
    if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
        strpbrk(next, "\r\n") != NULL || strlen(next) > 500)
        return NULL;
    return next;
}

enum hres web_redirect_login(struct ctx *c)
{
    struct sb sb;
    const char *path;
    enum err e;

    sb_init(&sb, 2048);
    e = sb_adds(&sb, "/dang-nhap?next=");
    if (e == ERR_OK)
        e = sb_add_urlenc(&sb, c->req->path);
    path = e == ERR_OK ? arena_strdup(&c->req->arena, sb_str(&sb)) : "/dang-nhap";
    sb_release(&sb);
    return web_redirect(c, path);
}

static const char *home_of(const struct auth_principal *p)
{
    return p->role == ROLE_ADMIN ? "/quan-tri" : "/quan-ly";
}

/* --- sign in ------------------------------------------------------------- */

/* The sign-in form has no session yet: its CSRF token is a random value
 * in a SameSite=Strict cookie, repeated in the form (double submit). */
static const char *pre_cookie(struct ctx *c, char token[AUTH_TOKEN_CHARS])
{
    unsigned char raw[24];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, AUTH_TOKEN_CHARS, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return arena_printf(&c->req->arena,
                        "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
                        WEB_PRE_COOKIE, token, secure_site(c) ? "; Secure" : "");
}

static enum hres login_form(struct ctx *c, unsigned status, const char *err_key,
                            const char *username, const char *next)
{
    char token[AUTH_TOKEN_CHARS];
    struct http_reply rep = {.status = status};
    cJSON *m = view_new(c, t(c, "login_title"), t(c, "login_title"),
                        "/dang-nhap");

    if (m == NULL)
        return H_FATAL;
    rep.set_cookie = pre_cookie(c, token);
    if (status == 429)
        rep.retry_after = "900";
    cJSON_AddStringToObject(m, "csrf", token);
    cJSON_AddStringToObject(m, "username", username ? username : "");
    cJSON_AddStringToObject(m, "next", next ? next : "");
    cJSON_AddStringToObject(m, "form_action", view_url(c, "/dang-nhap"));
    cJSON_AddBoolToObject(m, "noindex", 1);
    if (err_key != NULL)
        cJSON_AddStringToObject(m, "error", t(c, err_key));
    return view_render_private(c, &rep, "login", m);
}

enum hres page_login(struct ctx *c)
{
    if (c->who.role != ROLE_PUBLIC)
        return web_redirect(c, home_of(&c->who));
    return login_form(c, 200, NULL, NULL, safe_next(http_arg(c->req, "next")));
}

static int pre_csrf_ok(struct ctx *c, const struct form *f)
{
    const char *cookie = http_cookie(c->req, WEB_PRE_COOKIE);
    const char *field = form_get(f, "csrf");

    return cookie != NULL && field != NULL && strlen(cookie) == strlen(field) &&
           strlen(cookie) > 16 &&
           sodium_memcmp(cookie, field, strlen(cookie)) == 0;
}

static unsigned login_status(enum err e)
{
    switch (e) {
    case ERR_RATELIMIT: return 429;
    case ERR_UNAUTHORIZED: return 401;
    default: return 500;
    }
}

enum hres page_login_post(struct ctx *c)
{
    struct auth_limits lim = {c->app->conf->session_idle_s,
                              c->app->conf->session_max_s};
    char token[AUTH_TOKEN_CHARS];
    struct http_reply rep = {.status = 303, .cache_control = "no-store"};
    struct err_ctx ec = {0};
    struct form f;
    const char *user, *next;
    struct sb empty;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    user = form_get(&f, "username");
    next = safe_next(form_get(&f, "next"));
    if (!pre_csrf_ok(c, &f))
        return login_form(c, 403, "err_form_expired", user, next);
    e = auth_login(c->w->db, user, form_get(&f, "password"), c->ip,
                   http_header(c->req, "User-Agent"), &lim, time(NULL), token,
                   &c->who, &ec);
    if (e != ERR_OK)
        return e == ERR_DB ? web_fail_err(c, e, &ec)
                           : login_form(c, login_status(e), ec.key, user, next);
    rep.set_cookie = arena_printf(
        &c->req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
        WEB_SESSION_COOKIE, token, lim.absolute_s,
        secure_site(c) ? "; Secure" : "");
    rep.location = view_url(c, next ? next : home_of(&c->who));
    sodium_memzero(token, sizeof(token));
    sb_init(&empty, 16);
    return http_send_sb_with(c->req, &rep, &empty);
}

enum hres page_logout_post(struct ctx *c)
{
    struct http_reply rep = {.status = 303, .cache_control = "no-store"};
    struct err_ctx ec = {0};
    struct sb empty;
    enum err e = ERR_OK;

    if (c->who.session_id != 0)
        e = auth_logout(c->w->db, c->who.session_id, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    rep.set_cookie = arena_printf(&c->req->arena,
                                  "%s=; Path=/; HttpOnly; SameSite=Lax; "
                                  "Max-Age=0%s",
                                  WEB_SESSION_COOKIE,
                                  secure_site(c) ? "; Secure" : "");
    rep.location = view_url(c, "/");
    sb_init(&empty, 16);
    return http_send_sb_with(c->req, &rep, &empty);
}

/* --- password reset links ------------------------------------------------ */

static enum hres reset_form(struct ctx *c, unsigned status, const char *err_key,
                            const char *username, int done)
{
    char token[AUTH_TOKEN_CHARS];
    struct http_reply rep = {.status = status};
    cJSON *m = view_new(c, t(c, "reset_title"), t(c, "reset_title"),
                        "/dang-nhap");

    if (m == NULL)
        return H_FATAL;
    rep.set_cookie = pre_cookie(c, token);
    cJSON_AddStringToObject(m, "csrf", token);
    cJSON_AddStringToObject(m, "username", username ? username : "");
    cJSON_AddBoolToObject(m, "valid", username != NULL && !done);
    cJSON_AddBoolToObject(m, "done", done);
    cJSON_AddBoolToObject(m, "noindex", 1);
    cJSON_AddStringToObject(
        m, "form_action",
        view_url(c, arena_printf(&c->req->arena, "/dat-lai-mat-khau/%s",
                                 c->rest)));
    cJSON_AddStringToObject(m, "login_href", view_url(c, "/dang-nhap"));
    if (err_key != NULL)
        cJSON_AddStringToObject(m, "error", t(c, err_key));
    return view_render_private(c, &rep, "reset", m);
}

enum hres page_reset(struct ctx *c)
{
    char username[64];
    struct err_ctx ec = {0};
    enum err e = auth_reset_peek(c->w->db, c->rest, time(NULL), username, &ec);

    if (e == ERR_NOTFOUND)
        return reset_form(c, 404, "err_reset_invalid", NULL, 0);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return reset_form(c, 200, NULL, username, 0);
}

static enum err reset_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    const char **args = cls;

    return auth_reset_use(db, args[0], args[1], time(NULL), ec);
}

enum hres page_reset_post(struct ctx *c)
{
    char username[64];
    struct err_ctx ec = {0};
    const char *args[2];
    struct form f;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    e = auth_reset_peek(c->w->db, c->rest, time(NULL), username, &ec);
    if (e == ERR_NOTFOUND)
        return reset_form(c, 404, "err_reset_invalid", NULL, 0);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (!pre_csrf_ok(c, &f))
        return reset_form(c, 403, "err_form_expired", username, 0);
    if (strcmp(form_get(&f, "password") ? form_get(&f, "password") : "",
               form_get(&f, "password2") ? form_get(&f, "password2") : "") != 0)
        return reset_form(c, 422, "err_password_mismatch", username, 0);
    args[0] = c->rest;
    args[1] = form_get(&f, "password");
    e = db_tx_run(c->w->db, "reset", reset_tx, args, &ec);
    if (e == ERR_UNPROCESSABLE)
        return reset_form(c, 422, ec.key, username, 0);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return reset_form(c, 200, NULL, username, 1);
}

/* --- my account ---------------------------------------------------------- */

static enum hres account_page(struct ctx *c, unsigned status, const char *err_key,
                              int done)
{
    cJSON *m = view_private_new(c, t(c, "account_title"), "/tai-khoan");

    if (m == NULL)
        return H_FATAL;
    cJSON_AddStringToObject(m, "form_action", view_url(c, "/tai-khoan/mat-khau"));
    cJSON_AddBoolToObject(m, "done", done);
    cJSON_AddBoolToObject(m, "is_user", c->who.user_id != 0);
    if (err_key != NULL)
        cJSON_AddStringToObject(m, "error", t(c, err_key));
    return view_render_private(c, &(struct http_reply){.status = status},
                               "account", m);
}

enum hres page_account(struct ctx *c)
{
    return account_page(c, 200, NULL, http_arg(c->req, "ok") != NULL);
}

struct pw_job {
    const struct auth_principal *who;
    const char *current, *next, *ip;
};

static enum err pw_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct pw_job *j = cls;

    return auth_change_password(db, j->who, j->current, j->next, j->ip, ec);
}

enum hres page_password_post(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct pw_job job;
    struct form f;
    const char *next2;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job = (struct pw_job){&c->who, form_get(&f, "current"),
                          form_get(&f, "password"), c->ip};
    next2 = form_get(&f, "password2");
    if (job.next == NULL || next2 == NULL || strcmp(job.next, next2) != 0)
        return account_page(c, 422, "err_password_mismatch", 0);
    e = db_tx_run(c->w->db, "password change", pw_tx, &job, &ec);
    if (e == ERR_OK)
        return web_redirect(c, "/tai-khoan?ok=1");
    if (e == ERR_UNPROCESSABLE || e == ERR_FORBIDDEN)
        return account_page(c, e == ERR_FORBIDDEN ? 403 : 422, ec.key, 0);
    return web_fail_err(c, e, &ec);
}
