import { type ValidationIssue, validateWorkflow, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';

/** A stored credential as the check needs it: a reference to an id not listed is a problem. */
export interface KnownCredential {
  id: string;
  name: string;
  type: string;
}

/** What the check gets: the document, and the stored credentials when they are known. */
export interface CheckRequest {
  document: WorkflowDocument;
  credentials?: readonly KnownCredential[];
}

/**
 * The document's problems, as the server finds them when it saves or publishes (with the
 * credentials, references to missing ones too); a check that throws is reported as a problem,
 * not a crash.
 */
export function checkWorkflow({ document, credentials }: CheckRequest): readonly ValidationIssue[] {
  try {
    const byId =
      credentials && new Map(credentials.map((credential) => [credential.id, credential]));
    return validateWorkflow(
      document,
      nodeRegistry,
      byId ? { credentials: (id) => byId.get(id) } : {},
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ message: `the workflow could not be checked: ${reason}` }];
  }
}

export interface WorkflowChecker {
  /** Checks a document; `done` gets the problems of the latest one asked for. */
  check(request: CheckRequest): void;
  stop(): void;
}

/**
 * Checks the document being edited in a worker (validation-worker.ts). While a check runs,
 * only the latest document waits for its turn: quick edits are checked once, at the end.
 * Where workers are missing it checks on the page's thread.
 */
export function createWorkflowChecker(
  done: (issues: readonly ValidationIssue[]) => void,
): WorkflowChecker {
  if (typeof Worker === 'undefined') {
    return {
      check: (request) => done(checkWorkflow(request)),
      stop: () => {},
    };
  }
  const worker = new Worker(new URL('./validation-worker.ts', import.meta.url), {
    type: 'module',
    name: 'workflow-checker',
  });
  // One check at a time: a result always answers the latest document sent.
  let running = false;
  let waiting: CheckRequest | null = null;
  const send = (request: CheckRequest) => {
    running = true;
    worker.postMessage(request);
  };
  worker.onmessage = (event: MessageEvent<readonly ValidationIssue[]>) => {
    running = false;
    if (waiting) {
      const next = waiting;
      waiting = null;
      send(next);
      return;
    }
    done(event.data);
  };
  worker.onerror = (event) => {
    running = false;
    done([{ message: `the workflow could not be checked: ${event.message}` }]);
  };
  return {
    check(request) {
      if (running) waiting = request;
      else send(request);
    },
    stop: () => worker.terminate(),
  };
}
