/* log.h: one-line log messages on stderr.
 * Owns: the log format (UTC time, level, module, message) and the level
 *   threshold. Control characters in messages are escaped so untrusted
 *   input cannot forge lines. Never log passwords, tokens or phone numbers. */
#ifndef OCOP_LOG_H
#define OCOP_LOG_H

#include "core/err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

#endif
