import { documentHash } from 'correction-chaincode/domain';
import { raw, type RawAnswer } from '../support/raw-http.js';
import { bearer, postJson, warningBody, type Subject } from './subjects.js';

/** What the gateway answered a keyed request: its entry (201) or its submission (202). */
export interface KeyedAnswer {
  readonly status: number;
  readonly entryId?: string;
  readonly submissionId?: string;
  readonly location?: string;
}

/**
 * A keyed request as a client keeps it to retry: the Idempotency-Key, the exact body, the hash of
 * its document (each warning's document names its key, so the chain shows which request an entry
 * is), and the answer once one was seen.
 */
export interface KeyedRequest {
  readonly key: string;
  readonly subject: Subject;
  readonly body: Record<string, unknown>;
  readonly docHash: string;
  answer?: KeyedAnswer;
}

/** A warning for `subject` keyed `key`, its decision number the key itself. */
export function keyedWarning(subject: Subject, key: string): KeyedRequest {
  const body = warningBody(subject, key);
  return { key, subject, body, docHash: documentHash(body['document']) };
}

/** Reads the parts of an answer that tell where the request went. */
export function keyedAnswer(answer: RawAnswer): KeyedAnswer {
  const json = answer.json as { id?: unknown; entry?: { id?: unknown } } | undefined;
  const location = answer.headers['location'];
  return {
    status: answer.status,
    ...(answer.status === 201 && typeof json?.entry?.id === 'string' ? { entryId: json.entry.id } : {}),
    ...(answer.status === 202 && typeof json?.id === 'string' ? { submissionId: json.id } : {}),
    ...(typeof location === 'string' ? { location } : {}),
  };
}

/** Sends the request with its key, exactly as first sent; resolves the raw answer (rejects on a dead socket). */
export const sendKeyed = (url: string, token: string, request: KeyedRequest): Promise<RawAnswer> =>
  postJson(url, '/v1/events', token, request.body, { 'idempotency-key': request.key });

/** A settled answer: the ledger has the request (201), or took it into the outbox (202). */
export const settledAnswer = (answer: KeyedAnswer | undefined): boolean => answer?.status === 201 || answer?.status === 202;

/** The state of a submission as GET /v1/submissions/{id} shows it. */
export async function submissionState(url: string, token: string, id: string): Promise<string> {
  const answer = await raw(url, { path: `/v1/submissions/${id}`, headers: bearer(token) });
  return answer.status === 200 ? String((answer.json as { state?: unknown } | undefined)?.state) : `HTTP ${answer.status}`;
}

const POLL_BATCH = 16;

/**
 * Polls every submission until none is pending, or the deadline passes. Resolves the states by
 * submission id and how long it took.
 */
export async function untilSettled(url: string, token: string, ids: readonly string[], timeoutMs: number): Promise<{ states: Map<string, string>; seconds: number }> {
  const started = performance.now();
  const states = new Map<string, string>();
  let open = [...ids];
  for (;;) {
    const polled: Array<readonly [string, string]> = [];
    // A few at a time, as a client would: thousands of polls at once are a flood of their own.
    for (let i = 0; i < open.length; i += POLL_BATCH) {
      polled.push(...(await Promise.all(open.slice(i, i + POLL_BATCH).map(async (id) => [id, await submissionState(url, token, id)] as const))));
    }
    for (const [id, state] of polled) states.set(id, state);
    open = polled.filter(([, state]) => state === 'pending').map(([id]) => id);
    const seconds = (performance.now() - started) / 1000;
    if (open.length === 0 || seconds * 1000 > timeoutMs) return { states, seconds };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The document hashes of a subject's warnings, in chain order. */
export async function chainWarnings(url: string, token: string, ref: string): Promise<string[]> {
  const answer = await raw(url, { path: `/v1/subjects/${ref}/entries`, headers: bearer(token) });
  if (answer.status !== 200) throw new Error(`GET /v1/subjects/{ref}/entries answered ${answer.status}`);
  return (answer.json as Array<{ type: string; docHash: string }>).filter((entry) => entry.type === 'WARNING_ISSUED').map((entry) => entry.docHash);
}

/** What the chains hold of a drill's keyed requests. */
export interface LedgerCount {
  /** Requests answered 201/202 whose entry is not on the chain. */
  readonly lost: number;
  /** Entries beyond the first for one request (one key, one body). */
  readonly duplicated: number;
  /** Warnings on the chains that no request of the drill sent. */
  readonly phantom: number;
  /** Subjects whose warnings are not in the order their requests were sent. */
  readonly outOfOrder: number;
  readonly entries: number;
  readonly subjects: number;
}

/** Counts, over the subjects' chains as `url` shows them, what became of each keyed request. */
export async function countOnLedger(url: string, token: string, requests: readonly KeyedRequest[]): Promise<LedgerCount> {
  const bySubject = new Map<string, KeyedRequest[]>();
  for (const request of requests) bySubject.set(request.subject.ref, [...(bySubject.get(request.subject.ref) ?? []), request]);
  let lost = 0;
  let duplicated = 0;
  let phantom = 0;
  let outOfOrder = 0;
  let entries = 0;
  for (const [ref, sent] of bySubject) {
    const chain = await chainWarnings(url, token, ref);
    entries += chain.length;
    const seen = new Map<string, number>();
    for (const hash of chain) seen.set(hash, (seen.get(hash) ?? 0) + 1);
    const mine = new Set(sent.map((request) => request.docHash));
    lost += sent.filter((request) => settledAnswer(request.answer) && !seen.has(request.docHash)).length;
    duplicated += [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    phantom += chain.filter((hash) => !mine.has(hash)).length;
    const firsts = chain.filter((hash, i) => chain.indexOf(hash) === i);
    if (firsts.join() !== sent.map((request) => request.docHash).filter((hash) => seen.has(hash)).join()) outOfOrder++;
  }
  return { lost, duplicated, phantom, outOfOrder, entries, subjects: bySubject.size };
}
