import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../context.ts';
import { createLiveEvents } from '../live.ts';
import { createCaller } from '../root.ts';

const ada: Actor = { kind: 'user', userId: 'usr_ada', email: 'ada@example.com', role: 'owner' };
const bob: Actor = { kind: 'user', userId: 'usr_bob', email: 'bob@example.com', role: 'editor' };

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-api-audit-'));
  store = createStore(join(dir, 'api.db'), {
    keyRing: { keys: [{ id: 'k1', key: randomBytes(32) }] },
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The API as `actor` would call it over HTTP from `remoteAddress`. */
function apiAs(actor: Actor, remoteAddress = '203.0.113.7') {
  return createCaller({
    actor,
    remoteAddress,
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
  });
}

function documentNamed(name: string) {
  return {
    format: WORKFLOW_FORMAT,
    name,
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: {},
        position: { x: 0, y: 0 },
      },
    ],
    edges: [],
    settings: {},
  };
}

describe('the audit log', () => {
  it('records who created, changed, published, activated and deleted a workflow, newest first', async () => {
    const asAda = apiAs(ada);
    const asBob = apiAs(bob, '198.51.100.4');
    const { id } = await asAda.workflows.import({ document: documentNamed('Orders') });
    const first = await asBob.workflows.saveDraft({ id, document: documentNamed('Orders') });
    await asBob.workflows.saveDraft({
      id,
      document: documentNamed('Orders'),
      baseRevision: first.revision,
    });
    await asAda.workflows.publish({ id, note: 'first cut' });
    await asAda.workflows.setActive({ id, active: false });
    await asAda.workflows.setActive({ id, active: false });
    await asAda.workflows.delete({ id });

    const { items } = await asAda.audit.list();
    expect(items.map((entry) => entry.action)).toEqual([
      'workflow.deleted',
      'workflow.deactivated',
      'workflow.published',
      'workflow.updated',
      'workflow.created',
    ]);
    const [deleted, , published, updated, created] = items;
    expect(created).toMatchObject({
      actor: { kind: 'user', id: 'usr_ada', email: 'ada@example.com' },
      target: { type: 'workflow', id, name: 'Orders' },
      detail: { nodes: 1 },
      remoteAddress: '203.0.113.7',
    });
    // Bob's two saves in a row are one entry that counts them.
    expect(updated).toMatchObject({
      actor: { kind: 'user', id: 'usr_bob' },
      detail: { saves: 2 },
      remoteAddress: '198.51.100.4',
    });
    expect(published?.detail).toMatchObject({ version: 1, note: 'first cut' });
    // The deleted workflow's entries still name it, and say it is gone.
    expect(deleted?.target).toMatchObject({ name: 'Orders', exists: false });
  });

  it('records a rename as its own entry, and a restore of a version', async () => {
    const api = apiAs(ada);
    const { id } = await api.workflows.import({ document: documentNamed('Leads') });
    await api.workflows.saveDraft({ id, document: documentNamed('Leads') });
    const version = await api.workflows.publish({ id });
    await api.workflows.saveDraft({ id, document: documentNamed('Form leads') });
    await api.workflows.restoreVersion({ id, versionId: version.versionId });
    const { items } = await api.audit.list({ action: 'workflow.', targetId: id, limit: 50 });
    expect(items.slice(0, 3).map((entry) => [entry.action, entry.detail])).toEqual([
      ['workflow.restored', expect.objectContaining({ version: 1 })],
      [
        'workflow.updated',
        expect.objectContaining({ renamed: { from: 'Leads', to: 'Form leads' } }),
      ],
      ['workflow.published', expect.objectContaining({ version: 1 })],
    ]);
  });

  it('records credential changes without their values', async () => {
    const secret = 'sk_live_audit_never_logged';
    const api = apiAs(ada);
    const credential = await api.credentials.create({
      name: 'CRM token',
      type: 'bearer',
      value: { token: secret },
    });
    await api.credentials.update({ id: credential.id, name: 'CRM API token' });
    await api.credentials.update({ id: credential.id, value: { token: `${secret}-2` } });
    await api.credentials.delete({ id: credential.id });
    const { items } = await api.audit.list({ action: 'credential.' });
    expect(items.map((entry) => [entry.action, entry.detail])).toEqual([
      ['credential.deleted', { type: 'bearer' }],
      ['credential.updated', { valueChanged: true }],
      [
        'credential.updated',
        { renamed: { from: 'CRM token', to: 'CRM API token' }, valueChanged: false },
      ],
      ['credential.created', { type: 'bearer' }],
    ]);
    expect(JSON.stringify(items)).not.toContain('sk_live_audit');
  });

  it('filters by actor and pages with a cursor', async () => {
    const asAda = apiAs(ada);
    const asBob = apiAs(bob);
    for (let index = 0; index < 5; index++) {
      await asAda.workflows.import({ document: documentNamed(`Ada ${index}`) });
      await asBob.workflows.import({ document: documentNamed(`Bob ${index}`) });
    }
    const bobs = await asAda.audit.list({ actorId: 'usr_bob', limit: 50 });
    expect(bobs.items.map((entry) => entry.target.name)).toEqual([
      'Bob 4',
      'Bob 3',
      'Bob 2',
      'Bob 1',
      'Bob 0',
    ]);
    const firstPage = await asAda.audit.list({ limit: 4 });
    const secondPage = await asAda.audit.list({ limit: 4, cursor: firstPage.nextCursor! });
    const thirdPage = await asAda.audit.list({ limit: 4, cursor: secondPage.nextCursor! });
    const names = [...firstPage.items, ...secondPage.items, ...thirdPage.items].map(
      (entry) => entry.target.name,
    );
    expect(new Set(names).size).toBe(10);
    expect(thirdPage.nextCursor).toBeNull();
  });

  it('names the system for the CLI and anonymous for a caller no one signed in as', async () => {
    const system = apiAs({ kind: 'system' });
    await system.workflows.import({ document: documentNamed('From the CLI') });
    const { items } = await system.audit.list();
    expect(items[0]?.actor).toEqual({ kind: 'system' });
  });
});
