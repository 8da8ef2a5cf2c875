// The feature network the metrics use, design v3: a small CNN classifier for
// 28×28 images with an eleventh answer, "not a digit", whose features are read
// from the same forward pass.
//   - The dense layer's pre-activations: what digit it is (64 values).
//   - conv2's activations averaged over the image: how its strokes look (64 values).
//   - The log-odds of "not a digit" against every digit (1 value, weighted by
//     NOT_A_DIGIT_SCALE): how far from any digit the classifier finds it.
// Design v2 (mnist-v2) is the same without the eleventh answer and its feature.
// Every activation is a LeakyReLU, so no unit is dead, and a fixed standardising
// layer gives each feature unit variance on the training split. A class's
// mean can then sit only a few standard deviations from the data's, while
// junk (blank, speckled, noisy images) lands many away: v1's post-ReLU
// features put blank images inside the real data's neighbourhoods.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';

export const FEATURE_LAYER = 'features';
export const CLASSES = 10;
/** The logits' index of "not a digit" in design v3. */
export const NOT_A_DIGIT = CLASSES;
/**
 * How many standard deviations one standard deviation of the not-a-digit log-odds counts for among
 * the 128 unit-variance features. At 1 a family of junk the classifier calls no digit (random strokes,
 * 3.9 standard deviations off on average) moves FID too little to rank it worse than every set of real
 * digits; at 2 still too little, at 3 just enough, at 4 with a wide margin (issue 26's probe).
 */
export const NOT_A_DIGIT_SCALE = 4;
const LEAKY_SLOPE = 0.2;
const HIDDEN_UNITS = 64;
/** Added to the variance before dividing; LeakyReLU leaves no feature constant, so it only guards against 0/0. */
const STANDARDISING_EPSILON = 1e-8;

/** log p(not a digit) − log p(any digit) from the eleven logits: logit₁₀ − log Σ₀⁹ exp(logitᵢ). */
function notADigitLogOdds(logits: tf.Tensor2D): tf.Tensor2D {
  const digits = tf.slice(logits, [0, 0], [-1, CLASSES]);
  return tf.sub(tf.slice(logits, [0, NOT_A_DIGIT], [-1, 1]), tf.logSumExp(digits, 1, true));
}

/** notADigitLogOdds as a layer, so that the saved network computes its features on its own. */
class NotADigitLogOdds extends tfl.layers.Layer {
  static readonly className = 'NotADigitLogOdds';
  override computeOutputShape(inputShape: tfl.Shape): tfl.Shape {
    return [inputShape[0], 1];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => notADigitLogOdds((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D));
  }
}
tf.serialization.registerClass(NotADigitLogOdds);

export interface FeatureNetwork {
  /** Image → logits: what training fits. */
  classifier: tfl.LayersModel;
  /** Image → [logits, features]: what is saved and what the metrics read. */
  network: tfl.LayersModel;
  /** The standardising layer; `standardiseFeatures` sets it once training is done. */
  standardiser: tfl.layers.Layer;
}

/** The v3 design, with fresh weights drawn from `rng`. */
export function buildFeatureNetwork(rng: Rng): FeatureNetwork {
  const init = () => tfl.initializers.heUniform({ seed: rng.nextUint32() });
  const leaky = (name: string) => tfl.layers.leakyReLU({ alpha: LEAKY_SLOPE, name });
  const input = tfl.input({ shape: [28, 28, 1], name: 'image' });
  const conv1 = leaky('leaky1').apply(
    tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', kernelInitializer: init(), name: 'conv1' }).apply(input),
  );
  const pool1 = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(conv1);
  const conv2 = leaky('leaky2').apply(
    tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', kernelInitializer: init(), name: 'conv2' }).apply(pool1),
  );
  const pool2 = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(conv2);
  const flat = tfl.layers.flatten({ name: 'flatten' }).apply(pool2);
  const dense = tfl.layers.dense({ units: HIDDEN_UNITS, kernelInitializer: init(), name: 'dense' }).apply(flat);
  const logits = tfl.layers
    .dense({ units: CLASSES + 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.nextUint32() }), name: 'logits' })
    .apply(leaky('leaky3').apply(dense)) as tfl.SymbolicTensor;
  const strokes = tfl.layers.globalAveragePooling2d({ name: 'conv2_mean' }).apply(conv2);
  const logOdds = new NotADigitLogOdds({ name: 'not_a_digit' }).apply(logits);
  const joined = tfl.layers.concatenate({ name: 'joined' }).apply([dense, strokes, logOdds] as tfl.SymbolicTensor[]);
  // A batch normalisation that never trains: at inference it is (x − mean) / √(variance + ε).
  const standardiser = tfl.layers.batchNormalization({ epsilon: STANDARDISING_EPSILON, name: FEATURE_LAYER });
  const features = standardiser.apply(joined) as tfl.SymbolicTensor;
  return {
    classifier: tfl.model({ inputs: input, outputs: logits, name: 'feature_classifier' }),
    network: tfl.model({ inputs: input, outputs: [logits, features], name: 'feature_network' }),
    standardiser,
  };
}

/**
 * Sets the standardising layer to the mean and variance of the unstandardised features of `pixels`
 * ([n, 28, 28, 1] in [-1, 1]); the not-a-digit log-odds, last, gets NOT_A_DIGIT_SCALE standard deviations.
 */
export async function standardiseFeatures(net: FeatureNetwork, pixels: Float32Array, count: number, batch = 500): Promise<void> {
  const joined = tfl.model({ inputs: net.network.inputs, outputs: net.network.getLayer('joined').output as tfl.SymbolicTensor });
  const dims = joined.outputs[0].shape[1] as number;
  const sum = new Float64Array(dims);
  const squares = new Float64Array(dims);
  for (let first = 0; first < count; first += batch) {
    const size = Math.min(batch, count - first);
    const out = tf.tidy(() => joined.predict(tf.tensor4d(pixels.subarray(first * 784, (first + size) * 784), [size, 28, 28, 1])) as tf.Tensor);
    const values = await takeValues(out);
    for (let r = 0; r < size; r++) {
      for (let d = 0; d < dims; d++) {
        const v = values[r * dims + d];
        sum[d] += v;
        squares[d] += v * v;
      }
    }
  }
  const mean = Float32Array.from(sum, (s) => s / count);
  const variance = Float32Array.from(squares, (q, d) => (q - count * mean[d] * mean[d]) / (count - 1));
  variance[dims - 1] /= NOT_A_DIGIT_SCALE ** 2;
  tf.tidy(() => net.standardiser.setWeights([tf.ones([dims]), tf.zeros([dims]), tf.tensor1d(mean), tf.tensor1d(variance)]));
}

const DESIGN_LAYERS = ['conv1', 'leaky1', 'conv2', 'leaky2', 'dense', 'logits', 'conv2_mean', FEATURE_LAYER];

/** Whether `model` is of design v2 or v3 (so `featureForward` can run it). */
export function isFeatureNetworkDesign(model: tfl.LayersModel): boolean {
  const names = new Set(model.layers.map((layer) => layer.name));
  return DESIGN_LAYERS.every((name) => names.has(name));
}

/** Whether a network of design v2 or v3 is v3, with its not-a-digit answer. */
const hasNotADigit = (model: tfl.LayersModel) => model.getLayer('logits').getWeights()[1].shape[0] === CLASSES + 1;

/**
 * A v2 or v3 network's [features, digit logits] as plain ops, the same values as
 * `predict` (to float32 rounding) in two thirds of the time: `predict` runs
 * each LeakyReLU as its own pass over a full feature map. Here conv2's is fused
 * into its kernel, and conv1's runs after the pool.
 */
export function featureForward(model: tfl.LayersModel, images: tf.Tensor4D): [tf.Tensor2D, tf.Tensor2D] {
  const weights = (name: string) => model.getLayer(name).getWeights();
  const conv = (x: tf.Tensor4D, name: string, activation: 'linear' | 'leakyrelu') => {
    const [filter, bias] = weights(name) as [tf.Tensor4D, tf.Tensor1D];
    return tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation, leakyreluAlpha: LEAKY_SLOPE });
  };
  return tf.tidy(() => {
    // LeakyReLU rises monotonically, so it commutes with max pooling: applied after conv1's pool it touches a
    // quarter of the values (XNNPACK, which runs conv1, cannot fuse it).
    const pooled1 = tf.leakyRelu(tf.maxPool(conv(images, 'conv1', 'linear'), 2, 2, 'valid'), LEAKY_SLOPE);
    const conv2 = conv(pooled1, 'conv2', 'leakyrelu');
    const flat = tf.reshape(tf.maxPool(conv2, 2, 2, 'valid'), [images.shape[0], -1]) as tf.Tensor2D;
    const [denseKernel, denseBias] = weights('dense') as [tf.Tensor2D, tf.Tensor1D];
    const dense = tf.fused.matMul({ a: flat, b: denseKernel, bias: denseBias });
    const [logitKernel, logitBias] = weights('logits') as [tf.Tensor2D, tf.Tensor1D];
    const logits = tf.fused.matMul({ a: tf.leakyRelu(dense, LEAKY_SLOPE), b: logitKernel, bias: logitBias });
    // A 14×14 average pool is the mean over the image, and far faster on this backend than tf.mean over two axes.
    const strokes = tf.reshape(tf.avgPool(conv2, [conv2.shape[1], conv2.shape[2]], 1, 'valid'), [images.shape[0], -1]);
    const v3 = hasNotADigit(model);
    const joined = tf.concat(v3 ? [dense, strokes, notADigitLogOdds(logits as tf.Tensor2D)] : [dense, strokes], 1);
    const [scale, offset, mean, variance] = weights(FEATURE_LAYER) as tf.Tensor1D[];
    const epsilon = model.getLayer(FEATURE_LAYER).getConfig().epsilon as number;
    const features = tf.batchNorm(joined, mean, variance, offset, scale, epsilon) as tf.Tensor2D;
    return [features, v3 ? tf.slice(logits, [0, 0], [-1, CLASSES]) : logits] as [tf.Tensor2D, tf.Tensor2D];
  });
}
