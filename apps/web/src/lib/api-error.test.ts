/**
 * What a person is shown of the API's refusals: real errors from a real server (a temporary
 * SQLite file, port 0), through the web app's own client.
 */
import { startHookflow } from '@hookflow/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProblem } from './api-error.ts';
import { createApiClient } from './trpc.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let client: ReturnType<typeof createApiClient>;

beforeAll(async () => {
  hookflow = await startHookflow();
  client = createApiClient(`${hookflow.address}/trpc`);
}, 60_000);

afterAll(async () => {
  await hookflow?.close();
});

const refusalOf = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('the call was accepted');
    },
    (error: unknown) => error,
  );

describe('describeProblem', () => {
  it('shows one refused field as its own message, without where it is', async () => {
    const error = await refusalOf(client.auth.login.mutate({ email: 'x', password: '' }));
    expect(describeProblem(error)).toEqual({ message: 'enter your password', issues: [] });
  });

  it('lists several refused fields with where each is', async () => {
    const error = await refusalOf(client.auth.setup.mutate({ email: 'ada', password: 'short' }));
    expect(describeProblem(error)).toEqual({
      message: 'some of what was sent is not valid',
      issues: [
        { where: 'email', message: 'enter an email address, like ada@example.com' },
        { where: 'password', message: 'use at least 10 characters for the password' },
      ],
    });
  });

  it('keeps a refused document’s message and points at its fields', async () => {
    const error = await refusalOf(
      hookflow.api.workflows.import.mutate({
        document: { format: 'n8n', name: 'Elsewhere', nodes: [], edges: [], settings: {} },
      }),
    );
    const { message, issues } = describeProblem(error);
    expect(message).toContain('format');
    expect(issues).toEqual([{ where: 'format', message: expect.any(String) }]);
  });

  it('shows other refusals as the server says them', async () => {
    const error = await refusalOf(client.runs.delete.mutate({ ids: ['run_1'] }));
    expect(describeProblem(error)).toEqual({ message: 'sign in first', issues: [] });
  });

  it('says when there is no server to answer', async () => {
    const nowhere = createApiClient('http://127.0.0.1:9/trpc');
    const { message } = describeProblem(await refusalOf(nowhere.auth.status.query()));
    expect(message).toMatch(/^Cannot reach the Hookflow server \(.+\)\.$/);
  });
});
