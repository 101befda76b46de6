import { describe, expect, it } from 'vitest';
import { MonthlyAttack } from '../../host/analysis/privacy/attack.ts';
import { rankMatch, uniqueTotals } from '../../host/analysis/privacy/matching.ts';
import { month } from './fixtures.ts';

describe('the attack without countermeasures (Table 5.1)', () => {
  it('leaves households with equal totals anonymous, then catches them the next month', () => {
    const a = new MonthlyAttack();
    // A and B both total 10: neither can be told apart; C is unique.
    const r1 = a.step(month('2009-08', ['A', 'B', 'C'], [[4, 6], [5, 5], [1, 2]]))!;
    expect(r1).toEqual({ month: '2009-08', total: 3, anonymity_set: 3, identified: 1, percent: (100 * 1) / 3 });
    // Next month A and C equal (C is already known, so it is out of the anonymity set), D is new.
    const r2 = a.step(month('2009-09', ['A', 'B', 'C', 'D'], [[3, 3], [2, 2], [6, 0], [2, 2]]))!;
    expect(r2.anonymity_set).toBe(3); // A, B, D
    expect(r2.identified).toBe(1); // A (6) unique among A, B, D; B and D both 4
    expect(r2.percent).toBe(50); // A, C of A, B, C, D
    const r3 = a.step(month('2009-10', ['B', 'D'], [[1, 1], [1, 2]]))!;
    expect(r3).toMatchObject({ anonymity_set: 2, identified: 2, percent: 100 });
    expect(a.isIdentified('D')).toBe(true);
  });
  it('skips a month without complete households', () => {
    const a = new MonthlyAttack();
    expect(a.step({ label: '2009-07', slots: 48, ids: [], values: new Int32Array(0), totals: new Float64Array(0) })).toBeUndefined();
    expect(a.rows).toHaveLength(0);
  });
});

describe('matching rules', () => {
  it('uniqueTotals marks values that occur once', () => {
    expect([...uniqueTotals([3, 1, 3, 2])]).toEqual([0, 1, 0, 1]);
  });
  it('rank matching counts right pairs with unique sum and total', () => {
    // Sums keep the order of totals: all identified.
    expect(rankMatch([9, 19, 29], [10, 20, 30])).toBe(3);
    // Households 0 and 1 swap ranks: only household 2 is right.
    expect(rankMatch([21, 19, 29], [10, 20, 30])).toBe(1);
    // A tie in the sums is not a success even if the tie-break happens to be right.
    expect(rankMatch([5, 5, 29], [10, 20, 30])).toBe(1);
    expect(rankMatch([0, 0, 0], [10, 20, 30])).toBe(0);
  });
});
