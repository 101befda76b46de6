// Oracle: the openMSP430 core's own RTL (../shared/vectors/openmsp430-rtl, 40 runs of the Verilog under Icarus).
// Each program must end with the same registers (r3 aside), the same 1 KiB of data memory and the same cycle count
// from the release of reset.
import { RTL_DIR } from '../shared.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { loadImageFile } from '../../toolchain/link/image.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';

const DIR = RTL_DIR;

interface Expected {
  registers: number[];
  cycles_from_reset: number;
  instructions: number;
  corner_cases: boolean;
  memory: { start: number; end: number; hex: string };
}

describe('openMSP430 RTL reference runs', () => {
  const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, Expected>;
  const board = loadBoard('openmsp430');

  for (const [label, blockAfter] of [['blocks after 16 runs (default)', 16], ['blocks at once', 0], ['no blocks', -1]] as const)
  it(`all 40 programs end like the RTL: registers, data memory, cycles_from_reset — ${label}`, () => {
    const lines: string[] = [];
    const failures: string[] = [];
    let total = 0;
    for (const [name, e] of Object.entries(expected)) {
      const m = new Machine(board, { blockAfter });
      m.load(loadImageFile(`${DIR}/progs/${name}.hex`));
      const res = m.run({ maxCycles: 1_000_000 });
      const regs = Array.from(m.r);
      regs[3] = 0; // the reference reports r3 as 0
      const mem = Buffer.from(m.bus.mem.subarray(e.memory.start, e.memory.end)).toString('hex');
      const problems: string[] = [];
      if (res.stop !== 'halt') problems.push(`stop ${res.stop}`);
      regs.forEach((v, i) => v !== e.registers[i] && problems.push(`r${i}=0x${v.toString(16)} (RTL 0x${e.registers[i]!.toString(16)})`));
      if (mem !== e.memory.hex) problems.push('data memory differs');
      if (res.cycles !== e.cycles_from_reset) problems.push(`cycles ${res.cycles} (RTL ${e.cycles_from_reset})`);
      if (res.instructions !== e.instructions) problems.push(`instructions ${res.instructions} (RTL ${e.instructions})`);
      total += res.cycles;
      lines.push(`${name}${e.corner_cases ? '*' : ' '} ${String(res.cycles).padStart(5)} cycles ${problems.length ? 'FAIL ' + problems.join(', ') : 'ok'}`);
      if (problems.length) failures.push(`${name}: ${problems.join(', ')}`);
    }
    const n = Object.keys(expected).length;
    if (blockAfter === 16) console.log(`${lines.join('\n')}\nRTL ${n - failures.length}/${n} (registers, 1 KiB data memory, cycles_from_reset; ${total} cycles in all; * = mspdebug-deviation corner cases)`);
    expect(n).toBe(40);
    expect(failures).toEqual([]);
  });
});
