import type { IncomingMessage } from 'node:http';
import { parse as parseContentType } from 'content-type';
import getRawBody from 'raw-body';
import type { FieldIssue } from 'correction-chaincode/domain';
import { ApiError, validationFailed } from '../errors.js';

/** Bounds on a JSON request body, checked before any schema sees it. */
export interface JsonLimits {
  readonly maxBytes: number;
  /** Deepest nesting of objects and arrays. */
  readonly maxDepth: number;
  /** Most object keys in the whole body. */
  readonly maxKeys: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 1_048_576, maxDepth: 32, maxKeys: 1_000 };

/** Most issues named in one answer: enough to fix a request, not a way to make the gateway write megabytes. */
const MAX_ISSUES = 20;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** Whether a media type is JSON (application/json or a +json type). */
export const isJsonMediaType = (type: string | undefined): boolean => type !== undefined && JSON_TYPE.test(type);

/** Whether the request carries a body at all. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads a JSON body as the bytes the client sent: UTF-8 only (no other charset, no content
 * coding), within a byte limit while streaming, decoded strictly (invalid UTF-8 is refused rather
 * than replaced, so a document's hash is always over what the client meant), then checked for
 * depth, key count, null characters and lone surrogates before any schema sees it.
 * Resolves undefined when there is no body.
 */
export async function readJsonBody(req: IncomingMessage, limits: JsonLimits = DEFAULT_JSON_LIMITS): Promise<unknown> {
  if (!hasBody(req)) return undefined;
  checkMediaType(req);
  const bytes = await readBytes(req, limits);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw validationFailed([{ path: '(body)', message: 'is not valid UTF-8' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationFailed([{ path: '(body)', message: 'is not valid JSON' }]);
  }
  const issues = shapeIssues(value, limits);
  if (issues.length > 0) throw validationFailed(issues);
  return value;
}

function checkMediaType(req: IncomingMessage): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'request bodies are not accepted with a content coding', { accept: ['identity'] });
  }
  let type: { type: string; parameters: Record<string, string> };
  try {
    type = parseContentType(req.headers['content-type'] ?? '');
  } catch {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json', { accept: ['application/json'] });
  }
  if (!JSON_TYPE.test(type.type)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json', { accept: ['application/json'] });
  }
  const charset = type.parameters['charset']?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'JSON bodies are UTF-8; no other charset is accepted', { accept: ['application/json; charset=utf-8'] });
  }
}

async function readBytes(req: IncomingMessage, limits: JsonLimits): Promise<Buffer> {
  try {
    return await getRawBody(req, { limit: limits.maxBytes, length: req.headers['content-length'] });
  } catch (error) {
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') throw new ApiError('PAYLOAD_TOO_LARGE', `the body exceeds ${limits.maxBytes} bytes`);
    // Aborted, truncated or mis-declared bodies are the client's.
    throw validationFailed([{ path: '(body)', message: 'was not received whole' }]);
  }
}

interface Visit {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

const childPath = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${String(key)}`);

/** A string a document may hold: no NUL (it truncates in C-based tools) and no lone surrogate (no UTF-8 form). */
function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a null character';
  if (!value.isWellFormed()) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

interface Inspection {
  readonly issues: FieldIssue[];
  readonly keys: number;
  readonly children: Visit[];
}

const LEAF: Inspection = { issues: [], keys: 0, children: [] };

/** An object's keys must be good strings too: a key is hashed like any value. */
function keyIssues(keys: readonly string[], path: string): FieldIssue[] {
  return keys.flatMap((key) => {
    const problem = stringProblem(key);
    return problem ? [{ path: childPath(path, '(key)'), message: `a key ${problem}` }] : [];
  });
}

function inspectContainer({ value, path, depth }: Visit, limits: JsonLimits): Inspection {
  if (depth >= limits.maxDepth) return { ...LEAF, issues: [{ path: path || '(body)', message: `is nested deeper than ${limits.maxDepth} levels` }] };
  const visit = (key: string | number, child: unknown): Visit => ({ value: child, path: childPath(path, key), depth: depth + 1 });
  if (Array.isArray(value)) return { issues: [], keys: 0, children: value.map((child: unknown, i) => visit(i, child)) };
  const entries = Object.entries(value as object);
  return { issues: keyIssues(entries.map(([key]) => key), path), keys: entries.length, children: entries.map(([key, child]) => visit(key, child)) };
}

/** What one value of the body contributes: its own problems, its keys, and the children still to visit. */
function inspect(visit: Visit, limits: JsonLimits): Inspection {
  if (typeof visit.value === 'string') {
    const problem = stringProblem(visit.value);
    return problem ? { ...LEAF, issues: [{ path: visit.path || '(body)', message: problem }] } : LEAF;
  }
  return visit.value !== null && typeof visit.value === 'object' ? inspectContainer(visit, limits) : LEAF;
}

/** Depth, size and string checks over the whole parsed body, without recursion. */
export function shapeIssues(root: unknown, limits: JsonLimits): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Visit[] = [{ value: root, path: '', depth: 0 }];
  let keys = 0;
  for (let visit = stack.pop(); visit && issues.length < MAX_ISSUES; visit = stack.pop()) {
    const found = inspect(visit, limits);
    keys += found.keys;
    if (keys > limits.maxKeys) return [{ path: '(body)', message: `has more than ${limits.maxKeys} keys` }];
    issues.push(...found.issues);
    stack.push(...found.children);
  }
  return issues.slice(0, MAX_ISSUES);
}
