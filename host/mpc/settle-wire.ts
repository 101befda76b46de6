import { InputError } from '../../toolchain/common/errors.ts';
import { P } from './field.ts';
import type { Algorithm, Equality, SettlementInput, SettlementShares } from './settlement.ts';

// One evaluator's settlement input shares as a binary file (a million meters would make JSON of hundreds of MB):
// 4-byte little-endian header length, a JSON header naming the columns, then the columns as little-endian words.

interface Header {
  algorithm: Algorithm;
  equality: Equality;
  n: number;
  nd: number;
  ns: number;
  /** column names in file order; `regions` first, then e.g. sImp, vImp.0, … */
  columns: string[];
}

export function settlementInputToBytes(x: SettlementInput, algorithm: Algorithm, equality: Equality): Uint8Array {
  const cols: Array<[string, Uint32Array]> = [['regions', Uint32Array.from(x.regions)]];
  for (const k of ['sImp', 'sExp', 'eImp', 'eExp'] as const) if (x[k]) cols.push([k, x[k]!]);
  for (const k of ['sImpBits', 'sExpBits', 'vImp', 'vExp'] as const) x[k]?.forEach((c, i) => cols.push([`${k}.${i}`, c]));
  const header: Header = { algorithm, equality, n: x.regions.length, nd: x.nd, ns: x.ns, columns: cols.map((c) => c[0]) };
  const h = Buffer.from(JSON.stringify(header));
  const pad = (4 - ((4 + h.length) % 4)) % 4;
  const out = Buffer.alloc(4 + h.length + pad + cols.length * header.n * 4);
  out.writeUInt32LE(h.length + pad, 0);
  h.copy(out, 4);
  out.fill(0x20, 4 + h.length, 4 + h.length + pad);
  let o = 4 + h.length + pad;
  for (const [, c] of cols) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out, o);
    o += c.byteLength;
  }
  return out;
}

export function settlementInputFromBytes(bytes: Uint8Array, file: string): { input: SettlementInput; algorithm: Algorithm; equality: Equality } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (m: string) => new InputError(`settlement shares: ${m}`, { file });
  if (buf.length < 4) throw bad('file too short');
  const hl = buf.readUInt32LE(0);
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(4, 4 + hl).toString()) as Header;
  } catch (e) {
    throw bad(`header is not JSON: ${(e as Error).message}`);
  }
  if (!['naa', 'ncaa', 'niaa'].includes(h.algorithm) || !['poly', 'alg5'].includes(h.equality)) throw bad('unknown algorithm or equality');
  if (!Number.isInteger(h.n) || !Number.isInteger(h.nd) || !Number.isInteger(h.ns) || !Array.isArray(h.columns)) throw bad('malformed header');
  const start = 4 + hl;
  if (buf.length !== start + h.columns.length * h.n * 4) throw bad(`expected ${h.columns.length} columns of ${h.n} words`);
  const col = (k: number) => {
    const c = new Uint32Array(h.n);
    for (let i = 0; i < h.n; i++) {
      const w = buf.readUInt32LE(start + (k * h.n + i) * 4);
      if (w >= P) throw bad(`column ${h.columns[k]} word ${i} is not a field element`);
      c[i] = w;
    }
    return c;
  };
  const regions = col(0);
  const input: SettlementInput = { regions: Uint16Array.from(regions), nd: h.nd, ns: h.ns };
  for (const r of input.regions) if (r < 1 || r > h.nd) throw bad(`region ${r} outside 1..${h.nd}`);
  const lists: Record<string, Uint32Array[]> = {};
  h.columns.forEach((name, k) => {
    if (k === 0) return;
    const dot = name.indexOf('.');
    if (dot < 0) {
      if (!['sImp', 'sExp', 'eImp', 'eExp'].includes(name)) throw bad(`unknown column ${name}`);
      (input as unknown as Record<string, Uint32Array>)[name] = col(k);
    } else {
      const base = name.slice(0, dot);
      if (!['sImpBits', 'sExpBits', 'vImp', 'vExp'].includes(base)) throw bad(`unknown column ${name}`);
      (lists[base] ??= []).push(col(k));
    }
  });
  for (const [k, v] of Object.entries(lists)) (input as unknown as Record<string, Uint32Array[]>)[k] = v;
  return { input, algorithm: h.algorithm, equality: h.equality };
}

export interface SettlementOutputFile {
  imp: number[];
  exp: number[];
  seconds: number;
  counters: { rounds: number; mults: number; opens: number; sentWords: number; lts: number };
}

export function settlementOutputToJson(s: SettlementShares, seconds: number, counters: SettlementOutputFile['counters']): string {
  const f: SettlementOutputFile = { imp: [...s.imp], exp: [...s.exp], seconds, counters };
  return JSON.stringify(f);
}
