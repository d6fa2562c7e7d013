import type { JWK } from 'jose';
import { checkpointPayload, CHECKPOINT_TYPE, RECEIPT_TYPE, verifyJws, type CheckpointBody, type Cosignature } from './checkpoint.js';
import { documentHash, GENESIS_HASH, recomputeEntryHash, type EntryLike } from './entry.js';
import { fromHex, leafHash, verifyInclusion } from './merkle.js';
import { AGENCY_CODES, type AgencyCode, type TrustFile } from './trust.js';

/**
 * Everything needed to check, offline and without trusting any gateway, that a document is the
 * one recorded, that its entry sits unaltered in its subject's chain and in the consortium's log,
 * and that the agencies saw the same log.
 */
export interface EvidenceBundle {
  readonly version: 1;
  readonly entry: EntryLike;
  /** The subject's chain from its first entry up to and including `entry`. */
  readonly chain: readonly EntryLike[];
  /** The recording gateway's receipt (compact JWS), when the serving gateway holds it. */
  readonly receipt: string | null;
  readonly inclusion: { readonly leafIndex: number; readonly treeSize: number; readonly auditPath: readonly string[] };
  readonly checkpoint: CheckpointBody & { readonly cosignatures: readonly Cosignature[] };
  /** On Fabric: where the transaction sits, and the block the orderers signed. */
  readonly fabric?: FabricEvidence;
}

export interface FabricEvidence {
  readonly channel: string;
  readonly blockNumber: number;
  readonly txId: string;
  /** The block (common.Block protobuf), base64. */
  readonly block: string;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyOptions {
  /** The document itself, to check against the entry's docHash. */
  readonly document?: unknown;
  /** Checks the Fabric block part of a bundle; supplied by the Fabric module when available. */
  readonly fabricCheck?: (fabric: FabricEvidence, entry: EntryLike, trust: TrustFile) => Promise<Check>;
}

export interface Verdict {
  readonly ok: boolean;
  readonly checks: readonly Check[];
}

const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** Runs every check of the bundle and names each one that fails. */
export async function verifyEvidence(bundle: EvidenceBundle, trust: TrustFile, options: VerifyOptions = {}): Promise<Verdict> {
  const { entry } = bundle;
  const checks: Check[] = [];
  if (options.document !== undefined) checks.push(documentCheck(options.document, entry));
  checks.push(entryHashCheck(entry));
  checks.push(check('subject chain', ...checkChain(bundle.chain, entry)));
  checks.push(await receiptCheck(bundle.receipt, entry, trust));
  checks.push(inclusionCheck(bundle));
  checks.push(check('checkpoint cosignatures', ...(await checkCheckpoint(bundle.checkpoint, trust))));
  if (bundle.fabric) checks.push(await fabricBlockCheck(bundle.fabric, entry, trust, options));
  return { ok: checks.every((c) => c.ok), checks };
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

function documentCheck(document: unknown, entry: EntryLike): Check {
  const hash = documentHash(document);
  const ok = hash === entry.docHash;
  return check('document hash', ok, ok ? `matches docHash ${hash}` : `document hashes to ${hash}, the entry records ${entry.docHash}`);
}

function entryHashCheck(entry: EntryLike): Check {
  const ownHash = safe(() => recomputeEntryHash(entry));
  const ok = ownHash === entry.hash;
  return check('entry hash', ok, ok ? `recomputed ${entry.hash}` : `entry contents hash to ${ownHash ?? '(unhashable)'}, it claims ${entry.hash}`);
}

async function receiptCheck(receipt: string | null, entry: EntryLike, trust: TrustFile): Promise<Check> {
  if (receipt === null) return check('receipt', false, 'the bundle carries no receipt of the recording gateway');
  return check('receipt', ...(await checkReceipt(receipt, entry, trust)));
}

/** The bundle's audit path leads from the entry hash to the root of the checkpoint it names. */
function inclusionCheck(bundle: EvidenceBundle): Check {
  const { entry, inclusion, checkpoint } = bundle;
  const included =
    isHex64(entry.hash) &&
    isHex64(checkpoint.root) &&
    inclusion.treeSize === checkpoint.treeSize &&
    inclusion.auditPath.every(isHex64) &&
    verifyInclusion(inclusion.leafIndex, inclusion.treeSize, leafHash(fromHex(entry.hash)), inclusion.auditPath.map(fromHex), fromHex(checkpoint.root));
  return check('inclusion proof', included, included ? `leaf ${inclusion.leafIndex} of ${inclusion.treeSize} leads to root ${checkpoint.root}` : 'the audit path does not lead from the entry hash to the checkpoint root');
}

async function fabricBlockCheck(fabric: FabricEvidence, entry: EntryLike, trust: TrustFile, options: VerifyOptions): Promise<Check> {
  if (!options.fabricCheck) return check('fabric block', false, 'no Fabric block verifier available');
  return options.fabricCheck(fabric, entry, trust);
}

function safe<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

function checkChain(chain: readonly EntryLike[], entry: EntryLike): [boolean, string] {
  if (chain.length === 0) return [false, 'the chain is empty'];
  let previous = GENESIS_HASH;
  for (const [i, link] of chain.entries()) {
    if (link.seq !== i + 1 || link.subjectRef !== entry.subjectRef) return [false, `position ${i + 1} holds seq ${link.seq} of another order or subject`];
    if (safe(() => recomputeEntryHash(link)) !== link.hash) return [false, `entry ${link.id} at position ${i + 1} was altered`];
    if (link.prevHash !== previous) return [false, `entry ${link.id} at position ${i + 1} does not link to the entry before it`];
    previous = link.hash;
  }
  const last = chain[chain.length - 1] as EntryLike;
  if (last.hash !== entry.hash || last.id !== entry.id) return [false, 'the chain does not end at the entry'];
  return [true, `${chain.length} entries link from genesis to the entry`];
}

async function checkReceipt(receipt: string, entry: EntryLike, trust: TrustFile): Promise<[boolean, string]> {
  const agency = entry['agency'] as AgencyCode;
  const payload = await verifyJws(receipt, gatewayKeysOf(trust, agency), RECEIPT_TYPE);
  if (!payload) return [false, `not signed by a gateway key of ${agency}`];
  const claims = safe(() => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>);
  if (claims?.['entryHash'] !== entry.hash || claims['txId'] !== entry.txId || claims['entryId'] !== entry.id) {
    return [false, 'the receipt is for another entry'];
  }
  return [true, `signed by ${agency}'s gateway at ${String(claims['recordedAt'])}`];
}

async function checkCheckpoint(checkpoint: EvidenceBundle['checkpoint'], trust: TrustFile): Promise<[boolean, string]> {
  const expected = Buffer.from(checkpointPayload(checkpoint));
  const valid = new Set<AgencyCode>();
  const invalid: string[] = [];
  for (const { agency, jws } of checkpoint.cosignatures) {
    const payload = await verifyJws(jws, gatewayKeysOf(trust, agency), CHECKPOINT_TYPE);
    if (payload && Buffer.compare(Buffer.from(payload), expected) === 0) valid.add(agency);
    else invalid.push(agency);
  }
  const ok = valid.size >= trust.checkpointQuorum;
  const detail = `${valid.size} agencies (${trust.checkpointQuorum} required) cosigned size ${checkpoint.treeSize} root ${checkpoint.root}` +
    (valid.size ? ` (${[...valid].join(', ')})` : '') + (invalid.length ? `; invalid: ${invalid.join(', ')}` : '');
  return [ok, detail];
}


/**
 * The gateway keys the trust file lists for an agency. A trust file is read from disk and may
 * leave an agency out, and a bundle may name one that is no agency at all: neither has keys.
 */
function gatewayKeysOf(trust: TrustFile, agency: AgencyCode): readonly JWK[] {
  if (!AGENCY_CODES.includes(agency)) return [];
  const agencies: Partial<TrustFile['agencies']> = trust.agencies;
  return agencies[agency]?.gatewayKeys ?? [];
}
