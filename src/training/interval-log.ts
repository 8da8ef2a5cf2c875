// metrics.jsonl's intervals: the means of what the steps measured, written
// every --log-every D steps, at the end of each epoch and before an early end.
import type { TrainingPosition } from '../run/checkpoints.js';
import { appendMetrics, type MetricsLine } from '../run/metrics-log.js';
import type { DiscriminatorUpdate } from './discriminator-update.js';
import type { GanParts } from './gan-step.js';
import { IntervalMeans } from './interval-means.js';
import type { StepTaken } from './training-loop.js';

export class IntervalLog {
  private readonly means = new IntervalMeans();
  private steps = 0;
  private started = performance.now();
  /** The update's own values (a DP run's ε spent), refreshed once per interval: the PRV accountant takes about a second. */
  updateLogs: Record<string, number>;
  /** The last G step's loss (NaN before the first), for the progress line. */
  lastGLoss = NaN;
  /** The line written last (undefined before the first), for the console's line per epoch. */
  lastLine: MetricsLine | undefined;

  constructor(
    private readonly path: string,
    private readonly gan: GanParts,
    private readonly update: DiscriminatorUpdate,
    private readonly position: TrainingPosition,
    private readonly stepsPerEpoch: number,
  ) {
    this.updateLogs = update.logged(position.dSteps);
  }

  record(step: StepTaken): void {
    if (step.fakeAccuracy !== undefined) {
      this.means.add('fakeAccuracy', step.fakeAccuracy);
      this.means.add('nD', step.nextDSteps!);
    }
    if (step.gLoss !== undefined) {
      this.lastGLoss = step.gLoss;
      this.means.add('gLoss', step.gLoss);
    }
    this.means.add('dLoss', step.dLoss);
    for (const [name, value] of Object.entries(step.logs)) this.means.add(name, value);
    this.steps += 1;
  }

  /** Appends the interval's line, when it has steps, and starts the next. */
  write(): void {
    if (this.steps === 0) return;
    const { position } = this;
    this.updateLogs = this.update.logged(position.dSteps);
    const seconds = (performance.now() - this.started) / 1000;
    this.lastLine = {
      epoch: position.epoch + position.stepInEpoch / this.stepsPerEpoch,
      step: position.dSteps,
      gSteps: position.gSteps,
      objective: this.gan.objective.name,
      ...this.means.means(),
      // Not averaged: the values after the interval's last step.
      ...this.updateLogs,
      stepsPerSecond: this.steps / seconds,
      trainSeconds: position.trainSeconds,
    };
    appendMetrics(this.path, this.lastLine);
    this.means.reset();
    this.steps = 0;
    this.started = performance.now();
  }
}
