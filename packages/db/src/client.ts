import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type SynchronousLevel = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface DbOptions {
  /**
   * How hard a commit waits for the disk. FULL (default) makes an acknowledged event survive
   * power loss; NORMAL survives a process crash only, and is faster.
   */
  synchronous?: SynchronousLevel;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Bytes of the file read through a memory map (default 1 GiB; 0: none). */
  mmapBytes?: number;
}

export interface DbHandle {
  sqlite: Database.Database;
  db: BetterSQLite3Database<typeof schema>;
  close(): void;
}

export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Opens (and by default migrates) a SQLite database file, or `:memory:`. */
export function createDb(file: string, options: DbOptions = {}): DbHandle {
  const sqlite = new Database(file);
  // Before WAL and before any table: an empty file takes the vacuum mode as it is created.
  if (options.migrate !== false) useIncrementalVacuum(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 8 MB: reads go through the memory map below, so the cache mostly holds the pages a write
  // transaction changes; 32 MB only added to the server's peak memory (~15 MB more under load).
  sqlite.pragma('cache_size = -8000');
  sqlite.pragma('temp_store = MEMORY');
  // Reads go through a memory map instead of a read() call per page: a history search that
  // visits runs scattered over the file is two to three times faster.
  sqlite.pragma(`mmap_size = ${options.mmapBytes ?? 1024 ** 3}`);
  const db = drizzle(sqlite, { schema });
  if (options.migrate !== false) migrate(db, { migrationsFolder });
  return {
    sqlite,
    db,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * Pages freed by deletions (retention) go to a free list that `PRAGMA incremental_vacuum` hands
 * back to the file system, so the file shrinks. A new file gets the mode before its first table;
 * a file created before this mode is converted once, by one VACUUM (it rewrites the file).
 * Returns what was done.
 */
export function useIncrementalVacuum(sqlite: Database.Database): 'already' | 'set' | 'converted' {
  const INCREMENTAL = 2;
  if (sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return 'already';
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  const tables = sqlite.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
  if (tables.n === 0) return 'set';
  sqlite.exec('VACUUM');
  return 'converted';
}

/** True when every committed migration has been applied to this database. */
export function migrationsApplied(handle: DbHandle): boolean {
  try {
    const row = handle.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as {
      n: number;
    };
    return row.n >= expectedMigrationCount();
  } catch {
    return false;
  }
}

let migrationCount: number | undefined;
function expectedMigrationCount(): number {
  if (migrationCount === undefined) {
    // The journal drizzle-kit writes lists every migration in order.
    const journalFile = new URL('../drizzle/meta/_journal.json', import.meta.url);
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    migrationCount = journal.entries.length;
  }
  return migrationCount;
}
