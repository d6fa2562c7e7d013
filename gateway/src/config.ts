import { resolve } from 'node:path';
import { z } from 'zod';
import { AGENCIES } from 'correction-chaincode/domain';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ENV_SCHEMA = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LEDGER: z.enum(['embedded', 'fabric']).default('embedded'),
  /** Dev mode creates agency signing keys, a receipt key and a subject key under DATA_DIR. */
  DEV_MODE: boolish.optional(),
  /** Consortium subject key, hex (at least 32 bytes). Required outside dev mode. */
  SUBJECT_KEY: z.string().regex(/^([0-9a-fA-F]{2}){32,}$/, 'must be at least 32 bytes of hex').optional(),
  /** Agencies' public keys for bearer tokens: a JWKS file path or an http(s) URL. */
  TOKEN_JWKS: z.string().min(1).optional(),
  TOKEN_ISSUER: z.string().min(1).optional(),
  TOKEN_AUDIENCE: z.string().min(1).optional(),
  /** This gateway's private JWK (ES256) signing receipts. */
  RECEIPT_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The agency this gateway serves; required on Fabric, where each gateway holds one agency's identity. */
  AGENCY: z.enum(AGENCIES).optional(),
  /** Fabric connection settings (JSON) written by `npm run network:up`. */
  FABRIC_CONNECTION: z.string().min(1).optional(),
  /** Most transactions per embedded-ledger block. */
  BLOCK_MAX_TRANSACTIONS: z.coerce.number().int().min(1).max(10_000).default(500),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly ledger: 'embedded' | 'fabric';
  readonly devMode: boolean;
  readonly subjectKeyHex: string | undefined;
  readonly tokenJwks: string;
  readonly tokenIssuer: string | undefined;
  readonly tokenAudience: string | undefined;
  readonly receiptKeyPath: string;
  readonly logLevel: string;
  readonly agency: (typeof AGENCIES)[number] | undefined;
  readonly fabricConnection: string | undefined;
  readonly blockMaxTransactions: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Reads and validates the gateway's configuration, listing every problem at once. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ENV_SCHEMA.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const devMode = e.DEV_MODE ?? e.LEDGER === 'embedded';
  const problems: string[] = [];
  if (!devMode) {
    if (!e.SUBJECT_KEY) problems.push('SUBJECT_KEY: required outside dev mode');
    if (!e.TOKEN_JWKS) problems.push('TOKEN_JWKS: required outside dev mode');
    if (!e.RECEIPT_KEY) problems.push('RECEIPT_KEY: required outside dev mode');
  }
  if (e.LEDGER === 'fabric' && !e.AGENCY) problems.push('AGENCY: required when LEDGER=fabric');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    ledger: e.LEDGER,
    devMode,
    subjectKeyHex: e.SUBJECT_KEY,
    tokenJwks: e.TOKEN_JWKS ?? resolve(dataDir, 'keys', 'agencies.jwks.json'),
    tokenIssuer: e.TOKEN_ISSUER,
    tokenAudience: e.TOKEN_AUDIENCE,
    receiptKeyPath: e.RECEIPT_KEY ? resolve(e.RECEIPT_KEY) : resolve(dataDir, 'keys', 'receipt.private.jwk'),
    logLevel: e.LOG_LEVEL,
    agency: e.AGENCY,
    fabricConnection: e.FABRIC_CONNECTION
      ? resolve(e.FABRIC_CONNECTION)
      : e.AGENCY
        ? resolve('.network', 'gateways', `${e.AGENCY}.json`)
        : undefined,
    blockMaxTransactions: e.BLOCK_MAX_TRANSACTIONS,
  };
}
