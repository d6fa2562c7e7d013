/**
 * Top self-time functions of a V8 .cpuprofile (from node --cpu-prof, or BENCH_CPU_PROF=1):
 *   node dist/test/bench/profile-top.js bench-results/profiles/gateway.cpuprofile [count] [under]
 * With `under` (a function name), only samples with that function on their stack count.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, countArg, under] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [count]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const stackHas = (id: number, name: string): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (byId.get(at)?.callFrame.functionName === name) return true;
  }
  return false;
};
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (under && !stackHas(id, under)) return;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const where = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.replace(/^file:\/\//, '');
  const short = path.includes('/node_modules/') ? path.slice(path.lastIndexOf('/node_modules/') + 14) : path ? relative(process.cwd(), path) : '';
  return `${functionName || '(anonymous)'}${short ? `  ${short}:${lineNumber + 1}` : ''}`;
};
const totals = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  total += micros;
  totals.set(where(node), (totals.get(where(node)) ?? 0) + micros);
}
/** Inclusive time: each sample counts once for every distinct function on its stack. */
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (!node || !node.callFrame.url) continue;
    seen.add(where(node));
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
}

/** Self time per package or source folder, to see which layer the time goes to. */
const layers = new Map<string, number>();
for (const [name, micros] of totals) {
  const at = name.split('  ')[1] ?? name;
  const layer = at.startsWith('node:') ? 'node (internal)' : at.includes('/') ? (at.startsWith('dist/') ? at.split('/').slice(0, 4).join('/') : at.split('/')[0]?.startsWith('@') ? at.split('/').slice(0, 2).join('/') : (at.split('/')[0] ?? at)) : name;
  layers.set(layer, (layers.get(layer) ?? 0) + micros);
}
const show = (rows: Map<string, number>, count: number) =>
  [...rows.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`)
    .join('\n');
const count = Number(countArg ?? 30);
process.stdout.write(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled${under ? ` under ${under}` : ''}\n\nself time by function\n${show(totals, count)}\n\n` +
    `self time by package / folder\n${show(layers, 15)}\n\ninclusive time by function\n${show(inclusive, count)}\n`,
);
