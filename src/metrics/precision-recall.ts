// Improved precision and recall (Kynkäänniemi et al. 2019): each set's
// manifold is the union of balls reaching each point's k-th nearest
// neighbour; precision is the fraction of fakes inside the real manifold,
// recall the fraction of reals inside the fake one. Inside means distance ≤
// radius, as in the official code.
import type { FeatureMatrix } from './feature-matrix.js';
import { forEachPairWithin, kNearestRadii } from './nearest-neighbours.js';

function fractionCovered(points: FeatureMatrix, centres: FeatureMatrix, radii: Float64Array): number {
  const covered = new Uint8Array(points.rows);
  forEachPairWithin(points, centres, radii, false, (i) => (covered[i] = 1));
  return covered.reduce((sum, v) => sum + v, 0) / points.rows;
}

/** `realRadii`: the real points' k-th NN distances, when the caller has them already. */
export function precisionRecall(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  k = 3,
  realRadii = kNearestRadii(real, k)[0],
): { precision: number; recall: number } {
  return {
    precision: fractionCovered(fake, real, realRadii),
    recall: fractionCovered(real, fake, kNearestRadii(fake, k)[0]),
  };
}
