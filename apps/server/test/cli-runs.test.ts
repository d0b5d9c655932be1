import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookflowInstance } from './child-process.ts';
import { eventually, relayWorkflow, startSink } from './helpers.ts';

let instance: Awaited<ReturnType<typeof hookflowInstance>>;
let flaky: Awaited<ReturnType<typeof startSink>>;
let slow: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  // A short lease: the server renews every 300 ms, which is when it notices a run canceled
  // by another process (the CLI).
  instance = await hookflowInstance({
    LEASE_MS: '900',
    WORKER_CONCURRENCY: '4',
    EXECUTION_THREADS: '1',
  });
  flaky = await startSink(500);
  slow = await startSink(200, { delayMs: 20_000 });
});

afterAll(async () => {
  instance.close();
  await Promise.all([flaky.close(), slow.close()]);
});

async function importWorkflow(name: string, url: string): Promise<string> {
  const file = join(instance.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(relayWorkflow(url, { name })));
  const imported = await instance.cli('import', file, '--publish');
  expect(imported.code).toBe(0);
  return imported.stdout.trim();
}

async function send(triggerUrl: string): Promise<string> {
  const response = await fetch(triggerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"order":1}',
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

const settled = (id: string, status: string) =>
  eventually(async () => {
    const run = await instance.api.runs.get.query({ id });
    return run.status === status ? run : undefined;
  }, 20_000);

describe('hookflow runs replay | resume | cancel', () => {
  it('acts on the runs of a running server from another process', async () => {
    const flakyUrl = await importWorkflow('Flaky', flaky.url);
    const slowUrl = await importWorkflow('Slow', slow.url);
    const server = await instance.start();

    const failedId = await send(flakyUrl);
    await settled(failedId, 'failed');
    flaky.setStatus(200);
    const resumed = await instance.cli('runs', 'resume', failedId);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(resumed.stdout).toContain(
      `Queued run ${failedId} again from its failed step (attempt 2)`,
    );
    const done = await settled(failedId, 'succeeded');
    expect(done.steps.map((s) => [s.nodeId, s.status, s.attempt])).toEqual([
      ['trigger', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'succeeded', 2],
    ]);
    const again = await instance.cli('runs', 'resume', failedId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `error: run ${failedId} is succeeded: only failed runs can be resumed`,
    );

    const replayed = await instance.cli('runs', 'replay', failedId, '--json');
    expect(replayed.code).toBe(0);
    const replay = JSON.parse(replayed.stdout) as { id: string; replayOf: string };
    expect(replay.replayOf).toBe(failedId);
    expect(await settled(replay.id, 'succeeded')).toMatchObject({ replayOf: failedId });

    const stuckId = await send(slowUrl);
    await eventually(() => (slow.received.length === 1 ? true : undefined), 20_000);
    const canceled = await instance.cli('runs', 'cancel', stuckId);
    expect(canceled).toMatchObject({ code: 0, stdout: `Canceled run ${stuckId}.\n` });
    // The server was not told: it notices at its next lease renewal and aborts the request.
    const stopped = await eventually(async () => {
      const run = await instance.api.runs.get.query({ id: stuckId });
      return run.steps.length === 2 ? run : undefined;
    }, 5000);
    expect(stopped.status).toBe('canceled');
    expect(stopped.steps[1]).toMatchObject({ status: 'failed', error: { code: 'CANCELED' } });

    const unknown = await instance.cli('runs', 'cancel', 'run_nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: run run_nope was not found');
    const listed = JSON.parse((await instance.cli('runs', '--json')).stdout) as {
      runs: { id: string; status: string }[];
    };
    expect(listed.runs.map((run) => [run.id, run.status])).toEqual([
      [stuckId, 'canceled'],
      [replay.id, 'succeeded'],
      [failedId, 'succeeded'],
    ]);

    // --current: the workflow is fixed (now forwards to the answering sink) and published.
    const down = await startSink(500);
    const brokenUrl = await importWorkflow('Broken', down.url);
    const brokenId = await send(brokenUrl);
    const broken = await settled(brokenId, 'failed');
    await instance.api.workflows.saveDraft.mutate({
      id: broken.workflowId,
      document: relayWorkflow(flaky.url, { name: 'Broken' }),
    });
    const { versionId } = await instance.api.workflows.publish.mutate({ id: broken.workflowId });
    const current = await instance.cli('runs', 'resume', brokenId, '--current');
    expect(current).toMatchObject({ code: 0, stderr: '' });
    expect(current.stdout).toContain(
      `Queued run ${brokenId} again from its failed step (attempt 2, on the published version ${versionId}).`,
    );
    const fixed = await settled(brokenId, 'succeeded');
    expect(fixed.versionId).toBe(versionId);
    expect(fixed.steps.map((s) => [s.nodeId, s.status, s.attempt])).toEqual([
      ['trigger', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'succeeded', 2],
    ]);
    expect(down.received).toHaveLength(1);
    await down.close();

    expect((await server.stop('SIGTERM')).code).toBe(0);
  }, 90_000);

  it('explains a wrong subcommand or a missing id, and lists the commands in its usage', async () => {
    const wrong = await instance.cli('runs', 'explode', 'run_x');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('unknown runs command "explode": use replay, resume, cancel');
    const missing = await instance.cli('runs', 'replay');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('runs replay needs a run id');
    const help = await instance.cli('help');
    expect(help.stdout).toContain('runs resume <run-id> [--current]');
    expect(help.stdout).toContain('LEASE_MS --lease-ms');
  }, 30_000);
});
