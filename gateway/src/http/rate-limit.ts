import { LRUCache } from 'lru-cache';

/** A token bucket's settings: the steady rate it refills at, and how many requests it lets through at once. */
export interface BucketPolicy {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Capacity: the largest burst. */
  readonly burst: number;
}

/** The outcome of taking one token, with what the RateLimit headers report. */
export interface Take {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until one token is available again (0 when one is). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by who is asking (an agency, a source address). The map is bounded: under
 * a flood of distinct keys the least recently seen buckets go first, which at worst gives a
 * forgotten key a full bucket again, never more than its burst at once.
 */
export class RateLimiter {
  readonly policy: BucketPolicy;
  readonly #buckets: LRUCache<string, Bucket>;
  readonly #now: () => number;

  constructor(policy: BucketPolicy, options: { maxKeys?: number; now?: () => number } = {}) {
    this.policy = policy;
    this.#buckets = new LRUCache({ max: options.maxKeys ?? 100_000 });
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes a token for `key` if one is there. */
  take(key: string): Take {
    const bucket = this.#refill(key);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return this.#report(bucket, allowed);
  }

  /** Whether `key` has a token, without taking it. */
  peek(key: string): Take {
    const bucket = this.#refill(key);
    return this.#report(bucket, bucket.tokens >= 1);
  }

  #refill(key: string): Bucket {
    const now = this.#now();
    const { ratePerSecond, burst } = this.policy;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    return bucket;
  }

  #report(bucket: Bucket, allowed: boolean): Take {
    const { ratePerSecond, burst } = this.policy;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / ratePerSecond),
      resetSeconds: Math.ceil((burst - bucket.tokens) / ratePerSecond),
    };
  }
}

/**
 * The RateLimit and RateLimit-Policy header fields of draft-ietf-httpapi-ratelimit-headers:
 * the policy (quota and window) and what is left of it.
 */
export function rateLimitHeaders(name: string, limiter: RateLimiter, take: Take): Record<string, string> {
  const { burst, ratePerSecond } = limiter.policy;
  const window = Math.max(1, Math.ceil(burst / ratePerSecond));
  return {
    'RateLimit-Policy': `"${name}";q=${burst};w=${window}`,
    RateLimit: `"${name}";r=${take.remaining};t=${take.resetSeconds}`,
  };
}
