import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardingWorkflow, startHookflow, startSink } from './helpers.ts';

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

/** Reads server-sent events from a tRPC subscription until `count` data events arrived. */
async function readEvents(url: string, count: number, signal: AbortSignal): Promise<unknown[]> {
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...hookflow.authHeaders },
    signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let text = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end = text.indexOf('\n\n');
    while (end !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      const isMessage = !block
        .split('\n')
        .some((line) => line.startsWith('event: ') && !line.includes('message'));
      if (data && isMessage) events.push(JSON.parse(data.slice(6)));
      end = text.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return events;
}

describe('live updates over server-sent events', () => {
  it('pushes each request that reaches a trigger to its subscribers', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const input = encodeURIComponent(JSON.stringify({ workflowId: imported.id }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    const received = readEvents(
      `${hookflow.address}/trpc/live.requests?input=${input}`,
      2,
      abort.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const url = hookflow.localUrl(imported.triggerUrl);
    const accepted = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { runId } = (await accepted.json()) as { runId: string };
    await fetch(url, { method: 'PUT', body: '{}' });
    const events = await received;
    clearTimeout(timer);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'request',
        workflowId: imported.id,
        outcome: 'accepted',
        runId,
      }),
      expect.objectContaining({ type: 'request', workflowId: imported.id, outcome: 'refused' }),
    ]);
  });

  it('streams runs and steps as they change', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const input = encodeURIComponent(JSON.stringify({ workflowId: imported.id }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    const received = readEvents(
      `${hookflow.address}/trpc/live.runs?input=${input}`,
      4,
      abort.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await fetch(hookflow.localUrl(imported.triggerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"live"}',
    });
    const { runId } = (await response.json()) as { runId: string };
    const events = await received;
    clearTimeout(timer);
    expect(events).toEqual([
      { type: 'run', workflowId: imported.id, runId, status: 'running' },
      { type: 'step', workflowId: imported.id, runId, nodeId: 'trigger', status: 'succeeded' },
      { type: 'step', workflowId: imported.id, runId, nodeId: 'forward', status: 'succeeded' },
      { type: 'run', workflowId: imported.id, runId, status: 'succeeded' },
    ]);
  });

  it('captures the next request as a named sample, even before the first publish', async () => {
    const draft = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: false,
    });
    const input = encodeURIComponent(JSON.stringify({ workflowId: draft.id, name: 'First order' }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10_000);
    const received = readEvents(
      `${hookflow.address}/trpc/samples.listen?input=${input}`,
      1,
      abort.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fetch(`${hookflow.localUrl(draft.triggerUrl)}?via=test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"order":{"id":7}}',
    });
    const [captured] = (await received) as {
      name: string;
      event: { body: unknown; query: unknown };
    }[];
    clearTimeout(timer);
    expect(captured).toMatchObject({
      name: 'First order',
      event: { body: { order: { id: 7 } }, query: { via: 'test' } },
    });
    const samples = await hookflow.api.samples.list.query({ workflowId: draft.id });
    expect(samples.map((s) => s.name)).toEqual(['First order']);

    // Any past request can be kept as a sample too.
    const runs = await hookflow.api.requests.list.query({ workflowId: draft.id });
    const eventId = runs.items[0]!.eventId!;
    await hookflow.api.samples.save.mutate({ workflowId: draft.id, eventId, name: 'Again' });
    expect(
      (await hookflow.api.samples.list.query({ workflowId: draft.id })).map((s) => s.name),
    ).toEqual(['Again', 'First order']);
    await expect(
      hookflow.api.samples.save.mutate({ workflowId: draft.id, eventId: 'evt_nope', name: 'x' }),
    ).rejects.toThrow(/not found/);
  });
});
