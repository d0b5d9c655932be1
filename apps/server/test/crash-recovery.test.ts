import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookflowInstance } from './child-process.ts';
import { eventually, relayWorkflow, startSink } from './helpers.ts';

let instance: Awaited<ReturnType<typeof hookflowInstance>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  // The default 30 s lease: recovery within the bounded wait below proves the restarted
  // process took the killed one's runs over at once, without waiting for their leases.
  instance = await hookflowInstance({
    WORKER_CONCURRENCY: '8',
    EXECUTION_THREADS: '1',
    LOG_LEVEL: 'info',
  });
  // Each run waits a moment on the sink, so runs are in flight when the process is killed.
  sink = await startSink(200, { delayMs: 100 });
});

afterAll(async () => {
  instance.close();
  await sink.close();
});

describe('kill -9 during a load of webhooks', () => {
  it('runs every accepted webhook exactly once to the end after a restart, without repeating finished steps', async () => {
    const file = join(instance.dir, 'workflow.json');
    writeFileSync(file, JSON.stringify(relayWorkflow(`${sink.url}/in`, { name: 'Crash me' })));
    const imported = await instance.cli('import', file, '--publish');
    expect(imported.code).toBe(0);
    const triggerUrl = imported.stdout.trim();

    const first = await instance.start();
    // One run first, so the execution thread has loaded and the load below really runs.
    const warmUp = await fetch(triggerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":-1}',
    });
    expect(warmUp.status).toBe(202);
    await eventually(() => (sink.received.length > 0 ? true : undefined), 20_000);
    const total = 300;
    const concurrency = 20;
    const killAfter = 100;
    const accepted = new Map<string, number>();
    let next = 0;
    let unanswered = 0;
    let killedAt = 0;
    const sender = async () => {
      while (next < total) {
        const n = next++;
        try {
          const response = await fetch(triggerUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ n }),
            signal: AbortSignal.timeout(10_000),
          });
          if (response.ok) {
            accepted.set(((await response.json()) as { runId: string }).runId, n);
          } else {
            unanswered++;
          }
        } catch {
          unanswered++; // the process is gone
        }
        if (accepted.size >= killAfter && killedAt === 0) {
          killedAt = Date.now();
          const exit = await first.stop('SIGKILL');
          expect(exit.signal).toBe('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, sender));
    expect(killedAt).toBeGreaterThan(0);
    expect(accepted.size).toBeGreaterThanOrEqual(killAfter);
    expect(accepted.size + unanswered).toBe(total);

    const second = await instance.start();
    const api = instance.api;
    await eventually(async () => {
      const [queued, running] = await Promise.all([
        api.runs.list.query({ status: 'queued', limit: 1 }),
        api.runs.list.query({ status: 'running', limit: 1 }),
      ]);
      return queued.items.length + running.items.length === 0 ? true : undefined;
    }, 20_000);
    expect(second.logs()).toContain('runs of a stopped process queued again');

    let interrupted = 0;
    for (const [runId, n] of accepted) {
      const run = await api.runs.get.query({ id: runId });
      expect(run.status, `run ${runId}`).toBe('succeeded');
      expect(run.event.body).toEqual({ n });
      // One record per node per attempt: nothing that finished before the kill ran again.
      expect(run.steps.map((s) => [s.nodeId, s.status, s.attempt])).toEqual([
        ['trigger', 'succeeded', 1],
        ['forward', 'succeeded', 1],
      ]);
      const [trigger, forward] = run.steps;
      if (trigger!.finishedAt < killedAt && forward!.startedAt > killedAt) {
        interrupted++;
      }
    }
    // The kill did land in the middle of runs: some finished their trigger step before it.
    expect(interrupted).toBeGreaterThan(0);
    const delivered = new Set(sink.received.map((r) => (JSON.parse(r.body) as { n: number }).n));
    for (const n of accepted.values()) expect(delivered.has(n)).toBe(true);

    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 90_000);
});
