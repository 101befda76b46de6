#!/usr/bin/env bash
# make demo (issue 18 item 8): the meter on the embedded default board (boards/emulated.json). Its nine protected
# modules (firmware/meter.json) are built from AssemblyScript, deployed, attested and keyed on the emulated node with
# the untrusted firmware runtime, then
#   1. an hour of a synthetic household fed to the metrology front end in virtual time: HAN frames every few
#      seconds, a half-hourly reading sealed for the central system, the logs' sizes read back through CS security;
#   2. the demo scenario (firmware/scenarios/demo.yaml, hasm scenario run): a tariff switch on the in-home display and
#      in the half-hourly reading, a remote disconnect refused when forged and obeyed when genuine, a local reconnect
#      by the button, a tamper lock — every relay movement with its cause from the off-switch log.
# The first run compiles the firmware (cached after that). About 15 s on a warm cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== 1. an hour of a household: hasm meter run firmware/meter.json --household 3 --seed 7 --for 1h" >&2
node bin/hasm.mjs meter run firmware/meter.json --household 3 --seed 7 --for 1h
echo >&2
echo "== 2. the central system, the consumer and an attacker: hasm scenario run firmware/scenarios/demo.yaml" >&2
node bin/hasm.mjs scenario run firmware/scenarios/demo.yaml
