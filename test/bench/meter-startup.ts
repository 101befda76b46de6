// The meter's start-up (issue 18 "Measured": load, protect, attest and key every module, in simulated time at
// 20 MHz, goal ≤ 0.25 s; the seed §4.6.4: "a few seconds"). Run: npx tsx test/bench/meter-startup.ts
// `hasm deploy firmware/meter.json` on the emulated node with the firmware runtime: every request travels as WAN
// frames at the board's 115,200 baud; the cycles are those the host waited from a request's first byte to its
// answer's last. Also the simulation speed of the deployed meter (instructions per simulated second, wall time).
import { deploySession } from '../../host/deploy/deploy.ts';
import { loadDescriptor } from '../../host/deploy/descriptor.ts';

const t0 = Date.now();
const { report, session } = await deploySession(loadDescriptor('firmware/meter.json'));
const deployWall = (Date.now() - t0) / 1000;
const s = report.startup[0]!;
const ms = (c: number) => ((c / s.clock_hz) * 1000).toFixed(1).padStart(8);
console.log(`start-up of '${s.node}' (${report.modules.length} modules, ${report.connections.length} connections) at ${s.clock_hz / 1e6} MHz`);
console.log('phase        cycles        ms');
for (const [k, v] of [['load', s.load_cycles], ['protect', s.protect_cycles], ['attest', s.attest_cycles], ['key', s.key_cycles], ['total', s.total_cycles]] as const) {
  console.log(`${k.padEnd(10)} ${String(v).padStart(9)} ${ms(v)}`);
}
console.log(`goal ≤ 250 ms: ${s.total_s <= 0.25 ? 'met' : 'NOT met'}   (build + deploy wall time ${deployWall.toFixed(1)} s)`);
console.log('');
console.log('module       stub runtime  code  text  data');
for (const m of report.modules) console.log(`${m.name.padEnd(11)} ${[m.tcb.stub, m.tcb.runtime, m.tcb.code, m.tcb.text, m.tcb.data].map((x) => String(x).padStart(5)).join(' ')}`);
const node = [...session.nodes.values()][0]!.firmware!;
const m = node.machine;
const i0 = m.instructions;
const w0 = Date.now();
const seconds = 20;
node.advance(seconds * s.clock_hz);
const wall = (Date.now() - w0) / 1000;
console.log('');
// The first simulated seconds after start-up run cold (V8 compiles, the emulator's blocks are not built yet): their
// wall time says nothing about a day's, which test/bench/meter-speed.ts measures; this line is not extrapolated.
console.log(`running, the first ${seconds} simulated s after start-up: ${Math.round((m.instructions - i0) / seconds)} instructions per simulated second, ${wall.toFixed(2)} s wall (cold; a day: test/bench/meter-speed.ts)`);
await session.close();
