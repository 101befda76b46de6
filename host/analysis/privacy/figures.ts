import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { StudyResult, SweepPoint } from './study.ts';

// The seed's Figures 5.1–5.4 as SVG, rendered headless by Vega-Lite → Vega (`View.toSVG()`, no browser).

type Spec = vl.TopLevelSpec;

export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const SIZE = { width: 420, height: 260 };

function lineChart(title: string, points: { x: number; y: number }[], x: string, y: string, logX = false): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    ...SIZE,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: x, scale: logX ? { type: 'log' } : { zero: true } },
      y: { field: 'y', type: 'quantitative', title: y, scale: { zero: true } },
    },
  } as Spec;
}

/** Box plots of the deviation (percent) per parameter value: whiskers 5th–95th percentile, box quartiles,
 *  white tick the median, dot the mean. */
function boxChart(title: string, points: SweepPoint[], x: string): Spec {
  const values = points.map((p) => ({ x: String(p.parameter), ...p.deviation_box!, mean: p.deviation_percent }));
  const xEnc = { field: 'x', type: 'ordinal', title: x, sort: null } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    ...SIZE,
    data: { values },
    layer: [
      { mark: { type: 'rule' }, encoding: { x: xEnc, y: { field: 'p5', type: 'quantitative', title: 'relative deviation of the aggregate (%)' }, y2: { field: 'p95' } } },
      { mark: { type: 'bar', size: 14 }, encoding: { x: xEnc, y: { field: 'q1', type: 'quantitative' }, y2: { field: 'q3' } } },
      { mark: { type: 'tick', color: 'white', size: 14 }, encoding: { x: xEnc, y: { field: 'median', type: 'quantitative' } } },
      { mark: { type: 'point', filled: true, color: 'black', size: 18 }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative' } } },
    ],
  } as Spec;
}

export interface Figure {
  file: string;
  caption: string;
  svg: string;
}

export async function studyFigures(r: StudyResult): Promise<Figure[]> {
  const pts = (s: SweepPoint[]) => s.map((p) => ({ x: p.parameter, y: p.identified_percent }));
  const specs: [string, string, Spec][] = [
    ['figure-5-1a.svg', 'Figure 5.1a — de-pseudonymised households (%) when omitted readings are replaced by zero',
      lineChart('Omitted readings → zero', pts(r.sweeps.missing_zero), 'readings omitted per household-month', 'de-pseudonymised (%)')],
    ['figure-5-1b.svg', 'Figure 5.1b — de-pseudonymised households (%) when omitted readings are replaced by the average of their neighbours',
      lineChart('Omitted readings → average of neighbours', pts(r.sweeps.missing_average), 'readings omitted per household-month', 'de-pseudonymised (%)')],
    ['figure-5-2a.svg', 'Figure 5.2a — relative deviation of the half-hourly aggregate (equation 5.1), omitted readings → zero',
      boxChart('Deviation of the aggregate, omitted → zero', r.sweeps.missing_zero, 'readings omitted per household-month')],
    ['figure-5-2b.svg', 'Figure 5.2b — relative deviation of the half-hourly aggregate (equation 5.1), omitted readings → average',
      boxChart('Deviation of the aggregate, omitted → average', r.sweeps.missing_average, 'readings omitted per household-month')],
    ['figure-5-3a.svg', 'Figure 5.3a — de-pseudonymised households (%) against the rounding threshold',
      lineChart('Rounded readings', pts(r.sweeps.rounding), 'rounding threshold (kWh, log scale)', 'de-pseudonymised (%)', true)],
    ['figure-5-3b.svg', 'Figure 5.3b — relative deviation of the half-hourly aggregate (equation 5.1) after rounding',
      boxChart('Deviation of the aggregate, rounded readings', r.sweeps.rounding, 'rounding threshold (kWh)')],
    ['figure-5-4.svg', 'Figure 5.4 — correct matches (%) for subsets of meters with two or four pseudonyms per month',
      figure54(r)],
    ['figure-pseudonyms-monthly.svg', 'Beyond the seed — two pseudonyms per month, full population, every month: correct matches (%)',
      lineChart('Two pseudonyms, full population', r.sweeps.pseudonyms_monthly.map((m, i) => ({ x: i + 1, y: m.percent })), 'month of the study', 'correct matches (%)')],
  ];
  const out: Figure[] = [];
  for (const [file, caption, spec] of specs) out.push({ file, caption, svg: await renderSvg(spec) });
  return out;
}

function figure54(r: StudyResult): Spec {
  const values = r.sweeps.figure_5_4.flatMap((p) => [
    { meters: p.meters, percent: p.two, pseudonyms: 'two pseudonyms' },
    { meters: p.meters, percent: p.four, pseudonyms: 'four pseudonyms' },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Pseudonym rotation on subsets of meters',
    ...SIZE,
    data: { values },
    mark: { type: 'point', filled: false, size: 60 },
    encoding: {
      x: { field: 'meters', type: 'quantitative', title: 'number of meters', scale: { type: 'log' } },
      y: { field: 'percent', type: 'quantitative', title: 'correct matches (%)', scale: { domain: [0, 100] } },
      shape: { field: 'pseudonyms', type: 'nominal', scale: { domain: ['two pseudonyms', 'four pseudonyms'], range: ['circle', 'cross'] }, title: null },
      color: { field: 'pseudonyms', type: 'nominal', title: null },
    },
  } as Spec;
}
