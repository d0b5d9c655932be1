import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Pages in the WAL at which the main connection checkpoints by itself (SQLite's default). */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** The safety net while the thread checkpoints: about 80 MB of WAL. */
const FALLBACK_AUTOCHECKPOINT = 20_000;

// The thread's code: a second connection that checkpoints whatever the WAL holds, in a loop.
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let timer;
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or I/O trouble: the main connection's own checkpoint is the safety net.
  }
  timer = setTimeout(checkpoint, workerData.intervalMs);
};
checkpoint();
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  /** Stops the thread (after its current checkpoint) and hands checkpoints back. */
  stop(): Promise<void>;
}

/**
 * Checkpoints the WAL from a thread of its own. Otherwise the commit that crosses SQLite's
 * threshold copies about a thousand pages into the database file and fsyncs it, on the main
 * thread, while every webhook of that turn waits. The main connection keeps a much higher
 * threshold as a safety net, used only if this thread falls behind or fails.
 *
 * Durability is unchanged: a commit is durable once it is in the WAL (fsynced at FULL);
 * checkpoints only move committed pages into the main file.
 */
export function checkpointInBackground(
  sqlite: Database.Database,
  file: string,
  intervalMs = 20,
): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(threadSource, {
    eval: true,
    workerData: { driver, file, intervalMs },
  });
  thread.unref();
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
  const handBack = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  thread.once('error', handBack);
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        // Held again so that the process waits for the thread to close its connection.
        thread.ref();
        thread.postMessage('stop');
        await exited;
        handBack();
      })();
      return stopping;
    },
  };
}
