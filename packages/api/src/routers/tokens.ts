import type { UserRecord } from '@hookflow/db';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { createApiToken, currentUser, emailSchema, publicToken } from '../accounts.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { hasRole, notFound, viewerProcedure } from '../trpc.ts';

/** Admins (and the system) may see and revoke every user's tokens, never use or make them. */
const seesEveryToken = (ctx: ApiContext) =>
  ctx.actor?.kind === 'system' || (ctx.actor?.kind === 'user' && hasRole(ctx.actor.role, 'admin'));

/**
 * The user a token is made for: the caller. Only the system (the CLI on the server's machine)
 * names another user, by email.
 */
function tokenOwner(ctx: ApiContext, email: string | undefined): UserRecord {
  if (ctx.actor?.kind === 'system') {
    if (!email) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'name the user the token acts as (their email)',
      });
    }
    const user = ctx.store.users.getByEmail(email);
    if (!user) throw notFound(`a user with the email ${email}`);
    return user;
  }
  const user = currentUser(ctx);
  if (email !== undefined && email.toLowerCase() !== user.email) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'a token acts as the user who makes it; sign in as that user to make theirs',
    });
  }
  return user;
}

/**
 * Personal API tokens (`Authorization: Bearer hf_…`): each acts as its user, with the user's
 * role. The token is shown once, when made; lists show its first characters.
 */
export const tokensRouter = {
  /** The caller's tokens (with `all`, admins see everyone's, with the user each belongs to). */
  list: viewerProcedure
    .input(z.object({ all: z.boolean().optional() }).optional())
    .query(({ ctx, input }) => {
      if (input?.all) {
        if (!seesEveryToken(ctx)) {
          throw new TRPCError({ code: 'FORBIDDEN', message: 'this needs the admin role' });
        }
        const emails = new Map(ctx.store.users.list().map((user) => [user.id, user.email]));
        return {
          items: ctx.store.apiTokens.list().map((record) => ({
            ...publicToken(record),
            userId: record.userId,
            userEmail: emails.get(record.userId) ?? null,
          })),
        };
      }
      const user = currentUser(ctx);
      return {
        items: ctx.store.apiTokens.listOfUser(user.id).map((record) => ({
          ...publicToken(record),
          userId: record.userId,
          userEmail: user.email,
        })),
      };
    }),

  /** Makes a token; `token` in the answer is the only time it is shown. */
  create: viewerProcedure
    .input(
      z.object({
        name: z
          .string()
          .trim()
          .min(1, 'name the token (what uses it, such as "CI deploys")')
          .max(100, 'use at most 100 characters for the name'),
        expiresInDays: z
          .number()
          .int('whole days')
          .min(1, 'a token lasts at least 1 day')
          .max(3650, 'a token lasts at most 3650 days (leave it out for no expiry)')
          .optional(),
        /** The CLI only: the user the token acts as. */
        email: emailSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const user = tokenOwner(ctx, input.email);
      return createApiToken(ctx, user, input);
    }),

  /** Revokes one of the caller's tokens (admins: anyone's). It stops working at once. */
  revoke: viewerProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => {
    const record = ctx.store.apiTokens.get(input.id);
    const mine = ctx.actor?.kind === 'user' && record?.userId === ctx.actor.userId;
    // Someone else's token is "not found" to a non-admin: its existence is not theirs to know.
    if (!record || record.revokedAt !== null || !(mine || seesEveryToken(ctx))) {
      throw notFound(`token ${input.id}`);
    }
    ctx.store.apiTokens.revoke(record.id);
    const owner = ctx.store.users.get(record.userId);
    audit(
      ctx,
      'token.revoked',
      { id: record.id, name: record.name },
      { user: owner?.email ?? record.userId, prefix: record.prefix },
    );
    return { revoked: true as const };
  }),
} satisfies TRPCRouterRecord;
