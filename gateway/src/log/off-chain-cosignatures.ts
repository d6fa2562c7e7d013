import { EventEmitter } from 'node:events';
import { checkpointText, formatNote, fromHex, parseCosignerKey, parseNote, toHex, verifyCosignature, type CosignerKey, type Hash, type TrustFile } from 'correction-verifier';
import type { Agency } from 'correction-chaincode/domain';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import { nativeEd25519 } from './finality.js';

/** One agency's cosignature of the log at a size, as gateways send it to each other. */
export interface OffChainCosignature {
  readonly treeSize: number;
  /** The root the signer cosigned, hex: a different root from this log's is a split view, not a bad signature. */
  readonly root: string;
  readonly agency: Agency;
  /** The C2SP cosignature/v1 signature line (`— name base64`). */
  readonly signature: string;
}

/** The log as off-chain cosignatures need it: its roots, and where verified lines are kept. */
export interface OffChainLog {
  readonly tree: { readonly size: number; rootAt(size: number): Hash };
  readonly checkpoints: { putOffChainCosignature(size: number, agency: string, line: string): Promise<void> };
}

export interface OffChainOptions {
  readonly log: OffChainLog;
  readonly trust: TrustFile;
  /** Weighs a size again once a cosignature for it is kept. */
  readonly consider: (size: number) => unknown;
  /** The other agencies' gateways (their API base URLs), to which this gateway's cosignatures go. */
  readonly peers: readonly string[];
  readonly logger?: Logger | undefined;
  /** How long one push to a peer may take. */
  readonly timeoutMs?: number;
}

/** Cosignatures of sizes this log has not reached yet, kept until it does: at most this many. */
const MAX_PENDING = 4_096;
const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Agency cosignatures exchanged directly between the agencies' gateways, beside the anchors on
 * chain: a gateway that cosigns a size sends the line to its peers at once, so a checkpoint is
 * final as soon as a quorum of agencies has computed the same root — a network round trip, not an
 * ordering round. Lines are self-authenticating (each verifies under the agency's note key in the
 * trust file), so a peer needs no credential to send one; a line over another root than this
 * log's is a split view and raises the conflict alert. Anchors still follow, batched, for the record.
 *
 * Emits 'cosignature' (OffChainCosignature) for each line kept, and 'conflict'
 * ({ treeSize, agency, reason }) for a valid line over another root.
 */
export class OffChainCosignatures extends EventEmitter {
  readonly #o: OffChainOptions;
  /** Cosignatures beyond this log's size, by size. */
  readonly #pending = new Map<number, OffChainCosignature[]>();
  #pendingCount = 0;
  /** Each agency's note keys, parsed once from the trust file. */
  readonly #keys: ReadonlyMap<string, readonly CosignerKey[]>;

  constructor(options: OffChainOptions) {
    super();
    this.#o = options;
    this.#keys = new Map(Object.entries(options.trust.agencies).map(([agency, keys]) => [agency, keys.noteKeys.map(parseCosignerKey)]));
  }

  /**
   * Checks and keeps cosignatures that came from a peer: each must verify under its agency's note
   * key over the root it names. Nothing is kept if one does not verify (400); a valid line over
   * another root than this log's at that size answers 409 and raises the alert.
   */
  async receive(cosignatures: readonly OffChainCosignature[]): Promise<{ readonly kept: number; readonly pending: number }> {
    const invalid = cosignatures.map((c, i) => ({ i, reason: this.#invalidReason(c) })).filter((r) => r.reason !== undefined);
    if (invalid.length > 0) {
      throw new ApiError('VALIDATION_FAILED', 'cosignatures that do not verify under the trust file', {
        errors: invalid.map(({ i, reason = '' }) => ({ path: `cosignatures.${i}.signature`, message: reason })),
      });
    }
    let kept = 0;
    let pending = 0;
    for (const cosignature of cosignatures) {
      if (cosignature.treeSize > this.#o.log.tree.size) {
        this.#hold(cosignature);
        pending++;
      } else {
        await this.#keep(cosignature);
        kept++;
      }
    }
    return { kept, pending };
  }

  /**
   * This gateway's own cosignatures: kept, then weighed once all are kept (a gateway that cosigns
   * for several agencies makes its checkpoint final with all their lines at once), and sent to every
   * peer (not awaited by the caller's commit).
   */
  async publish(cosignatures: readonly OffChainCosignature[]): Promise<void> {
    if (cosignatures.length === 0) return;
    for (const cosignature of cosignatures) await this.#store(cosignature);
    for (const size of new Set(cosignatures.map((c) => c.treeSize))) void this.#o.consider(size);
    await Promise.all(this.#o.peers.map((peer) => this.#send(peer, cosignatures)));
  }

  /** The log grew: cosignatures that waited for these sizes are weighed now. */
  readonly onAppended = (size: number): void => {
    for (const [treeSize, waiting] of this.#pending) {
      if (treeSize > size) continue;
      this.#pending.delete(treeSize);
      this.#pendingCount -= waiting.length;
      for (const cosignature of waiting) {
        this.#keep(cosignature).catch((error: unknown) => {
          this.#o.logger?.warn({ treeSize, err: { name: (error as Error).name } }, 'could not keep a peer cosignature');
        });
      }
    }
  };

  #invalidReason(cosignature: OffChainCosignature): string | undefined {
    const keys = this.#keys.get(cosignature.agency) ?? [];
    if (keys.length === 0) return `the trust file lists no note key of ${cosignature.agency}`;
    const text = checkpointText({ origin: this.#o.trust.origin, size: cosignature.treeSize, root: fromHex(cosignature.root) });
    let signature;
    try {
      [signature] = parseNote(formatNote(text, [cosignature.signature])).signatures;
    } catch {
      return 'not a signature line';
    }
    if (!signature) return 'not a signature line';
    // Node's Ed25519, as Finality uses: every line a peer sends is verified here, on the request path.
    const valid = keys.some((key) => verifyCosignature(text, signature, key, { ed25519: nativeEd25519 }).valid);
    return valid ? undefined : `not a cosignature by a note key of ${cosignature.agency}`;
  }

  async #keep(cosignature: OffChainCosignature): Promise<void> {
    await this.#store(cosignature);
    void this.#o.consider(cosignature.treeSize);
  }

  /** Keeps a line over this log's own root at its size; a line over another root is a split view. */
  async #store(cosignature: OffChainCosignature): Promise<void> {
    const own = toHex(this.#o.log.tree.rootAt(cosignature.treeSize));
    if (own !== cosignature.root) {
      const conflict = { treeSize: cosignature.treeSize, agency: cosignature.agency, reason: `cosigned root ${cosignature.root}, this log's is ${own}` };
      this.emit('conflict', conflict);
      throw new ApiError('CONFLICT', `${cosignature.agency} cosigned another root at size ${cosignature.treeSize} than this log's`, { treeSize: cosignature.treeSize });
    }
    await this.#o.log.checkpoints.putOffChainCosignature(cosignature.treeSize, cosignature.agency, cosignature.signature);
    this.emit('cosignature', cosignature);
  }

  #hold(cosignature: OffChainCosignature): void {
    if (this.#pendingCount >= MAX_PENDING) {
      // The oldest waiting size goes: its anchors on chain will bring it back.
      const [oldest] = this.#pending.keys();
      if (oldest !== undefined) {
        this.#pendingCount -= this.#pending.get(oldest)?.length ?? 0;
        this.#pending.delete(oldest);
      }
    }
    const waiting = this.#pending.get(cosignature.treeSize) ?? [];
    waiting.push(cosignature);
    this.#pending.set(cosignature.treeSize, waiting);
    this.#pendingCount++;
  }

  async #send(peer: string, cosignatures: readonly OffChainCosignature[]): Promise<void> {
    try {
      const response = await fetch(new URL('/v1/log/cosignatures', peer), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cosignatures }),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (!response.ok) this.#o.logger?.warn({ peer, status: response.status, sizes: cosignatures.map((c) => c.treeSize) }, 'a peer gateway refused cosignatures');
    } catch (error) {
      // The anchors on chain carry the same lines: a peer that missed these still sees them there.
      this.#o.logger?.debug({ peer, err: { name: (error as Error).name } }, 'could not send cosignatures to a peer gateway');
    }
  }
}
