// The empirical lower bound on ε of one-run auditing (Steinke, Nasr &
// Jagielski, "Privacy Auditing with One (1) Training Run", 2023): m canaries,
// each in the training set with probability ½; an attacker guesses membership
// for r of them and is right v times. Under (ε, δ)-DP each guess is right with
// probability at most e^ε/(1 + e^ε), as randomized response, so v is dominated
// by Binomial(r, e^ε/(1 + e^ε)) up to a δ term (their Theorem 5.2). The largest
// ε that this observation rejects at the chosen confidence is a lower bound on
// the ε the training really spends: above the accountant's, the guarantee is broken.

/** log(k!) for k = 0 … n. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1] + Math.log(k);
  return out;
}

/** P[Binomial(r, q) = k] for k = 0 … r, summed in log space (r in the thousands underflows a direct product). */
function binomialPmf(r: number, q: number): Float64Array {
  const logFactorial = logFactorials(r);
  const [logQ, logP] = [Math.log(q), Math.log1p(-q)];
  // A term with no factor of q (or of 1 − q) adds nothing: skipped, since 0·log 0 would be NaN where q rounds to 0 or 1.
  const times = (count: number, log: number) => (count === 0 ? 0 : count * log);
  return Float64Array.from({ length: r + 1 }, (_, k) =>
    Math.exp(logFactorial[r] - logFactorial[k] - logFactorial[r - k] + times(k, logQ) + times(r - k, logP)),
  );
}

/** What the attacker's guesses on the canaries came to. */
export interface Guesses {
  /** Canaries, each included with probability ½. */
  canaries: number;
  /** Guesses made (the rest abstained). */
  guesses: number;
  correct: number;
}

/**
 * The probability of `correct` or more right guesses from a mechanism that is
 * (ε, δ)-DP: P[Binomial(r, p_ε) ≥ v] + 2mδ·max_i P[v − i ≤ Binomial(r, p_ε) < v]/i, p_ε = e^ε/(1 + e^ε).
 */
export function auditPValue({ canaries, guesses, correct }: Guesses, epsilon: number, delta: number): number {
  if (!(correct >= 0 && correct <= guesses && guesses <= canaries))
    throw new RangeError(`need 0 ≤ correct ≤ guesses ≤ canaries; got ${correct}, ${guesses}, ${canaries}.`);
  const pmf = binomialPmf(guesses, 1 / (1 + Math.exp(-epsilon)));
  let tail = 0;
  for (let k = correct; k <= guesses; k++) tail += pmf[k];
  let below = 0;
  let worst = 0;
  for (let i = 1; i <= correct; i++) {
    below += pmf[correct - i];
    worst = Math.max(worst, below / i);
  }
  return Math.min(1, tail + 2 * canaries * delta * worst);
}

/** The largest ε that the guesses reject with probability `confidence` (0 when they reject none), to within 1e-6. */
export function epsilonLowerBound(result: Guesses, delta: number, confidence: number): number {
  const alpha = 1 - confidence;
  const rejects = (epsilon: number) => auditPValue(result, epsilon, delta) < alpha;
  if (!rejects(0)) return 0;
  let [low, high] = [0, 1];
  while (rejects(high)) [low, high] = [high, 2 * high];
  while (high - low > 1e-6) {
    const middle = (low + high) / 2;
    if (rejects(middle)) low = middle;
    else high = middle;
  }
  return low;
}

/** The guesses of one attack: the `k` top-scored canaries called members, the `k` lowest called non-members. */
export function guessesAt(scores: ArrayLike<number>, included: ArrayLike<boolean>, k: number): Guesses {
  if (!(k >= 1 && 2 * k <= scores.length)) throw new RangeError(`k = ${k} guesses each way need at least ${2 * k} canaries; there are ${scores.length}.`);
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let correct = 0;
  for (let rank = 0; rank < k; rank++) {
    if (included[order[rank]]) correct++;
    if (!included[order[order.length - 1 - rank]]) correct++;
  }
  return { canaries: order.length, guesses: 2 * k, correct };
}

/** The confidence each of `tests` attacks is held to, so that the best of them holds at `confidence` (Bonferroni). */
const eachAt = (confidence: number, tests: number) => 1 - (1 - confidence) / tests;

/** The most any of the attacks could show: the bound when every guess of the largest is right. A larger ε goes undetected. */
export function detectableEpsilon(canaries: number, ks: number[], delta: number, confidence: number): number {
  const each = eachAt(confidence, ks.length);
  return Math.max(...ks.map((k) => epsilonLowerBound({ canaries, guesses: 2 * k, correct: 2 * k }, delta, each)));
}

/** The bound of one attack, and which it was. */
export interface AttackBound extends Guesses {
  k: number;
  epsilon: number;
}

/**
 * The best bound over the attacks that guess k canaries each way, k from
 * `ks` (fixed before looking at the scores): each is tested at the confidence
 * divided among them (Bonferroni), so the best still holds at `confidence`.
 */
export function bestAttack(scores: ArrayLike<number>, included: ArrayLike<boolean>, ks: number[], delta: number, confidence: number): AttackBound {
  const each = eachAt(confidence, ks.length);
  const bounds = ks.map((k) => {
    const guesses = guessesAt(scores, included, k);
    return { k, ...guesses, epsilon: epsilonLowerBound(guesses, delta, each) };
  });
  return bounds.reduce((best, bound) => (bound.epsilon > best.epsilon ? bound : best));
}
