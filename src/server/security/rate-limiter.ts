/**
 * A token bucket per client: each key may spend `burst` calls at once, and gets
 * `ratePerMinute` back per minute (continuously). Idle buckets are full, so they are dropped
 * when the table grows past `maxKeys`; a client that comes back just starts full again.
 */

/** Allowed, or refused with how long until one call would be allowed. */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export interface RateLimiterOptions {
  /** Calls regained per minute; must be > 0. */
  readonly ratePerMinute: number;
  /** Bucket size: calls allowed at once. */
  readonly burst: number;
  /** Clock in ms (tests pass their own). Default `performance.now`. */
  readonly now?: () => number;
  /** Buckets kept before full ones are dropped. Default 10000. */
  readonly maxKeys?: number;
}

export interface RateLimiter {
  /** Spends one call of `key`'s bucket if it has one. */
  take(key: string): RateDecision;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerMinute, burst } = options;
  const now = options.now ?? (() => performance.now());
  const maxKeys = options.maxKeys ?? 10_000;
  const perMs = ratePerMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  const refill = (bucket: Bucket, t: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
  };
  const sweep = (t: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, t);
      if (bucket.tokens >= burst) buckets.delete(key);
    }
  };
  return {
    take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) sweep(t);
        bucket = { tokens: burst, at: t };
        buckets.set(key, bucket);
      }
      refill(bucket, t);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) };
    },
  };
}
