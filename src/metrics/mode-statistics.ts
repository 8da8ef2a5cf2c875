// How the samples spread over the classes the feature network predicts: a
// collapsed generator puts most of them in few classes.

export interface ModeStatistics {
  /** Fraction of samples predicted as each class. */
  histogram: number[];
  /** Classes that receive at least 1% of the samples. */
  classesCovered: number;
  /** KL(histogram ‖ uniform), in nats: 0 when every class gets its share. */
  klFromUniform: number;
  /** Mean of the highest softmax probability. */
  meanConfidence: number;
}

/** From the classifier's logits, one row of `classes` values per sample. */
export function modeStatistics(logits: Float32Array, classes: number): ModeStatistics {
  const count = logits.length / classes;
  const counts = new Array<number>(classes).fill(0);
  let confidence = 0;
  for (let s = 0; s < count; s++) {
    const row = logits.subarray(s * classes, (s + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    counts[best] += 1;
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(row[c] - row[best]);
    confidence += 1 / sum;
  }
  const histogram = counts.map((n) => n / count);
  return {
    histogram,
    classesCovered: histogram.filter((p) => p >= 0.01).length,
    klFromUniform: histogram.reduce((sum, p) => (p > 0 ? sum + p * Math.log(p * classes) : sum), 0),
    meanConfidence: confidence / count,
  };
}
