// Oracle: mspdebug's simulator, differentially. Seeded random programs from the instruction table run on both;
// registers (r3 aside) and the 1 KiB data memory must agree. The generator (msp430-random.ts) stays out of the
// 18 documented deviation classes (research/openmsp430.md §5); each avoidance names its class there.
import { RTL_DIR } from '../shared.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { loadImageFile } from '../../toolchain/link/image.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { OPS } from '../../toolchain/msp430/isa.ts';
import { breathe } from '../event-loop.ts';
import { hasTool } from './llvm.ts';
import { randomProgram, type RandomProgram } from './msp430-random.ts';
import { runMspdebug, type MspdebugResult } from './mspdebug-sim.ts';

const PROGRAMS = 2000;
const BATCH = 250;
const board = loadBoard('openmsp430');

function runOurs(p: RandomProgram, blockAfter?: number): { regs: number[]; mem: Uint8Array; stop: string; instructions: number } {
  const m = new Machine(board, { blockAfter });
  m.load({ file: `seed ${p.seed}`, segments: p.segments.map((s) => ({ ...s, exec: true })), symbols: [] });
  const res = m.run({ maxCycles: 1_000_000 });
  return { regs: Array.from(m.r), mem: m.bus.mem.slice(0x200, 0x600), stop: res.stop, instructions: res.instructions };
}

function differences(ours: { regs: number[]; mem: Uint8Array }, ref: MspdebugResult): string[] {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) if (i !== 3 && ours.regs[i] !== ref.registers[i]) out.push(`r${i} 0x${ours.regs[i]!.toString(16)} vs 0x${ref.registers[i]!.toString(16)}`);
  for (let a = 0; a < ours.mem.length; a++) if (ours.mem[a] !== ref.memory[a]) out.push(`[0x${(0x200 + a).toString(16)}] ${ours.mem[a]} vs ${ref.memory[a]}`);
  return out;
}

describe.skipIf(!hasTool('mspdebug'))('emulator vs mspdebug simulator (differential)', () => {
  it(`${PROGRAMS} seeded random programs: 0 divergences outside the 18 deviation classes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-mspdebug-'));
    try {
      const progs = Array.from({ length: PROGRAMS }, (_, i) => randomProgram(0x5eed0000 + i));
      // mspdebug batches run in the background while our emulator runs the same programs
      const batches: Promise<MspdebugResult[]>[] = [];
      for (let i = 0; i < PROGRAMS; i += BATCH) batches.push(runMspdebug(progs.slice(i, i + BATCH), dir, `b${i}`, 0x200, 0x600));
      // the first 500 also through the block translator (blocks built at once), the rest as they warm up
      const ours: ReturnType<typeof runOurs>[] = [];
      for (const [i, p] of progs.entries()) {
        ours.push(runOurs(p, i < 500 ? 0 : undefined));
        if (i % 100 === 99) await breathe();
      }
      const refs = (await Promise.all(batches)).flat();
      const divergent: string[] = [];
      let instructions = 0;
      const forms = new Set<string>();
      progs.forEach((p, i) => {
        p.forms.forEach((f) => forms.add(f));
        instructions += ours[i]!.instructions;
        const d = ours[i]!.stop === 'halt' ? differences(ours[i]!, refs[i]!) : [`stop ${ours[i]!.stop}`];
        if (d.length) divergent.push(`seed 0x${p.seed.toString(16)}: ${d.slice(0, 6).join(', ')}`);
      });
      const mnemonics = new Set([...forms].map((f) => f.split(/[ .]/)[0]));
      const srcModes = new Set([...forms].map((f) => f.split(' ')[1]?.split(',')[0]).filter(Boolean));
      const dstModes = new Set([...forms].map((f) => f.split(',')[1]).filter(Boolean));
      console.log(`mspdebug differential: ${PROGRAMS} programs, ${instructions} instructions, ${forms.size} op/mode forms, ${divergent.length} divergences`);
      expect(divergent.slice(0, 10)).toEqual([]);
      // every op of the table and every operand mode appear
      for (const op of OPS) expect(mnemonics, op.mnemonic).toContain(op.mnemonic);
      for (const m of ['reg', 'const', 'immediate', 'indexed', 'symbolic', 'absolute', 'indirect', 'autoinc']) expect(srcModes, m).toContain(m);
      for (const m of ['reg', 'indexed', 'symbolic', 'absolute']) expect(dstModes, m).toContain(m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the comparison sees the deviation classes: the RTL corner-case programs differ on mspdebug, not on ours', async () => {
    const DIR = RTL_DIR;
    const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, { corner_cases: boolean; halt: number; registers: number[]; memory: { hex: string } }>;
    const names = Object.keys(expected).filter((n) => expected[n]!.corner_cases);
    const dir = mkdtempSync(join(tmpdir(), 'hasm-mspdebug-'));
    try {
      const refs = await runMspdebug(names.map((n) => ({ hex: readFileSync(`${DIR}/progs/${n}.hex`, 'latin1'), halt: expected[n]!.halt })), dir, 'rtl', 0x200, 0x600);
      let mspdebugDiffers = 0;
      names.forEach((n, i) => {
        const m = new Machine(board);
        m.load(loadImageFile(`${DIR}/progs/${n}.hex`));
        m.run({ maxCycles: 1_000_000 });
        const ours = { regs: Array.from(m.r), mem: m.bus.mem.slice(0x200, 0x600) };
        if (differences(ours, refs[i]!).length) mspdebugDiffers++;
        expect(Buffer.from(ours.mem).toString('hex'), n).toBe(expected[n]!.memory.hex);
      });
      expect(names.length).toBe(8);
      expect(mspdebugDiffers).toBe(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
