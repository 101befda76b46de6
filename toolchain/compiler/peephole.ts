// Peephole rules on allocated code (after regalloc.ts), each justified by the instruction table's facts (isa.ts):
//  - `mov a, b` then `mov b, a` (with only register moves between that write neither a nor b): the second move
//    writes what the register already holds; MOV keeps the flags (isa.ts keepsFlags), so dropping it changes
//    neither registers nor flags.
//  - `mov a, a` (a register): a no-op for the same reason.
//  - `OP x, r; cmp #0, r; jeq/jne L`: when OP sets the flags from its result (not keepsFlags, writes r), Z already
//    says r = 0 (TI guide §3.4.6: Z set if the result is zero); the compare only adds C = 1, N and V = 0, which
//    matter only if some instruction reads them before the next flag-setting one, on either path: then it stays.
import type { Allocated } from './regalloc.ts';
import { OP_BY_NAME } from '../msp430/isa.ts';
import { KEEPS_FLAGS, type MInstr, type Opnd, USES_CARRY } from './mir.ts';

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
  return { ...a, fn: { ...a.fn, code: dropZeroCompares(out) } };
}

/** Whether an instruction writes its destination and sets Z from the value written. */
function setsZFromResult(i: MInstr): i is Extract<MInstr, { kind: 'op' }> {
  if (i.kind !== 'op' || KEEPS_FLAGS.has(i.op)) return false;
  const def = OP_BY_NAME.get(i.op);
  if (!def) return false;
  return def.format === 'I' ? def.writesDst === true : def.timing === 'rmw';
}

/** From instruction n on, are the flags set again before anything but Z could be read? */
function flagsRewrittenFrom(code: MInstr[], n: number, labels: Map<string, number>, depth = 0): boolean {
  for (let k = n; k < code.length; k++) {
    const i = code[k]!;
    if (i.kind === 'label') continue;
    if (i.kind === 'op') {
      if (USES_CARRY.has(i.op)) return false;
      if (KEEPS_FLAGS.has(i.op)) continue;
      return true;
    }
    if (i.kind === 'jump') {
      if (i.cond !== 'jmp' && i.cond !== 'jeq' && i.cond !== 'jne') return false;
      if (i.target === '__hasm_trap') return true;
      const t = labels.get(i.target);
      if (t === undefined || depth > 4) return false;
      if (!flagsRewrittenFrom(code, t, labels, depth + 1)) return false;
      if (i.cond === 'jmp') return true;
      continue;
    }
    return i.kind === 'ret' || i.kind === 'call';
  }
  return true;
}

function dropZeroCompares(code: MInstr[]): MInstr[] {
  const labels = new Map<string, number>();
  code.forEach((i, n) => i.kind === 'label' && labels.set(i.name, n));
  const drop = new Set<number>();
  code.forEach((i, n) => {
    const prev = code[n - 1];
    const next = code[n + 1];
    if (i.kind !== 'op' || i.op !== 'cmp' || i.b || !(i.src?.k === 'imm' && i.src.v === 0) || i.dst?.k !== 'p') return;
    if (!prev || !setsZFromResult(prev) || prev.b || !sameReg(prev.dst, i.dst)) return;
    if (next?.kind !== 'jump' || (next.cond !== 'jeq' && next.cond !== 'jne')) return;
    const t = labels.get(next.target);
    const targetOk = next.target === '__hasm_trap' || (t !== undefined && flagsRewrittenFrom(code, t, labels));
    if (targetOk && flagsRewrittenFrom(code, n + 2, labels)) drop.add(n);
  });
  return code.filter((_, n) => !drop.has(n));
}
