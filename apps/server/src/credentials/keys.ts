import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertKeyRing, type EncryptionKey, type KeyRing } from '@hookflow/db';

/**
 * Where the key credentials are encrypted with comes from: `HOOKFLOW_ENCRYPTION_KEY` (one base64
 * key of 32 bytes, or a ring `id1:base64,id2:base64` whose first key is the current one), else
 * the key file `DATA_DIR/hookflow.key` (the same ring, one key per line), created with mode 0600
 * on first start. A key file that group or others may read or write stops the start.
 */

export const KEY_ENV = 'HOOKFLOW_ENCRYPTION_KEY';
export const KEY_FILE_NAME = 'hookflow.key';

/** A key ring that cannot be used; the message says which setting or file and why. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

export interface LoadedKeyRing {
  ring: KeyRing;
  /** `HOOKFLOW_ENCRYPTION_KEY`, or the key file's path. */
  source: string;
  /** The key file was created now. */
  created: boolean;
}

export const keyFilePath = (dataDir: string) => join(dataDir, KEY_FILE_NAME);

/** A key's id when none is written: the start of its SHA-256, so the same key keeps its id. */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function generateKey(): EncryptionKey {
  const key = randomBytes(32);
  return { id: keyIdOf(key), key };
}

/** `id:base64` entries, one a line: what the key file holds (and the env var, comma-separated). */
export function formatKeyRing(ring: KeyRing, separator = '\n'): string {
  return ring.keys
    .map(({ id, key }) => `${id}:${Buffer.from(key).toString('base64')}`)
    .join(separator);
}

/**
 * Reads a key ring written as `id:base64` or bare base64 entries, separated by commas or lines
 * (`#` starts a comment line). Messages name `source`, never a key.
 */
export function parseKeyRing(text: string, source: string): KeyRing {
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new KeyRingError(`${source} holds no key`);
  const keys = entries.map((entry, index): EncryptionKey => {
    const colon = entry.indexOf(':');
    const encoded = colon === -1 ? entry : entry.slice(colon + 1).trim();
    const where = `${source}, key ${index + 1}`;
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
      throw new KeyRingError(`${where}: not base64 (write id:base64, or base64 alone)`);
    }
    // Node's base64 decoder reads the URL-safe alphabet too.
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) {
      throw new KeyRingError(
        `${where}: a key is 32 random bytes in base64 (44 characters), not ${key.length} bytes; make one with: openssl rand -base64 32`,
      );
    }
    return { id: colon === -1 ? keyIdOf(key) : entry.slice(0, colon).trim(), key };
  });
  try {
    assertKeyRing({ keys });
  } catch (error) {
    throw new KeyRingError(`${source}: ${(error as Error).message}`);
  }
  return { keys };
}

/** Refuses a key file that anyone but its owner may read or write. */
function checkKeyFileMode(path: string): void {
  const stats = statSync(path);
  if (!stats.isFile()) throw new KeyRingError(`the key file ${path} is not a file`);
  const loose = stats.mode & 0o077;
  if (loose !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    throw new KeyRingError(
      `the key file ${path} is readable or writable by group or others (mode ${mode}); it encrypts every credential, so Hookflow refuses to start: run chmod 600 ${path} (and check who could have read it)`,
    );
  }
}

/** Writes a key file readable and writable by its owner only, replacing any by a rename. */
function writeKeyFile(path: string, ring: KeyRing, exclusive: boolean): void {
  const text = `# Hookflow encryption keys, current first. Back this file up with the database:\n# without it, stored credentials cannot be decrypted.\n${formatKeyRing(ring)}\n`;
  if (exclusive) {
    // wx: if another process created it meanwhile, use theirs rather than overwrite it.
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * The key ring for this process. `create`: make the key file when there is neither the variable
 * nor the file (the server's first start); otherwise null is returned then.
 */
export function loadKeyRing(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
  create: boolean;
}): LoadedKeyRing | null {
  const fromEnv = options.env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { ring: parseKeyRing(fromEnv, KEY_ENV), source: KEY_ENV, created: false };
  }
  const path = keyFilePath(options.dataDir);
  if (!existsSync(path)) {
    if (!options.create) return null;
    try {
      writeKeyFile(path, { keys: [generateKey()] }, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    checkKeyFileMode(path);
    return { ring: parseKeyRing(readFileSync(path, 'utf8'), path), source: path, created: true };
  }
  checkKeyFileMode(path);
  return { ring: parseKeyRing(readFileSync(path, 'utf8'), path), source: path, created: false };
}

/** Puts a new key first in the key file (the others stay, to open older values); returns it. */
export function addKeyToFile(dataDir: string): EncryptionKey {
  const path = keyFilePath(dataDir);
  if (!existsSync(path)) throw new KeyRingError(`there is no key file at ${path}`);
  checkKeyFileMode(path);
  const ring = parseKeyRing(readFileSync(path, 'utf8'), path);
  const key = generateKey();
  writeKeyFile(path, { keys: [key, ...ring.keys] }, false);
  return key;
}
