import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { hookflowInstance } from './child-process.ts';
import { csrfHeaders } from './helpers.ts';

let instance: Awaited<ReturnType<typeof hookflowInstance>>;

beforeAll(async () => {
  instance = await hookflowInstance();
});
afterAll(() => instance.close());

const ownerPassword = 'owner password from env';
const editorPassword = 'editor password from stdin';
const resetPassword = 'editor password reset from stdin';

describe('hookflow user | token', () => {
  it('manages users and API tokens from the server’s machine, passwords never in argv', {
    timeout: 90_000,
  }, async () => {
    const outputs: string[] = [];
    const run = async (options: Parameters<typeof instance.cliWith>[0], ...args: string[]) => {
      const result = await instance.cliWith(options, ...args);
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const owner = await run(
      { env: { HOOKFLOW_PASSWORD: ownerPassword } },
      'user',
      'create',
      '--email',
      'Ada@Example.com',
      '--role',
      'owner',
      '--name',
      'Ada Lovelace',
    );
    expect(owner).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Created owner ada@example\.com \(usr_\w+\)\.\n$/),
    });
    const piped = await run(
      { stdin: `${editorPassword}\n` },
      'user',
      'create',
      '--email',
      'ed@example.com',
      '--role',
      'editor',
    );
    expect(piped.code).toBe(0);

    const refusals: [string[], { env?: Record<string, string>; stdin?: string }, string][] = [
      [
        [
          'user',
          'create',
          '--email',
          'x@example.com',
          '--role',
          'viewer',
          '--password',
          'secret value',
        ],
        {},
        'never put a password in the command line',
      ],
      [
        ['user', 'create', '--email', 'x@example.com', '--role', 'boss'],
        { stdin: 'long enough pw' },
        '--role must be one of viewer, editor, admin, owner',
      ],
      [
        ['user', 'create', '--email', 'x@example.com', '--role', 'viewer'],
        { stdin: 'short' },
        'error: password: use at least 10 characters for the password',
      ],
      [
        ['user', 'create', '--email', 'x@example.c', '--role', 'viewer'],
        { stdin: 'long enough pw' },
        'error: email: enter an email address, like ada@example.com',
      ],
      [
        ['user', 'create', '--email', 'x@example.com', '--role', 'viewer'],
        { stdin: '' },
        'no password: set HOOKFLOW_PASSWORD or pipe it on standard input',
      ],
      [
        ['user', 'create', '--email', 'x@example.com', '--role', 'owner'],
        { stdin: 'long enough pw' },
        'there is exactly one owner',
      ],
      [['user', 'create', '--role', 'viewer'], { stdin: 'long enough pw' }, '--email is needed'],
      [['user', 'delete', '--email', 'ada@example.com'], {}, 'the owner cannot be deleted'],
      [
        ['user', 'set-role', '--email', 'nobody@example.com', '--role', 'viewer'],
        {},
        'there is no user with the email nobody@example.com',
      ],
      [
        ['token', 'create', '--email', 'nobody@example.com', '--name', 'ci'],
        {},
        'a user with the email nobody@example.com was not found',
      ],
      [['user', 'set-password'], { stdin: 'long enough pw' }, 'an email is needed'],
      [
        ['user', 'set-password', 'ed@example.com', '--password', 'secret value'],
        {},
        'never put a password in the command line',
      ],
      [
        ['user', 'set-password', 'nobody@example.com'],
        { stdin: 'long enough pw' },
        'there is no user with the email nobody@example.com',
      ],
      [
        ['user', 'set-password', 'ed@example.com'],
        { stdin: 'short' },
        'error: password: use at least 10 characters for the password',
      ],
      [['user', 'frobnicate'], {}, 'unknown user command "frobnicate"'],
    ];
    // In this process (each child process costs a second): the same command, the same database.
    for (const [args, options, message] of refusals) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, {
        out: (text) => out.push(text),
        err: (text) => err.push(text),
        env: { DATA_DIR: `${instance.dir}/data`, ...options.env },
        readPassword: async () => (options.stdin ?? '').replace(/\n$/, ''),
      });
      outputs.push(...out, ...err);
      expect(code, args.join(' ')).toBe(1);
      expect(err.join('\n')).toContain(message);
      // What the API's schema refused reads as words, never as zod's issues in JSON.
      expect(err.join('\n'), args.join(' ')).not.toMatch(/"code"|\[\s*\{/);
    }

    const listed = await run({}, 'user', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ email: 'ada@example.com', role: 'owner', name: 'Ada Lovelace' }),
      expect.objectContaining({ email: 'ed@example.com', role: 'editor' }),
    ]);
    expect(
      (await run({}, 'user', 'set-role', '--email', 'ED@example.com', '--role', 'viewer')).stdout,
    ).toBe('ed@example.com is now a viewer.\n');
    expect(
      (await run({}, 'user', 'set-role', '--email', 'ed@example.com', '--role', 'admin')).stdout,
    ).toBe('ed@example.com is now an admin.\n');

    const made = await run(
      {},
      'token',
      'create',
      '--email',
      'ed@example.com',
      '--name',
      'deploys',
      '--expires-in-days',
      '30',
    );
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^hf_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain('It is shown this once');

    await instance.start();
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${instance.address}/trpc/${path}`, init).then(async (response) => ({
        status: response.status,
        cookie: response.headers.get('set-cookie')?.split(';')[0],
        body: (await response.json()) as {
          result?: { data: unknown };
          error?: { message: string };
        },
      }));
    const bearer = { authorization: `Bearer ${token}` };
    expect((await call('users.list', { headers: bearer })).status).toBe(200);
    const login = await call('auth.login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...csrfHeaders },
      body: JSON.stringify({ email: 'ed@example.com', password: editorPassword }),
    });
    expect(login.body.result?.data).toMatchObject({
      user: { email: 'ed@example.com', role: 'admin' },
    });

    // A new password from standard input: the old one stops working, and so does the session
    // signed in with it; the API token stays.
    const sessionCookie = login.cookie;
    const statusWith = async (cookie: string) =>
      (await call('auth.status', { headers: { cookie } })).body.result?.data;
    expect(await statusWith(sessionCookie!)).toMatchObject({ user: { email: 'ed@example.com' } });
    const reset = await run(
      { stdin: `${resetPassword}\n` },
      'user',
      'set-password',
      'ED@example.com',
    );
    expect(reset).toMatchObject({
      code: 0,
      stdout: 'Set a new password for ed@example.com; 1 session ended (API tokens stay).\n',
    });
    const signIn = (password: string) =>
      call('auth.login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...csrfHeaders },
        body: JSON.stringify({ email: 'ed@example.com', password }),
      });
    expect((await signIn(editorPassword)).status).toBe(401);
    expect((await signIn(resetPassword)).status).toBe(200);
    expect(await statusWith(sessionCookie!)).toMatchObject({ user: null });
    expect((await call('users.list', { headers: bearer })).status).toBe(200);

    const tokens = await run({}, 'token', 'list');
    expect(tokens.stdout).toMatch(
      new RegExp(`^tok_\\w+  ${token.slice(0, 9)}…  ed@example\\.com  "deploys"  last used 20`),
    );
    const tokenId = /^(tok_\w+)/.exec(tokens.stdout)![1]!;
    expect((await run({}, 'token', 'list', '--email', 'ada@example.com')).stdout).toBe(
      'no API tokens\n',
    );
    expect((await run({}, 'token', 'revoke', tokenId)).stdout).toBe(
      `Revoked API token ${tokenId}: it stops working at once.\n`,
    );
    // The running server sees the revocation at once: tokens are looked up per request.
    expect((await call('users.list', { headers: bearer })).status).toBe(401);

    expect((await run({}, 'user', 'delete', '--email', 'ed@example.com')).stdout).toContain(
      'Deleted ed@example.com',
    );
    const audit = await run({}, 'audit', '--action', 'user.', '--json');
    const entries = JSON.parse(audit.stdout) as {
      items: { action: string; actor: { kind: string } }[];
    };
    expect(entries.items.map((entry) => `${entry.action} by ${entry.actor.kind}`)).toEqual([
      'user.deleted by system',
      'user.password_reset by system',
      'user.role_changed by system',
      'user.role_changed by system',
      'user.created by system',
      'user.created by system',
    ]);

    for (const text of outputs) {
      expect(text).not.toContain(ownerPassword);
      expect(text).not.toContain(editorPassword);
      expect(text).not.toContain(resetPassword);
      expect(text).not.toContain('secret value');
    }
    // The token appears once: where it was made.
    expect(outputs.filter((text) => text.includes(token))).toHaveLength(1);
  });
});
