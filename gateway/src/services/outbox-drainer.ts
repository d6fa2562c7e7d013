import { toProblem } from '../errors.js';
import { LedgerUnavailableError, OutcomeUnknownError } from '../ledger/port.js';
import type { Logger } from '../logger.js';
import type { Notice } from '../log/records.js';
import { backoffDelay, sleep, type Backoff } from '../retry.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { OutboxStore, Submission } from '../store/outbox-store.js';
import { submissionView } from './event-recorder.js';
import type { LedgerWriter } from './ledger-writer.js';

export interface OutboxDrainerDeps {
  readonly outbox: OutboxStore;
  readonly writer: LedgerWriter;
  readonly responses: Pick<GatewayStore, 'putResponse'>;
  /** Numbers a notice once per key, serialised with the log follower's writes. */
  readonly notices: { appendNotice(key: string, notice: Notice): Promise<void> };
  /** How long to wait between attempts while the ledger does not take the submissions. */
  readonly backoff: Backoff;
  readonly clock: () => Date;
  readonly logger?: Logger | undefined;
}

/** Subjects drained side by side; each subject's own submissions go one at a time, in order. */
const SUBJECTS_AT_ONCE = 8;

type Outcome = 'settled' | 'stalled';

/**
 * Submits the outbox to the ledger: each subject's submissions in the order they were accepted,
 * each under its own idempotency key, so that one the ledger took before a crash replays instead
 * of recording twice. A submission settles as committed (its entry and a receipt) or refused
 * (the ledger's problem, and a `submission-refused` notice to its agency); while the ledger does
 * not take it, it waits with backoff. Everything it needs is in LevelDB: a restarted gateway
 * resumes where this one stopped.
 */
export class OutboxDrainer {
  readonly #deps: OutboxDrainerDeps;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(deps: Readonly<OutboxDrainerDeps>) {
    this.#deps = deps;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** New work arrived. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let stalls = 0;
    await this.#noticeRefusals();
    while (!signal.aborted) {
      this.#woken = false;
      const pending = await this.#deps.outbox.pending();
      if (pending.length === 0) {
        stalls = 0;
        await this.#idle();
        continue;
      }
      const stalled = await this.#drain(pending);
      if (!stalled) {
        stalls = 0;
        continue;
      }
      stalls++;
      await sleep(backoffDelay(stalls, this.#deps.backoff), signal);
    }
  }

  /** Waits for new work, unless some arrived since the last look. */
  async #idle(): Promise<void> {
    if (this.#woken || this.#abort.signal.aborted) return;
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
  }

  /** One pass over the pending submissions; true if the ledger did not take one of them. */
  async #drain(pending: readonly Submission[]): Promise<boolean> {
    const bySubject = new Map<string, Submission[]>();
    for (const submission of pending) bySubject.set(submission.subjectRef, [...(bySubject.get(submission.subjectRef) ?? []), submission]);
    const queues = [...bySubject.values()];
    let stalled = false;
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        if ((await this.#drainSubject(queue)) === 'stalled') stalled = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SUBJECTS_AT_ONCE, queues.length) }, worker));
    return stalled;
  }

  /** A subject's submissions in order, stopping at the first the ledger does not take. */
  async #drainSubject(queue: readonly Submission[]): Promise<Outcome> {
    for (const submission of queue) {
      if (this.#abort.signal.aborted) return 'stalled';
      if ((await this.#submit(submission)) === 'stalled') return 'stalled';
    }
    return 'settled';
  }

  async #submit(submission: Submission): Promise<Outcome> {
    const { request } = submission;
    if (!request) return 'settled';
    try {
      const written = await this.#deps.writer.write({ agency: submission.agency, actor: submission.actor }, request, submission.keyHash);
      await this.#deps.outbox.settle(submission.id, { recorded: written.response }, this.#deps.clock());
      if (submission.clientKey) {
        await this.#deps.responses.putResponse(submission.agency, submission.keyHash, { requestHash: submission.requestHash, status: 201, body: written.response });
      }
      return 'settled';
    } catch (error) {
      return this.#failed(submission, error);
    }
  }

  async #failed(submission: Submission, error: unknown): Promise<Outcome> {
    if (error instanceof LedgerUnavailableError || error instanceof OutcomeUnknownError) return 'stalled';
    const problem = toProblem(error);
    if (problem.status >= 500) {
      // Not the ledger's decision: keep the submission and try again later.
      this.#deps.logger?.error({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code }, submission: submission.id }, 'outbox submission failed');
      return 'stalled';
    }
    const refused = await this.#deps.outbox.settle(submission.id, { problem }, this.#deps.clock());
    await this.#notice(refused);
    return 'settled';
  }

  /** Refusals whose notice a crash may have kept from being numbered. */
  async #noticeRefusals(): Promise<void> {
    for (const refused of await this.#deps.outbox.unnoticed()) await this.#notice(refused);
  }

  async #notice(refused: Submission): Promise<void> {
    await this.#deps.notices.appendNotice(`submission-refused:${refused.id}`, {
      kind: 'submission-refused',
      agencies: [refused.agency],
      // To the unit that asked: the refusal is its business.
      to: [{ agency: refused.agency, unit: refused.actor.unit }],
      data: { submission: submissionView(refused) },
    });
    await this.#deps.outbox.markNoticed(refused.id);
  }
}
