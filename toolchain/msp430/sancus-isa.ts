// The Sancus instruction words (sancus-core openMSP430_defines.v: single-operand format, opcode field 7 `SANCUS`,
// command = bits 3..0). They use no operand fields: inputs and results are implicit registers r9–r15
// (../../../shared/research/sancus.md §1). Kept apart from the MSP430 table (isa.ts): plain openMSP430 and LLVM
// treat these words as invalid; the disassembler and assembler consult this table after the main one.

export const SANCUS_WORDS = { first: 0x1380, last: 0x1389 } as const;

/** Command numbers (bits 3..0). */
export const SM = {
  DISABLE: 0,
  ENABLE: 1,
  VERIFY_ADDR: 2,
  VERIFY_PREV: 3,
  AE_WRAP: 4,
  AE_UNWRAP: 5,
  ID: 6,
  PREV_ID: 7,
  STACK_GUARD: 8,
  CLIX: 9,
} as const;

export interface SancusOp {
  word: number;
  /** Assembler mnemonic (named after sancus-compiler's wrappers, with a `sancus.` prefix so no MSP430 name clashes). */
  mnemonic: string;
  /** The core's name (openMSP430_defines.v). */
  core: string;
  inputs: string;
  result: string;
}

export const SANCUS_OPS: readonly SancusOp[] = [
  { word: 0x1380, mnemonic: 'sancus.disable', core: 'SM_DISABLE', inputs: 'r15 = continuation', result: 'PC := r15; r15 = 0 if not in a module' },
  { word: 0x1381, mnemonic: 'sancus.enable', core: 'SM_ENABLE', inputs: 'r9 tag ptr, r10 nonce (0: plain), r11 vendor id, r12–r13 text, r14–r15 data', result: 'r15 = new ID or 0' },
  { word: 0x1382, mnemonic: 'sancus.verify_address', core: 'SM_VERIFY_ADDR', inputs: 'r14 address in target text, r15 expected-MAC ptr', result: 'r15 = target ID or 0' },
  { word: 0x1383, mnemonic: 'sancus.verify_caller', core: 'SM_VERIFY_PREV', inputs: 'r15 expected-MAC ptr', result: 'r15 = previous module ID or 0' },
  { word: 0x1384, mnemonic: 'sancus.wrap', core: 'SM_AE_WRAP', inputs: 'r9 key ptr (0: own key), r10–r11 AD, r12–r13 body, r14 cipher out, r15 tag out', result: 'r15 = 1 or 0' },
  { word: 0x1385, mnemonic: 'sancus.unwrap', core: 'SM_AE_UNWRAP', inputs: 'r9 key ptr (0: own key), r10–r11 AD, r12–r13 cipher, r14 plaintext out, r15 tag ptr', result: 'r15 = 1 if the tag matches' },
  { word: 0x1386, mnemonic: 'sancus.get_id', core: 'SM_ID', inputs: 'r15 address', result: 'r15 = ID of the module whose text holds it, or 0' },
  { word: 0x1387, mnemonic: 'sancus.get_caller_id', core: 'SM_PREV_ID', inputs: '—', result: 'r15 = ID of the previously executing context' },
  { word: 0x1388, mnemonic: 'sancus.stack_guard', core: 'SM_STACK_GUARD', inputs: 'r15 lowest legal SP', result: 'stack guard := r15' },
  { word: 0x1389, mnemonic: 'sancus.clix', core: 'SM_CLIX', inputs: 'r15 cycles (bits 14..0, at most 10000)', result: 'interrupts held off up to r15 cycles after the clix, or until SR.GIE is set (atomicity-monitor builds)' },
];

const BY_WORD = new Map(SANCUS_OPS.map((o) => [o.word, o]));
const BY_NAME = new Map(SANCUS_OPS.map((o) => [o.mnemonic, o]));

export function sancusOpByWord(word: number): SancusOp | undefined {
  return BY_WORD.get(word & 0xffff);
}

export function sancusOpByName(name: string): SancusOp | undefined {
  return BY_NAME.get(name.toLowerCase());
}
