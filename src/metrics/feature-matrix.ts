/** n feature vectors of d dimensions, row-major. */
export interface FeatureMatrix {
  values: Float32Array | Float64Array;
  rows: number;
  dims: number;
}

export function featureMatrix(values: Float32Array | Float64Array, dims: number): FeatureMatrix {
  if (values.length % dims !== 0) throw new RangeError(`${values.length} values do not make rows of ${dims}.`);
  return { values, rows: values.length / dims, dims };
}

/** The rows of `parts`, one part after the other, in one float32 matrix. */
export function stackRows(parts: FeatureMatrix[]): FeatureMatrix {
  const dims = parts[0].dims;
  const values = new Float32Array(parts.reduce((rows, part) => rows + part.rows, 0) * dims);
  let offset = 0;
  for (const part of parts) {
    values.set(part.values, offset);
    offset += part.values.length;
  }
  return featureMatrix(values, dims);
}

/** A matrix from nested rows, for tests and small inputs. */
export function fromRows(rows: number[][]): FeatureMatrix {
  return featureMatrix(Float64Array.from(rows.flat()), rows[0].length);
}
