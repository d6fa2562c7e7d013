import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AGENCIES } from 'correction-chaincode/domain';
import { DOCUMENT_KEY_FILE, keyFileProblems, SUBJECT_KEY_FILE, type KeyFileSpec } from './key-files.js';
import { devKeyPaths } from './keys.js';
import { parseAddressRange, parseHostPattern } from './services/webhook-destinations.js';
import { DEFAULT_DELIVERY_LOG_SIZE } from './store/webhook-store.js';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Hosts only this machine reaches: monitor routes are open there unless the operator says otherwise. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const RATE = /^\d+(\.\d+)?(:\d+)?$/;

/** `rate` or `rate:burst`; the burst defaults to twice the rate. */
function bucket(text: string): { ratePerSecond: number; burst: number } {
  const [rate = '1', burst] = text.split(':');
  const ratePerSecond = Math.max(0.001, Number(rate));
  return { ratePerSecond, burst: Math.max(1, burst === undefined ? Math.ceil(ratePerSecond * 2) : Number(burst)) };
}

/** A comma-separated list, each entry checked by `valid`; empty entries are dropped. */
const list = (valid: (entry: string) => boolean, what: string) =>
  z
    .string()
    .transform((text) => text.split(',').map((entry) => entry.trim()).filter(Boolean))
    .refine((entries) => entries.every(valid), { error: `every entry must be ${what}` });

const ENV_SCHEMA = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LEDGER: z.enum(['embedded', 'fabric']).default('embedded'),
  /** Dev mode creates agency signing keys, a receipt key, a subject key and a document key under DATA_DIR. */
  DEV_MODE: boolish.optional(),
  /** File holding the consortium subject key, hex (32 to 256 bytes), outside DATA_DIR. Required outside dev mode. */
  SUBJECT_KEY: z.string().min(1).optional(),
  /** File holding this gateway's document key, hex (32 bytes), outside DATA_DIR. Required outside dev mode. */
  DOCUMENT_KEY: z.string().min(1).optional(),
  /** Agencies' public keys for bearer tokens: a JWKS file path or an http(s) URL. */
  TOKEN_JWKS: z.string().min(1).optional(),
  TOKEN_ISSUER: z.string().min(1).optional(),
  TOKEN_AUDIENCE: z.string().min(1).optional(),
  /** This gateway's private JWK (ES256): signs receipts and webhook notices for AGENCY. */
  RECEIPT_KEY: z.string().min(1).optional(),
  /** This agency's private Ed25519 note key: cosigns checkpoints for AGENCY (C2SP cosignature/v1). */
  NOTE_KEY: z.string().min(1).optional(),
  /** Consortium trust file (agency gateway keys) for verifying receipts brought back to the gateway. */
  TRUST_FILE: z.string().min(1).optional(),
  /** Also cosign the log at every multiple of N entries (0: only by slot and quiet period). */
  CHECKPOINT_EVERY: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** The checkpoint slot: entries reaching into a new one close a checkpoint; a log quiet this long is cosigned. */
  CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().min(0.05).max(86_400).default(0.5),
  /**
   * The anchoring slot, for a gateway whose checkpoints become final off chain (it has
   * COSIGNATURE_PEERS, or holds a quorum of note keys itself): under load only checkpoints that
   * reach into a new one are anchored on chain. At least the checkpoint slot.
   */
  CHECKPOINT_ANCHOR_INTERVAL_SECONDS: z.coerce.number().min(0.05).max(86_400).default(5),
  /**
   * The other agencies' gateways (API base URLs, comma-separated): this gateway sends them its
   * checkpoint cosignatures the moment it makes them, so checkpoints are final without waiting
   * for anchors to commit.
   */
  COSIGNATURE_PEERS: list((entry) => URL.canParse(entry) && /^https?:$/.test(new URL(entry).protocol), 'an http(s) URL').default([]),
  /** Whether the monitor routes (/v1/log…) answer without a token; by default only on a loopback HOST. */
  MONITOR_API: z.enum(['open', 'token']).optional(),
  /** Public holidays and weekend days worked instead, for deadlines in working days (JSON). */
  HOLIDAY_CALENDAR: z.string().min(1).optional(),
  /** A JSON file of deadline rules replacing the built-in table (same shape as DEADLINE_RULES). */
  DEADLINE_RULES: z.string().min(1).optional(),
  /** How often overdue obligations are looked for. */
  DEADLINE_SWEEP_SECONDS: z.coerce.number().min(0.05).max(86_400).default(60),
  /** First webhook retry delay in ms; each later wait lasts as long as the receiver has been failing, up to a minute. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(1_000),
  /** Hosts webhooks may point at: exact names or address literals, and `*.suffix` for every name below a suffix. */
  WEBHOOK_ALLOWED_HOSTS: list((entry) => parseHostPattern(entry) !== undefined, 'a host name, an address literal or *.suffix').default([]),
  /** Address ranges (CIDR) webhooks may reach although they are not public: loopback, private, link-local … */
  WEBHOOK_ALLOWED_ADDRESSES: list((entry) => parseAddressRange(entry) !== undefined, 'an IP address or CIDR range').default([]),
  /** Webhooks one agency may have at once. */
  WEBHOOK_MAX_PER_AGENCY: z.coerce.number().int().min(1).max(1_000).default(10),
  /** How long a receiver may keep failing before its webhook pauses (hours, fractions allowed). */
  WEBHOOK_GIVE_UP_HOURS: z.coerce.number().min(0.0001).max(24 * 30).default(24),
  /** Delivery attempts kept per webhook. */
  WEBHOOK_DELIVERY_LOG_SIZE: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_DELIVERY_LOG_SIZE),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The agency this gateway serves; required on Fabric, where each gateway holds one agency's identity. */
  AGENCY: z.enum(AGENCIES).optional(),
  /** Fabric connection settings (JSON) written by `npm run network:up`. */
  FABRIC_CONNECTION: z.string().min(1).optional(),
  /** Browser origins allowed to call the API (comma-separated); none by default. */
  CORS_ORIGINS: z.string().optional(),
  /** Token buckets, as `rate` or `rate:burst` (requests per second, largest burst). */
  RATE_LIMIT_AGENCY: z.string().regex(RATE, 'must be rate or rate:burst').default('1000:2000'),
  RATE_LIMIT_ADDRESS: z.string().regex(RATE, 'must be rate or rate:burst').default('1000:2000'),
  /** Ledger requests in progress at once; past it a request is answered 503 GATEWAY_BUSY with Retry-After. */
  LEDGER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(64),
  RATE_LIMIT_UNAUTHENTICATED: z.string().regex(RATE, 'must be rate or rate:burst').default('5:20'),
  /** The longest a bearer token may live, from iat to exp. */
  TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(12 * 3600),
  /**
   * On the embedded ledger, the units (comma-separated prefixes, `*` for any) its agencies'
   * identities may act for: what the `correction.units` certificate attribute bounds on Fabric.
   */
  LEDGER_UNITS: z
    .string()
    .regex(/^(?:\*|\d{2}|\d{4}|\d{6}|\d{9})(?:,(?:\*|\d{2}|\d{4}|\d{6}|\d{9}))*$/, 'must be division codes (2, 4, 6 or 9 digits) or *, comma-separated')
    .optional(),
  /** Most transactions per embedded-ledger block. */
  BLOCK_MAX_TRANSACTIONS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** How long a submission waits for its commit on Fabric before its outcome counts as unknown (202). */
  LEDGER_COMMIT_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  /** First delay before the outbox tries the ledger again; each further one doubles, up to OUTBOX_RETRY_MAX_MS. */
  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(1_000),
  OUTBOX_RETRY_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** The largest attachment (file) an upload may be, in bytes: 50 MiB unless the operator says otherwise. */
  DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1_024).max(2 ** 40).default(50 * 1_048_576),
  /** On Fabric, the port this gateway listens on for other agencies' gateways (mutual TLS); the exchange is off when unset. */
  EXCHANGE_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** The address the exchange listens on (HOST by default). */
  EXCHANGE_HOST: z.string().min(1).optional(),
  /** The other agencies' exchange URLs: a JSON object, agency → https://host:port. */
  EXCHANGE_PEERS: z.string().min(1).max(10_000).optional(),
  /** Fetch the files of entries this agency is entitled to as their notices arrive (on by default with the exchange). */
  DOCUMENT_PREFETCH: boolish.optional(),
});

/** EXCHANGE_PEERS: agency → https URL without credentials, query or fragment. */
const PEERS_SCHEMA = z.partialRecord(
  z.enum(AGENCIES),
  z.url({ protocol: /^https$/ }).refine((text) => {
    const url = new URL(text);
    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  }, 'must be an https URL without credentials, query or fragment'),
);

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly ledger: 'embedded' | 'fabric';
  readonly devMode: boolean;
  /** The consortium subject key's file (hex): HMAC key of subject references. */
  readonly subjectKeyFile: string;
  /** This gateway's document key's file (hex): seals documents and records at rest. */
  readonly documentKeyFile: string;
  readonly tokenJwks: string;
  readonly tokenIssuer: string | undefined;
  readonly tokenAudience: string | undefined;
  /** Agency → private JWK file of that agency's gateway key: the agencies this gateway signs for. */
  readonly gatewayKeyPaths: ReadonlyMap<(typeof AGENCIES)[number], string>;
  /** Agency → private note key file of that agency: the agencies this gateway cosigns checkpoints for. */
  readonly noteKeyPaths: ReadonlyMap<(typeof AGENCIES)[number], string>;
  readonly trustFile: string;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly checkpointAnchorIntervalMs: number;
  /** The other agencies' gateways, to which cosignatures go off chain. */
  readonly cosignaturePeers: readonly string[];
  /** Monitor routes answer without a token. */
  readonly monitorOpen: boolean;
  readonly holidayCalendar: string;
  readonly deadlineSweepMs: number;
  readonly deadlineRulesFile: string | undefined;
  readonly webhooks: WebhookSettings;
  readonly logLevel: string;
  readonly agency: (typeof AGENCIES)[number] | undefined;
  readonly fabricConnection: string | undefined;
  readonly blockMaxTransactions: number;
  /** The units the embedded ledger's identities may act for; undefined for any. */
  readonly ledgerUnits: string | undefined;
  readonly ledgerCommitTimeoutMs: number;
  readonly outboxRetry: { readonly baseMs: number; readonly maxMs: number };
  readonly corsOrigins: readonly string[];
  readonly rateLimits: {
    readonly agency: { readonly ratePerSecond: number; readonly burst: number };
    readonly address: { readonly ratePerSecond: number; readonly burst: number };
    readonly unauthenticated: { readonly ratePerSecond: number; readonly burst: number };
  };
  readonly tokenMaxLifetimeSeconds: number;
  readonly ledgerMaxInFlight: number;
  /** The largest attachment an upload may be, in bytes. */
  readonly documentMaxBytes: number;
  /** The gateway-to-gateway file exchange (Fabric only); undefined when off. */
  readonly exchange: ExchangeSettings | undefined;
}

export interface ExchangeSettings {
  readonly port: number;
  readonly host: string;
  /** Each other agency's exchange URL. */
  readonly peers: ReadonlyMap<(typeof AGENCIES)[number], URL>;
  /** Fetch entitled files in the background as notices arrive. */
  readonly prefetch: boolean;
}

export interface WebhookSettings {
  readonly retryBaseMs: number;
  readonly allowedHosts: readonly string[];
  readonly allowedAddresses: readonly string[];
  readonly maxPerAgency: number;
  readonly giveUpMs: number;
  readonly deliveryLogSize: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

type Env = z.infer<typeof ENV_SCHEMA>;

/** Settings a production gateway cannot do without; dev mode makes its own. */
const REQUIRED_OUTSIDE_DEV_MODE = ['SUBJECT_KEY', 'DOCUMENT_KEY', 'TOKEN_JWKS', 'RECEIPT_KEY', 'NOTE_KEY', 'TRUST_FILE'] as const;

/** Reads and validates the gateway's configuration, listing every problem at once. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const e = parseEnv(env);
  const dataDir = resolve(e.DATA_DIR);
  const devMode = e.DEV_MODE ?? e.LEDGER === 'embedded';
  const problems = [...missingSettings(e, devMode), ...inconsistentSettings(e), ...keyFileSettings(e, dataDir), ...exchangeProblems(e)];
  if (problems.length > 0) throw new ConfigError(problems);
  const dev = devKeyPaths(dataDir);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    ledger: e.LEDGER,
    devMode,
    subjectKeyFile: resolvedOr(e.SUBJECT_KEY, dev.subjectKey),
    documentKeyFile: resolvedOr(e.DOCUMENT_KEY, dev.documentKey),
    tokenJwks: e.TOKEN_JWKS ?? dev.jwks,
    tokenIssuer: e.TOKEN_ISSUER,
    tokenAudience: e.TOKEN_AUDIENCE,
    gatewayKeyPaths: gatewayKeyPaths(e, dataDir),
    noteKeyPaths: noteKeyPaths(e, dataDir),
    trustFile: resolvedOr(e.TRUST_FILE, dev.trust),
    checkpointEvery: e.CHECKPOINT_EVERY,
    checkpointIntervalMs: e.CHECKPOINT_INTERVAL_SECONDS * 1000,
    checkpointAnchorIntervalMs: e.CHECKPOINT_ANCHOR_INTERVAL_SECONDS * 1000,
    cosignaturePeers: e.COSIGNATURE_PEERS,
    monitorOpen: e.MONITOR_API ? e.MONITOR_API === 'open' : LOOPBACK_HOSTS.has(e.HOST),
    deadlineSweepMs: e.DEADLINE_SWEEP_SECONDS * 1000,
    deadlineRulesFile: resolvedOr(e.DEADLINE_RULES, undefined),
    webhooks: webhookSettings(e),
    holidayCalendar: resolvedOr(e.HOLIDAY_CALENDAR, fileURLToPath(new URL('../../../gateway/config/holidays-cn.json', import.meta.url))),
    logLevel: e.LOG_LEVEL,
    agency: e.AGENCY,
    fabricConnection: fabricConnectionPath(e),
    blockMaxTransactions: e.BLOCK_MAX_TRANSACTIONS,
    ledgerUnits: e.LEDGER_UNITS,
    ledgerCommitTimeoutMs: e.LEDGER_COMMIT_TIMEOUT_SECONDS * 1000,
    outboxRetry: { baseMs: e.OUTBOX_RETRY_BASE_MS, maxMs: e.OUTBOX_RETRY_MAX_MS },
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    ledgerMaxInFlight: e.LEDGER_MAX_IN_FLIGHT,
    rateLimits: { agency: bucket(e.RATE_LIMIT_AGENCY), address: bucket(e.RATE_LIMIT_ADDRESS), unauthenticated: bucket(e.RATE_LIMIT_UNAUTHENTICATED) },
    tokenMaxLifetimeSeconds: e.TOKEN_MAX_LIFETIME_SECONDS,
    documentMaxBytes: e.DOCUMENT_MAX_BYTES,
    exchange: exchangeSettings(e),
  };
}

/** The environment through the schema; an empty variable counts as unset. */
function parseEnv(env: Readonly<Record<string, string | undefined>>): Env {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ENV_SCHEMA.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

/** Settings that are each valid but missing for the mode the gateway runs in. */
function missingSettings(e: Env, devMode: boolean): string[] {
  const problems = devMode ? [] : REQUIRED_OUTSIDE_DEV_MODE.filter((name) => !e[name]).map((name) => `${name}: required outside dev mode`);
  if (e.LEDGER === 'fabric' && !e.AGENCY) problems.push('AGENCY: required when LEDGER=fabric');
  if (e.RECEIPT_KEY && !e.AGENCY) problems.push('AGENCY: required with RECEIPT_KEY (the agency the key signs for)');
  if (e.NOTE_KEY && !e.AGENCY) problems.push('AGENCY: required with NOTE_KEY (the agency the key cosigns for)');
  return problems;
}

/** Settings that are each valid but do not go together. */
function inconsistentSettings(e: Env): string[] {
  const problems: string[] = [];
  if (e.OUTBOX_RETRY_MAX_MS < e.OUTBOX_RETRY_BASE_MS) problems.push('OUTBOX_RETRY_MAX_MS: must not be below OUTBOX_RETRY_BASE_MS');
  if (e.LEDGER_UNITS && e.LEDGER === 'fabric') problems.push("LEDGER_UNITS: the embedded ledger's; on Fabric the gateway certificate's correction.units attribute bounds the units");
  return problems;
}

/** Key files the environment names: where they lie, who may read them, and what they hold. */
function keyFileSettings(e: Env, dataDir: string): string[] {
  const named: Array<[KeyFileSpec, string | undefined]> = [[SUBJECT_KEY_FILE, e.SUBJECT_KEY], [DOCUMENT_KEY_FILE, e.DOCUMENT_KEY]];
  return named.flatMap(([spec, path]) => (path === undefined ? [] : keyFileProblems(spec, path, dataDir)));
}

function resolvedOr<T>(path: string | undefined, fallback: T): string | T {
  return path ? resolve(path) : fallback;
}

function gatewayKeyPaths(e: Env, dataDir: string): Config['gatewayKeyPaths'] {
  if (e.RECEIPT_KEY && e.AGENCY) return new Map([[e.AGENCY, resolve(e.RECEIPT_KEY)]]);
  // Dev mode: the embedded gateway signs for every agency (or for AGENCY alone when set).
  return new Map((e.AGENCY ? [e.AGENCY] : AGENCIES).map((agency) => [agency, resolve(dataDir, 'keys', 'gateways', `${agency}.private.jwk`)] as const));
}

function noteKeyPaths(e: Env, dataDir: string): Config['noteKeyPaths'] {
  if (e.NOTE_KEY && e.AGENCY) return new Map([[e.AGENCY, resolve(e.NOTE_KEY)]]);
  return new Map((e.AGENCY ? [e.AGENCY] : AGENCIES).map((agency) => [agency, resolve(dataDir, 'keys', 'notes', `${agency}.key`)] as const));
}

/** Where `npm run network:up` writes the agency's connection settings, unless they are named. */
function fabricConnectionPath(e: Env): string | undefined {
  if (e.FABRIC_CONNECTION) return resolve(e.FABRIC_CONNECTION);
  return e.AGENCY ? resolve('.network', 'gateways', `${e.AGENCY}.json`) : undefined;
}

function webhookSettings(e: Env): WebhookSettings {
  return {
    retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    allowedHosts: e.WEBHOOK_ALLOWED_HOSTS,
    allowedAddresses: e.WEBHOOK_ALLOWED_ADDRESSES,
    maxPerAgency: e.WEBHOOK_MAX_PER_AGENCY,
    giveUpMs: e.WEBHOOK_GIVE_UP_HOURS * 3_600_000,
    deliveryLogSize: e.WEBHOOK_DELIVERY_LOG_SIZE,
  };
}

/** The exchange's settings, once exchangeProblems found none. */
function exchangeSettings(e: Env): ExchangeSettings | undefined {
  if (e.EXCHANGE_PORT === undefined) return undefined;
  const peers = PEERS_SCHEMA.parse(e.EXCHANGE_PEERS === undefined ? {} : JSON.parse(e.EXCHANGE_PEERS));
  return {
    port: e.EXCHANGE_PORT,
    host: e.EXCHANGE_HOST ?? e.HOST,
    peers: new Map(Object.entries(peers).map(([agency, url]) => [agency as (typeof AGENCIES)[number], new URL(url)] as const)),
    prefetch: e.DOCUMENT_PREFETCH ?? true,
  };
}

/** The exchange runs between Fabric gateways, each holding its own agency's receipt key; its peers are other agencies. */
function exchangeProblems(e: Env): string[] {
  if (e.EXCHANGE_PORT === undefined) {
    const stray = (['EXCHANGE_HOST', 'EXCHANGE_PEERS'] as const).filter((name) => e[name] !== undefined);
    return stray.map((name) => `${name}: needs EXCHANGE_PORT (the exchange is off without it)`);
  }
  const problems: string[] = [];
  if (e.LEDGER !== 'fabric') problems.push('EXCHANGE_PORT: the exchange runs between Fabric gateways (LEDGER=fabric)');
  if (!e.RECEIPT_KEY) problems.push('EXCHANGE_PORT: needs RECEIPT_KEY, the key this gateway authenticates with');
  return [...problems, ...peersProblems(e)];
}

function peersProblems(e: Env): string[] {
  if (e.EXCHANGE_PEERS === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(e.EXCHANGE_PEERS);
  } catch {
    return ['EXCHANGE_PEERS: must be JSON, e.g. {"COURT":"https://court.example:9443"}'];
  }
  const parsed = PEERS_SCHEMA.safeParse(value);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `EXCHANGE_PEERS.${issue.path.join('.')}: ${issue.message}`);
  if (parsed.success && e.AGENCY !== undefined && e.AGENCY in parsed.data) problems.push(`EXCHANGE_PEERS.${e.AGENCY}: this gateway's own agency is no peer`);
  return problems;
}
