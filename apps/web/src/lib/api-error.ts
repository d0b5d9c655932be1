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
  return { message: error.message, issues };
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.data?.code === 'NOT_FOUND';
}
