import {
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  sign as signWithKey,
} from 'node:crypto';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import type { TriggerAuthInput } from '@hookflow/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

/**
 * Twilio, JSON Web Tokens and the generic HMAC, against the real server: each request is
 * signed the way the sender's documentation says, then tampered with, made stale, or sent
 * without its credential. (GitHub, Stripe, Standard Webhooks, Shopify, Slack, Basic and header
 * tokens are in trigger-auth.test.ts.)
 */

let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow();
});
afterAll(() => hookflow.close());

const MASK = '••••••';
const now = () => Math.floor(Date.now() / 1000);

function workflow(auth: TriggerAuthInput) {
  return {
    format: WORKFLOW_FORMAT,
    name: `Signed by ${auth.type}`,
    nodes: [
      {
        id: 't',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: { auth },
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
    settings: {},
  };
}

/** A request as a sender puts it on the wire. */
interface SignedRequest {
  /** Path and query after the trigger URL (`?bodySHA256=…`), or empty. */
  query: string;
  contentType: string;
  content: string;
  headers: Record<string, string>;
}

interface Trigger {
  /** The URL the sender was given (PUBLIC_URL): what Twilio signs. */
  publicUrl: string;
  /** The same trigger on the test server's real address. */
  url: string;
  workflowId: string;
}

interface BadCase {
  case: string;
  request: SignedRequest;
  status: 401 | 403;
  code: string;
  /** The refusal message, or a pattern of it: it says which check failed. */
  message: RegExp;
}

interface Scheme {
  auth: TriggerAuthInput;
  /** Secrets and private material that must never appear in an answer or the request log. */
  secrets: string[];
  /** The header that carries the signature or token, masked in the request log. */
  credentialHeader: string;
  /** Bearer tokens answer 401 with a challenge. */
  challenge?: string;
  /** A request signed now, as the sender signs it. */
  valid(trigger: Trigger): SignedRequest;
  bad(trigger: Trigger): BadCase[];
}

const withoutHeader = (request: SignedRequest, name: string): SignedRequest => {
  const { [name]: _removed, ...headers } = request.headers;
  return { ...request, headers };
};

// ---------------------------------------------------------------------------------------------
// Twilio: base64 HMAC-SHA1 of the full URL, then for form posts each parameter's name and value
// in order of names. A JSON body is covered by a bodySHA256 query parameter, which the URL signs.

const twilioToken = 'twilio_auth_token_8f3a';
const twilioSign = (url: string, params: URLSearchParams | null, token = twilioToken) => {
  const sorted = params
    ? [...params.keys()]
        .sort()
        .map((name) => `${name}${params.get(name)}`)
        .join('')
    : '';
  return createHmac('sha1', token)
    .update(url + sorted)
    .digest('base64');
};

const twilioForm = (body: string, url: string, signedBody = body): SignedRequest => ({
  query: '',
  contentType: 'application/x-www-form-urlencoded',
  content: body,
  headers: { 'x-twilio-signature': twilioSign(url, new URLSearchParams(signedBody)) },
});

const smsBody = 'MessageSid=SM5f1c&From=%2B15550100&To=%2B15550199&Body=Hello+there';

const twilioJson = (content: string, url: string, hashedContent = content): SignedRequest => {
  const query = `?bodySHA256=${createHash('sha256').update(hashedContent).digest('hex')}`;
  return {
    query,
    contentType: 'application/json',
    content,
    headers: { 'x-twilio-signature': twilioSign(url + query, null) },
  };
};

// ---------------------------------------------------------------------------------------------
// JSON Web Tokens in `Authorization: Bearer <jwt>`.

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

type JwtKey =
  | { algorithm: 'HS256'; secret: string }
  | { algorithm: 'RS256' | 'ES256'; key: KeyObject };

function jwt(key: JwtKey, claims: Record<string, unknown>, alg: string = key.algorithm): string {
  const content = `${base64url({ alg, typ: 'JWT' })}.${base64url(claims)}`;
  const signature =
    key.algorithm === 'HS256'
      ? createHmac('sha256', key.secret).update(content).digest()
      : key.algorithm === 'RS256'
        ? signWithKey('sha256', Buffer.from(content), key.key)
        : // JWS carries ES256 signatures as raw r || s, not DER.
          signWithKey('sha256', Buffer.from(content), { key: key.key, dsaEncoding: 'ieee-p1363' });
  return `${content}.${signature.toString('base64url')}`;
}

const order = '{"order":7,"total":"12.50"}';
const bearer = (token: string): SignedRequest => ({
  query: '',
  contentType: 'application/json',
  content: order,
  headers: { authorization: `Bearer ${token}` },
});

/** A token whose payload was changed after signing: its signature no longer matches. */
function tamperedPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(claims)}.${signature}`;
}

function jwtScheme(key: JwtKey, auth: TriggerAuthInput, secrets: string[]): Scheme {
  const claims = () => ({ sub: 'shop-42', iat: now(), exp: now() + 300 });
  return {
    auth,
    secrets,
    credentialHeader: 'authorization',
    challenge: 'Bearer realm="hookflow"',
    valid: () => bearer(jwt(key, claims())),
    bad: () => [
      {
        case: 'a payload changed after signing',
        request: bearer(tamperedPayload(jwt(key, claims()), { ...claims(), sub: 'admin' })),
        status: 401,
        code: 'bad_signature',
        message: /^the token signature does not match$/,
      },
      {
        case: 'an expired token',
        request: bearer(jwt(key, { sub: 'shop-42', exp: now() - 600 })),
        status: 401,
        code: 'stale_signature',
        message: /^the token expired 60\d s ago; the tolerance is 300 s$/,
      },
      {
        case: 'a token not valid yet',
        request: bearer(jwt(key, { sub: 'shop-42', nbf: now() + 900, exp: now() + 1200 })),
        status: 401,
        code: 'stale_signature',
        message: /^the token is not valid for another \d+ s; the tolerance is 300 s$/,
      },
      {
        case: 'no token',
        request: withoutHeader(bearer('unused'), 'authorization'),
        status: 401,
        code: 'missing_signature',
        message: /Authorization/,
      },
      {
        case: 'a token with alg none',
        request: bearer(`${base64url({ alg: 'none' })}.${base64url(claims())}.`),
        status: 401,
        code: 'bad_signature_format',
        message: /not a JWT|signed with "none"/,
      },
      {
        case: 'a token without an expiry',
        request: bearer(jwt(key, { sub: 'shop-42' })),
        status: 401,
        code: 'bad_signature_format',
        message: /^the token has no exp \(expiry\) claim, and this trigger requires one$/,
      },
    ],
  };
}

const hsSecret = 'jwt_hs256_secret_2b7c';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

// ---------------------------------------------------------------------------------------------
// Generic HMAC: a header, an algorithm, hex or base64, a prefix, and what is signed.

const hmacRequest = (
  header: string,
  value: string,
  content: string,
  extra: Record<string, string> = {},
): SignedRequest => ({
  query: '',
  contentType: 'application/json',
  content,
  headers: { [header]: value, ...extra },
});

const genericSecret = 'generic_hmac_secret_91ad';
const digest = (
  algorithm: string,
  content: string,
  encoding: 'hex' | 'base64',
  key = genericSecret,
) => createHmac(algorithm, key).update(content).digest(encoding);

const schemes: Record<string, Scheme> = {
  'Twilio (form post)': {
    auth: { type: 'twilio', secrets: [twilioToken] },
    secrets: [twilioToken],
    credentialHeader: 'x-twilio-signature',
    valid: ({ publicUrl }) => twilioForm(smsBody, publicUrl),
    bad: ({ publicUrl }) => [
      {
        case: 'a parameter changed after signing',
        request: twilioForm(smsBody.replace('Hello', 'Goodbye'), publicUrl, smsBody),
        status: 401,
        code: 'bad_signature',
        message: /^the signature does not match; Twilio signs the exact URL it called/,
      },
      {
        case: 'a signature of another URL',
        request: twilioForm(smsBody, 'https://elsewhere.example/hooks/x'),
        status: 401,
        code: 'bad_signature',
        message: /^the signature does not match/,
      },
      {
        case: 'no signature',
        request: withoutHeader(twilioForm(smsBody, publicUrl), 'x-twilio-signature'),
        status: 401,
        code: 'missing_signature',
        message: /X-Twilio-Signature/,
      },
      {
        case: 'a signature that is not base64 of SHA-1',
        request: { ...twilioForm(smsBody, publicUrl), headers: { 'x-twilio-signature': 'abc' } },
        status: 401,
        code: 'bad_signature_format',
        message: /^the X-Twilio-Signature header is not the base64 of a SHA-1 digest$/,
      },
    ],
  },
  'Twilio (JSON body with bodySHA256)': {
    auth: { type: 'twilio', secrets: [twilioToken] },
    secrets: [twilioToken],
    credentialHeader: 'x-twilio-signature',
    valid: ({ publicUrl }) => twilioJson(order, publicUrl),
    bad: ({ publicUrl }) => [
      {
        case: 'a body that does not match its hash',
        request: twilioJson('{"order":7,"total":"0.01"}', publicUrl, order),
        status: 401,
        code: 'bad_signature',
        message: /^the body does not match the bodySHA256 hash in the URL$/,
      },
      {
        case: 'no signature',
        request: withoutHeader(twilioJson(order, publicUrl), 'x-twilio-signature'),
        status: 401,
        code: 'missing_signature',
        message: /X-Twilio-Signature/,
      },
    ],
  },
  'JWT HS256': jwtScheme(
    { algorithm: 'HS256', secret: hsSecret },
    { type: 'jwt', algorithm: 'HS256', secrets: [hsSecret] },
    [hsSecret],
  ),
  'JWT RS256': jwtScheme(
    { algorithm: 'RS256', key: rsa.privateKey },
    { type: 'jwt', algorithm: 'RS256', secrets: [pem(rsa.publicKey)] },
    [privatePem(rsa.privateKey)],
  ),
  'JWT ES256': jwtScheme(
    { algorithm: 'ES256', key: ec.privateKey },
    { type: 'jwt', algorithm: 'ES256', secrets: [pem(ec.publicKey)] },
    [privatePem(ec.privateKey)],
  ),
  'generic HMAC (sha256, hex, prefix)': {
    auth: {
      type: 'generic-hmac',
      header: 'X-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      secrets: [genericSecret],
    },
    secrets: [genericSecret],
    credentialHeader: 'x-signature',
    valid: () => hmacRequest('x-signature', `sha256=${digest('sha256', order, 'hex')}`, order),
    bad: () => [
      {
        case: 'a tampered body',
        request: hmacRequest(
          'x-signature',
          `sha256=${digest('sha256', order, 'hex')}`,
          '{"order":7,"total":"0.01"}',
        ),
        status: 401,
        code: 'bad_signature',
        message: /does not match/,
      },
      {
        case: 'a signature without its prefix',
        request: hmacRequest('x-signature', digest('sha256', order, 'hex'), order),
        status: 401,
        code: 'bad_signature_format',
        message: /^the X-Signature header does not start with "sha256="$/,
      },
      {
        case: 'no signature',
        request: hmacRequest('x-other', 'x', order),
        status: 401,
        code: 'missing_signature',
        message: /X-Signature/,
      },
    ],
  },
  'generic HMAC (sha512, base64, timestamp.body)': {
    auth: {
      type: 'generic-hmac',
      header: 'X-Webhook-Signature',
      algorithm: 'sha512',
      encoding: 'base64',
      signed: 'timestamp.body',
      timestampHeader: 'X-Webhook-Timestamp',
      secrets: [genericSecret],
    },
    secrets: [genericSecret],
    credentialHeader: 'x-webhook-signature',
    valid: () => {
      const at = String(now());
      return hmacRequest(
        'x-webhook-signature',
        digest('sha512', `${at}.${order}`, 'base64'),
        order,
        {
          'x-webhook-timestamp': at,
        },
      );
    },
    bad: () => {
      const at = String(now());
      const old = String(now() - 600);
      return [
        {
          case: 'a tampered body',
          request: hmacRequest(
            'x-webhook-signature',
            digest('sha512', `${at}.${order}`, 'base64'),
            '{"order":8}',
            { 'x-webhook-timestamp': at },
          ),
          status: 401,
          code: 'bad_signature',
          message: /does not match/,
        },
        {
          case: 'a timestamp changed after signing',
          request: hmacRequest(
            'x-webhook-signature',
            digest('sha512', `${at}.${order}`, 'base64'),
            order,
            { 'x-webhook-timestamp': String(now() - 1) },
          ),
          status: 401,
          code: 'bad_signature',
          message: /does not match/,
        },
        {
          case: 'a stale timestamp',
          request: hmacRequest(
            'x-webhook-signature',
            digest('sha512', `${old}.${order}`, 'base64'),
            order,
            { 'x-webhook-timestamp': old },
          ),
          status: 401,
          code: 'stale_signature',
          message: /is 60\d s old; the tolerance is 300 s$/,
        },
        {
          case: 'no timestamp',
          request: hmacRequest(
            'x-webhook-signature',
            digest('sha512', `.${order}`, 'base64'),
            order,
          ),
          status: 401,
          code: 'missing_signature',
          message: /X-Webhook-Timestamp/,
        },
        {
          case: 'a hex signature where base64 is expected',
          request: hmacRequest(
            'x-webhook-signature',
            digest('sha512', `${at}.${order}`, 'hex'),
            order,
            {
              'x-webhook-timestamp': at,
            },
          ),
          status: 401,
          code: 'bad_signature_format',
          message: /^the X-Webhook-Signature header is not the base64 of a sha512 digest$/,
        },
      ];
    },
  },
  'generic HMAC (sha1, hex)': {
    auth: {
      type: 'generic-hmac',
      header: 'X-Hook-Sig',
      algorithm: 'sha1',
      secrets: [genericSecret],
    },
    secrets: [genericSecret],
    credentialHeader: 'x-hook-sig',
    valid: () => hmacRequest('x-hook-sig', digest('sha1', order, 'hex'), order),
    bad: () => [
      {
        case: 'a signature made with another secret',
        request: hmacRequest('x-hook-sig', digest('sha1', order, 'hex', 'not_the_secret'), order),
        status: 401,
        code: 'bad_signature',
        message: /does not match/,
      },
      {
        case: 'a sha256 digest where sha1 is expected',
        request: hmacRequest('x-hook-sig', digest('sha256', order, 'hex'), order),
        status: 401,
        code: 'bad_signature_format',
        message: /^the X-Hook-Sig header is not the hex of a sha1 digest$/,
      },
    ],
  },
};

async function publish(auth: TriggerAuthInput): Promise<Trigger> {
  const imported = await hookflow.api.workflows.import.mutate({
    document: workflow(auth),
    publish: true,
  });
  return {
    publicUrl: imported.triggerUrl,
    url: hookflow.localUrl(imported.triggerUrl),
    workflowId: imported.id,
  };
}

const send = (trigger: Trigger, request: SignedRequest) =>
  fetch(`${trigger.url}${request.query}`, {
    method: 'POST',
    headers: { 'content-type': request.contentType, ...request.headers },
    body: request.content,
  });

async function lastLogged(workflowId: string) {
  const { items } = await hookflow.api.requests.list.query({ workflowId });
  return items[0]!;
}

describe.each(Object.entries(schemes))('a trigger authenticated by %s', (_name, scheme) => {
  let trigger: Trigger;
  beforeAll(async () => {
    trigger = await publish(scheme.auth);
  });

  it('accepts and runs a request signed as the sender signs it', async () => {
    const request = scheme.valid(trigger);
    const response = await send(trigger, request);
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('succeeded');
    // Stored as received; shown masked.
    expect(hookflow.store.runs.get(runId)?.event.headers[scheme.credentialHeader]).toBe(
      request.headers[scheme.credentialHeader],
    );
    expect(run.event.headers[scheme.credentialHeader]).toBe(MASK);
    const logged = await lastLogged(trigger.workflowId);
    expect(logged).toMatchObject({ outcome: 'accepted', status: 202, runId });
    expect(logged.headers[scheme.credentialHeader]).toBe(MASK);
  });

  it('refuses every bad request with the check that failed, logged, secrets kept', async () => {
    for (const bad of scheme.bad(trigger)) {
      const response = await send(trigger, bad.request);
      const answer = (await response.json()) as { error: { code: string; message: string } };
      expect({ case: bad.case, status: response.status, code: answer.error.code }).toEqual({
        case: bad.case,
        status: bad.status,
        code: bad.code,
      });
      expect(answer.error.message, bad.case).toMatch(bad.message);
      expect(response.headers.get('www-authenticate'), bad.case).toBe(scheme.challenge ?? null);
      const logged = await lastLogged(trigger.workflowId);
      expect(logged, bad.case).toMatchObject({
        outcome: 'refused',
        status: bad.status,
        reason: bad.code,
        message: answer.error.message,
        runId: null,
      });
      if (bad.request.headers[scheme.credentialHeader] !== undefined) {
        expect(logged.headers[scheme.credentialHeader], bad.case).toBe(MASK);
      }
      const shown = JSON.stringify({ answer, logged });
      for (const secret of scheme.secrets) expect(shown, bad.case).not.toContain(secret);
      // The signature that was expected is never shown either.
      const expected = scheme.valid(trigger).headers[scheme.credentialHeader];
      if (expected) expect(shown, bad.case).not.toContain(expected.replace(/^Bearer /, ''));
    }
  });
});

describe('JWT claims and algorithms', () => {
  it('refuses a token of the right signer for another issuer or audience with 403', async () => {
    const trigger = await publish({
      type: 'jwt',
      algorithm: 'HS256',
      secrets: [hsSecret],
      issuer: 'https://shop.example',
      audience: 'hookflow',
    });
    const key = { algorithm: 'HS256' as const, secret: hsSecret };
    const exp = now() + 300;
    const good = jwt(key, { iss: 'https://shop.example', aud: ['hookflow', 'other'], exp });
    expect((await send(trigger, bearer(good))).status).toBe(202);

    const otherIssuer = await send(
      trigger,
      bearer(jwt(key, { iss: 'https://evil.example', aud: 'hookflow', exp })),
    );
    expect(otherIssuer.status).toBe(403);
    expect(await otherIssuer.json()).toMatchObject({ error: { code: 'forbidden_token' } });
    const otherAudience = await send(
      trigger,
      bearer(jwt(key, { iss: 'https://shop.example', aud: 'someone-else', exp })),
    );
    expect(otherAudience.status).toBe(403);
    expect(await lastLogged(trigger.workflowId)).toMatchObject({
      status: 403,
      reason: 'forbidden_token',
    });
  });

  it('refuses an HS256 token signed with the RS256 public key as its secret', async () => {
    // The classic algorithm confusion: the trigger's algorithm decides, never the token's.
    const publicKey = pem(rsa.publicKey);
    const trigger = await publish({ type: 'jwt', algorithm: 'RS256', secrets: [publicKey] });
    const forged = jwt(
      { algorithm: 'HS256', secret: publicKey },
      { sub: 'admin', exp: now() + 300 },
    );
    const response = await send(trigger, bearer(forged));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: {
        code: 'bad_signature_format',
        message: 'the token is signed with "HS256"; this trigger accepts RS256 only',
      },
    });
  });

  it('accepts a token signed by the second key while keys are rotated', async () => {
    const next = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const trigger = await publish({
      type: 'jwt',
      algorithm: 'ES256',
      secrets: [pem(next.publicKey), pem(ec.publicKey)],
    });
    const claims = { sub: 'shop-42', exp: now() + 300 };
    for (const key of [next.privateKey, ec.privateKey]) {
      expect((await send(trigger, bearer(jwt({ algorithm: 'ES256', key }, claims)))).status).toBe(
        202,
      );
    }
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const refused = await send(trigger, bearer(jwt({ algorithm: 'ES256', key: stranger }, claims)));
    expect(refused.status).toBe(401);
  });
});
