// Load profiles for the metrology front end (peripherals/ade7953.ts): the energy a household draws per interval, as
// exact integers (mWh), so that the energy the front end registers can be compared with what was fed to the LSB.
// Parses the privacy study's CSV (`hasm privacy generate`, CER households: `meter,timestamp,kwh`, half-hourly or
// finer, an optional header line); a household made by the generator on the fly is handed over the same way.
import { InputError } from '../common/errors.ts';

export interface LoadProfile {
  /** Length of every interval in seconds (a divisor of 3600: half-hourly is 1800). */
  intervalSeconds: number;
  /** Energy drawn in each interval, mWh. */
  mwh: bigint[];
  /** The meter ID the rows came from (CSV), if any. */
  meter?: string;
  /** Start of the first interval (UTC ms since the epoch), if the source gave timestamps. */
  startMs?: number;
}

/** A decimal number of kWh, exactly, in mWh (at most 6 decimals: 1 mWh). */
export function kwhToMwh(text: string): bigint | string {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return `'${text}' is not a non-negative decimal number of kWh with at most 6 decimals (1 mWh)`;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?$/;

/**
 * The rows of one meter of a `meter,timestamp,kwh` CSV as a profile. Rows must be consecutive intervals of one
 * length (a gap or a change of length is an error: the front end would have to invent the missing energy). With
 * several meters in the file, `meter` picks one (default: the first).
 */
export function parseLoadCsv(text: string, options: { file?: string; meter?: string } = {}): LoadProfile {
  const file = options.file ?? '<load profile>';
  const rows: { ms: number; mwh: bigint; line: number }[] = [];
  let meter = options.meter;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const f = line.split(',').map((x) => x.trim());
    if (f[0]?.toLowerCase() === 'meter' && f[1]?.toLowerCase() === 'timestamp') continue; // the header line
    if (f.length !== 3) throw new InputError(`expected 3 fields 'meter,timestamp,kwh', got ${f.length}`, { file, line: i + 1 });
    meter ??= f[0]!;
    if (f[0] !== meter) continue;
    const s = STAMP.exec(f[1]!);
    if (!s) throw new InputError(`timestamp '${f[1]}' is not YYYY-MM-DDTHH:MM[:SS]`, { file, line: i + 1 });
    const [y, mo, d, hh, mm, ss] = s.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
    const ms = Date.UTC(y!, mo! - 1, d!, hh!, mm!, ss!);
    const e = kwhToMwh(f[2]!);
    if (typeof e === 'string') throw new InputError(e, { file, line: i + 1 });
    rows.push({ ms, mwh: e, line: i + 1 });
  }
  if (rows.length === 0) throw new InputError(meter === undefined ? 'no readings' : `no readings of meter '${meter}'`, { file });
  rows.sort((a, b) => a.ms - b.ms);
  let step = 1800_000;
  if (rows.length > 1) step = rows[1]!.ms - rows[0]!.ms;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.ms - rows[i - 1]!.ms !== step) {
      throw new InputError(`readings of meter '${meter}' are not evenly spaced: ${(rows[i]!.ms - rows[i - 1]!.ms) / 1000} s after the previous one, ${step / 1000} s before`, { file, line: rows[i]!.line });
    }
  }
  const intervalSeconds = step / 1000;
  checkInterval(intervalSeconds);
  return { intervalSeconds, mwh: rows.map((r) => r.mwh), meter, startMs: rows[0]!.ms };
}

/** The interval must divide an hour (so that every interval's mean power is an exact rational the model can hold). */
export function checkInterval(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds <= 0 || 3600 % seconds !== 0) {
    throw new InputError(`load profile interval of ${seconds} s: must be a whole number of seconds dividing 3600`);
  }
}
