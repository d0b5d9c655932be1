/**
 * The tRPC instance and its middleware: the cross-site request forgery guard and the role
 * checks every procedure gets. Routers stay plain objects of procedures built from the
 * `*Procedure` exports below; never build one from `t.procedure` elsewhere (the authorization
 * test walks every procedure and would catch it, but only if it is in its table).
 */
import type { ValidationIssue } from '@hookflow/engine';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Actor, ApiContext, Role } from './context.ts';

/** A refusal that carries a list of problems, each pointing at a node or a document path. */
export class IssuesError extends Error {
  override readonly name = 'IssuesError';
  constructor(
    message: string,
    readonly issues: readonly (ValidationIssue | { path: string; message: string })[],
  ) {
    super(message);
  }
}

/** What callers are told of an unexpected failure; the server's log has the details. */
export const internalErrorMessage =
  'the server failed to handle this request; the details are in its log';

/** One thing wrong with what a caller sent: where (dotted, `headers.0.value`; '' for all of it). */
export interface InputProblem {
  path: string;
  message: string;
}

/** What a caller is told of an error: a sentence, and the problems when there is a list. */
export interface ErrorExplanation {
  message: string;
  issues?: IssuesError['issues'];
  /** Set when a procedure's input schema refused what was sent; `issues` then says what. */
  invalidInput?: true;
}

/**
 * The problems of input a procedure's schema refused, or null for any other error. tRPC turns a
 * failed input parse into a BAD_REQUEST whose cause is the schema's error (a ZodError) and whose
 * message is zod's issue list in JSON: no use to a person.
 */
function inputProblemsOf(error: TRPCError): InputProblem[] | null {
  if (error.code !== 'BAD_REQUEST' || !(error.cause instanceof z.core.$ZodError)) return null;
  return error.cause.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * The words for an error, the same over HTTP (the error formatter) and in the CLI (which calls
 * procedures in-process, where no formatter runs): refused input as `password: enter your
 * password`, or `some of what was sent is not valid: a: ...; b: ...`, with each problem in
 * `issues`; a refusal that carries a list ({@link IssuesError}) as its message and that list;
 * anything else as it was thrown.
 */
export function explainError(error: TRPCError): ErrorExplanation {
  const input = inputProblemsOf(error);
  if (input && input.length > 0) {
    const described = input.map(({ path, message }) => (path ? `${path}: ${message}` : message));
    const message =
      described.length === 1
        ? described[0]!
        : `some of what was sent is not valid: ${described.join('; ')}`;
    return { message, issues: input, invalidInput: true };
  }
  const { message } = error;
  return error.cause instanceof IssuesError ? { message, issues: error.cause.issues } : { message };
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    // Stack traces stay in the server's logs; callers get the message and the problems. An
    // unexpected failure's message (a database error, a path) stays there too.
    const { stack: _stack, ...data } = shape.data;
    const explained = explainError(error);
    const message =
      error.code === 'INTERNAL_SERVER_ERROR' ? internalErrorMessage : explained.message;
    const { issues, invalidInput } = explained;
    return { ...shape, message, data: { ...data, issues, invalidInput } };
  },
});

export const router = t.router;

/** Least to most: each role may do everything the ones before it may. */
export const roleOrder: readonly Role[] = ['viewer', 'editor', 'admin', 'owner'];

/** True when `role` is `minimum` or above it. */
export const hasRole = (role: Role, minimum: Role) =>
  roleOrder.indexOf(role) >= roleOrder.indexOf(minimum);

const withArticle = (role: Role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

/**
 * A mutation from a browser must carry the header only the web app sends, and come from this
 * server's own origin; the server decides (it sees the headers) and says why not in the context.
 */
const forgeryGuard = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.csrfRefusal) {
    throw new TRPCError({ code: 'FORBIDDEN', message: ctx.csrfRefusal });
  }
  return next();
});

/** Refuses a caller who is not signed in (401) or whose role is below `minimum` (403). */
function requireRole(minimum: Role) {
  return t.middleware(({ ctx, next }) => {
    const actor = ctx.actor;
    if (!actor) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authProblem ?? 'sign in first' });
    }
    if (actor.kind === 'user' && !hasRole(actor.role, minimum)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `this needs the ${minimum} role; you are ${withArticle(actor.role)}`,
      });
    }
    return next({ ctx: { actor: actor satisfies Actor } });
  });
}

/** Anyone, signed in or not: status, setup, sign-in and sign-out only. */
export const publicProcedure = t.procedure.use(forgeryGuard);
/**
 * The role each procedure needs: viewers read workflows and history, editors change workflows
 * and replay runs, admins (and the owner) manage users, credentials and settings. Every
 * procedure outside the login/setup flow uses one of these. `system` (the CLI, in-process
 * callers) passes every check.
 */
export const viewerProcedure = publicProcedure.use(requireRole('viewer'));
export const editorProcedure = publicProcedure.use(requireRole('editor'));
export const adminProcedure = publicProcedure.use(requireRole('admin'));
export const createCallerFactory = t.createCallerFactory;

export function badRequest(message: string, issues?: IssuesError['issues']): TRPCError {
  return new TRPCError({
    code: 'BAD_REQUEST',
    message,
    ...(issues ? { cause: new IssuesError(message, issues) } : {}),
  });
}

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} was not found` });
}
