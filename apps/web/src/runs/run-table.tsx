import type { MouseEvent } from 'react';
import { formatDateTime, formatDuration, formatRelativeTime, runDuration } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { RunSummary } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { StatusBadge } from './run-status.tsx';

export interface RunSelection {
  selected: ReadonlySet<string>;
  onChange: (selected: ReadonlySet<string>) => void;
}

/**
 * Runs, newest first; a row opens its run. Used by the runs page (with a selection for bulk
 * actions) and a workflow's page.
 */
export function RunTable({
  runs,
  showWorkflow = true,
  selection,
}: {
  runs: readonly RunSummary[];
  showWorkflow?: boolean;
  selection?: RunSelection;
}) {
  const now = useNow(1000);
  const allSelected =
    selection !== undefined &&
    runs.length > 0 &&
    runs.every((run) => selection.selected.has(run.id));
  return (
    <div className="table-wrap">
      <table className="table table-clickable" data-testid="run-table">
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select-column">
                <input
                  type="checkbox"
                  className="checkbox"
                  aria-label="Select every run shown"
                  checked={allSelected}
                  onChange={() =>
                    selection.onChange(new Set(allSelected ? [] : runs.map((run) => run.id)))
                  }
                />
              </th>
            )}
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            {showWorkflow && <th scope="col">Workflow</th>}
            <th scope="col">Trigger</th>
            <th scope="col" className="numeric">
              Duration
            </th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              now={now}
              showWorkflow={showWorkflow}
              selection={selection}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({
  run,
  now,
  showWorkflow,
  selection,
}: {
  run: RunSummary;
  now: number;
  showWorkflow: boolean;
  selection: RunSelection | undefined;
}) {
  const duration = runDuration(run, now);
  // The whole row is a target for the mouse; the links inside stay the keyboard's way in.
  const openRun = (event: MouseEvent<HTMLTableRowElement>) => {
    const onControl =
      event.target instanceof Element && event.target.closest('a, button, input, label');
    if (onControl || window.getSelection()?.toString()) return;
    navigate(paths.run(run.id));
  };
  const selected = selection?.selected.has(run.id) ?? false;
  return (
    <tr
      data-testid="run-row"
      data-run-id={run.id}
      data-status={run.status}
      data-selected={selected || undefined}
      onClick={openRun}
    >
      {selection && (
        <td className="select-column">
          <input
            type="checkbox"
            className="checkbox"
            aria-label={`Select run ${run.id}`}
            data-testid="run-select"
            checked={selected}
            onChange={() => {
              const next = new Set(selection.selected);
              if (selected) next.delete(run.id);
              else next.add(run.id);
              selection.onChange(next);
            }}
          />
        </td>
      )}
      <td>
        <span className="run-markers">
          <StatusBadge status={run.status} />
          {run.attempt > 1 && (
            <span
              className="run-marker"
              data-testid="attempt-marker"
              title={`Run ${run.attempt} times (resumed or retried)`}
            >
              attempt {run.attempt}
            </span>
          )}
          {run.status === 'queued' && run.notBefore !== null && run.notBefore > now && (
            <span className="run-marker" title="Waiting before an automatic retry">
              retry in {formatDuration(run.notBefore - now)}
            </span>
          )}
        </span>
      </td>
      <td>
        <Link to={paths.run(run.id)} title={formatDateTime(run.queuedAt)}>
          {formatDateTime(run.startedAt ?? run.queuedAt)}
        </Link>{' '}
        <span className="muted small">{formatRelativeTime(run.queuedAt, now)}</span>
      </td>
      {showWorkflow && (
        <td>
          <Link to={paths.workflow(run.workflowId)}>{run.workflowName}</Link>
        </td>
      )}
      <td>
        {run.replayOf ? (
          <span className="run-marker run-marker-replay" data-testid="replay-marker">
            replay of{' '}
            <Link to={paths.run(run.replayOf)} title={run.replayOf}>
              {shortId(run.replayOf)}
            </Link>
          </span>
        ) : run.triggerMethod === 'SCHEDULE' ? (
          <span className="muted" data-testid="trigger-kind">
            schedule
          </span>
        ) : (
          <span className="muted" data-testid="trigger-kind">
            webhook <span className="method">{run.triggerMethod}</span>
          </span>
        )}
      </td>
      <td className="numeric" data-testid="run-duration">
        {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
      </td>
      <td>
        <code className="muted small" title={run.id}>
          {shortId(run.id)}
        </code>
      </td>
    </tr>
  );
}

/** `run_01JD…X7QK`: the end of a ULID is what tells neighbours apart. */
export function shortId(id: string): string {
  const underscore = id.indexOf('_');
  const body = id.slice(underscore + 1);
  return body.length > 10 ? `${id.slice(0, underscore + 1)}…${body.slice(-8)}` : id;
}
