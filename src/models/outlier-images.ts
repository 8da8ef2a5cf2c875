// Images that are not digits, for outlier exposure (Hendrycks, Mazeika &
// Dietterich 2019): the feature network learns to answer "not a digit" on
// them, an eleventh class whose log-odds is one of its features.
// They are deliberately not the metric sanity suite's junk (bench/
// synthetic-junk.ts and metric-sets.ts), so that the suite still tests what
// the network learned rather than what it was shown. 28×28, pixels in [-1, 1].
import type { Rng } from '../engine/rng.js';
import type { ImageSet } from '../data/image-set.js';

const SIDE = 28;
const SIZE = SIDE * SIDE;
/** Half the width of a pen line, about an MNIST stroke's. */
const PEN_RADIUS = 1.1;

type Point = { y: number; x: number };

/** Ink along a path of points: full within PEN_RADIUS, fading over one pixel beyond it. */
function inkAlong(points: Point[]): Float32Array {
  const out = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const [y, x] = [Math.floor(i / SIDE), i % SIDE];
    let nearest = Infinity;
    for (const p of points) nearest = Math.min(nearest, (p.y - y) ** 2 + (p.x - x) ** 2);
    out[i] = 2 * Math.min(1, Math.max(0, PEN_RADIUS + 1 - Math.sqrt(nearest))) - 1;
  }
  return out;
}

const centralPoint = (rng: Rng): Point => ({ y: 5 + rng.uniform() * 18, x: 5 + rng.uniform() * 18 });
const keepInside = (v: number) => Math.min(23, Math.max(4, v));

/** A pen wandering with momentum: 30–80 unit steps whose heading turns a little each step. */
function randomWalk(rng: Rng): Float32Array {
  let { y, x } = centralPoint(rng);
  let heading = rng.uniform() * 2 * Math.PI;
  const points: Point[] = [];
  for (let step = 30 + rng.integer(51); step > 0; step--) {
    heading += 0.45 * rng.normal();
    [y, x] = [keepInside(y + Math.sin(heading)), keepInside(x + Math.cos(heading))];
    points.push({ y, x });
  }
  return inkAlong(points);
}

/** 2–6 straight segments joined at sharp corners: angular scribbles. */
function polyline(rng: Rng): Float32Array {
  const corners = Array.from({ length: 3 + rng.integer(5) }, () => centralPoint(rng));
  const points: Point[] = [];
  for (let c = 1; c < corners.length; c++) {
    const [a, b] = [corners[c - 1], corners[c]];
    const steps = Math.ceil(2 * Math.hypot(b.y - a.y, b.x - a.x)) + 1;
    for (let s = 0; s <= steps; s++) points.push({ y: a.y + ((b.y - a.y) * s) / steps, x: a.x + ((b.x - a.x) * s) / steps });
  }
  return inkAlong(points);
}

/** 2–4 circular arcs of radius 3–10 px spanning 60–270°: smooth pen strokes that form no digit. */
function arcs(rng: Rng): Float32Array {
  const points: Point[] = [];
  for (let arc = 2 + rng.integer(3); arc > 0; arc--) {
    const centre = centralPoint(rng);
    const radius = 3 + 7 * rng.uniform();
    const [from, span] = [rng.uniform() * 2 * Math.PI, ((60 + 210 * rng.uniform()) * Math.PI) / 180];
    const steps = Math.ceil(2 * radius * span) + 1;
    for (let s = 0; s <= steps; s++) {
      const angle = from + (span * s) / steps;
      points.push({ y: keepInside(centre.y + radius * Math.sin(angle)), x: keepInside(centre.x + radius * Math.cos(angle)) });
    }
  }
  return inkAlong(points);
}

/** 4–14 round dots of radius 0.7–2.2 px. */
function dots(rng: Rng): Float32Array {
  const centres = Array.from({ length: 4 + rng.integer(11) }, () => ({ ...centralPoint(rng), r: 0.7 + 1.5 * rng.uniform() }));
  const out = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const [y, x] = [Math.floor(i / SIDE), i % SIDE];
    const ink = Math.max(...centres.map((c) => Math.min(1, Math.max(0, c.r + 0.5 - Math.hypot(c.y - y, c.x - x)))));
    out[i] = 2 * ink - 1;
  }
  return out;
}

/** Interference of three plane waves under a central window, cut to bright bands: textures with a digit's ink share. */
function waves(rng: Rng): Float32Array {
  const components = Array.from({ length: 3 }, () => {
    const [angle, frequency] = [rng.uniform() * Math.PI, 0.35 + 0.5 * rng.uniform()];
    return { fy: frequency * Math.sin(angle), fx: frequency * Math.cos(angle), phase: rng.uniform() * 2 * Math.PI };
  });
  const out = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const [y, x] = [Math.floor(i / SIDE), i % SIDE];
    const wave = components.reduce((sum, c) => sum + Math.cos(c.fy * y + c.fx * x + c.phase), 0);
    const window = Math.exp(-((y - 13.5) ** 2 + (x - 13.5) ** 2) / (2 * 6.5 ** 2));
    out[i] = Math.tanh(4 * (wave * window - 1));
  }
  return out;
}

/** Two digits of different classes laid over each other, the second shifted up to 4 px: ink of two classes at once. */
function overlaidPair(rng: Rng, digits: ImageSet): Float32Array {
  const first = rng.integer(digits.count);
  let second = rng.integer(digits.count);
  while (digits.labels && digits.labels[second] === digits.labels[first]) second = rng.integer(digits.count);
  const [dy, dx] = [rng.integer(9) - 4, rng.integer(9) - 4];
  const out = digits.pixels.slice(first * SIZE, (first + 1) * SIZE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [sy, sx] = [y - dy, x - dx];
      if (sy < 0 || sy >= SIDE || sx < 0 || sx >= SIDE) continue;
      out[y * SIDE + x] = Math.max(out[y * SIDE + x], digits.pixels[second * SIZE + sy * SIDE + sx]);
    }
  }
  return out;
}

const FAMILIES: Array<(rng: Rng, digits: ImageSet) => Float32Array> = [randomWalk, polyline, arcs, dots, waves, overlaidPair];

/** `count` outlier images, each from a family chosen at random; `digits` supplies the overlaid pairs. */
export function outlierImages(count: number, rng: Rng, digits: ImageSet): Float32Array {
  const out = new Float32Array(count * SIZE);
  for (let k = 0; k < count; k++) out.set(FAMILIES[rng.integer(FAMILIES.length)](rng, digits), k * SIZE);
  return out;
}
