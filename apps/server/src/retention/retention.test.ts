import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers.ts';
import { createRetention } from './retention.ts';

let dir: string;
let store: Store;
let workflow: { id: string; versionId: string; triggerId: string };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-retention-'));
  store = createStore(join(dir, 'hookflow.db'));
  const created = store.workflows.create({ name: 'Orders', document: {} });
  const version = store.workflows.publish(created.id, { document: {} });
  const lookup = store.triggers.findByToken(created.triggerToken);
  if (lookup.kind !== 'live') throw new Error('expected a live trigger');
  workflow = { id: created.id, versionId: version.id, triggerId: lookup.target.triggerId };
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const accept = (n: number) =>
  store.ingest.accept({
    triggerId: workflow.triggerId,
    workflowId: workflow.id,
    versionId: workflow.versionId,
    event: {
      method: 'POST',
      path: '/hooks/x',
      headers: {},
      query: {},
      body: Buffer.from(`{"n":${n}}`),
      parsedBody: { n },
      contentType: 'application/json',
      receivedAt: Date.now(),
    },
    request: { method: 'POST', size: 7, remoteAddress: null, headers: {} },
    answerStatus: 202,
  });

async function finishedRuns(n: number) {
  const ids = await Promise.all(Array.from({ length: n }, (_, i) => accept(i)));
  await store.runs.claim({ worker: 'w', limit: n, leaseMs: 60_000 });
  await Promise.all(
    ids.map(({ runId }) =>
      store.runs.finish({
        id: runId!,
        worker: 'w',
        status: 'succeeded',
        error: null,
        output: null,
      }),
    ),
  );
}

const logger = pino({ level: 'silent' });
const runCount = () => store.runs.counts({ workflowId: workflow.id }).total;

describe('background retention', () => {
  it('commits webhooks between its batches', async () => {
    await finishedRuns(300);
    const retention = createRetention({
      store,
      logger,
      maxAgeMs: 0,
      maxRunsPerWorkflow: 10,
      batchSize: 10,
      intervalMs: 60_000,
    });
    const order: string[] = [];
    const pass = retention.runPass().then((summary) => {
      order.push('pass done');
      return summary;
    });
    // Queued after the first batch started: committed while the pass still has batches to go.
    const accepted = accept(1000).then(() => order.push('webhook committed'));
    const [summary] = await Promise.all([pass, accepted]);
    expect(order).toEqual(['webhook committed', 'pass done']);
    // The run limit was taken before the webhook came; the request log's after: it has 301 lines.
    expect(summary).toMatchObject({ runs: 290, events: 290, requests: 291 });
    expect(summary.batches).toBeGreaterThanOrEqual(29 + 29);
    expect(runCount()).toBe(11);
  });

  it('prunes on its own once started, and stops', async () => {
    await finishedRuns(30);
    const retention = createRetention({
      store,
      logger,
      maxAgeMs: 0,
      maxRunsPerWorkflow: 5,
      batchSize: 4,
      intervalMs: 60_000,
      firstPassDelayMs: 10,
    });
    retention.start();
    try {
      await eventually(() => (runCount() === 5 ? true : undefined), 5000);
      // Then it gives the freed pages back.
      await eventually(() => (store.retention.pages().freePages === 0 ? true : undefined), 5000);
    } finally {
      await retention.stop();
    }
  });
});
