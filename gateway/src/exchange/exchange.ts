import { join } from 'node:path';
import type { JWK } from 'jose';
import type { Agency } from 'correction-chaincode/domain';
import type { TrustFile } from 'correction-verifier';
import type { ExchangeSettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { NoticeReader } from '../services/notice-reader.js';
import { CursorFile } from './cursor-file.js';
import { ExchangeServer, type HeldFiles, type InternalEntryReader } from './exchange-server.js';
import { exchangeIdentity, PeerRecognizer } from './identity.js';
import { Prefetcher } from './prefetcher.js';
import { RemoteFiles, type FileSink } from './remote-files.js';

/** Files one gateway serves to its peers at once. */
const SERVING_CONCURRENCY = 16;
/** Files one gateway prefetches at once. */
const PREFETCH_CONCURRENCY = 4;
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;
const RETRY_AFTER_SECONDS = 5;

export interface ExchangeParts {
  readonly settings: ExchangeSettings;
  readonly agency: Agency;
  /** This agency's private receipt key: the exchange authenticates with it. */
  readonly receiptKey: JWK;
  readonly trust: TrustFile;
  readonly dataDir: string;
  readonly files: HeldFiles & FileSink;
  readonly entries: InternalEntryReader;
  readonly notices: NoticeReader;
  readonly metrics: Pick<Metrics, 'fileHashMismatches'>;
  readonly logger: Logger;
}

/** The gateway-to-gateway file exchange of one agency's gateway: its listener, its fetcher and its prefetcher. */
export interface Exchange {
  readonly remoteFiles: RemoteFiles;
  readonly prefetcher: Prefetcher | undefined;
  /** Starts listening (and prefetching); resolves with the bound port. */
  start(): Promise<number>;
  close(): Promise<void>;
}

export async function createExchange(parts: ExchangeParts): Promise<Exchange> {
  const { settings, agency, trust, files, logger } = parts;
  const identity = await exchangeIdentity(agency, parts.receiptKey, trust);
  const peers = new PeerRecognizer(trust);
  const server = new ExchangeServer({ identity, peers, entries: parts.entries, files, concurrency: SERVING_CONCURRENCY, logger });
  const remoteFiles = new RemoteFiles({
    identity,
    peers,
    urls: settings.peers,
    files,
    onMismatch: (holder) => {
      parts.metrics.fileHashMismatches.inc({ holder });
    },
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    logger,
  });
  const prefetcher = settings.prefetch
    ? new Prefetcher({
        agency,
        notices: parts.notices,
        files,
        remote: remoteFiles,
        cursor: new CursorFile(join(parts.dataDir, 'prefetch-cursor')),
        concurrency: PREFETCH_CONCURRENCY,
        backoff: { baseMs: 1_000, maxMs: 60_000 },
        attempts: 5,
        logger,
      })
    : undefined;
  return {
    remoteFiles,
    prefetcher,
    async start() {
      const port = await server.listen(settings.port, settings.host);
      await prefetcher?.start();
      return port;
    },
    async close() {
      await prefetcher?.close();
      await server.close();
    },
  };
}
