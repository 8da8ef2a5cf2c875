// Drawing images from a trained generator, batch by batch.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../engine/rng.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { mlpForward } from '../models/mlp-forward.js';

/**
 * Calls `onBatch` with consecutive batches of G(z), z ~ N(0, I), until `count`
 * images are drawn. Each batch is count × 784 values in [-1, 1].
 */
export async function generateImages(
  generator: tfl.LayersModel,
  count: number,
  rng: Rng,
  onBatch: (images: Float32Array, first: number) => void | Promise<void>,
  batchSize = 500,
): Promise<void> {
  for (let first = 0; first < count; first += batchSize) {
    const size = Math.min(batchSize, count - first);
    // tidy() returns the tensor, not its values: it would walk a returned array element by element.
    const output = tf.tidy(() => mlpForward(generator, tf.tensor2d(rng.normals(size * LATENT_SIZE), [size, LATENT_SIZE])));
    const images = output.dataSync() as Float32Array;
    output.dispose();
    if (images.length !== size * IMAGE_SIZE) throw new Error('The generator returned an unexpected shape.');
    await onBatch(images, first);
  }
}
