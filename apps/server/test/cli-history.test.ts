import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookflowInstance } from './child-process.ts';
import { eventually, relayWorkflow, startSink } from './helpers.ts';

let instance: Awaited<ReturnType<typeof hookflowInstance>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  instance = await hookflowInstance({ EXECUTION_THREADS: '1', HISTORY_PAYLOAD_MAX_BYTES: '1024' });
  sink = await startSink();
});

afterAll(async () => {
  instance.close();
  await sink.close();
});

async function send(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

describe('hookflow runs --search | export | delete', () => {
  it('finds, exports and deletes runs of a running server from another process', async () => {
    const file = join(instance.dir, 'relay.json');
    writeFileSync(file, JSON.stringify(relayWorkflow(`${sink.url}/in`, { name: 'Orders' })));
    const imported = await instance.cli('import', file, '--publish');
    expect(imported.code).toBe(0);
    const url = imported.stdout.trim();
    const server = await instance.start();

    const big = 'b'.repeat(3000);
    const ada = await send(url, { customer: 'ada@example.com', big }, { 'x-api-key': 'k-123' });
    const bob = await send(url, { customer: 'bob@example.com' });
    await eventually(async () => {
      const runs = await Promise.all([ada, bob].map((id) => instance.api.runs.get.query({ id })));
      return runs.every((run) => run.status === 'succeeded') ? true : undefined;
    }, 20_000);

    const found = await instance.cli('runs', '--search', 'ADA@example');
    expect(found.code).toBe(0);
    expect(found.stdout.trim().split('\n')).toEqual([expect.stringMatching(`^${ada}  succeeded`)]);
    const none = await instance.cli('runs', '--search', 'nobody');
    expect(none).toMatchObject({ code: 0, stdout: 'no runs match\n' });

    const out = join(instance.dir, 'run.json');
    const exported = await instance.cli('runs', 'export', ada, '--out', out);
    expect(exported).toMatchObject({ code: 0, stderr: `Wrote run ${ada} to ${out}.\n` });
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document).toMatchObject({
      format: 'hookflow/run@1',
      run: { id: ada, status: 'succeeded', workflowName: 'Orders' },
      event: { headers: { 'x-api-key': '••••••' }, body: { customer: 'ada@example.com', big } },
    });
    // The history kept the step payloads truncated (HISTORY_PAYLOAD_MAX_BYTES=1024).
    expect(document.steps[0].output).toMatchObject({ $truncated: true });

    const missing = await instance.cli('runs', 'delete', 'run_missing');
    expect(missing).toMatchObject({ code: 1, stderr: 'error: run run_missing was not found\n' });
    const deleted = await instance.cli('runs', 'delete', ada, bob);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Deleted 2 runs.\n' });
    expect((await instance.cli('runs')).stdout).toBe('no runs yet\n');
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    // A child server and seven CLI processes: slow on two busy cores.
  }, 90_000);
});
