/**
 * The words of the "check against recent traffic" panel: each difference the check found, as
 * one sentence, and a request's changes grouped as method, URL, headers and body.
 */
import type { AppRouter } from '@hookflow/api';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';

export type CheckDraftResult = inferOutput<TRPCOptionsProxy<AppRouter>['workflows']['checkDraft']>;

export type CheckedEvent = CheckDraftResult['items'][number];
export type Difference = CheckedEvent['differences'][number];
export type Verdict = CheckedEvent['verdict'];
export type ValueChange = Extract<Difference, { kind: 'effect' }>['changes'][number];

export const verdictText: Record<Verdict, string> = {
  same: 'Same',
  changed: 'Would change',
  'new-failure': 'Would fail',
  fixed: 'Would no longer fail',
};

const outcomeText: Record<string, string> = {
  succeeded: 'passed',
  filtered: 'stopped by a filter',
  failed: 'failed',
  waiting: 'waiting',
  canceled: 'stopped',
};

export const describeOutcome = (status: string) => outcomeText[status] ?? status;

function describeHandles(handles: readonly string[], tense: 'now' | 'before'): string {
  const routes = handles.map((handle) => `“${handle}”`).join(' and ');
  if (tense === 'now') {
    if (handles.length === 0) return 'stops the event';
    if (handles.length === 1 && handles[0] === 'main') return 'lets it pass';
    return `sends it down ${routes}`;
  }
  if (handles.length === 0) return 'stopped it';
  if (handles.length === 1 && handles[0] === 'main') return 'let it pass';
  return `sent it down ${routes}`;
}

/** One sentence for a difference; `key` is the node's key, shown as code by the caller. */
export function describeDifference(difference: Difference): { key: string | null; text: string } {
  switch (difference.kind) {
    case 'outcome':
      return {
        key: null,
        text: `The run ${describeOutcome(difference.after)} (it ${describeOutcome(difference.before)} before)`,
      };
    case 'route':
      return {
        key: difference.nodeKey,
        text: `now ${describeHandles(difference.after, 'now')} (it ${describeHandles(difference.before, 'before')} before)`,
      };
    case 'effect': {
      const parts = [...new Set(difference.changes.map((change) => changedPart(change.path)))];
      return {
        key: difference.nodeKey,
        text: `${difference.summary.replace(/^sends/, 'would send')} that differs in ${joinWords(parts)}`,
      };
    }
    case 'effect-added':
      return { key: difference.nodeKey, text: `now ${difference.summary} (it did not before)` };
    case 'effect-removed':
      return { key: difference.nodeKey, text: `no longer ${difference.summary}` };
    case 'failure':
      return difference.after !== null
        ? { key: difference.nodeKey, text: `now fails: ${difference.after}` }
        : { key: difference.nodeKey, text: `no longer fails (it failed: ${difference.before})` };
    case 'unreadable':
      return { key: difference.nodeKey, text: `not compared: ${difference.reason}` };
  }
}

/** `request.headers.x-order` -> `headers`; `request.body.total` -> `body`. */
export function changedPart(path: string): string {
  const [first, second] = path.split(/[.[]/);
  if (first === 'request' && second) return second === 'url' ? 'URL' : second;
  return first ?? path;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? 'nothing';
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export interface RequestShape {
  method?: unknown;
  url?: unknown;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/** The request an effect describes, when it is one (the HTTP request node's). */
export function requestOf(effect: Record<string, unknown> | null | undefined): RequestShape | null {
  const request = effect?.request;
  return request !== null && typeof request === 'object' && !Array.isArray(request)
    ? (request as RequestShape)
    : null;
}

export interface HeaderRow {
  name: string;
  before: string | null;
  after: string | null;
}

/** Every header of either request, changed ones first. */
export function headerRows(before: RequestShape, after: RequestShape): HeaderRow[] {
  const text = (value: unknown) => (value === undefined ? null : String(value));
  const names = [
    ...new Set([...Object.keys(before.headers ?? {}), ...Object.keys(after.headers ?? {})]),
  ];
  const rows = names.map((name) => ({
    name,
    before: text(before.headers?.[name]),
    after: text(after.headers?.[name]),
  }));
  return [
    ...rows.filter((row) => row.before !== row.after),
    ...rows.filter((row) => row.before === row.after),
  ];
}

/** The changes inside the body, with paths from the body (`total`, `items[0].sku`). */
export function bodyChanges(changes: readonly ValueChange[]): ValueChange[] {
  return changes
    .filter((change) => change.path === 'request.body' || change.path.startsWith('request.body'))
    .map((change) => ({
      ...change,
      path: change.path.replace(/^request\.body\.?/, '') || '(the whole body)',
    }));
}

export function showValue(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
