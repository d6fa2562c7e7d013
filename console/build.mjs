// Builds the console into dist/console: index.html, and under assets/ its JS (the entry, and chunks
// loaded when a page needs them: the verifier for the auditor's page) and CSS, each named by its
// content hash (served cached for a year). Prints the gzipped size of the entry and of all the
// JavaScript, which has a budget of 300 KB; a build over it fails.
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
  chunkNames: 'chunk-[hash]',
  splitting: true,
  outdir: join(out, 'assets'),
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const js = outputs.find(([, o]) => o.entryPoint !== undefined && !o.entryPoint.endsWith('.css'))?.[0];
const css = outputs.find(([f]) => f.endsWith('.css'))?.[0];
if (!js || !css) throw new Error('the console build made no JS or no CSS');
// The chunks the entry imports at once are fetched beside it, not after it has been parsed.
const preload = result.metafile.outputs[js].imports
  .filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="/assets/${basename(i.path)}" />`)
  .join('\n    ');
const html = (await readFile(join(here, 'index.html'), 'utf8')).replace('%JS%', basename(js)).replace('%CSS%', basename(css)).replace('%PRELOAD%', preload);
await writeFile(join(out, 'index.html'), html);
const gzippedSize = async (file) => gzipSync(await readFile(file), { level: 9 }).length;
const entry = await gzippedSize(js);
let gzipped = 0;
for (const [file] of outputs.filter(([f]) => f.endsWith('.js'))) gzipped += await gzippedSize(file);
process.stdout.write(`console: ${basename(js)} ${(entry / 1024).toFixed(1)} KB gzipped, all JavaScript ${(gzipped / 1024).toFixed(1)} KB (budget ${JS_BUDGET_BYTES / 1024} KB)\n`);
if (gzipped > JS_BUDGET_BYTES) {
  process.stderr.write('console: the JavaScript is over its budget\n');
  process.exit(1);
}
