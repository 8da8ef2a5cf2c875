// Latent samplers: named, seeded, pure functions that turn an RNG and a count
// into count × 100 latents. Samplers that interpolate work in groups of
// `steps` consecutive latents; a count that is not a multiple of `steps` ends
// with a partial group.
import type { Rng } from '../engine/rng.js';
import { LATENT_SIZE } from '../models/gan-models.js';

export type LatentSampler = (rng: Rng, count: number) => Float32Array;

export const SAMPLER_NAMES = ['gaussian', 'lsi', 'dirichlet', 'slerp', 'truncation'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerOptions {
  /** Standard deviation of the Gaussian latents (`--z-std`). */
  zStd: number;
  /** Points per interpolation group (`--lsi-steps`). */
  steps: number;
  /** Latents combined by the Dirichlet variant (`--dirichlet-k`). */
  dirichletK: number;
  /** Components with |z_i| above this are redrawn (`--truncation`). */
  truncation: number;
}

export const SAMPLER_DEFAULTS: SamplerOptions = { zStd: 1, steps: 10, dirichletK: 10, truncation: 1 };

/** linspace(0, 1, steps)[j]; a single step sits at 0. */
export function interpolationWeight(j: number, steps: number): number {
  return steps === 1 ? 0 : j / (steps - 1);
}

/** z ~ N(0, s²I). */
export function gaussian(std: number): LatentSampler {
  return (rng, count) => rng.normals(count * LATENT_SIZE, std);
}

/**
 * Fills groups of `steps` points, each built by `point(out, offset, j)` from
 * latents the group drew first with `draw()`.
 */
function grouped<T>(steps: number, draw: (rng: Rng) => T, point: (group: T, j: number, out: Float32Array, offset: number, rng: Rng) => void): LatentSampler {
  return (rng, count) => {
    const out = new Float32Array(count * LATENT_SIZE);
    for (let first = 0; first < count; first += steps) {
      const group = draw(rng);
      for (let j = 0; j < steps && first + j < count; j++) point(group, j, out, (first + j) * LATENT_SIZE, rng);
    }
    return out;
  };
}

function drawPair(std: number) {
  return (rng: Rng) => [rng.normals(LATENT_SIZE, std), rng.normals(LATENT_SIZE, std)] as const;
}

/** The study's LSI: (1 − α)·z1 + α·z2 for α in linspace(0, 1, steps). */
export function lsi(steps: number, std = 1): LatentSampler {
  return grouped(steps, drawPair(std), ([z1, z2], j, out, offset) => {
    const alpha = interpolationWeight(j, steps);
    for (let d = 0; d < LATENT_SIZE; d++) out[offset + d] = (1 - alpha) * z1[d] + alpha * z2[d];
  });
}

/** Weights w ~ Dirichlet(1, …, 1): normalised Exp(1) draws. */
export function flatDirichlet(rng: Rng, k: number): Float64Array {
  const w = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    w[i] = -Math.log(1 - rng.uniform());
    total += w[i];
  }
  for (let i = 0; i < k; i++) w[i] /= total;
  return w;
}

/** The study's variant: Σ w_i z_i over k latents, a new w ~ Dirichlet(1…1) per sample. */
export function dirichlet(k: number, steps: number, std = 1): LatentSampler {
  return grouped(
    steps,
    (rng) => Array.from({ length: k }, () => rng.normals(LATENT_SIZE, std)),
    (latents, _j, out, offset, rng) => {
      const w = flatDirichlet(rng, k);
      for (let d = 0; d < LATENT_SIZE; d++) {
        let sum = 0;
        for (let i = 0; i < k; i++) sum += w[i] * latents[i][d];
        out[offset + d] = sum;
      }
    },
  );
}

/** Spherical interpolation (White 2016) from a to b at t, written into out. */
export function slerpInto(a: ArrayLike<number>, b: ArrayLike<number>, t: number, out: Float32Array, offset: number): void {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const sinOmega = Math.sin(omega);
  // Nearly parallel endpoints: the straight line is the same path.
  const [wa, wb] = sinOmega < 1e-6 ? [1 - t, t] : [Math.sin((1 - t) * omega) / sinOmega, Math.sin(t * omega) / sinOmega];
  for (let d = 0; d < a.length; d++) out[offset + d] = wa * a[d] + wb * b[d];
}

/** Pairs as LSI, joined along the great circle instead of the chord. */
export function slerp(steps: number, std = 1): LatentSampler {
  return grouped(steps, drawPair(std), ([z1, z2], j, out, offset) => slerpInto(z1, z2, interpolationWeight(j, steps), out, offset));
}

/** The truncation trick: components with |z_i| > t are redrawn until they fall within. */
export function truncation(threshold: number, std = 1): LatentSampler {
  return (rng, count) => {
    const out = new Float32Array(count * LATENT_SIZE);
    for (let i = 0; i < out.length; i++) {
      let value = rng.normal() * std;
      while (Math.abs(value) > threshold) value = rng.normal() * std;
      out[i] = value;
    }
    return out;
  };
}

export function makeSampler(name: SamplerName, options: SamplerOptions): LatentSampler {
  switch (name) {
    case 'gaussian':
      return gaussian(options.zStd);
    case 'lsi':
      return lsi(options.steps, options.zStd);
    case 'dirichlet':
      return dirichlet(options.dirichletK, options.steps, options.zStd);
    case 'slerp':
      return slerp(options.steps, options.zStd);
    case 'truncation':
      return truncation(options.truncation, options.zStd);
  }
}
