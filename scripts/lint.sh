#!/bin/sh
# lint.sh: functions the house style bans in src/ (unbounded or
# error-swallowing), and calls to exit() outside src/ocop.c.
set -u
cd "$(dirname "$0")/.."
status=0
if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\(' src \
    --include='*.c' --include='*.h' | grep -vE '\b(snprintf|vsnprintf)\b'; then
    echo "lint: banned function above (use snprintf, sb_*, strtol)"
    status=1
fi
if grep -rnE '\b(exit|abort)\s*\(' src --include='*.c' | grep -v '^src/ocop.c:' \
    | grep -v '_exit'; then
    echo "lint: only src/ocop.c may exit"
    status=1
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
