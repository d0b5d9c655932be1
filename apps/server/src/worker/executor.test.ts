import { WORKFLOW_FORMAT } from '@hookflow/engine';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThreadExecutor, ExecutionInterrupted, type RunExecutor } from './executor.ts';
import type { ExecutionJob, RecordedStep } from './run-job.ts';

const registryModule = new URL('../../test/fixtures/misbehaving-nodes.ts', import.meta.url).href;
let executor: RunExecutor;

beforeAll(() => {
  executor = createThreadExecutor({
    threads: 1,
    heapMb: 64,
    stallMs: 500,
    logger: pino({ level: 'silent' }),
    registryModule,
  });
});

afterAll(() => executor.close());

let counter = 0;
function job(type: string, config: Record<string, unknown> = {}, isolated = false): ExecutionJob {
  counter++;
  return {
    runId: `run_${counter}`,
    workflowId: 'wf',
    versionId: `ver_${counter}`,
    document: {
      format: WORKFLOW_FORMAT,
      name: type,
      nodes: [
        { id: 't', key: 'trigger', type: 'webhook-trigger', name: 'Webhook', config: {} },
        { id: 'x', key: 'work', type, name: type, config },
      ],
      edges: [{ id: 'e', source: 't', target: 'x' }],
    },
    event: {
      method: 'POST',
      path: '/',
      headers: {},
      query: {},
      body: {},
      receivedAt: new Date().toISOString(),
    },
    completed: [],
    attempt: 1,
    isolated,
    credentials: {},
  };
}

const run = (j: ExecutionJob) => {
  const steps: string[] = [];
  const result = executor.execute(
    j,
    { onStep: (step) => steps.push(step.nodeKey) },
    new AbortController().signal,
  );
  return { result, steps };
};

describe('the thread executor', () => {
  it('runs a job in a thread and streams its steps', async () => {
    const { result, steps } = run(job('test-wait', { ms: 5 }));
    // The run's output is its last step's: named by that step, not sent a second time.
    expect(await result).toMatchObject({ status: 'succeeded', outputFrom: 'x', steps: [] });
    expect(steps).toEqual(['trigger', 'work']);
  });

  it("sends a version's document to a thread once and runs its later jobs from it", async () => {
    const first = job('test-wait', { ms: 1 });
    const again = { ...job('test-wait', { ms: 1 }), versionId: first.versionId };
    expect(await run(first).result).toMatchObject({ status: 'succeeded' });
    expect(await run(again).result).toMatchObject({ status: 'succeeded' });
    const other = job('test-wait', { ms: 2 });
    expect(await run(other).result).toMatchObject({ status: 'succeeded' });
  });

  it('names a payload that repeats a step output instead of sending it again', async () => {
    const recorded: RecordedStep[] = [];
    const passing = job('test-wait', { ms: 1 });
    passing.completed = [];
    const result = await executor.execute(
      { ...passing, keepSteps: true },
      { onStep: (step) => recorded.push(step) },
      new AbortController().signal,
    );
    const [trigger, work] = recorded;
    // Rows ready to insert. The trigger's input is the event, which is its output: it names
    // its own node.
    expect(trigger).toMatchObject({ nodeId: 't', input: null, inputFrom: 't', outputFrom: null });
    expect(JSON.parse(trigger?.output ?? '')).toEqual(passing.event);
    // The next step's input is the trigger's output.
    expect(work).toMatchObject({
      nodeId: 'x',
      input: null,
      inputFrom: 't',
      output: '{"waited":1}',
    });
    // A test run (keepSteps) gets its steps and output whole.
    expect(result).toMatchObject({ output: { waited: 1 } });
    expect(result.steps.map((step) => step.input)).toEqual([passing.event, passing.event]);
  });

  it('stops a thread stuck in a synchronous loop, naming the step, and keeps serving', async () => {
    const stuck = run(job('test-spin'));
    const neighbour = run(job('test-wait', { ms: 2000 }));
    const error = await stuck.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionInterrupted);
    expect(error).toMatchObject({ reason: 'stalled', nodeId: 'x' });
    // The job that shared the thread is interrupted too: the worker reruns it in isolation.
    await expect(neighbour.result).rejects.toBeInstanceOf(ExecutionInterrupted);
    const after = run(job('test-wait', { ms: 1 }));
    expect(await after.result).toMatchObject({ status: 'succeeded' });
  });

  it('stops a thread that runs out of memory', async () => {
    // A thread of its own with a generous stall limit: filling a heap on a busy machine can
    // take longer than 500 ms of garbage collection, which the watchdog would call a stall.
    const roomy = createThreadExecutor({
      threads: 1,
      heapMb: 64,
      stallMs: 30_000,
      logger: pino({ level: 'silent' }),
      registryModule,
    });
    try {
      const signal = new AbortController().signal;
      const hog = roomy.execute(job('test-hog', {}, true), { onStep: () => {} }, signal);
      expect(await hog.catch((e: unknown) => e)).toMatchObject({ reason: 'memory' });
      const after = roomy.execute(job('test-wait', { ms: 1 }), { onStep: () => {} }, signal);
      expect(await after).toMatchObject({ status: 'succeeded' });
    } finally {
      await roomy.close();
    }
  }, 60_000);

  it('cancels a running job through its signal', async () => {
    const abort = new AbortController();
    const pending = executor.execute(
      job('test-wait', { ms: 5000 }),
      { onStep: () => {} },
      abort.signal,
    );
    setTimeout(() => abort.abort(), 50);
    expect(await pending).toMatchObject({ status: 'canceled', error: { code: 'CANCELED' } });
  });
});
