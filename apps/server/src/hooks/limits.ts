/** A token bucket per trigger: `perMinute` requests a minute, bursts up to the same number. */
export function createRateLimiter(now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
    take(key: string, perMinute: number): number {
      if (perMinute <= 0) return 0;
      const rate = perMinute / 60_000;
      const time = now();
      const bucket = buckets.get(key) ?? { tokens: perMinute, updatedAt: time };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (time - bucket.updatedAt) * rate);
      bucket.updatedAt = time;
      if (buckets.size > 100_000) buckets.clear();
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
    },
  };
}

/** The queue depth, read at most every `maxAgeMs` (counting is not free on a deep queue). */
export function createQueueGauge(
  count: () => number,
  maxAgeMs = 500,
  now: () => number = Date.now,
) {
  let value = 0;
  let readAt = -Infinity;
  return {
    depth(): number {
      if (now() - readAt > maxAgeMs) {
        value = count();
        readAt = now();
      }
      return value;
    },
  };
}
