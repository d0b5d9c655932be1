import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { capJson, capPayload, isTruncatedPayload } from './history-payload.ts';
import { idLowerBound } from './ids.ts';
import { SEARCH_WINDOW, SEARCH_WINDOW_FILTERED, type StepRecord } from './runs.ts';
import { encodeStep } from './step-rows.ts';
import { createStore, type Store } from './store.ts';

let dir: string;
let store: Store;
const MAX = 2048;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-history-'));
  store = createStore(join(dir, 'test.db'), { payloadMaxBytes: MAX });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function workflow(name = 'Orders') {
  const wf = store.workflows.create({ name, document: {} });
  const version = store.workflows.publish(wf.id, { document: {} });
  const lookup = store.triggers.findByToken(wf.triggerToken);
  if (lookup.kind !== 'live') throw new Error('expected a live trigger');
  return { id: wf.id, versionId: version.id, triggerId: lookup.target.triggerId };
}

async function accept(
  wf: ReturnType<typeof workflow>,
  body: unknown,
  receivedAt = Date.now(),
  text = JSON.stringify(body),
) {
  const accepted = await store.ingest.accept({
    triggerId: wf.triggerId,
    workflowId: wf.id,
    versionId: wf.versionId,
    event: {
      method: 'POST',
      path: '/hooks/x',
      headers: { 'content-type': 'application/json' },
      query: {},
      body: Buffer.from(text),
      parsedBody: body,
      contentType: 'application/json',
      receivedAt,
    },
    request: { method: 'POST', size: text.length, remoteAddress: null, headers: {} },
    answerStatus: 202,
  });
  return accepted.runId!;
}

const step = (nodeKey: string, output: unknown, status: StepRecord['status'] = 'succeeded') => ({
  nodeId: nodeKey,
  nodeKey,
  nodeType: 'transform',
  status,
  input: output,
  config: {},
  output,
  error: status === 'failed' ? { message: 'boom' } : null,
  handles: ['main'],
  startedAt: 1,
  finishedAt: 2,
  durationMs: 1,
  attempt: 1,
});

/** Claims every queued run and finishes `runId` with `status`. */
async function finish(runId: string, status: 'succeeded' | 'failed', output: unknown = null) {
  await store.runs.claim({ worker: 'w', limit: 1000, leaseMs: 60_000 });
  await store.runs.finish({ id: runId, worker: 'w', status, error: null, output });
}

describe('the payload cap', () => {
  it('keeps JSON that fits and marks what does not, with its size and a preview', () => {
    const small = JSON.stringify({ a: 1 });
    expect(capJson(small, 100)).toBe(small);
    const big = JSON.stringify({ text: 'é'.repeat(1000) });
    const marker = JSON.parse(capJson(big, 1000)!);
    expect(marker).toEqual({
      $truncated: true,
      bytes: Buffer.byteLength(big),
      preview: expect.any(String),
    });
    expect(Buffer.byteLength(marker.preview)).toBeLessThanOrEqual(500);
    expect(big.startsWith(marker.preview)).toBe(true);
    expect(isTruncatedPayload(capPayload({ text: 'x'.repeat(2000) }, 1000))).toBe(true);
    expect(capPayload({ a: 1 }, 1000)).toEqual({ a: 1 });
  });

  it('stores whole payloads while a run goes on and truncates them when it is over', async () => {
    const wf = workflow();
    const runId = await accept(wf, { order: 1 });
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 60_000 });
    const big = { rows: 'x'.repeat(5000) };
    await store.runs.appendStep(runId, encodeStep({ ...step('big', big), config: { body: big } }));
    await store.runs.appendStep(runId, encodeStep(step('small', { ok: true })));
    // Still running: a resume after a crash reads the whole output back.
    expect(store.runs.steps(runId)[0]?.output).toEqual(big);

    await store.runs.finish({
      id: runId,
      worker: 'w',
      status: 'succeeded',
      error: null,
      output: big,
    });
    const run = store.runs.get(runId)!;
    const [bigStep, smallStep] = run.steps;
    expect(bigStep?.config).toMatchObject({ $truncated: true });
    for (const payload of [bigStep?.input, bigStep?.output, run.output]) {
      expect(payload).toMatchObject({ $truncated: true, bytes: JSON.stringify(big).length });
      expect((payload as { preview: string }).preview.startsWith('{"rows":"xxx')).toBe(true);
    }
    expect(smallStep?.output).toEqual({ ok: true });
    // The raw event is the durable record: never capped.
    expect(run.event.body.toString()).toBe('{"order":1}');
  });

  it('refuses to resume a failed run whose kept step output was truncated', async () => {
    const wf = workflow();
    const runId = await accept(wf, {});
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 60_000 });
    await store.runs.appendStep(runId, encodeStep(step('load', { rows: 'y'.repeat(5000) })));
    await store.runs.appendStep(runId, encodeStep(step('send', null, 'failed')));
    await store.runs.finish({
      id: runId,
      worker: 'w',
      status: 'failed',
      error: null,
      output: null,
    });
    expect(await store.runs.resume(runId)).toEqual({ kind: 'truncated', nodeKey: 'load' });
    expect(store.runs.status(runId)).toBe('failed');
  });
});

describe('payloads stored by reference', () => {
  const event = { method: 'POST', body: { order: 1, padding: 'x'.repeat(1000) } };

  /** trigger -> filter (passes its input on) -> transform, as the worker records them. */
  async function recordedRun(wf: ReturnType<typeof workflow>) {
    const runId = await accept(wf, event.body);
    await store.runs.claim({ worker: 'w', limit: 1000, leaseMs: 60_000 });
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('trigger', event),
        input: undefined,
        inputFrom: 'trigger',
      }),
    );
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('filter', undefined),
        inputFrom: 'trigger',
        outputFrom: 'trigger',
      }),
    );
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('order', { id: 1 }),
        input: undefined,
        inputFrom: 'filter',
      }),
    );
    return runId;
  }

  it('stores a repeated payload once and reads every step whole', async () => {
    const wf = workflow();
    const runId = await recordedRun(wf);
    await store.runs.finish({
      id: runId,
      worker: 'w',
      status: 'succeeded',
      error: null,
      output: undefined,
      outputFrom: 'order',
    });
    const run = store.runs.get(runId)!;
    expect(run.steps.map((s) => [s.nodeKey, s.input, s.output])).toEqual([
      ['trigger', event, event],
      ['filter', event, event],
      ['order', event, { id: 1 }],
    ]);
    expect(run.output).toEqual({ id: 1 });
    // The event is in the steps' rows once.
    const db = new Database(join(dir, 'test.db'), { readonly: true });
    const copies = db
      .prepare(`SELECT sum(coalesce(input LIKE '%xxxx%', 0) + coalesce(output LIKE '%xxxx%', 0))
        FROM run_steps WHERE run_id = ?`)
      .pluck()
      .get(runId);
    db.close();
    expect(copies).toBe(1);
  });

  it('truncates the stored payload and shows the marker wherever it is referenced', async () => {
    const wf = workflow();
    const runId = await recordedRun(wf);
    const big = { rows: 'z'.repeat(5000) };
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('load', big),
        input: undefined,
        inputFrom: 'order',
      }),
    );
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('send', null, 'failed'),
        input: undefined,
        inputFrom: 'load',
      }),
    );
    await store.runs.finish({
      id: runId,
      worker: 'w',
      status: 'failed',
      error: null,
      output: null,
    });
    const steps = store.runs.get(runId)!.steps;
    expect(steps.at(-1)?.input).toMatchObject({
      $truncated: true,
      bytes: JSON.stringify(big).length,
    });
    // Below the cap, the event itself is whole.
    expect(steps[0]?.input).toEqual(event);
    expect(await store.runs.resume(runId)).toEqual({ kind: 'truncated', nodeKey: 'load' });
  });

  it('resolves a reference to the latest record of its step, as a resume sees it', async () => {
    const wf = workflow();
    const runId = await recordedRun(wf);
    // The transform failed on the first attempt and succeeded on the second.
    await store.runs.appendStep(runId, encodeStep({ ...step('order', { id: 2 }), attempt: 2 }));
    await store.runs.appendStep(
      runId,
      encodeStep({
        ...step('send', undefined),
        inputFrom: 'order',
        outputFrom: 'order',
      }),
    );
    const steps = store.runs.steps(runId);
    expect(steps.at(-1)).toMatchObject({ input: { id: 2 }, output: { id: 2 } });
  });
});

describe('the history list', () => {
  it('stores a compact JSON body once, and a reformatted one beside its parsed form', async () => {
    const wf = workflow();
    const body = { customer: 'ada@example.com', note: 'é ✓' };
    const compact = await accept(wf, body);
    const pretty = await accept(wf, body, Date.now(), JSON.stringify(body, null, 2));
    const db = new Database(join(dir, 'test.db'), { readonly: true });
    const row = (runId: string) =>
      db
        .prepare(`SELECT parsed_body IS NULL AS once, parsed_from_body AS fromBody FROM events
          WHERE id = (SELECT event_id FROM runs WHERE id = ?)`)
        .get(runId);
    expect(row(compact)).toEqual({ once: 1, fromBody: 1 });
    expect(row(pretty)).toEqual({ once: 0, fromBody: 0 });
    db.close();
    for (const runId of [compact, pretty]) {
      expect(store.runs.get(runId)?.event.parsedBody).toEqual(body);
      // What a run gets: the parsed body as JSON text, compact whichever way it was sent.
      const eventId = store.runs.get(runId)!.eventId;
      expect(store.runs.eventToRun(eventId)).toMatchObject({
        method: 'POST',
        path: '/hooks/x',
        headers: { 'content-type': 'application/json' },
        query: {},
        parsedJson: JSON.stringify(body),
      });
    }
    expect(store.runs.list({ limit: 10, q: 'ADA@example' }).items.map((r) => r.id)).toEqual([
      pretty,
      compact,
    ]);
    expect(store.runs.list({ limit: 10, q: 'é ✓' }).items).toHaveLength(2);
  });

  it('searches event bodies, filters by time range and counts per status', async () => {
    const wf = workflow();
    const other = workflow('Other');
    const day = 24 * 3_600_000;
    // Ids never go back in time (they are monotonic): these runs are created in the future.
    const t0 = Date.now() + day;
    const ids: string[] = [];
    // Run ids carry the time they were created: create them days apart.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (let i = 0; i < 6; i++) {
        vi.setSystemTime(t0 + i * day);
        ids.push(await accept(wf, { customer: i % 2 === 0 ? 'ada@example.com' : 'bob' }));
      }
    } finally {
      vi.useRealTimers();
    }
    await accept(other, { customer: 'ada@example.com' });
    await finish(ids[0]!, 'succeeded');
    await finish(ids[2]!, 'failed');

    const found = store.runs.list({ limit: 10, workflowId: wf.id, q: 'ADA@example' });
    expect(found.items.map((r) => r.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(found.nextCursor).toBeNull();
    // LIKE wildcards in the text are taken literally.
    expect(store.runs.list({ limit: 10, q: '%' }).items).toEqual([]);
    expect(store.runs.list({ limit: 10, q: 'ada' }).items).toHaveLength(4);

    const page = store.runs.list({ limit: 2, workflowId: wf.id, q: 'ada' });
    expect(page.items.map((r) => r.id)).toEqual([ids[4], ids[2]]);
    const rest = store.runs.list({
      limit: 2,
      workflowId: wf.id,
      q: 'ada',
      cursor: page.nextCursor!,
    });
    expect(rest.items.map((r) => r.id)).toEqual([ids[0]]);

    const range = store.runs.list({
      limit: 10,
      workflowId: wf.id,
      from: t0 + day,
      to: t0 + 3 * day,
    });
    expect(range.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);

    expect(store.runs.counts({ workflowId: wf.id })).toEqual({
      byStatus: {
        queued: 0,
        running: 4,
        waiting: 0,
        succeeded: 1,
        failed: 1,
        filtered: 0,
        canceled: 0,
      },
      total: 6,
      complete: true,
    });
    expect(store.runs.counts({ q: 'ada' })).toMatchObject({
      byStatus: { running: 2, succeeded: 1, failed: 1 },
      total: 4,
      complete: true,
    });
    expect(store.runs.counts({ workflowId: wf.id, from: t0 + 2 * day }).total).toBe(4);
  });

  it('searches the newest runs a window at a time and goes on from the cursor', async () => {
    const wf = workflow();
    const db = new Database(join(dir, 'test.db'));
    const insertEvent = db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path,
      headers, query, body, parsed_body, received_at) VALUES (?, ?, ?, 'POST', '/', '{}', '{}', ?, ?, ?)`);
    const insertRun = db.prepare(`INSERT INTO runs (id, workflow_id, version_id, event_id, status,
      queued_at) VALUES (?, ?, ?, ?, 'succeeded', ?)`);
    const total = SEARCH_WINDOW + 10;
    const t0 = Date.now() - total;
    db.transaction(() => {
      for (let i = 0; i < total; i++) {
        const suffix = String(i).padStart(16, '0');
        // Only the oldest run's body holds the needle: beyond the first window.
        const body = i === 0 ? '{"note":"needle"}' : `{"n":${i}}`;
        const eventId = `${idLowerBound('evt', t0 + i)}${suffix}`;
        insertEvent.run(eventId, wf.triggerId, wf.id, Buffer.from(body), body, t0 + i);
        insertRun.run(
          `${idLowerBound('run', t0 + i)}${suffix}`,
          wf.id,
          wf.versionId,
          eventId,
          t0 + i,
        );
      }
    })();
    db.close();

    const first = store.runs.list({ limit: 50, q: 'needle' });
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = store.runs.list({ limit: 50, q: 'needle', cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(store.runs.counts({ q: 'needle' })).toMatchObject({ total: 0, complete: false });
    expect(store.runs.counts({ q: '"n":' })).toMatchObject({
      total: SEARCH_WINDOW,
      complete: false,
    });
    // Within one workflow the window is smaller: its runs lie scattered over the file.
    expect(store.runs.counts({ workflowId: wf.id, q: '"n":' })).toMatchObject({
      total: SEARCH_WINDOW_FILTERED,
      complete: false,
    });
  });

  it('deletes finished runs with their steps and unused events, all or nothing', async () => {
    const wf = workflow();
    const done = await accept(wf, { n: 1 });
    const other = await accept(wf, { n: 2 });
    const active = await accept(wf, { n: 3 });
    await store.runs.claim({ worker: 'w', limit: 3, leaseMs: 60_000 });
    await store.runs.appendStep(done, encodeStep(step('a', { ok: 1 })));
    await store.runs.finish({
      id: done,
      worker: 'w',
      status: 'succeeded',
      error: null,
      output: null,
    });
    await store.runs.finish({
      id: other,
      worker: 'w',
      status: 'failed',
      error: null,
      output: null,
    });
    const replay = await store.runs.replay({ runId: other, versionId: wf.versionId });

    expect(await store.runs.delete([done, active])).toEqual({
      kind: 'refused',
      runId: active,
      refusal: { kind: 'wrong-status', status: 'running' },
    });
    expect(await store.runs.delete(['run_nope'])).toMatchObject({
      refusal: { kind: 'not-found' },
    });
    expect(store.runs.get(done)).not.toBeNull();

    const doneEvent = store.runs.get(done)!.eventId;
    const otherEvent = store.runs.get(other)!.eventId;
    expect(await store.runs.delete([done, other])).toEqual({
      kind: 'deleted',
      runs: [
        { id: done, workflowId: wf.id },
        { id: other, workflowId: wf.id },
      ],
      events: 1,
    });
    expect(store.runs.get(done)).toBeNull();
    expect(store.runs.steps(done)).toEqual([]);
    expect(store.runs.event(doneEvent)).toBeNull();
    // The replay still uses the other run's event.
    expect(store.runs.event(otherEvent)).not.toBeNull();
    expect(store.runs.get(replay!)?.eventId).toBe(otherEvent);
  });

  it('tells since when the oldest claimable run waits', async () => {
    const wf = workflow();
    expect(store.runs.claimableSince()).toBeNull();
    const before = Date.now();
    await accept(wf, {}, before - 60_000);
    expect(store.runs.claimableSince()).toBe(before - 60_000);
    await store.runs.claim({ worker: 'w', limit: 1, leaseMs: 60_000 });
    expect(store.runs.claimableSince()).toBeNull();
  });
});
