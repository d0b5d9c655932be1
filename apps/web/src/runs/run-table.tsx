import type { MouseEvent } from 'react';
import { formatDateTime, formatDuration, formatRelativeTime, runDuration } from '../lib/format.ts';
import { paths } from '../lib/paths.ts';
import { Link, navigate } from '../lib/router.tsx';
import type { RunSummary } from '../lib/trpc.ts';
import { useNow } from '../lib/use-now.ts';
import { StatusBadge } from './run-status.tsx';

/** Runs, newest first; a row opens its run. Used by the runs page and a workflow's page. */
export function RunTable({
  runs,
  showWorkflow = true,
}: {
  runs: readonly RunSummary[];
  showWorkflow?: boolean;
}) {
  const now = useNow(1000);
  return (
    <div className="table-wrap">
      <table className="table table-clickable" data-testid="run-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Queued</th>
            {showWorkflow && <th scope="col">Workflow</th>}
            <th scope="col" className="numeric">
              Duration
            </th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} now={now} showWorkflow={showWorkflow} />
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
}: {
  run: RunSummary;
  now: number;
  showWorkflow: boolean;
}) {
  const duration = runDuration(run, now);
  // The whole row is a target for the mouse; the links inside stay the keyboard's way in.
  const openRun = (event: MouseEvent<HTMLTableRowElement>) => {
    const onControl = event.target instanceof Element && event.target.closest('a, button');
    if (onControl || window.getSelection()?.toString()) return;
    navigate(paths.run(run.id));
  };
  return (
    <tr data-testid="run-row" data-run-id={run.id} data-status={run.status} onClick={openRun}>
      <td>
        <StatusBadge status={run.status} />
        {run.attempt > 1 && <span className="muted small"> attempt {run.attempt}</span>}
      </td>
      <td>
        <Link to={paths.run(run.id)} title={formatDateTime(run.queuedAt)}>
          {formatDateTime(run.queuedAt)}
        </Link>{' '}
        <span className="muted small">{formatRelativeTime(run.queuedAt, now)}</span>
      </td>
      {showWorkflow && (
        <td>
          <Link to={paths.workflow(run.workflowId)}>{run.workflowName}</Link>
        </td>
      )}
      <td className="numeric" data-testid="run-duration">
        {duration === null ? <span className="muted">—</span> : formatDuration(duration)}
      </td>
      <td>
        <code className="muted small">{run.id}</code>
      </td>
    </tr>
  );
}
