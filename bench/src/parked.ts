import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '@hookflow/db';
import type { Row } from './report.ts';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The worker's claim while many runs are parked by a delay (status `waiting`, due in an hour):
 * each claim must find the due ones without looking at the others. Measures a claim that finds
 * nothing due, and one that takes 16 runs that just came due.
 */
export async function parkedBenchmark(parked = 200_000): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-parked-'));
  const file = join(dir, 'parked.db');
  const store = createStore(file, { synchronous: 'NORMAL' });
  const workflow = store.workflows.create({ name: 'Delayed', document: {} });
  const version = store.workflows.publish(workflow.id, { document: {} });
  const trigger = store.triggers.forWorkflow(workflow.id)!;
  const now = Date.now();
  const dueFrom = now + 3_600_000;

  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const insertEvent = db.prepare(`INSERT INTO events (id, trigger_id, workflow_id, method, path,
    headers, query, body, received_at) VALUES (?, ?, ?, 'POST', '', '{}', '{}', x'', ?)`);
  const insertRun = db.prepare(`INSERT INTO runs (id, workflow_id, version_id, event_id, status,
    attempt, queued_at, not_before) VALUES (?, ?, ?, ?, 'waiting', 1, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < parked; i++) {
      const id = String(i).padStart(9, '0');
      insertEvent.run(`evt_${id}`, trigger.id, workflow.id, now);
      insertRun.run(`run_${id}`, workflow.id, version.id, `evt_${id}`, now, dueFrom + i);
    }
  })();
  db.close();

  const idle: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await store.runs.claim({ worker: 'bench', limit: 16, leaseMs: 30_000, now });
    idle.push(performance.now() - started);
  }
  const due: number[] = [];
  let claimed = 0;
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const runs = await store.runs.claim({
      worker: 'bench',
      limit: 16,
      leaseMs: 30_000,
      now: dueFrom + (i + 1) * 16 - 1,
    });
    due.push(performance.now() - started);
    claimed += runs.length;
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return [
    {
      benchmark: `claim, nothing due, ${parked.toLocaleString('en-US')} parked runs`,
      'median ms': round(median(idle)),
    },
    {
      benchmark: `claim 16 due, ${parked.toLocaleString('en-US')} parked runs`,
      'median ms': round(median(due)),
      claimed,
    },
  ];
}
