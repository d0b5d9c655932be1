import type { DbHandle } from './client.ts';
import type { GroupCommit } from './group-commit.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'filtered' | 'canceled';
export const runStatuses: readonly RunStatus[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'filtered',
  'canceled',
];

export interface ClaimedRun {
  id: string;
  workflowId: string;
  versionId: string;
  eventId: string;
  attempt: number;
  /** Times an execution thread was stopped under this run; such runs are run in isolation. */
  interruptions: number;
}

export interface StoredEvent {
  id: string;
  triggerId: string;
  workflowId: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: Buffer;
  parsedBody: unknown;
  contentType: string | null;
  receivedAt: number;
}

export interface StepRecord {
  nodeId: string;
  nodeKey: string;
  nodeType: string;
  status: 'succeeded' | 'failed' | 'filtered';
  input: unknown;
  config: unknown;
  output: unknown;
  error: unknown;
  handles: readonly string[];
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  attempt: number;
}

export interface RunSummary {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  eventId: string;
  status: RunStatus;
  attempt: number;
  error: unknown;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RunDetail extends RunSummary {
  output: unknown;
  steps: (StepRecord & { id: number })[];
  event: StoredEvent;
}

export interface RunListFilter {
  workflowId?: string;
  status?: RunStatus;
  /** Return runs older than this run id (the previous page's last id). */
  cursor?: string;
  limit: number;
}

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);
const parse = (text: unknown): unknown => (typeof text === 'string' ? JSON.parse(text) : null);

interface RunRow {
  id: string;
  workflow_id: string;
  workflow_name: string;
  version_id: string;
  event_id: string;
  status: RunStatus;
  attempt: number;
  error: string | null;
  output?: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
}

const toSummary = (row: RunRow): RunSummary => ({
  id: row.id,
  workflowId: row.workflow_id,
  workflowName: row.workflow_name,
  versionId: row.version_id,
  eventId: row.event_id,
  status: row.status,
  attempt: row.attempt,
  error: parse(row.error),
  queuedAt: row.queued_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

/** The run queue (claimed with leases) and the run history. */
export function createRunStore({ sqlite }: DbHandle, commit: GroupCommit) {
  const claim = sqlite.prepare(`UPDATE runs
    SET status = 'running', lease_owner = @worker, lease_expires_at = @until,
        started_at = coalesce(started_at, @now)
    WHERE id IN (
      SELECT id FROM (
        SELECT id FROM runs WHERE status = 'queued'
        UNION ALL
        SELECT id FROM runs WHERE status = 'running' AND lease_expires_at < @now
      ) ORDER BY id LIMIT @limit)
    RETURNING id, workflow_id AS workflowId, version_id AS versionId, event_id AS eventId, attempt,
      interruptions`);
  const interrupt =
    sqlite.prepare(`UPDATE runs SET status = 'queued', interruptions = interruptions + 1,
    lease_owner = NULL, lease_expires_at = NULL
    WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  const extend = sqlite.prepare(
    `UPDATE runs SET lease_expires_at = @until WHERE lease_owner = @worker AND status = 'running'`,
  );
  const release = sqlite.prepare(`UPDATE runs SET status = 'queued', lease_owner = NULL,
    lease_expires_at = NULL WHERE lease_owner = ? AND status = 'running'`);
  const insertStep = sqlite.prepare(`INSERT INTO run_steps
    (run_id, node_id, node_key, node_type, status, input, config, output, error, handles,
     started_at, finished_at, duration_ms, attempt)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const finish = sqlite.prepare(`UPDATE runs SET status = @status, error = @error, output = @output,
    finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND lease_owner = @worker AND status = 'running'`);
  const selectEvent = sqlite.prepare('SELECT * FROM events WHERE id = ?');
  const selectSteps = sqlite.prepare('SELECT * FROM run_steps WHERE run_id = ? ORDER BY id');
  const selectRun = sqlite.prepare(`SELECT runs.*, workflows.name AS workflow_name FROM runs
    JOIN workflows ON workflows.id = runs.workflow_id WHERE runs.id = ?`);
  const countQueued = sqlite.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'queued'`);

  const toEvent = (row: Record<string, unknown>): StoredEvent => ({
    id: row.id as string,
    triggerId: row.trigger_id as string,
    workflowId: row.workflow_id as string,
    method: row.method as string,
    path: row.path as string,
    headers: parse(row.headers) as Record<string, string>,
    query: parse(row.query) as Record<string, string | string[]>,
    body: row.body as Buffer,
    parsedBody: parse(row.parsed_body),
    contentType: (row.content_type as string | null) ?? null,
    receivedAt: row.received_at as number,
  });

  const toStep = (row: Record<string, unknown>): StepRecord & { id: number } => ({
    id: row.id as number,
    nodeId: row.node_id as string,
    nodeKey: row.node_key as string,
    nodeType: row.node_type as string,
    status: row.status as StepRecord['status'],
    input: parse(row.input),
    config: parse(row.config),
    output: parse(row.output),
    error: parse(row.error),
    handles: parse(row.handles) as string[],
    startedAt: row.started_at as number,
    finishedAt: row.finished_at as number,
    durationMs: row.duration_ms as number,
    attempt: row.attempt as number,
  });

  return {
    /** Takes up to `limit` runs that are queued or whose lease expired, oldest first. */
    claim(input: {
      worker: string;
      limit: number;
      leaseMs: number;
      now?: number;
    }): Promise<ClaimedRun[]> {
      const now = input.now ?? Date.now();
      return commit.write(
        () =>
          claim.all({
            worker: input.worker,
            until: now + input.leaseMs,
            now,
            limit: input.limit,
          }) as ClaimedRun[],
      );
    },

    /** Keeps this worker's leases alive while it is still working on them. */
    extendLeases(worker: string, leaseMs: number, now = Date.now()): Promise<void> {
      return commit.write(() => {
        extend.run({ worker, until: now + leaseMs });
      });
    },

    /**
     * Puts a run back in the queue after its execution thread was stopped under it; the next
     * attempt runs it alone and resumes after its last finished step.
     */
    interrupt(runId: string, worker: string): Promise<boolean> {
      return commit.write(() => interrupt.run(runId, worker).changes > 0);
    },

    /** Hands a worker's unfinished runs back to the queue (graceful shutdown). */
    releaseLeases(worker: string): number {
      return release.run(worker).changes;
    },

    event(eventId: string): StoredEvent | null {
      const row = selectEvent.get(eventId) as Record<string, unknown> | undefined;
      return row ? toEvent(row) : null;
    },

    steps(runId: string): (StepRecord & { id: number })[] {
      return (selectSteps.all(runId) as Record<string, unknown>[]).map(toStep);
    },

    appendStep(runId: string, step: StepRecord): Promise<void> {
      const values = [
        runId,
        step.nodeId,
        step.nodeKey,
        step.nodeType,
        step.status,
        json(step.input),
        json(step.config),
        json(step.output),
        json(step.error),
        JSON.stringify(step.handles),
        step.startedAt,
        step.finishedAt,
        step.durationMs,
        step.attempt,
      ];
      return commit.write(() => {
        insertStep.run(values);
      });
    },

    /** Records the final status; false when the lease was lost (another worker owns it now). */
    finish(input: {
      id: string;
      worker: string;
      status: Exclude<RunStatus, 'queued' | 'running'>;
      error: unknown;
      output: unknown;
      now?: number;
    }): Promise<boolean> {
      const params = {
        id: input.id,
        worker: input.worker,
        status: input.status,
        error: json(input.error ?? undefined),
        output: json(input.output),
        now: input.now ?? Date.now(),
      };
      return commit.write(() => finish.run(params).changes > 0);
    },

    queuedCount(): number {
      return (countQueued.get() as { n: number }).n;
    },

    list(filter: RunListFilter): { items: RunSummary[]; nextCursor: string | null } {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: filter.limit + 1 };
      if (filter.workflowId) {
        where.push('runs.workflow_id = @workflowId');
        params.workflowId = filter.workflowId;
      }
      if (filter.status) {
        where.push('runs.status = @status');
        params.status = filter.status;
      }
      if (filter.cursor) {
        where.push('runs.id < @cursor');
        params.cursor = filter.cursor;
      }
      const rows = sqlite
        .prepare(
          `SELECT runs.id, runs.workflow_id, workflows.name AS workflow_name, runs.version_id,
             runs.event_id, runs.status, runs.attempt, runs.error, runs.queued_at, runs.started_at,
             runs.finished_at
           FROM runs JOIN workflows ON workflows.id = runs.workflow_id
           ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY runs.id DESC LIMIT @limit`,
        )
        .all(params) as RunRow[];
      const items = rows.slice(0, filter.limit).map(toSummary);
      return {
        items,
        nextCursor: rows.length > filter.limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    },

    get(runId: string): RunDetail | null {
      const row = selectRun.get(runId) as RunRow | undefined;
      if (!row) return null;
      const event = this.event(row.event_id);
      if (!event) return null;
      return { ...toSummary(row), output: parse(row.output), steps: this.steps(runId), event };
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
