import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Sealed records: AES-256-GCM with a 96-bit random IV and a 128-bit tag, written as
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url). The associated data binds a record to the
 * row it belongs to (its id and type, and the header itself), so a ciphertext copied into
 * another row, or relabelled with another key id, does not open.
 */

export const SEALED_VERSION = 'v1';

/** One AES-256 key and its id (written in every record sealed with it). */
export interface EncryptionKey {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

/** The keys Hookflow can open records with; the first is the one new records are sealed with. */
export interface KeyRing {
  readonly keys: readonly EncryptionKey[];
}

/** A record that cannot be opened: unknown key id, wrong key, altered or moved record. */
export class SealedRecordError extends Error {
  override readonly name = 'SealedRecordError';
  constructor(
    message: string,
    readonly reason: 'format' | 'unknown-key' | 'wrong-key-or-altered',
    readonly keyId: string | undefined,
  ) {
    super(message);
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a key ring's shape: 32-byte keys, ids that fit a record, each id once. */
export function assertKeyRing(ring: KeyRing): void {
  if (ring.keys.length === 0) throw new Error('the key ring is empty');
  const seen = new Set<string>();
  for (const { id, key } of ring.keys) {
    if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-64 of A-Z a-z 0-9 _ -`);
    if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes, not ${key.length}`);
    if (seen.has(id)) throw new Error(`key id ${id} appears twice in the key ring`);
    seen.add(id);
  }
}

const associatedData = (keyId: string, binding: string) =>
  Buffer.from(`hookflow:${SEALED_VERSION}:${keyId}:${binding}`, 'utf8');

/**
 * Seals `plaintext` under the ring's current key, bound to `binding` (e.g. the row's id and
 * type).
 *
 * @example
 * const record = seal(ring, 'cred_01J…:bearer', '{"token":"…"}');
 * open(ring, 'cred_01J…:bearer', record); // '{"token":"…"}'
 */
export function seal(ring: KeyRing, binding: string, plaintext: string): string {
  const current = ring.keys[0];
  if (!current) throw new Error('the key ring is empty');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: 16 });
  cipher.setAAD(associatedData(current.id, binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    SEALED_VERSION,
    current.id,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join(':');
}

/** The key id a record was sealed with, or undefined when it is not a record. */
export function sealedKeyId(record: string): string | undefined {
  const parts = record.split(':');
  return parts.length === 5 && parts[0] === SEALED_VERSION ? parts[1] : undefined;
}

/** Opens a record sealed for `binding`; throws SealedRecordError saying why it cannot. */
export function open(ring: KeyRing, binding: string, record: string): string {
  const parts = record.split(':');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    version !== SEALED_VERSION ||
    keyId === undefined ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined
  ) {
    throw new SealedRecordError(
      `not a ${SEALED_VERSION} sealed record`,
      'format',
      parts.length === 5 ? keyId : undefined,
    );
  }
  const key = ring.keys.find((candidate) => candidate.id === keyId);
  if (!key) {
    throw new SealedRecordError(
      `it was encrypted with key ${keyId}, which is not in the key ring (known: ${ring.keys.map((k) => k.id).join(', ')})`,
      'unknown-key',
      keyId,
    );
  }
  try {
    // A fixed tag length: Node would otherwise accept a truncated (forgeable) tag.
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAAD(associatedData(keyId, binding));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SealedRecordError(
      `key ${keyId} does not open it: the key is not the one it was encrypted with, or the record was altered or moved from another row`,
      'wrong-key-or-altered',
      keyId,
    );
  }
}
