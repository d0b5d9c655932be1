import { createHmac, generateKeyPairSync } from 'node:crypto';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import type { TriggerAuthInput } from '@hookflow/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow();
});
afterAll(() => hookflow.close());

const MASK = '••••••';
const body = '{"order":7,"total":"12.50"}';
const tamperedBody = '{"order":7,"total":"0.01"}';
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

async function publish(auth: TriggerAuthInput, options: { publish?: boolean } = {}) {
  const imported = await hookflow.api.workflows.import.mutate({
    document: workflow(auth),
    publish: options.publish ?? true,
  });
  return { url: hookflow.localUrl(imported.triggerUrl), workflowId: imported.id };
}

const post = (url: string, content: string, headers: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: content,
  });

/** The newest entry of the trigger's request log. */
async function lastLogged(workflowId: string) {
  const { items } = await hookflow.api.requests.list.query({ workflowId });
  return items[0]!;
}

const hmac = (algorithm: 'sha256', key: string | Buffer, content: string) =>
  createHmac(algorithm, key).update(content).digest();

interface Scheme {
  auth: TriggerAuthInput;
  secret: string;
  /** The headers a real sender puts on `content`, signed now (or `at`) with `secret`. */
  sign(content: string, at?: number, secret?: string): Record<string, string>;
  /** The header that carries the signature or credential, masked in the request log. */
  credentialHeader: string;
  /** The header value of a request that presents the credential in the wrong format. */
  garbled: string;
  /** Basic and Bearer answer 401 with a challenge. */
  challenge?: string;
  /** Where the scheme signs the body, a tampered body is refused; else a wrong credential. */
  tamper: 'body' | 'credential';
}

const standardKey = Buffer.from('a 32-byte key for standard hooks');

const schemes: Record<string, Scheme> = {
  github: {
    auth: { type: 'github', secrets: ['gh_secret_4f1c'] },
    secret: 'gh_secret_4f1c',
    sign: (content, _at, secret = 'gh_secret_4f1c') => ({
      'x-hub-signature-256': `sha256=${hmac('sha256', secret, content).toString('hex')}`,
    }),
    credentialHeader: 'x-hub-signature-256',
    garbled: 'sha1=abc',
    tamper: 'body',
  },
  stripe: {
    auth: { type: 'stripe', secrets: ['whsec_stripe_9d2e'] },
    secret: 'whsec_stripe_9d2e',
    sign: (content, at = now(), secret = 'whsec_stripe_9d2e') => ({
      'stripe-signature': `t=${at},v1=${hmac('sha256', secret, `${at}.${content}`).toString('hex')}`,
    }),
    credentialHeader: 'stripe-signature',
    garbled: 'v1=abc',
    tamper: 'body',
  },
  'standard-webhooks': {
    auth: { type: 'standard-webhooks', secrets: [`whsec_${standardKey.toString('base64')}`] },
    secret: `whsec_${standardKey.toString('base64')}`,
    sign: (content, at = now(), secret) => ({
      'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      'webhook-timestamp': String(at),
      'webhook-signature': `v1,${hmac('sha256', secret ?? standardKey, `msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.${at}.${content}`).toString('base64')}`,
    }),
    credentialHeader: 'webhook-signature',
    garbled: 'v2,abc',
    tamper: 'body',
  },
  shopify: {
    auth: { type: 'shopify', secrets: ['shpss_7a0b'] },
    secret: 'shpss_7a0b',
    sign: (content, _at, secret = 'shpss_7a0b') => ({
      'x-shopify-hmac-sha256': hmac('sha256', secret, content).toString('base64'),
    }),
    credentialHeader: 'x-shopify-hmac-sha256',
    garbled: 'not base64!',
    tamper: 'body',
  },
  slack: {
    auth: { type: 'slack', secrets: ['slack_signing_3e8f'] },
    secret: 'slack_signing_3e8f',
    sign: (content, at = now(), secret = 'slack_signing_3e8f') => ({
      'x-slack-request-timestamp': String(at),
      'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${at}:${content}`).toString('hex')}`,
    }),
    credentialHeader: 'x-slack-signature',
    garbled: 'v1=abc',
    tamper: 'body',
  },
  basic: {
    auth: { type: 'basic', username: 'shop', secrets: ['basic_pw_6c2d'] },
    secret: 'basic_pw_6c2d',
    sign: (_content, _at, secret = 'basic_pw_6c2d') => ({
      authorization: `Basic ${Buffer.from(`shop:${secret}`).toString('base64')}`,
    }),
    credentialHeader: 'authorization',
    garbled: 'Basic %%%',
    challenge: 'Basic realm="hookflow"',
    tamper: 'credential',
  },
  'header-token': {
    auth: { type: 'header-token', secrets: ['token_5b9a'] },
    secret: 'token_5b9a',
    sign: (_content, _at, secret = 'token_5b9a') => ({ authorization: `Bearer ${secret}` }),
    credentialHeader: 'authorization',
    garbled: 'Token token_5b9a',
    challenge: 'Bearer realm="hookflow"',
    tamper: 'credential',
  },
  'header-token in a header of its own': {
    auth: { type: 'header-token', header: 'X-Gitlab-Token', prefix: '', secrets: ['glt_1d4e'] },
    secret: 'glt_1d4e',
    sign: (_content, _at, secret = 'glt_1d4e') => ({ 'x-gitlab-token': secret }),
    credentialHeader: 'x-gitlab-token',
    garbled: 'unused',
    tamper: 'credential',
  },
};

/** The signatures and tokens in a set of headers (`t=…,v1=<hex>` → the hex). */
function credentialsIn(headers: Record<string, string>): string[] {
  return Object.values(headers).flatMap((value) =>
    value.split(/[=, ]/).filter((part) => part.length >= 8),
  );
}

/** A request that fails one check, and how it must be refused. */
function badRequests(scheme: Scheme) {
  const signed = scheme.sign(body);
  const { [scheme.credentialHeader]: _removed, ...withoutCredential } = signed;
  const requests = [
    {
      case: scheme.tamper === 'body' ? 'a tampered body' : 'a wrong credential',
      content: scheme.tamper === 'body' ? tamperedBody : body,
      headers:
        scheme.tamper === 'body' ? signed : scheme.sign(body, undefined, 'wrong_secret_0000'),
      code: 'bad_signature',
    },
    { case: 'no credential', content: body, headers: withoutCredential, code: 'missing_signature' },
  ];
  // A bare token in a header of its own has no format to get wrong.
  if (scheme.garbled !== 'unused') {
    requests.push({
      case: 'a garbled credential',
      content: body,
      headers: { ...signed, [scheme.credentialHeader]: scheme.garbled },
      code: 'bad_signature_format',
    });
  }
  return requests;
}

describe.each(Object.entries(schemes))('a trigger authenticated by %s', (_name, scheme) => {
  let trigger: { url: string; workflowId: string };
  beforeAll(async () => {
    trigger = await publish(scheme.auth);
  });

  it('accepts and runs a request signed as the sender signs it', async () => {
    const headers = scheme.sign(body);
    const response = await post(trigger.url, body, headers);
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('succeeded');
    // The stored event keeps the request as received (replay verifies nothing again, but an
    // export of the database is whole); what the API shows, the request log and the step
    // config mask the credential.
    expect(hookflow.store.runs.get(runId)?.event.headers[scheme.credentialHeader]).toBe(
      headers[scheme.credentialHeader],
    );
    expect(run.event.headers[scheme.credentialHeader]).toBe(MASK);
    expect(run.steps[0]?.config).toMatchObject({ auth: { secrets: MASK } });
    expect(JSON.stringify(run.steps.map((step) => step.config))).not.toContain(scheme.secret);
    const logged = await lastLogged(trigger.workflowId);
    expect(logged).toMatchObject({ outcome: 'accepted', status: 202, runId });
    expect(logged.headers[scheme.credentialHeader]).toBe(MASK);
  });

  it.each(badRequests(scheme))('refuses $case as $code', async (bad) => {
    const response = await post(trigger.url, bad.content, bad.headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(scheme.challenge ?? null);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe(bad.code);
    // The message says which check failed, and gives nothing away.
    expect(answer.error.message).not.toContain(scheme.secret);
    for (const expected of credentialsIn(scheme.sign(bad.content))) {
      expect(answer.error.message).not.toContain(expected);
    }

    const logged = await lastLogged(trigger.workflowId);
    expect(logged).toMatchObject({
      outcome: 'refused',
      status: 401,
      reason: bad.code,
      message: answer.error.message,
      runId: null,
    });
    if (bad.headers[scheme.credentialHeader] !== undefined) {
      expect(logged.headers[scheme.credentialHeader]).toBe(MASK);
    }
    expect(JSON.stringify(logged)).not.toContain(scheme.secret);
  });
});

describe('timestamps, addresses and broken settings', () => {
  it('refuses a Stripe signature older than the tolerance as stale', async () => {
    const { url, workflowId } = await publish(schemes.stripe!.auth);
    const response = await post(url, body, schemes.stripe!.sign(body, now() - 600));
    expect(response.status).toBe(401);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('stale_signature');
    expect(answer.error.message).toMatch(
      /^the Stripe-Signature timestamp is 60\d s old; the tolerance is 300 s$/,
    );
    expect(await lastLogged(workflowId)).toMatchObject({
      status: 401,
      reason: 'stale_signature',
      message: answer.error.message,
      headers: { 'stripe-signature': MASK },
    });
  });

  it('answers 403 to an address that is not on the allowlist', async () => {
    const allowed = await publish({ type: 'ip-allowlist', cidrs: ['127.0.0.0/8', '::1'] });
    expect((await post(allowed.url, body, {})).status).toBe(202);

    const { url, workflowId } = await publish({ type: 'ip-allowlist', cidrs: ['203.0.113.0/24'] });
    const response = await post(url, body, {});
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error).toEqual({
      code: 'forbidden_address',
      message: "the address 127.0.0.1 is not on this trigger's IP allowlist",
    });
    expect(await lastLogged(workflowId)).toMatchObject({
      status: 403,
      reason: 'forbidden_address',
      remoteAddress: '127.0.0.1',
    });
  });

  it('refuses every request while a JWT key cannot be used, saying the setting is wrong', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { url, workflowId } = await publish({
      type: 'jwt',
      algorithm: 'RS256',
      secrets: [ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    });
    const response = await post(url, body, { authorization: 'Bearer a.b.c' });
    expect(response.status).toBe(500);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('trigger_misconfigured');
    expect(answer.error.message).toContain(
      "this trigger's JWT key setting is wrong: RS256 needs an RSA public key",
    );
    expect(await lastLogged(workflowId)).toMatchObject({
      reason: 'trigger_misconfigured',
      message: answer.error.message,
    });
  });

  it('refuses requests to a draft whose authentication is half filled in', async () => {
    // Drafts are saved as they are typed; a trigger must not fall back to no authentication.
    const { url, workflowId } = await publish(
      { type: 'header-token', header: 'X-Gitlab-Token', prefix: '', secrets: [] },
      { publish: false },
    );
    const response = await post(url, body, { 'x-gitlab-token': 'glt_sent_already' });
    expect(response.status).toBe(500);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error).toEqual({
      code: 'trigger_misconfigured',
      message:
        "this trigger's Authentication settings are not valid (secrets: add a secret); no request is accepted until they are fixed",
    });
    expect(await lastLogged(workflowId)).toMatchObject({
      reason: 'trigger_misconfigured',
      headers: { 'x-gitlab-token': MASK },
    });
  });
});
