// Benchmark (issue 4): code size and cycles on the emulated openMSP430, our compiler on the AssemblyScript
// version of each kernel vs `clang-14 --target=msp430 -Os` on the equivalent C, both linked by our linker and
// run on our emulator. Both sides get the same runtime helpers (our hardware-multiplier multiply and our division;
// the C side's __mspabi_* names are aliases of them; 16-bit multiply/divide and memcpy are small shims).
// Code size = executable bytes of the image except the harness entry (_start, __hasm_init); constant tables
// (S-box, SHA-256 K) are data on both sides and not counted. A second table gives compile times per module (asc
// and our backend beside clang, in-process wall time). Usage: npx tsx test/bench/compiler.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { buildWasm, runtimeHelpers } from '../../toolchain/compiler/compile.ts';
import { compileAssemblyScript, loadAsConfig } from '../../toolchain/compiler/front.ts';
import { compileWasm } from '../../toolchain/compiler/backend.ts';
import { peripheralSymbols } from '../../toolchain/compiler/peripherals.ts';
import { functionSizes } from '../../toolchain/compiler/sizes.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { link, type LinkedImage } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';

const dir = fileURLToPath(new URL('./compiler-kernels/', import.meta.url));
const board = loadBoard('emulated');
const KERNELS = [
  ['crc16', 'CRC-16 (64 bytes)'],
  ['sha256', 'SHA-256 compression'],
  ['aes128', 'AES-128 encrypt (+key exp.)'],
  ['ringlog', 'ring-buffer log append'],
  ['energy', '32-bit energy accumulation'],
  ['tariff', 'fixed-point tariff'],
  // issue 17: more firmware kernels in the same spirit
  ['isort', 'insertion sort (48 u16)'],
  ['fir', 'FIR filter (16 taps, 64 samples)'],
  ['decfmt', 'decimal formatting (div/rem 10)'],
  ['xtea', 'XTEA encrypt (4 blocks)'],
  ['parse', 'byte parsing (register dump)'],
] as const;

const HARNESS = new Set(['_start', '__hasm_init']);
function codeBytes(img: LinkedImage): number {
  return functionSizes(img).filter((f) => !HARNESS.has(f.symbol)).reduce((n, f) => n + f.bytes, 0);
}

// Shims for the C side: 16-bit multiply on the hardware multiplier, 16-bit unsigned divide and remainder, memcpy.
const C_SHIMS: Record<string, string> = {
  __mspabi_mpyi: `
__mspabi_mpyi:
  mov r12, &MPY
  mov r13, &OP2
  mov &RESLO, r12
  ret`,
  __mspabi_divu: `
__mspabi_divu:
  mov r12, r14
  clr r12
  clr r15
  mov #16, r11
1:
  rla r14
  rlc r15
  rla r12
  cmp r13, r15
  jlo 2f
  sub r13, r15
  bis #1, r12
2:
  dec r11
  jne 1b
  ret`,
  __mspabi_remu: `
__mspabi_remu:
  mov r12, r14
  clr r12
  clr r15
  mov #16, r11
1:
  rla r14
  rlc r15
  rla r12
  cmp r13, r15
  jlo 2f
  sub r13, r15
  bis #1, r12
2:
  dec r11
  jne 1b
  mov r15, r12
  ret`,
  memcpy: `
memcpy:
  mov r12, r15
1:
  tst r14
  jeq 2f
  mov.b @r13+, 0(r15)
  inc r15
  dec r14
  jmp 1b
2:
  ret`,
};
/** EABI library names served by our own helpers (same register convention). */
const C_ALIASES: Record<string, string> = { __mspabi_mpyl: 'mul32', __mspabi_divul: 'div_u32', __mspabi_remul: 'rem_u32' };

const clangMs = new Map<string, number>();
async function cImage(name: string): Promise<LinkedImage> {
  const work = mkdtempSync(join(tmpdir(), 'hasm-bench-'));
  const s = join(work, `${name}.s`);
  const t0 = performance.now();
  execFileSync('clang-14', ['--target=msp430', '-Os', '-fno-addrsig', '-S', join(dir, `${name}.c`), '-o', s]);
  clangMs.set(name, performance.now() - t0);
  // Our assembler has no `.comm`: a local common symbol becomes the equivalent .bss reservation.
  const asm = readFileSync(s, 'utf8').replace(/^\s*\.comm\s+([\w.$]+),\s*(\d+),\s*(\d+)\s*$/gm, (_m, n, size, al) => `  .bss\n  .balign ${al}\n${n}:\n  .skip ${size}\n  .text`);
  // Only what the C code calls: our runtime helpers under their EABI names, and the small shims.
  const calls = new Set([...asm.matchAll(/call\s+#([\w.$]+)/g)].map((m) => m[1]!));
  const objects = [assemble(asciiToBytes(asm), `${name}.s`)];
  const aliases = Object.entries(C_ALIASES).filter(([n]) => calls.has(n));
  if (aliases.length) {
    let helpers = compileWasm(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), { heap: 0, stackTop: 0x2a00, helpers: await runtimeHelpers(), extraHelpers: aliases.map(([, h]) => h), peripherals: peripheralSymbols(board) }).asm;
    // Keep the helpers and the trap handler they jump to; drop the harness entry.
    helpers = helpers.slice(0, helpers.indexOf('  .global _start'));
    for (const [n, h] of aliases) helpers = helpers.replace(new RegExp(`^__hasm_${h}:$`, 'm'), `  .global ${n}\n${n}:\n__hasm_${h}:`);
    objects.push(assemble(helpers, 'helpers.s'));
  }
  const shims = Object.entries(C_SHIMS).filter(([n]) => calls.has(n));
  if (shims.length) objects.push(assemble(`${Object.entries(peripheralSymbols(board)).map(([n, a]) => `  .set ${n}, ${a}\n`).join('')}  .text\n${shims.map(([n, t]) => `  .global ${n}${t}`).join('\n')}\n`, 'shims.s'));
  return link(objects, { board });
}

function asciiToBytes(asm: string): string {
  return asm.replace(/^\s*\.(ascii|asciz)\s+"((?:[^"\\]|\\.)*)"\s*$/gm, (_m, kind: string, body: string) => {
    const bytes: number[] = [];
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\') {
        bytes.push(ch.charCodeAt(0));
        continue;
      }
      const n = body[++i]!;
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))?.[0];
      if (oct) {
        bytes.push(parseInt(oct, 8) & 0xff);
        i += oct.length - 1;
      } else if (n === 'x') {
        const h = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))![0];
        bytes.push(parseInt(h, 16));
        i += h.length;
      } else bytes.push({ n: 10, t: 9, r: 13, b: 8, f: 12 }[n as 'n'] ?? n.charCodeAt(0));
    }
    if (kind === 'asciz') bytes.push(0);
    return `  .byte ${bytes.join(', ')}`;
  });
}

function runC(img: LinkedImage): { result: bigint; cycles: number } {
  const image = imageFromLinked(img, 'c');
  const m = loadMachine(image, board);
  const addr = image.symbols.find((x) => x.name === 'bench')!.address;
  const r = m.call(addr, [], { sp: 0x2a00, maxCycles: 50_000_000 });
  if (r.stop !== 'return') throw new Error(`C bench stopped: ${r.stop}`);
  return { result: BigInt(r.registers[12]! | (r.registers[13]! << 16)) & 0xffffffffn, cycles: r.cycles };
}

const rows: string[][] = [];
let logSize = 0;
let logCycles = 0;
const times: string[][] = [];
const srcDir = mkdtempSync(join(tmpdir(), 'hasm-bench-src-'));
await runtimeHelpers(); // compiled (or read from its cache) once, not charged to the first kernel
for (const [name, title] of KERNELS) {
  // Compile time: asc (with wasm-ctor-eval, the front end) and our backend + assembler + linker, in-process.
  // A fresh copy (a nonce line): the front end's on-disk cache misses, so asc and wasm-ctor-eval really run.
  const src = join(srcDir, `${name}.ts`);
  writeFileSync(src, `// bench ${process.pid} ${Date.now()}\n${readFileSync(join(dir, `${name}.as`), 'utf8')}`);
  const t0 = performance.now();
  const front = await compileAssemblyScript(src, loadAsConfig(src));
  const t1 = performance.now();
  const as = await buildWasm(front.wasm, board, { front });
  const t2 = performance.now();
  const asImage = imageFromLinked(as.image, name);
  const o = callExport(loadMachine(asImage, board), asImage, 'bench', []);
  if (o.result === undefined) throw new Error(`${name}: AS kernel trapped: ${o.trap}`);
  const c = await cImage(name);
  times.push([title, (t1 - t0).toFixed(0), (t2 - t1).toFixed(0), (t2 - t0).toFixed(0), clangMs.get(name)!.toFixed(0)]);
  const cr = runC(c);
  const ours = BigInt.asUintN(32, o.result);
  const sizeA = codeBytes(as.image);
  const sizeC = codeBytes(c);
  const rs = sizeA / sizeC;
  const rc = o.cycles / cr.cycles;
  logSize += Math.log(rs);
  logCycles += Math.log(rc);
  rows.push([title, String(sizeA), String(sizeC), rs.toFixed(2), String(o.cycles), String(cr.cycles), rc.toFixed(2), ours === cr.result ? 'same' : `DIFFERENT ${ours} vs ${cr.result}`]);
}
const head = ['kernel', 'size AS', 'size C', 'ratio', 'cycles AS', 'cycles C', 'ratio', 'result'];
const all = [head, ...rows];
const w = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
for (const r of all) console.log(r.map((c, i) => (i === 0 || i === 7 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
console.log(`geometric mean ratio: size ${Math.exp(logSize / KERNELS.length).toFixed(3)}, cycles ${Math.exp(logCycles / KERNELS.length).toFixed(3)}  (goal <= 1.25)`);
console.log('');
const thead = ['compile time (ms, wall, this machine)', 'asc+ctor-eval', 'hasm backend', 'hasm total', 'clang-14 -Os -S'];
const tall = [thead, ...times];
const tw = thead.map((_, i) => Math.max(...tall.map((r) => r[i]!.length)));
for (const r of tall) console.log(r.map((c, i) => (i === 0 ? c.padEnd(tw[i]!) : c.padStart(tw[i]!))).join('  '));
