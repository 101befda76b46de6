// Oracle: our encoding of every form the instruction table can produce equals llvm-mc's, byte for byte; forms
// llvm-mc refuses are named gap classes, and their bytes are judged by mspdebug's decoder instead.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { contents } from '../../toolchain/link/object.ts';
import { allForms } from './forms.ts';
import { assemblerGap, type Gap } from './gaps.ts';
import { crossCheckWithMspdebug } from './crosscheck.ts';
import { hasTool, llvmEncodings } from './llvm.ts';

describe('encodings vs llvm-mc', () => {
  it('every form: 0 mismatches; every rejection a named gap, confirmed by mspdebug', () => {
    expect(hasTool('llvm-mc'), 'llvm-mc missing: `make test` installs Debian llvm').toBe(true);
    expect(hasTool('mspdebug'), 'mspdebug missing: `make test` installs Debian mspdebug').toBe(true);
    const forms = allForms();
    const llvm = llvmEncodings(forms.map((f) => f.llvm));
    let matched = 0;
    const mismatches: string[] = [];
    const gaps = new Map<Gap, Uint8Array[]>();
    forms.forEach((f, i) => {
      const obj = assemble(f.ours, 'form.s');
      const text = obj.sections.find((s) => s.name === '.text')!;
      expect(text.relocs, f.ours).toEqual([]);
      const ours = contents(text);
      const ref = llvm[i]!;
      if (typeof ref === 'string') {
        const gap = assemblerGap(f.klass, f.ours);
        if (!gap) mismatches.push(`${f.ours}: llvm-mc rejects '${f.llvm}' (${ref}) and no gap class names it`);
        else (gaps.get(gap) ?? gaps.set(gap, []).get(gap)!).push(new Uint8Array(ours));
        return;
      }
      if (Buffer.from(ours).equals(Buffer.from(ref))) matched++;
      else mismatches.push(`${f.ours}: ours ${Buffer.from(ours).toString('hex')}, llvm-mc ${Buffer.from(ref).toString('hex')} for '${f.llvm}'`);
    });
    const gapItems = [...gaps.values()].flat();
    const cross = crossCheckWithMspdebug(gapItems);
    const lines = [
      `encoding oracle: ${forms.length} forms checked, ${matched} equal to llvm-mc byte for byte, ${mismatches.length} mismatches`,
      `llvm-mc gaps (${gapItems.length} forms), judged by mspdebug's decoder: ${cross.agree} agree, ${cross.byteQuirk} single-operand .b forms (mspdebug drops the .b), ${cross.symbolicQuirk} single-operand symbolic (mspdebug off by 2), ${cross.disagreements.length} disagree`,
      ...[...gaps].map(([g, v]) => `  - ${g}: ${v.length} forms`),
    ];
    console.log(lines.join('\n'));
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(cross.disagreements.slice(0, 20)).toEqual([]);
    expect(matched + gapItems.length).toBe(forms.length);
    expect(forms.length).toBeGreaterThan(50_000);
  });
});
