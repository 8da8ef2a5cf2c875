// How many D steps come before each G step: a constant n_D, WGAN's warm-up,
// or the adaptive schedule of "Private GANs, revisited" (Bie, Kamath & Zhang
// 2023), which raises n_D along a ladder whenever D's accuracy on generated
// samples (a moving average) falls to a threshold. That accuracy is measured
// on generated samples only: reading real data outside the private step would
// spend privacy that the accountant does not count.
import type { DStepScheduleState } from '../run/checkpoints.js';
import type { AdaptiveDSteps, TrainConfig } from '../run/run-config.js';

export const ADAPTIVE_D_STEPS: AdaptiveDSteps = { threshold: 0.6, grace: 200, beta: 0.99 };

/** The values n_D climbs through. */
export const D_STEP_LADDER = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export interface DStepSchedule {
  /** D steps to take before the next G step, which will be G step number `gSteps` (from 0). */
  dStepsBefore(gSteps: number): number;
  /** Whether afterGStep needs D's accuracy on generated samples. */
  readonly measuresAccuracy: boolean;
  /** After each G step, with D's accuracy on a fresh generated batch when measured. */
  afterGStep(fakeAccuracy?: number): void;
  state(): DStepScheduleState | undefined;
}

/** The ladder's rung for n_D: the highest value not above it. */
function rungOf(dSteps: number): number {
  let rung = 0;
  while (rung + 1 < D_STEP_LADDER.length && D_STEP_LADDER[rung + 1] <= dSteps) rung++;
  return rung;
}

function adaptiveSchedule(settings: AdaptiveDSteps, initialDSteps: number, saved?: DStepScheduleState): DStepSchedule {
  const state: DStepScheduleState = saved ? { ...saved } : { rung: rungOf(initialDSteps), accuracy: null, gStepsSinceChange: 0 };
  return {
    dStepsBefore: () => D_STEP_LADDER[state.rung],
    measuresAccuracy: true,
    afterGStep(fakeAccuracy) {
      if (fakeAccuracy === undefined) throw new Error("The adaptive D-step schedule needs D's accuracy after each G step.");
      state.accuracy = state.accuracy === null ? fakeAccuracy : settings.beta * state.accuracy + (1 - settings.beta) * fakeAccuracy;
      state.gStepsSinceChange += 1;
      if (state.gStepsSinceChange >= settings.grace && state.accuracy <= settings.threshold && state.rung + 1 < D_STEP_LADDER.length) {
        state.rung += 1;
        state.gStepsSinceChange = 0;
      }
    },
    state: () => ({ ...state }),
  };
}

/** The run's schedule, continuing from a checkpoint's saved state when given. */
export function dStepSchedule(config: Pick<TrainConfig, 'dSteps' | 'wganWarmup' | 'adaptiveDSteps'>, saved?: DStepScheduleState): DStepSchedule {
  if (config.adaptiveDSteps) return adaptiveSchedule(config.adaptiveDSteps, config.dSteps, saved);
  return {
    // WGAN's official schedule: 100 D steps for the first 25 G steps and every 500th.
    dStepsBefore: (gSteps) => (config.wganWarmup && (gSteps < 25 || gSteps % 500 === 0) ? 100 : config.dSteps),
    measuresAccuracy: false,
    afterGStep: () => undefined,
    state: () => undefined,
  };
}
