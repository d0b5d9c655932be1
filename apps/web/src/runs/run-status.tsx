import type { RunStatus, RunStep } from '../lib/trpc.ts';

/** Every run status, in the order a run passes through them. */
export const runStatuses = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'filtered',
  'canceled',
] as const satisfies readonly RunStatus[];

/** `Record` makes the compiler point here when the server learns a new status. */
const runStatusHelp: Record<RunStatus, string> = {
  queued: 'Accepted and waiting for a worker',
  running: 'A worker is running it now',
  waiting: 'Parked by a delay: it continues by itself at the time shown',
  succeeded: 'Every step finished',
  failed: 'A step failed and stopped the run',
  filtered: 'A filter stopped the run on purpose; not an error',
  canceled: 'Stopped before it finished',
};

export function isRunStatus(value: string | null): value is RunStatus {
  return runStatuses.some((status) => status === value);
}

/** A run is finished when nothing about it will change any more. */
export function isFinished(status: RunStatus): boolean {
  return status !== 'queued' && status !== 'running' && status !== 'waiting';
}

/** The coloured status word of a run or a step. */
export function StatusBadge({
  status,
  testId = 'run-status',
}: {
  status: RunStatus | RunStep['status'];
  testId?: string;
}) {
  return (
    <span
      className={`badge badge-${status}`}
      data-testid={testId}
      data-status={status}
      title={runStatusHelp[status]}
    >
      {status}
    </span>
  );
}
