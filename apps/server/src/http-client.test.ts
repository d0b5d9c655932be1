import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  HttpClientError,
  ResponseTooLargeError,
  TooManyRedirectsError,
} from './http-client.ts';
import { createOutboundPolicy } from './net-guard/net-guard.ts';

// The test servers listen on loopback, which the SSRF guard refuses unless allowed.
const http = createHttpClient({ outbound: createOutboundPolicy('127.0.0.1') });
let main: Server;
let other: Server;
let base: string;
let otherBase: string;
let closedPort: number;
/** The headers the second origin received last. */
let seenByOther: IncomingHttpHeaders = {};

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  // Routes: /hop/<n> (n redirects, then 200), /cross (to the other origin), /bytes/<n>
  // (declared length), /chunked/<n> (no declared length), /hang, /stall (headers, half a body).
  main = createServer((req, res) => {
    const [, route, arg] = req.url!.split('/');
    const n = Number(arg);
    if (route === 'hop') {
      if (n > 0) res.writeHead(302, { location: `/hop/${n - 1}` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('arrived');
    } else if (route === 'cross') {
      res.writeHead(307, { location: `${otherBase}/seen` }).end();
    } else if (route === 'bytes') {
      res.writeHead(200, { 'content-length': String(n) }).end('a'.repeat(n));
    } else if (route === 'chunked') {
      res.writeHead(200);
      for (let sent = 0; sent < n; sent += 100) res.write('a'.repeat(Math.min(100, n - sent)));
      res.end();
    } else if (route === 'hang') {
      // Never answers.
    } else if (route === 'stall') {
      res.writeHead(200, { 'content-length': '100' }).write('half');
    } else {
      res.writeHead(404).end();
    }
  });
  other = createServer((req, res) => {
    seenByOther = req.headers;
    res.writeHead(200).end('other origin');
  });
  base = `http://127.0.0.1:${await listen(main)}`;
  otherBase = `http://127.0.0.1:${await listen(other)}`;
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await http.close();
  for (const server of [main, other]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const send = (url: string, overrides: Partial<HttpRequest> = {}) =>
  http({
    method: 'GET',
    url,
    headers: {},
    timeoutMs: 5_000,
    maxResponseBytes: 1_000,
    maxRedirects: 5,
    signal: new AbortController().signal,
    ...overrides,
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createHttpClient: redirects', () => {
  it('follows redirects up to the limit', async () => {
    const response = await send(`${base}/hop/3`, { maxRedirects: 3 });
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body).toString()).toBe('arrived');
  });

  it('fails beyond the limit', async () => {
    const error = await rejection(send(`${base}/hop/4`, { maxRedirects: 3 }));
    expect(error).toBeInstanceOf(TooManyRedirectsError);
    expect(error).toMatchObject({
      code: 'TOO_MANY_REDIRECTS',
      message: `${base}/hop/4 redirected more than 3 times`,
    });
  });

  it('returns the redirect itself with a limit of 0', async () => {
    const response = await send(`${base}/hop/1`, { maxRedirects: 0 });
    expect(response).toMatchObject({ status: 302, headers: { location: '/hop/0' } });
  });

  it('drops Authorization, but not other headers, when a redirect leaves the origin', async () => {
    const response = await send(`${base}/cross`, {
      headers: { authorization: 'Bearer secret', 'x-trace': 't-1' },
    });
    expect(Buffer.from(response.body).toString()).toBe('other origin');
    expect(seenByOther.authorization).toBeUndefined();
    expect(seenByOther['x-trace']).toBe('t-1');
  });
});

describe('createHttpClient: response size', () => {
  it('accepts a response of exactly the cap', async () => {
    const response = await send(`${base}/bytes/1000`);
    expect(response.body.length).toBe(1000);
  });

  it('refuses a larger response, declared or not', async () => {
    for (const path of ['/bytes/1001', '/chunked/5000']) {
      const error = await rejection(send(`${base}${path}`));
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    }
    expect(await rejection(send(`${base}/bytes/5000`))).toMatchObject({
      message: 'the response is 5000 bytes, more than the 1000 allowed',
    });
  });

  it('does not hold a HEAD answer to the length it declares', async () => {
    const response = await send(`${base}/bytes/5000`, { method: 'HEAD' });
    expect(response).toMatchObject({ status: 200, headers: { 'content-length': '5000' } });
  });
});

describe('createHttpClient: failures', () => {
  it('names the URL and the time when no answer comes', async () => {
    const error = await rejection(send(`${base}/hang`, { timeoutMs: 100 }));
    expect(error).toBeInstanceOf(HttpClientError);
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: `no answer from ${base}/hang within 100 ms`,
    });
  });

  it('times out a body that stops arriving', async () => {
    const error = await rejection(send(`${base}/stall`, { timeoutMs: 200 }));
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: `the answer from ${base}/stall did not arrive in full within 200 ms`,
    });
  });

  it('says which connection was refused, with its code', async () => {
    const url = `http://127.0.0.1:${closedPort}/`;
    const error = await rejection(send(url));
    expect(error).toMatchObject({
      code: 'ECONNREFUSED',
      message: `request to ${url} failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    });
  });

  it('rejects with the step signal’s own reason when the step is stopped', async () => {
    const abort = new AbortController();
    const reason = new Error('the run was canceled');
    const pending = send(`${base}/hang`, { signal: abort.signal });
    setTimeout(() => abort.abort(reason), 20);
    expect(await rejection(pending)).toBe(reason);
  });

  it('leaves credentials in the URL out of its messages', async () => {
    const error = await rejection(send(`http://ada:hunter2@127.0.0.1:${closedPort}/`));
    expect(String(error)).not.toContain('hunter2');
  });
});
