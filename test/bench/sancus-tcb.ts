// Sancus TCB size and instruction costs. Run: npx tsx test/bench/sancus-tcb.ts
// 1. Bytes of each example module's text and data: the entry stub and the runtime (attest/set_key/handle_input/
//    output) are the software TCB every module carries; the seed's Table 4.1 reports 8.4 KiB of TCB binaries for
//    its four modules (application code + compiler-generated stubs).
// 2. Each Sancus instruction's cycle formula (toolchain/sancus/cycles.md) and its cost measured on the emulator for
//    these modules; the protocol steps' costs (attestation, set_key, an event end to end).
// 3. Emulator speed with no module enabled (fast path) vs a module enabled (checked bus and fetch).
import { loadBoard } from '../../boards/board.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { EventManager } from '../../host/deploy/event-manager.ts';
import { METER, RELAY } from '../../host/deploy/examples/modules.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { setKeyRequest } from '../../host/deploy/protocol.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { link } from '../../toolchain/link/link.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import {
  DEFAULT_NODE_KEY, deriveVendorKey, disableCycles, enableCycles, ID_CYCLES, rangeWords, unwrapCycles, verifyCycles, wrapCycles,
} from '../../toolchain/sancus/index.ts';
import { expectedModuleKey } from '../../toolchain/sancus/module/package.ts';
import { COUNTER_BYTES } from '../../toolchain/sancus/module/runtime.ts';

const board = loadBoard('emulated');
const built = buildNodeImage(board, [METER, RELAY]);
const node = new EmulatedNode('bench', board, built.image, built.modules);

console.log('## TCB bytes per module (text = stub + runtime + module code; data = stub vars + runtime buffers + globals + stack)\n');
console.log('| module | stub | runtime | module code | text total | data total (stack) |');
console.log('|---|---:|---:|---:|---:|---:|');
let tcbStub = 0;
let tcbRuntime = 0;
for (const m of built.modules) {
  const s = m.symbols;
  const p = `__sm_${m.name}_`;
  const stub = s[p + 'stub_end']! - m.layout.textStart;
  const runtime = s[p + 'runtime_end']! - s[p + 'stub_end']!;
  const code = m.layout.textEnd - s[p + 'runtime_end']!;
  const stack = s[p + 'stack_top']! - s[p + 'stack']!;
  tcbStub += stub;
  tcbRuntime += runtime;
  console.log(`| ${m.name} | ${stub} | ${runtime} | ${code} | ${m.layout.textEnd - m.layout.textStart} | ${m.layout.dataEnd - m.layout.dataStart} (${stack}) |`);
}
console.log(`\nstub + runtime over both modules: ${tcbStub + tcbRuntime} bytes (${tcbStub} stub, ${tcbRuntime} runtime); seed Table 4.1: 8.4 KiB TCB binaries for four modules.\n`);

// Instruction costs on these modules.
const t = (name: string) => {
  const l = built.modules.find((m) => m.name === name)!.layout;
  return { t: rangeWords(l.textStart, l.textEnd), d: rangeWords(l.dataStart, l.dataEnd) };
};
const mt = t('meter');
const c0 = node.machine.cycle;
node.enable('meter');
const enableMeasured = node.machine.cycle - c0;
node.enable('relay');
console.log('## Sancus instructions: E_SPM cycles (+1 E_EXEC) — formulas from toolchain/sancus/cycles.md\n');
console.log('| word | instruction | cycles (E_EXEC + E_SPM) | example |');
console.log('|---|---|---|---|');
console.log(`| 0x1380 | disable | 1 + 7 + max(t,1) + max(d,1) | meter: ${1 + disableCycles(mt.t, mt.d)} |`);
console.log(`| 0x1381 | enable (plain) | 1 + 93·(21+t) − 4 | meter (t = ${mt.t}): ${1 + enableCycles(mt.t)}; measured loader call incl. call/ret: ${enableMeasured} |`);
console.log(`| 0x1381 | enable (confidential, tag ok / bad) | 1 + 93·(29+2t) − 4 / 1 + 93·(17+t) − 1 | meter: ${1 + enableCycles(mt.t, 'ok')} / ${1 + enableCycles(mt.t, 'bad')} |`);
console.log(`| 0x1382 | verify address | 1 + 93·(13+t) − 92 | meter: ${1 + verifyCycles(mt.t)} |`);
console.log(`| 0x1383 | verify caller | 1 + 93·(13+t) − 92 | as verify address, t of the caller |`);
console.log(`| 0x1384 | wrap (key in module / memory) | 1 + 93·(8+a+b) [+8] ; MAC (b = 0): 1 + 93·(9+a) − 2 [+8] | attestation MAC of 16 B: ${1 + wrapCycles(8, 0, false)} |`);
console.log(`| 0x1385 | unwrap | 1 + 93·(8+a+b) − 91 [+8] | 2-byte event (4-byte counter AD), key in memory: ${1 + unwrapCycles(COUNTER_BYTES / 2, 1, true)} |`);
console.log(`| 0x1386 | get id | 1 + ${ID_CYCLES} | 3 |`);
console.log(`| 0x1387 | get caller id | 1 + ${ID_CYCLES} | 3 |`);
console.log('| 0x1388 | stack guard | 1 | 1 |');
console.log('| 0x1389 | clix (atomicity-monitor builds) | — | not implemented: errors loudly when the board enables it |');
console.log('| any | refused at CHECK_SM | 1 + 2 (enable: 1 + 3) | |');

// Protocol steps.
const key = (name: string) => expectedModuleKey(built.modules.find((m) => m.name === name)!, deriveVendorKey(DEFAULT_NODE_KEY, name === 'meter' ? METER.vendorId : RELAY.vendorId));
const box = node.mailbox;
node.write(box, new Uint8Array(16));
const att = node.callEntry('meter', 0, [box, box + 16]).cycles;
const ck = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
node.write(box, setKeyRequest(key('meter'), 1, 0, 0, ck));
const sk = node.callEntry('meter', 1, [box]).cycles;
node.write(box, setKeyRequest(key('relay'), 1, 0, 0, ck));
node.callEntry('relay', 1, [box]);
const em = new EventManager();
em.routes.set(1, { node, module: 'relay' });
const send = node.callEntry('meter', 3, [1]).cycles;
const e = em.collectOne(node)!;
const c1 = node.machine.cycle;
em.deliver(e);
const recv = node.machine.cycle - c1;
console.log('\n## Protocol steps on the emulator (cycles of the entry call, stub included; 20 MHz)\n');
console.log('| step | cycles | µs |');
console.log('|---|---:|---:|');
for (const [n, c] of [['attest (16-byte challenge)', att], ['set_key', sk], ['meter_send → output event', send], ['handle_input (2-byte event)', recv]] as const) {
  console.log(`| ${n} | ${c} | ${(c / 20).toFixed(1)} |`);
}

// Emulator speed with and without protection.
const loop = `
start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
  clr r4
1: inc r4
  mov r4, &0x0300
  add &0x0300, r5
  jmp 1b
  .section .text.m, "ax"
m0: ret
m1:
`;
function speed(withModule: boolean): number {
  const img = imageFromLinked(link([assemble(loop, 'loop.s')], { board }));
  const m = new Machine(board);
  const u = attachSancus(m)!;
  m.load(img);
  if (withModule) {
    // SM_ENABLE executed from a scratch word in RAM (protecting m0's two bytes), then back to the program.
    const a = img.symbols.find((s) => s.name === 'm0')!.address;
    Object.assign(m.r, { 9: 0, 10: 0, 11: 1, 12: a, 13: a + 2, 14: 0x2000, 15: 0x2010 });
    m.bus.poke(0x2800, 0x81);
    m.bus.poke(0x2801, 0x13);
    const start = m.r[0]!;
    m.r[0] = 0x2800;
    m.step();
    m.r[0] = start;
    if (u.modules().length !== 1) throw new Error('bench: enable failed');
  }
  const c0 = m.cycle;
  const t0 = performance.now();
  const r = m.run({ maxCycles: c0 + 20_000_000 });
  return (r.cycles - c0) / ((performance.now() - t0) / 1000);
}
const plain = speed(false);
const guarded = speed(true);
console.log('\n## Emulator speed, 20 M cycles of a load/store loop\n');
console.log('| configuration | MHz emulated | ratio |');
console.log('|---|---:|---:|');
console.log(`| no module enabled (unchecked fast path) | ${(plain / 1e6).toFixed(1)} | 1.00 |`);
console.log(`| one module enabled (checked fetch and bus) | ${(guarded / 1e6).toFixed(1)} | ${(guarded / plain).toFixed(2)} |`);
