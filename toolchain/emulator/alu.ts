// ALU pieces the generated instruction code calls (omsp_alu.v as summarised in research/openmsp430.md §4).

/** SR bits (research §4: this flavour keeps C Z N GIE CPUOFF OSCOFF SCG1 V; SCG0 and bits 9–15 read 0). */
export const SR_C = 0x001;
export const SR_Z = 0x002;
export const SR_N = 0x004;
export const SR_GIE = 0x008;
export const SR_CPUOFF = 0x010;
export const SR_V = 0x100;
export const SR_MASK = 0x01bf;
/** The bits a flag-setting write into SR takes from the written value (research §4: bits 3–7). */
export const SR_VALUE_BITS = 0x00f8;

/**
 * Decimal add of the openMSP430: per 4-bit digit, s = a + b + carry; s < 10 keeps s with carry 0, otherwise
 * (s + 6) mod 32 gives the digit (low 4 bits) and the carry (bit 4). Returns result | carry << 16.
 */
export function daddDigits(src: number, dst: number, carry: number, digits: number): number {
  let res = 0;
  let c = carry;
  for (let i = 0; i < digits; i++) {
    const sh = i * 4;
    const t = ((src >> sh) & 15) + ((dst >> sh) & 15) + c;
    if (t < 10) {
      res |= t << sh;
      c = 0;
    } else {
      const u = (t + 6) & 31;
      res |= (u & 15) << sh;
      c = u >> 4;
    }
  }
  return res | (c << 16);
}
