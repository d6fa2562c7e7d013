import { createHash } from 'node:crypto';
import {
  EMPTY_ROOT,
  equalBytes,
  formatNote,
  fromBase64,
  NoteError,
  parseCheckpointText,
  parseNote,
  toBase64,
  verifyCheckpoint,
  verifyConsistency,
  type Checkpoint,
  type TrustFile,
} from 'correction-verifier';
import type { NoteSigner } from '../note-keys.js';
import type { WitnessState } from './witness-state.js';

/** An answer of add-checkpoint, as c2sp.org/tlog-witness names them. */
export type AddCheckpointResult =
  | { readonly status: 200; readonly cosignatures: string }
  | { readonly status: 409; readonly size: number }
  | { readonly status: 400 | 403 | 404 | 422; readonly reason: string };

/** Most consistency proof lines a client may send (the spec's bound). */
const MAX_PROOF_LINES = 63;

interface Submission {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  readonly note: string;
}

export interface WitnessOptions {
  readonly signer: NoteSigner;
  /** The logs it witnesses: each trust file gives an origin, the agencies' keys and how many must sign. */
  readonly logs: readonly TrustFile[];
  readonly state: WitnessState;
  /** The time now, POSIX seconds (tests move it). */
  readonly now?: () => number;
}

/**
 * A minimal C2SP witness (c2sp.org/tlog-witness): it cosigns a checkpoint only if a quorum of the
 * log's agencies signed it (more than the spec's one key: one agency alone cannot get a witness's
 * word) and it is consistent with the latest checkpoint it cosigned for that origin. Checking
 * and recording happen one submission at a time, so no request can roll another back.
 */
export class Witness {
  readonly #o: WitnessOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: Readonly<WitnessOptions>) {
    this.#o = options;
  }

  get vkey(): string {
    return this.#o.signer.vkey;
  }

  addCheckpoint(body: string): Promise<AddCheckpointResult> {
    const result = this.#queue.then(() => this.#add(body));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** The latest checkpoint cosigned for the log whose origin hashes (SHA-256, hex) to this. */
  async latestByOriginHash(originHash: string): Promise<string | undefined> {
    const log = this.#o.logs.find((t) => createHash('sha256').update(t.origin).digest('hex') === originHash);
    return log ? (await this.#o.state.latest(log.origin))?.note : undefined;
  }

  async #add(body: string): Promise<AddCheckpointResult> {
    const submission = parseSubmission(body);
    if (typeof submission === 'string') return { status: 400, reason: submission };
    let checkpoint: Checkpoint;
    try {
      checkpoint = parseCheckpointText(parseNote(submission.note).text);
    } catch (error) {
      return { status: 400, reason: error instanceof NoteError ? error.message : 'not a checkpoint' };
    }
    const log = this.#o.logs.find((t) => t.origin === checkpoint.origin);
    if (!log) return { status: 404, reason: 'unknown origin' };
    const signed = this.#signedByQuorum(submission.note, log);
    if (signed !== undefined) return { status: 403, reason: signed };
    if (submission.oldSize > checkpoint.size) return { status: 400, reason: 'the old size is larger than the checkpoint' };
    return this.#consistent(log, checkpoint, submission);
  }

  /** Why the log's signatures do not suffice, or undefined when a quorum of agencies signed and none failed. */
  #signedByQuorum(note: string, log: TrustFile): string | undefined {
    const verdict = verifyCheckpoint(note, log, this.#o.now ? { now: this.#o.now() } : {});
    if (verdict.warnings.length > 0) return `a signature of a trusted key does not verify: ${verdict.warnings.join('; ')}`;
    if (verdict.agencies.length < log.policy.agencies) return `${verdict.agencies.length} agencies signed, ${log.policy.agencies} required`;
    return undefined;
  }

  async #consistent(log: TrustFile, checkpoint: Checkpoint, submission: Submission): Promise<AddCheckpointResult> {
    const { state } = this.#o;
    const latest = await state.latest(log.origin);
    const latestSize = latest?.size ?? 0;
    if (submission.oldSize !== latestSize) return { status: 409, size: latestSize };
    const problem = inconsistency(checkpoint, submission, latest ? fromBase64(latest.root) : EMPTY_ROOT);
    if (problem !== undefined) {
      await state.keepRefused(log.origin, submission.note, problem);
      return { status: 422, reason: problem };
    }
    const text = parseNote(submission.note).text;
    const line = this.#o.signer.cosign(text, Math.floor(this.#o.now?.() ?? Date.now() / 1000));
    const lines = [...parseNote(submission.note).signatures.map((s) => s.line).filter((l) => !l.startsWith(`\u2014 ${this.#o.signer.name} `)), line];
    await state.record(log.origin, { size: checkpoint.size, root: toBase64(checkpoint.root), note: formatNote(text, lines) });
    return { status: 200, cosignatures: `${line}\n` };
  }
}

/** Why a checkpoint cannot follow the one the witness holds, or undefined when it can. */
function inconsistency(checkpoint: Checkpoint, submission: Submission, latestRoot: Uint8Array): string | undefined {
  if (checkpoint.size === 0 && !equalBytes(checkpoint.root, EMPTY_ROOT)) return 'a checkpoint of size 0 must have the empty root';
  if (submission.oldSize === 0) return submission.proof.length === 0 ? undefined : 'a proof from size 0 must be empty';
  if (submission.oldSize === checkpoint.size) {
    return equalBytes(latestRoot, checkpoint.root) ? undefined : `another root for size ${checkpoint.size} than the one cosigned`;
  }
  return verifyConsistency(submission.oldSize, checkpoint.size, submission.proof, latestRoot, checkpoint.root)
    ? undefined
    : `the proof does not show size ${checkpoint.size} extends the cosigned size ${submission.oldSize}`;
}

/** `old <size>\n`, up to 63 base64 proof lines, a blank line, then the checkpoint; or what is wrong. */
function parseSubmission(body: string): Submission | string {
  const split = body.indexOf('\n\n');
  if (split < 0) return 'no blank line after the proof';
  const [oldLine = '', ...proofLines] = body.slice(0, split).split('\n');
  const old = /^old (0|[1-9][0-9]{0,15})$/.exec(oldLine);
  if (!old) return 'the first line must be old <size>';
  if (proofLines.length > MAX_PROOF_LINES) return `more than ${MAX_PROOF_LINES} proof lines`;
  const proof: Uint8Array[] = [];
  for (const line of proofLines) {
    try {
      const hash = fromBase64(line);
      if (hash.length !== 32) return 'a proof line is not a 32-byte hash';
      proof.push(hash);
    } catch {
      return 'a proof line is not base64';
    }
  }
  return { oldSize: Number(old[1]), proof, note: body.slice(split + 2) };
}
