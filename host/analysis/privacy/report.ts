import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { studyFigures } from './figures.ts';
import type { StudyResult } from './study.ts';
import { describe, rotationTables, sampleWarning, sweepTable, table51, table52 } from './tables.ts';

// Writes the study's outputs into one directory: the SVG figures, results.json and report.md embedding both.

export interface ReportInfo {
  source: string;
  command: string;
}

export async function writeReport(dir: string, r: StudyResult, info: ReportInfo): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const figures = await studyFigures(r);
  for (const f of figures) writeFileSync(join(dir, f.file), f.svg);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  const fig = (name: string) => {
    const f = figures.find((x) => x.file === name)!;
    return `![${f.caption}](${f.file})\n\n*${f.caption}*\n`;
  };
  const md = `# De-pseudonymisation of half-hourly meter data — study report

Data: ${info.source}. ${r.households} meters, ${r.months} calendar months, ${r.complete_household_months} complete
household-months (the seed's CER data: 102,747). Run time ${r.timing_s.toFixed(1)} s. Reproduce: \`${info.command}\`.
${warningBlock(r)}
The adversary is the supplier (seed §5.3.2): it bills each meter's monthly total under the real ID and receives the
half-hourly readings under a pseudonym. Only complete household-months take part (seed §5.3.3).

## Table 5.1 — the attack without countermeasures

Month by month, every household whose monthly total is unique among the households not yet identified is
de-pseudonymised; the rest carry over to the next month (seed §5.3.6). "% Successful" = identified so far over
households seen with a complete month so far.

${table51(r.table_5_1)}

## Table 5.2 — countermeasures

"% De-pseudon." is the share of households matched correctly within one month, averaged over the months (seed
§5.4.2); for pseudonym rotation it is the seed's metric, correct matches over all matching combinations (§5.4.4).
"Deviation" is equation 5.1: the relative deviation of each half hour's aggregate over all households, averaged
over the half hours of all months.

${table52(r.table_5_2)}

## Countermeasure 1 — omitted readings

Each meter omits k readings per month at positions of its own random choice; the adversary fills each gap with
zero, or with the average of the nearest reported readings around it, and matches by sorting sums against totals.

${fig('figure-5-1a.svg')}
${fig('figure-5-1b.svg')}
Omitted → zero:

${sweepTable(r.sweeps.missing_zero, 'k omitted')}

Omitted → average of neighbours:

${sweepTable(r.sweeps.missing_average, 'k omitted')}

${fig('figure-5-2a.svg')}
${fig('figure-5-2b.svg')}
## Countermeasure 2 — rounded readings

${fig('figure-5-3a.svg')}
${fig('figure-5-3b.svg')}
${sweepTable(r.sweeps.rounding, 'threshold (kWh)')}

## Countermeasure 3 — pseudonym rotation within the month

The seed evaluated two pseudonyms on one month only and four pseudonyms on at most 50 meters. Here two pseudonyms
are evaluated on the full population of every month: both half-month sum lists are sorted once and, for each
billed total, the pairs adding up to it are counted by two pointers — O(n log n + n²) time and O(n) memory per
month, no pair materialised. Four pseudonyms use meet-in-the-middle (sorted sums of parts 1+2 and of parts 3+4,
then the same count): O(n² log n + n³) time, O(n²) memory, run on subsets. On the full population four
pseudonyms are estimated: the n² sums of parts 3+4 sorted once, and for each total a random sample of (part 1,
part 2) pairs looked up by binary search — an unbiased estimate of the number of matching combinations.

${rotationTables(r)}

${fig('figure-5-4.svg')}
${fig('figure-pseudonyms-monthly.svg')}
## Beyond the seed — combined countermeasures

The seed names "the combination of the different countermeasures" as future work (§5.6). Two combinations:

- Rounding plus two pseudonyms. The adversary knows how rounding perturbs sums and accepts half-month pairs within
  a window that holds 95 % of the true combinations; "% De-pseudon." is correct matches over all matches in the
  window. The deviation is that of rounding alone (rotation does not change readings).
- Omitted readings (filled with the neighbours' average) on top of rounding, rank-matched like countermeasure 1.

${sweepTable(r.sweeps.combined, 'combination', describe)}
`;
  writeFileSync(join(dir, 'report.md'), md);
  return ['report.md', 'results.json', ...figures.map((f) => f.file)];
}

function warningBlock(r: StudyResult): string {
  const w = sampleWarning(r.table_5_1);
  return w ? `\n> **${w.replace(/^warning: /, 'Warning:** ')}\n` : '';
}
