import { add, fromInt, mul, P, sub } from './field.ts';
import { Prg } from './prg.ts';
import { endianness } from 'node:os';
import { MpcAbort, peersOf, type PartyId, type Transport } from './transport.ts';

// Frames are read in place as little-endian words.
if (endianness() !== 'LE') throw new Error('not implemented: MPC framing on a big-endian host');

// One evaluator's view of the arithmetic black box: Shamir sharing with threshold t = 1 among n = 3 (seed §6.6.1,
// honest majority, semi-honest). A share of x held by party i is f(i) for a random line f with f(0) = x.
// Every interaction is one call to `exchange`: one frame per peer per round, whatever the batch size.
// The frame format (header: round number, element count; body: little-endian 31-bit words) is checked on arrival,
// so a peer that sends garbage makes everyone stop with a clear MpcAbort instead of computing nonsense.
// A maliciously secure variant would replace mul/open here (e.g. with checked degree-2 openings); the protocols
// above only use this interface.

/** Lagrange coefficients at 0 for the points 1, 2, 3 (polynomials of degree ≤ 2). */
export const LAMBDA3 = [0, 3, P - 3, 1] as const;

/** Statistics the benchmark reports. */
export interface Counters {
  rounds: number;
  mults: number;
  opens: number;
  sentWords: number;
  lts: number;
}

/** A hook that sees every frame this party sends or receives (the transcript test). */
export type Tap = (dir: 'send' | 'recv', peer: PartyId, words: Uint32Array) => void;

export class Party {
  readonly peers: [PartyId, PartyId];
  readonly counters: Counters = { rounds: 0, mults: 0, opens: 0, sentWords: 0, lts: 0 };
  private round = 0;
  /** PRSS: for the pair {id, peer}, a stream both know, and the weight f_A(id) of this party's share. */
  private pairPrg = new Map<PartyId, Prg>();
  private pairWeight = new Map<PartyId, number>();
  tap: Tap | undefined;

  constructor(
    readonly id: PartyId,
    readonly net: Transport,
    /** Keys shared with each peer (16 bytes), the same at both ends of a pair. */
    pairKeys: Map<PartyId, Uint8Array>,
    readonly own: Prg = Prg.random(),
  ) {
    this.peers = peersOf(id);
    for (const peer of this.peers) {
      const key = pairKeys.get(peer);
      if (!key) throw new Error(`party ${id}: no pair key for party ${peer}`);
      this.pairPrg.set(peer, new Prg(key));
      // Replicated → Shamir (Cramer–Damgård–Ishai): the pair A = {id, peer} excludes party k; f_A(x) = 1 - x/k.
      const k = 6 - id - peer;
      this.pairWeight.set(peer, sub(1, mul(id, invSmall(k))));
    }
  }

  /** The stream shared with one peer (shuffle.ts draws the pair's permutation from it). */
  pairStream(peer: PartyId): Prg {
    return this.pairPrg.get(peer)!;
  }

  // ---- communication --------------------------------------------------------------------------------------------

  /** One round: sends out[peer] to each peer, returns what each peer sent. */
  async exchange(out: Map<PartyId, Uint32Array>): Promise<Map<PartyId, Uint32Array>> {
    const r = ++this.round;
    this.counters.rounds++;
    for (const peer of this.peers) {
      const body = out.get(peer) ?? new Uint32Array(0);
      this.tap?.('send', peer, body);
      const frame = new Uint8Array(8 + body.length * 4);
      const dv = new DataView(frame.buffer);
      dv.setUint32(0, r, true);
      dv.setUint32(4, body.length, true);
      new Uint32Array(frame.buffer, 8, body.length).set(body);
      this.counters.sentWords += body.length;
      this.net.send(peer, frame);
    }
    const got = await Promise.all(this.peers.map((peer) => this.net.recv(peer)));
    const res = new Map<PartyId, Uint32Array>();
    this.peers.forEach((peer, i) => {
      const body = this.parse(peer, r, got[i]!);
      this.tap?.('recv', peer, body);
      res.set(peer, body);
    });
    return res;
  }

  private parse(peer: PartyId, r: number, frame: Uint8Array): Uint32Array {
    const bad = (why: string) => new MpcAbort(`party ${this.id}: malformed message from party ${peer} in round ${r}: ${why}`);
    if (frame.length < 8 || frame.length % 4 !== 0) throw bad(`frame of ${frame.length} bytes`);
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const fr = dv.getUint32(0, true);
    const n = dv.getUint32(4, true);
    if (fr !== r) throw bad(`it is for round ${fr}`);
    if (frame.length !== 8 + 4 * n) throw bad(`header says ${n} elements, frame holds ${(frame.length - 8) / 4}`);
    // Little-endian hosts (all Node targets we run on) can view the words in place; copy to align if needed.
    const start = frame.byteOffset + 8;
    const body = start % 4 === 0 ? new Uint32Array(frame.buffer, start, n) : new Uint32Array(frame.slice(8).buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const w = body[i]!;
      if (w >= P) throw bad(`element ${i} = ${w} is not in the field`);
    }
    return body;
  }

  /** Checks a peer sent the expected number of elements (a short or long vector is malformed too). */
  expectLength(peer: PartyId, got: Uint32Array, n: number): Uint32Array {
    if (got.length !== n) throw new MpcAbort(`party ${this.id}: malformed message from party ${peer} in round ${this.round}: expected ${n} elements, got ${got.length}`);
    return got;
  }

  // ---- randomness -----------------------------------------------------------------------------------------------

  /** Pseudo-random secret sharing: n shared uniform values without any message (seed keys fixed at setup). */
  prss(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (const peer of this.peers) {
      const g = this.pairPrg.get(peer)!;
      const w = this.pairWeight.get(peer)!;
      for (let i = 0; i < n; i++) out[i] = add(out[i]!, mul(g.next(), w));
    }
    return out;
  }

  // ---- the arithmetic black box ---------------------------------------------------------------------------------

  /** Shares of x·y (elementwise): local degree-2 products, re-shared on fresh lines and recombined (GRR, 1 round). */
  async mul(x: Uint32Array, y: Uint32Array): Promise<Uint32Array> {
    const n = x.length;
    if (y.length !== n) throw new RangeError(`mul: lengths ${n} and ${y.length}`);
    this.counters.mults += n;
    const h = new Uint32Array(n);
    for (let i = 0; i < n; i++) h[i] = mul(x[i]!, y[i]!);
    return this.degreeReduce(h);
  }

  /** Re-shares this party's degree-2 points h and recombines: the core of GRR multiplication. */
  async degreeReduce(h: Uint32Array): Promise<Uint32Array> {
    // Evaluation points 1, 2, 3 and Lagrange weights 3, −3, 1 are tiny, so every product here is a few additions.
    const n = h.length;
    const [a, b] = this.peers;
    const toA = new Uint32Array(n);
    const toB = new Uint32Array(n);
    const mine = new Uint32Array(n);
    const rnd = this.own.fill(n);
    // f(x) = h + r·x at x = 1, 2, 3; the peers' points go out, this party's stays.
    const outA = a === 1 ? 1 : a === 2 ? 2 : 3;
    const outB = b === 1 ? 1 : b === 2 ? 2 : 3;
    for (let i = 0; i < n; i++) {
      const hi = h[i]!;
      const r = rnd[i]!;
      const r2 = add(r, r);
      const p1 = add(hi, r);
      const p2 = add(hi, r2);
      const p3 = add(p2, r);
      toA[i] = outA === 1 ? p1 : outA === 2 ? p2 : p3;
      toB[i] = outB === 1 ? p1 : outB === 2 ? p2 : p3;
      mine[i] = this.id === 1 ? p1 : this.id === 2 ? p2 : p3;
    }
    const got = await this.exchange(new Map([[a, toA], [b, toB]]));
    const fa = this.expectLength(a, got.get(a)!, n);
    const fb = this.expectLength(b, got.get(b)!, n);
    return recombine(this.id, mine, a, fa, b, fb);
  }

  /** Opens shared values (degree 1 or 2) to all three evaluators. */
  async open(x: Uint32Array): Promise<Uint32Array> {
    const n = x.length;
    this.counters.opens += n;
    const [a, b] = this.peers;
    const got = await this.exchange(new Map([[a, x], [b, x]]));
    const xa = this.expectLength(a, got.get(a)!, n);
    const xb = this.expectLength(b, got.get(b)!, n);
    return recombine(this.id, x, a, xa, b, xb);
  }
}

/** Σ λ_i·v_i with λ = (3, −3, 1) for the points (1, 2, 3), by additions only. */
function recombine(me: PartyId, vm: Uint32Array, a: PartyId, va: Uint32Array, b: PartyId, vb: Uint32Array): Uint32Array {
  const n = vm.length;
  const pick = (k: PartyId) => (me === k ? vm : a === k ? va : vb);
  const v1 = pick(1);
  const v2 = pick(2);
  const v3 = pick(3);
  const z = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const d = sub(v1[i]!, v2[i]!);
    z[i] = add(add(add(d, d), d), v3[i]!);
  }
  return z;
}

function invSmall(k: number): number {
  // 1/k for k ∈ {1,2,3}, computed once.
  return k === 1 ? 1 : k === 2 ? (P + 1) / 2 : (2 * P + 1) / 3;
}

// ---- dealing and reconstructing (what bidders and output parties do) ------------------------------------------

/** Shamir shares of each value, as three vectors (index 1..3). */
export function deal(values: ArrayLike<number>, rng: Prg): [Uint32Array, Uint32Array, Uint32Array] {
  const n = values.length;
  const s1 = new Uint32Array(n);
  const s2 = new Uint32Array(n);
  const s3 = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const x = fromInt(values[i]!);
    const r = rng.next();
    s1[i] = add(x, r);
    s2[i] = add(x, mul(r, 2));
    s3[i] = add(x, mul(r, 3));
  }
  return [s1, s2, s3];
}

/** The secret from all three shares (a degree-1 sharing is consistent, so any two would do). */
export function reconstruct(s1: ArrayLike<number>, s2: ArrayLike<number>, s3: ArrayLike<number>): Uint32Array {
  const n = s1.length;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = add(add(mul(3, s1[i]!), mul(P - 3, s2[i]!)), s3[i]!);
  return out;
}
