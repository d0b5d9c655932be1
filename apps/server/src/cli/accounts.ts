/**
 * `hookflow user …` and `hookflow token …`: accounts and API tokens from the server's machine.
 * The CLI acts as the system (the audit log says so). Passwords come from HOOKFLOW_PASSWORD or
 * standard input, never from an argument (arguments show in `ps` and shell history).
 */
import type { createCaller } from '@hookflow/api';
import { type UserRole, userRoles } from '@hookflow/db';

type Api = ReturnType<typeof createCaller>;

export const PASSWORD_ENV = 'HOOKFLOW_PASSWORD';

export class AccountsCliError extends Error {}

export interface AccountsIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Reads the password: piped standard input, or typed at a terminal without echo. */
  readPassword: () => Promise<string>;
}

const requireFlag = (flags: Record<string, string>, name: string, usage: string): string => {
  const value = flags[name];
  if (!value || value === 'true') throw new AccountsCliError(`${name} is needed: ${usage}`);
  return value;
};

function parseRole(value: string): UserRole {
  const role = userRoles.find((known) => known === value);
  if (!role) throw new AccountsCliError(`--role must be one of ${userRoles.join(', ')}`);
  return role;
}

async function passwordFrom(io: AccountsIo, flags: Record<string, string>): Promise<string> {
  if (flags['--password'] !== undefined) {
    throw new AccountsCliError(
      `never put a password in the command line (it shows in ps and the shell's history): set ${PASSWORD_ENV} or pipe it on standard input`,
    );
  }
  const fromEnv = io.env[PASSWORD_ENV];
  const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : await io.readPassword();
  if (password === '') {
    throw new AccountsCliError(`no password: set ${PASSWORD_ENV} or pipe it on standard input`);
  }
  return password;
}

async function userByEmail(api: Api, email: string) {
  const { items } = await api.users.list();
  const user = items.find((item) => item.email === email.trim().toLowerCase());
  if (!user) throw new AccountsCliError(`there is no user with the email ${email}`);
  return user;
}

const when = (time: number | null) => (time === null ? 'never' : new Date(time).toISOString());

/** `user create | list | set-role | set-password | delete`. */
export async function userCommand(
  withApi: <T>(work: (api: Api) => Promise<T>) => Promise<T>,
  args: string[],
  flags: Record<string, string>,
  io: AccountsIo,
): Promise<number> {
  const [action] = args;
  const json = flags['--json'] === 'true';
  if (action === 'create') {
    const usage = 'hookflow user create --email <email> --role <role> [--name <name>]';
    const email = requireFlag(flags, '--email', usage);
    const role = parseRole(requireFlag(flags, '--role', usage));
    const password = await passwordFrom(io, flags);
    return withApi(async (api) => {
      const user = await api.users.create({
        email,
        role,
        password,
        ...(flags['--name'] ? { name: flags['--name'] } : {}),
      });
      if (json) io.out(JSON.stringify(user));
      else io.out(`Created ${user.role} ${user.email} (${user.id}).`);
      return 0;
    });
  }
  if (action === 'list') {
    return withApi(async (api) => {
      const { items } = await api.users.list();
      if (json) io.out(JSON.stringify(items, null, 2));
      else if (items.length === 0) io.out('no users yet: open Hookflow to create the owner');
      for (const user of json ? [] : items) {
        io.out(
          [
            user.id,
            user.role.padEnd(6),
            user.email,
            user.name,
            `last seen ${when(user.lastSeenAt)}`,
          ]
            .filter(Boolean)
            .join('  '),
        );
      }
      return 0;
    });
  }
  if (action === 'set-role') {
    const usage = 'hookflow user set-role --email <email> --role <role>';
    const email = requireFlag(flags, '--email', usage);
    const role = parseRole(requireFlag(flags, '--role', usage));
    return withApi(async (api) => {
      const user = await userByEmail(api, email);
      const changed = await api.users.setRole({ id: user.id, role });
      io.out(`${changed.email} is now ${changed.role === 'admin' ? 'an' : 'a'} ${changed.role}.`);
      return 0;
    });
  }
  if (action === 'set-password') {
    const email = args[1] ?? flags['--email'];
    if (!email || email === 'true') {
      throw new AccountsCliError('an email is needed: hookflow user set-password <email>');
    }
    const password = await passwordFrom(io, flags);
    return withApi(async (api) => {
      const user = await userByEmail(api, email);
      const { sessionsEnded } = await api.users.setPassword({ id: user.id, password });
      io.out(
        `Set a new password for ${user.email}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended (API tokens stay).`,
      );
      return 0;
    });
  }
  if (action === 'delete') {
    const email = requireFlag(flags, '--email', 'hookflow user delete --email <email>');
    return withApi(async (api) => {
      const user = await userByEmail(api, email);
      await api.users.delete({ id: user.id });
      io.out(`Deleted ${user.email}, their sessions and their API tokens.`);
      return 0;
    });
  }
  throw new AccountsCliError(
    `unknown user command "${action ?? ''}": use create, list, set-role, set-password, delete`,
  );
}

/** `token create | list | revoke`. */
export async function tokenCommand(
  withApi: <T>(work: (api: Api) => Promise<T>) => Promise<T>,
  args: string[],
  flags: Record<string, string>,
  io: AccountsIo,
): Promise<number> {
  const [action, id] = args;
  const json = flags['--json'] === 'true';
  if (action === 'create') {
    const usage = 'hookflow token create --email <email> --name <name> [--expires-in-days <days>]';
    const email = requireFlag(flags, '--email', usage);
    const name = requireFlag(flags, '--name', usage);
    const days = flags['--expires-in-days'];
    const expiresInDays = days === undefined ? undefined : Number(days);
    if (expiresInDays !== undefined && !Number.isInteger(expiresInDays)) {
      throw new AccountsCliError('--expires-in-days must be a whole number of days');
    }
    return withApi(async (api) => {
      const made = await api.tokens.create({
        name,
        email,
        ...(expiresInDays === undefined ? {} : { expiresInDays }),
      });
      if (json) {
        io.out(JSON.stringify(made));
        return 0;
      }
      const expiry = made.expiresAt ? `, valid until ${when(made.expiresAt)}` : '';
      io.err(
        `Created API token "${made.name}" (${made.id}) for ${email}${expiry}. It is shown this once; send it as "Authorization: Bearer <token>":`,
      );
      io.out(made.token);
      return 0;
    });
  }
  if (action === 'list') {
    return withApi(async (api) => {
      const { items } = await api.tokens.list({ all: true });
      const email = flags['--email']?.trim().toLowerCase();
      const shown = email ? items.filter((item) => item.userEmail === email) : items;
      if (json) io.out(JSON.stringify(shown, null, 2));
      else if (shown.length === 0) io.out('no API tokens');
      for (const token of json ? [] : shown) {
        io.out(
          [
            token.id,
            `${token.prefix}…`,
            token.userEmail ?? token.userId,
            `"${token.name}"`,
            `last used ${when(token.lastUsedAt)}`,
            token.expiresAt ? `expires ${when(token.expiresAt)}` : 'no expiry',
          ].join('  '),
        );
      }
      return 0;
    });
  }
  if (action === 'revoke') {
    if (!id)
      throw new AccountsCliError('token revoke needs a token id: hookflow token revoke <id>');
    return withApi(async (api) => {
      await api.tokens.revoke({ id });
      io.out(`Revoked API token ${id}: it stops working at once.`);
      return 0;
    });
  }
  throw new AccountsCliError(`unknown token command "${action ?? ''}": use create, list, revoke`);
}

/**
 * The password from standard input: all of it when piped (one trailing newline dropped), or a
 * line typed at a terminal, not echoed.
 */
export async function readPasswordFromStdin(
  stdin: NodeJS.ReadStream = process.stdin,
  prompt: (text: string) => void = (text) => process.stderr.write(text),
): Promise<string> {
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  prompt('Password (not shown): ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      prompt('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new AccountsCliError('canceled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
