/**
 * npm run bench:proofs — the Merkle log at 100,000 and 1,000,000 entries: how fast it appends
 * (in follower-sized batches and one entry at a time), how long an inclusion or consistency proof
 * takes to make and to check, and how fast a gateway follows an embedded ledger's blocks into
 * its log. Targets: a proof in ≤ 1 ms, appends keeping up with ≥ 5,000 entries/s.
 *
 * Environment: BENCH_PROOF_SIZES=100000,1000000; BENCH_FOLLOW_LEDGER=<data dir of an embedded
 * ledger> (default: the audit benchmark's cached 1,000,000-entry ledger, when present).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, leafHash, verifyConsistency, verifyInclusion } from 'correction-verifier';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger.js';
import { BENCH_SEALER, benchLedgerName } from './audit-bench.js';
import { LogFollower } from '../../gateway/src/log/log-follower.js';
import { MerkleLog } from '../../gateway/src/log/merkle-log.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'bench-results');
const SAMPLES = 10_000;

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const summary = (micros: number[]) => {
  micros.sort((a, b) => a - b);
  return { meanUs: micros.reduce((a, b) => a + b, 0) / micros.length, p50Us: percentile(micros, 0.5), p99Us: percentile(micros, 0.99) };
};
const now = () => Number(process.hrtime.bigint()) / 1000;

interface SizeResult {
  size: number;
  appendBatchedPerSecond: number;
  appendSinglePerSecond: number;
  inclusion: { make: ReturnType<typeof summary>; check: ReturnType<typeof summary>; pathLength: number };
  consistency: { make: ReturnType<typeof summary>; check: ReturnType<typeof summary> };
}

async function measureSize(size: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-log-'));
  try {
    const log = await MerkleLog.open(dir);
    const hashes: string[] = [];
    // One leaf per write, as a follower does for a lone event: the slow path.
    const single = Math.min(20_000, size);
    let started = now();
    for (let i = 0; i < single; i++) {
      const entryHash = randomBytes(32).toString('hex');
      hashes.push(entryHash);
      await log.apply({ position: { block: i, eventsInBlock: 1 }, leaves: [{ entryId: createHash('sha256').update(String(i)).digest('hex').slice(0, 32), entryHash, block: i }] });
    }
    const appendSinglePerSecond = single / ((now() - started) / 1e6);
    // The rest in batches of 2,000, as a follower applies a busy ledger's events.
    started = now();
    for (let i = single; i < size; i += 2_000) {
      const leaves = [];
      for (let j = i; j < Math.min(size, i + 2_000); j++) {
        const entryHash = randomBytes(32).toString('hex');
        hashes.push(entryHash);
        leaves.push({ entryId: createHash('sha256').update(String(j)).digest('hex').slice(0, 32), entryHash, block: j });
      }
      await log.apply({ position: { block: i, eventsInBlock: leaves.length }, leaves });
      if (i % 100_000 < 2_000) process.stderr.write(`  log of ${size}: ${i} appended\r`);
    }
    const appendBatchedPerSecond = (size - single) / ((now() - started) / 1e6) || appendSinglePerSecond;
    process.stderr.write('\n');

    const root = log.rootAt(size);
    const make: number[] = [];
    const check: number[] = [];
    let pathLength = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const index = Math.floor(Math.random() * size);
      let t = now();
      const proof = log.inclusionProof(index, size);
      make.push(now() - t);
      const leaf = leafHash(fromHex(hashes[index] as string));
      t = now();
      if (!verifyInclusion(index, size, leaf, proof, root)) throw new Error(`proof of ${index} did not verify`);
      check.push(now() - t);
      pathLength = proof.length;
    }
    const cMake: number[] = [];
    const cCheck: number[] = [];
    for (let s = 0; s < 1_000; s++) {
      const first = 1 + Math.floor(Math.random() * (size - 1));
      let t = now();
      const proof = log.consistencyProof(first, size);
      cMake.push(now() - t);
      const firstRoot = log.rootAt(first);
      t = now();
      if (!verifyConsistency(first, size, proof, firstRoot, root)) throw new Error(`consistency ${first} → ${size} did not verify`);
      cCheck.push(now() - t);
    }
    await log.close();
    return { size, appendBatchedPerSecond, appendSinglePerSecond, inclusion: { make: summary(make), check: summary(check), pathLength }, consistency: { make: summary(cMake), check: summary(cCheck) } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A fresh log following an embedded ledger from block 0 until it holds every entry. */
async function measureFollowing(ledgerDir: string): Promise<{ entries: number; seconds: number; perSecond: number }> {
  const logDir = await mkdtemp(join(tmpdir(), 'bench-follow-'));
  const ledger = await EmbeddedLedger.open({ dataDir: ledgerDir, sealer: BENCH_SEALER });
  try {
    const log = await MerkleLog.open(logDir);
    const follower = new LogFollower(ledger, log);
    let entries = 0;
    for await (const key of ledger.store.state.keys({ gte: '\u0000entryId\u0000', lt: '\u0000entryId\u0000\u{10FFFF}' })) if (key) entries++;
    const started = now();
    follower.start();
    const timer = setInterval(() => process.stderr.write(`  following: ${log.size} / ${entries}\r`), 1_000);
    await follower.reach(entries, 3_600_000);
    clearInterval(timer);
    const seconds = (now() - started) / 1e6;
    await follower.close();
    await log.close();
    process.stderr.write('\n');
    return { entries, seconds, perSecond: entries / seconds };
  } finally {
    await ledger.close();
    await rm(logDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = (process.env['BENCH_PROOF_SIZES'] ?? '100000,1000000').split(',').map((s) => Number(s.replaceAll('_', '')));
  const results: SizeResult[] = [];
  for (const size of sizes) {
    process.stderr.write(`log of ${size} entries\n`);
    results.push(await measureSize(size));
  }
  const cached = join(RESULTS, 'cache', benchLedgerName(1_000_000, 2000));
  const ledgerDir = process.env['BENCH_FOLLOW_LEDGER'] ?? (existsSync(cached) ? cached : undefined);
  const following = ledgerDir ? await measureFollowing(ledgerDir) : undefined;

  const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'MISS');
  let out = '\nMerkle log (RFC 9162) — targets: proof ≤ 1 ms, append ≥ 5,000 entries/s\n';
  for (const r of results) {
    out += `\n  ${r.size.toLocaleString('en')} entries\n`;
    out += `    append, batches of 2,000   ${Math.round(r.appendBatchedPerSecond).toLocaleString('en')} entries/s  ${mark(r.appendBatchedPerSecond >= 5_000)}\n`;
    out += `    append, one per write      ${Math.round(r.appendSinglePerSecond).toLocaleString('en')} entries/s  ${mark(r.appendSinglePerSecond >= 5_000)}\n`;
    out += `    inclusion proof, make      mean ${ms(r.inclusion.make.meanUs)}, p99 ${ms(r.inclusion.make.p99Us)} (${r.inclusion.pathLength} hashes)  ${mark(r.inclusion.make.p99Us <= 1_000)}\n`;
    out += `    inclusion proof, check     mean ${ms(r.inclusion.check.meanUs)}, p99 ${ms(r.inclusion.check.p99Us)}  ${mark(r.inclusion.check.p99Us <= 1_000)}\n`;
    out += `    consistency proof, make    mean ${ms(r.consistency.make.meanUs)}, p99 ${ms(r.consistency.make.p99Us)}\n`;
    out += `    consistency proof, check   mean ${ms(r.consistency.check.meanUs)}, p99 ${ms(r.consistency.check.p99Us)}\n`;
  }
  if (following) {
    out += `\n  following an embedded ledger of ${following.entries.toLocaleString('en')} entries from block 0: ${following.seconds.toFixed(1)} s, ${Math.round(following.perSecond).toLocaleString('en')} entries/s  ${mark(following.perSecond >= 5_000)}\n`;
  }
  process.stdout.write(out);
  await mkdir(RESULTS, { recursive: true });
  const file = join(RESULTS, `proofs-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.json`);
  await writeFile(file, JSON.stringify({ results, following }, null, 2));
  process.stdout.write(`results: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
