import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { benchmarkWorkflow } from './executor.ts';
import { importInto } from './ingest.ts';
import { load, sampleBody } from './load.ts';
import { cpuPer, freePort, startHookflow, startLocalServer } from './processes.ts';
import type { Row } from './report.ts';

export interface EndToEndOptions {
  seconds: number;
  connections: number;
  /** How long to wait for the queue to drain after the load. */
  drainSeconds: number;
  /**
   * Requests a second in all instead of as fast as they are answered: without a backlog, the
   * CPU per run is that of a run alone, which compares two trees more steadily.
   */
  rate?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The load of the ingestion benchmark against trigger -> filter -> transform (5 fields) ->
 * HTTP request to a sink server on loopback, every step recorded. Reads the outcome from the
 * database afterwards: how many runs finished during the load and after draining, the time
 * from acceptance to completion, and how many accepted requests have no finished run.
 */
export async function endToEndBenchmark(options: EndToEndOptions): Promise<Row> {
  const sink = await startLocalServer('sink');
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-bench-e2e-'));
  const port = await freePort();
  const url = await importInto(dataDir, port, benchmarkWorkflow(sinkUrl));
  const hookflow = await startHookflow({
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    // The sink is on loopback, which outgoing requests may not reach unless allowed.
    OUTBOUND_ALLOW: '127.0.0.1',
  });
  const db = new Database(join(dataDir, 'hookflow.db'), { readonly: true });
  const unfinished = db
    .prepare(`SELECT count(*) FROM runs WHERE status IN ('queued', 'running')`)
    .pluck();
  const drain = async (deadline: number) => {
    while ((unfinished.get() as number) > 0 && Date.now() < deadline) await sleep(100);
  };
  const sinkReceived = async () =>
    ((await (await fetch(sinkUrl)).json()) as { received: number }).received;

  try {
    const body = sampleBody();
    await load(url, { ...options, seconds: 1, body }); // warm up
    await drain(Date.now() + options.drainSeconds * 1000);
    const sinkBefore = await sinkReceived();
    const cpuBefore = hookflow.cpuUs();
    const result = await load(url, { ...options, body });
    await drain(result.finishedAt + options.drainSeconds * 1000);
    const cpuAfter = hookflow.cpuUs();
    const from = result.startedAt;
    const counts = Object.fromEntries(
      (
        db
          .prepare('SELECT status, count(*) AS n FROM runs WHERE queued_at >= ? GROUP BY status')
          .all(from) as { status: string; n: number }[]
      ).map((row) => [row.status, row.n]),
    ) as Record<string, number>;
    const durations = db
      .prepare(`SELECT finished_at - queued_at FROM runs
        WHERE queued_at >= ? AND finished_at IS NOT NULL ORDER BY 1`)
      .pluck()
      .all(from) as number[];
    const lastFinished = db
      .prepare('SELECT max(finished_at) FROM runs WHERE queued_at >= ?')
      .pluck()
      .get(from) as number | null;
    const finishedDuringLoad = db
      .prepare('SELECT count(*) FROM runs WHERE queued_at >= ? AND finished_at <= ?')
      .pluck()
      .get(from, result.finishedAt) as number;
    const finished = durations.length;
    const queuedInWindow = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const percentile = (p: number) =>
      finished === 0 ? Number.NaN : durations[Math.min(finished - 1, Math.floor(finished * p))]!;
    const loadSeconds = (result.finishedAt - result.startedAt) / 1000;
    const sinkCount = (await sinkReceived()) - sinkBefore;
    const succeeded = counts.succeeded ?? 0;
    return {
      benchmark: `hookflow end to end (filter, transform, HTTP; history on${options.rate ? `; ${options.rate} requests/s` : ''})`,
      'requests/s': result.requestsPerSecond,
      'p50 ms': result.p50Ms,
      'p99 ms': result.p99Ms,
      // Refused requests, failed runs, and successes the sink did not see.
      errors: result.errors + (finished - succeeded) + Math.abs(sinkCount - succeeded),
      'peak RSS MB': hookflow.peakRssMb(),
      'runs/s': Math.round(finishedDuringLoad / loadSeconds),
      'runs/s drained': lastFinished
        ? Math.round((finished / (lastFinished - result.startedAt)) * 1000)
        : 0,
      'completion p50 ms': percentile(0.5),
      'completion p99 ms': percentile(0.99),
      // Per run finished, its acceptance included: from the load's start to the drained queue.
      ...cpuPer(cpuBefore, cpuAfter, finished),
      // Answered 2xx but not finished after draining, or answered 2xx with no run at all.
      // (Autocannon stops with requests in flight: those may have runs it did not count.)
      lost: queuedInWindow - finished + Math.max(0, result.accepted - queuedInWindow),
    };
  } finally {
    db.close();
    await hookflow.stop();
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
