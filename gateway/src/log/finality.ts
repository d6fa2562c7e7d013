import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { checkpointText, formatNote, parseNote, toHex, trustedKeys, verifyCheckpoint, verifyCosignature, type CheckpointVerdict, type Ed25519Verify, type Hash, type SignatureChecking, type TrustFile } from 'correction-verifier';
import type { CheckpointCosignature } from 'correction-chaincode/domain';
import type { Logger } from '../logger.js';
import type { FinalCheckpoint } from './records.js';

/** The log as finality weighs it: the tree's roots, the cosignatures held, and the checkpoints found final. */
export interface WeighedLog {
  readonly tree: { readonly size: number; rootAt(size: number): Hash };
  readonly checkpoints: {
    cosignaturesAt(size: number): Promise<CheckpointCosignature[]>;
    witnessCosignaturesAt(size: number): Promise<Record<string, string>>;
    offChainCosignaturesAt(size: number): Promise<Record<string, string>>;
    finalAt(size: number): Promise<FinalCheckpoint | undefined>;
    putFinal(checkpoint: FinalCheckpoint): Promise<void>;
  };
}

/**
 * Decides which checkpoints are final, exactly as an offline verifier would: the checkpoint of
 * this log's own root at a size, with every agency cosignature anchored for it or received off
 * chain from the agencies' gateways, and every witness cosignature the gateway holds, must pass
 * `verifyCheckpoint` under the trust file. Final
 * checkpoints are recorded with their signed note (invalid signatures left out), and announced.
 *
 * Emits 'agencies' (FinalCheckpoint: enough agencies, witnesses still to come) and 'final'
 * (FinalCheckpoint: the whole policy holds).
 */
export class Finality extends EventEmitter {
  readonly #log: WeighedLog;
  readonly #trust: TrustFile;
  readonly #logger: Logger | undefined;
  /** Sizes agencies have enough for, so each is announced once per gateway run. */
  readonly #agencyQuorate = new Set<number>();
  #queue: Promise<void> = Promise.resolve();
  /** Each signature line is verified once, however often its size is weighed again. */
  readonly #verified = new LRUCache<string, boolean>({ max: 20_000 });

  constructor(log: WeighedLog, trust: TrustFile, logger?: Logger) {
    super();
    this.#log = log;
    this.#trust = trust;
    this.#logger = logger;
  }

  /** Weighs a size again after a new cosignature; one size at a time, in arrival order. */
  consider(size: number): Promise<void> {
    const done = this.#queue.then(() => this.#consider(size));
    this.#queue = done.catch((error: unknown) => {
      this.#logger?.warn({ treeSize: size, err: { name: (error as Error).name } }, 'could not weigh a checkpoint');
    });
    return this.#queue;
  }

  /** Anchored cosignatures arrive from the follower. */
  readonly onCosignature = (cosignature: CheckpointCosignature): void => {
    void this.consider(cosignature.treeSize);
  };

  async close(): Promise<void> {
    await this.#queue;
  }

  /** The checkpoint note of a size with every signature the gateway holds, and what the trust file makes of it. */
  async candidate(size: number): Promise<{ readonly note: string; readonly verdict: CheckpointVerdict } | undefined> {
    if (size <= 0 || size > this.#log.tree.size) return undefined;
    const text = checkpointText({ origin: this.#trust.origin, size, root: this.#log.tree.rootAt(size) });
    const anchored = await this.#log.checkpoints.cosignaturesAt(size);
    const offChain = await this.#log.checkpoints.offChainCosignaturesAt(size);
    const witnessed = Object.values(await this.#log.checkpoints.witnessCosignaturesAt(size));
    // One line per agency: the anchored one, or the one that came off chain before it.
    const anchoredBy = new Set<string>(anchored.map((c) => c.agency));
    const unanchored = Object.entries(offChain).filter(([agency]) => !anchoredBy.has(agency)).map(([, line]) => line);
    const lines = [...anchored.map((c) => c.signature), ...unanchored, ...witnessed];
    if (lines.length === 0) return undefined;
    const note = formatNote(text, lines);
    const checking = { cache: this.#verified, ed25519: nativeEd25519 };
    const verdict = verifyCheckpoint(note, this.#trust, checking);
    return { note: withoutInvalid(note, verdict, this.#trust, checking), verdict };
  }

  async #consider(size: number): Promise<void> {
    const current = await this.#log.checkpoints.finalAt(size);
    const found = await this.candidate(size);
    if (!found) return;
    const { note, verdict } = found;
    const agenciesEnough = verdict.agencies.length >= this.#trust.policy.agencies;
    if (!agenciesEnough) return;
    const checkpoint: FinalCheckpoint = { treeSize: size, root: toHex(this.#log.tree.rootAt(size)), note, finalAt: current?.finalAt ?? new Date().toISOString() };
    if (!this.#agencyQuorate.has(size)) {
      this.#agencyQuorate.add(size);
      this.emit('agencies', checkpoint);
    }
    if (!verdict.ok || current?.note === note) return;
    await this.#log.checkpoints.putFinal(checkpoint);
    if (!current) this.emit('final', checkpoint);
  }
}

/** PKCS#8-free Ed25519 public keys for node:crypto: the SPKI DER prefix, then the 32 bytes (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Node's Ed25519 (OpenSSL, RFC 8032): a gateway weighs every checkpoint, ten times faster than the
 * verifier's portable one, which offline verifiers and the tests still run over the same notes.
 */
export const nativeEd25519: Ed25519Verify = (signature, message, publicKey) =>
  cryptoVerify(null, message, createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' }), signature);

/** The note without the signature lines of trusted keys that do not verify. */
function withoutInvalid(note: string, verdict: CheckpointVerdict, trust: TrustFile, checking: SignatureChecking): string {
  if (verdict.warnings.length === 0) return note;
  const signed = parseNote(note);
  const keys = trustedKeys(trust);
  const valid = signed.signatures.filter((signature) => {
    const known = keys.find(({ key }) => key.name === signature.name && key.keyId === signature.keyId);
    return known !== undefined && verifyCosignature(signed.text, signature, known.key, checking).valid;
  });
  return formatNote(signed.text, valid.map((s) => s.line));
}
