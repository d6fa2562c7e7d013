/**
 * npm run bench:audit:fabric — the whole-channel audit on Fabric: the channel of `npm run
 * network:up` is given BENCH_ENTRIES more handovers (3,000 by default; 0 audits the channel as it
 * is) through the court's REST gateway, BENCH_CLIENTS (50) at a time, as the Fabric load bench
 * sends them, for at most BENCH_LOAD_SECONDS (600); once the procuratorate's new gateway has
 * followed every entry of the channel into its Merkle log, the
 * procuratorate's channel audit reads every block of the channel from block 0 through its peer,
 * every entry against its chain, the world state and the gateway's Merkle log. Target: ≥ 5,000
 * entries/s. Results go to bench-results/fabric-audit.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FabricConnection, FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger.js';
import { auditCaller, runFabricAudit } from '../../gateway/src/ledger/fabric/audit/fabric-auditor.js';
import { DIGEST_PAGE } from '../../gateway/src/ledger/fabric/audit/state-check.js';
import type { StateDigestPage } from 'correction-chaincode/domain';
import { Api } from '../support/api.js';
import { sampleDocument } from '../support/documents.js';
import { fabricTarget, NETWORK_DIR } from '../support/fabric-target.js';
import { residentId } from '../support/ids.js';
import { tempDir } from '../support/temp.js';
import { until } from '../support/until.js';
import { revision } from './revision.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const entries = Number(process.env['BENCH_ENTRIES'] ?? 3_000);
const clients = Number(process.env['BENCH_CLIENTS'] ?? 50);
const loadSeconds = Number(process.env['BENCH_LOAD_SECONDS'] ?? 600);
const TARGET_ENTRIES_PER_SECOND = 5_000;

async function main(): Promise<void> {
  const target = await fabricTarget();
  const dir = await tempDir('correction-audit-bench-');
  try {
    const court = new Api(target, 'COURT', 'clerk');
    const base = 30_000_000 + ((Math.floor(Date.now() / 1000) * 89) % 9_000_000);
    let next = 0;
    let recorded = 0;
    const loadStart = performance.now();
    const loadEnd = loadStart + loadSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < entries && performance.now() < loadEnd) {
          const n = base + next++;
          const answer = await court.record('SENTENCE_HANDOVER', { idNumber: residentId(n) }, sampleDocument('SENTENCE_HANDOVER'), '2024-01-10T09:00:00+08:00');
          if (answer.status !== 201) throw new Error(`handover answered ${answer.status}: ${JSON.stringify(answer.body)}`);
          recorded++;
        }
      }),
    );
    const loaded = (performance.now() - loadStart) / 1000;
    const procuratorate = target.gateways.get('PROCURATORATE');
    if (!procuratorate) throw new Error('no procuratorate gateway');
    const connection = FabricConnection.parse(JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', 'PROCURATORATE.json'), 'utf8')));
    const ledger = await FabricLedger.open(connection);
    try {
      // Every entry in state, counted by its digest, is in the log once the follower has caught up.
      const inState = await entriesInState(ledger);
      await until(() => procuratorate.log.tree.size >= inState, `the procuratorate's log holds all ${inState} entries`, 600_000);
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      const report = await runFabricAudit({ ledger, agency: 'PROCURATORATE', dataDir: dir.path, log: procuratorate.log.tree, restart: true });
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const entriesPerSecond = Math.round(report.entries / seconds);
      const result = {
        revision: revision(ROOT),
        settings: { entries, clients, loadSeconds },
        load: { recorded, seconds: Math.round(loaded * 10) / 10, perSecond: Math.round(recorded / Math.max(loaded, 0.001)) },
        audit: {
          blocks: report.blocks,
          entries: report.entries,
          subjects: report.subjects,
          seconds: Math.round(seconds * 100) / 100,
          entriesPerSecond,
          blocksPerSecond: Math.round((report.blocks ?? 0) / seconds),
          cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
          ok: report.ok,
          checks: report.checks.map((c) => `${c.status} ${c.name}`),
        },
        target: { entriesPerSecond: TARGET_ENTRIES_PER_SECOND, met: entriesPerSecond >= TARGET_ENTRIES_PER_SECOND },
      };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(
        `channel audit: ${report.entries} entries in ${report.blocks} blocks in ${result.audit.seconds} s = ${entriesPerSecond} entries/s (target ≥ ${TARGET_ENTRIES_PER_SECOND}); ${report.ok ? 'every check passed' : 'FAILED'}\n`,
      );
      await mkdir(join(ROOT, 'bench-results'), { recursive: true });
      await writeFile(join(ROOT, 'bench-results', 'fabric-audit.json'), `${JSON.stringify(result, null, 2)}\n`);
      if (!report.ok) process.exitCode = 1;
    } finally {
      await ledger.close();
    }
  } finally {
    await target.close();
    await dir.remove();
  }
}

/** How many entries the peer's world state holds, a page of digests at a time. */
async function entriesInState(ledger: FabricLedger): Promise<number> {
  const caller = auditCaller('PROCURATORATE', 'audit-bench');
  let count = 0;
  let bookmark = '';
  do {
    const page = JSON.parse(new TextDecoder().decode(await ledger.evaluate(caller, 'GetStateDigests', ['entry', bookmark, String(DIGEST_PAGE)]))) as StateDigestPage;
    count += page.digests.length;
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return count;
}

await main();
