// Dead-code elimination on the machine IR: drops instructions whose results are dead (liveness, not mere
// mention: `addc b, d` reads d, yet is dead when d is never read afterwards). This is what turns a masked u16
// add into one `add`: the high word's `addc` is computed, never used, and removed here. Flags are tracked: a
// flag-setting instruction stays when a following jump or carry-reading op that stays needs it.
import { buildBlocks, liveness } from './liveness.ts';
import { hasSideEffect, KEEPS_FLAGS, type MFunction, type MInstr, USES_CARRY, usesDefs } from './mir.ts';

export function dce(f: MFunction): MFunction {
  let code = sweep(f.code);
  for (;;) {
    const blocks = buildBlocks(code);
    liveness(code, blocks);
    const keep: boolean[] = new Array(code.length).fill(true);
    for (const b of blocks) {
      const live = new Set(b.liveOut);
      // What the code after reads of the flags: none, only C (a carry-reading op), or any (a conditional jump).
      let need: 'none' | 'carry' | 'all' = 'none';
      for (let n = b.last; n >= b.first; n--) {
        const i = code[n]!;
        const ud = usesDefs(i);
        if (i.kind !== 'op') {
          if (i.kind === 'jump' && i.cond !== 'jmp') need = 'all';
          else if (i.kind !== 'jump') need = 'none';
          for (const d of ud.defs) live.delete(d);
          for (const u of ud.uses) live.add(u);
          continue;
        }
        const setsFlags = !KEEPS_FLAGS.has(i.op);
        const needed = hasSideEffect(i) || ud.defs.some((d) => live.has(d)) || (need !== 'none' && setsFlags);
        keep[n] = needed;
        if (!needed) continue;
        if (USES_CARRY.has(i.op)) need = 'carry';
        else if (setsFlags) need = 'none';
        else if (need === 'carry' && setsCarryOnly(i)) need = 'none'; // CLRC/SETC: what an RRC after it reads
        for (const d of ud.defs) live.delete(d);
        for (const u of ud.uses) live.add(u);
      }
    }
    const next = code.filter((_, n) => keep[n]);
    if (next.length === code.length) break;
    code = next;
  }
  return { ...f, code: removeSelfMoves(code) };
}

/**
 * Mark-and-sweep: keeps only what an observable effect (memory, MMIO, calls, returns, branches) depends on,
 * through register uses and carry/flag chains. Unlike liveness it removes dead cycles: the high word of a
 * u8/u16 loop variable that feeds only itself around the loop.
 */
function sweep(code: MInstr[]): MInstr[] {
  const ud = code.map(usesDefs);
  const defsOf = new Map<string, number[]>();
  ud.forEach((x, n) => {
    for (const d of x.defs) {
      if (!defsOf.has(d)) defsOf.set(d, []);
      defsOf.get(d)!.push(n);
    }
  });
  const marked = new Array<boolean>(code.length).fill(false);
  const work: number[] = [];
  const mark = (n: number) => {
    if (!marked[n]) {
      marked[n] = true;
      work.push(n);
    }
  };
  const readsFlags = (i: MInstr) => (i.kind === 'jump' && i.cond !== 'jmp') || (i.kind === 'op' && USES_CARRY.has(i.op));
  code.forEach((i, n) => {
    if (i.kind !== 'op' || hasSideEffect(i) || ud[n]!.defs.some((d) => d[0] === 'r')) mark(n);
  });
  while (work.length) {
    const n = work.pop()!;
    const i = code[n]!;
    for (const u of ud[n]!.uses) for (const d of defsOf.get(u) ?? []) mark(d);
    if (readsFlags(i)) {
      // The flag producer: the nearest earlier instruction that sets flags (jumps and flag-neutral ops skipped).
      for (let k = n - 1; k >= 0; k--) {
        const c = code[k]!;
        // A carry reader's C comes from CLRC/SETC where one is nearer (a jump's other flags come from further back).
        if (c.kind === 'op' && setsCarryOnly(c) && i.kind === 'op') break;
        if (c.kind === 'jump' || (c.kind === 'op' && KEEPS_FLAGS.has(c.op))) continue;
        if (c.kind === 'op') mark(k);
        break;
      }
    }
  }
  return code.filter((_, n) => marked[n]);
}

/**
 * CLRC and SETC (`bic #1, r2`, `bis #1, r2`, SLAU144 §3.4.6): BIC and BIS leave the flags alone (isa.ts keepsFlags) —
 * but with SR as destination they write C, and only C. They write a physical register: always kept.
 */
function setsCarryOnly(i: Extract<MInstr, { kind: 'op' }>): boolean {
  return (i.op === 'bic' || i.op === 'bis') && i.dst?.k === 'p' && i.dst.r === 2 && i.src?.k === 'imm' && i.src.v === 1;
}

function removeSelfMoves(code: MInstr[]): MInstr[] {
  return code.filter((i) => !(i.kind === 'op' && i.op === 'mov' && !i.b && i.src && i.dst && i.src.k === 'v' && i.dst.k === 'v' && i.src.id === i.dst.id));
}
