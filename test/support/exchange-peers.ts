import { generateKeyPairSync } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import type { JWK } from 'jose';
import { AGENCIES, DomainError, type Agency, type Entry } from 'correction-chaincode/domain';
import type { TrustFile } from 'correction-verifier';
import { ExchangeServer } from '../../gateway/src/exchange/exchange-server.js';
import { exchangeIdentity, PeerRecognizer, type ExchangeIdentity } from '../../gateway/src/exchange/identity.js';
import { RemoteFiles } from '../../gateway/src/exchange/remote-files.js';
import { devKeyPaths, ensureDevKeys, readJwk } from '../../gateway/src/keys.js';
import { createLogger, type Logger } from '../../gateway/src/logger.js';
import { readTrust } from '../../gateway/src/services/receipts.js';
import { FileStore } from '../../gateway/src/store/file-store.js';
import { createSealer } from '../../gateway/src/store/sealer.js';
import { tempDir } from './temp.js';

/** One agency's side of the exchange on loopback: its store, its listener and its fetcher. */
export interface ExchangePeer {
  readonly agency: Agency;
  readonly identity: ExchangeIdentity;
  readonly store: FileStore;
  readonly server: ExchangeServer;
  readonly remote: RemoteFiles;
  /** Files whose holder served other bytes, per holder. */
  readonly mismatches: Map<Agency, number>;
  port: number;
}

/**
 * The four agencies' exchanges on loopback, with real keys, a real trust file, real stores and
 * real TLS; the entries each holder reads stand in for its ledger (`entries`, filled by the test).
 */
export interface ExchangeNetwork {
  readonly peers: ReadonlyMap<Agency, ExchangePeer>;
  readonly entries: Map<string, Entry>;
  readonly trust: TrustFile;
  readonly logs: string[];
  readonly logger: Logger;
  peer(agency: Agency): ExchangePeer;
  /** Each peer's listener on a free port, every peer's URLs pointing at them. */
  url(agency: Agency): URL;
  close(): Promise<void>;
}

export async function exchangeNetwork(): Promise<ExchangeNetwork> {
  const dir = await tempDir('correction-exchange-');
  await ensureDevKeys(dir.path);
  const keys = devKeyPaths(dir.path);
  const trust = await readTrust(keys.trust);
  const logs: string[] = [];
  const logger = createLogger('info', new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  }));
  const entries = new Map<string, Entry>();
  const urls = new Map<Agency, URL>();
  const recognizer = new PeerRecognizer(trust);
  const peers = new Map<Agency, ExchangePeer>();
  const sealer = createSealer(new Uint8Array(32).fill(7));
  for (const agency of AGENCIES) {
    const identity = await exchangeIdentity(agency, await readJwk(keys.gatewayKey(agency)), trust);
    const store = await FileStore.open(`${dir.path}/${agency.toLowerCase()}`, { sealer, maxBytes: 10 * 1024 * 1024 });
    const server = new ExchangeServer({
      identity,
      peers: recognizer,
      files: store,
      concurrency: 4,
      logger,
      entries: (entryId) => {
        const entry = entries.get(entryId);
        return entry ? Promise.resolve(entry) : Promise.reject(new DomainError('NOT_FOUND', 'no such entry'));
      },
    });
    const mismatches = new Map<Agency, number>();
    const remote = new RemoteFiles({
      identity, peers: recognizer, urls, files: store, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000, retryAfterSeconds: 3, logger,
      onMismatch: (holder) => mismatches.set(holder, (mismatches.get(holder) ?? 0) + 1),
    });
    const peer: ExchangePeer = { agency, identity, store, server, remote, mismatches, port: 0 };
    peer.port = await server.listen(0, '127.0.0.1');
    urls.set(agency, new URL(`https://127.0.0.1:${peer.port}`));
    peers.set(agency, peer);
  }
  const peer = (agency: Agency): ExchangePeer => {
    const found = peers.get(agency);
    if (!found) throw new Error(`no peer ${agency}`);
    return found;
  };
  return {
    peers, entries, trust, logs, logger, peer,
    url: (agency) => urls.get(agency) ?? new URL('https://127.0.0.1:1'),
    async close() {
      for (const p of peers.values()) {
        await p.server.close();
        await p.store.close();
      }
      await dir.remove();
    },
  };
}

/** A P-256 key no trust file lists, with its identity as an exchange would make it (the check of the trust file bypassed). */
export async function strangerIdentity(agency: Agency, trust: TrustFile): Promise<ExchangeIdentity> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const listed = { ...trust, agencies: { ...trust.agencies, [agency]: { gatewayKeys: [publicKey.export({ format: 'jwk' })], noteKeys: trust.agencies[agency]?.noteKeys ?? [] } } } as TrustFile;
  return exchangeIdentity(agency, jwk, listed);
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A GET to an exchange as `identity` (or with no client certificate), the server's certificate not checked. */
export function exchangeGet(url: URL, path: string, identity?: ExchangeIdentity): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: url.hostname, port: url.port, path, method: 'GET', rejectUnauthorized: false, agent: false, ...(identity ? { key: identity.key, cert: identity.cert } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
