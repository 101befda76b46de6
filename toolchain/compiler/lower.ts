// Lowering: one Binaryen function → machine IR over 16-bit virtual registers (ARCHITECTURE.md "The compiler
// path" 3–5). Values are word lists (least significant first); a word that is a known constant stays a constant
// operand, which is how u8/u16/bool code ends up as single 16-bit instructions: a masked or zero-extended value
// has the constant 0 as its high word, every later operation folds it, and dce.ts removes what is left over.
import binaryen from 'binaryen';
import { InputError } from '../common/errors.ts';
import type { AluOp } from '../msp430/isa.ts';
import { assignArgs, resultRegs } from '../abi/eabi.ts';
import { lowerIntrinsic } from './intrinsics.ts';
import { type Cond, type MFunction, type MInstr, type Opnd, imm, isConst, p, v } from './mir.ts';
import { type FuncInfo, type ModuleInfo, sigOf, typeName, wordsOf } from './module-info.ts';
import { TRAP, type TrapReason } from './traps.ts';
import { exprInfo, walk } from './ir-walk.ts';
import { guardedIncrements } from './narrow.ts';
import { localRanges, Ranges } from './ranges.ts';
import { type LocalId, localWebs } from './local-webs.ts';
import { abortText, TRAP_INFO_SYM } from './abort.ts';

export interface LowerContext {
  mod: ModuleInfo;
  /** Symbol of a wasm function (defined or helper). */
  funcSym: (name: string) => string;
  /** Symbol of a mutable global's storage. */
  globalSym: (name: string) => string;
  /** Bytes of linear memory actually mapped (the bounds every access is checked against). */
  memSize: number;
  memSym: string;
  tableSym: string;
  tableTypesSym: string;
  sigId: (sig: string) => number;
  /** Called for each runtime helper a function needs, so the image links it once. */
  needHelper: (name: string) => void;
  /** Where an expression comes from, for error messages naming the AS source. */
  where: (fn: FuncInfo) => string;
  longBranches: boolean;
  /** Called when the code uses the hardware multiplier (the board must have one). */
  needMultiplier: () => void;
  /** Places a NUL-terminated string in .rodata (once per text) and returns its symbol (abort texts). */
  rodataString: (text: string) => string;
}

type Val = Opnd[];
type Rel = 'eq' | 'ne' | 'lt_s' | 'lt_u' | 'le_s' | 'le_u' | 'gt_s' | 'gt_u' | 'ge_s' | 'ge_u';

const B = binaryen;
/**
 * The hardware multiplier's registers by their TI names (MSP430x1xx guide ch. 7): symbols, not addresses — the
 * backend defines them from the board description's `multiplier` peripheral (peripherals.ts).
 */
const MUL = { MPY: 'MPY', OP2: 'OP2', RESLO: 'RESLO', RESHI: 'RESHI' } as const;

export function lowerFunction(fn: FuncInfo, ctx: LowerContext): MFunction {
  return new Lowerer(fn, ctx).run();
}

class Lowerer {
  code: MInstr[] = [];
  nextV = 0;
  nextL = 0;
  locals: Val[] = [];
  localIds = new Map<number, number>(); // vreg id → local (web) id
  webOf: LocalId = () => -1;
  labels = new Map<string, { label: string; result?: Val }>();
  traps = new Set<TrapReason>();
  aborts = new Map<string, string>(); // abort text symbol → stub label
  outArea = 0;
  ranges = new Ranges(new Map());
  readonly prefix: string;
  readonly sym: string;
  readonly exitLabel: string;
  readonly resultWords: number;

  constructor(
    readonly fn: FuncInfo,
    readonly ctx: LowerContext,
  ) {
    this.sym = ctx.funcSym(fn.name);
    this.prefix = `.L${this.sym.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.exitLabel = `${this.prefix}_exit`;
    this.resultWords = fn.results.reduce((n, t) => n + wordsOf(t), 0);
  }

  fail(msg: string): never {
    throw new InputError(`${this.ctx.where(this.fn)}: ${msg}`);
  }

  newV(): Opnd {
    return v(this.nextV++);
  }
  newVs(n: number): Val {
    return Array.from({ length: n }, () => this.newV());
  }
  label(): string {
    return `${this.prefix}_${this.nextL++}`;
  }
  op(op: AluOp, src: Opnd | undefined, dst: Opnd, b = false): void {
    this.code.push(src === undefined ? { kind: 'op', op, dst, b } : { kind: 'op', op, src, dst, b });
  }
  mov(src: Opnd, dst: Opnd): void {
    if (src.k === 'v' && dst.k === 'v' && src.id === dst.id) return;
    this.op('mov', src, dst);
  }
  jump(cond: Cond, target: string): void {
    this.code.push({ kind: 'jump', cond, target });
  }
  place(name: string): void {
    this.code.push({ kind: 'label', name });
  }
  trap(reason: TrapReason, cond: Cond = 'jmp'): void {
    this.traps.add(reason);
    this.jump(cond, `${this.prefix}_trap_${reason}`);
  }

  /** AS's abort(): a jump to this function's stub for the call site's text (abort.ts). */
  abort(args: Val[]): void {
    const sym = this.ctx.rodataString(abortText(this.ctx.mod, args, this.ctx.where(this.fn)));
    if (!this.aborts.has(sym)) this.aborts.set(sym, `${this.prefix}_abort_${this.aborts.size}`);
    this.jump('jmp', this.aborts.get(sym)!);
  }

  run(): MFunction {
    const { fn } = this;
    // Incoming arguments: EABI registers or the caller's outgoing area.
    const argWords = fn.params.map(wordsOf);
    const places = assignArgs(argWords);
    fn.params.forEach((t, i) => {
      const vals = this.newVs(wordsOf(t));
      this.locals[i] = vals;
      const pl = places[i]!;
      vals.forEach((d, k) => this.mov(pl.regs ? p(pl.regs[k]!) : { k: 'arg', off: pl.stack! + 2 * k }, d));
    });
    // Each web of a wasm local (local-webs.ts) is a local of its own: its own registers and its own range.
    const webs = localWebs(fn);
    this.webOf = (e) => webs.webOf.get(e)!;
    const typeOf = (l: number) => (l < fn.params.length ? fn.params[l]! : fn.vars[l - fn.params.length]!);
    const tracked = new Set<number>();
    webs.localOf.forEach((l, w) => w >= fn.params.length && typeOf(l) === binaryen.i32 && tracked.add(w));
    const bounds = localRanges(fn.body, tracked, guardedIncrements(fn, this.webOf), this.webOf);
    this.ranges = new Ranges(bounds, this.webOf);
    // A local that never holds 2^16 or more (ranges.ts, narrow.ts) has the constant 0 as its high word: only its
    // low word is a register.
    webs.localOf.forEach((l, w) => {
      if (w < fn.params.length) return;
      this.locals[w] = (bounds.get(w) ?? Infinity) <= 0xffff ? [this.newV(), imm(0)] : this.newVs(wordsOf(typeOf(l)));
    });
    this.locals.forEach((vals, i) => vals.forEach((x) => x.k === 'v' && this.localIds.set(x.id, i)));
    const r = this.ex(fn.body);
    if (this.resultWords > 0 && binaryen.getExpressionType(fn.body) !== binaryen.unreachable) this.setResult(r);
    this.place(this.exitLabel);
    this.code.push({ kind: 'ret', uses: resultRegs(this.resultWords) });
    for (const reason of this.traps) {
      this.place(`${this.prefix}_trap_${reason}`);
      this.mov(imm(TRAP[reason]), p(12));
      this.code.push({ kind: 'jump', cond: 'jmp', target: '__hasm_trap' });
    }
    for (const [sym, label] of this.aborts) {
      this.place(label);
      this.op('mov', imm(sym), { k: 'abs', sym: TRAP_INFO_SYM, off: 0 });
      this.mov(imm(TRAP.abort), p(12));
      this.code.push({ kind: 'jump', cond: 'jmp', target: '__hasm_trap' });
    }
    return { name: fn.name, sym: this.sym, code: this.code, nextV: this.nextV, outArea: this.outArea, exported: false };
  }

  setResult(r: Val): void {
    const regs = resultRegs(this.resultWords);
    r.forEach((w, k) => this.mov(w, p(regs[k]!)));
  }

  // ---- expressions ------------------------------------------------------------------------------------------

  /** Lowers a list of operands in order, copying a raw local read if a later operand writes that local. */
  exSeq(exprs: number[]): Val[] {
    const out: Val[] = [];
    exprs.forEach((e, i) => {
      const val = this.ex(e);
      const later = new Set<number>();
      for (const f of exprs.slice(i + 1)) localWrites(f, later, this.webOf);
      if (later.size && val.some((w) => w.k === 'v' && later.has(this.localIds.get(w.id) ?? -1))) out.push(this.copy(val));
      else out.push(val);
    });
    return out;
  }

  copy(val: Val): Val {
    return val.map((w) => {
      if (w.k !== 'v') return w;
      const d = this.newV();
      this.mov(w, d);
      return d;
    });
  }

  /** Lowers an expression; an i32 whose range (ranges.ts) stays below 2^16 gets the constant 0 as its high word. */
  ex(e: number, into?: Val): Val {
    // A narrowed local's constant word is no register: that word of the result goes to a fresh one (dead later).
    if (into && into.some((w) => w.k !== 'v')) into = into.map((w) => (w.k === 'v' ? w : this.newV()));
    const val = this.exRaw(e, into);
    if (val.length === 2 && !isConst(val[1]!) && this.ranges.of(e).hi <= 0xffff) return [val[0]!, imm(0)];
    return val;
  }

  exRaw(e: number, into?: Val): Val {
    const info = exprInfo(e);
    if (info.type === binaryen.f32 || info.type === binaryen.f64) this.fail(`floating point (${typeName(info.type)}) is not supported on the MSP430 target`);
    switch (info.id) {
      case B.NopId:
        return [];
      case B.BlockId:
        return this.block(info.name, info.children, info.type);
      case B.LoopId: {
        const top = this.label();
        this.place(top);
        if (info.name) this.labels.set(info.name, { label: top });
        return this.ex(info.body);
      }
      case B.IfId:
        return this.ifElse(info.condition, info.ifTrue, info.ifFalse, info.type);
      case B.BreakId:
        return this.br(info.name, info.condition, info.value);
      case B.SwitchId:
        return this.brTable(info.names, info.defaultName, info.condition, info.value);
      case B.CallId:
        return this.call(info.target, info.operands, info.isReturn);
      case B.CallIndirectId:
        return this.callIndirect(info.target, info.operands, info.params, info.results, info.isReturn);
      case B.LocalGetId:
        return this.locals[this.webOf(e)]!;
      case B.LocalSetId: {
        const dst = this.locals[this.webOf(e)]!;
        let val = this.ex(info.value, dst);
        // A parallel move: a word of the local that lands in another position must be read before it is written.
        if (val.some((w, k) => w.k === 'v' && dst.some((d, j) => j !== k && d.k === 'v' && d.id === w.id))) val = this.copy(val);
        val.forEach((w, k) => dst[k]!.k === 'v' && this.mov(w, dst[k]!));
        return info.isTee ? dst : [];
      }
      case B.GlobalGetId: {
        const g = this.ctx.mod.globals.get(info.name)!;
        const n = wordsOf(g.type);
        if (!g.mutable) return constWords(g.init, n);
        const sym = this.ctx.globalSym(info.name);
        const d = into && into.length === n ? into : this.newVs(n);
        d.forEach((w, k) => this.mov({ k: 'abs', sym, off: 2 * k }, w));
        return d;
      }
      case B.GlobalSetId: {
        const sym = this.ctx.globalSym(info.name);
        this.ex(info.value).forEach((w, k) => this.op('mov', w, { k: 'abs', sym, off: 2 * k }));
        return [];
      }
      case B.LoadId:
        return this.load(info.ptr, info.offset, info.bytes, info.isSigned, info.type, into);
      case B.StoreId:
        return this.store(info.ptr, info.value, info.offset, info.bytes, info.valueType);
      case B.ConstId:
        return constWords(typeof info.value === 'bigint' ? info.value : BigInt(info.value), wordsOf(info.type));
      case B.UnaryId:
        return this.unary(info.op, info.value, into);
      case B.BinaryId:
        return this.binary(info.op, info.left, info.right, into);
      case B.SelectId: {
        const [t, f] = this.exSeq([info.ifTrue, info.ifFalse]);
        const d = this.newVs(t!.length);
        f!.forEach((w, k) => this.mov(w, d[k]!));
        const skip = this.label();
        this.cond(info.condition, skip, false);
        t!.forEach((w, k) => this.mov(w, d[k]!));
        this.place(skip);
        return d;
      }
      case B.DropId:
        this.ex(info.value);
        return [];
      case B.ReturnId: {
        if (info.value) this.setResult(this.ex(info.value));
        this.jump('jmp', this.exitLabel);
        return [];
      }
      case B.MemorySizeId:
        return [imm(this.ctx.mod.memoryPages), imm(0)];
      case B.MemoryGrowId:
        // ARCHITECTURE.md 5: memory.grow fails; the module has exactly the memory the image gives it.
        this.ex(info.delta);
        return [imm(0xffff), imm(0xffff)];
      case B.UnreachableId:
        this.trap('unreachable');
        return [];
      case B.MemoryCopyId:
      case B.MemoryFillId:
        return this.bulk(info);
      default:
        this.fail(`unsupported wasm expression (binaryen id ${info.id})`);
    }
  }

  block(name: string | null, children: number[], type: number): Val {
    const n = type === binaryen.unreachable ? 0 : wordsOf(type);
    const end = this.label();
    const result = n ? this.newVs(n) : undefined;
    if (name) this.labels.set(name, { label: end, result });
    let last: Val = [];
    children.forEach((c, i) => {
      last = this.ex(c, i === children.length - 1 ? result : undefined);
    });
    if (result && binaryen.getExpressionType(children[children.length - 1]!) !== binaryen.unreachable) last.forEach((w, k) => this.mov(w, result[k]!));
    this.place(end);
    return result ?? [];
  }

  ifElse(c: number, t: number, f: number, type: number): Val {
    const n = type === binaryen.unreachable || type === binaryen.none ? 0 : wordsOf(type);
    const result = n ? this.newVs(n) : undefined;
    const elseL = this.label();
    const end = this.label();
    this.cond(c, elseL, false);
    const tv = this.ex(t, result);
    if (result && binaryen.getExpressionType(t) !== binaryen.unreachable) tv.forEach((w, k) => this.mov(w, result[k]!));
    if (f) this.jump('jmp', end);
    this.place(elseL);
    if (f) {
      const fv = this.ex(f, result);
      if (result && binaryen.getExpressionType(f) !== binaryen.unreachable) fv.forEach((w, k) => this.mov(w, result[k]!));
    }
    this.place(end);
    return result ?? [];
  }

  target(name: string): { label: string; result?: Val } {
    const t = this.labels.get(name);
    if (!t) this.fail(`branch to unknown label ${name}`);
    return t;
  }

  br(name: string, condition: number, value: number): Val {
    const t = this.target(name);
    const val = value ? this.ex(value) : [];
    if (!condition) {
      if (t.result) val.forEach((w, k) => this.mov(w, t.result![k]!));
      this.jump('jmp', t.label);
      return [];
    }
    if (!t.result) {
      this.cond(condition, t.label, true);
      return val;
    }
    const kept = this.copy(val);
    const skip = this.label();
    this.cond(condition, skip, false);
    kept.forEach((w, k) => this.mov(w, t.result![k]!));
    this.jump('jmp', t.label);
    this.place(skip);
    return kept;
  }

  brTable(names: string[], def: string, condition: number, value: number): Val {
    const val = value ? this.copy(this.ex(value)) : [];
    const idx = this.ex(condition);
    const dests = [...names, def].map((n) => {
      const t = this.target(n);
      if (!t.result) return t.label;
      // A branch carrying a value goes through a small pad that moves it into the target's result registers.
      return t.label;
    });
    const pads: { label: string; target: string; result: Val }[] = [];
    const entry = (n: string, i: number) => {
      const t = this.target(n);
      if (!t.result) return dests[i]!;
      const l = this.label();
      pads.push({ label: l, target: t.label, result: t.result });
      return l;
    };
    const labels = names.map((n, i) => entry(n, i));
    const defL = entry(def, names.length);
    if (idx[1]!.k !== 'imm' || idx[1]!.v !== 0) {
      this.testWord(idx[1]!);
      this.jump('jne', defL);
    }
    if (isConst(idx[0]!)) {
      this.jump('jmp', idx[0]!.v < labels.length ? labels[idx[0]!.v]! : defL);
    } else {
      this.op('cmp', imm(labels.length), idx[0]!);
      this.jump('jhs', defL);
      const two = this.newV();
      this.mov(idx[0]!, two);
      this.op('add', two, two);
      this.code.push({ kind: 'jtab', index: two, labels });
    }
    for (const pad of pads) {
      this.place(pad.label);
      val.forEach((w, k) => this.mov(w, pad.result[k]!));
      this.jump('jmp', pad.target);
    }
    return [];
  }

  testWord(w: Opnd): void {
    if (w.k === 'imm') {
      const t = this.newV();
      this.mov(w, t);
      w = t;
    }
    this.op('cmp', imm(0), w);
  }

  // ---- calls ------------------------------------------------------------------------------------------------

  placeArgs(args: Val[]): number[] {
    const places = assignArgs(args.map((a) => a.length));
    const used: number[] = [];
    let stackBytes = 0;
    places.forEach((pl, i) => {
      args[i]!.forEach((w, k) => {
        if (pl.regs) {
          this.mov(w, p(pl.regs[k]!));
          used.push(pl.regs[k]!);
        } else {
          this.op('mov', w, { k: 'out', off: pl.stack! + 2 * k });
          stackBytes = Math.max(stackBytes, pl.stack! + 2 * k + 2);
        }
      });
    });
    this.outArea = Math.max(this.outArea, stackBytes);
    return used;
  }

  emitCall(target: Opnd, args: Val[], resultWords: number): Val {
    // Stack arguments first (they may read registers that the register arguments overwrite? no: all are vregs).
    const uses = this.placeArgs(args);
    this.code.push({ kind: 'call', target, uses });
    const d = this.newVs(resultWords);
    resultRegs(resultWords).forEach((r, k) => this.mov(p(r), d[k]!));
    return d;
  }

  helper(name: string, args: Val[], resultWords: number): Val {
    this.ctx.needHelper(name);
    return this.emitCall(imm(`__hasm_${name}`), args, resultWords);
  }

  call(target: string, operands: number[], isReturn: boolean): Val {
    const f = this.ctx.mod.byName.get(target);
    if (!f) this.fail(`call to unknown function ${target}`);
    const args = this.exSeq(operands);
    if (f.imported) return lowerIntrinsic(this, f, args, operands);
    const n = f.results.reduce((s, t) => s + wordsOf(t), 0);
    const r = this.emitCall(imm(this.ctx.funcSym(f.name)), args, n);
    if (isReturn) {
      this.setResult(r);
      this.jump('jmp', this.exitLabel);
      return [];
    }
    return r;
  }

  callIndirect(target: number, operands: number[], params: number, results: number, isReturn: boolean): Val {
    const vals = this.exSeq([...operands, target]);
    const idx = vals.pop()!;
    const sig = sigOf([...binaryen.expandType(params)], [...binaryen.expandType(results)]);
    const n = [...binaryen.expandType(results)].reduce((s, t) => s + wordsOf(t), 0);
    const size = this.ctx.mod.table.length;
    // wasm: an index past the table traps; so does a slot whose signature differs (or an empty slot, id 0).
    if (!(idx[1]!.k === 'imm' && idx[1]!.v === 0)) {
      this.testWord(idx[1]!);
      this.trap('table', 'jne');
    }
    const lo = isConst(idx[0]!) ? this.copy([this.materialize(idx[0]!)])[0]! : idx[0]!;
    this.op('cmp', imm(size), lo);
    this.trap('table', 'jhs');
    const two = this.newV();
    this.mov(lo, two);
    this.op('add', two, two);
    this.op('cmp', imm(this.ctx.sigId(sig)), { k: 'mem', base: two, off: 0, sym: this.ctx.tableTypesSym });
    this.trap('signature', 'jne');
    const fp = this.newV();
    this.mov({ k: 'mem', base: two, off: 0, sym: this.ctx.tableSym }, fp);
    const r = this.emitCall(fp, vals, n);
    if (isReturn) {
      this.setResult(r);
      this.jump('jmp', this.exitLabel);
      return [];
    }
    return r;
  }

  materialize(w: Opnd): Opnd {
    if (w.k !== 'imm') return w;
    const t = this.newV();
    this.mov(w, t);
    return t;
  }

  // ---- memory -----------------------------------------------------------------------------------------------

  /**
   * Splits an address `x + C` (wasm i32.add with a constant) into x and a displacement C + offset when x's range
   * proves the add exact (no wrap mod 2^32): then the effective address is the integer x + C + offset, the
   * constant folds into the instruction's index (`__hasm_mem+D(rx)`) and only x is computed and checked.
   */
  splitAddress(ptrE: number, offset: number): { baseE: number; disp: number } {
    const info = exprInfo(ptrE);
    if (info.id === B.BinaryId && (info.op === B.AddInt32 || info.op === B.SubInt32)) {
      const c = exprInfo(info.right);
      if (c.id === B.ConstId) {
        const k = info.op === B.AddInt32 ? (c.value as number) | 0 : -((c.value as number) | 0);
        const x = this.ranges.of(info.left);
        if (Math.abs(k) < 0x8000 && x.lo + k >= 0 && x.hi + k <= 0xffffffff) return { baseE: info.left, disp: k + offset };
      }
    }
    return { baseE: ptrE, disp: offset };
  }

  /**
   * The operand addressing [base + disp, +bytes) in the mapped memory, with a bounds check unless the base's
   * range proves the access inside it (ARCHITECTURE.md "The compiler path" 5): every access is proven or checked.
   */
  address(ptr: Val, disp: number, bytes: number, baseE: number): Opnd {
    const limit = this.ctx.memSize - disp - bytes; // the largest valid base
    if (isConst(ptr[0]!) && isConst(ptr[1]!)) {
      const a = ptr[0]!.v + ptr[1]!.v * 0x10000;
      if (a > limit || a + disp < 0) {
        this.trap('memory');
        return { k: 'abs', sym: this.ctx.memSym, off: 0 };
      }
      return { k: 'abs', sym: this.ctx.memSym, off: a + disp };
    }
    if (limit < 0) {
      this.trap('memory');
      return { k: 'abs', sym: this.ctx.memSym, off: 0 };
    }
    const range = this.ranges.of(baseE);
    if (range.hi > 0xffff && !(isConst(ptr[1]!) && ptr[1]!.v === 0)) {
      this.testWord(ptr[1]!);
      this.trap('memory', 'jne');
    }
    const base = this.materialize(ptr[0]!);
    if (!(isConst(ptr[0]!) && ptr[0]!.v <= limit) && range.hi > limit) {
      this.op('cmp', imm(limit + 1), base);
      this.trap('memory', 'jhs');
    }
    return { k: 'mem', base, off: disp, sym: this.ctx.memSym };
  }

  /**
   * wasm allows any alignment, the MSP430 word access ignores address bit 0: a word access whose address is
   * not known even branches on the address parity to a byte-wise path. Returns the label after both paths, or
   * undefined when the access is known aligned (then only `fast` runs).
   */
  parity(a: Opnd, bytes: number, ptrE: number, offset: number, disp: number, fast: () => void, slow: () => void): void {
    const known = a.k === 'abs' ? (a.off & 1) === 0 : bytes === 1 || (isEven(ptrE) && offset % 2 === 0);
    if (known || a.k !== 'mem') {
      if (a.k === 'abs' && a.off & 1) slow();
      else fast();
      return;
    }
    const odd = this.label();
    const done = this.label();
    // The address is base + disp: odd when exactly one of them is.
    this.op('bit', imm(1), a.base);
    this.jump(disp & 1 ? 'jeq' : 'jne', odd);
    fast();
    this.jump('jmp', done);
    this.place(odd);
    slow();
    this.place(done);
  }

  load(ptrE: number, offset: number, bytes: number, signed: boolean, type: number, into?: Val): Val {
    const { baseE, disp } = this.splitAddress(ptrE, offset);
    const ptr = this.ex(baseE);
    const n = wordsOf(type);
    const a = this.address(ptr, disp, bytes, baseE);
    const at = (k: number): Opnd => (a.k === 'mem' ? { ...a, off: a.off + 2 * k } : a.k === 'abs' ? { ...a, off: a.off + 2 * k } : a);
    const atB = (k: number): Opnd => (a.k === 'mem' || a.k === 'abs' ? { ...a, off: a.off + k } : a);
    const d = into && into.length === n && !into.some((w) => w.k === 'v' && a.k === 'mem' && a.base.k === 'v' && a.base.id === w.id) ? into : this.newVs(n);
    if (bytes === 1) {
      this.op('mov', a, d[0]!, true);
      if (signed) this.op('sxt', undefined, d[0]!);
    } else {
      this.parity(
        a, bytes, ptrE, offset, disp,
        () => {
          for (let k = 0; k < bytes / 2; k++) this.mov(at(k), d[k]!);
        },
        () => {
          for (let k = 0; k < bytes / 2; k++) {
            const t = this.newV();
            this.op('mov', atB(2 * k), d[k]!, true);
            this.op('mov', atB(2 * k + 1), t, true);
            this.op('swpb', undefined, t);
            this.op('bis', t, d[k]!);
          }
        },
      );
    }
    const filled = Math.max(1, bytes / 2);
    if (filled < n) {
      if (!signed) return [...d.slice(0, filled), ...Array.from({ length: n - filled }, () => imm(0))];
      const s = this.signWord(d[filled - 1]!);
      for (let k = filled; k < n; k++) this.mov(s, d[k]!);
    }
    return d;
  }

  store(ptrE: number, valueE: number, offset: number, bytes: number, _type: number): Val {
    const { baseE, disp } = this.splitAddress(ptrE, offset);
    const [ptr, val] = this.exSeq([baseE, valueE]);
    const a = this.address(ptr!, disp, bytes, baseE);
    const at = (k: number): Opnd => (a.k === 'mem' || a.k === 'abs' ? { ...a, off: a.off + 2 * k } : a);
    const atB = (k: number): Opnd => (a.k === 'mem' || a.k === 'abs' ? { ...a, off: a.off + k } : a);
    if (bytes === 1) {
      this.op('mov', val![0]!, a, true);
      return [];
    }
    this.parity(
      a, bytes, ptrE, offset, disp,
      () => {
        for (let k = 0; k < bytes / 2; k++) this.op('mov', val![k]!, at(k));
      },
      () => {
        for (let k = 0; k < bytes / 2; k++) {
          const t = this.newV();
          this.mov(val![k]!, t);
          this.op('mov', t, atB(2 * k), true);
          this.op('swpb', undefined, t);
          this.op('mov', t, atB(2 * k + 1), true);
        }
      },
    );
    return [];
  }

  bulk(info: Record<string, any>): Val {
    const isCopy = info.id === B.MemoryCopyId;
    const [d, s, n] = this.exSeq(isCopy ? [info.dest, info.source, info.size] : [info.dest, info.value, info.size]);
    return this.helper(isCopy ? 'memcpy' : 'memset', [d!, s!, n!], 0);
  }

  /** 0 or 0xFFFF by the sign of a word: rla moves the sign into carry, subc makes 0 or −1, inv flips it. */
  signWord(w: Opnd): Opnd {
    if (isConst(w)) return imm(w.v & 0x8000 ? 0xffff : 0);
    const s = this.newV();
    this.mov(w, s);
    this.op('add', s, s);
    this.op('subc', s, s);
    this.op('xor', imm(0xffff), s);
    return s;
  }

  // ---- conditions -------------------------------------------------------------------------------------------

  /** Branches to `target` when the i32 condition's truth equals `sense`, else falls through. */
  cond(e: number, target: string, sense: boolean): void {
    const info = exprInfo(e);
    if (info.id === B.UnaryId && (info.op === B.EqZInt32 || info.op === B.EqZInt64)) {
      if (info.op === B.EqZInt32) return this.cond(info.value, target, !sense);
      const a = this.ex(info.value);
      return this.branchCmp('eq', a, a.map(() => imm(0)), target, sense);
    }
    if (info.id === B.BinaryId) {
      const rel = RELS.get(info.op);
      if (rel) {
        const [a, b] = this.exSeq([info.left, info.right]);
        return this.branchCmp(rel, a!, b!, target, sense);
      }
      // (x & C) != 0: `bit #C, x` sets Z from x & C without computing it (TI guide, BIT instruction).
      if ((info.op === B.AndInt32 || info.op === B.AndInt64) && exprInfo(info.right).id === B.ConstId) {
        const x = this.ex(info.left);
        const c = constWords(BigInt.asUintN(64, BigInt(exprInfo(info.right).value as number | bigint)), x.length);
        const words = c.map((w, k) => k).filter((k) => (c[k] as { v: number }).v !== 0);
        if (words.length === 0) {
          if (!sense) this.jump('jmp', target);
          return;
        }
        const skip = this.label();
        words.forEach((k, i) => {
          this.op('bit', c[k]!, this.materialize(x[k]!));
          const last = i === words.length - 1;
          if (sense) this.jump('jne', target);
          else this.jump(last ? 'jeq' : 'jne', last ? target : skip);
        });
        this.place(skip);
        return;
      }
    }
    const val = this.ex(e);
    this.branchCmp('ne', val, val.map(() => imm(0)), target, sense);
  }

  branchCmp(rel: Rel, a: Val, b: Val, target: string, sense: boolean): void {
    if (!sense) rel = NEGATE[rel];
    if (rel === 'gt_s' || rel === 'gt_u' || rel === 'le_s' || rel === 'le_u') {
      [a, b] = [b, a];
      rel = ({ gt_s: 'lt_s', gt_u: 'lt_u', le_s: 'ge_s', le_u: 'ge_u' } as const)[rel];
    }
    const n = a.length;
    const skip = this.label();
    const cmp = (k: number) => {
      let x = a[k]!;
      let y = b[k]!;
      if (x.k === 'imm' && (rel === 'eq' || rel === 'ne') && y.k !== 'imm') [x, y] = [y, x];
      this.op('cmp', y, this.materialize(x));
    };
    const same = (k: number) => isConst(a[k]!) && isConst(b[k]!) && a[k]!.v === b[k]!.v;
    if (rel === 'eq') {
      const words = [...Array(n).keys()].filter((k) => !same(k));
      if (words.some((k) => isConst(a[k]!) && isConst(b[k]!))) return; // constant words differ: never equal
      if (words.length === 0) return this.jump('jmp', target);
      words.forEach((k, i) => {
        cmp(k);
        this.jump(i === words.length - 1 ? 'jeq' : 'jne', i === words.length - 1 ? target : skip);
      });
      this.place(skip);
      return;
    }
    if (rel === 'ne') {
      for (let k = 0; k < n; k++) {
        if (same(k)) continue;
        if (isConst(a[k]!) && isConst(b[k]!)) return this.jump('jmp', target);
        cmp(k);
        this.jump('jne', target);
      }
      return;
    }
    const signed = rel.endsWith('_s');
    const lt = rel.startsWith('lt');
    // Most significant word first: it decides unless equal; only the top word is compared signed.
    const words = [...Array(n).keys()].reverse();
    const active = words.filter((k) => !same(k));
    if (active.length === 0) {
      if (!lt) this.jump('jmp', target); // equal values: a >= b holds
      return;
    }
    active.forEach((k, i) => {
      const isTop = k === n - 1;
      const sgn = signed && isTop;
      cmp(k);
      const less: Cond = sgn ? 'jl' : 'jlo';
      const geq: Cond = sgn ? 'jge' : 'jhs';
      if (i === active.length - 1) {
        this.jump(lt ? less : geq, target);
      } else {
        this.jump(less, lt ? target : skip);
        this.jump('jne', lt ? skip : target);
      }
    });
    this.place(skip);
  }

  boolOf(rel: Rel, a: Val, b: Val, n: number): Val {
    const d = this.newV();
    const t = this.label();
    this.mov(imm(1), d);
    this.branchCmp(rel, a, b, t, true);
    this.mov(imm(0), d);
    this.place(t);
    return [d, ...Array.from({ length: n - 1 }, () => imm(0))];
  }

  // ---- arithmetic -------------------------------------------------------------------------------------------

  /** Result registers: the hint if writing there cannot clobber an operand still to be read. */
  dest(n: number, into: Val | undefined, a: Val, b: Val): Val {
    if (!into || into.length !== n) return this.newVs(n);
    const ids = new Set(into.map((w) => (w.k === 'v' ? w.id : -1)));
    const clash = (w: Opnd) => (w.k === 'v' && ids.has(w.id)) || (w.k === 'mem' && w.base.k === 'v' && ids.has(w.base.id));
    if (b.some(clash)) return this.newVs(n);
    if (a.some((w, k) => clash(w) && !(w.k === 'v' && into[k]!.k === 'v' && (into[k] as { id: number }).id === w.id))) return this.newVs(n);
    return into;
  }

  unary(opc: number, e: number, into?: Val): Val {
    const a = this.ex(e);
    switch (opc) {
      case B.EqZInt32:
      case B.EqZInt64:
        return this.boolOf('eq', a, a.map(() => imm(0)), 2);
      case B.ExtendSInt32: {
        const s = this.signWord(a[1]!);
        return [a[0]!, a[1]!, s, s];
      }
      case B.ExtendUInt32:
        return [a[0]!, a[1]!, imm(0), imm(0)];
      case B.WrapInt64:
        return [a[0]!, a[1]!];
      case B.ExtendS8Int32:
      case B.ExtendS8Int64:
      case B.ExtendS16Int32:
      case B.ExtendS16Int64:
      case B.ExtendS32Int64: {
        const n = a.length;
        const d = this.newV();
        const bits = opc === B.ExtendS8Int32 || opc === B.ExtendS8Int64 ? 8 : opc === B.ExtendS32Int64 ? 32 : 16;
        if (bits === 32) {
          const s = this.signWord(a[1]!);
          return [a[0]!, a[1]!, s, s];
        }
        this.mov(a[0]!, d);
        if (bits === 8) this.op('sxt', undefined, d);
        const s = this.signWord(d);
        return [d, ...Array.from({ length: n - 1 }, () => s)];
      }
      case B.ClzInt32:
      case B.CtzInt32:
      case B.PopcntInt32: {
        const name = opc === B.ClzInt32 ? 'clz32' : opc === B.CtzInt32 ? 'ctz32' : 'popcnt32';
        const r = this.helper(name, [a], 1);
        return [r[0]!, imm(0)];
      }
      case B.ClzInt64:
      case B.CtzInt64:
      case B.PopcntInt64: {
        const name = opc === B.ClzInt64 ? 'clz64' : opc === B.CtzInt64 ? 'ctz64' : 'popcnt64';
        const r = this.helper(name, [a], 1);
        return [r[0]!, imm(0), imm(0), imm(0)];
      }
      default:
        this.fail(`unsupported unary operator ${opc} (floating point or not in the integer MVP)`);
    }
  }

  binary(opc: number, le: number, re: number, into?: Val): Val {
    const [a, b] = this.exSeq([le, re]) as [Val, Val];
    const rel = RELS.get(opc);
    if (rel) return this.boolOf(rel, a, b, 2);
    const n = a.length;
    const w64 = n === 4;
    const suffix = w64 ? '64' : '32';
    switch (opc) {
      case B.AddInt32:
      case B.AddInt64:
        return this.addSub('add', 'addc', a, b, into);
      case B.SubInt32:
      case B.SubInt64:
        return this.addSub('sub', 'subc', a, b, into);
      case B.AndInt32:
      case B.AndInt64:
        return this.bitwise('and', a, b, into);
      case B.OrInt32:
      case B.OrInt64:
        return this.bitwise('bis', a, b, into);
      case B.XorInt32:
      case B.XorInt64:
        return this.bitwise('xor', a, b, into);
      case B.MulInt32:
        return this.mul32(a, b);
      case B.MulInt64:
        return this.helper('mul64', [a, b], 4);
      case B.DivSInt32:
      case B.DivSInt64:
        return this.helper(`div_s${suffix}`, [a, b], n);
      case B.DivUInt32:
      case B.DivUInt64:
        return this.helper(`div_u${suffix}`, [a, b], n);
      case B.RemSInt32:
      case B.RemSInt64:
        return this.helper(`rem_s${suffix}`, [a, b], n);
      case B.RemUInt32:
      case B.RemUInt64:
        return this.helper(`rem_u${suffix}`, [a, b], n);
      case B.ShlInt32:
      case B.ShlInt64:
      case B.ShrUInt32:
      case B.ShrUInt64:
      case B.ShrSInt32:
      case B.ShrSInt64:
      case B.RotLInt32:
      case B.RotLInt64:
      case B.RotRInt32:
      case B.RotRInt64: {
        const kind = SHIFT_KIND.get(opc)!;
        if (isConst(b[0]!)) return this.shiftConst(kind, a, b[0]!.v & (n * 16 - 1));
        return this.helper(`${kind}${suffix}`, [a, [b[0]!]], n);
      }
      default:
        this.fail(`unsupported binary operator ${opc} (floating point or not in the integer MVP)`);
    }
  }

  addSub(lo: AluOp, hi: AluOp, a: Val, b: Val, into?: Val): Val {
    const n = a.length;
    if (b.every((w) => isConst(w) && w.v === 0)) return a;
    if (lo === 'add' && a.every((w) => isConst(w) && w.v === 0)) return b;
    const d = this.dest(n, into, a, b);
    a.forEach((w, k) => this.mov(w, d[k]!));
    b.forEach((w, k) => this.op(k === 0 ? lo : hi, w, d[k]!));
    return d;
  }

  bitwise(op: 'and' | 'bis' | 'xor', a: Val, b: Val, into?: Val): Val {
    const n = a.length;
    // Word by word with constants folded: x & 0 = 0, x & 0xFFFF = x, x | 0 = x, x ^ 0 = x (known bits).
    const out: Opnd[] = [];
    const todo: number[] = [];
    for (let k = 0; k < n; k++) {
      let x = a[k]!;
      let y = b[k]!;
      if (isConst(x) && !isConst(y)) [x, y] = [y, x];
      if (isConst(x) && isConst(y)) {
        out[k] = imm(op === 'and' ? x.v & y.v : op === 'bis' ? x.v | y.v : x.v ^ y.v);
      } else if (isConst(y) && ((op === 'and' && y.v === 0xffff) || (op !== 'and' && y.v === 0))) {
        out[k] = x;
      } else if (op === 'and' && isConst(y) && y.v === 0) {
        out[k] = imm(0);
      } else todo.push(k);
    }
    if (todo.length === 0) return out;
    const d = this.dest(n, into, a, b);
    for (const k of todo) {
      let x = a[k]!;
      let y = b[k]!;
      if (isConst(x)) [x, y] = [y, x];
      this.mov(x, d[k]!);
      if (op === 'and' && isConst(y)) this.op('bic', imm(~y.v & 0xffff), d[k]!);
      else this.op(op, y, d[k]!);
      out[k] = d[k]!;
    }
    return out;
  }

  mul32(a: Val, b: Val): Val {
    this.ctx.needMultiplier();
    const hiZero = (x: Val) => isConst(x[1]!) && x[1]!.v === 0;
    if (hiZero(a) && hiZero(b)) {
      // 16×16→32 on the hardware multiplier: one unsigned multiply, both result words (u16 × u16 in AS).
      const d = this.newVs(2);
      this.op('mov', a[0]!, { k: 'abs', sym: (MUL.MPY), off: 0 });
      this.op('mov', b[0]!, { k: 'abs', sym: (MUL.OP2), off: 0 });
      this.mov({ k: 'abs', sym: (MUL.RESLO), off: 0 }, d[0]!);
      this.mov({ k: 'abs', sym: (MUL.RESHI), off: 0 }, d[1]!);
      return d;
    }
    // One 16-bit operand: two hardware multiplies inline, no call (lo·y full, hi·y low word into the high word).
    if (hiZero(a) || hiZero(b)) {
      const [x, y] = hiZero(b) ? [a, b] : [b, a];
      const d = this.newVs(2);
      this.op('mov', x[0]!, { k: 'abs', sym: (MUL.MPY), off: 0 });
      this.op('mov', y[0]!, { k: 'abs', sym: (MUL.OP2), off: 0 });
      this.mov({ k: 'abs', sym: (MUL.RESLO), off: 0 }, d[0]!);
      this.mov({ k: 'abs', sym: (MUL.RESHI), off: 0 }, d[1]!);
      this.op('mov', x[1]!, { k: 'abs', sym: (MUL.MPY), off: 0 });
      this.op('mov', y[0]!, { k: 'abs', sym: (MUL.OP2), off: 0 });
      this.op('add', { k: 'abs', sym: (MUL.RESLO), off: 0 }, d[1]!);
      return d;
    }
    return this.helper('mul32', [a, b], 2);
  }

  /** A word with its bytes swapped (constants fold). */
  swp(w: Opnd): Opnd {
    if (isConst(w)) return imm(((w.v & 0xff) << 8) | (w.v >> 8));
    const t = this.newV();
    this.mov(w, t);
    this.op('swpb', undefined, t);
    return t;
  }
  andw(w: Opnd, mask: number): Opnd {
    return this.bitwise('and', [w], [imm(mask)])[0]!;
  }
  orw(a: Opnd, b: Opnd): Opnd {
    return this.bitwise('bis', [a], [b])[0]!;
  }

  /** i32 shift by 8..15 bits: a byte step with swpb, then single bits (known-zero words fold). */
  shift32Bytes(kind: string, w: Val, bits: number): Val {
    const sl = this.swp(w[0]!);
    const sh = this.swp(w[1]!);
    let out: Val;
    if (kind === 'shl') out = [this.andw(sl, 0xff00), this.orw(this.andw(sh, 0xff00), this.andw(sl, 0x00ff))];
    else {
      const lo = this.orw(this.andw(sl, 0x00ff), this.andw(sh, 0xff00));
      let hi: Opnd;
      if (kind === 'shr_u') hi = this.andw(sh, 0x00ff);
      else if (isConst(sh)) hi = imm(sh.v & 0x80 ? 0xff00 | (sh.v & 0xff) : sh.v & 0xff);
      else {
        hi = this.newV();
        this.mov(sh, hi);
        this.op('sxt', undefined, hi);
      }
      out = [lo, hi];
    }
    return bits > 8 ? this.shiftConst(kind, out, bits - 8) : out;
  }

  /** i32 rotate right by r: word swap, byte swap, then at most four single-bit rotates either way. */
  rotr32(a: Val, r: number): Val {
    let q = Math.round(r / 8);
    let bits = r - 8 * q;
    let w = a;
    q &= 3;
    if (q >= 2) {
      w = [w[1]!, w[0]!];
      q -= 2;
    }
    if (q === 1) {
      const sl = this.swp(w[0]!);
      const sh = this.swp(w[1]!);
      w = [this.orw(this.andw(sl, 0x00ff), this.andw(sh, 0xff00)), this.orw(this.andw(sh, 0x00ff), this.andw(sl, 0xff00))];
    }
    if (bits === 0) return w;
    const d = this.newVs(2);
    this.mov(w[0]!, d[0]!);
    this.mov(w[1]!, d[1]!);
    for (; bits > 0; bits--) {
      this.op('bit', imm(1), d[0]!); // C = bit 0
      this.op('rrc', undefined, d[1]!);
      this.op('rrc', undefined, d[0]!);
    }
    for (; bits < 0; bits++) {
      this.op('add', d[0]!, d[0]!);
      this.op('addc', d[1]!, d[1]!);
      this.op('addc', imm(0), d[0]!);
    }
    return d;
  }

  shiftConst(kind: string, a: Val, k: number): Val {
    const n = a.length;
    if (k === 0) return a;
    if ((kind === 'rotl' || kind === 'rotr') && n === 2) return this.rotr32(a, kind === 'rotr' ? k : 32 - k);
    if (kind === 'rotl' || kind === 'rotr') {
      const l = kind === 'rotl' ? k : n * 16 - k;
      const x = this.shiftConst('shl', a, l);
      const y = this.shiftConst('shr_u', a, n * 16 - l);
      return this.bitwise('bis', x, y);
    }
    // Whole words move for free; the rest is one rla/rrc chain per bit.
    const words = Math.floor(k / 16);
    const bits = k % 16;
    let w: Opnd[];
    if (kind === 'shl') w = [...Array.from({ length: words }, () => imm(0)), ...a.slice(0, n - words)];
    else if (kind === 'shr_u') w = [...a.slice(words), ...Array.from({ length: words }, () => imm(0))];
    else {
      const s = words ? this.signWord(a[n - 1]!) : imm(0);
      w = [...a.slice(words), ...Array.from({ length: words }, () => s)];
    }
    if (bits === 0) return w;
    if (n === 2 && bits >= 8 && !w.every((x) => isConst(x))) return this.shift32Bytes(kind, w, bits);
    // Only words not known to be constant need shifting; constants fold.
    if (w.every((x) => isConst(x))) {
      let big = 0n;
      w.forEach((x, i) => (big |= BigInt((x as { v: number }).v) << BigInt(16 * i)));
      const mask = (1n << BigInt(16 * n)) - 1n;
      let r: bigint;
      if (kind === 'shl') r = (big << BigInt(bits)) & mask;
      else if (kind === 'shr_u') r = big >> BigInt(bits);
      else r = (BigInt.asIntN(16 * n, big) >> BigInt(bits)) & mask;
      return constWords(r, n);
    }
    const d = this.newVs(n);
    // The live span: from the lowest to the highest word that is not a known zero.
    const nz = [...Array(n).keys()].filter((i) => !(isConst(w[i]!) && w[i]!.v === 0));
    let lo = nz[0]!;
    let hi = nz[nz.length - 1]!;
    if (kind === 'shl') hi = Math.min(n - 1, hi + 1);
    if (kind === 'shr_u') lo = Math.max(0, lo - 1);
    if (kind === 'shr_s') hi = n - 1;
    const out: Opnd[] = [...w];
    for (let i = lo; i <= hi; i++) {
      this.mov(w[i]!, d[i]!);
      out[i] = d[i]!;
    }
    if (kind !== 'shl' && lo === hi && bits >= 8 && kind === 'shr_u') {
      // A lone word: swpb + mask does 8 bits at once.
      this.op('swpb', undefined, d[lo]!);
      this.op('and', imm(0xff), d[lo]!);
      for (let i = 8; i < bits; i++) {
        this.op('bic', imm(1), p(2));
        this.op('rrc', undefined, d[lo]!);
      }
      return out;
    }
    if (kind === 'shl' && lo === hi && bits >= 8) {
      this.op('swpb', undefined, d[lo]!);
      this.op('and', imm(0xff00), d[lo]!);
      for (let i = 8; i < bits; i++) this.op('add', d[lo]!, d[lo]!);
      return out;
    }
    for (let i = 0; i < bits; i++) {
      if (kind === 'shl') {
        for (let j = lo; j <= hi; j++) this.op(j === lo ? 'add' : 'addc', d[j]!, d[j]!);
      } else {
        if (kind === 'shr_u') this.op('bic', imm(1), p(2));
        for (let j = hi; j >= lo; j--) this.op(j === hi && kind === 'shr_s' ? 'rra' : 'rrc', undefined, d[j]!);
      }
    }
    return out;
  }
}

function constWords(value: bigint, n: number): Val {
  const out: Val = [];
  const u = BigInt.asUintN(16 * n, value);
  for (let k = 0; k < n; k++) out.push(imm(Number((u >> BigInt(16 * k)) & 0xffffn)));
  return out;
}

const RELS = new Map<number, Rel>([
  [B.EqInt32, 'eq'], [B.NeInt32, 'ne'], [B.LtSInt32, 'lt_s'], [B.LtUInt32, 'lt_u'], [B.LeSInt32, 'le_s'],
  [B.LeUInt32, 'le_u'], [B.GtSInt32, 'gt_s'], [B.GtUInt32, 'gt_u'], [B.GeSInt32, 'ge_s'], [B.GeUInt32, 'ge_u'],
  [B.EqInt64, 'eq'], [B.NeInt64, 'ne'], [B.LtSInt64, 'lt_s'], [B.LtUInt64, 'lt_u'], [B.LeSInt64, 'le_s'],
  [B.LeUInt64, 'le_u'], [B.GtSInt64, 'gt_s'], [B.GtUInt64, 'gt_u'], [B.GeSInt64, 'ge_s'], [B.GeUInt64, 'ge_u'],
]);

const NEGATE: Record<Rel, Rel> = {
  eq: 'ne', ne: 'eq', lt_s: 'ge_s', lt_u: 'ge_u', le_s: 'gt_s', le_u: 'gt_u', gt_s: 'le_s', gt_u: 'le_u', ge_s: 'lt_s', ge_u: 'lt_u',
};

const SHIFT_KIND = new Map<number, string>([
  [B.ShlInt32, 'shl'], [B.ShlInt64, 'shl'], [B.ShrUInt32, 'shr_u'], [B.ShrUInt64, 'shr_u'], [B.ShrSInt32, 'shr_s'],
  [B.ShrSInt64, 'shr_s'], [B.RotLInt32, 'rotl'], [B.RotLInt64, 'rotl'], [B.RotRInt32, 'rotr'], [B.RotRInt64, 'rotr'],
]);

/** Whether an i32 address expression is provably even (so a word access through it is aligned). */
function isEven(e: number): boolean {
  const info = exprInfo(e);
  if (info.id === B.ConstId) return (Number(info.value) & 1) === 0;
  if (info.id !== B.BinaryId) return false;
  const c = (x: number) => {
    const i = exprInfo(x);
    return i.id === B.ConstId ? Number(i.value) : undefined;
  };
  switch (info.op) {
    case B.AddInt32:
    case B.SubInt32:
      return isEven(info.left) && isEven(info.right);
    case B.ShlInt32: {
      const k = c(info.right);
      return k !== undefined && (k & 31) >= 1;
    }
    case B.MulInt32:
      return isEven(info.left) || isEven(info.right);
    case B.AndInt32:
      return isEven(info.left) || isEven(info.right);
    default:
      return false;
  }
}

/** Locals (webs) an expression writes (for evaluation-order safety of raw local reads). */
function localWrites(e: number, out: Set<number>, id: LocalId): void {
  walk(e, (x) => {
    if (binaryen.getExpressionId(x) === B.LocalSetId) out.add(id(x));
  });
}

export type { Lowerer };
