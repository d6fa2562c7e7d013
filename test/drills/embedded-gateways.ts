import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { devKeyPaths, ensureDevKeys, mintDevToken, readJwk } from '../../gateway/src/keys.js';
import { startServerChild } from '../bench/children.js';
import type { DrillGateway, GatewayLauncher, OfflineAudit } from './gateways.js';

const GATEWAY_CHILD = new URL('../bench/gateway-child.js', import.meta.url);
const CLI = fileURLToPath(new URL('../../gateway/src/cli.js', import.meta.url));

/** `correction-ledger audit --json` over a stopped gateway's data directory; exit 1 means problems were found. */
function auditFiles(dataDir: string): Promise<OfflineAudit> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'audit', '--data-dir', dataDir, '--json'], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      try {
        const report = JSON.parse(stdout) as { ok: boolean; blocks?: number; subjects: number; entries: number; problems: unknown[] };
        resolve({ exitCode, ok: report.ok, blocks: report.blocks ?? 0, subjects: report.subjects, entries: report.entries, problems: report.problems.length });
      } catch {
        reject(new Error(`the offline audit printed no report (exit ${exitCode})${error ? `: ${error.message}` : ''}`));
      }
    });
  });
}

/** Runs a `correction-ledger` command to its end; a non-zero exit is an error carrying its output. */
function cli(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) => {
      if (error) reject(new Error(`correction-ledger ${args[0] ?? ''} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The gateway's process over `dataDir`; --expose-gc: the soak asks for the heap that survives a full collection. */
const startChild = (dataDir: string, env: Readonly<Record<string, string>>) =>
  startServerChild(GATEWAY_CHILD, { env: { ...process.env, ...env, BENCH_DATA_DIR: dataDir }, execArgv: ['--expose-gc'] });

/**
 * Real gateways on the embedded ledger, each in a child process (test/bench/gateway-child.ts)
 * with a temporary data directory of its own. The directory goes when the gateway is closed, and
 * also if this process exits first (on Ctrl-C, children.ts kills the children, then exits).
 */
export function embeddedGateways(): GatewayLauncher {
  return {
    ledger: 'embedded',
    async start(env = {}) {
      const dataDir = await mkdtemp(join(tmpdir(), 'drill-gateway-'));
      const removeDataDir = () => {
        rmSync(dataDir, { recursive: true, force: true });
      };
      process.once('exit', removeDataDir);
      try {
        await ensureDevKeys(dataDir);
        return embeddedGateway(dataDir, await startChild(dataDir, env), () => startChild(dataDir, env), removeDataDir);
      } catch (error) {
        process.off('exit', removeDataDir);
        await rm(dataDir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

type Child = Awaited<ReturnType<typeof startServerChild>>;

function embeddedGateway(dataDir: string, first: Child, startAgain: () => Promise<Child>, removeDataDir: () => void): DrillGateway {
  const keys = devKeyPaths(dataDir);
  let child = first;
  let closing: Promise<OfflineAudit | undefined> | undefined;
  const close = async (auditOffline: boolean): Promise<OfflineAudit | undefined> => {
    try {
      await child.stop();
      return auditOffline ? await auditFiles(dataDir) : undefined;
    } finally {
      process.off('exit', removeDataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  return {
    get url() {
      return `http://127.0.0.1:${child.port}`;
    },
    get pid() {
      return child.pid;
    },
    retainedMemory: () => child.usage({ collected: true }),
    token: (agency, role = 'clerk', sub = `drill-${agency.toLowerCase()}-${role}`) => mintDevToken(dataDir, { agency, role, sub, expiresIn: '2h' }),
    agencyKey: (agency): Promise<JWK> => readJwk(keys.agencyKey(agency)),
    trustedKeys: async () => JSON.parse(await readFile(keys.jwks, 'utf8')) as { keys: JWK[] },
    kill9: () => child.kill9(),
    async restart() {
      child = await startAgain();
    },
    maintenance: {
      async pause(reason) {
        await cli(['pause', '--data-dir', dataDir, '--reason', reason]);
      },
      async resume() {
        await cli(['resume', '--data-dir', dataDir]);
      },
    },
    close(options = {}) {
      closing ??= close(options.auditOffline ?? false);
      return closing;
    },
  };
}
