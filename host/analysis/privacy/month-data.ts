import { monthLabel, slotsInMonth, type Month } from './calendar.ts';

// One calendar month of half-hourly readings for every meter, the unit the whole study works in: memory is
// bounded by one month of data (about 40 MB at the CER trial's size), never by the length of the data set.

/** Readings are integers in units of 1e-4 kWh, the CER data's resolution (seed §5.3.3 footnote 1). */
export const UNITS_PER_KWH = 10_000;
export const MISSING = -1;

export interface MonthData {
  month: Month;
  /** Half-hour slots in the month (days × 48). */
  slots: number;
  /** Meter IDs, one per row of `values`. */
  meters: string[];
  /** meters × slots readings, row-major, MISSING where no reading arrived. */
  values: Int32Array;
}

/** The household-months with every reading present — the only ones the seed studies (seed §5.3.3). */
export interface CompleteMonth {
  label: string;
  slots: number;
  ids: string[];
  /** ids.length × slots readings, row-major. */
  values: Int32Array;
  /** Per household: the exact monthly total (what the supplier bills under the real ID). */
  totals: Float64Array;
}

export function emptyMonth(month: Month, meters: string[]): MonthData {
  const slots = slotsInMonth(month);
  return { month, slots, meters, values: new Int32Array(meters.length * slots).fill(MISSING) };
}

/** Keeps the complete rows and computes their totals. */
export function completeRows(data: MonthData): CompleteMonth {
  const { slots, values } = data;
  const keep: number[] = [];
  for (let r = 0; r < data.meters.length; r++) {
    let ok = true;
    const base = r * slots;
    for (let s = 0; s < slots; s++) {
      if (values[base + s] === MISSING) {
        ok = false;
        break;
      }
    }
    if (ok) keep.push(r);
  }
  const out = new Int32Array(keep.length * slots);
  const totals = new Float64Array(keep.length);
  keep.forEach((r, i) => {
    const row = values.subarray(r * slots, (r + 1) * slots);
    out.set(row, i * slots);
    let t = 0;
    for (let s = 0; s < slots; s++) t += row[s]!;
    totals[i] = t;
  });
  return { label: monthLabel(data.month), slots, ids: keep.map((r) => data.meters[r]!), values: out, totals };
}
