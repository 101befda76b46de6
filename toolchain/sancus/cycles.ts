// Cycle cost of the Sancus instructions as the core's crypto unit spends them: the number of cycles the
// execution unit stays in E_SPM (sancus-core omsp_frontend.v: `E_SPM: spm_busy ? E_SPM : e_first_state`), i.e.
// from the cycle after E_EXEC starts the unit up to and including the cycle its `busy` drops. The instruction's own
// E_EXEC cycle (1, format-II register mode) comes on top and belongs to the emulator's instruction table.
// Derivation and RTL line references: cycles.md. Every formula is checked against a simulation of
// crypto_control.v + sponge_wrap.v + spongent*.v (test/sancus/rtl-vectors.json, test/sancus/cycles.test.ts).

/**
 * Cycles per sponge_wrap call in the closed forms below: 91 for the permutation (ABSORB + 89 ROUNDS + the cycle the
 * round counter reads all ones) and 2 handshake cycles per word fed by the control unit; key blocks (91 each), phase
 * changes (+2 each) and the fixed start/end states fold into each formula's constant (cycles.md).
 */
export const CALL_CYCLES = 93;
/** LOAD_KEY_INIT, then LOAD_KEY_NEXT/LOAD_KEY per key word: the cost of r9 ≠ 0 (key read from memory). */
export const LOAD_KEY_CYCLES = 8;
/** SM_ID / SM_PREV_ID: CHECK_SM, SUCCESS. */
export const ID_CYCLES = 2;
/** An instruction refused at CHECK_SM (no module selected): CHECK_SM, FAIL. Enable adds ENABLE_SM. */
export const CHECK_FAIL_CYCLES = 2;

/** Words the unit walks for [start, end): counter from start, +2, stop when counter ≥ end (unsigned 16-bit). */
export function rangeWords(start: number, end: number): number {
  const s = start & 0xffff;
  const e = end & 0xffff;
  return e > s ? Math.ceil((e - s) / 2) : 0;
}

/** SM_AE_WRAP. An empty body takes the MAC path (MAC_INIT), 2 cycles shorter than a one-word body. */
export function wrapCycles(adWords: number, bodyWords: number, keyInMemory: boolean): number {
  const calls = 4 + adWords + Math.max(bodyWords, 1) + 4; // key, AD, body (or the empty block), 4 tag calls
  return CALL_CYCLES * calls - (bodyWords === 0 ? 2 : 0) + (keyInMemory ? LOAD_KEY_CYCLES : 0);
}

/**
 * SM_AE_UNWRAP, success or failure alike. The tag loop stops on the fourth word without waiting for the call it
 * started (VERIFY_TAG_WAIT checks mem_done first): 91 cycles less. Infinity: never completes (both ranges empty).
 */
export function unwrapCycles(adWords: number, bodyWords: number, keyInMemory: boolean): number {
  if (adWords === 0 && bodyWords === 0) return Infinity;
  return CALL_CYCLES * (4 + adWords + bodyWords + 4) - 91 + (keyInMemory ? LOAD_KEY_CYCLES : 0);
}

/**
 * SM_ENABLE after its checks: vendor key (10 calls, the last not waited for), optional confidential load, module
 * key (13 + text words calls, the last not waited for).
 * confidential: 'no' (r10 = 0), 'ok' (tag matched), 'bad' (tag mismatch → FAIL after the DEC tag check).
 */
export function enableCycles(textWords: number, confidential: 'no' | 'ok' | 'bad' = 'no'): number {
  const plain = CALL_CYCLES * (21 + textWords) - 4;
  if (confidential === 'no') return plain;
  const decrypt = CALL_CYCLES * (8 + textWords); // nonce key absorption + nonce + text + tag words
  if (confidential === 'ok') return plain + decrypt;
  return CALL_CYCLES * (17 + textWords) - 1;
}

/** SM_VERIFY_ADDR / SM_VERIFY_PREV (zero-key identity MAC over the target's text and layout), match or not. */
export function verifyCycles(textWords: number): number {
  return CALL_CYCLES * (13 + textWords) - 92;
}

/**
 * SM_DISABLE: CLEAR_CODE and CLEAR_DATA each write at least one word (the state is entered before mem_done is
 * looked at), plus init/success states.
 */
export function disableCycles(textWords: number, dataWords: number): number {
  return 7 + Math.max(textWords, 1) + Math.max(dataWords, 1);
}
