// Peephole rules on allocated code (after regalloc.ts), each justified by the instruction table's facts (isa.ts):
//  - `mov a, b` then `mov b, a` (with only register moves between that write neither a nor b): the second move
//    writes what the register already holds; MOV keeps the flags (isa.ts keepsFlags), so dropping it changes
//    neither registers nor flags.
//  - `mov a, a` (a register): a no-op for the same reason.
import type { Allocated } from './regalloc.ts';
import { KEEPS_FLAGS, type MInstr, type Opnd } from './mir.ts';

const sameReg = (a: Opnd | undefined, b: Opnd | undefined) => a?.k === 'p' && b?.k === 'p' && a.r === b.r;

export function peephole(a: Allocated): Allocated {
  if (!KEEPS_FLAGS.has('mov')) return a; // the rules below rely on MOV leaving the flags alone
  const out: MInstr[] = [];
  for (const i of a.fn.code) {
    if (i.kind === 'op' && i.op === 'mov' && !i.b) {
      if (sameReg(i.src, i.dst)) continue;
      let redundant = false;
      for (let k = out.length - 1; k >= 0; k--) {
        const q = out[k]!;
        if (q.kind !== 'op' || q.op !== 'mov' || q.b || q.src?.k !== 'p' || q.dst?.k !== 'p') break;
        if (sameReg(q.src, i.dst) && sameReg(q.dst, i.src)) {
          redundant = true;
          break;
        }
        if (sameReg(q.dst, i.src) || sameReg(q.dst, i.dst)) break; // a or b written in between
      }
      if (redundant) continue;
    }
    out.push(i);
  }
  return { ...a, fn: { ...a.fn, code: out } };
}
