import { InputError } from '../../toolchain/common/errors.ts';
import { concat } from './vec.ts';
import { add } from './field.ts';
import { equalBitsAlg5, indicatorsPoly } from './equality.ts';
import { combine3, pairKeys, seededKeys } from './market.ts';
import { memoryNetwork } from './memory.ts';
import type { Meter } from './meters.ts';
import { deal, Party, type Counters } from './party.ts';
import { Prg } from './prg.ts';
import { shuffle } from './shuffle.ts';
import type { PartyId } from './transport.ts';

// The operational settlement (seed §6.6.4): region-based aggregation of the meters' import/export per supplier
// with NAA, NCAA or NIAA (Algorithms 2–4), grid-based aggregation by adding shares, and output distribution to the
// TSO, the DSOs and the suppliers as Table 6.6 lists (TSO: N_d × N_s values; a DSO: N_s; a supplier: N_d).
// Regions are public (a DSO knows its meters); suppliers and energies are secret.

export type Algorithm = 'naa' | 'ncaa' | 'niaa';
export type Equality = 'poly' | 'alg5';

/** What one evaluator holds for the settlement period. */
export interface SettlementInput {
  regions: Uint16Array; // public, 1..Nd
  nd: number;
  ns: number;
  // NAA / NCAA: shared supplier ids and energies
  sImp?: Uint32Array;
  sExp?: Uint32Array;
  eImp?: Uint32Array;
  eExp?: Uint32Array;
  // NAA with Algorithm 5: supplier ids as σ shared bits
  sImpBits?: Uint32Array[];
  sExpBits?: Uint32Array[];
  // NIAA: one-hot energy vectors, vImp[u][i] = E_imp of meter i if its import supplier is u+1, else 0
  vImp?: Uint32Array[];
  vExp?: Uint32Array[];
}

/** Shares of the region × supplier aggregates, index (region−1)·Ns + (supplier−1). */
export interface SettlementShares {
  imp: Uint32Array;
  exp: Uint32Array;
}

export function supplierBits(ns: number): number {
  return Math.max(1, Math.ceil(Math.log2(ns + 1)));
}

/** The meters' side (step 1): each meter shares its tuple in the encoding the algorithm needs. */
export function shareMeters(meters: Meter[], alg: Algorithm, nd: number, ns: number, rng: Prg, equality: Equality = 'poly'): Record<PartyId, SettlementInput> {
  const regions = Uint16Array.from(meters.map((m) => m.region));
  const base = (): SettlementInput => ({ regions, nd, ns });
  const ins: Record<PartyId, SettlementInput> = { 1: base(), 2: base(), 3: base() };
  const put = (k: keyof SettlementInput, sh: [Uint32Array, Uint32Array, Uint32Array]) => {
    (ins[1] as unknown as Record<string, unknown>)[k] = sh[0];
    (ins[2] as unknown as Record<string, unknown>)[k] = sh[1];
    (ins[3] as unknown as Record<string, unknown>)[k] = sh[2];
  };
  const putList = (k: 'sImpBits' | 'sExpBits' | 'vImp' | 'vExp', cols: Array<[Uint32Array, Uint32Array, Uint32Array]>) => {
    ins[1][k] = cols.map((c) => c[0]);
    ins[2][k] = cols.map((c) => c[1]);
    ins[3][k] = cols.map((c) => c[2]);
  };
  if (alg === 'niaa') {
    const v = (f: (m: Meter) => number, s: (m: Meter) => number) =>
      Array.from({ length: ns }, (_, u) => deal(meters.map((m) => (s(m) === u + 1 ? f(m) : 0)), rng));
    putList('vImp', v((m) => m.import, (m) => m.importSupplier));
    putList('vExp', v((m) => m.export, (m) => m.exportSupplier));
    return ins;
  }
  put('eImp', deal(meters.map((m) => m.import), rng));
  put('eExp', deal(meters.map((m) => m.export), rng));
  if (alg === 'naa' && equality === 'alg5') {
    const sigma = supplierBits(ns);
    const bits = (s: (m: Meter) => number) => Array.from({ length: sigma }, (_, k) => deal(meters.map((m) => (s(m) >>> k) & 1), rng));
    putList('sImpBits', bits((m) => m.importSupplier));
    putList('sExpBits', bits((m) => m.exportSupplier));
  } else {
    put('sImp', deal(meters.map((m) => m.importSupplier), rng));
    put('sExp', deal(meters.map((m) => m.exportSupplier), rng));
  }
  return ins;
}

/** Step 2 (region-based aggregation) at one evaluator. */
export async function runSettlement(party: Party, x: SettlementInput, alg: Algorithm, equality: Equality = 'poly'): Promise<SettlementShares> {
  const { regions, nd, ns } = x;
  const n = regions.length;
  const imp = new Uint32Array(nd * ns);
  const exp = new Uint32Array(nd * ns);
  const cell = (i: number, u: number) => (regions[i]! - 1) * ns + u;

  if (alg === 'niaa') {
    // Algorithm 4: additions only, no message at all.
    for (let u = 0; u < ns; u++) {
      const vi = x.vImp![u]!;
      const ve = x.vExp![u]!;
      for (let i = 0; i < n; i++) {
        const c = cell(i, u);
        imp[c] = add(imp[c]!, vi[i]!);
        exp[c] = add(exp[c]!, ve[i]!);
      }
    }
    return { imp, exp };
  }

  if (alg === 'naa') {
    // Algorithm 2: [c] = [s] =? u for every meter and supplier, then [E] += [c]·[E_i]; both loops in one batch.
    let ind: Uint32Array;
    if (equality === 'alg5') {
      const sigma = x.sImpBits!.length;
      const both = Array.from({ length: sigma }, (_, k) => concat(x.sImpBits![k]!, x.sExpBits![k]!));
      ind = await equalBitsAlg5(party, both, Array.from({ length: ns }, (_, u) => u + 1));
    } else ind = await indicatorsPoly(party, concat(x.sImp!, x.sExp!), ns);
    const e = new Uint32Array(2 * n * ns);
    for (let i = 0; i < n; i++) {
      for (let u = 0; u < ns; u++) {
        e[i * ns + u] = x.eImp![i]!;
        e[(n + i) * ns + u] = x.eExp![i]!;
      }
    }
    const prod = await party.mul(ind, e);
    for (let i = 0; i < n; i++) {
      for (let u = 0; u < ns; u++) {
        const c = cell(i, u);
        imp[c] = add(imp[c]!, prod[i * ns + u]!);
        exp[c] = add(exp[c]!, prod[(n + i) * ns + u]!);
      }
    }
    return { imp, exp };
  }

  // Algorithm 3 (NCAA): per region, permute the (supplier, energy) pairs, open the suppliers, add the energies into
  // the opened supplier's cell. Leaks the number of meters per supplier in each region, as the seed states.
  const members: number[][] = Array.from({ length: nd }, () => []);
  for (let i = 0; i < n; i++) members[regions[i]! - 1]!.push(i);
  const toOpen: Uint32Array[] = [];
  const energies: Array<{ region: number; dir: 'imp' | 'exp'; e: Uint32Array }> = [];
  for (let r = 0; r < nd; r++) {
    const idx = members[r]!;
    if (idx.length === 0) continue;
    for (const dir of ['imp', 'exp'] as const) {
      const s = dir === 'imp' ? x.sImp! : x.sExp!;
      const e = dir === 'imp' ? x.eImp! : x.eExp!;
      const [ps, pe] = await shuffle(party, [pick(s, idx), pick(e, idx)]);
      toOpen.push(ps!);
      energies.push({ region: r, dir, e: pe! });
    }
  }
  const opened = await party.open(concat(...toOpen));
  let o = 0;
  for (const { region, dir, e } of energies) {
    const out = dir === 'imp' ? imp : exp;
    for (let t = 0; t < e.length; t++) {
      const s = opened[o++]!;
      if (s < 1 || s > ns) throw new Error(`NCAA: a meter in region ${region + 1} shared supplier id ${s}, outside 1..${ns}`);
      const c = region * ns + s - 1;
      out[c] = add(out[c]!, e[t]!);
    }
  }
  return { imp, exp };
}

function pick(a: Uint32Array, idx: number[]): Uint32Array {
  const out = new Uint32Array(idx.length);
  for (let t = 0; t < idx.length; t++) out[t] = a[idx[t]!]!;
  return out;
}

// ---- cleartext reference and output views ---------------------------------------------------------------------

export interface Flow {
  import: number;
  export: number;
}

/** Region × supplier aggregates in the clear: [region−1][supplier−1]. */
export type Aggregates = Flow[][];

export function settleReference(meters: Meter[], nd: number, ns: number): Aggregates {
  const a: Aggregates = Array.from({ length: nd }, () => Array.from({ length: ns }, () => ({ import: 0, export: 0 })));
  for (const m of meters) {
    a[m.region - 1]![m.importSupplier - 1]!.import += m.import;
    a[m.region - 1]![m.exportSupplier - 1]!.export += m.export;
  }
  return a;
}

export interface SettlementRun {
  algorithm: Algorithm;
  meters: number;
  aggregates: Aggregates;
  evaluatorSeconds: number;
  counters: Counters;
}

export function dimensions(meters: Meter[]): { nd: number; ns: number } {
  let nd = 1;
  let ns = 1;
  for (const m of meters) {
    nd = Math.max(nd, m.region);
    ns = Math.max(ns, m.importSupplier, m.exportSupplier);
  }
  return { nd, ns };
}

/** Three evaluators in this process (in-memory channels): share, aggregate, reconstruct. */
export async function settleInMemory(meters: Meter[], alg: Algorithm, opts: { equality?: Equality; seed?: number } = {}): Promise<SettlementRun> {
  const { nd, ns } = dimensions(meters);
  const keys = opts.seed !== undefined ? seededKeys(opts.seed) : undefined;
  const inputs = shareMeters(meters, alg, nd, ns, keys?.dealer ?? Prg.random(), opts.equality);
  return evaluateInMemory(inputs, meters.length, nd, ns, alg, opts);
}

/**
 * The settlement on energies the meters shared themselves (issue 21 item 5): each meter's DC security module sends
 * evaluator k its own Shamir share f(k) = Wh + a·k of the period's import (firmware/dc, the encoding of `deal`), so
 * no reading is dealt — nor seen — here. Only the suppliers (contract data, not readings) are dealt by the
 * meters' side, and the export is zero (the emulated meters have no generation). NIAA needs one-hot energies per
 * supplier, which a meter that does not know its supplier contract cannot share: NAA and NCAA only.
 */
export async function settleMeterShares(
  imports: Record<PartyId, Uint32Array>,
  regions: number[],
  suppliers: number[],
  alg: Algorithm,
  opts: { equality?: Equality; seed?: number } = {},
): Promise<SettlementRun> {
  if (alg === 'niaa') throw new InputError('settlement on the meters\' own shares: NIAA needs one-hot energies per supplier, which the meters do not share; use naa or ncaa');
  const n = regions.length;
  if (suppliers.length !== n || ([1, 2, 3] as const).some((k) => imports[k].length !== n)) throw new InputError(`settlement: ${n} regions, ${suppliers.length} suppliers and ${[1, 2, 3].map((k) => imports[k as PartyId].length).join('/')} shares do not match`);
  const meters: Meter[] = regions.map((region, i) => ({ meter: i, region, importSupplier: suppliers[i]!, exportSupplier: suppliers[i]!, import: 0, export: 0 }));
  const { nd, ns } = dimensions(meters);
  const keys = opts.seed !== undefined ? seededKeys(opts.seed) : undefined;
  const inputs = shareMeters(meters, alg, nd, ns, keys?.dealer ?? Prg.random(), opts.equality);
  for (const k of [1, 2, 3] as const) inputs[k].eImp = imports[k];
  return evaluateInMemory(inputs, n, nd, ns, alg, opts);
}

async function evaluateInMemory(inputs: Record<PartyId, SettlementInput>, count: number, nd: number, ns: number, alg: Algorithm, opts: { equality?: Equality; seed?: number }): Promise<SettlementRun> {
  const keys = opts.seed !== undefined ? seededKeys(opts.seed) : undefined;
  const net = memoryNetwork();
  const pk = keys?.pairs ?? pairKeys();
  const ids: PartyId[] = [1, 2, 3];
  const parties = ids.map((id) => new Party(id, net[id], pk[id], keys?.own[id]));
  const t0 = performance.now();
  const outs = await Promise.all(ids.map((id, k) => runSettlement(parties[k]!, inputs[id], alg, opts.equality)));
  const evaluatorSeconds = (performance.now() - t0) / 1000;
  const aggregates: Aggregates = Array.from({ length: nd }, (_, r) =>
    Array.from({ length: ns }, (_, u) => {
      const c = r * ns + u;
      return { import: combine3(outs[0]!.imp[c]!, outs[1]!.imp[c]!, outs[2]!.imp[c]!), export: combine3(outs[0]!.exp[c]!, outs[1]!.exp[c]!, outs[2]!.exp[c]!) };
    }),
  );
  return { algorithm: alg, meters: count, aggregates, evaluatorSeconds, counters: parties[0]!.counters };
}

const sumFlows = (fs: Flow[]): Flow => fs.reduce((a, f) => ({ import: a.import + f.import, export: a.export + f.export }), { import: 0, export: 0 });

/** The JSON of `hasm mpc settle --json`: what each recipient reconstructs (seed Table 6.6, §6.6.4 step 4). */
export function settlementJson(run: SettlementRun): Record<string, unknown> {
  const a = run.aggregates;
  const nd = a.length;
  const ns = a[0]?.length ?? 0;
  const obj = <T>(k: number, f: (i: number) => T) => Object.fromEntries(Array.from({ length: k }, (_, i) => [String(i + 1), f(i)]));
  const regionTotal = (r: number) => sumFlows(a[r]!);
  const supplierTotal = (u: number) => sumFlows(a.map((row) => row[u]!));
  return {
    algorithm: run.algorithm,
    meters: run.meters,
    regions: nd,
    suppliers: ns,
    tso: {
      region_supplier: obj(nd, (r) => obj(ns, (u) => a[r]![u]!)),
      region: obj(nd, regionTotal),
      supplier: obj(ns, supplierTotal),
      grid: sumFlows(a.map((row) => sumFlows(row))),
    },
    dso: obj(nd, (r) => ({ supplier: obj(ns, (u) => a[r]![u]!), total: regionTotal(r) })),
    supplier: obj(ns, (u) => ({ region: obj(nd, (r) => a[r]![u]!), total: supplierTotal(u) })),
    evaluators: {
      multiplications: run.counters.mults,
      rounds: run.counters.rounds,
      opened: run.counters.opens,
      seconds: Math.round(run.evaluatorSeconds * 1000) / 1000,
    },
  };
}

export function settlementText(run: SettlementRun): string {
  const lines = [`${run.algorithm.toUpperCase()}: ${run.meters} meters, ${run.counters.mults} multiplications, ${run.counters.rounds} rounds, ${run.evaluatorSeconds.toFixed(3)} s`];
  run.aggregates.forEach((row, r) => {
    lines.push(`region ${r + 1}: ` + row.map((f, u) => `s${u + 1} ${f.import}/${f.export}`).join('  ') + '   (import/export Wh)');
  });
  return lines.join('\n');
}
