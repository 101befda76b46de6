// Cross-checks instructions with mspdebug's decoder: it disassembles our bytes, our assembler re-encodes its text at
// the same address, and both must mean the same instruction (sameMeaning).
import { loadBoard } from '../../boards/board.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { decode } from '../../toolchain/msp430/decode.ts';
import { sizeInWords } from '../../toolchain/msp430/instruction.ts';
import { link } from '../../toolchain/link/link.ts';
import { mspdebugDisassemble, mspdebugToGnu } from './mspdebug.ts';
import { sameMeaning } from './semantics.ts';

const BASE = 0x4000;

export interface CrossCheck {
  checked: number;
  agree: number;
  /**
   * mspdebug 0.22's disassembler drops `.B` on PUSH.B and on single-operand byte forms with an immediate or
   * constant-generator source (its quirk, seen on these bytes): compared without the size, counted apart.
   */
  byteQuirk: number;
  /** mspdebug 0.22 resolves a single-operand symbolic operand 2 bytes past its target (TI: PC = the word's address). */
  symbolicQuirk: number;
  disagreements: string[];
}

/** `items` are instruction byte strings (each one whole instruction, our encoding). */
export function crossCheckWithMspdebug(items: Uint8Array[]): CrossCheck {
  const board = loadBoard('emulated');
  const result: CrossCheck = { checked: 0, agree: 0, byteQuirk: 0, symbolicQuirk: 0, disagreements: [] };
  // Chunks keep every address inside the 16-bit space with the next instruction's room to spare.
  for (let start = 0; start < items.length; ) {
    const chunk: { at: number; bytes: Uint8Array }[] = [];
    let addr = BASE;
    while (start < items.length && addr + items[start]!.length < 0xff00) {
      chunk.push({ at: addr, bytes: items[start]! });
      addr += items[start]!.length;
      start++;
    }
    const buf = new Uint8Array(addr - BASE);
    for (const c of chunk) buf.set(c.bytes, c.at - BASE);
    const texts = mspdebugDisassemble(buf, BASE);
    for (const c of chunk) {
      result.checked++;
      const word = (b: Uint8Array) => (i: number) => b[2 * i]! | (b[2 * i + 1]! << 8);
      const ours = decode(word(c.bytes))!;
      const text = texts.get(c.at);
      const fail = (why: string) => result.disagreements.push(`0x${c.at.toString(16)} ${Buffer.from(c.bytes).toString('hex')}: ${why}`);
      if (!text) {
        fail('mspdebug printed nothing');
        continue;
      }
      let again;
      try {
        const obj = assemble(`${mspdebugToGnu(text)}\n`, 'mspdebug.s');
        const img = link([obj], { board, place: { '.text': c.at } });
        const t = img.sections.find((s) => s.name === '.text')!;
        again = decode(word(t.bytes));
        if (!again || 2 * sizeInWords(again) !== t.size) throw new Error(`re-encoded as ${t.size} bytes`);
      } catch (e) {
        fail(`mspdebug says '${text}', which we cannot re-encode: ${(e as Error).message}`);
        continue;
      }
      if (sameMeaning(ours, again)) {
        result.agree++;
        continue;
      }
      // mspdebug's two disassembler quirks on single-operand forms, each counted where it explains the difference.
      const single = ours.op.format === 'II';
      const byteDropped = single && ours.byte && !again.byte;
      const shifted = single && ours.src?.mode === 'symbolic' && again.src?.mode === 'symbolic' && ((again.src.value - ours.src.value) & 0xffff) === 2;
      const adjusted = shifted ? { ...ours, src: again.src } : ours;
      if ((byteDropped || shifted) && sameMeaning(adjusted, again, { ignoreByte: byteDropped })) {
        if (byteDropped) result.byteQuirk++;
        if (shifted) result.symbolicQuirk++;
      } else fail(`mspdebug says '${text}'`);
    }
  }
  return result;
}
