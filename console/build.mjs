// Builds the console into dist/console: index.html, and under assets/ one JS and one CSS file named
// by their content hash (served cached for a year). Prints the gzipped JavaScript size, which has a
// budget of 300 KB; a build over it fails.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'console');
export const JS_BUDGET_BYTES = 300 * 1024;

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(here, 'tsconfig.json'),
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs);
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error('the console build made no JS or no CSS');
const html = (await readFile(join(here, 'index.html'), 'utf8')).replace('%JS%', basename(js)).replace('%CSS%', basename(css));
await writeFile(join(out, 'index.html'), html);
const gzipped = gzipSync(await readFile(js), { level: 9 }).length;
process.stdout.write(`console: ${basename(js)} ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${JS_BUDGET_BYTES / 1024} KB)\n`);
if (gzipped > JS_BUDGET_BYTES) {
  process.stderr.write('console: the JavaScript is over its budget\n');
  process.exit(1);
}
