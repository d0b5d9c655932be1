import { SECRET_MASK } from './define-node.ts';

/** Headers that carry credentials or signatures: masked wherever requests are shown. */
export const sensitiveHeaders: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-hub-signature',
  'x-hub-signature-256',
  'stripe-signature',
  'webhook-signature',
  'svix-signature',
  'x-shopify-hmac-sha256',
  'x-slack-signature',
  'x-twilio-signature',
]);

/**
 * A copy of `headers` (lower-case names) with the sensitive ones, and those named in `extra`
 * (a trigger's own credential header), replaced by SECRET_MASK.
 *
 * @example
 * maskHeaders({ authorization: 'Bearer x', accept: '*' }); // { authorization: '••••••', accept: '*' }
 */
export function maskHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  const more = new Set(extra.map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    out[name] = sensitiveHeaders.has(name) || more.has(name) ? SECRET_MASK : value;
  }
  return out;
}
