import type { Agency } from './agencies.js';

/** One agency's cosignature of the log at a size, as anchored on chain. */
export interface CheckpointCosignature {
  readonly treeSize: number;
  readonly root: string;
  readonly blockHeight: number;
  /** The cosigning agency: the caller's MSP, never an argument. */
  readonly agency: Agency;
  /** Compact JWS by the agency's gateway over the checkpoint body, for offline verification. */
  readonly jws: string;
  readonly anchoredAt: string;
  readonly txId: string;
}

/** Agencies that must cosign the same root for the same size: three of the four. */
export const CHECKPOINT_QUORUM = 3;

export interface CheckpointState {
  readonly treeSize: number;
  readonly cosignatures: readonly CheckpointCosignature[];
  /** The root that a quorum of agencies cosigned, if any. */
  readonly finalRoot: string | null;
  readonly final: boolean;
  /** Agencies cosigned different roots for this size. */
  readonly conflict: boolean;
}

/** Whether the cosignatures of one size make a final checkpoint, and whether they conflict. */
export function checkpointState(treeSize: number, cosignatures: readonly CheckpointCosignature[]): CheckpointState {
  const byRoot = new Map<string, Set<Agency>>();
  for (const c of cosignatures) {
    if (c.treeSize !== treeSize) continue;
    const agencies = byRoot.get(c.root) ?? new Set<Agency>();
    agencies.add(c.agency);
    byRoot.set(c.root, agencies);
  }
  const finalRoot = [...byRoot.entries()].find(([, agencies]) => agencies.size >= CHECKPOINT_QUORUM)?.[0] ?? null;
  return { treeSize, cosignatures, finalRoot, final: finalRoot !== null, conflict: byRoot.size > 1 };
}
