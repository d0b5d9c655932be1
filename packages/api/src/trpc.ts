/**
 * The tRPC instance. Add middleware (authentication, roles) here so every router gets it;
 * routers themselves stay plain objects of procedures.
 */
import type { ValidationIssue } from '@hookflow/engine';
import { initTRPC, TRPCError } from '@trpc/server';
import type { ApiContext } from './context.ts';

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

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const issues = error.cause instanceof IssuesError ? error.cause.issues : undefined;
    // Stack traces stay in the server's logs; callers get the message and the problems. An
    // unexpected failure's message (a database error, a path) stays there too.
    const { stack: _stack, ...data } = shape.data;
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? internalErrorMessage : shape.message;
    return { ...shape, message, data: { ...data, issues } };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
/**
 * The role each procedure needs: viewers read workflows and history, editors change workflows
 * and replay runs, admins (and the owner) manage users, credentials and settings. Every
 * procedure outside the login/setup flow uses one of these.
 */
export const viewerProcedure = t.procedure;
export const editorProcedure = t.procedure;
export const adminProcedure = t.procedure;
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
