// Conditional models: the class enters G beside z (a one-hot vector after it,
// Mirza & Osindero 2014) and D with the image. Everything that runs D takes its
// input as [x | one-hot(y)] (794 numbers), so that an (image, class) pair is one
// example for the objectives, DP-SGD's per-example clipping and the refiners;
// discriminatorForward hands it to a concatenating D whole, or to a projection
// D (Miyato & Koyama 2018) as the image and the class's output to add.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { gatherImages, type ImageSet } from '../data/image-set.js';
import { DataError } from '../errors.js';
import { CLASS_COUNT, IMAGE_SIZE, LATENT_SIZE } from './gan-models.js';
import { mlpForward, type ForwardOptions } from './mlp-forward.js';
import { isDcgan } from './dcgan-models.js';
import { dcganDiscriminatorForward } from './dcgan-forward.js';
import { EVERY_CLASS_IN_TURN, plannedClasses, withClasses, type ClassPlan } from './class-rows.js';

/** Rows of `width` as a tensor, each with its one-hot class beside it when `classes` are given. */
export function rowsWithClasses(values: Float32Array, width: number, classes: ArrayLike<number> | null): tf.Tensor2D {
  const rows = values.length / width;
  return classes ? tf.tensor2d(withClasses(values, width, classes), [rows, width + CLASS_COUNT]) : tf.tensor2d(values, [rows, width]);
}

/** The one-hot columns of a conditional G's inputs. */
export function classColumns(generatorInput: tf.Tensor2D): tf.Tensor2D {
  return tf.slice(generatorInput, [0, LATENT_SIZE], [-1, CLASS_COUNT]);
}

/** G(input) as D sees it: the images, with the input's one-hot class appended when G is conditional. */
export function asDiscriminatorInput(images: tf.Tensor2D, generatorInput: tf.Tensor2D): tf.Tensor2D {
  return generatorInput.shape[1] === LATENT_SIZE ? images : tf.concat([images, classColumns(generatorInput)], 1);
}

/** Whether D answers 1 + 10 outputs: a projection D (gan-models.ts's CLASS_IN_D). */
const isProjection = (discriminator: tfl.LayersModel) => discriminator.outputs[0].shape[1] === 1 + CLASS_COUNT;

/** Whether a generator or discriminator takes a class: beside its input (z or the image), or by projection. */
export function isConditional(model: tfl.LayersModel): boolean {
  return isProjection(model) || [LATENT_SIZE, IMAGE_SIZE].some((width) => model.inputs[0].shape[1] === width + CLASS_COUNT);
}

/**
 * D's logit for inputs as D takes them ([x | one-hot class] in a conditional GAN). A projection D runs on x and adds
 * its class's output to output 0; the others are the plain MLP, or the DCGAN (which has no dropout). Every caller
 * runs D through here.
 */
export function discriminatorForward(discriminator: tfl.LayersModel, input: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  if (isDcgan(discriminator)) return dcganDiscriminatorForward(discriminator, input, options.tap);
  if (!isProjection(discriminator)) return mlpForward(discriminator, input, options);
  const outputs = mlpForward(discriminator, tf.slice(input, [0, 0], [-1, IMAGE_SIZE]), options);
  const classOutput = tf.sum(tf.mul(tf.slice(outputs, [0, 1], [-1, CLASS_COUNT]), tf.slice(input, [0, IMAGE_SIZE], [-1, CLASS_COUNT])), 1, true);
  return tf.add(tf.slice(outputs, [0, 0], [-1, 1]), classOutput);
}

/**
 * G's inputs for `count` samples from index `first` on: latents from `z`, each with its class from `plan` beside
 * it when G is conditional (every class in turn when no plan is given).
 */
export function generatorInputs(generator: tfl.LayersModel, z: Float32Array, first: number, plan?: ClassPlan): tf.Tensor2D {
  const classes = isConditional(generator) ? plannedClasses(plan ?? EVERY_CLASS_IN_TURN, first, z.length / LATENT_SIZE) : null;
  return rowsWithClasses(z, LATENT_SIZE, classes);
}

/** Refuses a set a conditional model cannot learn from: no labels, or labels outside 0–9. */
export function checkClassLabels(images: ImageSet): void {
  if (!images.labels) {
    throw new DataError(
      `${images.source} has no labels; a conditional run needs a labels file (…-labels-idx1-ubyte) beside IDX images, or PNG names that carry the class (17-class7.png).`,
    );
  }
  const outside = images.labels.find((label) => label >= CLASS_COUNT);
  if (outside !== undefined) throw new DataError(`${images.source} has label ${outside}; a conditional run takes classes 0–${CLASS_COUNT - 1}.`);
}

/** A set's images as D takes them: with each image's one-hot class beside it when D is conditional (checkClassLabels first). */
export function realDiscriminatorInput(images: ImageSet, conditional: boolean, indices?: Uint32Array): tf.Tensor2D {
  const rows = indices ?? Uint32Array.from({ length: images.count }, (_, i) => i);
  return rowsWithClasses(gatherImages(images, rows), IMAGE_SIZE, conditional ? Uint8Array.from(rows, (index) => images.labels![index]) : null);
}
