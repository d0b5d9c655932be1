import { type ValidationIssue, validateWorkflow, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';

/** Runs a check; a check that throws is reported as a problem of the workflow, not a crash. */
export function checkSafely(check: () => readonly ValidationIssue[]): readonly ValidationIssue[] {
  try {
    return check();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ message: `the workflow could not be checked: ${reason}` }];
  }
}

export interface WorkflowChecker {
  /** Checks `document`; `done` gets the problems of the latest document asked for. */
  check(document: WorkflowDocument): void;
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
      check: (document) => done(checkSafely(() => validateWorkflow(document, nodeRegistry))),
      stop: () => {},
    };
  }
  const worker = new Worker(new URL('./validation-worker.ts', import.meta.url), {
    type: 'module',
    name: 'workflow-checker',
  });
  let sent = 0;
  let running = false;
  let waiting: WorkflowDocument | null = null;
  const send = (document: WorkflowDocument) => {
    running = true;
    worker.postMessage({ id: ++sent, document });
  };
  worker.onmessage = (event: MessageEvent<{ id: number; issues: ValidationIssue[] }>) => {
    running = false;
    if (waiting) {
      const next = waiting;
      waiting = null;
      send(next);
      return;
    }
    if (event.data.id === sent) done(event.data.issues);
  };
  worker.onerror = (event) => {
    running = false;
    done([{ message: `the workflow could not be checked: ${event.message}` }]);
  };
  return {
    check(document) {
      if (running) waiting = document;
      else send(document);
    },
    stop: () => worker.terminate(),
  };
}
