/**
 * How generator outputs (tanh, in [-1, 1]) become bytes.
 * - `symmetric` maps [-1, 1] onto [0, 255]: the inverse of the data scaling.
 * - `clamp` gives round(255·clamp(x, 0, 1)): what the course's PyTorch
 *   generate.py writes, because torchvision's save_image receives the raw
 *   tanh output (so every negative pixel is black).
 */
export type PixelMapping = 'symmetric' | 'clamp';

export const PIXEL_MAPPINGS: readonly PixelMapping[] = ['symmetric', 'clamp'];

export function toBytes(values: ArrayLike<number>, mapping: PixelMapping): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const unit = mapping === 'symmetric' ? (values[i] + 1) / 2 : values[i];
    // As torchvision: x·255 + 0.5, clamped, truncated.
    out[i] = Math.min(255, Math.max(0, Math.floor(unit * 255 + 0.5)));
  }
  return out;
}

/** Bytes in [0, 255] to floats in [-1, 1], the range the models work in. */
export function fromBytes(bytes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] / 255) * 2 - 1;
  return out;
}
