import type { NodeServices } from '@hookflow/engine';
import { createHttpClient } from './http-client.ts';

/** The outside world as nodes see it in production. */
export function createNodeServices(): NodeServices & { close(): Promise<void> } {
  const http = createHttpClient();
  return { http, now: () => new Date(), close: () => http.close() };
}
