// Oracle: our decoding of every 16-bit first word (with fixed extension words) prints exactly what llvm-objdump
// prints, and is invalid exactly where llvm-objdump says <unknown> — except in named gap classes where LLVM's
// MSP430 disassembler is incomplete (and, for a few words, crashes); those are judged by mspdebug's decoder.
import { describe, expect, it } from 'vitest';
import { decode } from '../../toolchain/msp430/decode.ts';
import { encode } from '../../toolchain/msp430/encode.ts';
import { printInstruction } from '../../toolchain/msp430/print.ts';
import { breathe } from '../event-loop.ts';
import { crossCheckWithMspdebug } from './crosscheck.ts';
import { disassemblerGap, type Gap } from './gaps.ts';
import { hasTool, llvmDisassemble } from './llvm.ts';

// Two sets of extension words: each is itself a one-word instruction, so llvm-objdump stays in step after a short
// or invalid first word; the second set has the sign bit set, to see signed and unsigned printing.
const EXT_SETS = [
  [0x4304, 0x4305],
  [0x8304, 0x9305],
];

describe('disassembler vs llvm-objdump', () => {
  it('all 65,536 first words × 2 extension sets', { timeout: 300_000 }, async () => {
    expect(hasTool('llvm-objdump'), 'llvm-objdump missing: `make test` installs Debian llvm').toBe(true);
    let agree = 0;
    let invalidBoth = 0;
    const mismatches: string[] = [];
    const crashes: number[] = [];
    const gaps = new Map<Gap, number>();
    const gapBytes: Uint8Array[] = [];
    for (const ext of EXT_SETS) {
      const judge = (w: number, llvmText: string | undefined) => {
        const ins = decode((i) => (i === 0 ? w : ext[i - 1]!));
        const ours = ins ? printInstruction(ins, { syntax: 'llvm' }).replace(/\s+/g, ' ') : '<unknown>';
        if (llvmText !== undefined && ours === llvmText) {
          agree++;
          if (!ins) invalidBoth++;
          return;
        }
        const gap = ins && disassemblerGap(ins);
        if (!gap) {
          mismatches.push(`0x${w.toString(16)}: llvm-objdump '${llvmText ?? '(crashed)'}', ours '${ours}'`);
          return;
        }
        gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
        const words = encode(ins);
        gapBytes.push(new Uint8Array(words.flatMap((x) => [x & 0xff, x >> 8])));
      };
      const run = (start: number, end: number) => {
        while (start < end) {
          const words: number[] = [];
          for (let w = start; w < end; w++) words.push(w, ...ext);
          const r = llvmDisassemble(words);
          // llvm-objdump 14/19 abort on some push forms. What it printed before aborting stands; the word after the
          // last complete triple is the one it died on: judge it on its own and carry on after it.
          const printed = r.crashed ? Math.max(-1, ...r.byAddress.keys()) : Infinity;
          let w = start;
          for (; w < end && (w - start) * 6 + 4 <= printed; w++) judge(w, r.byAddress.get((w - start) * 6)?.replace(/\s+/g, ' '));
          if (!r.crashed) return;
          crashes.push(w);
          judge(w, undefined);
          start = w + 1;
        }
      };
      for (let s = 0; s < 0x10000; s += 0x2000) {
        run(s, s + 0x2000);
        await breathe();
      }
    }
    const cross = crossCheckWithMspdebug(gapBytes);
    console.log(
      [
        `disassembler oracle: ${2 * 65536} first words, ${agree} print exactly as llvm-objdump (${invalidBoth} invalid in both), ${mismatches.length} mismatches`,
        `llvm-objdump crashed on ${crashes.length} words (${[...new Set(crashes)].map((w) => '0x' + w.toString(16)).slice(0, 8).join(' ')} …), each in a gap class below`,
        `llvm-objdump gaps (${gapBytes.length} words), judged by mspdebug's decoder: ${cross.agree} agree, ${cross.byteQuirk} single-operand .b forms (mspdebug drops the .b), ${cross.symbolicQuirk} single-operand symbolic (mspdebug off by 2), ${cross.disagreements.length} disagree`,
        ...[...gaps].map(([g, n]) => `  - ${g}: ${n}`),
      ].join('\n'),
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(cross.disagreements.slice(0, 20)).toEqual([]);
    expect(agree + gapBytes.length).toBe(2 * 65536);
  });
});
