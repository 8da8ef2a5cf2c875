// Charts of the page: Vega-Lite specifications compiled in the browser, drawn
// as SVG by a Vega view whose data can grow (a live curve gains points
// without being redrawn from scratch), the same grammar as gankit report's.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Row {
  x: number;
  y: number;
  series: string;
}

export interface Chart {
  add(rows: Row[]): void;
  /** Removes the rows of the series `test` picks. */
  remove(test: (series: string) => boolean): void;
}

const DATA = 'rows';

/** Lines of y against x, one per series; `points` marks each value (for short curves). */
export function lineSpec(title: string, x: string, y: string, options: { points?: boolean; width?: number } = {}): TopLevelSpec {
  return {
    title,
    // Room on the right: Vega sizes the legend by an estimate of its labels' width, which falls short in some fonts.
    padding: { left: 5, top: 5, bottom: 5, right: 40 },
    width: options.width ?? 420,
    height: 180,
    data: { name: DATA },
    mark: { type: 'line', point: options.points ?? false, clip: true },
    encoding: {
      // ',~r': plain rounded numbers, also where a curve's one point leaves the axis a single value.
      x: { field: 'x', type: 'quantitative', title: x, axis: { format: ',~r' } },
      y: { field: 'y', type: 'quantitative', title: y, scale: { zero: false }, axis: { format: ',~r' } },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 320 } },
    },
  };
}

/** One bar per category x (numbered from 0). */
export function barSpec(title: string, x: string, y: string): TopLevelSpec {
  return {
    title,
    width: 300,
    height: 160,
    data: { name: DATA },
    mark: 'bar',
    encoding: { x: { field: 'x', type: 'ordinal', title: x }, y: { field: 'y', type: 'quantitative', title: y } },
  };
}

/**
 * Draws `spec` into `container` once it has rows. The container's data-points attribute counts
 * the rows drawn, for anyone (a test) who wants to know without reading the SVG.
 */
export function drawChart(container: HTMLElement, spec: TopLevelSpec, rows: Row[] = []): Chart {
  const view = new View(parse(compile(spec).spec), { renderer: 'svg', container, hover: true });
  const counts = new Map<string, number>();
  const update = () => {
    const points = [...counts.values()].reduce((a, b) => a + b, 0);
    container.dataset.points = String(points);
    // An empty chart has no extent to draw (Vega would write infinite coordinates): it waits for its first row.
    if (points > 0) void view.runAsync();
  };
  const chart: Chart = {
    add(more) {
      view.insert(DATA, more);
      for (const row of more) counts.set(row.series, (counts.get(row.series) ?? 0) + 1);
      update();
    },
    remove(test) {
      view.remove(DATA, (row: Row) => test(row.series));
      for (const series of [...counts.keys()]) if (test(series)) counts.delete(series);
      update();
    },
  };
  chart.add(rows);
  return chart;
}
