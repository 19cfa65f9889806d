/* sync_http.c: a connector's request as a libcurl easy handle. */
#include "sync/sync_int.h"

#include <string.h>
#include <time.h>

int64_t sync_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
    struct sb *sb = cls;
    /* a failed append makes curl abort the transfer: answers are capped */
    return sb_add(sb, p, size * n) == ERR_OK ? size * n : 0;
}

static enum err add_mime(struct sync_http *h, const struct mkt_req *r,
                         struct err_ctx *ec)
{
    h->mime = curl_mime_init(h->easy);
    if (!h->mime)
        return err_set(ec, ERR_NOMEM, "curl_mime_init");
    for (int i = 0; i < r->n_form; i++) {
        curl_mimepart *p = curl_mime_addpart(h->mime);
        if (!p || curl_mime_name(p, r->form[i].name) != CURLE_OK ||
            curl_mime_data(p, r->form[i].value, CURL_ZERO_TERMINATED) !=
                CURLE_OK)
            return err_set(ec, ERR_NOMEM, "multipart field");
    }
    curl_mimepart *f = curl_mime_addpart(h->mime);
    if (!f || curl_mime_name(f, r->file_field) != CURLE_OK)
        return err_set(ec, ERR_NOMEM, "multipart file");
    if (curl_mime_filedata(f, r->file_path) != CURLE_OK)
        return err_set(ec, ERR_IO, "cannot read %s", r->file_path);
    if (r->file_type && curl_mime_type(f, r->file_type) != CURLE_OK)
        return err_set(ec, ERR_NOMEM, "multipart type");
    curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, h->mime);
    return ERR_OK;
}

enum err sync_http_setup(struct sync_http *h, const struct mkt_req *r,
                         long timeout_ms, struct err_ctx *ec)
{
    memset(h, 0, sizeof *h);
    sb_init(&h->body, 8u << 20);
    h->easy = curl_easy_init();
    if (!h->easy)
        return err_set(ec, ERR_NOMEM, "curl_easy_init");
    CURL *e = h->easy;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "ocop-sync/1");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &h->body);
    curl_easy_setopt(e, CURLOPT_PRIVATE, h);
    for (int i = 0; i < r->n_headers; i++) {
        struct curl_slist *n = curl_slist_append(h->headers, r->headers[i]);
        if (!n)
            return err_set(ec, ERR_NOMEM, "header");
        h->headers = n;
    }
    /* no "Expect: 100-continue" round trip on uploads */
    struct curl_slist *n = curl_slist_append(h->headers, "Expect:");
    if (!n)
        return err_set(ec, ERR_NOMEM, "header");
    h->headers = n;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
    if (r->file_path)
        return add_mime(h, r, ec);
    if (strcmp(r->method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    if (r->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "POST") == 0 ||
               strcmp(r->method, "PUT") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    return ERR_OK;
}

void sync_http_cleanup(struct sync_http *h)
{
    if (h->easy)
        curl_easy_cleanup(h->easy);
    curl_slist_free_all(h->headers);
    curl_mime_free(h->mime);
    sb_release(&h->body);
    memset(h, 0, sizeof *h);
}

enum err sync_http_once(const struct mkt_req *r, long timeout_ms,
                        long *status, struct sb *body, struct err_ctx *ec)
{
    struct sync_http h;
    enum err e = sync_http_setup(&h, r, timeout_ms, ec);
    *status = 0;
    if (e == ERR_OK) {
        if (curl_easy_perform(h.easy) == CURLE_OK)
            curl_easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, status);
        e = sb_add(body, sb_str(&h.body), h.body.len);
    }
    sync_http_cleanup(&h);
    return e;
}
