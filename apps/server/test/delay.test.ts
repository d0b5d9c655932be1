import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookflowInstance } from './child-process.ts';
import { eventually, relayWorkflow, startHookflow, startSink } from './helpers.ts';

/** Webhook -> Delay (`delayConfig`) -> HTTP request posting the trigger's body to `url`. */
function delayedRelay(url: string, delayConfig: Record<string, unknown>, name = 'Delayed relay') {
  const relay = relayWorkflow(url, { name });
  const [trigger, forward] = relay.nodes;
  return {
    ...relay,
    nodes: [
      trigger!,
      {
        id: 'pause',
        key: 'pause',
        type: 'delay',
        name: 'Delay',
        config: delayConfig,
        position: { x: 100, y: 0 },
      },
      forward!,
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'pause' },
      { id: 'e2', source: 'pause', target: 'forward' },
    ],
  };
}

const postJson = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('delay: a parked run', () => {
  let hookflow: Awaited<ReturnType<typeof startHookflow>>;
  let sink: Awaited<ReturnType<typeof startSink>>;

  beforeAll(async () => {
    hookflow = await startHookflow();
    sink = await startSink();
  });
  afterAll(async () => {
    await hookflow.close();
    await sink.close();
  });

  it('waits in the database, frees its worker slot, then continues after the delay step', async () => {
    const { triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: delayedRelay(`${sink.url}/late`, { mode: 'after', amount: 1.5, unit: 'seconds' }),
      publish: true,
    });
    const { triggerUrl: quickUrl } = await hookflow.api.workflows.import.mutate({
      document: relayWorkflow(`${sink.url}/quick`, { name: 'Quick relay' }),
      publish: true,
    });
    // More parked runs than the worker has slots (4).
    const parked: string[] = [];
    for (let n = 0; n < 6; n++) {
      const response = await postJson(hookflow.localUrl(triggerUrl), { n });
      expect(response.status).toBe(202);
      parked.push(((await response.json()) as { runId: string }).runId);
    }
    const sentAt = Date.now();
    for (const runId of parked) {
      const run = await eventually(async () => {
        const found = await hookflow.api.runs.get.query({ id: runId });
        return found.status === 'waiting' ? found : undefined;
      });
      expect(run.notBefore).toBeGreaterThan(Date.now() - 100);
      expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
        ['trigger', 'succeeded'],
        ['pause', 'waiting'],
      ]);
      expect(run.steps[1]!.resumeAt).toBe(run.notBefore);
    }
    // A parked run leaves its slot once the park is on disk, a moment after others can read it.
    await eventually(async () => (hookflow.server.worker.inFlight === 0 ? true : undefined));
    const waiting = await hookflow.api.runs.list.query({ status: 'waiting', limit: 10 });
    expect(waiting.items.map((r) => r.id).sort()).toEqual([...parked].sort());

    // The slots are free: another workflow runs at once while those wait.
    const quick = await postJson(hookflow.localUrl(quickUrl), { quick: true });
    const quickRun = ((await quick.json()) as { runId: string }).runId;
    await eventually(async () => {
      const run = await hookflow.api.runs.get.query({ id: quickRun });
      return run.status === 'succeeded' ? true : undefined;
    });
    expect(sink.received.filter((r) => r.url === '/late')).toEqual([]);

    for (const runId of parked) {
      const run = await eventually(async () => {
        const found = await hookflow.api.runs.get.query({ id: runId });
        return found.status === 'succeeded' ? found : undefined;
      });
      // Nothing before the delay ran twice; the wait is recorded as one finished step.
      expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
        ['trigger', 'succeeded'],
        ['pause', 'waiting'],
        ['pause', 'succeeded'],
        ['forward', 'succeeded'],
      ]);
      expect(run.steps[3]!.startedAt).toBeGreaterThanOrEqual(run.steps[1]!.resumeAt!);
      expect(run.steps[2]!.durationMs).toBeGreaterThanOrEqual(1400);
    }
    const late = sink.received.filter((r) => r.url === '/late');
    expect(late.map((r) => (JSON.parse(r.body) as { n: number }).n).sort()).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1400);
  }, 30_000);

  it('cancels a waiting run, which then never continues', async () => {
    const { triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: delayedRelay(`${sink.url}/canceled`, { mode: 'after', amount: 1, unit: 'seconds' }),
      publish: true,
    });
    const response = await postJson(hookflow.localUrl(triggerUrl), { cancel: 'me' });
    const { runId } = (await response.json()) as { runId: string };
    await eventually(async () => {
      const run = await hookflow.api.runs.get.query({ id: runId });
      return run.status === 'waiting' ? true : undefined;
    });
    expect(await hookflow.api.runs.cancel.mutate({ id: runId })).toMatchObject({
      status: 'canceled',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const run = await hookflow.api.runs.get.query({ id: runId });
    expect(run.status).toBe('canceled');
    expect(run.steps.map((s) => s.nodeId)).toEqual(['trigger', 'pause']);
    expect(sink.received.filter((r) => r.url === '/canceled')).toEqual([]);
  }, 20_000);

  it('answers a sender that waits for the result with 202 as soon as the run parks', async () => {
    const document = delayedRelay(`${sink.url}/waited`, {
      mode: 'after',
      amount: 3,
      unit: 'seconds',
    });
    document.nodes[0] = {
      ...document.nodes[0]!,
      config: { responseMode: 'wait', waitTimeoutMs: 20_000 },
    };
    const { triggerUrl } = await hookflow.api.workflows.import.mutate({ document, publish: true });
    const sentAt = Date.now();
    const response = await postJson(hookflow.localUrl(triggerUrl), { waiting: true });
    expect(response.status).toBe(202);
    expect(Date.now() - sentAt).toBeLessThan(2500);
    const answer = (await response.json()) as { runId: string; status: string; statusUrl: string };
    expect(answer.status).toBe('waiting');
    const status = await fetch(hookflow.localUrl(answer.statusUrl));
    const polled = await status.json();
    expect(polled).toMatchObject({ runId: answer.runId, status: 'waiting' });
    // A waiting run has no output yet.
    expect(polled).not.toHaveProperty('output');
  });

  it('fails the step with a clear message when the time expression gives no time', async () => {
    const { triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: delayedRelay(`${sink.url}/never`, {
        mode: 'until',
        until: '{{ trigger.body.sendAt }}',
      }),
      publish: true,
    });
    const response = await postJson(hookflow.localUrl(triggerUrl), { sendAt: 'next tuesday' });
    const { runId } = (await response.json()) as { runId: string };
    const run = await eventually(async () => {
      const found = await hookflow.api.runs.get.query({ id: runId });
      return found.status === 'failed' ? found : undefined;
    });
    expect(run.error).toMatchObject({
      nodeId: 'pause',
      code: 'INVALID_TIME',
      message: expect.stringContaining('got "next tuesday"'),
    });
  });
});

describe('delay across kill -9', () => {
  let instance: Awaited<ReturnType<typeof hookflowInstance>>;
  let sink: Awaited<ReturnType<typeof startSink>>;

  beforeAll(async () => {
    instance = await hookflowInstance({ EXECUTION_THREADS: '1' });
    sink = await startSink();
  });
  afterAll(async () => {
    instance.close();
    await sink.close();
  });

  it('finishes a run parked when the process was killed, after its time, once', async () => {
    const file = join(instance.dir, 'delayed.json');
    writeFileSync(
      file,
      JSON.stringify(
        delayedRelay(`${sink.url}/after-restart`, {
          mode: 'until',
          until: '{{ trigger.body.at }}',
        }),
      ),
    );
    const imported = await instance.cli('import', file, '--publish');
    expect(imported.code).toBe(0);
    const triggerUrl = imported.stdout.trim();

    const first = await instance.start();
    const due = Date.now() + 2500;
    const response = await postJson(triggerUrl, { at: new Date(due).toISOString() });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await eventually(async () => {
      const run = await instance.api.runs.get.query({ id: runId });
      return run.status === 'waiting' ? true : undefined;
    }, 15_000);
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(Date.now()).toBeLessThan(due);

    const second = await instance.start();
    const run = await eventually(async () => {
      const found = await instance.api.runs.get.query({ id: runId });
      return found.status === 'succeeded' ? found : undefined;
    }, 20_000);
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['pause', 'waiting'],
      ['pause', 'succeeded'],
      ['forward', 'succeeded'],
    ]);
    expect(run.steps[3]!.startedAt).toBeGreaterThanOrEqual(due);
    const delivered = sink.received.filter((r) => r.url === '/after-restart');
    expect(delivered.map((r) => JSON.parse(r.body))).toEqual([{ at: new Date(due).toISOString() }]);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 60_000);
});
