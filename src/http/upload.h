/* upload.h: request bodies as they stream in (private to src/http/).
 * Owns: counting a body against its policy (http.h, "Bodies"), refusing
 *   one by its Content-Length, keeping a plain body in req->body, and
 *   parsing a multipart/form-data body with MHD's post processor: fields
 *   into the request's arena, file parts into new files (mode 0600) that
 *   it removes when the request ends.
 * Does not own: what the parts mean (the handlers), replies.
 * Memory: the state hangs off req->up; upload_release() frees it. */
#ifndef OCOP_HTTP_UPLOAD_H
#define OCOP_HTTP_UPLOAD_H

#include "http/http.h"

/* upload_begin: at the first call of a request with a body. Sets
 * req->body_refused when Content-Length is over the limit. ERR_NOMEM
 * when the state cannot be made. */
enum err upload_begin(struct http_req *req,
                      const struct http_body_policy *p) MUST_CHECK;
/* upload_take: n more bytes; 0 when the connection should be closed (far
 * more than the limit came). */
int upload_take(struct http_req *req, const char *data, size_t n);
/* upload_finish: at the end of the body (idempotent): flushes the last
 * part; on any body error removes the files and empties req->files. */
void upload_finish(struct http_req *req);
/* upload_release: closes and removes what is left; NULL state is a no-op. */
void upload_release(struct http_req *req);

#endif
