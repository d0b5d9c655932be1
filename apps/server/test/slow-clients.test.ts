import { connect, type Socket } from 'node:net';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

/**
 * Senders that open a connection and then dawdle: headers that never finish, a body that stops
 * halfway. Each is answered 408 and its connection closed once the request deadline passes,
 * nothing of it is recorded as an event, and meanwhile the server keeps serving everyone else.
 */

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let port: number;
let path: string;
let workflowId: string;
const requestTimeoutMs = 1_000;

beforeAll(async () => {
  hookflow = await startHookflow({ requestTimeoutMs });
  port = Number(new URL(hookflow.address).port);
  const imported = await hookflow.api.workflows.import.mutate({
    document: {
      format: WORKFLOW_FORMAT,
      name: 'Slow senders',
      nodes: [
        {
          id: 'trigger',
          key: 'trigger',
          type: 'webhook-trigger',
          name: 'Webhook',
          config: { dedupe: 'off' },
          position: { x: 0, y: 0 },
        },
      ],
      edges: [],
      settings: {},
    },
    publish: true,
  });
  workflowId = imported.id;
  path = new URL(hookflow.localUrl(imported.triggerUrl)).pathname;
});
afterAll(() => hookflow.close());

interface SlowClient {
  /** Resolves with what the server sent before it closed the connection. */
  closed: Promise<{ answer: string; closedAt: number }>;
  socket: Socket;
}

/** Sends `start` and then nothing more, ever; gives up (failing the test) after 10 s. */
function dawdle(start: string): SlowClient {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const closed = new Promise<{ answer: string; closedAt: number }>((resolve, reject) => {
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept a dawdling connection open for 10 s'));
    }, 10_000);
    socket.on('connect', () => socket.write(start));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closedAt: Date.now() });
    });
  });
  return { closed, socket };
}

describe('slow clients', () => {
  it('answers 408 and closes, records nothing of them, and serves others meanwhile', async () => {
    const halfHeaders = Array.from({ length: 10 }, (_, i) =>
      dawdle(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ${i}\r\n`),
    );
    const halfBodies = Array.from({ length: 10 }, (_, i) =>
      dawdle(
        `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"slow":${i},`,
      ),
    );
    const slow = [...halfHeaders, ...halfBodies];

    // While twenty connections hang, a sender that sends its request at once is answered.
    const answered = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"fast":true}',
    });
    const answeredAt = Date.now();
    expect(answered.status).toBe(202);
    const { runId } = (await answered.json()) as { runId: string };

    const outcomes = await Promise.all(slow.map((client) => client.closed));
    for (const { answer, closedAt } of outcomes) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAt).toBeGreaterThanOrEqual(answeredAt);
    }

    // Only the fast request became an event and a run.
    const { items } = await hookflow.api.runs.list.query({ workflowId, limit: 50 });
    expect(items.map((run) => run.id)).toEqual([runId]);
    await eventually(async () => {
      const run = await hookflow.api.runs.get.query({ id: runId });
      return run.status === 'succeeded' ? run : undefined;
    });
    // The request log tells the owner what happened to the bodies that never arrived whole;
    // the ones whose headers never finished never reached the trigger.
    const { items: logged } = await hookflow.api.requests.list.query({ workflowId });
    expect(logged.filter((item) => item.outcome === 'accepted').map((item) => item.runId)).toEqual([
      runId,
    ]);
    const refused = logged.filter((item) => item.outcome === 'refused');
    expect(refused).toHaveLength(halfBodies.length);
    for (const item of refused) {
      expect(item).toMatchObject({ status: 408, reason: 'incomplete_request', runId: null });
      expect(item.message).toContain('before the whole body arrived');
    }

    // The server is still fine for the next sender.
    const after = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"after":true}',
    });
    expect(after.status).toBe(202);
  });
});
