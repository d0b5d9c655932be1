import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Worker ids become file names: nothing but letters, digits, `_` and `-`. */
const safeId = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Tells a dead worker from a live one across processes. Each worker holds an exclusive SQLite
 * lock on a small file of its own (`<database>-workers/<worker id>.lock`) for as long as it runs.
 * The operating system drops the lock when the process ends, however it ends (`kill -9`
 * included), so a lock that can be taken belongs to a worker that is gone: its runs can be
 * queued again at once instead of waiting for their leases to expire. The database itself
 * relies on the same locks, so this holds wherever the database is safe to use.
 */
export function createWorkerLocks(databaseFile: string) {
  const dir = databaseFile === ':memory:' ? null : `${databaseFile}-workers`;
  const fileOf = (workerId: string) => {
    if (!dir || !safeId.test(workerId)) return null;
    return join(dir, `${workerId}.lock`);
  };

  return {
    /** Holds this worker's lock until `release()` (or until the process ends). */
    hold(workerId: string): { release(): void } {
      const file = fileOf(workerId);
      if (!dir || !file) return { release() {} };
      mkdirSync(dir, { recursive: true });
      const lock = new Database(file, { timeout: 0 });
      lock.exec('BEGIN EXCLUSIVE');
      return {
        release() {
          rmSync(file, { force: true });
          if (lock.open) lock.close();
        },
      };
    },

    /**
     * True only when the worker is certainly gone: its lock file exists and its lock can be
     * taken (the file is then removed). A worker without a lock file (one that ran an older
     * version) is not known to be dead; its runs wait for their leases to expire.
     */
    isDead(workerId: string): boolean {
      const file = fileOf(workerId);
      if (!file) return false;
      let probe: Database.Database;
      try {
        probe = new Database(file, { fileMustExist: true, timeout: 0 });
      } catch {
        return false;
      }
      try {
        probe.exec('BEGIN EXCLUSIVE');
      } catch {
        probe.close();
        return false;
      }
      rmSync(file, { force: true });
      probe.close();
      return true;
    },
  };
}

export type WorkerLocks = ReturnType<typeof createWorkerLocks>;
