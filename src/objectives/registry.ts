import type { Objective } from './objective.js';
import { minimax } from './minimax.js';
import { nonsaturating } from './nonsaturating.js';

const OBJECTIVES: readonly Objective[] = [nonsaturating, minimax];

export const OBJECTIVE_NAMES = OBJECTIVES.map((objective) => objective.name);

/** The objective registered under `name`, or undefined. */
export function findObjective(name: string): Objective | undefined {
  return OBJECTIVES.find((objective) => objective.name === name);
}
