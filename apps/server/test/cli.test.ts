import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, forwardingWorkflow, startSink } from './helpers.ts';

const bin = fileURLToPath(new URL('../bin/hookflow.js', import.meta.url));
let dir: string;
let port: number;
let env: NodeJS.ProcessEnv;
let sink: Awaited<ReturnType<typeof startSink>>;
let child: ChildProcess | undefined;

function hookflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-cli-'));
  port = await freePort();
  sink = await startSink();
  env = {
    PATH: process.env.PATH,
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_FORMAT: 'json',
    // The sink listens on loopback, which the SSRF guard refuses by default.
    OUTBOUND_ALLOW: '127.0.0.1',
  };
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the hookflow command', () => {
  it('imports, serves a webhook, lists the run as JSON, exports, and stops cleanly on SIGTERM', async () => {
    const file = join(dir, 'workflow.json');
    writeFileSync(file, JSON.stringify(forwardingWorkflow(sink.url)));
    const imported = await hookflow('import', file, '--publish');
    expect(imported.code).toBe(0);
    const triggerUrl = imported.stdout.trim();
    expect(triggerUrl).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${port}/hooks/[A-Za-z0-9_-]{32}$`),
    );
    expect(imported.stderr).toMatch(/published workflow wf_\w+ \(version 1\)/);

    child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    await eventually(async () => {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
      return ready?.ok ? true : undefined;
    }, 20_000);

    const response = await fetch(`${triggerUrl}?source=cli`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await eventually(() => (sink.received.length > 0 ? true : undefined));

    const listed = await eventually(async () => {
      const result = await hookflow('runs', '--json');
      const parsed = JSON.parse(result.stdout) as {
        runs: { id: string; status: string; steps: { status: string }[] }[];
      };
      return parsed.runs[0]?.status === 'succeeded' ? parsed : undefined;
    });
    expect(listed.runs[0]).toMatchObject({ id: runId, status: 'succeeded' });
    expect(listed.runs[0]?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    expect(JSON.parse(sink.received[0]!.body)).toMatchObject({ greeting: 'world' });

    const table = await hookflow('runs', '--status', 'succeeded');
    expect(table.stdout).toContain(runId);
    expect(table.stdout).toContain('Forward orders');

    const workflowId = /workflow (wf_\w+)/.exec(imported.stderr)![1]!;
    const exported = await hookflow('export', workflowId);
    expect(JSON.parse(exported.stdout)).toEqual(forwardingWorkflow(sink.url));

    const exit = new Promise<number | null>((resolve) =>
      child!.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(logs).toContain('shutting down');
    child = undefined;
  });

  it('explains bad input with a non-zero exit', async () => {
    const unknown = await hookflow('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');

    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ format: 'hookflow/workflow@1', name: '', nodes: [] }));
    const refused = await hookflow('import', badFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('name: name must not be empty');

    const missing = await hookflow('import', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');

    const badStatus = await hookflow('runs', '--status', 'exploded');
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toContain('--status must be one of');

    const badPort = await hookflow('migrate', '--port', 'banana');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('PORT (--port)');
  });
});
