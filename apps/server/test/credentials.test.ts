import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createDb } from '@hookflow/db';
import { credentialRef, WORKFLOW_FORMAT } from '@hookflow/engine';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

// Secrets with characters that URL-encoding and base64 change.
const apiToken = 'tok_live/4f9+Kx=credential-token';
const password = 'pässword with spaces&more';
const signingSecret = 'whsec-github/signing+secret=1';

/** Every way a secret can leak: as written, URL-encoded, and base64 (standard and URL-safe). */
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  new URLSearchParams({ s: secret }).toString().slice(2),
  Buffer.from(secret).toString('base64').slice(0, -4),
  Buffer.from(secret).toString('base64url').slice(0, -4),
];
const allForms = [...formsOf(apiToken), ...formsOf(password), ...formsOf(signingSecret)];

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let echo: Server;
let echoUrl: string;
const received: IncomingHttpHeaders[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  // Answers with the credentials it was sent, as many APIs do in their errors.
  echo = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        authorization: req.headers.authorization,
        decoded: Buffer.from(
          (req.headers.authorization ?? '').replace(/^Basic /, ''),
          'base64',
        ).toString(),
      }),
    );
  });
  await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  hookflow = await startHookflow({ logger: pino({ level: 'trace' }, sink) });
});

afterAll(async () => {
  await hookflow.close();
  echo.closeAllConnections();
  await new Promise<void>((done) => echo.close(() => done()));
});

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function workflow(ids: { signing: string; bearer: string; basic: string }) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({
    id,
    key: id,
    type,
    name: id,
    config,
    position: { x, y: 0 },
  });
  return {
    format: WORKFLOW_FORMAT,
    name: 'Signed and authenticated',
    nodes: [
      node(
        'trigger',
        'webhook-trigger',
        { dedupe: 'off', auth: { type: 'github', secrets: [credentialRef(ids.signing)] } },
        0,
      ),
      node(
        'bearer',
        'http-request',
        { method: 'GET', url: `${echoUrl}/bearer`, auth: credentialRef(ids.bearer) },
        200,
      ),
      node(
        'basic',
        'http-request',
        { method: 'GET', url: `${echoUrl}/basic`, auth: credentialRef(ids.basic) },
        400,
      ),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'bearer' },
      { id: 'e2', source: 'bearer', target: 'basic' },
    ],
    settings: {},
  };
}

/** The database file and its WAL, as bytes: what a stolen disk or backup holds. */
function databaseBytes(): Buffer {
  const file = join(hookflow.dir, 'hookflow.db');
  const parts = [readFileSync(file)];
  try {
    parts.push(readFileSync(`${file}-wal`));
  } catch {
    // No WAL right now.
  }
  return Buffer.concat(parts);
}

let imported: { id: string; triggerUrl: string };
let ids: { signing: string; bearer: string; basic: string };

describe('credentials on the real server', () => {
  it('creates the key file readable by its owner only', () => {
    expect(statSync(join(hookflow.dir, 'hookflow.key')).mode & 0o777).toBe(0o600);
  });

  it('signs in to a server with an HTTP request credential and verifies an HMAC trigger with another, keeping every secret out of everything recorded', async () => {
    const api = hookflow.api;
    const outputs: unknown[] = [];
    const signing = await api.credentials.create.mutate({
      name: 'GitHub signing secret',
      type: 'hmac-secret',
      value: { secret: signingSecret },
    });
    const bearer = await api.credentials.create.mutate({
      name: 'Echo token',
      type: 'bearer',
      value: { token: apiToken },
    });
    const basic = await api.credentials.create.mutate({
      name: 'Echo login',
      type: 'basic',
      value: { username: 'ada', password },
    });
    ids = { signing: signing.id, bearer: bearer.id, basic: basic.id };
    outputs.push(signing, bearer, basic);
    imported = await api.workflows.import.mutate({ document: workflow(ids), publish: true });
    const url = hookflow.localUrl(imported.triggerUrl);

    const body = '{"order":1}';
    const unsigned = await fetch(url, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign('not-the-secret', body) },
      body,
    });
    expect(forged.status).toBe(401);
    const accepted = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(signingSecret, body),
      },
      body,
    });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('succeeded');
    // The real values went out on the wire...
    expect(received.map((headers) => headers.authorization)).toEqual([
      `Bearer ${apiToken}`,
      `Basic ${Buffer.from(`ada:${password}`).toString('base64')}`,
    ]);
    // ...and come back masked; the step's config names the credential, not its value.
    const [, bearerStep, basicStep] = run.steps;
    expect(bearerStep?.config).toMatchObject({ auth: credentialRef(bearer.id) });
    expect(basicStep?.output).toMatchObject({
      body: { authorization: '••••••', decoded: 'ada:••••••' },
    });

    // A test run from the editor resolves them the same way and returns nothing secret.
    const detail = await api.workflows.get.query({ id: imported.id });
    const tested = await api.testRuns.run.mutate({
      workflowId: imported.id,
      document: detail.document,
      event: { body: { order: 2 } },
    });
    expect(tested.status).toBe('succeeded');
    expect(received).toHaveLength(4);

    outputs.push(
      run,
      tested,
      detail,
      await api.credentials.list.query(),
      await api.credentials.update.mutate({ id: basic.id, name: 'Echo login (ada)' }),
      await api.workflows.list.query(),
      await api.workflows.export.query({ id: imported.id }),
      await api.workflows.version.query({ versionId: detail.publishedVersionId! }),
      await api.runs.list.query({ workflowId: imported.id }),
      await api.runs.export.query({ id: runId }),
      await api.requests.list.query({ workflowId: imported.id }),
    );
    const responses = JSON.stringify(outputs);
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    const bytes = databaseBytes();
    for (const form of allForms) {
      expect(responses, `an API response holds ${form}`).not.toContain(form);
      expect(logs, `the log holds ${form}`).not.toContain(form);
      expect(bytes.includes(form), `the SQLite file holds ${form}`).toBe(false);
    }
    // The export carries references only.
    const exported = await api.workflows.export.query({ id: imported.id });
    expect(exported.nodes.map((node) => node.config.auth)).toEqual([
      { type: 'github', secrets: [credentialRef(signing.id)] },
      credentialRef(bearer.id),
      credentialRef(basic.id),
    ]);
  });

  it('verifies with a changed secret at once, and sends a changed token from the next run', async () => {
    const url = hookflow.localUrl(imported.triggerUrl);
    const body = '{"order":3}';
    const newSecret = 'rotated-signing-secret-2';
    await hookflow.api.credentials.update.mutate({
      id: ids.signing,
      value: { secret: newSecret },
    });
    await hookflow.api.credentials.update.mutate({
      id: ids.bearer,
      value: { token: 'rotated-api-token-2' },
    });
    const old = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign(signingSecret, body) },
      body,
    });
    expect(old.status).toBe(401);
    const fresh = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign(newSecret, body) },
      body,
    });
    expect(fresh.status).toBe(202);
    const { runId } = (await fresh.json()) as { runId: string };
    await eventually(async () => {
      const run = await hookflow.api.runs.get.query({ id: runId });
      return run.finishedAt ? run : undefined;
    });
    expect(received.at(-2)?.authorization).toBe('Bearer rotated-api-token-2');
  });

  it('names the credential when its value cannot be decrypted (moved from another row), and keeps serving', async () => {
    // Copy the signing secret's sealed value into the bearer credential's row: its id and type
    // are bound to the value, so it must not open there.
    const { sqlite } = createDb(join(hookflow.dir, 'hookflow.db'), { migrate: false });
    const sealed = sqlite.prepare('SELECT secret FROM credentials WHERE id = ?').pluck();
    sqlite
      .prepare('UPDATE credentials SET secret = ? WHERE id = ?')
      .run(sealed.get(ids.signing), ids.bearer);
    sqlite.close();

    const body = '{"order":4}';
    const accepted = await fetch(hookflow.localUrl(imported.triggerUrl), {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign('rotated-signing-secret-2', body) },
      body,
    });
    expect(accepted.status).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      nodeId: 'bearer',
      code: 'CREDENTIAL',
      message: expect.stringMatching(
        /^auth: credential "Echo token" \(cred_\w+\) cannot be decrypted: key \w+ does not open it/,
      ),
    });

    // The trigger's own secret, moved away the same way: every request is refused, clearly.
    const { sqlite: again } = createDb(join(hookflow.dir, 'hookflow.db'), { migrate: false });
    again
      .prepare(
        'UPDATE credentials SET secret = (SELECT secret FROM credentials WHERE id = ?) WHERE id = ?',
      )
      .run(ids.basic, ids.signing);
    again.close();
    const refused = await fetch(hookflow.localUrl(imported.triggerUrl), {
      method: 'POST',
      headers: { 'x-hub-signature-256': sign('rotated-signing-secret-2', body) },
      body,
    });
    expect(refused.status).toBe(500);
    expect(await refused.json()).toEqual({
      error: {
        code: 'trigger_misconfigured',
        message: `this trigger's settings use credential ${ids.signing}, which cannot be decrypted with this server's keys; no request is accepted until it is fixed`,
      },
    });
    expect((await fetch(`${hookflow.address}/healthz`)).status).toBe(200);
  });
});
