import type { CompleteMonth } from '../../host/analysis/privacy/month-data.ts';

/** A hand-made month: one row of readings per household (all complete). */
export function month(label: string, ids: string[], rows: number[][]): CompleteMonth {
  const slots = rows[0]!.length;
  const values = new Int32Array(rows.flat());
  return { label, slots, ids, values, totals: Float64Array.from(rows, (r) => r.reduce((a, b) => a + b, 0)) };
}
