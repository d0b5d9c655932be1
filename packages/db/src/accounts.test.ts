import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from './client.ts';
import { hashToken, SESSION_LIFETIME_MS } from './sessions.ts';
import { createStore, type Store } from './store.ts';
import { EmailTakenError, OwnerExistsError } from './users.ts';

let dir: string;
let file: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-accounts-'));
  file = join(dir, 'test.db');
  store = createStore(file);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const addUser = (email: string, role: 'owner' | 'admin' | 'editor' | 'viewer' = 'editor') =>
  store.users.create({ email, role, passwordHash: `hash-of-${email}`, now: 1000 });

describe('users', () => {
  it('keeps emails lower-cased and unique whatever their case, and never lists a hash', () => {
    const ada = store.users.create({
      email: '  Ada@Example.COM ',
      name: ' Ada ',
      role: 'owner',
      passwordHash: 'scrypt$secret',
      now: 1000,
    });
    expect(ada).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: 'ada@example.com',
      name: 'Ada',
      role: 'owner',
      createdAt: 1000,
      updatedAt: 1000,
      lastSeenAt: null,
    });
    expect(() => addUser('ADA@example.com')).toThrow(EmailTakenError);
    expect(store.users.getByEmail('ADA@EXAMPLE.COM')?.id).toBe(ada.id);
    expect(store.users.credentialsOf('ada@example.com')?.passwordHash).toBe('scrypt$secret');
    expect(JSON.stringify(store.users.list())).not.toContain('scrypt$secret');
    expect(store.users.count()).toBe(1);
  });

  it('has one owner at most, in the store and in the database itself', () => {
    const owner = addUser('owner@example.com', 'owner');
    const admin = addUser('admin@example.com', 'admin');
    expect(() => addUser('second@example.com', 'owner')).toThrow(OwnerExistsError);
    expect(() => store.users.setRole(admin.id, 'owner')).toThrow(OwnerExistsError);
    expect(store.users.owner()?.id).toBe(owner.id);
    // Even a write that skips the store's check is refused by the partial unique index.
    const raw = createDb(file, { migrate: false });
    try {
      expect(() =>
        raw.sqlite
          .prepare(
            `INSERT INTO users (id, email, role, password_hash, created_at, updated_at)
             VALUES ('usr_x', 'x@example.com', 'owner', 'h', 0, 0)`,
          )
          .run(),
      ).toThrow(/UNIQUE/);
    } finally {
      raw.close();
    }
  });

  it('changes roles and password hashes, and deleting a user ends their sessions and tokens', () => {
    const user = addUser('bob@example.com', 'viewer');
    expect(store.users.setRole(user.id, 'editor', 2000)).toMatchObject({
      role: 'editor',
      updatedAt: 2000,
    });
    expect(store.users.setPasswordHash(user.id, 'new-hash')).toBe(true);
    expect(store.users.passwordHashOf(user.id)).toBe('new-hash');
    const { token: session } = store.sessions.create(user.id);
    const { token } = store.apiTokens.create({ userId: user.id, name: 'ci' });
    expect(store.users.delete(user.id)).toBe(true);
    expect(store.users.get(user.id)).toBeNull();
    expect(store.sessions.resolve(session)).toBeNull();
    expect(store.apiTokens.resolve(token)).toBeNull();
    expect(store.users.setRole('usr_missing', 'viewer')).toBeNull();
  });
});

describe('sessions', () => {
  it('stores only the hash of the token and resolves the token to its user', () => {
    const user = addUser('carol@example.com');
    const { token, session } = store.sessions.create(user.id, {
      ip: '203.0.113.7',
      userAgent: 'x'.repeat(1000),
      now: 10_000,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.id).toBe(hashToken(token));
    expect(session).toMatchObject({ ip: '203.0.113.7', expiresAt: 10_000 + SESSION_LIFETIME_MS });
    expect(session.userAgent).toHaveLength(256);
    expect(store.sessions.resolve(token, { now: 20_000 })?.user.email).toBe('carol@example.com');
    expect(store.sessions.resolve(session.id)).toBeNull();
    expect(store.sessions.resolve('not-a-token')).toBeNull();
    expect(store.users.get(user.id)?.lastSeenAt).toBe(10_000);
  });

  it('slides the expiry forward when used, at most once a minute, and ends unused sessions', () => {
    const user = addUser('dan@example.com');
    const { token } = store.sessions.create(user.id, { now: 0, lifetimeMs: 100_000 });
    expect(
      store.sessions.resolve(token, { now: 30_000, lifetimeMs: 100_000 })?.session,
    ).toMatchObject({ lastSeenAt: 0, expiresAt: 100_000 });
    expect(
      store.sessions.resolve(token, { now: 90_000, lifetimeMs: 100_000 })?.session,
    ).toMatchObject({ lastSeenAt: 90_000, expiresAt: 190_000 });
    expect(store.users.get(user.id)?.lastSeenAt).toBe(90_000);
    expect(store.sessions.resolve(token, { now: 190_000 })).toBeNull();
    // An expired session is deleted when it is presented.
    expect(store.sessions.listOfUser(user.id, 0)).toEqual([]);
  });

  it('ends one session, every other one, or all of a user', () => {
    const user = addUser('erin@example.com');
    const other = addUser('frank@example.com');
    const one = store.sessions.create(user.id);
    const two = store.sessions.create(user.id);
    const three = store.sessions.create(user.id);
    const theirs = store.sessions.create(other.id);
    expect(store.sessions.end(one.token)).toBe(true);
    expect(store.sessions.end(one.token)).toBe(false);
    expect(store.sessions.endAllOf(user.id, { exceptSessionId: two.session.id })).toBe(1);
    expect(store.sessions.resolve(three.token)).toBeNull();
    expect(store.sessions.resolve(two.token)).not.toBeNull();
    expect(store.sessions.endAllOf(user.id)).toBe(1);
    expect(store.sessions.resolve(two.token)).toBeNull();
    expect(store.sessions.resolve(theirs.token)).not.toBeNull();
  });

  it('clears expired sessions as new ones start', () => {
    const user = addUser('gina@example.com');
    store.sessions.create(user.id, { now: 0, lifetimeMs: 1000 });
    store.sessions.create(user.id, { now: 5000, lifetimeMs: 1000 });
    expect(store.sessions.pruneExpired(5000)).toBe(0);
    expect(store.sessions.listOfUser(user.id, 5000)).toHaveLength(1);
  });
});

describe('API tokens', () => {
  it('shows the token once, keeps only its hash, and resolves it to its user', () => {
    const user = addUser('hal@example.com');
    const { token, record } = store.apiTokens.create({ userId: user.id, name: 'CI', now: 1000 });
    expect(token).toMatch(/^hf_[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      id: expect.stringMatching(/^tok_/),
      userId: user.id,
      name: 'CI',
      prefix: token.slice(0, 9),
      createdAt: 1000,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
    });
    expect(store.apiTokens.resolve(token, 2000)?.user.id).toBe(user.id);
    expect(store.apiTokens.get(record.id)?.lastUsedAt).toBe(2000);
    expect(store.apiTokens.resolve(`${token}x`)).toBeNull();
    expect(store.apiTokens.resolve(token.slice(3))).toBeNull();
    expect(JSON.stringify(store.apiTokens.listOfUser(user.id))).not.toContain(token);
  });

  it('refuses revoked and expired tokens and lists only live ones per user', () => {
    const user = addUser('ivy@example.com');
    const other = addUser('jo@example.com');
    const expiring = store.apiTokens.create({ userId: user.id, name: 'short', expiresAt: 5000 });
    const revoked = store.apiTokens.create({ userId: user.id, name: 'old' });
    store.apiTokens.create({ userId: other.id, name: 'theirs' });
    expect(store.apiTokens.resolve(expiring.token, 4999)).not.toBeNull();
    expect(store.apiTokens.resolve(expiring.token, 5000)).toBeNull();
    expect(store.apiTokens.revoke(revoked.record.id)).toBe(true);
    expect(store.apiTokens.revoke(revoked.record.id)).toBe(false);
    expect(store.apiTokens.resolve(revoked.token)).toBeNull();
    expect(store.apiTokens.listOfUser(user.id).map((token) => token.name)).toEqual(['short']);
    expect(store.apiTokens.list()).toHaveLength(2);
  });

  it('never writes a token or a session token to the database file', async () => {
    const user = addUser('kim@example.com');
    const { token } = store.apiTokens.create({ userId: user.id, name: 'CI' });
    const { token: session } = store.sessions.create(user.id);
    await store.close();
    const bytes = readFileSync(file).toString('latin1') + readWal();
    expect(bytes).not.toContain(token.slice(3));
    expect(bytes).not.toContain(session);
    store = createStore(file);
  });
});

function readWal(): string {
  try {
    return readFileSync(`${file}-wal`).toString('latin1');
  } catch {
    return '';
  }
}
