#!/usr/bin/env bash
# make demo: the main job on the embedded default board (boards/emulated.json): assemble a small program, boot it on
# the emulator, show its UART output, and where the time went.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node bin/hasm.mjs as test/demo/hello.s -o "$out/hello.elf" 2>/dev/null
echo "== hasm run $out/hello.elf --board boards/emulated.json (UART output below)" >&2
# The VCD without the CPU clock (two changes per cycle): the PC, the UARTs and the GPIO ports.
node bin/hasm.mjs run "$out/hello.elf" --board boards/emulated.json --max-cycles 20000000 --vcd "$out/hello.vcd" \
  --vcd-signals pc,wan,han,p1,p2,p3,p4,p5,p6
echo "== VCD of the PC, the GPIO pins and the UART lines: $(grep -c '^#' "$out/hello.vcd") time points" >&2
