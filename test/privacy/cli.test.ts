import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { MonthlyAttack } from '../../host/analysis/privacy/attack.ts';
import { completeRows } from '../../host/analysis/privacy/month-data.ts';
import { SyntheticData } from '../../host/analysis/privacy/synthetic.ts';
import { CER_LIKE } from '../../host/analysis/privacy/synthetic-params.ts';

async function hasm(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('hasm privacy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'privacy-cli-'));
  const expected = () => {
    const a = new MonthlyAttack();
    for (const m of new SyntheticData({ ...CER_LIKE, households: 30, seed: 9 }).allMonths()) a.step(completeRows(m));
    return a.rows;
  };

  it('generate → attack reads back what was written, in both formats', async () => {
    for (const format of ['cer', 'csv']) {
      const data = join(dir, format);
      const g = await hasm('privacy', 'generate', '--households', '30', '--seed', '9', '--out', data, '--format', format, '--json');
      expect(g.code).toBe(0);
      const gj = JSON.parse(g.out);
      expect(gj.months).toBe(18);
      expect(gj.files).toHaveLength(18);
      const a = await hasm('privacy', 'attack', '--data', data, '--json');
      expect(a.code).toBe(0);
      expect(JSON.parse(a.out).table_5_1).toEqual(expected());
    }
  });

  it('study writes tables, SVG figures and a report', async () => {
    const out = join(dir, 'study');
    const s = await hasm('privacy', 'study', '--data', join(dir, 'cer'), '--out', out, '--json');
    expect(s.code).toBe(0);
    const j = JSON.parse(s.out);
    expect(Object.keys(j)).toEqual(['table_5_1', 'table_5_2', 'timing_s']);
    expect(j.table_5_1[0]).toEqual(expect.objectContaining({ month: '2009-08', total: expect.any(Number), percent: expect.any(Number) }));
    expect(j.table_5_2[0]).toEqual({ countermeasure: 'none', parameter: 0, identified_percent: expect.any(Number), deviation_percent: 0 });
    for (const f of ['figure-5-1a', 'figure-5-1b', 'figure-5-2a', 'figure-5-2b', 'figure-5-3a', 'figure-5-3b', 'figure-5-4']) {
      expect(readFileSync(join(out, `${f}.svg`), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('![Figure 5.1a');
    expect(md).toContain('| 2009-08');
    expect(s.err).toMatch(/\[#+\] 1\/\?|month 1: 2009-07/);
  });

  it('bad usage and bad input exit 2 with the file and line', async () => {
    expect((await hasm('privacy', 'frobnicate')).code).toBe(2);
    expect((await hasm('privacy', 'study', '--synthetic')).code).toBe(2); // no --out
    expect((await hasm('privacy', 'study', '--synthetic', '--data', dir, '--out', dir)).code).toBe(2);
    expect((await hasm('privacy', 'attack', '--data', join(dir, 'nope'))).code).toBe(2);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1000 21301 0.1\n1000 21302 zero\n');
    const r = await hasm('privacy', 'attack', '--data', bad, '--json');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:2:`);
    expect(JSON.parse(r.out).error).toContain(`${bad}:2:`);
    const skipped = await hasm('privacy', 'attack', '--data', bad, '--skip-bad', '--json');
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.out).bad_lines).toBe(1);
    expect(existsSync(join(dir, 'study', 'results.json'))).toBe(true);
  });
});
