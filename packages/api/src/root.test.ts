import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveEvents } from './live.ts';
import { createCaller } from './root.ts';
import type { IssuesError } from './trpc.ts';

const facts = {
  request: { method: 'POST', size: 2, remoteAddress: '127.0.0.1', headers: {} },
  answerStatus: 202,
};

let dir: string;
let store: Store;
let changed: string[];
let api: ReturnType<typeof createCaller>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-api-'));
  store = createStore(join(dir, 'api.db'));
  changed = [];
  api = createCaller({
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
    onWorkflowChanged: (id) => changed.push(id),
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const document = (url = 'https://example.com/in') => ({
  format: WORKFLOW_FORMAT,
  name: 'Orders to CRM',
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
      config: { url } as Record<string, unknown>,
      position: { x: 200, y: 0 },
    },
  ],
  edges: [{ id: 'e', source: 't', target: 'h' }],
  settings: {},
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('workflows router', () => {
  it('imports and publishes a document, giving its trigger URL', async () => {
    const imported = await api.workflows.import({ document: document(), publish: true });
    expect(imported.triggerUrl).toMatch(
      /^https:\/\/hooks\.example\.com\/hooks\/[A-Za-z0-9_-]{32}$/,
    );
    expect(imported.publishedVersion).toBe(1);
    expect(changed).toEqual([imported.id]);
    const [listed] = await api.workflows.list();
    expect(listed).toMatchObject({
      id: imported.id,
      name: 'Orders to CRM',
      publishedVersion: 1,
      triggerUrl: imported.triggerUrl,
    });
    expect(await api.workflows.export({ id: imported.id })).toEqual(document());
  });

  it('refuses a document in another format, pointing at the field', async () => {
    const error = await refusal(
      api.workflows.import({ document: { ...document(), format: 'n8n' }, publish: false }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('format');
    expect((error.cause as IssuesError).issues[0]).toMatchObject({ path: 'format' });
  });

  it('keeps an invalid workflow as a draft but refuses to publish it', async () => {
    const draft = await api.workflows.import({ document: document('not a url'), publish: false });
    const detail = await api.workflows.get({ id: draft.id });
    expect(detail.issues).toEqual([expect.objectContaining({ nodeId: 'h', field: 'url' })]);
    const error = await refusal(api.workflows.publish({ id: draft.id }));
    expect(error.code).toBe('BAD_REQUEST');
    expect((error.cause as IssuesError).issues).toHaveLength(1);
    await api.workflows.saveDraft({ id: draft.id, document: document() });
    expect(await api.workflows.publish({ id: draft.id, note: 'fixed the URL' })).toMatchObject({
      number: 1,
    });
    expect((await api.workflows.get({ id: draft.id })).versions[0]).toMatchObject({
      number: 1,
      note: 'fixed the URL',
    });
  });

  it('rotates the token: the old URL stops at once', async () => {
    const imported = await api.workflows.import({ document: document(), publish: true });
    const oldToken = imported.triggerUrl.split('/').at(-1)!;
    const rotated = await api.workflows.rotateToken({ id: imported.id });
    expect(rotated.triggerUrl).not.toBe(imported.triggerUrl);
    expect(store.triggers.findByToken(oldToken).kind).toBe('retired');
  });

  it('exports without secrets', async () => {
    const withAuth = document();
    withAuth.nodes[1]!.config = {
      url: 'https://example.com/in',
      auth: { type: 'bearer', token: 'sk_live_very_secret' },
    };
    const imported = await api.workflows.import({ document: withAuth, publish: false });
    const exported = await api.workflows.export({ id: imported.id });
    expect(JSON.stringify(exported)).not.toContain('sk_live_very_secret');
    expect(exported.nodes[1]?.config).toMatchObject({ auth: { type: 'bearer', token: '••••••' } });
  });

  it('answers NOT_FOUND for a workflow that does not exist', async () => {
    expect((await refusal(api.workflows.get({ id: 'wf_missing' }))).code).toBe('NOT_FOUND');
    expect((await refusal(api.workflows.delete({ id: 'wf_missing' }))).code).toBe('NOT_FOUND');
  });
});

describe('runs router', () => {
  it('lists and shows a run with its event', async () => {
    const imported = await api.workflows.import({ document: document(), publish: true });
    const token = imported.triggerUrl.split('/').at(-1)!;
    const lookup = store.triggers.findByToken(token);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const { runId } = await store.ingest.accept({
      ...facts,
      triggerId: lookup.target.triggerId,
      workflowId: imported.id,
      versionId: lookup.target.publishedVersionId,
      event: {
        method: 'POST',
        path: '/hooks/x',
        headers: {},
        query: {},
        body: Buffer.from([0xff, 0x00]),
        parsedBody: '/wA=',
        contentType: 'application/octet-stream',
        receivedAt: Date.now(),
      },
    });
    const page = await api.runs.list({ workflowId: imported.id, status: 'queued' });
    expect(page.items.map((r) => r.id)).toEqual([runId]);
    const run = await api.runs.get({ id: runId! });
    expect(run.event.rawBody).toEqual({ encoding: 'base64', data: '/wA=' });
    expect((await refusal(api.runs.get({ id: 'run_missing' }))).code).toBe('NOT_FOUND');
  });
});
