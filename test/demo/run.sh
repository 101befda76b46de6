#!/usr/bin/env bash
# make demo: the main job on the embedded default board (boards/emulated.json) — the meter. Its nine protected
# modules (firmware/meter.json) are built from AssemblyScript, deployed, attested and keyed on the emulated node with
# the untrusted firmware runtime, then an hour of a synthetic household is fed to the metrology front end in virtual
# time: HAN frames every few seconds, a half-hourly reading sealed for the central system, the logs' sizes read back
# through CS security. The first run compiles the firmware (cached after that).
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== hasm meter run firmware/meter.json --household 3 --seed 7 --for 1h" >&2
node bin/hasm.mjs meter run firmware/meter.json --household 3 --seed 7 --for 1h
