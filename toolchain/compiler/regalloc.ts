// Register allocation: liveness over basic blocks, one live interval per virtual register, linear scan over
// r4–r10 and r12–r15 (issue 4 item 4). Physical registers the code names (EABI argument/result registers,
// call clobbers r11–r15) are fixed live segments a virtual register may not overlap. A virtual register that
// finds no register lives in a frame slot for its whole life: MSP430 instructions take `x(r1)` operands on
// both sides, so a spilled value is used in place and needs no reload (only pointers and byte loads pass
// through the scratch register r11).
import { buildBlocks, liveness } from './liveness.ts';
import { CALLEE_SAVED, type MFunction, type MInstr, type Opnd, SCRATCH, p, usesDefs } from './mir.ts';

const ALLOCATABLE = [12, 13, 14, 15, ...CALLEE_SAVED];

export interface Allocated {
  fn: MFunction;
  /** Callee-saved registers the function uses (saved in the prologue). */
  saved: number[];
  /** Bytes below the saved registers: outgoing arguments, then spill slots. */
  frame: number;
  spills: number;
}

export function allocate(f: MFunction, paramVregs: Set<number>): Allocated {
  let code = f.code;
  let blocks = buildBlocks(code);
  liveness(code, blocks);
  // wasm locals start at zero: a non-parameter register live on entry is such a local; clear it first.
  const entryLive = [...(blocks[0]?.liveIn ?? [])].filter((k) => k.startsWith('v') && !paramVregs.has(Number(k.slice(1))));
  if (entryLive.length) {
    code = [...entryLive.map((k): MInstr => ({ kind: 'op', op: 'mov', src: { k: 'imm', v: 0 }, dst: { k: 'v', id: Number(k.slice(1)) } })), ...code];
    blocks = buildBlocks(code);
    liveness(code, blocks);
  }

  // Points and segments. Uses at 2i, defs at 2i+1.
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  const segs = new Map<number, [number, number][]>();
  const mark = (k: string, pos: number) => {
    if (!lo.has(k) || lo.get(k)! > pos) lo.set(k, pos);
    if (!hi.has(k) || hi.get(k)! < pos) hi.set(k, pos);
  };
  const seg = (k: string, s: number, e: number) => {
    if (k[0] !== 'r') return;
    const r = Number(k.slice(1));
    if (!segs.has(r)) segs.set(r, []);
    segs.get(r)!.push([s, e]);
  };
  const ud = code.map(usesDefs);
  for (const b of blocks) {
    const end = new Map<string, number>();
    for (const k of b.liveOut) {
      end.set(k, 2 * b.last + 1);
      mark(k, 2 * b.last + 1);
    }
    for (let i = b.last; i >= b.first; i--) {
      for (const d of ud[i]!.defs) {
        mark(d, 2 * i + 1);
        seg(d, 2 * i + 1, end.get(d) ?? 2 * i + 1);
        end.delete(d);
      }
      for (const u of ud[i]!.uses) {
        mark(u, 2 * i);
        if (!end.has(u)) end.set(u, 2 * i);
      }
    }
    for (const [k, e] of end) {
      mark(k, 2 * b.first);
      seg(k, 2 * b.first, e);
    }
  }
  const conflict = (r: number, s: number, e: number) => (segs.get(r) ?? []).some(([a, b]) => a <= e && s <= b);

  // Copy hints: `mov x, y` wants x and y in one register so the move disappears.
  const hints = new Map<number, Opnd[]>();
  const hint = (a: Opnd, b: Opnd) => {
    if (a.k !== 'v') return;
    if (!hints.has(a.id)) hints.set(a.id, []);
    hints.get(a.id)!.push(b);
  };
  for (const i of code) {
    if (i.kind === 'op' && i.op === 'mov' && !i.b && i.src && i.dst) {
      hint(i.dst, i.src);
      hint(i.src, i.dst);
    }
  }

  const intervals = [...lo.keys()].filter((k) => k[0] === 'v').map((k) => ({ id: Number(k.slice(1)), s: lo.get(k)!, e: hi.get(k)! }));
  intervals.sort((a, b) => a.s - b.s || a.id - b.id);
  const reg = new Map<number, number>();
  const spilled = new Set<number>();
  let active: { id: number; e: number; r: number }[] = [];
  for (const cur of intervals) {
    active = active.filter((a) => a.e >= cur.s);
    const busy = new Set(active.map((a) => a.r));
    const free = ALLOCATABLE.filter((r) => !busy.has(r) && !conflict(r, cur.s, cur.e));
    let choice: number | undefined;
    for (const h of hints.get(cur.id) ?? []) {
      const hr = h.k === 'p' ? h.r : h.k === 'v' ? reg.get(h.id) : undefined;
      if (hr !== undefined && free.includes(hr)) {
        choice = hr;
        break;
      }
    }
    choice ??= free[0];
    if (choice === undefined) {
      const victim = active.filter((a) => !conflict(a.r, cur.s, cur.e)).sort((a, b) => b.e - a.e)[0];
      if (victim && victim.e > cur.e) {
        choice = victim.r;
        reg.delete(victim.id);
        spilled.add(victim.id);
        active = active.filter((a) => a !== victim);
      } else {
        spilled.add(cur.id);
        continue;
      }
    }
    reg.set(cur.id, choice);
    active.push({ id: cur.id, e: cur.e, r: choice });
  }

  // Frame: outgoing stack arguments at the bottom, then one slot per spilled register.
  const slot = new Map<number, number>();
  let frame = f.outArea;
  for (const id of [...spilled].sort((a, b) => a - b)) {
    slot.set(id, frame);
    frame += 2;
  }
  const saved = CALLEE_SAVED.filter((r) => [...reg.values()].includes(r));

  const map = (o: Opnd): Opnd => {
    if (o.k === 'v') {
      const r = reg.get(o.id);
      if (r !== undefined) return p(r);
      const s = slot.get(o.id);
      if (s === undefined) return p(SCRATCH); // never live: a dead definition kept for its side effect
      return { k: 'slot', off: s };
    }
    if (o.k === 'arg') return { k: 'slot', off: frame + 2 * saved.length + 2 + o.off };
    if (o.k === 'out') return { k: 'slot', off: o.off };
    return o;
  };
  const out: MInstr[] = [];
  const viaScratch = (o: Opnd): Opnd => {
    if (o.k !== 'mem') return o;
    const base = map(o.base);
    if (base.k === 'p') return { ...o, base };
    out.push({ kind: 'op', op: 'mov', src: base, dst: p(SCRATCH) });
    return { ...o, base: p(SCRATCH) };
  };
  for (const i of code) {
    if (i.kind === 'op') {
      const src = i.src && viaScratch(map(i.src));
      const dst = i.dst && (i.dst.k === 'mem' ? viaScratch(i.dst) : map(i.dst));
      if (i.b && i.op === 'mov' && dst && dst.k === 'slot') {
        // A byte load zero-extends only into a register.
        out.push({ kind: 'op', op: 'mov', b: true, src, dst: p(SCRATCH) });
        out.push({ kind: 'op', op: 'mov', src: p(SCRATCH), dst });
        continue;
      }
      if (i.op === 'mov' && !i.b && src && dst && src.k === 'p' && dst.k === 'p' && src.r === dst.r) continue;
      out.push({ ...i, src, dst } as MInstr);
    } else if (i.kind === 'call') {
      let target = map(i.target);
      if (target.k !== 'p' && target.k !== 'imm') {
        out.push({ kind: 'op', op: 'mov', src: target, dst: p(SCRATCH) });
        target = p(SCRATCH);
      }
      out.push({ ...i, target });
    } else if (i.kind === 'jtab') {
      let index = map(i.index);
      if (index.k !== 'p') {
        out.push({ kind: 'op', op: 'mov', src: index, dst: p(SCRATCH) });
        index = p(SCRATCH);
      }
      out.push({ ...i, index });
    } else out.push(i);
  }
  return { fn: { ...f, code: out }, saved, frame, spills: spilled.size };
}
