// Operand folding on allocated code (after regalloc.ts and peephole.ts): a value loaded into a register only to be
// used once by the next instruction is used in place, since MSP430 format I instructions take any source mode and
// an indexed, absolute or register destination (TI guide SLAU144 §3.3, §3.4.6.1). Each rule needs the register
// dead after the pattern (liveness.ts on physical registers) and the pattern's instructions in one basic block,
// adjacent — or, when S is plain RAM, with register-only instructions or stores provably apart from S in between
// (`user`, `windowedUpdate`; and `forward`: a value just stored is read back from where it came):
//  - copy:    `mov S, rX; mov rX, D`            → `mov S, D`
//  - operand: `mov S, rX; OP rX, rY`            → `OP S, rY`         (OP a format I instruction reading its source)
//  - update:  `mov S, rX; OP T, rX; mov rX, S`  → `OP T, S`          (S a register or memory; read, then written once)
//  - test:    `mov S, rX; cmp|bit T, rX`        → `cmp|bit T, S`
// Every memory operand is read (and written) as often as before; the update and test rules read T before S (the
// MSP430 fetches the source first), so there S or T must be plain RAM (`ram`): two peripheral registers are never
// read in the other order. A peripheral register sees the same bus accesses. MOV keeps the flags (isa.ts keepsFlags), so dropping it changes none of them.
// Byte and word forms mix only where the bytes agree: a byte load `mov.b S, rX` zero-extends, so a word OP on rX
// equals the byte OP on S in its low byte — kept only when what differs cannot be seen: the flags (N and V; Z and
// C too for an update) are set again before any instruction reads them (`flagsReadFrom`).
// And `cmp #0, X; jlo L` never jumps (X − 0 never borrows: C = 1, TI guide §3.4.6.6): the jump is dropped.
import { buildBlocks, liveness } from './liveness.ts';
import { type Cond, KEEPS_FLAGS, type MInstr, type Opnd, USES_CARRY, usesDefs } from './mir.ts';
import { OP_BY_NAME } from '../msp430/isa.ts';
import type { Allocated } from './regalloc.ts';

type Op = Extract<MInstr, { kind: 'op' }>;

const isOp = (i: MInstr | undefined): i is Op => i?.kind === 'op';
/** A general-purpose register operand (r4–r15: never PC, SP, SR or the constant generator). */
const gpr = (o: Opnd | undefined): o is { k: 'p'; r: number } => o?.k === 'p' && o.r >= 4;
const sameOpnd = (a: Opnd, b: Opnd): boolean => JSON.stringify(a) === JSON.stringify(b);
/** Whether an operand reads register r (itself, or as a memory base). */
const mentions = (o: Opnd | undefined, r: number): boolean => !!o && ((o.k === 'p' && o.r === r) || (o.k === 'mem' && mentions(o.base, r)));
/** Operands a folded instruction may name as source (anything but the frame's `arg`/`out` pseudo-operands). */
const source = (o: Opnd | undefined): o is Opnd => !!o && (o.k === 'imm' || o.k === 'abs' || o.k === 'mem' || o.k === 'slot' || gpr(o));
/** Operands a folded instruction may write. */
const place = (o: Opnd | undefined): o is Opnd => !!o && (o.k === 'abs' || o.k === 'mem' || o.k === 'slot' || gpr(o));
/** A byte form's source: a register's or an immediate's low byte is the byte; a memory word's is its first byte. */
const byteImm = (o: Opnd): Opnd => (o.k === 'imm' && typeof o.v === 'number' ? { k: 'imm', v: o.v & 0xff } : o);

/** Format I operations that read their source and destination (the operand rule; not MOV). */
function readsBoth(op: string): boolean {
  const d = OP_BY_NAME.get(op);
  return !!d && d.format === 'I' && d.readsDst === true;
}

/** Which flags the code from n on may read before they are set again: 0 none, 1 Z and C only, 2 N or V too. */
function flagsReadFrom(code: MInstr[], n: number, labels: Map<string, number>, depth = 0): 0 | 1 | 2 {
  let worst: 0 | 1 | 2 = 0;
  for (let k = n; k < code.length; k++) {
    const i = code[k]!;
    if (i.kind === 'label') continue;
    if (i.kind === 'op') {
      if (USES_CARRY.has(i.op)) worst = Math.max(worst, 1) as 0 | 1 | 2;
      if (!KEEPS_FLAGS.has(i.op)) return worst;
      continue;
    }
    if (i.kind === 'jump') {
      const c: Cond = i.cond;
      if (c === 'jn' || c === 'jge' || c === 'jl') return 2;
      if (c !== 'jmp') worst = Math.max(worst, 1) as 0 | 1 | 2;
      if (i.target === '__hasm_trap') return worst;
      const t = labels.get(i.target);
      if (t === undefined || depth > 4) return 2;
      worst = Math.max(worst, flagsReadFrom(code, t, labels, depth + 1)) as 0 | 1 | 2;
      if (c === 'jmp' || worst === 2) return worst;
      continue;
    }
    if (i.kind === 'ret' || i.kind === 'call') return worst; // EABI: no flags across calls and returns
    return 2;
  }
  return worst;
}

/** Registers live after each instruction. */
function liveAfter(code: MInstr[]): Set<string>[] {
  const blocks = buildBlocks(code);
  liveness(code, blocks);
  const out: Set<string>[] = new Array(code.length);
  for (const b of blocks) {
    const live = new Set(b.liveOut);
    for (let i = b.last; i >= b.first; i--) {
      out[i] = new Set(live);
      const ud = usesDefs(code[i]!);
      for (const d of ud.defs) live.delete(d);
      for (const u of ud.uses) live.add(u);
    }
  }
  return out;
}

/** One rule at position n (a `mov S, rX`): the replacement and how many instructions it replaces, if any. */
function foldAt(code: MInstr[], n: number, live: Set<string>[], labels: Map<string, number>): { with: MInstr[]; count: number } | undefined {
  const m = code[n]!;
  if (!isOp(m) || m.op !== 'mov' || !gpr(m.dst) || !source(m.src)) return undefined;
  const x = m.dst.r;
  const S = m.src;
  const dead = (k: number) => !live[k]!.has(`r${x}`);
  const j = user(code, n, x, S);
  const next = code[j];
  if (!isOp(next) || !next.src || !next.dst) return undefined;
  if (j > n + 1) {
    // Only the one-use rules move the read of S later, past instructions that leave rX, S and its base alone.
    const f = foldPair(m, next, x, S, dead(j), code, j, labels);
    return f ? { with: [...code.slice(n + 1, j), f], count: j - n + 1 } : windowedUpdate(code, n, j, x, S, live);
  }
  const pair = foldPair(m, next, x, S, dead(n + 1), code, n + 1, labels);
  if (pair) return { with: [pair], count: 2 };
  // update
  const third = code[n + 2];
  if (
    readsBoth(next.op) && OP_BY_NAME.get(next.op)!.writesDst && gpr(next.dst) && next.dst.r === x && !mentions(next.src, x) &&
    isOp(third) && third.op === 'mov' && third.src?.k === 'p' && third.src.r === x && third.dst && place(S) && sameOpnd(third.dst, S) &&
    !mentions(S, x) && dead(n + 2) && (ram(S) || ram(next.src))
  ) {
    if (!m.b && !next.b && !third.b) return { with: [{ kind: 'op', op: next.op, src: next.src, dst: S }], count: 3 };
    if (m.b && third.b && (next.b || next.src.k === 'imm' || gpr(next.src))) {
      // The low byte agrees; the flags of a word OP on a zero-extended byte may not (BIC/BIS set none).
      if (next.b || KEEPS_FLAGS.has(next.op) || flagsReadFrom(code, n + 3, labels) === 0) {
        return { with: [{ kind: 'op', op: next.op, b: true, src: byteImm(next.src), dst: S }], count: 3 };
      }
    }
    return undefined;
  }
  return windowedUpdate(code, n, n + 1, x, S, live);
}

/** The two-instruction rules (copy, test, operand) for `mov S, rX` and its one use `next` (at index at). */
function foldPair(m: Op, next: Op, x: number, S: Opnd, deadAfter: boolean, code: MInstr[], at: number, labels: Map<string, number>): MInstr | undefined {
  if (!next.src || !next.dst || !deadAfter) return undefined;
  // copy
  if (next.op === 'mov' && next.src.k === 'p' && next.src.r === x && place(next.dst) && !mentions(next.dst, x) && deadAfter) {
    if (m.b && !next.b) return undefined; // a word store of a zero-extended byte
    return { kind: 'op', op: 'mov', b: next.b, src: next.b ? byteImm(S) : S, dst: next.dst };
  }
  // test
  if ((next.op === 'cmp' || next.op === 'bit') && gpr(next.dst) && next.dst.r === x && !mentions(next.src, x) && place(S) && deadAfter && (ram(S) || ram(next.src))) {
    if (m.b === next.b) return { kind: 'op', op: next.op, b: m.b, src: next.src, dst: S };
    // mov.b S, rX; cmp/bit #k, rX with k < 256: Z and C agree with the byte form, N and V need not.
    if (m.b && next.src.k === 'imm' && typeof next.src.v === 'number' && next.src.v < 0x100 && flagsReadFrom(code, at + 1, labels) < 2) {
      return { kind: 'op', op: next.op, b: true, src: next.src, dst: S };
    }
    return undefined;
  }
  // operand
  if (readsBoth(next.op) && next.src.k === 'p' && next.src.r === x && !mentions(next.dst, x) && deadAfter) {
    if (m.b && !next.b) return undefined; // the word OP needs the zero-extended byte
    return { kind: 'op', op: next.op, b: next.b, src: next.b ? byteImm(S) : S, dst: next.dst };
  }
  return undefined;
}

/**
 * Store-to-load forwarding: `mov V, D; mov D, rB` (D plain RAM, the same width) reads back what was just written,
 * so the load takes V itself (a byte load zero-extends, and so does `mov.b V, rB`); `mov rB, D; mov D, rB` needs
 * nothing more. A peripheral register may read back something else: only RAM.
 */
function forward(st: MInstr, ld: MInstr | undefined): MInstr[] | undefined {
  if (!isOp(st) || !isOp(ld) || st.op !== 'mov' || ld.op !== 'mov' || !!st.b !== !!ld.b || !st.src || !st.dst || !ld.src || !gpr(ld.dst)) return undefined;
  if (!ram(st.dst) || st.dst.k === 'imm' || st.dst.k === 'p' || !sameOpnd(st.dst, ld.src)) return undefined;
  if (!(st.src.k === 'imm' || gpr(st.src))) return undefined;
  if (!st.b && gpr(st.src) && st.src.r === ld.dst.r) return [];
  return [{ kind: 'op', op: 'mov', b: st.b, src: st.b ? byteImm(st.src) : st.src, dst: ld.dst }];
}

/** Plain RAM (or the read-only ROM tail, rom-tail.ts) or a register or constant: reading it has no effect and gives what was last written. */
function ram(S: Opnd): boolean {
  return S.k === 'slot' || ((S.k === 'abs' || S.k === 'mem') && !!S.sym && /^__(hasm_mem|hasm_rom|m_g_|hasm_rt_g_)/.test(S.sym)) || S.k === 'imm' || gpr(S);
}

/**
 * The index of the instruction that reads rX after `mov S, rX` at n: the next one, or a later one when every
 * instruction between is an ALU op on registers (memory only read, and only when S is plain RAM: a peripheral
 * register's read is not moved past other accesses) that neither reads nor writes rX nor writes a register S names.
 */
function user(code: MInstr[], n: number, x: number, S: Opnd): number {
  const plain = ram(S);
  for (let j = n + 1; j < Math.min(code.length, n + 6); j++) {
    const i = code[j]!;
    if (!isOp(i) || !i.dst) return n + 1;
    if (mentions(i.src, x) || mentions(i.dst, x)) return j;
    if (!plain || i.op === 'push' || (i.dst.k === 'p' && i.dst.r < 4)) return n + 1;
    const writes = OP_BY_NAME.get(i.op)?.format !== 'I' || OP_BY_NAME.get(i.op)!.writesDst; // not CMP, BIT
    if (!writes) continue;
    if (i.dst.k === 'p' ? mentions(S, i.dst.r) : !disjoint(S, i.dst, i.b)) return n + 1;
  }
  return n + 1;
}

/**
 * Whether memory operand `b` (a byte if `bByte`) provably shares no byte with the word or byte S: S a constant or
 * register; or both absolute, in different objects (symbols, not board regions) or the same one at offsets that do
 * not overlap; or
 * both frame slots that do not overlap. Anything addressed through a register may be anywhere.
 */
function disjoint(S: Opnd, b: Opnd, bByte = false, sByte = false): boolean {
  if (S.k === 'imm' || S.k === 'p') return true;
  const sz = (byte: boolean) => (byte ? 1 : 2);
  const apart = (o1: number, n1: number, o2: number, n2: number) => o1 + n1 <= o2 || o2 + n2 <= o1;
  // Distinct symbols are distinct objects or peripheral registers (never RAM) — but a board symbol (`__board_NAME`,
  // peripherals.ts) may name a whole memory region, RAM included, and a number (`hasm.mmio_*` at a constant address,
  // intrinsics.ts) may be any address at all: neither is provably apart from anything but itself.
  const object = (o: Opnd) => o.k === 'abs' && !o.sym.startsWith('__board_') && !/^(0x)?[0-9]/i.test(o.sym);
  if (S.k === 'abs' && b.k === 'abs') return S.sym === b.sym ? apart(S.off, sz(sByte), b.off, sz(bByte)) : object(S) && object(b);
  if (S.k === 'slot' && b.k === 'slot') return apart(S.off, sz(sByte), b.off, sz(bByte));
  return (S.k === 'slot' && object(b)) || (object(S) && b.k === 'slot');
}

/**
 * The windowed update: `mov S, rX; …; OP T, rX; …; mov rX, S` (words, S plain RAM) → `…; OP T, S; …` when the
 * instructions before OP pass `user`'s test and those between OP and the store touch neither rX nor any byte of S
 * (the store now happens at OP: nothing between may read the old value) nor a register (SP) S is addressed by.
 * A 32-bit `x += y` on a static keeps its carry chain: `add y0, &x; addc y1, &x+2` (the moved movs set no flags).
 */
function windowedUpdate(code: MInstr[], n: number, j: number, x: number, S: Opnd, live: Set<string>[]): { with: MInstr[]; count: number } | undefined {
  const m = code[n] as Op;
  const o = code[j] as Op;
  if (m.b || o.b || !ram(S) || !place(S) || mentions(S, x) || !o.src || !readsBoth(o.op) || !OP_BY_NAME.get(o.op)!.writesDst) return undefined;
  if (!gpr(o.dst) || o.dst.r !== x || mentions(o.src, x)) return undefined;
  if (o.src.k !== 'imm' && o.src.k !== 'p' && !disjoint(S, o.src)) return undefined;
  for (let k = j + 1; k < Math.min(code.length, j + 6); k++) {
    const i = code[k]!;
    if (!isOp(i) || !i.dst) return undefined;
    if (mentions(i.src, x) || mentions(i.dst, x)) {
      const store = i.op === 'mov' && !i.b && i.src?.k === 'p' && i.src.r === x && sameOpnd(i.dst, S) && !live[k]!.has(`r${x}`);
      return store ? { with: [...code.slice(n + 1, j), { kind: 'op', op: o.op, src: o.src, dst: S }, ...code.slice(j + 1, k)], count: k - n + 1 } : undefined;
    }
    if (i.op === 'push' || (i.dst.k === 'p' && i.dst.r < 4)) return undefined;
    for (const opnd of [i.src, i.dst]) if (opnd && opnd.k !== 'p' && opnd.k !== 'imm' && !disjoint(S, opnd, i.b)) return undefined;
  }
  return undefined;
}

export function fold(a: Allocated): Allocated {
  let code = a.fn.code;
  for (let round = 0; round < 8; round++) {
    const labels = new Map<string, number>();
    code.forEach((i, n) => i.kind === 'label' && labels.set(i.name, n));
    const live = liveAfter(code);
    const out: MInstr[] = [];
    let changed = false;
    for (let n = 0; n < code.length; n++) {
      const i = code[n]!;
      const prev = code[n - 1];
      if (i.kind === 'jump' && i.cond === 'jlo' && isOp(prev) && prev.op === 'cmp' && prev.src?.k === 'imm' && prev.src.v === 0) {
        changed = true;
        continue;
      }
      const fw = forward(i, code[n + 1]);
      if (fw) {
        out.push(i, ...fw);
        n += 1;
        changed = true;
        continue;
      }
      const f = foldAt(code, n, live, labels);
      if (f) {
        out.push(...f.with);
        n += f.count - 1;
        changed = true;
        continue;
      }
      out.push(i);
    }
    code = out;
    if (!changed) break;
  }
  return { ...a, fn: { ...a.fn, code } };
}
