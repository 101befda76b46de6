import type { AttackRow } from './attack.ts';
import type { SweepPoint } from './study.ts';

// The seed's published numbers (chapter 5), printed beside ours. Facts only: Table 5.1 and Table 5.2.

export const SEED_TABLE_5_1: AttackRow[] = [
  { month: '2009-08', total: 6282, anonymity_set: 6282, identified: 6275, percent: 99.89 },
  { month: '2009-09', total: 6297, anonymity_set: 56, identified: 51, percent: 99.92 },
  { month: '2009-10', total: 6274, anonymity_set: 14, identified: 11, percent: 99.95 },
  { month: '2009-11', total: 6255, anonymity_set: 6, identified: 6, percent: 100 },
];

export const SEED_TABLE_5_2: SweepPoint[] = [
  { countermeasure: 'none', parameter: 0, identified_percent: 99.83, deviation_percent: 0 },
  { countermeasure: 'missing-zero', parameter: 1, identified_percent: 33.95, deviation_percent: 0.07 },
  { countermeasure: 'missing-zero', parameter: 51, identified_percent: 7.84, deviation_percent: 3.42 },
  { countermeasure: 'missing-average', parameter: 1, identified_percent: 46.39, deviation_percent: 0.02 },
  { countermeasure: 'missing-average', parameter: 51, identified_percent: 10.85, deviation_percent: 0.09 },
  { countermeasure: 'rounding', parameter: 0.05, identified_percent: 14.83, deviation_percent: 0.4 },
  { countermeasure: 'rounding', parameter: 0.5, identified_percent: 2.5, deviation_percent: 12.38 },
  { countermeasure: 'pseudonyms', parameter: 2, identified_percent: 6.34, deviation_percent: 0 },
];
