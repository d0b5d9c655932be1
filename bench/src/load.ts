import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  total: number;
  /** Requests answered 2xx. */
  accepted: number;
  /** When the load started and ended (ms since the epoch). */
  startedAt: number;
  finishedAt: number;
}

/** A 1 KiB JSON body, like a typical order or push webhook. */
export function sampleBody(): string {
  const body = {
    id: 'evt_1NXXrF2eZvKYlo2CXyLg5DiA',
    type: 'order.created',
    ref: 'refs/heads/main',
    order: {
      id: 12345,
      total: 99.95,
      currency: 'EUR',
      status: 'paid',
      customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    },
    items: [
      { sku: 'BOOK-1', qty: 1, price: 39.95 },
      { sku: 'PEN-7', qty: 3, price: 20 },
    ],
    padding: '',
  };
  const text = JSON.stringify(body);
  body.padding = 'x'.repeat(Math.max(0, 1024 - text.length));
  return JSON.stringify(body);
}

/**
 * Autocannon: `connections` senders posting `body` to `url` for `seconds`, as fast as they are
 * answered, or with `rate` at that many requests a second in all.
 */
export async function load(
  url: string,
  options: { connections: number; seconds: number; body: string; rate?: number },
): Promise<LoadResult> {
  const instance = autocannon({
    url,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    headers: { 'content-type': 'application/json' },
    body: options.body,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  const result = await instance;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
    accepted: result['2xx'],
    startedAt: result.start.getTime(),
    finishedAt: result.finish.getTime(),
  };
}
