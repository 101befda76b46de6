import { randomBytes } from 'node:crypto';

// User settlement (seed §6.6.5) and the per-period bill it reports (§6.4.4, Table 6.1).
// Each period the meter computes the user's bill x_i locally and sends the supplier c_i = x_i + s_i mod M, where the
// one-time masks s_1..s_L of the billing period sum to 0 mod M; the supplier adds the c_i and gets Σ x_i, nothing
// per period. M = 2^64 (the seed allows a power of a prime); money in micro-euro, signed (credits negative).

export const M = 1n << 64n;

/** L masks, uniform subject to Σ s_i ≡ 0 (mod M): L−1 uniform values and the one that closes the sum. */
export function zeroSumMasks(L: number, random: (bytes: number) => Uint8Array = randomBytes): bigint[] {
  if (L < 1) throw new RangeError('zeroSumMasks: L must be ≥ 1');
  const out: bigint[] = [];
  let sum = 0n;
  for (let i = 0; i < L - 1; i++) {
    const b = random(8);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    out.push(v);
    sum = (sum + v) % M;
  }
  out.push((M - sum) % M);
  return out;
}

export function mask(x: bigint, s: bigint): bigint {
  return (((x + s) % M) + M) % M;
}

/** What the supplier computes: the billing-period total, read back as a signed amount. */
export function unmaskTotal(cs: bigint[]): bigint {
  let t = 0n;
  for (const c of cs) t = (t + c) % M;
  return t >= M / 2n ? t - M : t;
}

/** Tariffs of one supplier, €/MWh (= µ€/Wh). */
export interface Tariff {
  /** what the supplier charges per unit imported from the grid, network fee included */
  retail: number;
  /** what the supplier pays per unit exported and not traded, network fee excluded */
  exportPrice: number;
  /** network fee per unit imported or exported, paid on to the DSO/TSO */
  networkFee: number;
}

/** One user's metered and traded energy in a period (Wh). */
export interface PeriodUse {
  imported: number;
  exported: number;
  /** bought on the local market (≤ imported) */
  boughtLocal: number;
  /** sold on the local market (≤ exported) */
  soldLocal: number;
}

/**
 * The user's bill for the period in µ€ (positive: the user pays), §6.4.4: local purchases at the trading price σ,
 * the rest of the import at the retail price; local sales at σ less the network fee the supplier forwards, the
 * rest of the export at the export price.
 */
export function periodBill(use: PeriodUse, sigma: number, t: Tariff): number {
  if (use.boughtLocal > use.imported || use.soldLocal > use.exported) throw new RangeError('periodBill: traded more than metered');
  const pay = use.boughtLocal * sigma + (use.imported - use.boughtLocal) * t.retail;
  const paid = use.soldLocal * (sigma - t.networkFee) + (use.exported - use.soldLocal) * t.exportPrice;
  return pay - paid;
}

/** Network fees (µ€) the supplier pays the DSO/TSO: on all imported and exported energy. */
export function networkFees(uses: PeriodUse[], t: Tariff): number {
  return uses.reduce((s, u) => s + (u.imported + u.exported) * t.networkFee, 0);
}
