// P-precision and P-recall (Park & Kim, "Probabilistic Precision and Recall
// Towards Reliable Evaluation of Generative Models", ICCV 2023): the headline
// precision and recall.
//
// Kynkäänniemi et al.'s k-NN precision gives each real image a ball as wide as
// its own k-th neighbour distance, so the few odd real digits, far from the
// rest, get huge balls that swallow junk: random pen strokes scored precision
// 0.16–0.23 that way. Here every ball has one radius, R = a × the mean k-th
// neighbour distance of its set, and membership fades linearly to its edge:
// a fake image y is in the real support with probability
//   1 − Πᵢ (1 − max(0, 1 − ‖xᵢ − y‖ / R_real)),
// and P-precision is its mean over the fakes; P-recall swaps the sets.
import type { FeatureMatrix } from './feature-matrix.js';
import type { NeighbourRadii } from './prdc.js';
import { exactSquaredDistance, forEachDistanceRow, RELATIVE_SLACK, squaredNorms, commonCenter } from './nearest-neighbours.js';

/** The ball's radius in mean k-th neighbour distances: the paper's a. */
export const BALL_SCALE = 1.2;

/** a × the mean of each row's distance to its k-th nearest other row. */
const commonRadius = (kthRadii: Float64Array) => (BALL_SCALE * kthRadii.reduce((sum, r) => sum + r, 0)) / kthRadii.length;

/** From each set's k-th neighbour radii (prdc.ts's neighbourRadii), so that the k-NN metrics' passes are not run twice. */
export async function probabilisticPrecisionRecall(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  { realK, fakeK }: Pick<NeighbourRadii, 'realK' | 'fakeK'>,
): Promise<{ precision: number; recall: number }> {
  const realRadius = commonRadius(realK);
  const fakeRadius = commonRadius(fakeK);
  const reach = Math.max(realRadius, fakeRadius) ** 2;
  const center = commonCenter(real, fake);
  const realNorms = squaredNorms(real, center);
  const fakeNorms = squaredNorms(fake, center);
  // Π (1 − membership) for each image: the chance that no ball of the other set holds it.
  const fakeOutside = new Float64Array(fake.rows).fill(1);
  const realOutside = new Float64Array(real.rows).fill(1);
  await forEachDistanceRow(
    fake,
    real,
    (i, approx) => {
      for (let j = 0; j < approx.length; j++) {
        // Pairs beyond both radii, whatever the float32 rounding, add nothing; the rest use the exact distance.
        if (approx[j] > reach + RELATIVE_SLACK * (fakeNorms[i] + realNorms[j]) + 1e-12) continue;
        const distance = Math.sqrt(exactSquaredDistance(fake, i, real, j));
        if (distance < realRadius) fakeOutside[i] *= distance / realRadius;
        if (distance < fakeRadius) realOutside[j] *= distance / fakeRadius;
      }
    },
    center,
  );
  const meanInside = (outside: Float64Array) => outside.reduce((sum, p) => sum + (1 - p), 0) / outside.length;
  return { precision: meanInside(fakeOutside), recall: meanInside(realOutside) };
}
