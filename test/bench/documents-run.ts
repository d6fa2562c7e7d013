/**
 * npm run bench:documents — attachments through a real gateway (embedded ledger, its own process):
 * upload and download throughput of 1 MB and 50 MB files against a plain file copy on the same
 * disk in the same run (target: at least 50% of it), and the gateway's peak RSS while ten 50 MB
 * uploads stream in at once (target: under 300 MB).
 *
 * Upload: POST /v1/documents, the file streamed from disk; the gateway types, hashes, seals and
 * syncs it. Download: GET /v1/documents/{hash}?entry=, each a read the ledger records, the body
 * written to a file on the same disk. The copy: the same file read and written by streams, then
 * synced, as the store syncs what it keeps.
 *
 * A plain copy runs beside each upload and each download, and the copy's median over both is the
 * baseline. Each size is warmed up first (a copy, an upload and a download not counted), and the downloads
 * start once the recording that lists the files is final in the gateway's log, so that they are
 * not measured against the checkpoint work that recording set off. Every run is kept in the JSON.
 *
 * Environment: BENCH_DOCUMENT_RUNS=9 (runs per size; the median is reported).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { mintDevToken } from '../../gateway/src/keys.js';
import { residentId } from '../support/ids.js';
import { sampleDocument } from '../support/documents.js';
import { samplePdf } from '../support/sample-files.js';
import { residentSetSize, startServerChild, type ServerChild } from './children.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MB = 1_048_576;
const RUNS = Number(process.env['BENCH_DOCUMENT_RUNS'] ?? 9);
const CONCURRENT = 10;
const THROUGHPUT_TARGET = 0.5;
const RSS_TARGET = 300 * MB;

interface Stored {
  readonly hash: string;
  readonly size: number;
  readonly mediaType: string;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const seconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
const mbps = (bytes: number, s: number): number => bytes / MB / s;

/** Syncs a file, as the store syncs what it keeps. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  await handle.sync();
  await handle.close();
}

async function plainCopy(source: string, target: string): Promise<number> {
  const started = process.hrtime.bigint();
  await pipeline(createReadStream(source), createWriteStream(target));
  await syncFile(target);
  return seconds(started);
}

class Client {
  readonly #url: string;
  readonly #token: string;
  constructor(url: string, token: string) {
    this.#url = url;
    this.#token = token;
  }

  /** Streams the file with node:http (a plain client, so that the figure is the gateway's). */
  async upload(path: string): Promise<{ file: Stored; seconds: number }> {
    const started = process.hrtime.bigint();
    const { size } = await stat(path);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${this.#url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/pdf', 'content-length': String(size) } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      pipeline(createReadStream(path), req).catch(reject);
    });
    if (answer.status !== 201) throw new Error(`upload answered ${String(answer.status)}: ${answer.text}`);
    return { file: JSON.parse(answer.text) as Stored, seconds: seconds(started) };
  }

  async record(files: readonly Stored[], n: number): Promise<string> {
    const attachments = files.map((file, i) => ({ title: `判决书-${String(i)}`, ...file }));
    const document = sampleDocument('SENTENCE_HANDOVER', { attachments });
    const response = await fetch(`${this.#url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SENTENCE_HANDOVER', subject: { idNumber: residentId(n) }, occurredAt: '2024-01-10T09:00:00+08:00', document }),
    });
    const answer = (await response.json()) as { entry: { id: string } };
    if (response.status !== 201) throw new Error(`recording answered ${String(response.status)}: ${JSON.stringify(answer)}`);
    return answer.entry.id;
  }

  /** Waits until a final checkpoint covers `size` entries: the checkpoint work of the recordings so far is done. */
  async finalAt(size: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await fetch(`${this.#url}/v1/log`, { headers: { authorization: `Bearer ${this.#token}` } });
      const state = (await response.json()) as { latestFinal: { treeSize: number } | null };
      if ((state.latestFinal?.treeSize ?? 0) >= size) return;
      if (Date.now() > deadline) throw new Error(`no final checkpoint of ${String(size)} entries within a minute`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Streams the file into a file on the same disk, with node:http. */
  async download(hash: string, entryId: string, target: string): Promise<number> {
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${this.#url}/v1/documents/${hash}?entry=${entryId}`, { headers: { authorization: `Bearer ${this.#token}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`download answered ${String(res.statusCode)}`));
        pipeline(res, createWriteStream(target)).then(resolve, reject);
      });
      req.on('error', reject);
      req.end();
    });
    return seconds(started);
  }
}

async function startGateway(dataDir: string): Promise<{ child: ServerChild; client: Client }> {
  const child = await startServerChild(new URL('./gateway-child.js', import.meta.url), { env: { ...process.env, BENCH_DATA_DIR: dataDir } });
  const token = await mintDevToken(dataDir, { agency: 'COURT', role: 'clerk', sub: 'bench-documents', expiresIn: '2h' });
  return { child, client: new Client(`http://127.0.0.1:${String(child.port)}`, token) };
}

/**
 * A distinct PDF of `bytes` bytes on disk: no run finds its file already held. Synced before it is
 * used, so that what is measured next does not share the disk with its writeback.
 */
async function sourceFile(dir: string, name: string, bytes: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, samplePdf(bytes, randomBytes(16).toString('hex')));
  await syncFile(path);
  return path;
}

interface SizeFigures {
  readonly sizeMB: number;
  /** Every run, MB/s, in the order measured. */
  readonly runs: { readonly copy: number[]; readonly upload: number[]; readonly download: number[] };
  readonly copyMBps: number;
  readonly uploadMBps: number;
  readonly downloadMBps: number;
  readonly uploadShare: number;
  readonly downloadShare: number;
}

/** One copy, upload and download of the size, not counted: the first of each pays for opening and compiling what it runs. */
async function warmUp(client: Client, work: string, sizeMB: number, n: number, recorded: number): Promise<void> {
  const source = await sourceFile(work, `warm-${String(sizeMB)}.pdf`, sizeMB * MB);
  await plainCopy(source, join(work, 'warm-copy.pdf'));
  const { file } = await client.upload(source);
  const entryId = await client.record([file], n);
  await client.finalAt(recorded + 1);
  await client.download(file.hash, entryId, join(work, 'warm-download.pdf'));
  await Promise.all([source, join(work, 'warm-copy.pdf'), join(work, 'warm-download.pdf')].map((path) => rm(path)));
}

/** `recorded` entries are on the log before this size's: its own recording makes one more. */
async function measureSize(client: Client, work: string, sizeMB: number, n: number, recorded: number): Promise<SizeFigures> {
  const copies: number[] = [];
  const uploads: number[] = [];
  const files: Stored[] = [];
  for (let run = 0; run < RUNS; run++) {
    const source = await sourceFile(work, `source-${String(sizeMB)}-${String(run)}.pdf`, sizeMB * MB);
    copies.push(mbps(sizeMB * MB, await plainCopy(source, join(work, `copy-${String(run)}.pdf`))));
    const { file, seconds: s } = await client.upload(source);
    uploads.push(mbps(sizeMB * MB, s));
    files.push(file);
    await rm(source);
    await rm(join(work, `copy-${String(run)}.pdf`));
  }
  const entryId = await client.record(files, n);
  await client.finalAt(recorded + 1);
  const downloads: number[] = [];
  for (const [run, file] of files.entries()) {
    // A copy beside each download too: the baseline is measured over the same stretch of the run.
    const source = await sourceFile(work, `source-${String(sizeMB)}-${String(run)}.pdf`, sizeMB * MB);
    copies.push(mbps(sizeMB * MB, await plainCopy(source, join(work, `copy-${String(run)}.pdf`))));
    await Promise.all([rm(source), rm(join(work, `copy-${String(run)}.pdf`))]);
    const target = join(work, `download-${file.hash}.pdf`);
    downloads.push(mbps(file.size, await client.download(file.hash, entryId, target)));
    await rm(target);
  }
  const copyMBps = median(copies);
  const uploadMBps = median(uploads);
  const downloadMBps = median(downloads);
  return { sizeMB, runs: { copy: copies, upload: uploads, download: downloads }, copyMBps, uploadMBps, downloadMBps, uploadShare: uploadMBps / copyMBps, downloadShare: downloadMBps / copyMBps };
}

/** Ten 50 MB uploads at once into a fresh gateway; its peak RSS (VmHWM) over its whole life. */
async function concurrentUploads(work: string): Promise<{ peakRssMB: number; seconds: number }> {
  const dataDir = await mkdtemp(join(work, 'gateway-rss-'));
  const { child, client } = await startGateway(dataDir);
  try {
    const sources = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => sourceFile(work, `concurrent-${String(i)}.pdf`, 50 * MB)));
    const started = process.hrtime.bigint();
    await Promise.all(sources.map((source) => client.upload(source)));
    const took = seconds(started);
    const peak = residentSetSize(child.pid)?.peak ?? NaN;
    await Promise.all(sources.map((source) => rm(source)));
    return { peakRssMB: peak / MB, seconds: took };
  } finally {
    await child.stop();
  }
}

const line = (what: string, value: string, target: string, pass: boolean): string => `| ${what.padEnd(44)} | ${value.padEnd(12)} | ${target.padEnd(22)} | ${pass ? 'PASS' : 'FAIL'} |`;

async function main(): Promise<void> {
  const work = await mkdtemp(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-documents-'));
  try {
    const dataDir = join(work, 'gateway');
    await mkdir(dataDir);
    const { child, client } = await startGateway(dataDir);
    const sizes: SizeFigures[] = [];
    try {
      // Entries on the log, in order: the 1 MB warm-up, the 1 MB files, the 50 MB warm-up, the 50 MB files.
      await warmUp(client, work, 1, 7100, 0);
      sizes.push(await measureSize(client, work, 1, 7101, 1));
      await warmUp(client, work, 50, 7102, 2);
      sizes.push(await measureSize(client, work, 50, 7103, 3));
    } finally {
      await child.stop();
    }
    const rss = await concurrentUploads(work);
    const rows: string[] = [];
    for (const s of sizes) {
      rows.push(line(`${String(s.sizeMB)} MB plain copy (fsync)`, `${s.copyMBps.toFixed(0)} MB/s`, 'baseline', true));
      rows.push(line(`${String(s.sizeMB)} MB upload`, `${s.uploadMBps.toFixed(0)} MB/s`, `≥ 50% of copy`, s.uploadShare >= THROUGHPUT_TARGET));
      rows.push(line(`${String(s.sizeMB)} MB upload / copy`, `${(s.uploadShare * 100).toFixed(0)}%`, '≥ 50%', s.uploadShare >= THROUGHPUT_TARGET));
      rows.push(line(`${String(s.sizeMB)} MB download`, `${s.downloadMBps.toFixed(0)} MB/s`, `≥ 50% of copy`, s.downloadShare >= THROUGHPUT_TARGET));
      rows.push(line(`${String(s.sizeMB)} MB download / copy`, `${(s.downloadShare * 100).toFixed(0)}%`, '≥ 50%', s.downloadShare >= THROUGHPUT_TARGET));
    }
    rows.push(line(`peak RSS, ${String(CONCURRENT)} concurrent 50 MB uploads`, `${rss.peakRssMB.toFixed(0)} MB`, '< 300 MB', rss.peakRssMB * MB < RSS_TARGET));
    process.stdout.write(`machine: ${String(availableParallelism())} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    process.stdout.write(`${[line('what', 'measured', 'target', true).replace('PASS', 'ok  '), ...rows].join('\n')}\n`);
    for (const s of sizes) {
      const each = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(' ');
      process.stdout.write(`${String(s.sizeMB)} MB runs (MB/s): copy ${each(s.runs.copy)} | upload ${each(s.runs.upload)} | download ${each(s.runs.download)}\n`);
    }
    const result = { loadAverage: loadavg(), cores: availableParallelism(), runsPerSize: RUNS, sizes, concurrentUploads: { count: CONCURRENT, sizeMB: 50, ...rss }, at: new Date().toISOString() };
    await writeFile(join(ROOT, 'bench-results', 'documents-embedded.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write('results: bench-results/documents-embedded.json\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
