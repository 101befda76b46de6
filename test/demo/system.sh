#!/usr/bin/env bash
# The whole system (issue 21 item 7), in a couple of minutes on a quiet machine: four meters of two feeders in
# worker threads (each firmware/meter.json on its own emulated node, built, deployed, attested and keyed; households
# of the privacy generator), the central system on SQLite keying each feeder's DC security and collecting the
# half-hourly readings, the data concentrator between them (relaying what it cannot read, totalling each feeder from
# masked readings), the in-home display of m0001 on a URL, then
#   - a remote disconnect of m0004 after 10 simulated minutes (its relay opens),
#   - m0002 with 40 % of its load wired around its front end: the concentrator flags the theft on its feeder,
#   - the three evaluators settling each complete half hour on the meters' own secret shares (NAA).
# Usage: test/demo/system.sh [hasm fleet run options…]   (e.g. --for 2h, --meters 6)
set -euo pipefail
cd "$(dirname "$0")/../.."
db="$(mktemp -d)/central.sqlite"
trap 'rm -rf "$(dirname "$db")"' EXIT
echo "== the whole system: hasm fleet run --meters 4 --feeder-size 2 --for 40m --db $db …" >&2
node bin/hasm.mjs fleet run --meters 4 --feeder-size 2 --for 40m --db "$db" --seed 1 \
  --bypass m0002=0.4 --disconnect m0004@10m --settle naa --ihd m0001:${IHD_PORT:-8022} "$@"
echo >&2
echo "== what the central system stored: hasm central readings --db $db" >&2
for m in m0001 m0002 m0003 m0004; do echo "$m:"; node bin/hasm.mjs central readings "$m" --db "$db"; done
