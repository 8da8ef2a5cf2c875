// Precision, recall, density and coverage in one pass over the fake × real
// distances (after neighbourRadii's two k-NN radius passes, which P-precision shares): each pair is tested against
// every threshold it matters for, in float64 wherever float32 rounding could
// decide the comparison.
//
// - Precision and recall (Kynkäänniemi et al. 2019): inside means distance ≤
//   the k-th NN radius, as in the official code.
// - Density and coverage (Naeem et al. 2020): strict <, real radii only.
import type { FeatureMatrix } from './feature-matrix.js';
import { commonCenter, exactSquaredDistance, forEachDistanceRow, kNearestRadii, largest, RELATIVE_SLACK, squaredNorms } from './nearest-neighbours.js';

export interface NeighbourhoodMetrics {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
}

/** Each image's distance to its k-th nearest other image of its set, and the reals' to their densityK-th: what the k-NN metrics share. */
export interface NeighbourRadii {
  realK: Float64Array;
  realDensityK: Float64Array;
  fakeK: Float64Array;
  densityK: number;
}

export async function neighbourRadii(real: FeatureMatrix, fake: FeatureMatrix, k = 3, densityK = 5): Promise<NeighbourRadii> {
  const [realK, realDensityK] = await kNearestRadii(real, k, densityK);
  const [fakeK] = await kNearestRadii(fake, k);
  return { realK, realDensityK, fakeK, densityK };
}

export async function neighbourhoodMetrics(
  real: FeatureMatrix,
  fake: FeatureMatrix,
  { realK, realDensityK, fakeK, densityK }: NeighbourRadii,
): Promise<NeighbourhoodMetrics> {
  const squared = (radii: Float64Array) => radii.map((r) => r * r);
  const realK2 = squared(realK);
  const realD2 = squared(realDensityK);
  const fakeK2 = squared(fakeK);
  const center = commonCenter(real, fake);
  const realNorms = squaredNorms(real, center);
  const fakeNorms = squaredNorms(fake, center);
  const fakeInsideReal = new Uint8Array(fake.rows);
  const realInsideFake = new Uint8Array(real.rows);
  const realCovered = new Uint8Array(real.rows);
  // Beyond these bounds a pair passes no test, whatever the rounding: most pairs stop at them.
  const largestFakeNorm = largest(fakeNorms);
  const largestRealNorm = largest(realNorms);
  const realReach = realNorms.map((norm, j) => Math.max(realK2[j], realD2[j]) + RELATIVE_SLACK * (norm + largestFakeNorm) + 1e-12);
  let memberships = 0;
  await forEachDistanceRow(
    fake,
    real,
    (i, approx) => {
      const fakeReach = fakeK2[i] + RELATIVE_SLACK * (fakeNorms[i] + largestRealNorm) + 1e-12;
      let exact = -1;
      const distance = (j: number) => (exact >= 0 ? exact : (exact = Math.sqrt(exactSquaredDistance(fake, i, real, j))));
      for (let j = 0; j < approx.length; j++) {
        const value = approx[j];
        if (value > fakeReach && value > realReach[j]) continue;
        const slack = RELATIVE_SLACK * (fakeNorms[i] + realNorms[j]) + 1e-12;
        exact = -1;
        // Each test: certainly in, certainly out, or decided by the exact distance.
        if (value <= realK2[j] + slack && (value < realK2[j] - slack || distance(j) <= realK[j])) fakeInsideReal[i] = 1;
        if (value <= fakeK2[i] + slack && (value < fakeK2[i] - slack || distance(j) <= fakeK[i])) realInsideFake[j] = 1;
        if (value <= realD2[j] + slack && (value < realD2[j] - slack || distance(j) < realDensityK[j])) {
          memberships += 1;
          realCovered[j] = 1;
        }
      }
    },
    center,
  );
  const mean = (flags: Uint8Array) => flags.reduce((sum, v) => sum + v, 0) / flags.length;
  return {
    precision: mean(fakeInsideReal),
    recall: mean(realInsideFake),
    density: memberships / (densityK * fake.rows),
    coverage: mean(realCovered),
  };
}
