import type { DbHandle } from './client.ts';
import { newId } from './ids.ts';
import { type KeyRing, open, SealedRecordError, seal } from './secret-box.ts';

/** A stored credential as everything but the decryption sees it: never its secret value. */
export interface CredentialRecord {
  id: string;
  name: string;
  type: string;
  /** Its fields that are not secret (a Basic user name, a header name), kept in clear for lists. */
  details: Record<string, string>;
  /** The key its value is encrypted with. */
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

/** A credential whose value cannot be decrypted with the key ring this process holds. */
export class CredentialUnreadableError extends Error {
  override readonly name = 'CredentialUnreadableError';
  constructor(
    readonly credential: { id: string; name: string },
    readonly sealError: SealedRecordError,
  ) {
    super(
      `credential "${credential.name}" (${credential.id}) cannot be decrypted: ${sealError.message}`,
    );
  }
}

/** This process was started without an encryption key (a CLI command that needs none). */
export class NoEncryptionKeyError extends Error {
  override readonly name = 'NoEncryptionKeyError';
  constructor() {
    super(
      'credentials cannot be encrypted or decrypted here: no encryption key was loaded (HOOKFLOW_ENCRYPTION_KEY or the key file in DATA_DIR)',
    );
  }
}

interface CredentialRow {
  id: string;
  name: string;
  type: string;
  details: string;
  secret: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

const columns = `id, name, type, details, secret, key_id AS keyId, created_at AS createdAt,
  updated_at AS updatedAt`;

/** The row a value is sealed for: its id and its type. */
const bindingOf = (row: { id: string; type: string }) => `credential:${row.id}:${row.type}`;

function toRecord({ secret: _secret, details, ...row }: CredentialRow): CredentialRecord {
  return { ...row, details: JSON.parse(details) as Record<string, string> };
}

/**
 * Credentials: secrets for HTTP requests and trigger verification, each value sealed with
 * AES-256-GCM under the key ring's current key (see secret-box.ts). Values are decrypted only by
 * `reveal`; nothing else returns them.
 */
export function createCredentialStore({ sqlite }: DbHandle, keyRing: KeyRing | undefined) {
  const ring = (): KeyRing => {
    if (!keyRing) throw new NoEncryptionKeyError();
    return keyRing;
  };
  const all = sqlite.prepare(`SELECT ${columns} FROM credentials ORDER BY name COLLATE NOCASE, id`);
  const byId = sqlite.prepare(`SELECT ${columns} FROM credentials WHERE id = ?`);
  const insert = sqlite.prepare(
    `INSERT INTO credentials (id, name, type, details, secret, key_id, created_at, updated_at)
     VALUES (@id, @name, @type, @details, @secret, @keyId, @createdAt, @updatedAt)`,
  );
  const rewrite = sqlite.prepare(
    `UPDATE credentials SET name = @name, details = @details, secret = @secret, key_id = @keyId,
     updated_at = @updatedAt WHERE id = @id`,
  );
  const reseal = sqlite.prepare('UPDATE credentials SET secret = ?, key_id = ? WHERE id = ?');
  const remove = sqlite.prepare('DELETE FROM credentials WHERE id = ?');
  const keyCounts = sqlite.prepare(
    'SELECT key_id AS keyId, count(*) AS count FROM credentials GROUP BY key_id',
  );

  const openRow = (row: CredentialRow, keys: KeyRing): unknown => {
    try {
      return JSON.parse(open(keys, bindingOf(row), row.secret));
    } catch (error) {
      if (error instanceof SealedRecordError) throw new CredentialUnreadableError(row, error);
      throw error;
    }
  };

  return {
    list(): CredentialRecord[] {
      return (all.all() as CredentialRow[]).map(toRecord);
    },

    get(id: string): CredentialRecord | null {
      const row = byId.get(id) as CredentialRow | undefined;
      return row ? toRecord(row) : null;
    },

    /** Stores a credential, its value encrypted under the current key. */
    create(input: {
      name: string;
      type: string;
      value: unknown;
      details?: Record<string, string>;
      now?: number;
    }): CredentialRecord {
      const keys = ring();
      const now = input.now ?? Date.now();
      const id = newId('cred');
      insert.run({
        id,
        name: input.name,
        type: input.type,
        details: JSON.stringify(input.details ?? {}),
        secret: seal(keys, bindingOf({ id, type: input.type }), JSON.stringify(input.value)),
        keyId: keys.keys[0]!.id,
        createdAt: now,
        updatedAt: now,
      });
      return this.get(id)!;
    },

    /**
     * Renames a credential and, with `value`, replaces its value (encrypted under the current
     * key); without `value` the stored one is kept as it is. Null when it does not exist.
     */
    update(
      id: string,
      input: { name?: string; value?: unknown; details?: Record<string, string>; now?: number },
    ): CredentialRecord | null {
      const row = byId.get(id) as CredentialRow | undefined;
      if (!row) return null;
      const keys = input.value === undefined ? null : ring();
      rewrite.run({
        id,
        name: input.name ?? row.name,
        details: input.details ? JSON.stringify(input.details) : row.details,
        secret: keys ? seal(keys, bindingOf(row), JSON.stringify(input.value)) : row.secret,
        keyId: keys ? keys.keys[0]!.id : row.keyId,
        updatedAt: input.now ?? Date.now(),
      });
      return this.get(id);
    },

    delete(id: string): boolean {
      return remove.run(id).changes > 0;
    },

    /**
     * The decrypted value; null when the credential does not exist. Throws
     * CredentialUnreadableError (naming the credential) when the key ring cannot open it.
     */
    reveal(id: string): { credential: CredentialRecord; value: unknown } | null {
      const row = byId.get(id) as CredentialRow | undefined;
      if (!row) return null;
      return { credential: toRecord(row), value: openRow(row, ring()) };
    },

    /**
     * Re-encrypts every value under the key ring's current key, in one transaction: either all
     * are rewritten or, when one cannot be decrypted, none (the error names it).
     */
    reencryptAll(): { reencrypted: number; keyId: string } {
      const keys = ring();
      const current = keys.keys[0]!.id;
      const rows = all.all() as CredentialRow[];
      sqlite.transaction(() => {
        for (const row of rows) {
          const value = openRow(row, keys);
          reseal.run(seal(keys, bindingOf(row), JSON.stringify(value)), current, row.id);
        }
      })();
      return { reencrypted: rows.length, keyId: current };
    },

    /** How many values each key id encrypts. */
    keyUsage(): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const { keyId, count } of keyCounts.all() as { keyId: string; count: number }[]) {
        counts[keyId] = count;
      }
      return counts;
    },
  };
}

export type CredentialStore = ReturnType<typeof createCredentialStore>;
