import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, relayWorkflow, startHookflow, startSink } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
let sink: Awaited<ReturnType<typeof startSink>>;
const PAYLOAD_MAX = 2048;
const STUCK_MS = 400;

beforeAll(async () => {
  hookflow = await startHookflow({
    payloadMaxBytes: PAYLOAD_MAX,
    config: { READY_QUEUE_STUCK_MS: STUCK_MS, RETENTION_MAX_RUNS: 2, RETENTION_DAYS: 0 },
  });
  sink = await startSink();
});

afterAll(async () => {
  await hookflow.close();
  await sink.close();
});

async function relay(name: string) {
  const imported = await hookflow.api.workflows.import.mutate({
    document: relayWorkflow(`${sink.url}/in`, { name }),
    publish: true,
  });
  return { id: imported.id, url: hookflow.localUrl(imported.triggerUrl) };
}

async function send(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

const finished = (id: string) =>
  eventually(async () => {
    const run = await hookflow.api.runs.get.query({ id });
    return run.finishedAt ? run : undefined;
  });

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const { message, data } = error as { message: string; data?: { code?: string } };
    return { message, code: data?.code };
  }
  throw new Error('expected a refusal');
};

describe('run history on a real server', () => {
  it('runs with the whole payload and keeps a truncated one, marked, in the history', async () => {
    const wf = await relay('Big');
    const big = { rows: 'r'.repeat(5000), customer: 'ada@example.com' };
    const runId = await send(wf.url, big, { authorization: 'Bearer sender-secret-token' });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    // The next step got the whole value.
    expect(JSON.parse(sink.received.at(-1)!.body)).toEqual(big);
    const trigger = run.steps.find((step) => step.nodeKey === 'trigger')!;
    expect(trigger.output).toMatchObject({ $truncated: true, bytes: expect.any(Number) });
    expect((trigger.output as { bytes: number }).bytes).toBeGreaterThan(5000);
    expect(run.event.body).toMatchObject({ $truncated: true });
    expect(run.event.rawBody).toMatchObject({ encoding: 'utf8', truncated: true });
    expect(run.event.rawBody.data).toHaveLength(PAYLOAD_MAX);
    expect(run.event.size).toBe(JSON.stringify(big).length);

    // The export has the event whole, its credentials masked.
    const exported = await hookflow.api.runs.export.query({ id: runId });
    expect(exported).toMatchObject({
      format: 'hookflow/run@1',
      run: { id: runId, status: 'succeeded' },
      event: { headers: { authorization: '••••••' }, body: big },
    });
    expect(exported.event.rawBody.data).toBe(JSON.stringify(big));
    expect(exported.steps.map((step) => step.nodeKey)).toEqual(['trigger', 'forward']);
    expect(JSON.stringify(exported)).not.toContain('sender-secret-token');
  });

  it('searches, counts and deletes runs, and refuses to delete an unfinished one', async () => {
    const wf = await relay('Searchable');
    const first = await send(wf.url, { customer: 'grace@example.com' });
    const second = await send(wf.url, { customer: 'linus@example.com' });
    await Promise.all([finished(first), finished(second)]);

    const found = await hookflow.api.runs.list.query({ workflowId: wf.id, q: 'GRACE@' });
    expect(found.items.map((run) => run.id)).toEqual([first]);
    expect(await hookflow.api.runs.counts.query({ workflowId: wf.id })).toMatchObject({
      byStatus: { succeeded: 2, failed: 0 },
      total: 2,
      complete: true,
    });
    expect((await hookflow.api.runs.counts.query({ q: 'linus' })).total).toBe(1);

    // A run queued while the worker is stopped cannot be deleted.
    await hookflow.server.worker.stop(1000);
    const queued = await send(wf.url, { customer: 'queued' });
    expect(await refusal(hookflow.api.runs.delete.mutate({ ids: [first, queued] }))).toEqual({
      code: 'BAD_REQUEST',
      message: `run ${queued} is queued: only finished runs (succeeded, failed, filtered, canceled) can be deleted, cancel it first; nothing was deleted`,
    });
    expect(await refusal(hookflow.api.runs.delete.mutate({ ids: ['run_missing'] }))).toEqual({
      code: 'NOT_FOUND',
      message: 'run run_missing was not found',
    });
    expect(await refusal(hookflow.api.runs.delete.mutate({ ids: [] }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await hookflow.api.runs.get.query({ id: first })).status).toBe('succeeded');

    expect(await hookflow.api.runs.delete.mutate({ ids: [first, second] })).toEqual({
      deleted: 2,
      events: 2,
    });
    expect(await refusal(hookflow.api.runs.get.query({ id: first }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    hookflow.server.worker.start();
    await finished(queued);
  });

  it('answers not ready while the queue is stuck, and ready again once it moves', async () => {
    const wf = await relay('Stuck');
    await eventually(async () => {
      const response = await fetch(`${hookflow.address}/readyz`);
      return response.status === 200 ? true : undefined;
    });
    await hookflow.server.worker.stop(1000);
    const runId = await send(wf.url, { n: 1 });
    const notReady = await eventually(async () => {
      const response = await fetch(`${hookflow.address}/readyz`);
      return response.status === 503 ? response : undefined;
    });
    const body = (await notReady.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'not ready',
      database: true,
      reason: expect.stringMatching(/^the queue is stuck: a run has waited \d+ s to be claimed/),
      queue: { queued: 1 },
    });
    hookflow.server.worker.start();
    await finished(runId);
    const ready = await fetch(`${hookflow.address}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true });
  });

  it('prunes the history in the background pass, keeping the newest runs per workflow', async () => {
    const wf = await relay('Pruned');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(wf.url, { i }));
    await Promise.all(ids.map(finished));
    const summary = await hookflow.server.retention!.runPass();
    expect(summary.runs).toBeGreaterThanOrEqual(3);
    const kept = await hookflow.api.runs.list.query({ workflowId: wf.id });
    expect(kept.items.map((run) => run.id)).toEqual([ids[4], ids[3]]);
    const log = await hookflow.api.requests.list.query({ workflowId: wf.id });
    expect(log.items.map((line) => line.runId)).toEqual([ids[4], ids[3]]);
    expect(hookflow.store.retention.pages().freePages).toBe(0);
  });
});
