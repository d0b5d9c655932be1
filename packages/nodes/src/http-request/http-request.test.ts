import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  compileWorkflow,
  executeWorkflow,
  type HttpClient,
  type NodeRunContext,
  parseWorkflowDocument,
  recordedEffect,
  SECRET_MASK,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { nodeRegistry } from '../index.ts';
import {
  type HttpRequestConfig,
  HttpRequestError,
  HttpStatusError,
  httpRequest,
  retryAfterMs,
} from './http-request.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let closedPort: number;
const received: Received[] = [];
const hits = (path: string) => received.filter((r) => r.url === path).length;

/**
 * Routes: /fail (503), /text, /status/<code>, /flaky/<id>/<n> (503 for the first n calls),
 * /limited/<id>/<retry-after> (429 once), /echo/<code> (the request headers back as JSON),
 * /long, /binary; anything else answers 201 JSON.
 */
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url!;
      received.push({
        method: req.method!,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const [, route, a, b] = url.split('?')[0]!.split('/');
      if (route === 'fail') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
      } else if (route === 'text') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      } else if (route === 'status') {
        res.writeHead(Number(a), { 'content-type': 'text/plain' }).end(`status ${a}`);
      } else if (route === 'flaky') {
        if (hits(url) <= Number(b)) res.writeHead(503).end('not yet');
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (route === 'limited') {
        if (hits(url) === 1) {
          res.writeHead(429, { 'retry-after': decodeURIComponent(b!) }).end('slow down');
        } else res.writeHead(200).end('done');
      } else if (route === 'echo') {
        res
          .writeHead(Number(a), { 'content-type': 'application/json' })
          .end(JSON.stringify({ youSent: req.headers }));
      } else if (route === 'long') {
        res.writeHead(500, { 'content-type': 'text/html' }).end(`<p>\n${'x'.repeat(1000)}</p>`);
      } else if (route === 'binary') {
        res.writeHead(502, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0, 1]));
      } else {
        res
          .writeHead(201, { 'content-type': 'application/json', 'x-answer': '42' })
          .end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free: connecting to it is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A minimal client over Node's fetch; the server injects its undici client the same way. */
const fetchClient: HttpClient = async (req) => {
  const response = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    ...(req.body === undefined ? {} : { body: req.body }),
    signal: req.signal,
    redirect: 'follow',
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    status: response.status,
    headers,
    body: new Uint8Array(await response.arrayBuffer()),
    url: response.url,
  };
};

type ConfigInput = z.input<typeof httpRequest.config>;

const runWith = (config: ConfigInput, signal = new AbortController().signal) =>
  httpRequest.run({
    config: httpRequest.config.parse(config),
    input: null,
    trigger: { method: 'POST', path: '/', headers: {}, query: {}, body: null, receivedAt: '' },
    steps: {},
    node: { id: 'n', key: 'http_1', name: 'HTTP', type: 'http-request' },
    run: { id: 'run_1' },
    signal,
    services: { http: fetchClient, now: () => new Date() },
  } satisfies NodeRunContext<HttpRequestConfig>);

/** Resolves to what `promise` rejected with; fails the test when it resolves. */
async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('http-request: request and response', () => {
  it('sends a JSON body with query and headers, and parses a JSON answer', async () => {
    const output = await runWith({
      method: 'POST',
      url: `${base}/orders?existing=1`,
      query: [{ name: 'page', value: 2 }],
      headers: [{ name: 'X-Token', value: 'abc' }],
      bodyType: 'json',
      body: { sku: 'A-1', qty: 3 },
    });
    expect(output).toEqual({
      status: 201,
      body: { ok: true },
      headers: expect.objectContaining({ 'x-answer': '42' }),
      attempts: 1,
    });
    const last = received.at(-1)!;
    expect(last.url).toBe('/orders?existing=1&page=2');
    expect(last.headers['x-token']).toBe('abc');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ sku: 'A-1', qty: 3 });
  });

  it('builds a JSON body from fields, keeping their types', async () => {
    await runWith({
      url: `${base}/fields`,
      bodyType: 'json-fields',
      bodyFields: [
        { name: 'sku', value: 'A-1' },
        { name: 'qty', value: 3 },
        { name: 'tags', value: ['a', 'b'] },
      ],
    });
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ sku: 'A-1', qty: 3, tags: ['a', 'b'] });
  });

  it('refuses a JSON field given twice', () => {
    const result = httpRequest.config.safeParse({
      url: base,
      bodyType: 'json-fields',
      bodyFields: [
        { name: 'a', value: 1 },
        { name: 'a', value: 2 },
      ],
    });
    expect(result.error?.issues[0]).toMatchObject({
      path: ['bodyFields', 1, 'name'],
      message: '"a" is given twice',
    });
  });

  it('sends form bodies with repeated fields, then the listed fields', async () => {
    await runWith({
      url: `${base}/form`,
      bodyType: 'form',
      body: { name: 'Ada', tag: ['a', 'b'] },
      bodyFields: [
        { name: 'qty', value: 2 },
        { name: 'note', value: null },
      ],
    });
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last.body).toBe('name=Ada&tag=a&tag=b&qty=2&note=');
  });

  it('sends raw text with its content type', async () => {
    await runWith({
      url: `${base}/raw`,
      bodyType: 'text',
      body: '<a>1</a>',
      contentType: 'application/xml',
    });
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/xml');
    expect(last.body).toBe('<a>1</a>');
  });

  it('sends no body with GET and keeps a text answer as text', async () => {
    const output = await runWith({ method: 'GET', url: `${base}/text`, body: { ignored: true } });
    expect(output).toMatchObject({ body: 'plain words' });
    expect(received.at(-1)?.body).toBe('');
  });

  it('refuses a URL that is not http(s) or that holds credentials', () => {
    expect(httpRequest.config.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(httpRequest.config.safeParse({ url: 'not a url' }).success).toBe(false);
    const withUser = httpRequest.config.safeParse({ url: 'https://ada:hunter22@example.com/' });
    expect(withUser.error?.issues[0]?.message).toMatch(/under auth/);
    expect(JSON.stringify(withUser.error)).not.toContain('hunter22');
  });
});

describe('http-request: failing on a status', () => {
  it('fails on a non-2xx answer by default, with the status and an excerpt', async () => {
    const error = await rejection(runWith({ url: `${base}/fail` }));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({
      code: 'HTTP_STATUS',
      status: 503,
      message: 'the server answered 503: {"error":"down"}',
      response: { body: { error: 'down' }, attempts: 1 },
    });
  });

  it('keeps the excerpt short and on one line, and names a binary body by size', async () => {
    const long = await rejection(runWith({ url: `${base}/long` }));
    expect(long).toMatchObject({ message: `the server answered 500: <p> ${'x'.repeat(196)}…` });
    const binary = await rejection(runWith({ url: `${base}/binary` }));
    expect(binary).toMatchObject({ message: 'the server answered 502: 4 bytes of image/png' });
  });

  it('returns a non-2xx answer when told not to fail', async () => {
    const output = await runWith({ url: `${base}/fail`, failOnError: false });
    expect(output).toMatchObject({ status: 503 });
  });
});

describe('http-request: auth', () => {
  it('sends basic credentials, UTF-8 encoded', async () => {
    await runWith({
      url: `${base}/basic`,
      auth: { type: 'basic', username: 'ada', password: 'pässwörd' },
    });
    const expected = `Basic ${Buffer.from('ada:pässwörd').toString('base64')}`;
    expect(received.at(-1)?.headers.authorization).toBe(expected);
  });

  it('sends a bearer token in place of a listed Authorization header', async () => {
    await runWith({
      url: `${base}/bearer`,
      headers: [{ name: 'Authorization', value: 'stale' }],
      auth: { type: 'bearer', token: 'tok_123456789' },
    });
    expect(received.at(-1)?.headers.authorization).toBe('Bearer tok_123456789');
  });

  it('sends a custom header', async () => {
    await runWith({
      url: `${base}/key`,
      auth: { type: 'header', name: 'X-Api-Key', value: 'key_abcdefgh' },
    });
    expect(received.at(-1)?.headers['x-api-key']).toBe('key_abcdefgh');
  });

  it('refuses header names and values that would break the request', () => {
    const parse = (auth: ConfigInput['auth']) => httpRequest.config.safeParse({ url: base, auth });
    expect(parse({ type: 'header', name: 'X Key', value: 'v' }).success).toBe(false);
    expect(parse({ type: 'bearer', token: 'a\r\nX-Evil: 1' }).success).toBe(false);
    expect(parse({ type: 'basic', username: 'a:b', password: '' }).success).toBe(false);
    expect(parse({ type: 'bearer', token: '' }).success).toBe(false);
  });

  it('masks the credentials when a server echoes them, in the output and the error', async () => {
    const token = 'tok_secret_value_42';
    const output = await runWith({
      url: `${base}/echo/200`,
      auth: { type: 'bearer', token },
    });
    expect(output).toMatchObject({ body: { youSent: { authorization: SECRET_MASK } } });
    const error = await rejection(
      runWith({ url: `${base}/echo/401`, auth: { type: 'header', name: 'X-Key', value: token } }),
    );
    expect(error).toMatchObject({ status: 401 });
    expect(JSON.stringify(output)).not.toContain(token);
    expect(error instanceof Error && error.message).toContain(SECRET_MASK);
    expect(JSON.stringify(error) + String(error)).not.toContain(token);
  });

  it('never records the secret in a run: config masked, output and error clean', async () => {
    const token = 'tok_in_the_run_history';
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'secrets',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        {
          id: 'h',
          key: 'crm',
          type: 'http-request',
          name: 'CRM',
          config: {
            url: `${base}/echo/{{ trigger.body.status }}`,
            auth: { type: 'bearer', token: `{{ "${token}" }}` },
          },
        },
      ],
      edges: [{ id: 'e', source: 't', target: 'h' }],
    });
    if (!parsed.ok) throw new Error('the test document is not valid');
    const compiled = compileWorkflow(parsed.document, nodeRegistry);
    for (const status of [200, 403]) {
      const result = await executeWorkflow(compiled, {
        event: {
          method: 'POST',
          path: '/',
          headers: {},
          query: {},
          body: { status },
          receivedAt: '',
        },
        run: { id: 'run_1' },
        workflow: { id: 'w', name: 'secrets', versionId: 'v' },
        services: { http: fetchClient, now: () => new Date() },
      });
      expect(received.at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
      expect(result.steps[1]?.config).toMatchObject({ auth: { token: SECRET_MASK } });
      expect(result.status).toBe(status === 200 ? 'succeeded' : 'failed');
      expect(JSON.stringify(result)).not.toContain(token);
    }
  });
});

describe('http-request: retries', () => {
  const fast = { retryDelayMs: 1, maxRetryDelayMs: 20 };

  it('does not retry by default', async () => {
    const error = await rejection(runWith({ url: `${base}/flaky/default/1` }));
    expect(error).toMatchObject({ status: 503, message: 'the server answered 503: not yet' });
    expect(hits('/flaky/default/1')).toBe(1);
  });

  it('retries a 5xx and reports the attempts', async () => {
    const output = await runWith({ url: `${base}/flaky/ok/2`, retries: 3, ...fast });
    expect(output).toMatchObject({ status: 200, body: { ok: true }, attempts: 3 });
    expect(hits('/flaky/ok/2')).toBe(3);
  });

  it('gives up after the last retry, saying how many attempts were made', async () => {
    const error = await rejection(runWith({ url: `${base}/flaky/never/99`, retries: 2, ...fast }));
    expect(error).toMatchObject({
      status: 503,
      message: 'the server answered 503 after 3 attempts: not yet',
      response: { attempts: 3 },
    });
    expect(hits('/flaky/never/99')).toBe(3);
  });

  it('returns the last answer after retries when told not to fail', async () => {
    const output = await runWith({
      url: `${base}/flaky/soft/99`,
      retries: 1,
      failOnError: false,
      ...fast,
    });
    expect(output).toMatchObject({ status: 503, attempts: 2 });
  });

  it('does not retry a status that will not change', async () => {
    for (const status of [400, 404, 501]) {
      const path = `/status/${status}`;
      const before = hits(path);
      await expect(runWith({ url: `${base}${path}`, retries: 3, ...fast })).rejects.toMatchObject({
        status,
      });
      expect(hits(path)).toBe(before + 1);
    }
  });

  it('retries a refused connection, and the error keeps its code', async () => {
    const error = await rejection(
      runWith({ url: `http://127.0.0.1:${closedPort}/`, retries: 2, ...fast }),
    );
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', attempts: 3 });
    expect(error instanceof Error && error.message).toMatch(/after 3 attempts$/);
  });

  it('honours Retry-After in seconds and as an HTTP date, instead of its own backoff', async () => {
    const slowBackoff = { retries: 1, retryDelayMs: 60_000, maxRetryDelayMs: 60_000 };
    const past = encodeURIComponent(new Date(Date.now() - 5_000).toUTCString());
    for (const path of ['/limited/seconds/0', `/limited/date/${past}`]) {
      const started = Date.now();
      const output = await runWith({ url: `${base}${path}`, ...slowBackoff });
      expect(output).toMatchObject({ status: 200, attempts: 2 });
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('stops retrying when Retry-After asks for longer than the longest delay', async () => {
    const error = await rejection(
      runWith({ url: `${base}/limited/long/120`, retries: 3, ...fast }),
    );
    expect(error).toMatchObject({
      status: 429,
      message:
        'the server answered 429 after 1 attempt (it asked to wait 120 s, more than maxRetryDelayMs): slow down',
    });
    expect(hits('/limited/long/120')).toBe(1);
  });

  it('stops waiting the moment the step is canceled', async () => {
    const abort = new AbortController();
    const reason = new Error('the run was canceled');
    const started = Date.now();
    const attempt = runWith(
      { url: `${base}/flaky/cancel/99`, retries: 5, retryDelayMs: 30_000, maxRetryDelayMs: 30_000 },
      abort.signal,
    );
    // Once the first answer is in, the node is waiting for its first retry.
    for (let i = 0; i < 200 && hits('/flaky/cancel/99') === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    abort.abort(reason);
    expect(await rejection(attempt)).toBe(reason);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(hits('/flaky/cancel/99')).toBe(1);
  });

  it('reads Retry-After', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs(' 7 ', now)).toBe(7_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});

describe('http-request: dry run', () => {
  const dryRunDocument = (auth: unknown) => {
    const parsed = parseWorkflowDocument({
      format: WORKFLOW_FORMAT,
      name: 'dry',
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        {
          id: 'h',
          key: 'crm',
          type: 'http-request',
          name: 'CRM',
          config: {
            method: 'PUT',
            url: `${base}/orders/{{ trigger.body.id }}`,
            query: [{ name: 'source', value: 'hookflow' }],
            headers: [{ name: 'X-Order', value: '{{ trigger.body.id }}' }],
            auth,
            body: { id: '{{ trigger.body.id }}', total: '{{ trigger.body.total }}' },
          },
        },
        {
          id: 'x',
          key: 'after',
          type: 'transform',
          name: 'After',
          config: { mode: 'expression', expression: '{{ { "sent": steps.crm.dryRun } }}' },
        },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'h' },
        { id: 'e2', source: 'h', target: 'x' },
      ],
    });
    if (!parsed.ok) throw new Error(`the test document is not valid: ${parsed.issues[0]?.message}`);
    return parsed.document;
  };

  it('sends nothing and outputs the request it would send, its credential masked', async () => {
    const token = 'tok_never_sent_in_a_dry_run';
    const before = received.length;
    const result = await executeWorkflow(
      compileWorkflow(dryRunDocument({ type: 'bearer', token }), nodeRegistry),
      {
        event: {
          method: 'POST',
          path: '/',
          headers: {},
          query: {},
          body: { id: 7, total: 12.5 },
          receivedAt: '',
        },
        run: { id: 'run_dry' },
        workflow: { id: 'w', name: 'dry', versionId: 'draft' },
        services: {
          http: () => Promise.reject(new Error('a dry run must not send')),
          now: () => new Date(),
        },
        dryRun: true,
      },
    );
    expect(received.length).toBe(before);
    expect(result.status).toBe('succeeded');
    expect(result.steps[1]?.output).toEqual({
      dryRun: true,
      request: {
        method: 'PUT',
        url: `${base}/orders/7?source=hookflow`,
        headers: {
          'x-order': '7',
          'content-type': 'application/json',
          authorization: `Bearer ${SECRET_MASK}`,
        },
        body: { id: 7, total: 12.5 },
      },
    });
    // The steps after it run on the dry-run output.
    expect(result.steps[2]?.output).toEqual({ sent: true });
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('describes the effect of a recorded step, a credential standing in masked', () => {
    const config = {
      url: 'https://crm.example.com/leads',
      headers: [{ name: 'X-Trace', value: 'abc' }],
      auth: { $credential: 'cred_1' },
      body: { name: 'Ada' },
    };
    const read = recordedEffect(httpRequest, config, (id) =>
      id === 'cred_1' ? { type: 'http-header', details: { name: 'X-Api-Key' } } : undefined,
    );
    expect(read).toEqual({
      ok: true,
      effect: {
        request: {
          method: 'POST',
          url: 'https://crm.example.com/leads',
          headers: {
            'x-trace': 'abc',
            'content-type': 'application/json',
            'x-api-key': SECRET_MASK,
          },
          body: { name: 'Ada' },
        },
      },
    });
    expect(recordedEffect(httpRequest, config, () => undefined)).toMatchObject({ ok: false });
    expect(recordedEffect(httpRequest, '[cut: 2 MB]', () => undefined)).toMatchObject({
      ok: false,
    });
  });
});
