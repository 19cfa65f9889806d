/* pos_pages.c: the booth POS on the web: the app shell (/ban-hang/) with
 * its service worker and manifest, the office's page for devices, PINs
 * and bank accounts (/ban-hang/quan-ly), the buyer's e-receipt
 * (/hoa-don/TOKEN), and the POS's own API: a device's start data, PIN
 * sign-in, VietQR codes, closing counts and the ledger check. The sales
 * themselves go through api_pos.c. */
#include "web/web.h"

#include "core/log.h"
#include "media/qr.h"
#include "pay/vietqr.h"
#include "pos/pos.h"
#include "pos/pos_count.h"
#include "pos/pos_device.h"
#include "stock/stk.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *t(struct ctx *c, const char *key)
{
    return i18n_t(c->app->theme.i18n, c->lang, key);
}

static int64_t id_of(const char *s)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return 0;
    v = strtoll(s, &end, 10);
    return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

static enum hres send_json(struct ctx *c, unsigned status, cJSON *j)
{
    enum hres h = api_send_json(c, status, j, 0);

    cJSON_Delete(j);
    return h;
}

static const char *money(struct ctx *c, int64_t vnd)
{
    struct sb sb;
    const char *s;

    sb_init(&sb, 64);
    s = i18n_money(vnd, c->lang, &sb) == ERR_OK
            ? arena_strdup(&c->req->arena, sb_str(&sb))
            : "";
    sb_release(&sb);
    return s;
}

static int64_t num(const cJSON *o, const char *key)
{
    return (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
}

/* --- who is selling ------------------------------------------------------- */

enum err web_pos_staff(struct ctx *c, struct err_ctx *ec)
{
    const char *token = http_header(c->req, "X-Staff-Token");

    if (token == NULL || *token == '\0')
        return ERR_OK;
    return pos_staff_resolve(c->w->db, token, time(NULL), &c->who, ec);
}

/* --- the app shell -------------------------------------------------------- */

/* i18n_json: the messages the app needs (pos_*, err_*) as JSON text that
 * is safe inside a <script type="application/json"> element. */
static const char *i18n_json(struct ctx *c)
{
    const cJSON *all = i18n_messages(c->app->theme.i18n, c->lang), *m;
    cJSON *o = cJSON_CreateObject();
    struct sb sb;
    char *text;
    const char *p, *out;

    cJSON_ArrayForEach(m, all) if (strncmp(m->string, "pos_", 4) == 0 ||
                                   strncmp(m->string, "err_", 4) == 0)
        cJSON_AddStringToObject(o, m->string, cJSON_GetStringValue(m));
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text == NULL)
        return "{}";
    sb_init(&sb, 1 << 20);
    for (p = text; *p != '\0'; p++)
        if ((*p == '<' ? sb_adds(&sb, "\\u003c") : sb_addc(&sb, *p)) != ERR_OK)
            break;
    out = *p == '\0' ? arena_strdup(&c->req->arena, sb_str(&sb)) : "{}";
    sb_release(&sb);
    cJSON_free(text);
    return out;
}

enum hres pos_page_root(struct ctx *c)
{
    return web_redirect(c, "/ban-hang/");
}

enum hres pos_page_app(struct ctx *c)
{
    cJSON *m = view_new(c, t(c, "pos_title"), t(c, "pos_lead"), "/ban-hang/");

    if (m == NULL)
        return H_FATAL;
    cJSON_AddBoolToObject(m, "noindex", 1);
    cJSON_AddStringToObject(m, "i18n_json", i18n_json(c));
    return view_render(c, 200, "pos", m, NULL);
}

/* The files the service worker keeps for offline use. Their URLs carry
 * their content hash, so a new build gives a new worker (its bytes
 * change) and a new cache. */
static const char *const precache[] = {
    "pos/pos.css",     "pos/pos.js",   "pos/qrcodegen.js", "pos/vietqr.js",
    "pos/receipt.css", "pos/icon.svg", "favicon.svg",
};

enum hres pos_page_sw(struct ctx *c)
{
    const struct asset *sw = asset_by_name(c->app->theme.stat, "pos/sw.js");
    struct sb body;
    enum err e;
    enum hres h;
    size_t i;

    if (sw == NULL)
        return web_fail(c, 404, "not_found", "err_not_found");
    sb_init(&body, 1 << 20);
    e = sb_adds(&body, "self.OCOP_POS_ASSETS = [\"/ban-hang/\"");
    for (i = 0; e == ERR_OK && i < sizeof(precache) / sizeof(precache[0]);
         i++) {
        const char *u = asset_url(c->app->theme.stat, precache[i]);
        if (u != NULL)
            e = sb_addf(&body, ", \"%s\"", u);
    }
    if (e == ERR_OK)
        e = sb_adds(&body, "];\n");
    if (e == ERR_OK)
        e = sb_add(&body, sw->data, sw->len);
    h = e == ERR_OK
            ? http_send_sb(c->req, 200, "text/javascript; charset=utf-8", &body,
                           "no-cache")
            : H_FATAL;
    sb_release(&body);
    return h;
}

enum hres pos_page_manifest(struct ctx *c)
{
    cJSON *m = cJSON_CreateObject(), *icons, *icon;
    const char *u = asset_url(c->app->theme.stat, "pos/icon.svg");
    struct sb body;
    char *text;
    enum hres h;

    cJSON_AddStringToObject(m, "name", t(c, "pos_app_name"));
    cJSON_AddStringToObject(m, "short_name", t(c, "pos_app_short"));
    cJSON_AddStringToObject(m, "lang", i18n_lang_code(c->lang));
    cJSON_AddStringToObject(m, "start_url", view_url(c, "/ban-hang/"));
    cJSON_AddStringToObject(m, "scope", "/ban-hang/");
    cJSON_AddStringToObject(m, "display", "standalone");
    cJSON_AddStringToObject(m, "orientation", "any");
    cJSON_AddStringToObject(m, "background_color", "#fbf8f3");
    cJSON_AddStringToObject(m, "theme_color", "#741316");
    icons = cJSON_AddArrayToObject(m, "icons");
    icon = cJSON_CreateObject();
    cJSON_AddStringToObject(icon, "src", u ? u : "/favicon.ico");
    cJSON_AddStringToObject(icon, "sizes", "any");
    cJSON_AddStringToObject(icon, "type", "image/svg+xml");
    cJSON_AddItemToArray(icons, icon);
    text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (text == NULL)
        return H_FATAL;
    sb_init(&body, 1 << 16);
    h = sb_adds(&body, text) == ERR_OK
            ? http_send_sb(c->req, 200, "application/manifest+json", &body,
                           "no-cache")
            : H_FATAL;
    sb_release(&body);
    cJSON_free(text);
    return h;
}

/* --- the buyer's e-receipt ------------------------------------------------ */

static const char *method_text(struct ctx *c, const char *method)
{
    return t(c, arena_printf(&c->req->arena, "pos_method_%s",
                             method ? method : "other"));
}

static void receipt_lines(struct ctx *c, cJSON *sale)
{
    cJSON *l;

    cJSON_ArrayForEach(l, cJSON_GetObjectItem(sale, "lines"))
    {
        int64_t disc = num(l, "discount_vnd"), ret = num(l, "returned_qty");
        cJSON_AddStringToObject(l, "unit_text",
                                money(c, num(l, "unit_price_vnd")));
        cJSON_AddStringToObject(l, "total_text", money(c, num(l, "total_vnd")));
        if (disc > 0)
            cJSON_AddStringToObject(l, "discount_text", money(c, disc));
        if (ret > 0)
            cJSON_AddNumberToObject(l, "returned", (double)ret);
    }
}

/* receipt_view: display fields of a sale from pos_receipt(). */
static void receipt_view(struct ctx *c, cJSON *sale)
{
    cJSON *pay = cJSON_GetObjectItem(sale, "payment");
    const char *uuid = str(sale, "uuid");
    char ref[9] = "";
    size_t i;

    for (i = 0; uuid != NULL && i < 8 && uuid[i] != '\0'; i++)
        ref[i] =
            (char)(uuid[i] >= 'a' && uuid[i] <= 'f' ? uuid[i] - 32 : uuid[i]);
    ref[i] = '\0';
    cJSON_AddStringToObject(sale, "ref", ref);
    cJSON_AddStringToObject(sale, "when_text",
                            admin_when(c, str(sale, "sold_at")));
    cJSON_AddStringToObject(sale, "subtotal_text",
                            money(c, num(sale, "subtotal_vnd")));
    cJSON_AddStringToObject(sale, "total_text",
                            money(c, num(sale, "total_vnd")));
    if (num(sale, "discount_vnd") > 0)
        cJSON_AddStringToObject(sale, "discount_text",
                                money(c, num(sale, "discount_vnd")));
    cJSON_AddStringToObject(sale, "method_text",
                            method_text(c, str(pay, "method")));
    if (cJSON_GetObjectItem(pay, "tendered_vnd") != NULL) {
        cJSON_AddStringToObject(sale, "tendered_text",
                                money(c, num(pay, "tendered_vnd")));
        cJSON_AddStringToObject(sale, "change_text",
                                money(c, num(pay, "change_vnd")));
    }
    cJSON_AddBoolToObject(sale, "voided",
                          str(sale, "status") &&
                              strcmp(str(sale, "status"), "voided") == 0);
    receipt_lines(c, sale);
}

static const char *qr_of(struct ctx *c, const char *text, const char *title)
{
    struct sb sb;
    const char *s = NULL;

    sb_init(&sb, 1 << 20);
    if (qr_svg(text, title, &sb) == ERR_OK)
        s = arena_strdup(&c->req->arena, sb_str(&sb));
    sb_release(&sb);
    return s;
}

static int receipt_token_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == 32;
}

enum hres pos_page_receipt(struct ctx *c)
{
    const char *token = c->rest, *w = http_arg(c->req, "w");
    struct http_reply rep = {.status = 200};
    struct err_ctx ec = {0};
    cJSON *sale = NULL, *m, *place = NULL;
    const char *path = arena_printf(&c->req->arena, "/hoa-don/%s", token);
    enum err e;

    if (!receipt_token_ok(token))
        return page_not_found(c);
    e = pos_receipt(c->w->db, token, &sale, &ec);
    if (e != ERR_OK && e != ERR_NOTFOUND)
        return web_fail_err(c, e, &ec);
    m = view_new(c, t(c, "pos_receipt_title"), t(c, "pos_receipt_title"), path);
    if (m == NULL) {
        cJSON_Delete(sale);
        return H_FATAL;
    }
    cJSON_AddBoolToObject(m, "noindex", 1);
    cJSON_AddStringToObject(m, "width_class",
                            w != NULL && strcmp(w, "58") == 0 ? "w58" : "w80");
    cJSON_AddStringToObject(
        m, "href_58",
        view_url(c, arena_printf(&c->req->arena, "%s?w=58", path)));
    cJSON_AddStringToObject(
        m, "href_80",
        view_url(c, arena_printf(&c->req->arena, "%s?w=80", path)));
    if (sale == NULL) { /* made on a device, not synced yet */
        rep.status = 404;
        cJSON_AddBoolToObject(m, "pending", 1);
        return view_render_private(c, &rep, "receipt", m);
    }
    receipt_view(c, sale);
    if (stk_place(c->w->db, num(cJSON_GetObjectItem(sale, "booth"), "id"),
                  &place, &ec) == ERR_OK &&
        str(place, "fair_name") != NULL)
        cJSON_AddStringToObject(sale, "fair_name", str(place, "fair_name"));
    cJSON_Delete(place);
    cJSON_AddStringToObject(m, "qr_svg",
                            qr_of(c,
                                  arena_printf(&c->req->arena, "%s%s",
                                               c->app->conf->base_url, path),
                                  t(c, "pos_receipt_qr")));
    cJSON_AddItemToObject(m, "sale", sale);
    return view_render_private(c, &rep, "receipt", m);
}

/* --- the POS's API -------------------------------------------------------- */

enum hres api_pos_device(struct ctx *c)
{
    struct err_ctx ec = {0};
    cJSON *o = NULL;
    enum err e = pos_device_info(c->w->db, &c->who, &o, &ec);

    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return send_json(c, 200, o);
}

enum hres api_pos_pin(struct ctx *c)
{
    char token[POS_TOKEN_CHARS];
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    cJSON *body, *staff = NULL, *o;
    enum err e;

    if (!pos_is_device(&c->who))
        return web_fail(c, 403, "forbidden", "err_pos_device");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    e = pos_pin_signin(c->w->db, &c->who, str(body, "username"),
                       str(body, "pin"), time(NULL), token, &staff, &ec);
    cJSON_Delete(body);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddItemToObject(o, "staff", staff);
    sodium_memzero(token, sizeof(token));
    return send_json(c, 200, o);
}

/* vietqr_payload: the payload for a booth's transfer of amount, with the
 * order reference as the purpose (the transfer memo). */
static enum err vietqr_payload(struct ctx *c, int64_t booth, const char *amount,
                               const char *ref, struct sb *out,
                               struct pos_bank *bank, struct err_ctx *ec)
{
    struct vietqr_request req = {0};
    enum err e = pos_bank_get(c->w->db, booth, bank, ec);

    if (e != ERR_OK)
        return e;
    req.bin = bank->bin;
    req.account = bank->account;
    req.to = VIETQR_TO_ACCOUNT;
    req.purpose = ref;
    e = vietqr_parse_amount(amount, &req.amount_vnd, ec);
    if (e == ERR_OK)
        e = vietqr_encode(&req, out, ec);
    if (e == ERR_INVALID) /* the messages of vietqr are for logs */
        return err_user(ec, ERR_UNPROCESSABLE, "err_vietqr", ec->field, "%s",
                        ec->msg);
    return e;
}

enum hres api_pos_vietqr(struct ctx *c)
{
    int64_t booth = id_of(http_arg(c->req, "booth"));
    const char *fmt = http_arg(c->req, "format");
    struct pos_bank bank;
    struct err_ctx ec = {0};
    struct sb payload, svg;
    enum hres h = H_FATAL;
    cJSON *o, *b;
    enum err e;

    if (booth == 0)
        return web_fail(c, 400, "invalid_booth", "err_sale_booth");
    if (!pos_may_sell(c->w->db, &c->who, booth))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    sb_init(&payload, VIETQR_PAYLOAD_MAX + 1);
    sb_init(&svg, 1 << 20);
    e = vietqr_payload(c, booth, http_arg(c->req, "amount"),
                       http_arg(c->req, "ref"), &payload, &bank, &ec);
    if (e == ERR_OK)
        e = qr_svg(sb_str(&payload), t(c, "pos_vietqr_title"), &svg);
    if (e != ERR_OK)
        h = web_fail_err(c, e, &ec);
    else if (fmt == NULL || strcmp(fmt, "json") != 0)
        h = http_send_sb(c->req, 200, "image/svg+xml", &svg, "no-store");
    else {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "payload", sb_str(&payload));
        cJSON_AddStringToObject(o, "svg", sb_str(&svg));
        b = cJSON_AddObjectToObject(o, "bank");
        cJSON_AddStringToObject(b, "bin", bank.bin);
        cJSON_AddStringToObject(b, "account", bank.account);
        cJSON_AddStringToObject(b, "name", bank.name);
        h = send_json(c, 200, o);
    }
    sb_release(&payload);
    sb_release(&svg);
    return h;
}

enum hres api_pos_count(struct ctx *c)
{
    int64_t id = id_of(c->args[0]);
    struct err_ctx ec = {0};
    enum hres h = H_OK;
    cJSON *body, *out = NULL;
    enum err e;

    if (id == 0 || !pos_may_sell(c->w->db, &c->who, id))
        return web_fail(c, 403, "forbidden", "err_not_your_booth");
    body = web_json_body(c, &h);
    if (body == NULL)
        return h;
    e = pos_count(c->w->db, &c->who, c->ip, id,
                  cJSON_GetObjectItem(body, "lines"), str(body, "reason"), &out,
                  &ec);
    cJSON_Delete(body);
    if (e != ERR_OK)
        return web_fail_err(c, e, &ec);
    return send_json(c, 201, out);
}

enum hres api_stock_verify(struct ctx *c)
{
    int64_t bad = stk_verify(c->w->db);
    cJSON *o;

    if (bad < 0)
        return web_fail(c, 500, "internal", "err_internal");
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mismatches", (double)bad);
    return send_json(c, 200, o);
}

/* --- the office's page: devices, PINs, bank accounts ---------------------- */

static cJSON *bank_options(const char *selected)
{
    cJSON *arr = cJSON_CreateArray();
    const char *bin, *name;
    size_t i;

    for (i = 0; pos_bank_at(i, &bin, &name); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bin", bin);
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddBoolToObject(o, "selected",
                              selected != NULL && strcmp(selected, bin) == 0);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void place_view(struct ctx *c, cJSON *p)
{
    int64_t id = num(p, "id");
    cJSON *bank = cJSON_GetObjectItem(p, "bank");
    const char *base =
        arena_printf(&c->req->arena, "/ban-hang/quan-ly/%lld", (long long)id);

    cJSON_AddStringToObject(
        p, "kind_text",
        t(c, arena_printf(&c->req->arena, "pos_kind_%s", str(p, "kind"))));
    cJSON_AddStringToObject(
        p, "device_action",
        view_url(c, arena_printf(&c->req->arena, "%s/may", base)));
    cJSON_AddStringToObject(
        p, "bank_action",
        view_url(c, arena_printf(&c->req->arena, "%s/ngan-hang", base)));
    cJSON_AddStringToObject(
        p, "pin_action",
        view_url(c, arena_printf(&c->req->arena, "%s/ma-pin", base)));
    if (cJSON_IsObject(bank))
        cJSON_AddStringToObject(bank, "bank_text",
                                pos_bank_label(str(bank, "bin")));
    else
        cJSON_DeleteItemFromObject(p, "bank");
    cJSON_AddItemToObject(
        p, "bank_options",
        bank_options(cJSON_IsObject(bank) ? str(bank, "bin") : NULL));
    cJSON_AddBoolToObject(p, "has_staff",
                          cJSON_GetArraySize(cJSON_GetObjectItem(p, "staff")) >
                              0);
}

/* admin_page: the page's model; the caller adds a note, an error or the
 * secret of a new device, then renders it with admin_send. */
static cJSON *admin_page(struct ctx *c)
{
    static const char *const oks[] = {"bank", "pin"};
    const char *ok = http_arg(c->req, "ok");
    cJSON *m =
        view_private_new(c, t(c, "pos_admin_title"), "/ban-hang/quan-ly");
    cJSON *places = NULL, *p;
    struct err_ctx ec = {0};
    size_t i;

    if (m == NULL)
        return NULL;
    if (pos_places(c->w->db, &places, &ec) != ERR_OK) {
        log_msg(LOG_ERROR, "pos", "places: %s", ec.msg);
        places = cJSON_CreateArray();
    }
    cJSON_ArrayForEach(p, places) place_view(c, p);
    cJSON_AddItemToObject(m, "places", places);
    cJSON_AddStringToObject(m, "pos_href", view_url(c, "/ban-hang/"));
    for (i = 0; ok != NULL && i < sizeof(oks) / sizeof(oks[0]); i++)
        if (strcmp(ok, oks[i]) == 0)
            cJSON_AddStringToObject(
                m, "ok", t(c, arena_printf(&c->req->arena, "pos_ok_%s", ok)));
    return m;
}

static enum hres admin_send(struct ctx *c, unsigned status, cJSON *m)
{
    struct http_reply rep = {.status = status};

    return view_render_private(c, &rep, "pos_admin", m);
}

enum hres pos_page_admin(struct ctx *c)
{
    return admin_send(c, 200, admin_page(c));
}

/* admin_failed: the page again with the error at the place's forms. */
static enum hres admin_failed(struct ctx *c, int64_t id, const char *form,
                              enum err e, const struct err_ctx *ec)
{
    cJSON *m = admin_page(c), *p;
    const char *key = ec->key ? ec->key : "err_invalid";

    if (e != ERR_NOTFOUND && e != ERR_UNPROCESSABLE && e != ERR_CONFLICT) {
        cJSON_Delete(m);
        return web_fail_err(c, e, ec);
    }
    if (m == NULL)
        return H_FATAL;
    cJSON_ArrayForEach(p,
                       cJSON_GetObjectItem(m, "places")) if (num(p, "id") == id)
        cJSON_AddStringToObject(
            p, arena_printf(&c->req->arena, "error_%s", form), t(c, key));
    cJSON_AddStringToObject(m, "error", t(c, key));
    return admin_send(c,
                      e == ERR_NOTFOUND   ? 404
                      : e == ERR_CONFLICT ? 409
                                          : 422,
                      m);
}

struct device_job {
    int64_t booth;
    const char *name;
    struct actor who;
    char key[AUTH_APIKEY_CHARS];
};

static enum err device_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct device_job *j = cls;
    int64_t id = 0;

    return auth_apikey_create(db, ROLE_BOOTH, NULL, j->booth, j->name, &j->who,
                              j->key, &id, ec);
}

static enum err form_of(struct ctx *c, struct form *f, int64_t *id,
                        struct err_ctx *ec)
{
    *id = id_of(c->args[0]);
    if (!web_form(c, f))
        return err_user(ec, ERR_INVALID, "err_invalid", NULL, "bad form");
    if (*id == 0 || !pos_place_sells(c->w->db, *id))
        return err_user(ec, ERR_NOTFOUND, "err_place_not_found", NULL,
                        "no booth %s", c->args[0] ? c->args[0] : "");
    return ERR_OK;
}

enum hres pos_page_device_post(struct ctx *c)
{
    struct device_job j = {0};
    struct err_ctx ec = {0};
    struct form f;
    cJSON *m, *secret;
    const char *link, *name;
    enum err e = form_of(c, &f, &j.booth, &ec);

    name = e == ERR_OK ? form_get(&f, "name") : NULL;
    if (e == ERR_OK && (name == NULL || *name == '\0' || strlen(name) > 100))
        e = err_user(&ec, ERR_UNPROCESSABLE, "err_device_name", "name",
                     "a device needs a name");
    j.name = name;
    j.who = auth_actor(&c->who, c->ip);
    if (e == ERR_OK)
        e = db_tx_run(c->w->db, "device", device_tx, &j, &ec);
    if (e != ERR_OK)
        return admin_failed(c, j.booth, "device", e, &ec);
    m = admin_page(c);
    if (m == NULL)
        return H_FATAL;
    /* the key travels in the fragment: never sent to a server, never in
     * a log; the tablet keeps it and forgets the link */
    link = arena_printf(&c->req->arena, "%s/ban-hang/#key=%s",
                        c->app->conf->base_url, j.key);
    secret = cJSON_AddObjectToObject(m, "secret");
    cJSON_AddStringToObject(secret, "link", link);
    cJSON_AddStringToObject(secret, "key", j.key);
    cJSON_AddStringToObject(secret, "who", name);
    cJSON_AddStringToObject(secret, "qr_svg",
                            qr_of(c, link, t(c, "pos_device_qr")));
    sodium_memzero(j.key, sizeof(j.key));
    return admin_send(c, 200, m);
}

struct form_job {
    int64_t id;
    struct actor who;
    const struct form *f;
};

static enum err bank_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct form_job *j = cls;

    return pos_bank_set(db, &j->who, j->id, form_get(j->f, "bank_bin"),
                        form_get(j->f, "bank_account"),
                        form_get(j->f, "bank_name"), ec);
}

static enum err pin_tx(struct db *db, void *cls, struct err_ctx *ec)
{
    struct form_job *j = cls;

    return pos_pin_set(db, &j->who, j->id, form_get(j->f, "username"),
                       form_get(j->f, "pin"), ec);
}

static enum hres form_post(struct ctx *c, const char *form, db_tx_fn fn)
{
    struct form_job j = {0};
    struct err_ctx ec = {0};
    struct form f;
    enum err e = form_of(c, &f, &j.id, &ec);

    j.who = auth_actor(&c->who, c->ip);
    j.f = &f;
    if (e == ERR_OK)
        e = db_tx_run(c->w->db, form, fn, &j, &ec);
    if (e != ERR_OK)
        return admin_failed(c, j.id, form, e, &ec);
    return web_redirect(
        c, arena_printf(&c->req->arena, "/ban-hang/quan-ly?ok=%s", form));
}

enum hres pos_page_bank_post(struct ctx *c)
{
    return form_post(c, "bank", bank_tx);
}

enum hres pos_page_pin_post(struct ctx *c)
{
    return form_post(c, "pin", pin_tx);
}
