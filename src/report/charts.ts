// Charts as SVG: Vega-Lite specs compiled to Vega and rendered headless in
// Node, so the report needs no browser-side script.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { MetricsLine } from '../training/metrics-log.js';

async function svgOf(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Lines of the named series of metrics.jsonl against the epoch. */
export function curveChart(title: string, metrics: MetricsLine[], series: Record<string, string>): Promise<string> {
  const values = metrics.flatMap((line) =>
    Object.entries(series)
      .filter(([key]) => typeof line[key] === 'number' && Number.isFinite(line[key]))
      .map(([key, label]) => ({ epoch: line.epoch, value: line[key] as number, series: label })),
  );
  return svgOf({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 360,
    height: 180,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
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
