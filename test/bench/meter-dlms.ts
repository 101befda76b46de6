// The meter's DLMS/COSEM server (firmware/lib/dlms with firmware/lib/crypto) measured on the emulated MSP430 at
// 20 MHz (issue 19 item 5). Run: npx tsx test/bench/meter-dlms.ts
// host/dlms's client talks to the compiled server through the byte pipe of test/firmware/dlms-meter.ts; the cycles
// are those of the server's dlms_rx calls that answer each frame (the emulator's count, not wall time). Goals: an
// HLS-GMAC association and an authenticated GET each ≤ 25 ms (500,000 cycles); ≤ 16 KiB code, ≤ 2 KiB RAM.
// Code: the functions of the linked image except the test harness's own (cfg, static_end) and the start-up code.
// Read-only tables the server reads through hasm.rom_* are in its text (flash: the ROM tail, toolchain/compiler/README.md
// "Read-only tables"); RAM is the static data the module maps into RAM: linear memory up to X, the end of the eager
// statics (the build's memSize, X when the module reads a ROM tail), less what is not the server's.
import { spawnSync } from 'node:child_process';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { functionSizes } from '../../toolchain/compiler/sizes.ts';
import { demoKeys, EmulatedMeter } from '../firmware/dlms-meter.ts';

const HZ = 20_000_000;
const GOAL_CYCLES = 500_000;

interface Row {
  what: string;
  cycles: number;
}

async function measure(profile: Profile): Promise<Row[]> {
  const meter = await EmulatedMeter.start(profile, { emulatorOnly: true });
  // a day of half-hourly readings in the metrology log (the harness plays the logs module: the server asks it for rows)
  for (let i = 0; i < 48; i++) meter.append(0, { time: 1_796_083_200 + 1800 * (i + 1), kind: 32, result: 0, aux: 1 + (i % 3), value: 100 + i });
  const rows: Row[] = [];
  const counters = new MemoryCounterStore();
  for (const round of ['first after start-up', 'next']) {
    const c = new DlmsClient(new WrapperChannel(meter.stream(), { clientSap: 1, serverSap: 1 }, 60_000), { mechanism: 'hls-gmac', profile, keys: demoKeys, counters });
    let mark = meter.frames.length;
    await c.associate();
    const assoc = meter.frames.slice(mark).reduce((s, f) => s + f.cycles, 0);
    rows.push({ what: `HLS-GMAC association (AARQ→AARE, pass 3→4), ${round}${round === 'next' ? '' : ' (GCM key tables built)'}`, cycles: assoc });
    mark = meter.frames.length;
    await c.get(3, '1.0.1.8.0.255', 2);
    rows.push({ what: `authenticated GET 1.0.1.8.0.255:2 (glo-ciphered), ${round}`, cycles: meter.frames[mark]!.cycles });
    mark = meter.frames.length;
    await c.get(15, '0.0.40.0.0.255', 2);
    const blocks = meter.frames.slice(mark);
    rows.push({ what: `object list (${blocks.length} blocks), ${round}`, cycles: blocks.reduce((s, f) => s + f.cycles, 0) });
    mark = meter.frames.length;
    const asked = meter.fetches;
    await c.get(7, '1.0.99.1.0.255', 2);
    const profileBlocks = meter.frames.slice(mark);
    rows.push({ what: `load profile, 48 rows (${profileBlocks.length} blocks, ${meter.fetches - asked} queries to the logs module answered in the call), ${round}`, cycles: profileBlocks.reduce((s, f) => s + f.cycles, 0) });
    await c.release();
  }
  const plain = new DlmsClient(new WrapperChannel(meter.stream(), { clientSap: 16, serverSap: 1 }, 60_000), { mechanism: 'none', profile, keys: demoKeys });
  let mark = meter.frames.length;
  await plain.associate();
  rows.push({ what: 'association without authentication (SAP 16)', cycles: meter.frames[mark]!.cycles });
  mark = meter.frames.length;
  await plain.get(3, '1.0.1.8.0.255', 2);
  rows.push({ what: 'plain GET 1.0.1.8.0.255:2', cycles: meter.frames[mark]!.cycles });
  return rows;
}

const ms = (c: number) => ((c / HZ) * 1000).toFixed(2);
console.log(`meter DLMS server on the emulated MSP430 at ${HZ / 1e6} MHz (goal ≤ ${GOAL_CYCLES.toLocaleString('en')} cycles = 25 ms)\n`);
console.log('| profile | what | cycles | ms | goal |');
console.log('|---|---|---:|---:|---|');
for (const profile of ['hardened', 'standard'] as Profile[]) {
  for (const r of await measure(profile)) {
    const goal = /association \(|authenticated GET/.test(r.what) ? (r.cycles <= GOAL_CYCLES ? 'met' : 'NOT met') : '';
    console.log(`| ${profile} | ${r.what} | ${r.cycles.toLocaleString('en')} | ${ms(r.cycles)} | ${goal} |`);
  }
}

const meter = await EmulatedMeter.start('hardened', { emulatorOnly: true });
const build = meter.m.build;
const names = new Map(build.backend.functions.map((f) => [f.sym, f.name]));
const harness = new Set(['cfg', 'static_end', '_start', '__hasm_init', '__hasm_trap']);
let code = 0;
let crypto = 0;
for (const f of functionSizes(build.image)) {
  const src = names.get(f.symbol) ?? f.name;
  if (harness.has(f.name) || harness.has(src) || src.startsWith('test/')) continue;
  code += f.bytes;
  if (src.includes('lib/crypto/')) crypto += f.bytes;
}
const staticEnd = meter.m.call('static_end'); // E: the end of static data, ROM tail included (AS's __heap_base)
const ramEnd = build.backend.memSize; // X: what the module maps into RAM (the compiler's, from the build)
const memoryBase = 80; // firmware/asconfig.json: [0, 80) is the module input buffer, not the server's
const ram = ramEnd - memoryBase - 80; // less the harness's own 80-byte configuration block
const rom = staticEnd - ramEnd;
console.log('\n| size | bytes | goal |');
console.log('|---|---:|---|');
console.log(`| code (functions of firmware/lib/dlms and lib/crypto, with the compiler's helpers) | ${code.toLocaleString('en')} | ≤ 16,384: ${code <= 16384 ? 'met' : 'NOT met'} |`);
console.log(`| of which crypto (AES, GCM/GMAC) | ${crypto.toLocaleString('en')} | |`);
console.log(`| read-only tables in text (flash: the ROM tail, read through hasm.rom_*) | ${rom.toLocaleString('en')} | |`);
console.log(`| RAM: static data mapped into RAM (buffers, keys, GHASH tables, the tables still in RAM) | ${ram.toLocaleString('en')} | ≤ 2,048: ${ram <= 2048 ? 'met' : 'NOT met'} |`);

// The CS-security module as packaged (hasm build: entry stub, module runtime, code with its initial image; data =
// linear memory, globals, secure stack, connection slots): without the server (firmware/cs, firmware/meter.json)
// and with it (firmware/cs-dlms, firmware/meter-dlms.json on boards/emulated-dlms.json).
function packaged(folder: string, board: string): { stub: number; runtime: number; code: number; text: number; data: number } {
  const r = spawnSync(process.execPath, ['bin/hasm.mjs', 'build', folder, '--module', 'cs', '--board', board, '-o', `/tmp/meter-dlms-bench-${folder.replace(/\W/g, '_')}.elf`, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hasm build ${folder}: ${r.stderr || r.stdout}`);
  return (JSON.parse(r.stdout) as { tcb: { stub: number; runtime: number; code: number; text: number; data: number } }).tcb;
}
const without = packaged('firmware/cs', 'boards/emulated.json');
const withDlms = packaged('firmware/cs-dlms', 'boards/emulated-dlms.json');
console.log('\n| CS-security module (packaged) | stub | runtime | code | text | data |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [what, t] of [['without DLMS (firmware/cs)', without], ['with DLMS (firmware/cs-dlms)', withDlms], ['the server\'s cost', { stub: withDlms.stub - without.stub, runtime: withDlms.runtime - without.runtime, code: withDlms.code - without.code, text: withDlms.text - without.text, data: withDlms.data - without.data }]] as const) {
  console.log(`| ${what} | ${t.stub} | ${t.runtime} | ${t.code.toLocaleString('en')} | ${t.text.toLocaleString('en')} | ${t.data.toLocaleString('en')} |`);
}
