/* qr.h: QR codes as SVG.
 * Owns: encoding a text (a URL) with libqrencode and drawing the modules
 *   as one SVG path (crisp at any size, a few hundred bytes).
 * Does not own: what the code points to. */
#ifndef OCOP_QR_H
#define OCOP_QR_H

#include "core/err.h"
#include "core/sb.h"

/* qr_svg: appends an SVG image of text with a quiet zone of 4 modules;
 * title is the accessible name (HTML-escaped here). */
enum err qr_svg(const char *text, const char *title, struct sb *out) MUST_CHECK;

#endif
