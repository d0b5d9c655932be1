/**
 * What the auth, users and tokens routers share with the CLI and the server's start-up: making
 * users and tokens (hashing, audit), starting sessions, and who the caller is.
 */
import {
  type ApiTokenRecord,
  EmailTakenError,
  OwnerExistsError,
  type UserRecord,
  type UserRole,
  userRoles,
} from '@hookflow/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { audit } from './audit.ts';
import type { Actor, ApiContext } from './context.ts';
import { hashPassword } from './passwords.ts';

export const emailSchema = z
  .string()
  .trim()
  .max(320, 'an email address has at most 320 characters')
  .pipe(z.email('enter an email address, like ada@example.com'));
export const nameSchema = z.string().trim().max(200, 'use at most 200 characters for the name');
export const roleSchema = z.enum(userRoles);

/** A user as the API shows them to anyone (never a hash). */
export const publicUser = (user: UserRecord) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
});

export const userActor = (user: UserRecord): Actor => ({
  kind: 'user',
  userId: user.id,
  email: user.email,
  role: user.role,
});

/**
 * The signed-in user making the call. `system` (the CLI) is no one: procedures about "my"
 * account refuse it.
 */
export function currentUser(ctx: ApiContext): UserRecord {
  const actor = ctx.actor;
  if (actor?.kind !== 'user') {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'this is about a signed-in user’s own account; the system has none',
    });
  }
  const user = ctx.store.users.get(actor.userId);
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return user;
}

/** Hashes the password and stores the user; the audit log records who added them. */
export async function createUser(
  ctx: ApiContext,
  input: { email: string; name?: string | undefined; role: UserRole; password: string },
): Promise<UserRecord> {
  const passwordHash = await hashPassword(input.password);
  let user: UserRecord;
  try {
    user = ctx.store.users.create({
      email: input.email,
      ...(input.name ? { name: input.name } : {}),
      role: input.role,
      passwordHash,
    });
  } catch (error) {
    if (error instanceof EmailTakenError || error instanceof OwnerExistsError) {
      throw new TRPCError({ code: 'CONFLICT', message: error.message });
    }
    throw error;
  }
  // Someone setting Hookflow up is not signed in: the new owner is who did it.
  const by = ctx.actor ? ctx : { ...ctx, actor: userActor(user) };
  audit(by, 'user.created', { id: user.id, name: user.email }, { role: user.role });
  return user;
}

/** Starts a session for the user and sends its cookie (over HTTP; in-process callers get none). */
export function startSession(ctx: ApiContext, user: UserRecord): void {
  if (!ctx.session) return;
  const { token, session } = ctx.store.sessions.create(user.id, {
    ip: ctx.remoteAddress ?? null,
    userAgent: ctx.userAgent ?? null,
  });
  ctx.session.set(token, session.expiresAt);
}

/** A token as lists show it: never the token, never its hash. */
export const publicToken = (record: ApiTokenRecord) => ({
  id: record.id,
  name: record.name,
  prefix: record.prefix,
  createdAt: record.createdAt,
  lastUsedAt: record.lastUsedAt,
  expiresAt: record.expiresAt,
});

/** Makes an API token for `user`; the returned `token` is its only copy. */
export function createApiToken(
  ctx: ApiContext,
  user: UserRecord,
  input: { name: string; expiresInDays?: number | undefined },
) {
  const expiresAt =
    input.expiresInDays === undefined ? null : Date.now() + input.expiresInDays * 86_400_000;
  const { token, record } = ctx.store.apiTokens.create({
    userId: user.id,
    name: input.name,
    expiresAt,
  });
  audit(
    ctx,
    'token.created',
    { id: record.id, name: record.name },
    { user: user.email, prefix: record.prefix, expiresAt },
  );
  return { ...publicToken(record), token };
}

/**
 * The owner from HOOKFLOW_ADMIN_EMAIL / HOOKFLOW_ADMIN_PASSWORD, made when there is no user yet
 * (a headless install). Null when users exist already: the settings are then ignored.
 */
export async function createOwnerIfNone(
  ctx: ApiContext,
  input: { email: string; password: string; name?: string },
): Promise<UserRecord | null> {
  if (ctx.store.users.count() > 0) return null;
  try {
    return await createUser(ctx, { ...input, role: 'owner' });
  } catch (error) {
    // Another process made the first user in the meantime.
    if (error instanceof TRPCError && error.code === 'CONFLICT') return null;
    throw error;
  }
}
