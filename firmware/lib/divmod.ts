// Unsigned 32-bit division for the modules that divide (the core's clock and debit, CS security's rounding and
// pseudonym epochs), in the module's own code. The MSP430 has no divider: `/` and `%` link the compiler's generic
// division helper (toolchain/compiler, __hasm_div_u32), and every `x - (x / d) * d` adds a multiply back at its call
// site. This one loop gives the quotient and the remainder together (REMAINDER), so a module that divides only
// through it links no helper and multiplies nothing back (issue 18 "Measured: TCB").

/** The remainder of the last divmod, at a constant address (one MSP430 instruction per word to read). */
const REMAINDER = memory.data(4);

/** x / d, leaving x % d in REMAINDER (`rem()`). Restoring division, one quotient bit per step, the quotient shifted
 *  into x as x's bits shift out into r: r < d before each step, so r + r + 1 < 2d fits 32 bits for d ≤ 2^31 — every
 *  divisor here is below 2^17. d = 0 is not refused (quotient 0xffffffff, remainder x): callers pass constants or
 *  test for 0 first, as they would before `/`. */
export function divmod(x: u32, d: u32): u32 {
  let r: u32 = 0;
  for (let i: u32 = 0; i < 32; i++) {
    r += r;
    if (x & 0x80000000) r |= 1;
    x += x;
    if (r >= d) {
      r -= d;
      x |= 1;
    }
  }
  store<u32>(REMAINDER, r);
  return x;
}

/** The remainder of the last divmod. */
// @ts-ignore: decorator
@inline export function rem(): u32 {
  return load<u32>(REMAINDER);
}

/** x rounded down to a multiple of d: x − x % d (the core's half hours and minutes). */
export function floorTo(x: u32, d: u32): u32 {
  divmod(x, d);
  return x - rem();
}
