import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, idLowerBound } from '@hookflow/db';
import type { Row } from './report.ts';

const statuses = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'filtered',
] as const;

/**
 * A history of `total` runs over 20 workflows spread over 30 days, then the latency of the
 * run list's first page (and the next) with and without filters.
 */
export async function historyBenchmark(total = 1_000_000): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-history-'));
  const file = join(dir, 'history.db');
  const store = createStore(file, { synchronous: 'NORMAL' });
  const workflows = Array.from({ length: 20 }, (_, i) =>
    store.workflows.create({ name: `Workflow ${i}`, document: { name: `Workflow ${i}` } }),
  );
  const versions = workflows.map((w) => store.workflows.publish(w.id, { document: {} }));
  const triggers = workflows.map((w) => {
    const found = store.triggers.findByToken(w.triggerToken);
    if (found.kind !== 'live') throw new Error('no trigger');
    return found.target.triggerId;
  });

  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertEvent =
    db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path, headers,
    query, body, parsed_body, content_type, received_at) VALUES (?, ?, ?, 'POST', '/hooks/x', '{}', '{}', ?, ?, 'application/json', ?)`);
  const insertRun =
    db.prepare(`INSERT INTO runs (id, workflow_id, version_id, event_id, status, attempt,
    queued_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`);
  const start = Date.now() - 30 * 24 * 3600 * 1000;
  const step = (30 * 24 * 3600 * 1000) / total;
  const seeding = performance.now();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const time = Math.floor(start + i * step);
      const w = i % workflows.length;
      const suffix = String(i).padStart(16, '0');
      const eventId = `${idLowerBound('evt', time)}${suffix}`;
      const body = `{"order":{"id":${i},"customer":"customer-${i % 5000}@example.com"}}`;
      insertEvent.run(eventId, triggers[w], workflows[w]!.id, Buffer.from(body), body, time);
      insertRun.run(
        `${idLowerBound('run', time)}${suffix}`,
        workflows[w]!.id,
        versions[w]!.id,
        eventId,
        statuses[Math.floor(i / 20) % statuses.length],
        time,
        time + 1,
        time + 15,
      );
    }
  });
  for (let i = 0; i < total; i += 50_000) batch(i, Math.min(total, i + 50_000));
  db.close();
  const seedSeconds = (performance.now() - seeding) / 1000;
  const sizeMb = Math.round(statSync(file).size / 2 ** 20);

  const measure = (name: string, filter: Parameters<typeof store.runs.list>[0]): Row => {
    for (let i = 0; i < 3; i++) store.runs.list(filter); // warm the cache like a busy server
    const times: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const page = store.runs.list(filter);
      times.push(performance.now() - t);
      cursor = page.nextCursor;
    }
    const t = performance.now();
    if (cursor) store.runs.list({ ...filter, cursor });
    const next = performance.now() - t;
    times.sort((a, b) => a - b);
    return {
      benchmark: `history: ${name} (${total.toLocaleString('en-US')} runs, ${sizeMb} MB)`,
      'first page ms (median)': Number(times[10]!.toFixed(2)),
      'first page ms (max)': Number(times[19]!.toFixed(2)),
      'next page ms': Number(next.toFixed(2)),
    };
  };
  const rows = [
    measure('all runs', { limit: 50 }),
    measure('one workflow', { limit: 50, workflowId: workflows[3]!.id }),
    measure('failed only', { limit: 50, status: 'failed' }),
    measure('one workflow, failed', { limit: 50, workflowId: workflows[3]!.id, status: 'failed' }),
  ];
  rows[0]!['seeded in s'] = Number(seedSeconds.toFixed(1));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}
