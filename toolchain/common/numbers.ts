import { UsageError } from './errors.ts';

// ../shared/CLI.md: numbers in are decimal, or hexadecimal with 0x; byte strings are lowercase hex.

/** Parses a decimal or 0x-hexadecimal integer (optionally negative); throws UsageError naming `what`. */
export function parseInteger(text: string, what: string): number {
  const m = /^(-)?(?:0x([0-9a-fA-F]+)|([0-9]+))$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: expected a decimal or 0x-hex number, got '${text}'`);
  const v = m[2] !== undefined ? parseInt(m[2], 16) : parseInt(m[3]!, 10);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${what}: '${text}' is too large`);
  return m[1] ? -v : v;
}

/** Parses a duration such as 90s, 30m, 24h, 1d (a decimal count and one unit) into seconds; throws UsageError naming `what`. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: expected a duration like 90s, 30m, 24h or 1d, got '${text}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Like parseInteger but for 64-bit values: returns a bigint. */
export function parseBigInteger(text: string, what: string): bigint {
  const m = /^(-)?(?:0x([0-9a-fA-F]+)|([0-9]+))$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: expected a decimal or 0x-hex number, got '${text}'`);
  const v = m[2] !== undefined ? BigInt('0x' + m[2]) : BigInt(m[3]!);
  return m[1] ? -v : v;
}

export function parseHexBytes(text: string, what: string): Uint8Array {
  const t = text.trim();
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) {
    throw new UsageError(`${what}: expected an even number of hex digits, got '${text}'`);
  }
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function hex4(v: number): string {
  return (v & 0xffff).toString(16).padStart(4, '0');
}
