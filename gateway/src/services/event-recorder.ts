import { randomUUID } from 'node:crypto';
import { documentHash, listedAttachments, requestHash, subjectRefFor, type Agency, type Entry, type MinimalStatus, type SubjectStatus } from 'correction-chaincode/domain';
import { ApiError, type ProblemCode } from '../errors.js';
import type { Principal } from '../http/auth.js';
import type { RecordEventBody } from '../http/schemas.js';
import { LedgerUnavailableError, OutcomeUnknownError, type Caller } from '../ledger/port.js';
import type { FileStore } from '../store/file-store.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { OutboxStore, RecordedResponse, RefusalProblem, Submission, SubmissionRequest } from '../store/outbox-store.js';
import { actorOf, writerOf } from './caller.js';
import { freshKeyHash, keyHashOf } from './correction-client.js';
import type { LedgerWriter } from './ledger-writer.js';

/** A submission as its agency reads it: never its document. */
export interface SubmissionView {
  readonly id: string;
  readonly state: Submission['state'];
  readonly subjectRef: string;
  readonly type: string;
  readonly acceptedAt: string;
  readonly settledAt?: string;
  readonly entry?: Entry;
  readonly status?: SubjectStatus | MinimalStatus;
  readonly receipt?: string;
  readonly problem?: RefusalProblem;
}

/** The answer to a record request: the entry (201), or the submission the outbox holds (202). */
export type RecordAnswer =
  | { readonly kind: 'recorded'; readonly response: RecordedResponse; readonly replayed: boolean }
  | { readonly kind: 'accepted'; readonly submission: SubmissionView };

export interface EventRecorderDeps {
  readonly writer: LedgerWriter;
  readonly outbox: OutboxStore;
  /** The cache of first answers per agency and key hash. */
  readonly responses: Pick<GatewayStore, 'getResponse' | 'putResponse'>;
  readonly subjectKey: Uint8Array;
  /** On Fabric a gateway holds one agency's identity and serves that agency only. */
  readonly servesAgency?: Agency | undefined;
  /** Told when a submission enters the outbox, so that the drainer takes it up. */
  readonly onAccepted: () => void;
  readonly clock: () => Date;
  /** The files this gateway holds: an event may list only attachments held here. */
  readonly files?: Pick<FileStore, 'stat'> | undefined;
}

/** The idempotency key of one request: its hash as the ledger records it, and the hash of the request. */
interface KeyedRequest {
  readonly request: SubmissionRequest;
  readonly keyHash: string;
  readonly requestHash: string;
  readonly clientKey: boolean;
}

export function submissionView(submission: Submission): SubmissionView {
  return {
    id: submission.id,
    state: submission.state,
    subjectRef: submission.subjectRef,
    type: submission.type,
    acceptedAt: submission.acceptedAt,
    ...(submission.settledAt ? { settledAt: submission.settledAt } : {}),
    ...(submission.recorded ?? {}),
    ...(submission.problem ? { problem: submission.problem } : {}),
  };
}

/** A refusal kept on a submission, raised again as the error it was. */
function refusalError(problem: RefusalProblem | undefined): ApiError {
  if (!problem) return new ApiError('INTERNAL', 'a refused submission without its problem');
  const { type: _type, title: _title, status: _status, code, detail, ...extensions } = problem;
  return new ApiError(code as ProblemCode, detail, extensions);
}

/** What a submission says to a client that sends its key again. */
function answerOf(submission: Submission): RecordAnswer {
  if (submission.state === 'pending') return { kind: 'accepted', submission: submissionView(submission) };
  if (submission.state === 'refused' || !submission.recorded) throw refusalError(submission.problem);
  return { kind: 'recorded', response: submission.recorded, replayed: true };
}

function requireSameRequest(first: string, again: string): void {
  if (first !== again) throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
}

const unsettled = (error: unknown): boolean => error instanceof LedgerUnavailableError || error instanceof OutcomeUnknownError;

/**
 * Records events. The ledger records every request's idempotency key with its entry, so a retry
 * is answered with the first entry whatever happened to this gateway in between; the answers kept
 * here (the response cache, the outbox) only save a round trip. With an Idempotency-Key, a request
 * the ledger cannot take now is accepted into the outbox (202) and submitted, in order per subject,
 * when it can; a subject with submissions waiting takes new keyed requests behind them. Without a
 * key the answer is 503 when the ledger is known not to have the request, and 202 when it may.
 */
export class EventRecorder {
  readonly #deps: EventRecorderDeps;

  constructor(deps: Readonly<EventRecorderDeps>) {
    this.#deps = deps;
  }

  async record(principal: Principal, body: RecordEventBody, idempotencyKey?: string): Promise<RecordAnswer> {
    const caller = writerOf(principal, this.#deps.servesAgency);
    await this.#requireAttachmentsHeld(body.document);
    const request = this.#requestOf(body);
    const hash = requestHash({ ...request, docHash: documentHash(request.document) });
    if (idempotencyKey === undefined) return this.#recordUnkeyed(caller, { request, requestHash: hash, keyHash: freshKeyHash(), clientKey: false });
    const keyed: KeyedRequest = { request, requestHash: hash, keyHash: keyHashOf(idempotencyKey), clientKey: true };
    return (await this.#earlierAnswer(caller.agency, keyed)) ?? this.#recordKeyed(caller, keyed);
  }

  /**
   * Every file the document lists is held here, as listed (hash, size and type): an entry must not
   * pin a file that no gateway can deliver. 400 ATTACHMENT_NOT_HELD names each one that is not.
   */
  async #requireAttachmentsHeld(document: unknown): Promise<void> {
    const { files } = this.#deps;
    if (!files) return;
    const listed = listedAttachments(document as Record<string, unknown>);
    const held = await Promise.all(listed.map((a) => files.stat(a.hash)));
    const errors = listed.flatMap((a, i) => {
      const file = held[i];
      const same = file?.size === a.size && file.mediaType === a.mediaType;
      return same ? [] : [{ path: `document.attachments.${String(i)}`, message: file ? `is held with another size or type (${String(file.size)} bytes, ${file.mediaType})` : 'is not held by this gateway: upload it to POST /v1/documents first' }];
    });
    if (errors.length > 0) throw new ApiError('ATTACHMENT_NOT_HELD', `${String(errors.length)} attachment(s) are not held by this gateway`, { errors });
  }

  /** A submission of the caller's agency; another agency's is not found. */
  async submission(principal: Principal, id: string): Promise<SubmissionView> {
    const found = await this.#deps.outbox.get(id);
    if (found?.agency !== principal.agency) throw new ApiError('NOT_FOUND', 'no such submission for this agency');
    return submissionView(found);
  }

  #requestOf(body: RecordEventBody): SubmissionRequest {
    const subjectRef = 'idNumber' in body.subject ? subjectRefFor(this.#deps.subjectKey, body.subject.idNumber) : body.subject.ref;
    return { subjectRef, type: body.type, occurredAt: body.occurredAt, amends: body.amends ?? null, document: body.document };
  }

  /** What the gateway already knows of the key: a submission in the outbox, or a cached first answer. */
  async #earlierAnswer(agency: Agency, keyed: KeyedRequest): Promise<RecordAnswer | undefined> {
    const submission = this.#deps.outbox.byKey(agency, keyed.keyHash);
    if (submission) {
      requireSameRequest(submission.requestHash, keyed.requestHash);
      return answerOf(submission);
    }
    const cached = await this.#deps.responses.getResponse(agency, keyed.keyHash);
    if (!cached) return undefined;
    requireSameRequest(cached.requestHash, keyed.requestHash);
    return { kind: 'recorded', response: cached.body as RecordedResponse, replayed: true };
  }

  async #recordKeyed(caller: Caller, keyed: KeyedRequest): Promise<RecordAnswer> {
    if (this.#deps.outbox.hasPending(keyed.request.subjectRef)) return this.#accept(caller, keyed);
    try {
      const written = await this.#deps.writer.write(caller, keyed.request, keyed.keyHash);
      await this.#deps.responses.putResponse(caller.agency, keyed.keyHash, { requestHash: keyed.requestHash, status: 201, body: written.response });
      return { kind: 'recorded', ...written };
    } catch (error) {
      if (unsettled(error)) return this.#accept(caller, keyed);
      throw error;
    }
  }

  async #recordUnkeyed(caller: Caller, keyed: KeyedRequest): Promise<RecordAnswer> {
    if (this.#deps.outbox.hasPending(keyed.request.subjectRef)) {
      throw new LedgerUnavailableError('submissions for this subject are waiting for the ledger; send an Idempotency-Key to queue behind them');
    }
    try {
      return { kind: 'recorded', ...(await this.#deps.writer.write(caller, keyed.request, keyed.keyHash)) };
    } catch (error) {
      // Sent, and no commit seen: only a resubmission under the same key can settle it.
      if (error instanceof OutcomeUnknownError) return this.#accept(caller, keyed);
      throw error;
    }
  }

  async #accept(caller: Caller, keyed: KeyedRequest): Promise<RecordAnswer> {
    const { submission } = await this.#deps.outbox.accept({
      id: randomUUID(),
      agency: caller.agency,
      actor: actorOf(caller),
      keyHash: keyed.keyHash,
      clientKey: keyed.clientKey,
      requestHash: keyed.requestHash,
      subjectRef: keyed.request.subjectRef,
      type: keyed.request.type,
      acceptedAt: this.#deps.clock().toISOString(),
      request: keyed.request,
    });
    this.#deps.onAccepted();
    // A retry that raced this one into the outbox gets the same submission.
    requireSameRequest(submission.requestHash, keyed.requestHash);
    return answerOf(submission);
  }
}
