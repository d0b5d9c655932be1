import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '@hookflow/db';
import { credentialRef, WORKFLOW_FORMAT } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLiveEvents } from '../live.ts';
import { createCaller } from '../root.ts';
import type { IssuesError } from '../trpc.ts';

const token = 'tok_live/9c2+Qz=never-shown';
const password = 'pässword with spaces&more';
/** Every way a saved secret could leak: as written, URL-encoded and base64 (whole and inside). */
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  Buffer.from(secret).toString('base64').slice(0, -4),
  Buffer.from(secret).toString('base64url').slice(0, -4),
];

let dir: string;
let store: Store;
let changes: number;
let api: ReturnType<typeof createCaller>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-api-credentials-'));
  store = createStore(join(dir, 'api.db'), {
    keyRing: { keys: [{ id: 'k1', key: randomBytes(32) }] },
  });
  changes = 0;
  api = createCaller({
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
    onCredentialsChanged: () => changes++,
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

/** Webhook (GitHub-signed, secret from a credential) -> HTTP request (auth from a credential). */
function document(auth: unknown, triggerSecret: unknown = credentialRef('cred_missing')) {
  return {
    format: WORKFLOW_FORMAT,
    name: 'Signed orders',
    nodes: [
      {
        id: 't',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: { auth: { type: 'github', secrets: [triggerSecret] } },
        position: { x: 0, y: 0 },
      },
      {
        id: 'h',
        key: 'crm',
        type: 'http-request',
        name: 'CRM',
        config: { url: 'https://example.com/in', auth },
        position: { x: 200, y: 0 },
      },
    ],
    edges: [{ id: 'e', source: 't', target: 'h' }],
    settings: {},
  };
}

describe('credentials router', () => {
  it('never returns a saved value: not from create, list, update, workflows or exports', async () => {
    const outputs: unknown[] = [];
    const bearer = await api.credentials.create({
      name: 'CRM token',
      type: 'bearer',
      value: { token },
    });
    const basic = await api.credentials.create({
      name: 'Legacy API',
      type: 'basic',
      value: { username: 'ada', password },
    });
    const signing = await api.credentials.create({
      name: 'GitHub signing',
      type: 'hmac-secret',
      value: { secret: password },
    });
    outputs.push(bearer, basic, signing);
    expect(bearer).toMatchObject({
      name: 'CRM token',
      type: 'bearer',
      fields: { token: '••••••' },
    });
    expect(basic.fields).toEqual({ username: 'ada', password: '••••••' });
    expect(changes).toBe(3);

    const imported = await api.workflows.import({
      document: document(credentialRef(bearer.id), credentialRef(signing.id)),
      publish: true,
    });
    outputs.push(imported);
    outputs.push(await api.credentials.list());
    outputs.push(await api.credentials.update({ id: basic.id, name: 'Legacy API (v1)' }));
    outputs.push(await api.credentials.update({ id: bearer.id, value: {} }));
    outputs.push(await api.workflows.get({ id: imported.id }));
    outputs.push(await api.workflows.list());
    const exported = await api.workflows.export({ id: imported.id });
    outputs.push(exported);
    const detail = await api.workflows.get({ id: imported.id });
    outputs.push(await api.workflows.version({ versionId: detail.publishedVersionId! }));

    const text = JSON.stringify(outputs);
    for (const form of [...formsOf(token), ...formsOf(password)]) expect(text).not.toContain(form);
    // The export holds references only, and they survive masking.
    expect(exported.nodes[0]?.config).toEqual({
      auth: { type: 'github', secrets: [credentialRef(signing.id)] },
    });
    expect(exported.nodes[1]?.config).toMatchObject({ auth: credentialRef(bearer.id) });
    // The store still has the values.
    expect(store.credentials.reveal(bearer.id)?.value).toEqual({ token });
  });

  it('lists which workflows use each credential and refuses to delete one in use, naming them', async () => {
    const bearer = await api.credentials.create({ name: 'CRM', type: 'bearer', value: { token } });
    const spare = await api.credentials.create({
      name: 'Spare',
      type: 'bearer',
      value: { token: 'spare-token-value' },
    });
    const one = await api.workflows.import({
      document: document(credentialRef(bearer.id), 'inline-secret'),
      publish: false,
    });
    const listed = await api.credentials.list();
    expect(listed.find((c) => c.id === bearer.id)?.usedBy).toEqual([
      { id: one.id, name: 'Signed orders' },
    ]);
    expect(listed.find((c) => c.id === spare.id)?.usedBy).toEqual([]);
    const refused = await refusal(api.credentials.delete({ id: bearer.id }));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toBe(
      `credential "CRM" is used by workflow "Signed orders" (${one.id}): choose another credential in it (and publish) first`,
    );
    // Still used by the published version after the draft moved on: still refused.
    await api.workflows.publish({ id: one.id });
    await api.workflows.saveDraft({
      id: one.id,
      document: document(credentialRef(spare.id), 'inline-secret'),
    });
    expect((await refusal(api.credentials.delete({ id: bearer.id }))).code).toBe('CONFLICT');
    await api.workflows.publish({ id: one.id });
    expect(await api.credentials.delete({ id: bearer.id })).toEqual({ deleted: true });
    expect((await refusal(api.credentials.delete({ id: bearer.id }))).code).toBe('NOT_FOUND');
  });

  it('keeps the stored secret when an update leaves it out, and replaces it when given', async () => {
    const basic = await api.credentials.create({
      name: 'Legacy',
      type: 'basic',
      value: { username: 'ada', password },
    });
    await api.credentials.update({ id: basic.id, value: { username: 'grace', password: '' } });
    expect(store.credentials.reveal(basic.id)?.value).toEqual({ username: 'grace', password });
    await api.credentials.update({ id: basic.id, value: { password: 'a-new-password' } });
    expect(store.credentials.reveal(basic.id)?.value).toEqual({
      username: 'grace',
      password: 'a-new-password',
    });
    expect((await api.credentials.list())[0]?.fields).toEqual({
      username: 'grace',
      password: '••••••',
    });
  });

  it('refuses bad input with messages that name the field, never the value', async () => {
    const badHeader = await refusal(
      api.credentials.create({
        name: 'Header',
        type: 'http-header',
        value: { name: 'not a header', value: `${token}\nsecond line` },
      }),
    );
    expect(badHeader.code).toBe('BAD_REQUEST');
    expect((badHeader.cause as IssuesError).issues).toEqual([
      { path: 'value.name', message: 'a header name, like X-Api-Key' },
      { path: 'value.value', message: 'a value must be on one line' },
    ]);
    expect(JSON.stringify(badHeader)).not.toContain(token);
    await api.credentials.create({ name: 'Taken', type: 'bearer', value: { token } });
    const taken = await refusal(
      api.credentials.create({ name: 'taken', type: 'bearer', value: { token } }),
    );
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toBe('a credential named "Taken" already exists: choose another name');
    expect(
      (await refusal(api.credentials.create({ name: ' ', type: 'bearer', value: { token } }))).code,
    ).toBe('BAD_REQUEST');
    expect((await refusal(api.credentials.update({ id: 'cred_missing', name: 'x' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('reports a reference to an unknown credential, or of the wrong type, on that node', async () => {
    const signing = await api.credentials.create({
      name: 'Signing',
      type: 'hmac-secret',
      value: { secret: password },
    });
    const imported = await api.workflows.import({
      document: document(credentialRef('cred_from_elsewhere'), credentialRef(signing.id)),
      publish: false,
    });
    const { issues } = await api.workflows.get({ id: imported.id });
    expect(issues).toEqual([
      {
        nodeId: 'h',
        field: 'auth',
        message: expect.stringMatching(
          /^credential cred_from_elsewhere does not exist: pick another or create it on the Credentials page/,
        ),
      },
    ]);
    const publishing = await refusal(
      api.workflows.import({
        document: document(credentialRef(signing.id), credentialRef(signing.id)),
        publish: true,
      }),
    );
    expect((publishing.cause as IssuesError).issues).toEqual([
      {
        nodeId: 'h',
        field: 'auth',
        message:
          'credential "Signing" is a Signing secret (HMAC); Authentication takes Bearer token or Basic auth (user name and password) or HTTP header (API key)',
      },
    ]);
  });

  it('needs the encryption key to store a value, and says so', async () => {
    const keylessStore = createStore(join(dir, 'api.db'));
    const keyless = createCaller({
      actor: { kind: 'system' },
      store: keylessStore,
      registry: nodeRegistry,
      publicUrl: 'https://hooks.example.com',
      live: createLiveEvents(),
    });
    try {
      const refused = await refusal(
        keyless.credentials.create({ name: 'X', type: 'bearer', value: { token } }),
      );
      expect(refused.code).toBe('PRECONDITION_FAILED');
      expect(refused.message).toMatch(/no encryption key was loaded/);
    } finally {
      await keylessStore.close();
    }
  });
});
