import { timingSafeEqual } from 'node:crypto';
import {
  parseAddress,
  parseRange,
  rangeContains,
  standardWebhooksKey,
  type TriggerAuth,
  type TriggerAuthType,
} from '@hookflow/nodes';
import {
  anyHmacMatches,
  anySecretMatches,
  decodeBase64,
  decodeHex,
  digestLength,
  type HmacAlgorithm,
  type SignedContent,
  sameSecret,
  sha256,
} from './compare.ts';
import { verifyJwt } from './jwt.ts';
import { accepted, quote, refuse, type VerifyResult } from './result.ts';

/**
 * How a webhook trigger authenticates its sender. Signatures are computed over the raw
 * request bytes exactly as each provider documents them, compared in constant time, and
 * computed even when the header is missing or malformed, so a refusal takes as long as an
 * acceptance. Pure: no Fastify, no database, the clock passed in. The settings' schema lives
 * with the webhook trigger node (`@hookflow/nodes`), so the editor checks what this reads.
 */

export type { VerifyFailureReason, VerifyResult } from './result.ts';

/** The request as received. */
export interface VerifyRequest {
  method: string;
  /** The full URL as the sender used it: scheme, host, path and query. Twilio signs it. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The client's address, already resolved through trusted proxies by the caller. */
  remoteAddress: string;
}

type AuthOf<Type extends TriggerAuthType> = Extract<TriggerAuth, { type: Type }>;

// ---------------------------------------------------------------------------------------
// Verification

/**
 * Checks one request against a trigger's auth settings. `now` is the time of receipt in
 * milliseconds since the epoch.
 *
 * @example
 * // GitHub's own example delivery:
 * const auth = triggerAuthSchema.parse({ type: 'github', secrets: ["It's a Secret to Everybody"] });
 * verifyRequest(
 *   auth,
 *   {
 *     method: 'POST',
 *     url: 'https://hooks.example.com/hooks/tok_1',
 *     headers: {
 *       'x-hub-signature-256':
 *         'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
 *     },
 *     rawBody: Buffer.from('Hello, World!'),
 *     remoteAddress: '192.0.2.1',
 *   },
 *   Date.now(),
 * ); // { ok: true }
 */
export function verifyRequest(
  auth: TriggerAuth,
  request: VerifyRequest,
  now: number,
): VerifyResult {
  switch (auth.type) {
    case 'none':
      return accepted;
    case 'basic':
      return verifyBasic(auth, request);
    case 'header-token':
      return verifyHeaderToken(auth, request);
    case 'jwt':
      return verifyJwtHeader(auth, request, now);
    case 'ip-allowlist':
      return verifyAddress(auth, request);
    case 'github':
      return verifyGithub(auth, request);
    case 'stripe':
      return verifyStripe(auth, request, now);
    case 'standard-webhooks':
      return verifyStandardWebhooks(auth, request, now);
    case 'shopify':
      return verifyShopify(auth, request);
    case 'slack':
      return verifySlack(auth, request, now);
    case 'twilio':
      return verifyTwilio(auth, request);
    case 'generic-hmac':
      return verifyGenericHmac(auth, request, now);
  }
}

function verifyBasic(auth: AuthOf<'basic'>, request: VerifyRequest): VerifyResult {
  const value = header(request, 'authorization');
  const credentials = value === undefined ? undefined : decodeBasic(value);
  // Compared even when absent, so a refusal costs what an acceptance costs.
  const usernameMatches = sameSecret(credentials?.username ?? '', auth.username);
  const passwordMatches = anySecretMatches(credentials?.password ?? '', auth.secrets);
  if (value === undefined) {
    return refuse(
      'missing',
      'the Authorization header is missing; this trigger needs a username and password (HTTP Basic)',
    );
  }
  if (!credentials) {
    return refuse(
      'malformed',
      'the Authorization header is not "Basic" followed by base64 of username:password',
    );
  }
  if (!(usernameMatches && passwordMatches)) {
    return refuse('mismatch', 'the username or password is wrong');
  }
  return accepted;
}

function decodeBasic(value: string): { username: string; password: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2})$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function verifyHeaderToken(auth: AuthOf<'header-token'>, request: VerifyRequest): VerifyResult {
  const value = header(request, auth.header);
  const token = value === undefined ? undefined : stripPrefix(value, auth.prefix);
  const matches = anySecretMatches(token ?? '', auth.secrets);
  const name = displayName(auth.header);
  if (value === undefined) return missing(name);
  if (token === undefined) {
    return refuse('malformed', `the ${name} header does not start with ${quote(auth.prefix)}`);
  }
  if (!matches) return refuse('mismatch', `the token in the ${name} header does not match`);
  return accepted;
}

function verifyJwtHeader(auth: AuthOf<'jwt'>, request: VerifyRequest, now: number): VerifyResult {
  const value = header(request, auth.header);
  const token = value === undefined ? undefined : stripPrefix(value, auth.prefix);
  const result = verifyJwt(auth, token ?? '', now);
  const name = displayName(auth.header);
  // The trigger's owner must hear about an unusable key whatever the sender sent.
  if (!result.ok && result.reason === 'misconfigured') return result;
  if (value === undefined) return missing(name);
  if (token === undefined) {
    return refuse('malformed', `the ${name} header does not start with ${quote(auth.prefix)}`);
  }
  return result;
}

function verifyAddress(auth: AuthOf<'ip-allowlist'>, request: VerifyRequest): VerifyResult {
  const address = parseAddress(request.remoteAddress);
  if (!address) {
    return refuse(
      'malformed',
      `the client address ${quote(request.remoteAddress)} is not an IP address`,
    );
  }
  const allowed = auth.cidrs.some((text) => {
    const range = parseRange(text);
    return range !== undefined && rangeContains(range, address);
  });
  if (allowed) return accepted;
  return refuse(
    'forbidden',
    `the address ${request.remoteAddress} is not on this trigger's IP allowlist`,
  );
}

// ---------------------------------------------------------------------------------------
// HMAC presets: each reads its headers into a `SignatureCheck`, and `settle` decides.

interface SignatureCheck {
  algorithm: HmacAlgorithm;
  keys: readonly (string | Uint8Array)[];
  /** What the sender signed; several when it may have signed any one of them. */
  contents: SignedContent[];
  /** The digests the request presents (already decoded). */
  signatures: Uint8Array[];
  /** The first thing wrong with the headers, reported after the HMAC was computed anyway. */
  problem?: VerifyResult | undefined;
  /** A signed timestamp to hold against the tolerance once the signature matched. */
  timestamp?: { seconds: number | undefined; label: string; tolerance: number; now: number };
  mismatchMessage?: string;
}

function settle(check: SignatureCheck): VerifyResult {
  const matched = anyHmacMatches(check.algorithm, check.keys, check.contents, check.signatures);
  if (check.problem) return check.problem;
  if (!matched) return refuse('mismatch', check.mismatchMessage ?? 'the signature does not match');
  const { timestamp } = check;
  if (timestamp?.seconds !== undefined) {
    const stale = staleness(timestamp.label, timestamp.seconds, timestamp.tolerance, timestamp.now);
    if (stale) return stale;
  }
  return accepted;
}

function verifyGithub(auth: AuthOf<'github'>, request: VerifyRequest): VerifyResult {
  const value = header(request, 'x-hub-signature-256');
  const digest = value?.startsWith('sha256=') ? decodeHex(value.slice(7), 32) : undefined;
  return settle({
    algorithm: 'sha256',
    keys: auth.secrets,
    contents: [[request.rawBody]],
    signatures: digest ? [digest] : [],
    problem:
      value === undefined
        ? missing('X-Hub-Signature-256')
        : digest
          ? undefined
          : refuse(
              'malformed',
              'the X-Hub-Signature-256 header is not sha256= followed by 64 hex digits',
            ),
  });
}

function verifyStripe(auth: AuthOf<'stripe'>, request: VerifyRequest, now: number): VerifyResult {
  const value = header(request, 'stripe-signature');
  let timestampText: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of (value ?? '').split(',')) {
    const equals = item.indexOf('=');
    if (equals === -1) continue;
    const key = item.slice(0, equals).trim();
    const content = item.slice(equals + 1).trim();
    if (key === 't') timestampText = content;
    if (key === 'v1') {
      const digest = decodeHex(content, 32);
      if (digest) signatures.push(digest);
    }
  }
  const seconds = unixSeconds(timestampText);
  let problem: VerifyResult | undefined;
  if (value === undefined) problem = missing('Stripe-Signature');
  else if (seconds === undefined) {
    problem = refuse('malformed', 'the Stripe-Signature header has no t=<Unix time> timestamp');
  } else if (signatures.length === 0) {
    problem = refuse(
      'malformed',
      'the Stripe-Signature header has no v1= signature of 64 hex digits',
    );
  }
  return settle({
    algorithm: 'sha256',
    keys: auth.secrets,
    contents: [[`${timestampText ?? ''}.`, request.rawBody]],
    signatures,
    problem,
    timestamp: {
      seconds,
      label: 'the Stripe-Signature timestamp',
      tolerance: auth.toleranceSeconds,
      now,
    },
  });
}

function verifyStandardWebhooks(
  auth: AuthOf<'standard-webhooks'>,
  request: VerifyRequest,
  now: number,
): VerifyResult {
  // Senders built on Svix (Clerk, Resend, …) use the same scheme under svix-* names.
  const family =
    header(request, 'webhook-signature') === undefined &&
    header(request, 'svix-signature') !== undefined
      ? 'svix'
      : 'webhook';
  const idName = `${family}-id`;
  const timestampName = `${family}-timestamp`;
  const signatureName = `${family}-signature`;
  const id = header(request, idName);
  const timestampText = header(request, timestampName);
  const value = header(request, signatureName);
  const signatures: Buffer[] = [];
  for (const entry of (value ?? '').split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const digest = decodeBase64(entry.slice(comma + 1), 32);
    if (digest) signatures.push(digest);
  }
  const seconds = unixSeconds(timestampText);
  let problem: VerifyResult | undefined;
  if (id === undefined) problem = missing(idName);
  else if (timestampText === undefined) problem = missing(timestampName);
  else if (value === undefined) problem = missing(signatureName);
  else if (seconds === undefined) problem = notUnixTime(timestampName);
  else if (signatures.length === 0) {
    problem = refuse(
      'malformed',
      `the ${signatureName} header has no v1,<base64> signature of a SHA-256 digest`,
    );
  }
  const keys = auth.secrets.map((secret) => standardWebhooksKey(secret) ?? Buffer.alloc(32));
  return settle({
    algorithm: 'sha256',
    keys,
    contents: [[`${id ?? ''}.${timestampText ?? ''}.`, request.rawBody]],
    signatures,
    problem,
    timestamp: { seconds, label: `the ${timestampName}`, tolerance: auth.toleranceSeconds, now },
  });
}

function verifyShopify(auth: AuthOf<'shopify'>, request: VerifyRequest): VerifyResult {
  const value = header(request, 'x-shopify-hmac-sha256');
  const digest = value === undefined ? undefined : decodeBase64(value, 32);
  return settle({
    algorithm: 'sha256',
    keys: auth.secrets,
    contents: [[request.rawBody]],
    signatures: digest ? [digest] : [],
    problem:
      value === undefined
        ? missing('X-Shopify-Hmac-Sha256')
        : digest
          ? undefined
          : refuse(
              'malformed',
              'the X-Shopify-Hmac-Sha256 header is not the base64 of a SHA-256 digest',
            ),
  });
}

function verifySlack(auth: AuthOf<'slack'>, request: VerifyRequest, now: number): VerifyResult {
  const value = header(request, 'x-slack-signature');
  const timestampText = header(request, 'x-slack-request-timestamp');
  const digest = value?.startsWith('v0=') ? decodeHex(value.slice(3), 32) : undefined;
  const seconds = unixSeconds(timestampText);
  let problem: VerifyResult | undefined;
  if (value === undefined) problem = missing('X-Slack-Signature');
  else if (timestampText === undefined) problem = missing('X-Slack-Request-Timestamp');
  else if (!digest) {
    problem = refuse(
      'malformed',
      'the X-Slack-Signature header is not v0= followed by 64 hex digits',
    );
  } else if (seconds === undefined) problem = notUnixTime('X-Slack-Request-Timestamp');
  return settle({
    algorithm: 'sha256',
    keys: auth.secrets,
    contents: [[`v0:${timestampText ?? ''}:`, request.rawBody]],
    signatures: digest ? [digest] : [],
    problem,
    timestamp: {
      seconds,
      label: 'the X-Slack-Request-Timestamp',
      tolerance: auth.toleranceSeconds,
      now,
    },
  });
}

function verifyTwilio(auth: AuthOf<'twilio'>, request: VerifyRequest): VerifyResult {
  const value = header(request, 'x-twilio-signature');
  const digest = value === undefined ? undefined : decodeBase64(value, 20);
  const form =
    request.method.toUpperCase() === 'POST' &&
    mediaType(header(request, 'content-type')) === 'application/x-www-form-urlencoded';
  // Other bodies (JSON) are covered by a bodySHA256 query parameter, which the URL signs.
  const bodyHashText = form ? undefined : queryParameter(request.url, 'bodySHA256');
  const bodyHash = bodyHashText === undefined ? undefined : decodeHex(bodyHashText, 32);
  const bodyMatches = timingSafeEqual(sha256(request.rawBody), bodyHash ?? Buffer.alloc(32));
  const parameters = form ? sortedFormParameters(request.rawBody) : '';

  let problem: VerifyResult | undefined;
  if (value === undefined) problem = missing('X-Twilio-Signature');
  else if (!digest) {
    problem = refuse(
      'malformed',
      'the X-Twilio-Signature header is not the base64 of a SHA-1 digest',
    );
  } else if (bodyHashText !== undefined && !bodyHash) {
    problem = refuse('malformed', 'the bodySHA256 parameter of the URL is not 64 hex digits');
  }
  const signed = settle({
    algorithm: 'sha1',
    keys: auth.secrets,
    contents: twilioUrls(request.url).map((url) => [url + parameters]),
    signatures: digest ? [digest] : [],
    problem,
    mismatchMessage: `the signature does not match; Twilio signs the exact URL it called, and this check used ${originOf(request.url)}`,
  });
  if (!signed.ok || bodyHashText === undefined || bodyMatches) return signed;
  return refuse('mismatch', 'the body does not match the bodySHA256 hash in the URL');
}

const defaultPorts: Record<string, string> = { 'https:': '443', 'http:': '80' };

/**
 * The URL as given, and with the default port both left out and written out: Twilio signs
 * whichever form was configured, and its own libraries try both.
 */
function twilioUrls(url: string): string[] {
  const urls = new Set([url]);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const normalized = parsed.toString();
  urls.add(normalized);
  const defaultPort = defaultPorts[parsed.protocol];
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (parsed.port === '' && defaultPort && normalized.startsWith(origin)) {
    urls.add(`${origin}:${defaultPort}${normalized.slice(origin.length)}`);
  }
  return [...urls];
}

/** Each parameter's name and value, names in order, each name's distinct values in order. */
function sortedFormParameters(body: Buffer): string {
  const values = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    const existing = values.get(name);
    if (existing) existing.add(value);
    else values.set(name, new Set([value]));
  }
  return [...values.keys()]
    .sort()
    .map((name) =>
      [...(values.get(name) ?? [])]
        .sort()
        .map((value) => name + value)
        .join(''),
    )
    .join('');
}

function verifyGenericHmac(
  auth: AuthOf<'generic-hmac'>,
  request: VerifyRequest,
  now: number,
): VerifyResult {
  const name = displayName(auth.header);
  const value = header(request, auth.header);
  const encoded = value === undefined ? undefined : stripPrefix(value, auth.prefix);
  const length = digestLength[auth.algorithm];
  const digest =
    encoded === undefined
      ? undefined
      : auth.encoding === 'hex'
        ? decodeHex(encoded, length)
        : decodeBase64(encoded, length);
  const timestampName =
    auth.signed === 'timestamp.body' && auth.timestampHeader !== undefined
      ? displayName(auth.timestampHeader)
      : undefined;
  const timestampText = timestampName === undefined ? undefined : header(request, timestampName);
  const seconds = unixSeconds(timestampText);

  let problem: VerifyResult | undefined;
  if (value === undefined) problem = missing(name);
  else if (timestampName !== undefined && timestampText === undefined) {
    problem = missing(timestampName);
  } else if (encoded === undefined) {
    problem = refuse('malformed', `the ${name} header does not start with ${quote(auth.prefix)}`);
  } else if (!digest) {
    problem = refuse(
      'malformed',
      `the ${name} header is not the ${auth.encoding} of a ${auth.algorithm} digest`,
    );
  } else if (timestampName !== undefined && seconds === undefined) {
    problem = notUnixTime(timestampName);
  }
  return settle({
    algorithm: auth.algorithm,
    keys: auth.secrets,
    contents: [
      timestampName === undefined
        ? [request.rawBody]
        : [`${timestampText ?? ''}.`, request.rawBody],
    ],
    signatures: digest ? [digest] : [],
    problem,
    timestamp:
      timestampName === undefined
        ? undefined
        : {
            seconds,
            label: `the timestamp in ${timestampName}`,
            tolerance: auth.toleranceSeconds,
            now,
          },
  });
}

// ---------------------------------------------------------------------------------------
// Helpers

/** A header's trimmed value, or undefined when absent or empty. */
function header(request: VerifyRequest, name: string): string | undefined {
  const key = name.toLowerCase();
  if (!Object.hasOwn(request.headers, key)) return undefined;
  const value = request.headers[key]?.trim();
  return value ? value : undefined;
}

/** The value after `prefix` (matched case-insensitively), or undefined if it is not there. */
function stripPrefix(value: string, prefix: string): string | undefined {
  if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  return value.slice(prefix.length).trim();
}

/** `x-webhook-token` reads as `X-Webhook-Token`; a name typed with capitals stays as typed. */
function displayName(name: string): string {
  if (name !== name.toLowerCase()) return name;
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => {
    return dash + letter.toUpperCase();
  });
}

function missing(name: string): VerifyResult {
  return refuse('missing', `the ${name} header is missing`);
}

function notUnixTime(name: string): VerifyResult {
  return refuse('malformed', `the ${name} header is not a Unix time in seconds`);
}

function unixSeconds(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function staleness(
  label: string,
  seconds: number,
  tolerance: number,
  now: number,
): VerifyResult | undefined {
  const age = Math.floor(now / 1000) - seconds;
  // A sender that writes milliseconds looks like a request from the far future.
  const hint =
    seconds > 100_000_000_000 ? ' (it looks like milliseconds; seconds are expected)' : '';
  if (age > tolerance) {
    return refuse('stale', `${label} is ${age} s old; the tolerance is ${tolerance} s`);
  }
  if (-age > tolerance) {
    return refuse(
      'stale',
      `${label} is ${-age} s in the future; the tolerance is ${tolerance} s${hint}`,
    );
  }
  return undefined;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function queryParameter(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

function originOf(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return 'an unreadable URL';
  }
}
