// Lowering of linear-memory access (part of lower.ts's Lowerer): address splitting and bounds checks (proven
// by ranges.ts or checked; ARCHITECTURE.md "The compiler path" 5), unaligned access (wasm allows any alignment,
// a MSP430 word access ignores address bit 0), loads, stores, memory.copy/fill through helpers.
import binaryen from 'binaryen';
import { type Opnd, imm, isConst } from './mir.ts';
import { wordsOf } from './module-info.ts';
import { exprInfo } from './ir-walk.ts';
import type { Lowerer } from './lower.ts';
import { isEven, type Val } from './lower-util.ts';
import { ROM_SYM } from './rom-tail.ts';

const B = binaryen;

export const memoryMethods = {
  /**
   * Splits an address `x + C` (wasm i32.add with a constant) into x and a displacement C + offset when x's range
   * proves the add exact (no wrap mod 2^32): then the effective address is the integer x + C + offset, the
   * constant folds into the instruction's index (`__hasm_mem+D(rx)`) and only x is computed and checked.
   */
  splitAddress(this: Lowerer, ptrE: number, offset: number): { baseE: number; disp: number } {
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
  },

  /**
   * The operand addressing [base + disp, +bytes) in the mapped memory, with a bounds check unless the base's
   * range proves the access inside it (ARCHITECTURE.md "The compiler path" 5): every access is proven or checked.
   * `region` 'rom': a hasm.rom_* read, inside the ROM tail [X, E) and read from its copy in text (rom-tail.ts);
   * 'ram': an ordinary access, inside [0, X) — the whole memory when the module has no tail. An access the address
   * or its range proves always in the wrong one (an ordinary access to a table, a rom read of RAM) does not compile.
   */
  address(this: Lowerer, ptr: Val, disp: number, bytes: number, baseE: number, region: 'ram' | 'rom' = 'ram'): Opnd {
    const tail = this.ctx.rom;
    if (region === 'rom' && !tail) throw new Error('internal: a rom read without a ROM tail');
    const [lo, hi, sym, symBase] = region === 'rom' ? [tail!.start, tail!.end, ROM_SYM, tail!.base] : [0, this.ctx.memSize, this.ctx.memSym, 0];
    const limit = hi - disp - bytes; // the largest valid base
    const least = lo - disp; // the least valid base
    const at = (a: number) => `[${a}, ${a + bytes})`;
    if (isConst(ptr[0]!) && isConst(ptr[1]!)) {
      const a = ptr[0]!.v + ptr[1]!.v * 0x10000;
      this.checkRegion(region, a + disp, a + disp + bytes, `linear memory ${at(a + disp)}`);
      if (a > limit || a < least) {
        this.trap('memory');
        return { k: 'abs', sym, off: 0 };
      }
      return { k: 'abs', sym, off: a + disp - symBase };
    }
    if (limit < Math.max(least, 0)) { // no base (≥ 0) is valid
      this.trap('memory');
      return { k: 'abs', sym, off: 0 };
    }
    const range = this.ranges.of(baseE);
    if (range.hi <= 0xffff) this.checkRegion(region, range.lo + disp, range.hi + disp + bytes, `linear memory [${range.lo + disp}, ${range.hi + disp + bytes}) (the address's range)`);
    if (range.hi > 0xffff && !(isConst(ptr[1]!) && ptr[1]!.v === 0)) {
      this.testWord(ptr[1]!);
      this.trap('memory', 'jne');
    }
    const base = this.materialize(ptr[0]!);
    if (!(isConst(ptr[0]!) && ptr[0]!.v <= limit) && range.hi > limit) {
      this.op('cmp', imm(limit + 1), base);
      this.trap('memory', 'jhs');
    }
    if (least > 0 && range.lo < least) {
      this.op('cmp', imm(least), base);
      this.trap('memory', 'jlo');
    }
    return { k: 'mem', base, off: disp - symBase, sym };
  },

  /**
   * A compile error for an access to [from, to) that can never be right: an ordinary one wholly inside the ROM tail
   * (a table written, or read without hasm.rom_*: its bytes are not in RAM), a rom read wholly outside it.
   */
  checkRegion(this: Lowerer, region: 'ram' | 'rom', from: number, to: number, what: string): void {
    const tail = this.ctx.rom;
    if (!tail) return;
    const span = `the read-only tail [${tail.start}, ${tail.end}) (the @lazy tables, kept in text: toolchain/compiler/README.md "Read-only tables")`;
    if (region === 'ram' && from >= tail.start && to <= tail.end && from < to) {
      this.fail(`an ordinary load or store of ${what} lies in ${span}: read a table with hasm.rom_u8/rom_u16; nothing may write it`);
    }
    if (region === 'rom' && (to <= tail.start || from >= tail.end)) this.fail(`hasm.rom_u8/rom_u16 of ${what} lies outside ${span}`);
  },

  /**
   * wasm allows any alignment, the MSP430 word access ignores address bit 0: a word access whose address is
   * not known even branches on the address parity to a byte-wise path. Returns the label after both paths, or
   * undefined when the access is known aligned (then only `fast` runs).
   */
  parity(this: Lowerer, a: Opnd, bytes: number, ptrE: number, offset: number, disp: number, fast: () => void, slow: () => void): void {
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
  },

  load(this: Lowerer, ptrE: number, offset: number, bytes: number, signed: boolean, type: number, into?: Val): Val {
    const { baseE, disp } = this.splitAddress(ptrE, offset);
    const ptr = this.ex(baseE);
    return this.loadFrom(this.address(ptr, disp, bytes, baseE), ptrE, offset, disp, bytes, signed, wordsOf(type), into);
  },

  /** The load of `bytes` at operand `a` (address() of ptrE + offset, split into a base and `disp`) into `n` words. */
  loadFrom(this: Lowerer, a: Opnd, ptrE: number, offset: number, disp: number, bytes: number, signed: boolean, n: number, into?: Val): Val {
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
  },

  store(this: Lowerer, ptrE: number, valueE: number, offset: number, bytes: number, _type: number): Val {
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
  },

  bulk(this: Lowerer, info: Record<string, any>): Val {
    const isCopy = info.id === B.MemoryCopyId;
    // The helpers check each byte against RAM [0, X); a range that always starts in the ROM tail does not compile.
    const size = this.ranges.of(info.size);
    if (size.lo > 0) {
      for (const e of isCopy ? [info.dest, info.source] : [info.dest]) {
        const r = this.ranges.of(e);
        if (r.hi <= 0xffff) this.checkRegion('ram', r.lo, r.hi + 1, `linear memory [${r.lo}, ${r.hi + size.lo}) (memory.${isCopy ? 'copy' : 'fill'})`);
      }
    }
    const [d, s, n] = this.exSeq(isCopy ? [info.dest, info.source, info.size] : [info.dest, info.value, info.size]);
    return this.helper(isCopy ? 'memcpy' : 'memset', [d!, s!, n!], 0);
  },
};
