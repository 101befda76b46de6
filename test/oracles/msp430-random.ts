// Seeded random MSP430 programs built from the instruction table (toolchain/msp430/isa.ts OPS, every format I/II
// op, jumps, every addressing mode) for the differential test against mspdebug's simulator. The generator stays
// out of the deviation classes of research/openmsp430.md §5 — each rule below names the class it avoids.
import { encode } from '../../toolchain/msp430/encode.ts';
import { OPS, CONSTANTS, type OpDef } from '../../toolchain/msp430/isa.ts';
import type { Instruction, Operand } from '../../toolchain/msp430/instruction.ts';
import { sizeInWords } from '../../toolchain/msp430/instruction.ts';
import { writeIntelHex, type Segment } from '../../toolchain/link/ihex.ts';
import { mulberry32 } from '../seeded.ts';

export function rng(seed: number): () => number {
  return mulberry32(seed >>> 0 || 1);
}

const TEXT = 0xf000;
const DATA = 0x0200;
const DATA_END = 0x0600;
/** Random memory operands stay below the stack area (0x0580..0x05FF). */
const MEM_END = 0x0580;
const MPY = 0x130, MPYS = 0x132, MAC = 0x134, MACS = 0x136, OP2 = 0x138, RESLO = 0x13a, RESHI = 0x13c, SUMEXT = 0x13e;
/** Word pointers (only changed by word autoincrement) and the byte pointer (only used by byte accesses). */
const WORD_PTRS = [4, 5];
const BYTE_PTR = 6;
const DATA_REGS = [7, 8, 9, 10, 11, 12, 13, 14, 15];

const FORMAT1 = OPS.filter((o) => o.format === 'I');
const RMW = OPS.filter((o) => o.format === 'II' && o.timing === 'rmw');
const JUMPS = OPS.filter((o) => o.format === 'J');
const op = (name: string): OpDef => OPS.find((o) => o.mnemonic === name)!;

type Item = { kind: 'ins'; make: (labels: Map<string, number>, at: number) => Instruction } | { kind: 'label'; name: string };

export interface RandomProgram {
  seed: number;
  hex: string;
  segments: Segment[];
  halt: number;
  /** Mnemonic+mode forms used, for coverage reporting. */
  forms: Set<string>;
}

export function randomProgram(seed: number, bodyItems = 60): RandomProgram {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const items: Item[] = [];
  const forms = new Set<string>();
  const ins = (i: Instruction | ((l: Map<string, number>, at: number) => Instruction)) => {
    const make = typeof i === 'function' ? i : () => i;
    items.push({ kind: 'ins', make });
  };
  const reg = (r: number): Operand => ({ mode: 'reg', reg: r, value: 0 });
  const imm = (v: number): Operand => ({ mode: 'immediate', reg: 0, value: v & 0xffff });
  const abs = (a: number): Operand => ({ mode: 'absolute', reg: 2, value: a });
  const I = (name: string, byte: boolean, src?: Operand, dst?: Operand, offset?: number): Instruction => ({ op: op(name), byte, src, dst, offset });
  const memAddr = (byte: boolean) => (byte ? DATA + int(MEM_END - DATA) : DATA + 2 * int((MEM_END - DATA) / 2));

  // ---- prologue: stop the watchdog (class 16: plain RAM in mspdebug, harmless), stack, multiplier state, registers
  ins(I('mov', false, imm(0x5a80), abs(0x0120)));
  ins(I('mov', false, imm(DATA_END), reg(1)));
  ins(I('mov', false, imm(0), abs(RESLO)));
  ins(I('mov', false, imm(0), abs(RESHI)));
  const ptrInit = () => 0x0300 + 2 * int(0x40);
  for (const r of WORD_PTRS) ins(I('mov', false, imm(ptrInit()), reg(r)));
  ins(I('mov', false, imm(ptrInit() + int(2)), reg(BYTE_PTR)));
  for (const r of DATA_REGS) ins(I('mov', false, imm(int(0x10000)), reg(r)));
  ins(I('mov', false, imm(int(0x10000) & 0x0107), reg(2)));

  let depth = 0; // words pushed by the body
  let pendingJumps: { label: string; after: number }[] = [];
  let labelNo = 0;
  const subs: { name: string; body: Item[] }[] = [];

  /** A source operand; `stack` allows @SP+ / @SP / X(SP) reads (changes depth for @SP+). */
  const srcOperand = (byte: boolean, regDst: boolean, stack: boolean): { o: Operand; ptr?: number } => {
    const ptrs = byte ? [BYTE_PTR] : WORD_PTRS;
    for (;;) {
      switch (int(10)) {
        case 0: {
          // PC as a source only into a register (class 10: PC source with a memory destination)
          const r = pick([...DATA_REGS, ...WORD_PTRS, BYTE_PTR, 1, 2, ...(regDst ? [0] : [])]);
          return { o: reg(r) };
        }
        case 1: {
          const c = pick(CONSTANTS);
          return { o: { mode: 'const', reg: c.reg, value: c.value } };
        }
        case 2:
          return { o: imm(int(0x10000)) };
        case 3: {
          const p = pick(ptrs);
          const x = byte ? int(0x1f0) - 0x100 : 2 * int(0xf8) - 0x100;
          return { o: { mode: 'indexed', reg: p, value: x & 0xffff } };
        }
        case 4:
          return { o: { mode: 'symbolic', reg: 0, value: memAddr(byte) } }; // value = target; fixed up at layout
        case 5:
          return { o: abs(memAddr(byte)) };
        case 6:
          return { o: { mode: 'indirect', reg: pick(ptrs), value: 0 } };
        case 7: {
          const p = pick(ptrs);
          return { o: { mode: 'autoinc', reg: p, value: 0 }, ptr: p };
        }
        case 8:
          // reading the stack: @SP, X(SP) within what was pushed; @SP+ pops (word only: class 4, byte @SP+)
          if (!stack || depth === 0) continue;
          if (!byte && int(2) === 0) {
            depth--;
            return { o: { mode: 'autoinc', reg: 1, value: 0 } };
          }
          return int(2) ? { o: { mode: 'indirect', reg: 1, value: 0 } } : { o: { mode: 'indexed', reg: 1, value: 2 * int(depth) } };
        default:
          return { o: reg(pick(DATA_REGS)) };
      }
    }
  };

  /** A destination operand (never SP, SR or r3: classes 5, 7, 8, 9; never a pointer register). */
  const dstOperand = (byte: boolean, avoidPtr?: number): Operand => {
    for (;;) {
      switch (int(5)) {
        case 0: {
          const ptrs = (byte ? [BYTE_PTR] : WORD_PTRS).filter((p) => p !== avoidPtr); // class 2: @Rn+ src, X(Rn) dst
          if (!ptrs.length) continue;
          const x = byte ? int(0x1f0) - 0x100 : 2 * int(0xf8) - 0x100;
          return { mode: 'indexed', reg: pick(ptrs), value: x & 0xffff };
        }
        case 1:
          return { mode: 'symbolic', reg: 0, value: memAddr(byte) };
        case 2:
          return abs(memAddr(byte));
        default:
          return reg(pick(DATA_REGS));
      }
    }
  };

  /** Symbolic operands carry their target until layout: the extension word is target − its own address. */
  const fix = (i: Instruction, at: number): Instruction => {
    let ext = at + 2;
    const fixOne = (o: Operand | undefined): Operand | undefined => {
      if (!o) return o;
      const here = ext;
      if (o.mode === 'indexed' || o.mode === 'symbolic' || o.mode === 'absolute' || o.mode === 'immediate') ext += 2;
      return o.mode === 'symbolic' ? { ...o, value: (o.value - here) & 0xffff } : o;
    };
    const src = fixOne(i.src);
    const dst = fixOne(i.dst);
    return { ...i, src, dst };
  };
  const note = (i: Instruction) => {
    forms.add(`${i.op.mnemonic}${i.byte ? '.b' : ''} ${i.src?.mode ?? ''}${i.dst ? ',' + i.dst.mode : ''}`);
    return i;
  };
  const emit = (i: Instruction, into: Item[] = items) => {
    note(i);
    into.push({ kind: 'ins', make: (_l, at) => fix(i, at) });
  };

  const aluItem = (stack: boolean, into: Item[] = items) => {
    const o = pick(FORMAT1);
    if (o.mnemonic === 'dadd') return daddItem(into);
    const byte = int(2) === 0;
    const regDstWanted = int(2) === 0;
    const s = srcOperand(byte, regDstWanted, stack);
    const d = regDstWanted ? reg(pick(DATA_REGS)) : dstOperand(byte, s.ptr);
    emit({ op: o, byte, src: s.o, dst: d }, into);
  };

  const rmwItem = (into: Item[] = items) => {
    const o = pick(RMW);
    const byte = o.byteForm && int(2) === 0;
    let operand: Operand;
    const k = int(4);
    if (k === 0) operand = reg(pick(DATA_REGS));
    else if (k === 1) operand = { mode: 'indirect', reg: pick(byte ? [BYTE_PTR] : WORD_PTRS), value: 0 };
    else if (k === 2) operand = { mode: 'autoinc', reg: pick(byte ? [BYTE_PTR] : WORD_PTRS), value: 0 };
    else operand = dstOperand(byte);
    emit({ op: o, byte, src: operand }, into);
  };

  // class 11 (DADD: V flag, non-BCD digits): decimal operands only, and the next instruction rewrites V.
  const bcd = (digits: number) => {
    let v = 0;
    for (let i = 0; i < digits; i++) v |= int(10) << (4 * i);
    return v;
  };
  const daddItem = (into: Item[] = items) => {
    const byte = int(2) === 0;
    const digits = byte ? 2 : 4;
    const r = pick(DATA_REGS);
    if (int(2)) {
      emit(I('mov', false, imm(bcd(4)), reg(r)), into);
      const src = int(2) ? imm(bcd(digits)) : (() => {
        const r2 = pick(DATA_REGS.filter((x) => x !== r));
        emit(I('mov', false, imm(bcd(4)), reg(r2)), into);
        return reg(r2);
      })();
      emit(I('dadd', byte, src, reg(r)), into);
    } else {
      const a = memAddr(false);
      emit(I('mov', false, imm(bcd(4)), abs(a)), into);
      emit(I('dadd', byte, imm(bcd(digits)), int(2) ? abs(a) : { mode: 'symbolic', reg: 0, value: a }), into);
    }
    emit(I('cmp', false, reg(pick(DATA_REGS)), reg(pick(DATA_REGS))), into);
  };

  // classes 12, 13, 18: the multiplier only through word accesses, results read with indexed/absolute modes
  const mulItem = () => {
    const mode = pick([MPY, MPYS, MAC, MACS]);
    emit(I('mov', false, int(2) ? imm(int(0x10000)) : reg(pick(DATA_REGS)), abs(mode)));
    emit(I('mov', false, int(2) ? imm(int(0x10000)) : reg(pick(DATA_REGS)), abs(OP2)));
    for (let n = int(4); n > 0; n--) {
      const from = abs(pick([RESLO, RESHI, SUMEXT, OP2, mode]));
      emit(I(pick(['mov', 'add', 'xor', 'sub']), false, from, int(3) ? reg(pick(DATA_REGS)) : abs(memAddr(false))));
    }
  };

  // class 7, 8: SR written only by MOV/BIS/BIC with flag bits (C Z N V), never GIE/CPUOFF or bits 6, 9–15
  const srItem = () => {
    const name = pick(['mov', 'bis', 'bic']);
    const c = int(3);
    const src: Operand = c === 0 ? imm(int(0x10000) & 0x0107) : c === 1 ? { mode: 'const', reg: 3, value: pick([1, 2]) } : { mode: 'const', reg: 2, value: 4 };
    emit(I(name, false, src, reg(2)));
  };

  // PUSH (word: class 3 is PUSH.B; never an SP operand: class 6)
  const pushItem = () => {
    if (depth >= 20) return;
    const s = srcOperand(false, false, false);
    if (s.o.mode === 'reg' && s.o.reg === 1) return; // PUSH SP: class 6
    emit(I('push', false, s.o));
    depth++;
  };

  const popItem = () => {
    if (depth === 0) return;
    depth--;
    emit(I('mov', false, { mode: 'autoinc', reg: 1, value: 0 }, int(2) ? reg(pick(DATA_REGS)) : dstOperand(false)));
  };

  // RETI without an interrupt (class 14 is the entry, not RETI): a return address and flags pushed by hand
  const retiItem = () => {
    const name = `r${labelNo++}`;
    note({ op: op('reti'), byte: false });
    items.push({ kind: 'ins', make: (l) => I('push', false, imm(l.get(name)!)) });
    emit(I('push', false, imm(int(0x10000) & 0x0107)));
    items.push({ kind: 'ins', make: () => ({ op: op('reti'), byte: false }) });
    items.push({ kind: 'label', name });
  };

  const jumpItem = () => {
    const name = `j${labelNo++}`;
    const o = pick(JUMPS);
    note({ op: o, byte: false });
    items.push({ kind: 'ins', make: (labels, at) => ({ op: o, byte: false, offset: (labels.get(name)! - at - 2) / 2 }) });
    pendingJumps.push({ label: name, after: 1 + int(3) });
  };

  const callItem = () => {
    const name = `s${subs.length}`;
    const body: Item[] = [];
    for (let n = 1 + int(4); n > 0; n--) (int(3) ? aluItem(false, body) : rmwItem(body));
    subs.push({ name, body });
    const target = (l: Map<string, number>) => l.get(name)!;
    const k = int(5);
    const p = pick(WORD_PTRS);
    const lazy = (f: (l: Map<string, number>, at: number) => Instruction, shape: Instruction) => {
      note(shape);
      items.push({ kind: 'ins', make: (l, at) => fix(f(l, at), at) });
    };
    if (k === 0) lazy((l) => I('call', false, imm(target(l))), I('call', false, imm(0)));
    else if (k === 1) {
      const r = pick(DATA_REGS);
      lazy((l) => I('mov', false, imm(target(l)), reg(r)), I('mov', false, imm(0), reg(r)));
      emit(I('call', false, reg(r)));
    } else if (k === 2) {
      const a = memAddr(false);
      lazy((l) => I('mov', false, imm(target(l)), abs(a)), I('mov', false, imm(0), abs(a)));
      emit(I('call', false, int(2) ? abs(a) : { mode: 'symbolic', reg: 0, value: a }));
    } else {
      const x = 2 * int(0x40);
      lazy((l) => I('mov', false, imm(target(l)), { mode: 'indexed', reg: p, value: k === 3 ? x : 0 }), I('mov', false, imm(0), { mode: 'indexed', reg: p, value: 0 }));
      emit(I('call', false, k === 3 ? { mode: 'indexed', reg: p, value: x } : { mode: int(2) ? 'indirect' : 'autoinc', reg: p, value: 0 }));
    }
  };

  for (let n = 0; n < bodyItems; n++) {
    // No stack-depth changes inside a jump's shadow: the generator's depth must hold on every path.
    const shadow = pendingJumps.length > 0;
    const k = int(20);
    if (k < 7) aluItem(!shadow);
    else if (k < 9) rmwItem();
    else if (k < 10) daddItem();
    else if (k < 11) mulItem();
    else if (k < 12) srItem();
    else if (k < 14) (shadow ? aluItem(false) : pushItem());
    else if (k < 15) (shadow ? rmwItem() : popItem());
    else if (k < 17) jumpItem();
    else if (k < 18) callItem();
    else if (k < 19 && !shadow) retiItem();
    else aluItem(false);
    for (const j of pendingJumps) j.after--;
    for (const j of pendingJumps.filter((x) => x.after <= 0)) items.push({ kind: 'label', name: j.label });
    pendingJumps = pendingJumps.filter((x) => x.after > 0);
  }
  for (const j of pendingJumps) items.push({ kind: 'label', name: j.label });
  emit(I('bic', false, { mode: 'const', reg: 2, value: 8 }, reg(2))); // dint
  items.push({ kind: 'label', name: 'halt' });
  items.push({ kind: 'ins', make: () => ({ op: op('jmp'), byte: false, offset: -1 }) });
  for (const s of subs) {
    items.push({ kind: 'label', name: s.name });
    items.push(...s.body);
    emit(I('mov', false, { mode: 'autoinc', reg: 1, value: 0 }, reg(0))); // ret
  }

  // layout: sizes do not depend on label values, so one pass with placeholder labels gives the addresses
  const labels = new Map<string, number>();
  const probe = new Map<string, number>();
  let at = TEXT;
  for (const it of items) {
    if (it.kind === 'label') labels.set(it.name, at);
    else at += 2 * sizeInWords(it.make(new Proxy(probe, { get: (t, k) => (k === 'get' ? () => TEXT : Reflect.get(t, k)) }), at));
  }
  const words: number[] = [];
  at = TEXT;
  for (const it of items) {
    if (it.kind === 'label') continue;
    const w = encode(it.make(labels, at));
    words.push(...w);
    at += 2 * w.length;
  }
  const text = new Uint8Array(words.length * 2);
  words.forEach((w, i) => ((text[2 * i] = w & 0xff), (text[2 * i + 1] = w >> 8)));
  const data = new Uint8Array(DATA_END - DATA);
  for (let i = 0; i < data.length; i++) data[i] = int(256);
  const vec = new Uint8Array([TEXT & 0xff, TEXT >> 8]);
  const segments: Segment[] = [
    { address: DATA, bytes: data },
    { address: TEXT, bytes: text },
    { address: 0xfffe, bytes: vec },
  ];
  return { seed, hex: writeIntelHex(segments), segments, halt: labels.get('halt')!, forms };
}
