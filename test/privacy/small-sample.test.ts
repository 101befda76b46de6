// A small sample (issue 15 item 3): the tables print "—" where nobody is left to de-pseudonymise, and the CLI and
// the report warn that the percentages do not compare with the seed's.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { SEED_TABLE_5_1 } from '../../host/analysis/privacy/seed-reference.ts';
import { COMPARABLE_HOUSEHOLDS, sampleWarning, table51 } from '../../host/analysis/privacy/tables.ts';

async function hasm(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('privacy tables on a small sample', () => {
  it('"—" where the anonymity set is empty', () => {
    const text = table51([
      { month: '2009-08', total: 4, anonymity_set: 4, identified: 4, percent: 100 },
      { month: '2009-09', total: 4, anonymity_set: 0, identified: 0, percent: 100 },
    ]);
    expect(text).toMatch(/^\| 2009-08 \| 4 +\| 4 +\| 4 +\| 100\.00 % /m);
    expect(text).toMatch(/^\| 2009-09 \| 4 +\| 0 +\| — +\| 100\.00 % /m);
  });

  it('a warning below half the seed population, none at the seed size', () => {
    expect(COMPARABLE_HOUSEHOLDS).toBe(3128);
    expect(sampleWarning(SEED_TABLE_5_1)).toBeUndefined();
    const w = sampleWarning([{ month: '2009-08', total: 30, anonymity_set: 30, identified: 29, percent: 96.67 }]);
    expect(w).toBe(
      "warning: at most 30 households with a complete month (the seed's: 6255–6297). Among fewer households more monthly " +
        "totals are unique, so these percentages do not mean what the seed's do; compare with the seed's tables only from 3128 households up.",
    );
  });

  it('attack and study warn on stderr (JSON unchanged) and in report.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'privacy-small-'));
    expect((await hasm('privacy', 'generate', '--households', '6', '--seed', '3', '--out', join(dir, 'data'))).code).toBe(0);
    const a = await hasm('privacy', 'attack', '--data', join(dir, 'data'), '--json');
    expect(a.code).toBe(0);
    expect(a.err).toMatch(/^warning: at most 6 households with a complete month/m);
    expect(Object.keys(JSON.parse(a.out))).toEqual(['table_5_1', 'timing_s']);
    const s = await hasm('privacy', 'study', '--synthetic', '--households', '6', '--seed', '3', '--out', join(dir, 'study'));
    expect(s.code).toBe(0);
    expect(s.err).toMatch(/^warning: at most 6 households/m);
    expect(s.out).toMatch(/\| — +\|/);
    expect(readFileSync(join(dir, 'study', 'report.md'), 'utf8')).toContain('> **Warning:** at most 6 households with a complete month');
  });
});
