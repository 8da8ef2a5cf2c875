// Charts as SVG: Vega-Lite specs compiled to Vega and rendered headless in
// Node, so the report needs no browser-side script.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

async function svgOf(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Lines of the named series of a log (metrics.jsonl, eval-curve.jsonl) against the epoch. */
export function curveChart(title: string, lines: ReadonlyArray<{ epoch: number }>, series: Record<string, string>): Promise<string> {
  const values = lines.flatMap((line) =>
    Object.entries(series)
      .map(([key, label]) => ({ epoch: line.epoch, value: (line as Record<string, unknown>)[key], series: label }))
      .filter((point): point is { epoch: number; value: number; series: string } => typeof point.value === 'number' && Number.isFinite(point.value)),
  );
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 360,
    height: 180,
    data: { values },
    // Points too, so that a curve of a few scored epochs shows where it was measured.
    mark: { type: 'line', strokeWidth: 1.5, point: lines.length <= 30 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
  });
}

/** Share of samples per predicted class. */
export function classHistogram(title: string, histogram: number[]): Promise<string> {
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 280,
    height: 140,
    data: { values: histogram.map((share, digit) => ({ digit: String(digit), share })) },
    mark: 'bar',
    encoding: {
      x: { field: 'digit', type: 'ordinal', title: 'predicted class', axis: { labelAngle: 0 } },
      y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '%' } },
    },
  });
}

/** One value per seed of each method, as points, with the mean ± standard deviation over the seeds beside them. */
export function spreadChart(title: string, points: Array<{ method: string; value: number | null }>): Promise<string> {
  const y = { field: 'method', type: 'nominal' as const, title: null, sort: null };
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 240,
    data: { values: points.filter((p) => p.value !== null && Number.isFinite(p.value)) },
    layer: [
      {
        mark: { type: 'errorbar', extent: 'stdev', color: '#555' },
        encoding: { x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: '~r' } }, y },
      },
      { mark: { type: 'tick', color: '#222', thickness: 2 }, encoding: { x: { aggregate: 'mean', field: 'value', type: 'quantitative' }, y } },
      { mark: { type: 'point', opacity: 0.7, color: '#d62728' }, encoding: { x: { field: 'value', type: 'quantitative' }, y } },
    ],
  });
}

/**
 * A forest plot: each method's mean difference from the baseline with its 95% interval, and a line at 0;
 * red where the interval excludes 0.
 */
export function forestChart(
  title: string,
  rows: Array<{ method: string; mean: number; low: number | null; high: number | null; separates: boolean }>,
): Promise<string> {
  const y = { field: 'method', type: 'nominal' as const, title: null, sort: null };
  const color = { field: 'separates', type: 'nominal' as const, scale: { domain: [true, false], range: ['#d62728', '#555'] }, legend: null };
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 260,
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, data: { values: [{ zero: 0 }] }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        transform: [{ filter: 'datum.low !== null' }],
        encoding: { x: { field: 'low', type: 'quantitative', title: null }, x2: { field: 'high' }, y, color },
      },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { x: { field: 'mean', type: 'quantitative', title: null }, y, color } },
    ],
  });
}

/**
 * The privacy–utility curve: each private row's CAS against its ε (log scale), a line through each group's
 * points (the rows of one schedule at several ε), and the rows without privacy as dashed levels: the ceiling.
 */
export function privacyUtilityChart(
  title: string,
  points: Array<{ group: string; epsilon: number; cas: number }>,
  ceilings: Array<{ method: string; cas: number }>,
): Promise<string> {
  const y = { field: 'cas', type: 'quantitative' as const, title: 'CAS (real test accuracy)', scale: { domain: [0, 1] } };
  // Whole names in the legend (cut at Vega's 160 px, the sweep's variants read alike), and twenty colours, not ten: a sweep has more groups.
  const color = { field: 'group', type: 'nominal' as const, title: null, scale: { scheme: 'category20' }, legend: { labelLimit: 0 } };
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 320,
    height: 200,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: { x: { field: 'epsilon', type: 'quantitative', title: 'ε', scale: { type: 'log' } }, y, color },
      },
      {
        data: { values: ceilings },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
        encoding: { y: { field: 'cas', type: 'quantitative' } },
      },
      {
        data: { values: ceilings },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#555' },
        encoding: { y: { field: 'cas', type: 'quantitative' }, x: { value: 0 }, text: { field: 'method' } },
      },
    ],
  });
}
