#!/usr/bin/env bash
# The meter speaks DLMS/COSEM (issue 19): the whole meter with CS security hosting the DLMS server
# (firmware/meter-dlms.json, on boards/emulated-dlms.json) runs household 3 at 100 × real time with its WAN UART on
# a loopback TCP port, and a head-end (hasm dlms, host/dlms/demo-keys.json, the hardened profile of seed Table 3.2)
# reads it over the IEC 62056-47 wrapper while it runs:
#   - the energy register 1.0.1.8.0.255 and the clock, in an HLS-GMAC association, glo-ciphered;
#   - after an hour of simulated time, the half-hourly load profile 1.0.99.1.0.255 (rows the logs module hands CS
#     security on request) and the security event log 0.0.99.98.0.255;
#   - a remote disconnect through disconnect control 0.0.96.3.10.255: the relay opens (output_state false) and the
#     off-switch event log 0.0.99.98.2.255 shows why;
# then the run is stopped (SIGINT) and reports the relay's movements. About a minute on a warm cache; the first run compiles the firmware.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
state="$(mktemp -d)"
meter=
trap '[ -n "$meter" ] && kill "$meter" 2>/dev/null; rm -rf "$state"' EXIT
echo "== 3. the meter speaks DLMS/COSEM: hasm meter run firmware/meter-dlms.json --household 3 --seed 7 --speed 100 --uart wan=tcp:$port" >&2
node bin/hasm.mjs meter run firmware/meter-dlms.json --household 3 --seed 7 --for 6h --speed 100 --uart "wan=tcp:$port" 2> "$state/run.txt" &
meter=$!
# Waits until the run's progress (a line every 10 simulated minutes) says $1, or fails when the run ended.
until_line() {
  until grep -q "$1" "$state/run.txt" 2>/dev/null; do
    kill -0 "$meter" 2>/dev/null || { cat "$state/run.txt" >&2; echo "the meter run ended early" >&2; exit 1; }
    sleep 1
  done
}
until_line 'DLMS/COSEM served'
dlms() { node bin/hasm.mjs dlms get "tcp://127.0.0.1:$port" "$@" --auth hls-gmac --state "$state/client.json"; }
echo "-- the energy register and the clock (HLS-GMAC, glo-ciphered):" >&2
dlms 1.0.1.8.0.255
dlms 0.0.1.0.0.255
until_line 'meter: 4200 s simulated'
echo "-- after 70 simulated minutes, the load profile (its rows from the metrology log):" >&2
dlms 1.0.99.1.0.255 --csv
echo "-- the security event log (CS security logged the keys the central system sent it):" >&2
dlms 0.0.99.98.0.255 --csv
echo "-- a remote disconnect (disconnect control, method 1): CS security asks, off-switch security decides and logs:" >&2
node bin/hasm.mjs dlms action "tcp://127.0.0.1:$port" 0.0.96.3.10.255 --class 70 --method 1 --value '{"type":"integer","value":0}' --auth hls-gmac --state "$state/client.json"
dlms 0.0.96.3.10.255
dlms 0.0.99.98.2.255 --csv
kill -INT "$meter"
wait "$meter"
meter=
grep -v '^meter: [0-9]* s simulated' "$state/run.txt" >&2
