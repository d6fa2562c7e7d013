import { handoverDocument, occurredAt } from '../bench/events.js';
import { residentId } from '../support/ids.js';
import { raw, type RawAnswer } from '../support/raw-http.js';

/** An entry recorded through the API, and the receipt the gateway signed for it. */
export interface Recorded {
  readonly ref: string;
  readonly entryId: string;
  readonly receipt: string;
}

/** A subject a drill set up: its ID number (only ever in bodies), reference and entries so far. */
export interface Subject {
  readonly n: number;
  readonly idNumber: string;
  readonly ref: string;
  readonly entryIds: readonly string[];
  readonly receipts: readonly string[];
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** POSTs JSON to the gateway with a token, exactly as given. */
export function postJson(url: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return raw(url, {
    method: 'POST',
    path,
    headers: { ...bearer(token), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The body of POST /v1/events for the n-th drill subject. */
export function eventBody(type: string, subject: { idNumber: string } | { ref: string }, document: Record<string, unknown>, n: number, afterDays = 0): Record<string, unknown> {
  return { type, subject, occurredAt: occurredAt(n, afterDays), document };
}

/** Records an event and hands back its entry; anything but 201 is the drill's own failure. */
export async function record(url: string, token: string, body: Record<string, unknown>): Promise<Recorded> {
  const answer = await postJson(url, '/v1/events', token, body);
  const recorded = answer.json as { entry?: { id?: unknown; subjectRef?: unknown }; receipt?: unknown } | undefined;
  const entry = recorded?.entry;
  if (answer.status !== 201 || typeof entry?.id !== 'string' || typeof entry.subjectRef !== 'string' || typeof recorded?.receipt !== 'string') {
    throw new Error(`recording ${String(body['type'])} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return { ref: entry.subjectRef, entryId: entry.id, receipt: recorded.receipt };
}

/**
 * Waits until the gateway at `url` reads the subject: on Fabric each agency's gateway reads its own
 * peer, which commits a block another agency's peer already has a moment later.
 */
async function seenAt(url: string, token: string, ref: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await raw(url, { path: `/v1/subjects/${ref}`, headers: bearer(token) })).status !== 200) {
    if (Date.now() > deadline) throw new Error(`the subject did not reach ${url} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sets up the n-th drill subject (n ≥ 1): a court hands it over and, with `received`, the justice
 * bureau receives it, so that it is under correction and warnings may be recorded. `url` is the
 * one gateway both agencies use, or each agency's own.
 */
export async function setUpSubject(url: string | { court: string; justice: string }, tokens: { court: string; justice: string }, n: number, received = true): Promise<Subject> {
  const urls = typeof url === 'string' ? { court: url, justice: url } : url;
  const idNumber = residentId(n);
  const handover = await record(urls.court, tokens.court, eventBody('SENTENCE_HANDOVER', { idNumber }, handoverDocument(n), n));
  const entries = [handover];
  if (urls.justice !== urls.court) await seenAt(urls.justice, tokens.justice, handover.ref);
  if (received) entries.push(await record(urls.justice, tokens.justice, eventBody('SUBJECT_RECEIVED', { ref: handover.ref }, { escorted: false }, n, 2)));
  return { n, idNumber, ref: handover.ref, entryIds: entries.map((e) => e.entryId), receipts: entries.map((e) => e.receipt) };
}

/** A warning's body: decision numbers differ, so each warning is a distinct document. */
export const warningBody = (subject: Subject, decision: string): Record<string, unknown> =>
  eventBody('WARNING_ISSUED', { ref: subject.ref }, { decisionNo: decision, kind: 'WARNING' }, subject.n, 10);
