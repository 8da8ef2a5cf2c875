// Two or more runs side by side: their curves overlaid on shared axes (live),
// and their states and scores in one table, a column per run.
import type { RunDetail } from '../../api-types.js';
import { followMetrics, getJson, runQuery } from '../api.js';
import { drawChart, lineSpec } from '../charts.js';
import { h } from '../dom.js';
import { MetricsCharts } from '../metrics-charts.js';
import { columnText, RUN_COLUMNS } from '../run-columns.js';
import { viewHref, type View } from './view.js';

export const compareView: View = {
  title: 'gankit: compare runs',
  render(into, params) {
    const runs = params.getAll('run');
    into.append(h('h1', {}, `comparing ${runs.length} runs`), h('p', {}, h('a', { href: viewHref('runs') }, 'all runs')));
    if (runs.length < 2) {
      into.append(h('p', { class: 'lead' }, 'Pick two or more runs on the runs page to compare them.'));
      return;
    }
    const table = h('table', { class: 'compare' });
    const curves = h('section', {}, h('h2', {}, 'training curves'));
    const scores = h('figure', { class: 'chart', 'data-chart': 'FID' });
    const scoresSection = h('section', { hidden: true }, h('h2', {}, 'FID during training (--eval-every)'), scores);
    into.append(table, curves, scoresSection);
    const charts = new MetricsCharts(curves, false);
    // Series carry the run's name, or its whole path where two compared runs share a name.
    const names = runs.map((run) => run.split('/').pop()!);
    const label = (i: number) => (names.indexOf(names[i]) === names.lastIndexOf(names[i]) ? names[i] : runs[i]);
    const stops = runs.map((run, i) =>
      followMetrics(run, { points: (points) => charts.add(points, label(i)), reset: () => charts.reset(label(i)), problem: () => {} }),
    );
    void Promise.allSettled(runs.map((run) => getJson<RunDetail>(`/api/run?${runQuery(run)}`))).then((answers) => {
      const details = answers.map((answer) => (answer.status === 'fulfilled' ? answer.value.body : undefined));
      const heading = h('tr', {}, h('th'), ...runs.map((run) => h('th', {}, h('a', { href: viewHref('run', { run }) }, run))));
      const rows = RUN_COLUMNS.slice(1).map((column) =>
        h('tr', {}, h('th', {}, column.heading), ...details.map((detail) => h('td', {}, detail ? columnText(detail.summary, column) : 'cannot be read'))),
      );
      table.replaceChildren(h('thead', {}, heading), h('tbody', {}, ...rows));
      drawChart(
        scores,
        lineSpec('FID', 'epoch', 'FID', { points: true }),
        details.flatMap((detail, i) => (detail?.evalCurve ?? []).map((p) => ({ x: p.epoch, y: p.fid, series: label(i) }))),
      );
    });
    return () => stops.forEach((stop) => stop());
  },
};
