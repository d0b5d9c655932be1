import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '@hookflow/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { keyIdOf, loadKeyRing, parseKeyRing } from '../src/credentials/keys.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-keys-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const base64Key = () => randomBytes(32).toString('base64');

/** Runs a CLI command in this process and collects what it prints. */
async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { DATA_DIR: dir, LOG_LEVEL: 'silent', ...env },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the key ring', () => {
  it('reads one base64 key, or a ring of id:base64 entries with the current one first', () => {
    const key = base64Key();
    const single = parseKeyRing(key, 'HOOKFLOW_ENCRYPTION_KEY');
    expect(single.keys).toEqual([
      { id: keyIdOf(Buffer.from(key, 'base64')), key: Buffer.from(key, 'base64') },
    ]);
    const [a, b] = [base64Key(), base64Key()];
    const ring = parseKeyRing(`new:${a}, old:${b}`, 'HOOKFLOW_ENCRYPTION_KEY');
    expect(ring.keys.map((entry) => entry.id)).toEqual(['new', 'old']);
    expect(parseKeyRing(`# comment, with a comma\nnew:${a}\nold:${b}\n`, 'file').keys).toHaveLength(
      2,
    );
  });

  it('refuses keys that are not 32 bytes of base64, naming the setting but never the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseKeyRing(short, 'HOOKFLOW_ENCRYPTION_KEY')).toThrow(
      'HOOKFLOW_ENCRYPTION_KEY, key 1: a key is 32 random bytes in base64 (44 characters), not 16 bytes; make one with: openssl rand -base64 32',
    );
    expect(() => parseKeyRing('k1:not base64!', 'HOOKFLOW_ENCRYPTION_KEY')).toThrow(
      /^HOOKFLOW_ENCRYPTION_KEY, key 1: not base64/,
    );
    const key = base64Key();
    expect(() => parseKeyRing(`a:${key},a:${base64Key()}`, 'X')).toThrow(
      'X: key id a appears twice in the key ring',
    );
    try {
      parseKeyRing(`${key.slice(0, 20)}`, 'X');
    } catch (error) {
      expect((error as Error).message).not.toContain(key.slice(0, 20));
    }
  });

  it('takes HOOKFLOW_ENCRYPTION_KEY over the key file, and creates no file then', () => {
    const loaded = loadKeyRing({
      env: { HOOKFLOW_ENCRYPTION_KEY: base64Key() },
      dataDir: dir,
      create: true,
    });
    expect(loaded?.source).toBe('HOOKFLOW_ENCRYPTION_KEY');
    expect(existsSync(join(dir, 'hookflow.key'))).toBe(false);
  });

  it('creates the key file with mode 0600 on first start and reads the same key after', () => {
    const process = globalThis.process;
    const before = process.umask(0);
    try {
      const created = loadKeyRing({ env: {}, dataDir: dir, create: true })!;
      expect(created.created).toBe(true);
      expect(statSync(join(dir, 'hookflow.key')).mode & 0o777).toBe(0o600);
      const again = loadKeyRing({ env: {}, dataDir: dir, create: true })!;
      expect(again.created).toBe(false);
      expect(again.ring).toEqual(created.ring);
    } finally {
      process.umask(before);
    }
    expect(loadKeyRing({ env: {}, dataDir: join(dir, 'elsewhere'), create: false })).toBeNull();
  });

  it.each([0o644, 0o640, 0o604, 0o620, 0o602])(
    'refuses a key file with mode %o: group or others may read or write it',
    (mode) => {
      loadKeyRing({ env: {}, dataDir: dir, create: true });
      const file = join(dir, 'hookflow.key');
      chmodSync(file, mode);
      expect(() => loadKeyRing({ env: {}, dataDir: dir, create: true })).toThrow(
        `the key file ${file} is readable or writable by group or others (mode ${mode.toString(8)}); it encrypts every credential, so Hookflow refuses to start: run chmod 600 ${file} (and check who could have read it)`,
      );
    },
  );

  it('accepts a key file its owner can only read (0400)', () => {
    loadKeyRing({ env: {}, dataDir: dir, create: true });
    chmodSync(join(dir, 'hookflow.key'), 0o400);
    expect(loadKeyRing({ env: {}, dataDir: dir, create: false })?.ring.keys).toHaveLength(1);
  });
});

describe('the hookflow command and the key', () => {
  it('refuses to start with a key file others can read, saying what to run', async () => {
    writeFileSync(join(dir, 'hookflow.key'), `k1:${base64Key()}\n`, { mode: 0o644 });
    chmodSync(join(dir, 'hookflow.key'), 0o644);
    const result = await cli(['start']);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      `error: the key file ${join(dir, 'hookflow.key')} is readable or writable by group or others (mode 644)`,
    );
    expect(result.err).toContain(`run chmod 600 ${join(dir, 'hookflow.key')}`);
    expect(existsSync(join(dir, 'hookflow.db'))).toBe(false);
  });

  it('refuses to start with a malformed HOOKFLOW_ENCRYPTION_KEY', async () => {
    const result = await cli(['start'], { HOOKFLOW_ENCRYPTION_KEY: 'too-short' });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^error: HOOKFLOW_ENCRYPTION_KEY, key 1: a key is 32 random bytes/);
  });

  it('rotates: add-key makes a new current key, rotate-key re-encrypts every value under it', async () => {
    const first = loadKeyRing({ env: {}, dataDir: dir, create: true })!;
    const file = join(dir, 'hookflow.db');
    let store = createStore(file, { keyRing: first.ring });
    const created = store.credentials.create({
      name: 'Shop token',
      type: 'bearer',
      value: { token: 'shop-token-value-123' },
    });
    await store.close();

    const added = await cli(['credentials', 'add-key']);
    expect(added.code).toBe(0);
    const ring = loadKeyRing({ env: {}, dataDir: dir, create: false })!.ring;
    expect(ring.keys.map((key) => key.id)).toEqual([ring.keys[0]!.id, first.ring.keys[0]!.id]);
    expect(added.out).toContain(`Key ${ring.keys[0]!.id} is now the current key`);
    expect(statSync(join(dir, 'hookflow.key')).mode & 0o777).toBe(0o600);

    const rotated = await cli(['credentials', 'rotate-key']);
    expect(rotated).toMatchObject({ code: 0, err: '' });
    expect(rotated.out).toBe(
      `Re-encrypted 1 credential under key ${ring.keys[0]!.id}. No credential uses ${first.ring.keys[0]!.id} any more: remove it from ${join(dir, 'hookflow.key')} and restart Hookflow.`,
    );
    // Only the new key now: the value still opens.
    store = createStore(file, { keyRing: { keys: [ring.keys[0]!] } });
    expect(store.credentials.reveal(created.id)?.value).toEqual({ token: 'shop-token-value-123' });
    await store.close();

    const listed = await cli(['credentials', 'list']);
    expect(listed.out).toMatch(
      new RegExp(`^${created.id}  bearer\\s+key ${ring.keys[0]!.id}  Shop token  unused$`),
    );
    expect(listed.out).not.toContain('shop-token-value-123');
  });

  it('warns on import about a secret written in the document instead of a credential', async () => {
    const file = join(dir, 'inline.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'hookflow/workflow@1',
        name: 'Inline token',
        nodes: [
          { id: 't', key: 't', type: 'webhook-trigger', name: 'Webhook', config: {} },
          {
            id: 'h',
            key: 'h',
            type: 'http-request',
            name: 'Call',
            config: {
              url: 'https://example.com/',
              auth: { type: 'bearer', token: 'inline-token-value' },
            },
          },
        ],
        edges: [{ id: 'e', source: 't', target: 'h' }],
      }),
    );
    const result = await cli(['import', file]);
    expect(result.code).toBe(0);
    expect(result.err).toContain(
      'warning: node h, auth.token: a secret is written in the workflow document, where everyone who can open the workflow reads it: keep it in a credential instead',
    );
    expect(result.err).not.toContain('inline-token-value');
  });

  it('prints a new ring to set when the key comes from the environment', async () => {
    const current = `k1:${base64Key()}`;
    const result = await cli(['credentials', 'add-key'], { HOOKFLOW_ENCRYPTION_KEY: current });
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/HOOKFLOW_ENCRYPTION_KEY is set, so the key file is not used/);
    const ring = parseKeyRing(result.out, 'output');
    expect(ring.keys).toHaveLength(2);
    expect(ring.keys[1]?.id).toBe('k1');
    expect(existsSync(join(dir, 'hookflow.key'))).toBe(false);
  });

  it('says what is missing when there is no key to rotate with, and changes nothing when a value does not open', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const none = await cli(['credentials', 'rotate-key'], { DATA_DIR: join(dir, 'data') });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(
      /^error: no encryption key: set HOOKFLOW_ENCRYPTION_KEY or start the server once/,
    );

    const store = createStore(join(dir, 'hookflow.db'), {
      keyRing: { keys: [{ id: 'lost', key: randomBytes(32) }] },
    });
    store.credentials.create({
      name: 'Orphan',
      type: 'bearer',
      value: { token: 'orphan-token-1' },
    });
    await store.close();
    loadKeyRing({ env: {}, dataDir: dir, create: true });
    const failed = await cli(['credentials', 'rotate-key']);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(
      /^error: nothing was changed: credential "Orphan" \(cred_\w+\) cannot be decrypted: it was encrypted with key lost, which is not in the key ring/,
    );
    expect(readFileSync(join(dir, 'hookflow.key'), 'utf8')).not.toContain('lost');
  });
});
