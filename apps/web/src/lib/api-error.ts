import { isApiError } from './trpc.ts';

export interface ProblemDescription {
  message: string;
  /** Where each problem is (`node "forward", headers[0].value` or `nodes[1].key`) and what it is. */
  issues: { where: string; message: string }[];
}

/**
 * What went wrong, in words a person can act on: the API's message and, for refused workflow
 * documents, the list of problems it sends in `error.data.issues`.
 */
export function describeProblem(error: unknown): ProblemDescription {
  if (!isApiError(error)) {
    return { message: error instanceof Error ? error.message : String(error), issues: [] };
  }
  if (!error.data) {
    // No tRPC answer at all: the server is down, restarting or behind a broken proxy.
    return { message: `Cannot reach the Hookflow server (${error.message}).`, issues: [] };
  }
  const issues = (error.data.issues ?? []).map((issue) => {
    if ('path' in issue) return { where: issue.path || 'document', message: issue.message };
    const node = issue.nodeId === undefined ? 'workflow' : `node "${issue.nodeId}"`;
    return { where: issue.field ? `${node}, ${issue.field}` : node, message: issue.message };
  });
  if (issues.length === 0 && error.data.code === 'BAD_REQUEST') {
    const input = describeInputProblems(error.message);
    if (input) return input;
  }
  return { message: error.message, issues };
}

/**
 * Input the API's schema refused arrives as the schema's list of problems in JSON
 * (`[{ "path": ["password"], "message": "use at least 10 characters ..." }]`); this reads it as
 * the one problem, or a list of them. Null when the message is not such a list.
 */
export function describeInputProblems(message: string): ProblemDescription | null {
  if (!message.trimStart().startsWith('[')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  const issues: ProblemDescription['issues'] = [];
  for (const item of parsed) {
    if (!item || typeof item !== 'object' || typeof item.message !== 'string') return null;
    const path: unknown[] = Array.isArray(item.path) ? item.path : [];
    issues.push({ where: path.map(String).join('.') || 'input', message: item.message });
  }
  if (issues.length === 1) return { message: issues[0]!.message, issues: [] };
  return { message: 'some of what was sent is not valid', issues };
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
