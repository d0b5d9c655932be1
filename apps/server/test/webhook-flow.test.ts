import { join } from 'node:path';
import { createDb } from '@hookflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, forwardingWorkflow, startHookflow, startSink } from './helpers.ts';

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

const post = (
  url: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => fetch(url, { method: 'POST', headers, body });

describe('a webhook, from the trigger URL to a recorded run', () => {
  it('commits the event, runs the workflow and records every step', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const response = await post(
      `${hookflow.localUrl(imported.triggerUrl)}?source=shop`,
      '{"hello":"world","n":1}',
    );
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    expect(runId).toMatch(/^run_/);

    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.status === 'queued' || detail.status === 'running' ? undefined : detail;
    });
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['forward', 'succeeded'],
    ]);
    expect(run.steps[1]?.output).toMatchObject({ status: 200, body: { received: true } });
    expect(run.event).toMatchObject({
      method: 'POST',
      query: { source: 'shop' },
      body: { hello: 'world', n: 1 },
    });
    expect(run.event.rawBody).toEqual({ encoding: 'utf8', data: '{"hello":"world","n":1}' });

    expect(sink.received).toHaveLength(1);
    const delivered = sink.received[0]!;
    expect(delivered.url).toBe('/orders?source=shop');
    expect(delivered.headers['x-greeting']).toBe('hello world');
    expect(JSON.parse(delivered.body)).toEqual({ greeting: 'world', size: 2, fixed: 'yes' });

    const listed = await hookflow.api.runs.list.query({ workflowId: imported.id });
    expect(listed.items.map((r) => r.id)).toContain(runId);
  });

  it('stores the event once however many steps pass it on, and shows every step whole', async () => {
    const forwarding = forwardingWorkflow(sink.url);
    const [trigger, forward] = forwarding.nodes;
    const filter = {
      id: 'filter',
      key: 'only_hello',
      type: 'filter',
      name: 'Only hello',
      config: {
        conditions: {
          combinator: 'all',
          items: [
            {
              value: '{{ trigger.body.hello }}',
              type: 'text',
              operator: 'equals',
              operand: 'world',
            },
          ],
        },
      },
      position: { x: 100, y: 0 },
    };
    const document = {
      ...forwarding,
      nodes: [trigger, filter, forward],
      edges: [
        { id: 'e1', source: 'trigger', target: 'filter' },
        { id: 'e2', source: 'filter', target: 'forward' },
      ],
    };
    const imported = await hookflow.api.workflows.import.mutate({ document, publish: true });
    const padding = 'p'.repeat(500);
    const response = await post(
      hookflow.localUrl(imported.triggerUrl),
      JSON.stringify({ hello: 'world', padding }),
    );
    const { runId } = (await response.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(run.status).toBe('succeeded');
    const [triggerStep, filterStep, forwardStep] = run.steps;
    const event = triggerStep?.output;
    expect(event).toMatchObject({ method: 'POST', body: { hello: 'world', padding } });
    // Each step shows its whole input and output, as recorded.
    expect(triggerStep?.input).toEqual(event);
    expect(filterStep?.input).toEqual(event);
    expect(filterStep?.output).toEqual(event);
    expect(forwardStep?.input).toEqual(event);
    expect(run.output).toEqual(forwardStep?.output);
    // Stored: the body once in the steps (the trigger's output), once in the event.
    const stored = hookflow.store.runs.steps(runId);
    expect(stored).toEqual(run.steps);
    const db = createDb(join(hookflow.dir, 'hookflow.db'), { migrate: false });
    const copies = db.sqlite
      .prepare(`SELECT sum(coalesce(instr(input, ?) > 0, 0) + coalesce(instr(output, ?) > 0, 0))
        FROM run_steps WHERE run_id = ?`)
      .pluck()
      .get(padding, padding, runId);
    db.close();
    expect(copies).toBe(1);

    // The filter really filters: another greeting ends the run `filtered`, and nothing is sent.
    const before = sink.received.length;
    const other = await post(hookflow.localUrl(imported.triggerUrl), '{"hello":"moon"}');
    const { runId: otherId } = (await other.json()) as { runId: string };
    const filtered = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: otherId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(filtered.status).toBe('filtered');
    expect(filtered.error).toBeNull();
    expect(filtered.steps.map((s) => [s.nodeKey, s.status])).toEqual([
      ['trigger', 'succeeded'],
      ['only_hello', 'filtered'],
    ]);
    expect(sink.received.length).toBe(before);

    // A misspelt field is refused on publish, naming it, instead of being dropped (an empty
    // group lets everything through).
    const rules = filter.config.conditions.items;
    const misspelt = {
      ...document,
      nodes: [
        trigger,
        { ...filter, config: { conditions: { combinator: 'all', rules } } },
        forward,
      ],
    };
    await expect(
      hookflow.api.workflows.import.mutate({ document: misspelt, publish: true }),
    ).rejects.toThrow(/a rule group has no field "rules"; its fields are combinator, items/);
  });

  it('keeps credentials sent by the sender out of the run history', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const response = await post(hookflow.localUrl(imported.triggerUrl), '{"hello":"x"}', {
      'content-type': 'application/json',
      authorization: 'Bearer sender-secret-token',
    });
    const { runId } = (await response.json()) as { runId: string };
    const run = await eventually(async () => {
      const detail = await hookflow.api.runs.get.query({ id: runId });
      return detail.finishedAt ? detail : undefined;
    });
    expect(JSON.stringify(run.steps)).not.toContain('sender-secret-token');
    expect(run.steps[0]?.output).toMatchObject({ headers: { authorization: '••••••' } });
  });

  it('records a failed step with its error when the destination refuses', async () => {
    const failing = await startSink(500);
    try {
      const imported = await hookflow.api.workflows.import.mutate({
        document: forwardingWorkflow(failing.url),
        publish: true,
      });
      const response = await post(hookflow.localUrl(imported.triggerUrl), '{"hello":"x"}');
      const { runId } = (await response.json()) as { runId: string };
      const run = await eventually(async () => {
        const detail = await hookflow.api.runs.get.query({ id: runId });
        return detail.finishedAt ? detail : undefined;
      });
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({
        nodeId: 'forward',
        message: expect.stringMatching(/^the server answered 500/),
        code: 'HTTP_STATUS',
      });
    } finally {
      await failing.close();
    }
  });

  it('keeps a request to an unpublished workflow as a sample and runs nothing', async () => {
    const draft = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: false,
    });
    const before = sink.received.length;
    const response = await post(hookflow.localUrl(draft.triggerUrl), '{"hello":"sample"}');
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      runId: null,
      eventId: expect.stringMatching(/^evt_/),
    });
    expect((await hookflow.api.runs.list.query({ workflowId: draft.id })).items).toEqual([]);
    expect(sink.received.length).toBe(before);
  });

  it('starts using a new version as soon as it is published', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: false,
    });
    await hookflow.api.workflows.publish.mutate({ id: imported.id });
    const response = await post(hookflow.localUrl(imported.triggerUrl), '{"hello":"now"}');
    expect(response.status).toBe(202);
    expect(((await response.json()) as { runId: string | null }).runId).toMatch(/^run_/);
  });
});

describe('refusals are clear JSON', () => {
  it.each([
    ['an unknown token', 'POST', '/hooks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 404, 'unknown_trigger'],
    ['an unknown path', 'GET', '/nope', 404, 'not_found'],
  ])('%s', async (_name, method, path, status, code) => {
    const response = await fetch(`${hookflow.address}${path}`, { method });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  it('refuses bad JSON, wrong methods, oversized bodies, rotated and deactivated triggers', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);

    const badJson = await post(url, '{"hello":');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'invalid_json' } });

    const wrongMethod = await fetch(url, { method: 'PUT', body: '{}' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ error: { code: 'method_not_allowed' } });

    const tooLarge = await post(url, JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'body_too_large' } });

    await hookflow.api.workflows.setActive.mutate({ id: imported.id, active: false });
    const inactive = await post(url, '{}');
    expect(inactive.status).toBe(503);
    expect(inactive.headers.get('retry-after')).toBe('60');
    await hookflow.api.workflows.setActive.mutate({ id: imported.id, active: true });

    const rotated = await hookflow.api.workflows.rotateToken.mutate({ id: imported.id });
    const gone = await post(url, '{}');
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 'trigger_gone' } });
    expect((await post(hookflow.localUrl(rotated.triggerUrl), '{}')).status).toBe(202);
  });

  it('reads form and text bodies, keeping the raw bytes', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: forwardingWorkflow(sink.url),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);
    const form = await post(url, 'hello=a&tag=x&tag=y', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const { runId } = (await form.json()) as { runId: string };
    const run = await hookflow.api.runs.get.query({ id: runId });
    expect(run.event.body).toEqual({ hello: 'a', tag: ['x', 'y'] });
    expect(run.event.rawBody.data).toBe('hello=a&tag=x&tag=y');
  });

  it('answers health and readiness', async () => {
    expect(await (await fetch(`${hookflow.address}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hookflow.address}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('gives API callers the reason for a refusal', async () => {
    await expect(
      hookflow.api.workflows.import.mutate({ document: { format: 'nope' }, publish: true }),
    ).rejects.toThrow(/format must be "hookflow\/workflow@1"/);
  });
});
