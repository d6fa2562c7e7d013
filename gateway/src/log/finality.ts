import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { checkpointText, formatNote, parseNote, toHex, trustedKeys, verifyCheckpoint, verifyCosignature, type CheckpointVerdict, type Ed25519Verify, type Hash, type SignatureChecking, type TrustedKey, type TrustFile } from 'correction-verifier';
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
  /** Sizes waiting to be weighed, each with those who wait for it: a cosignature for one of them joins its turn. */
  readonly #waiting = new Map<number, { readonly done: Promise<void>; readonly resolve: () => void }>();
  /** The weighing in progress: one size at a time. */
  #running: Promise<void> | undefined;
  /** The trust file's checkpoint keys, parsed once. */
  readonly #keys: readonly TrustedKey[];
  /** Each signature line is verified once, however often its size is weighed again. */
  readonly #verified = new LRUCache<string, boolean>({ max: 20_000 });

  constructor(log: WeighedLog, trust: TrustFile, logger?: Logger) {
    super();
    this.#log = log;
    this.#trust = trust;
    this.#keys = trustedKeys(trust);
    this.#logger = logger;
  }

  /**
   * Weighs a size again after a new cosignature (which the caller has stored), one size at a time,
   * the largest waiting first: under load, when weighing falls behind, the newest checkpoint covers
   * every entry below it, so it is made final first and older sizes follow. A size already waiting
   * is not queued twice: its turn reads the store when it begins, after this call, so it weighs
   * this cosignature too. A turn leaves the waiting list before it reads anything: a cosignature
   * stored after that queues a turn of its own.
   */
  consider(size: number): Promise<void> {
    const waiting = this.#waiting.get(size);
    if (waiting) return waiting.done;
    let resolve = (): void => undefined;
    const done = new Promise<void>((r) => (resolve = r));
    this.#waiting.set(size, { done, resolve });
    this.#running ??= this.#weighAll().finally(() => {
      this.#running = undefined;
    });
    return done;
  }

  async #weighAll(): Promise<void> {
    while (this.#waiting.size > 0) {
      // A loop, not Math.max(...keys): a gateway replaying a long channel may have more sizes waiting than a call takes arguments.
      let size = 0;
      for (const waiting of this.#waiting.keys()) size = Math.max(size, waiting);
      const turn = this.#waiting.get(size);
      this.#waiting.delete(size);
      await this.#consider(size).catch((error: unknown) => {
        this.#logger?.warn({ treeSize: size, err: { name: (error as Error).name } }, 'could not weigh a checkpoint');
      });
      turn?.resolve();
    }
  }

  /** Anchored cosignatures arrive from the follower. */
  readonly onCosignature = (cosignature: CheckpointCosignature): void => {
    void this.consider(cosignature.treeSize);
  };

  async close(): Promise<void> {
    await this.#running;
  }

  /** The checkpoint note of a size with every signature the gateway holds, and what the trust file makes of it. */
  async candidate(size: number): Promise<{ readonly note: string; readonly verdict: CheckpointVerdict } | undefined> {
    if (size <= 0 || size > this.#log.tree.size) return undefined;
    const text = checkpointText({ origin: this.#trust.origin, size, root: this.#log.tree.rootAt(size) });
    const { checkpoints } = this.#log;
    const [anchored, offChain, witnessedBy] = await Promise.all([checkpoints.cosignaturesAt(size), checkpoints.offChainCosignaturesAt(size), checkpoints.witnessCosignaturesAt(size)]);
    const witnessed = Object.values(witnessedBy);
    // One line per agency: the anchored one, or the one that came off chain before it.
    const anchoredBy = new Set<string>(anchored.map((c) => c.agency));
    const unanchored = Object.entries(offChain).filter(([agency]) => !anchoredBy.has(agency)).map(([, line]) => line);
    const lines = [...anchored.map((c) => c.signature), ...unanchored, ...witnessed];
    if (lines.length === 0) return undefined;
    const note = formatNote(text, lines);
    const checking = { cache: this.#verified, ed25519: nativeEd25519, keys: this.#keys };
    const verdict = verifyCheckpoint(note, this.#trust, checking);
    return { note: withoutInvalid(note, verdict, this.#keys, checking), verdict };
  }

  async #consider(size: number): Promise<void> {
    const [current, found] = await Promise.all([this.#log.checkpoints.finalAt(size), this.candidate(size)]);
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

/** Node's key objects of the note keys seen, by their bytes: making one costs more than a verification. */
const keyObjects = new LRUCache<string, KeyObject>({ max: 1_024 });

function keyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = keyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    keyObjects.set(id, key);
  }
  return key;
}

/**
 * Node's Ed25519 (OpenSSL, RFC 8032): a gateway weighs every checkpoint, ten times faster than the
 * verifier's portable one, which offline verifiers and the tests still run over the same notes.
 */
export const nativeEd25519: Ed25519Verify = (signature, message, publicKey) => cryptoVerify(null, message, keyObject(publicKey), signature);

/** The note without the signature lines of trusted keys that do not verify. */
function withoutInvalid(note: string, verdict: CheckpointVerdict, keys: readonly TrustedKey[], checking: SignatureChecking): string {
  if (verdict.warnings.length === 0) return note;
  const signed = parseNote(note);
  const valid = signed.signatures.filter((signature) => {
    const known = keys.find(({ key }) => key.name === signature.name && key.keyId === signature.keyId);
    return known !== undefined && verifyCosignature(signed.text, signature, known.key, checking).valid;
  });
  return formatNote(signed.text, valid.map((s) => s.line));
}
