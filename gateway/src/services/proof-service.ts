import { toHex, type EvidenceBundle, type FabricEvidence, type TrustFile } from 'correction-verifier';
import { ApiError } from '../errors.js';
import type { FinalCheckpoint, MerkleLog } from '../log/merkle-log.js';
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

export interface ProofServiceDeps {
  readonly client: CorrectionClient;
  readonly log: MerkleLog;
  /** Issues the receipt in a bundle, when this gateway holds the recording agency's key. */
  readonly signer: GatewaySigner;
  readonly trust: TrustFile;
  readonly blocks?: BlockSource | undefined;
}

/** Who is asking for an entry's proof: the agency whose ledger reads apply. */
export interface ProofCaller {
  readonly agency: GatewaySigner['agencies'][number];
}

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
    const { log, trust } = this.#d;
    return { origin: trust.origin, size: log.size, root: toHex(log.rootAt(log.size)), latestFinal: log.latestFinal ?? null };
  }

  /** The latest final checkpoint, as its C2SP note. */
  latestCheckpoint(): SignedCheckpoint {
    const latest = this.#d.log.latestFinal;
    if (!latest) throw new ApiError('NOT_YET_CHECKPOINTED', 'the log has no final checkpoint yet');
    return latest;
  }

  /** Final checkpoints, largest first, below `before`. */
  async checkpoints(before: number | undefined, limit: number): Promise<CheckpointPage> {
    const page = await this.#d.log.finalBefore(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const checkpoints = page.slice(0, limit);
    const last = checkpoints[checkpoints.length - 1];
    return page.length > limit && last ? { checkpoints, next: last.treeSize } : { checkpoints };
  }

  /** Entry hashes of leaves [start, end) of the log, within what a final checkpoint covers. */
  leaves(start: number, end: number): LeafRange {
    const signed = this.#d.log.latestFinal?.treeSize ?? 0;
    if (start >= signed) throw new ApiError('NOT_FOUND', `no final checkpoint covers leaf ${start} yet (${signed} leaves are signed)`);
    return { start, leaves: this.#d.log.leafHashes(start, Math.min(end, signed)) };
  }

  /** Inclusion proof of a leaf in the final checkpoint of a size (the latest when absent). */
  async inclusionAt(leafIndex: number, size: number | undefined): Promise<InclusionProof> {
    const checkpoint = await this.#final(size);
    if (leafIndex >= checkpoint.treeSize) throw new ApiError('NOT_FOUND', `leaf ${leafIndex} is not in the tree of ${checkpoint.treeSize}`);
    const entryHash = this.#d.log.leafHashes(leafIndex, leafIndex + 1)[0]?.entryHash ?? '';
    return { entryHash, leafIndex, treeSize: checkpoint.treeSize, auditPath: this.#d.log.inclusionProof(leafIndex, checkpoint.treeSize).map(toHex), checkpoint };
  }

  /** Inclusion proof of an entry, in the latest final checkpoint or one of a chosen size. */
  async inclusion(caller: ProofCaller, entryId: string, size?: number): Promise<EntryInclusionProof> {
    return (await this.#prove(caller, entryId, size)).proof;
  }

  /** The entry, where the log holds it, and its inclusion proof: read once for proofs and bundles alike. */
  async #prove(caller: ProofCaller, entryId: string, size?: number) {
    const entry = await this.#d.client.entry({ agency: caller.agency }, entryId);
    const located = await this.#d.log.locate(entryId);
    const latest = this.#d.log.latestFinal;
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
    return { from: first, to: second, proof: this.#d.log.consistencyProof(from, to).map(toHex) };
  }

  async #final(size: number | undefined): Promise<SignedCheckpoint> {
    const found = size === undefined ? this.#d.log.latestFinal : await this.#d.log.finalAt(size);
    if (!found) throw new ApiError('NOT_FOUND', size === undefined ? 'the log has no final checkpoint yet' : `no final checkpoint of size ${size}`);
    return found;
  }

  /** One self-contained bundle that a verifier checks offline. */
  async evidence(caller: ProofCaller, entryId: string): Promise<EvidenceBundle> {
    const { entry, located, proof } = await this.#prove(caller, entryId);
    const chain = (await this.#d.client.entries({ agency: caller.agency }, entry.subjectRef)).slice(0, entry.seq);
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
