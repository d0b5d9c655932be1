import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, relayWorkflow, startHookflow, startSink } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;
const sinks: Awaited<ReturnType<typeof startSink>>[] = [];

beforeAll(async () => {
  hookflow = await startHookflow({ shutdownTimeoutMs: 200 });
});
afterAll(async () => {
  await hookflow.close();
  await Promise.all(sinks.map((sink) => sink.close()));
});

async function sink(status = 200, options: { delayMs?: number } = {}) {
  const started = await startSink(status, options);
  sinks.push(started);
  return started;
}

async function publish(document: ReturnType<typeof relayWorkflow>) {
  return hookflow.api.workflows.import.mutate({ document, publish: true });
}

async function send(triggerUrl: string, body: unknown = { n: 1 }): Promise<string> {
  const response = await fetch(hookflow.localUrl(triggerUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

const getRun = (id: string) => hookflow.api.runs.get.query({ id });

const finished = (id: string) =>
  eventually(async () => {
    const run = await getRun(id);
    return run.status === 'queued' || run.status === 'running' ? undefined : run;
  }, 15_000);

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCClientError)) throw new Error('expected the API to refuse');
  return { code: (error.data as { code?: string } | undefined)?.code, message: error.message };
}

const stepsOf = (run: Awaited<ReturnType<typeof getRun>>) =>
  run.steps.map((step) => [step.nodeId, step.status, step.attempt]);

describe('runs.cancel', () => {
  it('cancels a queued run at once, and stops a running one', async () => {
    const slow = await sink(200, { delayMs: 20_000 });
    const workflow = await publish(relayWorkflow(slow.url));
    // The worker runs four at a time: four wait on the sink, the fifth stays queued.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(workflow.triggerUrl, { i }));
    await eventually(() => (slow.received.length === 4 ? true : undefined));
    const [first, second, third, fourth, fifth] = ids as [string, string, string, string, string];
    expect((await getRun(fifth)).status).toBe('queued');

    expect(await hookflow.api.runs.cancel.mutate({ id: fifth })).toEqual({
      id: fifth,
      status: 'canceled',
    });
    expect(await getRun(fifth)).toMatchObject({
      status: 'canceled',
      error: { code: 'CANCELED' },
      steps: [],
    });

    expect((await getRun(first)).status).toBe('running');
    await hookflow.api.runs.cancel.mutate({ id: first });
    // The worker aborts the request to the sink long before the sink would answer.
    const canceled = await eventually(async () => {
      const run = await getRun(first);
      return run.steps.length === 2 ? run : undefined;
    }, 5000);
    expect(canceled.status).toBe('canceled');
    expect(canceled.steps[1]).toMatchObject({
      nodeId: 'forward',
      status: 'failed',
      error: { code: 'CANCELED' },
    });
    await eventually(() => (hookflow.server.worker.inFlight === 3 ? true : undefined), 5000);
    // The freed slot does not pick up the canceled fifth run.
    expect(slow.received).toHaveLength(4);

    expect(await refusal(hookflow.api.runs.cancel.mutate({ id: first }))).toEqual({
      code: 'BAD_REQUEST',
      message: `run ${first} is canceled: only queued and running runs can be canceled`,
    });
    for (const id of [second, third, fourth]) await hookflow.api.runs.cancel.mutate({ id });
    await eventually(() => (hookflow.server.worker.inFlight === 0 ? true : undefined), 5000);
  });

  it('refuses unknown run ids with NOT_FOUND', async () => {
    const { runs } = hookflow.api;
    for (const procedure of [runs.cancel, runs.replay, runs.resume]) {
      expect(await refusal(procedure.mutate({ id: 'run_nope' }))).toEqual({
        code: 'NOT_FOUND',
        message: 'run run_nope was not found',
      });
    }
  });
});

describe('runs.resume', () => {
  it('queues a failed run again from its failed step, with the next attempt', async () => {
    const flaky = await sink(500);
    const workflow = await publish(relayWorkflow(flaky.url));
    const id = await send(workflow.triggerUrl);
    const failed = await finished(id);
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, error: { nodeId: 'forward' } });

    flaky.setStatus(200);
    expect(await hookflow.api.runs.resume.mutate({ id })).toEqual({
      id,
      status: 'queued',
      attempt: 2,
      versionId: failed.versionId,
    });
    const resumed = await finished(id);
    expect(resumed).toMatchObject({ status: 'succeeded', attempt: 2, error: null });
    // The trigger step is kept from the first attempt; only the failed step ran again.
    expect(stepsOf(resumed)).toEqual([
      ['trigger', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'succeeded', 2],
    ]);
    expect(flaky.received).toHaveLength(2);

    expect(await refusal(hookflow.api.runs.resume.mutate({ id }))).toEqual({
      code: 'BAD_REQUEST',
      message: `run ${id} is succeeded: only failed runs can be resumed`,
    });
  });
});

/** A loopback API that knows only `POST /orders` (404 elsewhere) and keeps the paths it saw. */
async function ordersApi() {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      const found = req.url === '/orders';
      res.writeHead(found ? 201 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(found ? { id: 'o_1' } : { error: 'no such route' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sinks.push({
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } as Awaited<ReturnType<typeof startSink>>);
  return { url, paths };
}

/** The relay workflow with an audit call before the forward step (or without it). */
function auditedRelay(auditUrl: string | null, forwardUrl: string) {
  const relay = relayWorkflow(forwardUrl);
  if (!auditUrl) return relay;
  const [trigger, forward] = relay.nodes as [
    (typeof relay.nodes)[number],
    (typeof relay.nodes)[number],
  ];
  const audit = {
    ...forward,
    id: 'audit',
    key: 'audit',
    name: 'Audit',
    config: {
      method: 'POST',
      url: auditUrl,
      headers: [{ name: 'x-audit', value: 'yes' }],
      body: '{{ trigger.body }}',
    },
  };
  return {
    ...relay,
    nodes: [trigger, audit, { ...forward, position: { x: 400, y: 0 } }],
    edges: [
      { id: 'e1', source: 'trigger', target: 'audit' },
      { id: 'e2', source: 'audit', target: 'forward' },
    ],
  };
}

describe("runs.resume on the current version ({ version: 'current' })", () => {
  it('runs the failed step again with the fixed config, keeping the finished steps', async () => {
    const audit = await sink();
    const api = await ordersApi();
    const workflow = await publish(auditedRelay(audit.url, `${api.url}/ordrs`));
    const id = await send(workflow.triggerUrl, { order: 42 });
    const failed = await finished(id);
    expect(failed).toMatchObject({ status: 'failed', error: { nodeId: 'forward' } });

    // Resuming on the version it ran fails the same way: the workflow is what is wrong.
    await hookflow.api.runs.resume.mutate({ id });
    expect(await finished(id)).toMatchObject({ status: 'failed', attempt: 2 });

    await hookflow.api.workflows.saveDraft.mutate({
      id: workflow.id,
      document: auditedRelay(audit.url, `${api.url}/orders`),
    });
    await hookflow.api.workflows.publish.mutate({ id: workflow.id });
    const published = (await hookflow.api.workflows.get.query({ id: workflow.id }))
      .publishedVersionId;
    expect(published).not.toBe(failed.versionId);

    expect(await hookflow.api.runs.resume.mutate({ id, version: 'current' })).toEqual({
      id,
      status: 'queued',
      attempt: 3,
      versionId: published,
    });
    const resumed = await finished(id);
    expect(resumed).toMatchObject({ status: 'succeeded', attempt: 3, versionId: published });
    expect(stepsOf(resumed)).toEqual([
      ['trigger', 'succeeded', 1],
      ['audit', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'failed', 2],
      ['forward', 'succeeded', 3],
    ]);
    expect(resumed.steps.at(-1)).toMatchObject({
      config: { url: `${api.url}/orders` },
      output: { status: 201, body: { id: 'o_1' } },
    });
    // The audit call ran once; only the forward step went out again.
    expect(audit.received).toHaveLength(1);
    expect(api.paths).toEqual(['/ordrs', '/ordrs', '/orders']);
  });

  it('ignores a kept step whose node the current version removed', async () => {
    const audit = await sink();
    const api = await ordersApi();
    const workflow = await publish(auditedRelay(audit.url, `${api.url}/nope`));
    const id = await send(workflow.triggerUrl, { order: 7 });
    expect(await finished(id)).toMatchObject({ status: 'failed' });

    // The fix drops the audit step: forward now reads the trigger's output directly.
    await hookflow.api.workflows.saveDraft.mutate({
      id: workflow.id,
      document: auditedRelay(null, `${api.url}/orders`),
    });
    await hookflow.api.workflows.publish.mutate({ id: workflow.id });
    await hookflow.api.runs.resume.mutate({ id, version: 'current' });
    const resumed = await finished(id);
    expect(resumed.status).toBe('succeeded');
    expect(stepsOf(resumed)).toEqual([
      ['trigger', 'succeeded', 1],
      ['audit', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'succeeded', 2],
    ]);
    expect(resumed.steps.at(-1)?.input).toEqual(resumed.steps[0]?.output);
    expect(audit.received).toHaveLength(1);
    expect(api.paths).toEqual(['/nope', '/orders']);
  });

  it('refuses when the workflow has no published version to resume on', async () => {
    const api = await ordersApi();
    const workflow = await publish(relayWorkflow(`${api.url}/nope`));
    const id = await send(workflow.triggerUrl);
    const failed = await finished(id);
    await hookflow.api.workflows.delete.mutate({ id: workflow.id });
    expect(await refusal(hookflow.api.runs.resume.mutate({ id, version: 'current' }))).toEqual({
      code: 'BAD_REQUEST',
      message: `workflow ${workflow.id} was deleted: its runs cannot be resumed on the current version`,
    });
    expect(await getRun(id)).toMatchObject({
      status: 'failed',
      attempt: 1,
      versionId: failed.versionId,
    });
    expect(
      await refusal(hookflow.api.runs.resume.mutate({ id: 'run_nope', version: 'current' })),
    ).toEqual({ code: 'NOT_FOUND', message: 'run run_nope was not found' });
  });
});

describe('runs.replay', () => {
  it("runs the event again on the workflow's current published version, linked to the original", async () => {
    const target = await sink();
    const workflow = await publish(relayWorkflow(target.url));
    const original = await finished(await send(workflow.triggerUrl, { order: 7 }));
    expect(original.status).toBe('succeeded');

    await hookflow.api.workflows.saveDraft.mutate({
      id: workflow.id,
      document: relayWorkflow(target.url, { version: 'two' }),
    });
    await hookflow.api.workflows.publish.mutate({ id: workflow.id });
    const replayed = await hookflow.api.runs.replay.mutate({ id: original.id });
    expect(replayed.replayOf).toBe(original.id);
    expect(replayed.versionId).not.toBe(original.versionId);

    const replay = await finished(replayed.id);
    expect(replay).toMatchObject({
      status: 'succeeded',
      replayOf: original.id,
      versionId: replayed.versionId,
      eventId: original.eventId,
      attempt: 1,
    });
    expect(target.received.map((r) => [r.headers['x-version'], JSON.parse(r.body)])).toEqual([
      ['one', { order: 7 }],
      ['two', { order: 7 }],
    ]);
    // The original is untouched.
    expect(await getRun(original.id)).toMatchObject({ status: 'succeeded', replayOf: null });

    await hookflow.api.workflows.delete.mutate({ id: workflow.id });
    expect(await refusal(hookflow.api.runs.replay.mutate({ id: original.id }))).toEqual({
      code: 'BAD_REQUEST',
      message: `workflow ${workflow.id} was deleted: its runs cannot be replayed`,
    });
  });
});

describe('automatic retries (settings.retry)', () => {
  it('retries a failed run from its failed step with growing delays, up to the attempts', async () => {
    const down = await sink(500);
    const workflow = await publish(
      relayWorkflow(down.url, {
        settings: { retry: { attempts: 2, initialDelayMs: 100, maxDelayMs: 150 } },
      }),
    );
    const run = await finished(await send(workflow.triggerUrl));
    expect(run).toMatchObject({ status: 'failed', attempt: 3, error: { nodeId: 'forward' } });
    expect(stepsOf(run)).toEqual([
      ['trigger', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'failed', 2],
      ['forward', 'failed', 3],
    ]);
    const [, a1, a2, a3] = run.steps as [unknown, ...(typeof run.steps)[number][]];
    expect(a2!.startedAt - a1!.finishedAt).toBeGreaterThanOrEqual(100);
    // Doubled to 200, held to maxDelayMs.
    expect(a3!.startedAt - a2!.finishedAt).toBeGreaterThanOrEqual(150);
    expect(down.received).toHaveLength(3);
  });

  it('stops retrying once an attempt succeeds', async () => {
    const flaky = await sink(500);
    const workflow = await publish(
      relayWorkflow(flaky.url, {
        settings: { retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 50 } },
      }),
    );
    const id = await send(workflow.triggerUrl);
    await eventually(() => (flaky.received.length === 1 ? true : undefined));
    flaky.setStatus(200);
    const run = await finished(id);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2, error: null });
    expect(flaky.received).toHaveLength(2);
  });

  it('shows when a waiting retry is due, and cancels it', async () => {
    const down = await sink(500);
    const workflow = await publish(
      relayWorkflow(down.url, { settings: { retry: { attempts: 1, initialDelayMs: 60_000 } } }),
    );
    const before = Date.now();
    const id = await send(workflow.triggerUrl);
    const waiting = await eventually(async () => {
      const run = await getRun(id);
      return run.status === 'queued' && run.attempt === 2 ? run : undefined;
    });
    expect(waiting.notBefore).toBeGreaterThanOrEqual(before + 60_000);
    expect(waiting.error).toMatchObject({ nodeId: 'forward' });

    await hookflow.api.runs.cancel.mutate({ id });
    expect(await getRun(id)).toMatchObject({ status: 'canceled', notBefore: null });
  });

  it('is off by default: a failed run stays failed', async () => {
    const down = await sink(500);
    const workflow = await publish(relayWorkflow(down.url));
    const run = await finished(await send(workflow.triggerUrl));
    expect(run).toMatchObject({ status: 'failed', attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getRun(run.id)).status).toBe('failed');
    expect(down.received).toHaveLength(1);
  });
});
