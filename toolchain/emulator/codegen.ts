// Translates one decoded instruction (toolchain/msp430/decode.ts, the one instruction table) into a specialised
// JavaScript function: operand addressing, ALU and flag logic resolved at translation time, so the hot loop only
// calls it. Semantics are the openMSP430 RTL's (research/openmsp430.md §4), not TI's or mspdebug's where they differ.
import type { Instruction, Operand } from '../msp430/instruction.ts';
import { extWords, sizeInWords } from '../msp430/instruction.ts';
import { cycles } from '../msp430/cycles.ts';
import { SR_MASK } from './alu.ts';

/** What a translated instruction returns: its cycle count, or one of these markers. */
export const RET_HALT = 0; // an unconditional jump to itself (the conventional halt when GIE is off)

const hex = (v: number) => '0x' + (v & 0xffff).toString(16);

/** A per-instance constant: becomes a closure variable of the shared shape. */
function k(c: { consts: number[] }, v: number): string {
  c.consts.push(v & 0xffff);
  return `k${c.consts.length - 1}`;
}

interface Ctx {
  addr: number;
  next: number;
  byte: boolean;
  mask: number;
  msb: number;
  lines: string[];
  /** Per-instance constants (addresses, extension words, PC values): the generated text names them k0, k1, … so
   *  every instruction of the same shape shares one compiled function (translation cost matters for short runs). */
  consts: number[];
  /** Autoincrement to apply at the end of the instruction (research §4: after the destination address is formed). */
  incr?: { reg: number; step: number };
}

/** Expression for the address of a memory operand whose extension word sits at `extAt`. */
function addressExpr(c: Ctx, o: Operand, extAt: number): string {
  switch (o.mode) {
    case 'indexed':
      return `((${R(c, o.reg)} + ${k(c, o.value)}) & 0xffff)`;
    case 'symbolic':
      return k(c, extAt + o.value);
    case 'absolute':
      return k(c, o.value);
    case 'indirect':
    case 'autoinc':
      // @PC reads the word after the opcode (PC has advanced by one word when the source is fetched).
      return o.reg === 0 ? k(c, extAt) : R(c, o.reg);
    default:
      throw new Error(`not a memory operand: ${o.mode}`);
  }
}

/** A register reference: r0–r3 have special rules and stay literal; r4–r15 are a shape constant. */
function R(c: { consts: number[] }, n: number): string {
  return n < 4 ? `r[${n}]` : `r[${k(c, n)}]`;
}

function isMemory(o: Operand): boolean {
  return o.mode === 'indexed' || o.mode === 'symbolic' || o.mode === 'absolute' || o.mode === 'indirect' || o.mode === 'autoinc';
}

/** Emits code that puts the operand's value into `name`; returns nothing. Memory address goes to `${name}a`. */
function readOperand(c: Ctx, o: Operand, name: string, extAt: number, early: boolean): void {
  const m = c.mask;
  switch (o.mode) {
    case 'reg': {
      // PC as a source reads the address of the following instruction (research §4).
      const v = o.reg === 0 ? k(c, c.next) : R(c, o.reg);
      c.lines.push(`const ${name} = ${c.byte ? `${v} & 0xff` : v};`);
      return;
    }
    case 'const':
      c.lines.push(`const ${name} = ${hex(o.value & m)};`);
      return;
    case 'immediate':
      c.lines.push(`const ${name} = ${k(c, o.value & m)};`);
      return;
    default: {
      c.lines.push(`const ${name}a = ${addressExpr(c, o, extAt)};`);
      const rd = c.byte ? 'readByte' : 'readWord';
      if (early) c.lines.push(`b.early = true; const ${name} = b.${rd}(${name}a); b.early = false;`);
      else c.lines.push(`const ${name} = b.${rd}(${name}a);`);
      if (o.mode === 'autoinc' && o.reg !== 0) c.incr = { reg: o.reg, step: c.byte && o.reg !== 1 ? 1 : 2 };
    }
  }
}

/** Stores `v` into register n with the core's special cases (research §4). `flags` is the ALU flag expression. */
function writeRegister(c: Ctx, n: number, v: string, flags: string | undefined): void {
  switch (n) {
    case 0:
      c.lines.push(`r[0] = ${v} & 0xfffe;`);
      return;
    case 1:
      c.lines.push(`r[1] = ${v} & 0xfffe;`); // SP bit 0 is always 0
      return;
    case 2:
      // A flag-setting instruction into SR takes C/Z/N/V from the ALU and only bits 3–7 from the value.
      c.lines.push(flags ? `r[2] = ((${v} & 0xf8) | ${flags}) & ${hex(SR_MASK)};` : `r[2] = ${v} & ${hex(SR_MASK)};`);
      return;
    default:
      c.lines.push(`${R(c, n)} = ${v};`); // r3 too: a write to R3 is stored (research §4)
  }
}

/** The flag word from the ALU: C, Z, N from the result `v`, V and C from expressions. */
function flagExpr(c: Ctx, carry: string, overflow: string): string {
  return `((${carry}) ? 1 : 0) | (v === 0 ? 2 : 0) | (v & ${hex(c.msb)} ? 4 : 0) | ((${overflow}) ? 0x100 : 0)`;
}

function applyIncrement(c: Ctx, skipReg: number | undefined): void {
  // The destination register write wins over the increment in the same cycle (omsp_register_file.v: write first).
  if (c.incr && c.incr.reg !== skipReg) {
    const { reg, step } = c.incr;
    if (reg === 1) c.lines.push(`r[1] = (r[1] + ${step}) & 0xfffe;`);
    else {
      const x = R(c, reg);
      c.lines.push(`${x} = ${x} + ${step};`);
    }
  }
}

function formatI(c: Ctx, ins: Instruction): void {
  const src = ins.src!;
  const dst = ins.dst!;
  const op = ins.op.mnemonic;
  const m = hex(c.mask);
  const h = hex(c.msb);
  readOperand(c, src, 's', c.addr + 2, src.mode === 'indirect' || src.mode === 'autoinc');
  const dstExt = c.addr + 2 * (1 + extWords(src));
  const dstReg = dst.mode === 'reg';
  if (!dstReg) c.lines.push(`const da = ${addressExpr(c, dst, dstExt)};`);
  if (ins.op.readsDst) {
    if (dstReg) {
      // r3 as a destination operand reads its stored value; PC reads the next instruction's address.
      const v = dst.reg === 0 ? k(c, c.next) : R(c, dst.reg);
      c.lines.push(`const d = ${c.byte ? `${v} & 0xff` : v};`);
    } else c.lines.push(`const d = b.${c.byte ? 'readByte' : 'readWord'}(da);`);
  }
  let flags: string | undefined;
  switch (op) {
    case 'mov':
      c.lines.push('const v = s;');
      break;
    case 'add':
    case 'addc':
      c.lines.push(`const t = d + s${op === 'addc' ? ' + (r[2] & 1)' : ''}; const v = t & ${m};`);
      flags = flagExpr(c, `t > ${m}`, `~(s ^ d) & (s ^ v) & ${h}`);
      break;
    case 'sub':
    case 'subc':
    case 'cmp':
      c.lines.push(`const ns = ~s & ${m}; const t = d + ns + ${op === 'subc' ? '(r[2] & 1)' : '1'}; const v = t & ${m};`);
      flags = flagExpr(c, `t > ${m}`, `~(ns ^ d) & (ns ^ v) & ${h}`);
      break;
    case 'dadd':
      c.lines.push(`const t = dadd(s, d, r[2] & 1, ${c.byte ? 2 : 4}); const v = t & ${m};`);
      flags = flagExpr(c, 't >> 16', `~(s ^ d) & (s ^ v) & ${h}`);
      break;
    case 'and':
    case 'bit':
      c.lines.push('const v = d & s;');
      flags = flagExpr(c, 'v !== 0', '0');
      break;
    case 'xor':
      c.lines.push('const v = d ^ s;');
      flags = flagExpr(c, 'v !== 0', `s & d & ${h}`);
      break;
    case 'bic':
      c.lines.push(`const v = d & ~s & ${m};`);
      break;
    case 'bis':
      c.lines.push('const v = d | s;');
      break;
    default:
      throw new Error(`format I op ${op}`);
  }
  const intoSr = dstReg && dst.reg === 2 && ins.op.writesDst;
  if (flags) {
    c.lines.push(`const f = ${flags};`);
    if (!intoSr) c.lines.push('r[2] = (r[2] & 0xfef8) | f;');
    flags = 'f';
  }
  if (ins.op.writesDst) {
    if (dstReg) writeRegister(c, dst.reg, 'v', flags);
    else c.lines.push(`b.${c.byte ? 'writeByte' : 'writeWord'}(da, v);`);
  }
  applyIncrement(c, dstReg && ins.op.writesDst ? dst.reg : undefined);
}

function formatII(c: Ctx, ins: Instruction): void {
  const o = ins.src;
  const op = ins.op.mnemonic;
  const h = hex(c.msb);
  if (op === 'reti') {
    c.lines.push(`const sp = r[1]; r[2] = b.readWord(sp) & ${hex(SR_MASK)}; r[0] = b.readWord(sp + 2) & 0xfffe; r[1] = (sp + 4) & 0xfffe;`);
    return;
  }
  if (op === 'push' || op === 'call') {
    // PUSH and CALL decrement SP before taking the operand (research §4): `push sp` stores the new SP,
    // `push @sp` / `push X(sp)` read relative to it, `push @sp+` leaves SP where it was.
    c.lines.push('const sp = (r[1] - 2) & 0xfffe; r[1] = sp;');
    readOperand(c, o!, 's', c.addr + 2, op === 'push' && (o!.mode === 'indirect' || o!.mode === 'autoinc'));
    if (op === 'push') c.lines.push(c.byte ? 'b.writeByte(sp, s);' : 'b.writeWord(sp, s);'); // PUSH.B: low byte only
    else c.lines.push(`b.writeWord(sp, ${k(c, c.next)}); r[0] = s & 0xfffe;`);
    applyIncrement(c, undefined);
    return;
  }
  readOperand(c, o!, 'd', c.addr + 2, false);
  let flags: string | undefined;
  switch (op) {
    case 'rrc':
      c.lines.push(`const v = (d >> 1) | ((r[2] & 1) ? ${h} : 0);`);
      flags = flagExpr(c, 'd & 1', '0');
      break;
    case 'rra':
      c.lines.push(`const v = (d >> 1) | (d & ${h});`);
      flags = flagExpr(c, 'd & 1', '0');
      break;
    case 'swpb':
      c.lines.push('const v = ((d << 8) | (d >> 8)) & 0xffff;');
      break;
    case 'sxt':
      c.lines.push('const v = d & 0x80 ? (d | 0xff00) : (d & 0xff);');
      flags = flagExpr({ ...c, msb: 0x8000 }, 'v !== 0', '0');
      break;
    default:
      throw new Error(`format II op ${op}`);
  }
  const reg = o!.mode === 'reg' || (o!.mode === 'const' && o!.reg === 3 && o!.value === 0);
  const intoSr = reg && o!.reg === 2;
  if (flags) {
    c.lines.push(`const f = ${flags};`);
    if (!intoSr) c.lines.push('r[2] = (r[2] & 0xfef8) | f;');
    flags = 'f';
  }
  if (reg) writeRegister(c, o!.reg, c.byte ? 'v & 0xff' : 'v', flags);
  else if (isMemory(o!)) c.lines.push(`b.${c.byte ? 'writeByte' : 'writeWord'}(da, v);`); // `da`: readOperand's address
  applyIncrement(c, reg ? o!.reg : undefined);
}

/** When each conditional jump is taken (SR bits C=1, Z=2, N=4, V=0x100). */
export const JUMP_CONDITION: Record<string, string> = {
  jne: '(r[2] & 2) === 0',
  jeq: '(r[2] & 2) !== 0',
  jlo: '(r[2] & 1) === 0',
  jhs: '(r[2] & 1) !== 0',
  jn: '(r[2] & 4) !== 0',
  jge: '(((r[2] >> 2) ^ (r[2] >> 8)) & 1) === 0',
  jl: '(((r[2] >> 2) ^ (r[2] >> 8)) & 1) !== 0',
  jmp: 'true',
};

function jump(c: Ctx, ins: Instruction): string | undefined {
  const target = (c.addr + 2 + 2 * ins.offset!) & 0xffff;
  const op = ins.op.mnemonic;
  if (op === 'jmp' && target === c.addr) return `r[0] = ${k(c, c.addr)}; return ${RET_HALT};`;
  c.lines.push(op === 'jmp' ? `r[0] = ${k(c, target)};` : `if (${JUMP_CONDITION[op]}) r[0] = ${k(c, target)};`);
  return undefined;
}

export interface Generated {
  /** Statements over `r` (Uint16Array registers), `b` (Bus), `dadd` and the constants `k0…`. */
  body: string;
  consts: number[];
}

/** JavaScript statements executing `ins` at `addr`; the text depends only on the instruction's shape. */
export function generate(ins: Instruction, addr: number): Generated {
  const size = sizeInWords(ins);
  const c: Ctx = {
    addr,
    next: (addr + 2 * size) & 0xffff,
    byte: ins.byte,
    mask: ins.byte ? 0xff : 0xffff,
    msb: ins.byte ? 0x80 : 0x8000,
    lines: [],
    consts: [],
  };
  c.lines.push(`r[0] = ${k(c, c.next)};`);
  if (ins.op.format === 'J') {
    const early = jump(c, ins);
    if (early) return { body: early, consts: c.consts };
  } else if (ins.op.format === 'I') formatI(c, ins);
  else formatII(c, ins);
  c.lines.push(`return ${cycles(ins)};`);
  return { body: c.lines.join('\n'), consts: c.consts };
}

type Factory = (r: Uint16Array, b: unknown, dadd: unknown, ...k: number[]) => () => number;
export const FACTORIES = new Map<string, Factory>();

/** The shared compiled function for a shape (cached across machines), instantiated with this instance's constants. */
export function instantiate(g: Generated, r: Uint16Array, b: unknown, dadd: unknown): () => number {
  let f = FACTORIES.get(g.body);
  if (!f) {
    const params = g.consts.map((_, i) => `k${i}`).join(', ');
    f = new Function('r', 'b', 'dadd', ...g.consts.map((_, i) => `k${i}`), `return function () {\n${g.body}\n};`) as Factory;
    void params;
    FACTORIES.set(g.body, f);
  }
  return f(r, b, dadd, ...g.consts);
}
