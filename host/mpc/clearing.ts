import type { Bid } from './bids.ts';

// The cleartext reference of the market clearing: what the MPC protocol (auction.ts) must output, bid for bid.
// Semantics, from the seed (§6.4.3 text, Algorithm 1, §6.7.1 "Correctness"):
//  - all bids in ascending price; at equal price sellers before buyers; bids of one side at one price form a single
//    virtual bid (§6.4.3 "groups them into a single virtual buyer or seller");
//  - δ = total demand; walking the virtual bids, a bid is selected while ν < δ, and ν grows by a selected bid's
//    quantity (Algorithm 1 lines 8 and 15, read with one index j);
//  - the trading price σ is the price of the last selected supply bid (§6.7.1), 0 if none; the traded volume φ and
//    the per-supplier volumes sum the selected supply bids (Algorithm 1 lines 10, 12);
//  - accepted: selected sellers, and buyers whose price is ≥ σ (§6.4.3 "buyers whose bidding price is higher than or
//    equal to the trading price"; §6.7.1) — none if no seller was selected. Where Algorithm 1's printed formula
//    (1 − A_j)·d_j would reject a buyer above σ that the walk passed, we follow the text, which also gives the seed's
//    worked example (§6.4.4: the 4 kWh buyer trades with the 2 kWh seller).

export interface ClearingResult {
  /** €/MWh */
  price: number;
  /** Wh, sum of accepted supply */
  volume: number;
  /** accepted bid ids, ascending */
  accepted: number[];
  /** supplier id → accepted supply volume (Wh) of its customers; every supplier 1..S present */
  supplierVolume: Record<string, number>;
}

export function clearReference(bids: Bid[], suppliers: number): ClearingResult {
  const sorted = [...bids].sort((x, y) => x.price - y.price || sideRank(x) - sideRank(y));
  const delta = bids.reduce((s, b) => s + (b.side === 'buy' ? b.quantity : 0), 0);
  let nu = 0;
  let sigma = 0;
  let anySupply = false;
  const selected = new Set<number>();
  for (let g = 0; g < sorted.length; ) {
    let h = g;
    let q = 0;
    while (h < sorted.length && sorted[h]!.price === sorted[g]!.price && sorted[h]!.side === sorted[g]!.side) q += sorted[h++]!.quantity;
    const c = nu < delta;
    if (c) {
      for (let i = g; i < h; i++) selected.add(sorted[i]!.id);
      if (sorted[g]!.side === 'sell') {
        sigma = sorted[g]!.price;
        anySupply = true;
      }
      nu += q;
    }
    g = h;
  }
  const supplierVolume: Record<string, number> = {};
  for (let s = 1; s <= suppliers; s++) supplierVolume[String(s)] = 0;
  let volume = 0;
  const accepted: number[] = [];
  for (const b of bids) {
    if (b.side === 'sell' && selected.has(b.id)) {
      accepted.push(b.id);
      volume += b.quantity;
      supplierVolume[String(b.supplier)]! += b.quantity;
    } else if (b.side === 'buy' && anySupply && b.price >= sigma) accepted.push(b.id);
  }
  accepted.sort((a, b) => a - b);
  return { price: sigma, volume, accepted, supplierVolume };
}

function sideRank(b: Bid): number {
  return b.side === 'sell' ? 0 : 1;
}
