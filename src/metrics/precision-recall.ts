// Improved precision and recall (Kynkäänniemi et al. 2019): each set's
// manifold is the union of balls reaching each point's k-th nearest
// neighbour; precision is the share of fakes inside the real manifold, recall
// the share of reals inside the fake one.
import type { FeatureMatrix } from './feature-matrix.js';
import { neighbourhoodMetrics } from './prdc.js';

export function precisionRecall(real: FeatureMatrix, fake: FeatureMatrix, k = 3): { precision: number; recall: number } {
  const { precision, recall } = neighbourhoodMetrics(real, fake, k, k);
  return { precision, recall };
}
