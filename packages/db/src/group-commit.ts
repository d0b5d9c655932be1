import type Database from 'better-sqlite3';

/**
 * Group commit: writes queued during one turn of the event loop share one transaction, so
 * many concurrent requests pay for one fsync. Each write runs in its own savepoint, so one
 * failing write rejects only its own promise.
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

export function createGroupCommit(sqlite: Database.Database): GroupCommit {
  let queue: QueuedWrite[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      sqlite.transaction(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: sqlite.transaction(item.work)() });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.value);
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
