import { randomBytes } from 'node:crypto';
import { add, mul, P } from './field.ts';
import type { Bid } from './bids.ts';
import type { ClearingResult } from './clearing.ts';
import { runAuction, type AuctionInput, type AuctionOutput, type AuctionStats } from './auction.ts';
import { memoryNetwork, type MemoryOptions } from './memory.ts';
import { deal, Party, reconstruct, type Tap } from './party.ts';
import { Prg } from './prg.ts';
import type { PartyId, Transport } from './transport.ts';

// The bidders' and output recipients' side of the trading protocol: sharing bids (§6.6.3 step 1) and putting the
// evaluators' output shares back together (steps 4–5). Plus an in-process run of three evaluators for tests.

/** Each bidder splits (q, p, d, s as a one-hot vector, b) into three Shamir shares, one per evaluator. */
export function shareBids(bids: Bid[], suppliers: number, rng: Prg = Prg.random()): Record<PartyId, AuctionInput> {
  const col = (f: (b: Bid) => number) => deal(bids.map(f), rng);
  const q = col((b) => b.quantity);
  const p = col((b) => b.price);
  const d = col((b) => (b.side === 'buy' ? 1 : 0));
  const id = col((b) => b.id);
  const s: Array<[Uint32Array, Uint32Array, Uint32Array]> = [];
  for (let k = 1; k <= suppliers; k++) s.push(col((b) => (b.supplier === k ? 1 : 0)));
  const at = (i: 0 | 1 | 2): AuctionInput => ({ q: q[i], p: p[i], d: d[i], b: id[i], s: s.map((x) => x[i]) });
  return { 1: at(0), 2: at(1), 3: at(2) };
}

/** Reconstructs one secret from three shares. */
export function combine3(a: number, b: number, c: number): number {
  return add(add(mul(3, a), mul(P - 3, b)), c);
}

/** What the bidders and suppliers learn, gathered in one place (the CLI plays all of them). */
export function combineOutputs(outs: Record<PartyId, AuctionOutput>, suppliers: number): ClearingResult {
  const [o1, o2, o3] = [outs[1], outs[2], outs[3]];
  if (o1.price !== o2.price || o2.price !== o3.price) throw new Error(`evaluators disagree on the price: ${o1.price}, ${o2.price}, ${o3.price}`);
  if (o1.ids.join() !== o2.ids.join() || o2.ids.join() !== o3.ids.join()) throw new Error('evaluators disagree on the bid order');
  const acc = reconstruct(o1.acceptedShares, o2.acceptedShares, o3.acceptedShares);
  const accepted: number[] = [];
  o1.ids.forEach((id, k) => {
    if (acc[k] === 1) accepted.push(id);
    else if (acc[k] !== 0) throw new Error(`accepted flag of bid ${id} reconstructs to ${acc[k]}`);
  });
  accepted.sort((a, b) => a - b);
  const supplierVolume: Record<string, number> = {};
  for (let k = 0; k < suppliers; k++) supplierVolume[String(k + 1)] = combine3(o1.supplierShares[k]!, o2.supplierShares[k]!, o3.supplierShares[k]!);
  return { price: o1.price, volume: combine3(o1.volumeShare, o2.volumeShare, o3.volumeShare), accepted, supplierVolume };
}

/** Fresh pairwise PRSS keys for three parties. */
export function pairKeys(): Record<PartyId, Map<PartyId, Uint8Array>> {
  const k12 = randomBytes(16);
  const k13 = randomBytes(16);
  const k23 = randomBytes(16);
  return {
    1: new Map<PartyId, Uint8Array>([[2, k12], [3, k13]]),
    2: new Map<PartyId, Uint8Array>([[1, k12], [3, k23]]),
    3: new Map<PartyId, Uint8Array>([[1, k13], [2, k23]]),
  };
}

export interface InMemoryRun {
  result: ClearingResult;
  stats: AuctionStats;
  parties: Record<PartyId, Party>;
}

/** Seeds for a reproducible run (tests): the dealer's and each party's private stream, and the pair keys. */
export function seededKeys(seed: number): { dealer: Prg; own: Record<PartyId, Prg>; pairs: Record<PartyId, Map<PartyId, Uint8Array>> } {
  const k = (tag: number) => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setUint32(0, seed >>> 0, true);
    b[15] = tag;
    return b;
  };
  return {
    dealer: new Prg(k(1)),
    own: { 1: new Prg(k(2)), 2: new Prg(k(3)), 3: new Prg(k(4)) },
    pairs: {
      1: new Map<PartyId, Uint8Array>([[2, k(12)], [3, k(13)]]),
      2: new Map<PartyId, Uint8Array>([[1, k(12)], [3, k(23)]]),
      3: new Map<PartyId, Uint8Array>([[1, k(13)], [2, k(23)]]),
    },
  };
}

/** Runs the auction with three evaluator objects over in-memory channels. */
export async function auctionInMemory(bids: Bid[], suppliers: number, opts: MemoryOptions & { seed?: number; tap?: (id: PartyId) => Tap } = {}): Promise<InMemoryRun> {
  const keys = opts.seed !== undefined ? seededKeys(opts.seed) : undefined;
  const net: Record<PartyId, Transport> = memoryNetwork(opts);
  const pk = keys?.pairs ?? pairKeys();
  const parties = {
    1: new Party(1, net[1], pk[1], keys?.own[1]),
    2: new Party(2, net[2], pk[2], keys?.own[2]),
    3: new Party(3, net[3], pk[3], keys?.own[3]),
  } as Record<PartyId, Party>;
  if (opts.tap) for (const id of [1, 2, 3] as PartyId[]) parties[id].tap = opts.tap(id);
  const inputs = shareBids(bids, suppliers, keys?.dealer);
  const runs = ([1, 2, 3] as PartyId[]).map((id) =>
    runAuction(parties[id], inputs[id]).catch((e: unknown) => {
      net[id].close(); // tell the others at once rather than letting them time out
      throw e;
    }),
  );
  const outs = await Promise.all(runs);
  return { result: combineOutputs({ 1: outs[0]!, 2: outs[1]!, 3: outs[2]! }, suppliers), stats: outs[0]!.stats, parties };
}
