/* pages.c: the public showcase pages (HTML, work without JavaScript). */
#include "web/web.h"

#include "media/qr.h"

#include <stdio.h>
#include <string.h>

#define FEATURED_N 8
#define RELATED_N 4
#define PAGE_WINDOW 2

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int cached(struct ctx *c, const char **key)
{
    *key = web_cache_key(c, "page");
    return *key != NULL && page_cache_send(c->app->cache, c->req, *key);
}

/* --- listing URLs -------------------------------------------------------- */

static void add_param(struct sb *sb, const char *name, const char *value)
{
    enum err e;

    if (value == NULL || *value == '\0')
        return;
    e = sb_addf(sb, "%c%s=", sb->len ? '&' : '?', name);
    if (e == ERR_OK)
        e = sb_add_urlenc(sb, value);
    (void)e; /* the sb is capped far above any valid query */
}

/* list_path: base with the query's filters, a page and a sort, in no
 * particular language (the canonical path). */
static const char *list_path(struct ctx *c, const char *base,
                             const struct cat_query *q, int page, int sort,
                             int keep_group);

/* list_href: list_path in the page's language. */
static const char *list_href(struct ctx *c, const char *base,
                             const struct cat_query *q, int page,
                             int sort, int keep_group)
{
    return view_url(c, list_path(c, base, q, page, sort, keep_group));
}

static const char *list_path(struct ctx *c, const char *base,
                             const struct cat_query *q, int page, int sort,
                             int keep_group)
{
    struct sb sb;
    char num[16];
    const char *s;

    sb_init(&sb, 4096);
    add_param(&sb, "q", q->q);
    if (keep_group && q->group > 0) {
        (void)snprintf(num, sizeof(num), "%d", q->group);
        add_param(&sb, "group", num);
    }
    if (q->stars > 0) {
        (void)snprintf(num, sizeof(num), "%d", q->stars);
        add_param(&sb, "stars", num);
    }
    add_param(&sb, "province", q->province);
    add_param(&sb, "commune", q->commune);
    add_param(&sb, "producer", q->producer);
    if (sort != CAT_SORT_RELEVANCE)
        add_param(&sb, "sort", cat_sort_name((enum cat_sort)sort));
    if (page > 1) {
        (void)snprintf(num, sizeof(num), "%d", page);
        add_param(&sb, "page", num);
    }
    s = arena_printf(&c->req->arena, "%s%s", base, sb_str(&sb));
    sb_release(&sb);
    return s;
}

static void add_page_link(struct ctx *c, cJSON *arr, const char *base,
                          const struct cat_query *q, int n, int keep_group)
{
    cJSON *p = cJSON_CreateObject();

    cJSON_AddNumberToObject(p, "n", n);
    cJSON_AddStringToObject(p, "href",
                            list_href(c, base, q, n, q->sort, keep_group));
    cJSON_AddBoolToObject(p, "current", n == q->page);
    cJSON_AddItemToArray(arr, p);
}

static cJSON *pagination(struct ctx *c, const char *base,
                         const struct cat_query *q, int64_t total,
                         int keep_group)
{
    cJSON *pg = cJSON_CreateObject(), *pages;
    int last = (int)((total + q->per_page - 1) / q->per_page), n;

    if (pg == NULL)
        return NULL;
    pages = cJSON_AddArrayToObject(pg, "pages");
    for (n = 1; n <= last; n++)
        if (n == 1 || n == last ||
            (n >= q->page - PAGE_WINDOW && n <= q->page + PAGE_WINDOW))
            add_page_link(c, pages, base, q, n, keep_group);
    cJSON_AddBoolToObject(pg, "show", last > 1);
    if (q->page > 1)
        cJSON_AddStringToObject(
            pg, "prev_href", list_href(c, base, q, q->page - 1, q->sort, keep_group));
    if (q->page < last)
        cJSON_AddStringToObject(
            pg, "next_href", list_href(c, base, q, q->page + 1, q->sort, keep_group));
    return pg;
}

/* --- filters ------------------------------------------------------------- */

static void option(cJSON *arr, const char *value, const char *label,
                   int selected)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "value", value);
    cJSON_AddStringToObject(o, "label", label);
    cJSON_AddBoolToObject(o, "selected", selected);
    cJSON_AddItemToArray(arr, o);
}

static void sort_options(struct ctx *c, cJSON *f, const struct cat_query *q)
{
    cJSON *arr = cJSON_AddArrayToObject(f, "sorts");
    char key[64];
    int s;

    for (s = 0; s < CAT_SORT_COUNT; s++) {
        (void)snprintf(key, sizeof(key), "sort_%s",
                       cat_sort_name((enum cat_sort)s));
        option(arr, s == 0 ? "" : cat_sort_name((enum cat_sort)s), t(c, key),
               (int)q->sort == s);
    }
}

static void star_options(struct ctx *c, cJSON *f, const struct cat_query *q)
{
    cJSON *arr = cJSON_AddArrayToObject(f, "stars");

    option(arr, "", t(c, "filter_all_stars"), q->stars == 0);
    option(arr, "5", t(c, "stars_5"), q->stars == 5);
    option(arr, "4", t(c, "stars_4"), q->stars == 4);
    option(arr, "3", t(c, "stars_3"), q->stars == 3);
}

static void group_options(struct ctx *c, cJSON *f, const cJSON *groups,
                          const struct cat_query *q)
{
    cJSON *arr = cJSON_AddArrayToObject(f, "groups");
    const cJSON *g;
    char code[16];

    option(arr, "", t(c, "filter_all_groups"), q->group == 0);
    cJSON_ArrayForEach(g, groups)
    {
        int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(g, "code"));
        (void)snprintf(code, sizeof(code), "%d", n);
        option(arr, code, str_of(g, "name"), q->group == n);
    }
}

static void place_options(struct ctx *c, cJSON *f, const struct cat_query *q)
{
    cJSON *places = NULL, *prov = cJSON_AddArrayToObject(f, "provinces");
    cJSON *com = cJSON_AddArrayToObject(f, "communes");
    const cJSON *p, *cm;
    struct err_ctx ec;

    option(prov, "", t(c, "filter_all_provinces"), q->province == NULL);
    if (cat_places(c->w->db, &c->env, &places, &ec) != ERR_OK)
        return;
    cJSON_ArrayForEach(p, places)
    {
        int sel = q->province && strcmp(q->province, str_of(p, "slug")) == 0;
        option(prov, str_of(p, "slug"), str_of(p, "name"), sel);
        if (!sel)
            continue;
        option(com, "", t(c, "filter_all_communes"), q->commune == NULL);
        cJSON_ArrayForEach(cm, cJSON_GetObjectItem(p, "communes"))
            option(com, str_of(cm, "slug"), str_of(cm, "name"),
                   q->commune && strcmp(q->commune, str_of(cm, "slug")) == 0);
    }
    cJSON_AddBoolToObject(f, "has_communes", cJSON_GetArraySize(com) > 0);
    cJSON_Delete(places);
}

static cJSON *filters(struct ctx *c, const cJSON *model,
                      const struct cat_query *q, int group_page)
{
    cJSON *f = cJSON_CreateObject();

    cJSON_AddStringToObject(f, "q", q->q ? q->q : "");
    if (q->producer != NULL)
        cJSON_AddStringToObject(f, "producer", q->producer);
    cJSON_AddBoolToObject(f, "group_page", group_page);
    sort_options(c, f, q);
    star_options(c, f, q);
    if (!group_page)
        group_options(c, f, cJSON_GetObjectItem(model, "nav_groups"), q);
    place_options(c, f, q);
    return f;
}

/* --- listings ------------------------------------------------------------ */

static const char *listing_title(struct ctx *c, const struct cat_query *q,
                                 const cJSON *group)
{
    if (q->q != NULL && *q->q != '\0')
        return arena_printf(&c->req->arena, "%s “%s”", t(c, "search_results_for"),
                            q->q);
    if (group != NULL)
        return str_of(group, c->lang == LANG_EN ? "name_en" : "name_vi");
    return t(c, "products_title");
}

static enum hres listing(struct ctx *c, const char *base, cJSON *group)
{
    struct cat_query q;
    struct param_error pe;
    struct err_ctx ec;
    cJSON *res = NULL, *m, *items;
    const char *key, *title;
    int64_t total;
    enum err e;

    if (!params_listing(c, &q, &pe))
        return web_fail(c, 400, pe.code, pe.msg_key);
    if (group != NULL)
        q.group = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(group, "code"));
    if (cached(c, &key))
        return H_OK;
    e = cat_list(c->w->db, &c->env, &q, &res, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    total = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(res, "total"));
    title = listing_title(c, &q, group);
    m = view_new(c, title,
                 group ? str_of(group, c->lang == LANG_EN ? "description_en"
                                                          : "description_vi")
                       : t(c, "products_description"),
                 list_path(c, base, &q, q.page, q.sort, group == NULL));
    items = cJSON_DetachItemFromObject(res, "items");
    view_products(c, items);
    cJSON_AddItemToObject(m, "products", items);
    cJSON_AddNumberToObject(m, "total", (double)total);
    cJSON_AddBoolToObject(m, "empty", total == 0);
    cJSON_AddStringToObject(m, "heading", title);
    cJSON_AddItemToObject(m, "pagination",
                          pagination(c, base, &q, total, group == NULL));
    cJSON_AddItemToObject(m, "filters", filters(c, m, &q, group != NULL));
    cJSON_AddStringToObject(m, "form_action", view_url(c, base));
    cJSON_AddBoolToObject(m, "noindex", q.q != NULL && *q.q != '\0');
    if (group != NULL)
        cJSON_AddItemToObject(m, "group", group);
    cJSON_Delete(res);
    return view_render(c, 200, "list", m, key);
}

enum hres page_products(struct ctx *c)
{
    return listing(c, "/san-pham", NULL);
}

enum hres page_group(struct ctx *c)
{
    struct err_ctx ec;
    const char *key;
    cJSON *g = NULL;
    enum err e;

    if (!params_valid_slug(c->rest))
        return page_not_found(c);
    if (cached(c, &key))
        return H_OK;
    e = cat_group(c->w->db, &c->env, c->rest, &g, &ec);
    if (e != ERR_OK)
        return e == ERR_NOTFOUND ? page_not_found(c) : web_fail_err(c, e, &ec);
    return listing(c, arena_printf(&c->req->arena, "/nhom/%s", c->rest), g);
}

/* --- home ---------------------------------------------------------------- */

static void place_links(struct ctx *c, cJSON *places)
{
    cJSON *p;

    cJSON_ArrayForEach(p, places)
        cJSON_AddStringToObject(
            p, "href",
            view_url(c, arena_printf(&c->req->arena, "/san-pham?province=%s",
                                     str_of(p, "slug"))));
}

enum hres page_home(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *m, *featured = NULL, *places = NULL;
    const char *key;
    enum err e;

    if (cached(c, &key))
        return H_OK;
    e = cat_featured(c->w->db, &c->env, FEATURED_N, &featured, &ec);
    if (e == ERR_OK)
        e = cat_places(c->w->db, &c->env, &places, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(featured);
        return web_fail_err(c, e, &ec);
    }
    m = view_new(c, t(c, "home_title"), t(c, "home_description"), "/");
    view_products(c, featured);
    place_links(c, places);
    cJSON_AddItemToObject(m, "featured", featured);
    cJSON_AddItemToObject(m, "places", places);
    cJSON_AddItemToObject(m, "groups", view_groups_list(c, 1));
    cJSON_AddBoolToObject(m, "is_home", 1);
    cJSON_AddStringToObject(m, "form_action", view_url(c, "/san-pham"));
    {
        cJSON *arr = cJSON_AddArrayToObject(m, "star_links");
        int s;
        for (s = 5; s >= 3; s--) {
            cJSON *o = cJSON_CreateObject();
            char k[16];
            (void)snprintf(k, sizeof(k), "stars_%d", s);
            cJSON_AddNumberToObject(o, "stars", s);
            cJSON_AddStringToObject(o, "label", t(c, k));
            cJSON_AddStringToObject(
                o, "href",
                view_url(c, arena_printf(&c->req->arena, "/san-pham?stars=%d", s)));
            cJSON_AddItemToArray(arr, o);
        }
    }
    return view_render(c, 200, "home", m, key);
}

/* --- product ------------------------------------------------------------- */

/* jsonld_escape: JSON inside <script> must not contain "</". */
static char *script_safe(struct ctx *c, const char *json)
{
    struct sb sb;
    const char *p;
    char *s;

    sb_init(&sb, 1 << 20);
    for (p = json; *p != '\0'; p++) {
        enum err e = *p == '<' ? sb_adds(&sb, "\\u003c") : sb_add(&sb, p, 1);
        if (e != ERR_OK)
            break;
    }
    s = arena_strdup(&c->req->arena, sb_str(&sb));
    sb_release(&sb);
    return s;
}

static void product_jsonld(struct ctx *c, cJSON *m, const cJSON *p)
{
    cJSON *ld = cJSON_CreateObject(), *brand, *offer, *cert, *ph, *imgs;
    const cJSON *price = cJSON_GetObjectItem(p, "price_vnd");
    const char *base = c->app->conf->base_url;
    char *text;

    cJSON_AddStringToObject(ld, "@context", "https://schema.org");
    cJSON_AddStringToObject(ld, "@type", "Product");
    cJSON_AddStringToObject(ld, "name", str_of(p, "name"));
    cJSON_AddStringToObject(ld, "description", str_of(p, "description"));
    cJSON_AddStringToObject(ld, "url", arena_printf(&c->req->arena, "%s%s",
                                                    base, str_of(p, "url")));
    imgs = cJSON_AddArrayToObject(ld, "image");
    cJSON_ArrayForEach(ph, cJSON_GetObjectItem(p, "photos"))
        cJSON_AddItemToArray(imgs, cJSON_CreateString(arena_printf(
                                       &c->req->arena, "%s%s", base,
                                       str_of(ph, "url"))));
    brand = cJSON_AddObjectToObject(ld, "brand");
    cJSON_AddStringToObject(brand, "@type", "Organization");
    cJSON_AddStringToObject(brand, "name",
                            str_of(cJSON_GetObjectItem(p, "producer"), "name"));
    cert = cJSON_GetObjectItem(p, "certificate");
    if (cJSON_IsNumber(cJSON_GetObjectItem(p, "stars"))) {
        cJSON *prop = cJSON_AddObjectToObject(ld, "additionalProperty");
        cJSON_AddStringToObject(prop, "@type", "PropertyValue");
        cJSON_AddStringToObject(prop, "name", "OCOP");
        cJSON_AddStringToObject(prop, "value", str_of(cert, "stars_text"));
    }
    if (cJSON_IsNumber(price) && cJSON_GetNumberValue(price) > 0) {
        offer = cJSON_AddObjectToObject(ld, "offers");
        cJSON_AddStringToObject(offer, "@type", "Offer");
        cJSON_AddStringToObject(offer, "priceCurrency", "VND");
        cJSON_AddStringToObject(
            offer, "price",
            arena_printf(&c->req->arena, "%.0f", cJSON_GetNumberValue(price)));
    }
    text = cJSON_PrintUnformatted(ld);
    cJSON_Delete(ld);
    if (text == NULL)
        return;
    cJSON_AddStringToObject(cJSON_GetObjectItem(m, "page"), "jsonld",
                            script_safe(c, text));
    cJSON_free(text);
}

static void product_page_extras(struct ctx *c, cJSON *m, cJSON *p)
{
    cJSON *related = NULL, *page = cJSON_GetObjectItem(m, "page");
    cJSON *cover = cJSON_GetObjectItem(p, "cover");
    struct err_ctx ec;

    cJSON_ReplaceItemInObject(page, "og_type", cJSON_CreateString("product"));
    if (cover != NULL)
        cJSON_ReplaceItemInObject(
            page, "og_image",
            cJSON_CreateString(arena_printf(&c->req->arena, "%s%s",
                                            c->app->conf->base_url,
                                            str_of(cover, "url"))));
    if (cat_related(c->w->db, &c->env, p, RELATED_N, &related, &ec) == ERR_OK) {
        view_products(c, related);
        cJSON_AddItemToObject(m, "related", related);
        cJSON_AddBoolToObject(m, "has_related", cJSON_GetArraySize(related) > 0);
    }
    cJSON_AddStringToObject(m, "qr_src", arena_printf(&c->req->arena,
                                                      "/qr/%s.svg",
                                                      str_of(p, "slug")));
    product_jsonld(c, m, p);
}

enum hres page_product(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *p = NULL, *m;
    const char *key;
    enum err e;

    if (!params_valid_slug(c->rest))
        return page_not_found(c);
    if (cached(c, &key))
        return H_OK;
    e = cat_product(c->w->db, &c->env, c->rest, &p, &ec);
    if (e != ERR_OK)
        return e == ERR_NOTFOUND ? page_not_found(c) : web_fail_err(c, e, &ec);
    view_product(c, p);
    m = view_new(c, str_of(p, "name"),
                 arena_printf(&c->req->arena, "%s — %s",
                              str_of(p, "description"),
                              str_of(cJSON_GetObjectItem(p, "producer"), "name")),
                 str_of(p, "url"));
    cJSON_AddItemToObject(m, "product", p);
    product_page_extras(c, m, p);
    return view_render(c, 200, "product", m, key);
}

/* --- producers ----------------------------------------------------------- */

static void view_producer(struct ctx *c, cJSON *pr)
{
    char key[64];
    const char *commune = str_of(pr, "commune"), *prov = str_of(pr, "province");

    (void)snprintf(key, sizeof(key), "kind_%s", str_of(pr, "kind"));
    cJSON_AddStringToObject(pr, "kind_text", t(c, key));
    cJSON_AddStringToObject(pr, "href", view_url(c, str_of(pr, "url")));
    if (commune != NULL && prov != NULL)
        cJSON_AddStringToObject(
            pr, "locality", arena_printf(&c->req->arena, "%s, %s", commune, prov));
    else if (prov != NULL)
        cJSON_AddStringToObject(pr, "locality", prov);
}

enum hres page_producers(struct ctx *c)
{
    struct err_ctx ec;
    cJSON *list = NULL, *m, *pr;
    const char *key;
    enum err e;

    if (cached(c, &key))
        return H_OK;
    e = cat_producers(c->w->db, &c->env, &list, &ec);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    cJSON_ArrayForEach(pr, list)
        view_producer(c, pr);
    m = view_new(c, t(c, "producers_title"), t(c, "producers_description"),
                 "/nha-san-xuat");
    cJSON_AddNumberToObject(m, "total", cJSON_GetArraySize(list));
    cJSON_AddItemToObject(m, "producers", list);
    return view_render(c, 200, "producers", m, key);
}

enum hres page_producer(struct ctx *c)
{
    struct cat_query q;
    struct err_ctx ec;
    cJSON *pr = NULL, *res = NULL, *m, *items;
    const char *key;
    enum err e;

    if (!params_valid_slug(c->rest))
        return page_not_found(c);
    if (cached(c, &key))
        return H_OK;
    e = cat_producer(c->w->db, &c->env, c->rest, &pr, &ec);
    if (e != ERR_OK)
        return e == ERR_NOTFOUND ? page_not_found(c) : web_fail_err(c, e, &ec);
    cat_query_init(&q);
    q.producer = c->rest;
    q.sort = CAT_SORT_NAME;
    q.per_page = CAT_PER_PAGE_MAX;
    e = cat_list(c->w->db, &c->env, &q, &res, &ec);
    if (e != ERR_OK) {
        cJSON_Delete(pr);
        return web_fail_err(c, e, &ec);
    }
    view_producer(c, pr);
    m = view_new(c, str_of(pr, "name"),
                 arena_printf(&c->req->arena, "%s — %s", str_of(pr, "kind_text"),
                              str_of(pr, "locality") ? str_of(pr, "locality")
                                                     : ""),
                 str_of(pr, "url"));
    items = cJSON_DetachItemFromObject(res, "items");
    view_products(c, items);
    cJSON_AddItemToObject(m, "products", items);
    cJSON_AddBoolToObject(m, "empty", cJSON_GetArraySize(items) == 0);
    cJSON_AddItemToObject(m, "producer", pr);
    cJSON_Delete(res);
    return view_render(c, 200, "producer", m, key);
}

/* --- QR, sitemap, robots ------------------------------------------------- */

enum hres page_qr(struct ctx *c)
{
    size_t n = strlen(c->rest);
    struct err_ctx ec;
    const char *slug, *key;
    cJSON *p = NULL;
    struct sb svg;
    enum hres h;
    enum err e;

    if (n < 5 || strcmp(c->rest + n - 4, ".svg") != 0)
        return page_not_found(c);
    slug = arena_strndup(&c->req->arena, c->rest, n - 4);
    if (!params_valid_slug(slug))
        return page_not_found(c);
    if (cached(c, &key))
        return H_OK;
    e = cat_product(c->w->db, &c->env, slug, &p, &ec);
    if (e != ERR_OK)
        return e == ERR_NOTFOUND ? page_not_found(c) : web_fail_err(c, e, &ec);
    sb_init(&svg, 1 << 20);
    e = qr_svg(arena_printf(&c->req->arena, "%s/san-pham/%s",
                            c->app->conf->base_url, slug),
               arena_printf(&c->req->arena, "%s: %s", t(c, "qr_title"),
                            str_of(p, "name")),
               &svg);
    cJSON_Delete(p);
    h = e == ERR_OK ? web_send_cached(c, key, "image/svg+xml", &svg)
                    : web_fail_err(c, e, NULL);
    sb_release(&svg);
    return h;
}

struct sitemap {
    struct sb *sb;
    const char *base;
};

static enum err sitemap_url(void *cls, const char *path, const char *lastmod)
{
    struct sitemap *sm = cls;
    enum err e = sb_adds(sm->sb, "<url><loc>");

    if (e == ERR_OK)
        e = sb_add_html(sm->sb, sm->base, strlen(sm->base));
    if (e == ERR_OK)
        e = sb_add_html(sm->sb, path, strlen(path));
    if (e == ERR_OK && lastmod != NULL)
        e = sb_addf(sm->sb, "</loc><lastmod>%s</lastmod></url>\n", lastmod);
    else if (e == ERR_OK)
        e = sb_adds(sm->sb, "</loc></url>\n");
    return e;
}

enum hres page_sitemap(struct ctx *c)
{
    struct sb sb;
    struct sitemap sm = {&sb, c->app->conf->base_url};
    struct err_ctx ec;
    const char *key;
    enum hres h;
    enum err e;

    if (cached(c, &key))
        return H_OK;
    sb_init(&sb, 32 << 20);
    e = sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
                     "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    if (e == ERR_OK)
        e = sitemap_url(&sm, "/", NULL);
    if (e == ERR_OK)
        e = sitemap_url(&sm, "/nha-san-xuat", NULL);
    if (e == ERR_OK)
        e = cat_sitemap_each(c->w->db, sitemap_url, &sm, &ec);
    if (e == ERR_OK)
        e = sb_adds(&sb, "</urlset>\n");
    h = e == ERR_OK ? web_send_cached(c, key, "application/xml; charset=utf-8", &sb)
                    : web_fail_err(c, e, &ec);
    sb_release(&sb);
    return h;
}

enum hres page_robots(struct ctx *c)
{
    struct sb sb;
    enum hres h;

    sb_init(&sb, 4096);
    if (sb_addf(&sb, "User-agent: *\nAllow: /\nDisallow: /api/\n"
                     "Sitemap: %s/sitemap.xml\n",
                c->app->conf->base_url) != ERR_OK)
        return H_FATAL;
    h = http_send_sb(c->req, 200, "text/plain; charset=utf-8", &sb,
                     "public, max-age=3600");
    sb_release(&sb);
    return h;
}

/* --- errors -------------------------------------------------------------- */

enum hres page_error(struct ctx *c, unsigned status, const char *msg_key)
{
    cJSON *m = view_new(c, t(c, status == 404 ? "not_found_title" : "error_title"),
                        t(c, msg_key), c->req->path);

    if (m == NULL)
        return H_FATAL;
    cJSON_AddStringToObject(m, "message", t(c, msg_key));
    cJSON_AddNumberToObject(m, "status", status);
    cJSON_AddBoolToObject(m, "is_404", status == 404);
    cJSON_AddBoolToObject(m, "noindex", 1);
    return view_render(c, status, "error", m, NULL);
}

enum hres page_not_found(struct ctx *c)
{
    if (c->is_api)
        return web_fail(c, 404, "not_found", "err_route_not_found");
    return page_error(c, 404, "err_page_not_found");
}
