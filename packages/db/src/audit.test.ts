import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditActor, AuditEntryInput } from './audit.ts';
import { createStore, type Store } from './store.ts';

const alice: AuditActor = { kind: 'user', id: 'usr_alice', email: 'alice@example.com' };
const bob: AuditActor = { kind: 'user', id: 'usr_bob', email: 'bob@example.com' };
const system: AuditActor = { kind: 'system' };

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-audit-'));
  store = createStore(join(dir, 'test.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (overrides: Partial<AuditEntryInput>): AuditEntryInput => ({
  actor: alice,
  action: 'workflow.created',
  target: { type: 'workflow', id: 'wf_1', name: 'Orders' },
  ...overrides,
});

describe('the audit log', () => {
  it('keeps who did what to which target, with the detail, newest first', () => {
    const created = store.audit.append(
      entry({ detail: { nodes: 2 }, remoteAddress: '203.0.113.9', now: 1000 }),
    );
    store.audit.append(entry({ actor: system, action: 'workflow.published', now: 2000 }));
    expect(created).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: 1000,
      actor: alice,
      action: 'workflow.created',
      target: { type: 'workflow', id: 'wf_1', name: 'Orders' },
      detail: { nodes: 2 },
      remoteAddress: '203.0.113.9',
    });
    const { items, nextCursor } = store.audit.list();
    expect(items.map((item) => [item.action, item.actor.kind])).toEqual([
      ['workflow.published', 'system'],
      ['workflow.created', 'user'],
    ]);
    expect(items[0]).toMatchObject({ detail: null, remoteAddress: null });
    expect(nextCursor).toBeNull();
  });

  it('filters by actor, action prefix, target and time', () => {
    store.audit.append(entry({ now: 1000 }));
    store.audit.append(entry({ actor: bob, action: 'workflow.published', now: 2000 }));
    store.audit.append(
      entry({
        actor: bob,
        action: 'credential.created',
        target: { type: 'credential', id: 'cred_1', name: 'Shop' },
        now: 3000,
      }),
    );
    store.audit.append(
      entry({
        actor: system,
        action: 'workflow.created',
        target: { type: 'workflow', id: 'wf_2', name: 'Other' },
        now: 4000,
      }),
    );
    const actions = (query: Parameters<Store['audit']['list']>[0]) =>
      store.audit.list(query).items.map((item) => `${item.action} ${item.target.id}`);

    expect(actions({ actorId: 'usr_bob' })).toEqual([
      'credential.created cred_1',
      'workflow.published wf_1',
    ]);
    expect(actions({ actorKind: 'system' })).toEqual(['workflow.created wf_2']);
    expect(actions({ actionPrefix: 'workflow.' })).toEqual([
      'workflow.created wf_2',
      'workflow.published wf_1',
      'workflow.created wf_1',
    ]);
    expect(actions({ actionPrefix: 'workflow.published' })).toEqual(['workflow.published wf_1']);
    expect(actions({ targetType: 'workflow', targetId: 'wf_1' })).toEqual([
      'workflow.published wf_1',
      'workflow.created wf_1',
    ]);
    expect(actions({ from: 2000, to: 4000 })).toEqual([
      'credential.created cred_1',
      'workflow.published wf_1',
    ]);
    // A prefix is text, not a pattern.
    expect(actions({ actionPrefix: '%' })).toEqual([]);
    expect(actions({ actionPrefix: 'workflow_' })).toEqual([]);
  });

  it('pages with a cursor, without skipping or repeating an entry', () => {
    for (let i = 0; i < 7; i++) {
      store.audit.append(entry({ target: { type: 'workflow', id: `wf_${i}` }, now: 1000 }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.audit.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.target.id ?? ''));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['wf_6', 'wf_5', 'wf_4', 'wf_3', 'wf_2', 'wf_1', 'wf_0']);
  });

  it('folds a repeated change into the newest entry of its target when asked to', () => {
    const saves = {
      withinMs: 60_000,
      detail: (previous: Record<string, unknown> | null) => ({
        saves: Number(previous?.saves ?? 1) + 1,
      }),
    };
    const save = (actor: AuditActor, now: number) =>
      store.audit.append(
        entry({ actor, action: 'workflow.updated', detail: { saves: 1 }, now }),
        saves,
      );
    const first = save(alice, 1000);
    expect(save(alice, 2000)).toMatchObject({ id: first.id, at: 1000, detail: { saves: 2 } });
    save(alice, 30_000);
    // Someone else, a later time, or another change in between: a new entry.
    save(bob, 31_000);
    save(bob, 200_000);
    store.audit.append(entry({ actor: bob, action: 'workflow.published', now: 200_500 }));
    save(bob, 201_000);
    expect(
      store.audit
        .list()
        .items.map(
          (item) =>
            `${item.actor.kind === 'user' ? item.actor.email : ''} ${item.action} ${JSON.stringify(item.detail)}`,
        ),
    ).toEqual([
      'bob@example.com workflow.updated {"saves":1}',
      'bob@example.com workflow.published null',
      'bob@example.com workflow.updated {"saves":1}',
      'bob@example.com workflow.updated {"saves":1}',
      'alice@example.com workflow.updated {"saves":3}',
    ]);
  });

  it('is not pruned with the history', () => {
    store.audit.append(entry({ now: 1 }));
    const pass = store.retention.pass({ maxAgeMs: 1, maxRunsPerWorkflow: 1, batchSize: 100 });
    while (pass.next()) {}
    expect(store.audit.list().items).toHaveLength(1);
  });
});
