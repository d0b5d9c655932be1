import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idLowerBound } from './ids.ts';
import type { RunStatus } from './runs.ts';
import { percentile } from './stats.ts';
import { createStore, type Store } from './store.ts';

const HOUR = 3600_000;
const now = Date.UTC(2026, 10, 28, 12, 0, 0);

let dir: string;
let file: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-stats-'));
  file = join(dir, 'test.db');
  store = createStore(file);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes runs with chosen times and statuses straight into the file, as a past would have. */
function seed(
  workflowId: string,
  runs: { at: number; status: RunStatus; ms?: number; error?: unknown }[],
) {
  const trigger = store.triggers.forWorkflow(workflowId)!;
  const version = store.workflows.publish(workflowId, { document: {} });
  const db = new Database(file);
  const insertEvent = db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path,
    headers, query, body, received_at) VALUES (?, ?, ?, 'POST', '/', '{}', '{}', x'', ?)`);
  const insertRun = db.prepare(`INSERT INTO runs (id, workflow_id, version_id, event_id, status,
    queued_at, started_at, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    runs.forEach((run, i) => {
      const suffix = `${workflowId.slice(-4)}${String(i).padStart(12, '0')}`;
      const eventId = `${idLowerBound('evt', run.at)}${suffix}`;
      insertEvent.run(eventId, trigger.id, workflowId, run.at);
      const finished = run.status !== 'queued' && run.status !== 'running';
      insertRun.run(
        `${idLowerBound('run', run.at)}${suffix}`,
        workflowId,
        version.id,
        eventId,
        run.status,
        run.at,
        run.status === 'queued' ? null : run.at + 1,
        finished ? run.at + 1 + (run.ms ?? 10) : null,
        run.error === undefined ? null : JSON.stringify(run.error),
      );
    });
  })();
  db.close();
}

describe('workflow overview statistics', () => {
  it('counts runs per hour and status, with rate, percentiles and frequent errors', () => {
    const wf = store.workflows.create({ name: 'Orders', document: {} });
    const other = store.workflows.create({ name: 'Other', document: {} });
    const since = now - 3 * HOUR;
    seed(wf.id, [
      { at: since - 1, status: 'failed', error: { message: 'too old' } }, // before the window
      { at: since, status: 'succeeded', ms: 10 },
      { at: since + HOUR - 1, status: 'succeeded', ms: 20 },
      { at: since + HOUR, status: 'failed', ms: 30, error: { message: 'HTTP 500' } },
      { at: since + HOUR + 5, status: 'failed', ms: 40, error: { message: 'HTTP 500' } },
      { at: since + HOUR + 9, status: 'failed', ms: 50, error: 'timeout' },
      { at: since + 2 * HOUR, status: 'filtered', ms: 60 },
      { at: since + 2 * HOUR + 1, status: 'queued' },
      { at: now, status: 'succeeded' }, // the end is exclusive
    ]);
    seed(other.id, [{ at: since + 10, status: 'failed', error: { message: 'not mine' } }]);

    const overview = store.stats.overview({ workflowId: wf.id, since, until: now, bucketMs: HOUR });
    expect(overview.buckets.map((bucket) => bucket.start)).toEqual([
      since,
      since + HOUR,
      since + 2 * HOUR,
    ]);
    expect(overview.buckets.map((bucket) => bucket.counts)).toEqual([
      { queued: 0, running: 0, waiting: 0, succeeded: 2, failed: 0, filtered: 0, canceled: 0 },
      { queued: 0, running: 0, waiting: 0, succeeded: 0, failed: 3, filtered: 0, canceled: 0 },
      { queued: 1, running: 0, waiting: 0, succeeded: 0, failed: 0, filtered: 1, canceled: 0 },
    ]);
    expect(overview.totals).toMatchObject({ succeeded: 2, failed: 3, filtered: 1, queued: 1 });
    expect(overview.successRate).toBeCloseTo(3 / 6);
    expect(overview.durations).toEqual({ sample: 6, medianMs: 30, p95Ms: 60 });
    expect(overview.topErrors.map(({ message, count }) => ({ message, count }))).toEqual([
      { message: 'HTTP 500', count: 2 },
      { message: 'timeout', count: 1 },
    ]);
    expect(overview.topErrors[0]!.lastAt).toBe(since + HOUR + 5);
  });

  it('answers an empty history with zeros and no rate', () => {
    const wf = store.workflows.create({ name: 'Quiet', document: {} });
    const overview = store.stats.overview({
      workflowId: wf.id,
      since: now - 24 * HOUR,
      until: now,
      bucketMs: HOUR,
    });
    expect(overview.buckets).toHaveLength(24);
    expect(overview.successRate).toBeNull();
    expect(overview.durations).toEqual({ sample: 0, medianMs: null, p95Ms: null });
    expect(overview.topErrors).toEqual([]);
  });

  it('reads only the newest runs for percentiles when told to', () => {
    const wf = store.workflows.create({ name: 'Sampled', document: {} });
    seed(
      wf.id,
      [100, 200, 300, 400].map((ms, i) => ({ at: now - HOUR + i, status: 'succeeded', ms })),
    );
    const overview = store.stats.overview({
      workflowId: wf.id,
      since: now - HOUR,
      until: now,
      bucketMs: HOUR,
      durationSample: 2,
    });
    expect(overview.durations).toEqual({ sample: 2, medianMs: 300, p95Ms: 400 });
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(95);
  });
});
