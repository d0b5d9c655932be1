import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialUnreadableError, NoEncryptionKeyError } from './credentials.ts';
import { type KeyRing, open, SealedRecordError, seal } from './secret-box.ts';
import { createStore, type Store } from './store.ts';

const keyA = { id: 'ka', key: randomBytes(32) };
const keyB = { id: 'kb', key: randomBytes(32) };
const secret = 'sk_live/51H+secret=value-for-tests';

let dir: string;
let file: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-credentials-'));
  file = join(dir, 'test.db');
  store = createStore(file, { keyRing: { keys: [keyA] } });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the same file with another key ring, as a restarted server would. */
async function reopen(keyRing: KeyRing | undefined): Promise<Store> {
  await store.close();
  store = createStore(file, keyRing ? { keyRing } : {});
  return store;
}

/** The raw sealed value of a row, read past the store. */
function sealedValue(id: string): string {
  const sqlite = new Database(file);
  try {
    return (
      sqlite.prepare('SELECT secret FROM credentials WHERE id = ?').get(id) as {
        secret: string;
      }
    ).secret;
  } finally {
    sqlite.close();
  }
}

describe('sealed records', () => {
  it('round-trip under a 96-bit random IV, in the v1 format', () => {
    const ring = { keys: [keyA] };
    const first = seal(ring, 'row-1', secret);
    const second = seal(ring, 'row-1', secret);
    expect(first).toMatch(/^v1:ka:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(first).not.toBe(second);
    expect(open(ring, 'row-1', first)).toBe(secret);
    expect(first).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
  });

  it('open only for the row they were sealed for, with the key they name, unaltered', () => {
    const ring = { keys: [keyA] };
    const record = seal(ring, 'row-1', secret);
    expect(() => open(ring, 'row-2', record)).toThrow(SealedRecordError);
    expect(() => open({ keys: [{ id: 'ka', key: keyB.key }] }, 'row-1', record)).toThrow(
      /key ka does not open it/,
    );
    expect(() => open({ keys: [keyB] }, 'row-1', record)).toThrow(
      /encrypted with key ka, which is not in the key ring \(known: kb\)/,
    );
    const [v, id, iv, tag, ciphertext] = record.split(':');
    const flipped = `${ciphertext!.slice(0, -2)}${ciphertext!.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(() => open(ring, 'row-1', [v, id, iv, tag, flipped].join(':'))).toThrow(/altered/);
    // A truncated tag would be easier to forge: refused.
    expect(() => open(ring, 'row-1', [v, id, iv, tag!.slice(0, 11), ciphertext].join(':'))).toThrow(
      SealedRecordError,
    );
    // Relabelled with another key id of the ring: the id is bound too.
    expect(() =>
      open(
        { keys: [keyA, { id: 'kz', key: keyA.key }] },
        'row-1',
        [v, 'kz', iv, tag, ciphertext].join(':'),
      ),
    ).toThrow(SealedRecordError);
  });
});

describe('the credential store', () => {
  it('keeps values encrypted in the file and lists credentials without them', async () => {
    const created = store.credentials.create({
      name: 'Shop API',
      type: 'basic',
      value: { username: 'ada', password: secret },
      details: { username: 'ada' },
    });
    expect(created).toMatchObject({ name: 'Shop API', type: 'basic', keyId: 'ka' });
    expect(created.id).toMatch(/^cred_/);
    expect(JSON.stringify(store.credentials.list())).not.toContain(secret);
    expect(store.credentials.list()[0]?.details).toEqual({ username: 'ada' });
    expect(store.credentials.reveal(created.id)?.value).toEqual({
      username: 'ada',
      password: secret,
    });
    await store.close();
    const bytes = readFileSync(file);
    const wal = readFileSync(`${file}-wal`, { flag: 'a+' });
    for (const content of [bytes, wal]) {
      expect(content.includes(secret)).toBe(false);
      expect(content.includes(Buffer.from(secret).toString('base64').slice(0, 16))).toBe(false);
      expect(content.includes(Buffer.from(secret).toString('base64url').slice(0, 16))).toBe(false);
    }
    store = createStore(file, { keyRing: { keys: [keyA] } });
  });

  it('keeps the value when an update gives none, and re-encrypts when it gives one', () => {
    const created = store.credentials.create({
      name: 'Token',
      type: 'bearer',
      value: { token: secret },
    });
    const before = sealedValue(created.id);
    store.credentials.update(created.id, { name: 'Renamed' });
    expect(sealedValue(created.id)).toBe(before);
    expect(store.credentials.reveal(created.id)?.value).toEqual({ token: secret });
    store.credentials.update(created.id, { value: { token: 'another-token-value' } });
    expect(sealedValue(created.id)).not.toBe(before);
    expect(store.credentials.reveal(created.id)).toMatchObject({
      credential: { name: 'Renamed' },
      value: { token: 'another-token-value' },
    });
    expect(store.credentials.update('cred_missing', { name: 'x' })).toBeNull();
    expect(store.credentials.reveal('cred_missing')).toBeNull();
  });

  it('refuses a value moved into another row (the id and type are bound to it)', () => {
    const first = store.credentials.create({ name: 'A', type: 'bearer', value: { token: secret } });
    const second = store.credentials.create({
      name: 'B',
      type: 'bearer',
      value: { token: 'b-token-value' },
    });
    const sqlite = new Database(file);
    sqlite
      .prepare('UPDATE credentials SET secret = ? WHERE id = ?')
      .run(sealedValue(first.id), second.id);
    sqlite.close();
    expect(() => store.credentials.reveal(second.id)).toThrow(CredentialUnreadableError);
    expect(() => store.credentials.reveal(second.id)).toThrow(
      /^credential "B" \(cred_\w+\) cannot be decrypted: key ka does not open it/,
    );
    expect(store.credentials.reveal(first.id)?.value).toEqual({ token: secret });
  });

  it('names the credential when the key is wrong or missing, and needs a key to write', async () => {
    const created = store.credentials.create({
      name: 'Signing',
      type: 'hmac-secret',
      value: { secret },
    });
    await reopen({ keys: [{ id: 'ka', key: keyB.key }] });
    expect(() => store.credentials.reveal(created.id)).toThrow(
      /^credential "Signing" \(cred_\w+\) cannot be decrypted: key ka does not open it/,
    );
    await reopen({ keys: [keyB] });
    expect(() => store.credentials.reveal(created.id)).toThrow(
      /encrypted with key ka, which is not in the key ring/,
    );
    await reopen(undefined);
    expect(store.credentials.list()).toHaveLength(1);
    expect(() => store.credentials.reveal(created.id)).toThrow(NoEncryptionKeyError);
    expect(() =>
      store.credentials.create({ name: 'X', type: 'bearer', value: { token: 'abc' } }),
    ).toThrow(NoEncryptionKeyError);
    // Renaming needs no key.
    expect(store.credentials.update(created.id, { name: 'Renamed' })?.name).toBe('Renamed');
  });

  it('rotates: new values use the current key, old ones open by their key id, re-encryption moves all', async () => {
    const old = store.credentials.create({ name: 'Old', type: 'bearer', value: { token: secret } });
    await reopen({ keys: [keyB, keyA] });
    const fresh = store.credentials.create({
      name: 'New',
      type: 'bearer',
      value: { token: 'fresh-token-value' },
    });
    expect(fresh.keyId).toBe('kb');
    expect(store.credentials.reveal(old.id)?.value).toEqual({ token: secret });
    expect(store.credentials.keyUsage()).toEqual({ ka: 1, kb: 1 });
    expect(store.credentials.reencryptAll()).toEqual({ reencrypted: 2, keyId: 'kb' });
    expect(store.credentials.keyUsage()).toEqual({ kb: 2 });
    expect(store.credentials.get(old.id)?.keyId).toBe('kb');
    // The old key can go now.
    await reopen({ keys: [keyB] });
    expect(store.credentials.reveal(old.id)?.value).toEqual({ token: secret });
    expect(store.credentials.reveal(fresh.id)?.value).toEqual({ token: 'fresh-token-value' });
  });

  it('rotates all or nothing: one value it cannot open leaves every row as it was', async () => {
    const a = store.credentials.create({ name: 'A', type: 'bearer', value: { token: secret } });
    await reopen({ keys: [keyB] });
    store.credentials.create({ name: 'B', type: 'bearer', value: { token: 'b-token-value' } });
    expect(() => store.credentials.reencryptAll()).toThrow(/credential "A" .* cannot be decrypted/);
    expect(store.credentials.keyUsage()).toEqual({ ka: 1, kb: 1 });
    await reopen({ keys: [keyA] });
    expect(store.credentials.reveal(a.id)?.value).toEqual({ token: secret });
  });

  it('keeps names unique', () => {
    store.credentials.create({ name: 'Same', type: 'bearer', value: { token: secret } });
    expect(() =>
      store.credentials.create({ name: 'Same', type: 'bearer', value: { token: secret } }),
    ).toThrow(/UNIQUE/);
  });
});
