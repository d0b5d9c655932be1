import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpClient, NodeRunContext } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpRequestConfig, HttpStatusError, httpRequest } from './http-request.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url?.startsWith('/fail')) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
      } else if (req.url?.startsWith('/text')) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      } else {
        res
          .writeHead(201, { 'content-type': 'application/json', 'x-answer': '42' })
          .end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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

const runWith = (config: Partial<HttpRequestConfig> & { url: string }) =>
  httpRequest.run({
    config: httpRequest.config.parse(config),
    input: null,
    trigger: { method: 'POST', path: '/', headers: {}, query: {}, body: null, receivedAt: '' },
    steps: {},
    node: { id: 'n', key: 'http_1', name: 'HTTP', type: 'http-request' },
    run: { id: 'run_1' },
    signal: new AbortController().signal,
    services: { http: fetchClient, now: () => new Date() },
  } satisfies NodeRunContext<HttpRequestConfig>) as Promise<{
    status: number;
    headers: Record<string, string>;
    body: unknown;
  }>;

describe('http-request', () => {
  it('sends a JSON body with query and headers, and parses a JSON answer', async () => {
    const output = await runWith({
      method: 'POST',
      url: `${base}/orders?existing=1`,
      query: [{ name: 'page', value: 2 as unknown as string }],
      headers: [{ name: 'X-Token', value: 'abc' }],
      bodyType: 'json',
      body: { sku: 'A-1', qty: 3 },
    });
    expect(output).toMatchObject({
      status: 201,
      body: { ok: true },
      headers: { 'x-answer': '42' },
    });
    const last = received.at(-1)!;
    expect(last.url).toBe('/orders?existing=1&page=2');
    expect(last.headers['x-token']).toBe('abc');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ sku: 'A-1', qty: 3 });
  });

  it('sends form bodies with repeated fields', async () => {
    await runWith({
      url: `${base}/form`,
      bodyType: 'form',
      body: { name: 'Ada', tag: ['a', 'b'] },
    });
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last.body).toBe('name=Ada&tag=a&tag=b');
  });

  it('sends no body with GET and keeps a text answer as text', async () => {
    const output = await runWith({ method: 'GET', url: `${base}/text`, body: { ignored: true } });
    expect(output.body).toBe('plain words');
    expect(received.at(-1)?.body).toBe('');
  });

  it('fails on a non-2xx answer by default, with the response attached', async () => {
    const attempt = runWith({ url: `${base}/fail` });
    await expect(attempt).rejects.toBeInstanceOf(HttpStatusError);
    await expect(attempt).rejects.toMatchObject({
      status: 503,
      response: { body: { error: 'down' } },
    });
  });

  it('returns a non-2xx answer when told not to fail', async () => {
    const output = await runWith({ url: `${base}/fail`, failOnError: false });
    expect(output.status).toBe(503);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(httpRequest.config.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(httpRequest.config.safeParse({ url: 'not a url' }).success).toBe(false);
  });
});
