import { createHash, randomBytes } from 'node:crypto';
import type { DbHandle } from './client.ts';
import { LAST_SEEN_RESOLUTION_MS, type UserRecord, type UserStore } from './users.ts';

/** How long a session lasts without being used; each use (at most once a minute) renews it. */
export const SESSION_LIFETIME_MS = 30 * 86_400_000;

export interface SessionRecord {
  /** SHA-256 of the cookie's token: safe to show or log, useless to sign in with. */
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

const columns = `id, user_id AS userId, created_at AS createdAt, last_seen_at AS lastSeenAt,
  expires_at AS expiresAt, ip, user_agent AS userAgent`;

/** The stored form of a secret token: its SHA-256, base64url. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Browser sessions. The token goes into the cookie and nowhere else; the table keeps its hash,
 * so reading the database (or a backup) does not let anyone sign in.
 */
export function createSessionStore({ sqlite }: DbHandle, users: UserStore) {
  const insert = sqlite.prepare(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES (@id, @userId, @now, @now, @expiresAt, @ip, @userAgent)`,
  );
  const byId = sqlite.prepare(`SELECT ${columns} FROM sessions WHERE id = ?`);
  const ofUser = sqlite.prepare(
    `SELECT ${columns} FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC`,
  );
  const touch = sqlite.prepare(
    'UPDATE sessions SET last_seen_at = @now, expires_at = @expiresAt WHERE id = @id',
  );
  const remove = sqlite.prepare('DELETE FROM sessions WHERE id = ?');
  const removeOfUser = sqlite.prepare('DELETE FROM sessions WHERE user_id = ?');
  const removeOthersOfUser = sqlite.prepare('DELETE FROM sessions WHERE user_id = ? AND id != ?');
  const removeExpired = sqlite.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    /** Starts a session; the token is returned once, for the cookie. */
    create(
      userId: string,
      options: {
        ip?: string | null;
        userAgent?: string | null;
        now?: number;
        lifetimeMs?: number;
      } = {},
    ): { token: string; session: SessionRecord } {
      const now = options.now ?? Date.now();
      // Sessions nobody came back to are cleared as new ones start: the table stays small.
      removeExpired.run(now);
      const token = randomBytes(32).toString('base64url');
      const id = hashToken(token);
      insert.run({
        id,
        userId,
        now,
        expiresAt: now + (options.lifetimeMs ?? SESSION_LIFETIME_MS),
        ip: options.ip ?? null,
        // A header of any length arrives; a short prefix is enough to tell browsers apart.
        userAgent: options.userAgent?.slice(0, 256) ?? null,
      });
      users.seen(userId, now);
      return { token, session: byId.get(id) as SessionRecord };
    },

    /**
     * The session a cookie's token names and its user, or null when it is unknown or expired.
     * A session in use slides forward (written at most once a minute).
     */
    resolve(
      token: string,
      options: { now?: number; lifetimeMs?: number } = {},
    ): { session: SessionRecord; user: UserRecord } | null {
      const now = options.now ?? Date.now();
      const session = byId.get(hashToken(token)) as SessionRecord | undefined;
      if (!session) return null;
      if (session.expiresAt <= now) {
        remove.run(session.id);
        return null;
      }
      const user = users.get(session.userId);
      if (!user) return null;
      if (now - session.lastSeenAt >= LAST_SEEN_RESOLUTION_MS) {
        const expiresAt = now + (options.lifetimeMs ?? SESSION_LIFETIME_MS);
        touch.run({ id: session.id, now, expiresAt });
        session.lastSeenAt = now;
        session.expiresAt = expiresAt;
        users.seen(user.id, now);
      }
      return { session, user };
    },

    /** The user's sessions that have not expired, most recently used first. */
    listOfUser(userId: string, now = Date.now()): SessionRecord[] {
      return ofUser.all(userId, now) as SessionRecord[];
    },

    /** Ends the session a token names (sign out). True when there was one. */
    end(token: string): boolean {
      return remove.run(hashToken(token)).changes > 0;
    },

    /** Ends every session of a user, or every one but `exceptSessionId`; returns how many. */
    endAllOf(userId: string, options: { exceptSessionId?: string } = {}): number {
      return options.exceptSessionId
        ? removeOthersOfUser.run(userId, options.exceptSessionId).changes
        : removeOfUser.run(userId).changes;
    },

    /** Deletes sessions that have expired; returns how many. */
    pruneExpired(now = Date.now()): number {
      return removeExpired.run(now).changes;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
