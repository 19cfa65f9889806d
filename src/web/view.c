/* view.c: page view models and rendering.
 * A page model is the catalog's canonical JSON plus display fields that
 * only a page needs (formatted prices, localised names, URLs that keep
 * the visitor's language). Templates never format anything themselves. */
#include "web/web.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char html_type[] = "text/html; charset=utf-8";

const char *view_url(struct ctx *c, const char *path)
{
    if (c->lang == LANG_VI)
        return path;
    return arena_printf(&c->req->arena, "%s%slang=%s", path,
                        strchr(path, '?') ? "&" : "?",
                        i18n_lang_code(c->lang));
}

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static const char *money_text(struct ctx *c, const cJSON *price)
{
    struct sb sb;
    const char *s;

    if (!cJSON_IsNumber(price))
        return t(c, "price_contact");
    sb_init(&sb, 64);
    if (i18n_money((int64_t)cJSON_GetNumberValue(price), c->lang, &sb) !=
        ERR_OK) {
        sb_release(&sb);
        return t(c, "price_contact");
    }
    s = arena_strdup(&c->req->arena, sb_str(&sb));
    sb_release(&sb);
    return s;
}

static const char *date_text(struct ctx *c, const char *iso)
{
    struct sb sb;
    const char *s;

    if (iso == NULL)
        return NULL;
    sb_init(&sb, 64);
    s = i18n_date(iso, c->lang, &sb) == ERR_OK
            ? arena_strdup(&c->req->arena, sb_str(&sb))
            : iso;
    sb_release(&sb);
    return s;
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v != NULL)
        cJSON_AddStringToObject(o, key, v);
}

/* star_list: five {"on": bool} entries for the badge. */
static void add_star_badge(struct ctx *c, cJSON *o, int stars)
{
    cJSON *list = cJSON_AddArrayToObject(o, "star_list");
    char key[32];
    int i;

    for (i = 0; list != NULL && i < 5; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddBoolToObject(s, "on", i < stars);
        cJSON_AddItemToArray(list, s);
    }
    (void)snprintf(key, sizeof(key), "stars_%d", stars);
    add_str(o, "stars_text", t(c, key));
}

static void view_certificate(struct ctx *c, cJSON *cert)
{
    const char *status = str_of(cert, "status");
    char key[64];

    if (cert == NULL || status == NULL)
        return;
    (void)snprintf(key, sizeof(key), "cert_status_%s", status);
    add_str(cert, "status_text", t(c, key));
    cJSON_AddBoolToObject(cert, "is_active", strcmp(status, "active") == 0);
    cJSON_AddBoolToObject(cert, "is_expired", strcmp(status, "expired") == 0);
    cJSON_AddBoolToObject(cert, "is_revoked", strcmp(status, "revoked") == 0);
    (void)snprintf(key, sizeof(key), "level_%s",
                   str_of(cert, "level") ? str_of(cert, "level") : "province");
    add_str(cert, "level_text", t(c, key));
    add_str(cert, "issued_text", date_text(c, str_of(cert, "issued_on")));
    add_str(cert, "expires_text", date_text(c, str_of(cert, "expires_on")));
    add_str(cert, "revoked_text", date_text(c, str_of(cert, "revoked_on")));
    add_star_badge(c, cert,
                   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(cert, "stars")));
}

static void view_producer_ref(struct ctx *c, cJSON *pr)
{
    char key[64];
    const char *commune = str_of(pr, "commune"), *prov = str_of(pr, "province");

    if (pr == NULL)
        return;
    (void)snprintf(key, sizeof(key), "kind_%s",
                   str_of(pr, "kind") ? str_of(pr, "kind") : "company");
    add_str(pr, "kind_text", t(c, key));
    if (str_of(pr, "url") != NULL)
        add_str(pr, "href", view_url(c, str_of(pr, "url")));
    if (commune != NULL && prov != NULL)
        add_str(pr, "locality",
                arena_printf(&c->req->arena, "%s, %s", commune, prov));
    else
        add_str(pr, "locality", prov ? prov : commune);
}

static void view_photos(struct ctx *c, cJSON *p)
{
    cJSON *ph, *photos = cJSON_GetObjectItem(p, "photos");
    int i = 0;

    cJSON_ArrayForEach(ph, photos)
    {
        add_str(ph, "alt", str_of(ph, c->lang == LANG_EN ? "alt_en" : "alt_vi"));
        cJSON_AddBoolToObject(ph, "first", i++ == 0);
    }
    ph = cJSON_GetArrayItem(photos, 0);
    if (ph != NULL)
        cJSON_AddItemReferenceToObject(p, "cover", ph);
}

static void view_variants(struct ctx *c, cJSON *p)
{
    cJSON *v;

    cJSON_ArrayForEach(v, cJSON_GetObjectItem(p, "variants"))
        add_str(v, "price_text", money_text(c, cJSON_GetObjectItem(v, "price_vnd")));
}

static cJSON *string_n(const char *s, size_t n)
{
    char *copy = strndup(s, n);
    cJSON *j = cJSON_CreateString(copy ? copy : "");

    free(copy);
    return j;
}

/* add_block: closes the pending paragraph or list into blocks. */
static void add_block(cJSON *blocks, struct sb *para, cJSON **list)
{
    cJSON *b;

    if (para->len > 0) {
        b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "text", sb_str(para));
        cJSON_AddItemToArray(blocks, b);
        sb_reset(para);
    }
    if (*list != NULL) {
        b = cJSON_CreateObject();
        cJSON_AddBoolToObject(b, "list", 1);
        cJSON_AddItemToObject(b, "items", *list);
        cJSON_AddItemToArray(blocks, b);
        *list = NULL;
    }
}

/* description_blocks: plain paragraphs (blank lines between them) and
 * simple lists (lines starting "- " or "* "). The text stays text: the
 * template escapes it, so markup typed by a producer shows as typed. */
static void add_description_blocks(cJSON *p)
{
    const char *d = str_of(p, "description"), *line, *nl;
    cJSON *blocks = cJSON_AddArrayToObject(p, "description_blocks"), *list = NULL;
    struct sb para;
    enum err e = ERR_OK;

    sb_init(&para, 1 << 20);
    for (line = d ? d : ""; *line != '\0' && e == ERR_OK; line = nl ? nl + 1 : "") {
        size_t n;
        nl = strchr(line, '\n');
        n = nl ? (size_t)(nl - line) : strlen(line);
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
            n--;
        if (n == 0) {
            add_block(blocks, &para, &list);
        } else if (n > 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ') {
            if (para.len > 0)
                add_block(blocks, &para, &list);
            if (list == NULL)
                list = cJSON_CreateArray();
            cJSON_AddItemToArray(list, string_n(line + 2, n - 2));
        } else {
            if (list != NULL)
                add_block(blocks, &para, &list);
            e = para.len ? sb_addc(&para, ' ') : ERR_OK;
            if (e == ERR_OK)
                e = sb_add(&para, line, n);
        }
    }
    add_block(blocks, &para, &list);
    sb_release(&para);
}

void view_product(struct ctx *c, cJSON *p)
{
    const cJSON *stars = cJSON_GetObjectItem(p, "stars");
    cJSON *g = cJSON_GetObjectItem(p, "group");

    add_str(p, "href", view_url(c, str_of(p, "url")));
    add_str(p, "price_text", money_text(c, cJSON_GetObjectItem(p, "price_vnd")));
    cJSON_AddBoolToObject(p, "is_ocop", cJSON_IsNumber(stars));
    if (cJSON_IsNumber(stars))
        add_star_badge(c, p, (int)cJSON_GetNumberValue(stars));
    if (g != NULL) {
        add_str(g, "name", str_of(g, c->lang == LANG_EN ? "name_en" : "name_vi"));
        add_str(g, "href", view_url(c, arena_printf(&c->req->arena, "/nhom/%s",
                                                    str_of(g, "slug"))));
    }
    view_producer_ref(c, cJSON_GetObjectItem(p, "producer"));
    view_certificate(c, cJSON_GetObjectItem(p, "certificate"));
    view_photos(c, p);
    view_variants(c, p);
    add_description_blocks(p);
}

void view_products(struct ctx *c, cJSON *arr)
{
    cJSON *p;

    cJSON_ArrayForEach(p, arr)
        view_product(c, p);
}

static void view_groups(struct ctx *c, cJSON *groups)
{
    cJSON *g;

    cJSON_ArrayForEach(g, groups)
    {
        const char *name =
            str_of(g, c->lang == LANG_EN ? "name_en" : "name_vi");
        const char *desc =
            str_of(g, c->lang == LANG_EN ? "description_en" : "description_vi");
        add_str(g, "name", name);
        add_str(g, "description", desc);
        add_str(g, "href", view_url(c, str_of(g, "url")));
        add_str(g, "icon",
                asset_url(c->app->media,
                          arena_printf(&c->req->arena, "group-%d-a.svg",
                                       (int)cJSON_GetNumberValue(
                                           cJSON_GetObjectItem(g, "code")))));
    }
}

/* lang_switch: the same page in the other language. */
static void add_lang_links(struct ctx *c, cJSON *page, const char *path)
{
    const char *base = c->app->conf->base_url;
    const char *sep = strchr(path, '?') ? "&" : "?";
    const char *en = arena_printf(&c->req->arena, "%s%slang=en", path, sep);

    add_str(page, "alternate_vi", arena_printf(&c->req->arena, "%s%s", base, path));
    add_str(page, "alternate_en", arena_printf(&c->req->arena, "%s%s", base, en));
    add_str(page, "canonical", arena_printf(&c->req->arena, "%s%s", base,
                                            c->lang == LANG_EN ? en : path));
    add_str(page, "switch_href", c->lang == LANG_EN ? path : en);
    add_str(page, "switch_label", t(c, "lang_switch"));
    add_str(page, "switch_lang", c->lang == LANG_EN ? "vi" : "en");
}

cJSON *view_groups_list(struct ctx *c, int counts)
{
    cJSON *groups = NULL;
    struct err_ctx ec;

    if (c->w == NULL ||
        cat_groups(c->w->db, &c->env, counts, &groups, &ec) != ERR_OK)
        return NULL;
    view_groups(c, groups);
    return groups;
}

cJSON *view_new(struct ctx *c, const char *title, const char *description,
                const char *canonical_path)
{
    cJSON *m = cJSON_CreateObject(), *page, *site, *groups = NULL;

    if (m == NULL)
        return NULL;
    cJSON_AddStringToObject(m, "lang", i18n_lang_code(c->lang));
    cJSON_AddBoolToObject(m, "is_en", c->lang == LANG_EN);
    cJSON_AddItemReferenceToObject(
        m, "t", (cJSON *)i18n_messages(c->app->theme.i18n, c->lang));
    cJSON_AddItemReferenceToObject(m, "asset", c->app->theme.assets);
    site = cJSON_AddObjectToObject(m, "site");
    add_str(site, "base_url", c->app->conf->base_url);
    add_str(site, "home_href", view_url(c, "/"));
    add_str(site, "products_href", view_url(c, "/san-pham"));
    add_str(site, "producers_href", view_url(c, "/nha-san-xuat"));
    add_str(site, "year", arena_strndup(&c->req->arena, c->today, 4));
    page = cJSON_AddObjectToObject(m, "page");
    add_str(page, "title", title);
    add_str(page, "description", description);
    add_str(page, "og_type", "website");
    add_str(page, "og_image",
            arena_printf(&c->req->arena, "%s%s", c->app->conf->base_url,
                         str_of(c->app->theme.assets, "img_og_png")
                             ? str_of(c->app->theme.assets, "img_og_png")
                             : "/favicon.ico"));
    add_lang_links(c, page, canonical_path);
    groups = view_groups_list(c, 0);
    if (groups != NULL)
        cJSON_AddItemToObject(m, "nav_groups", groups);
    return m;
}

cJSON *view_private_new(struct ctx *c, const char *title, const char *path)
{
    cJSON *m = view_new(c, title, title, path), *me;
    char key[32];

    if (m == NULL)
        return NULL;
    me = cJSON_AddObjectToObject(m, "me");
    add_str(me, "username", c->who.username);
    add_str(me, "role", auth_role_name(c->who.role));
    (void)snprintf(key, sizeof(key), "role_%s", auth_role_name(c->who.role));
    add_str(me, "role_text", t(c, key));
    add_str(me, "csrf", c->who.csrf);
    cJSON_AddBoolToObject(me, "is_admin", c->who.role == ROLE_ADMIN);
    add_str(me, "portal_href", view_url(c, "/quan-ly"));
    add_str(me, "office_href", view_url(c, "/quan-tri"));
    cJSON_AddBoolToObject(m, "noindex", 1);
    cJSON_AddBoolToObject(m, "private", 1);
    return m;
}

static enum hres send_rendered(struct ctx *c, unsigned status,
                               const char *cache_key, struct sb *out)
{
    if (status == 200)
        return web_send_cached(c, cache_key, html_type, out);
    return http_send_sb(c->req, status, html_type, out, "no-store");
}

static enum hres render_into(struct ctx *c, const char *name, cJSON *model,
                             struct sb *out)
{
    struct err_ctx ec = {0};
    enum err e;

    if (model == NULL)
        return H_FATAL;
    sb_reset(out);
    e = tmpl_render_name(c->app->theme.tmpl, name, model, out, &ec);
    cJSON_Delete(model);
    if (e != ERR_OK) {
        log_msg(LOG_ERROR, "view", "template %s: %s", name, ec.msg);
        return H_FATAL;
    }
    return H_OK;
}

enum hres view_render_private(struct ctx *c, const struct http_reply *extra,
                              const char *name, cJSON *model)
{
    struct http_reply rep = *extra;
    struct sb local, *out;
    enum hres h;

    sb_init(&local, 8 << 20);
    out = c->w ? &c->w->page : &local;
    rep.content_type = html_type;
    rep.cache_control = "no-store";
    h = render_into(c, name, model, out);
    if (h == H_OK)
        h = http_send_sb_with(c->req, &rep, out);
    sb_release(&local);
    return h;
}

enum hres view_render(struct ctx *c, unsigned status, const char *name,
                      cJSON *model, const char *cache_key)
{
    struct sb local, *out;
    struct err_ctx ec = {0};
    enum hres h;
    enum err e;

    if (model == NULL)
        return H_FATAL;
    sb_init(&local, 8 << 20);
    out = c->w ? &c->w->page : &local;
    sb_reset(out);
    e = tmpl_render_name(c->app->theme.tmpl, name, model, out, &ec);
    cJSON_Delete(model);
    if (e != ERR_OK) {
        log_msg(LOG_ERROR, "view", "template %s: %s", name, ec.msg);
        sb_release(&local);
        return H_FATAL;
    }
    h = send_rendered(c, status, cache_key, out);
    sb_release(&local);
    return h;
}
