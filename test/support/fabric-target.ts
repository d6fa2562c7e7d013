import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway as FabricGateway } from '@hyperledger/fabric-gateway';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { AGENCIES, type Agency } from 'correction-chaincode/domain';
import { loadConfig, type Config } from '../../gateway/src/config.js';
import { createGateway, type Gateway } from '../../gateway/src/gateway.js';
import { devKeyPaths, ensureDevKeys, mintDevToken } from '../../gateway/src/keys.js';
import { freePorts } from './ports.js';
import { testSub, type Target } from './target.js';
import { tempDir } from './temp.js';

export const NETWORK_DIR = resolve(process.env['NETWORK_DIR'] ?? '.network');

export interface FabricTarget extends Target {
  readonly gateways: ReadonlyMap<Agency, Gateway>;
  readonly logs: string[];
  readonly keysDir: string;
  /** Stops an agency's gateway (its API and its exchange), as an outage would. */
  stop(agency: Agency): Promise<void>;
  /** Starts a stopped agency's gateway again, on its data directory and ports. */
  start(agency: Agency): Promise<void>;
}

/**
 * Each agency's exchange port, and the others' URLs. The procuratorate's gateway does not
 * prefetch, so that it is the one that fetches a file only when asked.
 */
async function exchangeEnv(): Promise<(agency: Agency) => Record<string, string>> {
  const ports = await freePorts(AGENCIES.length);
  const portOf = (agency: Agency): string => String(ports[AGENCIES.indexOf(agency)] ?? 0);
  return (agency) => ({
    EXCHANGE_PORT: portOf(agency),
    EXCHANGE_PEERS: JSON.stringify(Object.fromEntries(AGENCIES.filter((a) => a !== agency).map((a) => [a, `https://127.0.0.1:${portOf(a)}`]))),
    DOCUMENT_PREFETCH: String(agency !== 'PROCURATORATE'),
  });
}

/** Where `npm run network:up` writes an agency's gateway connection settings. */
export const networkConnection = (agency: Agency): string => join(NETWORK_DIR, 'gateways', `${agency}.json`);

/**
 * Four real gateways on the running Fabric network, one per agency, each with its own Fabric
 * identity and data directory, sharing the consortium's subject key and token trust; key files
 * live apart from every data directory, as outside dev mode they must. `connection` names each
 * agency's connection settings (FABRIC_CONNECTION): those of `npm run network:up` unless given.
 */
export async function fabricTarget(env: Readonly<Record<string, string>> = {}, connection: (agency: Agency) => string = networkConnection): Promise<FabricTarget> {
  const dir = await tempDir('correction-fabric-');
  const keysDir = join(dir.path, 'consortium');
  await ensureDevKeys(keysDir);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const gateways = new Map<Agency, Gateway>();
  const urls = new Map<Agency, string>();
  // Each gateway sends its checkpoint cosignatures to the other three, so their ports are chosen first.
  const ports = await freePorts(AGENCIES.length);
  const portOf = (agency: Agency): number => ports[AGENCIES.indexOf(agency)] ?? 0;
  const peersOf = (agency: Agency) => AGENCIES.filter((other) => other !== agency).map((other) => `http://127.0.0.1:${portOf(other)}`).join(',');
  const configs = new Map<Agency, Config>();
  const exchange = await exchangeEnv();
  const start = async (agency: Agency) => {
    const config = configs.get(agency);
    if (!config) throw new Error(`no configuration for ${agency}`);
    const gateway = await createGateway(config, { logDestination: sink });
    gateways.set(agency, gateway);
    urls.set(agency, `http://127.0.0.1:${await gateway.listen()}`);
  };
  try {
    for (const agency of AGENCIES) {
      const config = loadConfig({
        ...fabricGatewayEnv(agency, { dataDir: join(dir.path, agency.toLowerCase()), keysDir, port: portOf(agency), peers: peersOf(agency), connection: connection(agency) }),
        ...exchange(agency),
        ...env,
      });
      configs.set(agency, config);
      await start(agency);
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
    token: (agency, role = 'clerk', as) => mintDevToken(keysDir, { agency, role, sub: testSub(agency, role, as), ...as, expiresIn: '1h' }),
    async stop(agency) {
      await gateways.get(agency)?.close();
      gateways.delete(agency);
    },
    start,
    async close() {
      for (const gateway of gateways.values()) await gateway.close();
      await dir.remove();
    },
  };
}

/**
 * The settings of one agency's real gateway on the running network: its own data directory and
 * Fabric identity, the consortium's dev keys from `keysDir`, and the other gateways to which it
 * sends its checkpoint cosignatures.
 */
export function fabricGatewayEnv(agency: Agency, o: { readonly dataDir: string; readonly keysDir: string; readonly port: number; readonly peers: string; readonly connection?: string }): Record<string, string> {
  const paths = devKeyPaths(o.keysDir);
  return {
    PORT: String(o.port),
    COSIGNATURE_PEERS: o.peers,
    LEDGER: 'fabric',
    AGENCY: agency,
    FABRIC_CONNECTION: o.connection ?? networkConnection(agency),
    DATA_DIR: o.dataDir,
    SUBJECT_KEY: paths.subjectKey,
    // One document key for the four test gateways; each agency holds its own in production.
    DOCUMENT_KEY: paths.documentKey,
    TOKEN_JWKS: paths.jwks,
    RECEIPT_KEY: paths.gatewayKey(agency),
    NOTE_KEY: paths.noteKey(agency),
    TRUST_FILE: paths.trust,
    LOG_LEVEL: 'info',
    // A commit not seen in ten seconds makes the answer 202; the outbox tries again within seconds.
    LEDGER_COMMIT_TIMEOUT_SECONDS: '10',
    OUTBOX_RETRY_BASE_MS: '250',
    OUTBOX_RETRY_MAX_MS: '4000',
  };
}

export interface GatewaySettings {
  readonly mspId: string;
  readonly peerEndpoint: string;
  readonly peerHostAlias: string;
  readonly tlsCaCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly channel: string;
  readonly users: ReadonlyArray<{ readonly name: string; readonly certPath: string; readonly keyPath: string }>;
}

/**
 * A raw @hyperledger/fabric-gateway connection to an agency's own peer — no REST gateway in
 * between — as its `gateway` identity or one of its users, with the REST gateway's deadlines.
 */
export async function connectFabric(agency: Agency, user?: string): Promise<{ gateway: FabricGateway; settings: GatewaySettings; close: () => void }> {
  const settings = JSON.parse(await readFile(join(NETWORK_DIR, 'gateways', `${agency}.json`), 'utf8')) as GatewaySettings;
  const identity = user ? settings.users.find((u) => u.name === user) : settings;
  if (!identity) throw new Error(`no ${user} for ${agency}`);
  const client = new grpc.Client(settings.peerEndpoint, grpc.credentials.createSsl(await readFile(settings.tlsCaCertPath)), {
    'grpc.ssl_target_name_override': settings.peerHostAlias,
  });
  try {
    const gateway = connect({
      client,
      identity: { mspId: settings.mspId, credentials: await readFile(identity.certPath) },
      signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(identity.keyPath))),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
      endorseOptions: () => ({ deadline: Date.now() + 20_000 }),
      submitOptions: () => ({ deadline: Date.now() + 15_000 }),
      commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
    });
    return { gateway, settings, close: () => { gateway.close(); client.close(); } };
  } catch (error) {
    client.close();
    throw error;
  }
}
