// Lowering of integer arithmetic (part of lower.ts's Lowerer): add/sub with carry chains, bitwise ops with
// constant words folded (known bits), multiply on the hardware multiplier, constant shifts and rotates by
// word moves, byte swaps and single-bit chains, sign words; everything else through runtime helpers.
import binaryen from 'binaryen';
import type { AluOp } from '../msp430/isa.ts';
import { type Opnd, imm, isConst, p } from './mir.ts';
import type { Lowerer } from './lower.ts';
import { exprInfo } from './ir-walk.ts';
import { constWords, MUL, RELS, SHIFT_KIND, type Val } from './lower-util.ts';

const B = binaryen;

export const arithMethods = {
  /** Result registers: the hint if writing there cannot clobber an operand still to be read. */
  dest(this: Lowerer, n: number, into: Val | undefined, a: Val, b: Val): Val {
    if (!into || into.length !== n) return this.newVs(n);
    const ids = new Set(into.map((w) => (w.k === 'v' ? w.id : -1)));
    const clash = (w: Opnd) => (w.k === 'v' && ids.has(w.id)) || (w.k === 'mem' && w.base.k === 'v' && ids.has(w.base.id));
    if (b.some(clash)) return this.newVs(n);
    if (a.some((w, k) => clash(w) && !(w.k === 'v' && into[k]!.k === 'v' && (into[k] as { id: number }).id === w.id))) return this.newVs(n);
    return into;
  },

  unary(this: Lowerer, opc: number, e: number, into?: Val): Val {
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
  },

  binary(this: Lowerer, opc: number, le: number, re: number, into?: Val): Val {
    // x & ~z (Binaryen writes ~z as z ^ −1): BIC clears in x the bits set in z (TI guide: dst &= ~src), so ~z
    // needs no register of its own. Operands in wasm order.
    if (opc === B.AndInt32 || opc === B.AndInt64) {
      const notOf = (e: number): number | undefined => {
        const i = exprInfo(e);
        if (i.id !== B.BinaryId || (i.op !== B.XorInt32 && i.op !== B.XorInt64)) return undefined;
        const c = exprInfo(i.right);
        return c.id === B.ConstId && BigInt(c.value as number | bigint) === -1n ? (i.left as number) : undefined;
      };
      const zr = notOf(re);
      const zl = zr === undefined ? notOf(le) : undefined;
      if (zr !== undefined) return this.andNot(...(this.exSeq([le, zr]) as [Val, Val]));
      if (zl !== undefined) {
        const [z, x] = this.exSeq([zl, re]) as [Val, Val];
        return this.andNot(x, z);
      }
    }
    // call & C that keeps every bit the call's result range can set is the call: AS masks a u8/u16 call result
    // (hasm.rom_u8/rom_u16, whose range ranges.ts knows) where Binaryen removes the mask of a load's. Only calls: the
    // same rule on any range would change modules that read no ROM tail (4 bytes at 9 places in the firmware).
    if (opc === B.AndInt32 && exprInfo(le).id === B.CallId) {
      const c = exprInfo(re);
      const hi = this.ranges.of(le).hi;
      if (c.id === B.ConstId && hi <= 0xffff && ((2 ** Math.ceil(Math.log2(hi + 1)) - 1) & ~(c.value as number)) === 0) return this.ex(le);
    }
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
      case B.MulInt32: {
        const c = isConst(b[0]!) && isConst(b[1]!) ? b : isConst(a[0]!) && isConst(a[1]!) ? a : undefined;
        const narrow = this.ranges.of(le).hi * this.ranges.of(re).hi <= 0xffff; // only the product's low word is live
        const viaShifts = c && this.mulConst(c === b ? a : b, ((c[0] as { v: number }).v | ((c[1] as { v: number }).v << 16)) | 0, narrow);
        return viaShifts ?? this.mul32(a, b);
      }
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
        if (isConst(b[0]!)) {
          const k = b[0]!.v & (n * 16 - 1);
          // A byte (range ≤ 0xFF) shifted left by 8..15 within 16 bits: swpb alone moves it up, its low byte is
          // already 0 (no mask), and the high word is the constant 0.
          const byte = this.ranges.of(le).hi;
          if (kind === 'shl' && n === 2 && k >= 8 && byte <= 0xff && byte * 2 ** k <= 0xffff && !isConst(a[0]!)) {
            const t = this.swp(a[0]!);
            for (let i = 8; i < k; i++) this.op('add', t, t);
            return [t, imm(0)];
          }
          return this.shiftConst(kind, a, k);
        }
        return this.helper(`${kind}${suffix}`, [a, [b[0]!]], n);
      }
      default:
        this.fail(`unsupported binary operator ${opc} (floating point or not in the integer MVP)`);
    }
  },

  /**
   * x · c for a constant c as shifts and adds, when c's non-adjacent form (signed binary digits, no two adjacent
   * non-zero: Reitwiesner 1960) has at most three terms: x·10 = (x<<3) + (x<<1), x·31 = (x<<5) − x. Cheaper on
   * the MSP430 than the multiplier's five transfers or a helper call; exact mod 2^32 (wasm i32.mul), so the
   * sign of x does not matter. Undefined when c needs more terms.
   */
  mulConst(this: Lowerer, x: Val, c: number, narrow: boolean): Val | undefined {
    const terms: { k: number; neg: boolean }[] = [];
    let v = BigInt(c);
    for (let k = 0; v !== 0n && k < 32; k++) {
      if (v & 1n) {
        const digit = 2n - (((v % 4n) + 4n) % 4n); // +1 when v ≡ 1 (mod 4), −1 when v ≡ 3
        terms.push({ k, neg: digit < 0n });
        v -= digit;
      }
      v >>= 1n;
    }
    if (terms.length > 3 || terms.some((t) => t.k > 15)) return undefined;
    if (terms.length === 0) return [imm(0), imm(0)]; // x * 0 (fuzz seed 216078: was a crash)
    // Size first (words of code): one add per live word per bit shifted, a move and an add per term; taken when
    // no larger than the multiplier sequence (9 words) or a helper call's argument set-up (about 10).
    const live = narrow ? 1 : 2;
    const cost = live * (terms[terms.length - 1]!.k + 2 * terms.length);
    if (cost > 9) return undefined;
    let acc: Val | undefined;
    let cur = x;
    let at = 0;
    const negs: Val[] = [];
    for (const t of terms) {
      cur = this.shiftConst('shl', cur, t.k - at);
      at = t.k;
      if (t.neg) negs.push(cur);
      else acc = acc ? this.addSub('add', 'addc', acc, cur) : cur;
    }
    acc ??= [imm(0), imm(0)];
    for (const n of negs) acc = this.addSub('sub', 'subc', acc, n);
    return acc;
  },

  addSub(this: Lowerer, lo: AluOp, hi: AluOp, a: Val, b: Val, into?: Val): Val {
    const n = a.length;
    if (b.every((w) => isConst(w) && w.v === 0)) return a;
    if (lo === 'add' && a.every((w) => isConst(w) && w.v === 0)) return b;
    const d = this.dest(n, into, a, b);
    a.forEach((w, k) => this.mov(w, d[k]!));
    b.forEach((w, k) => this.op(k === 0 ? lo : hi, w, d[k]!));
    return d;
  },

  bitwise(this: Lowerer, op: 'and' | 'bis' | 'xor', a: Val, b: Val, into?: Val): Val {
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
  },

  /** x & ~z, word by word: a constant word of z is a mask, any other a BIC. */
  andNot(this: Lowerer, x: Val, z: Val): Val {
    return x.map((w, k) => {
      const zk = z[k]!;
      if (isConst(zk)) return this.bitwise('and', [w], [imm(~zk.v & 0xffff)])[0]!;
      if (isConst(w) && w.v === 0) return w;
      const d = this.newV();
      this.mov(w, d);
      this.op('bic', zk, d);
      return d;
    });
  },

  mul32(this: Lowerer, a: Val, b: Val): Val {
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
  },

  /** A word with its bytes swapped (constants fold). */
  swp(this: Lowerer, w: Opnd): Opnd {
    if (isConst(w)) return imm(((w.v & 0xff) << 8) | (w.v >> 8));
    const t = this.newV();
    this.mov(w, t);
    this.op('swpb', undefined, t);
    return t;
  },

  andw(this: Lowerer, w: Opnd, mask: number): Opnd {
    return this.bitwise('and', [w], [imm(mask)])[0]!;
  },

  orw(this: Lowerer, a: Opnd, b: Opnd): Opnd {
    return this.bitwise('bis', [a], [b])[0]!;
  },

  /** i32 shift by 8..15 bits: a byte step with swpb, then single bits (known-zero words fold). */
  shift32Bytes(this: Lowerer, kind: string, w: Val, bits: number): Val {
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
  },

  /** i32 rotate right by r: word swap, byte swap, then at most four single-bit rotates either way. */
  rotr32(this: Lowerer, a: Val, r: number): Val {
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
  },

  shiftConst(this: Lowerer, kind: string, a: Val, k: number): Val {
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
      // Bit 15 is 0 from here on: RRA (arithmetic) shifts a 0 in, one instruction for CLRC + RRC.
      this.op('swpb', undefined, d[lo]!);
      this.op('and', imm(0xff), d[lo]!);
      for (let i = 8; i < bits; i++) this.op('rra', undefined, d[lo]!);
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
        // shr_u: the first step shifts a 0 into the top word's bit 15 (CLRC, RRC); from the second on that bit is 0,
        // so RRA shifts the 0 in and the same bit out into C for the next word's RRC (SLAU144 §3.4.6: RRA, RRC).
        const logicalTop = kind === 'shr_u' && i === 0;
        if (logicalTop) this.op('bic', imm(1), p(2));
        for (let j = hi; j >= lo; j--) this.op(j === hi && !logicalTop ? 'rra' : 'rrc', undefined, d[j]!);
      }
    }
    return out;
  },

  /** 0 or 0xFFFF by the sign of a word: rla moves the sign into carry, subc makes 0 or −1, inv flips it. */
  signWord(this: Lowerer, w: Opnd): Opnd {
    if (isConst(w)) return imm(w.v & 0x8000 ? 0xffff : 0);
    const s = this.newV();
    this.mov(w, s);
    this.op('add', s, s);
    this.op('subc', s, s);
    this.op('xor', imm(0xffff), s);
    return s;
  },
};
