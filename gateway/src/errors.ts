import { DomainError, type FieldIssue } from 'correction-chaincode/domain';
import { LedgerUnavailableError, OutcomeUnknownError } from './ledger/port.js';
import { FileRefusedError } from './store/file-errors.js';
import { SealedValueError } from './store/sealer.js';

/** Every error code the API answers with, and its HTTP status and title: one table. */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'Not allowed for this agency, unit or role' },
  PURPOSE_REQUIRED: { status: 403, title: 'A sealed record is read only for a stated purpose (reason and caseNumber)' },
  DESTINATION_REFUSED: { status: 403, title: 'The operator does not allow this webhook destination' },
  ATTACHMENT_NOT_HELD: { status: 400, title: 'A document lists an attachment this gateway does not hold (upload it first to POST /v1/documents)' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  FILE_NOT_HELD: { status: 404, title: 'The file is listed by the entry but this gateway does not hold it' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this resource' },
  ILLEGAL_TRANSITION: { status: 409, title: 'Not allowed in the subject\'s current state' },
  CONFLICT: { status: 409, title: 'Conflicts with the ledger' },
  NOT_YET_CHECKPOINTED: { status: 409, title: 'Not yet in a final checkpoint of the log' },
  WEBHOOK_LIMIT_REACHED: { status: 409, title: 'The agency has as many webhooks as it may' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The body is not of a media type (or content coding) the route takes' },
  FILE_TYPE_NOT_ACCEPTED: { status: 415, title: 'A file must be a PDF, OFD, JPEG or PNG by its leading bytes' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The range asked for lies outside the file' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  LEDGER_UNAVAILABLE: { status: 503, title: 'The ledger is unavailable' },
  FILE_HASH_MISMATCH: { status: 502, title: 'A file fetched from the gateway that holds it does not match its entry' },
  INSUFFICIENT_STORAGE: { status: 507, title: 'The gateway has no room to keep the file' },
  GATEWAY_BUSY: { status: 503, title: 'The gateway has as many ledger requests in progress as it takes' },
  STORED_DATA_UNREADABLE: { status: 500, title: 'A stored record does not open under this gateway\'s document key' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const;
export type ProblemCode = keyof typeof PROBLEMS;

/** An error the API answers with a problem+json body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ProblemCode;
  readonly extensions: Readonly<Record<string, unknown>>;
  constructor(code: ProblemCode, detail: string, extensions: Readonly<Record<string, unknown>> = {}) {
    super(detail);
    this.code = code;
    this.extensions = extensions;
  }
}

export function validationFailed(errors: readonly FieldIssue[]): ApiError {
  return new ApiError('VALIDATION_FAILED', `${errors.length} field(s) are not valid`, { errors });
}

/** RFC 9457 problem details. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

/** Converts any error, once, at the edge. Typed errors map by code; anything else is a 500. */
export function toProblem(error: unknown): Problem {
  const api = toApiError(error);
  const { status, title } = PROBLEMS[api.code];
  return {
    type: `urn:correction-ledger:problem:${api.code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    code: api.code,
    detail: api.message,
    ...api.extensions,
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return domainProblem(error);
  if (error instanceof FileRefusedError) return fileRefusal(error);
  if (error instanceof LedgerUnavailableError) return new ApiError('LEDGER_UNAVAILABLE', error.message);
  // A recorded read sent and not seen committed: no record was written that the client could rely on.
  if (error instanceof OutcomeUnknownError) return new ApiError('LEDGER_UNAVAILABLE', 'the read was sent to the ledger and its record not seen committed; try again');
  // The operator's problem (a wrong DOCUMENT_KEY, altered files), told apart from a bug; the log has the class and code.
  if (error instanceof SealedValueError) return new ApiError('STORED_DATA_UNREADABLE', 'a stored record failed its integrity check');
  return new ApiError('INTERNAL', 'internal error');
}

function fileRefusal(error: FileRefusedError): ApiError {
  switch (error.code) {
    case 'FILE_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', error.message, { maxBytes: error.maxBytes });
    case 'UPLOAD_ABORTED':
      return validationFailed([{ path: '(body)', message: 'was not received whole' }]);
    default:
      return new ApiError(error.code, error.message);
  }
}

function domainProblem(error: DomainError): ApiError {
  switch (error.code) {
    case 'INVALID_INPUT':
      return new ApiError('VALIDATION_FAILED', error.message, { errors: error.details.issues ?? [] });
    case 'ILLEGAL_TRANSITION':
      return new ApiError('ILLEGAL_TRANSITION', error.message, { currentState: error.details.currentState });
    // The client gets the read itself, recorded: this answer reaching the edge is a bug.
    case 'ACCESS_MUST_BE_RECORDED':
      return new ApiError('INTERNAL', 'internal error');
    default:
      return new ApiError(error.code, error.message);
  }
}
