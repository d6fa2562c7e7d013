import canonicalize from 'canonicalize';
import { z } from 'zod';
import { sha256, toBase64, utf8 } from './bytes.js';
import { isKeyName, keyThumbprint, NoteError, parseCosignerKey, type CosignerKey } from './note.js';

export const AGENCY_CODES = ['COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'] as const;
export type AgencyCode = (typeof AGENCY_CODES)[number];

/** An agency gateway's ES256 public key (receipts, webhook notices), as a JWK. */
export interface GatewayKey {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid?: string | undefined;
  readonly alg?: 'ES256' | undefined;
  readonly use?: 'sig' | undefined;
}

/**
 * What a verifier trusts, published by the consortium: the log's origin; each agency's gateway
 * keys (receipts) and note keys (checkpoint cosignatures); the outside witnesses; the policy that
 * makes a checkpoint final; and on Fabric the channel's MSP roots and orderers.
 */
export interface TrustFile {
  readonly version: 2;
  readonly consortium: string;
  /** The checkpoint origin: one consortium, one channel. */
  readonly origin: string;
  readonly agencies: Readonly<Partial<Record<AgencyCode, AgencyKeys>>>;
  readonly witnesses: readonly Witness[];
  readonly policy: CheckpointPolicy;
  readonly fabric?: FabricTrust | undefined;
}

export interface AgencyKeys {
  readonly gatewayKeys: readonly GatewayKey[];
  /** Ed25519 cosignature/v1 verifier keys (vkeys). */
  readonly noteKeys: readonly string[];
}

/** An outside witness (c2sp.org/tlog-witness), e.g. run by a notary office. */
export interface Witness {
  readonly name: string;
  /** Its Ed25519 cosignature/v1 verifier key. */
  readonly key: string;
  /** Its submission prefix; gateways submit checkpoints there, verifiers need not. */
  readonly url?: string | undefined;
}

/** How many distinct agencies and witnesses must cosign a checkpoint for it to be final. */
export interface CheckpointPolicy {
  readonly agencies: number;
  readonly witnesses: number;
}

/** The channel's ordering service as the consortium configured it. */
export interface FabricTrust {
  readonly channel: string;
  /** MSP ID → PEM root certificates of that org's CA. */
  readonly mspRoots: Readonly<Record<string, readonly string[]>>;
  /** BFT consenters by numeric id (blocks name their signers by id), with their signing certificates. */
  readonly consenters: ReadonlyArray<{ readonly id: number; readonly mspId: string; readonly identity: string }>;
  /** Distinct orderer signatures a block needs (BFT with four orderers: 3). */
  readonly blockSignatures: number;
}

/** Fewest agencies whose cosignatures make a checkpoint final among n: more than two thirds. */
export const agencyQuorum = (n: number): number => Math.floor((2 * n) / 3) + 1;

const b64url = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url');

/** A public P-256 key; private material (`d`) is refused rather than published by mistake. */
const GatewayKeySchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: b64url,
  y: b64url,
  kid: z.string().min(1).max(200).optional(),
  alg: z.literal('ES256').optional(),
  use: z.literal('sig').optional(),
});

const vkey = z.string().max(600).superRefine((text, ctx) => {
  try {
    parseCosignerKey(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof NoteError ? error.message : 'not a verifier key' });
  }
});

/** An origin line: non-empty, printable, no spaces or plus (c2sp.org/tlog-checkpoint). */
const origin = z.string().max(255).refine(isKeyName, 'must be a non-empty name without spaces or plus, e.g. ledger.example/corrections');

const FabricTrustSchema = z.strictObject({
  channel: z.string().min(1).max(250),
  mspRoots: z.record(z.string().min(1).max(250), z.array(z.string().max(16_384)).max(16)),
  consenters: z.array(z.strictObject({ id: z.number().int().min(0), mspId: z.string().min(1).max(250), identity: z.string().max(16_384) })).max(64),
  blockSignatures: z.number().int().min(1).max(64),
});

const TrustFileSchema = z
  .strictObject({
    version: z.literal(2),
    consortium: z.string().min(1).max(200),
    origin,
    agencies: z.partialRecord(
      z.enum(AGENCY_CODES),
      z.strictObject({ gatewayKeys: z.array(GatewayKeySchema).min(1).max(8), noteKeys: z.array(vkey).min(1).max(8) }),
    ),
    witnesses: z.array(z.strictObject({ name: z.string().min(1).max(200), key: vkey, url: z.url({ protocol: /^https?$/ }).optional() })).max(16).default([]),
    policy: z.strictObject({ agencies: z.number().int().min(1), witnesses: z.number().int().min(0) }),
    fabric: FabricTrustSchema.optional(),
  })
  .superRefine((trust, ctx) => {
    for (const problem of policyProblems(trust)) ctx.addIssue({ code: 'custom', ...problem });
  });

interface Problem {
  readonly path: Array<string | number>;
  readonly message: string;
}

/** What the shape cannot say: quorum, one owner per key, an origin bound to the channel. */
function policyProblems(trust: z.output<typeof TrustFileSchema>): Problem[] {
  const n = Object.keys(trust.agencies).length;
  const problems: Problem[] = [];
  if (n === 0) problems.push({ path: ['agencies'], message: 'must list at least one agency' });
  if (trust.policy.agencies < agencyQuorum(n) || trust.policy.agencies > n) {
    problems.push({ path: ['policy', 'agencies'], message: `must be at least ${agencyQuorum(n)} (more than two thirds of ${n} agencies) and at most ${n}` });
  }
  if (trust.policy.witnesses > trust.witnesses.length) {
    problems.push({ path: ['policy', 'witnesses'], message: `must be at most the ${trust.witnesses.length} witnesses listed` });
  }
  if (trust.fabric && !trust.origin.endsWith(`/${trust.fabric.channel}`)) {
    problems.push({ path: ['origin'], message: `must end with the channel, /${trust.fabric.channel}` });
  }
  return [...problems, ...duplicateKeyProblems(trust)];
}

/** RFC 7638 thumbprint of an EC key: SHA-256 of its required members in canonical JSON. */
export function gatewayKeyThumbprint(key: GatewayKey): string {
  return toBase64(sha256(utf8(canonicalize({ crv: key.crv, kty: key.kty, x: key.x, y: key.y }) ?? '')));
}

/** A key listed twice — under two agencies, or for an agency and a witness — would count twice: refused. */
function duplicateKeyProblems(trust: z.output<typeof TrustFileSchema>): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  const claim = (thumbprint: string, owner: string, path: Array<string | number>) => {
    const first = seen.get(thumbprint);
    if (first !== undefined) problems.push({ path, message: `the same key is already listed for ${first}: one key counts once` });
    else seen.set(thumbprint, owner);
  };
  for (const [agency, keys] of Object.entries(trust.agencies)) {
    keys.gatewayKeys.forEach((key, i) => {
      claim(`jwk:${gatewayKeyThumbprint(key)}`, agency, ['agencies', agency, 'gatewayKeys', i]);
    });
    keys.noteKeys.forEach((key, i) => {
      claim(`ed25519:${noteKeyThumbprint(key)}`, agency, ['agencies', agency, 'noteKeys', i]);
    });
  }
  trust.witnesses.forEach((witness, i) => {
    claim(`ed25519:${noteKeyThumbprint(witness.key)}`, `witness ${witness.name}`, ['witnesses', i, 'key']);
  });
  return problems;
}

/** The public key of a vkey; a malformed one (already reported by its own schema) is its own text. */
function noteKeyThumbprint(vkeyText: string): string {
  try {
    return keyThumbprint(parseCosignerKey(vkeyText));
  } catch {
    return vkeyText;
  }
}

export interface TrustFileIssue {
  readonly path: string;
  readonly message: string;
}

export class TrustFileError extends Error {
  override readonly name = 'TrustFileError';
  readonly code = 'TRUST_FILE_INVALID';
  readonly issues: readonly TrustFileIssue[];
  constructor(issues: readonly TrustFileIssue[]) {
    super(`invalid trust file:\n${issues.map((i) => `  - ${i.path || '(file)'}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

/** Validates a parsed trust file, naming every problem at once (TrustFileError). */
export function parseTrustFile(value: unknown): TrustFile {
  const parsed = TrustFileSchema.safeParse(value);
  if (!parsed.success) {
    throw new TrustFileError(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })));
  }
  return parsed.data;
}

/** Reads trust file text: JSON, then the schema. */
export function parseTrustFileText(text: string): TrustFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TrustFileError([{ path: '', message: 'is not JSON' }]);
  }
  return parseTrustFile(value);
}

/** A key the trust file lists for checkpoints, with whose it is. */
export interface TrustedKey {
  readonly key: CosignerKey;
  readonly owner: { readonly kind: 'agency'; readonly agency: AgencyCode } | { readonly kind: 'witness'; readonly name: string };
}

/** Every checkpoint key of the trust file: agencies' note keys and witnesses' keys. */
export function trustedKeys(trust: TrustFile): TrustedKey[] {
  const keys: TrustedKey[] = [];
  for (const agency of AGENCY_CODES) {
    for (const vkeyText of trust.agencies[agency]?.noteKeys ?? []) keys.push({ key: parseCosignerKey(vkeyText), owner: { kind: 'agency', agency } });
  }
  for (const witness of trust.witnesses) keys.push({ key: parseCosignerKey(witness.key), owner: { kind: 'witness', name: witness.name } });
  return keys;
}

/** The gateway keys the trust file lists for an agency; none for a name that is no agency. */
export function gatewayKeysOf(trust: TrustFile, agency: string): readonly GatewayKey[] {
  return (AGENCY_CODES as readonly string[]).includes(agency) ? (trust.agencies[agency as AgencyCode]?.gatewayKeys ?? []) : [];
}
