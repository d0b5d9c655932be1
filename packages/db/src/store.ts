import { createApiTokenStore } from './api-tokens.ts';
import { createAuditStore } from './audit.ts';
import { checkpointInBackground } from './checkpoints.ts';
import { createDb, type DbOptions, migrationsApplied } from './client.ts';
import { createCredentialStore } from './credentials.ts';
import { createGroupCommit } from './group-commit.ts';
import { createIngestStore } from './ingest.ts';
import { createPruning } from './pruning.ts';
import { createRunStore, type RunStoreOptions } from './runs.ts';
import { createSampleStore } from './samples.ts';
import { createScheduleStore } from './schedules.ts';
import type { KeyRing } from './secret-box.ts';
import { createSessionStore } from './sessions.ts';
import { createStatsStore } from './stats.ts';
import { createTriggerStore } from './triggers.ts';
import { createUserStore } from './users.ts';
import { createWorkerLocks } from './worker-locks.ts';
import { createWorkflowStore } from './workflows.ts';

export interface StoreOptions extends DbOptions, RunStoreOptions {
  /** Checkpoint the WAL from a thread of its own (the long-running server); see checkpoints.ts. */
  backgroundCheckpoints?: boolean;
  /**
   * The keys credentials are encrypted with (the first seals new values). Without it,
   * credentials can be listed but not created, changed in value or decrypted.
   */
  keyRing?: KeyRing;
}

/**
 * Everything the rest of Hookflow may do with storage. A second implementation (PostgreSQL
 * for several machines) implements this same shape.
 */
export function createStore(file: string, options: StoreOptions = {}) {
  const handle = createDb(file, options);
  const checkpoints =
    options.backgroundCheckpoints && file !== ':memory:'
      ? checkpointInBackground(handle.sqlite, file)
      : null;
  // At FULL (the default) the group commit syncs the WAL from the thread pool after each batch,
  // not inside COMMIT on the event loop; see group-commit.ts.
  const syncWal = (options.synchronous ?? 'FULL') === 'FULL' && file !== ':memory:' && file !== '';
  const commit = createGroupCommit(handle.sqlite, syncWal ? { walFile: `${file}-wal` } : {});
  const pruning = createPruning(handle);
  const users = createUserStore(handle);
  return {
    workflows: createWorkflowStore(handle),
    triggers: createTriggerStore(handle),
    ingest: createIngestStore(handle, commit),
    runs: createRunStore(handle, commit, createWorkerLocks(file), pruning, options),
    /** Retention passes and giving freed pages back to the file system. */
    retention: { pass: pruning.pass, reclaimSpace: pruning.reclaimSpace, pages: pruning.pages },
    samples: createSampleStore(handle),
    schedules: createScheduleStore(handle),
    stats: createStatsStore(handle),
    credentials: createCredentialStore(handle, options.keyRing),
    /** Who changed what, and when. */
    audit: createAuditStore(handle),
    /** People who sign in, their browser sessions and their API tokens. */
    users,
    sessions: createSessionStore(handle, users),
    apiTokens: createApiTokenStore(handle, users),
    /** True when the database answers and every migration is applied. */
    ready(): boolean {
      try {
        return migrationsApplied(handle);
      } catch {
        return false;
      }
    },
    /** Waits for queued writes to commit, then closes the file. */
    async close(): Promise<void> {
      await commit.close();
      await checkpoints?.stop();
      handle.close();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
