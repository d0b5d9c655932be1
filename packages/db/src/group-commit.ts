import type Database from 'better-sqlite3';

/**
 * Group commit: writes queued during one turn of the event loop share one transaction, so
 * many concurrent requests pay for one fsync. One failing write rejects only its own promise.
 *
 * A write's `work` must only touch the database: it may run twice. The batch first runs
 * without a savepoint per write (a savepoint pair costs about as much as the inserts of an
 * accepted webhook); when a write throws, that attempt is rolled back and the batch runs again
 * with each write in its own savepoint, so the failing one is undone alone.
 */
export interface GroupCommit {
  /** Queues a write; resolves with its result once the transaction holding it is on disk. */
  write<T>(work: () => T): Promise<T>;
  /** Writes queued but not yet committed. */
  readonly pending: number;
}

interface QueuedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of the fast attempt to roll it back when one of its writes failed. */
class WriteFailed extends Error {}

export function createGroupCommit(sqlite: Database.Database): GroupCommit {
  let queue: QueuedWrite[] = [];
  let scheduled = false;

  const together = sqlite.transaction((batch: QueuedWrite[]): Outcome[] => {
    const outcomes: Outcome[] = [];
    for (const item of batch) {
      try {
        outcomes.push({ ok: true, value: item.work() });
      } catch {
        throw new WriteFailed();
      }
    }
    return outcomes;
  });
  const oneByOne = sqlite.transaction((batch: QueuedWrite[]): Outcome[] =>
    batch.map((item): Outcome => {
      try {
        return { ok: true, value: sqlite.transaction(item.work)() };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      try {
        outcomes = together(batch);
      } catch (error) {
        if (!(error instanceof WriteFailed)) throw error;
        outcomes = oneByOne(batch);
      }
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is kept.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  };

  return {
    write<T>(work: () => T) {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
