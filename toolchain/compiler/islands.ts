// Jump islands: a conditional jump out of reach costs 6 bytes in its long form (an inverted jump over `br #t`,
// `jn` 8), a short one 2. When several such jumps go to one target — typically a function's trap stub at its end,
// reached from the bounds checks of a long function — a shared island `Li: br #t` (4 bytes, or a short `jmp` when
// t is near) placed where no code falls through (after a jmp, ret or jump table) within their reach lets each of
// them stay short: 4 bytes saved per jump for 4 spent per island.
import type { Allocated } from './regalloc.ts';
import type { MInstr } from './mir.ts';
import { layout, longJumps, reaches } from './emit.ts';

/**
 * Bytes kept free in the reach of a redirected jump: islands placed later, and jumps turning long, can only grow
 * the code between a jump and its island (each insertion is re-checked by the final relaxation, which gives any
 * jump that no longer reaches its long form, so the margin only keeps that rare).
 */
const MARGIN = 96;

/** The function with islands inserted for the long conditional jumps that share a target; the rest unchanged. */
export function withIslands(a: Allocated): Allocated {
  let code = a.fn.code.slice();
  const cur = () => ({ ...a, fn: { ...a.fn, code } });
  const hopeless = new Set<MInstr>();
  let k = 0;
  for (;;) {
    const long = longJumps(cur(), false);
    const { at } = layout(cur(), long);
    const cand = [...long].sort((x, y) => x - y).filter((n) => {
      const i = code[n]!;
      return i.kind === 'jump' && i.cond !== 'jmp' && !hopeless.has(i);
    });
    if (!cand.length) return cur();
    const first = cand[0]!;
    const target = (code[first] as Extract<MInstr, { kind: 'jump' }>).target;
    const same = cand.filter((n) => (code[n] as Extract<MInstr, { kind: 'jump' }>).target === target);
    // Where an island may go: before instruction b when b-1 never falls through.
    let best = -1;
    let users: number[] = [];
    for (let b = 1; b <= code.length; b++) {
      const prev = code[b - 1]!;
      if (!((prev.kind === 'jump' && prev.cond === 'jmp') || prev.kind === 'ret' || prev.kind === 'jtab')) continue;
      const pc = b < code.length ? at[b]! : at[b - 1]! + 8;
      if (!reaches(at[first]!, pc, MARGIN)) continue;
      const u = same.filter((n) => reaches(at[n]!, pc, MARGIN));
      if (u.length > users.length) {
        best = b;
        users = u;
      }
    }
    if (users.length < 2) {
      hopeless.add(code[first]!);
      continue;
    }
    const label = `.L${a.fn.sym}$is${k++}`;
    for (const n of users) code[n] = { ...(code[n] as Extract<MInstr, { kind: 'jump' }>), target: label };
    code = [...code.slice(0, best), { kind: 'label', name: label }, { kind: 'jump', cond: 'jmp', target }, ...code.slice(best)];
  }
}
