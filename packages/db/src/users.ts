import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';

/** From least to most: each role may do what the ones before it may. */
export const userRoles = ['viewer', 'editor', 'admin', 'owner'] as const;
export type UserRole = (typeof userRoles)[number];

/** A user as everything but sign-in sees them: never the password hash. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  createdAt: number;
  updatedAt: number;
  /** The last sign-in or use of a session or API token; null before the first. */
  lastSeenAt: number | null;
}

/** The email is taken by another user (emails are compared without case). */
export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
  constructor(readonly email: string) {
    super(`a user with the email ${email} already exists`);
  }
}

/** There is an owner already, and there is only ever one. */
export class OwnerExistsError extends Error {
  override readonly name = 'OwnerExistsError';
  constructor() {
    super('Hookflow has an owner already; there is only one');
  }
}

interface UserRow extends UserRecord {
  passwordHash: string;
}

const columns = `id, email, name, role, password_hash AS passwordHash, created_at AS createdAt,
  updated_at AS updatedAt, last_seen_at AS lastSeenAt`;

/** Emails are kept trimmed and lower-cased: `Ada@Example.com` and `ada@example.com` are one. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function toRecord({ passwordHash: _hash, ...row }: UserRow): UserRecord {
  return row;
}

/** How often a user's `lastSeenAt` is written at most, however often they call. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * The people who sign in. Passwords arrive here already hashed (the API hashes them); this
 * store hands a hash back only through `credentialsOf`, for sign-in.
 */
export function createUserStore({ sqlite }: DbHandle) {
  const count = sqlite.prepare('SELECT count(*) AS n FROM users');
  const all = sqlite.prepare(`SELECT ${columns} FROM users ORDER BY created_at, id`);
  const byId = sqlite.prepare(`SELECT ${columns} FROM users WHERE id = ?`);
  const byEmail = sqlite.prepare(`SELECT ${columns} FROM users WHERE lower(email) = ?`);
  const owner = sqlite.prepare(`SELECT ${columns} FROM users WHERE role = 'owner'`);
  const insert = sqlite.prepare(
    `INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at)
     VALUES (@id, @email, @name, @role, @passwordHash, @now, @now)`,
  );
  const updateRole = sqlite.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?');
  const updatePassword = sqlite.prepare(
    'UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?',
  );
  const updateLastSeen = sqlite.prepare(
    'UPDATE users SET last_seen_at = @now WHERE id = @id AND (last_seen_at IS NULL OR last_seen_at <= @before)',
  );
  const remove = sqlite.prepare('DELETE FROM users WHERE id = ?');

  const get = (id: string) => {
    const row = byId.get(id) as UserRow | undefined;
    return row ? toRecord(row) : null;
  };

  const create = sqlite.transaction(
    (input: {
      email: string;
      name?: string;
      role: UserRole;
      passwordHash: string;
      now?: number;
    }): UserRecord => {
      const email = normalizeEmail(input.email);
      if (byEmail.get(email)) throw new EmailTakenError(email);
      if (input.role === 'owner' && owner.get()) throw new OwnerExistsError();
      const id = newId('usr');
      insert.run({
        id,
        email,
        name: input.name?.trim() ?? '',
        role: input.role,
        passwordHash: input.passwordHash,
        now: input.now ?? Date.now(),
      });
      return get(id)!;
    },
  );

  return {
    count(): number {
      return (count.get() as { n: number }).n;
    },

    list(): UserRecord[] {
      return (all.all() as UserRow[]).map(toRecord);
    },

    get,

    getByEmail(email: string): UserRecord | null {
      const row = byEmail.get(normalizeEmail(email)) as UserRow | undefined;
      return row ? toRecord(row) : null;
    },

    /** The user and their password hash, for sign-in only. */
    credentialsOf(email: string): { user: UserRecord; passwordHash: string } | null {
      const row = byEmail.get(normalizeEmail(email)) as UserRow | undefined;
      return row ? { user: toRecord(row), passwordHash: row.passwordHash } : null;
    },

    passwordHashOf(id: string): string | null {
      const row = byId.get(id) as UserRow | undefined;
      return row?.passwordHash ?? null;
    },

    owner(): UserRecord | null {
      const row = owner.get() as UserRow | undefined;
      return row ? toRecord(row) : null;
    },

    /**
     * Adds a user. Throws EmailTakenError when the email is taken, OwnerExistsError for a
     * second owner.
     */
    create(input: {
      email: string;
      name?: string;
      role: UserRole;
      passwordHash: string;
      now?: number;
    }): UserRecord {
      try {
        // IMMEDIATE: it reads before it writes, and a deferred transaction whose read snapshot
        // another process wrote past fails at once with SQLITE_BUSY instead of waiting.
        return create.immediate(input);
      } catch (error) {
        // Another process added the same email (or an owner) between the check and the insert.
        const message = error instanceof Error ? error.message : '';
        if (message.includes('users_one_owner')) throw new OwnerExistsError();
        if (message.includes('users_email')) throw new EmailTakenError(normalizeEmail(input.email));
        throw error;
      }
    },

    setRole(id: string, role: UserRole, now = Date.now()): UserRecord | null {
      if (role === 'owner') {
        const current = owner.get() as UserRow | undefined;
        if (current && current.id !== id) throw new OwnerExistsError();
      }
      return updateRole.run(role, now, id).changes > 0 ? get(id) : null;
    },

    setPasswordHash(id: string, passwordHash: string, now = Date.now()): boolean {
      return updatePassword.run(passwordHash, now, id).changes > 0;
    },

    /** Notes that the user was active; writes at most once per LAST_SEEN_RESOLUTION_MS. */
    seen(id: string, now = Date.now()): void {
      updateLastSeen.run({ id, now, before: now - LAST_SEEN_RESOLUTION_MS });
    },

    /** Deletes the user with their sessions and API tokens. */
    delete(id: string): boolean {
      return remove.run(id).changes > 0;
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
