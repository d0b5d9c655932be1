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
  dir = mkdtempSync(join(tmpdir(), 'hookflow-versions-'));
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

const document = (url: string, token = 'secret-1') => ({
  format: WORKFLOW_FORMAT,
  name: `To ${url}`,
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
      id: 'h',
      key: 'crm',
      type: 'http-request',
      name: '',
      config: { url, auth: { type: 'bearer', token } },
      position: { x: 200, y: 0 },
    },
  ],
  edges: [{ id: 'e1', source: 't', target: 'h' }],
  settings: {},
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('draft revisions', () => {
  it('refuses a save based on a draft that was saved since, and keeps the other save', async () => {
    const { id } = await api.workflows.import({ document: document('https://a.example.com') });
    const opened = (await api.workflows.get({ id })).draftRevision;
    // Two tabs opened the same revision; the first saves.
    const first = await api.workflows.saveDraft({
      id,
      document: document('https://tab-one.example.com'),
      baseRevision: opened,
    });
    expect(first.revision).toBe(opened + 1);
    const conflict = await refusal(
      api.workflows.saveDraft({
        id,
        document: document('https://tab-two.example.com'),
        baseRevision: opened,
      }),
    );
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toMatch(/saved elsewhere/);
    const stored = await api.workflows.get({ id });
    expect(stored.document.nodes[1]!.config.url).toBe('https://tab-one.example.com');
    // Saving on top of the latest revision, or without one (overwrite), works.
    const next = await api.workflows.saveDraft({
      id,
      document: document('https://tab-two.example.com'),
      baseRevision: first.revision,
    });
    expect(next.revision).toBe(first.revision + 1);
    const forced = await api.workflows.saveDraft({
      id,
      document: document('https://x.example.com'),
    });
    expect(forced.revision).toBe(next.revision + 1);
    expect(
      (
        await refusal(
          api.workflows.saveDraft({
            id: 'wf_missing',
            document: document('https://a.example.com'),
            baseRevision: 1,
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
  });
});

describe('restoreVersion', () => {
  it('copies a published version, secrets included, into the draft', async () => {
    const { id } = await api.workflows.import({
      document: document('https://v1.example.com', 'v1-token'),
      publish: true,
    });
    const [v1] = (await api.workflows.get({ id })).versions;
    await api.workflows.saveDraft({ id, document: document('https://v2.example.com', 'v2-token') });
    await api.workflows.publish({ id });
    const before = await api.workflows.get({ id });
    expect(before.versions.map((version) => version.number)).toEqual([2, 1]);

    const restored = await api.workflows.restoreVersion({
      id,
      versionId: v1!.id,
      baseRevision: before.draftRevision,
    });
    expect(restored.number).toBe(1);
    expect(restored.revision).toBe(before.draftRevision + 1);
    const after = await api.workflows.get({ id });
    expect(after.document.nodes[1]!.config).toEqual({
      url: 'https://v1.example.com',
      auth: { type: 'bearer', token: 'v1-token' },
    });
    // Restoring changes the draft only: version 2 is still live.
    expect(after.publishedVersionId).toBe(before.publishedVersionId);

    const stale = await refusal(
      api.workflows.restoreVersion({ id, versionId: v1!.id, baseRevision: before.draftRevision }),
    );
    expect(stale.code).toBe('CONFLICT');
    const other = await api.workflows.import({ document: document('https://o.example.com') });
    const foreign = await refusal(
      api.workflows.restoreVersion({ id: other.id, versionId: v1!.id }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
  });
});

describe('who published a version', () => {
  it('records the signed-in user with the note; the CLI (system) publishes as no one', async () => {
    const ada = store.users.create({
      email: 'ada@hookflow.test',
      name: 'Ada Lovelace',
      role: 'editor',
      passwordHash: 'not-used-here',
    });
    const asAda = createCaller({
      actor: { kind: 'user', userId: ada.id, email: ada.email, role: 'editor' },
      store,
      registry: nodeRegistry,
      publicUrl: 'https://hooks.example.com',
      live: createLiveEvents(),
    });
    const { id } = await api.workflows.import({ document: document('https://crm.test/1') });
    await api.workflows.publish({ id });
    const second = await asAda.workflows.publish({ id, note: 'Points at the new CRM' });

    const { versions } = await api.workflows.get({ id });
    expect(versions.map((v) => [v.number, v.note, v.author])).toEqual([
      [
        2,
        'Points at the new CRM',
        { id: ada.id, name: 'Ada Lovelace', email: 'ada@hookflow.test' },
      ],
      [1, null, null],
    ]);
    const version = await api.workflows.version({ versionId: second.versionId });
    expect(version).toMatchObject({ number: 2, note: 'Points at the new CRM', createdBy: ada.id });
  });
});
