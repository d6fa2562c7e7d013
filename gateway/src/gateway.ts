import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import type express from 'express';
import type { JWK } from 'jose';
import { DEADLINE_RULES, workingCalendar, type Agency } from 'correction-chaincode/domain';
import { parseDeadlineRules } from './deadline-rules.js';
import { readFile } from 'node:fs/promises';
import { createTokenVerifier } from './http/auth.js';
import { createApp } from './http/app.js';
import { DEFAULT_JSON_LIMITS } from './http/json-body.js';
import { RateLimiter } from './http/rate-limit.js';
import type { Config } from './config.js';
import { secureDataDir } from './data-dir.js';
import { DOCUMENT_KEY_FILE, readKeyFile, SUBJECT_KEY_FILE } from './key-files.js';
import { ensureDevKeys, mintDevToken, readJwk } from './keys.js';
import type { DevTokenMinter } from './http/routes/dev.js';
import { auditEmbeddedLedger } from './ledger/embedded/audit.js';
import { EmbeddedLedger } from './ledger/embedded/embedded-ledger.js';
import type { Ledger, LedgerEvent } from './ledger/port.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { publishCatalog } from './services/catalog.js';
import { CorrectionClient } from './services/correction-client.js';
import { CorrectionService, type LedgerAuditor } from './services/correction-service.js';
import { DocumentService, type RemoteFiles } from './services/documents.js';
import { EventRecorder } from './services/event-recorder.js';
import { LedgerWriter } from './services/ledger-writer.js';
import { OutboxDrainer } from './services/outbox-drainer.js';
import { createGatewaySigner, readTrust } from './services/receipts.js';
import { ProofService, type BlockSource } from './services/proof-service.js';
import { noticeSource } from './services/notice-stream.js';
import { obligationList } from './services/obligations.js';
import { Webhooks } from './services/webhooks.js';
import { destinationPolicy } from './services/webhook-destinations.js';
import { createWebhookTransport, type HostResolver } from './services/webhook-transport.js';
import { Checkpointer } from './log/checkpointer.js';
import { LogFollower } from './log/log-follower.js';
import { DeadlineWatcher } from './log/deadline-watcher.js';
import { Finality } from './log/finality.js';
import { WitnessClient } from './log/witness-client.js';
import { OffChainCosignatures } from './log/off-chain-cosignatures.js';
import { LogProjections } from './log/projections/log-projections.js';
import { InFlightLimit } from './http/in-flight.js';
import { readNoteSigner, type NoteSigner } from './note-keys.js';
import type { TrustFile } from 'correction-verifier';
import { GatewayStore } from './store/gateway-store.js';
import { FileStore } from './store/file-store.js';
import { OutboxStore } from './store/outbox-store.js';
import { createSealer, type Sealer } from './store/sealer.js';
import { VERSION } from './version.js';
import { createExchange, type Exchange, type ExchangeParts } from './exchange/exchange.js';
import { internalEntryReader } from './exchange/internal-reads.js';

export interface Gateway {
  readonly app: express.Express;
  readonly config: Config;
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** The log's projections of the ledger: tree, notices, chains and obligations, checkpoints. */
  readonly log: LogProjections;
  readonly follower: LogFollower;
  readonly checkpoints: Checkpointer;
  readonly finality: Finality;
  readonly witnesses: WitnessClient;
  readonly deadlines: DeadlineWatcher;
  readonly outbox: OutboxDrainer;
  /** Attachments kept by this gateway, by SHA-256. */
  readonly files: FileStore;
  /** The file exchange with the other agencies' gateways (Fabric, when EXCHANGE_PORT is set). */
  readonly exchange: Exchange | undefined;
  /** True when dev mode created keys on this start. */
  readonly createdDevKeys: boolean;
  /** Starts listening; resolves with the bound port (PORT=0 picks a free one). */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Cosignatures anchored on chain that name different roots for one size. */
export interface CheckpointConflict {
  readonly treeSize: number;
  readonly roots?: unknown;
  readonly source: 'chain';
}

export interface GatewayOptions {
  /** Where logs go (stdout by default); tests pass a stream to inspect them. */
  readonly logDestination?: DestinationStream;
  /** The time now, for deadlines (tests move it). */
  readonly clock?: () => Date;
  /** How webhook hosts are resolved (the system's resolver by default; tests answer for names of their own). */
  readonly resolveHost?: HostResolver;
  /** Where files this gateway lacks are fetched from (the holder's gateway, on Fabric); none: FILE_NOT_HELD. */
  readonly remoteFiles?: RemoteFiles;
}

/** The longest one webhook delivery may take, from resolving the host to the end of the answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Webhook deliveries in flight at once, whatever the number of webhooks. */
const WEBHOOK_CONCURRENCY = 64;

async function readGatewayKeys(config: Config): Promise<Map<Agency, JWK>> {
  const keys = new Map<Agency, JWK>();
  for (const [agency, path] of config.gatewayKeyPaths) keys.set(agency, await readJwk(path));
  return keys;
}

/**
 * The note keys this gateway cosigns checkpoints with. Each must be one the trust file lists for
 * its agency: a cosignature no verifier counts would only look like one.
 */
async function readCosigners(config: Config, trust: TrustFile): Promise<Map<Agency, NoteSigner>> {
  const cosigners = new Map<Agency, NoteSigner>();
  for (const [agency, path] of config.noteKeyPaths) {
    const signer = await readNoteSigner(path);
    if (!(trust.agencies[agency]?.noteKeys ?? []).includes(signer.vkey)) {
      throw new Error(`the note key of ${agency} (${signer.vkey}) is not among ${agency}'s note keys in the trust file`);
    }
    cosigners.set(agency, signer);
  }
  return cosigners;
}

/** The ledger, its whole-ledger auditor (given the log, which the Fabric audit compares with the blocks), and its block source. */
interface OpenedLedger {
  readonly ledger: Ledger;
  readonly auditorOf: (log: LogProjections) => LedgerAuditor | undefined;
  readonly blocks?: BlockSource;
}

async function openLedger(config: Config, sealer: Sealer, metrics: Metrics): Promise<OpenedLedger> {
  if (config.ledger === 'embedded') {
    const ledger = await EmbeddedLedger.open({ dataDir: config.dataDir, maxBlockTransactions: config.blockMaxTransactions, sealer, units: config.ledgerUnits });
    return { ledger, auditorOf: () => ({ auditLedger: () => auditEmbeddedLedger(ledger) }) };
  }
  const { FabricLedger } = await import('./ledger/fabric/fabric-ledger.js');
  const ledger = await FabricLedger.connect(config, {
    commitTimeoutMs: config.ledgerCommitTimeoutMs,
    onRetry: (cause) => {
      metrics.submitRetries.inc({ cause });
    },
  });
  const { FabricLedgerAuditor } = await import('./ledger/fabric/audit/fabric-auditor.js');
  const agency = config.agency;
  const auditorOf = (log: LogProjections) => (agency === undefined ? undefined : new FabricLedgerAuditor({ ledger, agency, dataDir: config.dataDir, log: log.tree }));
  return { ledger, blocks: ledger, auditorOf };
}

/** Where files this gateway lacks come from: the test's, or the exchange's fetcher. */
const remoteFilesOf = (options: GatewayOptions, exchange: Exchange | undefined): RemoteFiles | undefined => options.remoteFiles ?? exchange?.remoteFiles;

/** The exchange, when configured: it authenticates with this agency's receipt key. */
async function exchangeOf(
  config: Config,
  parts: Pick<ExchangeParts, 'trust' | 'files' | 'notices' | 'metrics' | 'logger'> & { entries: CorrectionClient },
): Promise<Exchange | undefined> {
  const path = config.agency === undefined ? undefined : config.gatewayKeyPaths.get(config.agency);
  if (!config.exchange || config.agency === undefined || path === undefined) return undefined;
  return createExchange({
    ...parts,
    settings: config.exchange,
    agency: config.agency,
    receiptKey: await readJwk(path),
    dataDir: config.dataDir,
    entries: internalEntryReader(parts.entries, config.agency),
  });
}

/**
 * Checkpoints that become final off chain (cosignatures sent between the gateways, or a quorum of
 * note keys held by this one) need anchoring only now and then; others become final as their
 * anchors commit, so every checkpoint is anchored.
 */
function anchorIntervalMs(config: Config, cosigners: number, trust: TrustFile): number {
  const finalOffChain = config.cosignaturePeers.length > 0 || cosigners >= trust.policy.agencies;
  return finalOffChain ? config.checkpointAnchorIntervalMs : config.checkpointIntervalMs;
}

/** Wires the gateway from its configuration. Nothing listens until listen(). */
export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const tightened = await secureDataDir(config.dataDir);
  if (tightened > 0) logger.warn({ tightened }, 'took group and others\' access away from files under DATA_DIR');
  const createdDevKeys = config.devMode ? await ensureDevKeys(config.dataDir) : false;
  const sealer = createSealer(await readKeyFile(DOCUMENT_KEY_FILE, config.documentKeyFile));
  const trust = await readTrust(config.trustFile);
  // Gauges read the ledger and the outbox when scraped, after both are open.
  const metrics = createMetrics(() => ledger.height(), () => outbox.pendingCount);
  const [{ ledger, auditorOf, blocks }, store, outbox, signer, cosigners, tokens, subjectKey, log, files] = await Promise.all([
    openLedger(config, sealer, metrics),
    GatewayStore.open(config.dataDir, { sealer, deliveryLogSize: config.webhooks.deliveryLogSize }),
    OutboxStore.open(config.dataDir, { sealer }),
    readGatewayKeys(config).then(createGatewaySigner),
    readCosigners(config, trust),
    createTokenVerifier({ jwks: config.tokenJwks, issuer: config.tokenIssuer, audience: config.tokenAudience, maxLifetimeSeconds: config.tokenMaxLifetimeSeconds }),
    readKeyFile(SUBJECT_KEY_FILE, config.subjectKeyFile),
    LogProjections.open(config.dataDir),
    FileStore.open(config.dataDir, { sealer, maxBytes: config.documentMaxBytes }),
  ]);
  const clock = options.clock ?? (() => new Date());
  const calendar = workingCalendar(JSON.parse(await readFile(config.holidayCalendar, 'utf8')) as { holidays?: string[]; workdays?: string[] });
  const deadlineRules = config.deadlineRulesFile ? parseDeadlineRules(JSON.parse(await readFile(config.deadlineRulesFile, 'utf8'))) : DEADLINE_RULES;
  const follower = new LogFollower(ledger, log, logger, { calendar, now: clock, rules: deadlineRules });
  const deadlines = new DeadlineWatcher({ log, now: clock, intervalMs: config.deadlineSweepMs, logger });
  const finality = new Finality(log, trust, logger);
  follower.on('cosignature', finality.onCosignature);
  const offChain = new OffChainCosignatures({ log, trust, consider: (size) => finality.consider(size), peers: config.cosignaturePeers, logger });
  follower.on('appended', offChain.onAppended);
  const checkpoints = new Checkpointer({
    ledger, log, follower, cosigners, origin: trust.origin, every: config.checkpointEvery, intervalMs: config.checkpointIntervalMs, logger,
    anchorIntervalMs: anchorIntervalMs(config, cosigners.size, trust),
    publish: (lines) => offChain.publish(lines),
  });
  offChain.on('cosignature', (cosignature: { treeSize: number; agency: Agency }) => {
    checkpoints.join(cosignature, false);
  });
  offChain.on('conflict', (conflict: { treeSize: number; agency: Agency; reason: string }) => {
    metrics.checkpointConflicts.inc();
    logger.error({ ...conflict, source: 'peer' }, 'ALERT: an agency\'s gateway cosigned another root than this log\'s at the same size');
  });
  const witnesses = new WitnessClient({ log, finality, trust, logger });
  follower.on('event', (event: LedgerEvent) => {
    metrics.chainEvents.inc({ event: event.name });
  });
  follower.on('conflict', (conflict: CheckpointConflict) => {
    metrics.checkpointConflicts.inc();
    logger.error({ treeSize: conflict.treeSize, roots: conflict.roots, source: conflict.source }, 'ALERT: agencies cosigned different log roots for the same size');
  });
  witnesses.on('conflict', (conflict: { treeSize: number; witness: string; reason: string }) => {
    metrics.checkpointConflicts.inc();
    logger.error({ ...conflict, source: 'witness' }, 'ALERT: a witness refused this log\'s checkpoint as inconsistent with one it cosigned: another log uses this origin');
  });
  const client = new CorrectionClient(ledger);
  const proofs = new ProofService({ client, tree: log.tree, checkpoints: log.checkpoints, signer, trust, blocks });
  const service = new CorrectionService({
    client,
    subjectKey,
    servesAgency: config.ledger === 'fabric' ? config.agency : undefined,
    auditor: auditorOf(log),
    calendar,
    deadlineRules,
    clock,
  });
  // Submissions are stamped with the real time; the injectable clock is the statutory one.
  const wallClock = () => new Date();
  const writer = new LedgerWriter({
    client,
    signer,
    onRecorded: (entry) => {
      metrics.eventsRecorded.inc({ type: entry.type, agency: entry.agency });
    },
  });
  const drainer = new OutboxDrainer({ outbox, writer, responses: store, notices: log, backoff: { ...config.outboxRetry, jitter: 0.2 }, clock: wallClock, logger });
  const recorder = new EventRecorder({
    writer,
    outbox,
    responses: store,
    subjectKey,
    servesAgency: config.ledger === 'fabric' ? config.agency : undefined,
    onAccepted: () => {
      drainer.wake();
    },
    clock: wallClock,
    files,
  });
  const exchange = await exchangeOf(config, { trust, files, notices: log.notices, entries: client, metrics, logger });
  const documents = new DocumentService({
    files, entries: service, servesAgency: config.ledger === 'fabric' ? config.agency : undefined, remoteFiles: remoteFilesOf(options, exchange),
  });
  const transport = createWebhookTransport({
    policy: destinationPolicy(config.webhooks),
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    concurrency: WEBHOOK_CONCURRENCY,
    ...(options.resolveHost ? { resolve: options.resolveHost } : {}),
  });
  const webhooks = new Webhooks({
    store: store.webhooks, notices: log.notices, signer, transport, retryBaseMs: config.webhooks.retryBaseMs, giveUpMs: config.webhooks.giveUpMs,
    maxPerAgency: config.webhooks.maxPerAgency, logger,
  });
  follower.start();
  witnesses.start();
  checkpoints.start();
  deadlines.start();
  drainer.start();
  await webhooks.start();
  const limits = {
    json: DEFAULT_JSON_LIMITS,
    agency: new RateLimiter(config.rateLimits.agency),
    address: new RateLimiter(config.rateLimits.address),
    unauthenticated: new RateLimiter(config.rateLimits.unauthenticated),
    ledgerInFlight: new InFlightLimit(config.ledgerMaxInFlight),
  };
  const app = createApp({
    service, recorder, documents, proofs, cosignatures: offChain, notices: noticeSource(log.notices), obligations: obligationList(log.chains, clock), webhooks, catalog: publishCatalog(deadlineRules), tokens, limits,
    corsOrigins: config.corsOrigins, logger, metrics, ready: () => ledger.ready(), version: VERSION, monitorOpen: config.monitorOpen,
    devTokens: devTokenMinter(config),
    tokenClaims: { issuer: config.tokenIssuer, audience: config.tokenAudience, maxLifetimeSeconds: config.tokenMaxLifetimeSeconds },
  });
  let server: Server | undefined;

  return {
    app,
    config,
    ledger,
    logger,
    log,
    follower,
    checkpoints,
    finality,
    witnesses,
    deadlines,
    outbox: drainer,
    files,
    exchange,
    createdDevKeys,
    listen() {
      return new Promise<number>((resolve, reject) => {
        const listening = createServer(app);
        listening.keepAliveTimeout = 65_000;
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          server = listening;
          resolve((listening.address() as AddressInfo).port);
        });
      }).then(async (port) => {
        await exchange?.start();
        return port;
      });
    },
    async close() {
      if (server) {
        const closing = server;
        await new Promise<void>((resolve) => {
          closing.close(() => {
            resolve();
          });
          closing.closeAllConnections();
        });
      }
      await exchange?.close();
      await drainer.close();
      await webhooks.close();
      await deadlines.close();
      await checkpoints.close();
      await follower.close();
      await witnesses.close();
      await finality.close();
      await log.close();
      await ledger.close();
      await store.close();
      await outbox.close();
      await files.close();
    },
  };
}

/** How long a token from the dev login lives. */
const DEV_TOKEN_SECONDS = 8 * 3600;

/** Dev mode's tokens, signed with the dev agency keys under DATA_DIR, for this gateway's issuer and audience; none outside dev mode. */
function devTokenMinter(config: Config): DevTokenMinter | undefined {
  if (!config.devMode) return undefined;
  const seconds = Math.min(DEV_TOKEN_SECONDS, config.tokenMaxLifetimeSeconds);
  return async (request) => {
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString();
    const token = await mintDevToken(config.dataDir, {
      ...request,
      expiresIn: `${seconds}s`,
      ...(config.tokenIssuer ? { issuer: config.tokenIssuer } : {}),
      ...(config.tokenAudience ? { audience: config.tokenAudience } : {}),
    });
    return { token, expiresAt };
  };
}
