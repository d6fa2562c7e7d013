import { toHex, type EvidenceBundle, type FabricEvidence, type Hash, type TrustFile } from 'correction-verifier';
import type { Actor } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { FinalCheckpoint } from '../log/records.js';
import type { CorrectionClient } from './correction-client.js';
import { verifyReceipt, type GatewaySigner } from './receipts.js';

/** A final checkpoint as the API gives it: size, root (hex) and the C2SP signed note. */
export type SignedCheckpoint = FinalCheckpoint;

export interface InclusionProof {
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly auditPath: readonly string[];
  readonly checkpoint: SignedCheckpoint;
}

export interface EntryInclusionProof extends InclusionProof {
  readonly entryId: string;
}

export interface ConsistencyProof {
  readonly from: SignedCheckpoint;
  readonly to: SignedCheckpoint;
  readonly proof: readonly string[];
}

export interface LogState {
  readonly origin: string;
  /** The log as this gateway holds it now: not signed until a final checkpoint covers it. */
  readonly size: number;
  readonly root: string;
  readonly latestFinal: SignedCheckpoint | null;
}

export interface LeafRange {
  readonly start: number;
  readonly leaves: ReadonlyArray<{ readonly index: number; readonly entryHash: string }>;
}

export interface CheckpointPage {
  readonly checkpoints: readonly SignedCheckpoint[];
  /** Pass as `before` for the next page; absent on the last. */
  readonly next?: number;
}

/** Fabric's part of an evidence bundle: the block that holds a transaction. */
export interface BlockSource {
  blockOf(txId: string): Promise<FabricEvidence>;
}

/** The Merkle tree as proofs read it. */
export interface ProofSource {
  readonly size: number;
  rootAt(size: number): Hash;
  inclusionProof(index: number, size: number): Hash[];
  consistencyProof(size1: number, size2: number): Hash[];
  leafHashes(start: number, end: number): Array<{ index: number; entryHash: string }>;
  locate(entryId: string): Promise<{ readonly index: number; readonly block: number } | undefined>;
}

/** The checkpoints found final, as proofs cite them. */
export interface CheckpointReader {
  readonly latestFinal: FinalCheckpoint | undefined;
  finalAt(size: number): Promise<FinalCheckpoint | undefined>;
  /** Final checkpoints below a size, largest first. */
  finalBefore(size: number, limit: number): Promise<FinalCheckpoint[]>;
}

export interface ProofServiceDeps {
  readonly client: CorrectionClient;
  readonly tree: ProofSource;
  readonly checkpoints: CheckpointReader;
  /** Issues the receipt in a bundle, when this gateway holds the recording agency's key. */
  readonly signer: GatewaySigner;
  readonly trust: TrustFile;
  readonly blocks?: BlockSource | undefined;
}

/** Who is asking for an entry's proof: the principal whose ledger reads apply (its unit bounds what it may read). */
export type ProofCaller = Actor;

/**
 * Proofs an auditor or a monitor can take home: inclusion at any final size, consistency between
 * any two final sizes, the log's leaves and checkpoints, and whole evidence bundles.
 */
export class ProofService {
  readonly #d: ProofServiceDeps;

  constructor(deps: Readonly<ProofServiceDeps>) {
    this.#d = deps;
  }

  logState(): LogState {
    const { tree, checkpoints, trust } = this.#d;
    return { origin: trust.origin, size: tree.size, root: toHex(tree.rootAt(tree.size)), latestFinal: checkpoints.latestFinal ?? null };
  }

  /** The latest final checkpoint, as its C2SP note. */
  latestCheckpoint(): SignedCheckpoint {
    const latest = this.#d.checkpoints.latestFinal;
    if (!latest) throw new ApiError('NOT_YET_CHECKPOINTED', 'the log has no final checkpoint yet');
    return latest;
  }

  /** Final checkpoints, largest first, below `before`. */
  async checkpoints(before: number | undefined, limit: number): Promise<CheckpointPage> {
    const page = await this.#d.checkpoints.finalBefore(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const checkpoints = page.slice(0, limit);
    const last = checkpoints[checkpoints.length - 1];
    return page.length > limit && last ? { checkpoints, next: last.treeSize } : { checkpoints };
  }

  /** Entry hashes of leaves [start, end) of the log, within what a final checkpoint covers. */
  leaves(start: number, end: number): LeafRange {
    const signed = this.#d.checkpoints.latestFinal?.treeSize ?? 0;
    if (start >= signed) throw new ApiError('NOT_FOUND', `no final checkpoint covers leaf ${start} yet (${signed} leaves are signed)`);
    return { start, leaves: this.#d.tree.leafHashes(start, Math.min(end, signed)) };
  }

  /** Inclusion proof of a leaf in the final checkpoint of a size (the latest when absent). */
  async inclusionAt(leafIndex: number, size: number | undefined): Promise<InclusionProof> {
    const checkpoint = await this.#final(size);
    if (leafIndex >= checkpoint.treeSize) throw new ApiError('NOT_FOUND', `leaf ${leafIndex} is not in the tree of ${checkpoint.treeSize}`);
    const entryHash = this.#d.tree.leafHashes(leafIndex, leafIndex + 1)[0]?.entryHash ?? '';
    return { entryHash, leafIndex, treeSize: checkpoint.treeSize, auditPath: this.#d.tree.inclusionProof(leafIndex, checkpoint.treeSize).map(toHex), checkpoint };
  }

  /** Inclusion proof of an entry, in the latest final checkpoint or one of a chosen size. */
  async inclusion(caller: ProofCaller, entryId: string, size?: number): Promise<EntryInclusionProof> {
    return (await this.#prove(caller, entryId, size)).proof;
  }

  /** The entry, where the log holds it, and its inclusion proof: read once for proofs and bundles alike. */
  async #prove(caller: ProofCaller, entryId: string, size?: number) {
    const entry = await this.#d.client.entry({ agency: caller.agency, actor: caller }, entryId);
    const located = await this.#d.tree.locate(entryId);
    const latest = this.#d.checkpoints.latestFinal;
    if (!located || !latest || latest.treeSize <= located.index) {
      throw new ApiError('NOT_YET_CHECKPOINTED', 'the entry is not yet covered by a final checkpoint; try again shortly');
    }
    const proof = { entryId, ...(await this.inclusionAt(located.index, size)), entryHash: entry.hash };
    return { entry, located, proof };
  }

  /** Consistency proof between two final checkpoints: the log only grew. */
  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    if (from > to) throw new ApiError('NOT_FOUND', 'no consistency proof leads from a larger log to a smaller one');
    const [first, second] = await Promise.all([this.#final(from), this.#final(to)]);
    return { from: first, to: second, proof: this.#d.tree.consistencyProof(from, to).map(toHex) };
  }

  async #final(size: number | undefined): Promise<SignedCheckpoint> {
    const found = size === undefined ? this.#d.checkpoints.latestFinal : await this.#d.checkpoints.finalAt(size);
    if (!found) throw new ApiError('NOT_FOUND', size === undefined ? 'the log has no final checkpoint yet' : `no final checkpoint of size ${size}`);
    return found;
  }

  /** One self-contained bundle that a verifier checks offline. */
  async evidence(caller: ProofCaller, entryId: string): Promise<EvidenceBundle> {
    const { entry, located, proof } = await this.#prove(caller, entryId);
    const chain = (await this.#d.client.entries({ agency: caller.agency, actor: caller }, entry.subjectRef)).slice(0, entry.seq);
    // A receipt attests the entry, its hash, transaction and block: the recording agency's gateway
    // issues it again on demand rather than storing one per request.
    const receipt = this.#d.signer.agencies.includes(entry.agency) ? await this.#d.signer.sign(entry, located.block) : null;
    const fabric = this.#d.blocks ? await this.#d.blocks.blockOf(entry.txId) : undefined;
    return {
      version: 2,
      entry: entry as unknown as EvidenceBundle['entry'],
      chain: chain as unknown as EvidenceBundle['chain'],
      receipt,
      inclusion: { leafIndex: proof.leafIndex, treeSize: proof.treeSize, auditPath: proof.auditPath },
      checkpoint: proof.checkpoint.note,
      ...(fabric ? { fabric } : {}),
    };
  }

  /** Exchanges a receipt this consortium issued for the entry's evidence bundle. */
  async evidenceForReceipt(caller: ProofCaller, receipt: string): Promise<EvidenceBundle> {
    const claims = await verifyReceipt(receipt, this.#d.trust).catch(() => {
      throw new ApiError('NOT_FOUND', 'no receipt of this consortium: the signature does not verify against any agency gateway key');
    });
    const bundle = await this.evidence(caller, claims.entryId);
    if (bundle.entry.hash !== claims.entryHash) throw new ApiError('CONFLICT', 'the receipt names another version of the entry');
    return { ...bundle, receipt };
  }
}
