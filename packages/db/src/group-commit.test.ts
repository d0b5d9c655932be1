import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.ts';

describe('group commit', () => {
  let dir: string;
  let sqlite: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-group-commit-'));
    sqlite = new Database(join(dir, 'test.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  });
  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = () =>
    (sqlite.prepare('SELECT name FROM items ORDER BY id').all() as { name: string }[]).map(
      (row) => row.name,
    );

  it('commits the writes of one turn in one transaction', async () => {
    const commit = createGroupCommit(sqlite);
    const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
    const other = new Database(join(dir, 'test.db'), { readonly: true });
    const seenByOther: number[] = [];
    const writes = ['a', 'b', 'c'].map((name) =>
      commit.write(() => {
        // Another connection sees nothing of the batch until it commits as a whole.
        seenByOther.push(
          (other.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n,
        );
        return Number(insert.run(name).lastInsertRowid);
      }),
    );
    expect(commit.pending).toBe(3);
    await expect(Promise.all(writes)).resolves.toEqual([1, 2, 3]);
    expect(seenByOther).toEqual([0, 0, 0]);
    expect(commit.pending).toBe(0);
    expect(names()).toEqual(['a', 'b', 'c']);
    other.close();
  });

  it('undoes only the failing write, even one that had written part of its rows', async () => {
    const commit = createGroupCommit(sqlite);
    const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
    const before = commit.write(() => insert.run('before').changes);
    const failing = commit.write(() => {
      insert.run('half');
      insert.run('before'); // UNIQUE violation after one row was written
    });
    const after = commit.write(() => insert.run('after').changes);
    await expect(before).resolves.toBe(1);
    await expect(failing).rejects.toThrow(/UNIQUE/);
    await expect(after).resolves.toBe(1);
    expect(names()).toEqual(['before', 'after']);
  });

  it('rejects every write of a batch whose commit fails, and keeps none of them', async () => {
    const commit = createGroupCommit(sqlite);
    const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
    // A deferred constraint fails at COMMIT, not in any single write.
    sqlite.exec(`CREATE TABLE links (item TEXT REFERENCES items(name) DEFERRABLE INITIALLY DEFERRED);
      PRAGMA foreign_keys = ON`);
    const link = sqlite.prepare('INSERT INTO links (item) VALUES (?)');
    const a = commit.write(() => insert.run('a').changes);
    const b = commit.write(() => link.run('missing').changes);
    await expect(a).rejects.toThrow(/FOREIGN KEY/);
    await expect(b).rejects.toThrow(/FOREIGN KEY/);
    expect(names()).toEqual([]);
    // The connection is usable again afterwards.
    await expect(commit.write(() => insert.run('c').changes)).resolves.toBe(1);
    expect(names()).toEqual(['c']);
  });

  describe('with the WAL synced after the commit (synchronous=FULL)', () => {
    /** A sync that waits until the test lets it finish. */
    const heldSync = () => {
      const calls: ((error: Error | null) => void)[] = [];
      return {
        calls,
        sync: (_fd: number, done: (error: Error | null) => void) => {
          calls.push(done);
        },
      };
    };
    const settledSoon = async (promise: Promise<unknown>) => {
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      return settled;
    };

    it('answers a write only once the WAL holding it is synced; writes queued meanwhile commit together after it', async () => {
      sqlite.pragma('synchronous = FULL');
      const held = heldSync();
      const commit = createGroupCommit(sqlite, { walFile: join(dir, 'test.db-wal'), ...held });
      const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
      const first = commit.write(() => insert.run('a').changes);
      expect(await settledSoon(first)).toBe(false);
      // Committed (another connection sees it) but not answered before the disk says so.
      expect(names()).toEqual(['a']);
      expect(held.calls).toHaveLength(1);
      expect(commit.pending).toBe(1);
      const second = commit.write(() => insert.run('b').changes);
      expect(await settledSoon(second)).toBe(false);
      const third = commit.write(() => insert.run('c').changes);
      // They would wait for the next sync anyway: they gather until this one ends.
      expect(await settledSoon(third)).toBe(false);
      expect(names()).toEqual(['a']);
      expect(held.calls).toHaveLength(1);
      held.calls[0]!(null);
      await expect(first).resolves.toBe(1);
      // Then both commit in one transaction, and one sync covers them.
      expect(names()).toEqual(['a', 'b', 'c']);
      expect(await settledSoon(second)).toBe(false);
      expect(held.calls).toHaveLength(2);
      held.calls[1]!(null);
      await expect(Promise.all([second, third])).resolves.toEqual([1, 1]);
      expect(commit.pending).toBe(0);
      // Statements outside the group commit keep FULL (2): they sync inside COMMIT as before.
      expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    });

    it('rejects the writes of a batch whose sync failed', async () => {
      const commit = createGroupCommit(sqlite, {
        walFile: join(dir, 'test.db-wal'),
        sync: (_fd, done) => done(new Error('EIO: i/o error, fdatasync')),
      });
      const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
      await expect(commit.write(() => insert.run('a').changes)).rejects.toThrow(/EIO/);
    });

    it('syncs the real WAL file and closes it', async () => {
      const commit = createGroupCommit(sqlite, { walFile: join(dir, 'test.db-wal') });
      const insert = sqlite.prepare('INSERT INTO items (name) VALUES (?)');
      const writes = ['a', 'b'].map((name) => commit.write(() => insert.run(name).changes));
      await commit.close();
      await expect(Promise.all(writes)).resolves.toEqual([1, 1]);
      expect(names()).toEqual(['a', 'b']);
    });
  });
});
