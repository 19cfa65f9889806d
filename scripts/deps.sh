#!/bin/sh
# deps.sh: installs the Debian packages the project needs, when missing.
# Run as root on Debian 12 (make run / make test call it). Build and run
# need the -dev libraries (libvips for photos); tests also need Chromium,
# Node.js, npm and the vips tool (test images and the photo benchmark);
# benchmarks need wrk and nginx.
set -eu

BUILD="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev
libcurl4-openssl-dev libcjson-dev libutf8proc-dev libqrencode-dev zlib1g-dev
libsodium-dev libvips-dev libwebp-dev libxlsxwriter-dev librsvg2-bin"
TEST="libcmocka-dev chromium nodejs npm sqlite3 curl libvips-tools sqlmap"
BENCH="wrk nginx-light"

want="$BUILD"
case "${1:-}" in
test) want="$BUILD $TEST" ;;
bench) want="$BUILD $TEST $BENCH" ;;
esac

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# A Node.js that came with the machine is fine for the tests.
case " $missing " in *" nodejs "*|*" npm "*)
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
    fi ;;
esac
[ -z "$(echo "$missing" | tr -d ' ')" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run as root, or: sudo apt-get install$missing" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
