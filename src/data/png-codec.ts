// PNG reading and writing for 8-bit grayscale images, through pngjs.
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { DataError } from './data-error.js';

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, one byte per pixel. */
  pixels: Uint8Array;
}

/** Decodes a PNG file to gray (ITU-R 601 luma for colour images). */
export function readGrayPng(path: string): GrayImage {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (error) {
    throw new DataError(`${path} is not a PNG image (${(error as Error).message}).`);
  }
  const { width, height, data } = png;
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const r = data[4 * i];
    const g = data[4 * i + 1];
    const b = data[4 * i + 2];
    pixels[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width, height, pixels };
}

/** Encodes a gray image as an 8-bit grayscale PNG. */
export function encodeGrayPng(image: GrayImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength);
  // Level 6 (zlib's default) instead of pngjs's 9: a third of the time, a few bytes more per digit.
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, deflateLevel: 6 });
}
