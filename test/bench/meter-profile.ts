// Where the meter's instructions go (issue 18 "Simulation speed": find what to make cheaper before making it so).
// Run: nice -n 10 npx tsx test/bench/meter-profile.ts [SECONDS] [TOP] [--pc START-END]
//
// firmware/meter.json deployed and fed as test/bench/meter-speed.ts does (household 3 of seed 7), 30 simulated
// seconds of warm-up, then SECONDS (default 60) simulated seconds with the emulator's tracer on: every instruction
// executed is counted at its address, skipped polling loops included (a tracer turns the fast path and its exact
// skips off, so the totals are the architectural count meter-speed.ts prints; only an idle `jmp $` with interrupts
// on is still skipped, counted once — the header prints both totals, which differ only then). Each address is given to the module
// whose text holds it (else "untrusted": the runtime) and to the nearest symbol at or below it (a module's compiled
// functions have few symbols: "__sm_NAME_runtime_end" is its compiled code past its generated runtime). Prints
// instructions per simulated second by module and for the TOP (default 40) symbols; --pc START-END (hex) adds one
// line per address in that range.
import { deploySession } from '../../host/deploy/deploy.ts';
import { loadDescriptor } from '../../host/deploy/descriptor.ts';
import { householdProfile } from '../../host/meter/household.ts';
import type { Ade7953 } from '../../toolchain/emulator/peripherals/ade7953.ts';
import { seededBytes } from '../sancus/vectors.ts';

const args = process.argv.slice(2);
const pcAt = args.indexOf('--pc');
const range = pcAt >= 0 ? args.splice(pcAt, 2)[1]!.split('-').map((x) => parseInt(x, 16)) : undefined;
const seconds = Number(args[0] ?? 60);
const top = Number(args[1] ?? 40);

const { session } = await deploySession(loadDescriptor('firmware/meter.json'), { random: seededBytes(7) });
const node = [...session.nodes.values()].find((n) => n.firmware)!.firmware!;
const m = node.machine;
(m.deviceByName.get('metrology') as Ade7953).setProfile(householdProfile(3, 7), m.cycle);
const hz = node.board.cpu.clock_hz;
const run = (s: number) => {
  for (let i = 0; i < s; i++) {
    node.advance(hz);
    node.takeFrames();
  }
};
run(30);
const counts = new Float64Array(0x8000); // per instruction word
m.tracer = (pc) => void counts[pc >> 1]++;
const i0 = m.instructions;
run(seconds);
m.tracer = undefined;
const total = m.instructions - i0;
const traced = counts.reduce((a, c) => a + c, 0);
await session.close();

const symbols = [...node.symbols].sort((a, b) => a[1] - b[1]);
const symbolAt = (pc: number): string => {
  let lo = 0, hi = symbols.length - 1, best = '?';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid]![1] <= pc) (best = symbols[mid]![0]), (lo = mid + 1);
    else hi = mid - 1;
  }
  return best;
};
const texts = symbols.filter(([n]) => /^__sm_.+_text_start$/.test(n)).map(([n, start]) => {
  const name = n.slice('__sm_'.length, -'_text_start'.length);
  return { name, start, end: node.symbols.get(`__sm_${name}_text_end`)! };
});
const byModule = new Map<string, number>();
const bySymbol = new Map<string, number>();
const add = (map: Map<string, number>, k: string, v: number) => map.set(k, (map.get(k) ?? 0) + v);
for (let w = 0; w < counts.length; w++) {
  const c = counts[w]!;
  if (c === 0) continue;
  const pc = w * 2;
  add(byModule, texts.find((t) => pc >= t.start && pc < t.end)?.name ?? 'untrusted', c);
  add(bySymbol, symbolAt(pc), c);
}
const perSec = (x: number) => (x / seconds).toFixed(1);
const table = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n| ${title} | instructions per simulated s | share |\n|---|---|---|`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`| ${k} | ${perSec(v)} | ${((100 * v) / total).toFixed(1)} % |`);
};
console.log(`meter (firmware/meter.json, household 3 seed 7): ${seconds} simulated s traced, ${perSec(total)} instructions per simulated s (${perSec(traced)} traced)`);
table('module', byModule, Infinity);
table('symbol', bySymbol, top);
if (range) {
  console.log('\n| address | symbol | per simulated s |\n|---|---|---|');
  for (let pc = range[0]!; pc < range[1]!; pc += 2) if (counts[pc >> 1]) console.log(`| ${pc.toString(16)} | ${symbolAt(pc)} | ${perSec(counts[pc >> 1]!)} |`);
}
