#!/usr/bin/env bash
# make demo: the main job on the embedded default board (boards/emulated.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "make demo: the emulator has not landed yet; the demo arrives with it (issue: Emulator)." >&2
exit 1
