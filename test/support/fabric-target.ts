import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { loadConfig } from '../../gateway/src/config.js';
import { createGateway, type Gateway } from '../../gateway/src/gateway.js';
import { devKeyPaths, ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import type { Target } from './target.js';
import { tempDir } from './temp.js';

export const NETWORK_DIR = resolve(process.env['NETWORK_DIR'] ?? '.network');

export interface FabricTarget extends Target {
  readonly gateways: ReadonlyMap<Agency, Gateway>;
  readonly logs: string[];
  readonly keysDir: string;
}

/**
 * Four real gateways on the running Fabric network, one per agency, each with its own Fabric
 * identity and data directory, sharing the consortium's subject key and token trust.
 */
export async function fabricTarget(): Promise<FabricTarget> {
  const dir = await tempDir('correction-fabric-');
  const keysDir = join(dir.path, 'consortium');
  await ensureDevKeys(keysDir);
  const paths = devKeyPaths(keysDir);
  const subjectKey = (await readFile(paths.subjectKey, 'utf8')).trim();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const gateways = new Map<Agency, Gateway>();
  const urls = new Map<Agency, string>();
  try {
    for (const agency of AGENCIES) {
      const config = loadConfig({
        PORT: '0',
        LEDGER: 'fabric',
        AGENCY: agency,
        FABRIC_CONNECTION: join(NETWORK_DIR, 'gateways', `${agency}.json`),
        DATA_DIR: join(dir.path, agency.toLowerCase()),
        SUBJECT_KEY: subjectKey,
        TOKEN_JWKS: paths.jwks,
        RECEIPT_KEY: paths.gatewayKey(agency),
        TRUST_FILE: paths.trust,
        LOG_LEVEL: 'info',
        // Propose a checkpoint every two seconds while the log grows; the other gateways cosign it.
        CHECKPOINT_EVERY: '100000',
        CHECKPOINT_INTERVAL_SECONDS: '2',
      });
      const gateway = await createGateway(config, { logDestination: sink });
      gateways.set(agency, gateway);
      urls.set(agency, `http://127.0.0.1:${await gateway.listen()}`);
    }
  } catch (error) {
    for (const gateway of gateways.values()) await gateway.close();
    await dir.remove();
    throw error;
  }
  return {
    name: 'fabric',
    gateways,
    logs,
    keysDir,
    url: (agency = 'COURT') => urls.get(agency) ?? '',
    token: (agency, role = 'clerk') => mintDevToken(keysDir, { agency, role, sub: `test-${agency.toLowerCase()}-${role}`, expiresIn: '1h' }),
    async close() {
      for (const gateway of gateways.values()) await gateway.close();
      await dir.remove();
    },
  };
}
