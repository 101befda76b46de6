import type { CompleteMonth } from './month-data.ts';
import { uniqueTotals } from './matching.ts';

// The de-pseudonymisation attack without countermeasures (seed §5.3.6, Table 5.1): pseudonyms are static, so
// once a household is identified it stays identified; each month the adversary matches the remaining
// households whose complete monthly total is unique among the remaining ones.

export interface AttackRow {
  month: string;
  /** Households with a complete month (Table 5.1 "Total nb"). */
  total: number;
  /** Of those, not identified in an earlier month ("Anon. set"). */
  anonymity_set: number;
  /** Identified this month ("De-pseudonymised"). */
  identified: number;
  /** Identified so far over households seen complete so far, 0–100 ("% Successful"). */
  percent: number;
}

export class MonthlyAttack {
  private readonly identified = new Set<string>();
  private readonly seen = new Set<string>();
  readonly rows: AttackRow[] = [];

  /** Runs one month; months without any complete household produce no row. */
  step(month: CompleteMonth): AttackRow | undefined {
    if (month.ids.length === 0) return undefined;
    const anon: number[] = [];
    month.ids.forEach((id, i) => {
      this.seen.add(id);
      if (!this.identified.has(id)) anon.push(i);
    });
    const unique = uniqueTotals(anon.map((i) => month.totals[i]!));
    let found = 0;
    anon.forEach((i, k) => {
      if (unique[k]) {
        this.identified.add(month.ids[i]!);
        found++;
      }
    });
    const row: AttackRow = {
      month: month.label,
      total: month.ids.length,
      anonymity_set: anon.length,
      identified: found,
      percent: (100 * this.identified.size) / this.seen.size,
    };
    this.rows.push(row);
    return row;
  }

  isIdentified(id: string): boolean {
    return this.identified.has(id);
  }
}
