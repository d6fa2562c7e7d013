import type { Agency } from 'correction-chaincode/domain';
import type { Role } from '../../gateway/src/keys.js';
import type { Target } from './target.js';

export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A client acting for one agency and role against a target, over real HTTP. */
export class Api {
  readonly #target: Target;
  readonly agency: Agency;
  readonly role: Role;
  #token: Promise<string> | undefined;

  constructor(target: Target, agency: Agency, role: Role = 'clerk') {
    this.#target = target;
    this.agency = agency;
    this.role = role;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    this.#token ??= this.#target.token(this.agency, this.role);
    const response = await fetch(`${this.#target.url(this.agency)}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as T) : (undefined as T), headers: response.headers };
  }

  get<T = any>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  /** Records an event for a subject given by ID number or reference. */
  record(type: string, subject: { idNumber: string } | { ref: string }, document: unknown, occurredAt: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
    return this.post('/v1/events', { type, subject, occurredAt, document, ...extra }, headers);
  }
}
