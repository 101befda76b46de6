// Every function of the corpus round-trips through our disassembler and assembler (issue 4 oracle): the linked
// code, disassembled and reassembled at the same address, is byte for byte the same.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { link } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { disassembleBytes } from '../../toolchain/msp430/disassemble.ts';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const board = loadBoard('emulated');

describe('compiled corpus: disassemble → assemble is the identity', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.as')).sort()) {
    it(file, async () => {
      const build = await buildSource(dir + file.replace(/\.as$/, '.ts'), board);
      const text = build.image.sections.find((s) => s.name === '.text')!;
      const lines = disassembleBytes(text.bytes, text.address);
      expect(lines.filter((l) => l.invalid)).toEqual([]);
      const src = ['  .text', ...lines.map((l) => `  ${l.text}`)].join('\n') + '\n';
      const again = link([assemble(src, `${file}.dis.s`)], { board, place: { '.text': text.address } });
      const out = again.sections.find((s) => s.name === '.text')!;
      expect(Buffer.from(out.bytes).toString('hex')).toBe(Buffer.from(text.bytes).toString('hex'));
    }, 30_000);
  }
});
