// The curves of metrics.jsonl: the losses, D's scores on real and generated
// batches, and a small chart for each other value the objective logs
// (Wasserstein estimate, penalty, ε, …), made when it first appears. Several
// runs can share the charts (compare): each run's series carry its name.
import type { MetricsPoint } from '../api-types.js';
import { drawChart, lineSpec, type Chart, type Row } from './charts.js';
import { h } from './dom.js';

const GROUPS: Array<{ title: string; y: string; series: Record<string, string> }> = [
  { title: 'losses', y: 'loss', series: { dLoss: 'D loss', gLoss: 'G loss' } },
  { title: "D's mean score", y: 'score', series: { dReal: 'D(x)', dFake: 'D(G(z))' } },
];
/** Logged values that are no curve of their own. */
const NOT_CURVES = new Set(['epoch', 'step', 'gSteps', 'objective', 'stepsPerSecond', 'trainSeconds', ...GROUPS.flatMap((g) => Object.keys(g.series))]);

export class MetricsCharts {
  private charts = new Map<string, Chart>();
  private extras: HTMLElement;

  /** `withExtras`: also chart the objective's own values. */
  constructor(
    into: HTMLElement,
    private withExtras: boolean,
  ) {
    const main = h('div', { class: 'charts' });
    this.extras = h('div', { class: 'charts' });
    into.append(main, this.extras);
    for (const group of GROUPS) {
      const box = h('figure', { class: 'chart', 'data-chart': group.title });
      main.append(box);
      this.charts.set(group.title, drawChart(box, lineSpec(group.title, 'D step', group.y)));
    }
  }

  private extraChart(key: string): Chart {
    let chart = this.charts.get(key);
    if (!chart) {
      const box = h('figure', { class: 'chart small', 'data-chart': key });
      this.extras.append(box);
      chart = drawChart(box, lineSpec(key, 'D step', key, { width: 260 }));
      this.charts.set(key, chart);
    }
    return chart;
  }

  /** Adds logged lines; `run` names their series when several runs share the charts. */
  add(points: MetricsPoint[], run = ''): void {
    const label = (name: string) => (run ? `${run}: ${name}` : name);
    const rows = new Map<string, Row[]>();
    const push = (chart: string, row: Row) => {
      const list = rows.get(chart);
      if (list) list.push(row);
      else rows.set(chart, [row]);
    };
    for (const point of points) {
      for (const group of GROUPS) {
        for (const [key, name] of Object.entries(group.series)) {
          if (typeof point[key] === 'number') push(group.title, { x: point.step, y: point[key] as number, series: label(name) });
        }
      }
      if (!this.withExtras) continue;
      for (const [key, value] of Object.entries(point)) {
        if (!NOT_CURVES.has(key) && typeof value === 'number') push(key, { x: point.step, y: value, series: label(key) });
      }
    }
    for (const [chart, more] of rows) (this.charts.get(chart) ?? this.extraChart(chart)).add(more);
  }

  /** Forgets a run's lines (its log was cut back by a resume, and is sent again). */
  reset(run = ''): void {
    for (const chart of this.charts.values()) chart.remove((series) => !run || series.startsWith(`${run}: `));
  }
}
