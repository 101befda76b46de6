// Round trip: assemble → disassemble → assemble gives identical bytes, on a seeded corpus of generated
// instructions covering every form class of the table.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { disassembleBytes } from '../../toolchain/msp430/disassemble.ts';
import { link } from '../../toolchain/link/link.ts';
import { allForms } from '../oracles/forms.ts';
import { mulberry32 } from '../seeded.ts';

function assembleAt(text: string, address: number): Uint8Array {
  const img = link([assemble(text, 'corpus.s')], { board: loadBoard('emulated'), place: { '.text': address } });
  return img.sections.find((s) => s.name === '.text')!.bytes;
}

describe('assembler/disassembler round trip', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 2,500 generated instructions`, () => {
      const rnd = mulberry32(seed);
      const forms = allForms();
      // Every form class at least once, then random picks.
      const byClass = new Map<string, string[]>();
      for (const f of forms) (byClass.get(f.klass) ?? byClass.set(f.klass, []).get(f.klass)!).push(f.ours);
      const lines = [...byClass.values()].map((v) => v[Math.floor(rnd() * v.length)]!);
      while (lines.length < 2500) lines.push(forms[Math.floor(rnd() * forms.length)]!.ours);
      const address = 0x4000;
      const first = assembleAt(lines.join('\n'), address);
      const listing = disassembleBytes(first, address);
      expect(listing.filter((l) => l.invalid)).toEqual([]);
      expect(listing.length).toBe(lines.length);
      const again = assembleAt(listing.map((l) => l.text).join('\n'), address);
      const firstDiff = listing.find((l) => Buffer.from(again.subarray(l.address - address, l.address - address + l.bytes.length / 2)).toString('hex') !== l.bytes);
      expect(firstDiff, 'first instruction that does not survive the round trip').toBeUndefined();
      expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
      console.log(`round trip seed ${seed}: ${lines.length} instructions (${byClass.size} form classes), ${first.length} bytes identical`);
    });
  }
});
