import { EventEmitter } from 'node:events';
import { parseCosignerKey, parseNote, toBase64, verifyCosignature, type TrustFile, type Witness } from 'correction-verifier';
import type { Logger } from '../logger.js';
import type { Finality } from './finality.js';
import type { FinalCheckpoint, MerkleLog } from './merkle-log.js';

/** How long one submission may take before the witness counts as unreachable this time. */
const SUBMIT_TIMEOUT_MS = 10_000;

export interface WitnessClientOptions {
  readonly log: MerkleLog;
  readonly finality: Finality;
  readonly trust: TrustFile;
  readonly logger?: Logger | undefined;
  /** fetch, for tests that watch the wire. */
  readonly fetch?: typeof fetch;
}

/**
 * Submits each checkpoint the agencies made final to every witness of the trust file that has a
 * URL (c2sp.org/tlog-witness add-checkpoint), with a consistency proof from the size the witness
 * last cosigned, and keeps their cosignatures with the checkpoint. A witness is told only the
 * latest checkpoint: while one submission is out, newer ones replace the one waiting.
 *
 * Emits 'conflict' ({treeSize, witness, reason}) when a witness refuses a checkpoint as
 * inconsistent with what it cosigned before: someone showed it another log under this origin.
 */
export class WitnessClient extends EventEmitter {
  readonly #o: WitnessClientOptions;
  readonly #witnesses: ReadonlyArray<{ readonly witness: Witness; readonly url: string }>;
  /** Per witness: the size it last cosigned as far as this gateway knows, the submission out, and the next. */
  readonly #known = new Map<string, number>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #next = new Map<string, FinalCheckpoint>();

  constructor(options: Readonly<WitnessClientOptions>) {
    super();
    this.#o = options;
    this.#witnesses = options.trust.witnesses.flatMap((witness) => (witness.url ? [{ witness, url: witness.url.replace(/\/+$/, '') }] : []));
  }

  start(): void {
    this.#o.finality.on('agencies', this.#onAgencies);
  }

  async close(): Promise<void> {
    this.#o.finality.off('agencies', this.#onAgencies);
    await Promise.all(this.#running.values());
  }

  readonly #onAgencies = (checkpoint: FinalCheckpoint): void => {
    for (const { witness, url } of this.#witnesses) {
      const waiting = this.#next.get(witness.name);
      if (!waiting || waiting.treeSize < checkpoint.treeSize) this.#next.set(witness.name, checkpoint);
      if (!this.#running.has(witness.name)) {
        this.#running.set(witness.name, this.#drain(witness, url).finally(() => this.#running.delete(witness.name)));
      }
    }
  };

  async #drain(witness: Witness, url: string): Promise<void> {
    for (let checkpoint = this.#take(witness); checkpoint; checkpoint = this.#take(witness)) {
      await this.#submit(witness, url, checkpoint).catch((error: unknown) => {
        this.#o.logger?.warn({ witness: witness.name, treeSize: checkpoint.treeSize, err: { name: (error as Error).name, message: (error as Error).message } }, 'could not reach a witness');
      });
    }
  }

  #take(witness: Witness): FinalCheckpoint | undefined {
    const next = this.#next.get(witness.name);
    this.#next.delete(witness.name);
    return next;
  }

  /** One checkpoint to one witness; a 409 names the witness's size, and the proof is made again from it (twice at most). */
  async #submit(witness: Witness, url: string, checkpoint: FinalCheckpoint): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const old = this.#known.get(witness.name) ?? 0;
      if (old > checkpoint.treeSize) return; // the witness already holds a later checkpoint
      const answer = await this.#post(url, this.#body(old, checkpoint));
      if (answer.status === 200) {
        await this.#keep(witness, checkpoint, answer.text);
        return;
      }
      if (answer.status !== 409) {
        this.#refused(witness, checkpoint, answer.status, answer.text);
        return;
      }
      this.#known.set(witness.name, Number(answer.text.trim()));
    }
  }

  #body(old: number, checkpoint: FinalCheckpoint): string {
    const proof = old === 0 ? [] : this.#o.log.consistencyProof(old, checkpoint.treeSize);
    return `old ${old}\n${proof.map((hash) => `${toBase64(hash)}\n`).join('')}\n${checkpoint.note}`;
  }

  async #post(url: string, body: string): Promise<{ status: number; text: string }> {
    const response = await (this.#o.fetch ?? fetch)(`${url}/add-checkpoint`, { method: 'POST', body, signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS) });
    return { status: response.status, text: await response.text() };
  }

  /** Keeps the lines that are this witness's valid cosignatures of the checkpoint; others are ignored. */
  async #keep(witness: Witness, checkpoint: FinalCheckpoint, lines: string): Promise<void> {
    const key = parseCosignerKey(witness.key);
    const signed = parseNote(`${parseNote(checkpoint.note).text}\n${lines}`);
    const valid = signed.signatures.find((s) => verifyCosignature(signed.text, s, key).valid);
    this.#known.set(witness.name, checkpoint.treeSize);
    if (!valid) {
      this.#o.logger?.warn({ witness: witness.name, treeSize: checkpoint.treeSize }, 'a witness answered without a valid cosignature');
      return;
    }
    await this.#o.log.putWitnessCosignature(checkpoint.treeSize, witness.name, valid.line);
    await this.#o.finality.consider(checkpoint.treeSize);
  }

  #refused(witness: Witness, checkpoint: FinalCheckpoint, status: number, reason: string): void {
    if (status === 422) {
      this.emit('conflict', { treeSize: checkpoint.treeSize, witness: witness.name, reason: reason.trim() });
      return;
    }
    this.#o.logger?.warn({ witness: witness.name, treeSize: checkpoint.treeSize, status, reason: reason.trim().slice(0, 200) }, 'a witness refused a checkpoint');
  }
}
