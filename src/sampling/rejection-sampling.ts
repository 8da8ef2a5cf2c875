// Discriminator rejection sampling (Azadi et al., ICLR 2019). D's logit
// estimates log p_data/p_g, so a proposal x is accepted with probability
// σ(F(x)), F(x) = D̃(x) − D̃* − log(1 − exp(D̃(x) − D̃* − ε)) − γ, where D̃* is
// the largest logit seen so far and γ shifts the acceptance rate.
import { percentile } from '../metrics/statistics.js';
import type { Rng } from '../engine/rng.js';

export interface DrsOptions {
  /** Proposals scored first, to estimate D̃*, the maximum logit. */
  burnIn: number;
  /** γ is this percentile of F over the burn-in set, as in the paper's experiments. */
  gammaPercentile: number;
  epsilon: number;
}

export const DRS_DEFAULTS: DrsOptions = { burnIn: 10000, gammaPercentile: 95, epsilon: 1e-6 };

/** F(x) without γ: log of the (unnormalised) acceptance odds. */
export function drsScore(logit: number, maxLogit: number, epsilon: number): number {
  const shifted = logit - maxLogit;
  // log(1 − exp(s − ε)), stable for s near 0 (expm1) and s ≪ 0 (log1p).
  const s = shifted - epsilon;
  const logOneMinusExp = s > -Math.LN2 ? Math.log(-Math.expm1(s)) : Math.log1p(-Math.exp(s));
  return shifted - logOneMinusExp;
}

/** The state of a rejection sampler after its burn-in. */
export class RejectionSampler {
  private maxLogit: number;
  readonly gamma: number;
  proposed = 0;
  accepted = 0;

  constructor(
    burnInLogits: ArrayLike<number>,
    private readonly options: DrsOptions,
  ) {
    if (burnInLogits.length === 0) throw new RangeError('DRS needs a non-empty burn-in set.');
    this.maxLogit = Math.max(...Array.from(burnInLogits));
    const scores = Array.from(burnInLogits, (logit) => drsScore(logit, this.maxLogit, options.epsilon));
    this.gamma = percentile(scores, options.gammaPercentile);
  }

  /** Acceptance probability σ(F(x)) of a proposal with this logit; raises D̃* when exceeded. */
  acceptance(logit: number): number {
    if (logit > this.maxLogit) this.maxLogit = logit;
    const f = drsScore(logit, this.maxLogit, this.options.epsilon) - this.gamma;
    return 1 / (1 + Math.exp(-f));
  }

  /** Decides on one proposal. */
  accept(logit: number, rng: Rng): boolean {
    this.proposed += 1;
    const accepted = rng.uniform() < this.acceptance(logit);
    if (accepted) this.accepted += 1;
    return accepted;
  }

  get acceptanceRate(): number {
    return this.proposed === 0 ? 0 : this.accepted / this.proposed;
  }
}
