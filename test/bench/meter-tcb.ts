// The meter's TCB, as the seed's Table 4.1 (issue 18 "Measured"). Run: npx tsx test/bench/meter-tcb.ts
// Each module of firmware/ is compiled (toolchain/compiler) and packaged as a Sancus module (toolchain/sancus/module:
// entry stub, module runtime for attestation, connection keys, inputs and outputs, secure stack) exactly as
// `hasm build firmware/NAME --module NAME` does; the table gives source lines (non-blank, non-comment, the module's
// folder plus the firmware/lib files it imports) and bytes: stub, runtime, module code (+ read-only data), text
// total, data (globals, linear memory, connection slots, secure stack). Beside it, the seed's Table 4.1 for its
// four modules (HASM core 2,573 B, off-switch 2,377 B, HAN gateway 1,599 B, central system 2,069 B: 8.4 KiB).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { compileWasm } from '../../toolchain/compiler/backend.ts';
import { assembleRelaxed, runtimeHelpers } from '../../toolchain/compiler/compile.ts';
import { compileAssemblyScript, loadAsConfig, sourceLocation } from '../../toolchain/compiler/front.ts';
import { peripheralSymbols } from '../../toolchain/compiler/peripherals.ts';
import { compiledModuleSpec } from '../../toolchain/sancus/module/compiled.ts';
import { mmioModuleName, mmioModuleSpec } from '../../toolchain/sancus/module/mmio.ts';
import { registerWindow } from '../../boards/register-window.ts';

const root = fileURLToPath(new URL('../../firmware/', import.meta.url));
const board = loadBoard('emulated');

// Our module ↔ the seed's counterpart (Table 4.1).
const MODULES: { name: string; seed?: [string, number] }[] = [
  { name: 'core', seed: ['HASM core', 2573] },
  { name: 'offswitch', seed: ['off-switch', 2377] },
  { name: 'han', seed: ['HAN-gateway', 1599] },
  { name: 'cs', seed: ['central system', 2069] },
  { name: 'dc' },
  { name: 'logs' },
  { name: 'metrology' },
  { name: 'clock' },
  { name: 'relay' },
];

/** Source lines of a file and, transitively, of the firmware/lib files it imports (each file once). */
function sourceLines(file: string, seen: Set<string>): number {
  if (seen.has(file)) return 0;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  let n = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    n++;
  }
  for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
    const p = resolve(dirname(file), m[1]!) + '.ts';
    if (p.startsWith(root)) n += sourceLines(p, seen);
  }
  return n;
}

// The drivers' register windows, as the deployment descriptor declares them (each one an exclusive MMIO module).
const descriptor = JSON.parse(readFileSync(join(root, 'meter.json'), 'utf8')) as { modules: { name: string; mmio?: { peripheral: string; ports?: number[] } }[] };
const mmioOf = (name: string) => {
  const m = descriptor.modules.find((x) => x.name === name)?.mmio;
  return m && registerWindow(board, m.peripheral, m.ports);
};

const rows: { name: string; loc: number; stub: number; runtime: number; code: number; image: number; text: number; data: number; stack: number; seed?: [string, number]; registers?: number }[] = [];
for (const mod of MODULES) {
  const dir = join(root, mod.name);
  const source = join(dir, 'index.ts');
  const seen = new Set<string>();
  let loc = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) loc += sourceLines(join(dir, f), seen);
  // The compiler's path of `hasm build` up to the assembly (not linked standalone: the outputs are the packaging's).
  const config = loadAsConfig(source); // firmware/asconfig.json, or the module's own (logs)
  const front = await compileAssemblyScript(source, config);
  const mmio = mmioOf(mod.name);
  const backend = compileWasm(front.wasm, { heap: config.heap, stackTop: 0x0200 + 10240, helpers: await runtimeHelpers(), where: (n: string) => sourceLocation(front, n), peripherals: peripheralSymbols(board), mmioCalls: mmio ? [mmio] : undefined });
  backend.asm = assembleRelaxed(backend.asm, `${source}.s`).asm;
  // Bytes of the linear memory's initial image (.rodata, copied in at start): the module's static area up to its last
  // non-zero table (zero-filled buffers after it are mapped, not copied: toolchain/compiler/front.ts __heap_base).
  const init = backend.asm.split(/^__hasm_mem_init:$/m)[1]?.split(/^\S/m)[0] ?? '';
  const image = [...init.matchAll(/^\s+\.byte (.*)$/gm)].reduce((n, m) => n + m[1]!.split(',').length, 0);
  const spec = compiledModuleSpec(mod.name, 0x1234, backend, { file: source, memoryBase: Number(config.options.memoryBase), mmio });
  const node = buildNodeImage(board, mmio ? [spec, mmioModuleSpec(mod.name, 0x1234, mmio)] : [spec]);
  const m = node.modules[0]!;
  const s = m.symbols;
  const p = `__sm_${m.name}_`;
  const stub = s[p + 'stub_end']! - m.layout.textStart;
  const runtime = s[p + 'runtime_end']! - s[p + 'stub_end']!;
  const text = m.layout.textEnd - m.layout.textStart;
  rows.push({ name: mod.name, loc, stub, runtime, code: text - stub - runtime, image, text, data: m.layout.dataEnd - m.layout.dataStart, stack: s[p + 'stack_top']! - s[p + 'stack']!, seed: mod.seed });
  if (mmio) {
    // The driver's exclusive MMIO module: generated assembly (toolchain/sancus/module/mmio.ts), all of it entry
    // checks and the four register accesses; its data section is the register window, not RAM.
    const x = node.modules[1]!;
    rows.push({ name: mmioModuleName(mod.name), loc: 0, stub: x.layout.textEnd - x.layout.textStart, runtime: 0, code: 0, image: 0, text: x.layout.textEnd - x.layout.textStart, data: 0, stack: 0, registers: x.layout.dataEnd - x.layout.dataStart });
  }
}

console.log('## The meter\'s modules as Sancus modules (bytes; text = stub + runtime + module code)\n');
console.log('| module | source lines | stub | runtime | module code (of it: static image) | text | data (stack) | seed counterpart (Table 4.1) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const data = r.registers !== undefined ? `— (${r.registers} B of registers)` : `${r.data} (${r.stack})`;
  const seed = r.seed ? `${r.seed[0]}: ${r.seed[1]} B` : r.registers !== undefined ? '— (generated MMIO module)' : '— (drivers/logs/DC: none in the seed)';
  console.log(`| ${r.name} | ${r.loc} | ${r.stub} | ${r.runtime} | ${r.code} (${r.image}) | ${r.text} | ${data} | ${seed} |`);
}
const four = rows.filter((r) => r.seed);
const fourText = four.reduce((a, r) => a + r.text, 0);
const seedFour = four.reduce((a, r) => a + r.seed![1], 0);
const all = rows.reduce((a, r) => a + r.text, 0);
const allData = rows.reduce((a, r) => a + r.data, 0);
console.log(`\nThe seed's four counterparts (core, off-switch, HAN gateway, CS security): ${fourText} B of text (${(fourText / 1024).toFixed(2)} KiB) vs the seed's ${seedFour} B (${(seedFour / 1024).toFixed(1)} KiB): ${fourText <= seedFour ? 'within' : 'OVER'} the 8.4 KiB goal.`);
const fourImage = four.reduce((a, r) => a + r.image, 0);
console.log(`Without the static images (initial images of non-zero tables): ${fourText - fourImage} B for the four.`);
console.log(`All ${rows.length} modules (drivers and their MMIO modules, logs, DC security included): ${all} B of text (${(all / 1024).toFixed(2)} KiB), ${allData} B of data.`);
const pmem = board.memory.find((r) => r.name === 'pmem')!.size;
const dmem = board.memory.find((r) => r.name === 'dmem')!.size;
console.log(`Board ${board.name}: ${pmem} B program memory, ${dmem} B data memory, ${board.sancus?.modules ?? 0} Sancus module slots (the node runtime not counted here).`);
