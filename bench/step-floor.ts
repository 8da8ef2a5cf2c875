// The physical floor of a training step (issue 25): the matrix products of
// one D step and one G step of the fixed MLPs, their multiply-adds, and the
// time the products alone take on these cores with hot caches: no engine
// built on this BLAS can take a step in less.
import * as tf from '@tensorflow/tfjs-core';
import { DISCRIMINATOR_WIDTHS, GENERATOR_WIDTHS } from '../src/models/gan-models.js';
import { bestMs } from './bench-io.js';

interface Product {
  /** C = op(A)·op(B), C being m × n, with k the inner size. */
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

type Layer = readonly [fanIn: number, fanOut: number];
const layersOf = (widths: readonly number[]): Layer[] => widths.slice(1).map((fanOut, i) => [widths[i], fanOut] as const);

const forward = (rows: number, [fanIn, fanOut]: Layer): Product => ({ m: rows, k: fanIn, n: fanOut, transposeA: false, transposeB: false });
/** dW = xᵀ·δ. */
const weightGradient = (rows: number, [fanIn, fanOut]: Layer): Product => ({ m: fanIn, k: rows, n: fanOut, transposeA: true, transposeB: false });
/** dX = δ·Wᵀ. */
const inputGradient = (rows: number, [fanIn, fanOut]: Layer): Product => ({ m: rows, k: fanOut, n: fanIn, transposeA: false, transposeB: true });

/**
 * The products of one step at batch B, as gankit's step runs them: D's step
 * (G(z), then D on the 2B real and fake rows, weight gradients, and input
 * gradients past D's first layer) and G's step (G(z), D on B rows with input
 * gradients only, G's weight gradients and input gradients past its first layer).
 */
export function stepProducts(batch: number): Product[] {
  const g = layersOf(GENERATOR_WIDTHS);
  const d = layersOf(DISCRIMINATOR_WIDTHS);
  const innerInputGradients = (rows: number, layers: Layer[]) => layers.slice(1).map((layer) => inputGradient(rows, layer));
  const dStep = [
    ...g.map((l) => forward(batch, l)),
    ...d.map((l) => forward(2 * batch, l)),
    ...d.map((l) => weightGradient(2 * batch, l)),
    ...innerInputGradients(2 * batch, d),
  ];
  const gStep = [
    ...g.map((l) => forward(batch, l)),
    ...d.map((l) => forward(batch, l)),
    ...d.map((l) => inputGradient(batch, l)),
    ...g.map((l) => weightGradient(batch, l)),
    ...innerInputGradients(batch, g),
  ];
  return [...dStep, ...gStep];
}

/** Floating-point operations (2 per multiply-add) of the products. */
export const flopsOf = (products: Product[]) => products.reduce((sum, { m, k, n }) => sum + 2 * m * k * n, 0);

/**
 * The best mean time, in ms, of running every product once through tf.matMul
 * (the engine's own product kernel), operands allocated beforehand.
 */
export async function timeProducts(products: Product[], rounds = 5, repeats = 10): Promise<number> {
  const operands = products.map(({ m, k, n, transposeA, transposeB }) => [
    tf.randomUniform(transposeA ? [k, m] : [m, k]) as tf.Tensor2D,
    tf.randomUniform(transposeB ? [n, k] : [k, n]) as tf.Tensor2D,
  ]);
  const runAll = () => products.forEach(({ transposeA, transposeB }, i) => tf.matMul(operands[i][0], operands[i][1], transposeA, transposeB).dispose());
  const best = await bestMs(runAll, repeats, rounds);
  tf.dispose(operands.flat());
  return best;
}
