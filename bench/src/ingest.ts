import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { runCli } from '@hookflow/server';
import { load, sampleBody } from './load.ts';
import { type Child, cpuPer, freePort, startHookflow, startLocalServer } from './processes.ts';
import type { Row } from './report.ts';

export interface IngestOptions {
  seconds: number;
  connections: number;
}

async function measure(
  name: string,
  child: Child,
  url: string,
  options: IngestOptions,
): Promise<Row> {
  try {
    const body = sampleBody();
    await load(url, { ...options, seconds: 1, body }); // warm up
    const before = child.cpuUs();
    const result = await load(url, { ...options, body });
    return {
      benchmark: name,
      'requests/s': result.requestsPerSecond,
      'p50 ms': result.p50Ms,
      'p99 ms': result.p99Ms,
      errors: result.errors,
      'peak RSS MB': child.peakRssMb(),
      // Per request answered: steadier than the throughput on a shared machine.
      ...cpuPer(before, child.cpuUs(), result.total),
    };
  } finally {
    await child.stop();
  }
}

const triggerOnly = {
  format: WORKFLOW_FORMAT,
  name: 'Ingest benchmark',
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
  ],
  edges: [],
  settings: {},
};

/**
 * Imports and publishes a workflow into a fresh data folder (the CLI, before the server starts)
 * and returns its trigger URL, or with `id` its id.
 */
export async function importInto(
  dataDir: string,
  port: number,
  document: unknown,
  options: { id?: boolean } = {},
): Promise<string> {
  const file = join(dataDir, 'workflow.json');
  writeFileSync(file, JSON.stringify(document));
  let url = '';
  const code = await runCli(['import', file, '--publish', ...(options.id ? ['--json'] : [])], {
    out: (text) => {
      url = options.id ? (JSON.parse(text) as { id: string }).id : text.trim();
    },
    err: () => {},
    env: { DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent' },
  });
  if (code !== 0) throw new Error('import failed');
  return url;
}

/** The floors and Hookflow's durable acceptance, side by side, in one run. */
export async function ingestBenchmarks(options: IngestOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const http = await startLocalServer('http-floor');
  rows.push(
    await measure('floor: bare http, 202', http, `http://127.0.0.1:${http.port}/`, options),
  );
  const sqlite = await startLocalServer('sqlite-floor');
  rows.push(
    await measure(
      'floor: http + SQLite insert (NORMAL)',
      sqlite,
      `http://127.0.0.1:${sqlite.port}/`,
      options,
    ),
  );

  for (const level of ['FULL', 'NORMAL'] as const) {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-bench-'));
    const port = await freePort();
    const url = await importInto(dataDir, port, triggerOnly);
    const hookflow = await startHookflow({
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DB_SYNCHRONOUS: level,
    });
    rows.push(await measure(`hookflow ingest (synchronous=${level})`, hookflow, url, options));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}
