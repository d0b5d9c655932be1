import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import {
  compileWorkflow,
  executeWorkflow,
  type HttpRequest,
  WORKFLOW_FORMAT,
} from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiContext } from '../context.ts';
import { createLiveEvents } from '../live.ts';
import { createCaller } from '../root.ts';

let dir: string;
let store: Store;
let sent: HttpRequest[];
let context: ApiContext;
let api: ReturnType<typeof createCaller>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-test-runs-'));
  store = createStore(join(dir, 'api.db'));
  sent = [];
  context = {
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
    // The engine's executor in this thread; the server passes its thread pool instead.
    executeTest: (job, signal) =>
      executeWorkflow(compileWorkflow(job.document, nodeRegistry), {
        event: {
          method: job.event.method,
          path: job.event.path,
          headers: job.event.headers,
          query: job.event.query,
          body: job.event.parsedBody,
          receivedAt: new Date(job.event.receivedAt).toISOString(),
        },
        run: { id: 'run_test' },
        workflow: { id: job.workflowId, name: job.document.name, versionId: 'draft' },
        services: {
          now: () => new Date(),
          http: async (request) => {
            sent.push(request);
            return {
              status: 201,
              headers: { 'content-type': 'application/json' },
              body: new TextEncoder().encode('{"ok":true}'),
              url: request.url,
            };
          },
        },
        signal,
      }),
  };
  api = createCaller(context);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const draft = (condition = 'order') => ({
  format: WORKFLOW_FORMAT,
  name: 'Orders',
  nodes: [
    {
      id: 't',
      key: 'trigger',
      type: 'webhook-trigger',
      name: '',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'f',
      key: 'only_orders',
      type: 'filter',
      name: '',
      config: {
        conditions: {
          combinator: 'all',
          items: [
            {
              type: 'text',
              value: '{{ trigger.body.kind }}',
              operator: 'equals',
              operand: condition,
            },
          ],
        },
      },
      position: { x: 200, y: 0 },
    },
    {
      id: 'h',
      key: 'crm',
      type: 'http-request',
      name: '',
      config: { url: 'https://crm.example.com/orders/{{ trigger.body.id }}' },
      position: { x: 400, y: 0 },
    },
  ],
  edges: [
    { id: 'e1', source: 't', target: 'f' },
    { id: 'e2', source: 'f', target: 'h' },
  ],
  settings: {},
});

/** A workflow with one captured request kept as a sample; returns the ids. */
async function workflowWithSample(body: unknown) {
  const imported = await api.workflows.import({ document: draft(), publish: false });
  const token = imported.triggerUrl.split('/').at(-1)!;
  const lookup = store.triggers.findByToken(token);
  if (lookup.kind !== 'live') throw new Error('expected a live trigger');
  const accepted = await store.ingest.accept({
    triggerId: lookup.target.triggerId,
    workflowId: imported.id,
    versionId: null,
    request: { method: 'POST', size: 10, remoteAddress: '127.0.0.1', headers: {} },
    answerStatus: 202,
    event: {
      method: 'POST',
      path: `/hooks/${token}`,
      headers: { 'content-type': 'application/json' },
      query: {},
      body: Buffer.from(JSON.stringify(body)),
      parsedBody: body,
      contentType: 'application/json',
      receivedAt: Date.now(),
    },
  });
  const sample = await api.samples.save({
    workflowId: imported.id,
    eventId: accepted.eventId,
    name: 'An order',
  });
  return { workflowId: imported.id, sampleId: sample.id };
}

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('testRuns.run', () => {
  it('runs an unsaved draft against a sample and records no run', async () => {
    const { workflowId, sampleId } = await workflowWithSample({ kind: 'order', id: 42 });
    const result = await api.testRuns.run({ workflowId, sampleId, document: draft() });
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((step) => [step.nodeKey, step.status])).toEqual([
      ['trigger', 'succeeded'],
      ['only_orders', 'succeeded'],
      ['crm', 'succeeded'],
    ]);
    expect(sent.map((request) => request.url)).toEqual(['https://crm.example.com/orders/42']);
    expect(result.steps[2]!.output).toMatchObject({ status: 201, body: { ok: true } });
    // Nothing reaches the history, and nothing was published.
    expect((await api.runs.list({ workflowId })).items).toEqual([]);
    expect((await api.workflows.get({ id: workflowId })).publishedVersionId).toBeNull();
  });

  it('shows a filtered path and a failed step with its error', async () => {
    const { workflowId, sampleId } = await workflowWithSample({ kind: 'refund', id: 7 });
    const filtered = await api.testRuns.run({ workflowId, sampleId, document: draft() });
    expect(filtered.status).toBe('filtered');
    expect(sent).toEqual([]);

    const broken = draft('refund');
    broken.nodes[2]!.config = { url: '{{ $unknownFunction() }}' };
    const failed = await api.testRuns.run({ workflowId, sampleId, document: broken });
    expect(failed.status).toBe('failed');
    expect(failed.error?.nodeId).toBe('h');
    expect(failed.steps.at(-1)!.error?.message).toBeTruthy();
  });

  it('runs a pasted event', async () => {
    const { workflowId } = await workflowWithSample({ kind: 'order', id: 1 });
    const result = await api.testRuns.run({
      workflowId,
      document: draft(),
      event: { headers: { 'X-Kind': 'a' }, body: { kind: 'order', id: 'pasted' } },
    });
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]!.output).toMatchObject({ method: 'POST', headers: { 'x-kind': 'a' } });
    expect(sent[0]!.url).toBe('https://crm.example.com/orders/pasted');
  });

  it('refuses an invalid draft with its problems, and a foreign or missing sample', async () => {
    const { workflowId, sampleId } = await workflowWithSample({ kind: 'order', id: 1 });
    const invalid = draft();
    invalid.edges = [];
    const error = await refusal(api.testRuns.run({ workflowId, sampleId, document: invalid }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/cannot be tested/);

    const malformed = await refusal(
      api.testRuns.run({ workflowId, sampleId, document: { format: 'nope' } }),
    );
    expect(malformed.code).toBe('BAD_REQUEST');

    const other = await workflowWithSample({ kind: 'order', id: 2 });
    const foreign = await refusal(
      api.testRuns.run({ workflowId, sampleId: other.sampleId, document: draft() }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    const neither = await refusal(api.testRuns.run({ workflowId, document: draft() }));
    expect(neither.code).toBe('BAD_REQUEST');
    expect(sent).toEqual([]);
  });

  it('is refused where no executor runs', async () => {
    const { workflowId, sampleId } = await workflowWithSample({ kind: 'order', id: 1 });
    const { executeTest: _, ...withoutExecutor } = context;
    const error = await refusal(
      createCaller(withoutExecutor).testRuns.run({ workflowId, sampleId, document: draft() }),
    );
    expect(error.code).toBe('PRECONDITION_FAILED');
  });
});
