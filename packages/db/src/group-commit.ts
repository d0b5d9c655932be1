import { closeSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';

/**
 * Group commit: writes queued during one turn of the event loop share one transaction, so
 * many concurrent requests pay for one fsync. One failing write rejects only its own promise.
 *
 * A write's `work` must only touch the database: it may run twice. The batch first runs
 * without a savepoint per write (a savepoint pair costs about as much as the inserts of an
 * accepted webhook); when a write throws, that attempt is rolled back and the batch runs again
 * with each write in its own savepoint, so the failing one is undone alone.
 *
 * With `walFile` (a database at synchronous=FULL), a batch commits without waiting for the
 * disk and the WAL file is then synced from the thread pool (`fdatasync`): the promises of the
 * batch resolve only once that sync is done, so a write is on disk before anyone hears of it,
 * as with FULL, but the event loop takes the next requests while the disk works. Writes queued
 * during a sync would wait for the next one anyway: they are committed together when it ends,
 * one transaction per sync. Everything outside the group commit keeps FULL.
 */
export interface GroupCommit {
  /** Queues a write; resolves with its result once the transaction holding it is on disk. */
  write<T>(work: () => T): Promise<T>;
  /** Writes queued, or committed and waiting for the disk. */
  readonly pending: number;
  /** Waits for every write queued so far, then closes the WAL file it syncs. */
  close(): Promise<void>;
}

export interface GroupCommitOptions {
  /**
   * The database's WAL file, to sync after each batch instead of inside COMMIT. Only for a
   * connection in WAL mode at synchronous=FULL, whose guarantee this keeps.
   */
  walFile?: string;
  /** How the WAL is synced (tests slow it down or fail it); `fs.fdatasync` by default. */
  sync?: (fd: number, done: (error: Error | null) => void) => void;
}

interface QueuedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of the fast attempt to roll it back when one of its writes failed. */
class WriteFailed extends Error {}

export function createGroupCommit(
  sqlite: Database.Database,
  options: GroupCommitOptions = {},
): GroupCommit {
  let queue: QueuedWrite[] = [];
  let scheduled = false;
  const syncLater = options.walFile !== undefined;
  const sync = options.sync ?? fdatasync;
  // Switched for the batch's own transaction only: COMMIT writes the WAL without an fsync.
  const noWait = syncLater ? sqlite.prepare('PRAGMA synchronous = NORMAL') : null;
  const fullAgain = syncLater ? sqlite.prepare('PRAGMA synchronous = FULL') : null;
  let walFd: number | null = null;
  /** Batches committed but not yet synced: they wait for the sync after the one in flight. */
  let unsynced: { batch: QueuedWrite[]; outcomes: Outcome[] }[] = [];
  let syncing = false;
  /** Writes committed and waiting for their sync. */
  let waitingForDisk = 0;

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

  const settle = (batch: QueuedWrite[], outcomes: Outcome[]) => {
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  };

  /** Syncs the WAL for every batch committed so far; those committed meanwhile wait for the next. */
  const startSync = () => {
    syncing = true;
    const batches = unsynced;
    unsynced = [];
    const done = (error: Error | null) => {
      syncing = false;
      for (const { batch, outcomes } of batches) {
        waitingForDisk -= batch.length;
        // Committed but perhaps not on disk: no one is told it is kept.
        if (error) for (const item of batch) item.reject(error);
        else settle(batch, outcomes);
      }
      if (unsynced.length > 0) startSync();
      else if (queue.length > 0 && !scheduled) flush();
    };
    try {
      walFd ??= openSync(options.walFile as string, 'r');
      sync(walFd, done);
    } catch (error) {
      done(error as Error);
    }
  };

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    noWait?.run();
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
    } finally {
      fullAgain?.run();
    }
    if (!syncLater) {
      settle(batch, outcomes);
      return;
    }
    waitingForDisk += batch.length;
    unsynced.push({ batch, outcomes });
    if (!syncing) startSync();
  };

  const write = <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // During a sync the writes gather; its end commits them (see startSync).
      if (!scheduled && !syncing) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return {
    write,
    get pending() {
      return queue.length + waitingForDisk;
    },
    async close() {
      if (queue.length + waitingForDisk > 0) await write(() => undefined).catch(() => {});
      if (walFd !== null) closeSync(walFd);
      walFd = null;
    },
  };
}
