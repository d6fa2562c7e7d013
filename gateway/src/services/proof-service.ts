import { toHex, type CheckpointBody, type Cosignature, type EvidenceBundle, type FabricEvidence, type TrustFile } from 'correction-verifier';
import type { CheckpointState } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Principal } from '../http/auth.js';
import type { Checkpointer } from '../log/checkpointer.js';
import type { MerkleLog } from '../log/merkle-log.js';
import type { CorrectionClient } from './correction-client.js';
import { verifyReceipt, type GatewaySigner } from './receipts.js';

export type SignedCheckpoint = CheckpointBody & { readonly cosignatures: readonly Cosignature[] };

export interface InclusionProof {
  readonly entryId: string;
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly auditPath: readonly string[];
  readonly checkpoint: SignedCheckpoint;
}

export interface ConsistencyProof {
  readonly from: SignedCheckpoint;
  readonly to: SignedCheckpoint;
  readonly proof: readonly string[];
}

export interface LogState {
  readonly size: number;
  readonly root: string;
  readonly latestFinal: SignedCheckpoint | null;
}

/** Fabric's part of an evidence bundle: the block that holds a transaction. */
export interface BlockSource {
  blockOf(txId: string): Promise<FabricEvidence>;
}

export interface ProofServiceDeps {
  readonly client: CorrectionClient;
  readonly log: MerkleLog;
  readonly checkpoints: Checkpointer;
  /** Issues the receipt in a bundle, when this gateway holds the recording agency's key. */
  readonly signer: GatewaySigner;
  readonly trust: TrustFile;
  readonly blocks?: BlockSource | undefined;
}

/** Proofs an auditor can take home: inclusion, consistency, and whole evidence bundles. */
export class ProofService {
  readonly #d: ProofServiceDeps;

  constructor(deps: Readonly<ProofServiceDeps>) {
    this.#d = deps;
  }

  async logState(): Promise<LogState> {
    const final = await this.#d.checkpoints.latestFinal();
    return { size: this.#d.log.size, root: toHex(this.#d.log.rootAt(this.#d.log.size)), latestFinal: final ? this.#signed(final) : null };
  }

  /** Inclusion proof of the entry in the latest final checkpoint. */
  async inclusion(principal: Principal, entryId: string): Promise<InclusionProof> {
    return (await this.#prove(principal, entryId)).proof;
  }

  /** The entry, where the log holds it, and its inclusion proof: read once for proofs and bundles alike. */
  async #prove(principal: Principal, entryId: string) {
    const entry = await this.#d.client.entry({ agency: principal.agency, actor: principal }, entryId);
    const located = await this.#d.log.locate(entryId);
    const final = await this.#d.checkpoints.latestFinal();
    if (!located || !final || final.treeSize <= located.index) {
      throw new ApiError('NOT_YET_CHECKPOINTED', 'the entry is not yet covered by a final checkpoint; try again shortly');
    }
    const proof: InclusionProof = {
      entryId,
      entryHash: entry.hash,
      leafIndex: located.index,
      treeSize: final.treeSize,
      auditPath: this.#d.log.inclusionProof(located.index, final.treeSize).map(toHex),
      checkpoint: this.#signed(final),
    };
    return { entry, located, proof };
  }

  /** Consistency proof between two final checkpoints: the log only grew. */
  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    if (from > to) throw new ApiError('NOT_FOUND', 'no consistency proof leads from a larger log to a smaller one');
    const [first, second] = await Promise.all([this.#d.checkpoints.finalAt(from), this.#d.checkpoints.finalAt(to)]);
    if (!first || !second) throw new ApiError('NOT_FOUND', `no final checkpoint of size ${!first ? from : to}`);
    return { from: this.#signed(first), to: this.#signed(second), proof: this.#d.log.consistencyProof(from, to).map(toHex) };
  }

  /** One self-contained bundle that a verifier checks offline. */
  async evidence(principal: Principal, entryId: string): Promise<EvidenceBundle> {
    const { entry, located, proof } = await this.#prove(principal, entryId);
    const chain = (await this.#d.client.entries({ agency: principal.agency, actor: principal }, entry.subjectRef)).slice(0, entry.seq);
    // A receipt attests the entry, its hash, transaction and block: the recording agency's gateway
    // issues it again on demand rather than storing one per request.
    const receipt = this.#d.signer.agencies.includes(entry.agency) ? await this.#d.signer.sign(entry, located.block) : null;
    const fabric = this.#d.blocks ? await this.#d.blocks.blockOf(entry.txId) : undefined;
    return {
      version: 1,
      entry: entry as unknown as EvidenceBundle['entry'],
      chain: chain as unknown as EvidenceBundle['chain'],
      receipt,
      inclusion: { leafIndex: proof.leafIndex, treeSize: proof.treeSize, auditPath: proof.auditPath },
      checkpoint: proof.checkpoint,
      ...(fabric ? { fabric } : {}),
    };
  }

  /** Exchanges a receipt this consortium issued for the entry's evidence bundle. */
  async evidenceForReceipt(principal: Principal, receipt: string): Promise<EvidenceBundle> {
    const claims = await verifyReceipt(receipt, this.#d.trust).catch(() => {
      throw new ApiError('NOT_FOUND', 'no receipt of this consortium: the signature does not verify against any agency gateway key');
    });
    const bundle = await this.evidence(principal, claims.entryId);
    if (bundle.entry.hash !== claims.entryHash) throw new ApiError('CONFLICT', 'the receipt names another version of the entry');
    return { ...bundle, receipt };
  }

  #signed(state: CheckpointState): SignedCheckpoint {
    const agreeing = state.cosignatures.filter((c) => c.root === state.finalRoot);
    return {
      log: 'correction-ledger',
      treeSize: state.treeSize,
      root: state.finalRoot ?? '',
      blockHeight: agreeing[0]?.blockHeight ?? 0,
      cosignatures: agreeing.map((c) => ({ agency: c.agency, jws: c.jws })),
    };
  }
}
