// Lowering of calls (part of lower.ts's Lowerer): EABI argument placement (../abi/eabi.ts), direct calls,
// runtime helpers, intrinsics (intrinsics.ts), and call_indirect with its table-bounds and signature checks.
import binaryen from 'binaryen';
import { assignArgs, resultRegs } from '../abi/eabi.ts';
import { isRomRead, lowerIntrinsic, lowerRomRead } from './intrinsics.ts';
import { lowWordOnly } from './param-ranges.ts';
import { type Opnd, imm, isConst, p } from './mir.ts';
import { sigOf, wordsOf } from './module-info.ts';
import type { Lowerer } from './lower.ts';
import { type Val } from './lower-util.ts';

const B = binaryen;

export const callMethods = {
  /** `skip`: arguments whose high word the callee does not read (param-ranges.ts): left unset. */
  placeArgs(this: Lowerer, args: Val[], skip: readonly boolean[] = []): number[] {
    const places = assignArgs(args.map((a) => a.length));
    const used: number[] = [];
    let stackBytes = 0;
    places.forEach((pl, i) => {
      args[i]!.forEach((w, k) => {
        if (k === 1 && skip[i]) return;
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
  },

  emitCall(this: Lowerer, target: Opnd, args: Val[], resultWords: number, skip?: readonly boolean[]): Val {
    const uses = this.placeArgs(args, skip);
    this.code.push({ kind: 'call', target, uses });
    const d = this.newVs(resultWords);
    resultRegs(resultWords).forEach((r, k) => this.mov(p(r), d[k]!));
    return d;
  },

  helper(this: Lowerer, name: string, args: Val[], resultWords: number): Val {
    this.ctx.needHelper(name);
    return this.emitCall(imm(`__hasm_${name}`), args, resultWords);
  },

  call(this: Lowerer, target: string, operands: number[], isReturn: boolean): Val {
    const f = this.ctx.mod.byName.get(target);
    if (!f) this.fail(`call to unknown function ${target}`);
    // hasm.rom_u8/rom_u16 take their address expression unevaluated: a constant added to it folds into the load.
    if (isRomRead(f)) return lowerRomRead(this, f, operands[0]!);
    const args = this.exSeq(operands);
    if (f.imported) return lowerIntrinsic(this, f, args, operands);
    const n = f.results.reduce((s, t) => s + wordsOf(t), 0);
    // The callee's parameters below 2^16 (param-ranges.ts) take no high word.
    const bounds = this.ctx.paramBounds?.(f.name);
    const skip = f.params.map((t, i) => lowWordOnly(bounds, i, t));
    const r = this.emitCall(imm(this.ctx.funcSym(f.name)), args, n, skip);
    if (isReturn) {
      this.setResult(r);
      this.jump('jmp', this.exitLabel);
      return [];
    }
    return r;
  },

  callIndirect(this: Lowerer, target: number, operands: number[], params: number, results: number, isReturn: boolean): Val {
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
  },
};
