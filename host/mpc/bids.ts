import { InputError } from '../../toolchain/common/errors.ts';

// The bids file (../shared/CLI.md, issue 7): header `bid,side,quantity,price,supplier`; side buy|sell, quantity in
// Wh, price in €/MWh (the seed's 0.04–0.20 €/kWh is 40–200), supplier 1..S. Every bad row is reported with its line.
// Bounds keep every quantity the protocol compares below 2^30 (compare.ts): sort keys (2·price + side)·n + position
// and the running sums of quantities.

export type Side = 'buy' | 'sell';

export interface Bid {
  id: number;
  side: Side;
  /** Wh */
  quantity: number;
  /** €/MWh */
  price: number;
  /** 1..S */
  supplier: number;
}

export const MAX_PRICE = 10_000; // €/MWh
export const MAX_BIDS = 32_768; // (2·MAX_PRICE + 1)·MAX_BIDS < 2^30
export const MAX_TOTAL_QUANTITY = 2 ** 30 - 1; // Wh, summed over all bids
export const MAX_SUPPLIERS = 64;
export const MAX_BID_ID = 2 ** 30;

export const BIDS_HEADER = 'bid,side,quantity,price,supplier';

function intField(text: string, what: string, min: number, max: number, file: string, line: number): number {
  if (!/^[0-9]+$/.test(text)) throw new InputError(`${what} '${text}' is not a non-negative integer`, { file, line });
  const v = Number(text);
  if (v < min || v > max) throw new InputError(`${what} ${v} is outside ${min}..${max}`, { file, line });
  return v;
}

/** Parses a bids CSV; throws InputError naming the first bad line (nothing is run on a bad file). */
export function parseBids(text: string, file = 'bids.csv'): Bid[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== BIDS_HEADER) throw new InputError(`expected header '${BIDS_HEADER}', got '${header ?? ''}'`, { file, line: 1 });
  const bids: Bid[] = [];
  const seen = new Set<number>();
  let total = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    const f = raw.split(',').map((s) => s.trim());
    if (f.length !== 5) throw new InputError(`expected 5 fields, got ${f.length}`, { file, line });
    const id = intField(f[0]!, 'bid', 1, MAX_BID_ID - 1, file, line);
    if (seen.has(id)) throw new InputError(`bid ${id} appears twice`, { file, line });
    seen.add(id);
    if (f[1] !== 'buy' && f[1] !== 'sell') throw new InputError(`side must be 'buy' or 'sell', got '${f[1]}'`, { file, line });
    const quantity = intField(f[2]!, 'quantity', 0, MAX_TOTAL_QUANTITY, file, line);
    const price = intField(f[3]!, 'price', 0, MAX_PRICE, file, line);
    const supplier = intField(f[4]!, 'supplier', 1, MAX_SUPPLIERS, file, line);
    total += quantity;
    if (total > MAX_TOTAL_QUANTITY) throw new InputError(`total quantity exceeds ${MAX_TOTAL_QUANTITY} Wh`, { file, line });
    bids.push({ id, side: f[1], quantity, price, supplier });
  }
  if (bids.length > MAX_BIDS) throw new InputError(`${bids.length} bids, at most ${MAX_BIDS}`, { file });
  return bids;
}

export function formatBids(bids: Bid[]): string {
  return [BIDS_HEADER, ...bids.map((b) => `${b.id},${b.side},${b.quantity},${b.price},${b.supplier}`)].join('\n') + '\n';
}

/** The number of suppliers the market is run with: the largest id present (at least 1). */
export function supplierCount(bids: Bid[]): number {
  let s = 1;
  for (const b of bids) s = Math.max(s, b.supplier);
  return s;
}
