// The 16-bit machine IR: MSP430 two-address instructions over virtual registers. Every wasm i32 value is a pair
// of 16-bit words (lo, hi), every i64 four words, least significant first (ARCHITECTURE.md "The compiler path" 3).
// A word is either a virtual register or a known constant; constants are how the lowering carries known bits:
// an i32 whose high word is the constant 0 (a u8/u16 value) never spends an instruction on it.
import { type AluOp, OPS } from '../msp430/isa.ts';

export type Opnd =
  | { k: 'v'; id: number } // virtual register (one 16-bit word)
  | { k: 'p'; r: number } // physical register
  | { k: 'imm'; v: number | string } // #value or #symbol
  | { k: 'mem'; base: Opnd; off: number; sym?: string } // sym+off(base)
  | { k: 'abs'; sym: string; off: number } // &sym+off
  | { k: 'slot'; off: number } // a frame slot, off(r1), assigned by the register allocator
  | { k: 'arg'; off: number } // an incoming stack argument (offset from the caller's SP before the call)
  | { k: 'out'; off: number }; // an outgoing stack argument (offset from SP at the call)

export type Cond = 'jne' | 'jeq' | 'jlo' | 'jhs' | 'jn' | 'jge' | 'jl' | 'jmp';

export type MInstr =
  | { kind: 'op'; op: AluOp; b?: boolean; src?: Opnd; dst?: Opnd }
  | { kind: 'label'; name: string }
  | { kind: 'jump'; cond: Cond; target: string }
  | { kind: 'call'; target: Opnd; uses: number[] } // clobbers r11–r15 (EABI caller-saved)
  | { kind: 'ret'; uses: number[] }
  | { kind: 'jtab'; index: Opnd; labels: string[] } // index already doubled and bounds-checked
  | { kind: 'asm'; text: string; sideEffect: true }; // an intrinsic's fixed text (e.g. the Sancus slots)

export interface MFunction {
  name: string;
  /** Assembly symbol. */
  sym: string;
  code: MInstr[];
  nextV: number;
  /** Words of incoming stack arguments (the callee reads them through `arg` operands). */
  outArea: number;
  exported: boolean;
  /** Virtual registers 0..paramVregs−1 hold the incoming arguments (a parameter passed as its low word only has one). */
  paramVregs?: number;
}

export const v = (id: number): Opnd => ({ k: 'v', id });
export const p = (r: number): Opnd => ({ k: 'p', r });
export const imm = (x: number | string): Opnd => ({ k: 'imm', v: typeof x === 'number' ? x & 0xffff : x });

/** EABI: r12–r15 carry arguments and results; r11–r15 are caller-saved, r4–r10 callee-saved. */
export const CALLER_SAVED = [11, 12, 13, 14, 15];
export const CALLEE_SAVED = [4, 5, 6, 7, 8, 9, 10];
/** r11 stays out of allocation: it is the scratch through which spilled pointers and byte loads pass. */
export const SCRATCH = 11;

// Operand and flag facts, from the instruction table (isa.ts), never kept here by hand.
/** Ops that read the carry flag set by the instruction before them. */
export const USES_CARRY: ReadonlySet<string> = new Set(OPS.filter((o) => o.readsCarry).map((o) => o.mnemonic));
/** Ops that leave the status flags alone. */
export const KEEPS_FLAGS: ReadonlySet<string> = new Set(OPS.filter((o) => o.keepsFlags).map((o) => o.mnemonic));
/** Format I ops that do not write their destination (CMP, BIT) and format II ops that only read theirs (PUSH, CALL). */
const NO_WRITE: ReadonlySet<string> = new Set(OPS.filter((o) => (o.format === 'I' && !o.writesDst) || o.timing === 'push' || o.timing === 'call').map((o) => o.mnemonic));
/** Format I ops that do not read their destination (MOV). */
const NO_READ_DST: ReadonlySet<string> = new Set(OPS.filter((o) => o.format === 'I' && o.readsDst === false).map((o) => o.mnemonic));

export function isConst(o: Opnd): o is { k: 'imm'; v: number } {
  return o.k === 'imm' && typeof o.v === 'number';
}

/** Registers (virtual `v<id>` or physical `r<n>`) an instruction reads and writes. */
export function regKey(o: Opnd): string | undefined {
  if (o.k === 'v') return `v${o.id}`;
  if (o.k === 'p') return `r${o.r}`;
  return undefined;
}

export function usesDefs(i: MInstr): { uses: string[]; defs: string[] } {
  const uses: string[] = [];
  const defs: string[] = [];
  const read = (o: Opnd | undefined) => {
    if (!o) return;
    if (o.k === 'mem') read(o.base);
    else {
      const k = regKey(o);
      if (k) uses.push(k);
    }
  };
  switch (i.kind) {
    case 'op': {
      read(i.src);
      if (i.dst) {
        const fmt2 = i.src === undefined; // format II: the single operand is in dst
        if (i.dst.k === 'mem') read(i.dst.base);
        else {
          const k = regKey(i.dst);
          if (k) {
            if (fmt2 || !NO_READ_DST.has(i.op)) uses.push(k);
            if (!NO_WRITE.has(i.op)) defs.push(k);
          }
        }
      }
      break;
    }
    case 'call':
      read(i.target);
      for (const r of i.uses) uses.push(`r${r}`);
      for (const r of CALLER_SAVED) defs.push(`r${r}`);
      break;
    case 'ret':
      for (const r of i.uses) uses.push(`r${r}`);
      break;
    case 'jtab':
      read(i.index);
      break;
    default:
      break;
  }
  return { uses, defs };
}

export function hasSideEffect(i: MInstr): boolean {
  if (i.kind !== 'op') return true;
  if (i.dst === undefined) return true;
  if (i.dst.k !== 'v') return true; // memory, physical registers, flags for a following jump
  return i.op === 'push' || i.op === 'call';
}

// ---- printing (for tests and --emit asm comments) ----

export function opndText(o: Opnd): string {
  switch (o.k) {
    case 'v': return `v${o.id}`;
    case 'p': return `r${o.r}`;
    case 'imm': return `#${o.v}`;
    case 'mem': return `${o.sym ? o.sym + (o.off > 0 ? `+${o.off}` : o.off < 0 ? `${o.off}` : '') : o.off}(${opndText(o.base)})`;
    case 'abs': return `&${o.sym}${o.off > 0 ? `+${o.off}` : o.off < 0 ? `${o.off}` : ''}`;
    case 'slot': return `${o.off}(r1)`;
    case 'arg': return `arg+${o.off}`;
    case 'out': return `out+${o.off}`;
  }
}

export function printMInstr(i: MInstr): string {
  switch (i.kind) {
    case 'op': {
      const m = i.op + (i.b ? '.b' : '');
      const ops = [i.src, i.dst].filter((x): x is Opnd => x !== undefined).map(opndText);
      return `  ${m} ${ops.join(', ')}`;
    }
    case 'label': return `${i.name}:`;
    case 'jump': return `  ${i.cond} ${i.target}`;
    case 'call': return `  call ${i.target.k === 'imm' ? '#' + i.target.v : opndText(i.target)}`;
    case 'ret': return '  ret';
    case 'jtab': return `  jtab ${opndText(i.index)} [${i.labels.join(', ')}]`;
    case 'asm': return `  ${i.text}`;
  }
}

export function printMFunction(f: MFunction): string {
  return [`${f.sym}:`, ...f.code.map(printMInstr)].join('\n');
}
