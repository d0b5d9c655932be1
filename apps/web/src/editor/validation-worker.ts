/**
 * Checks workflow documents off the page's thread: a large workflow's first check compiles
 * every expression and parses every config, which would otherwise hold up drawing the canvas
 * and answering clicks. A document (and the stored credentials) in, its problems out
 * (workflow-checker.ts sends one at a time).
 */
import '../lib/csp.ts';
import { type CheckRequest, checkWorkflow } from './workflow-checker.ts';

self.onmessage = (event: MessageEvent<CheckRequest>) => {
  self.postMessage(checkWorkflow(event.data));
};
