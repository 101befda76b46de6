// The openMSP430 RTL reference programs (shared/vectors/openmsp430-rtl) were built by another toolchain; our
// assembler and linker must reproduce their Intel HEX images byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { readIntelHex } from '../../toolchain/link/ihex.ts';
import { link } from '../../toolchain/link/link.ts';

const DIR = new URL('../../../shared/vectors/openmsp430-rtl/progs/', import.meta.url); // shared/ beside the repository

function bytesOf(segments: { address: number; bytes: Uint8Array }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of segments) s.bytes.forEach((b, i) => m.set(s.address + i, b));
  return m;
}

describe('RTL reference programs assemble to their published images', () => {
  it('40/40 byte-identical on boards/openmsp430.json', () => {
    const board = loadBoard('openmsp430');
    let same = 0;
    for (let i = 0; i < 40; i++) {
      const name = `p${String(i).padStart(2, '0')}`;
      const img = link([assemble(readFileSync(new URL(`${name}.s`, DIR), 'utf8'), `${name}.s`)], { board });
      const ours = bytesOf(img.sections.filter((s) => !s.nobits));
      const want = bytesOf(readIntelHex(readFileSync(new URL(`${name}.hex`, DIR), 'utf8'), `${name}.hex`).segments);
      expect([...ours.entries()].sort((a, b) => a[0] - b[0]), name).toEqual([...want.entries()].sort((a, b) => a[0] - b[0]));
      same++;
    }
    console.log(`RTL programs assembled byte-identical: ${same}/40`);
  });
});
