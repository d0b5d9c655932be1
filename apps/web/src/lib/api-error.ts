import { isApiError } from './trpc.ts';

export interface ProblemDescription {
  message: string;
  /** Where each problem is (`node "forward", headers[0].value` or `nodes[1].key`) and what it is. */
  issues: { where: string; message: string }[];
}

/**
 * What went wrong, in words a person can act on: the API's message and the list of problems it
 * sends in `error.data.issues`, for refused workflow documents and for refused input. The API
 * words refused input for scripts (`password: enter your password`); a form shows the one
 * problem's own message beside its field, and several as a list of where and what.
 */
export function describeProblem(error: unknown): ProblemDescription {
  if (!isApiError(error)) {
    return { message: error instanceof Error ? error.message : String(error), issues: [] };
  }
  if (!error.data) {
    // No tRPC answer at all: the server is down, restarting or behind a broken proxy.
    return { message: `Cannot reach the Hookflow server (${error.message}).`, issues: [] };
  }
  const { invalidInput } = error.data;
  const issues = (error.data.issues ?? []).map((issue) => {
    if ('path' in issue) {
      return { where: issue.path || (invalidInput ? 'input' : 'document'), message: issue.message };
    }
    const node = issue.nodeId === undefined ? 'workflow' : `node "${issue.nodeId}"`;
    return { where: issue.field ? `${node}, ${issue.field}` : node, message: issue.message };
  });
  if (invalidInput && issues.length > 0) {
    if (issues.length === 1) return { message: issues[0]!.message, issues: [] };
    return { message: 'some of what was sent is not valid', issues };
  }
  return { message: error.message, issues };
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.data?.code === 'NOT_FOUND';
}

/** Not signed in, or the session has ended: the app goes back to the login page. */
export function isUnauthorized(error: unknown): boolean {
  return isApiError(error) && error.data?.code === 'UNAUTHORIZED';
}

/** Signed in, but the role is too low (`this needs the editor role; you are a viewer`). */
export function isForbidden(error: unknown): boolean {
  return isApiError(error) && error.data?.code === 'FORBIDDEN';
}
