// Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar &
// Zhang 2019), computed as Opacus's analysis/rdp.py does: in log space, with
// the exact sum for integer orders and the two-sided series for fractional
// ones; then the conversion to (ε, δ).
import erfcx from '@stdlib/math-base-special-erfcx';

/** Orders 1.1, 1.2, …, 10.9, then 12, 13, …, 63 (Opacus's defaults). */
export const RDP_ORDERS: readonly number[] = [...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10), ...Array.from({ length: 52 }, (_, i) => 12 + i)];

/** How RDP becomes (ε, δ): Balle et al. 2020's bound (Opacus's), or the classic rdp − log δ/(α − 1). */
export type RdpConversion = 'improved' | 'classic';

function logAdd(a: number, b: number): number {
  const high = Math.max(a, b);
  if (high === -Infinity) return -Infinity;
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

/** log(exp(a) − exp(b)) for a ≥ b. */
function logSub(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  if (a < b) throw new RangeError('logSub: the result would be negative.');
  return a + Math.log(-Math.expm1(b - a));
}

/** log erfc(x), accurate in both tails: erfc(x) = erfcx(x)·exp(−x²) for x > 0. */
function logErfc(x: number): number {
  return x > 0 ? Math.log(erfcx(x)) - x * x : Math.log(2 - erfcx(-x) * Math.exp(-x * x));
}

/** log A_α for integer α: log Σ_i C(α, i) q^i (1 − q)^(α−i) exp((i² − i)/(2σ²)). */
function logAInteger(q: number, sigma: number, order: number): number {
  let logA = -Infinity;
  let logBinomial = 0;
  for (let i = 0; i <= order; i++) {
    if (i > 0) logBinomial += Math.log(order - i + 1) - Math.log(i);
    const term = logBinomial + i * Math.log(q) + (order - i) * Math.log1p(-q) + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, term);
  }
  return logA;
}

/** log A_α for fractional α: the two series of Mironov et al. (section 3.3), summed until their terms fall below e^−30. */
function logAFractional(q: number, sigma: number, order: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  // C(α, i) by its running product: its log magnitude and its sign.
  let logAbsBinomial = 0;
  let sign = 1;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const factor = (order - i + 1) / i;
      logAbsBinomial += Math.log(Math.abs(factor));
      if (factor < 0) sign = -sign;
    }
    const j = order - i;
    const logT0 = logAbsBinomial + i * Math.log(q) + j * Math.log1p(-q);
    const logT1 = logAbsBinomial + j * Math.log(q) + i * Math.log1p(-q);
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (sign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/** RDP at `order` of one step of the Gaussian mechanism (noise σ, sensitivity 1) on a Poisson sample at rate q. */
export function subsampledGaussianRdp(q: number, sigma: number, order: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`The sampling rate must be in [0, 1], got ${q}.`);
  if (!(sigma > 0)) throw new RangeError(`The noise multiplier must be > 0, got ${sigma}.`);
  if (q === 0) return 0;
  if (q === 1) return order / (2 * sigma * sigma);
  const logA = Number.isInteger(order) ? logAInteger(q, sigma, order) : logAFractional(q, sigma, order);
  return logA / (order - 1);
}

export interface PrivacySpent {
  epsilon: number;
  /** The RDP order that gives the smallest ε. */
  order: number;
}

/** The smallest ε over the orders, for total RDP `rdp[k]` at `orders[k]`. */
export function rdpToEpsilon(rdp: readonly number[], orders: readonly number[], delta: number, conversion: RdpConversion = 'improved'): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1), got ${delta}.`);
  let best: PrivacySpent = { epsilon: Infinity, order: NaN };
  orders.forEach((order, k) => {
    const epsilon =
      conversion === 'classic'
        ? rdp[k] - Math.log(delta) / (order - 1)
        : rdp[k] - (Math.log(delta) + Math.log(order)) / (order - 1) + Math.log((order - 1) / order);
    if (Number.isNaN(epsilon)) throw new RangeError(`ε is not a number at order ${order}.`);
    if (epsilon < best.epsilon) best = { epsilon, order };
  });
  return best;
}

/**
 * ε as a function of the steps taken at rate q and noise σ. RDP composes by
 * addition, so one step's RDP per order, times the steps, is the run's.
 */
export function rdpAccountant(q: number, sigma: number, delta: number, conversion: RdpConversion = 'improved'): (steps: number) => PrivacySpent {
  const perStep = RDP_ORDERS.map((order) => subsampledGaussianRdp(q, sigma, order));
  return (steps) =>
    rdpToEpsilon(
      perStep.map((r) => r * steps),
      RDP_ORDERS,
      delta,
      conversion,
    );
}

/** ε after `steps` steps at rate q and noise σ. */
export function rdpEpsilon(q: number, sigma: number, steps: number, delta: number, conversion: RdpConversion = 'improved'): PrivacySpent {
  return rdpAccountant(q, sigma, delta, conversion)(steps);
}
