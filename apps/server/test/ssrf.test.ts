import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, forwardingWorkflow, startHookflow, startSink } from './helpers.ts';

let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  sink = await startSink();
});

afterAll(async () => {
  await sink.close();
});

/** Posts one webhook to a workflow that forwards it to the loopback sink; returns the run. */
async function forwardOnce(hookflow: Awaited<ReturnType<typeof startHookflow>>) {
  const imported = await hookflow.api.workflows.import.mutate({
    document: forwardingWorkflow(sink.url),
    publish: true,
  });
  const response = await fetch(hookflow.localUrl(imported.triggerUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"hello":"inside"}',
  });
  expect(response.status).toBe(202);
  const { runId } = (await response.json()) as { runId: string };
  return eventually(async () => {
    const detail = await hookflow.api.runs.get.query({ id: runId });
    return detail.finishedAt ? detail : undefined;
  });
}

// Both ways runs execute: in execution threads (which build their own HTTP client from the
// setting) and in the main thread.
describe.each([
  { where: 'an execution thread', threads: 1 },
  { where: 'the main thread', threads: 0 },
])('the HTTP request node in $where', ({ threads }) => {
  it('fails the step on a loopback destination when OUTBOUND_ALLOW is empty', async () => {
    const hookflow = await startHookflow({ threads, outboundAllow: '' });
    try {
      const before = sink.received.length;
      const run = await forwardOnce(hookflow);
      expect(run.status).toBe('failed');
      const step = run.steps.find((s) => s.nodeKey === 'forward');
      expect(step?.status).toBe('failed');
      expect(step?.error).toEqual({
        code: 'OUTBOUND_BLOCKED',
        message: `request to ${sink.url}/orders?source= failed: 127.0.0.1 is a loopback address; requests to internal networks are refused (allow it with OUTBOUND_ALLOW)`,
      });
      expect(sink.received.length).toBe(before);
    } finally {
      await hookflow.close();
    }
  });

  it('reaches it when OUTBOUND_ALLOW names it', async () => {
    const hookflow = await startHookflow({ threads, outboundAllow: '127.0.0.0/8' });
    try {
      const run = await forwardOnce(hookflow);
      expect(run.status).toBe('succeeded');
      expect(sink.received.at(-1)?.body).toContain('inside');
    } finally {
      await hookflow.close();
    }
  });
});
