import type { Agency } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';
import type { RecordedResponse } from '../../gateway/src/services/ledger-writer.js';
import type { Target, UnitIdentity } from './target.js';

/** An HTTP answer, its JSON body typed as the caller expects it (unknown unless said). */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/**
 * What the agencies of a test have recorded so far: subject reference → last position. On Fabric
 * each agency reads its own peer, which may commit a block a few milliseconds after another
 * agency's peer; an agency acts on a subject once its own gateway shows what was recorded before,
 * as a real clerk acts on what their screen shows.
 */
export type CaseFiles = Map<string, number>;

/** A client acting for one agency and role against a target, over real HTTP. */
export class Api {
  readonly #target: Target;
  readonly #cases: CaseFiles;
  readonly agency: Agency;
  readonly role: Role;
  #token: Promise<string> | undefined;

  readonly #as: UnitIdentity | undefined;

  /** `as` makes the client act for one unit (of a kind); without it, for the whole agency. */
  constructor(target: Target, agency: Agency, role: Role = 'clerk', cases: CaseFiles = new Map(), as?: UnitIdentity) {
    this.#target = target;
    this.agency = agency;
    this.role = role;
    this.#cases = cases;
    this.#as = as;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    this.#token ??= this.#target.token(this.agency, this.role, this.#as);
    const response = await fetch(`${this.#target.url(this.agency)}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as T) : (undefined as T), headers: response.headers };
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  /**
   * Records an event for a subject given by ID number or reference. The body is typed as the
   * recorded entry; the body of a refusal is a problem, read with expectProblem.
   */
  async record(type: string, subject: { idNumber: string } | { ref: string }, document: unknown, occurredAt: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Answer<RecordedResponse>> {
    if ('ref' in subject) await this.sees(subject.ref, this.#cases.get(subject.ref) ?? 0);
    const answer = await this.post<RecordedResponse>('/v1/events', { type, subject, occurredAt, document, ...extra }, headers);
    const entry = (answer.body as { entry?: { subjectRef: string; seq: number } } | undefined)?.entry;
    if (answer.status === 201 && entry) this.#cases.set(entry.subjectRef, Math.max(entry.seq, this.#cases.get(entry.subjectRef) ?? 0));
    return answer;
  }

  /** Waits until this agency's gateway shows at least `entries` entries for the subject. */
  async sees(ref: string, entries: number, timeoutMs = 10_000): Promise<void> {
    if (entries === 0) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.get<{ entryCount?: number } | undefined>(`/v1/subjects/${ref}`);
      if ((status.body?.entryCount ?? 0) >= entries) return;
      if (Date.now() > deadline) throw new Error(`${this.agency} does not see entry ${entries} of ${ref}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
