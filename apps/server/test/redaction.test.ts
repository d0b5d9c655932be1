import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createDb } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

// Secrets with characters that URL-encoding and base64 change.
const httpToken = 'tok_live/8f3+Qz=echo-me';
const httpPassword = 'pässword with spaces&more';
const triggerSecret = 'hook-secret-7c1e9a55';

/** Every way a secret can be echoed back: as written, URL-encoded, and inside base64. */
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  new URLSearchParams({ s: secret }).toString().slice(2),
  Buffer.from(secret).toString('base64').slice(0, -4),
];
const httpForms = [...formsOf(httpToken), ...formsOf(httpPassword)];
const allForms = [...httpForms, ...formsOf(triggerSecret)];

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let echo: Server;
let echoUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  // Answers /<status> with everything it was sent, as many APIs do in their errors.
  echo = createServer((req, res) => {
    const status = Number(req.url!.split(/[/?]/)[1]) || 200;
    res.writeHead(status, { 'content-type': 'application/json', 'x-echo': req.url! }).end(
      JSON.stringify({
        url: req.url,
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

function workflow() {
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
    name: 'Secrets everywhere',
    nodes: [
      node(
        'trigger',
        'webhook-trigger',
        {
          dedupe: 'off',
          auth: {
            type: 'header-token',
            header: 'x-hook-token',
            prefix: '',
            secrets: [triggerSecret],
          },
        },
        0,
      ),
      // Sends the token in the header and (URL-encoded) in the query; the answer echoes both.
      node(
        'bearer',
        'http-request',
        {
          method: 'GET',
          url: `${echoUrl}/200?copy={{ $encodeUrlComponent("${httpToken}") }}`,
          auth: { type: 'bearer', token: httpToken },
        },
        200,
      ),
      // Fails with an error message that quotes the echoed Basic credentials.
      node(
        'basic',
        'http-request',
        {
          method: 'GET',
          url: `${echoUrl}/401`,
          auth: { type: 'basic', username: 'ada', password: httpPassword },
        },
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

/** Every row of every table, as text (blobs read as UTF-8), except the named tables. */
function databaseText(except: readonly string[]): string {
  const { sqlite } = createDb(join(hookflow.dir, 'hookflow.db'), { migrate: false });
  try {
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const rows: string[] = [];
    for (const { name } of tables) {
      if (except.includes(name)) continue;
      for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all() as object[]) {
        for (const value of Object.values(row)) {
          rows.push(Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
        }
      }
    }
    return rows.join('\n');
  } finally {
    sqlite.close();
  }
}

describe('secrets scrubbed by value, end to end', () => {
  it('keeps node and trigger secrets out of history, the request log, the API and the logs', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: workflow(),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);
    const accepted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-token': triggerSecret },
      body: '{"order":1}',
    });
    expect(accepted.status).toBe(202);
    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hook-token': `${triggerSecret}-wrong` },
      body: '{"order":2}',
    });
    expect(refused.status).toBe(401);
    const { runId } = (await accepted.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });

    // The run did use the secrets, and the servers' echoes were recorded, masked.
    expect(run.status).toBe('failed');
    const [, bearer, basic] = run.steps;
    expect(bearer?.output).toMatchObject({
      status: 200,
      body: { authorization: expect.stringMatching(/••••••$/), url: '/200?copy=••••••' },
    });
    expect(basic?.error).toMatchObject({ code: 'HTTP_STATUS' });
    expect(basic?.error).toMatchObject({ message: expect.stringContaining('••••••') });

    const history = databaseText(['workflows', 'workflow_versions', 'events']);
    const api = JSON.stringify([
      run.steps,
      run.error,
      run.output,
      await hookflow.api.runs.export.query({ id: runId }),
      await hookflow.api.requests.list.query({ workflowId: imported.id }),
    ]);
    // Not searched: the workflow document itself (tables workflows and workflow_versions, and
    // workflows.get for the editor), which holds the secrets until credentials get a store.
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const form of allForms) {
      expect(history, `history holds ${form}`).not.toContain(form);
      expect(api, `the API returns ${form}`).not.toContain(form);
      expect(logs, `the log holds ${form}`).not.toContain(form);
    }
    // The stored request is kept as received (the sender's own header), but nothing the
    // workflow sent or was answered reaches it.
    const events = databaseText(['workflows', 'workflow_versions']);
    for (const form of httpForms) expect(events).not.toContain(form);
  });
});
