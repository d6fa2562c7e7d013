/**
 * Stable error codes of the domain. The contract throws them, both ledgers carry them to the
 * gateway unchanged, and the gateway maps each to one HTTP status.
 */
export type DomainErrorCode =
  | 'INVALID_INPUT'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ILLEGAL_TRANSITION'
  | 'CONFLICT'
  /** An idempotency key sent again with a different request. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** A read of a sealed record that must state its purpose (a case number and a reason) and did not. */
  | 'PURPOSE_REQUIRED'
  /**
   * A read that must leave an access entry on the ledger was asked of a read-only transaction: the
   * caller submits it again as ReadRecorded. Never an answer to a client.
   */
  | 'ACCESS_MUST_BE_RECORDED';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `document.termEnd`. */
  readonly path: string;
  readonly message: string;
}

export interface DomainErrorDetails {
  readonly issues?: readonly FieldIssue[];
  readonly currentState?: string;
  readonly [key: string]: unknown;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly details: DomainErrorDetails;

  constructor(code: DomainErrorCode, message: string, details: DomainErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  /** The wire form: what the contract puts in its error message, and what the gateway decodes. */
  toWire(): string {
    return JSON.stringify({ domainError: { code: this.code, message: this.message, details: this.details } });
  }

  /** Decodes the wire form of a domain error, or returns undefined if the text is something else. */
  static fromWire(text: string): DomainError | undefined {
    const start = text.indexOf('{"domainError":');
    if (start < 0) return undefined;
    // Transports may wrap the message (e.g. "chaincode response 500, …"); read the JSON object alone.
    for (let end = text.lastIndexOf('}'); end > start; end = text.lastIndexOf('}', end - 1)) {
      try {
        const parsed = JSON.parse(text.slice(start, end + 1)) as {
          domainError?: { code?: DomainErrorCode; message?: string; details?: DomainErrorDetails };
        };
        const e = parsed.domainError;
        if (!e?.code || typeof e.message !== 'string') return undefined;
        return new DomainError(e.code, e.message, e.details ?? {});
      } catch {
        // not the end of the object yet
      }
    }
    return undefined;
  }
}

export function invalid(issues: readonly FieldIssue[], message = 'Invalid input'): DomainError {
  return new DomainError('INVALID_INPUT', message, { issues });
}
