import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { ensureDevKeys, mintDevToken, type Role } from '../../gateway/src/keys.js';
import { startServerChild, type ServerChild } from '../bench/children.js';
import { raw } from '../support/raw-http.js';

const exec = promisify(execFile);
const GATEWAY_CHILD = new URL('./fabric-gateway-child.js', import.meta.url);

/** Waits for `check` to hold, polling, or fails at the deadline naming `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The four agencies' REST gateways on the network, each a child process with its own data. */
export interface Consortium {
  url(agency: Agency): string;
  token(agency: Agency, role?: Role, sub?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The running four-agency network (scripts/network-up.sh) under `dir`: its nodes by name
 * (`peer-justice`, `orderer-court` …, as its pid files name them), the BFT leader, and the
 * script that brings back whatever node is down.
 */
export class FabricNetwork {
  readonly dir: string;
  readonly #root: string;

  constructor(root: string, dir: string) {
    this.#root = root;
    this.dir = dir;
  }

  /** The network's own report; fails unless every node is up. */
  async status(): Promise<string> {
    const { stdout } = await exec('bash', [join(this.#root, 'scripts/network-status.sh')], { cwd: this.#root, env: { ...process.env, NETWORK_DIR: this.dir } });
    return stdout;
  }

  async pidOf(node: string): Promise<number> {
    return Number((await readFile(join(this.dir, 'pids', `${node}.pid`), 'utf8')).trim());
  }

  /** SIGKILL to a node of the network; resolves once its process is gone. */
  async kill9(node: string): Promise<number> {
    const pid = await this.pidOf(node);
    process.kill(pid, 'SIGKILL');
    await until(`${node} (pid ${pid}) to die`, () => Promise.resolve(!alive(pid)), 10_000, 50);
    return pid;
  }

  /**
   * The orderer that leads BFT consensus now, as the orderers report it on their operations
   * endpoints (consensus_BFT_is_leader), e.g. `orderer-police`.
   */
  async bftLeader(): Promise<string> {
    const orderers = JSON.parse(await readFile(join(this.dir, 'orderers.json'), 'utf8')) as Array<{ agency: string; operationsAddress: string }>;
    const leaders: string[] = [];
    for (const orderer of orderers) {
      const metrics = await fetch(`http://${orderer.operationsAddress}/metrics`).then((r) => r.text()).catch(() => '');
      if (/^consensus_BFT_is_leader\{[^}]*\} 1$/m.test(metrics)) leaders.push(`orderer-${orderer.agency.toLowerCase()}`);
    }
    if (leaders.length !== 1) throw new Error(`the orderers name ${leaders.length} leaders (${leaders.join(', ')})`);
    return leaders[0] ?? '';
  }

  /** network-up.sh: brings back exactly the nodes that are down. Resolves the seconds it took. */
  async restore(): Promise<number> {
    const started = performance.now();
    await exec('bash', [join(this.#root, 'scripts/network-up.sh')], { cwd: this.#root, env: { ...process.env, NETWORK_DIR: this.dir }, maxBuffer: 16 * 1024 * 1024 });
    return (performance.now() - started) / 1000;
  }

  /**
   * Starts the four agencies' gateways, each in a child process, sharing the consortium's keys
   * (subject key, token trust, trust file) from a directory apart from their data; resolves once
   * every one answers /readyz.
   */
  async consortium(): Promise<Consortium> {
    const temp = await mkdtemp(join(tmpdir(), 'drill-fabric-'));
    const keysDir = join(temp, 'consortium');
    const children = new Map<Agency, ServerChild>();
    const close = async () => {
      await Promise.all([...children.values()].map((child) => child.stop()));
      await rm(temp, { recursive: true, force: true });
    };
    try {
      await ensureDevKeys(keysDir);
      for (const agency of AGENCIES) {
        const data = join(temp, agency.toLowerCase());
        const env = { ...process.env, NETWORK_DIR: this.dir, DRILL_AGENCY: agency, DRILL_DATA_DIR: data, DRILL_KEYS_DIR: keysDir, DRILL_LOG_FILE: join(temp, `${agency.toLowerCase()}.log`) };
        children.set(agency, await startServerChild(GATEWAY_CHILD, { env }));
      }
      const url = (agency: Agency) => `http://127.0.0.1:${String(children.get(agency)?.port)}`;
      for (const agency of AGENCIES) await until(`${agency}'s gateway to be ready`, async () => (await raw(url(agency), { path: '/readyz' })).status === 200, 60_000);
      return {
        url,
        token: (agency, role = 'clerk', sub = `drill-${agency.toLowerCase()}-${role}`) => mintDevToken(keysDir, { agency, role, sub, expiresIn: '2h' }),
        close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  }
}
