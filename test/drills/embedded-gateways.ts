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
        // --expose-gc: the soak asks for the heap that survives a full collection.
        const child = await startServerChild(GATEWAY_CHILD, { env: { ...process.env, ...env, BENCH_DATA_DIR: dataDir }, execArgv: ['--expose-gc'] });
        return embeddedGateway(dataDir, child, removeDataDir);
      } catch (error) {
        process.off('exit', removeDataDir);
        await rm(dataDir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

function embeddedGateway(
  dataDir: string,
  child: Awaited<ReturnType<typeof startServerChild>>,
  removeDataDir: () => void,
): DrillGateway {
  const keys = devKeyPaths(dataDir);
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
    url: `http://127.0.0.1:${child.port}`,
    pid: child.pid,
    retainedMemory: () => child.usage({ collected: true }),
    token: (agency, role = 'clerk', sub = `drill-${agency.toLowerCase()}-${role}`) => mintDevToken(dataDir, { agency, role, sub, expiresIn: '2h' }),
    agencyKey: (agency): Promise<JWK> => readJwk(keys.agencyKey(agency)),
    trustedKeys: async () => JSON.parse(await readFile(keys.jwks, 'utf8')) as { keys: JWK[] },
    close(options = {}) {
      closing ??= close(options.auditOffline ?? false);
      return closing;
    },
  };
}
