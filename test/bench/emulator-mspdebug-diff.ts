// The mspdebug differential at any size: npx tsx test/bench/emulator-mspdebug-diff.ts [PROGRAMS] [FIRST_SEED]
// Prints the divergences (seed, first differences) and the coverage; exit 1 on any divergence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../boards/board.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { randomProgram } from '../oracles/msp430-random.ts';
import { runMspdebug, type MspdebugResult } from '../oracles/mspdebug-sim.ts';

async function main(): Promise<number> {
  const n = Number(process.argv[2] ?? 10000);
  const first = Number(process.argv[3] ?? 1);
  const board = loadBoard('openmsp430');
  const dir = mkdtempSync(join(tmpdir(), 'hasm-mspdebug-'));
  const t0 = performance.now();
  let bad = 0;
  let instructions = 0;
  const forms = new Set<string>();
  try {
    for (let base = 0; base < n; base += 1000) {
      const progs = Array.from({ length: Math.min(1000, n - base) }, (_, i) => randomProgram(first + base + i));
      const batches: Promise<MspdebugResult[]>[] = [];
      for (let i = 0; i < progs.length; i += 250) batches.push(runMspdebug(progs.slice(i, i + 250), dir, `b${base + i}`, 0x200, 0x600));
      const ours = progs.map((p) => {
        const m = new Machine(board);
        m.load({ file: `seed ${p.seed}`, segments: p.segments.map((s) => ({ ...s, exec: true })), symbols: [] });
        const res = m.run({ maxCycles: 1_000_000 });
        instructions += res.instructions;
        return { regs: Array.from(m.r), mem: m.bus.mem.slice(0x200, 0x600), stop: res.stop };
      });
      const refs = (await Promise.all(batches)).flat();
      progs.forEach((p, i) => {
        p.forms.forEach((f) => forms.add(f));
        const o = ours[i]!;
        const r = refs[i]!;
        const d: string[] = o.stop === 'halt' ? [] : [`stop ${o.stop}`];
        for (let k = 0; k < 16; k++) if (k !== 3 && o.regs[k] !== r.registers[k]) d.push(`r${k} 0x${o.regs[k]!.toString(16)} vs 0x${r.registers[k]!.toString(16)}`);
        for (let a = 0; a < o.mem.length; a++) if (o.mem[a] !== r.memory[a]) d.push(`[0x${(0x200 + a).toString(16)}]`);
        if (d.length) {
          bad++;
          console.log(`seed ${p.seed}: ${d.slice(0, 8).join(', ')}`);
        }
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`| programs | instructions | op/mode forms | divergences | seconds |\n|---|---|---|---|---|\n| ${n} | ${instructions} | ${forms.size} | ${bad} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
  return bad ? 1 : 0;
}

process.exitCode = await main();
