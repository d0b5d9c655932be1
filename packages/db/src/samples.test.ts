import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from './store.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-samples-'));
  store = createStore(join(dir, 'test.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('samples written by hand', () => {
  it('are stored as an event of the workflow, at its trigger path, without a run', () => {
    const workflow = store.workflows.create({ name: 'Leads', document: {} });
    const sample = store.samples.createFromRequest({
      workflowId: workflow.id,
      name: 'Form post',
      request: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        query: { form: 'contact' },
        body: Buffer.from('name=Ada&tag=a&tag=b'),
        parsedBody: { name: 'Ada', tag: ['a', 'b'] },
        contentType: 'application/x-www-form-urlencoded',
      },
      now: 1_700_000_000_000,
    });
    expect(sample).toMatchObject({ workflowId: workflow.id, name: 'Form post' });
    expect(store.samples.list(workflow.id)).toEqual([sample]);
    const event = store.runs.event(sample!.eventId)!;
    expect(event).toMatchObject({
      workflowId: workflow.id,
      method: 'POST',
      path: `/hooks/${workflow.triggerToken}`,
      query: { form: 'contact' },
      parsedBody: { name: 'Ada', tag: ['a', 'b'] },
      contentType: 'application/x-www-form-urlencoded',
      receivedAt: 1_700_000_000_000,
    });
    expect(event.body.toString()).toBe('name=Ada&tag=a&tag=b');
    expect(store.ingest.listRequests({ triggerId: event.triggerId, limit: 10 }).items).toEqual([]);
  });

  it('need an existing workflow', () => {
    expect(
      store.samples.createFromRequest({
        workflowId: 'wf_missing',
        name: 'x',
        request: {
          method: 'POST',
          headers: {},
          query: {},
          body: Buffer.alloc(0),
          parsedBody: null,
          contentType: null,
        },
      }),
    ).toBeNull();
  });
});
