import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../../toolchain/common/errors.ts';
import { cerDay, SLOTS_PER_DAY } from './calendar.ts';
import { UNITS_PER_KWH } from './month-data.ts';

// Streamed readers for the two input formats. Each line is parsed on its own; a bad line is reported with its
// file and line number (InputError, exit 2) or, when the caller asks to skip bad lines, passed to onBad.
//
// CER "Electricity Customer Behaviour Trial" (issue 11, seed §5.3.3): `METER CODE KWH`, whitespace-separated;
//   CODE = day number since 1 Jan 2009 (day 1) × 100 + half hour 1–48. Days of the autumn clock change carry
//   half hours 49–50; they are folded into the day's last slot so that no consumption is lost from the total.
// Plain CSV: `meter,timestamp,kwh`, an optional header line; timestamp = start of the half hour,
//   `YYYY-MM-DDTHH:MM[:SS][Z]` (or a space instead of T), on a :00 or :30 boundary.

export interface Reading {
  meter: string;
  /** CER day number (1 = 1 Jan 2009). */
  day: number;
  /** 0–47; 48–49 only for the clock-change half hours of the CER format. */
  slotOfDay: number;
  /** Consumption in 1e-4 kWh. */
  value: number;
}

export type Format = 'cer' | 'csv';

export function formatOf(path: string): Format {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'cer';
}

const KWH = /^\d+(?:\.\d+)?$/;

function parseKwh(text: string): number | string {
  if (!KWH.test(text)) return `consumption '${text}' is not a non-negative decimal number of kWh`;
  return Math.round(Number(text) * UNITS_PER_KWH);
}

/** One CER line → a reading, or a message saying what is wrong with it. */
export function parseCerLine(line: string): Reading | string {
  const f = line.trim().split(/\s+/);
  if (f.length !== 3) return `expected 3 fields 'meter code kWh', got ${f.length}`;
  const [meter, code, kwh] = f as [string, string, string];
  if (!/^\d{5}$/.test(code)) return `time code '${code}' is not five digits (3-digit day + 2-digit half hour)`;
  const day = Number(code.slice(0, 3));
  const half = Number(code.slice(3));
  if (day < 1) return `day ${day} in time code '${code}' (days count from 1 = 1 Jan 2009)`;
  if (half < 1 || half > 50) return `half hour ${half} in time code '${code}' is outside 1–50`;
  const value = parseKwh(kwh);
  if (typeof value === 'string') return value;
  return { meter, day, slotOfDay: half - 1, value };
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?$/;

/** One CSV line → a reading, `null` for the header, or a message saying what is wrong with it. */
export function parseCsvLine(line: string, lineNo: number): Reading | string | null {
  const f = line.trim().split(',').map((x) => x.trim());
  if (lineNo === 1 && f[0]?.toLowerCase() === 'meter') return null;
  if (f.length !== 3) return `expected 3 fields 'meter,timestamp,kwh', got ${f.length}`;
  const [meter, stamp, kwh] = f as [string, string, string];
  if (meter === '') return 'empty meter ID';
  const m = STAMP.exec(stamp);
  if (!m) return `timestamp '${stamp}' is not YYYY-MM-DDTHH:MM[:SS]`;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > new Date(Date.UTC(y!, mo!, 0)).getUTCDate() || hh! > 23) {
    return `timestamp '${stamp}' is not a valid date and time`;
  }
  if ((mm !== 0 && mm !== 30) || ss !== 0) return `timestamp '${stamp}' is not on a half-hour boundary`;
  const day = cerDay(y!, mo!, d!);
  if (day < 1) return `timestamp '${stamp}' is before 2009 (the study's time axis starts on 1 Jan 2009)`;
  const value = parseKwh(kwh);
  if (typeof value === 'string') return value;
  return { meter, day, slotOfDay: hh! * 2 + (mm === 30 ? 1 : 0), value };
}

export interface BadLine {
  file: string;
  line: number;
  reason: string;
}

export interface ReadOptions {
  /** Report bad lines here and carry on; without it the first bad line throws InputError. */
  onBad?: (bad: BadLine) => void;
}

/** Streams one file, calling `onReading` per valid line. Blank lines are ignored. */
export async function readFile(file: string, onReading: (r: Reading) => void, opts: ReadOptions = {}): Promise<void> {
  const format = formatOf(file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new InputError(`cannot read: ${(e as Error).message}`, { file })));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const r = format === 'cer' ? parseCerLine(line) : parseCsvLine(line, lineNo);
    if (r === null) continue;
    if (typeof r === 'string') {
      if (!opts.onBad) throw new InputError(r, { file, line: lineNo });
      opts.onBad({ file, line: lineNo, reason: r });
      continue;
    }
    onReading(r);
  }
}

