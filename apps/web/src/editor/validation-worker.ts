/**
 * Checks workflow documents off the page's thread: a large workflow's first check compiles
 * every expression and parses every config, which would otherwise hold up drawing the canvas
 * and answering clicks. Messages: `{ id, document }` in, `{ id, issues }` out.
 */
import '../lib/csp.ts';
import { type ValidationIssue, validateWorkflow, type WorkflowDocument } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { checkSafely } from './workflow-checker.ts';

self.onmessage = (event: MessageEvent<{ id: number; document: WorkflowDocument }>) => {
  const { id, document } = event.data;
  const issues: readonly ValidationIssue[] = checkSafely(() =>
    validateWorkflow(document, nodeRegistry),
  );
  self.postMessage({ id, issues });
};
