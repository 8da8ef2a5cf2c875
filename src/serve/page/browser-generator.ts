// A run's generator, loaded by TF.js in the browser from the run's own
// checkpoint files (standard TF.js layers models): WebGL where the browser
// has it, else TF.js's CPU backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { CLASS_COUNT, LATENT_SIZE } from '../../models/gan-models.js';

/** Starts the first backend that works here; its name. */
export async function startBackend(): Promise<string> {
  for (const name of ['webgl', 'cpu']) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // This backend cannot start here: try the next.
    }
  }
  throw new Error('no TF.js backend starts in this browser');
}

export class BrowserGenerator {
  private constructor(private model: LayersModel) {}

  /** Numbers G takes per sample: z, and a conditional G's one-hot class after it. */
  get inputWidth(): number {
    return this.model.inputs[0].shape[1]!;
  }

  /** Whether G takes a class beside z. */
  get conditional(): boolean {
    return this.inputWidth === LATENT_SIZE + CLASS_COUNT;
  }

  static async load(modelUrl: string): Promise<BrowserGenerator> {
    return new BrowserGenerator(await loadLayersModel(modelUrl));
  }

  /** G of count inputs (count × inputWidth numbers): count × 784 pixels in [-1, 1]. */
  async images(inputs: Float32Array): Promise<Float32Array> {
    const width = this.inputWidth;
    const output = tf.tidy(() => this.model.predict(tf.tensor2d(inputs, [inputs.length / width, width])) as tf.Tensor);
    const pixels = (await output.data()) as Float32Array;
    output.dispose();
    return pixels;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Paints 28×28 images (pixels in [-1, 1]) into `canvas`, `columns` a row, at one canvas pixel per image pixel. */
export function paintImages(canvas: HTMLCanvasElement, pixels: Float32Array, columns: number, side = 28): void {
  const count = pixels.length / (side * side);
  const rows = Math.ceil(count / columns);
  canvas.width = columns * side;
  canvas.height = rows * side;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(canvas.width, canvas.height);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * side;
    const top = Math.floor(n / columns) * side;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const value = Math.round(((pixels[n * side * side + y * side + x] + 1) / 2) * 255);
        const at = ((top + y) * canvas.width + left + x) * 4;
        image.data.fill(Math.min(255, Math.max(0, value)), at, at + 3);
        image.data[at + 3] = 255;
      }
    }
  }
  context.putImageData(image, 0, 0);
}
