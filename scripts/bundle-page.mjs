// Bundles gankit serve's page: its TypeScript (src/serve/page/, with TF.js and
// Vega-Lite) becomes one app.js beside index.html and app.css, in
// dist/src/serve/page/, which the package ships. Run by scripts/setup.mjs and
// by prepack; the page is type-checked by its own tsconfig (it targets the browser).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src', 'serve', 'page');
const out = join(root, 'dist', 'src', 'serve', 'page');

export async function bundlePage() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(source, 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css']) copyFileSync(join(source, file), join(out, file));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await bundlePage();
