/* qr.c: QR codes as SVG with libqrencode (see qr.h). */
#include "media/qr.h"

#include <qrencode.h>
#include <string.h>

#define QUIET 4

static enum err draw_modules(const QRcode *qr, struct sb *out)
{
    int x, y;
    enum err e = ERR_OK;

    for (y = 0; y < qr->width && e == ERR_OK; y++) {
        for (x = 0; x < qr->width && e == ERR_OK; x++) {
            int run = 0;
            while (x + run < qr->width &&
                   (qr->data[y * qr->width + x + run] & 1))
                run++;
            if (run > 0)
                e = sb_addf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run,
                            run);
            x += run;
        }
    }
    return e;
}

enum err qr_svg(const char *text, const char *title, struct sb *out)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    int size;
    enum err e;

    if (qr == NULL)
        return ERR_INVALID;
    size = qr->width + 2 * QUIET;
    e = sb_addf(out,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                " width=\"%d\" height=\"%d\" role=\"img\""
                " shape-rendering=\"crispEdges\"><title>",
                size, size, size * 4, size * 4);
    if (e == ERR_OK)
        e = sb_add_html(out, title, strlen(title));
    if (e == ERR_OK)
        e = sb_addf(out, "</title><rect width=\"%d\" height=\"%d\""
                         " fill=\"#fff\"/><path fill=\"#000\" d=\"",
                    size, size);
    if (e == ERR_OK)
        e = draw_modules(qr, out);
    if (e == ERR_OK)
        e = sb_adds(out, "\"/></svg>");
    QRcode_free(qr);
    return e;
}
