/**
 * Accounts over real HTTP: setup, sign-in and its cookie, sessions ending, the forgery guard,
 * API tokens, the login throttle, the headless owner, and secrets that never come back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { csrfHeaders, forwardingWorkflow, startHookflow, testOwner } from './helpers.ts';
import { selfSignedCertificate } from './tls-certificate.ts';

type Hookflow = Awaited<ReturnType<typeof startHookflow>>;

/** One API call over HTTP, as a browser or a script makes it; the body as text and parsed. */
async function trpc(
  hookflow: Hookflow,
  path: string,
  options: {
    input?: unknown;
    mutation?: boolean;
    headers?: Record<string, string>;
    csrf?: boolean;
  } = {},
) {
  const mutation = options.mutation ?? options.input !== undefined;
  const headers = {
    ...(mutation ? { 'content-type': 'application/json' } : {}),
    ...(mutation && options.csrf !== false ? csrfHeaders : {}),
    ...options.headers,
  };
  const query =
    !mutation && options.input !== undefined
      ? `?input=${encodeURIComponent(JSON.stringify(options.input))}`
      : '';
  const response = await hookflow.fetch(`${hookflow.address}/trpc/${path}${query}`, {
    method: mutation ? 'POST' : 'GET',
    headers,
    ...(mutation ? { body: JSON.stringify(options.input ?? {}) } : {}),
  });
  const text = await response.text();
  const body = JSON.parse(text) as {
    result?: { data: unknown };
    error?: { message: string; data: { code: string } };
  };
  return {
    status: response.status,
    text,
    data: body.result?.data as Record<string, unknown> | undefined,
    error: body.error,
    setCookie: response.headers.get('set-cookie'),
  };
}

const cookieOf = (setCookie: string | null) => setCookie!.split(';')[0]!;

describe('setup and sign-in', () => {
  it('makes the owner on a fresh install, once, and signs them in with a safe cookie', async () => {
    const lines: string[] = [];
    const hookflow = await startHookflow({
      owner: false,
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      expect(lines.join('')).toContain('no account exists yet');
      expect((await trpc(hookflow, 'auth.status')).data).toEqual({
        setupRequired: true,
        user: null,
      });
      const short = await trpc(hookflow, 'auth.setup', {
        input: { email: 'ada@example.com', password: 'short' },
      });
      expect(short.status).toBe(400);
      // Refused input reads as where and what, with the problems listed for scripts.
      expect(short.error).toEqual({
        message: 'password: use at least 10 characters for the password',
        code: -32600,
        data: {
          code: 'BAD_REQUEST',
          httpStatus: 400,
          path: 'auth.setup',
          invalidInput: true,
          issues: [{ path: 'password', message: 'use at least 10 characters for the password' }],
        },
      });

      const setup = await trpc(hookflow, 'auth.setup', {
        input: { email: 'ada@example.com', name: 'Ada', password: 'ada’s long password' },
      });
      expect(setup.status).toBe(200);
      expect(setup.data).toEqual({
        user: { id: expect.any(String), email: 'ada@example.com', name: 'Ada', role: 'owner' },
      });
      expect(setup.setCookie).toMatch(
        /^hookflow_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000; Expires=/,
      );
      expect(setup.setCookie).not.toContain('Secure');
      const cookie = { cookie: cookieOf(setup.setCookie) };
      expect((await trpc(hookflow, 'auth.status', { headers: cookie })).data).toEqual({
        setupRequired: false,
        user: { id: expect.any(String), email: 'ada@example.com', name: 'Ada', role: 'owner' },
      });
      expect((await trpc(hookflow, 'workflows.list', { headers: cookie })).status).toBe(200);

      const again = await trpc(hookflow, 'auth.setup', {
        input: { email: 'eve@example.com', password: 'eve’s long password' },
      });
      expect(again.status).toBe(409);
      expect(again.error?.message).toBe('Hookflow is already set up; sign in');
    } finally {
      await hookflow.close();
    }
  });

  it('makes the owner from HOOKFLOW_ADMIN_EMAIL and _PASSWORD when there is no user', async () => {
    const lines: string[] = [];
    const password = 'headless owner password';
    const hookflow = await startHookflow({
      owner: false,
      config: { HOOKFLOW_ADMIN_EMAIL: 'Ops@Example.com', HOOKFLOW_ADMIN_PASSWORD: password },
      logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      expect((await trpc(hookflow, 'auth.status')).data).toMatchObject({ setupRequired: false });
      const empty = await trpc(hookflow, 'auth.login', {
        input: { email: 'ops@example.com', password: '' },
      });
      expect(empty.status).toBe(400);
      expect(empty.error?.message).toBe('password: enter your password');
      const login = await trpc(hookflow, 'auth.login', {
        input: { email: 'ops@example.com', password },
      });
      expect(login.data).toMatchObject({ user: { email: 'ops@example.com', role: 'owner' } });
      expect(lines.join('')).toContain('created the owner account from HOOKFLOW_ADMIN_EMAIL');
      expect(lines.join('')).not.toContain(password);
      expect(hookflow.store.audit.list({ actionPrefix: 'user.' }).items[0]).toMatchObject({
        action: 'user.created',
        detail: { role: 'owner' },
      });
    } finally {
      await hookflow.close();
    }
  });

  it('reads the headless owner from the environment only, and wants both settings', () => {
    const env = {
      HOOKFLOW_ADMIN_EMAIL: 'ops@example.com',
      HOOKFLOW_ADMIN_PASSWORD: 'long enough pw',
    };
    expect(loadConfig(env)).toMatchObject(env);
    // A password on the command line would show in `ps`: the flag is not read.
    expect(
      loadConfig({}, { '--hookflow-admin-password': 'x', '--hookflow-admin-email': 'y' }),
    ).toMatchObject({ HOOKFLOW_ADMIN_EMAIL: undefined, HOOKFLOW_ADMIN_PASSWORD: undefined });
    expect(() => loadConfig({ HOOKFLOW_ADMIN_EMAIL: 'ops@example.com' })).toThrow(
      new ConfigError(
        'HOOKFLOW_ADMIN_PASSWORD: the owner account made at start needs an email and a password, and only HOOKFLOW_ADMIN_EMAIL is set',
      ),
    );
    expect(() => loadConfig({ ...env, HOOKFLOW_ADMIN_PASSWORD: 'short' })).toThrow(
      'HOOKFLOW_ADMIN_PASSWORD: use at least 10 characters',
    );
  });

  it('marks the cookie Secure over HTTPS, directly or through a trusted proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-cookie-'));
    const certificate = selfSignedCertificate(dir);
    const overTls = await startHookflow({ tls: { cert: certificate.cert, key: certificate.key } });
    const behindProxy = await startHookflow({ config: { TRUST_PROXY: '127.0.0.1' } });
    try {
      const login = { email: testOwner.email, password: testOwner.password };
      const direct = await trpc(overTls, 'auth.login', { input: login });
      expect(direct.setCookie).toMatch(/; Secure$/);
      const proxied = await trpc(behindProxy, 'auth.login', {
        input: login,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(proxied.setCookie).toMatch(/; Secure$/);
      const plain = await trpc(behindProxy, 'auth.login', { input: login });
      expect(plain.setCookie).not.toContain('Secure');
    } finally {
      await overTls.close();
      await behindProxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sessions', () => {
  let hookflow: Hookflow;
  beforeAll(async () => {
    hookflow = await startHookflow();
  });
  afterAll(() => hookflow.close());

  it('end at sign-out; the old cookie is refused', async () => {
    const cookie = { cookie: await hookflow.signIn(testOwner.email, testOwner.password) };
    expect((await trpc(hookflow, 'workflows.list', { headers: cookie })).status).toBe(200);
    const out = await trpc(hookflow, 'auth.logout', { mutation: true, headers: cookie });
    expect(out.data).toEqual({ ok: true });
    expect(out.setCookie).toMatch(/^hookflow_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
    const after = await trpc(hookflow, 'workflows.list', { headers: cookie });
    expect(after.status).toBe(401);
    expect(after.error?.message).toBe('your session has ended; sign in again');
    expect((await trpc(hookflow, 'auth.status', { headers: cookie })).data).toMatchObject({
      user: null,
    });
  });

  it('all end with "sign out everywhere"; a changed password ends the others', async () => {
    const user = await hookflow.addUser('editor');
    const signIn = async () => ({ cookie: await hookflow.signIn(user.email, user.password) });
    const [one, two, three] = [await signIn(), await signIn(), await signIn()];
    const everywhere = await trpc(hookflow, 'auth.logoutEverywhere', {
      mutation: true,
      headers: one,
    });
    expect(everywhere.data).toEqual({ sessionsEnded: 3 });
    for (const cookie of [one, two, three]) {
      expect((await trpc(hookflow, 'workflows.list', { headers: cookie })).status).toBe(401);
    }
    // The API token is not a session: it still works.
    expect((await trpc(hookflow, 'workflows.list', { headers: user.headers })).status).toBe(200);

    const [here, elsewhere] = [await signIn(), await signIn()];
    const changed = await trpc(hookflow, 'auth.changePassword', {
      input: { current: user.password, next: 'a new editor password' },
      headers: here,
    });
    expect(changed.data).toEqual({ ok: true });
    expect((await trpc(hookflow, 'workflows.list', { headers: here })).status).toBe(200);
    expect((await trpc(hookflow, 'workflows.list', { headers: elsewhere })).status).toBe(401);
    const oldPassword = await trpc(hookflow, 'auth.login', {
      input: { email: user.email, password: user.password },
    });
    expect(oldPassword.error?.message).toBe('the email or password is wrong');
    expect(
      (
        await trpc(hookflow, 'auth.login', {
          input: { email: user.email, password: 'a new editor password' },
        })
      ).status,
    ).toBe(200);
  });

  it('are refused a change without the web app’s header or from another origin (CSRF)', async () => {
    const cookie = await hookflow.signIn(testOwner.email, testOwner.password);
    const input = { document: forwardingWorkflow('http://127.0.0.1:9') };

    const bare = await trpc(hookflow, 'workflows.import', {
      input,
      csrf: false,
      headers: { cookie },
    });
    expect(bare.status).toBe(403);
    expect(bare.error?.message).toContain('it lacks the x-hookflow-csrf header');
    const foreign = await trpc(hookflow, 'workflows.import', {
      input,
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.error?.message).toContain('it came from a page on https://evil.example');
    const nullOrigin = await trpc(hookflow, 'workflows.import', {
      input,
      headers: { cookie, origin: 'null' },
    });
    expect(nullOrigin.status).toBe(403);
    expect(hookflow.store.workflows.list()).toHaveLength(0);

    const sameOrigin = await trpc(hookflow, 'workflows.import', {
      input,
      headers: { cookie, origin: hookflow.address },
    });
    expect(sameOrigin.status).toBe(200);
    const noOrigin = await trpc(hookflow, 'workflows.import', { input, headers: { cookie } });
    expect(noOrigin.status).toBe(200);
    // Reading needs no header: a query changes nothing.
    expect((await trpc(hookflow, 'workflows.list', { headers: { cookie } })).status).toBe(200);
    // A script with an API token needs none either: no other site can send its header.
    const script = await trpc(hookflow, 'workflows.import', {
      input,
      csrf: false,
      headers: hookflow.authHeaders,
    });
    expect(script.status).toBe(200);
    // Signing in is a change too: a page elsewhere cannot sign a browser into its account.
    const login = await trpc(hookflow, 'auth.login', {
      input: { email: testOwner.email, password: testOwner.password },
      csrf: false,
    });
    expect(login.status).toBe(403);
  });
});

describe('API tokens', () => {
  it('act as their user until revoked or expired', async () => {
    const hookflow = await startHookflow();
    try {
      const editor = await hookflow.addUser('editor');
      const made = await trpc(hookflow, 'tokens.create', {
        input: { name: 'deploy script', expiresInDays: 7 },
        headers: editor.headers,
      });
      const token = made.data!.token as string;
      expect(token).toMatch(/^hf_/);
      const bearer = { authorization: `Bearer ${token}` };
      const imported = await trpc(hookflow, 'workflows.import', {
        input: { document: forwardingWorkflow('http://127.0.0.1:9') },
        headers: bearer,
      });
      expect(imported.status).toBe(200);
      const listed = await trpc(hookflow, 'tokens.list', { headers: bearer });
      expect(listed.text).not.toContain(token);
      expect((listed.data!.items as { name: string }[]).map((item) => item.name)).toEqual([
        'deploy script',
        'tests',
      ]);
      // A viewer's token cannot do an editor's work.
      const viewer = await hookflow.addUser('viewer');
      const refused = await trpc(hookflow, 'workflows.import', {
        input: { document: forwardingWorkflow('http://127.0.0.1:9') },
        headers: viewer.headers,
      });
      expect(refused.error?.message).toBe('this needs the editor role; you are a viewer');

      const revoked = await trpc(hookflow, 'tokens.revoke', {
        input: { id: made.data!.id },
        headers: editor.headers,
      });
      expect(revoked.data).toEqual({ revoked: true });
      const after = await trpc(hookflow, 'workflows.list', { headers: bearer });
      expect(after.status).toBe(401);
      expect(after.error?.message).toContain('unknown, expired or revoked');

      const expired = hookflow.store.apiTokens.create({
        userId: editor.id,
        name: 'old',
        expiresAt: Date.now() - 1,
      });
      const late = await trpc(hookflow, 'workflows.list', {
        headers: { authorization: `Bearer ${expired.token}` },
      });
      expect(late.status).toBe(401);
    } finally {
      await hookflow.close();
    }
  });
});

describe('the login throttle', () => {
  it('refuses an account after 5 failures and an address after its limit, with a clear 429', async () => {
    const hookflow = await startHookflow({
      loginThrottle: { perAddress: { max: 8, windowMs: 15 * 60_000 } },
    });
    try {
      const editor = await hookflow.addUser('editor');
      const attempt = (email: string, password: string) =>
        trpc(hookflow, 'auth.login', { input: { email, password } });
      for (let i = 0; i < 5; i++) {
        expect((await attempt(editor.email, `wrong guess ${i}`)).status).toBe(401);
      }
      const locked = await attempt(editor.email, editor.password);
      expect(locked.status).toBe(429);
      expect(locked.error).toMatchObject({
        message: 'too many failed sign-ins for this account; try again in 15 minutes',
        data: { code: 'TOO_MANY_REQUESTS' },
      });
      // Another account from the same address still signs in (8 failures per address here).
      expect((await attempt(testOwner.email, testOwner.password)).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        expect((await attempt(`nobody${i}@example.com`, 'some guess!')).status).toBe(401);
      }
      const address = await attempt(testOwner.email, testOwner.password);
      expect(address.status).toBe(429);
      expect(address.error?.message).toBe(
        'too many failed sign-ins from your address; try again in 15 minutes',
      );
    } finally {
      await hookflow.close();
    }
  });
});

describe('secrets', () => {
  it('never shows a password or token again: not in answers, the audit log or the server log', async () => {
    const lines: string[] = [];
    const hookflow = await startHookflow({
      owner: false,
      logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      const answers: string[] = [];
      const call = async (
        ...args: Parameters<typeof trpc> extends [unknown, ...infer R] ? R : never
      ) => {
        const result = await trpc(hookflow, ...args);
        answers.push(result.text);
        return result;
      };
      const ownerPassword = 'owner secret passphrase 1';
      const setup = await trpc(hookflow, 'auth.setup', {
        input: { email: 'owner@example.com', password: ownerPassword },
      });
      answers.push(setup.text);
      const cookie = { cookie: cookieOf(setup.setCookie) };
      const sessionToken = cookie.cookie.split('=')[1]!;
      const userPassword = 'editor secret passphrase 2';
      await call('users.create', {
        input: { email: 'ed@example.com', role: 'editor', password: userPassword },
        headers: cookie,
      });
      const wrongPassword = 'a wrong secret passphrase';
      await call('auth.login', { input: { email: 'ed@example.com', password: wrongPassword } });
      const edLogin = await call('auth.login', {
        input: { email: 'ed@example.com', password: userPassword },
      });
      const edCookie = { cookie: cookieOf(edLogin.setCookie) };
      const newPassword = 'changed secret passphrase 3';
      await call('auth.changePassword', {
        input: { current: userPassword, next: newPassword },
        headers: edCookie,
      });
      const made = await trpc(hookflow, 'tokens.create', {
        input: { name: 'ci' },
        headers: edCookie,
      });
      const token = made.data!.token as string;
      expect(made.text).toContain(token);
      const bearer = { authorization: `Bearer ${token}` };
      await call('workflows.import', {
        input: { document: forwardingWorkflow('http://127.0.0.1:9') },
        headers: bearer,
      });
      await call('tokens.list', { headers: bearer });
      await call('users.list', { headers: cookie });
      await call('tokens.list', { input: { all: true }, mutation: false, headers: cookie });
      await call('auth.status', { headers: bearer });
      await call('tokens.revoke', { input: { id: made.data!.id }, headers: cookie });
      // A failing call logs its error: the token it carried is not in it.
      await call('workflows.list', { headers: bearer });
      const audit = await call('audit.list', { headers: cookie });
      expect(audit.text).toContain('token.created');
      expect(audit.text).toContain('user.password_changed');

      const everything = {
        answers: answers.join('\n'),
        audit: JSON.stringify(hookflow.store.audit.list({ limit: 500 })),
        log: lines.join(''),
      };
      for (const [where, text] of Object.entries(everything)) {
        for (const secret of [
          ownerPassword,
          userPassword,
          wrongPassword,
          newPassword,
          token,
          token.slice(3),
          sessionToken,
        ]) {
          expect(text.includes(secret), `${where} holds a secret`).toBe(false);
        }
      }
    } finally {
      await hookflow.close();
    }
  });
});
