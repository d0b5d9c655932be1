import type { UserRecord, UserRole } from '@hookflow/db';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { createUser, emailSchema, nameSchema, publicUser, roleSchema } from '../accounts.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { hashPassword, passwordSchema } from '../passwords.ts';
import { adminProcedure, notFound } from '../trpc.ts';

const forbidden = (message: string) => new TRPCError({ code: 'FORBIDDEN', message });

/** The owner, or the system (the CLI): the only ones who make, change or remove admins. */
const actsAsOwner = (ctx: ApiContext) =>
  ctx.actor?.kind === 'system' || (ctx.actor?.kind === 'user' && ctx.actor.role === 'owner');

/** Admins manage editors and viewers; admins themselves are the owner's to manage. */
function requireMayManage(ctx: ApiContext, role: UserRole, doing: string): void {
  if (role === 'admin' && !actsAsOwner(ctx)) {
    throw forbidden(`only the owner can ${doing} an admin`);
  }
}

function loadUser(ctx: ApiContext, id: string): UserRecord {
  const user = ctx.store.users.get(id);
  if (!user) throw notFound(`user ${id}`);
  return user;
}

const isSelf = (ctx: ApiContext, user: UserRecord) =>
  ctx.actor?.kind === 'user' && ctx.actor.userId === user.id;

/**
 * Users and roles. The rules: there is exactly one owner, who cannot be deleted or demoted and
 * is made only by setup (or the CLI on an empty install); only the owner makes, changes or
 * removes admins (or resets their passwords); nobody deletes themselves, changes their own role
 * or resets their own password here.
 */
export const usersRouter = {
  list: adminProcedure.query(({ ctx }) => ({
    items: ctx.store.users.list().map((user) => ({
      ...publicUser(user),
      createdAt: user.createdAt,
      lastSeenAt: user.lastSeenAt,
    })),
  })),

  create: adminProcedure
    .input(
      z.object({
        email: emailSchema,
        name: nameSchema.optional(),
        role: roleSchema,
        password: passwordSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.role === 'owner') {
        // The CLI may make the owner of an install that has none; no one makes a second.
        if (ctx.actor?.kind !== 'system' || ctx.store.users.owner()) {
          throw forbidden('there is exactly one owner; give this user the admin role instead');
        }
      }
      requireMayManage(ctx, input.role, 'create');
      const user = await createUser(ctx, input);
      return { ...publicUser(user), createdAt: user.createdAt, lastSeenAt: user.lastSeenAt };
    }),

  setRole: adminProcedure
    .input(z.object({ id: z.string().min(1), role: roleSchema }))
    .mutation(({ ctx, input }) => {
      const user = loadUser(ctx, input.id);
      if (user.role === 'owner') throw forbidden('the owner’s role cannot be changed');
      if (input.role === 'owner') {
        throw forbidden('there is exactly one owner; give this user the admin role instead');
      }
      if (isSelf(ctx, user)) throw forbidden('you cannot change your own role');
      requireMayManage(ctx, user.role, 'change');
      requireMayManage(ctx, input.role, 'make');
      if (user.role === input.role) return publicUser(user);
      const changed = ctx.store.users.setRole(user.id, input.role);
      if (!changed) throw notFound(`user ${input.id}`);
      audit(
        ctx,
        'user.role_changed',
        { id: user.id, name: user.email },
        { from: user.role, to: input.role },
      );
      return publicUser(changed);
    }),

  /**
   * Gives another user a new password (they forgot theirs) and ends their sessions, so whoever
   * held the old one is signed out; their API tokens stay. Your own password is changed with
   * auth.changePassword, which asks for the current one: a browser left signed in must not be
   * enough to take the account.
   */
  setPassword: adminProcedure
    .input(z.object({ id: z.string().min(1), password: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const user = loadUser(ctx, input.id);
      if (user.role === 'owner' && !actsAsOwner(ctx)) {
        throw forbidden('only the owner can reset the owner’s password');
      }
      if (isSelf(ctx, user)) {
        throw forbidden(
          'to change your own password use Change password on your account page: it asks for the current one',
        );
      }
      requireMayManage(ctx, user.role, 'reset the password of');
      if (!ctx.store.users.setPasswordHash(user.id, await hashPassword(input.password))) {
        throw notFound(`user ${input.id}`);
      }
      const sessionsEnded = ctx.store.sessions.endAllOf(user.id);
      audit(ctx, 'user.password_reset', { id: user.id, name: user.email }, { sessionsEnded });
      return { sessionsEnded };
    }),

  delete: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => {
    const user = loadUser(ctx, input.id);
    if (user.role === 'owner') throw forbidden('the owner cannot be deleted');
    if (isSelf(ctx, user)) throw forbidden('you cannot delete yourself');
    requireMayManage(ctx, user.role, 'delete');
    // Their sessions and API tokens go with them.
    if (!ctx.store.users.delete(user.id)) throw notFound(`user ${input.id}`);
    audit(ctx, 'user.deleted', { id: user.id, name: user.email }, { role: user.role });
    return { deleted: true as const };
  }),
} satisfies TRPCRouterRecord;
