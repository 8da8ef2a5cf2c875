// Objectives by name, for `gankit train --objective NAME`.
import { began } from './began.js';
import { dragan } from './dragan.js';
import { F_DIVERGENCE_NAMES, findFDivergence } from './f-divergences.js';
import { fgan, type FGanGeneratorLoss } from './fgan.js';
import { hinge } from './hinge.js';
import { lsgan } from './lsgan.js';
import { minimax } from './minimax.js';
import { nonsaturating } from './nonsaturating.js';
import type { Objective } from './objective.js';
import { wgan } from './wgan.js';
import { wganGp } from './wgan-gp.js';

export interface ObjectiveOptions {
  /** f-GAN's G update. */
  fganGeneratorLoss?: FGanGeneratorLoss;
}

const FIXED: Record<string, () => Objective> = {
  nonsaturating: () => nonsaturating,
  minimax: () => minimax,
  wgan: () => wgan,
  'wgan-gp': () => wganGp,
  lsgan: () => lsgan,
  hinge: () => hinge,
  dragan: () => dragan,
  began,
};

export const OBJECTIVE_NAMES = [
  'nonsaturating',
  'minimax',
  ...F_DIVERGENCE_NAMES.map((name) => `fgan:${name}`),
  'wgan',
  'wgan-gp',
  'lsgan',
  'hinge',
  'dragan',
  'began',
];

/** A fresh instance of the objective registered under `name`, or undefined. */
export function createObjective(name: string, options: ObjectiveOptions = {}): Objective | undefined {
  if (name.startsWith('fgan:')) {
    const divergence = findFDivergence(name.slice('fgan:'.length));
    return divergence && fgan(divergence, options.fganGeneratorLoss ?? 'standard');
  }
  return Object.hasOwn(FIXED, name) ? FIXED[name]() : undefined;
}
