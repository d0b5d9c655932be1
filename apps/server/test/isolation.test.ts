import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow } from './helpers.ts';

const registryModule = new URL('./fixtures/misbehaving-nodes.ts', import.meta.url).href;
let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow({ threads: 1, stallMs: 400, registryModule });
});
afterAll(() => hookflow.close());

const workflow = (name: string, type: string, config: Record<string, unknown> = {}) => ({
  format: WORKFLOW_FORMAT,
  name,
  nodes: [
    {
      id: 't',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    { id: 'x', key: 'work', type, name, config, position: { x: 200, y: 0 } },
  ],
  edges: [{ id: 'e', source: 't', target: 'x' }],
  settings: {},
});

async function send(url: string): Promise<string> {
  const response = await fetch(hookflow.localUrl(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

const finished = (runId: string) =>
  eventually(async () => {
    const run = await hookflow.api.runs.get.query({ id: runId });
    return run.finishedAt ? run : undefined;
  }, 20_000);

describe('a runaway step', () => {
  it('fails its own run with a clear error while the run beside it completes', async () => {
    const slow = await hookflow.api.workflows.import.mutate({
      document: workflow('Neighbour', 'test-wait', { ms: 1500 }),
      publish: true,
    });
    const spin = await hookflow.api.workflows.import.mutate({
      document: workflow('Runaway', 'test-spin'),
      publish: true,
    });
    const neighbourRun = await send(slow.triggerUrl);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const runawayRun = await send(spin.triggerUrl);

    const runaway = await finished(runawayRun);
    expect(runaway.status).toBe('failed');
    expect(runaway.error).toMatchObject({
      code: 'STALLED',
      nodeId: 'x',
      message: expect.stringContaining('stopped answering'),
    });

    const neighbour = await finished(neighbourRun);
    expect(neighbour.status).toBe('succeeded');
    expect(neighbour.output).toEqual({ waited: 1500 });
    // The trigger step had finished before the interruption: it was not run again.
    expect(neighbour.steps.filter((s) => s.nodeKey === 'trigger')).toHaveLength(1);

    const healthy = await send(slow.triggerUrl);
    expect((await finished(healthy)).status).toBe('succeeded');
  });
});
