import { randomBytes } from 'node:crypto';
import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';
import { hashToken } from './sessions.ts';
import { LAST_SEEN_RESOLUTION_MS, type UserRecord, type UserStore } from './users.ts';

/** Every API token starts with this, so a leaked one is recognisable (and scannable). */
export const API_TOKEN_PREFIX = 'hf_';
/** How much of a token lists show: `hf_` and its first six characters. */
const SHOWN_CHARS = API_TOKEN_PREFIX.length + 6;

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** The token's first characters, to tell tokens apart; not enough to use one. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

const columns = `id, user_id AS userId, name, prefix, created_at AS createdAt,
  last_used_at AS lastUsedAt, expires_at AS expiresAt, revoked_at AS revokedAt`;

/**
 * Personal API tokens: `hf_` + 256 random bits (base64url). Only their SHA-256 is stored; the
 * token is returned once, by `create`.
 */
export function createApiTokenStore({ sqlite }: DbHandle, users: UserStore) {
  const insert = sqlite.prepare(
    `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at, expires_at)
     VALUES (@id, @userId, @name, @tokenHash, @prefix, @now, @expiresAt)`,
  );
  const byId = sqlite.prepare(`SELECT ${columns} FROM api_tokens WHERE id = ?`);
  const byHash = sqlite.prepare(`SELECT ${columns} FROM api_tokens WHERE token_hash = ?`);
  const ofUser = sqlite.prepare(
    `SELECT ${columns} FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL
     ORDER BY created_at DESC, id DESC`,
  );
  const all = sqlite.prepare(
    `SELECT ${columns} FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at DESC, id DESC`,
  );
  const touch = sqlite.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const revoke = sqlite.prepare(
    'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  const get = (id: string) => (byId.get(id) as ApiTokenRecord | undefined) ?? null;

  return {
    /** Makes a token for a user; `token` is the only copy there will ever be. */
    create(input: { userId: string; name: string; expiresAt?: number | null; now?: number }): {
      token: string;
      record: ApiTokenRecord;
    } {
      const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const id = newId('tok');
      insert.run({
        id,
        userId: input.userId,
        name: input.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, SHOWN_CHARS),
        now: input.now ?? Date.now(),
        expiresAt: input.expiresAt ?? null,
      });
      return { token, record: get(id)! };
    },

    get,

    /**
     * The token and its user, or null when the token is unknown, revoked or expired. Its
     * `lastUsedAt` moves at most once a minute.
     */
    resolve(token: string, now = Date.now()): { token: ApiTokenRecord; user: UserRecord } | null {
      if (!token.startsWith(API_TOKEN_PREFIX)) return null;
      const record = byHash.get(hashToken(token)) as ApiTokenRecord | undefined;
      if (!record || record.revokedAt !== null) return null;
      if (record.expiresAt !== null && record.expiresAt <= now) return null;
      const user = users.get(record.userId);
      if (!user) return null;
      if (record.lastUsedAt === null || now - record.lastUsedAt >= LAST_SEEN_RESOLUTION_MS) {
        touch.run(now, record.id);
        record.lastUsedAt = now;
        users.seen(user.id, now);
      }
      return { token: record, user };
    },

    /** A user's tokens that are not revoked (expired ones included), newest first. */
    listOfUser(userId: string): ApiTokenRecord[] {
      return ofUser.all(userId) as ApiTokenRecord[];
    },

    /** Every token not revoked, newest first. */
    list(): ApiTokenRecord[] {
      return all.all() as ApiTokenRecord[];
    },

    /** Revokes a token for good. False when it does not exist or was revoked already. */
    revoke(id: string, now = Date.now()): boolean {
      return revoke.run(now, id).changes > 0;
    },
  };
}

export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;
