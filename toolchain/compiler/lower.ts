// Lowering: one Binaryen function → machine IR over 16-bit virtual registers (ARCHITECTURE.md "The compiler
// path" 3–5). Values are word lists (least significant first); a word that is a known constant stays a constant
// operand, which is how u8/u16/bool code ends up as single 16-bit instructions: a masked or zero-extended value
// has the constant 0 as its high word, every later operation folds it, and dce.ts removes what is left over.
// This file holds the Lowerer's state, the expression dispatch and structured control flow; each other concern
// is a file of its own: calls (lower-calls.ts), memory (lower-memory.ts), conditions (lower-cond.ts), arithmetic
// (lower-arith.ts), shared pieces (lower-util.ts).
import binaryen from 'binaryen';
import { InputError } from '../common/errors.ts';
import type { AluOp } from '../msp430/isa.ts';
import { assignArgs, resultRegs } from '../abi/eabi.ts';
import { type Cond, type MFunction, type MInstr, type Opnd, imm, isConst, p, v } from './mir.ts';
import { type FuncInfo, type ModuleInfo, typeName, wordsOf } from './module-info.ts';
import { TRAP, type TrapReason } from './traps.ts';
import { exprInfo, walk } from './ir-walk.ts';
import { Ranges } from './ranges.ts';
import type { LocalId } from './local-webs.ts';
import { functionRanges, lowWordOnly } from './param-ranges.ts';
import { callRanges } from './intrinsics.ts';
import { abortText, TRAP_INFO_SYM } from './abort.ts';
import { arithMethods } from './lower-arith.ts';
import { callMethods } from './lower-calls.ts';
import { condMethods } from './lower-cond.ts';
import { memoryMethods } from './lower-memory.ts';
import { constWords, type Val } from './lower-util.ts';
import type { RomTail } from './rom-tail.ts';

export interface LowerContext {
  mod: ModuleInfo;
  /** Symbol of a wasm function (defined or helper). */
  funcSym: (name: string) => string;
  /** Symbol of a mutable global's storage. */
  globalSym: (name: string) => string;
  /** Bytes of linear memory actually mapped in RAM (the bound every ordinary access is checked against). */
  memSize: number;
  memSym: string;
  /** The read-only tail kept in text, when the module reads it (rom-tail.ts): what hasm.rom_* reads, what no
   *  ordinary access may touch. */
  rom?: RomTail;
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
  /** True when an MMIO address lies in a window the module owns through its MMIO module (BackendOptions.mmioCalls). */
  mmioCall?: (addr: number) => boolean;
  /** A function's parameter bounds (param-ranges.ts), for functions only this module's code calls. */
  paramBounds?: (name: string) => readonly (number | undefined)[] | undefined;
}

const B = binaryen;

export function lowerFunction(fn: FuncInfo, ctx: LowerContext): MFunction {
  return new Lowerer(fn, ctx).run();
}

type Concerns = typeof callMethods & typeof memoryMethods & typeof condMethods & typeof arithMethods;
// The Lowerer's methods for each concern live in their own file (lower-calls/memory/cond/arith.ts), merged into
// the class here: one object per function being lowered, its state shared by all of them.
interface Lowerer extends Concerns {}

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
    // Each web of a wasm local (local-webs.ts) is a local of its own: its own registers and its own range; a
    // parameter's range is what its callers pass (param-ranges.ts).
    const passed = this.ctx.paramBounds?.(fn.name);
    const { webs, bounds, ranges } = functionRanges(fn, passed, callRanges(this.ctx.mod));
    this.webOf = (e) => webs.webOf.get(e)!;
    this.ranges = ranges;
    const typeOf = (l: number) => (l < fn.params.length ? fn.params[l]! : fn.vars[l - fn.params.length]!);
    // Incoming arguments: EABI registers or the caller's outgoing area. A parameter every caller passes below 2^16
    // comes as its low word only (the high one is not passed); it keeps a high register only when its web holds
    // larger values later.
    const places = assignArgs(fn.params.map(wordsOf));
    fn.params.forEach((t, i) => {
      const vals = t === binaryen.i32 && (bounds.get(i) ?? Infinity) <= 0xffff ? [this.newV(), imm(0)] : this.newVs(wordsOf(t));
      this.locals[i] = vals;
      const pl = places[i]!;
      vals.forEach((d, k) => {
        if (d.k !== 'v') return;
        this.mov(k === 1 && lowWordOnly(passed, i, t) ? imm(0) : pl.regs ? p(pl.regs[k]!) : { k: 'arg', off: pl.stack! + 2 * k }, d);
      });
    });
    const paramVregs = this.nextV;
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
    return { name: fn.name, sym: this.sym, code: this.code, nextV: this.nextV, outArea: this.outArea, exported: false, paramVregs };
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

  materialize(w: Opnd): Opnd {
    if (w.k !== 'imm') return w;
    const t = this.newV();
    this.mov(w, t);
    return t;
  }

}

/** Locals (webs) an expression writes (for evaluation-order safety of raw local reads). */
function localWrites(e: number, out: Set<number>, id: LocalId): void {
  walk(e, (x) => {
    if (binaryen.getExpressionId(x) === B.LocalSetId) out.add(id(x));
  });
}

Object.assign(Lowerer.prototype, callMethods, memoryMethods, condMethods, arithMethods);

export type { Lowerer };
