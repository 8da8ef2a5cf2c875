// The views MNIST papers report beside FID, both read off the feature
// network's logits (the forward pass the features came from): the classifier
// score (an "Inception Score" with the MNIST classifier in Inception's place),
// and the Fréchet distance between the logits of the two sets, as TF-GAN's
// MNIST evaluation computes it.
import { featureMatrix } from './feature-matrix.js';
import { fid } from './fid.js';

/**
 * exp(E_x KL(p(y|x) ‖ p(y))), with p(y) the mean of p(y|x) over the set: from
 * 1 (every sample predicts the same distribution) to `classes` (confident
 * predictions, spread evenly). Over the whole set, without splits.
 */
export function classifierScore(logits: Float32Array, classes: number): number {
  const count = logits.length / classes;
  const logProbabilities = new Float64Array(logits.length);
  const marginal = new Float64Array(classes);
  for (let s = 0; s < count; s++) {
    const row = logits.subarray(s * classes, (s + 1) * classes);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, row[c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - max);
    const logSum = max + Math.log(sum);
    for (let c = 0; c < classes; c++) {
      logProbabilities[s * classes + c] = row[c] - logSum;
      marginal[c] += Math.exp(row[c] - logSum) / count;
    }
  }
  let kl = 0;
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < classes; c++) {
      const logP = logProbabilities[s * classes + c];
      // A class the sample gives no probability adds nothing (0 · log 0 = 0).
      if (logP > -Infinity) kl += Math.exp(logP) * (logP - Math.log(marginal[c]));
    }
  }
  return Math.exp(kl / count);
}

/** The Fréchet distance between two sets' logits. */
export function logitFid(realLogits: Float32Array, fakeLogits: Float32Array, classes: number): number {
  return fid(featureMatrix(realLogits, classes), featureMatrix(fakeLogits, classes));
}
