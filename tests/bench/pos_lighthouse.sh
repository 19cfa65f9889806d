#!/bin/sh
# pos_lighthouse.sh: the booth POS app's first load on a throttled mobile
# connection, measured with Lighthouse (npm lighthouse, pinned in
# tests/bench/package.json; 12.8.2 is the newest release that runs on
# Node 20, 13.x wants Node >= 22.19).
#
#   sh tests/bench/pos_lighthouse.sh       standalone: prints the numbers
#   sourced by tests/bench/bench.sh         defines pos_lighthouse_section,
#                                           which appends to $OUT
#
# What it measures: a fresh database (`ocop sample --fair`: the seed catalog
# and a fair with three booths), a booth device key (`ocop apikey create
# --role booth`), `ocop serve` on a free 127.0.0.1 port, and the link the
# office gives a new tablet, /ban-hang/#key=KEY: a fresh device (no
# storage, no service worker, empty caches) opens the app shell, registers
# with the key, fetches its booth and the stock, and shows the PIN screen,
# ready to sign in. Each run checks that the app fetched /api/v1/pos/device
# and its booth's stock.
#
# Lighthouse: --only-categories=performance, --throttling-method=simulate
# with its default mobile profile, "Slow 4G" (constants.throttling.
# mobileSlow4G: 150 ms RTT, 1.6 Mbit/s, CPU slowdown 4x; a 412 x 823 phone
# screen), JSON output. BENCH_LH_RUNS runs (3); the median of each metric is
# reported: first contentful paint, largest contentful paint, time to
# interactive (Lighthouse's "interactive" audit), total blocking time,
# speed index and the total byte weight.
#
# Chromium (CHROME_PATH, /usr/bin/chromium) is started by this script, not
# by Lighthouse: chrome-launcher starts it detached and stops it only on
# SIGINT or a normal end. So each run gets a fresh Chromium of its own
# (setsid, a new profile, --remote-debugging-port=0 on 127.0.0.1) with
# chrome-launcher's default flags plus "--headless --no-sandbox
# --disable-gpu --disable-background-networking --disable-component-update
# --disable-sync", the same command line Lighthouse's --chrome-flags would
# give; Lighthouse connects to it with --port, and the script stops its
# process group afterwards. Everything (ocop, Chromium, Lighthouse) is
# stopped on exit; every step is bounded in time: 15-25 s a run here,
# 50-70 s in all once tests/bench/node_modules is installed (the first
# `npm ci` takes about 30 s more). Only 127.0.0.1 is contacted, apart from
# the npm registry for that `npm ci`.
#
# Knobs: BENCH_LH_RUNS=3  BENCH_LH_RUN_TIMEOUT=60 (s, one Lighthouse run)
#        BENCH_LIGHTHOUSE=0 (bench.sh skips the section)  BENCH_KEEP=1
#        (standalone: keep the temporary directory and its reports)

# lh_log MSG: progress on stderr, through bench.sh's say when there is one.
lh_log() { printf '%s\n' "bench: pos lighthouse: $*" >&2; }

# lh_alive PGID: some process of group PGID is still running (not a zombie).
lh_alive() {
    ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# lh_stop_group PID: stops the process group PID leads (timeout(1) and
# setsid make one), TERM then KILL after 3 s. Only groups this script
# started.
lh_stop_group() {
    [ -n "$1" ] || return 0
    kill -TERM "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
    i=0
    while [ "$i" -lt 30 ] && lh_alive "$1"; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

lh_cleanup() {
    lh_stop_group "${LH_RUN_PID:-}"
    LH_RUN_PID=
    lh_stop_group "${LH_CHROME_PID:-}"
    LH_CHROME_PID=
    if [ -n "${LH_OCOP_PID:-}" ]; then
        kill -TERM "$LH_OCOP_PID" 2>/dev/null || true
        i=0
        while kill -0 "$LH_OCOP_PID" 2>/dev/null && [ "$i" -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$LH_OCOP_PID" 2>/dev/null || true
        wait "$LH_OCOP_PID" 2>/dev/null || true
        LH_OCOP_PID=
    fi
}

# lh_fail MSG: the reason, for the caller, and exit (a subshell).
lh_fail() {
    lh_log "error: $*"
    printf '%s\n' "$*" >"$LHT/fail"
    exit 1
}

# lh_deps: node, npm, Chromium, and tests/bench/node_modules installed
# from the lock file (again when package.json or the lock changed).
lh_deps() {
    command -v node >/dev/null 2>&1 || lh_fail "node is not installed"
    command -v npm >/dev/null 2>&1 || lh_fail "npm is not installed"
    command -v setsid >/dev/null 2>&1 || lh_fail "setsid (util-linux) is not installed"
    command -v timeout >/dev/null 2>&1 || lh_fail "timeout (coreutils) is not installed"
    [ -x "$LH_CHROME" ] || lh_fail "$LH_CHROME is missing (apt-get install chromium)"
    stamp=$LH_DIR/node_modules/.ocop-lock-stamp
    want=$(cat "$LH_DIR/package.json" "$LH_DIR/package-lock.json" | cksum)
    have=$(cat "$stamp" 2>/dev/null || true)
    if [ ! -d "$LH_DIR/node_modules/lighthouse" ] || [ "$want" != "$have" ]; then
        lh_log "installing tests/bench/node_modules (npm ci)"
        (cd "$LH_DIR" && NO_UPDATE_NOTIFIER=1 timeout -k 10 300 npm ci --no-audit \
            --no-fund --loglevel=error) >"$LHT/npm.log" 2>&1 ||
            {
                tail -n 20 "$LHT/npm.log" >&2
                lh_fail "npm ci in tests/bench failed"
            }
        echo "$want" >"$stamp"
    fi
    LH_CLI=$LH_DIR/node_modules/lighthouse/cli/index.js
    [ -f "$LH_CLI" ] || lh_fail "no $LH_CLI after npm ci"
    (cd "$LH_DIR" && node pos_lighthouse.mjs flags) >"$LHT/chrome.flags" ||
        lh_fail "cannot read chrome-launcher's default flags"
    # the flags the brief asked Lighthouse's --chrome-flags for
    printf '%s\n' --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync >>"$LHT/chrome.flags"
}

# lh_server: the database, the booth key, ocop serve; sets LH_BASE,
# LH_BOOTH and LH_URL.
lh_server() {
    ./ocop sample --fair --db "$LHT/ocop.db" >"$LHT/fair.json" 2>"$LHT/fair.err" ||
        lh_fail "ocop sample --fair failed: $(tail -n 1 "$LHT/fair.err")"
    LH_BOOTH=$(sed -n 's/.*"booths":\[{"id":\([0-9]*\).*/\1/p' "$LHT/fair.json")
    [ -n "$LH_BOOTH" ] || lh_fail "ocop sample --fair printed no booth"
    key=$(./ocop apikey create --role booth --booth "$LH_BOOTH" --name bench-lighthouse \
        --db "$LHT/ocop.db" 2>"$LHT/key.err") || lh_fail "ocop apikey create failed"
    ./ocop serve --listen 127.0.0.1:0 --db "$LHT/ocop.db" >"$LHT/ocop.out" 2>"$LHT/ocop.err" &
    LH_OCOP_PID=$!
    i=0
    until grep -q 'serving http://127.0.0.1:' "$LHT/ocop.out" 2>/dev/null; do
        kill -0 "$LH_OCOP_PID" 2>/dev/null || lh_fail "ocop serve exited: $(tail -n 3 "$LHT/ocop.err")"
        i=$((i + 1))
        [ "$i" -lt 500 ] || lh_fail "ocop serve did not start within 10 s"
        sleep 0.02
    done
    port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$LHT/ocop.out")
    LH_BASE=http://127.0.0.1:$port
    curl -fsS -o /dev/null --max-time 5 "$LH_BASE/ban-hang/" || lh_fail "GET /ban-hang/ failed"
    # the office's link for a new tablet: the key after "#" (pos_pages.c)
    LH_URL="$LH_BASE/ban-hang/#key=$key"
}

# lh_chrome N: a fresh Chromium in a session of its own; sets LH_CHROME_PID
# and LH_CDP_PORT.
lh_chrome() {
    n=$1
    prof=$LHT/chrome-$n
    mkdir -p "$prof"
    old_ifs=$IFS
    IFS='
'
    set -f
    # shellcheck disable=SC2046 # one flag a line; globbing is off
    set -- $(cat "$LHT/chrome.flags")
    IFS=$old_ifs
    set +f
    setsid "$LH_CHROME" "$@" --remote-debugging-address=127.0.0.1 \
        --remote-debugging-port=0 --user-data-dir="$prof" about:blank \
        >"$LHT/chrome-$n.log" 2>&1 </dev/null &
    LH_CHROME_PID=$!
    # setsid did not fork (this shell's children lead no group), so the pid
    # is Chromium's and leads its process group
    pgid=$(ps -o pgid= -p "$LH_CHROME_PID" 2>/dev/null | tr -d ' ')
    [ -z "$pgid" ] || [ "$pgid" = "$LH_CHROME_PID" ] ||
        lh_fail "Chromium ($LH_CHROME_PID) is not the leader of its process group ($pgid)"
    LH_CDP_PORT=
    i=0
    while [ -z "$LH_CDP_PORT" ]; do
        LH_CDP_PORT=$(sed -n 1p "$prof/DevToolsActivePort" 2>/dev/null || true)
        case $LH_CDP_PORT in *[!0-9]*) LH_CDP_PORT= ;; esac
        [ -n "$LH_CDP_PORT" ] && break
        kill -0 "$LH_CHROME_PID" 2>/dev/null ||
            lh_fail "Chromium exited: $(tail -n 3 "$LHT/chrome-$n.log")"
        i=$((i + 1))
        [ "$i" -lt 300 ] || lh_fail "Chromium opened no DevTools port within 15 s"
        sleep 0.05
    done
}

# lh_run N: one Lighthouse run into $LHT/run-N.json.
lh_run() {
    lh_chrome "$1"
    t0=$(date +%s)
    # CHROME_PATH only matters were Lighthouse to start a Chrome itself;
    # it connects to ours (--port), which was checked alive just now.
    CHROME_PATH=$LH_CHROME timeout -k 5 "$LH_RUN_TIMEOUT_S" node "$LH_CLI" "$LH_URL" \
        --port="$LH_CDP_PORT" --hostname=127.0.0.1 \
        --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync" \
        --only-categories=performance --throttling-method=simulate \
        --output=json --output-path="$LHT/run-$1.json" --quiet \
        --no-enable-error-reporting >"$LHT/lh-$1.log" 2>&1 </dev/null &
    LH_RUN_PID=$!
    rc=0
    wait "$LH_RUN_PID" || rc=$?
    LH_RUN_PID=
    lh_stop_group "$LH_CHROME_PID"
    LH_CHROME_PID=
    rm -rf "$LHT/chrome-$1"
    if [ "$rc" -ne 0 ]; then
        tail -n 15 "$LHT/lh-$1.log" >&2
        [ "$rc" -eq 124 ] && lh_fail "Lighthouse run $1 took more than ${LH_RUN_TIMEOUT_S} s"
        lh_fail "Lighthouse run $1 failed (exit $rc)"
    fi
    lh_log "run $1 done in $(($(date +%s) - t0)) s"
}

# lh_measure: everything; run in the background by lh_spawn, so in a
# subshell of its own, whose traps stop what it started. Leaves
# $LHT/summary (key=value lines) or $LHT/fail.
lh_measure() {
    set -eu
    trap lh_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    t_start=$(date +%s)
    lh_deps
    lh_server
    lh_log "ocop on $LH_BASE, booth $LH_BOOTH; $LH_RUNS Lighthouse runs of /ban-hang/#key=…"
    n=1
    files=
    while [ "$n" -le "$LH_RUNS" ]; do
        lh_run "$n"
        files="$files $LHT/run-$n.json"
        n=$((n + 1))
    done
    # shellcheck disable=SC2086 # paths without spaces
    (cd "$LH_DIR" && node pos_lighthouse.mjs summary "$LH_BOOTH" $files) \
        >"$LHT/summary" 2>"$LHT/summary.err" || lh_fail "$(cat "$LHT/summary.err")"
    echo "elapsed=$(($(date +%s) - t_start))" >>"$LHT/summary"
    echo "chromium=$("$LH_CHROME" --version 2>/dev/null | sed -n 's/^Chromium \([0-9.]*\).*/\1/p')" >>"$LHT/summary"
}

# lh_spawn: lh_measure in the background, so that a signal to this shell
# is handled at once: the INT and TERM traps set here stop it (its own
# trap then stops ocop, Lighthouse and Chromium). Sets LH_RC. The traps
# are bench.sh's again afterwards.
lh_spawn() {
    LH_SUB=
    trap 'lh_kill_sub; exit 130' INT
    trap 'lh_kill_sub; exit 143' TERM
    lh_measure &
    LH_SUB=$!
    LH_RC=0
    wait "$LH_SUB" || LH_RC=$?
    LH_SUB=
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

lh_kill_sub() {
    [ -n "${LH_SUB:-}" ] || return 0
    kill -TERM "$LH_SUB" 2>/dev/null || true
    wait "$LH_SUB" 2>/dev/null || true
    LH_SUB=
}

# lh_get KEY: a value of the summary.
lh_get() { sed -n "s/^$1=//p" "$LHT/summary"; }

lh_init() {
    LH_DIR=$ROOT/tests/bench
    LH_CHROME=${CHROME_PATH:-/usr/bin/chromium}
    LH_RUNS=${BENCH_LH_RUNS:-3}
    LH_RUN_TIMEOUT_S=${BENCH_LH_RUN_TIMEOUT:-60}
    LH_RUN_PID=
    LH_CHROME_PID=
    LH_OCOP_PID=
}

# lh_print: the numbers, for a terminal.
lh_print() {
    printf 'POS first load (Lighthouse %s, %s, %s throttling, %s runs, median)\n' \
        "$(lh_get version)" "$(lh_get profile)" "$(lh_get method)" "$(lh_get runs)"
    printf '  first contentful paint   %6s ms   (%s)\n' "$(lh_get fcp)" "$(lh_get fcp_all)"
    printf '  largest contentful paint %6s ms   (%s)\n' "$(lh_get lcp)" "$(lh_get lcp_all)"
    printf '  time to interactive      %6s ms   (%s)\n' "$(lh_get tti)" "$(lh_get tti_all)"
    printf '  total blocking time      %6s ms   (%s)\n' "$(lh_get tbt)" "$(lh_get tbt_all)"
    printf '  speed index              %6s ms   (%s)\n' "$(lh_get si)" "$(lh_get si_all)"
    printf '  total byte weight        %6s B    (%s)\n' "$(lh_get bytes)" "$(lh_get bytes_all)"
    printf '  requests %s, performance score %s, LCP element %s\n' \
        "$(lh_get requests)" "$(lh_get score)" "$(lh_get lcp_element)"
    printf '  %s s in all\n' "$(lh_get elapsed)"
}

# lh_markdown: the section of docs/performance.md.
lh_markdown() {
    kb=$(awk -v b="$(lh_get bytes)" 'BEGIN { printf "%.1f", b / 1024 }')
    echo
    echo "## POS first load (Lighthouse)"
    echo
    echo "Measured by \`tests/bench/pos_lighthouse.sh\` (sourced by \`tests/bench/bench.sh\`) in"
    echo "the same run: Lighthouse $(lh_get version) (npm, pinned in \`tests/bench/package.json\`) on"
    echo "Chromium $(lh_get chromium), headless, a fresh profile each run, against \`ocop serve\` on"
    echo "127.0.0.1 with a fresh database (\`ocop sample --fair\`) and a booth device key."
    echo "The page is the link the office gives a new tablet, \`/ban-hang/#key=…\`: a fresh"
    echo "device opens the app shell, registers with the key, fetches its booth and the"
    echo "stock, and shows the PIN screen, ready to sign in (each run checks that the"
    echo "device and stock requests were answered 200)."
    echo "Throttling: \`--throttling-method=$(lh_get method)\`, Lighthouse's default $(lh_get form) profile"
    echo "\"Slow 4G\" (\`$(lh_get profile)\`: $(lh_get rtt) ms RTT, $(lh_get kbps) kbit/s, CPU slowdown"
    echo "$(lh_get cpu)x; screen $(lh_get screen)); \`--only-categories=performance\`. $(lh_get runs) runs;"
    echo "the median of each metric, then each run's value."
    echo
    echo "| metric | median | runs |"
    echo "| --- | ---: | --- |"
    echo "| first contentful paint, ms | $(lh_get fcp) | $(lh_get fcp_all) |"
    echo "| largest contentful paint, ms | $(lh_get lcp) | $(lh_get lcp_all) |"
    echo "| time to interactive (\`interactive\`), ms | $(lh_get tti) | $(lh_get tti_all) |"
    echo "| total blocking time, ms | $(lh_get tbt) | $(lh_get tbt_all) |"
    echo "| speed index, ms | $(lh_get si) | $(lh_get si_all) |"
    echo "| total byte weight, bytes | $(lh_get bytes) ($kb KiB) | $(lh_get bytes_all) |"
    echo "| requests | $(lh_get requests) | $(lh_get requests_all) |"
    echo "| performance score | $(lh_get score) | $(lh_get score_all) |"
    echo
    echo "- The byte weight is what crossed the wire (compressed), the API answers included."
    echo "- Largest contentful paint element (median run): $(lh_get lcp_element | sed 's/|/\\|/g')."
    echo "- Simulated throttling scales the CPU time observed on this machine by the"
    echo "  slowdown; Lighthouse's benchmark index here was $(lh_get benchmark_index) (load average"
    echo "  $LH_LOAD_BEFORE before, $LH_LOAD_AFTER after this section; $(nproc) CPUs)."
}

# pos_lighthouse_section: bench.sh's section; appends to $OUT.
pos_lighthouse_section() {
    lh_init
    LHT=$T/lighthouse
    mkdir -p "$LHT"
    LH_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    say "pos lighthouse: $LH_RUNS Lighthouse runs of the POS app's first load"
    lh_spawn
    if [ "$LH_RC" -ne 0 ]; then
        why=$(cat "$LHT/fail" 2>/dev/null || echo "see the messages above")
        {
            echo
            echo "## POS first load (Lighthouse)"
            echo
            echo "Not measured: $why."
        } >>"$OUT"
        die "pos lighthouse: $why"
    fi
    LH_LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
    lh_print >&2
    lh_markdown >>"$OUT"
    say "pos lighthouse: appended to $OUT"
}

# Standalone: sh tests/bench/pos_lighthouse.sh
case $0 in
*pos_lighthouse.sh)
    set -eu
    ROOT=$(cd "$(dirname "$0")/../.." && pwd)
    cd "$ROOT"
    [ -x ./ocop ] || {
        echo "pos_lighthouse.sh: ./ocop is not built (make ocop)" >&2
        exit 1
    }
    lh_init
    LHT=$(mktemp -d "${TMPDIR:-/tmp}/ocop-lighthouse.XXXXXX")
    trap 'if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $LHT" >&2; else rm -rf "$LHT"; fi' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    LH_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    lh_spawn
    [ "$LH_RC" -eq 0 ] || exit 1
    LH_LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
    lh_print
    if [ -n "${BENCH_KEEP:-}" ]; then
        lh_markdown >"$LHT/performance-section.md"
    fi
    ;;
esac
