import type { DbHandle } from './client.ts';
import { idLowerBound } from './ids.ts';
import { type RunStatus, runStatuses } from './runs.ts';

export interface StatsBucket {
  /** The bucket's start, ms since the epoch. */
  start: number;
  counts: Record<RunStatus, number>;
}

export interface WorkflowOverview {
  since: number;
  until: number;
  bucketMs: number;
  buckets: StatsBucket[];
  totals: Record<RunStatus, number>;
  /** (succeeded + filtered) / (succeeded + filtered + failed); null with no finished run. */
  successRate: number | null;
  /** Over the newest `durationSample` finished runs of the window. */
  durations: { sample: number; medianMs: number | null; p95Ms: number | null };
  /** The most frequent run errors among the newest failed runs of the window. */
  topErrors: { message: string; count: number; lastRunId: string; lastAt: number }[];
}

export interface OverviewQuery {
  workflowId: string;
  since: number;
  until: number;
  bucketMs: number;
  /** How many of the newest finished runs the duration percentiles read (default 10,000). */
  durationSample?: number;
  /** How many of the newest failed runs the error ranking reads (default 1,000). */
  errorSample?: number;
}

const zeroCounts = (): Record<RunStatus, number> =>
  Object.fromEntries(runStatuses.map((status) => [status, 0])) as Record<RunStatus, number>;

/** The value at `fraction` (0..1) of sorted numbers, nearest rank. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Aggregates over the run history of one workflow. Every query reads the
 * `runs_workflow_status (workflow_id, status, id)` index: run ids are ULIDs, so a time range is
 * an id range, and counting needs no table row. Only the percentiles and the error ranking read
 * rows, and only a bounded number of the newest.
 */
export function createStatsStore({ sqlite }: DbHandle) {
  const countRange = sqlite.prepare(`SELECT count(*) AS n FROM runs
    WHERE workflow_id = ? AND status = ? AND id >= ? AND id < ?`);
  const finishedDurations = sqlite.prepare(`SELECT finished_at - started_at AS ms FROM runs
    WHERE workflow_id = @workflowId AND status IN ('succeeded', 'failed', 'filtered')
      AND id >= @from AND id < @to AND started_at IS NOT NULL AND finished_at IS NOT NULL
    ORDER BY id DESC LIMIT @limit`);
  const failedErrors = sqlite.prepare(`SELECT message, count(*) AS count, max(id) AS lastRunId,
      max(queued_at) AS lastAt
    FROM (SELECT id, queued_at,
        coalesce(json_extract(error, '$.message'), json_extract(error, '$'), 'unknown error')
          AS message
      FROM runs WHERE workflow_id = @workflowId AND status = 'failed'
        AND id >= @from AND id < @to
      ORDER BY id DESC LIMIT @limit)
    GROUP BY message ORDER BY count DESC, lastRunId DESC LIMIT 5`);

  return {
    /** Runs per bucket and status, success rate, duration percentiles and frequent errors. */
    overview(query: OverviewQuery): WorkflowOverview {
      const { workflowId, since, until, bucketMs } = query;
      const from = idLowerBound('run', since);
      const to = idLowerBound('run', until);
      const totals = zeroCounts();
      const buckets: StatsBucket[] = [];
      for (let start = since; start < until; start += bucketMs) {
        const low = idLowerBound('run', start);
        const high = idLowerBound('run', Math.min(until, start + bucketMs));
        const counts = zeroCounts();
        for (const status of runStatuses) {
          const n = (countRange.get(workflowId, status, low, high) as { n: number }).n;
          counts[status] = n;
          totals[status] += n;
        }
        buckets.push({ start, counts });
      }
      const good = totals.succeeded + totals.filtered;
      const finished = good + totals.failed;

      const durations = (
        finishedDurations.all({
          workflowId,
          from,
          to,
          limit: query.durationSample ?? 10_000,
        }) as { ms: number }[]
      )
        .map((row) => row.ms)
        .sort((a, b) => a - b);

      const topErrors = (
        failedErrors.all({ workflowId, from, to, limit: query.errorSample ?? 1000 }) as {
          message: unknown;
          count: number;
          lastRunId: string;
          lastAt: number;
        }[]
      ).map((row) => ({ ...row, message: String(row.message) }));

      return {
        since,
        until,
        bucketMs,
        buckets,
        totals,
        successRate: finished === 0 ? null : good / finished,
        durations: {
          sample: durations.length,
          medianMs: percentile(durations, 0.5),
          p95Ms: percentile(durations, 0.95),
        },
        topErrors,
      };
    },
  };
}

export type StatsStore = ReturnType<typeof createStatsStore>;
