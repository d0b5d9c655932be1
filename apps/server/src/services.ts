import type { NodeServices } from '@hookflow/engine';
import { createHttpClient } from './http-client.ts';
import { createOutboundPolicy } from './net-guard/net-guard.ts';

/**
 * The outside world as nodes see it in production. `outboundAllow` is the OUTBOUND_ALLOW
 * setting: the internal destinations requests may reach (none by default).
 */
export function createNodeServices(
  options: { outboundAllow?: string } = {},
): NodeServices & { close(): Promise<void> } {
  const http = createHttpClient({ outbound: createOutboundPolicy(options.outboundAllow ?? '') });
  return { http, now: () => new Date(), close: () => http.close() };
}
