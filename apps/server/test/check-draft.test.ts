import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHookflow, startSink } from './helpers.ts';

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

/** Webhook -> filter (total above `threshold`) -> POST the order to the sink. */
function ordersWorkflow(options: { threshold: number; tier: string }) {
  return {
    format: WORKFLOW_FORMAT,
    name: 'Big orders to the CRM',
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: {},
        position: { x: 0, y: 0 },
      },
      {
        id: 'big',
        key: 'big_orders',
        type: 'filter',
        name: 'Big orders',
        config: {
          conditions: {
            combinator: 'all',
            items: [
              {
                type: 'number',
                value: '{{ trigger.body.total }}',
                operator: 'gt',
                operand: options.threshold,
              },
            ],
          },
        },
        position: { x: 250, y: 0 },
      },
      {
        id: 'crm',
        key: 'crm',
        type: 'http-request',
        name: 'CRM',
        config: {
          method: 'POST',
          url: `${sink.url}/orders/{{ trigger.body.id }}`,
          headers: [{ name: 'X-Source', value: 'hookflow' }],
          bodyType: 'json',
          body: {
            id: '{{ trigger.body.id }}',
            total: '{{ trigger.body.total }}',
            tier: options.tier,
          },
        },
        position: { x: 500, y: 0 },
      },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'big' },
      { id: 'e2', source: 'big', target: 'crm' },
    ],
    settings: {},
  };
}

async function send(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

async function finished(runId: string) {
  return eventually(async () => {
    const run = await hookflow.api.runs.get.query({ id: runId });
    return run.finishedAt ? run : undefined;
  });
}

describe('checking a draft against real traffic', () => {
  it('replays past events as a dry run and lists what would change, sending nothing', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: ordersWorkflow({ threshold: 100, tier: 'gold' }),
      publish: true,
    });
    const url = hookflow.localUrl(imported.triggerUrl);
    const totals = [50, 150, 300, 80];
    const runIds: string[] = [];
    for (const [index, total] of totals.entries()) {
      runIds.push(await send(url, { id: `o${index + 1}`, total }));
    }
    const runs = await Promise.all(runIds.map(finished));
    expect(runs.map((run) => run.status)).toEqual([
      'filtered',
      'succeeded',
      'succeeded',
      'filtered',
    ]);
    expect(sink.received).toHaveLength(2);
    const historyBefore = (await hookflow.api.runs.list.query({ workflowId: imported.id })).items;

    // The draft raises the threshold and changes a body field; it is not even saved.
    const draft = ordersWorkflow({ threshold: 200, tier: 'platinum' });
    const check = await hookflow.api.workflows.checkDraft.mutate({
      id: imported.id,
      document: draft,
    });

    // Nothing left Hookflow and nothing was written to the history.
    expect(sink.received).toHaveLength(2);
    const historyAfter = (await hookflow.api.runs.list.query({ workflowId: imported.id })).items;
    expect(historyAfter.map((run) => run.id)).toEqual(historyBefore.map((run) => run.id));

    expect(check).toMatchObject({
      checked: 4,
      changed: 2,
      unchanged: 2,
      newFailures: 0,
      failedInDraft: 0,
      skipped: 0,
    });
    expect(check.text).toBe('4 events checked, 2 would change, 2 the same.');
    // Newest first, one per event.
    const byRun = new Map(check.items.map((item) => [item.runId, item]));
    expect(check.items.map((item) => item.runId)).toEqual([...runIds].reverse());
    expect(byRun.get(runIds[0]!)).toMatchObject({
      verdict: 'same',
      differences: [],
      request: { method: 'POST', excerpt: '{"id":"o1","total":50}' },
    });
    expect(byRun.get(runIds[3]!)).toMatchObject({ verdict: 'same', differences: [] });

    // 150 passed before and is filtered now: no request would be sent.
    const stopped = byRun.get(runIds[1]!)!;
    expect(stopped.verdict).toBe('changed');
    expect(stopped.before.status).toBe('succeeded');
    expect(stopped.after.status).toBe('filtered');
    expect(stopped.differences).toEqual([
      { kind: 'outcome', before: 'succeeded', after: 'filtered' },
      {
        kind: 'route',
        nodeId: 'big',
        nodeKey: 'big_orders',
        nodeType: 'filter',
        before: ['main'],
        after: [],
      },
      expect.objectContaining({
        kind: 'effect-removed',
        nodeKey: 'crm',
        summary: 'sends an HTTP request',
        effect: {
          request: expect.objectContaining({ method: 'POST', url: `${sink.url}/orders/o2` }),
        },
      }),
    ]);

    // 300 passes both times, with another body: the request differs in one field.
    const sent = byRun.get(runIds[2]!)!;
    expect(sent.verdict).toBe('changed');
    expect(sent.differences).toHaveLength(1);
    expect(sent.differences[0]).toMatchObject({
      kind: 'effect',
      nodeKey: 'crm',
      changes: [
        { path: 'request.body.tier', change: 'changed', before: 'gold', after: 'platinum' },
      ],
      moreChanges: 0,
      before: {
        request: {
          method: 'POST',
          url: `${sink.url}/orders/o3`,
          headers: { 'x-source': 'hookflow', 'content-type': 'application/json' },
          body: { id: 'o3', total: 300, tier: 'gold' },
        },
      },
      after: { request: { body: { id: 'o3', total: 300, tier: 'platinum' } } },
    });

    // Publishing exactly the checked draft records the summary on the version.
    const saved = await hookflow.api.workflows.get.query({ id: imported.id });
    await hookflow.api.workflows.saveDraft.mutate({
      id: imported.id,
      document: draft,
      baseRevision: saved.draftRevision,
    });
    const published = await hookflow.api.workflows.publish.mutate({ id: imported.id });
    expect(published.checkSummary).toMatchObject({
      checked: 4,
      changed: 2,
      text: '4 events checked, 2 would change, 2 the same.',
    });
    const versions = (await hookflow.api.workflows.get.query({ id: imported.id })).versions;
    expect(versions.map((version) => [version.number, version.checkSummary])).toEqual([
      [2, expect.objectContaining({ checked: 4, changed: 2 })],
      [1, null],
    ]);

    // The check is used up: the next version, unchecked, records none.
    const again = await hookflow.api.workflows.publish.mutate({ id: imported.id });
    expect(again.checkSummary).toBeNull();
  });

  it('records no summary when the published draft is not the one checked', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: ordersWorkflow({ threshold: 100, tier: 'gold' }),
      publish: true,
    });
    await finished(await send(hookflow.localUrl(imported.triggerUrl), { id: 'x1', total: 10 }));
    const check = await hookflow.api.workflows.checkDraft.mutate({
      id: imported.id,
      document: ordersWorkflow({ threshold: 5, tier: 'gold' }),
      limit: 10,
    });
    expect(check).toMatchObject({ checked: 1, changed: 1 });
    expect(check.items[0]).toMatchObject({ verdict: 'changed' });
    // The draft saved and published is another one (the threshold changed again).
    const saved = await hookflow.api.workflows.get.query({ id: imported.id });
    await hookflow.api.workflows.saveDraft.mutate({
      id: imported.id,
      document: ordersWorkflow({ threshold: 7, tier: 'gold' }),
      baseRevision: saved.draftRevision,
    });
    const published = await hookflow.api.workflows.publish.mutate({ id: imported.id });
    expect(published.checkSummary).toBeNull();
  });

  it('says so when a workflow has no past events, and refuses an invalid draft', async () => {
    const imported = await hookflow.api.workflows.import.mutate({
      document: ordersWorkflow({ threshold: 100, tier: 'gold' }),
      publish: true,
    });
    const check = await hookflow.api.workflows.checkDraft.mutate({
      id: imported.id,
      document: ordersWorkflow({ threshold: 100, tier: 'gold' }),
    });
    expect(check).toMatchObject({ checked: 0, changed: 0, items: [] });
    expect(check.text).toBe('No past events to check against.');

    const broken = ordersWorkflow({ threshold: 100, tier: 'gold' });
    broken.edges = [];
    await expect(
      hookflow.api.workflows.checkDraft.mutate({ id: imported.id, document: broken }),
    ).rejects.toThrow(/the draft cannot be checked: \d+ problems?/);
    await expect(
      hookflow.api.workflows.checkDraft.mutate({ id: imported.id, document: broken, limit: 500 }),
    ).rejects.toThrow(/200/);
  });
});

describe('running one node of a test run again', () => {
  it('runs just that node, on the input it had, with its new settings', async () => {
    const document = {
      format: WORKFLOW_FORMAT,
      name: 'Shape then send',
      nodes: [
        {
          id: 'trigger',
          key: 'trigger',
          type: 'webhook-trigger',
          name: 'Webhook',
          config: {},
          position: { x: 0, y: 0 },
        },
        {
          id: 'shape',
          key: 'shape',
          type: 'transform',
          name: 'Shape',
          config: { mode: 'expression', expression: '{{ { "name": trigger.body.name } }}' },
          position: { x: 250, y: 0 },
        },
        {
          id: 'send',
          key: 'send',
          type: 'http-request',
          name: 'Send',
          config: { url: `${sink.url}/people`, body: '{{ steps.shape }}' },
          position: { x: 500, y: 0 },
        },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'shape' },
        { id: 'e2', source: 'shape', target: 'send' },
      ],
      settings: {},
    };
    const imported = await hookflow.api.workflows.import.mutate({ document, publish: false });
    const event = { body: { name: 'Ada', city: 'London' } };
    const test = await hookflow.api.testRuns.run.mutate({
      workflowId: imported.id,
      document,
      event,
    });
    expect(test.status).toBe('succeeded');
    const sentBefore = sink.received.length;

    const changed = structuredClone(document);
    changed.nodes[1]!.config = {
      mode: 'expression',
      expression: '{{ { "name": $uppercase(trigger.body.name), "city": input.body.city } }}',
    };
    const again = await hookflow.api.testRuns.runNode.mutate({
      workflowId: imported.id,
      document: changed,
      nodeId: 'shape',
      event,
      // As the editor sends them: what each earlier step gave on.
      steps: test.steps.map((step) => ({ ...step, handles: [...step.handles] })),
    });
    expect(again.step).toMatchObject({
      nodeKey: 'shape',
      status: 'succeeded',
      output: { name: 'ADA', city: 'London' },
    });
    expect(again.step.input).toEqual(test.steps[0]!.output);
    // Only that node ran: the HTTP request after it sent nothing.
    expect(sink.received.length).toBe(sentBefore);

    await expect(
      hookflow.api.testRuns.runNode.mutate({
        workflowId: imported.id,
        document: changed,
        nodeId: 'send',
        event,
        steps: [],
      }),
    ).rejects.toThrow(/send got no input in the last test run/);
  });
});
