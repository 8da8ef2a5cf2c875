// A run's page, live while it trains: the curves of metrics.jsonl as lines
// arrive (server-sent events), the epoch grids with a slider, the FID /
// precision / recall curve of --eval-every, the evaluation and its class
// histogram, the configuration and privacy.json.
import type { RunDetail } from '../../api-types.js';
import { followMetrics, getJson, runQuery } from '../api.js';
import { barSpec, drawChart, lineSpec, type Chart } from '../charts.js';
import { formatEpoch, formatNumber, h, keyValueTable } from '../dom.js';
import { MetricsCharts } from '../metrics-charts.js';
import { viewHref, type View } from './view.js';

/** How often a training run's grids, state and scores are read again. */
const REFRESH_MS = 3000;

/** The epoch grids: a large one chosen by a slider, and the strip of all. */
function gridStrip() {
  const large = h('img', { class: 'grid-large', alt: 'sample grid' });
  const caption = h('figcaption');
  const slider = h('input', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'epoch' });
  const strip = h('div', { class: 'strip' });
  const element = h('section', {}, h('h2', {}, 'samples after each epoch'), h('figure', { class: 'grid' }, large, caption), slider, strip);
  let shown: RunDetail['grids'] = [];
  const show = (index: number) => {
    slider.value = String(index);
    large.src = shown[index].url;
    caption.textContent = `epoch ${shown[index].epoch} of the ${shown.length} kept`;
  };
  slider.addEventListener('input', () => show(Number(slider.value)));
  return {
    element,
    update(grids: RunDetail['grids']) {
      if (JSON.stringify(grids) === JSON.stringify(shown)) return;
      const atEnd = Number(slider.value) === shown.length - 1 || shown.length === 0;
      shown = grids;
      element.hidden = grids.length === 0;
      slider.max = String(Math.max(0, grids.length - 1));
      strip.replaceChildren(
        ...grids.map(({ epoch, url }, index) =>
          h('img', { class: 'thumb', src: url, alt: `epoch ${epoch}`, title: `epoch ${epoch}`, onclick: () => show(index) }),
        ),
      );
      if (grids.length) show(atEnd ? grids.length - 1 : Number(slider.value));
    },
  };
}

/** The FID and precision / recall curves of --eval-every. */
function scoreCurves() {
  const fidBox = h('figure', { class: 'chart', 'data-chart': 'FID' });
  const prBox = h('figure', { class: 'chart', 'data-chart': 'precision and recall' });
  const element = h('section', { hidden: true }, h('h2', {}, 'scores during training (--eval-every)'), h('div', { class: 'charts' }, fidBox, prBox));
  let charts: { fid: Chart; pr: Chart } | undefined;
  let shown = 0;
  return {
    element,
    update(curve: RunDetail['evalCurve']) {
      if (curve.length === shown) return;
      element.hidden = false;
      charts ??= {
        fid: drawChart(fidBox, lineSpec('FID', 'epoch', 'FID', { points: true })),
        pr: drawChart(prBox, lineSpec('precision and recall', 'epoch', 'score', { points: true })),
      };
      const fresh = curve.slice(shown);
      charts.fid.add(fresh.map((p) => ({ x: p.epoch, y: p.fid, series: 'FID' })));
      charts.pr.add(
        fresh.flatMap((p) => [
          { x: p.epoch, y: p.precision, series: 'precision' },
          { x: p.epoch, y: p.recall, series: 'recall' },
        ]),
      );
      shown = curve.length;
    },
  };
}

function summaryLine(detail: RunDetail): string {
  const s = detail.summary;
  const parts = [`${s.state}${s.reason ? ` (${s.reason})` : ''}`, s.objective, s.preset && `preset ${s.preset}`];
  if (s.epoch !== undefined) parts.push(`epoch ${formatEpoch(s.epoch)} of ${s.epochs ?? '?'}`);
  if (s.epsilon !== undefined) parts.push(`ε = ${formatNumber(s.epsilon, 2)}`);
  return parts.filter(Boolean).join(' · ');
}

function evaluationSection(detail: RunDetail): HTMLElement | null {
  const evaluation = detail.evaluation;
  if (!evaluation) return null;
  const { histogram, classesCovered, ...scores } = evaluation;
  const section = h('section', {}, h('h2', {}, 'evaluation (eval.json)'), keyValueTable(scores, true));
  if (histogram) {
    const box = h('figure', { class: 'chart', 'data-chart': 'classes' });
    section.append(box);
    drawChart(
      box,
      barSpec(`predicted classes (${classesCovered} of 10 with ≥ 1%)`, 'class', 'share of samples'),
      histogram.map((y, x) => ({ x, y, series: 'share' })),
    );
  }
  return section;
}

export const runView: View = {
  title: 'gankit: run',
  render(into, params) {
    const run = params.get('run') ?? '';
    const title = h('h1', {}, run);
    const status = h('p', { class: 'lead' }, 'Loading…');
    const problem = h('p', { class: 'damaged', hidden: true });
    const live = h('section', {}, h('h2', {}, 'training curves'));
    const grids = gridStrip();
    const scores = scoreCurves();
    const rest = h('div');
    into.append(
      title,
      h('p', {}, h('a', { href: viewHref('play', { run }) }, 'play with its generator'), ' · ', h('a', { href: viewHref('runs') }, 'all runs')),
      status,
      problem,
      live,
      grids.element,
      scores.element,
      rest,
    );
    const charts = new MetricsCharts(live, true);
    // The run's damage as the server last read it, and the stream's: either shows.
    const problems = { run: undefined as string | undefined, stream: undefined as string | undefined };
    const showProblems = () => {
      const message = problems.run ?? problems.stream;
      problem.hidden = !message;
      problem.textContent = message ? `damaged: ${message}` : '';
    };
    const stopFollowing = followMetrics(run, {
      points: (points) => charts.add(points),
      reset: () => (charts.reset(), (problems.stream = undefined), showProblems()),
      problem: (message) => ((problems.stream = message), showProblems()),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    let restShown = '';
    const load = async () => {
      try {
        const detail = (await getJson<RunDetail>(`/api/run?${runQuery(run)}`)).body;
        if (closed) return;
        status.textContent = summaryLine(detail);
        problems.run = detail.summary.damaged;
        showProblems();
        grids.update(detail.grids);
        scores.update(detail.evalCurve);
        // Redrawn only when it changed: an open configuration stays open.
        const restNow = JSON.stringify([detail.evaluation, detail.privacy, detail.config]);
        if (restNow !== restShown) {
          restShown = restNow;
          const config = h('details', {}, h('summary', {}, 'configuration (config.json)'), keyValueTable(detail.config));
          const privacy = detail.privacy && h('section', {}, h('h2', {}, 'privacy (privacy.json)'), keyValueTable(detail.privacy));
          rest.replaceChildren(...[evaluationSection(detail), privacy, config].filter((e): e is HTMLElement => !!e));
        }
        if (detail.summary.state === 'training') timer = setTimeout(() => void load(), REFRESH_MS);
      } catch (error) {
        status.textContent = `This run cannot be shown: ${(error as Error).message}`;
      }
    };
    void load();
    return () => {
      closed = true;
      stopFollowing();
      clearTimeout(timer);
    };
  },
};
