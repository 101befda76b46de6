// The MSP430 EABI's argument and result registers (TI SLAA534, "Calling convention"): arguments in r12–r15 in
// order — a 32-bit value in a register pair, a 64-bit value in r12–r15 — the rest on the stack, first at the
// lowest address; 16-bit results in r12, 32-bit in r12:r13, 64-bit in r12–r15.

export interface ArgPlace {
  regs?: number[];
  /** Byte offset in the outgoing argument area (SP at the call). */
  stack?: number;
}

export function assignArgs(words: number[]): ArgPlace[] {
  let next = 12;
  let stack = 0;
  return words.map((n) => {
    if (next + n - 1 <= 15 && (n !== 4 || next === 12)) {
      const regs = Array.from({ length: n }, (_, k) => next + k);
      next += n;
      return { regs };
    }
    const place = { stack };
    stack += 2 * n;
    return place;
  });
}

export function resultRegs(words: number): number[] {
  return Array.from({ length: words }, (_, k) => 12 + k);
}
