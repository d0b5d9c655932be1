import type { DbHandle } from './client.ts';
import { idLowerBound } from './ids.ts';

/** The statuses of runs that are over: only these are ever pruned or deleted. */
export const finishedStatuses = ['succeeded', 'failed', 'filtered', 'canceled'] as const;
const finishedList = finishedStatuses.map((status) => `'${status}'`).join(', ');

export interface RetentionPolicy {
  /** Finished runs queued longer ago than this are pruned; 0 keeps them whatever their age. */
  maxAgeMs: number;
  /** Per workflow, finished runs beyond the newest this many are pruned; 0: no limit. */
  maxRunsPerWorkflow: number;
  /** Rows deleted per batch (per table), so one batch holds the database only briefly. */
  batchSize: number;
  now?: number;
}

/** What one batch deleted. */
export interface PruneCounts {
  runs: number;
  events: number;
  requests: number;
  deliveries: number;
}

export interface PrunePass {
  /** Deletes the next batch, in one short transaction; null once there is nothing left. */
  next(): PruneCounts | null;
}

/** Deleting runs and what only they refer to; the retention passes. */
export function createPruning({ sqlite }: DbHandle) {
  const deleteRun = sqlite.prepare('DELETE FROM runs WHERE id = ?');
  // An event goes with its last run, unless a sample (or a run of another kind) still uses it.
  const deleteEventIfUnused = sqlite.prepare(`DELETE FROM events WHERE id = @id
    AND NOT EXISTS (SELECT 1 FROM runs WHERE event_id = @id)
    AND NOT EXISTS (SELECT 1 FROM samples WHERE event_id = @id)`);

  /** Deletes runs (their steps go with them by cascade) and their events no one uses any more. */
  const removeRuns = (runs: readonly { id: string; eventId: string }[]): PruneCounts => {
    let events = 0;
    for (const run of runs) deleteRun.run(run.id);
    for (const eventId of new Set(runs.map((run) => run.eventId))) {
      events += deleteEventIfUnused.run({ id: eventId }).changes;
    }
    return { runs: runs.length, events, requests: 0, deliveries: 0 };
  };

  const agedRuns = sqlite.prepare(`SELECT id, event_id AS eventId FROM runs
    WHERE id < @before AND status IN (${finishedList}) ORDER BY id LIMIT @limit`);
  const workflowIds = sqlite.prepare('SELECT id FROM workflows ORDER BY id');
  // The id of the newest run a workflow keeps beyond its limit; the walk stops at the offset.
  const nthNewestRun = sqlite.prepare(`SELECT id FROM runs WHERE workflow_id = ?
    ORDER BY id DESC LIMIT 1 OFFSET ?`);
  const surplusRuns = sqlite.prepare(`SELECT id, event_id AS eventId FROM runs
    WHERE workflow_id = @workflowId AND id <= @upTo AND status IN (${finishedList})
    ORDER BY id LIMIT @limit`);
  // Events that never had a run (requests kept while a workflow had no published version).
  const agedLoneEvents = sqlite.prepare(`SELECT id FROM events
    WHERE id < @before AND id > @after
      AND NOT EXISTS (SELECT 1 FROM runs WHERE event_id = events.id)
      AND NOT EXISTS (SELECT 1 FROM samples WHERE event_id = events.id)
    ORDER BY id LIMIT @limit`);
  const deleteEvent = sqlite.prepare('DELETE FROM events WHERE id = ?');
  const agedRequests = sqlite.prepare(`DELETE FROM trigger_requests WHERE id IN (
    SELECT id FROM trigger_requests WHERE id < @before ORDER BY id LIMIT @limit)`);
  const triggerIds = sqlite.prepare(
    `SELECT id, coalesce(json_extract(settings, '$.dedupeWindowHours'), 24) AS windowHours
     FROM triggers ORDER BY id`,
  );
  const nthNewestRequest = sqlite.prepare(`SELECT id FROM trigger_requests WHERE trigger_id = ?
    ORDER BY id DESC LIMIT 1 OFFSET ?`);
  const surplusRequests = sqlite.prepare(`DELETE FROM trigger_requests WHERE id IN (
    SELECT id FROM trigger_requests WHERE trigger_id = @triggerId AND id <= @upTo
    ORDER BY id LIMIT @limit)`);
  // A delivery id only matters inside its trigger's dedupe window.
  const expiredDeliveries = sqlite.prepare(`DELETE FROM deliveries WHERE rowid IN (
    SELECT rowid FROM deliveries WHERE received_at < @before AND trigger_id = @triggerId
    LIMIT @limit)`);
  const removeRunsAtOnce = sqlite.transaction(removeRuns);

  const none: PruneCounts = { runs: 0, events: 0, requests: 0, deliveries: 0 };

  /**
   * One retention pass as a series of small batches: runs past the age, runs past each
   * workflow's count, events left without a run, request log lines (same age and count, per
   * trigger), and delivery ids past their dedupe window. Ingestion commits between batches.
   */
  const pass = (policy: RetentionPolicy): PrunePass => {
    const now = policy.now ?? Date.now();
    const limit = Math.max(1, policy.batchSize);
    const byAge = policy.maxAgeMs > 0;
    const byCount = policy.maxRunsPerWorkflow > 0;
    const cutoff = now - policy.maxAgeMs;
    const batch = sqlite.transaction((work: () => PruneCounts) => work());

    // Each stage deletes up to `limit` rows per call and answers null once it has nothing left.
    const stages: (() => PruneCounts | null)[] = [];
    if (byAge) {
      const before = idLowerBound('run', cutoff);
      stages.push(() => {
        const runs = agedRuns.all({ before, limit }) as { id: string; eventId: string }[];
        return runs.length === 0 ? null : removeRuns(runs);
      });
    }
    if (byCount) {
      const workflows = (workflowIds.all() as { id: string }[]).map((row) => row.id);
      let current: { workflowId: string; upTo: string } | null = null;
      stages.push(() => {
        for (;;) {
          if (!current) {
            const workflowId = workflows.shift();
            if (workflowId === undefined) return null;
            const row = nthNewestRun.get(workflowId, policy.maxRunsPerWorkflow) as
              | { id: string }
              | undefined;
            if (!row) continue;
            current = { workflowId, upTo: row.id };
          }
          const runs = surplusRuns.all({ ...current, limit }) as { id: string; eventId: string }[];
          if (runs.length > 0) return removeRuns(runs);
          current = null;
        }
      });
    }
    if (byAge) {
      const before = idLowerBound('evt', cutoff);
      let after = '';
      stages.push(() => {
        const events = agedLoneEvents.all({ before, after, limit }) as { id: string }[];
        if (events.length === 0) return null;
        for (const event of events) deleteEvent.run(event.id);
        after = events[events.length - 1]!.id;
        return { ...none, events: events.length };
      });
      const requestsBefore = idLowerBound('req', cutoff);
      stages.push(() => {
        const requests = agedRequests.run({ before: requestsBefore, limit }).changes;
        return requests === 0 ? null : { ...none, requests };
      });
    }
    const triggers = triggerIds.all() as { id: string; windowHours: number }[];
    if (byCount) {
      const pending = triggers.map((trigger) => trigger.id);
      let current: { triggerId: string; upTo: string } | null = null;
      stages.push(() => {
        for (;;) {
          if (!current) {
            const triggerId = pending.shift();
            if (triggerId === undefined) return null;
            const row = nthNewestRequest.get(triggerId, policy.maxRunsPerWorkflow) as
              | { id: string }
              | undefined;
            if (!row) continue;
            current = { triggerId, upTo: row.id };
          }
          const requests = surplusRequests.run({ ...current, limit }).changes;
          if (requests > 0) return { ...none, requests };
          current = null;
        }
      });
    }
    const windows = [...triggers];
    stages.push(() => {
      for (;;) {
        const trigger = windows[0];
        if (!trigger) return null;
        const before = now - Number(trigger.windowHours) * 3_600_000;
        const deliveries = expiredDeliveries.run({ before, triggerId: trigger.id, limit }).changes;
        if (deliveries > 0) return { ...none, deliveries };
        windows.shift();
      }
    });

    return {
      next() {
        while (stages.length > 0) {
          const stage = stages[0]!;
          const counts = batch(() => stage() ?? none);
          if (counts !== none) return counts;
          stages.shift();
        }
        return null;
      },
    };
  };

  const pageCount = sqlite.prepare('PRAGMA page_count').pluck();
  const freelistCount = sqlite.prepare('PRAGMA freelist_count').pluck();

  return {
    /** Deletes runs and their unused events, in one transaction. */
    removeRuns: removeRunsAtOnce,
    /** Starts a retention pass; call `next()` until it answers null, yielding in between. */
    pass,
    /**
     * Gives up to `maxPages` free pages back to the file system (`PRAGMA incremental_vacuum`);
     * answers how many free pages remain.
     */
    reclaimSpace(maxPages: number): number {
      sqlite.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
      return freelistCount.get() as number;
    },
    /** The database file's size in pages, and how many of them are free. */
    pages(): { pageCount: number; freePages: number } {
      return {
        pageCount: pageCount.get() as number,
        freePages: freelistCount.get() as number,
      };
    },
  };
}

export type Pruning = ReturnType<typeof createPruning>;
