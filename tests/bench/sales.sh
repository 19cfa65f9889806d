# sales.sh: the sales section of tests/bench/bench.sh, sourced by it after
# the report is written; it appends its own part to $OUT. It uses bench.sh's
# helpers and settings (say, die, stop, settle, parse_wrk, fmt_ms, need; T,
# HOST, OUT, DURATION, WARMUP, WRK_THREADS, WRK_CONNS) and keeps the server
# it starts in OCOP_PID, so that bench.sh's exit trap stops it.
#
# It measures sales accepted per second:
#   - ocop: `OCOP_DB_SYNCHRONOUS=full ./ocop serve` on a fresh database (the
#     seed catalog and `ocop sample --fair`), wrk with $WRK_CONNS
#     connections for $DURATION running tests/bench/sales.lua: POST
#     /api/v1/sales with a booth's API key, a new Idempotency-Key on every
#     request and the same offline sale of two lines (stock goes below zero,
#     so nothing is refused and each line also records a shortfall);
#   - a bare C loop, tests/bench/sales_bench.c: one thread making the same
#     writes with SQLite (sales, sale_lines, stock_moves, the stock_on_hand
#     upsert, stock_shortfalls), one transaction per sale, WAL and
#     synchronous=FULL, on a copy of the database taken before ocop started.
# The two take turns, in BENCH_SALES_SLICES (5) slices that add up to
# $DURATION each, so that both meet about the same load from the rest of
# the machine (on a shared machine, fsync times vary by 2x within seconds).
# The ratio ocop / loop is reported (target >= 70%). Afterwards both
# databases are counted, to show that both wrote the same rows per sale.
# About 30 s. BENCH_SALES=0 skips it.

# secs_of D: wrk's duration (10s, 1m, 30) in seconds.
secs_of() {
    case "$1" in
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *) echo "$1" ;;
    esac
}

nonce() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }

# sales_setup: the program, the database, a booth, its key and the sale.
sales_setup() {
    need cc
    need pkg-config
    SB="$T/sales_bench"
    # shellcheck disable=SC2046 # pkg-config's words
    cc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror $(pkg-config --cflags sqlite3) \
        -o "$SB" tests/bench/sales_bench.c $(pkg-config --libs sqlite3) 2>"$T/sales-cc.err" ||
        {
            cat "$T/sales-cc.err" >&2
            die "sales: cannot build tests/bench/sales_bench.c"
        }
    SDB="$T/sales.db"
    ./ocop sample --fair --db "$SDB" >"$T/fair.json" 2>"$T/fair.err" ||
        die "sales: ocop sample --fair failed: $(tail -n 1 "$T/fair.err")"
    BOOTH=$(sed -n 's/.*"booths":\[{"id":\([0-9]*\).*/\1/p' "$T/fair.json")
    [ -n "$BOOTH" ] || die "sales: ocop sample --fair printed no booth"
    SKEY=$(./ocop apikey create --role booth --booth "$BOOTH" --name bench-sales \
        --db "$SDB" 2>/dev/null) || die "sales: ocop apikey create failed"
    "$SB" body "$SDB" "$BOOTH" >"$T/sale.body" || die "sales: no sale to make"
    SALES_BODY=$(sed -n 1p "$T/sale.body")
    SALE_LINES=$(sed -n 2p "$T/sale.body")
    # The loop's database: the same one ocop starts with.
    cp "$SDB" "$T/sales-loop.db"
    if [ -e "$SDB-wal" ]; then cp "$SDB-wal" "$T/sales-loop.db-wal"; fi
    SYNC_CONF=$(OCOP_DB_SYNCHRONOUS=full ./ocop --print-config 2>/dev/null |
        sed -n 's/^db\.synchronous = \([a-z]*\).*/\1/p')
    [ "$SYNC_CONF" = full ] || die "sales: OCOP_DB_SYNCHRONOUS=full is not taken ($SYNC_CONF)"
}

sales_start() {
    OCOP_DB_SYNCHRONOUS=full ./ocop serve --listen "$HOST:0" --db "$SDB" \
        >"$T/ocop3.out" 2>"$T/ocop3.err" &
    OCOP_PID=$!
    i=0
    until grep -q "serving http://$HOST:" "$T/ocop3.out" 2>/dev/null; do
        kill -0 "$OCOP_PID" 2>/dev/null || die "ocop (sales) exited: $(cat "$T/ocop3.err")"
        i=$((i + 1))
        [ "$i" -lt 500 ] || die "ocop (sales) did not start"
        sleep 0.02
    done
    PORT3=$(sed -n "s|.*serving http://$HOST:\([0-9]*\)/.*|\1|p" "$T/ocop3.out")
    THREADS3=$(sed -n 's/.*(\(.*\)).*/\1/p' "$T/ocop3.out")
    BASE3="http://$HOST:$PORT3"
    # One sale by hand: the body is valid and answered 201.
    code=$(curl -sS -o "$T/sale1.json" -w '%{http_code}' --max-time 10 \
        -H "Authorization: Bearer $SKEY" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: $(nonce)-0000-4000-8000-000000000000" \
        --data-binary "$SALES_BODY" "$BASE3/api/v1/sales") || code=000
    [ "$code" = 201 ] || die "sales: a first sale answered $code: $(head -c 300 "$T/sale1.json")"
}

# sales_wrk DURATION [WRK_OPTION...]: wrk with sales.lua, a fresh nonce.
sales_wrk() {
    d=$1
    shift
    SALES_KEY=$SKEY SALES_BODY=$SALES_BODY SALES_NONCE=$(nonce) \
        timeout 120 wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$d" "$@" \
        -s tests/bench/sales.lua "$BASE3"
}

# sales_loop N: one slice of the loop; leaves "sales N seconds S per_s R".
sales_loop() {
    # shellcheck disable=SC2086 # SALE_LINES is one word per line
    timeout 120 "$SB" loop "$T/sales-loop.db" "$SLICE_S" "$BOOTH" $SALE_LINES \
        >"$T/loop$1.res" 2>"$T/loop$1.err" || {
        cat "$T/loop$1.err" >&2
        die "sales: the bare loop failed"
    }
}

# sales_slice N: a slice of the loop, then a slice of wrk against ocop.
sales_slice() {
    sales_loop "$1"
    sales_wrk "${SLICE_S}s" --latency >"$T/sales$1.wrk" 2>&1 || {
        cat "$T/sales$1.wrk" >&2
        die "sales: wrk failed"
    }
    parse_wrk "$T/sales$1.wrk" >"$T/sales$1.res" || {
        cat "$T/sales$1.wrk" >&2
        die "sales: cannot parse wrk output"
    }
    settle "$OCOP_PID" >/dev/null
    read -r rps _ p99 bad _ <"$T/sales$1.res"
    say "sales: slice $1: loop $(awk '{ print $6 }' "$T/loop$1.res") sales/s; ocop $rps sales/s ($bad non-2xx), p99 $(fmt_ms "$p99") ms"
}

sales_section() {
    S_T0=$(date +%s)
    S_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    SLICES=${BENCH_SALES_SLICES:-5}
    SLICE_S=$(awk -v s="$(secs_of "$DURATION")" -v n="$SLICES" \
        'BEGIN { v = int(s / n); print (v < 1) ? 1 : v }')
    say "sales: building tests/bench/sales_bench.c, a database with a sample fair"
    sales_setup
    sales_start
    say "sales: ocop pid $OCOP_PID on port $PORT3 ($THREADS3), db.synchronous=$SYNC_CONF; booth $BOOTH; lines $SALE_LINES"
    sales_wrk "$WARMUP" >/dev/null 2>&1 || die "sales: wrk warm-up failed"
    settle "$OCOP_PID" >/dev/null
    say "sales: $SLICES slices of $SLICE_S s: the bare loop, then wrk with $WRK_CONNS connections"
    s_slice=1 # not n: settle uses n
    while [ "$s_slice" -le "$SLICES" ]; do
        sales_slice "$s_slice"
        s_slice=$((s_slice + 1))
    done
    kill -0 "$OCOP_PID" 2>/dev/null || die "ocop (sales) died during the run"
    stop "$OCOP_PID"
    OCOP_PID=""
    "$SB" rows "$SDB" >"$T/rows-ocop" || die "sales: cannot count ocop's rows"
    "$SB" rows "$T/sales-loop.db" >"$T/rows-loop" || die "sales: cannot count the loop's rows"
    sales_report
}

# per_sale FILE: "lines/sale moves/sale shortfalls/sale" of a rows file.
per_sale() {
    awk '{ if ($2 > 0) printf "%.2f / %.2f / %.2f", $4 / $2, $6 / $2, $8 / $2 }' "$1"
}

# sales_sums: over the slices, "ok_sales seconds non2xx sockerr answered
# p50_median p99_max" for ocop and "sales seconds" for the loop.
sales_sums() {
    for f in "$T"/sales[0-9]*.res; do cat "$f"; done | sort -k2,2n | awk '
        { t += ($1 > 0) ? $6 / $1 : 0; ok += $6 - $4; bad += $4; sock += $5; n += $6
          p50[NR] = $2; if ($3 > p99) p99 = $3 }
        END { printf "%d %.2f %d %d %d %.3f %.3f\n", ok, t, bad, sock, n,
              p50[int((NR + 1) / 2)], p99 }' >"$T/sales.sum"
    for f in "$T"/loop[0-9]*.res; do cat "$f"; done |
        awk '{ n += $2; t += $4 } END { printf "%d %.2f\n", n, t }' >"$T/loop.sum"
}

sales_report() {
    sales_sums
    read -r S_N S_SEC S_BAD S_SOCK S_REQS S_P50 S_P99 <"$T/sales.sum"
    read -r L_N L_SEC <"$T/loop.sum"
    S_OK=$(awk -v n="$S_N" -v s="$S_SEC" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
    L_RATE=$(awk -v n="$L_N" -v s="$L_SEC" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
    S_RATIO=$(awk -v a="$S_OK" -v b="$L_RATE" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }')
    if awk -v r="$S_RATIO" 'BEGIN { exit !(r >= 70) }'; then V_SALES=PASS; else V_SALES=MISS; fi
    read -r _ O_SALES _ _ _ _ _ _ <"$T/rows-ocop"
    S_LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
    O_PER=$(per_sale "$T/rows-ocop")
    L_PER=$(per_sale "$T/rows-loop")
    S_SLICES=$(for f in "$T"/sales[0-9]*.res; do awk '{ printf "%s ", $1 }' "$f"; done | sed 's/ $//; s/ /, /g')
    L_SLICES=$(for f in "$T"/loop[0-9]*.res; do awk '{ printf "%s ", $6 }' "$f"; done | sed 's/ $//; s/ /, /g')

    echo "sales:   ocop $S_OK sales/s accepted ($WRK_CONNS connections, synchronous=FULL, p50 $(fmt_ms "$S_P50") ms, p99 $(fmt_ms "$S_P99") ms, $S_BAD non-2xx, $S_SOCK socket errors) = $S_RATIO% of a bare C loop's $L_RATE sales/s (target >= 70%)  $V_SALES"
    echo "sales:   per slice: ocop $S_SLICES; loop $L_SLICES sales/s; rows per sale (lines / moves / shortfalls): ocop $O_PER, loop $L_PER; load average $S_LOAD_BEFORE before, $S_LOAD_AFTER after"
    sales_markdown >>"$OUT"
    say "sales: appended to $OUT; the section took $(($(date +%s) - S_T0)) s"
}

sales_markdown() {
    echo
    echo "## Sales with synchronous=FULL"
    echo
    echo "Measured by the sales section of \`tests/bench/bench.sh\` (\`tests/bench/sales.sh\`)"
    echo "in the same run, on a fresh database: the seed catalog and \`ocop sample --fair\`,"
    echo "booth $BOOTH. Each sale is the same offline sale of two lines (\`$SALE_LINES\`),"
    echo "so stock goes below zero and nothing is refused; each line also records a"
    echo "shortfall."
    echo
    echo "- ocop: \`OCOP_DB_SYNCHRONOUS=full ./ocop serve\` ($THREADS3), after a $WARMUP"
    echo "  warm-up: \`wrk -t$WRK_THREADS -c$WRK_CONNS -d${SLICE_S}s --latency -s tests/bench/sales.lua\`,"
    echo "  POST /api/v1/sales with the booth's API key and a new Idempotency-Key each time."
    echo "- bare loop: \`tests/bench/sales_bench.c\`, one thread, the same writes with SQLite"
    echo "  (sales, sale_lines, stock_moves, the stock_on_hand upsert, stock_shortfalls) in"
    echo "  one \`BEGIN IMMEDIATE\` transaction per sale, WAL, synchronous=FULL, on a copy of"
    echo "  the database taken before ocop started; no reads, no HTTP, no JSON."
    echo "- The two took turns, $SLICES slices of $SLICE_S s each (the loop, then wrk; the next"
    echo "  slice once ocop was idle), so that both met about the same load from the rest"
    echo "  of the machine. Sales/s per slice: ocop $S_SLICES; loop $L_SLICES."
    echo
    echo "| | sales/s | p50 ms | p99 ms | sales | seconds | non-2xx | socket errors |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    echo "| ocop, $WRK_CONNS connections | $S_OK | $(fmt_ms "$S_P50") | $(fmt_ms "$S_P99") | $S_N of $S_REQS answered 201 ($O_SALES in the database, with the warm-up) | $S_SEC | $S_BAD | $S_SOCK |"
    echo "| bare C loop, 1 thread | $L_RATE | - | - | $L_N | $L_SEC | - | - |"
    echo
    echo "p50: the median slice's; p99: the worst slice's."
    echo
    echo "| target | measured | verdict |"
    echo "| --- | --- | --- |"
    echo "| ocop >= 70% of the bare loop's sales/s (synchronous=FULL) | $S_RATIO% ($S_OK vs $L_RATE sales/s) | $V_SALES |"
    echo
    echo "Rows written per sale (sale_lines / sale moves / shortfalls): ocop $O_PER,"
    echo "bare loop $L_PER. Load average: $S_LOAD_BEFORE before this section,"
    echo "$S_LOAD_AFTER after ($(nproc) CPUs, shared by wrk, ocop and the loop)."
}
