import { z } from 'zod';
import { parseRange } from './ip-range.ts';

/**
 * How a webhook trigger authenticates its sender: the one schema of these settings, used by
 * the editor's form, validation on save and the server's verification
 * (`apps/server/src/hooks/verify`). Pure and browser-safe, so every check here is textual;
 * what needs a crypto library (is this PEM a usable RSA or P-256 key?) is checked by the
 * server when a request arrives.
 */

const headerName = z
  .string()
  .trim()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name, like X-Signature');

/** Two entries while a secret is rotated: the new one and the one being retired. */
const secrets = z
  .array(z.string().min(1, 'a secret cannot be empty'), {
    error: (issue) => (issue.input === undefined ? 'add a secret' : undefined),
  })
  .min(1, 'add a secret')
  .max(2, 'at most two secrets: the new one and the one being rotated out');

/** How far a signed timestamp may be from now, either way, before the request is stale. */
const toleranceSeconds = z.int().min(1).max(86_400).default(300);

const noAuth = z.object({ type: z.literal('none') });

/** HTTP Basic: `Authorization: Basic base64(username:password)`; `secrets` are passwords. */
const basicAuth = z.object({
  type: z.literal('basic'),
  username: z
    .string()
    .min(1)
    .refine((name) => !name.includes(':'), 'a Basic username cannot contain ":"'),
  secrets,
});

/** A shared token in a header, `Authorization: Bearer <token>` by default. */
const headerTokenAuth = z.object({
  type: z.literal('header-token'),
  header: headerName.default('authorization'),
  /** Expected before the token, case-insensitively; empty for a bare token. */
  prefix: z.string().default('Bearer '),
  secrets,
});

export const jwtAlgorithms = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

/** A JWT, `Authorization: Bearer <jwt>` by default; exp and nbf are checked with the tolerance. */
const jwtAuth = z
  .object({
    type: z.literal('jwt'),
    algorithm: z.enum(jwtAlgorithms).default('HS256'),
    /** HS256: shared secrets. RS256/ES256: the sender's PEM public keys. */
    secrets,
    header: headerName.default('authorization'),
    prefix: z.string().default('Bearer '),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    /** A token without exp would be valid for ever once leaked. */
    requireExpiration: z.boolean().default(true),
    toleranceSeconds,
  })
  .superRefine((auth, context) => {
    auth.secrets.forEach((key, index) => {
      const problem = jwtKeyTextProblem(auth.algorithm, key);
      if (problem) context.addIssue({ code: 'custom', message: problem, path: ['secrets', index] });
    });
  });

const PEM_PUBLIC_KEY =
  /^-----BEGIN (RSA )?PUBLIC KEY-----\s+[A-Za-z0-9+/]+(?:\s+[A-Za-z0-9+/]+)*={0,2}\s+-----END \1PUBLIC KEY-----$/;

/**
 * Why a configured key is not even shaped like a key for `algorithm`, or undefined. The key's
 * type, size and curve are checked by the server when it verifies a token.
 */
function jwtKeyTextProblem(algorithm: JwtAlgorithm, key: string): string | undefined {
  if (algorithm === 'HS256') return undefined;
  if (/PRIVATE KEY/.test(key)) {
    return 'this is a private key; paste the public key of the sender instead';
  }
  const pem = PEM_PUBLIC_KEY.exec(key.trim());
  if (!pem) return 'not a PEM public key (-----BEGIN PUBLIC KEY----- …)';
  if (algorithm === 'ES256' && pem[1]) return 'ES256 needs an EC public key on the P-256 curve';
  return undefined;
}

/** Client addresses or ranges, IPv4 and IPv6: `203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`. */
const ipAllowlistAuth = z.object({
  type: z.literal('ip-allowlist'),
  cidrs: z
    .array(
      z
        .string()
        .trim()
        .refine(
          (range) => parseRange(range) !== undefined,
          'not an IP address or range, like 10.0.0.0/8 or 2001:db8::/32',
        ),
    )
    .min(1, 'add at least one address or range'),
});

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
const githubAuth = z.object({ type: z.literal('github'), secrets });

/**
 * Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=…]` over `${t}.${body}`. The `whsec_…`
 * secret is the HMAC key as written, not decoded.
 */
const stripeAuth = z.object({ type: z.literal('stripe'), secrets, toleranceSeconds });

/**
 * Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>
 * …` over `${id}.${timestamp}.${body}`. The key is the base64 after `whsec_`, decoded.
 */
const standardWebhooksAuth = z.object({
  type: z.literal('standard-webhooks'),
  secrets: secrets.refine(
    (entries) => entries.every((secret) => standardWebhooksKey(secret) !== undefined),
    'a Standard Webhooks secret is whsec_ followed by base64',
  ),
  toleranceSeconds,
});

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`. */
const shopifyAuth = z.object({ type: z.literal('shopify'), secrets });

/** Slack: `X-Slack-Signature: v0=<hex>` over `v0:${X-Slack-Request-Timestamp}:${body}`. */
const slackAuth = z.object({ type: z.literal('slack'), secrets, toleranceSeconds });

/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>` of the full URL, followed for form POSTs
 * by each parameter's name and value in order of names. `secrets` are auth tokens.
 */
const twilioAuth = z.object({ type: z.literal('twilio'), secrets });

/** Any other sender that signs the body (or `${timestamp}.${body}`) with an HMAC. */
const genericHmacAuth = z
  .object({
    type: z.literal('generic-hmac'),
    header: headerName,
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    /** Text before the digest in the header, like `sha256=`; empty for none. */
    prefix: z.string().default(''),
    signed: z.enum(['body', 'timestamp.body']).default('body'),
    /** The header holding the Unix time in seconds, when `signed` is `timestamp.body`. */
    timestampHeader: headerName.optional(),
    toleranceSeconds,
    secrets,
  })
  .refine((auth) => auth.signed === 'body' || auth.timestampHeader !== undefined, {
    message: 'name the header that holds the timestamp',
    path: ['timestampHeader'],
  });

/**
 * A trigger's authentication settings. Every secret sits in `secrets`, which the webhook
 * trigger declares secret, so recorded step configs never show one.
 *
 * @example
 * triggerAuthSchema.parse({ type: 'stripe', secrets: ['whsec_…'] });
 * // { type: 'stripe', secrets: ['whsec_…'], toleranceSeconds: 300 }
 */
export const triggerAuthSchema = z.discriminatedUnion('type', [
  noAuth,
  basicAuth,
  headerTokenAuth,
  jwtAuth,
  ipAllowlistAuth,
  githubAuth,
  stripeAuth,
  standardWebhooksAuth,
  shopifyAuth,
  slackAuth,
  twilioAuth,
  genericHmacAuth,
]);

/** The settings after parsing, defaults filled in: what the server's `verifyRequest` takes. */
export type TriggerAuth = z.infer<typeof triggerAuthSchema>;
/** The settings as stored or typed in a form, defaults optional. */
export type TriggerAuthInput = z.input<typeof triggerAuthSchema>;
export type TriggerAuthType = TriggerAuth['type'];

/**
 * The key bytes of a Standard Webhooks secret: the base64 after an optional `whsec_`, or
 * undefined when that is not base64 of at least one byte.
 */
export function standardWebhooksKey(secret: string): Uint8Array | undefined {
  const encoded = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = decodeBase64Text(encoded);
  return key && key.length > 0 ? key : undefined;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Base64 (padding optional) without Buffer or atob: Buffer is Node-only, and atob refuses
 * unpadded text that senders' dashboards do show. Leftover bits of a last partial byte are
 * dropped, as Node does.
 */
function decodeBase64Text(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const digits = text.replace(/=+$/, '');
  const bytes = new Uint8Array(Math.floor((digits.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let length = 0;
  for (const digit of digits) {
    buffer = ((buffer << 6) | BASE64_ALPHABET.indexOf(digit)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[length++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

/** The lower-case names of the headers that carry this scheme's secrets or signatures. */
export function signatureHeaders(auth: TriggerAuth): string[] {
  switch (auth.type) {
    case 'none':
    case 'ip-allowlist':
      return [];
    case 'basic':
      return ['authorization'];
    case 'header-token':
    case 'jwt':
    case 'generic-hmac':
      return [auth.header.toLowerCase()];
    case 'github':
      // GitHub also sends the older SHA-1 signature beside the SHA-256 one.
      return ['x-hub-signature-256', 'x-hub-signature'];
    case 'stripe':
      return ['stripe-signature'];
    case 'standard-webhooks':
      return ['webhook-signature', 'svix-signature'];
    case 'shopify':
      return ['x-shopify-hmac-sha256'];
    case 'slack':
      return ['x-slack-signature'];
    case 'twilio':
      return ['x-twilio-signature'];
  }
}
