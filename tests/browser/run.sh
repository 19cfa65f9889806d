#!/bin/sh
# run.sh: the browser suite (playwright-core + Debian's Chromium), axe-core
# and the OpenAPI checks, against a release build of ./ocop on a free
# loopback port with a fresh database.
#
#   sh tests/browser/run.sh            from anywhere
#   OCOP_BIN=path sh tests/browser/run.sh   test another binary (no build)
#   OCOP_BROWSER_FILES="a.test.mjs b.test.mjs"   run only these files
#
# Prints node's TAP; its last lines are "# pass N" and "# fail N", which
# scripts/test.sh adds up. Exits with node's exit code. Every step is
# bounded in time, and the server and the temp dir go away on any exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
dir=tests/browser

SERVER_WAIT_S=${SERVER_WAIT_S:-10}
SUITE_TIMEOUT_S=${SUITE_TIMEOUT_S:-420}
NPM_TIMEOUT_S=${NPM_TIMEOUT_S:-300}

tmp=
server_pid=
node_pid=

# stop_group PID: stops the process group that PID leads (timeout(1) makes
# one for the suite: node, its test files and their browsers), within 3 s.
stop_group() {
    kill -TERM "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null
    n=0
    while [ $n -lt 30 ] &&
        ps -o stat= -g "$1" 2>/dev/null | grep -qv '^Z'; do
        sleep 0.1
        n=$((n + 1))
    done
    kill -KILL "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

cleanup() {
    if [ -n "$node_pid" ]; then
        stop_group "$node_pid"
        node_pid=
    fi
    # a server the POS test started again (not a child of this script)
    again=$(cat "$tmp/server.pid" 2>/dev/null)
    if [ -n "$again" ] && [ "$again" != "$server_pid" ]; then
        kill -TERM "$again" 2>/dev/null
        n=0
        while kill -0 "$again" 2>/dev/null && [ $n -lt 50 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        kill -KILL "$again" 2>/dev/null
    fi
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null
        # Give it 5 s to stop on SIGTERM, then stop it for good.
        n=0
        while kill -0 "$server_pid" 2>/dev/null && [ $n -lt 50 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
    if [ -n "$tmp" ]; then
        rm -rf "$tmp"
        tmp=
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bail: the suite could not start; still print the two lines test.sh reads.
bail() {
    echo "Bail out! $*"
    echo "# pass 0"
    echo "# fail 1"
    exit 1
}

# with_timeout SECONDS CMD...: coreutils timeout when there is one.
with_timeout() {
    s=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout -k 10 "$s" "$@"
    else
        "$@"
    fi
}

command -v node >/dev/null 2>&1 || bail "node is not installed"
command -v npm >/dev/null 2>&1 || bail "npm is not installed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
    bail "${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install chromium)"

# --- node_modules: installed from the lock file, reinstalled when stale ----
stamp=$dir/node_modules/.ocop-lock-stamp
want=$(cat "$dir/package.json" "$dir/package-lock.json" | cksum)
have=$(cat "$stamp" 2>/dev/null)
if [ ! -d "$dir/node_modules" ] || [ "$want" != "$have" ]; then
    echo "# installing tests/browser/node_modules (npm ci)"
    (cd "$dir" && with_timeout "$NPM_TIMEOUT_S" npm ci --no-audit --no-fund \
        --loglevel=error) >&2 || bail "npm ci failed"
    echo "$want" >"$stamp"
fi

# --- the server ------------------------------------------------------------
if [ -z "${OCOP_BIN:-}" ]; then
    with_timeout 600 make -s ocop >&2 || bail "make ocop failed"
    OCOP_BIN=./ocop
fi
[ -x "$OCOP_BIN" ] || bail "$OCOP_BIN is not an executable"
case $OCOP_BIN in /*) ;; *) OCOP_BIN=$root/$OCOP_BIN ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocop-browser.XXXXXX") || bail "mktemp failed"
# The accounts the portal and office tests sign in with.
for account in "--role producer --username tuyethuong --producer tuyet-huong" \
    "--role admin --username office"; do
    # shellcheck disable=SC2086
    printf 'correct horse battery\n' | "$OCOP_BIN" user add $account \
        --password-stdin --db "$tmp/ocop.db" >/dev/null 2>"$tmp/setup.err" ||
        { cat "$tmp/setup.err" >&2; bail "cannot create the test accounts"; }
done
# setup ARGS...: runs ocop ARGS on the test database; prints its stdout.
setup() {
    "$OCOP_BIN" "$@" --db "$tmp/ocop.db" 2>"$tmp/setup.err" ||
        { cat "$tmp/setup.err" >&2; return 1; }
}
# The API keys and the sample fair the OpenAPI write checks use: a
# producer's and the office's keys, and a key for the fair's booth that
# sells the producer's goods, with that booth's staff member and PIN.
OCOP_TEST_PRODUCER_KEY=$(setup apikey create --role producer \
    --producer tuyet-huong --name doc) || bail "cannot create the API keys"
OCOP_TEST_ADMIN_KEY=$(setup apikey create --role admin --name doc) ||
    bail "cannot create the API keys"
fair=$(setup sample --fair) || bail "cannot create the sample fair"
booth=$(printf '%s' "$fair" | node -e '
    const f = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const b = f.booths.find((x) => x.producer === "tuyet-huong");
    console.log([b.id, b.staff, b.pin ?? ""].join(" "));') ||
    bail "no booth of tuyet-huong in: $fair"
OCOP_TEST_BOOTH_ID=${booth%% *}
booth=${booth#* }
OCOP_TEST_BOOTH_STAFF=${booth%% *}
OCOP_TEST_BOOTH_PIN=${booth#* }
OCOP_TEST_BOOTH_KEY=$(setup apikey create --role booth \
    --booth "$OCOP_TEST_BOOTH_ID" --name tablet) ||
    bail "cannot create the API keys"
export OCOP_TEST_PRODUCER_KEY OCOP_TEST_ADMIN_KEY OCOP_TEST_BOOTH_ID \
    OCOP_TEST_BOOTH_KEY OCOP_TEST_BOOTH_STAFF OCOP_TEST_BOOTH_PIN
"$OCOP_BIN" serve --listen 127.0.0.1:0 --db "$tmp/ocop.db" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
echo "$server_pid" >"$tmp/server.pid"

base=
n=0
while [ $n -lt $((SERVER_WAIT_S * 10)) ]; do
    base=$(sed -n 's|^ocop: serving \(http://[^ ]*\) .*|\1|p' \
        "$tmp/server.out" | head -n 1)
    [ -n "$base" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$tmp/server.err" >&2
        server_pid=
        bail "the server exited before serving"
    fi
    sleep 0.1
    n=$((n + 1))
done
if [ -z "$base" ]; then
    cat "$tmp/server.err" >&2
    bail "the server did not print its serving line within ${SERVER_WAIT_S} s"
fi
echo "# server: $base (pid $server_pid)"
# The POS test stops this server and starts the same binary on the same
# database and port again (pos.test.mjs); it writes the new server's pid
# into the pid file, which the cleanup reads.
OCOP_DB=$tmp/ocop.db
OCOP_PORT=${base##*:}
OCOP_PORT=${OCOP_PORT%%/*}
OCOP_SERVER_PIDFILE=$tmp/server.pid
export OCOP_BIN OCOP_DB OCOP_PORT OCOP_SERVER_PIDFILE

BASE_URL=$base
OCOP_REPO_ROOT=$root
OCOP_SERVER_LOG=$tmp/server.err
# No update checks, telemetry or notices from the tools at test time.
REDOCLY_TELEMETRY=off
REDOCLY_SUPPRESS_UPDATE_NOTICE=true
REDOCLY_SUPPRESS_NOTIFICATIONS=true
NO_UPDATE_NOTIFIER=1
npm_config_update_notifier=false
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export BASE_URL OCOP_REPO_ROOT OCOP_SERVER_LOG REDOCLY_TELEMETRY \
    REDOCLY_SUPPRESS_UPDATE_NOTICE REDOCLY_SUPPRESS_NOTIFICATIONS \
    NO_UPDATE_NOTIFIER npm_config_update_notifier PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD

mkdir -p tests/out

# --- the suite -------------------------------------------------------------
if [ -n "${OCOP_BROWSER_FILES:-}" ]; then
    files=
    for f in $OCOP_BROWSER_FILES; do
        files="$files $dir/$f"
    done
else
    files=$dir/
fi
# In the background, so that a signal to this script is handled at once
# (the traps above stop node and the server) rather than after the suite.
# Not through with_timeout: $! must be timeout's own pid, which leads the
# process group that stop_group stops.
# shellcheck disable=SC2086 # $files is a list of paths without spaces
if command -v timeout >/dev/null 2>&1; then
    timeout -k 10 "$SUITE_TIMEOUT_S" node --test --test-reporter=tap \
        --test-concurrency=1 --test-timeout=120000 $files </dev/null &
else
    node --test --test-reporter=tap --test-concurrency=1 \
        --test-timeout=120000 $files </dev/null &
fi
node_pid=$!
wait "$node_pid"
rc=$?
# Above 128, wait may have been cut short by a signal whose trap runs
# next: the cleanup still needs the pid then.
[ $rc -lt 128 ] && node_pid=
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "# the suite did not finish within ${SUITE_TIMEOUT_S} s"
    echo "# pass 0"
    echo "# fail 1"
fi
exit $rc
