#!/bin/sh
# run.sh: `make run`: the showcase on http://127.0.0.1:8080, with the demo
# marketplaces. The mock marketplaces (build/mockmkt, for demos and tests
# only) listen on 127.0.0.1:8090; one demo shop per marketplace sells the
# first booth of a sample fair, so a product appears "on Shopee" and its
# stock changes there after a booth sale. OCOP_DEMO=off serves without them.
set -eu
cd "$(dirname "$0")/.."
mkdir -p var
if [ "${OCOP_DEMO:-on}" = off ]; then
    exec ./ocop serve "$@"
fi
MOCK_PORT=${OCOP_MOCK_PORT:-8090}
build/mockmkt --port "$MOCK_PORT" --quiet >var/mockmkt.out 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT INT TERM
# the demo listings' photos: the catalog's group illustrations, rendered
mkdir -p var/demo
for f in catalog/media/group-*-a.svg; do
    out=var/demo/$(basename "$f" .svg).png
    [ -f "$out" ] || rsvg-convert -w 1200 -h 1200 -a -b white "$f" -o "$out"
done
for i in 1 2 3 4 5 6 7 8 9 10; do
    grep -q listening var/mockmkt.out 2>/dev/null && break
    sleep 0.2
done
./ocop sync demo --mock "http://127.0.0.1:$MOCK_PORT" --photos var/demo
echo "ocop: demo marketplaces on http://127.0.0.1:$MOCK_PORT/_mock/"
echo "ocop: booth accounts (POS at /ban-hang/) in var/demo-fair.json"
# orders placed on the mock come back within seconds in a demo
OCOP_SYNC_ORDERS_EVERY_S=${OCOP_SYNC_ORDERS_EVERY_S:-5} ./ocop serve "$@"
