#!/bin/sh
# bench.sh: throughput and latency of ./ocop against nginx, measured with wrk.
#
# Run by `make bench` from the repository root (it cds there itself). It
# builds a database with the seed catalog and N sample products, starts
# ./ocop serve on a free loopback port (timing how long it takes to be
# ready), runs wrk against five pages, times a series of distinct, uncached
# product pages, then serves the product page as a static file from nginx
# and runs wrk against that. It prints a table and overwrites
# docs/performance.md with the measured numbers. Then two sections append
# to it: photo uploads, and sales per second with synchronous=FULL against a
# bare SQLite loop (tests/bench/sales.sh). About 130 s in all.
#
# Everything it starts (ocop, nginx, curl, a watchdog) is stopped on exit and
# the temporary directory removed. Only 127.0.0.1 is contacted.
#
# Exit status: 0 when every step ran, even when a target is missed (this is a
# benchmark, not a test); 1 when a step failed to run.
#
# Knobs for quick trials (the defaults are what docs/performance.md records):
#   BENCH_DURATION=10s  BENCH_WARMUP=2s  BENCH_PRODUCTS=10000  BENCH_COLD=50
#   BENCH_OUT=docs/performance.md  BENCH_KEEP=1 (keep the temporary directory)
#   BENCH_PHOTOS=0  BENCH_SALES=0 (skip a section)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
PRODUCTS=${BENCH_PRODUCTS:-10000}
COLD_N=${BENCH_COLD:-50}
OUT=${BENCH_OUT:-docs/performance.md}
WRK_THREADS=2
WRK_CONNS=64
HOST=127.0.0.1

# The pages measured, in report order, and their paths.
PAGES="home group_p2 product search api_list"
PRODUCT_PATH=/san-pham/mach-nha-quang-ngai-duong-mantoza
page_path() {
    case "$1" in
    home) echo / ;;
    group_p2) echo '/nhom/thuc-pham?page=2' ;;
    product) echo "$PRODUCT_PATH" ;;
    search) echo '/san-pham?q=yen+sao' ;;
    api_list) echo /api/v1/products ;;
    esac
}

OCOP_PID=""
NGINX_PID=""
DRAIN_PID=""
WATCH_PID=""
CURL_PID=""
T=""

say() { printf '%s\n' "bench: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# stop PID: SIGTERM, then SIGKILL after 5 s; only processes we started.
stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

cleanup() {
    rc=$?
    trap - EXIT INT TERM
    stop "$WATCH_PID"
    stop "$CURL_PID"
    stop "$NGINX_PID"
    stop "$OCOP_PID"
    stop "$DRAIN_PID"
    stop "${MOCK_PID:-}"
    if [ -n "$T" ] && [ -n "${BENCH_KEEP:-}" ]; then
        say "kept $T"
    elif [ -n "$T" ]; then
        rm -rf "$T"
    fi
    if [ "$rc" -ne 0 ]; then
        say "failed (exit $rc)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }
# ms_since START_NS: milliseconds elapsed, one decimal.
ms_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# rss_kb PID FIELD: a VmRSS / VmHWM line of /proc/PID/status, in kB.
rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# cpu_ticks PID: user + system clock ticks used so far.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# fmt_ms V: two decimals, or n/a for a negative (no data).
fmt_ms() { awk -v v="$1" 'BEGIN { if (v < 0) print "n/a"; else printf "%.2f\n", v }'; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found (make bench installs it)"; }

# --- preflight ---------------------------------------------------------------

[ -x ./ocop ] || die "./ocop is not built (make ocop)"
need wrk
need curl
need gzip
need timeout
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx not found (make bench installs nginx-light)"
date +%s%N | grep -q '^[0-9]*$' || die "date +%s%N is not supported here"

T=$(mktemp -d "${TMPDIR:-/tmp}/ocop-bench.XXXXXX")

# --- 1. database -------------------------------------------------------------

say "creating a database with the seed + $PRODUCTS sample products"
t0=$(now_ns)
./ocop sample --products "$PRODUCTS" --db "$T/ocop.db" >"$T/sample.log" 2>&1 ||
    {
        cat "$T/sample.log" >&2
        die "ocop sample failed"
    }
SAMPLE_MS=$(ms_since "$t0")
DB_MB=$(awk -v b="$(wc -c <"$T/ocop.db")" 'BEGIN { printf "%.1f", b / 1048576 }')
say "database ready in $SAMPLE_MS ms ($DB_MB MB)"

# --- 2. start ocop, time to ready --------------------------------------------

# start_ocop: starts ./ocop serve; sets OCOP_PID, PORT, BASE, SERVING_MS,
# READY_MS and READY_HOW. The clock starts right before ocop is started;
# ready is when a GET /healthz has been answered. ocop's stdout goes through a
# FIFO so that the "serving" line is seen the moment it is written. The curl
# that asks /healthz is started beforehand and waits for its URL on another
# FIFO (curl -K -): its own start-up, tens of ms on a busy machine, is then
# not counted as ocop's.
start_ocop() {
    rm -f "$T/ocop.fifo" "$T/curl.fifo"
    mkfifo "$T/ocop.fifo" "$T/curl.fifo"
    exec 4<>"$T/curl.fifo"
    curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 -K - \
        <"$T/curl.fifo" >"$T/ready.code" 2>"$T/ready.err" 4>&- &
    CURL_PID=$!
    sleep 0.5
    t0=$(now_ns)
    ./ocop serve --listen "$HOST:0" --db "$T/ocop.db" >"$T/ocop.fifo" 2>"$T/ocop.err" 4>&- &
    OCOP_PID=$!
    # Watchdog: a server that never says "serving" is stopped after 15 s,
    # which ends the read below with EOF.
    (
        sleep 15 &
        sp=$!
        trap 'kill $sp 2>/dev/null; exit 0' TERM
        wait $sp
        kill -TERM "$OCOP_PID" 2>/dev/null
    ) 4>&- &
    WATCH_PID=$!
    exec 3<"$T/ocop.fifo"
    PORT=""
    t1=0
    while IFS= read -r line <&3; do
        case "$line" in
        *"serving http://$HOST:"*)
            # No fork until curl has its URL: each costs ms on a busy machine.
            PORT=${line##*"http://$HOST:"}
            PORT=${PORT%%/*}
            printf 'url = "http://%s:%s/healthz"\n' "$HOST" "$PORT" >&4
            exec 4>&-
            t1=$(now_ns)
            break
            ;;
        esac
    done
    exec 4>&-
    code=""
    if wait "$CURL_PID"; then
        t2=$(now_ns)
        read -r code secs <"$T/ready.code" || code=""
    fi
    CURL_PID=""
    SERVING_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
    READY_MS=""
    if [ "$code" = 200 ]; then
        READY_MS=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
        READY_HOW=$(awk -v s="$secs" 'BEGIN { printf "first GET, which took %.1f ms", s * 1000 }')
    fi
    case "$PORT" in
    '' | *[!0-9]*) PORT="" ;;
    esac
    if [ -z "$PORT" ]; then
        cat "$T/ocop.err" >&2
        die "ocop serve did not print its serving line"
    fi
    THREADS_LINE=$(printf '%s\n' "$line" | sed -n 's/.*(\(.*\)).*/\1/p')
    BASE="http://$HOST:$PORT"
    cat <&3 >>"$T/ocop.out" &
    DRAIN_PID=$!
    exec 3<&-
    # The first GET failed: ask again until it works (curl's start-up counted).
    i=0
    while [ -z "$READY_MS" ]; do
        kill -0 "$OCOP_PID" 2>/dev/null || die "ocop exited before /healthz answered"
        if curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; then
            READY_MS=$(ms_since "$t0")
            READY_HOW="after $((i + 2)) GETs"
            break
        fi
        i=$((i + 1))
        [ "$i" -lt 1000 ] || die "/healthz never answered"
        sleep 0.002
    done
    stop "$WATCH_PID"
    WATCH_PID=""
}

# Three fresh starts, the median reported: one start on a busy machine can
# be off by a few hundred ms. The third server is the one measured below.
STARTS=""
for run in 1 2 3; do
    start_ocop
    say "start $run: ocop pid $OCOP_PID on port $PORT: serving line after $SERVING_MS ms, /healthz 200 ($READY_HOW) after $READY_MS ms"
    STARTS="$STARTS$SERVING_MS:$READY_MS
"
    [ "$run" = 3 ] && break
    stop "$OCOP_PID"
    OCOP_PID=""
    stop "$DRAIN_PID"
    stop "${MOCK_PID:-}"
    DRAIN_PID=""
done
# median of the three, by ready time: "serving ready"
MEDIAN=$(printf '%s' "$STARTS" | sort -t: -k2,2n | sed -n 2p | tr ':' ' ')
read -r SERVING_MS READY_MS <<EOF
$MEDIAN
EOF
READY_ALL=$(printf '%s' "$STARTS" | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
START_RSS_MB=$(awk -v k="$(rss_kb "$OCOP_PID" VmRSS)" 'BEGIN { printf "%.1f", k / 1024 }')

# --- 3. wrk against each page ------------------------------------------------

# parse_wrk FILE: prints "rps p50_ms p99_ms non2xx sockerr requests".
parse_wrk() {
    awk '
    function ms(v) {
        if (v ~ /us$/) return v / 1000
        if (v ~ /ms$/) return v + 0
        if (v ~ /m$/) return v * 60000
        if (v ~ /h$/) return v * 3600000
        if (v ~ /s$/) return v * 1000
        return -1
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rps = $2 + 0 }
    /requests in/ { reqs = $1 + 0 }
    /Socket errors:/ { sock = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { bad = $NF + 0 }
    END {
        if (rps == "" || p50 == "" || p99 == "") exit 1
        # wrk keeps no latency for a request that took longer than its
        # timeout (2 s); when none finished in time it prints 0: no data.
        if (reqs == 0 || p99 == 0) { p50 = -1; p99 = -1 }
        printf "%.0f %.3f %.3f %d %d %d\n", rps, p50, p99, bad, sock, reqs
    }' "$1"
}

# run_wrk NAME URL: warms up, measures, leaves the parsed line in $T/NAME.res.
run_wrk() {
    timeout 60 wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WARMUP" \
        -H 'Accept-Encoding: gzip' "$2" >/dev/null 2>&1 ||
        die "wrk warm-up against $2 failed"
    timeout 120 wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$DURATION" --latency \
        -H 'Accept-Encoding: gzip' "$2" >"$T/$1.wrk" 2>&1 ||
        {
            cat "$T/$1.wrk" >&2
            die "wrk against $2 failed"
        }
    parse_wrk "$T/$1.wrk" >"$T/$1.res" || {
        cat "$T/$1.wrk" >&2
        die "cannot parse wrk output for $2"
    }
}

# check_page NAME PATH: the page answers 200, gzip-compressed on request.
# Leaves the time of the first (uncached) request in $T/NAME.first.
check_page() {
    curl -sS -o "$T/$1.gz" -D "$T/$1.hdr" -w '%{http_code} %{time_total}\n' \
        --max-time 10 -H 'Accept-Encoding: gzip' "$BASE$2" >"$T/$1.curl" ||
        die "GET $2 failed"
    read -r code secs <"$T/$1.curl"
    [ "$code" = 200 ] || die "GET $2 answered $code, not 200"
    grep -qi '^content-encoding: *gzip' "$T/$1.hdr" ||
        die "GET $2 with Accept-Encoding: gzip was not gzip-compressed"
    awk -v s="$secs" 'BEGIN { printf "%.1f\n", s * 1000 }' >"$T/$1.first"
    GZ_BYTES=$(wc -c <"$T/$1.gz")
    PLAIN_BYTES=$(curl -fsS --max-time 10 "$BASE$2" | wc -c)
    printf '%s %s\n' "$PLAIN_BYTES" "$GZ_BYTES" >"$T/$1.size"
    grep -i '^connection:' "$T/$1.hdr" | tr -d '\r' | sed 's/^[^:]*: *//' >"$T/$1.conn" || true
}


# settle PID: waits (at most 8 s) until the process has used no CPU for two
# 100 ms samples in a row, so the requests still queued from one wrk run
# (wrk stops sending, the server goes on answering) do not land in the next.
settle() {
    quiet=0
    n=0
    a=$(cpu_ticks "$1")
    while [ "$quiet" -lt 2 ] && [ "$n" -lt 80 ]; do
        sleep 0.1
        b=$(cpu_ticks "$1")
        if [ "$b" -le "$((a + 1))" ]; then quiet=$((quiet + 1)); else quiet=0; fi
        a=$b
        n=$((n + 1))
    done
    [ "$quiet" -ge 2 ] || say "warning: pid $1 still busy 8 s after the last run"
    echo "$n" | awk '{ printf "%.1f\n", $1 / 10 }'
}

# --- 4b. nginx with the product page as a static file ------------------------

# run_nginx: serves the product page from nginx and runs wrk against it
# (results in $T/nginx.res). It runs right after ocop's product page run, so
# that both meet the same load from the rest of the machine.

# free_port_guess: a random port below the kernel's ephemeral range, where
# the many client sockets of the wrk runs cannot be in the way; start_nginx
# tries again when it is taken anyway.
free_port_guess() {
    lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    od -An -N2 -tu2 /dev/urandom | awk -v lo="$lo" '{
        if (lo > 11024) print 10000 + $1 % (lo - 10000); else print 20000 + $1 % 40000 }'
}

start_nginx() {
    NGINX_PORT=$(free_port_guess)
    cat >"$T/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $T/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/nginx-tmp/body;
    proxy_temp_path $T/nginx-tmp/proxy;
    fastcgi_temp_path $T/nginx-tmp/fastcgi;
    uwsgi_temp_path $T/nginx-tmp/uwsgi;
    scgi_temp_path $T/nginx-tmp/scgi;
    types { }
    default_type text/html;
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    gzip off;
    gzip_static on;
    gzip_vary on;
    server {
        listen $HOST:$NGINX_PORT;
        root $T/www;
$ADD_HEADERS
    }
}
EOF
    "$NGINX" -p "$T" -e "$T/nginx-error.log" -c "$T/nginx.conf" >"$T/nginx.out" 2>&1 &
    NGINX_PID=$!
    i=0
    while [ "$i" -lt 500 ]; do
        if curl -fsS -o /dev/null --max-time 2 "http://$HOST:$NGINX_PORT$PRODUCT_PATH" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$NGINX_PID" 2>/dev/null; then
            wait "$NGINX_PID" 2>/dev/null || true
            NGINX_PID=""
            return 1
        fi
        i=$((i + 1))
        sleep 0.01
    done
    stop "$NGINX_PID"
    NGINX_PID=""
    return 1
}

run_nginx() {
    # The exact bytes ocop sends for the product page, plain, and a gzip -6
    # copy for gzip_static: ocop serves every page from a cache of
    # already-compressed bytes (zlib level 6), so nginx serves
    # already-compressed bytes too.
    mkdir -p "$T/www/san-pham" "$T/nginx-tmp"
    PAGE_FILE="$T/www$PRODUCT_PATH"
    curl -fsS --max-time 10 -D "$T/product-plain.hdr" -o "$PAGE_FILE" "$BASE$PRODUCT_PATH" ||
        die "cannot fetch the product page from ocop"
    gzip -6 -n -c "$PAGE_FILE" >"$PAGE_FILE.gz"
    chmod -R a+rX "$T/www"
    chmod a+x "$T"
    touch -r "$PAGE_FILE" "$PAGE_FILE.gz"

    # The same response headers as ocop sends: both send about the same bytes.
    ADD_HEADERS=$(tr -d '\r' <"$T/product-plain.hdr" | awk -F': ' '
        tolower($1) ~ /^(content-security-policy|x-content-type-options|referrer-policy|x-frame-options|cache-control)$/ {
            v = substr($0, length($1) + 3)
            if (v ~ /["$\\{}]/) next
            printf "        add_header %s \"%s\" always;\n", $1, v
        }')

    tries=0
    until start_nginx; do
        tries=$((tries + 1))
        if [ "$tries" -ge 5 ]; then
            cat "$T/nginx.out" "$T/nginx-error.log" >&2 2>/dev/null || true
            die "nginx did not start"
        fi
        say "nginx did not start on port $NGINX_PORT, trying another port: $(tail -n 1 "$T/nginx-error.log" 2>/dev/null)"
    done
    NGX="http://$HOST:$NGINX_PORT$PRODUCT_PATH"
    # The static copy must be byte-identical to ocop's page, and compressed.
    curl -fsS --max-time 10 "$NGX" | cmp -s - "$PAGE_FILE" ||
        die "nginx does not serve the same bytes as ocop"
    curl -fsS --max-time 10 -D "$T/nginx.hdr" -o "$T/nginx.gz" -H 'Accept-Encoding: gzip' "$NGX" ||
        die "GET from nginx failed"
    grep -qi '^content-encoding: *gzip' "$T/nginx.hdr" || die "nginx did not send gzip bytes"
    say "wrk nginx (static copy of the product page, gzip_static)"
    run_wrk nginx "$NGX"
    stop "$NGINX_PID"
    NGINX_PID=""
    read -r rps p50 p99 _ <"$T/nginx.res"
    say "  nginx: $rps req/s, p50 $(fmt_ms "$p50") ms, p99 $(fmt_ms "$p99") ms"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for name in $PAGES; do
    path=$(page_path "$name")
    check_page "$name" "$path"
    say "wrk $name $path (first request $(cat "$T/$name.first") ms)"
    run_wrk "$name" "$BASE$path"
    rss_kb "$OCOP_PID" VmRSS >"$T/$name.rss"
    waited=$(settle "$OCOP_PID")
    printf '%s\n' "$waited" >"$T/$name.settle"
    read -r rps p50 p99 _ <"$T/$name.res"
    say "  $rps req/s, p50 $(fmt_ms "$p50") ms, p99 $(fmt_ms "$p99") ms; idle again after $waited s"
    if [ "$name" = product ]; then
        run_nginx
        settle "$OCOP_PID" >/dev/null
    fi
done

kill -0 "$OCOP_PID" 2>/dev/null || die "ocop died during the run"

# --- 3b. uncached product pages ----------------------------------------------

# wrk above asks one URL over and over, so after the first request ocop
# answers from its page cache. A catalog has thousands of product pages, so
# also time the render itself: COLD_N distinct product pages (from the
# sitemap) never asked before, one after the other on one connection.
curl -fsS --max-time 10 "$BASE/sitemap.xml" >"$T/sitemap.xml" || die "GET /sitemap.xml failed"
grep -o '/san-pham/[^<"]*' "$T/sitemap.xml" | grep -vxF "$PRODUCT_PATH" |
    head -n "$COLD_N" | awk -v b="$BASE" '{ printf "url = \"%s%s\"\noutput = /dev/null\n", b, $0 }' \
    >"$T/cold.cfg"
COLD_GOT=$(grep -c '^url' "$T/cold.cfg" || true)
[ "$COLD_GOT" -gt 0 ] || die "no product pages in /sitemap.xml"
say "timing $COLD_GOT uncached product pages"
# At most 30 s: a slow server gets fewer pages timed, not a longer bench.
timeout 30 curl -sS -H 'Accept-Encoding: gzip' -w '%{http_code} %{time_total}\n' -K "$T/cold.cfg" \
    >"$T/cold.times" 2>"$T/cold.err" || true
COLD_GOT=$(wc -l <"$T/cold.times")
[ "$COLD_GOT" -gt 0 ] || {
    cat "$T/cold.err" >&2
    die "no uncached product page was answered"
}
# mean p50 p90 max, and how many did not answer 200
sort -k2,2n "$T/cold.times" | awk '
    { t[NR] = $2 * 1000; s += $2 * 1000; if ($1 != 200) bad++ }
    END { printf "%.1f %.1f %.1f %.1f %d\n", s / NR, t[int((NR + 1) / 2)],
          t[int(NR * 0.9 + 0.5)], t[NR], bad }' >"$T/cold.res"
read -r COLD_MEAN COLD_P50 COLD_P90 COLD_MAX COLD_BAD <"$T/cold.res"
say "  mean $COLD_MEAN ms, p50 $COLD_P50 ms, p90 $COLD_P90 ms, max $COLD_MAX ms, $COLD_BAD not 200"
settle "$OCOP_PID" >/dev/null

# --- 4. peak RSS -------------------------------------------------------------
HWM_KB=$(rss_kb "$OCOP_PID" VmHWM)
[ -n "$HWM_KB" ] || die "cannot read VmHWM of ocop"
RSS_MB=$(awk -v k="$HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')

# Peak RSS once more, read last.
HWM_KB=$(rss_kb "$OCOP_PID" VmHWM)
RSS_MB=$(awk -v k="$HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
stop "$OCOP_PID"
OCOP_PID=""

# --- 6. report ---------------------------------------------------------------

field() { awk -v n="$2" '{ print $n }' "$T/$1.res"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= 0 && a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= 0 && a < b) }'; }
verdict() { if "$@"; then echo PASS; else echo MISS; fi; }

NGX_RPS=$(field nginx 1)
NGX_P99=$(fmt_ms "$(field nginx 3)")
PROD_RPS=$(field product 1)
PROD_P99=$(field product 3)
SEARCH_P99=$(field search 3)
RATIO=$(awk -v a="$PROD_RPS" -v b="$NGX_RPS" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }')

ERRORS=0
for n in $PAGES nginx; do
    ERRORS=$((ERRORS + $(field "$n" 4) + $(field "$n" 5)))
done
ERRORS=$((ERRORS + COLD_BAD))

if ge "$RATIO" 50 && lt "$PROD_P99" 10; then V_PROD=PASS; else V_PROD=MISS; fi
V_SEARCH=$(verdict lt "$SEARCH_P99" 5)
V_RSS=$(verdict lt "$RSS_MB" 50)
V_READY=$(verdict lt "$READY_MS" 300)
V_ERR=$(verdict test "$ERRORS" -eq 0)
PROD_P99=$(fmt_ms "$PROD_P99")
SEARCH_P99=$(fmt_ms "$SEARCH_P99")

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    COMMIT="$COMMIT (the working tree had uncommitted changes)"
fi
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
NPROC=$(nproc)
KERNEL=$(uname -r)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
WRK_V=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')
NGINX_V=$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')
read -r PROD_PLAIN PROD_GZ <"$T/product.size"
NGX_GZ=$(wc -c <"$PAGE_FILE.gz")
CONN_HDR=$(cat "$T/product.conn")
[ -n "$CONN_HDR" ] || CONN_HDR="keep-alive (no Connection header)"

# rows FORMAT: one printf per ocop page, then nginx; the fields are name,
# path, req/s, p50, p99, non-2xx/3xx, socket errors, first request ms,
# RSS after the run (MB), seconds until idle after the run.
rows() {
    for name in $PAGES; do
        read -r rps p50 p99 bad sock _ <"$T/$name.res"
        # shellcheck disable=SC2059 # the format is the caller's
        printf "$1" "$name" "$(page_path "$name")" "$rps" "$(fmt_ms "$p50")" \
            "$(fmt_ms "$p99")" "$bad" "$sock" "$(cat "$T/$name.first")" \
            "$(awk '{ printf "%.1f", $1 / 1024 }' "$T/$name.rss")" \
            "$(cat "$T/$name.settle")"
    done
    read -r rps p50 p99 bad sock _ <"$T/nginx.res"
    # shellcheck disable=SC2059
    printf "$1" nginx "$PRODUCT_PATH" "$rps" "$(fmt_ms "$p50")" \
        "$(fmt_ms "$p99")" "$bad" "$sock" - - -
}

{
    echo
    printf '%-9s %-43s %8s %8s %8s %7s %7s %8s %6s %5s\n' page path req/s p50_ms \
        p99_ms non2xx sockerr first_ms rss_MB busy_s
    rows '%-9s %-43s %8s %8s %8s %7s %7s %8s %6s %5s\n'
    echo
    echo "ready:   median of 3 starts: serving line after $SERVING_MS ms, /healthz 200 after $READY_MS ms ($READY_ALL) (target < 300 ms)  $V_READY"
    echo "RSS:     peak (VmHWM) $RSS_MB MB, $START_RSS_MB MB once ready (target < 50 MB)  $V_RSS"
    echo "product: $PROD_RPS req/s = $RATIO% of nginx's $NGX_RPS req/s; p99 $PROD_P99 ms, nginx $NGX_P99 ms (target >= 50% and p99 < 10 ms)  $V_PROD"
    echo "search:  p99 $SEARCH_P99 ms (target < 5 ms)  $V_SEARCH"
    echo "uncached product pages ($COLD_GOT distinct, one by one): mean $COLD_MEAN ms, p50 $COLD_P50 ms, p90 $COLD_P90 ms, max $COLD_MAX ms"
    echo "errors:  $ERRORS non-2xx/3xx or socket errors over all runs (target 0)  $V_ERR"
    echo "nginx:   gzip_static: a gzip -6 copy of ocop's product page, because ocop also answers from cached pre-compressed bytes"
    echo "ocop's product page came with Connection: $CONN_HDR"
    echo "load average: $LOAD_BEFORE before the runs, $LOAD_AFTER after ($NPROC CPUs)"
} >&2

mkdir -p "$(dirname "$OUT")"
{
    echo "# Performance"
    echo
    echo "Written by \`make bench\` (tests/bench/bench.sh) and overwritten on every"
    echo "run: every number here was measured by that run, none is estimated."
    echo
    echo "## Run"
    echo
    echo "| | |"
    echo "| --- | --- |"
    echo "| date | $NOW |"
    echo "| machine | $NPROC CPUs, $CPU; $MEM RAM; Linux $KERNEL |"
    echo "| load average | $LOAD_BEFORE before the runs, $LOAD_AFTER after (other work on the machine skews the numbers) |"
    echo "| ocop commit | $COMMIT |"
    echo "| ocop | $THREADS_LINE; database: the seed + $PRODUCTS sample products, $DB_MB MB, made in $SAMPLE_MS ms |"
    echo "| load generator | wrk $WRK_V on the same machine over 127.0.0.1: \`wrk -t$WRK_THREADS -c$WRK_CONNS -d$DURATION --latency -H 'Accept-Encoding: gzip' URL\`, after a $WARMUP warm-up of the same URL |"
    echo "| nginx | $NGINX_V; worker_processes auto, access_log off, keepalive_requests 1000000; the product page as a static file holding the exact bytes ocop sends, and a \`gzip -6\` copy of it served by \`gzip_static on\` (ocop answers from a cache of pre-compressed zlib level 6 bytes, so neither side compresses per request); the same security and cache headers as ocop |"
    echo "| product page | $PROD_PLAIN bytes; gzip: ocop $PROD_GZ bytes, nginx $NGX_GZ bytes |"
    echo
    echo "## Results"
    echo
    echo "| page | path | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors | first request ms | ocop RSS after, MB | busy after, s |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    # shellcheck disable=SC2016 # backquotes for Markdown
    rows '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s |\n'
    echo
    echo "- first request: the first GET of that URL after the start (curl, gzip),"
    echo "  which renders the page; every later one may come from the page cache."
    echo "- busy after: how long ocop kept using CPU after wrk stopped (requests"
    echo "  still queued); the next run starts only once it is idle. 0.2 = idle at once."
    echo "- socket errors include wrk's timeouts (2 s)."
    echo "- uncached product pages: $COLD_GOT distinct product pages from /sitemap.xml,"
    echo "  never asked before, asked one after the other on one connection (curl, gzip):"
    echo "  mean $COLD_MEAN ms, p50 $COLD_P50 ms, p90 $COLD_P90 ms, max $COLD_MAX ms;"
    echo "  $COLD_BAD did not answer 200. This is the cost of rendering a page, which"
    echo "  the single-URL wrk runs above hide behind the page cache."
    echo "- start: ocop was started three times, each a fresh process on the same"
    echo "  database; \`GET /healthz\` answered 200 after $READY_ALL ms, counted from"
    echo "  the start of the process. The median start: the \"serving\" line after"
    echo "  $SERVING_MS ms, /healthz after $READY_MS ms. The curl asking /healthz was"
    echo "  started beforehand, so its own start-up is not counted."
    echo "- RSS of ocop: $START_RSS_MB MB once ready; peak (VmHWM, over the whole run) $RSS_MB MB."
    echo "- n/a: wrk kept no latency, because no request finished within its 2 s timeout."
    echo "- ocop's product page came with \`Connection: $CONN_HDR\`."
    echo
    echo "## Targets"
    echo
    echo "| target | measured | verdict |"
    echo "| --- | --- | --- |"
    echo "| product page >= 50% of nginx req/s, with p99 < 10 ms | $RATIO% ($PROD_RPS vs $NGX_RPS req/s); p99 $PROD_P99 ms (nginx $NGX_P99 ms) | $V_PROD |"
    echo "| search p99 < 5 ms | $SEARCH_P99 ms | $V_SEARCH |"
    echo "| peak RSS < 50 MB | $RSS_MB MB ($START_RSS_MB MB once ready) | $V_RSS |"
    echo "| ready < 300 ms (median of 3 starts) | $READY_MS ms ($READY_ALL) | $V_READY |"
    echo "| no errors under load (wrk runs and uncached pages) | $ERRORS | $V_ERR |"
} >"$T/performance.md"
mv "$T/performance.md" "$OUT"
say "wrote $OUT"

# =============================================================================
# Photo uploads (issue 4). A separate section, run after the report above is
# written; it appends its own part to $OUT. It measures:
#   - upload-to-ready: POST of one 12-megapixel JPEG (4000 x 3000, made with
#     the vips tool) until the 201, when the versions exist and the product
#     shows them; and the server's own processing time from its log;
#   - the product page under wrk while photos are uploaded in a loop, against
#     the same page without uploads, both in this section.
# BENCH_PHOTOS=0 skips it; BENCH_UPLOADS sets the timed uploads (default 5).
# =============================================================================

photo_section() {
    UPLOADS=${BENCH_UPLOADS:-5}
    need vips
    say "photos: making a 4000 x 3000 JPEG with the vips tool"
    vips gaussnoise "$T/noise.v" 4000 3000 --sigma 60 >/dev/null
    vips gaussblur "$T/noise.v" "$T/blur.v" 2 >/dev/null
    vips cast "$T/blur.v" "$T/grey.v" uchar >/dev/null
    vips bandjoin "$T/grey.v $T/grey.v $T/grey.v" "$T/photo12.jpg[Q=90]" >/dev/null
    rm -f "$T/noise.v" "$T/blur.v" "$T/grey.v"
    PHOTO_KB=$(($(wc -c <"$T/photo12.jpg") / 1024))
    KEY=$(./ocop apikey create --role admin --name bench --db "$T/ocop.db" 2>/dev/null) ||
        die "ocop apikey create failed"

    ./ocop serve --listen "$HOST:0" --db "$T/ocop.db" >"$T/ocop2.out" 2>"$T/ocop2.err" &
    OCOP_PID=$!
    i=0
    until grep -q "serving http://$HOST:" "$T/ocop2.out" 2>/dev/null; do
        kill -0 "$OCOP_PID" 2>/dev/null || die "ocop (photos) exited: $(cat "$T/ocop2.err")"
        i=$((i + 1))
        [ "$i" -lt 500 ] || die "ocop (photos) did not start"
        sleep 0.02
    done
    PORT2=$(sed -n "s|.*serving http://$HOST:\([0-9]*\)/.*|\1|p" "$T/ocop2.out")
    BASE2="http://$HOST:$PORT2"

    # Products to upload to, a different one each time (30 photos at most
    # each); never the measured page's own product.
    curl -fsS --max-time 10 "$BASE2/api/v1/products?per_page=100&sort=name" |
        grep -o '"url":"/san-pham/[a-z0-9-]*"' | sed 's|.*/san-pham/||; s|"||' |
        grep -v "^${PRODUCT_PATH##*/}\$" >"$T/slugs"
    [ "$(wc -l <"$T/slugs")" -ge 20 ] || die "photos: too few products to upload to"

    # upload N SLUG: one POST; prints "status seconds".
    upload() {
        curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 120 \
            -H "Authorization: Bearer $KEY" -F "photo=@$T/photo12.jpg;type=image/jpeg" \
            "$BASE2/api/v1/products/$2/photos"
    }

    : >"$T/upload.times"
    n=1
    while [ "$n" -le "$UPLOADS" ]; do
        slug=$(sed -n "${n}p" "$T/slugs")
        upload "$n" "$slug" >>"$T/upload.times"
        n=$((n + 1))
    done
    awk '$1 != 201 { bad++ } END { exit bad > 0 }' "$T/upload.times" ||
        die "photos: an upload did not answer 201: $(cat "$T/upload.times")"
    UP_STATS=$(awk '{ print $2 * 1000 }' "$T/upload.times" | sort -n | awk '
        { v[NR] = $1; s += $1 }
        END { printf "%.0f %.0f %.0f %.0f", v[1], v[int((NR + 1) / 2)], s / NR, v[NR] }')
    PROC_STATS=$(sed -n 's/.*photo(s) processed in \([0-9]*\) ms.*/\1/p' "$T/ocop2.err" |
        sort -n | awk '{ v[NR] = $1; s += $1 }
        END { if (NR) printf "%.0f %.0f %.0f", v[1], v[int((NR + 1) / 2)], v[NR] }')
    say "photos: upload-to-ready ms min/median/mean/max $UP_STATS; processing min/median/max $PROC_STATS"

    # The product page alone, then while uploads go on back to back.
    run_wrk photo_base "$BASE2$PRODUCT_PATH"
    settle "$OCOP_PID" >/dev/null
    rm -f "$T/stop-uploads"
    : >"$T/loop.times"
    (
        k=$((UPLOADS + 1))
        while [ ! -e "$T/stop-uploads" ] && kill -0 "$OCOP_PID" 2>/dev/null &&
            [ "$k" -lt 95 ]; do
            upload "$k" "$(sed -n "${k}p" "$T/slugs")" >>"$T/loop.times" || break
            k=$((k + 1))
        done
    ) &
    LOOP_PID=$!
    sleep 1 # the first upload is being processed when wrk starts
    run_wrk photo_load "$BASE2$PRODUCT_PATH"
    : >"$T/stop-uploads"
    wait "$LOOP_PID" 2>/dev/null || true
    LOOP_N=$(awk '$1 == 201' "$T/loop.times" | wc -l)
    LOOP_BAD=$(awk '$1 != 201' "$T/loop.times" | wc -l)
    LOOP_MEAN=$(awk '$1 == 201 { s += $2; n++ } END { if (n) printf "%.0f", s * 1000 / n; else print "n/a" }' "$T/loop.times")
    stop "$OCOP_PID"
    OCOP_PID=""

    read -r B_RPS B_P50 B_P99 B_BAD B_SOCK _ <"$T/photo_base.res"
    read -r L_RPS L_P50 L_P99 L_BAD L_SOCK _ <"$T/photo_load.res"
    KEEP=$(awk -v a="$L_RPS" -v b="$B_RPS" 'BEGIN { printf "%.0f", (b > 0) ? 100 * a / b : 0 }')
    set -- $UP_STATS
    U_MIN=$1 U_MED=$2 U_MEAN=$3 U_MAX=$4
    set -- $PROC_STATS
    P_MIN=${1:-n/a} P_MED=${2:-n/a} P_MAX=${3:-n/a}
    say "photos: product page $B_RPS req/s alone, $L_RPS req/s ($KEEP%) during $LOOP_N uploads (mean $LOOP_MEAN ms each)"

    {
        echo
        echo "## Photo uploads"
        echo
        echo "Measured by the photo section of \`tests/bench/bench.sh\` in the same run, on a"
        echo "second start of ocop with the same database (and one admin API key)."
        echo "The photo: a ${PHOTO_KB} kB JPEG of 4000 x 3000 pixels made by the \`vips\` tool"
        echo "(blurred noise: harder to encode than most camera photos). Each upload is"
        echo "\`curl -F photo=@photo12.jpg\` to \`POST /api/v1/products/{slug}/photos\`, a"
        echo "different product each time; the 201 comes once the WebP and JPEG versions"
        echo "(320, 800, 1600 px) are written, the row is stored and the catalog version"
        echo "bumped. The work runs on one media thread while the request is suspended;"
        echo "MHD's ${THREADS_LINE} keep serving pages."
        echo
        echo "| measure | min | median | mean | max |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        echo "| upload-to-ready (client: send, process, store, 201), ms, $UPLOADS uploads | $U_MIN | $U_MED | $U_MEAN | $U_MAX |"
        echo "| processing on the media thread (server log), ms | $P_MIN | $P_MED | - | $P_MAX |"
        echo
        echo "| product page \`$PRODUCT_PATH\` | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: |"
        echo "| alone | $B_RPS | $(fmt_ms "$B_P50") | $(fmt_ms "$B_P99") | $B_BAD | $B_SOCK |"
        echo "| while uploading ($LOOP_N uploads of the 12 MP JPEG back to back, mean $LOOP_MEAN ms each; $LOOP_BAD refused) | $L_RPS | $(fmt_ms "$L_P50") | $(fmt_ms "$L_P99") | $L_BAD | $L_SOCK |"
        echo
        echo "During the uploads the page kept $KEEP% of its throughput. Each upload also"
        echo "bumps the catalog version, so the page is rendered again (not served from"
        echo "the page cache) once after every upload; the media thread and wrk share the"
        echo "same $(nproc) CPUs."
    } >>"$OUT"
    say "photos: appended to $OUT"
}

if [ "${BENCH_PHOTOS:-1}" != 0 ]; then
    photo_section
fi

# =============================================================================
# Sales with synchronous=FULL: sales accepted per second by ocop under 64
# connections, against a bare C loop doing the same SQLite writes, in this
# run. Defined in tests/bench/sales.sh; appends its own part to $OUT.
# BENCH_SALES=0 skips it.
# =============================================================================

. "$ROOT/tests/bench/sales.sh"
if [ "${BENCH_SALES:-1}" != 0 ]; then
    sales_section
fi

# =============================================================================
# POS first load (Lighthouse): the booth app's first load and time to
# interactive on a throttled mobile connection ("Slow 4G", simulated), the
# median of 3 Lighthouse runs against a fresh ocop. Defined in
# tests/bench/pos_lighthouse.sh; appends its own part to $OUT. 50-70 s,
# plus about 30 s for the first `npm ci` in tests/bench.
# BENCH_LIGHTHOUSE=0 skips it.
# =============================================================================

. "$ROOT/tests/bench/pos_lighthouse.sh"
if [ "${BENCH_LIGHTHOUSE:-1}" != 0 ]; then
    pos_lighthouse_section
fi

# --- marketplace sync under rate limits ------------------------------------
# Defined in tests/bench/sync.sh; appends its own part to $OUT. About 20 s.
. "$ROOT/tests/bench/sync.sh"
if [ "${BENCH_SYNC:-1}" != 0 ]; then
    sync_section
fi
