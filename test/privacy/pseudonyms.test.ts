import { describe, expect, it } from 'vitest';
import { estimateFourPseudonyms, partSums, rotationMatch } from '../../host/analysis/privacy/pseudonyms.ts';
import { Rng } from '../../host/analysis/privacy/rng.ts';
import { month } from './fixtures.ts';

/** Brute force over every combination: the reference the two-pointer / meet-in-the-middle count must equal. */
function bruteForce(parts: Float64Array[], totals: Float64Array, tol: number) {
  const n = totals.length;
  let matches = 0;
  let correct = 0;
  let unique = 0;
  for (let i = 0; i < n; i++) {
    let c = 0;
    const visit = (p: number, acc: number) => {
      if (p === parts.length) {
        if (Math.abs(acc - totals[i]!) <= tol) c++;
        return;
      }
      for (let j = 0; j < n; j++) visit(p + 1, acc + parts[p]![j]!);
    };
    visit(0, 0);
    const own = parts.reduce((a, p) => a + p[i]!, 0);
    matches += c;
    if (Math.abs(own - totals[i]!) <= tol) {
      correct++;
      if (c === 1) unique++;
    }
  }
  return { matches, correct, unique };
}

describe('countermeasure 3: pseudonym rotation', () => {
  it('counts matching pairs on a hand-made example', () => {
    // Totals 11 and 22 are hit only by their own halves.
    expect(rotationMatch([Float64Array.of(1, 2), Float64Array.of(10, 20)], Float64Array.of(11, 22))).toEqual({
      households: 2, matches: 2, correct: 2, unique: 2, percent: 100,
    });
    // Both totals are 12 and both pairs add to 12: 4 matches, 2 correct, nobody identified beyond doubt.
    expect(rotationMatch([Float64Array.of(1, 2), Float64Array.of(11, 10)], Float64Array.of(12, 12))).toEqual({
      households: 2, matches: 4, correct: 2, unique: 0, percent: 50,
    });
  });
  it('equals brute force for two and four parts, with and without tolerance', () => {
    const rng = new Rng(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 3 + rng.int(10);
      const parts = [2, 4][trial % 2]!;
      // Small integers so that many combinations collide.
      const ps = Array.from({ length: parts }, () => Float64Array.from({ length: n }, () => rng.int(6)));
      const totals = Float64Array.from({ length: n }, (_, i) => ps.reduce((a, p) => a + p[i]!, 0) + (rng.next() < 0.3 ? rng.int(3) : 0));
      const tol = trial % 3;
      const got = rotationMatch(ps, totals, tol);
      expect({ matches: got.matches, correct: got.correct, unique: got.unique }).toEqual(bruteForce(ps, totals, tol));
    }
  });
  it('the four-pseudonym estimate agrees with the exact meet-in-the-middle count', () => {
    const rng = new Rng(7);
    const n = 80;
    const ps = Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => 50 + rng.int(40)));
    const totals = Float64Array.from({ length: n }, (_, i) => ps.reduce((a, p) => a + p[i]!, 0));
    const exact = rotationMatch(ps, totals);
    const est = estimateFourPseudonyms(ps, totals, 2000, new Rng(8));
    expect(est.relativeError).toBeLessThan(0.02);
    expect(Math.abs(est.matches - exact.matches) / exact.matches).toBeLessThan(5 * est.relativeError);
    expect(Math.abs(est.percent - exact.percent) / exact.percent).toBeLessThan(0.1);
  });
  it('splits the month into day-aligned parts', () => {
    // 2 days × 48 slots; household reads 1 on day 1 and 2 on day 2.
    const cm = month('x', ['a'], [[...Array(48).fill(1), ...Array(48).fill(2)]]);
    expect(partSums(cm, 2).map((p) => p[0])).toEqual([48, 96]);
    expect(partSums(cm, 2, 4).map((p) => p[0])).toEqual([0, 192]); // 1 → 0, 2 → 4 (halves up)
  });
});
