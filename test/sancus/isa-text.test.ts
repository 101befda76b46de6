// The Sancus mnemonics in our assembler and disassembler listing (toolchain/msp430/sancus-isa.ts).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { contents } from '../../toolchain/link/object.ts';
import { disassembleBytes } from '../../toolchain/msp430/disassemble.ts';
import { decode } from '../../toolchain/msp430/decode.ts';
import { SANCUS_OPS } from '../../toolchain/msp430/sancus-isa.ts';

describe('Sancus mnemonics', () => {
  it('assemble to 0x1380–0x1389 and list back by name; decode() still calls them invalid (plain MSP430)', () => {
    const src = SANCUS_OPS.map((o) => `  ${o.mnemonic}`).join('\n') + '\n';
    const obj = assemble(src, 't.s');
    const bytes = contents(obj.sections.find((s) => s.name === '.text')!);
    const words = Array.from({ length: bytes.length / 2 }, (_, i) => bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
    expect(words).toEqual(SANCUS_OPS.map((o) => o.word));
    expect(words.map((w) => 0x1380 + (w & 0xf))).toEqual(words);
    const lines = disassembleBytes(bytes, 0x4000);
    expect(lines.map((l) => l.text)).toEqual(SANCUS_OPS.map((o) => o.mnemonic));
    for (const w of words) expect(decode(() => w)).toBeUndefined();
    expect(disassembleBytes(Uint8Array.of(0x8a, 0x13), 0)[0]!.invalid).toBe(true); // 0x138A is no Sancus word
  });
  it('refuses operands', () => {
    expect(() => assemble('  sancus.wrap r9\n', 't.s')).toThrow(/takes no operands/);
  });
});
