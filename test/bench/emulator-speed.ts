// Emulator speed vs mspdebug's simulator, same program, same run (npx tsx test/bench/emulator-speed.ts [OUTER]).
// Row 1: CPU-bound CRC-16 (CCITT, bitwise) over 256 bytes, OUTER times (default 20000 ≈ 216 M instructions);
// mspdebug's start-up is excluded by timing a 1-iteration run and subtracting it.
// Row 2: a sleepy meter-like program: Timer_A interrupt every 1 ms at 20 MHz, CPU off in between — simulated
// seconds per wall-clock second.
// Then plain vs Sancus-enabled speed on the emulated (Sancus) board, from the same run and the same CRC program
// (npx tsx test/bench/emulator-speed.ts [OUTER] [SANCUS_OUTER]): plain = no Sancus unit; "module enabled elsewhere" =
// the CRC runs unprotected while a module is enabled (the untrusted runtime's case); "inside a module" = the CRC code
// is a module's text and its 256-byte buffer the module's data (every byte read is a checked module-data access).
// Each configuration runs in its own child process (so no configuration's JIT feedback slows another), 3 rounds
// interleaved, rated by the child's CPU time (the machine is shared with other work); the best round counts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { writeIntelHex } from '../../toolchain/link/ihex.ts';
import { link } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';

const crc = (outer: number) => `
start:
  mov #0x5a80, &0x0120
  mov #0x0600, sp
  mov #0x0200, r4
  mov #0x1d4f, r5
fill:
  mov r5, 0(r4)
  add #0x2733, r5
  incd r4
  cmp #0x0300, r4
  jne fill
  mov #${outer}, r10
outer:
  mov #0x0200, r4
  mov #0xffff, r12
byte:
  mov.b @r4+, r13
  swpb r13
  xor r13, r12
  mov #8, r14
bit:
  rla r12
  jnc nox
  xor #0x1021, r12
nox:
  dec r14
  jnz bit
  cmp #0x0300, r4
  jne byte
  dec r10
  jnz outer
  dint
halt:
  jmp halt
`;

const sleepy = `
start:
  mov #0x5a80, &0x0120
  mov #0x0600, sp
  mov #19999, &0x0172      ; TACCR0: 20 000 cycles = 1 ms at 20 MHz
  mov #0x0010, &0x0162     ; CCIE
  mov #0x0214, &0x0160     ; TASSEL=SMCLK, MC=up, TACLR
loop:
  bis #0x18, sr            ; LPM0 with GIE
  jmp loop
isr:
  inc r10
  adc r11
  reti
  .section __interrupt_vector_10,"ax",@progbits
  .word isr
`;

function build(src: string, board = 'openmsp430') {
  const b = loadBoard(board);
  const img = link([assemble(src, 'bench.s')], { board: b });
  const image = imageFromLinked(img, 'bench.s');
  const halt = image.symbols.find((s) => s.name === 'halt')?.address;
  return { board: b, image, halt, hex: writeIntelHex(image.segments) };
}

function ours(src: string, maxCycles?: number, board = 'openmsp430') {
  const { board: b, image } = build(src, board);
  const m = new Machine(b);
  m.load(image);
  const t0 = performance.now();
  const res = m.run({ maxCycles });
  return { seconds: (performance.now() - t0) / 1000, instructions: res.instructions, cycles: res.cycles, stop: res.stop, m };
}

function mspdebug(src: string): number {
  const { hex, halt } = build(src);
  const dir = mkdtempSync(join(tmpdir(), 'hasm-bench-'));
  try {
    writeFileSync(join(dir, 'p.hex'), hex);
    const t0 = performance.now();
    const r = spawnSync('mspdebug', ['-q', 'sim', `prog ${join(dir, 'p.hex')}`, `setbreak 0x${halt!.toString(16)}`, 'run'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mspdebug failed: ${r.stderr}`);
    return (performance.now() - t0) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Plain vs Sancus-enabled ------------------------------------------------------------------------------------
const crcModule = (n: number) => `
start:
  mov #0x5a80, &0x0120
  mov #0x0600, sp
  call #mod
  dint
halt:
  jmp halt
mod:
  mov #0x0200, r4
  mov #0x1d4f, r5
fill:
  mov r5, 0(r4)
  add #0x2733, r5
  incd r4
  cmp #0x0300, r4
  jne fill
  mov #${n}, r10
outer:
  mov #0x0200, r4
  mov #0xffff, r12
byte:
  mov.b @r4+, r13
  swpb r13
  xor r13, r12
  mov #8, r14
bit:
  rla r12
  jnc nox
  xor #0x1021, r12
nox:
  dec r14
  jnz bit
  cmp #0x0300, r4
  jne byte
  dec r10
  jnz outer
  ret
mod_end:
other:
  ret
other_end:
`;

type Config = 'plain' | 'sancus, no module' | 'module enabled elsewhere' | 'inside a module';

function sancusRun(config: Config, n: number): { rate: number; crc: number; instructions: number } {
  const b = loadBoard('emulated');
  const img = link([assemble(crcModule(n), 'crc.s')], { board: b });
  const image = imageFromLinked(img, 'crc.s');
  const at = (name: string) => image.symbols.find((s) => s.name === name)!.address;
  const m = new Machine(b);
  const u = config === 'plain' ? undefined : attachSancus(m);
  m.load(image);
  if (config === 'module enabled elsewhere' || config === 'inside a module') {
    // SM_ENABLE from a scratch word in RAM, then back to the program
    const inside = config === 'inside a module';
    const [t0, t1] = inside ? [at('mod'), at('mod_end')] : [at('other'), at('other_end')];
    const [d0, d1] = inside ? [0x0200, 0x0300] : [0x2000, 0x2010];
    Object.assign(m.r, { 9: 0, 10: 0, 11: 1, 12: t0, 13: t1, 14: d0, 15: d1 });
    m.bus.poke(0x2800, 0x81);
    m.bus.poke(0x2801, 0x13);
    const pc = m.r[0]!;
    m.r[0] = 0x2800;
    m.step();
    m.r[0] = pc;
    if (u!.modules().length !== 1) throw new Error('bench: SM_ENABLE failed');
  }
  const i0 = m.instructions;
  // CPU time of this process, not wall time: the machine is shared, and other processes' scheduling should not count
  const t = process.cpuUsage();
  const res = m.run();
  const used = process.cpuUsage(t);
  const s = (used.user + used.system) / 1e6;
  if (res.stop !== 'halt') throw new Error(`bench (${config}): stopped with ${res.stop} at 0x${res.pc.toString(16)}`);
  if (u && u.violations.length) throw new Error(`bench (${config}): ${u.violations.length} violations`);
  return { rate: (res.instructions - i0) / s, crc: m.r[12]!, instructions: res.instructions - i0 };
}


const f = (x: number) => (x / 1e6).toFixed(1);
const configs: Config[] = ['plain', 'sancus, no module', 'module enabled elsewhere', 'inside a module'];

if (process.argv[2] === '--one') {
  // a child of the comparison below: one configuration in a fresh process (its own JIT state)
  const r = sancusRun(process.argv[3] as Config, Number(process.argv[4]));
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  mspdebugTable();
  sancusTable();
}

function mspdebugTable(): void {
  const outer = Number(process.argv[2] ?? 20000);
  const big = ours(crc(outer));
  const small = ours(crc(1));
  if (big.stop !== 'halt') throw new Error(`CRC program stopped with ${big.stop}`);
  const instr = big.instructions - small.instructions;
  const ourRate = instr / (big.seconds - small.seconds);
  let refRate = NaN;
  const haveMspdebug = spawnSync('sh', ['-c', 'command -v mspdebug']).status === 0;
  if (haveMspdebug) {
    const tBig = mspdebug(crc(outer));
    const tSmall = mspdebug(crc(1));
    refRate = instr / (tBig - tSmall);
  }
  const sim = 100; // simulated seconds of the sleepy program
  const clock = loadBoard('emulated').cpu.clock_hz;
  const s = ours(sleepy, sim * clock, 'emulated');
  const ticks = s.m.r[10]! + 65536 * s.m.r[11]!;
  console.log(`| program | hasm emulator | mspdebug sim | ratio |
|---|---|---|---|
| CRC-16, ${(instr / 1e6).toFixed(0)} M instructions | ${f(ourRate)} M instr/s | ${haveMspdebug ? f(refRate) + ' M instr/s' : 'not installed'} | ${haveMspdebug ? (ourRate / refRate).toFixed(2) + '×' : '-'} |
| sleepy meter (Timer_A 1 ms tick, LPM0), ${sim} s at ${clock / 1e6} MHz, ${ticks} ticks | ${(sim / s.seconds).toFixed(0)} simulated s / wall s | - | - |`);

}

/** Each configuration in its own process (so that one's JIT feedback cannot slow another), 3 interleaved rounds. */
function sancusTable(): void {
  const n = Number(process.argv[3] ?? 3000);
  const best = new Map<Config, number>();
  const crcs = new Set<number>();
  let count = 0;
  for (let round = 0; round < 3; round++) {
    for (const c of configs) {
      const p = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', c, String(n)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`bench child (${c}) failed: ${p.stderr}`);
      const r = JSON.parse(p.stdout) as { rate: number; crc: number; instructions: number };
      crcs.add(r.crc);
      count = r.instructions;
      best.set(c, Math.max(best.get(c) ?? 0, r.rate));
    }
  }
  if (crcs.size !== 1) throw new Error('bench: the configurations computed different CRCs');
  const plainRate = best.get('plain')!;
  console.log(`
| emulated board (Sancus), CRC-16, ${(count / 1e6).toFixed(0)} M instructions, best of 3 | M instr/s | ratio to plain |
|---|---|---|`);
  for (const c of configs) console.log(`| ${c} | ${f(best.get(c)!)} | ${(best.get(c)! / plainRate).toFixed(2)}× |`);
}
