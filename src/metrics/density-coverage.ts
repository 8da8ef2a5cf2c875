// Density and coverage (Naeem et al. 2020), with the real points' k-NN balls
// and strict < as in the official code. Density counts, over fakes, how many
// real balls hold each (divided by k); coverage is the fraction of real balls
// that hold at least one fake.
import type { FeatureMatrix } from './feature-matrix.js';
import { forEachPairWithin, kNearestRadii } from './nearest-neighbours.js';

/** `radii`: the real points' k-th NN distances, when the caller has them already. */
export function densityCoverage(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  k = 5,
  radii = kNearestRadii(real, k)[0],
): { density: number; coverage: number } {
  let memberships = 0;
  const covered = new Uint8Array(real.rows);
  forEachPairWithin(fake, real, radii, true, (_fake, realIndex) => {
    memberships += 1;
    covered[realIndex] = 1;
  });
  return {
    density: memberships / (k * fake.rows),
    coverage: covered.reduce((sum, v) => sum + v, 0) / real.rows,
  };
}
