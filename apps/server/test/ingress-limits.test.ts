import { gzipSync } from 'node:zlib';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookflow } from './helpers.ts';

let hookflow: Awaited<ReturnType<typeof startHookflow>>;

beforeAll(async () => {
  hookflow = await startHookflow();
});
afterAll(() => hookflow.close());

async function publish(
  trigger: Record<string, unknown>,
  publishIt = true,
  server: Awaited<ReturnType<typeof startHookflow>> = hookflow,
) {
  const document = {
    format: WORKFLOW_FORMAT,
    name: 'Limits',
    nodes: [
      {
        id: 't',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: trigger,
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
    settings: {},
  };
  const imported = await server.api.workflows.import.mutate({ document, publish: publishIt });
  return { url: server.localUrl(imported.triggerUrl), workflowId: imported.id };
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('limits and dedupe at the trigger URL', () => {
  it('runs a redelivered GitHub delivery once and answers with the original run', async () => {
    const { url, workflowId } = await publish({});
    const first = await postJson(url, { n: 1 }, { 'x-github-delivery': 'd-1' });
    const again = await postJson(url, { n: 1 }, { 'x-github-delivery': 'd-1' });
    const original = (await first.json()) as { runId: string };
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ runId: original.runId, duplicate: true });
    const other = await postJson(url, { n: 2 }, { 'x-github-delivery': 'd-2' });
    expect(other.status).toBe(202);
    expect((await hookflow.api.runs.list.query({ workflowId })).items).toHaveLength(2);
    const log = await hookflow.api.requests.list.query({ workflowId });
    expect(log.items.map((r) => r.outcome)).toEqual(['accepted', 'duplicate', 'accepted']);
  });

  it('dedupes by an expression over the body, like Stripe event ids', async () => {
    const { url } = await publish({ dedupe: 'expression', dedupeExpression: 'body.id' });
    expect((await postJson(url, { id: 'evt_1' })).status).toBe(202);
    expect((await postJson(url, { id: 'evt_1' })).status).toBe(200);
    expect((await postJson(url, { id: 'evt_2' })).status).toBe(202);
  });

  it('answers 429 with Retry-After above the rate limit', async () => {
    const { url, workflowId } = await publish({ rateLimitPerMinute: 2, dedupe: 'off' });
    expect((await postJson(url, {})).status).toBe(202);
    expect((await postJson(url, {})).status).toBe(202);
    const limited = await postJson(url, {});
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const log = await hookflow.api.requests.list.query({ workflowId });
    expect(log.items[0]).toMatchObject({ outcome: 'refused', status: 429, reason: 'rate_limited' });
  });

  it('refuses a body above the trigger limit with 413', async () => {
    const { url } = await publish({ maxBodyBytes: 100 });
    const response = await postJson(url, { text: 'x'.repeat(200) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('decodes a gzip body and refuses a compression bomb', async () => {
    const { url, workflowId } = await publish({ dedupe: 'off', maxBodyBytes: 1024 * 1024 });
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ packed: true })),
    });
    expect(ok.status).toBe(202);
    const { runId } = (await ok.json()) as { runId: string };
    expect((await hookflow.api.runs.get.query({ id: runId })).event.body).toEqual({ packed: true });
    const bomb = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.alloc(20 * 1024 * 1024)),
    });
    expect(bomb.status).toBe(413);
    expect(await bomb.json()).toMatchObject({ error: { code: 'decoded_body_too_large' } });
    expect((await hookflow.api.requests.list.query({ workflowId })).items[0]).toMatchObject({
      reason: 'decoded_body_too_large',
    });
  });

  it('reads multipart form fields and files', async () => {
    const { url } = await publish({ dedupe: 'off' });
    const form = new FormData();
    form.append('name', 'Ada');
    form.append('cv', new Blob(['hello file'], { type: 'text/plain' }), 'cv.txt');
    const response = await fetch(url, { method: 'POST', body: form });
    const { runId } = (await response.json()) as { runId: string };
    const run = await hookflow.api.runs.get.query({ id: runId });
    expect(run.event.body).toMatchObject({
      fields: { name: 'Ada' },
      files: [
        {
          name: 'cv',
          filename: 'cv.txt',
          type: 'text/plain',
          size: 10,
          content: Buffer.from('hello file').toString('base64'),
        },
      ],
    });
  });
});

describe('a deactivated workflow', () => {
  it('refuses with 503 by default, or holds requests and runs them on reactivation', async () => {
    const rejecting = await publish({ dedupe: 'off' });
    await hookflow.api.workflows.setActive.mutate({ id: rejecting.workflowId, active: false });
    const refused = await postJson(rejecting.url, {});
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'workflow_inactive' } });

    const holding = await publish({ dedupe: 'off', whenInactive: 'hold' });
    await hookflow.api.workflows.setActive.mutate({ id: holding.workflowId, active: false });
    const kept = await postJson(holding.url, { kept: true });
    expect(kept.status).toBe(202);
    const { runId, held } = (await kept.json()) as { runId: string; held: boolean };
    expect(held).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await hookflow.api.runs.get.query({ id: runId })).status).toBe('queued');
    const activated = await hookflow.api.workflows.setActive.mutate({
      id: holding.workflowId,
      active: true,
    });
    expect(activated.released).toBe(1);
    const deadline = Date.now() + 10_000;
    let status = 'queued';
    while (status !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await hookflow.api.runs.get.query({ id: runId })).status;
    }
    expect(status).toBe('succeeded');
  });
});

describe('a full queue', () => {
  // A server of its own: with a bound this small, the other tests' runs would fill it.
  let crowded: Awaited<ReturnType<typeof startHookflow>>;
  beforeAll(async () => {
    crowded = await startHookflow({ maxQueueDepth: 3 });
  });
  afterAll(() => crowded.close());

  it('answers 503 with Retry-After when too many runs wait', async () => {
    await crowded.server.worker.stop(1000);
    const { url } = await publish({ dedupe: 'off' }, true, crowded);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await postJson(url, { i })).status);
    expect(answers.slice(0, 3)).toEqual([202, 202, 202]);
    // The queue depth is read at most every half second.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const full = await postJson(url, {});
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(await full.json()).toMatchObject({ error: { code: 'queue_full' } });
  });
});
