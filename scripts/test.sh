#!/bin/sh
# test.sh: every test of the project, then one line "N passed, N failed".
#   1. unit tests (cmocka), built with ASan + UBSan
#   2. integration tests (cmocka + libcurl) against the real ocop server,
#      also under ASan + UBSan, each on a free loopback port
#   3. browser tests (playwright-core driving Debian's Chromium), axe-core,
#      and the OpenAPI lint (@redocly/cli), against the release build
# Suites print their own lines; this script only adds them up.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count_cmocka() { # file
    # a binary may run several groups: add up every group's summary
    p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s += $1} END {print s + 0}')
    f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | awk '{s += $1} END {print s + 0}')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

run_cmocka() { # binary label
    log="$out/$(echo "$2" | tr '/' '_').log"
    "$1" >"$log" 2>&1
    rc=$?
    cat "$log"
    count_cmocka "$log"
    # A crash or a sanitizer report after the last test still fails.
    if [ $rc -ne 0 ] && ! grep -q '\[  FAILED  \]' "$log"; then
        echo "FAILED: $2 exited with $rc"
        failed=$((failed + 1))
    fi
}

echo "== build (ASan + UBSan) =="
if ! make -s -j2 unit itest build/san/ocop ocop build/mockmkt; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "== lint =="
if sh scripts/lint.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== unit tests =="
for t in $(find build/tests -type f -perm -u+x -name 'test_*' | sort); do
    run_cmocka "$t" "$t"
done

echo "== integration tests =="
for t in $(find build/itests -type f -perm -u+x -name 'itest_*' | sort); do
    OCOP_BIN=build/san/ocop run_cmocka "$t" "$t"
done

echo "== sqlmap against the forms and the search =="
sh tests/security/sqlmap.sh >"$out/sqlmap.log" 2>&1
cat "$out/sqlmap.log"
p=$(sed -n 's/^sqlmap: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out/sqlmap.log")
f=$(sed -n 's/^sqlmap: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out/sqlmap.log")
[ -z "$p" ] && f=$(( ${f:-0} + 1 ))
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))

echo "== browser tests, axe-core, OpenAPI lint =="
if sh tests/browser/run.sh >"$out/browser.log" 2>&1; then :; fi
cat "$out/browser.log"
p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out/browser.log" | tail -n 1)
f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out/browser.log" | tail -n 1)
if [ -z "$p" ]; then
    echo "FAILED: the browser suite did not run"
    f=$(( ${f:-0} + 1 ))
fi
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
