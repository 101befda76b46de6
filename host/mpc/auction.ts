import { add, mul, sub } from './field.ts';
import { lessThan } from './compare.ts';
import { MaskPool } from './masks.ts';
import type { Party } from './party.ts';
import { shuffle } from './shuffle.ts';
import { quicksortOrder, type SortStats } from './sort.ts';
import { concat, gather, prefixExclusive, vOneMinus, vsub, vsum } from './vec.ts';

// The trading protocol (seed §6.6.3) as the evaluators run it, producing what clearing.ts computes in the clear.
// Steps: shuffle the shared bids; sort them by (price, seller-before-buyer); then Algorithm 1 without its sequential
// loop: because ν only grows while ν < δ, "bid j is selected" equals [P_j < δ] with P_j the plain prefix sum of
// quantities before j — a local sum — so all n selections are one batch of comparisons instead of n dependent ones.
// Grouping equal prices (§6.4.3) gives a bid the selection of the first bid of its group: a linear recurrence
// x_j = f_j(1 − c_j)·x_{j−1} + c_j solved by a parallel prefix scan (log₂ n rounds). The price is the price of the
// last selected seller (a one-hot found by a suffix-product scan), buyers are accepted after that position.
// Outputs: σ is opened (public, §6.6.3 step 4); volume and per-supplier volumes stay shared for their recipients;
// (bid id, accepted) pairs are shuffled again and only the ids are opened, the accepted bit goes to the bidder.

/** One evaluator's shares of the bids (column vectors over the n bids, in input order). */
export interface AuctionInput {
  q: Uint32Array;
  p: Uint32Array;
  /** 1 buyer (demand), 0 seller */
  d: Uint32Array;
  b: Uint32Array;
  /** s[k][j] = 1 if bid j's supplier is k+1 */
  s: Uint32Array[];
}

export interface AuctionOutput {
  /** opened trading price, €/MWh */
  price: number;
  volumeShare: number;
  supplierShares: number[];
  /** opened bid ids, in a fresh random order */
  ids: number[];
  /** shares of "accepted" for ids[k] */
  acceptedShares: Uint32Array;
  stats: AuctionStats;
}

export interface AuctionStats extends SortStats {
  offlineMs: number;
  totalMs: number;
  /** process CPU time (user + system), off-line part and whole run */
  offlineCpuMs: number;
  totalCpuMs: number;
  /** off-line multiplications and rounds (included in the party's counters) */
  offlineMults: number;
  offlineRounds: number;
  randomBits: number;
}

/** Comparison masks the run will likely need (the sort's count is random; a shortfall is topped up, off-line). */
export function expectedComparisons(n: number): number {
  const sortCmp = n > 1 ? Math.ceil(2.2 * n * Math.log(n)) + 16 : 0;
  return sortCmp + 2 * n;
}

/** Hillis–Steele inclusive scan of affine maps x ↦ a·x + b (with a_0 = 0, b ends as the recurrence's value). */
async function affineScan(party: Party, a: Uint32Array, b: Uint32Array): Promise<Uint32Array> {
  const n = a.length;
  a = a.slice();
  b = b.slice();
  for (let k = 1; k < n; k *= 2) {
    const m = n - k;
    const x = new Uint32Array(2 * m);
    const y = new Uint32Array(2 * m);
    for (let j = k; j < n; j++) {
      x[j - k] = a[j]!;
      y[j - k] = a[j - k]!;
      x[m + j - k] = a[j]!;
      y[m + j - k] = b[j - k]!;
    }
    const z = await party.mul(x, y);
    for (let j = k; j < n; j++) {
      a[j] = z[j - k]!;
      b[j] = add(z[m + j - k]!, b[j]!);
    }
  }
  return b;
}

/** Inclusive suffix products: out[j] = t[j]·t[j+1]·…·t[n−1]. */
async function suffixProduct(party: Party, t: Uint32Array): Promise<Uint32Array> {
  const n = t.length;
  const v = t.slice();
  for (let k = 1; k < n; k *= 2) {
    const m = n - k;
    const x = v.slice(0, m);
    const y = v.slice(k, n);
    const z = await party.mul(x, y);
    v.set(z, 0);
  }
  return v;
}

/** Progress lines for long runs (the CLI prints them on stderr). */
export type Progress = (message: string) => void;

export async function runAuction(party: Party, input: AuctionInput, pool = new MaskPool(party), log: Progress = () => {}): Promise<AuctionOutput> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const n = input.q.length;
  const S = input.s.length;
  const stats: AuctionStats = { levels: 0, comparisons: 0, offlineMs: 0, totalMs: 0, offlineCpuMs: 0, totalCpuMs: 0, offlineMults: 0, offlineRounds: 0, randomBits: 0 };
  // Off-line phase: random bits for the comparisons (the count is public: it depends on n only).
  log(`off-line: preparing ${expectedComparisons(n)} comparison masks`);
  await pool.ensure(expectedComparisons(n));
  // Barrier: the on-line phase starts when all three are ready (else one party's on-line clock would count the
  // time it waits for a slower party's off-line phase).
  await party.exchange(new Map());
  const offlineBefore = pool.offlineMs;
  const barrierMs = performance.now() - t0;
  log(`off-line done in ${(pool.offlineMs / 1000).toFixed(2)} s; on-line: shuffling ${n} bids`);

  if (n === 0) {
    stats.totalMs = performance.now() - t0;
    return { price: 0, volumeShare: 0, supplierShares: new Array(S).fill(0), ids: [], acceptedShares: new Uint32Array(0), stats };
  }

  // Step 2 of §6.6.3: permute the bids obliviously. The input index i travels with its bid (a public constant is
  // its own share: the line with slope 0), so that ties in price can be broken by a secret that moves with the bid.
  const inputIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) inputIndex[i] = i;
  const sh = await shuffle(party, [input.q, input.p, input.d, input.b, inputIndex, ...input.s]);
  let [q, p, d, b] = sh as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  const idx = sh[4]!;
  let s = sh.slice(5);

  // Sort by key0 = 2p + d (sellers first at equal price), made unique as key0·n + i with the *secret* input index.
  // Breaking ties by the public post-shuffle position instead would be wrong twice: equal keys would sit in
  // position order, so quicksort would degrade to n² on a one-price market, and the revealed comparisons would
  // then show how many bids share a price (a leak). With unique secret keys the opened outcomes depend only on the
  // uniform shuffle.
  const key0 = new Uint32Array(n);
  const key = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    key0[j] = add(add(p[j]!, p[j]!), d[j]!);
    key[j] = add(mul(key0[j]!, n), idx[j]!);
  }
  const order = await quicksortOrder(party, pool, key, stats);
  log(`sorted in ${stats.levels} levels, ${stats.comparisons} comparisons; clearing`);
  q = gather(q, order);
  p = gather(p, order);
  d = gather(d, order);
  b = gather(b, order);
  s = s.map((col) => gather(col, order));
  const k0 = gather(key0, order);

  // Algorithm 1 line 2: δ = Σ q_j d_j.
  const dq = await party.mul(d, q);
  const delta = vsum(dq);
  const prefix = prefixExclusive(q);

  // One batch: c_j = [P_j < δ] and g_j = [key0_{j−1} < key0_j] (j ≥ 1; 1 − g_j = same group, as keys are sorted).
  const lhs = new Uint32Array(2 * n - 1);
  const rhs = new Uint32Array(2 * n - 1);
  for (let j = 0; j < n; j++) {
    lhs[j] = prefix[j]!;
    rhs[j] = delta;
  }
  for (let j = 1; j < n; j++) {
    lhs[n + j - 1] = k0[j - 1]!;
    rhs[n + j - 1] = k0[j]!;
  }
  const lt = await lessThan(party, pool, lhs, rhs);
  const c = lt.subarray(0, n);
  const same = new Uint32Array(n); // f_j
  for (let j = 1; j < n; j++) same[j] = sub(1, lt[n + j - 1]!);

  // Group scan: x_j = f_j(1 − c_j)·x_{j−1} + c_j.
  const aCoef = await party.mul(same, vOneMinus(c));
  const cg = await affineScan(party, aCoef, c);

  // u_j: selected seller; dc_j = d_j·c'_j.
  const dc = await party.mul(d, cg);
  const u = vsub(cg, dc);

  // Last selected seller: w_j = u_j · Π_{i>j}(1 − u_i).
  const suf = await suffixProduct(party, vOneMinus(u));
  const after = new Uint32Array(n);
  for (let j = 0; j < n; j++) after[j] = j + 1 < n ? suf[j + 1]! : 1;
  const both = await party.mul(new Uint32Array([...u, ...u]), new Uint32Array([...after, ...q]));
  const w = both.subarray(0, n);
  const vq = both.subarray(n);
  const passed = prefixExclusive(w); // 1 for positions after the last selected seller

  // σ = Σ w_j p_j; accepted buyers d_j·passed_j; per-supplier Σ vq_j s_jk.
  const xs: Uint32Array[] = [w, d];
  const ys: Uint32Array[] = [p, passed];
  for (let k = 0; k < S; k++) {
    xs.push(vq);
    ys.push(s[k]!);
  }
  const prod = await party.mul(concat(...xs), concat(...ys));
  const sigmaShare = vsum(prod.subarray(0, n));
  const accBuy = prod.subarray(n, 2 * n);
  const supplierShares: number[] = [];
  for (let k = 0; k < S; k++) supplierShares.push(vsum(prod.subarray((2 + k) * n, (3 + k) * n)));
  const accepted = new Uint32Array(n);
  for (let j = 0; j < n; j++) accepted[j] = add(u[j]!, accBuy[j]!);

  // Step 4: shuffle (id, accepted) again, open σ and the ids.
  const [b2, acc2] = (await shuffle(party, [b, accepted])) as [Uint32Array, Uint32Array];
  const opened = await party.open(new Uint32Array([sigmaShare, ...b2]));
  stats.offlineMs = barrierMs + (pool.offlineMs - offlineBefore); // plus any top-up of bits during the run
  stats.offlineCpuMs = pool.offlineCpuMs;
  stats.offlineMults = pool.offlineMults;
  stats.offlineRounds = pool.offlineRounds + 1; // + the barrier
  stats.randomBits = pool.bitPool.produced;
  stats.totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  stats.totalCpuMs = (cpu.user + cpu.system) / 1000;
  return {
    price: opened[0]!,
    volumeShare: vsum(vq),
    supplierShares,
    ids: Array.from(opened.subarray(1)),
    acceptedShares: acc2,
    stats,
  };
}

