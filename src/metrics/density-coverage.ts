// Density and coverage (Naeem et al. 2020), with the real points' k-NN balls:
// density counts, over fakes, how many real balls hold each (divided by k);
// coverage is the share of real balls that hold at least one fake.
import type { FeatureMatrix } from './feature-matrix.js';
import { neighbourhoodMetrics } from './prdc.js';

export function densityCoverage(real: FeatureMatrix, fake: FeatureMatrix, k = 5): { density: number; coverage: number } {
  const { density, coverage } = neighbourhoodMetrics(real, fake, k, k);
  return { density, coverage };
}
