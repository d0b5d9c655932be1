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
    // As ingest keeps a compact JSON body: once, raw (parsed_from_body).
    db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path, headers,
    query, body, parsed_body, parsed_from_body, content_type, received_at)
    VALUES (?, ?, ?, 'POST', '/hooks/x', '{}', '{}', ?, NULL, 1, 'application/json', ?)`);
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
      insertEvent.run(eventId, triggers[w], workflows[w]!.id, Buffer.from(body), time);
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

  /** Median and max of 20 timed calls after 3 warming ones (a busy server's cache). */
  const time = (call: () => unknown) => {
    for (let i = 0; i < 3; i++) call();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      call();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { median: Number(times[10]!.toFixed(2)), max: Number(times[19]!.toFixed(2)) };
  };
  const label = (name: string) =>
    `history: ${name} (${total.toLocaleString('en-US')} runs, ${sizeMb} MB)`;
  const measure = (name: string, filter: Parameters<typeof store.runs.list>[0]): Row => {
    const first = time(() => store.runs.list(filter));
    const cursor = store.runs.list(filter).nextCursor;
    const t = performance.now();
    const next = cursor ? store.runs.list({ ...filter, cursor }) : null;
    const nextMs = performance.now() - t;
    return {
      benchmark: label(name),
      'first page ms (median)': first.median,
      'first page ms (max)': first.max,
      'next page ms': Number(nextMs.toFixed(2)),
      ...(filter.q !== undefined
        ? { 'runs found': store.runs.list(filter).items.length + (next?.items.length ?? 0) }
        : {}),
    };
  };
  const measureCounts = (name: string, filter: Parameters<typeof store.runs.counts>[0]): Row => {
    const counts = time(() => store.runs.counts(filter));
    return {
      benchmark: label(`counts, ${name}`),
      'first page ms (median)': counts.median,
      'first page ms (max)': counts.max,
    };
  };
  const rows = [
    measure('all runs', { limit: 50 }),
    measure('one workflow', { limit: 50, workflowId: workflows[3]!.id }),
    measure('failed only', { limit: 50, status: 'failed' }),
    measure('one workflow, failed', { limit: 50, workflowId: workflows[3]!.id, status: 'failed' }),
    // Every body holds "example.com": the page fills at once.
    measure('search, common text', { limit: 50, q: 'example.com' }),
    // One customer in 5,000: a page reads its whole window (10,000 runs) for 2 matches.
    measure('search, rare text', { limit: 50, q: 'customer-4242@' }),
    // Customer 4242's runs all belong to workflow 2: in workflow 3 the whole window, no match.
    measure('search, one workflow, no match', {
      limit: 50,
      workflowId: workflows[3]!.id,
      q: 'customer-4242@',
    }),
    measureCounts('all runs', {}),
    measureCounts('one workflow', { workflowId: workflows[3]!.id }),
    measureCounts('last 24 hours', { from: Date.now() - 24 * 3_600_000 }),
    measureCounts('search, rare text', { q: 'customer-4242@' }),
  ];
  rows[0]!['seeded in s'] = Number(seedSeconds.toFixed(1));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}
