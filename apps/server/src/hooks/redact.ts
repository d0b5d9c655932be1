/** Headers that carry credentials or signatures: masked wherever requests are shown. */
export const sensitiveHeaders = new Set([
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

export const MASK = '••••••';

export function maskHeaders(
  headers: Record<string, string>,
  extra: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  const more = new Set(extra.map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    out[name] = sensitiveHeaders.has(name) || more.has(name) ? MASK : value;
  }
  return out;
}
