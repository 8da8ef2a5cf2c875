// The PRV accountant (Gopi, Lee & Wutschitz 2021), as Opacus implements it:
// the privacy loss random variable of one Poisson-subsampled Gaussian step,
// truncated to a domain that RDP shows safe, discretised on a mesh fine
// enough for the requested ε error, composed T times by FFT, and read back
// as an upper bound on ε.
import erfcx from '@stdlib/math-base-special-erfcx';
import FFT from 'fft.js';
import { rdpEpsilon } from './rdp-accountant.js';

export interface PrvBounds {
  /** The bound to report: the estimate plus the ε error, at δ less the δ error. */
  upper: number;
  estimate: number;
  lower: number;
}

function erfc(x: number): number {
  return x >= 0 ? erfcx(x) * Math.exp(-x * x) : 2 - erfcx(-x) * Math.exp(-x * x);
}

/** CDF of one step's privacy loss (Gopi et al., propositions B1 and B4). */
function privacyLossCdf(q: number, sigma: number, t: number): number {
  if (t <= Math.log1p(-q)) return 0;
  const z = Math.log((Math.exp(t) + q - 1) / q);
  const s = 2 * Math.SQRT2 * sigma;
  return 1 - (q / 2) * erfc((2 * z * sigma * sigma - 1) / s) - ((1 - q) / 2) * erfc((2 * z * sigma * sigma + 1) / s);
}

/** ∫ f over [a, b] by adaptive Simpson, to an absolute tolerance. */
function integrate(f: (t: number) => number, a: number, b: number, tolerance: number): number {
  const simpson = (l: number, r: number, fl: number, fm: number, fr: number) => ((r - l) / 6) * (fl + 4 * fm + fr);
  const recurse = (l: number, r: number, fl: number, fm: number, fr: number, whole: number, tol: number, depth: number): number => {
    const m = (l + r) / 2;
    const flm = f((l + m) / 2);
    const frm = f((m + r) / 2);
    const left = simpson(l, m, fl, flm, fm);
    const right = simpson(m, r, fm, frm, fr);
    if (depth <= 0 || Math.abs(left + right - whole) <= 15 * tol) return left + right + (left + right - whole) / 15;
    return recurse(l, m, fl, flm, fm, left, tol / 2, depth - 1) + recurse(m, r, fm, frm, fr, right, tol / 2, depth - 1);
  };
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  return recurse(a, b, fa, fm, fb, simpson(a, b, fa, fm, fb), tolerance, 50);
}

/**
 * ε bounds after `steps` steps at rate q and noise σ, at δ, with Opacus's
 * defaults for the errors (ε error 0.01, δ error δ/1000).
 */
export function prvEpsilon(q: number, sigma: number, steps: number, delta: number, epsError = 0.01, deltaError = delta / 1000): PrvBounds {
  // The domain: wide enough that RDP bounds the mass outside it (remark 5.6), on a mesh fine enough for epsError.
  const safe = Math.max(rdpEpsilon(q, sigma, steps, deltaError / 4).epsilon, rdpEpsilon(q, sigma, 1, deltaError / (8 * steps)).epsilon);
  const half = Math.max(safe, epsError) + 3;
  const mesh = epsError / Math.sqrt((steps * Math.log(12 / deltaError)) / 2);
  const below = Math.ceil(half / mesh);
  // Points −below·mesh … (below + 1)·mesh: an even count, with 0 at index `below`.
  const size = 2 * below + 2;
  const tMin = -below * mesh;
  const dt = mesh;

  // Discretise the PRV truncated to the domain: each point gets the mass of its cell.
  const tMax = tMin + (size - 1) * dt;
  const cdf = (t: number) => privacyLossCdf(q, sigma, t);
  const cdfMin = cdf(tMin);
  const mass = cdf(tMax) - cdfMin;
  const truncatedCdf = (t: number) => (t < tMin ? 0 : t < tMax ? (cdf(t) - cdfMin) / mass : 1);
  const pmf = new Float64Array(size);
  let discreteMean = 0;
  for (let k = 0; k < size; k++) {
    const t = tMin + k * dt;
    pmf[k] = truncatedCdf(t + dt / 2) - truncatedCdf(t - dt / 2);
    discreteMean += t * pmf[k];
  }
  // The continuous mean, by parts (∫t dF = [tF] − ∫F) between the points Opacus uses, then the mesh shifted to match it.
  const points = [tMin, -0.1, -0.01, -1e-3, -1e-4, -1e-5, 1e-5, 1e-4, 1e-3, 0.01, 0.1, tMax];
  let mean = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const [l, r] = [points[i], points[i + 1]];
    mean += r * truncatedCdf(r) - l * truncatedCdf(l) - integrate(truncatedCdf, l, r, 1e-14);
  }
  const shift = mean - discreteMean;
  if (Math.abs(shift) >= dt / 2) throw new RangeError('The discretised privacy loss strays from its mean: the mesh is too coarse.');

  // Compose: the T-fold self-convolution, by FFT on a power-of-two length ≥ size. Index j of the
  // circular result holds index sums ≡ j; point k of the composed mesh is the index sum k + (T−1)·below.
  let length = 1;
  while (length < size) length *= 2;
  const fft = new FFT(length);
  const padded = new Float64Array(length);
  padded.set(pmf);
  const spectrum = new Float64Array(2 * length);
  fft.realTransform(spectrum, padded);
  fft.completeSpectrum(spectrum);
  for (let j = 0; j < length; j++) {
    // (re + i·im)^T in polar form.
    const re = spectrum[2 * j];
    const im = spectrum[2 * j + 1];
    const magnitude = Math.hypot(re, im) ** steps;
    const angle = Math.atan2(im, re) * steps;
    spectrum[2 * j] = magnitude * Math.cos(angle);
    spectrum[2 * j + 1] = magnitude * Math.sin(angle);
  }
  const circular = new Float64Array(2 * length);
  fft.inverseTransform(circular, spectrum);
  const offset = ((((steps - 1) * below) % length) + length) % length;
  const composed = new Float64Array(size);
  for (let k = 0; k < size; k++) composed[k] = circular[2 * ((k + offset) % length)];
  const start = tMin + steps * shift;

  // δ(ε) = Σ_{t ≥ ε} p_t (1 − e^{ε−t}); read ε off the tails, as Opacus's compute_epsilon.
  const tailMass = new Float64Array(size);
  const tailWeighted = new Float64Array(size);
  let d1 = 0;
  let d2 = 0;
  for (let k = size - 1; k >= 0; k--) {
    d1 += composed[k];
    d2 += composed[k] * Math.exp(-(start + k * dt));
    tailMass[k] = d1;
    tailWeighted[k] = d2;
  }
  const epsilonAt = (target: number) => {
    // The first point whose −δ reaches −target (−δ rises with t).
    let i = 0;
    while (i < size && Math.exp(start + i * dt) * tailWeighted[i] - tailMass[i] < -target) i++;
    if (i <= 0 || i >= size) throw new RangeError('ε lies outside the PRV domain.');
    return Math.log((tailMass[i] - target) / tailWeighted[i]);
  };
  const estimate = epsilonAt(delta);
  return { upper: epsilonAt(delta - deltaError) + epsError, estimate, lower: epsilonAt(delta + deltaError) - epsError };
}
