import { z } from 'zod';
import { equalBytes, fromHex, toBase64 } from './bytes.js';
import { verifyCheckpoint, type CheckpointOptions } from './checkpoint.js';
import { documentHash, GENESIS_HASH, recomputeEntryHash, type EntryLike } from './entry.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { verifyReceipt } from './receipt.js';
import type { TrustFile } from './trust.js';

/**
 * Everything needed to check, offline and without trusting any gateway, that a document is the
 * one recorded, that its entry sits unaltered in its subject's chain and in the consortium's log,
 * and that the agencies and the witnesses saw the same log.
 */
export interface EvidenceBundle {
  readonly version: 2;
  readonly entry: EntryLike;
  /** The subject's chain from its first entry up to and including `entry`. */
  readonly chain: readonly EntryLike[];
  /** The recording gateway's receipt (compact JWS), when the serving gateway holds it. */
  readonly receipt: string | null;
  readonly inclusion: { readonly leafIndex: number; readonly treeSize: number; readonly auditPath: readonly string[] };
  /** The final checkpoint: a C2SP signed note with the agencies' and witnesses' cosignatures. */
  readonly checkpoint: string;
  /** On Fabric: where the transaction sits, and the block the orderers signed. */
  readonly fabric?: FabricEvidence | undefined;
}

export interface FabricEvidence {
  readonly channel: string;
  readonly blockNumber: number;
  readonly txId: string;
  /** The block (common.Block protobuf), base64. */
  readonly block: string;
}

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface Check {
  readonly name: string;
  /** False only for FAIL: a warning names something amiss that does not break the proof. */
  readonly ok: boolean;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface VerifyOptions extends CheckpointOptions {
  /** The document itself, to check against the entry's docHash. */
  readonly document?: unknown;
  /**
   * The SHA-256 (hex) of a file, to check that the entry lists it among its attachments. Hash the
   * file as a stream (`hashFile` in Node, WebCrypto in a browser): files may be large.
   */
  readonly attachment?: string;
  /** Checks the Fabric block part of a bundle; supplied by the Fabric module when available. */
  readonly fabricCheck?: (fabric: FabricEvidence, entry: EntryLike, trust: TrustFile) => Promise<Check>;
}

export interface Verdict {
  readonly ok: boolean;
  readonly checks: readonly Check[];
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const EntrySchema = z.looseObject({
  id: z.string().max(200),
  subjectRef: z.string().max(200),
  seq: z.number().int().min(1),
  docHash: z.string().max(200),
  prevHash: z.string().max(200),
  txId: z.string().max(200),
  hash: z.string().max(200),
  agency: z.string().max(50),
});

/** The shape of a bundle, bounded: a verifier reads untrusted files. */
const BundleSchema = z.strictObject({
  version: z.literal(2),
  entry: EntrySchema,
  chain: z.array(EntrySchema).min(1).max(100_000),
  receipt: z.string().max(16_384).nullable(),
  inclusion: z.strictObject({
    leafIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    treeSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    auditPath: z.array(hex64).max(64),
  }),
  checkpoint: z.string().max(64 * 1024),
  fabric: z.strictObject({ channel: z.string().max(250), blockNumber: z.number().int().min(0), txId: z.string().max(200), block: z.string().max(100 * 1024 * 1024) }).optional(),
});

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, status: ok ? 'PASS' : 'FAIL', detail });

/** Runs every check of the bundle and names each one that fails or warns. */
export async function verifyEvidence(input: unknown, trust: TrustFile, options: VerifyOptions = {}): Promise<Verdict> {
  const parsed = BundleSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(bundle)'}: ${i.message}`);
    return { ok: false, checks: [check('bundle', false, `not an evidence bundle: ${issues.join('; ')}`)] };
  }
  const bundle = parsed.data as EvidenceBundle;
  const { entry } = bundle;
  const checks: Check[] = [];
  if (options.document !== undefined) checks.push(documentCheck(options.document, entry));
  if (options.attachment !== undefined) checks.push(attachmentCheck(options.attachment, entry));
  checks.push(entryHashCheck(entry));
  checks.push(check('subject chain', ...checkChain(bundle.chain, entry)));
  checks.push(await receiptCheck(bundle.receipt, entry, trust));
  const checkpoint = checkpointCheck(bundle, trust, options);
  checks.push(inclusionCheck(bundle, checkpoint.root));
  checks.push(checkpoint.check);
  if (bundle.fabric) checks.push(await fabricBlockCheck(bundle.fabric, entry, trust, options));
  return { ok: checks.every((c) => c.ok), checks };
}

function documentCheck(document: unknown, entry: EntryLike): Check {
  const hash = safe(() => documentHash(document));
  const ok = hash === entry.docHash;
  return check('document hash', ok, ok ? `matches docHash ${entry.docHash}` : `document hashes to ${hash ?? '(unhashable)'}, the entry records ${entry.docHash}`);
}

/** The files an entry lists in its facts (hash, size, type, and the title unless the record is sealed). */
export function entryAttachments(entry: EntryLike): ReadonlyArray<{ readonly hash: string; readonly size?: number; readonly mediaType?: string; readonly title?: string }> {
  const facts = entry['facts'];
  const listed = facts !== null && typeof facts === 'object' ? (facts as Record<string, unknown>)['attachments'] : undefined;
  if (!Array.isArray(listed)) return [];
  return listed.filter((a): a is { hash: string } => a !== null && typeof a === 'object' && typeof (a as { hash?: unknown }).hash === 'string');
}

function attachmentCheck(hash: string, entry: EntryLike): Check {
  const listed = entryAttachments(entry);
  const index = listed.findIndex((a) => a.hash === hash);
  const found = listed[index];
  if (!found) return check('attachment', false, `the file hashes to ${hash}, which is none of the entry's ${listed.length} attachment(s)`);
  return check('attachment', true, `attachment ${index + 1} of ${listed.length}${found.title ? ` (${found.title})` : ''}, SHA-256 ${hash}`);
}

function entryHashCheck(entry: EntryLike): Check {
  const ownHash = safe(() => recomputeEntryHash(entry));
  const ok = ownHash === entry.hash;
  return check('entry hash', ok, ok ? `recomputed ${entry.hash}` : `entry contents hash to ${ownHash ?? '(unhashable)'}, it claims ${entry.hash}`);
}

async function receiptCheck(receipt: string | null, entry: EntryLike, trust: TrustFile): Promise<Check> {
  if (receipt === null) return check('receipt', false, 'the bundle carries no receipt of the recording gateway');
  const claims = await verifyReceipt(receipt, trust);
  if (!claims || claims.agency !== entry['agency']) return check('receipt', false, `not signed by a gateway key of ${String(entry['agency'])}`);
  if (claims.entryHash !== entry.hash || claims.txId !== entry.txId || claims.entryId !== entry.id) return check('receipt', false, 'the receipt is for another entry');
  return check('receipt', true, `signed by ${claims.agency}'s gateway at ${claims.recordedAt}`);
}

/** The checkpoint's signatures under the trust file's policy, and the root it commits to (if it is one of this log's). */
function checkpointCheck(bundle: EvidenceBundle, trust: TrustFile, options: CheckpointOptions): { check: Check; root?: Uint8Array } {
  const verdict = verifyCheckpoint(bundle.checkpoint, trust, options);
  const name = 'checkpoint cosignatures';
  if (!verdict.ok) return { check: check(name, false, verdict.detail + warningText(verdict.warnings)) };
  const status: CheckStatus = verdict.warnings.length > 0 ? 'WARN' : 'PASS';
  return { check: { name, ok: true, status, detail: verdict.detail + warningText(verdict.warnings) }, ...(verdict.checkpoint ? { root: verdict.checkpoint.root } : {}) };
}

const warningText = (warnings: readonly string[]): string => (warnings.length > 0 ? `; invalid: ${warnings.join('; ')}` : '');

/** The audit path leads from the entry hash to the root of the checkpoint, for the checkpoint's size. */
function inclusionCheck(bundle: EvidenceBundle, root: Uint8Array | undefined): Check {
  const { entry, inclusion } = bundle;
  const name = 'inclusion proof';
  const size = checkpointSize(bundle.checkpoint);
  if (root === undefined || size === undefined) return check(name, false, 'no verified checkpoint to prove inclusion in');
  if (inclusion.treeSize !== size) return check(name, false, `the proof is for a tree of ${inclusion.treeSize}, the checkpoint's has ${size}`);
  const leaf = safe(() => leafHash(fromHex(entry.hash)));
  const computed = leaf && rootFromInclusionProof(inclusion.leafIndex, inclusion.treeSize, leaf, inclusion.auditPath.map(fromHex));
  const included = computed !== undefined && equalBytes(computed, root);
  return check(name, included, included ? `leaf ${inclusion.leafIndex} of ${inclusion.treeSize} leads to root ${toBase64(root)}` : 'the audit path does not lead from the entry hash to the checkpoint root');
}

/** The size line of a checkpoint note (the note itself is verified by the checkpoint check). */
function checkpointSize(note: string): number | undefined {
  const size = note.split('\n')[1];
  return size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
}

async function fabricBlockCheck(fabric: FabricEvidence, entry: EntryLike, trust: TrustFile, options: VerifyOptions): Promise<Check> {
  if (!options.fabricCheck) return check('fabric block', false, 'no Fabric block verifier available (install @hyperledger/fabric-protos)');
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
  let previous = GENESIS_HASH;
  for (const [i, link] of chain.entries()) {
    if (link.seq !== i + 1 || link.subjectRef !== entry.subjectRef) return [false, `position ${i + 1} holds seq ${link.seq} of another order or subject`];
    if (safe(() => recomputeEntryHash(link)) !== link.hash) return [false, `entry ${link.id} at position ${i + 1} was altered`];
    if (link.prevHash !== previous) return [false, `entry ${link.id} at position ${i + 1} does not link to the entry before it`];
    previous = link.hash;
  }
  const last = chain[chain.length - 1];
  if (last?.hash !== entry.hash || last.id !== entry.id) return [false, 'the chain does not end at the entry'];
  return [true, `${chain.length} entries link from genesis to the entry`];
}
