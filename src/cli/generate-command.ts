import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { deriveRng } from '../engine/rng.js';
import { DataError } from '../data/data-error.js';
import { writeIdxUint8 } from '../data/idx.js';
import { encodeGrayPng } from '../data/png-codec.js';
import { PIXEL_MAPPINGS, toBytes, type PixelMapping } from '../data/pixels.js';
import { IMAGE_SIZE } from '../models/gan-models.js';
import { writeGridPng } from '../report/sample-grid.js';
import { generateImages } from '../sampling/generate-images.js';
import { latestCheckpoint, loadCheckpointModels } from '../training/checkpoint.js';
import { nonNegativeInteger, positiveInteger } from './arguments.js';
import { createProgress } from './progress.js';

interface GenerateFlags {
  run: string;
  n: number;
  out?: string;
  grid?: string;
  format: 'png' | 'idx';
  pixels: PixelMapping;
  seed: number;
  batch: number;
}

const GRID_MAX = 100;

async function runGenerate(flags: GenerateFlags): Promise<void> {
  if (!flags.out && !flags.grid) throw new DataError('Nothing to write: give --out, --grid or both.');
  const checkpoint = latestCheckpoint(flags.run);
  if (!checkpoint) throw new DataError(`${flags.run} has no checkpoint; train it first with gankit train --out ${flags.run}.`);
  await startEngine();
  const { generator } = await loadCheckpointModels(checkpoint);
  const rng = deriveRng(flags.seed, 'generate');
  const side = 28;
  const idxBytes = flags.format === 'idx' ? new Uint8Array(flags.n * IMAGE_SIZE) : undefined;
  const gridCount = Math.min(flags.n, GRID_MAX);
  const gridImages = new Float32Array(gridCount * IMAGE_SIZE);
  if (flags.out && flags.format === 'png') mkdirSync(flags.out, { recursive: true });
  const progress = createProgress('generate |{bar}| {value}/{total} images | ETA {eta_formatted}');
  progress.start(flags.n, 0);
  const started = performance.now();
  await generateImages(
    generator,
    flags.n,
    rng,
    (images, first) => {
      if (first < gridCount) gridImages.set(images.subarray(0, (gridCount - first) * IMAGE_SIZE), first * IMAGE_SIZE);
      if (!flags.out) return;
      const bytes = toBytes(images, flags.pixels);
      if (idxBytes) {
        idxBytes.set(bytes, first * IMAGE_SIZE);
        return;
      }
      const count = bytes.length / IMAGE_SIZE;
      for (let i = 0; i < count; i++) {
        const pixels = bytes.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
        writeFileSync(join(flags.out, `${first + i}.png`), encodeGrayPng({ width: side, height: side, pixels }));
      }
      progress.update(first + count);
    },
    flags.batch,
  );
  progress.stop();
  if (flags.out && idxBytes) {
    mkdirSync(dirname(flags.out), { recursive: true });
    writeIdxUint8(flags.out, [flags.n, side, side], idxBytes);
  }
  if (flags.grid) {
    mkdirSync(dirname(flags.grid), { recursive: true });
    writeGridPng(flags.grid, gridImages, gridCount, { columns: 10, pixels: flags.pixels });
  }
  const seconds = (performance.now() - started) / 1000;
  const written = [
    flags.out ? (idxBytes ? `${flags.n} images to ${flags.out}` : `${flags.out}/0.png … ${flags.n - 1}.png`) : '',
    flags.grid ? `a grid of ${gridCount} to ${flags.grid}` : '',
  ].filter(Boolean);
  process.stdout.write(`Wrote ${written.join(' and ')} in ${seconds.toFixed(1)} s.\n`);
}

export function generateCommand(): Command {
  return new Command('generate')
    .description("draw samples from a trained run's generator")
    .requiredOption('--run <dir>', 'run directory written by gankit train')
    .option('--n <count>', 'number of samples', positiveInteger, 10000)
    .option('--out <path>', 'directory for 0.png … (n−1).png; with --format idx, the IDX file to write')
    .option('--grid <file.png>', 'also write a grid of the first (up to 100) samples')
    .addOption(new Option('--format <format>', 'png files or one IDX file').choices(['png', 'idx']).default('png'))
    .addOption(
      new Option('--pixels <mapping>', 'symmetric: [-1,1]→[0,255]; clamp: round(255·clamp(x,0,1)), as the course generate.py')
        .choices(PIXEL_MAPPINGS)
        .default('symmetric'),
    )
    .option('--seed <s>', 'seed of the latents', nonNegativeInteger, 0)
    .option('--batch <n>', 'samples per forward pass', positiveInteger, 500)
    .action(runGenerate);
}
