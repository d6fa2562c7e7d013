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
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const { entry } = bundle;

  if (options.document !== undefined) {
    const hash = documentHash(options.document);
    add('document hash', hash === entry.docHash, hash === entry.docHash ? `matches docHash ${hash}` : `document hashes to ${hash}, the entry records ${entry.docHash}`);
  }

  const ownHash = safe(() => recomputeEntryHash(entry));
  add('entry hash', ownHash === entry.hash, ownHash === entry.hash ? `recomputed ${entry.hash}` : `entry contents hash to ${ownHash ?? '(unhashable)'}, it claims ${String(entry.hash)}`);

  add('subject chain', ...checkChain(bundle.chain, entry));

  if (bundle.receipt === null) {
    add('receipt', false, 'the bundle carries no receipt of the recording gateway');
  } else {
    add('receipt', ...(await checkReceipt(bundle.receipt, entry, trust)));
  }

  const { inclusion, checkpoint } = bundle;
  const included =
    isHex64(entry.hash) &&
    isHex64(checkpoint.root) &&
    inclusion.treeSize === checkpoint.treeSize &&
    inclusion.auditPath.every(isHex64) &&
    verifyInclusion(inclusion.leafIndex, inclusion.treeSize, leafHash(fromHex(entry.hash)), inclusion.auditPath.map(fromHex), fromHex(checkpoint.root));
  add('inclusion proof', included, included ? `leaf ${inclusion.leafIndex} of ${inclusion.treeSize} leads to root ${checkpoint.root}` : 'the audit path does not lead from the entry hash to the checkpoint root');

  add('checkpoint cosignatures', ...(await checkCheckpoint(checkpoint, trust)));

  if (bundle.fabric) {
    checks.push(
      options.fabricCheck
        ? await options.fabricCheck(bundle.fabric, entry, trust)
        : { name: 'fabric block', ok: false, detail: 'no Fabric block verifier available' },
    );
  }
  return { ok: checks.every((c) => c.ok), checks };
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
  const keys = AGENCY_CODES.includes(agency) ? trust.agencies[agency]?.gatewayKeys ?? [] : [];
  const payload = await verifyJws(receipt, keys, RECEIPT_TYPE);
  if (!payload) return [false, `not signed by a gateway key of ${String(agency)}`];
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
    const keys = AGENCY_CODES.includes(agency) ? trust.agencies[agency]?.gatewayKeys ?? [] : [];
    const payload = await verifyJws(jws, keys, CHECKPOINT_TYPE);
    if (payload && Buffer.compare(Buffer.from(payload), expected) === 0) valid.add(agency);
    else invalid.push(agency);
  }
  const ok = valid.size >= trust.checkpointQuorum;
  const detail = `${valid.size} agencies (${trust.checkpointQuorum} required) cosigned size ${checkpoint.treeSize} root ${checkpoint.root}` +
    (valid.size ? ` (${[...valid].join(', ')})` : '') + (invalid.length ? `; invalid: ${invalid.join(', ')}` : '');
  return [ok, detail];
}

