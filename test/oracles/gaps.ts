// The known gaps of LLVM's MSP430 target (measured with Debian's llvm 14 and 19; research/README.md): valid
// forms its assembler rejects or its disassembler cannot decode. Where it is silent, mspdebug's decoder and the
// TI family guide's encoding rules judge our bytes instead; every gap is named here and counted in the test output.
import type { Instruction } from '../../toolchain/msp430/instruction.ts';

export type Gap =
  | 'mov @Rn+ to a memory destination (incl. pop to memory)'
  | 'single-operand rrc/rra/swpb/sxt with #imm or a constant'
  | 'push with a memory operand, push.b with #imm'
  | 'pop.b (no such mnemonic in llvm-mc)'
  | 'br @Rn / br @Rn+'
  | 'indirect PC source @r0'
  | 'single-operand with the constant generator (r2/r3 source)';

/** Forms llvm-mc refuses to assemble, by the form's class (see forms.ts) and our text. */
export function assemblerGap(klass: string, ours: string): Gap | undefined {
  if (/^I autoinc->(indexed|symbolic|absolute)$/.test(klass) && ours.startsWith('mov')) return 'mov @Rn+ to a memory destination (incl. pop to memory)';
  if (/^emulated pop (indexed|symbolic|absolute)$/.test(klass) && !ours.startsWith('pop.b')) return 'mov @Rn+ to a memory destination (incl. pop to memory)';
  if (/^II (rrc|rra|swpb|sxt) (immediate|const)$/.test(klass)) return 'single-operand rrc/rra/swpb/sxt with #imm or a constant';
  if (/^II push (indexed|symbolic|absolute|indirect|autoinc)$/.test(klass)) return 'push with a memory operand, push.b with #imm';
  if (/^II push (immediate|const)$/.test(klass) && ours.startsWith('push.b')) return 'push with a memory operand, push.b with #imm';
  if (/^emulated pop /.test(klass) && ours.startsWith('pop.b')) return 'pop.b (no such mnemonic in llvm-mc)';
  if (/^emulated br (indirect|autoinc)$/.test(klass)) return 'br @Rn / br @Rn+';
  return undefined;
}

/** Words llvm-objdump decodes differently or not at all, judged from our decoding of them. */
export function disassemblerGap(ins: Instruction): Gap | undefined {
  const s = ins.src;
  if (s?.mode === 'indirect' && s.reg === 0) return 'indirect PC source @r0';
  if (ins.op.format === 'I') {
    if (ins.op.mnemonic === 'mov' && s?.mode === 'autoinc' && ins.dst!.mode !== 'reg') return 'mov @Rn+ to a memory destination (incl. pop to memory)';
    return undefined;
  }
  if (ins.op.format !== 'II' || !s) return undefined;
  if (ins.op.mnemonic === 'push' && (ins.byte ? s.mode !== 'reg' : ['indexed', 'symbolic', 'absolute', 'indirect', 'autoinc'].includes(s.mode))) {
    return 'push with a memory operand, push.b with #imm';
  }
  if (s.mode === 'const') return 'single-operand with the constant generator (r2/r3 source)';
  if (s.mode === 'immediate' && ['rrc', 'rra', 'swpb', 'sxt'].includes(ins.op.mnemonic)) return 'single-operand rrc/rra/swpb/sxt with #imm or a constant';
  return undefined;
}
