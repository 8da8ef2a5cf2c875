// The generator playground: the run's generator runs in the page. A 10×10
// grid of samples with a seed and a truncation slider, and for a conditional
// run a class picker (one class, or a row per class); click a sample to pick
// it as one end of an interpolation (LSI's straight line or slerp's great
// circle, drawn as a strip and played as an animation), or to ask the server
// for its nearest training images (the memorisation check of the lecture notes).
import type { NearestAnswer, NearestPending, RunDetail } from '../../api-types.js';
import { Rng } from '../../../engine/rng.js';
import { plannedClasses, withClasses, type ClassPlan } from '../../../models/class-rows.js';
import { CLASS_COUNT, LATENT_SIZE } from '../../../models/gan-models.js';
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

const inputOf = (inputs: Float32Array, index: number, width: number) => inputs.slice(index * width, (index + 1) * width);

/**
 * `frames` inputs of G from a to b: z along LSI's straight line or slerp's great circle, and a conditional G's
 * one-hot class along a straight line (a 3 that turns into an 8).
 */
function path(a: Float32Array, b: Float32Array, frames: number, method: 'lsi' | 'slerp'): Float32Array {
  const width = a.length;
  const out = new Float32Array(frames * width);
  for (let j = 0; j < frames; j++) {
    const t = interpolationWeight(j, frames);
    const first = method === 'slerp' ? LATENT_SIZE : 0;
    if (method === 'slerp') slerpInto(a.subarray(0, LATENT_SIZE), b.subarray(0, LATENT_SIZE), t, out, j * width);
    for (let d = first; d < width; d++) out[j * width + d] = (1 - t) * a[d] + t * b[d];
  }
  return out;
}

/** The class of a conditional G's input: where its one-hot is 1. */
const classOf = (input: Float32Array) => input.subarray(LATENT_SIZE).indexOf(1);

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
    const classPicker = h(
      'select',
      { 'aria-label': 'class', hidden: true },
      h('option', { value: 'rows' }, 'a row per class'),
      ...Array.from({ length: CLASS_COUNT }, (_, digit) => h('option', { value: String(digit) }, `class ${digit}`)),
    );
    const picked = h('p', {}, 'Click a sample in the grid.');
    const method = h(
      'select',
      { 'aria-label': 'interpolation' },
      h('option', { value: 'slerp' }, 'slerp'),
      h('option', { value: 'lsi' }, 'LSI (straight line)'),
    );
    const interpolationEnds = h('p', { class: 'interpolation-ends' }, 'Pick a sample, then make it the start or the end.');
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
        h('div', {}, gridCanvas, h('div', { class: 'controls' }, reseed, seedLabel, h('label', {}, 'truncation ', slider, truncationLabel), classPicker)),
        h(
          'div',
          { class: 'side' },
          picked,
          h('p', {}, buttons.a, buttons.b, buttons.nearest),
          h('h2', {}, 'interpolation ', method),
          interpolationEnds,
          strip,
          animation,
          nearest,
        ),
      ),
    );

    let generator: BrowserGenerator | undefined;
    let detail: RunDetail | undefined;
    let seed = 1;
    /** G's inputs of the grid's samples: latents, with a conditional G's classes. */
    let inputs: Float32Array = new Float32Array(0);
    let selected: number | undefined;
    const ends: { a?: Float32Array; b?: Float32Array } = {};
    /** What each end of the interpolation is, in words, for the line above the strip. */
    const endNames: { a?: string; b?: string } = {};
    let animationTimer: ReturnType<typeof setInterval> | undefined;
    let closed = false;

    const drawGrid = async () => {
      const threshold = Number(slider.value);
      truncationLabel.textContent = threshold >= NO_TRUNCATION ? ' off' : ` |zᵢ| ≤ ${threshold.toFixed(1)}`;
      seedLabel.textContent = ` seed ${seed} `;
      const sampler = threshold >= NO_TRUNCATION ? gaussian(1) : truncation(threshold);
      const latents = sampler(new Rng(seed), SIDE * SIDE);
      const classes: ClassPlan = classPicker.value === 'rows' ? { kind: 'balanced', block: SIDE } : { kind: 'one', digit: Number(classPicker.value) };
      inputs = generator!.conditional ? withClasses(latents, LATENT_SIZE, plannedClasses(classes, 0, SIDE * SIDE)) : latents;
      paintImages(gridCanvas, await generator!.images(inputs), SIDE);
      if (selected !== undefined) {
        const context = gridCanvas.getContext('2d')!;
        context.strokeStyle = '#e8590c';
        context.strokeRect((selected % SIDE) * 28 + 0.5, Math.floor(selected / SIDE) * 28 + 0.5, 27, 27);
      }
      gridCanvas.dataset.seed = String(seed);
      gridCanvas.dataset.classes = generator!.conditional ? classPicker.value : '';
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

    let pickedName = '';
    gridCanvas.addEventListener('click', (event) => {
      if (!generator) return;
      const box = gridCanvas.getBoundingClientRect();
      const column = Math.min(SIDE - 1, Math.floor(((event.clientX - box.left) / box.width) * SIDE));
      const row = Math.min(SIDE - 1, Math.floor(((event.clientY - box.top) / box.height) * SIDE));
      selected = row * SIDE + column;
      const digit = generator.conditional ? ` (class ${classOf(inputOf(inputs, selected, generator.inputWidth))})` : '';
      pickedName = `sample ${selected + 1}${digit} of seed ${seed}`;
      picked.textContent = `Sample ${selected + 1}${digit} of seed ${seed} picked.`;
      Object.values(buttons).forEach((button) => (button.disabled = false));
      void drawGrid();
    });
    const selectedInput = () => inputOf(inputs, selected!, generator!.inputWidth);
    const chooseEnd = (end: 'a' | 'b') => {
      ends[end] = selectedInput();
      endNames[end] = pickedName;
      const { a, b } = endNames;
      interpolationEnds.textContent = a && b ? `From ${a} to ${b}.` : a ? `Start: ${a}. Now pick the end.` : `End: ${b}. Now pick the start.`;
      void interpolate();
    };
    buttons.a.addEventListener('click', () => chooseEnd('a'));
    buttons.b.addEventListener('click', () => chooseEnd('b'));
    buttons.nearest.addEventListener(
      'click',
      () => void askNearest(selectedInput()).catch((error) => nearest.replaceChildren(h('p', { class: 'damaged' }, (error as Error).message))),
    );
    method.addEventListener('change', () => void interpolate());
    reseed.addEventListener('click', () => {
      seed += 1;
      selected = undefined;
      void drawGrid();
    });
    slider.addEventListener('input', () => void drawGrid());
    classPicker.addEventListener('change', () => void drawGrid());

    void (async () => {
      try {
        const backend = await startBackend();
        detail = (await getJson<RunDetail>(`/api/run?${runQuery(run)}`)).body;
        if (!detail.generator) throw new Error('the run has no checkpoint yet');
        generator = await BrowserGenerator.load(detail.generator.modelUrl);
        if (closed) return generator.dispose();
        status.textContent = `${detail.generator.kind === 'ema' ? "G's moving average" : 'G'} of checkpoint ${detail.generator.checkpoint}, running in this page on TF.js's ${backend} backend.`;
        gridCanvas.dataset.backend = backend;
        classPicker.hidden = !generator.conditional;
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
