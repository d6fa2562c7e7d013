import { z } from 'zod';
import type { Agency } from './agencies.js';
import type { FieldIssue } from './errors.js';

/**
 * One agency's cosignature of the log at a size, as anchored on chain. `signature` is the agency's
 * C2SP note signature line (`— <key name> base64(key ID ‖ timestamp ‖ Ed25519)`, cosignature/v1)
 * over the checkpoint `<origin>\n<size>\n<base64 root>\n`; the chain keeps it for offline
 * verifiers and compares roots, it does not hold the keys.
 */
export interface CheckpointCosignature {
  readonly treeSize: number;
  /** The Merkle root, hex. */
  readonly root: string;
  /** The cosigning agency: the caller's MSP, never an argument. */
  readonly agency: Agency;
  readonly signature: string;
  readonly anchoredAt: string;
  readonly txId: string;
}

/** What an agency anchors for one size. */
export type CheckpointAnchor = Pick<CheckpointCosignature, 'treeSize' | 'root' | 'signature'>;

/** Agencies that must cosign the same root for the same size on chain: three of the four. */
export const CHECKPOINT_QUORUM = 3;

/** Most sizes one anchoring transaction carries: an agency catching up cosigns many sizes at once. */
export const MAX_ANCHORS_PER_TRANSACTION = 64;

export interface CheckpointState {
  readonly treeSize: number;
  readonly cosignatures: readonly CheckpointCosignature[];
  /** The root that a quorum of agencies cosigned, if any. */
  readonly finalRoot: string | null;
  readonly final: boolean;
  /** Agencies cosigned different roots for this size. */
  readonly conflict: boolean;
}

/** What the checkpoint event of one anchoring transaction carries (Fabric keeps one event per transaction). */
export interface CheckpointEventPayload {
  readonly cosignatures: readonly CheckpointCosignature[];
  /** Sizes whose cosignatures now name more than one root, with each agency's root. */
  readonly conflicts: ReadonlyArray<{ readonly treeSize: number; readonly roots: Readonly<Partial<Record<Agency, string>>> }>;
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

const AnchorSchema = z.strictObject({
  treeSize: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  root: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest'),
  signature: z
    .string()
    .max(600)
    .regex(/^\u2014 [^\s+]{1,255} [A-Za-z0-9+/]{4,500}={0,2}$/, 'must be a note signature line'),
});
const AnchorsSchema = z.array(AnchorSchema).min(1).max(MAX_ANCHORS_PER_TRANSACTION);

/** The anchors of one transaction, or every problem with them. */
export function parseAnchors(json: string): { anchors: CheckpointAnchor[] } | { issues: FieldIssue[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { issues: [{ path: 'anchors', message: 'must be a JSON array' }] };
  }
  const parsed = AnchorsSchema.safeParse(value);
  if (parsed.success) return { anchors: parsed.data };
  return { issues: parsed.error.issues.map((i) => ({ path: ['anchors', ...i.path.map(String)].join('.'), message: i.message })) };
}
