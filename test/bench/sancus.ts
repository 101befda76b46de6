// Benchmark: SPONGENT permutations/s, MAC bytes/s and a module-key derivation over a few KiB of text, for the
// hardware-model API (what the emulator calls) and the library path. Run: npx tsx test/bench/sancus.ts
// No reference implementation is available in JS to compare with; the emulated core itself is the yardstick:
// at 93 cycles per 16-bit call the hardware MACs 2 bytes / 93 cycles (≈ 430 kB/s at 20 MHz).
import { deriveModuleKey } from '../../toolchain/sancus/keys.ts';
import { permuteWords } from '../../toolchain/sancus/spongent.ts';
import { libraryMac } from '../../toolchain/sancus/spongewrap-library.ts';
import { mac } from '../../toolchain/sancus/spongewrap.ts';

function rate(run: () => number, minMs = 400): number {
  run(); // warm-up
  let units = 0;
  const t0 = performance.now();
  let dt = 0;
  do {
    units += run();
    dt = performance.now() - t0;
  } while (dt < minMs);
  return units / (dt / 1000);
}

const w = new Uint32Array(6);
const perms = rate(() => {
  for (let i = 0; i < 1000; i++) permuteWords(w);
  return 1000;
});
const key = Uint8Array.from({ length: 8 }, (_, i) => i * 17);
const msg4k = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff);
const macHw = rate(() => (mac(key, msg4k), msg4k.length));
const macLib = rate(() => (libraryMac(key, msg4k), msg4k.length));
const macSmall = rate(() => (mac(key, msg4k.subarray(0, 16)), 1));
const text = msg4k;
const layout = { textStart: 0x8000, textEnd: 0x8000 + text.length, dataStart: 0x0300, dataEnd: 0x0400 };
const t0 = performance.now();
const N = 20;
for (let i = 0; i < N; i++) deriveModuleKey(key, 0x1234, text, layout);
const keyMs = (performance.now() - t0) / N;
const hwBytesPerS = (2 / 93) * 20e6;

const rows: [string, string][] = [
  ['SPONGENT-176 permutations/s', perms.toFixed(0)],
  ['MAC 4 KiB, hardware model, bytes/s', macHw.toFixed(0)],
  ['MAC 4 KiB, library, bytes/s', macLib.toFixed(0)],
  ['MAC 16 B, hardware model, MACs/s', macSmall.toFixed(0)],
  ['module key, 4 KiB text (node→vendor→module), ms', keyMs.toFixed(2)],
  ['Sancus core at 20 MHz, MAC bytes/s (2 B / 93 cycles)', hwBytesPerS.toFixed(0)],
  ['ours / core at 20 MHz (hardware-model MAC)', (macHw / hwBytesPerS).toFixed(2) + '×'],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'measure'.padEnd(width)}  value`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
