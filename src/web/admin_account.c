/* admin_account.c: the office's accounts and API keys: listing them,
 * creating an account (its password typed, or generated and shown once),
 * one-time password-reset links (shown once, to copy: no e-mail server is
 * assumed), disabling and enabling accounts, creating API keys (shown
 * once) and revoking them. The secrets live only in the reply. */
#include "web/web.h"

#include "catalog/cat_producer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const roles[] = {"admin", "producer", "booth"};

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A secret shown once on the page that made it. */
struct shown_once {
    const char *kind; /* "password", "reset" or "key" */
    const char *who;  /* the account or the key's name */
    const char *value;
};

struct account_view {
    const char *form; /* the form that failed, or NULL */
    const struct form *f;
    const struct err_ctx *ec;
    const struct shown_once *secret;
};

static void add_secret(cJSON *m, const struct account_view *v)
{
    cJSON *s;

    if (v->secret == NULL)
        return;
    s = cJSON_AddObjectToObject(m, "secret");
    cJSON_AddBoolToObject(s, v->secret->kind, 1);
    cJSON_AddStringToObject(s, "who", v->secret->who);
    cJSON_AddStringToObject(s, "value", v->secret->value);
}

/* add_role_choices: roles and producers for the create forms. */
static enum err add_role_choices(struct ctx *c, cJSON *m, struct err_ctx *ec)
{
    const cJSON *v = cJSON_GetObjectItem(m, "values");
    const char *role = str_of(v, "role"), *prod = str_of(v, "producer");
    cJSON *arr = cJSON_AddArrayToObject(m, "role_options"), *producers = NULL,
          *p;
    enum err e = cat_producer_options(c->w->db, &producers, ec);
    int i;

    for (i = 0; arr != NULL && i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", roles[i]);
        cJSON_AddStringToObject(
            o, "label",
            admin_t(c, arena_printf(&c->req->arena, "role_%s", roles[i])));
        cJSON_AddBoolToObject(o, "selected",
                              role && strcmp(role, roles[i]) == 0);
        cJSON_AddItemToArray(arr, o);
    }
    if (e != ERR_OK)
        return e;
    cJSON_ArrayForEach(p, producers)
    {
        cJSON_AddBoolToObject(p, "selected",
                              prod != NULL &&
                                  strcmp(prod, str_of(p, "slug")) == 0);
    }
    cJSON_AddItemToObject(m, "producer_options", producers);
    return ERR_OK;
}

/* --- accounts ------------------------------------------------------------ */

static void view_users(struct ctx *c, cJSON *users)
{
    cJSON *u;
    char path[64];

    cJSON_ArrayForEach(u, users)
    {
        long long id =
            (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(u, "id"));
        cJSON_AddStringToObject(
            u, "role_text",
            admin_t(
                c, arena_printf(&c->req->arena, "role_%s", str_of(u, "role"))));
        cJSON_AddStringToObject(u, "created_text",
                                admin_when(c, str_of(u, "created_at")));
        cJSON_AddBoolToObject(u, "is_me", id == (long long)c->who.user_id);
        (void)snprintf(path, sizeof(path), "/quan-tri/tai-khoan/%lld/dat-lai",
                       id);
        cJSON_AddStringToObject(
            u, "reset_action", view_url(c, arena_strdup(&c->req->arena, path)));
        (void)snprintf(path, sizeof(path), "/quan-tri/tai-khoan/%lld/khoa", id);
        cJSON_AddStringToObject(
            u, "disable_action",
            view_url(c, arena_strdup(&c->req->arena, path)));
    }
}

static enum hres users_page(struct ctx *c, unsigned status,
                            const struct account_view *v)
{
    struct err_ctx ec = {0};
    cJSON *m =
        admin_model(c, "office_users_title", "/quan-tri/tai-khoan", "users");
    cJSON *users = NULL;
    enum err e = m ? auth_user_list(c->w->db, 0, &users, &ec) : ERR_NOMEM;

    if (e == ERR_OK && v->f != NULL)
        admin_values(m, v->f);
    if (e == ERR_OK)
        e = add_role_choices(c, m, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(users);
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    view_users(c, users);
    cJSON_AddItemToObject(m, "users", users);
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/tai-khoan"));
    if (v->ec != NULL)
        admin_error(c, m, v->form, v->ec, "err_invalid");
    add_secret(m, v);
    return admin_render(c, status, "admin_users", m);
}

enum hres page_admin_users(struct ctx *c)
{
    struct account_view v = {0};

    return users_page(c, 200, &v);
}

struct user_job {
    struct actor who;
    const char *username, *password, *producer;
    int role;
};

static enum err user_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct user_job *j = cls;

    if (j->role < 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_role", "role",
                        "role must be admin, producer or booth");
    return auth_user_add(db, j->username, (enum auth_role)j->role, j->password,
                         j->role == ROLE_PRODUCER ? j->producer : NULL, &j->who,
                         NULL, ec);
}

enum hres page_admin_user_create(struct ctx *c)
{
    char generated[AUTH_GEN_PASSWORD_CHARS];
    struct err_ctx ec = {0};
    struct account_view v = {"create", NULL, &ec, NULL};
    struct shown_once once;
    struct user_job job;
    struct form f;
    enum hres h;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    auth_password_generate(generated);
    job = (struct user_job){
        auth_actor(&c->who, c->ip), admin_field(&f, "username"),
        admin_field(&f, "password"), admin_field(&f, "producer"),
        auth_role_parse(admin_field(&f, "role"))};
    if (*job.password == '\0')
        job.password = generated;
    e = db_tx_run(c->w->db, "user create", user_tx, &job, &ec);
    v.f = &f;
    if (admin_form_error(e))
        return users_page(c, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    if (job.password != generated)
        return web_redirect(c, "/quan-tri/tai-khoan?ok=user_created");
    once = (struct shown_once){"password", job.username, generated};
    v = (struct account_view){NULL, NULL, NULL, &once};
    h = users_page(c, 201, &v);
    sodium_memzero(generated, sizeof(generated));
    return h;
}

static long user_arg(struct ctx *c)
{
    long id = 0;

    return admin_long(c->args[0], 1, 2147483647L, &id) ? id : 0;
}

struct reset_job {
    struct actor who;
    int64_t id;
    char token[AUTH_TOKEN_CHARS];
};

static enum err reset_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct reset_job *j = cls;

    return auth_reset_create(db, j->id, &j->who, time(NULL), j->token, ec);
}

/* username_of: the account's name for the note (from the list). */
static const char *username_of(struct ctx *c, int64_t id)
{
    struct err_ctx ec = {0};
    cJSON *users = NULL, *u;
    const char *name = "";

    if (auth_user_list(c->w->db, 0, &users, &ec) != ERR_OK)
        return name;
    cJSON_ArrayForEach(u, users)
    {
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(u, "id")) == id)
            name = arena_strdup(&c->req->arena, str_of(u, "username"));
    }
    cJSON_Delete(users);
    return name;
}

enum hres page_admin_user_reset(struct ctx *c)
{
    struct reset_job job = {0};
    struct err_ctx ec = {0};
    struct account_view v = {"reset", NULL, &ec, NULL};
    struct shown_once once;
    enum err e;

    job.who = auth_actor(&c->who, c->ip);
    job.id = user_arg(c);
    if (job.id == 0)
        return web_fail(c, 404, "not_found", "err_user_not_found");
    e = db_tx_run(c->w->db, "reset link", reset_tx, &job, &ec);
    if (e == ERR_NOTFOUND)
        return web_fail(c, 404, "not_found", "err_user_not_found");
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    once = (struct shown_once){"reset", username_of(c, job.id),
                               arena_printf(&c->req->arena,
                                            "%s/dat-lai-mat-khau/%s",
                                            c->app->conf->base_url, job.token)};
    sodium_memzero(job.token, sizeof(job.token));
    v = (struct account_view){NULL, NULL, NULL, &once};
    return users_page(c, 200, &v);
}

struct disable_job {
    struct actor who;
    int64_t id;
    int disabled;
};

static enum err disable_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct disable_job *j = cls;

    return auth_user_set_disabled(db, &j->who, j->id, j->disabled, ec);
}

enum hres page_admin_user_disable(struct ctx *c)
{
    struct disable_job job = {0};
    struct err_ctx ec = {0};
    struct account_view v = {"disable", NULL, &ec, NULL};
    struct form f;
    enum err e;

    job.id = user_arg(c);
    if (job.id == 0)
        return web_fail(c, 404, "not_found", "err_user_not_found");
    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    job.who = auth_actor(&c->who, c->ip);
    job.disabled = strcmp(admin_field(&f, "action"), "enable") != 0;
    e = db_tx_run(c->w->db, "user disable", disable_tx, &job, &ec);
    if (admin_form_error(e))
        return users_page(c, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, job.disabled
                               ? "/quan-tri/tai-khoan?ok=user_disabled"
                               : "/quan-tri/tai-khoan?ok=user_enabled");
}

/* --- API keys ------------------------------------------------------------ */

static void view_keys(struct ctx *c, cJSON *keys)
{
    cJSON *k;

    cJSON_ArrayForEach(k, keys)
    {
        long long id =
            (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(k, "id"));
        cJSON_AddStringToObject(
            k, "role_text",
            admin_t(
                c, arena_printf(&c->req->arena, "role_%s", str_of(k, "role"))));
        cJSON_AddStringToObject(k, "created_text",
                                admin_when(c, str_of(k, "created_at")));
        if (str_of(k, "last_used_at") != NULL)
            cJSON_AddStringToObject(k, "used_text",
                                    admin_when(c, str_of(k, "last_used_at")));
        if (str_of(k, "revoked_at") != NULL)
            cJSON_AddStringToObject(k, "revoked_text",
                                    admin_when(c, str_of(k, "revoked_at")));
        cJSON_AddStringToObject(
            k, "revoke_action",
            view_url(c, arena_printf(&c->req->arena,
                                     "/quan-tri/khoa-api/%lld/thu-hoi", id)));
    }
}

static enum hres keys_page(struct ctx *c, unsigned status,
                           const struct account_view *v)
{
    struct err_ctx ec = {0};
    cJSON *m =
        admin_model(c, "office_keys_title", "/quan-tri/khoa-api", "keys");
    cJSON *keys = NULL;
    enum err e = m ? auth_apikey_list(c->w->db, &keys, &ec) : ERR_NOMEM;

    if (e == ERR_OK && v->f != NULL)
        admin_values(m, v->f);
    if (e == ERR_OK)
        e = add_role_choices(c, m, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(keys);
        cJSON_Delete(m);
        return web_fail_err(c, e, &ec);
    }
    view_keys(c, keys);
    cJSON_AddItemToObject(m, "keys", keys);
    cJSON_AddStringToObject(m, "form_action",
                            view_url(c, "/quan-tri/khoa-api"));
    if (v->ec != NULL)
        admin_error(c, m, v->form, v->ec, "err_invalid");
    add_secret(m, v);
    return admin_render(c, status, "admin_keys", m);
}

enum hres page_admin_keys(struct ctx *c)
{
    struct account_view v = {0};

    return keys_page(c, 200, &v);
}

struct key_job {
    struct actor who;
    const char *name, *producer;
    int role;
    long booth;
    char key[AUTH_APIKEY_CHARS];
};

static enum err key_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct key_job *j = cls;

    if (j->role < 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_role", "role",
                        "role must be admin, producer or booth");
    if (j->booth < 0)
        return err_user(ec, ERR_UNPROCESSABLE, "err_booth", "booth",
                        "booth must be a number");
    if (j->name == NULL)
        return err_user(ec, ERR_UNPROCESSABLE, "err_key_name", "name",
                        "a key needs a name");
    return auth_apikey_create(db, (enum auth_role)j->role,
                              j->role == ROLE_PRODUCER ? j->producer : NULL,
                              j->role == ROLE_BOOTH ? j->booth : 0, j->name,
                              &j->who, j->key, NULL, ec);
}

static const char *clean_name(struct ctx *c, const char *in)
{
    char *s = cat_text_clean(in, 0, 1, 100);
    const char *r = s ? arena_strdup(&c->req->arena, s) : NULL;

    free(s);
    return r;
}

enum hres page_admin_key_create(struct ctx *c)
{
    struct err_ctx ec = {0};
    struct account_view v = {"create", NULL, &ec, NULL};
    struct shown_once once;
    struct key_job job;
    struct form f;
    long booth = 0;
    enum err e;

    if (!web_form(c, &f))
        return web_fail(c, 400, "invalid", "err_invalid");
    if (*admin_field(&f, "booth") != '\0' &&
        !admin_long(form_get(&f, "booth"), 1, 2147483647L, &booth))
        booth = -1;
    job = (struct key_job){auth_actor(&c->who, c->ip),
                           clean_name(c, admin_field(&f, "name")),
                           admin_field(&f, "producer"),
                           auth_role_parse(admin_field(&f, "role")),
                           booth,
                           ""};
    e = db_tx_run(c->w->db, "apikey create", key_tx, &job, &ec);
    v.f = &f;
    if (admin_form_error(e))
        return keys_page(c, admin_status(e), &v);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    once = (struct shown_once){"key", job.name,
                               arena_strdup(&c->req->arena, job.key)};
    sodium_memzero(job.key, sizeof(job.key));
    v = (struct account_view){NULL, NULL, NULL, &once};
    return keys_page(c, 201, &v);
}

struct revoke_key_job {
    struct actor who;
    int64_t id;
};

static enum err revoke_key_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct revoke_key_job *j = cls;

    return auth_apikey_revoke(db, j->id, &j->who, ec);
}

enum hres page_admin_key_revoke(struct ctx *c)
{
    struct revoke_key_job job = {auth_actor(&c->who, c->ip), user_arg(c)};
    struct err_ctx ec = {0};
    enum err e;

    if (job.id == 0)
        return web_fail(c, 404, "not_found", "err_not_found");
    e = db_tx_run(c->w->db, "apikey revoke", revoke_key_tx, &job, &ec);
    if (e == ERR_NOTFOUND)
        return web_fail(c, 404, "not_found", "err_key_not_found");
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return web_redirect(c, "/quan-tri/khoa-api?ok=key_revoked");
}
