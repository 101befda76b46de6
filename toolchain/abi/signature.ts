// An export's signature, carried in the image as the value of the absolute symbol `__hasm_sig_NAME` so that
// `hasm run --call` can place arguments and read results: bits 1..0 the result (0 none, 1 i32, 2 i64), then
// two bits per parameter (1 i32, 2 i64), up to 7 parameters.
import { InputError } from '../common/errors.ts';

export type ValType = 'i32' | 'i64';

const CODE: Record<string, number> = { i32: 1, i64: 2 };

export function encodeSignature(params: string[], results: string[]): number {
  if (params.length > 7 || results.length > 1) throw new InputError(`signature (${params.join(',')})->(${results.join(',')}) does not fit the export signature symbol`);
  let v = results.length ? CODE[results[0]!]! : 0;
  params.forEach((t, i) => (v |= CODE[t]! << (2 + 2 * i)));
  return v;
}

export function decodeSignature(v: number): { params: ValType[]; result?: ValType } {
  const t = (c: number): ValType => (c === 2 ? 'i64' : 'i32');
  const params: ValType[] = [];
  for (let i = 0; i < 7; i++) {
    const c = (v >> (2 + 2 * i)) & 3;
    if (!c) break;
    params.push(t(c));
  }
  return { params, result: v & 3 ? t(v & 3) : undefined };
}
