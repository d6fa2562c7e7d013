/** A problem+json answer of the gateway. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export class ApiProblem extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.problem = problem;
  }
}

export interface CallOptions {
  readonly token?: string | undefined;
  readonly body?: unknown;
  readonly method?: 'GET' | 'POST';
  readonly idempotencyKey?: string;
}

/** Calls the gateway this console is served by; a problem answer throws ApiProblem. */
function headersOf(options: CallOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  return headers;
}

function problemOf(status: number, statusText: string, parsed: unknown): Problem {
  const problem = (parsed ?? {}) as Partial<Problem>;
  return { status, code: problem.code ?? 'HTTP_ERROR', detail: problem.detail ?? statusText, ...(problem.errors ? { errors: problem.errors } : {}) };
}

export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers = headersOf(options);
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    cache: 'no-store',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiProblem(problemOf(response.status, response.statusText, parsed));
  return parsed as T;
}
