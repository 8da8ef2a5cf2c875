// The generator playground: the run's generator runs in the page. A 10×10
// grid of samples with a seed and a truncation slider; click a sample to pick
// it as one end of an interpolation (LSI's straight line or slerp's great
// circle, drawn as a strip and played as an animation), or to ask the server
// for its nearest training images (the memorisation check of the lecture notes).
import type { NearestAnswer, NearestPending, RunDetail } from '../../api-types.js';
import { Rng } from '../../../engine/rng.js';
import { LATENT_SIZE } from '../../../models/gan-models.js';
import { gaussian, interpolationWeight, slerpInto, truncation } from '../../../sampling/latent-samplers.js';
import { getJson, runQuery } from '../api.js';
import { BrowserGenerator, paintImages, startBackend } from '../browser-generator.js';
import { formatNumber, h } from '../dom.js';
import { viewHref, type View } from './view.js';

const SIDE = 10;
/** Truncation at this threshold or above is none. */
const NO_TRUNCATION = 3;
const STRIP_STEPS = 10;
const ANIMATION_FRAMES = 48;
const FRAME_MS = 60;

const latentOf = (latents: Float32Array, index: number) => latents.slice(index * LATENT_SIZE, (index + 1) * LATENT_SIZE);

/** `frames` latents from a to b: LSI's straight line, or slerp's great circle. */
function path(a: Float32Array, b: Float32Array, frames: number, method: 'lsi' | 'slerp'): Float32Array {
  const out = new Float32Array(frames * LATENT_SIZE);
  for (let j = 0; j < frames; j++) {
    const t = interpolationWeight(j, frames);
    if (method === 'slerp') slerpInto(a, b, t, out, j * LATENT_SIZE);
    else for (let d = 0; d < LATENT_SIZE; d++) out[j * LATENT_SIZE + d] = (1 - t) * a[d] + t * b[d];
  }
  return out;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const playgroundView: View = {
  title: 'gankit: playground',
  render(into, params) {
    const run = params.get('run') ?? '';
    const status = h('p', { class: 'lead' }, 'Loading the generator…');
    const gridCanvas = h('canvas', { class: 'playground-grid', width: 280, height: 280, title: 'click a sample to pick it' });
    const seedLabel = h('span');
    const truncationLabel = h('span');
    const slider = h('input', { type: 'range', min: 0.2, max: NO_TRUNCATION, step: 0.1, value: NO_TRUNCATION, 'aria-label': 'truncation' });
    const reseed = h('button', {}, 're-seed');
    const picked = h('p', {}, 'Click a sample in the grid.');
    const method = h(
      'select',
      { 'aria-label': 'interpolation' },
      h('option', { value: 'slerp' }, 'slerp'),
      h('option', { value: 'lsi' }, 'LSI (straight line)'),
    );
    const strip = h('canvas', { class: 'strip-canvas' });
    const animation = h('canvas', { class: 'animation' });
    const nearest = h('div', { class: 'nearest' });
    const buttons = {
      a: h('button', { disabled: true }, 'start of interpolation'),
      b: h('button', { disabled: true }, 'end of interpolation'),
      nearest: h('button', { disabled: true }, 'nearest training images'),
    };
    into.append(
      h('h1', {}, `playground: ${run}`),
      h('p', {}, h('a', { href: viewHref('run', { run }) }, 'the run'), ' · ', h('a', { href: viewHref('runs') }, 'all runs')),
      status,
      h(
        'div',
        { class: 'playground' },
        h('div', {}, gridCanvas, h('div', { class: 'controls' }, reseed, seedLabel, h('label', {}, 'truncation ', slider, truncationLabel))),
        h(
          'div',
          { class: 'side' },
          picked,
          h('p', {}, buttons.a, buttons.b, buttons.nearest),
          h('h2', {}, 'interpolation ', method),
          strip,
          animation,
          nearest,
        ),
      ),
    );

    let generator: BrowserGenerator | undefined;
    let detail: RunDetail | undefined;
    let seed = 1;
    let latents: Float32Array = new Float32Array(0);
    let selected: number | undefined;
    const ends: { a?: Float32Array; b?: Float32Array } = {};
    let animationTimer: ReturnType<typeof setInterval> | undefined;
    let closed = false;

    const drawGrid = async () => {
      const threshold = Number(slider.value);
      truncationLabel.textContent = threshold >= NO_TRUNCATION ? ' off' : ` |zᵢ| ≤ ${threshold.toFixed(1)}`;
      seedLabel.textContent = ` seed ${seed} `;
      const sampler = threshold >= NO_TRUNCATION ? gaussian(1) : truncation(threshold);
      latents = sampler(new Rng(seed), SIDE * SIDE);
      paintImages(gridCanvas, await generator!.images(latents), SIDE);
      if (selected !== undefined) {
        const context = gridCanvas.getContext('2d')!;
        context.strokeStyle = '#e8590c';
        context.strokeRect((selected % SIDE) * 28 + 0.5, Math.floor(selected / SIDE) * 28 + 0.5, 27, 27);
      }
      gridCanvas.dataset.seed = String(seed);
    };

    // Each new interpolation or question outdates the ones still being answered: they draw nothing.
    const latest = { interpolation: 0, nearest: 0 };
    const interpolate = async () => {
      const token = ++latest.interpolation;
      clearInterval(animationTimer);
      if (!ends.a || !ends.b) return;
      const kind = method.value as 'lsi' | 'slerp';
      const strips = await generator!.images(path(ends.a, ends.b, STRIP_STEPS, kind));
      const frames = await generator!.images(path(ends.a, ends.b, ANIMATION_FRAMES, kind));
      if (closed || token !== latest.interpolation) return;
      paintImages(strip, strips, STRIP_STEPS);
      const size = 28 * 28;
      let frame = 0;
      let step = 1;
      animationTimer = setInterval(() => {
        paintImages(animation, frames.subarray(frame * size, (frame + 1) * size), 1);
        if (frame + step < 0 || frame + step >= ANIMATION_FRAMES) step = -step;
        frame += step;
      }, FRAME_MS);
    };

    const askNearest = async (z: Float32Array) => {
      const { generator: model } = detail!;
      const url = `/api/nearest?${runQuery(run)}&checkpoint=${model!.checkpoint}&kind=${model!.kind}&z=${Array.from(z, (v) => v.toPrecision(7)).join(',')}&k=8`;
      nearest.replaceChildren(h('p', {}, 'Asking the server…'));
      const token = ++latest.nearest;
      for (;;) {
        const { status: code, body } = await getJson<NearestAnswer | NearestPending>(url);
        if (closed || token !== latest.nearest) return;
        if (code === 200) return showNearest(body as NearestAnswer);
        const pending = body as NearestPending;
        nearest.replaceChildren(
          h('p', {}, `The server is computing the training images' features in ${pending.featureNetwork}, once: ${Math.round(pending.progress * 100)}%…`),
        );
        await wait(1000);
      }
    };
    const showNearest = (answer: NearestAnswer) => {
      nearest.replaceChildren(
        h('h2', {}, 'nearest training images'),
        h(
          'p',
          { class: 'note' },
          `In the feature space of ${answer.featureNetwork}, among ${answer.searched}. Look for copies: a memorising generator reproduces training images.`,
        ),
        h(
          'div',
          { class: 'neighbours' },
          h('figure', {}, h('img', { src: answer.sample, alt: 'the sample' }), h('figcaption', {}, 'the sample')),
          ...answer.neighbours.map((n) =>
            h(
              'figure',
              {},
              h('img', { src: n.image, alt: `training image ${n.index}` }),
              h('figcaption', {}, `#${n.index}${n.label !== undefined ? ` (${n.label})` : ''}`, h('br'), `d = ${formatNumber(n.distance, 2)}`),
            ),
          ),
        ),
      );
    };

    gridCanvas.addEventListener('click', (event) => {
      if (!generator) return;
      const box = gridCanvas.getBoundingClientRect();
      const column = Math.min(SIDE - 1, Math.floor(((event.clientX - box.left) / box.width) * SIDE));
      const row = Math.min(SIDE - 1, Math.floor(((event.clientY - box.top) / box.height) * SIDE));
      selected = row * SIDE + column;
      picked.textContent = `Sample ${selected + 1} of seed ${seed} picked.`;
      Object.values(buttons).forEach((button) => (button.disabled = false));
      void drawGrid();
    });
    buttons.a.addEventListener('click', () => ((ends.a = latentOf(latents, selected!)), void interpolate()));
    buttons.b.addEventListener('click', () => ((ends.b = latentOf(latents, selected!)), void interpolate()));
    buttons.nearest.addEventListener(
      'click',
      () => void askNearest(latentOf(latents, selected!)).catch((error) => nearest.replaceChildren(h('p', { class: 'damaged' }, (error as Error).message))),
    );
    method.addEventListener('change', () => void interpolate());
    reseed.addEventListener('click', () => {
      seed += 1;
      selected = undefined;
      void drawGrid();
    });
    slider.addEventListener('input', () => void drawGrid());

    void (async () => {
      try {
        const backend = await startBackend();
        detail = (await getJson<RunDetail>(`/api/run?${runQuery(run)}`)).body;
        if (!detail.generator) throw new Error('the run has no checkpoint yet');
        generator = await BrowserGenerator.load(detail.generator.modelUrl);
        if (closed) return generator.dispose();
        status.textContent = `${detail.generator.kind === 'ema' ? "G's moving average" : 'G'} of checkpoint ${detail.generator.checkpoint}, running in this page on TF.js's ${backend} backend.`;
        gridCanvas.dataset.backend = backend;
        await drawGrid();
      } catch (error) {
        status.textContent = `The generator cannot run here: ${(error as Error).message}`;
      }
    })();
    return () => {
      closed = true;
      clearInterval(animationTimer);
      generator?.dispose();
    };
  },
};
