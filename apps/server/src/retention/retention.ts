import { setImmediate as nextTurn } from 'node:timers/promises';
import type { PruneCounts, Store } from '@hookflow/db';
import type { Logger } from '../logger.ts';

export interface RetentionOptions {
  store: Store;
  logger: Logger;
  /** Finished runs older than this are pruned; 0 keeps them whatever their age. */
  maxAgeMs: number;
  /** Per workflow, finished runs beyond the newest this many are pruned; 0: no limit. */
  maxRunsPerWorkflow: number;
  /** Rows per batch (per table). */
  batchSize: number;
  /** Time between two passes; the first pass starts shortly after start(). */
  intervalMs: number;
  /** Free pages given back to the file system per step (default 1000 pages, 4 MiB). */
  vacuumPages?: number;
  /** Delay before the first pass (default 5 s, so a start is not slowed by it). */
  firstPassDelayMs?: number;
}

export interface PassSummary extends PruneCounts {
  batches: number;
  /** Pages given back to the file system. */
  reclaimedPages: number;
}

export interface Retention {
  start(): void;
  /** Runs one whole pass now (or waits for the one in progress); resolves with what it did. */
  runPass(): Promise<PassSummary>;
  /** Stops between two batches; resolves once the pass in progress has stopped. */
  stop(): Promise<void>;
}

/**
 * Prunes the history in the background: every `intervalMs`, a pass deletes what the retention
 * policy no longer keeps in small batches, each its own short transaction, and yields to the
 * event loop between two batches so webhooks keep being accepted. Then it hands the freed pages
 * back to the file system (`PRAGMA incremental_vacuum`), again in steps.
 *
 * @example
 * const retention = createRetention({ store, logger, maxAgeMs: 30 * 86_400_000,
 *   maxRunsPerWorkflow: 10_000, batchSize: 500, intervalMs: 300_000 });
 * retention.start();
 */
export function createRetention(options: RetentionOptions): Retention {
  const { store, logger } = options;
  const vacuumPages = options.vacuumPages ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<PassSummary> | null = null;
  let stopped = false;

  const pass = async (): Promise<PassSummary> => {
    const summary: PassSummary = {
      runs: 0,
      events: 0,
      requests: 0,
      deliveries: 0,
      batches: 0,
      reclaimedPages: 0,
    };
    const prune = store.retention.pass({
      maxAgeMs: options.maxAgeMs,
      maxRunsPerWorkflow: options.maxRunsPerWorkflow,
      batchSize: options.batchSize,
    });
    while (!stopped) {
      const counts = prune.next();
      if (!counts) break;
      summary.runs += counts.runs;
      summary.events += counts.events;
      summary.requests += counts.requests;
      summary.deliveries += counts.deliveries;
      summary.batches++;
      await nextTurn();
    }
    // Deleted rows (here, or through the API) leave free pages: give them back, a step at a time.
    let free = store.retention.pages().freePages;
    while (!stopped && free > 0) {
      const left = store.retention.reclaimSpace(vacuumPages);
      summary.reclaimedPages += free - left;
      if (left >= free) break;
      free = left;
      await nextTurn();
    }
    if (summary.batches > 0 || summary.reclaimedPages > 0) {
      logger.info({ retention: summary }, 'history pruned');
    }
    return summary;
  };

  const runPass = (): Promise<PassSummary> => {
    current ??= pass().finally(() => {
      current = null;
    });
    return current;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      runPass()
        .catch((error: unknown) => logger.error({ err: error }, 'pruning the history failed'))
        .finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };

  return {
    start() {
      if (options.maxAgeMs <= 0 && options.maxRunsPerWorkflow <= 0) {
        logger.info('history retention is off: runs are kept until deleted');
      }
      stopped = false;
      schedule(options.firstPassDelayMs ?? 5000);
    },
    runPass,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
