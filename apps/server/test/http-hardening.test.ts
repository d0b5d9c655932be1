import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '@hookflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardingWorkflow, startHookflow } from './helpers.ts';

/** Headers only the web app gets (helmet's set, with this app's values). */
const appHeaders = {
  'content-security-policy':
    "default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';img-src 'self' data:;font-src 'self' data:;connect-src 'self';frame-ancestors 'none';frame-src 'none';object-src 'none';base-uri 'self';form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-permitted-cross-domain-policies': 'none',
};

/** Everything a webhook answer may carry: nothing meant for browsers. */
const leanHeaders = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

const headersOf = (response: Response) => Object.fromEntries(response.headers.entries());

let webRoot: string;
beforeAll(() => {
  webRoot = mkdtempSync(join(tmpdir(), 'hookflow-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Hookflow</title>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  mkdirSync(join(webRoot, 'assets-old'));
  writeFileSync(join(webRoot, 'assets-old', 'app.js'), 'console.log("old")');
});
afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

describe('security headers', () => {
  let hookflow: Awaited<ReturnType<typeof startHookflow>>;
  let triggerUrl: string;
  beforeAll(async () => {
    hookflow = await startHookflow({ webRoot });
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow('http://127.0.0.1:9'),
      publish: true,
    });
    triggerUrl = hookflow.localUrl(imported.triggerUrl);
  });
  afterAll(() => hookflow.close());

  it.each([
    ['a page of the app', '/workflows/abc', { accept: 'text/html' }],
    ['a static file', '/assets/app.js', {}],
    ['an API answer', '/trpc/workflows.list', {}],
    ['a 404 of the app', '/nothing-here', {}],
  ])('come with %s', async (_what, path, headers) => {
    const response = await fetch(`${hookflow.address}${path}`, { headers });
    expect(headersOf(response)).toMatchObject(appHeaders);
    // Plain HTTP without a proxy: pinning HTTPS would lock browsers out.
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('stay off webhook answers, accepted or refused', async () => {
    const accepted = await fetch(triggerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(accepted.status).toBe(202);
    const refused = await fetch(triggerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(refused.status).toBe(400);
    const unknown = await fetch(`${hookflow.address}/hooks/nope`, { method: 'POST', body: '' });
    expect(unknown.status).toBe(404);
    for (const response of [accepted, refused, unknown]) {
      expect(Object.keys(headersOf(response)).filter((name) => !leanHeaders.has(name))).toEqual([]);
    }
  });

  it('pin HTTPS only for requests a trusted proxy says came over HTTPS', async () => {
    const behindProxy = await startHookflow({ webRoot, config: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const overHttps = { accept: 'text/html', 'x-forwarded-proto': 'https' };
      const page = await fetch(`${behindProxy.address}/`, { headers: overHttps });
      expect(page.headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );
      const overHttp = await fetch(`${behindProxy.address}/`, {
        headers: { ...overHttps, 'x-forwarded-proto': 'http' },
      });
      expect(overHttp.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await behindProxy.close();
    }
    // Without TRUST_PROXY, anyone could send the header: it is not believed.
    const claimed = await fetch(`${hookflow.address}/`, {
      headers: { accept: 'text/html', 'x-forwarded-proto': 'https' },
    });
    expect(claimed.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('caching of the web app', () => {
  it('keeps the hashed build files for good, and checks the page itself each time', async () => {
    const hookflow = await startHookflow({ webRoot });
    try {
      const asset = await fetch(`${hookflow.address}/assets/app.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // Files outside assets/ (the icon, a folder whose name only starts like it) are checked.
      for (const path of ['/favicon.svg', '/assets-old/app.js']) {
        const file = await fetch(`${hookflow.address}${path}`);
        expect(file.status, path).toBe(200);
        expect(file.headers.get('cache-control'), path).toBe('no-cache');
      }
      for (const path of ['/', '/index.html', '/workflows/abc/edit']) {
        const page = await fetch(`${hookflow.address}${path}`, {
          headers: { accept: 'text/html' },
        });
        expect(page.status, path).toBe(200);
        expect(await page.text(), path).toContain('<title>Hookflow</title>');
        expect(page.headers.get('cache-control'), path).toBe('no-cache');
      }
      // A HEAD request for a page (a link checker, a monitor) is answered as its GET would be.
      const head = await fetch(`${hookflow.address}/workflows/abc/edit`, {
        method: 'HEAD',
        headers: { accept: 'text/html' },
      });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toContain('text/html');
      expect(head.headers.get('cache-control')).toBe('no-cache');
    } finally {
      await hookflow.close();
    }
  });
});

describe('errors', () => {
  /** What a stack trace or a source location looks like in a body. */
  const internals = /\bat .+\(|\.ts:\d+|node_modules|\/work\/|stack/i;

  it('answer 404 as JSON without internals', async () => {
    const hookflow = await startHookflow({ webRoot });
    try {
      const response = await fetch(`${hookflow.address}/api/nothing`, { method: 'POST' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 'not_found', message: 'nothing at POST /api/nothing' },
      });
    } finally {
      await hookflow.close();
    }
  });

  it('show no stack trace or internal message when a page cannot be served', async () => {
    const brokenRoot = mkdtempSync(join(tmpdir(), 'hookflow-web-'));
    writeFileSync(join(brokenRoot, 'index.html'), '<!doctype html>');
    const hookflow = await startHookflow({ webRoot: brokenRoot });
    try {
      // A real failure: the page the app answers every path with can no longer be read.
      rmSync(join(brokenRoot, 'index.html'));
      mkdirSync(join(brokenRoot, 'index.html'));
      const response = await fetch(`${hookflow.address}/workflows`, {
        headers: { accept: 'text/html' },
      });
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({
        error: 'Internal Server Error',
        code: 'internal_error',
        message: 'the server could not answer this request; the details are in its log',
        statusCode: 500,
      });
      expect(body).not.toMatch(internals);
    } finally {
      await hookflow.close();
      rmSync(brokenRoot, { recursive: true, force: true });
    }
  });

  it('show no stack trace or database message when the database fails', async () => {
    const hookflow = await startHookflow({ webRoot });
    try {
      const imported = await hookflow.api.workflows.import.mutate({
        document: forwardingWorkflow('http://127.0.0.1:9'),
        publish: true,
      });
      const send = () =>
        fetch(hookflow.localUrl(imported.triggerUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
      const { runId } = (await (await send()).json()) as { runId: string };
      // A real failure: another process breaks the schema under the server.
      const other = createDb(join(hookflow.dir, 'hookflow.db'), { migrate: false });
      other.sqlite.pragma('foreign_keys = OFF');
      other.sqlite.exec('DROP TABLE events');
      other.close();

      const hook = await send();
      expect(hook.status).toBe(500);
      const hookBody = await hook.text();
      expect(JSON.parse(hookBody)).toEqual({
        error: {
          code: 'internal_error',
          message: 'the request could not be accepted; it was not recorded',
        },
      });
      const api = await hookflow.api.runs.get.query({ id: runId }).catch((error) => error);
      expect(api).toMatchObject({
        message: 'the server failed to handle this request; the details are in its log',
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
      });
      const apiBody = JSON.stringify((api as { shape: unknown }).shape);
      for (const body of [hookBody, apiBody]) {
        expect(body).not.toMatch(internals);
        expect(body).not.toMatch(/events|table|sqlite/i);
      }
    } finally {
      await hookflow.close();
    }
  });
});
