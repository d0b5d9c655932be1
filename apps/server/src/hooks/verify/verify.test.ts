import { createHash, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { signatureHeaders, type TriggerAuthInput, triggerAuthSchema } from '@hookflow/nodes';
import { describe, expect, it, vi } from 'vitest';
import {
  type VerifyFailureReason,
  type VerifyRequest,
  type VerifyResult,
  verifyRequest,
} from './verify.ts';

// A pass-through spy, to show that a refused signature costs the same HMACs as an accepted one.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createHmac: vi.fn(actual.createHmac) };
});

const NOW = Date.UTC(2025, 5, 2, 12, 0, 0);
const T = NOW / 1000;

// Signatures are built here from each provider's documentation, independently of verify.ts.
function hmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  key: string | Buffer,
  ...pieces: string[]
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const piece of pieces) mac.update(piece);
  return mac.digest();
}

function makeRequest(parts: Partial<VerifyRequest> & { body?: string }): VerifyRequest {
  const { body = '', ...rest } = parts;
  return {
    method: 'POST',
    url: 'https://hooks.example.com/hooks/tok_123',
    headers: {},
    rawBody: Buffer.from(body),
    remoteAddress: '203.0.113.7',
    ...rest,
  };
}

function check(auth: TriggerAuthInput, request: VerifyRequest, now = NOW): VerifyResult {
  return verifyRequest(triggerAuthSchema.parse(auth), request, now);
}

/** The digests inside a signature header value (`t=…,v1=<hex>` → the hex). */
function digestsIn(value: string | undefined): string[] {
  return (value ?? '').split(/[=, ]/).filter((token) => token.length >= 16);
}

/** Refused for `reason`, and the message leaks neither a secret nor an expected signature. */
function expectRefused(
  result: VerifyResult,
  reason: VerifyFailureReason,
  secrets: readonly string[],
  expectedSignatures: readonly string[] = [],
): string {
  expect(result).toMatchObject({ ok: false, reason });
  const message = result.ok ? '' : result.message;
  for (const secret of secrets) expect(message).not.toContain(secret);
  for (const signature of expectedSignatures) expect(message).not.toContain(signature);
  return message;
}

// ---------------------------------------------------------------------------------------
// HMAC presets, table-driven

interface SignedScheme {
  name: string;
  auth(secrets: string[], toleranceSeconds?: number): TriggerAuthInput;
  secrets: [string, string];
  body: string;
  tamperedBody: string;
  /** The request the provider sends for `body`, signed with `secret` at `timestamp`. */
  send(secret: string, body: string, timestamp: number): Partial<VerifyRequest>;
  /** Lower-case name of the header removed or garbled below. */
  signatureHeader: string;
  malformedValue: string;
  missingMessage: string;
  /** The timestamp's name in a stale message; absent for schemes without one. */
  staleLabel?: string;
}

const twilioUrl = 'https://hooks.example.com/hooks/tok_123?source=sms';

function twilioForm(secret: string, url: string, body: string): string {
  const params = new URLSearchParams(body);
  const names = [...new Set(params.keys())].sort();
  let signed = url;
  for (const name of names) {
    for (const value of [...new Set(params.getAll(name))].sort()) signed += name + value;
  }
  return hmac('sha1', secret, signed).toString('base64');
}

const standardKey = (fill: number) => `whsec_${Buffer.alloc(24, fill).toString('base64')}`;

const signedSchemes: SignedScheme[] = [
  {
    name: 'github',
    auth: (secrets) => ({ type: 'github', secrets }),
    secrets: ['gh-secret-one', 'gh-secret-two'],
    body: '{"action":"opened"}',
    tamperedBody: '{"action":"closed"}',
    send: (secret, body) => ({
      headers: { 'x-hub-signature-256': `sha256=${hmac('sha256', secret, body).toString('hex')}` },
    }),
    signatureHeader: 'x-hub-signature-256',
    malformedValue: 'sha1=0123456789abcdef0123456789abcdef01234567',
    missingMessage: 'the X-Hub-Signature-256 header is missing',
  },
  {
    name: 'stripe',
    auth: (secrets, toleranceSeconds) => ({ type: 'stripe', secrets, toleranceSeconds }),
    // Stripe's secret is used as written, whsec_ prefix included.
    secrets: ['whsec_stripeTestSecret1', 'whsec_stripeTestSecret2'],
    body: '{"id":"evt_1","type":"charge.succeeded"}',
    tamperedBody: '{"id":"evt_1","type":"charge.refunded"}',
    send: (secret, body, t) => ({
      headers: {
        'stripe-signature': `t=${t},v1=${hmac('sha256', secret, `${t}.${body}`).toString('hex')}`,
      },
    }),
    signatureHeader: 'stripe-signature',
    malformedValue: `t=${T}`,
    missingMessage: 'the Stripe-Signature header is missing',
    staleLabel: 'the Stripe-Signature timestamp',
  },
  {
    name: 'standard-webhooks',
    auth: (secrets, toleranceSeconds) => ({ type: 'standard-webhooks', secrets, toleranceSeconds }),
    secrets: [standardKey(7), standardKey(9)],
    body: '{"type":"user.created"}',
    tamperedBody: '{"type":"user.deleted"}',
    send: (secret, body, t) => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const id = 'msg_2Lh9KRb0pzN4LePd3XiA';
      const signature = hmac('sha256', key, `${id}.${t}.${body}`).toString('base64');
      return {
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(t),
          'webhook-signature': `v1,${signature}`,
        },
      };
    },
    signatureHeader: 'webhook-signature',
    malformedValue: 'v1,not*base64',
    missingMessage: 'the webhook-signature header is missing',
    staleLabel: 'the webhook-timestamp',
  },
  {
    name: 'shopify',
    auth: (secrets) => ({ type: 'shopify', secrets }),
    secrets: ['shpss_one', 'shpss_two'],
    body: '{"id":820982911946154500}',
    tamperedBody: '{"id":820982911946154501}',
    send: (secret, body) => ({
      headers: { 'x-shopify-hmac-sha256': hmac('sha256', secret, body).toString('base64') },
    }),
    signatureHeader: 'x-shopify-hmac-sha256',
    malformedValue: 'c2hvcnQ=',
    missingMessage: 'the X-Shopify-Hmac-Sha256 header is missing',
  },
  {
    name: 'slack',
    auth: (secrets, toleranceSeconds) => ({ type: 'slack', secrets, toleranceSeconds }),
    secrets: ['slack-signing-secret-1', 'slack-signing-secret-2'],
    body: 'command=%2Fdeploy&text=production',
    tamperedBody: 'command=%2Fdeploy&text=staging',
    send: (secret, body, t) => ({
      headers: {
        'x-slack-request-timestamp': String(t),
        'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${t}:${body}`).toString('hex')}`,
      },
    }),
    signatureHeader: 'x-slack-signature',
    malformedValue: 'v1=abcdef',
    missingMessage: 'the X-Slack-Signature header is missing',
    staleLabel: 'the X-Slack-Request-Timestamp',
  },
  {
    name: 'twilio',
    auth: (secrets) => ({ type: 'twilio', secrets }),
    secrets: ['twilio-auth-token-1', 'twilio-auth-token-2'],
    body: 'MessageSid=SM1&From=%2B14155550100&Body=Hello+world&To=%2B14155550199',
    tamperedBody: 'MessageSid=SM1&From=%2B14155550100&Body=Hello+there&To=%2B14155550199',
    send: (secret, body) => ({
      url: twilioUrl,
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-twilio-signature': twilioForm(secret, twilioUrl, body),
      },
    }),
    signatureHeader: 'x-twilio-signature',
    malformedValue: 'not a signature',
    missingMessage: 'the X-Twilio-Signature header is missing',
  },
  {
    name: 'generic-hmac (sha512, base64, prefix, body)',
    auth: (secrets) => ({
      type: 'generic-hmac',
      header: 'X-Acme-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      prefix: 'sha512=',
      secrets,
    }),
    secrets: ['acme-secret-1', 'acme-secret-2'],
    body: '{"order":1}',
    tamperedBody: '{"order":2}',
    send: (secret, body) => ({
      headers: {
        'x-acme-signature': `sha512=${hmac('sha512', secret, body).toString('base64')}`,
      },
    }),
    signatureHeader: 'x-acme-signature',
    malformedValue: `sha512=${Buffer.alloc(32).toString('base64')}`,
    missingMessage: 'the X-Acme-Signature header is missing',
  },
  {
    name: 'generic-hmac (sha1, hex, timestamp.body)',
    auth: (secrets, toleranceSeconds) => ({
      type: 'generic-hmac',
      header: 'x-signature',
      algorithm: 'sha1',
      signed: 'timestamp.body',
      timestampHeader: 'x-timestamp',
      toleranceSeconds,
      secrets,
    }),
    secrets: ['plain-secret-1', 'plain-secret-2'],
    body: 'ping',
    tamperedBody: 'pong',
    send: (secret, body, t) => ({
      headers: {
        'x-timestamp': String(t),
        'x-signature': hmac('sha1', secret, `${t}.${body}`).toString('hex'),
      },
    }),
    signatureHeader: 'x-signature',
    malformedValue: 'xyz',
    missingMessage: 'the X-Signature header is missing',
    staleLabel: 'the timestamp in X-Timestamp',
  },
];

interface SignedCase {
  case: string;
  secrets?: string[];
  toleranceSeconds?: number;
  signWith?: string;
  signedBody?: string;
  sentBody?: string;
  timestamp?: number;
  header?: string | null;
  expected: 'ok' | VerifyFailureReason;
  message?: string;
}

function signedCases(scheme: SignedScheme): SignedCase[] {
  const [secret, other] = scheme.secrets;
  const cases: SignedCase[] = [
    { case: 'valid', expected: 'ok' },
    { case: 'second secret during rotation', secrets: [other, secret], expected: 'ok' },
    { case: 'first secret during rotation', secrets: [secret, other], expected: 'ok' },
    {
      case: 'tampered body',
      sentBody: scheme.tamperedBody,
      expected: 'mismatch',
      message: 'the signature does not match',
    },
    {
      case: 'wrong secret',
      signWith: 'not-the-secret',
      expected: 'mismatch',
      message: 'the signature does not match',
    },
    {
      case: 'retired secret after rotation',
      secrets: [other],
      expected: 'mismatch',
    },
    {
      case: 'missing header',
      header: null,
      expected: 'missing',
      message: scheme.missingMessage,
    },
    { case: 'malformed header', header: scheme.malformedValue, expected: 'malformed' },
  ];
  if (scheme.staleLabel) {
    cases.push(
      {
        case: 'stale',
        timestamp: T - 412,
        expected: 'stale',
        message: `${scheme.staleLabel} is 412 s old; the tolerance is 300 s`,
      },
      {
        case: 'too far in the future',
        timestamp: T + 400,
        expected: 'stale',
        message: `${scheme.staleLabel} is 400 s in the future; the tolerance is 300 s`,
      },
      { case: 'old but within the tolerance', timestamp: T - 299, expected: 'ok' },
      {
        case: 'old but within a wider tolerance',
        timestamp: T - 412,
        toleranceSeconds: 600,
        expected: 'ok',
      },
      {
        case: 'stale under a narrower tolerance',
        timestamp: T - 61,
        toleranceSeconds: 60,
        expected: 'stale',
        message: `${scheme.staleLabel} is 61 s old; the tolerance is 60 s`,
      },
    );
  }
  return cases;
}

describe.each(signedSchemes)('$name', (scheme) => {
  it.each(signedCases(scheme))('$case → $expected', (testCase) => {
    const [secret] = scheme.secrets;
    const timestamp = testCase.timestamp ?? T;
    const signedBody = testCase.signedBody ?? scheme.body;
    const sentBody = testCase.sentBody ?? signedBody;
    const sent = scheme.send(testCase.signWith ?? secret, signedBody, timestamp);
    const headers = { ...sent.headers };
    if (testCase.header === null) delete headers[scheme.signatureHeader];
    else if (testCase.header !== undefined) headers[scheme.signatureHeader] = testCase.header;
    const secrets = testCase.secrets ?? [secret];
    const result = check(
      scheme.auth(secrets, testCase.toleranceSeconds),
      makeRequest({ ...sent, headers, body: sentBody }),
    );

    if (testCase.expected === 'ok') {
      expect(result).toEqual({ ok: true });
      return;
    }
    // What a correct signature of the body as received would have been, under every secret.
    const expectedSignatures = scheme.secrets.flatMap((candidate) =>
      digestsIn(scheme.send(candidate, sentBody, timestamp).headers?.[scheme.signatureHeader]),
    );
    const message = expectRefused(result, testCase.expected, scheme.secrets, expectedSignatures);
    if (testCase.message) expect(message).toContain(testCase.message);
  });
});

describe('a refused signature costs what an accepted one does', () => {
  const hmacCalls = vi.mocked(createHmac);

  it.each(signedSchemes)('$name computes the same HMACs when the header is bad', (scheme) => {
    const [secret, other] = scheme.secrets;
    const auth = triggerAuthSchema.parse(scheme.auth([secret, other]));
    const sent = scheme.send(secret, scheme.body, T);
    const countFor = (headers: Record<string, string>) => {
      const request = makeRequest({ ...sent, headers, body: scheme.body });
      hmacCalls.mockClear();
      verifyRequest(auth, request, NOW);
      return hmacCalls.mock.calls.length;
    };
    const valid = countFor({ ...sent.headers });
    const { [scheme.signatureHeader]: _removed, ...withoutSignature } = sent.headers ?? {};
    expect(valid).toBeGreaterThanOrEqual(2);
    expect(countFor(withoutSignature)).toBe(valid);
    expect(countFor({ ...sent.headers, [scheme.signatureHeader]: scheme.malformedValue })).toBe(
      valid,
    );
    expect(countFor({})).toBe(valid);
  });
});

// ---------------------------------------------------------------------------------------
// The providers' own published examples

describe('published examples', () => {
  it('GitHub: the example in "Validating webhook deliveries"', () => {
    const result = check(
      { type: 'github', secrets: ["It's a Secret to Everybody"] },
      makeRequest({
        body: 'Hello, World!',
        headers: {
          'x-hub-signature-256':
            'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        },
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('Slack: the example in "Verifying requests from Slack"', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const request = makeRequest({
      body,
      headers: {
        'x-slack-request-timestamp': '1531420618',
        'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      },
    });
    const auth = {
      type: 'slack',
      secrets: ['8f742231b10e8888abcd99yyyzzz85a5'],
    } satisfies TriggerAuthInput;
    expect(check(auth, request, 1531420618_000 + 5_000)).toEqual({ ok: true });
    // The same request replayed a day later.
    const message = expectRefused(
      check(auth, request, 1531420618_000 + 86_400_000),
      'stale',
      auth.secrets,
    );
    expect(message).toBe('the X-Slack-Request-Timestamp is 86400 s old; the tolerance is 300 s');
  });

  it('Twilio: the example in "Webhooks security"', () => {
    const form = new URLSearchParams({
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    });
    const result = check(
      { type: 'twilio', secrets: ['12345'] },
      makeRequest({
        url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
        body: form.toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
        },
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('Standard Webhooks: the example in the specification', () => {
    const request = makeRequest({
      body: '{"test": 2432232314}',
      headers: {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      },
    });
    const auth = {
      type: 'standard-webhooks',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    } satisfies TriggerAuthInput;
    expect(check(auth, request, 1614265330_000)).toEqual({ ok: true });
  });
});

// ---------------------------------------------------------------------------------------
// Provider details beyond the common table

describe('stripe details', () => {
  const secret = 'whsec_detail';
  const body = '{"id":"evt_2"}';
  const v1 = (key: string, t: number) => hmac('sha256', key, `${t}.${body}`).toString('hex');

  it('accepts when any v1 matches, ignoring v0 and unknown entries', () => {
    const header = `t=${T},v1=${v1('old-secret', T)},v0=${'0'.repeat(64)},v1=${v1(secret, T)},x=y`;
    const result = check(
      { type: 'stripe', secrets: [secret] },
      makeRequest({ body, headers: { 'stripe-signature': header } }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('refuses a header without a v1 signature', () => {
    const result = check(
      { type: 'stripe', secrets: [secret] },
      makeRequest({ body, headers: { 'stripe-signature': `t=${T},v0=${v1(secret, T)}` } }),
    );
    const message = expectRefused(result, 'malformed', [secret], [v1(secret, T)]);
    expect(message).toContain('no v1= signature');
  });

  it('reports a signature for another timestamp as a mismatch, not as stale', () => {
    const header = `t=${T - 1000},v1=${v1(secret, T)}`;
    const result = check(
      { type: 'stripe', secrets: [secret] },
      makeRequest({ body, headers: { 'stripe-signature': header } }),
    );
    expectRefused(result, 'mismatch', [secret], [v1(secret, T - 1000)]);
  });
});

describe('standard-webhooks details', () => {
  const secret = standardKey(3);
  const key = Buffer.from(secret.slice(6), 'base64');
  const body = '{"type":"email.sent"}';
  const sig = (id: string, t: number) =>
    hmac('sha256', key, `${id}.${t}.${body}`).toString('base64');

  it('accepts the svix-* header names that Svix-based senders use', () => {
    const result = check(
      { type: 'standard-webhooks', secrets: [secret] },
      makeRequest({
        body,
        headers: {
          'svix-id': 'msg_1',
          'svix-timestamp': String(T),
          'svix-signature': `v1,${sig('msg_1', T)}`,
        },
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('accepts any of several space-separated signatures, skipping other versions', () => {
    const header = `v1a,${Buffer.alloc(64).toString('base64')} v1,${Buffer.alloc(32).toString('base64')} v1,${sig('msg_1', T)}`;
    const result = check(
      { type: 'standard-webhooks', secrets: [secret] },
      makeRequest({
        body,
        headers: {
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(T),
          'webhook-signature': header,
        },
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('refuses a signature made for another message id', () => {
    const result = check(
      { type: 'standard-webhooks', secrets: [secret] },
      makeRequest({
        body,
        headers: {
          'webhook-id': 'msg_2',
          'webhook-timestamp': String(T),
          'webhook-signature': `v1,${sig('msg_1', T)}`,
        },
      }),
    );
    expectRefused(result, 'mismatch', [secret, secret.slice(6)], [sig('msg_2', T)]);
  });

  it('names the missing webhook-id and a non-numeric timestamp', () => {
    const auth = { type: 'standard-webhooks', secrets: [secret] } satisfies TriggerAuthInput;
    const noId = check(
      auth,
      makeRequest({
        body,
        headers: { 'webhook-timestamp': String(T), 'webhook-signature': `v1,${sig('', T)}` },
      }),
    );
    expect(expectRefused(noId, 'missing', [secret])).toBe('the webhook-id header is missing');
    const badTime = check(
      auth,
      makeRequest({
        body,
        headers: {
          'webhook-id': 'msg_1',
          'webhook-timestamp': '2025-06-02T12:00:00Z',
          'webhook-signature': `v1,${sig('msg_1', T)}`,
        },
      }),
    );
    expect(expectRefused(badTime, 'malformed', [secret])).toBe(
      'the webhook-timestamp header is not a Unix time in seconds',
    );
  });
});

describe('slack and generic timestamps', () => {
  it('names a missing X-Slack-Request-Timestamp', () => {
    const secret = 'slack-secret';
    const result = check(
      { type: 'slack', secrets: [secret] },
      makeRequest({
        body: 'a=1',
        headers: {
          'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${T}:a=1`).toString('hex')}`,
        },
      }),
    );
    expect(expectRefused(result, 'missing', [secret])).toBe(
      'the X-Slack-Request-Timestamp header is missing',
    );
  });

  it('hints when a generic timestamp is in milliseconds', () => {
    const secret = 'generic-secret';
    const ms = NOW;
    const result = check(
      {
        type: 'generic-hmac',
        header: 'x-signature',
        signed: 'timestamp.body',
        timestampHeader: 'x-timestamp',
        secrets: [secret],
      },
      makeRequest({
        body: 'ping',
        headers: {
          'x-timestamp': String(ms),
          'x-signature': hmac('sha256', secret, `${ms}.ping`).toString('hex'),
        },
      }),
    );
    expect(expectRefused(result, 'stale', [secret])).toContain('looks like milliseconds');
  });

  it('names a missing generic timestamp header', () => {
    const secret = 'generic-secret';
    const result = check(
      {
        type: 'generic-hmac',
        header: 'x-signature',
        signed: 'timestamp.body',
        timestampHeader: 'X-Sent-At',
        secrets: [secret],
      },
      makeRequest({
        body: 'ping',
        headers: { 'x-signature': hmac('sha256', secret, `${T}.ping`).toString('hex') },
      }),
    );
    expect(expectRefused(result, 'missing', [secret])).toBe('the X-Sent-At header is missing');
  });
});

describe('twilio details', () => {
  const token = 'twilio-token';
  const auth = { type: 'twilio', secrets: [token] } satisfies TriggerAuthInput;
  const sig = (signed: string) => hmac('sha1', token, signed).toString('base64');

  it('signs only the URL of a GET, query string included', () => {
    const url = 'https://hooks.example.com/hooks/tok_1?CallSid=CA1&From=%2B1415';
    const result = check(
      auth,
      makeRequest({ method: 'GET', url, headers: { 'x-twilio-signature': sig(url) } }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('accepts a signature over the URL with or without the default port', () => {
    const withPort = 'https://hooks.example.com:443/hooks/tok_1';
    const withoutPort = 'https://hooks.example.com/hooks/tok_1';
    for (const [signedUrl, receivedUrl] of [
      [withPort, withoutPort],
      [withoutPort, withPort],
    ] as const) {
      const result = check(
        auth,
        makeRequest({
          method: 'GET',
          url: receivedUrl,
          headers: { 'x-twilio-signature': sig(signedUrl) },
        }),
      );
      expect(result).toEqual({ ok: true });
    }
  });

  it('sorts repeated parameters by value', () => {
    const url = 'https://hooks.example.com/hooks/tok_1';
    const body = 'To=%2B2&MediaUrl=b&From=%2B1&MediaUrl=a';
    const signed = `${url}From+1MediaUrlaMediaUrlbTo+2`;
    const result = check(
      auth,
      makeRequest({
        url,
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': sig(signed),
        },
      }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('checks a JSON body against the bodySHA256 the signed URL carries', () => {
    const body = '{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}';
    const hash = createHash('sha256').update(body).digest('hex');
    const url = `https://hooks.example.com/hooks/tok_1?bodySHA256=${hash}`;
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': sig(url) };
    expect(check(auth, makeRequest({ url, body, headers }))).toEqual({ ok: true });
    const tampered = check(auth, makeRequest({ url, body: body.replace('CA1', 'CA9'), headers }));
    expect(expectRefused(tampered, 'mismatch', [token])).toBe(
      'the body does not match the bodySHA256 hash in the URL',
    );
  });

  it('says which origin it checked when the URL differs (a proxy that changed the scheme)', () => {
    const url = 'https://hooks.example.com/hooks/tok_1';
    const result = check(
      auth,
      makeRequest({
        method: 'GET',
        url: 'http://hooks.example.com/hooks/tok_1',
        headers: { 'x-twilio-signature': sig(url) },
      }),
    );
    const message = expectRefused(result, 'mismatch', [token], [sig(url)]);
    expect(message).toContain('http://hooks.example.com');
  });
});

// ---------------------------------------------------------------------------------------
// Credentials: basic, header-token

describe('basic', () => {
  const auth = {
    type: 'basic',
    username: 'zapier',
    secrets: ['pa55:word', 'next-password'],
  } satisfies TriggerAuthInput;
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
  const cases: { case: string; authorization?: string; expected: 'ok' | VerifyFailureReason }[] = [
    { case: 'valid', authorization: basic('zapier:pa55:word'), expected: 'ok' },
    { case: 'second password', authorization: basic('zapier:next-password'), expected: 'ok' },
    {
      case: 'lower-case scheme',
      authorization: `basic ${btoa('zapier:next-password')}`,
      expected: 'ok',
    },
    { case: 'wrong password', authorization: basic('zapier:guess'), expected: 'mismatch' },
    { case: 'wrong username', authorization: basic('admin:pa55:word'), expected: 'mismatch' },
    { case: 'missing header', expected: 'missing' },
    { case: 'bearer instead', authorization: 'Bearer pa55:word', expected: 'malformed' },
    { case: 'no colon', authorization: basic('zapier'), expected: 'malformed' },
    { case: 'not base64', authorization: 'Basic ***', expected: 'malformed' },
  ];
  it.each(cases)('$case → $expected', ({ authorization, expected }) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const result = check(auth, makeRequest({ headers }));
    if (expected === 'ok') expect(result).toEqual({ ok: true });
    else expectRefused(result, expected, auth.secrets);
  });
});

describe('header-token', () => {
  const cases: {
    case: string;
    auth: TriggerAuthInput;
    headers: Record<string, string>;
    expected: 'ok' | VerifyFailureReason;
    message?: string;
  }[] = [
    {
      case: 'bearer token by default',
      auth: { type: 'header-token', secrets: ['tok-1'] },
      headers: { authorization: 'Bearer tok-1' },
      expected: 'ok',
    },
    {
      case: 'second token during rotation',
      auth: { type: 'header-token', secrets: ['tok-1', 'tok-2'] },
      headers: { authorization: 'bearer tok-2' },
      expected: 'ok',
    },
    {
      case: 'custom header without prefix',
      auth: { type: 'header-token', header: 'X-Gitlab-Token', prefix: '', secrets: ['glt'] },
      headers: { 'x-gitlab-token': 'glt' },
      expected: 'ok',
    },
    {
      case: 'wrong token',
      auth: { type: 'header-token', secrets: ['tok-1'] },
      headers: { authorization: 'Bearer tok-11' },
      expected: 'mismatch',
      message: 'the token in the Authorization header does not match',
    },
    {
      case: 'missing header',
      auth: { type: 'header-token', header: 'x-webhook-token', prefix: '', secrets: ['tok-1'] },
      headers: { authorization: 'Bearer tok-1' },
      expected: 'missing',
      message: 'the X-Webhook-Token header is missing',
    },
    {
      case: 'prefix missing',
      auth: { type: 'header-token', secrets: ['tok-1'] },
      headers: { authorization: 'tok-1' },
      expected: 'malformed',
      message: 'the Authorization header does not start with "Bearer "',
    },
  ];
  it.each(cases)('$case → $expected', (testCase) => {
    const result = check(testCase.auth, makeRequest({ headers: testCase.headers }));
    if (testCase.expected === 'ok') {
      expect(result).toEqual({ ok: true });
      return;
    }
    const secrets = 'secrets' in testCase.auth ? testCase.auth.secrets : [];
    const message = expectRefused(result, testCase.expected, secrets);
    if (testCase.message) expect(message).toBe(testCase.message);
  });
});

// ---------------------------------------------------------------------------------------
// JWT

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

type Signer = (content: Buffer) => Buffer;
const hs256 =
  (secret: string): Signer =>
  (content) =>
    createHmac('sha256', secret).update(content).digest();
const rs256 =
  (key: KeyObject): Signer =>
  (content) =>
    sign('sha256', content, key);
const es256 =
  (key: KeyObject): Signer =>
  (content) =>
    sign('sha256', content, { key, dsaEncoding: 'ieee-p1363' });

function jwt(header: object, claims: object, signer: Signer): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const content = `${encode(header)}.${encode(claims)}`;
  return `${content}.${signer(Buffer.from(content)).toString('base64url')}`;
}

describe('jwt', () => {
  const secret = 'jwt-shared-secret-0123456789abcdef';
  const claims = { sub: 'sender', iat: T, exp: T + 60 };
  const hsAuth: TriggerAuthInput = { type: 'jwt', secrets: [secret] };
  const cases: {
    case: string;
    auth: TriggerAuthInput;
    token?: string;
    authorization?: string;
    expected: 'ok' | VerifyFailureReason;
    message?: string;
  }[] = [
    {
      case: 'HS256',
      auth: hsAuth,
      token: jwt({ alg: 'HS256', typ: 'JWT' }, claims, hs256(secret)),
      expected: 'ok',
    },
    {
      case: 'HS256 with the second secret',
      auth: { type: 'jwt', secrets: ['retiring-secret', secret] },
      token: jwt({ alg: 'HS256' }, claims, hs256(secret)),
      expected: 'ok',
    },
    {
      case: 'HS256 with a wrong secret',
      auth: hsAuth,
      token: jwt({ alg: 'HS256' }, claims, hs256('another-secret')),
      expected: 'mismatch',
      message: 'the token signature does not match',
    },
    {
      case: 'HS256 with tampered claims',
      auth: hsAuth,
      token: (() => {
        const [header, , signature] = jwt({ alg: 'HS256' }, claims, hs256(secret)).split('.');
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString(
          'base64url',
        );
        return `${header}.${forged}.${signature}`;
      })(),
      expected: 'mismatch',
    },
    {
      case: 'RS256',
      auth: { type: 'jwt', algorithm: 'RS256', secrets: [pem(rsa.publicKey)] },
      token: jwt({ alg: 'RS256' }, claims, rs256(rsa.privateKey)),
      expected: 'ok',
    },
    {
      case: 'RS256 with the second key during rotation',
      auth: {
        type: 'jwt',
        algorithm: 'RS256',
        secrets: [pem(otherRsa.publicKey), pem(rsa.publicKey)],
      },
      token: jwt({ alg: 'RS256' }, claims, rs256(rsa.privateKey)),
      expected: 'ok',
    },
    {
      case: 'RS256 signed by another key',
      auth: { type: 'jwt', algorithm: 'RS256', secrets: [pem(rsa.publicKey)] },
      token: jwt({ alg: 'RS256' }, claims, rs256(otherRsa.privateKey)),
      expected: 'mismatch',
    },
    {
      case: 'ES256',
      auth: { type: 'jwt', algorithm: 'ES256', secrets: [pem(ec.publicKey)] },
      token: jwt({ alg: 'ES256' }, claims, es256(ec.privateKey)),
      expected: 'ok',
    },
    {
      case: 'ES256 with a DER signature instead of JWS r||s',
      auth: { type: 'jwt', algorithm: 'ES256', secrets: [pem(ec.publicKey)] },
      token: jwt({ alg: 'ES256' }, claims, (content) => sign('sha256', content, ec.privateKey)),
      expected: 'mismatch',
    },
    {
      case: 'HS256 forged with the RSA public key as the secret',
      auth: { type: 'jwt', algorithm: 'RS256', secrets: [pem(rsa.publicKey)] },
      token: jwt({ alg: 'HS256' }, claims, hs256(pem(rsa.publicKey))),
      expected: 'malformed',
      message: 'the token is signed with "HS256"; this trigger accepts RS256 only',
    },
    {
      case: 'alg none',
      auth: hsAuth,
      token: jwt({ alg: 'none' }, claims, () => Buffer.from('x')),
      expected: 'malformed',
    },
    {
      case: 'expired beyond the tolerance',
      auth: hsAuth,
      token: jwt({ alg: 'HS256' }, { exp: T - 400 }, hs256(secret)),
      expected: 'stale',
      message: 'the token expired 400 s ago; the tolerance is 300 s',
    },
    {
      case: 'expired within the tolerance',
      auth: hsAuth,
      token: jwt({ alg: 'HS256' }, { exp: T - 200 }, hs256(secret)),
      expected: 'ok',
    },
    {
      case: 'expired under a narrower tolerance',
      auth: { type: 'jwt', secrets: [secret], toleranceSeconds: 30 },
      token: jwt({ alg: 'HS256' }, { exp: T - 31 }, hs256(secret)),
      expected: 'stale',
    },
    {
      case: 'not valid before a future time',
      auth: hsAuth,
      token: jwt({ alg: 'HS256' }, { nbf: T + 600, exp: T + 900 }, hs256(secret)),
      expected: 'stale',
      message: 'the token is not valid for another 600 s; the tolerance is 300 s',
    },
    {
      case: 'no exp claim',
      auth: hsAuth,
      token: jwt({ alg: 'HS256' }, { sub: 'x' }, hs256(secret)),
      expected: 'malformed',
    },
    {
      case: 'no exp claim when not required',
      auth: { type: 'jwt', secrets: [secret], requireExpiration: false },
      token: jwt({ alg: 'HS256' }, { sub: 'x' }, hs256(secret)),
      expected: 'ok',
    },
    {
      case: 'expected audience among several',
      auth: { type: 'jwt', secrets: [secret], audience: 'hookflow', issuer: 'https://idp' },
      token: jwt(
        { alg: 'HS256' },
        { ...claims, aud: ['other', 'hookflow'], iss: 'https://idp' },
        hs256(secret),
      ),
      expected: 'ok',
    },
    {
      case: 'wrong audience',
      auth: { type: 'jwt', secrets: [secret], audience: 'hookflow' },
      token: jwt({ alg: 'HS256' }, { ...claims, aud: 'billing' }, hs256(secret)),
      expected: 'forbidden',
      message: 'the token is meant for the audience "billing"; this trigger expects "hookflow"',
    },
    {
      case: 'no audience when one is expected',
      auth: { type: 'jwt', secrets: [secret], audience: 'hookflow' },
      token: jwt({ alg: 'HS256' }, claims, hs256(secret)),
      expected: 'forbidden',
    },
    {
      case: 'wrong issuer',
      auth: { type: 'jwt', secrets: [secret], issuer: 'https://idp' },
      token: jwt({ alg: 'HS256' }, { ...claims, iss: 'https://evil' }, hs256(secret)),
      expected: 'forbidden',
    },
    { case: 'missing header', auth: hsAuth, expected: 'missing' },
    {
      case: 'not a JWT',
      auth: hsAuth,
      authorization: 'Bearer abc.def',
      expected: 'malformed',
    },
    {
      case: 'no Bearer prefix',
      auth: hsAuth,
      authorization: jwt({ alg: 'HS256' }, claims, hs256(secret)),
      expected: 'malformed',
    },
    {
      case: 'custom header missing',
      auth: { type: 'jwt', secrets: [secret], header: 'X-Jwt', prefix: '' },
      expected: 'missing',
      message: 'the X-Jwt header is missing',
    },
  ];
  it.each(cases)('$case → $expected', (testCase) => {
    const headerName =
      'header' in testCase.auth && testCase.auth.header ? testCase.auth.header : 'authorization';
    const value =
      testCase.authorization ??
      (testCase.token === undefined ? undefined : `Bearer ${testCase.token}`);
    const headers = value === undefined ? {} : { [headerName.toLowerCase()]: value };
    const result = check(testCase.auth, makeRequest({ headers }));
    if (testCase.expected === 'ok') {
      expect(result).toEqual({ ok: true });
      return;
    }
    // The signature a correct sender would have put on these claims.
    const expectedSignature = testCase.token
      ? hs256(secret)(Buffer.from(testCase.token.split('.').slice(0, 2).join('.'))).toString(
          'base64url',
        )
      : 'unused';
    const message = expectRefused(result, testCase.expected, [secret], [expectedSignature]);
    if (testCase.message) expect(message).toBe(testCase.message);
  });

  it('reads a token from a custom header without a prefix', () => {
    const token = jwt({ alg: 'HS256' }, claims, hs256(secret));
    const result = check(
      { type: 'jwt', secrets: [secret], header: 'X-Jwt', prefix: '' },
      makeRequest({ headers: { 'x-jwt': token } }),
    );
    expect(result).toEqual({ ok: true });
  });

  it('refuses, in the settings, text that is not a PEM public key', () => {
    const attempts: [TriggerAuthInput, string][] = [
      [{ type: 'jwt', algorithm: 'RS256', secrets: ['not a key'] }, 'not a PEM public key'],
      [
        {
          type: 'jwt',
          algorithm: 'RS256',
          secrets: [rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
        },
        'this is a private key',
      ],
      [
        {
          type: 'jwt',
          algorithm: 'ES256',
          secrets: [rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
        },
        'ES256 needs an EC public key',
      ],
    ];
    for (const [auth, problem] of attempts) {
      const parsed = triggerAuthSchema.safeParse(auth);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toContain(problem);
    }
  });

  // The settings' schema runs in the browser too, so a key's type, size and curve are checked
  // when a request arrives: every request is refused as misconfigured, naming the problem.
  const shortRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  it.each<[string, TriggerAuthInput, string]>([
    [
      'an EC key for RS256',
      { type: 'jwt', algorithm: 'RS256', secrets: [pem(ec.publicKey)] },
      "this trigger's JWT key setting is wrong: RS256 needs an RSA public key",
    ],
    [
      'an RSA key for ES256',
      { type: 'jwt', algorithm: 'ES256', secrets: [pem(rsa.publicKey)] },
      "this trigger's JWT key setting is wrong: ES256 needs an EC public key on the P-256 curve",
    ],
    [
      'a 1024-bit RSA key as the second of two',
      {
        type: 'jwt',
        algorithm: 'RS256',
        secrets: [pem(rsa.publicKey), pem(shortRsa.publicKey)],
      },
      "this trigger's JWT key setting is wrong (key 2 of 2): the RSA key has 1024 bits",
    ],
    [
      'a PEM block that is not a key',
      {
        type: 'jwt',
        algorithm: 'RS256',
        secrets: ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
      },
      "this trigger's JWT key setting is wrong: it is not a readable PEM public key",
    ],
  ])('refuses every request when the key is unusable: %s', (_case, auth, message) => {
    expect(triggerAuthSchema.safeParse(auth).success).toBe(true);
    const token = jwt({ alg: 'RS256' }, claims, rs256(rsa.privateKey));
    const requests: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, {}];
    for (const headers of requests) {
      const result = check(auth, makeRequest({ headers }));
      expect(result).toMatchObject({ ok: false, reason: 'misconfigured' });
      expect(result.ok ? '' : result.message).toContain(message);
    }
  });
});

// ---------------------------------------------------------------------------------------
// IP allowlist

describe('ip-allowlist', () => {
  const cases: [string[], string, 'ok' | VerifyFailureReason][] = [
    [['10.0.0.0/8'], '10.1.2.3', 'ok'],
    [['10.0.0.0/8'], '::ffff:10.0.0.1', 'ok'],
    [['10.0.0.0/8'], '::ffff:a00:1', 'ok'],
    [['10.0.0.0/8'], '11.0.0.1', 'forbidden'],
    [['192.168.1.128/25'], '192.168.1.200', 'ok'],
    [['192.168.1.128/25'], '192.168.1.100', 'forbidden'],
    [['203.0.113.7'], '203.0.113.7', 'ok'],
    [['203.0.113.7'], '203.0.113.8', 'forbidden'],
    [['0.0.0.0/0'], '198.51.100.1', 'ok'],
    [['0.0.0.0/0'], '2001:db8::1', 'forbidden'],
    [['2001:db8::/32'], '2001:db8:1::5', 'ok'],
    [['2001:db8::/32'], '2001:0db8:0000:0000:0000:0000:0000:0001', 'ok'],
    [['2001:db8::/32'], '2001:db9::1', 'forbidden'],
    [['2001:db8::/32'], '10.0.0.1', 'forbidden'],
    [['2001:db8:abcd:12::/63'], '2001:db8:abcd:13::1', 'ok'],
    [['2001:db8:abcd:12::/63'], '2001:db8:abcd:14::1', 'forbidden'],
    [['::ffff:10.0.0.0/104'], '10.2.3.4', 'ok'],
    [['::1'], '::1', 'ok'],
    [['::1'], '127.0.0.1', 'forbidden'],
    [['fe80::/10'], 'fe80::1%eth0', 'ok'],
    [['192.0.2.0/24', '2001:db8::/32'], '2001:db8::7', 'ok'],
    [['10.0.0.0/8'], 'not-an-address', 'malformed'],
    [['10.0.0.0/8'], '', 'malformed'],
  ];
  it.each(cases)('%j lets %s through → %s', (cidrs, address, expected) => {
    const result = check({ type: 'ip-allowlist', cidrs }, makeRequest({ remoteAddress: address }));
    if (expected === 'ok') expect(result).toEqual({ ok: true });
    else expectRefused(result, expected, []);
  });

  it('names the refused address', () => {
    const result = check(
      { type: 'ip-allowlist', cidrs: ['10.0.0.0/8'] },
      makeRequest({ remoteAddress: '198.51.100.9' }),
    );
    expect(result).toEqual({
      ok: false,
      reason: 'forbidden',
      message: "the address 198.51.100.9 is not on this trigger's IP allowlist",
    });
  });

  it.each(['10.0.0.0/33', '10.0.0.256', 'fe80::/129', '10.0.0.0/', 'example.com', '1.2.3.4/-1'])(
    'refuses the range %s in settings',
    (range) => {
      expect(triggerAuthSchema.safeParse({ type: 'ip-allowlist', cidrs: [range] }).success).toBe(
        false,
      );
    },
  );
});

// ---------------------------------------------------------------------------------------
// Settings and redaction

describe('settings', () => {
  it('accepts none', () => {
    expect(check({ type: 'none' }, makeRequest({}))).toEqual({ ok: true });
  });

  it('fills in defaults', () => {
    expect(triggerAuthSchema.parse({ type: 'stripe', secrets: ['s'] })).toEqual({
      type: 'stripe',
      secrets: ['s'],
      toleranceSeconds: 300,
    });
    expect(triggerAuthSchema.parse({ type: 'jwt', secrets: ['s'] })).toEqual({
      type: 'jwt',
      algorithm: 'HS256',
      secrets: ['s'],
      header: 'authorization',
      prefix: 'Bearer ',
      requireExpiration: true,
      toleranceSeconds: 300,
    });
    expect(
      triggerAuthSchema.parse({ type: 'generic-hmac', header: 'X-Sig', secrets: ['s'] }),
    ).toEqual({
      type: 'generic-hmac',
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: '',
      signed: 'body',
      toleranceSeconds: 300,
      secrets: ['s'],
    });
  });

  it.each<[string, unknown]>([
    ['three secrets', { type: 'github', secrets: ['a', 'b', 'c'] }],
    ['no secret', { type: 'github', secrets: [] }],
    ['an empty secret', { type: 'shopify', secrets: [''] }],
    ['a zero tolerance', { type: 'slack', secrets: ['a'], toleranceSeconds: 0 }],
    [
      'timestamp.body without a timestamp header',
      { type: 'generic-hmac', header: 'x-sig', signed: 'timestamp.body', secrets: ['a'] },
    ],
    ['a header name with a space', { type: 'header-token', header: 'x token', secrets: ['a'] }],
    [
      'a Standard Webhooks secret that is not base64',
      { type: 'standard-webhooks', secrets: ['whsec_***'] },
    ],
    ['a Basic username with a colon', { type: 'basic', username: 'a:b', secrets: ['p'] }],
    ['an unknown type', { type: 'hmac', secrets: ['a'] }],
  ])('refuses %s', (_case, settings) => {
    expect(triggerAuthSchema.safeParse(settings).success).toBe(false);
  });
});

describe('signatureHeaders', () => {
  it.each<[TriggerAuthInput, string[]]>([
    [{ type: 'none' }, []],
    [{ type: 'ip-allowlist', cidrs: ['10.0.0.0/8'] }, []],
    [{ type: 'basic', username: 'u', secrets: ['p'] }, ['authorization']],
    [{ type: 'header-token', header: 'X-Gitlab-Token', secrets: ['t'] }, ['x-gitlab-token']],
    [{ type: 'jwt', secrets: ['s'] }, ['authorization']],
    [{ type: 'github', secrets: ['s'] }, ['x-hub-signature-256', 'x-hub-signature']],
    [{ type: 'stripe', secrets: ['s'] }, ['stripe-signature']],
    [
      { type: 'standard-webhooks', secrets: [standardKey(1)] },
      ['webhook-signature', 'svix-signature'],
    ],
    [{ type: 'shopify', secrets: ['s'] }, ['x-shopify-hmac-sha256']],
    [{ type: 'slack', secrets: ['s'] }, ['x-slack-signature']],
    [{ type: 'twilio', secrets: ['s'] }, ['x-twilio-signature']],
    [{ type: 'generic-hmac', header: 'X-Acme-Signature', secrets: ['s'] }, ['x-acme-signature']],
  ])('%j → %j', (auth, headers) => {
    expect(signatureHeaders(triggerAuthSchema.parse(auth))).toEqual(headers);
  });
});
