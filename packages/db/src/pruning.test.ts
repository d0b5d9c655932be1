import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from './client.ts';
import { newId } from './ids.ts';
import { encodeStep } from './step-rows.ts';
import { createStore, type Store } from './store.ts';

let dir: string;
let file: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-pruning-'));
  file = join(dir, 'test.db');
  store = createStore(file);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

function workflow(name: string) {
  const wf = store.workflows.create({ name, document: {} });
  const version = store.workflows.publish(wf.id, { document: {} });
  const lookup = store.triggers.findByToken(wf.triggerToken);
  if (lookup.kind !== 'live') throw new Error('expected a live trigger');
  return { id: wf.id, versionId: version.id, triggerId: lookup.target.triggerId };
}

/** `n` runs of `wf`, each with a step holding `payloadBytes` of output, finished `succeeded`. */
async function fill(wf: ReturnType<typeof workflow>, n: number, payloadBytes = 100) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = JSON.stringify({ i });
    const accepted = await store.ingest.accept({
      triggerId: wf.triggerId,
      workflowId: wf.id,
      versionId: wf.versionId,
      event: {
        method: 'POST',
        path: '/hooks/x',
        headers: {},
        query: {},
        body: Buffer.from(text),
        parsedBody: { i },
        contentType: 'application/json',
        receivedAt: Date.now(),
      },
      request: { method: 'POST', size: text.length, remoteAddress: null, headers: {} },
      answerStatus: 202,
      delivery: { id: `d-${wf.id}-${i}`, windowMs: 3_600_000 },
    });
    ids.push(accepted.runId!);
  }
  await store.runs.claim({ worker: 'w', limit: n, leaseMs: 60_000 });
  await Promise.all(
    ids.map(async (id) => {
      await store.runs.appendStep(
        id,
        encodeStep({
          nodeId: 'n',
          nodeKey: 'n',
          nodeType: 'transform',
          status: 'succeeded',
          input: null,
          config: {},
          output: { data: 'z'.repeat(payloadBytes) },
          error: null,
          handles: ['main'],
          startedAt: 1,
          finishedAt: 2,
          durationMs: 1,
          attempt: 1,
        }),
      );
      await store.runs.finish({ id, worker: 'w', status: 'succeeded', error: null, output: null });
    }),
  );
  return ids;
}

const runPass = (policy: Parameters<Store['retention']['pass']>[0]) => {
  const pass = store.retention.pass(policy);
  const total = { runs: 0, events: 0, requests: 0, deliveries: 0, batches: 0 };
  for (let counts = pass.next(); counts; counts = pass.next()) {
    // Every batch stays within its size, per table.
    expect(Math.max(counts.runs, counts.requests, counts.deliveries)).toBeLessThanOrEqual(
      policy.batchSize,
    );
    total.runs += counts.runs;
    total.events += counts.events;
    total.requests += counts.requests;
    total.deliveries += counts.deliveries;
    total.batches++;
  }
  return total;
};

describe('retention', () => {
  it('keeps the newest runs per workflow and never an unfinished one', async () => {
    const a = workflow('A');
    const b = workflow('B');
    const aRuns = await fill(a, 30);
    const bRuns = await fill(b, 5);
    const total = runPass({ maxAgeMs: 0, maxRunsPerWorkflow: 10, batchSize: 7 });
    expect(total).toMatchObject({ runs: 20, events: 20, requests: 20 });
    expect(total.batches).toBeGreaterThanOrEqual(6);
    const keptA = store.runs.list({ limit: 100, workflowId: a.id }).items.map((r) => r.id);
    expect(keptA).toEqual(aRuns.slice(-10).reverse());
    expect(store.runs.list({ limit: 100, workflowId: b.id }).items).toHaveLength(5);
    expect(bRuns.every((id) => store.runs.get(id))).toBe(true);
    expect(count('run_steps')).toBe(15);
    expect(count('trigger_requests')).toBe(15);
    // Nothing more to do: a second pass deletes nothing.
    expect(runPass({ maxAgeMs: 0, maxRunsPerWorkflow: 10, batchSize: 7 }).batches).toBe(0);
  });

  it('prunes by age: runs, their events, the request log, expired delivery ids and lone events', async () => {
    const a = workflow('A');
    await fill(a, 12);
    // A queued run of the same age stays, with its event.
    const text = '{}';
    const held = await store.ingest.accept({
      triggerId: a.triggerId,
      workflowId: a.id,
      versionId: a.versionId,
      event: {
        method: 'POST',
        path: '/hooks/x',
        headers: {},
        query: {},
        body: Buffer.from(text),
        parsedBody: {},
        contentType: null,
        receivedAt: Date.now(),
      },
      request: { method: 'POST', size: 2, remoteAddress: null, headers: {} },
      answerStatus: 202,
    });
    // A request kept as a sample (no run) stays; one that is not a sample goes.
    const draft = store.workflows.create({ name: 'Draft', document: {} });
    const draftLookup = store.triggers.findByToken(draft.triggerToken);
    if (draftLookup.kind !== 'live') throw new Error('expected a live trigger');
    for (const name of ['kept', 'lone']) {
      const sampleEvent = await store.ingest.accept({
        triggerId: draftLookup.target.triggerId,
        workflowId: draft.id,
        versionId: null,
        event: {
          method: 'POST',
          path: '/hooks/x',
          headers: {},
          query: {},
          body: Buffer.from(name),
          parsedBody: name,
          contentType: 'text/plain',
          receivedAt: Date.now(),
        },
        request: { method: 'POST', size: 4, remoteAddress: null, headers: {} },
        answerStatus: 202,
      });
      if (name === 'kept') {
        store.samples.create({ workflowId: draft.id, eventId: sampleEvent.eventId, name });
      }
    }

    // Past the default dedupe window of 24 hours too.
    const later = Date.now() + 25 * 3_600_000;
    const total = runPass({ maxAgeMs: 60_000, maxRunsPerWorkflow: 0, batchSize: 5, now: later });
    expect(total).toMatchObject({ runs: 12, events: 13, requests: 15, deliveries: 12 });
    expect(count('runs')).toBe(1);
    expect(store.runs.get(held.runId!)?.status).toBe('queued');
    expect(count('events')).toBe(2);
    expect(count('deliveries')).toBe(0);
    expect(count('trigger_requests')).toBe(0);
  });

  it('gives the freed pages back: the file shrinks', async () => {
    const a = workflow('A');
    await fill(a, 200, 20_000);
    const before = store.retention.pages();
    runPass({ maxAgeMs: 0, maxRunsPerWorkflow: 1, batchSize: 50 });
    const freed = store.retention.pages();
    expect(freed.freePages).toBeGreaterThan(before.freePages + 500);
    expect(freed.pageCount).toBe(before.pageCount);
    let left = freed.freePages;
    for (let i = 0; i < 100 && left > 0; i++) left = store.retention.reclaimSpace(200);
    const after = store.retention.pages();
    expect(after.freePages).toBe(0);
    expect(after.pageCount).toBeLessThan(before.pageCount - 500);
    await store.close();
    expect(statSync(file).size).toBe(after.pageCount * 4096);
  });
});

describe('incremental vacuum', () => {
  it('is on for a new file, and an older file is converted once at open', () => {
    expect(
      (() => {
        const db = new Database(file, { readonly: true });
        const mode = db.pragma('auto_vacuum', { simple: true });
        db.close();
        return mode;
      })(),
    ).toBe(2);
    const oldFile = join(dir, 'old.db');
    const old = new Database(oldFile);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE kept (id TEXT)');
    old.prepare('INSERT INTO kept VALUES (?)').run(newId('x'));
    old.close();
    const opened = createDb(oldFile);
    expect(opened.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(opened.sqlite.prepare('SELECT count(*) AS n FROM kept').get()).toEqual({ n: 1 });
    opened.close();
  });
});
