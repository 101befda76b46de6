import type { AttackRow } from './attack.ts';
import { SEED_TABLE_5_1, SEED_TABLE_5_2 } from './seed-reference.ts';
import type { StudyResult, SweepPoint } from './study.ts';

// Tables 5.1 and 5.2 as Markdown-compatible text, ours beside the seed's where it has a row.

const pct = (v: number | undefined, digits = 2) =>
  v === undefined || Number.isNaN(v) ? '—' : v > 0 && v < 0.5 * 10 ** -digits ? `${v.toExponential(1)} %` : `${v.toFixed(digits)} %`;

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(w[c]!)).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export function table51(rows: AttackRow[]): string {
  const seed = new Map(SEED_TABLE_5_1.map((r) => [r.month, r]));
  return table(
    ['Month', 'Total nb', 'Anon. set', 'De-pseudonymised', '% Successful', 'seed: total / anon / de-ps. / %'],
    rows.map((r) => {
      const s = seed.get(r.month);
      // Nobody left to de-pseudonymise is not "0 de-pseudonymised": the count has no meaning that month.
      const identified = r.anonymity_set === 0 ? '—' : r.identified;
      return [r.month, r.total, r.anonymity_set, identified, pct(r.percent), s ? `${s.total} / ${s.anonymity_set} / ${s.identified} / ${pct(s.percent)}` : ''];
    }),
  );
}

/**
 * A monthly total is unique far more often among a few households than among the seed's six thousand, so a small
 * sample's percentages overstate what the attack achieves (and understate what a countermeasure leaves) against
 * the seed's population; below half its size they are not comparable with the seed's tables.
 */
export const COMPARABLE_HOUSEHOLDS = Math.ceil(Math.min(...SEED_TABLE_5_1.map((r) => r.total)) / 2);

/** The warning to print beside the tables when the sample is too small to compare with the seed's; else undefined. */
export function sampleWarning(rows: AttackRow[]): string | undefined {
  const largest = Math.max(0, ...rows.map((r) => r.total));
  if (largest >= COMPARABLE_HOUSEHOLDS) return undefined;
  const seed = SEED_TABLE_5_1.map((r) => r.total);
  return (
    `warning: at most ${largest} households with a complete month (the seed's: ${Math.min(...seed)}–${Math.max(...seed)}). ` +
    `Among fewer households more monthly totals are unique, so these percentages do not mean what the seed's do; ` +
    `compare with the seed's tables only from ${COMPARABLE_HOUSEHOLDS} households up.`
  );
}

export function describe(p: SweepPoint): string {
  switch (p.countermeasure) {
    case 'none':
      return 'No countermeasure (new pseudonym each month)';
    case 'missing-zero':
      return `Missing data (${p.parameter} data point${p.parameter === 1 ? '' : 's'} → 0)`;
    case 'missing-average':
      return `Missing data (${p.parameter} data point${p.parameter === 1 ? '' : 's'} → avg)`;
    case 'rounding':
      return `Rounding to ${p.parameter.toFixed(2)} kWh`;
    case 'pseudonyms':
      return p.parameter === 2 ? 'Two pseudonyms' : p.parameter === 4 ? 'Four pseudonyms (estimate, first month)' : `${p.parameter} pseudonyms`;
    case 'rounding+pseudonyms':
      return `Rounding to ${p.parameter} kWh + two pseudonyms`;
    case 'missing-average+rounding':
      return `${p.parameter} omitted (→ avg) + rounding to ${p.rounding_kwh} kWh`;
  }
}

export function table52(rows: SweepPoint[]): string {
  const key = (p: SweepPoint) => `${p.countermeasure}:${p.parameter}`;
  const seed = new Map(SEED_TABLE_5_2.map((r) => [key(r), r]));
  return table(
    ['Countermeasure', '% De-pseudon.', 'Deviation', 'seed % De-pseudon.', 'seed Deviation'],
    rows.map((r) => {
      const s = seed.get(key(r));
      return [describe(r), pct(r.identified_percent), pct(r.deviation_percent), s ? pct(s.identified_percent) : '', s ? pct(s.deviation_percent) : ''];
    }),
  );
}

export function sweepTable(points: SweepPoint[], parameter: string, label: (p: SweepPoint) => string | number = (p) => p.parameter): string {
  return table(
    [parameter, '% De-pseudon.', 'Deviation of aggregate (mean)', 'Deviation per household (mean)'],
    points.map((p) => [label(p), pct(p.identified_percent), pct(p.deviation_percent, 3), pct(p.household_deviation_percent, 3)]),
  );
}

export function rotationTables(r: StudyResult): string {
  const monthly = table(
    ['Month', 'Meters', 'Matching pairs', 'Correct', 'Identified beyond doubt', '% correct matches'],
    r.sweeps.pseudonyms_monthly.map((m) => [m.month, m.households, m.matches, m.correct, m.unique, pct(m.percent)]),
  );
  const subsets = table(
    ['Meters', 'two pseudonyms', 'four pseudonyms'],
    r.sweeps.figure_5_4.map((p) => [p.meters, pct(p.two), pct(p.four)]),
  );
  const f = r.sweeps.four_pseudonyms_full;
  const four = f
    ? `\n\nFour pseudonyms, full population of ${f.month} (${f.households} meters): about ${f.matches.toExponential(2)} ` +
      `matching combinations (relative standard error ${(100 * f.relativeError).toFixed(1)} %), so ${f.percent.toExponential(2)} % ` +
      `of the matches are correct.`
    : '';
  return `${monthly}${four}\n\nSubsets (Figure 5.4; each a random subset per month, averaged over months):\n\n${subsets}`;
}
