/**
 * What callers over HTTP are told when the API refuses a request: the tRPC fetch handler in front
 * of the real routers and a real SQLite file, so the error formatter runs as in the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { nodeRegistry } from '@hookflow/nodes';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveEvents } from './live.ts';
import { appRouter } from './root.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-api-errors-'));
  store = createStore(join(dir, 'api.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ErrorBody {
  error: {
    message: string;
    data: { code: string; httpStatus: number; issues?: unknown; invalidInput?: boolean };
  };
}

/** POSTs `input` to a mutation, as the CLI's operator (`system`) unless `anonymous`. */
async function call(path: string, input: unknown, anonymous = false) {
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    router: appRouter,
    req: new Request(`http://hookflow.test/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    }),
    createContext: () => ({
      actor: anonymous ? null : { kind: 'system' as const },
      store,
      registry: nodeRegistry,
      publicUrl: 'https://hooks.example.com',
      live: createLiveEvents(),
    }),
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

describe('refused input', () => {
  it('names the one problem with where it is, not zod’s issues in JSON', async () => {
    const { status, body } = await call('auth.login', { email: 'x', password: '' }, true);
    expect(status).toBe(400);
    expect(body.error.message).toBe('password: enter your password');
    expect(body.error.data).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      invalidInput: true,
      issues: [{ path: 'password', message: 'enter your password' }],
    });
  });

  it('lists several problems in one sentence and in data.issues', async () => {
    const { status, body } = await call(
      'auth.setup',
      { email: 'not an address', password: 'short' },
      true,
    );
    expect(status).toBe(400);
    expect(body.error.message).toBe(
      'some of what was sent is not valid: email: enter an email address, like ada@example.com; ' +
        'password: use at least 10 characters for the password',
    );
    expect(body.error.data.issues).toEqual([
      { path: 'email', message: 'enter an email address, like ada@example.com' },
      { path: 'password', message: 'use at least 10 characters for the password' },
    ]);
  });

  it('points inside arrays with a dotted path', async () => {
    const { status, body } = await call('runs.delete', { ids: ['run_1', ''] });
    expect(status).toBe(400);
    expect(body.error.data.issues).toEqual([{ path: 'ids.1', message: expect.any(String) }]);
    expect(body.error.message).toMatch(/^ids\.1: /);
  });

  it('says what is wrong with input that is not an object at all', async () => {
    const { status, body } = await call('runs.delete', 'everything');
    expect(status).toBe(400);
    expect(body.error.data.issues).toEqual([{ path: '', message: body.error.message }]);
    expect(body.error.message).not.toMatch(/^[[{:]/);
  });
});

describe('other refusals', () => {
  it('keeps a refused document’s message and its problems, without the input flag', async () => {
    const { status, body } = await call('workflows.import', {
      document: { format: 'n8n', name: 'Elsewhere', nodes: [], edges: [], settings: {} },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain('format');
    expect(body.error.message).not.toContain('"code"');
    expect(body.error.data.invalidInput).toBeUndefined();
    expect(body.error.data.issues).toEqual([expect.objectContaining({ path: 'format' })]);
  });

  it('leaves a refusal of who is calling as it was', async () => {
    const { status, body } = await call('runs.delete', { ids: ['run_1'] }, true);
    expect(status).toBe(401);
    expect(body.error.message).toBe('sign in first');
    expect(body.error.data.issues).toBeUndefined();
  });
});
