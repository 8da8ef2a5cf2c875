// A grid of images as one PNG, as torchvision's make_grid lays it out:
// 2-pixel black borders around and between the tiles.
import { writeFileSync } from 'node:fs';
import { encodeGrayPng } from './png-codec.js';
import { toBytes, type PixelMapping } from './pixels.js';

const PADDING = 2;

export interface GridOptions {
  /** Tiles per row. */
  columns: number;
  height?: number;
  width?: number;
  pixels?: PixelMapping;
}

/** Lays out `count` images (count × height × width values) in rows of `columns`. */
export function renderGrid(images: Float32Array, count: number, options: GridOptions) {
  const height = options.height ?? 28;
  const width = options.width ?? 28;
  const columns = Math.min(options.columns, count);
  const rows = Math.ceil(count / columns);
  const gridWidth = PADDING + columns * (width + PADDING);
  const gridHeight = PADDING + rows * (height + PADDING);
  const bytes = toBytes(images.subarray(0, count * height * width), options.pixels ?? 'symmetric');
  const pixels = new Uint8Array(gridWidth * gridHeight);
  for (let i = 0; i < count; i++) {
    const top = PADDING + Math.floor(i / columns) * (height + PADDING);
    const left = PADDING + (i % columns) * (width + PADDING);
    for (let y = 0; y < height; y++) {
      const source = i * height * width + y * width;
      pixels.set(bytes.subarray(source, source + width), (top + y) * gridWidth + left);
    }
  }
  return { width: gridWidth, height: gridHeight, pixels };
}

export function writeGridPng(path: string, images: Float32Array, count: number, options: GridOptions): void {
  writeFileSync(path, encodeGrayPng(renderGrid(images, count, options)));
}
