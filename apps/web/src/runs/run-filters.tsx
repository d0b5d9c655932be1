import { useEffect, useRef, useState } from 'react';
import type { RunListInput, RunStatus, WorkflowSummary } from '../lib/trpc.ts';
import { isRunStatus, runStatuses } from './run-status.tsx';

const HOUR = 3600_000;

/** The time ranges the list offers, by their URL value. */
export const timeRanges = {
  '1h': { label: 'Last hour', ms: HOUR },
  '24h': { label: 'Last 24 hours', ms: 24 * HOUR },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * HOUR },
  '30d': { label: 'Last 30 days', ms: 30 * 24 * HOUR },
} as const;
export type TimeRange = keyof typeof timeRanges;

const isTimeRange = (value: string | null): value is TimeRange =>
  value !== null && Object.hasOwn(timeRanges, value);

export interface RunFilter {
  workflowId: string | undefined;
  status: RunStatus | undefined;
  range: TimeRange | undefined;
  q: string;
  /** True when any filter narrows the list. */
  active: boolean;
  /** The filter as the runs.list query takes it (without limit and cursor). */
  input: Omit<RunListInput, 'limit' | 'cursor'>;
  /** The same without the status: what the per-status counts are counted over. */
  countsInput: Omit<RunListInput, 'limit' | 'cursor' | 'status'>;
}

/** The list's filter lives in the URL (`?workflow=…&status=failed&range=24h&q=…`), so links keep it. */
export function readRunFilter(params: URLSearchParams, now = Date.now()): RunFilter {
  const statusParam = params.get('status');
  const rangeParam = params.get('range');
  const workflowId = params.get('workflow') || undefined;
  const status = isRunStatus(statusParam) ? statusParam : undefined;
  const range = isTimeRange(rangeParam) ? rangeParam : undefined;
  const q = params.get('q')?.trim() ?? '';
  // Rounded to the minute, so that coming back to the same range within it finds the cache.
  const from = range ? Math.floor((now - timeRanges[range].ms) / 60_000) * 60_000 : undefined;
  const countsInput = {
    ...(workflowId ? { workflowId } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(q ? { q } : {}),
  };
  return {
    workflowId,
    status,
    range,
    q,
    active: Boolean(workflowId || status || range || q),
    input: { ...countsInput, ...(status ? { status } : {}) },
    countsInput,
  };
}

/** The filter bar above the runs list: workflow, status, time range and text search. */
export function RunFilters({
  filter,
  workflows,
  workflowName,
  onChange,
}: {
  filter: RunFilter;
  workflows: readonly WorkflowSummary[];
  /** The filtered workflow's name while the list of workflows loads. */
  workflowName: string | undefined;
  onChange: (changes: Record<string, string | null>) => void;
}) {
  const [text, setText] = useState(filter.q);
  // The URL can change under the field (back button, a link): the field follows it.
  const [urlQuery, setUrlQuery] = useState(filter.q);
  if (urlQuery !== filter.q) {
    setUrlQuery(filter.q);
    setText(filter.q);
  }
  // Typing searches after a pause, not on every key.
  const change = useRef(onChange);
  change.current = onChange;
  useEffect(() => {
    if (text.trim() === urlQuery) return;
    const timer = window.setTimeout(() => change.current({ q: text.trim() || null }), 300);
    return () => window.clearTimeout(timer);
  }, [text, urlQuery]);
  const knownWorkflow = workflows.some((workflow) => workflow.id === filter.workflowId);

  return (
    <form
      className="run-filters"
      data-testid="run-filters"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ q: text.trim() || null });
      }}
    >
      <label className="run-filter run-filter-search">
        <span>Search</span>
        <input
          className="input"
          type="search"
          placeholder="Text in the event body, e.g. an order id or an email"
          data-testid="search-filter"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      <label className="run-filter">
        <span>Workflow</span>
        <select
          className="select"
          data-testid="workflow-filter"
          value={filter.workflowId ?? ''}
          onChange={(event) => onChange({ workflow: event.target.value || null })}
        >
          <option value="">All workflows</option>
          {filter.workflowId && !knownWorkflow && (
            <option value={filter.workflowId}>{workflowName ?? filter.workflowId}</option>
          )}
          {workflows.map((workflow) => (
            <option key={workflow.id} value={workflow.id}>
              {workflow.name}
            </option>
          ))}
        </select>
      </label>
      <label className="run-filter">
        <span>Status</span>
        <select
          className="select"
          data-testid="status-filter"
          value={filter.status ?? ''}
          onChange={(event) => onChange({ status: event.target.value || null })}
        >
          <option value="">All statuses</option>
          {runStatuses.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </label>
      <label className="run-filter">
        <span>Time</span>
        <select
          className="select"
          data-testid="range-filter"
          value={filter.range ?? ''}
          onChange={(event) => onChange({ range: event.target.value || null })}
        >
          <option value="">Any time</option>
          {Object.entries(timeRanges).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {filter.active && (
        <button
          type="button"
          className="button button-small button-quiet run-filters-clear"
          data-testid="clear-filters"
          onClick={() => {
            setText('');
            onChange({ workflow: null, status: null, range: null, q: null });
          }}
        >
          Clear filters
        </button>
      )}
    </form>
  );
}
