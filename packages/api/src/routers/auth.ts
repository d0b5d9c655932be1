import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  createUser,
  currentUser,
  emailSchema,
  nameSchema,
  publicUser,
  startSession,
} from '../accounts.ts';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import {
  createPasswordChecker,
  hashPassword,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  passwordSchema,
} from '../passwords.ts';
import { publicProcedure, viewerProcedure } from '../trpc.ts';

/** Checks a password in the same time whether or not the account exists. */
const passwords = createPasswordChecker();

const wrongCredentials = () =>
  new TRPCError({ code: 'UNAUTHORIZED', message: 'the email or password is wrong' });

/** Refuses the attempt when its account or address failed too often lately (429). */
function checkThrottle(ctx: ApiContext, email: string): void {
  const refusal = ctx.loginThrottle?.check(email, ctx.remoteAddress ?? null);
  if (refusal) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: refusal.message });
}

export const authRouter = {
  /** Whether Hookflow still needs its owner (the setup page), and who is signed in. */
  status: publicProcedure.query(({ ctx }) => {
    const user = ctx.actor?.kind === 'user' ? ctx.store.users.get(ctx.actor.userId) : null;
    return {
      setupRequired: ctx.store.users.count() === 0,
      user: user ? publicUser(user) : null,
    };
  }),

  /** Creates the owner on a fresh install and signs them in; refused once anyone exists. */
  setup: publicProcedure
    .input(z.object({ email: emailSchema, name: nameSchema.optional(), password: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const refused = () =>
        new TRPCError({ code: 'CONFLICT', message: 'Hookflow is already set up; sign in' });
      if (ctx.store.users.count() > 0) throw refused();
      const user = await createUser(ctx, { ...input, role: 'owner' }).catch((error: unknown) => {
        // Someone else finished setting up while the password was being hashed.
        throw error instanceof TRPCError && error.code === 'CONFLICT' ? refused() : error;
      });
      startSession(ctx, user);
      return { user: publicUser(user) };
    }),

  /** Signs in with an email and password: sets the session cookie. */
  login: publicProcedure
    .input(
      z.object({
        email: z.string().trim().min(1, 'enter your email').max(320),
        password: z.string().min(1, 'enter your password').max(PASSWORD_MAX_LENGTH),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkThrottle(ctx, input.email);
      const found = ctx.store.users.credentialsOf(input.email);
      const right = await passwords.check(input.password, found?.passwordHash ?? null);
      if (!found || !right) {
        ctx.loginThrottle?.fail(input.email, ctx.remoteAddress ?? null);
        throw wrongCredentials();
      }
      ctx.loginThrottle?.succeed(input.email);
      // A hash made with weaker parameters than today's is upgraded while the password is known.
      if (needsRehash(found.passwordHash)) {
        ctx.store.users.setPasswordHash(found.user.id, await hashPassword(input.password));
      }
      startSession(ctx, found.user);
      return { user: publicUser(found.user) };
    }),

  /** Ends this browser's session (a no-op without one). */
  logout: publicProcedure.mutation(({ ctx }) => {
    const token = ctx.session?.token;
    if (token) ctx.store.sessions.end(token);
    ctx.session?.clear();
    return { ok: true as const };
  }),

  /** Ends every session of the signed-in user, in every browser (API tokens stay). */
  logoutEverywhere: viewerProcedure.mutation(({ ctx }) => {
    const user = currentUser(ctx);
    const sessionsEnded = ctx.store.sessions.endAllOf(user.id);
    ctx.session?.clear();
    return { sessionsEnded };
  }),

  /** Changes the signed-in user's password; their other sessions end (this one stays). */
  changePassword: viewerProcedure
    .input(
      z.object({
        current: z.string().min(1, 'enter your current password').max(PASSWORD_MAX_LENGTH),
        next: passwordSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = currentUser(ctx);
      // Guessing the current password here counts like guessing it at sign-in.
      checkThrottle(ctx, user.email);
      if (!(await passwords.check(input.current, ctx.store.users.passwordHashOf(user.id)))) {
        ctx.loginThrottle?.fail(user.email, ctx.remoteAddress ?? null);
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'the current password is wrong' });
      }
      ctx.store.users.setPasswordHash(user.id, await hashPassword(input.next));
      const token = ctx.session?.token;
      const current =
        ctx.authenticatedBy === 'session' && token
          ? ctx.store.sessions.resolve(token)?.session.id
          : undefined;
      const ended = ctx.store.sessions.endAllOf(
        user.id,
        current ? { exceptSessionId: current } : {},
      );
      audit(
        ctx,
        'user.password_changed',
        { id: user.id, name: user.email },
        { otherSessionsEnded: ended },
      );
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
