import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveEvents } from '../live.ts';
import { createCaller } from '../root.ts';

let dir: string;
let store: Store;
let api: ReturnType<typeof createCaller>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-stats-api-'));
  store = createStore(join(dir, 'api.db'));
  api = createCaller({
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const document = {
  format: WORKFLOW_FORMAT,
  name: 'Orders',
  nodes: [
    {
      id: 't',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'h',
      key: 'crm',
      type: 'http-request',
      name: 'CRM',
      config: { url: 'https://example.com/in', auth: { type: 'bearer', token: 'sk_live_secret' } },
      position: { x: 200, y: 0 },
    },
  ],
  edges: [{ id: 'e', source: 't', target: 'h' }],
  settings: {},
};

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

async function acceptOne(workflowId: string) {
  const detail = await api.workflows.get({ id: workflowId });
  const lookup = store.triggers.findByToken(detail.triggerUrl.split('/').at(-1)!);
  if (lookup.kind !== 'live') throw new Error('expected a live trigger');
  const { runId } = await store.ingest.accept({
    request: { method: 'POST', size: 2, remoteAddress: '127.0.0.1', headers: {} },
    answerStatus: 202,
    triggerId: lookup.target.triggerId,
    workflowId,
    versionId: lookup.target.publishedVersionId,
    event: {
      method: 'POST',
      path: '/hooks/x',
      headers: {},
      query: {},
      body: Buffer.from('{}'),
      parsedBody: {},
      contentType: 'application/json',
      receivedAt: Date.now(),
    },
  });
  return runId!;
}

describe('stats router', () => {
  it('counts the runs of the current hour in the last bar', async () => {
    const imported = await api.workflows.import({ document, publish: true });
    await acceptOne(imported.id);
    await acceptOne(imported.id);
    const day = await api.stats.overview({ workflowId: imported.id });
    expect(day.range).toBe('24h');
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets.at(-1)!.counts.queued).toBe(2);
    expect(day.until - day.since).toBe(24 * 3600_000);
    expect(day.until).toBeGreaterThan(Date.now());
    const week = await api.stats.overview({ workflowId: imported.id, range: '7d' });
    expect(week.buckets).toHaveLength(7 * 24);
    expect(week.totals.queued).toBe(2);
  });

  it('refuses an unknown workflow and an unknown range', async () => {
    expect((await refusal(api.stats.overview({ workflowId: 'wf_missing' }))).code).toBe(
      'NOT_FOUND',
    );
    const imported = await api.workflows.import({ document, publish: true });
    const bad = await refusal(
      api.stats.overview({ workflowId: imported.id, range: '1y' as '24h' }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
  });
});

describe('workflows.version', () => {
  it('shows the version a run ran, secrets masked, even after the draft moved on', async () => {
    const imported = await api.workflows.import({ document, publish: true });
    const runId = await acceptOne(imported.id);
    const run = await api.runs.get({ id: runId });
    await api.workflows.saveDraft({
      id: imported.id,
      document: { ...document, nodes: [document.nodes[0]], edges: [] },
    });
    const version = await api.workflows.version({ versionId: run.versionId });
    expect(version).toMatchObject({ workflowId: imported.id, number: 1 });
    expect(version.document.nodes.map((node) => node.key)).toEqual(['trigger', 'crm']);
    expect(JSON.stringify(version)).not.toContain('sk_live_secret');
    expect((await refusal(api.workflows.version({ versionId: 'ver_missing' }))).code).toBe(
      'NOT_FOUND',
    );
  });
});
