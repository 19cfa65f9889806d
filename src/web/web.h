/* web.h: private interface between the files of the web layer.
 * app.c routes; params.c validates query arguments; view.c builds and
 * renders page view models; pages.c and api.c are the handlers. A page and
 * its API twin call the same catalog function (one source of truth). */
#ifndef OCOP_WEB_H
#define OCOP_WEB_H

#include "auth/auth.h"
#include "catalog/cat.h"
#include "web/app.h"
#include "web/cache.h"

#include <stdint.h>

struct ctx {
    struct app *app;
    struct worker *w;
    struct http_req *req;
    enum lang lang;
    int lang_explicit; /* ?lang= was given */
    int is_api;
    char today[11];
    int64_t version;
    struct cat_env env;
    const char *rest; /* the path after the route's prefix, decoded */
    const char *args[2]; /* the "*" segments of a route pattern */
    struct auth_principal who; /* ROLE_PUBLIC when not signed in */
    int by_api_key;            /* authenticated by a bearer key */
    const char *ip;
};

/* --- forms (form.c) --- */
struct form {
    char **keys, **values; /* decoded, in the arena */
    int n;
};
/* form_parse: parses an urlencoded body; 0 when malformed or too many. */
int form_parse(struct arena *a, const char *body, size_t len, struct form *f);
const char *form_get(const struct form *f, const char *key);
const char *form_get_nth(const struct form *f, const char *key, int nth);
int form_count(const struct form *f, const char *key);

#define WEB_SESSION_COOKIE "ocop_session"
#define WEB_PRE_COOKIE "ocop_pre" /* CSRF token of forms before sign-in */

/* --- replies (app.c) --- */
/* web_fail: an error reply: JSON {"error":{code,message}} under /api,
 * a themed page elsewhere; msg_key is an i18n key. */
enum hres web_fail(struct ctx *c, unsigned status, const char *code,
                   const char *msg_key);
/* web_fail_err: maps e to its status (ERR_NOTFOUND 404, ERR_INVALID 400,
 * ERR_TOOBIG 413, ERR_CONFLICT 409, else 500 logged with ec). */
enum hres web_fail_err(struct ctx *c, enum err e, const struct err_ctx *ec);
/* web_cache_key: a key for this request's response in the page cache. */
const char *web_cache_key(struct ctx *c, const char *kind);
enum hres web_send_cached(struct ctx *c, const char *key, const char *ctype,
                          const struct sb *body);

/* --- accounts (account.c) --- */
enum hres page_login(struct ctx *c);
enum hres page_login_post(struct ctx *c);
enum hres page_logout_post(struct ctx *c);
enum hres page_reset(struct ctx *c);
enum hres page_reset_post(struct ctx *c);
enum hres page_account(struct ctx *c);
enum hres page_password_post(struct ctx *c);
/* web_redirect_login: 303 to the sign-in page, coming back here after. */
enum hres web_redirect_login(struct ctx *c);
/* web_redirect: 303 See Other to path (kept in the visitor's language). */
enum hres web_redirect(struct ctx *c, const char *path);
/* web_csrf_ok: the request's CSRF token (form field csrf or header
 * X-CSRF-Token) matches the session's. */
int web_csrf_ok(struct ctx *c);
/* web_form: parses the request body as a form (0 when malformed). */
int web_form(struct ctx *c, struct form *f);

/* --- parameters (params.c) --- */
struct param_error {
    const char *code;    /* JSON error code */
    const char *msg_key; /* i18n key */
};
/* params_check_request: size and UTF-8 of all arguments. */
int params_check_request(struct ctx *c, struct param_error *pe);
/* params_listing: fills q from ?q= &group= &stars= &province= &commune=
 * &producer= &sort= &page= &per_page=; 0 with pe set when invalid. */
int params_listing(struct ctx *c, struct cat_query *q, struct param_error *pe);
int params_valid_slug(const char *s);
/* params_group_code: a group given as 1..6 or as its slug; 0 if none. */
int params_group_code(struct ctx *c, const char *v);

/* --- pages (pages.c) and API (api.c) --- */
enum hres page_home(struct ctx *c);
enum hres page_products(struct ctx *c);
enum hres page_product(struct ctx *c);
enum hres page_group(struct ctx *c);
enum hres page_producers(struct ctx *c);
enum hres page_producer(struct ctx *c);
enum hres page_qr(struct ctx *c);
enum hres page_sitemap(struct ctx *c);
enum hres page_robots(struct ctx *c);
enum hres page_not_found(struct ctx *c);
enum hres page_error(struct ctx *c, unsigned status, const char *msg_key);

enum hres api_products(struct ctx *c);
enum hres api_product(struct ctx *c);
enum hres api_producers(struct ctx *c);
enum hres api_producer(struct ctx *c);
enum hres api_groups(struct ctx *c);
enum hres api_places(struct ctx *c);
enum hres api_suggest(struct ctx *c);
enum hres api_send_json(struct ctx *c, unsigned status, const cJSON *json,
                        int cacheable);

/* --- the producer portal (portal.c) --- */
enum hres page_portal(struct ctx *c);
enum hres page_edit(struct ctx *c);
enum hres page_edit_post(struct ctx *c);
enum hres page_undo_post(struct ctx *c);

/* --- the write API (api_write.c) --- */
enum hres api_product_patch(struct ctx *c);
enum hres api_product_history(struct ctx *c);
enum hres api_product_undo(struct ctx *c);
enum hres api_evaluation_post(struct ctx *c);
enum hres api_certificates(struct ctx *c);
enum hres api_revoke_post(struct ctx *c);
struct cert_evaluation;
/* web_evaluate / web_revoke: the office's writes, shared by the API and
 * the office's pages (each one transaction). */
enum err web_evaluate(struct ctx *c, struct cert_evaluation *ev, cJSON **out,
                      struct err_ctx *ec) MUST_CHECK;
enum err web_revoke(struct ctx *c, int64_t cert_id, const char *reason,
                    struct err_ctx *ec) MUST_CHECK;
/* web_json_body: the request body as a JSON object, or an error reply
 * already sent (*h set, NULL returned). */
cJSON *web_json_body(struct ctx *c, enum hres *h);
/* web_editable: the product by slug when c->who may edit it; else an
 * error reply is sent (*h) and NULL returned. */
cJSON *web_editable(struct ctx *c, const char *slug, enum hres *h);

/* --- product photos (photos.c) --- */
/* web_photos_start: folders, libvips and the media worker, before the
 * HTTP threads start; web_photos_stop() after they stopped. */
enum err web_photos_start(struct app *app, struct err_ctx *ec) MUST_CHECK;
void web_photos_stop(struct app *app);
/* web_refuse_body: the 413 of a body refused by its Content-Length. */
enum hres web_refuse_body(struct ctx *c);
enum hres media_serve_upload(struct ctx *c);  /* GET /media/u/NAME */
enum hres api_photos_post(struct ctx *c);     /* POST .../{slug}/photos */
enum hres api_photo_patch(struct ctx *c);     /* PATCH .../photos/{id} */
enum hres api_photo_delete(struct ctx *c);    /* DELETE .../photos/{id} */
enum hres page_photos(struct ctx *c);         /* GET /quan-ly/san-pham/{slug}/anh */
enum hres page_photos_post(struct ctx *c);    /* POST the same: upload */
enum hres page_photo_action(struct ctx *c);   /* POST .../anh/{id} */

/* --- the programme office (admin.c) --- */
/* Pages under /quan-tri, all NEED_ADMIN; every POST is a form with the
 * session's csrf field, one transaction with its audit record, and a 303
 * back with ?ok=CODE, or the form again with the error (422, 409, 404). */
enum hres page_admin(struct ctx *c);
enum hres page_admin_certs(struct ctx *c);
enum hres page_admin_audit(struct ctx *c);
enum hres page_admin_producers(struct ctx *c); /* admin_producer.c */
enum hres page_admin_producer_create(struct ctx *c);
enum hres page_admin_producer(struct ctx *c);
enum hres page_admin_producer_update(struct ctx *c);
enum hres page_admin_producer_account(struct ctx *c);
enum hres page_admin_producer_link(struct ctx *c);
enum hres page_admin_candidates(struct ctx *c); /* admin_cycle.c */
enum hres page_admin_candidate_register(struct ctx *c);
enum hres page_admin_candidate_step(struct ctx *c);
enum hres page_admin_product(struct ctx *c);
enum hres page_admin_evaluate(struct ctx *c);
enum hres page_admin_hide(struct ctx *c);
enum hres page_admin_revoke(struct ctx *c);
enum hres page_admin_users(struct ctx *c); /* admin_account.c */
enum hres page_admin_user_create(struct ctx *c);
enum hres page_admin_user_reset(struct ctx *c);
enum hres page_admin_user_disable(struct ctx *c);
enum hres page_admin_keys(struct ctx *c);
enum hres page_admin_key_create(struct ctx *c);
enum hres page_admin_key_revoke(struct ctx *c);
/* Shared by admin*.c. Strings returned live in the request's arena. */
const char *admin_t(struct ctx *c, const char *key);
/* admin_model: view_private_new with the office's navigation (section
 * current), the note of a valid ?ok=CODE, and an empty "values". */
cJSON *admin_model(struct ctx *c, const char *title_key, const char *path,
                   const char *section);
enum hres admin_render(struct ctx *c, unsigned status, const char *name,
                       cJSON *m);
/* admin_status: 404, 409, 403, 400, else 422 for a form's error. */
unsigned admin_status(enum err e);
/* admin_form_error: e is the user's to fix (the form is shown again). */
int admin_form_error(enum err e);
/* admin_error: m.error (the message of ec's key or fallback_key),
 * m.error_in.FORM = true and m.invalid.FIELD = true. */
void admin_error(struct ctx *c, cJSON *m, const char *form,
                 const struct err_ctx *ec, const char *fallback_key);
/* admin_values: the submitted fields into m.values (not csrf, and never
 * a password). */
void admin_values(cJSON *m, const struct form *f);
const char *admin_field(const struct form *f, const char *key); /* or "" */
/* admin_long: s as a whole number in min..max; 0 when it is not. */
int admin_long(const char *s, long min, long max, long *out);
/* admin_path: before + arg percent-encoded + after. */
const char *admin_path(struct ctx *c, const char *before, const char *arg,
                       const char *after);
const char *admin_date(struct ctx *c, const char *ymd); /* dd/mm/yyyy */
const char *admin_when(struct ctx *c, const char *iso); /* UTC -> VN time */
/* admin_cert_view: display fields of a certificate from cert.h. */
void admin_cert_view(struct ctx *c, cJSON *cert);
/* admin_drop_empty: removes o[key] when it is null, "" or 0 (which
 * Mustache sections would treat as true). */
void admin_drop_empty(cJSON *o, const char *key);
/* admin_audit_rows: display fields of audit_search() rows. */
void admin_audit_rows(struct ctx *c, cJSON *items);

/* --- booth sales (api_pos.c) --- */
enum hres api_sale_post(struct ctx *c);
enum hres api_sales(struct ctx *c);
enum hres api_sale_void(struct ctx *c);
enum hres api_sale_return(struct ctx *c);
enum hres api_location_stock(struct ctx *c);
enum hres api_booth_z(struct ctx *c);

/* --- the booth POS (pos_pages.c) --- */
/* web_pos_staff: with a booth device's key, an X-Staff-Token header names
 * the staff member selling (pos_staff_resolve): c->who then carries their
 * user id and username, so sales, voids and counts are theirs. Without
 * the header c->who is unchanged. */
enum err web_pos_staff(struct ctx *c, struct err_ctx *ec) MUST_CHECK;
enum hres pos_page_root(struct ctx *c);     /* GET /ban-hang: 303 */
enum hres pos_page_app(struct ctx *c);      /* GET /ban-hang/: the shell */
enum hres pos_page_sw(struct ctx *c);       /* GET /ban-hang/sw.js */
enum hres pos_page_manifest(struct ctx *c); /* GET .../manifest.webmanifest */
enum hres pos_page_receipt(struct ctx *c);  /* GET /hoa-don/TOKEN */
enum hres pos_page_admin(struct ctx *c);    /* GET /ban-hang/quan-ly */
enum hres pos_page_device_post(struct ctx *c); /* POST .../ID/may */
enum hres pos_page_bank_post(struct ctx *c);   /* POST .../ID/ngan-hang */
enum hres pos_page_pin_post(struct ctx *c);    /* POST .../ID/ma-pin */
enum hres api_pos_device(struct ctx *c);       /* GET /api/v1/pos/device */
enum hres api_pos_pin(struct ctx *c);          /* POST /api/v1/pos/pin */
enum hres api_pos_vietqr(struct ctx *c);       /* GET /api/v1/pos/vietqr */
enum hres api_pos_count(struct ctx *c);    /* POST .../locations/ID/counts */
enum hres api_stock_verify(struct ctx *c); /* GET /api/v1/stock/verify */

/* --- places and fairs (places.c) --- */
/* The office's places, fairs and booths, their goods, transfers,
 * stocktakes and consignment settlements, a fair's live view (all
 * NEED_ADMIN); a producer's consignment pages (NEED_EDITOR, their own
 * producers only); the booths' sync-queue API. See web/places.h. */
enum hres page_places(struct ctx *c);          /* GET /quan-tri/dia-diem */
enum hres page_place_create(struct ctx *c);    /* POST the same */
enum hres page_place(struct ctx *c);           /* GET .../dia-diem/ID */
enum hres page_place_update(struct ctx *c);    /* POST the same */
enum hres page_place_booth(struct ctx *c);     /* POST .../ID/gian-hang */
enum hres page_place_producer(struct ctx *c);  /* POST .../ID/nha-san-xuat */
enum hres page_place_staff(struct ctx *c);     /* POST .../ID/nhan-vien */
enum hres page_place_receive(struct ctx *c);   /* POST .../ID/nhap-hang */
enum hres page_place_giveback(struct ctx *c);  /* POST .../ID/tra-hang */
enum hres page_place_adjust(struct ctx *c);    /* POST .../ID/dieu-chinh */
enum hres page_place_levels(struct ctx *c);    /* POST .../ID/muc-toi-thieu */
enum hres page_place_shortfall(struct ctx *c); /* POST .../ID/thieu-hang */
enum hres page_place_transfer(struct ctx *c);  /* POST .../ID/chuyen-kho */
enum hres page_place_count_open(struct ctx *c); /* POST .../ID/kiem-kho */
enum hres page_transfers(struct ctx *c);       /* GET /quan-tri/chuyen-kho */
enum hres page_transfer(struct ctx *c);        /* GET .../chuyen-kho/ID */
enum hres page_transfer_receive(struct ctx *c); /* POST .../ID/nhan */
enum hres page_count(struct ctx *c);           /* GET /quan-tri/kiem-kho/ID */
enum hres page_count_post(struct ctx *c);      /* POST the same */
enum hres page_settlement(struct ctx *c);      /* GET /quan-tri/doi-soat */
enum hres page_settlement_csv(struct ctx *c);  /* GET .../doi-soat.csv */
enum hres page_fair_live(struct ctx *c);       /* GET /quan-tri/hoi-cho/ID */
enum hres page_consign(struct ctx *c);         /* GET /quan-ly/ky-gui */
enum hres page_consign_csv(struct ctx *c);     /* GET /quan-ly/ky-gui.csv */
enum hres api_booth_queue(struct ctx *c);      /* POST /api/v1/booths/ID/queue */

/* --- views (view.c) --- */
/* view_new: the common page model (lang, t, assets, site, nav). */
cJSON *view_new(struct ctx *c, const char *title, const char *description,
                const char *canonical_path);
/* view_groups_list: the groups with names in the page's language and
 * links (and counts of active products when counts is set). */
cJSON *view_groups_list(struct ctx *c, int counts);
/* view_private_new: view_new for signed-in pages, with "me" (username,
 * role, csrf, links) and noindex. */
cJSON *view_private_new(struct ctx *c, const char *title, const char *path);
/* view_product: adds display fields (price text, star badge, certificate
 * words, localised names, URLs with the language) to a catalog product. */
void view_product(struct ctx *c, cJSON *p);
void view_products(struct ctx *c, cJSON *arr);
/* view_url: path with ?lang=en (or &lang=en) when the page is English. */
const char *view_url(struct ctx *c, const char *path);
/* view_render_private: renders a page that depends on who asks (never
 * cached), with extra's status and headers (Set-Cookie, Location). */
enum hres view_render_private(struct ctx *c, const struct http_reply *extra,
                              const char *name, cJSON *model);
/* view_render: renders template name with model and sends it. */
enum hres view_render(struct ctx *c, unsigned status, const char *name,
                      cJSON *model, const char *cache_key);

#endif
