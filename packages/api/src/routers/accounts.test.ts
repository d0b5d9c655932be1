import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store, type UserRecord } from '@hookflow/db';
import { nodeRegistry } from '@hookflow/nodes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userActor } from '../accounts.ts';
import type { ApiContext, SessionCookie } from '../context.ts';
import { createLiveEvents } from '../live.ts';
import { createLoginThrottle } from '../login-throttle.ts';
import { createCaller } from '../root.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookflow-accounts-api-'));
  store = createStore(join(dir, 'api.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A browser's cookie jar for one session cookie. */
function cookieJar(token: string | null = null) {
  const jar = {
    token,
    set: (next: string) => {
      jar.token = next;
    },
    clear: () => {
      jar.token = null;
    },
  } satisfies SessionCookie;
  return jar;
}

const throttle = createLoginThrottle();

function apiAs(actor: ApiContext['actor'], extra: Partial<ApiContext> = {}) {
  return createCaller({
    actor,
    store,
    registry: nodeRegistry,
    publicUrl: 'https://hooks.example.com',
    live: createLiveEvents(),
    remoteAddress: '203.0.113.7',
    loginThrottle: throttle,
    ...extra,
  });
}

const system = () => apiAs({ kind: 'system' });

async function addUser(email: string, role: UserRecord['role']): Promise<UserRecord> {
  const created = await system().users.create({ email, role, password: `${email} password` });
  return store.users.get(created.id)!;
}

const as = (user: UserRecord) => apiAs(userActor(user));

describe('setup and sign-in', () => {
  it('makes the owner once, signs them in, and refuses a second setup', async () => {
    const jar = cookieJar();
    const anonymous = apiAs(null, { session: jar });
    expect(await anonymous.auth.status()).toEqual({ setupRequired: true, user: null });
    await expect(
      anonymous.auth.setup({ email: 'ada@example.com', password: 'short' }),
    ).rejects.toThrow('use at least 10 characters for the password');
    const { user } = await anonymous.auth.setup({
      email: ' Ada@Example.com ',
      name: 'Ada',
      password: 'a long passphrase',
    });
    expect(user).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: 'ada@example.com',
      name: 'Ada',
      role: 'owner',
    });
    expect(store.sessions.resolve(jar.token!)?.user.id).toBe(user.id);
    await expect(
      apiAs(null).auth.setup({ email: 'eve@example.com', password: 'another long one' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: 'Hookflow is already set up; sign in' });
    expect(await apiAs(userActor(store.users.get(user.id)!)).auth.status()).toEqual({
      setupRequired: false,
      user,
    });
    expect(store.audit.list().items[0]).toMatchObject({
      action: 'user.created',
      actor: { kind: 'user', id: user.id },
      target: { id: user.id, name: 'ada@example.com' },
    });
  });

  it('signs in with the right password only, the same answer for an unknown email', async () => {
    await addUser('bob@example.com', 'editor');
    const jar = cookieJar();
    const anonymous = apiAs(null, { session: jar, remoteAddress: '198.51.100.20' });
    for (const attempt of [
      { email: 'bob@example.com', password: 'not his password' },
      { email: 'nobody@example.com', password: 'bob@example.com password' },
    ]) {
      await expect(anonymous.auth.login(attempt)).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'the email or password is wrong',
      });
    }
    expect(jar.token).toBeNull();
    const { user } = await anonymous.auth.login({
      email: 'BOB@example.com',
      password: 'bob@example.com password',
    });
    expect(user.email).toBe('bob@example.com');
    expect(jar.token).not.toBeNull();
    await anonymous.auth.logout();
    expect(jar.token).toBeNull();
  });

  it('throttles an account after five failures, even with the right password', async () => {
    await addUser('carol@example.com', 'viewer');
    const anonymous = apiAs(null, { loginThrottle: createLoginThrottle() });
    for (let i = 0; i < 5; i++) {
      await expect(
        anonymous.auth.login({ email: 'carol@example.com', password: `guess number ${i}` }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(
      anonymous.auth.login({ email: 'carol@example.com', password: 'carol@example.com password' }),
    ).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: 'too many failed sign-ins for this account; try again in 15 minutes',
    });
  });

  it('changes a password: the current one is checked, other sessions end, this one stays', async () => {
    const dan = await addUser('dan@example.com', 'editor');
    const here = store.sessions.create(dan.id);
    const elsewhere = store.sessions.create(dan.id);
    const api = apiAs(userActor(dan), {
      session: cookieJar(here.token),
      authenticatedBy: 'session',
    });
    await expect(
      api.auth.changePassword({ current: 'wrong password', next: 'a brand new password' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'the current password is wrong' });
    await expect(
      api.auth.changePassword({ current: 'dan@example.com password', next: 'short' }),
    ).rejects.toThrow('use at least 10 characters');
    await api.auth.changePassword({
      current: 'dan@example.com password',
      next: 'a brand new password',
    });
    expect(store.sessions.resolve(here.token)).not.toBeNull();
    expect(store.sessions.resolve(elsewhere.token)).toBeNull();
    await expect(
      apiAs(null).auth.login({ email: 'dan@example.com', password: 'a brand new password' }),
    ).resolves.toMatchObject({ user: { id: dan.id } });
    expect(await api.auth.logoutEverywhere()).toEqual({ sessionsEnded: 1 });
    expect(store.sessions.resolve(here.token)).toBeNull();
  });
});

describe('users and roles', () => {
  it('lets admins manage editors and viewers, and only the owner manage admins', async () => {
    const owner = await addUser('owner@example.com', 'owner');
    const admin = await addUser('admin@example.com', 'admin');
    const editor = await addUser('editor@example.com', 'editor');
    const asAdmin = as(admin);
    const asOwner = as(owner);

    const viewer = await asAdmin.users.create({
      email: 'viewer@example.com',
      role: 'viewer',
      password: 'viewer password',
    });
    expect(viewer).toMatchObject({ email: 'viewer@example.com', role: 'viewer', lastSeenAt: null });
    await expect(
      asAdmin.users.create({ email: 'a2@example.com', role: 'admin', password: 'admin password' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'only the owner can create an admin' });
    for (const api of [asAdmin, asOwner]) {
      await expect(
        api.users.create({ email: 'o2@example.com', role: 'owner', password: 'owner password' }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await expect(
      asAdmin.users.create({
        email: 'VIEWER@example.com',
        role: 'viewer',
        password: 'x'.repeat(10),
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    expect(await asAdmin.users.setRole({ id: viewer.id, role: 'editor' })).toMatchObject({
      role: 'editor',
    });
    await expect(asAdmin.users.setRole({ id: editor.id, role: 'admin' })).rejects.toThrow(
      'only the owner can make an admin',
    );
    await expect(asAdmin.users.setRole({ id: owner.id, role: 'viewer' })).rejects.toThrow(
      'the owner’s role cannot be changed',
    );
    await expect(asOwner.users.setRole({ id: owner.id, role: 'admin' })).rejects.toThrow(
      'the owner’s role cannot be changed',
    );
    await expect(asAdmin.users.setRole({ id: admin.id, role: 'viewer' })).rejects.toThrow(
      'you cannot change your own role',
    );
    await expect(asOwner.users.setRole({ id: editor.id, role: 'owner' })).rejects.toThrow(
      'there is exactly one owner',
    );
    expect(await asOwner.users.setRole({ id: editor.id, role: 'admin' })).toMatchObject({
      role: 'admin',
    });
    await expect(asAdmin.users.setRole({ id: editor.id, role: 'viewer' })).rejects.toThrow(
      'only the owner can change an admin',
    );

    await expect(asOwner.users.delete({ id: owner.id })).rejects.toThrow(
      'the owner cannot be deleted',
    );
    await expect(asAdmin.users.delete({ id: admin.id })).rejects.toThrow(
      'you cannot delete yourself',
    );
    await expect(asAdmin.users.delete({ id: editor.id })).rejects.toThrow(
      'only the owner can delete an admin',
    );
    expect(await asAdmin.users.delete({ id: viewer.id })).toEqual({ deleted: true });
    await expect(asAdmin.users.delete({ id: viewer.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const list = await asAdmin.users.list();
    expect(list.items.map((user) => [user.email, user.role])).toEqual([
      ['owner@example.com', 'owner'],
      ['admin@example.com', 'admin'],
      ['editor@example.com', 'admin'],
    ]);
    const actions = store.audit
      .list({ actionPrefix: 'user.' })
      .items.map((entry) => `${entry.action} ${entry.target.name}`);
    expect(actions.slice(0, 3)).toEqual([
      'user.deleted viewer@example.com',
      'user.role_changed editor@example.com',
      'user.role_changed viewer@example.com',
    ]);
  });

  it('lets an admin reset the password of an editor or viewer, ending their sessions', async () => {
    const owner = await addUser('owner@example.com', 'owner');
    const admin = await addUser('admin@example.com', 'admin');
    const other = await addUser('other-admin@example.com', 'admin');
    const eve = await addUser('eve@example.com', 'editor');
    const laptop = store.sessions.create(eve.id);
    const phone = store.sessions.create(eve.id);
    const adminSession = store.sessions.create(admin.id);
    const token = await as(eve).tokens.create({ name: 'deploys' });

    await expect(as(admin).users.setPassword({ id: eve.id, password: 'short' })).rejects.toThrow(
      'use at least 10 characters for the password',
    );
    expect(
      await as(admin).users.setPassword({ id: eve.id, password: 'a password set by an admin' }),
    ).toEqual({ sessionsEnded: 2 });
    expect(store.sessions.resolve(laptop.token)).toBeNull();
    expect(store.sessions.resolve(phone.token)).toBeNull();
    expect(store.sessions.resolve(adminSession.token)).not.toBeNull();
    // API tokens are not sessions: they stay.
    expect(store.apiTokens.resolve(token.token)).not.toBeNull();
    await expect(
      apiAs(null).auth.login({ email: 'eve@example.com', password: 'eve@example.com password' }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(
      apiAs(null).auth.login({ email: 'eve@example.com', password: 'a password set by an admin' }),
    ).resolves.toMatchObject({ user: { id: eve.id } });

    const refused = [
      [admin, owner, 'only the owner can reset the owner’s password'],
      [admin, other, 'only the owner can reset the password of an admin'],
      [admin, admin, 'to change your own password use Change password'],
      [owner, owner, 'to change your own password use Change password'],
      [eve, eve, 'this needs the admin role'],
    ] as const;
    for (const [actor, target, message] of refused) {
      const attempt = as(actor).users.setPassword({ id: target.id, password: 'p'.repeat(12) });
      await expect(attempt, `${actor.email} -> ${target.email}`).rejects.toThrow(message);
    }
    await expect(
      as(admin).users.setPassword({ id: 'usr_nobody', password: 'p'.repeat(12) }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Refusals changed nothing.
    await expect(
      apiAs(null).auth.login({
        email: 'owner@example.com',
        password: 'owner@example.com password',
      }),
    ).resolves.toBeTruthy();

    // The owner resets an admin's; the CLI (system) may reset the owner's, to recover the install.
    await as(owner).users.setPassword({ id: other.id, password: 'another admin password' });
    await system().users.setPassword({ id: owner.id, password: 'the owner forgot theirs' });
    await expect(
      apiAs(null).auth.login({ email: 'owner@example.com', password: 'the owner forgot theirs' }),
    ).resolves.toMatchObject({ user: { id: owner.id } });

    const entries = store.audit.list({ actionPrefix: 'user.password_reset' }).items;
    expect(entries.map((entry) => [entry.actor.kind, entry.target.name, entry.detail])).toEqual([
      ['system', 'owner@example.com', { sessionsEnded: 0 }],
      ['user', 'other-admin@example.com', { sessionsEnded: 0 }],
      ['user', 'eve@example.com', { sessionsEnded: 2 }],
    ]);
    expect(JSON.stringify(entries)).not.toContain('a password set by an admin');
  });

  it('lets the CLI (system) make the owner of an empty install, and only then', async () => {
    await system().users.create({
      email: 'first@example.com',
      role: 'owner',
      password: 'p'.repeat(12),
    });
    await expect(
      system().users.create({
        email: 'second@example.com',
        role: 'owner',
        password: 'p'.repeat(12),
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('API tokens', () => {
  it('are made for their own user, listed without the token, and revoked by them or an admin', async () => {
    const admin = await addUser('admin@example.com', 'admin');
    const eve = await addUser('eve@example.com', 'viewer');
    const finn = await addUser('finn@example.com', 'viewer');
    const asEve = as(eve);

    const made = await asEve.tokens.create({ name: 'CI', expiresInDays: 30 });
    expect(made.token).toMatch(/^hf_/);
    expect(made.prefix).toBe(made.token.slice(0, 9));
    expect(made.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(store.apiTokens.resolve(made.token)?.user.id).toBe(eve.id);
    const listed = await asEve.tokens.list();
    expect(listed.items).toEqual([
      expect.objectContaining({
        id: made.id,
        name: 'CI',
        prefix: made.prefix,
        lastUsedAt: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect((await as(finn).tokens.list()).items).toEqual([]);

    await expect(as(finn).tokens.revoke({ id: made.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(as(finn).tokens.list({ all: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      asEve.tokens.create({ name: 'for finn', email: 'finn@example.com' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(asEve.tokens.create({ name: '  ' })).rejects.toThrow('name the token');

    const all = await as(admin).tokens.list({ all: true });
    expect(all.items.map((token) => token.userEmail)).toEqual(['eve@example.com']);
    expect(await as(admin).tokens.revoke({ id: made.id })).toEqual({ revoked: true });
    expect(store.apiTokens.resolve(made.token)).toBeNull();

    await expect(system().tokens.create({ name: 'deploys' })).rejects.toThrow('name the user');
    const forFinn = await system().tokens.create({ name: 'deploys', email: 'FINN@example.com' });
    expect(store.apiTokens.resolve(forFinn.token)?.user.id).toBe(finn.id);

    const audited = JSON.stringify(store.audit.list({ actionPrefix: 'token.' }).items);
    expect(audited).toContain('token.revoked');
    expect(audited).not.toContain(made.token);
    expect(audited).not.toContain(forFinn.token);
  });

  it('are refused to the system for its own list (it has no account)', async () => {
    await expect(system().tokens.list()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await system().tokens.list({ all: true })).items).toEqual([]);
  });
});
