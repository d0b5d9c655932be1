import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '@hookflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookflowInstance } from './child-process.ts';
import { eventually, relayWorkflow, startSink } from './helpers.ts';

let instance: Awaited<ReturnType<typeof hookflowInstance>>;
let fast: Awaited<ReturnType<typeof startSink>>;
let slow: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  instance = await hookflowInstance({
    SHUTDOWN_TIMEOUT_MS: '1500',
    WORKER_CONCURRENCY: '4',
    EXECUTION_THREADS: '1',
    LOG_LEVEL: 'info',
  });
  fast = await startSink(200, { delayMs: 300 });
  slow = await startSink(200, { delayMs: 20_000 });
});

afterAll(async () => {
  instance.close();
  await Promise.all([fast.close(), slow.close()]);
});

async function importWorkflow(name: string, url: string): Promise<string> {
  const file = join(instance.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(relayWorkflow(url, { name })));
  const imported = await instance.cli('import', file, '--publish');
  expect(imported.code).toBe(0);
  return imported.stdout.trim();
}

async function send(triggerUrl: string, n: number): Promise<string> {
  const response = await fetch(triggerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

/** The runs as the database holds them, read the way the CLI would, while nothing runs. */
function readRuns(file: string) {
  const db = createDb(file, { migrate: false });
  try {
    return db.sqlite
      .prepare('SELECT id, status, lease_owner, lease_expires_at FROM runs ORDER BY id')
      .all() as {
      id: string;
      status: string;
      lease_owner: string | null;
      lease_expires_at: number | null;
    }[];
  } finally {
    db.close();
  }
}

describe('SIGTERM with runs in flight', () => {
  it('exits 0, finishing what it can and handing the rest back, which runs after a restart', async () => {
    const quickUrl = await importWorkflow('Quick', fast.url);
    const stuckUrl = await importWorkflow('Stuck', slow.url);
    const first = await instance.start();
    const quick = [await send(quickUrl, 1), await send(quickUrl, 2)];
    const stuck = [await send(stuckUrl, 3), await send(stuckUrl, 4)];
    await eventually(
      () => (fast.received.length === 2 && slow.received.length === 2 ? true : undefined),
      20_000,
    );

    const exit = await first.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(first.logs()).toContain('unfinished runs handed back to the queue');

    const byId = new Map(readRuns(instance.databaseFile).map((run) => [run.id, run]));
    // The quick runs finished within SHUTDOWN_TIMEOUT_MS; the stuck ones were handed back.
    for (const id of quick) expect(byId.get(id)?.status).toBe('succeeded');
    for (const id of stuck) {
      expect(byId.get(id)).toMatchObject({
        status: 'queued',
        lease_owner: null,
        lease_expires_at: null,
      });
    }

    slow.setDelayMs(0);
    const second = await instance.start();
    for (const id of stuck) {
      const run = await eventually(async () => {
        const found = await instance.api.runs.get.query({ id });
        return found.status === 'succeeded' ? found : undefined;
      }, 20_000);
      // The step cut short by the shutdown was not recorded; it ran again, once.
      expect(run.steps.map((s) => [s.nodeId, s.status, s.attempt])).toEqual([
        ['trigger', 'succeeded', 1],
        ['forward', 'succeeded', 1],
      ]);
    }
    expect(slow.received).toHaveLength(4);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 90_000);
});
