/* log.c: one-line log messages on stderr (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static atomic_int threshold = LOG_INFO;

void log_set_level(enum log_level lvl)
{
    atomic_store(&threshold, (int)lvl);
}

static const char *level_name(enum log_level lvl)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    return names[lvl];
}

void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
{
    char msg[1024], line[2300], stamp[32];
    size_t i, o = 0;
    va_list ap;
    time_t now = time(NULL);
    struct tm tm;

    if ((int)lvl < atomic_load(&threshold))
        return;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap); /* long lines are cut */
    va_end(ap);
    for (i = 0; msg[i] != '\0' && o + 5 < sizeof(line); i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(line + o, sizeof(line) - o, "\\x%02x", c);
        else
            line[o++] = (char)c;
    }
    line[o] = '\0';
    gmtime_r(&now, &tm);
    (void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s %s: %s\n", stamp, level_name(lvl), module, line);
}
