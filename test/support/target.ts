import { Writable } from 'node:stream';
import type { Agency, UnitKind } from 'correction-chaincode/domain';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/src/gateway.js';
import { mintDevToken, type Role } from '../../gateway/src/keys.js';
import { tempDir } from './temp.js';

/** The unit a test user acts for, and its kind. */
export interface UnitIdentity {
  readonly unit: string;
  readonly unitKind?: UnitKind;
}

/** Gateways under test: one URL per agency (the same one on the embedded ledger). */
export interface Target {
  readonly name: string;
  url(agency?: Agency): string;
  /** A dev token of the agency's dev key: agency-wide, or for a unit (of a kind) when `as` names one. */
  token(agency: Agency, role?: Role, as?: UnitIdentity): Promise<string>;
  close(): Promise<void>;
}

export interface EmbeddedTarget extends Target {
  readonly gateway: Gateway;
  readonly dataDir: string;
  /** Every log line the gateway wrote. */
  readonly logs: string[];
}

/** A real gateway on the embedded ledger, listening on a free loopback port, with its own data directory. */
export async function embeddedTarget(env: Record<string, string> = {}, options: Omit<GatewayOptions, 'logDestination'> = {}): Promise<EmbeddedTarget> {
  const dir = await tempDir();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  // A test may bring a data directory it prepared (keys, a trust file); the tokens come from it then.
  const dataDir = env['DATA_DIR'] ?? dir.path;
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env });
  const gateway = await createGateway(config, { logDestination: sink, ...options });
  const port = await gateway.listen();
  const base = `http://127.0.0.1:${port}`;
  return {
    name: 'embedded',
    gateway,
    dataDir,
    logs,
    url: () => base,
    token: (agency, role = 'clerk', as) => mintDevToken(dataDir, { agency, role, sub: testSub(agency, role, as), ...as, expiresIn: '1h' }),
    async close() {
      await gateway.close();
      await dir.remove();
    },
  };
}

/** The staff id of a test user: its agency, role and unit. */
export const testSub = (agency: Agency, role: Role, as?: UnitIdentity): string => `test-${agency.toLowerCase()}-${role}${as ? `-${as.unit}` : ''}`;
