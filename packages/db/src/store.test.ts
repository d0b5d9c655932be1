import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeStep } from './step-rows.ts';
import { createStore, type Store } from './store.ts';

const facts = {
  request: { method: 'POST', size: 2, remoteAddress: '127.0.0.1', headers: {} },
  answerStatus: 202,
};

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-db-'));
  store = createStore(join(dir, 'test.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const incoming = (body: string) => ({
  method: 'POST',
  path: '/hooks/x',
  headers: { 'content-type': 'application/json' },
  query: {},
  body: Buffer.from(body),
  parsedBody: JSON.parse(body),
  contentType: 'application/json',
  receivedAt: Date.now(),
});

describe('the store on a real SQLite file', () => {
  it('applies migrations and reports ready', () => {
    expect(store.ready()).toBe(true);
  });

  it('creates, publishes and lists a workflow with its trigger token', () => {
    const created = store.workflows.create({ name: 'Orders', document: { name: 'Orders' } });
    expect(created.triggerToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const version = store.workflows.publish(created.id, { document: { v: 1 } });
    expect(version.number).toBe(1);
    expect(store.workflows.publish(created.id, { document: { v: 2 } }).number).toBe(2);
    const [summary] = store.workflows.list();
    expect(summary).toMatchObject({
      id: created.id,
      publishedVersion: 2,
      lastRun: null,
      runsLast24h: 0,
    });
    const lookup = store.triggers.findByToken(created.triggerToken);
    expect(lookup.kind).toBe('live');
  });

  it('saves a draft with its revision and the name it had, refusing a stale base', () => {
    const { id } = store.workflows.create({ name: 'Orders', document: { name: 'Orders' } });
    const first = store.workflows.updateDraft(id, { name: 'Orders', document: { n: 1 } });
    expect(first).toEqual({ kind: 'saved', revision: 2, previousName: 'Orders' });
    const renamed = store.workflows.updateDraft(id, {
      name: 'Paid orders',
      document: { n: 2 },
      baseRevision: 2,
    });
    expect(renamed).toEqual({ kind: 'saved', revision: 3, previousName: 'Orders' });
    expect(store.workflows.get(id)?.name).toBe('Paid orders');
    // Based on revision 2, saved since: refused, nothing written.
    expect(
      store.workflows.updateDraft(id, { name: 'Stale', document: { n: 3 }, baseRevision: 2 }),
    ).toEqual({ kind: 'conflict', revision: 3 });
    expect(store.workflows.get(id)?.name).toBe('Paid orders');
    expect(store.workflows.updateDraft('wf_missing', { name: 'x', document: {} })).toEqual({
      kind: 'not-found',
    });
  });

  it('accepts an event with a queued run, then claims, records and finishes it', async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const version = store.workflows.publish(wf.id, { document: {} });
    const accepted = await store.ingest.accept({
      ...facts,
      triggerId: (store.triggers.findByToken(wf.triggerToken) as { target: { triggerId: string } })
        .target.triggerId,
      workflowId: wf.id,
      versionId: version.id,
      event: incoming('{"hello":"world"}'),
    });
    expect(accepted.runId).toMatch(/^run_/);
    expect(store.runs.queuedCount()).toBe(1);

    const claimed = await store.runs.claim({ worker: 'w1', limit: 10, leaseMs: 30_000 });
    expect(claimed.map((r) => r.id)).toEqual([accepted.runId]);
    expect(await store.runs.claim({ worker: 'w2', limit: 10, leaseMs: 30_000 })).toEqual([]);

    await store.runs.appendStep(
      accepted.runId!,
      encodeStep({
        nodeId: 'n1',
        nodeKey: 'trigger',
        nodeType: 'webhook-trigger',
        status: 'succeeded',
        input: null,
        config: {},
        output: { ok: 1 },
        error: null,
        handles: ['main'],
        startedAt: 1,
        finishedAt: 2,
        durationMs: 1,
        attempt: 1,
      }),
    );
    expect(
      await store.runs.finish({
        id: accepted.runId!,
        worker: 'w2',
        status: 'succeeded',
        error: null,
        output: 1,
      }),
    ).toBe(false);
    expect(
      await store.runs.finish({
        id: accepted.runId!,
        worker: 'w1',
        status: 'succeeded',
        error: null,
        output: 1,
      }),
    ).toBe(true);

    const detail = store.runs.get(accepted.runId!);
    expect(detail?.status).toBe('succeeded');
    expect(detail?.steps).toHaveLength(1);
    expect(detail?.event.body.toString()).toBe('{"hello":"world"}');
    expect(store.runs.list({ limit: 10 }).items[0]?.id).toBe(accepted.runId);
    expect(store.workflows.list()[0]?.lastRun?.status).toBe('succeeded');
  });

  it('hands back an expired lease to the next claimer', async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const version = store.workflows.publish(wf.id, { document: {} });
    const lookup = store.triggers.findByToken(wf.triggerToken);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const { runId } = await store.ingest.accept({
      ...facts,
      triggerId: lookup.target.triggerId,
      workflowId: wf.id,
      versionId: version.id,
      event: incoming('{}'),
    });
    const now = Date.now();
    await store.runs.claim({ worker: 'dead', limit: 1, leaseMs: 1000, now });
    const reclaimed = await store.runs.claim({
      worker: 'alive',
      limit: 1,
      leaseMs: 1000,
      now: now + 5000,
    });
    expect(reclaimed.map((r) => r.id)).toEqual([runId]);
  });

  it('leaves expired leases and due parked runs to a claim that sweeps', async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const version = store.workflows.publish(wf.id, { document: {} });
    const lookup = store.triggers.findByToken(wf.triggerToken);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const accept = async () =>
      (
        await store.ingest.accept({
          ...facts,
          triggerId: lookup.target.triggerId,
          workflowId: wf.id,
          versionId: version.id,
          event: incoming('{}'),
        })
      ).runId!;
    const expired = await accept();
    const parked = await accept();
    const now = Date.now();
    expect(
      (await store.runs.claim({ worker: 'dead', limit: 2, leaseMs: 1000, now })).map((r) => r.id),
    ).toEqual([expired, parked]);
    expect(await store.runs.park({ id: parked, worker: 'dead', until: now + 2000 })).toBe(true);
    const queued = await accept();

    const later = { worker: 'alive', limit: 5, leaseMs: 1000, now: now + 5000 };
    const withoutSweep = await store.runs.claim({ ...later, sweep: false });
    expect(withoutSweep.map((r) => r.id)).toEqual([queued]);
    const withSweep = await store.runs.claim(later);
    expect(withSweep.map((r) => r.id).sort()).toEqual([expired, parked].sort());
  });

  it('claims fairly: a flooded workflow does not starve another one', async () => {
    const publishOne = (name: string) => {
      const wf = store.workflows.create({ name, document: {} });
      const version = store.workflows.publish(wf.id, { document: {} });
      const lookup = store.triggers.findByToken(wf.triggerToken);
      if (lookup.kind !== 'live') throw new Error('expected a live trigger');
      return (body: string) =>
        store.ingest.accept({
          ...facts,
          triggerId: lookup.target.triggerId,
          workflowId: wf.id,
          versionId: version.id,
          event: incoming(body),
        });
    };
    const flood = publishOne('Flooded');
    const quiet = publishOne('Quiet');
    const flooded: (string | null)[] = [];
    for (let i = 0; i < 40; i++) flooded.push((await flood(`{"i":${i}}`)).runId);
    const lonely = (await quiet('{"quiet":true}')).runId;
    const claimOne = async () =>
      (await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 })).map((r) => r.id);

    // Both have nothing in progress: the oldest ready run goes first.
    expect(await claimOne()).toEqual([flooded[0]]);
    // The flooded workflow has one in progress, the quiet one none: the quiet one is next,
    // not the flooded workflow's 39 older runs.
    expect(await claimOne()).toEqual([lonely]);
    // With one workflow left, a batch takes its runs oldest first.
    const batch = await store.runs.claim({ worker: 'w', limit: 5, leaseMs: 30_000 });
    expect(batch.map((r) => r.id)).toEqual(flooded.slice(1, 6));
  });

  it('pages through runs newest first with a cursor', async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const version = store.workflows.publish(wf.id, { document: {} });
    const lookup = store.triggers.findByToken(wf.triggerToken);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const { runId } = await store.ingest.accept({
        ...facts,
        triggerId: lookup.target.triggerId,
        workflowId: wf.id,
        versionId: version.id,
        event: incoming(`{"i":${i}}`),
      });
      ids.push(runId);
    }
    const first = store.runs.list({ limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const second = store.runs.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const third = store.runs.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it('rotates a token: the old one is retired, deleting retires the current one', () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const fresh = store.triggers.rotate(wf.id)!;
    expect(store.triggers.findByToken(wf.triggerToken).kind).toBe('retired');
    expect(store.triggers.findByToken(fresh).kind).toBe('live');
    expect(store.workflows.delete(wf.id)).toBe(true);
    expect(store.triggers.findByToken(fresh).kind).toBe('retired');
    expect(store.triggers.findByToken('never-issued').kind).toBe('unknown');
  });

  it('group commit rejects only the write that failed', async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const lookup = store.triggers.findByToken(wf.triggerToken);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const good = store.ingest.accept({
      ...facts,
      triggerId: lookup.target.triggerId,
      workflowId: wf.id,
      versionId: null,
      event: incoming('{}'),
    });
    const bad = store.ingest.accept({
      ...facts,
      triggerId: 'no-such-trigger',
      workflowId: wf.id,
      versionId: null,
      event: incoming('{}'),
    });
    await expect(good).resolves.toMatchObject({ runId: null });
    await expect(bad).rejects.toThrow(/FOREIGN KEY/);
  });

  it('runs a delivery id once inside its window, per trigger, and logs every request', async () => {
    const a = store.workflows.create({ name: 'A', document: {} });
    const b = store.workflows.create({ name: 'B', document: {} });
    const va = store.workflows.publish(a.id, { document: {} });
    const vb = store.workflows.publish(b.id, { document: {} });
    const ta = store.triggers.findByToken(a.triggerToken);
    const tb = store.triggers.findByToken(b.triggerToken);
    if (ta.kind !== 'live' || tb.kind !== 'live') throw new Error('expected live triggers');
    const now = Date.now();
    const send = (trigger: typeof ta, versionId: string, receivedAt: number) =>
      store.ingest.accept({
        ...facts,
        triggerId: trigger.target.triggerId,
        workflowId: trigger.target.workflowId,
        versionId,
        event: { ...incoming('{}'), receivedAt },
        delivery: { id: 'delivery-1', windowMs: 60_000 },
      });
    const [first, again] = await Promise.all([send(ta, va.id, now), send(ta, va.id, now + 10)]);
    expect(first.kind).toBe('accepted');
    expect(again).toEqual({ kind: 'duplicate', eventId: first.eventId, runId: first.runId });
    // The same id at another trigger is not a duplicate.
    expect((await send(tb, vb.id, now + 20)).kind).toBe('accepted');
    // After the window it runs again.
    expect((await send(ta, va.id, now + 61_000)).kind).toBe('accepted');

    await store.ingest.refuse({
      triggerId: ta.target.triggerId,
      workflowId: a.id,
      receivedAt: now + 62_000,
      request: facts.request,
      status: 401,
      reason: 'bad_signature',
      message: 'the signature does not match',
    });
    const log = store.ingest.listRequests({ triggerId: ta.target.triggerId, limit: 10 });
    expect(log.items.map((r) => [r.outcome, r.status, r.reason])).toEqual([
      ['refused', 401, 'bad_signature'],
      ['accepted', 202, null],
      ['duplicate', 200, 'duplicate'],
      ['accepted', 202, null],
    ]);
    expect(log.items[2]?.runId).toBe(first.runId);
  });
});

describe('run control: retries, cancel, resume, replay, orphans', () => {
  const queueRun = async () => {
    const wf = store.workflows.create({ name: 'A', document: {} });
    const version = store.workflows.publish(wf.id, { document: {} });
    const lookup = store.triggers.findByToken(wf.triggerToken);
    if (lookup.kind !== 'live') throw new Error('expected a live trigger');
    const { runId } = await store.ingest.accept({
      ...facts,
      triggerId: lookup.target.triggerId,
      workflowId: wf.id,
      versionId: version.id,
      event: incoming('{}'),
    });
    return { runId: runId!, workflowId: wf.id, versionId: version.id };
  };
  const fail = (id: string, worker: string) =>
    store.runs.finish({ id, worker, status: 'failed', error: { message: 'boom' }, output: null });

  it('holds a retried run back until its time, then claims it with the next attempt', async () => {
    const { runId } = await queueRun();
    const now = Date.now();
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000, now });
    expect(
      await store.runs.retry({
        id: runId,
        worker: 'w',
        error: { message: 'boom' },
        notBefore: now + 1000,
      }),
    ).toBe(true);
    expect(store.runs.get(runId)).toMatchObject({
      status: 'queued',
      attempt: 2,
      notBefore: now + 1000,
      error: { message: 'boom' },
    });
    expect(
      await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000, now: now + 999 }),
    ).toEqual([]);
    const [claimed] = await store.runs.claim({
      worker: 'w',
      limit: 1,
      leaseMs: 30_000,
      now: now + 1000,
    });
    expect(claimed).toMatchObject({ id: runId, attempt: 2 });
    expect(store.runs.get(runId)?.notBefore).toBeNull();
  });

  it('cancels queued and running runs only; a canceled run is no longer leased', async () => {
    const queued = await queueRun();
    expect(await store.runs.cancel(queued.runId)).toEqual({ kind: 'canceled' });
    expect(store.runs.get(queued.runId)).toMatchObject({
      status: 'canceled',
      error: { code: 'CANCELED' },
    });
    expect(await store.runs.cancel(queued.runId)).toEqual({
      kind: 'wrong-status',
      status: 'canceled',
    });
    expect(await store.runs.cancel('run_nope')).toEqual({ kind: 'not-found' });

    const running = await queueRun();
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    expect(await store.runs.extendLeases('w', [running.runId], 30_000)).toEqual([running.runId]);
    expect(await store.runs.cancel(running.runId)).toEqual({ kind: 'canceled' });
    expect(await store.runs.extendLeases('w', [running.runId], 30_000)).toEqual([]);
    expect(
      await store.runs.finish({
        id: running.runId,
        worker: 'w',
        status: 'succeeded',
        error: null,
        output: 1,
      }),
    ).toBe(false);
    expect(store.runs.status(running.runId)).toBe('canceled');
  });

  it('resumes only a failed run, keeping its steps, with the next attempt', async () => {
    const { runId, versionId } = await queueRun();
    expect(await store.runs.resume(runId)).toEqual({ kind: 'wrong-status', status: 'queued' });
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    await fail(runId, 'w');
    expect(await store.runs.resume(runId)).toEqual({ kind: 'resumed', attempt: 2, versionId });
    expect(store.runs.get(runId)).toMatchObject({
      status: 'queued',
      attempt: 2,
      error: null,
      finishedAt: null,
    });
    expect(await store.runs.resume('run_nope')).toEqual({ kind: 'not-found' });
  });

  it("resumes a failed run on its workflow's published version, in the same write", async () => {
    const { runId, workflowId, versionId } = await queueRun();
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    await store.runs.appendStep(
      runId,
      encodeStep({
        nodeId: 'trigger',
        nodeKey: 'trigger',
        nodeType: 'webhook-trigger',
        status: 'succeeded',
        input: {},
        config: {},
        output: { ok: true },
        error: null,
        handles: ['main'],
        startedAt: 1,
        finishedAt: 2,
        durationMs: 1,
        attempt: 1,
      }),
    );
    await fail(runId, 'w');
    const fixed = store.workflows.publish(workflowId, { document: { v: 2 } });

    expect(await store.runs.resume(runId, { version: 'current' })).toEqual({
      kind: 'resumed',
      attempt: 2,
      versionId: fixed.id,
    });
    expect(store.runs.get(runId)).toMatchObject({
      status: 'queued',
      attempt: 2,
      versionId: fixed.id,
    });
    // The finished steps stay for the next attempt to reuse.
    expect(store.runs.steps(runId).map((step) => [step.nodeId, step.attempt])).toEqual([
      ['trigger', 1],
    ]);
    // Not failed any more: refused like any resume, and the version is left as it is.
    expect(await store.runs.resume(runId, { version: 'current' })).toEqual({
      kind: 'wrong-status',
      status: 'queued',
    });

    // The default keeps the version the run has.
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    await fail(runId, 'w');
    store.workflows.publish(workflowId, { document: { v: 3 } });
    expect(await store.runs.resume(runId)).toEqual({
      kind: 'resumed',
      attempt: 3,
      versionId: fixed.id,
    });
    expect(versionId).not.toBe(fixed.id);
  });

  it('refuses to resume on the current version when the workflow has none', async () => {
    const { runId, workflowId, versionId } = await queueRun();
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    await fail(runId, 'w');
    // No API takes a version back; a second connection stands for a workflow never published.
    const other = new Database(join(dir, 'test.db'));
    other.prepare('UPDATE workflows SET published_version_id = NULL WHERE id = ?').run(workflowId);
    other.close();
    expect(await store.runs.resume(runId, { version: 'current' })).toEqual({ kind: 'unpublished' });
    expect(store.runs.get(runId)).toMatchObject({ status: 'failed', attempt: 1, versionId });

    const deleted = await queueRun();
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 30_000 });
    await fail(deleted.runId, 'w');
    store.workflows.delete(deleted.workflowId);
    expect(await store.runs.resume(deleted.runId, { version: 'current' })).toEqual({
      kind: 'unpublished',
    });
    expect(store.runs.get(deleted.runId)).toMatchObject({ status: 'failed', attempt: 1 });
  });

  it('replays a run as a new queued run of the same event, linked to it', async () => {
    const original = await queueRun();
    const replayId = await store.runs.replay({
      runId: original.runId,
      versionId: original.versionId,
    });
    const replay = store.runs.get(replayId!);
    expect(replay).toMatchObject({
      status: 'queued',
      attempt: 1,
      replayOf: original.runId,
      eventId: store.runs.get(original.runId)?.eventId,
    });
    expect(
      await store.runs.replay({ runId: 'run_nope', versionId: original.versionId }),
    ).toBeNull();
  });

  it('queues again the runs of a worker that is gone, not those of one that lives', async () => {
    const live = await queueRun();
    const gone = await queueRun();
    const legacy = await queueRun();
    const lock = store.runs.holdWorkerLock('worker-live');
    await store.runs.claim({ worker: 'worker-live', limit: 1, leaseMs: 30_000 });
    await store.runs.claim({ worker: 'worker-gone', limit: 1, leaseMs: 30_000 });
    await store.runs.claim({ worker: 'worker-legacy', limit: 1, leaseMs: 30_000 });
    // What a killed worker leaves behind: its lock file, with nobody holding the lock.
    writeFileSync(join(dir, 'test.db-workers', 'worker-gone.lock'), '');

    expect(await store.runs.reclaimOrphans('worker-new')).toBe(1);
    expect(store.runs.status(gone.runId)).toBe('queued');
    expect(store.runs.status(live.runId)).toBe('running');
    // Without a lock file its worker is not known to be gone: the lease decides.
    expect(store.runs.status(legacy.runId)).toBe('running');
    expect(existsSync(join(dir, 'test.db-workers', 'worker-gone.lock'))).toBe(false);

    lock.release();
    expect(existsSync(join(dir, 'test.db-workers', 'worker-live.lock'))).toBe(false);
  });
});
