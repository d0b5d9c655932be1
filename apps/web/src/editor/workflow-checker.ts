import { type ValidationIssue, validateWorkflow, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';

/** The document's problems; a check that throws is reported as a problem, not a crash. */
export function checkWorkflow(document: WorkflowDocument): readonly ValidationIssue[] {
  try {
    return validateWorkflow(document, nodeRegistry);
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
      check: (document) => done(checkWorkflow(document)),
      stop: () => {},
    };
  }
  const worker = new Worker(new URL('./validation-worker.ts', import.meta.url), {
    type: 'module',
    name: 'workflow-checker',
  });
  // One check at a time: a result always answers the latest document sent.
  let running = false;
  let waiting: WorkflowDocument | null = null;
  const send = (document: WorkflowDocument) => {
    running = true;
    worker.postMessage(document);
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
    check(document) {
      if (running) waiting = document;
      else send(document);
    },
    stop: () => worker.terminate(),
  };
}
