import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointInBackground } from './checkpoints.ts';

describe('background checkpoints', () => {
  let dir: string;
  let file: string;
  let sqlite: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-checkpoints-'));
    file = join(dir, 'test.db');
    sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  });
  afterEach(() => {
    if (sqlite.open) sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertMegabytes = (megabytes: number) => {
    const insert = sqlite.prepare('INSERT INTO blobs (data) VALUES (?)');
    sqlite.transaction(() => {
      for (let i = 0; i < megabytes * 16; i++) insert.run(Buffer.alloc(64 * 1024, i));
    })();
  };

  const eventually = async (check: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('copies committed pages into the database file from another thread', async () => {
    const checkpoints = checkpointInBackground(sqlite, file, 10);
    // The main connection would not checkpoint 2 MB by itself any more.
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(20_000);
    const before = statSync(file).size;
    insertMegabytes(2);
    await eventually(() => statSync(file).size >= before + 2 * 1024 * 1024);
    await checkpoints.stop();
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // Everything committed is still there, read through a fresh connection.
    sqlite.close();
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 32 });
    reader.close();
  });

  it('stops cleanly while the main connection keeps writing, and may be stopped twice', async () => {
    const checkpoints = checkpointInBackground(sqlite, file, 1);
    insertMegabytes(1);
    const stopped = checkpoints.stop();
    insertMegabytes(1);
    await stopped;
    await checkpoints.stop();
    expect(sqlite.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 32 });
  });
});
