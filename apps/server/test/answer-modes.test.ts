import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookflow } from './helpers.ts';

const registryModule = new URL('./fixtures/misbehaving-nodes.ts', import.meta.url).href;
let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow({ registryModule });
});
afterAll(() => hookflow.close());

function workflow(trigger: Record<string, unknown>, waitMs = 5) {
  return {
    format: WORKFLOW_FORMAT,
    name: 'Answer modes',
    nodes: [
      {
        id: 't',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: trigger,
        position: { x: 0, y: 0 },
      },
      {
        id: 'w',
        key: 'work',
        type: 'test-wait',
        name: 'Work',
        config: { ms: waitMs },
        position: { x: 200, y: 0 },
      },
    ],
    edges: [{ id: 'e', source: 't', target: 'w' }],
    settings: {},
  };
}

async function publish(trigger: Record<string, unknown>, waitMs?: number) {
  const imported = await hookflow.api.workflows.import.mutate({
    document: workflow(trigger, waitMs),
    publish: true,
  });
  return hookflow.localUrl(imported.triggerUrl);
}

const post = (url: string, method = 'POST') =>
  fetch(url, { method, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });

describe('how a trigger answers', () => {
  it('answers a fixed status, headers and body at once in custom mode', async () => {
    const url = await publish({
      responseMode: 'custom',
      responseStatus: 200,
      responseHeaders: [
        { name: 'content-type', value: 'text/plain' },
        { name: 'x-thanks', value: 'yes' },
      ],
      responseBody: 'thanks!',
    });
    const response = await post(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-thanks')).toBe('yes');
    expect(await response.text()).toBe('thanks!');
  });

  it("waits for the workflow and answers with the last step's output", async () => {
    const url = await publish({ responseMode: 'wait', waitTimeoutMs: 5000 }, 20);
    const response = await post(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 20 });
  });

  it('falls back to 202 with a status URL when the workflow takes too long', async () => {
    const url = await publish({ responseMode: 'wait', waitTimeoutMs: 200 }, 1500);
    const response = await post(url);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { runId: string; status: string; statusUrl: string };
    expect(body.status).toBe('running');
    expect(body.statusUrl).toBe(`http://placeholder${new URL(url).pathname}/runs/${body.runId}`);
    const statusUrl = `${url}/runs/${body.runId}`;
    let status: { status: string; output?: unknown } = { status: 'running' };
    for (let i = 0; i < 100 && (status.status === 'running' || status.status === 'queued'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await (await fetch(statusUrl)).json()) as typeof status;
    }
    expect(status).toEqual({ runId: body.runId, status: 'succeeded', output: { waited: 1500 } });
    expect((await fetch(`${url}/runs/run_unknown`)).status).toBe(404);
  });

  it('accepts only the methods it is set to', async () => {
    const url = await publish({ methods: ['PUT', 'PATCH'] });
    expect((await post(url, 'PUT')).status).toBe(202);
    const refused = await post(url, 'POST');
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('PUT, PATCH');
  });
});
