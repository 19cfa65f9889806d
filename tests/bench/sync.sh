# sync.sh: the marketplace sync section of tests/bench/bench.sh, sourced by
# it after the report is written; it appends its own part to $OUT. It uses
# bench.sh's helpers and settings (say, die, stop, need; T, OUT, ROOT).
#
# It measures how fast listings reach the marketplaces when every shop is
# held to a rate limit, against the mock marketplaces with 100 ms latency
# on every answer:
#   - tests/bench/sync_prep.c prepares a database (sample products, a
#     mapping, weights, one real photo per product, BENCH_SYNC_SHOPS (50)
#     shops across the five marketplaces, each limited to
#     BENCH_SYNC_RATE (10) requests a second, the same number of requests
#     of work per shop: BENCH_SYNC_CALLS (160));
#   - `ocop sync run --drain` pushes everything, under /usr/bin/time for
#     its peak memory; its own count of requests and the wall time give
#     requests per second, compared with the allowed rate
#     (shops x rate; target >= 90%), and listings per second.
# The allowed rate is the ceiling: a perfect worker reaches 100%. About 40 s.
# BENCH_SYNC=0 skips it.

sync_section() {
    need cc
    local shops="${BENCH_SYNC_SHOPS:-50}" rate="${BENCH_SYNC_RATE:-10}"
    local calls="${BENCH_SYNC_CALLS:-160}" port db prep out stats
    prep="$T/sync_prep"
    db="$T/sync.db"
    say "sync: building tests/bench/sync_prep.c and the mock marketplaces"
    make -s build/rel/libocop.a build/mockmkt >/dev/null || die "sync: build failed"
    # shellcheck disable=SC2046
    cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -Iintegrations \
        $(pkg-config --cflags libcjson vips) -o "$prep" tests/bench/sync_prep.c \
        build/rel/libocop.a $(pkg-config --libs libmicrohttpd sqlite3 libcurl \
        libcjson libutf8proc libqrencode zlib libsodium vips libwebp xlsxwriter) \
        -lpthread -lm 2>"$T/sync-cc.err" || die "sync: cannot build sync_prep"
    build/mockmkt --port 0 --quiet --latency-ms 100 >"$T/mock.out" 2>&1 &
    MOCK_PID=$!
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        grep -q listening "$T/mock.out" && break
        sleep 0.2
    done
    port=$(sed -n 's/.*listening on \([0-9]*\).*/\1/p' "$T/mock.out")
    [ -n "$port" ] || die "sync: the mock did not start"
    OCOP_SECRET_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    export OCOP_SECRET_KEY
    ./ocop sample --products 10000 --db "$db" >/dev/null 2>&1 || die "sync: sample"
    local listings
    listings=$("$prep" "$db" "http://127.0.0.1:$port" "$shops" "$calls" "$rate" \
        "$T/media") || die "sync: prep failed"
    say "sync: $listings listings on $shops shops, $rate requests/s each, 100 ms latency"
    out="$T/sync-run.json"
    /usr/bin/time -f '%M %e' -o "$T/sync-time" ./ocop sync run --drain \
        --inflight 128 --orders-every 3600 --db "$db" \
        >"$out" 2>"$T/sync-run.err" ||
        die "sync: ocop sync run failed: $(tail -n 3 "$T/sync-run.err")"
    unset OCOP_SECRET_KEY
    stop "$MOCK_PID"
    local rss secs requests done_jobs
    rss=$(awk '{ print $1 }' "$T/sync-time")
    secs=$(awk '{ print $2 }' "$T/sync-time")
    requests=$(sed -n 's/.*"requests":\([0-9]*\).*/\1/p' "$out")
    done_jobs=$(sed -n 's/.*"jobs_done":\([0-9]*\).*/\1/p' "$out")
    local rps lps allowed pct verdict
    allowed=$((shops * rate))
    rps=$(awk -v r="$requests" -v s="$secs" 'BEGIN { printf "%.1f", r / s }')
    lps=$(awk -v r="$done_jobs" -v s="$secs" 'BEGIN { printf "%.1f", r / s }')
    pct=$(awk -v r="$rps" -v a="$allowed" 'BEGIN { printf "%.1f", 100 * r / a }')
    verdict=$(awk -v p="$pct" 'BEGIN { print (p >= 90 ? "PASS" : "MISS") }')
    say "sync: $requests requests in $secs s = $rps/s of $allowed allowed ($pct%, $verdict);" \
        "$lps listings/s; peak RSS $((rss / 1024)) MB"
    cat >>"$OUT" <<REPORT

## Marketplace sync under rate limits

\`ocop sync run --drain\` against the mock marketplaces (\`build/mockmkt\`,
100 ms added to every answer): $shops shops across Shopee, Lazada, TikTok
Shop, Tiki and Sendo, each held to $rate requests a second by the worker,
$listings listings (one real photo each: Shopee, Lazada and TikTok listings
take an image call then the item call; Tiki and Sendo one call), the same
number of calls per shop.

| Measure | Value |
|---|---|
| Requests sent (worker's count) | $requests |
| Wall time | $secs s |
| Requests per second | $rps |
| Allowed (shops x rate) | $allowed |
| Share of the allowed rate (target >= 90%) | $pct% ($verdict) |
| Listings created per second | $lps |
| Peak memory of the worker process (RSS) | $((rss / 1024)) MB |
REPORT
}
