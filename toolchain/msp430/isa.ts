// The MSP430 instruction table: the one description that the assembler, disassembler, emulator decoder, cycle
// model and compiler all read. Formats and operand modes are orthogonal data (STYLE.md: one line per mnemonic);
// encoders and decoders are derived in encode.ts / decode.ts, never written per instruction.
//
// Bit layouts (TI MSP430x1xx Family User's Guide, ch. 3 "Instruction set"):
//   format I  (double operand): opcode[15:12] sreg[11:8] Ad[7] B/W[6] As[5:4] dreg[3:0]
//   format II (single operand): 000100 opcode[9:7] B/W[6] As[5:4] reg[3:0]
//   jumps:                      001 cond[12:10] offset[9:0] (signed words, target = PC + 2 + 2*offset)

export type Format = 'I' | 'II' | 'J';

/** How the single-operand instructions spend cycles (research/openmsp430.md §2, format II table). */
export type Format2Timing = 'rmw' | 'push' | 'call' | 'reti';

/** What an ALU operation does with the flags; the emulator's flag logic is keyed by this. */
export type AluOp =
  | 'mov' | 'add' | 'addc' | 'subc' | 'sub' | 'cmp' | 'dadd' | 'bit' | 'bic' | 'bis' | 'xor' | 'and'
  | 'rrc' | 'swpb' | 'rra' | 'sxt' | 'push' | 'call' | 'reti'
  | 'jne' | 'jeq' | 'jlo' | 'jhs' | 'jn' | 'jge' | 'jl' | 'jmp';

export interface OpDef {
  readonly mnemonic: AluOp;
  readonly format: Format;
  /** format I: bits 15..12; format II: bits 9..7; jumps: condition bits 12..10. */
  readonly code: number;
  /** Has a `.b` form (format I all; format II RRC, RRA, PUSH). */
  readonly byteForm: boolean;
  /** Format I: false for MOV, CMP, BIT (the destination is not written back by CMP/BIT; MOV does not read it). */
  readonly readsDst?: boolean;
  readonly writesDst?: boolean;
  readonly timing?: Format2Timing;
  /** False where the assembler must not fold `#imm` into the constant generator (llvm-mc keeps CALL's word). */
  readonly constantGenerator?: boolean;
  /** Other accepted spellings (jnz for jne, …). */
  readonly aliases?: readonly string[];
  /** Reads the carry flag (ADDC, SUBC, RRC, DADD: TI guide §3.4.6 operation descriptions). */
  readonly readsCarry?: boolean;
  /** Leaves the status flags as they were (MOV, BIC, BIS, SWPB, PUSH, CALL: "Status Bits Not affected"). */
  readonly keepsFlags?: boolean;
  /** Jumps: the condition that is true exactly when this one is false (JN has none: no JP on the MSP430). */
  readonly inverse?: AluOp;
}

// prettier-ignore
export const OPS: readonly OpDef[] = [
  // format I
  { mnemonic: 'mov',  format: 'I', code: 0x4, byteForm: true, readsDst: false, writesDst: true, keepsFlags: true },
  { mnemonic: 'add',  format: 'I', code: 0x5, byteForm: true, readsDst: true,  writesDst: true },
  { mnemonic: 'addc', format: 'I', code: 0x6, byteForm: true, readsDst: true,  writesDst: true, readsCarry: true },
  { mnemonic: 'subc', format: 'I', code: 0x7, byteForm: true, readsDst: true,  writesDst: true, readsCarry: true },
  { mnemonic: 'sub',  format: 'I', code: 0x8, byteForm: true, readsDst: true,  writesDst: true },
  { mnemonic: 'cmp',  format: 'I', code: 0x9, byteForm: true, readsDst: true,  writesDst: false },
  { mnemonic: 'dadd', format: 'I', code: 0xa, byteForm: true, readsDst: true,  writesDst: true, readsCarry: true },
  { mnemonic: 'bit',  format: 'I', code: 0xb, byteForm: true, readsDst: true,  writesDst: false },
  { mnemonic: 'bic',  format: 'I', code: 0xc, byteForm: true, readsDst: true,  writesDst: true, keepsFlags: true },
  { mnemonic: 'bis',  format: 'I', code: 0xd, byteForm: true, readsDst: true,  writesDst: true, keepsFlags: true },
  { mnemonic: 'xor',  format: 'I', code: 0xe, byteForm: true, readsDst: true,  writesDst: true },
  { mnemonic: 'and',  format: 'I', code: 0xf, byteForm: true, readsDst: true,  writesDst: true },
  // format II
  { mnemonic: 'rrc',  format: 'II', code: 0, byteForm: true,  timing: 'rmw', readsCarry: true },
  { mnemonic: 'swpb', format: 'II', code: 1, byteForm: false, timing: 'rmw', keepsFlags: true },
  { mnemonic: 'rra',  format: 'II', code: 2, byteForm: true,  timing: 'rmw' },
  { mnemonic: 'sxt',  format: 'II', code: 3, byteForm: false, timing: 'rmw' },
  { mnemonic: 'push', format: 'II', code: 4, byteForm: true,  timing: 'push', keepsFlags: true },
  { mnemonic: 'call', format: 'II', code: 5, byteForm: false, timing: 'call', constantGenerator: false, keepsFlags: true },
  { mnemonic: 'reti', format: 'II', code: 6, byteForm: false, timing: 'reti' },
  // jumps (all 8 conditions cost 2 cycles, taken or not)
  { mnemonic: 'jne',  format: 'J', code: 0, byteForm: false, aliases: ['jnz'], inverse: 'jeq' },
  { mnemonic: 'jeq',  format: 'J', code: 1, byteForm: false, aliases: ['jz'], inverse: 'jne' },
  { mnemonic: 'jlo',  format: 'J', code: 2, byteForm: false, aliases: ['jnc'], inverse: 'jhs' },
  { mnemonic: 'jhs',  format: 'J', code: 3, byteForm: false, aliases: ['jc'], inverse: 'jlo' },
  { mnemonic: 'jn',   format: 'J', code: 4, byteForm: false },
  { mnemonic: 'jge',  format: 'J', code: 5, byteForm: false, inverse: 'jl' },
  { mnemonic: 'jl',   format: 'J', code: 6, byteForm: false, inverse: 'jge' },
  { mnemonic: 'jmp',  format: 'J', code: 7, byteForm: false },
];

export const OP_BY_NAME: ReadonlyMap<string, OpDef> = new Map(
  OPS.flatMap((op) => [[op.mnemonic, op] as const, ...(op.aliases ?? []).map((a) => [a, op] as const)]),
);

/** The inverse of a conditional jump by any of its spellings (jnz → jeq); undefined for jn and jmp. */
export function jumpInverse(mnemonic: string): AluOp | undefined {
  const op = OP_BY_NAME.get(mnemonic);
  return op?.format === 'J' ? op.inverse : undefined;
}

// ---- Operand modes -------------------------------------------------------------------------------------------

/**
 * The seven addressing modes plus the constant generator. `symbolic` and `absolute` are indexed mode on PC and
 * SR; `immediate` is `@PC+`; `const` is an r2/r3 source encoding that yields a constant with no extension word.
 */
export type Mode = 'reg' | 'indexed' | 'symbolic' | 'absolute' | 'indirect' | 'autoinc' | 'immediate' | 'const';

export const PC = 0;
export const SP = 1;
export const SR = 2;
export const CG = 3;

/** Modes that take an extension word. */
export const EXT_MODES: ReadonlySet<Mode> = new Set(['indexed', 'symbolic', 'absolute', 'immediate']);

/** The constant generator: (register, As) → value. TI guide table 3-2. */
// prettier-ignore
export const CONSTANTS: readonly { reg: number; as: number; value: number }[] = [
  { reg: SR, as: 2, value: 4 },
  { reg: SR, as: 3, value: 8 },
  { reg: CG, as: 0, value: 0 },
  { reg: CG, as: 1, value: 1 },
  { reg: CG, as: 2, value: 2 },
  { reg: CG, as: 3, value: -1 },
];

/** Source field (As, reg) → mode. */
export function sourceMode(as: number, reg: number): Mode {
  if (reg === CG) return 'const';
  if (reg === SR && as >= 2) return 'const';
  switch (as) {
    case 0: return 'reg';
    case 1: return reg === PC ? 'symbolic' : reg === SR ? 'absolute' : 'indexed';
    case 2: return 'indirect';
    default: return reg === PC ? 'immediate' : 'autoinc';
  }
}

/** Destination field (Ad, reg) → mode. */
export function destMode(ad: number, reg: number): Mode {
  if (ad === 0) return 'reg';
  return reg === PC ? 'symbolic' : reg === SR ? 'absolute' : 'indexed';
}

/** The constant a `const`-mode source yields. */
export function constantValue(as: number, reg: number): number {
  const c = CONSTANTS.find((k) => k.reg === reg && k.as === as);
  if (!c) throw new Error(`no constant for r${reg} As=${as}`);
  return c.value;
}

/** The (reg, As) pair that makes a constant, if the generator can; `undefined` otherwise. */
export function constantEncoding(value: number): { reg: number; as: number } | undefined {
  // 0xffff is not folded into -1: llvm-mc uses the generator only for the literal value -1.
  const c = CONSTANTS.find((k) => k.value === value);
  return c ? { reg: c.reg, as: c.as } : undefined;
}

// ---- Emulated instructions -----------------------------------------------------------------------------------

/**
 * Emulated mnemonics (TI guide table 3-16): each is a core instruction with some operands fixed. `S`/`D` in the
 * templates stand for the user's single operand. `print` says when the disassembler shows the emulated name: as
 * llvm-objdump does, so both listings read the same (rla/rlc print as add/addc; `br` only for a register or an
 * extension-word immediate; `pop` only as a word into a register).
 */
export interface Emulated {
  readonly mnemonic: string;
  readonly base: AluOp;
  readonly src: string; // operand text, or 'S' / 'D'
  readonly dst?: string; // operand text, or 'D'
  readonly byteForm: boolean;
  readonly print: false | { byte: boolean; modes?: readonly Mode[] };
  /** False where llvm-mc keeps `#imm` in an extension word (br, like call). */
  readonly constantGenerator?: boolean;
}

const P = { byte: true } as const;
const PW = { byte: false } as const;

// prettier-ignore
export const EMULATED: readonly Emulated[] = [
  { mnemonic: 'nop',  base: 'mov',  src: '#0',    dst: 'r3', byteForm: false, print: P },
  { mnemonic: 'ret',  base: 'mov',  src: '@r1+',  dst: 'r0', byteForm: false, print: P },
  { mnemonic: 'pop',  base: 'mov',  src: '@r1+',  dst: 'D',  byteForm: true,  print: { byte: false, modes: ['reg'] } },
  { mnemonic: 'br',   base: 'mov',  src: 'S',     dst: 'r0', byteForm: false, print: { byte: false, modes: ['reg', 'immediate', 'indexed', 'symbolic', 'absolute'] }, constantGenerator: false },
  { mnemonic: 'clr',  base: 'mov',  src: '#0',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'inc',  base: 'add',  src: '#1',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'incd', base: 'add',  src: '#2',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'dec',  base: 'sub',  src: '#1',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'decd', base: 'sub',  src: '#2',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'tst',  base: 'cmp',  src: '#0',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'inv',  base: 'xor',  src: '#-1',   dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'rla',  base: 'add',  src: 'D',     dst: 'D',  byteForm: true,  print: false },
  { mnemonic: 'rlc',  base: 'addc', src: 'D',     dst: 'D',  byteForm: true,  print: false },
  { mnemonic: 'adc',  base: 'addc', src: '#0',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'sbc',  base: 'subc', src: '#0',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'dadc', base: 'dadd', src: '#0',    dst: 'D',  byteForm: true,  print: P },
  { mnemonic: 'setc', base: 'bis',  src: '#1',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'clrc', base: 'bic',  src: '#1',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'setz', base: 'bis',  src: '#2',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'clrz', base: 'bic',  src: '#2',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'setn', base: 'bis',  src: '#4',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'clrn', base: 'bic',  src: '#4',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'eint', base: 'bis',  src: '#8',    dst: 'r2', byteForm: false, print: P },
  { mnemonic: 'dint', base: 'bic',  src: '#8',    dst: 'r2', byteForm: false, print: P },
];

export const EMULATED_BY_NAME: ReadonlyMap<string, Emulated> = new Map(EMULATED.map((e) => [e.mnemonic, e]));

// ---- Registers -----------------------------------------------------------------------------------------------

const REG_ALIASES: Record<string, number> = { pc: 0, sp: 1, sr: 2, cg: 3 };

/** Parses `r0`..`r15`, `pc`, `sp`, `sr` (case-insensitive); undefined if not a register name. */
export function parseRegister(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n in REG_ALIASES) return REG_ALIASES[n];
  const m = /^r(\d{1,2})$/.exec(n);
  if (!m) return undefined;
  const r = Number(m[1]);
  return r <= 15 ? r : undefined;
}

export function registerName(r: number): string {
  return `r${r}`;
}
