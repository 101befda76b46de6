import { InputError } from '../../toolchain/common/errors.ts';
import { P } from './field.ts';
import type { AuctionInput, AuctionOutput } from './auction.ts';

// Files exchanged between the bidders/recipients (here: the `hasm mpc auction` coordinator) and one evaluator:
// its input shares and its output shares, as JSON. Shares are uniform field elements, never the values.

export function inputToJson(x: AuctionInput): string {
  return JSON.stringify({ q: [...x.q], p: [...x.p], d: [...x.d], b: [...x.b], s: x.s.map((c) => [...c]) });
}

export function inputFromJson(text: string, file: string): AuctionInput {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`input shares are not JSON: ${(e as Error).message}`, { file });
  }
  const vec = (v: unknown, what: string, n?: number): Uint32Array => {
    if (!Array.isArray(v) || (n !== undefined && v.length !== n)) throw new InputError(`${what}: expected an array${n !== undefined ? ` of ${n}` : ''}`, { file });
    const out = new Uint32Array(v.length);
    v.forEach((x, i) => {
      if (!Number.isInteger(x) || x < 0 || x >= P) throw new InputError(`${what}[${i}] is not a field element`, { file });
      out[i] = x as number;
    });
    return out;
  };
  const q = vec(o.q, 'q');
  const n = q.length;
  if (!Array.isArray(o.s) || o.s.length === 0) throw new InputError('s: expected one column per supplier', { file });
  return { q, p: vec(o.p, 'p', n), d: vec(o.d, 'd', n), b: vec(o.b, 'b', n), s: (o.s as unknown[]).map((c, k) => vec(c, `s[${k}]`, n)) };
}

export interface OutputFile {
  price: number;
  volumeShare: number;
  supplierShares: number[];
  ids: number[];
  acceptedShares: number[];
  stats: AuctionOutput['stats'];
  counters: { rounds: number; mults: number; opens: number; sentWords: number; lts: number };
}

export function outputToJson(o: AuctionOutput, counters: OutputFile['counters']): string {
  const f: OutputFile = { ...o, acceptedShares: [...o.acceptedShares], counters };
  return JSON.stringify(f);
}
