#!/bin/sh
# sqlmap.sh: sqlmap (Debian) against the sign-in form, the search and the
# producer's edit form (with a valid session). Every target must end with
# sqlmap finding no injection. Prints one line per target and ends with
# "sqlmap: N passed, N failed". Loopback only; bounded in time.
set -u
cd "$(dirname "$0")/../.."
BIN=${OCOP_BIN:-./ocop}
T=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP_LOGS:-}" ] && cp -r "$T" "$KEEP_LOGS"; rm -rf "$T"; }
trap cleanup EXIT INT TERM

printf 'correct horse battery\n' | "$BIN" user add --db "$T/ocop.db" --role producer \
    --username tuyethuong --producer tuyet-huong --password-stdin >/dev/null 2>&1
"$BIN" serve --listen 127.0.0.1:0 --db "$T/ocop.db" >"$T/out" 2>"$T/err" &
PID=$!
i=0
while ! grep -q serving "$T/out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && { echo "sqlmap: server did not start"; echo "sqlmap: 0 passed, 1 failed"; exit 1; }
    sleep 0.05
done
BASE=$(sed -n 's/.*\(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$T/out" | head -n 1)

# a real session: the sign-in form's double-submit token, then the session
curl -s -c "$T/jar" -b "$T/jar" "$BASE/dang-nhap" -o "$T/login.html"
PRE=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/login.html" | head -n 1)
curl -s -c "$T/jar" -b "$T/jar" -o /dev/null \
    --data "csrf=$PRE&username=tuyethuong&password=correct+horse+battery" "$BASE/dang-nhap"
SESSION=$(awk '$6 == "ocop_session" { print $7 }' "$T/jar")
curl -s -b "$T/jar" "$BASE/tai-khoan" -o "$T/account.html"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/account.html" | head -n 1)
PRECOOKIE=$(awk '$6 == "ocop_pre" { print $7 }' "$T/jar")

passed=0
failed=0
run() { # label, sqlmap args...
    label=$1; shift
    timeout 600 sqlmap --batch --flush-session --output-dir="$T/sqlmap" \
        --dbms=SQLite --level=2 --risk=1 --technique=BEU --threads=2 \
        --disable-coloring "$@" >"$T/$label.log" 2>&1
    if grep -qiE "identified the following injection|is vulnerable|appears to be .*injectable" "$T/$label.log" &&
        ! grep -q "do not appear to be injectable" "$T/$label.log"; then
        echo "FAIL sqlmap $label: injection found"; grep -iE "injectable|Parameter:" "$T/$label.log" | head
        failed=$((failed + 1))
    elif grep -qE "do not appear to be injectable|not injectable" "$T/$label.log"; then
        echo "ok   sqlmap $label: no injection"
        passed=$((passed + 1))
    else
        echo "FAIL sqlmap $label: sqlmap did not finish"; tail -5 "$T/$label.log"
        failed=$((failed + 1))
    fi
}

run search -u "$BASE/san-pham?q=yen+sao&sort=name&page=1&province=quang-ngai" -p "q,sort,page,province"
run api -u "$BASE/api/v1/products?q=yen&stars=3&group=thuc-pham" -p "q,stars,group"
run login -u "$BASE/dang-nhap" --data "csrf=$PRE&username=someone&password=secret" \
    --cookie "ocop_pre=$PRECOOKIE" -p "username,password" --ignore-code=401,429
run edit -u "$BASE/quan-ly/san-pham/duong-phen-tuyet-huong" \
    --data "csrf=$CSRF&name=Duong+phen&description=Mo+ta&sku=TH-1&size=500g&unit=tui&price=45000&barcode=" \
    --cookie "ocop_session=$SESSION" -p "name,description,sku,price"
echo "sqlmap: $passed passed, $failed failed"
[ $failed -eq 0 ]
