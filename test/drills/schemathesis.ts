/**
 * npm run schemathesis: Schemathesis (property-based API testing) against a real gateway, as
 * configured by schemathesis.toml. Starts a gateway on the embedded ledger in a child process
 * (temporary data; rate limits out of the fuzzer's way; checkpoints every second so proofs are
 * found), seeds subjects, entries, webhooks and checkpoints, writes their values where the config
 * reads them, mints tokens for three identities (a court clerk, a justice bureau officer, a
 * procuratorate auditor), then runs
 *
 *   st run <gateway>/openapi.json --checks all [more options]
 *
 * and exits with its exit code: non-zero on any 5xx or any failed check.
 *
 *   npm run schemathesis                          for max-time as schemathesis.toml says (120 s)
 *   npm run schemathesis -- --max-time 600        options after -- go to `st run`
 *
 * Environment:
 *   SCHEMATHESIS_ST=…/st   the st command (default .tools/schemathesis-venv/bin/st, which
 *                          scripts/install-schemathesis.sh installs)
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren } from '../bench/children.js';
import { embeddedGateways } from './embedded-gateways.js';
import { SEEDED_CHECKPOINTS, seedForFuzzing, writeDictionaries } from './fuzz-seeds.js';
import type { DrillGateway } from './gateways.js';
import { resultsDir } from './report.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'bench-results');
/** Where schemathesis.toml reads the seeds' dictionaries from (its reports and cache go beside). */
const SEEDS_DIR = join(RESULTS, 'schemathesis', 'seeds');
/**
 * Buckets the fuzzer never reaches (its own 401s included); checkpoints every second; webhooks to
 * loopback allowed, so that the seeded ones and those the fuzzer registers exist and can be read
 * (any other destination is refused as in production, and nothing leaves the machine).
 */
const FUZZ_GATEWAY = {
  RATE_LIMIT_AGENCY: '1000000:1000000',
  RATE_LIMIT_ADDRESS: '1000000:1000000',
  RATE_LIMIT_UNAUTHENTICATED: '1000000:1000000',
  CHECKPOINT_INTERVAL_SECONDS: '1',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1/32',
} as const;

async function stCommand(): Promise<string> {
  const st = process.env['SCHEMATHESIS_ST'] ?? join(ROOT, '.tools', 'schemathesis-venv', 'bin', 'st');
  await access(st).catch(() => {
    throw new Error(`${st} not found: install Schemathesis with scripts/install-schemathesis.sh (or set SCHEMATHESIS_ST)`);
  });
  return st;
}

interface Identities {
  readonly court: string;
  readonly justice: string;
  readonly auditor: string;
}

/** The Web Fuzzing Commons auth file: the identities Schemathesis tries, in this order, per operation. */
async function writeIdentities(dir: string, tokens: Identities): Promise<string> {
  const file = join(dir, 'identities.json');
  const identity = (name: string, token: string) => ({ name, fixedHeaders: [{ name: 'Authorization', value: `Bearer ${token}` }] });
  const auth = [identity('court-clerk', tokens.court), identity('justice-officer', tokens.justice), identity('procuratorate-auditor', tokens.auditor)];
  await writeFile(file, JSON.stringify({ auth }), { mode: 0o600 });
  return file;
}

function runSt(st: string, url: string, identities: string, extra: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(st, ['run', `${url}/openapi.json`, '--checks', 'all', ...extra], {
      cwd: ROOT,
      env: { ...process.env, CORRECTION_LEDGER_FUZZ_IDENTITIES: identities },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('exit', kill);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function fuzz(gateway: DrillGateway, st: string, extra: readonly string[]): Promise<number> {
  const secrets = await mkdtemp(join(tmpdir(), 'fuzz-identities-'));
  // Also when interrupted: children.ts kills the gateway, then exits.
  const removeSecrets = () => {
    rmSync(secrets, { recursive: true, force: true });
  };
  process.once('exit', removeSecrets);
  try {
    const tokens: Identities = {
      court: await gateway.token('COURT', 'clerk', 'fuzz-court-clerk'),
      justice: await gateway.token('JUSTICE', 'officer', 'fuzz-justice-officer'),
      auditor: await gateway.token('PROCURATORATE', 'auditor', 'fuzz-procuratorate-auditor'),
    };
    const seeds = await seedForFuzzing(gateway, tokens);
    await writeDictionaries(SEEDS_DIR, seeds);
    process.stdout.write(`gateway ${gateway.url}: ${seeds.subjectRefs.length} subjects, ${seeds.entryIds.length} entries, ${seeds.webhookIds.length} webhooks, final checkpoints at ${SEEDED_CHECKPOINTS.join(' and ')}\n`);
    return await runSt(st, gateway.url, await writeIdentities(secrets, tokens), extra);
  } finally {
    process.off('exit', removeSecrets);
    await rm(secrets, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const st = await stCommand();
  await resultsDir(RESULTS);
  const gateway = await embeddedGateways().start(FUZZ_GATEWAY);
  try {
    process.exitCode = await fuzz(gateway, st, process.argv.slice(2));
  } finally {
    await gateway.close();
  }
}

main().catch((error: unknown) => {
  killAllChildren();
  process.stderr.write(`schemathesis run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
