/** Exponential backoff: the first retry waits `baseMs`, each further one twice as long, up to `maxMs`. */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /**
   * Share of each delay drawn at random (0 to 1, default 0), so that clients that failed together
   * do not retry together.
   */
  readonly jitter?: number;
}

/** The delay before retry number `attempt` (from 1). */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const full = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jitter = backoff.jitter ?? 0;
  return Math.round(full * (1 - jitter + jitter * Math.random()));
}

/** Waits `ms`, or less if the signal aborts first (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends Backoff {
  /** Whether an error is worth another attempt; any other error is thrown at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Most attempts in all, the first included. */
  readonly attempts: number;
  /** Called before each retry with the error that caused it (logs, metrics). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs `work` until it succeeds, retrying the errors `retryable` accepts with backoff; the last
 * error is thrown once the attempts are spent (or the signal aborts).
 */
export async function retrying<T>(work: (attempt: number) => Promise<T>, options: Readonly<RetryOptions>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt);
      await sleep(backoffDelay(attempt, options), options.signal);
    }
  }
}
