import type { DbHandle } from './client.ts';
import type { GroupCommit } from './group-commit.ts';
import { capJson, DEFAULT_PAYLOAD_MAX_BYTES, isTruncatedPayload } from './history-payload.ts';
import { idLowerBound, newId } from './ids.ts';
import { HELD_UNTIL_ACTIVE } from './ingest.ts';
import { finishedStatuses, type Pruning } from './pruning.ts';
import type { StepRow } from './step-rows.ts';
import type { WorkerLocks } from './worker-locks.ts';

export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'filtered'
  | 'canceled';
export const runStatuses: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting',
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
  /** Claimed for the first time: it has no steps yet to read back. */
  fresh: boolean;
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

/** An event as a run needs it: see `runs.eventToRun`. */
export interface EventToRun {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  receivedAt: number;
  /** The parsed body, JSON text; null when the event has none. */
  parsedJson: string | null;
}

export interface StepRecord {
  nodeId: string;
  nodeKey: string;
  nodeType: string;
  status: 'succeeded' | 'failed' | 'filtered' | 'waiting';
  input: unknown;
  config: unknown;
  output: unknown;
  error: unknown;
  handles: readonly string[];
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  attempt: number;
  /** When a `waiting` step's wait is over. */
  resumeAt?: number | null;
  /**
   * Written by the worker when `input` is the very value another step of the run output (its
   * node id; this step's own node when the input is its own output, as for a trigger): the
   * value is then not stored again. Records read back have the value and not these.
   */
  inputFrom?: string | null;
  /** The same for `output`: an earlier step's node whose output it is (a filter's input). */
  outputFrom?: string | null;
}

export interface RunSummary {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  eventId: string;
  status: RunStatus;
  /** 1 for the first execution; each resume or automatic retry adds one. */
  attempt: number;
  error: unknown;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** A queued run waiting for a retry, or a `waiting` run, is not started before this time. */
  notBefore: number | null;
  /** The run this one replays. */
  replayOf: string | null;
  /** What started it: the request's method (`POST`…), or `SCHEDULE` for a schedule's tick. */
  triggerMethod: string;
}

export interface RunDetail extends RunSummary {
  output: unknown;
  steps: (StepRecord & { id: number })[];
  event: StoredEvent;
}

export interface RunListFilter {
  workflowId?: string;
  status?: RunStatus;
  /** Runs queued at or after this time (ms since the epoch). */
  from?: number;
  /** Runs queued before this time (ms since the epoch). */
  to?: number;
  /**
   * Text the event body must contain (case-insensitive for ASCII letters). A search looks
   * through at most SEARCH_WINDOW runs per page, newest first (SEARCH_WINDOW_FILTERED with a
   * workflow or status filter).
   */
  q?: string;
  /** Return runs older than this run id (the previous page's last id). */
  cursor?: string;
  limit: number;
}

/**
 * Runs a search looks through per page (or per count): it reads each run's event body, so the
 * newest this many runs of the filter are searched and the next page goes on from there.
 */
export const SEARCH_WINDOW = 10_000;
/**
 * The window when the filter picks a workflow or a status: those runs lie scattered over the
 * file, each read costs more, and half as many keep a page as fast.
 */
export const SEARCH_WINDOW_FILTERED = 5_000;

const searchWindow = (filter: { workflowId?: string; status?: RunStatus }) =>
  filter.workflowId || filter.status ? SEARCH_WINDOW_FILTERED : SEARCH_WINDOW;

/** How many runs of a filter have each status. */
export interface RunCounts {
  byStatus: Record<RunStatus, number>;
  total: number;
  /**
   * False when a search stopped at its window (SEARCH_WINDOW runs, SEARCH_WINDOW_FILTERED with
   * a workflow): the counts are those among the newest runs of the filter it looked at.
   */
  complete: boolean;
}

export interface RunStoreOptions {
  /** Largest stored payload (step input, output, error; run output, error) in bytes. */
  payloadMaxBytes?: number;
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
  output_from?: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  not_before: number | null;
  replay_of: string | null;
  trigger_method: string;
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
  notBefore: row.not_before,
  replayOf: row.replay_of,
  triggerMethod: row.trigger_method,
});

/**
 * Why a run could not be changed: it does not exist, its status does not allow it, (resume)
 * the history kept only a truncated output of a step it would reuse, or (resume on the current
 * version) its workflow has no published version.
 */
export type RunChangeRefusal =
  | { kind: 'not-found' }
  | { kind: 'wrong-status'; status: RunStatus }
  | { kind: 'truncated'; nodeKey: string }
  | { kind: 'unpublished' };

/** An event's parsed body as JSON text, also when it is stored as the raw body alone. */
const parsedBodyText =
  'CASE WHEN events.parsed_from_body THEN CAST(events.body AS TEXT) ELSE events.parsed_body END';

/** A LIKE pattern that matches `text` anywhere, its wildcards taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The run queue (claimed with leases) and the run history. */
export function createRunStore(
  { sqlite }: DbHandle,
  commit: GroupCommit,
  locks: WorkerLocks,
  pruning: Pruning,
  options: RunStoreOptions = {},
) {
  const payloadMaxBytes = options.payloadMaxBytes ?? DEFAULT_PAYLOAD_MAX_BYTES;
  const cap = (value: unknown) => capJson(json(value), payloadMaxBytes);
  // Fairness: first the oldest ready run of each workflow, the workflows with the fewest runs
  // in progress first; then the rest, oldest first. A flooded workflow keeps every free slot
  // only while no other workflow has a run ready. One probe per workflow on the
  // (workflow_id, status, id) index, and a count of its running runs (at most the pool).
  // A run's rank is its workflow's runs in progress when it is that workflow's oldest ready
  // run, else 1e9 (after every such run); ties go to the oldest.
  // A run waiting for a retry stays queued with a `not_before` time: the scan over the
  // (status, id) index skips it, and there are few of them.
  // The sweep: runs whose lease ran out (their worker stopped renewing) and parked runs (a
  // delay) whose time has come. Each side costs a walk of the running runs or a probe even when
  // it finds nothing, so a worker under load asks for it once per poll interval, not per claim.
  const sweepSides = `
        UNION ALL
        SELECT id, 1e9 FROM (
          SELECT id FROM runs WHERE status = 'running' AND lease_expires_at < @now
          ORDER BY id LIMIT @limit)
        UNION ALL
        -- Parked runs (a delay) whose time has come. Named: without statistics the planner
        -- prefers runs_status and sorts every parked run (25 ms at 200,000 instead of 0.1 ms).
        SELECT id, 1e9 FROM (
          SELECT id FROM runs INDEXED BY runs_waiting
          WHERE status = 'waiting' AND not_before <= @now
          ORDER BY not_before LIMIT @limit)`;
  const claimSql = (sweep: boolean) => `UPDATE runs
    SET status = 'running', lease_owner = @worker, lease_expires_at = @until,
        started_at = coalesce(started_at, @now), not_before = NULL
    WHERE id IN (
      SELECT id FROM (
        SELECT id, busy AS rank FROM (
          SELECT
            (SELECT r.id FROM runs r
              WHERE r.workflow_id = w.id AND r.status = 'queued'
                AND (r.not_before IS NULL OR r.not_before <= @now)
              ORDER BY r.id LIMIT 1) AS id,
            (SELECT count(*) FROM runs r
              WHERE r.workflow_id = w.id AND r.status = 'running') AS busy
          FROM workflows w)
        WHERE id IS NOT NULL
        UNION ALL
        -- Each side stops at @limit on the (status, id) index: a deep queue costs nothing extra.
        SELECT id, 1e9 FROM (
          SELECT id FROM runs WHERE status = 'queued' AND (not_before IS NULL OR not_before <= @now)
          ORDER BY id LIMIT @limit)${sweep ? sweepSides : ''}
      ) GROUP BY id ORDER BY min(rank), id LIMIT @limit)
    RETURNING id, workflow_id AS workflowId, version_id AS versionId, event_id AS eventId, attempt,
      interruptions, started_at = @now AND attempt = 1 AND interruptions = 0 AS fresh`;
  const claimWithSweep = sqlite.prepare(claimSql(true));
  const claimQueued = sqlite.prepare(claimSql(false));
  const interrupt =
    sqlite.prepare(`UPDATE runs SET status = 'queued', interruptions = interruptions + 1,
    lease_owner = NULL, lease_expires_at = NULL
    WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  const extend = sqlite.prepare(`UPDATE runs SET lease_expires_at = @until
    WHERE id IN (SELECT value FROM json_each(@ids)) AND lease_owner = @worker AND status = 'running'
    RETURNING id`);
  const release = sqlite.prepare(`UPDATE runs SET status = 'queued', lease_owner = NULL,
    lease_expires_at = NULL WHERE lease_owner = ? AND status = 'running'`);
  const leaseOwners = sqlite.prepare(
    `SELECT DISTINCT lease_owner AS owner FROM runs WHERE status = 'running' AND lease_owner IS NOT NULL`,
  );
  const retry = sqlite.prepare(`UPDATE runs SET status = 'queued', attempt = attempt + 1,
    error = @error, output = NULL, output_from = NULL, not_before = @notBefore, lease_owner = NULL,
    lease_expires_at = NULL
    WHERE id = @id AND lease_owner = @worker AND status = 'running'`);
  const park = sqlite.prepare(`UPDATE runs SET status = 'waiting', not_before = @until,
    lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND lease_owner = @worker AND status = 'running'`);
  const cancel = sqlite.prepare(`UPDATE runs SET status = 'canceled', error = @error,
    finished_at = @now, not_before = NULL, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND status IN ('queued', 'running', 'waiting')`);
  // With @current the run moves to its workflow's published version in the same write; it is
  // left alone when there is none (never published, or the workflow was deleted).
  const currentVersion = `(SELECT published_version_id FROM workflows
    WHERE workflows.id = runs.workflow_id AND workflows.deleted_at IS NULL)`;
  const resume = sqlite.prepare(`UPDATE runs SET status = 'queued', attempt = attempt + 1,
    error = NULL, output = NULL, output_from = NULL, finished_at = NULL, not_before = NULL, lease_owner = NULL,
    lease_expires_at = NULL,
    version_id = CASE WHEN @current THEN ${currentVersion} ELSE version_id END
    WHERE id = @id AND status = 'failed' AND (NOT @current OR ${currentVersion} IS NOT NULL)
    RETURNING attempt, version_id AS versionId`);
  const replay = sqlite.prepare(`INSERT INTO runs
    (id, workflow_id, version_id, event_id, status, attempt, queued_at, replay_of)
    SELECT @newId, workflow_id, @versionId, event_id, 'queued', 1, @now, id FROM runs WHERE id = @id`);
  const selectStatus = sqlite.prepare('SELECT status FROM runs WHERE id = ?');
  const insertStep = sqlite.prepare(`INSERT INTO run_steps
    (run_id, node_id, node_key, node_type, status, input, input_from, config, output, output_from,
     error, handles, started_at, finished_at, duration_ms, attempt, resume_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const finish = sqlite.prepare(`UPDATE runs SET status = @status, error = @error, output = @output,
    output_from = @outputFrom, finished_at = @now, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = @id AND lease_owner = @worker AND status = 'running'`);
  const selectEvent = sqlite.prepare('SELECT * FROM events WHERE id = ?');
  const selectEventToRun = sqlite.prepare(`SELECT method, path, headers, query,
    received_at AS receivedAt, ${parsedBodyText} AS parsedJson FROM events WHERE id = ?`);
  const selectSteps = sqlite.prepare('SELECT * FROM run_steps WHERE run_id = ? ORDER BY id');
  const selectRun = sqlite.prepare(`SELECT runs.*, workflows.name AS workflow_name,
      (SELECT method FROM events WHERE events.id = runs.event_id) AS trigger_method
    FROM runs JOIN workflows ON workflows.id = runs.workflow_id WHERE runs.id = ?`);
  const countQueued = sqlite.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'queued'`);
  // Payloads are stored whole while a run may still go on (a resume, a retry, a delay reads its
  // finished steps back); when it is over, those above the cap are truncated. The resolved
  // config is one too: an HTTP request's body resolved from a large event is as large.
  const oversizedSteps = sqlite.prepare(`SELECT id, input, config, output, error FROM run_steps
    WHERE run_id = @runId AND (octet_length(input) > @max OR octet_length(config) > @max
      OR octet_length(output) > @max OR octet_length(error) > @max)`);
  const updateStepPayloads = sqlite.prepare(`UPDATE run_steps
    SET input = @input, config = @config, output = @output, error = @error WHERE id = @id`);
  const capSteps = (runId: string) => {
    const rows = oversizedSteps.all({ runId, max: payloadMaxBytes }) as {
      id: number;
      input: string | null;
      config: string | null;
      output: string | null;
      error: string | null;
    }[];
    for (const row of rows) {
      updateStepPayloads.run({
        id: row.id,
        input: capJson(row.input, payloadMaxBytes),
        config: capJson(row.config, payloadMaxBytes),
        output: capJson(row.output, payloadMaxBytes),
        error: capJson(row.error, payloadMaxBytes),
      });
    }
  };
  const oldestClaimable = sqlite.prepare(`SELECT queued_at AS queuedAt, not_before AS notBefore
    FROM runs WHERE status = 'queued' AND (not_before IS NULL OR not_before <= @now)
    ORDER BY id LIMIT 1`);
  const oldestDueWaiting = sqlite.prepare(`SELECT min(not_before) AS since FROM runs
    WHERE status = 'waiting' AND not_before <= @now`);
  const selectForDelete = sqlite.prepare(
    `SELECT id, status, event_id AS eventId, workflow_id AS workflowId FROM runs
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const canceledError = JSON.stringify({ message: 'the run was canceled', code: 'CANCELED' });

  const statusOf = (runId: string): RunStatus | null =>
    (selectStatus.get(runId) as { status: RunStatus } | undefined)?.status ?? null;
  const refusal = (runId: string): RunChangeRefusal => {
    const status = statusOf(runId);
    return status ? { kind: 'wrong-status', status } : { kind: 'not-found' };
  };

  const toEvent = (row: Record<string, unknown>): StoredEvent => ({
    id: row.id as string,
    triggerId: row.trigger_id as string,
    workflowId: row.workflow_id as string,
    method: row.method as string,
    path: row.path as string,
    headers: parse(row.headers) as Record<string, string>,
    query: parse(row.query) as Record<string, string | string[]>,
    body: row.body as Buffer,
    parsedBody: row.parsed_from_body
      ? JSON.parse((row.body as Buffer).toString('utf8'))
      : parse(row.parsed_body),
    contentType: (row.content_type as string | null) ?? null,
    receivedAt: row.received_at as number,
  });

  /**
   * A run's step rows in order, with the payloads stored as another step's output put back:
   * a reference names a node, and means its latest record so far (see `StepRecord.inputFrom`).
   */
  const toSteps = (rows: Record<string, unknown>[]): (StepRecord & { id: number })[] => {
    const outputs = new Map<string, unknown>();
    return rows.map((row) => {
      const nodeId = row.node_id as string;
      const output =
        row.output_from === null ? parse(row.output) : outputs.get(row.output_from as string);
      const input =
        row.input_from === null
          ? parse(row.input)
          : row.input_from === nodeId
            ? output
            : outputs.get(row.input_from as string);
      outputs.set(nodeId, output);
      return {
        id: row.id as number,
        nodeId,
        nodeKey: row.node_key as string,
        nodeType: row.node_type as string,
        status: row.status as StepRecord['status'],
        input: input ?? null,
        config: parse(row.config),
        output: output ?? null,
        error: parse(row.error),
        handles: parse(row.handles) as string[],
        startedAt: row.started_at as number,
        finishedAt: row.finished_at as number,
        durationMs: row.duration_ms as number,
        attempt: row.attempt as number,
        resumeAt: (row.resume_at as number | null) ?? null,
      };
    });
  };
  const stepsOf = (runId: string) => toSteps(selectSteps.all(runId) as Record<string, unknown>[]);

  const whereClause = (where: string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');
  /**
   * A search reads the event of every run it looks at, so it looks at the newest SEARCH_WINDOW
   * runs of the filter: the oldest of them (found on an index alone), or null when there are
   * no more than that.
   */
  const searchFloor = (
    where: string[],
    params: Record<string, unknown>,
    window: number,
  ): string | null =>
    (
      sqlite
        .prepare(`SELECT id FROM runs ${whereClause(where)}
          ORDER BY id DESC LIMIT 1 OFFSET ${window - 1}`)
        .get(params) as { id: string } | undefined
    )?.id ?? null;
  const searchTerms = (floor: string | null, params: Record<string, unknown>) => {
    if (floor !== null) params.searchFloor = floor;
    return [
      `${parsedBodyText} LIKE @pattern ESCAPE '\\'`,
      ...(floor === null ? [] : ['runs.id >= @searchFloor']),
    ];
  };

  /** The WHERE terms on `runs` for a filter (a search adds its own). */
  const conditions = (filter: Omit<RunListFilter, 'limit'>) => {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.workflowId) {
      where.push('runs.workflow_id = @workflowId');
      params.workflowId = filter.workflowId;
    }
    if (filter.status) {
      where.push('runs.status = @status');
      params.status = filter.status;
    }
    // Ids start with their creation time: a time range is a range of the primary key.
    if (filter.from !== undefined) {
      where.push('runs.id >= @fromId');
      params.fromId = idLowerBound('run', filter.from);
    }
    if (filter.to !== undefined) {
      where.push('runs.id < @toId');
      params.toId = idLowerBound('run', filter.to);
    }
    if (filter.cursor) {
      where.push('runs.id < @cursor');
      params.cursor = filter.cursor;
    }
    if (filter.q !== undefined) params.pattern = containsPattern(filter.q);
    return { where, params };
  };

  return {
    /** The largest payload the history keeps whole, in bytes. */
    payloadMaxBytes,

    /**
     * Takes up to `limit` runs that are queued, due after a delay, or whose lease expired:
     * first the oldest ready run of each workflow (those with the fewest runs in progress
     * first), then the others oldest first, so one flooded workflow cannot starve the rest.
     */
    claim(input: {
      worker: string;
      limit: number;
      leaseMs: number;
      now?: number;
      /**
       * Also take runs whose lease ran out and parked runs that are due (default true). Without
       * it only queued runs are claimed, which is cheaper: see `sweepSides`.
       */
      sweep?: boolean;
    }): Promise<ClaimedRun[]> {
      const now = input.now ?? Date.now();
      const claim = input.sweep === false ? claimQueued : claimWithSweep;
      return commit.write(() =>
        (
          claim.all({
            worker: input.worker,
            until: now + input.leaseMs,
            now,
            limit: input.limit,
          }) as (Omit<ClaimedRun, 'fresh'> & { fresh: number })[]
        ).map((run) => ({ ...run, fresh: run.fresh === 1 })),
      );
    },

    /**
     * Keeps the leases of the runs this worker is still working on; resolves with those it still
     * holds. A run missing from the answer was canceled or taken over: the worker stops it.
     */
    extendLeases(
      worker: string,
      runIds: readonly string[],
      leaseMs: number,
      now = Date.now(),
    ): Promise<string[]> {
      const ids = JSON.stringify(runIds);
      return commit.write(() =>
        (extend.all({ worker, ids, until: now + leaseMs }) as { id: string }[]).map((r) => r.id),
      );
    },

    /**
     * Queues again, at once, the runs whose worker is certainly gone (its process ended, see
     * worker-locks.ts); the others wait for their leases to expire. Resolves with how many.
     */
    reclaimOrphans(self: string): Promise<number> {
      const owners = (leaseOwners.all() as { owner: string }[])
        .map((row) => row.owner)
        .filter((owner) => owner !== self && locks.isDead(owner));
      if (owners.length === 0) return Promise.resolve(0);
      return commit.write(() => owners.reduce((sum, owner) => sum + release.run(owner).changes, 0));
    },

    /** Holds a worker's liveness lock while it runs; see worker-locks.ts. */
    holdWorkerLock(worker: string): { release(): void } {
      return locks.hold(worker);
    },

    /**
     * Queues a failed run again for an automatic retry, from its failed step, not before
     * `notBefore`. Its error stays visible while it waits. False when the lease was lost.
     */
    retry(input: {
      id: string;
      worker: string;
      error: unknown;
      notBefore: number;
    }): Promise<boolean> {
      const params = {
        id: input.id,
        worker: input.worker,
        error: json(input.error ?? undefined),
        notBefore: input.notBefore,
      };
      return commit.write(() => retry.run(params).changes > 0);
    },

    /**
     * Parks a running run until `until` (a delay node waits): its worker lets go of it and it is
     * claimed again, by any worker, once that time has come. False when the lease was lost.
     */
    park(input: { id: string; worker: string; until: number }): Promise<boolean> {
      return commit.write(() => park.run(input).changes > 0);
    },

    /**
     * Cancels a queued, waiting or running run. A running run's worker notices at its next lease
     * renewal (or at once when told in-process) and stops it.
     */
    cancel(runId: string, now = Date.now()): Promise<{ kind: 'canceled' } | RunChangeRefusal> {
      return commit.write(() => {
        if (cancel.run({ id: runId, now, error: canceledError }).changes === 0) {
          return refusal(runId);
        }
        capSteps(runId);
        return { kind: 'canceled' as const };
      });
    },

    /**
     * Queues a failed run again from its failed step: finished steps are kept (by node id) and
     * the steps run now are recorded with the next attempt number. On the version it ran, or
     * with `version: 'current'` on its workflow's published version (the run's version changes),
     * which is refused when the workflow has none.
     */
    resume(
      runId: string,
      options: { version?: 'original' | 'current' } = {},
    ): Promise<{ kind: 'resumed'; attempt: number; versionId: string } | RunChangeRefusal> {
      const current = options.version === 'current' ? 1 : 0;
      return commit.write(() => {
        // A resume reuses the outputs of the steps that finished: a truncated one cannot be.
        const lost = stepsOf(runId).find(
          (step) => step.status !== 'failed' && isTruncatedPayload(step.output),
        );
        if (lost && statusOf(runId) === 'failed') {
          return { kind: 'truncated' as const, nodeKey: lost.nodeKey };
        }
        const row = resume.get({ id: runId, current }) as
          | { attempt: number; versionId: string }
          | undefined;
        if (row) return { kind: 'resumed' as const, ...row };
        if (current && statusOf(runId) === 'failed') return { kind: 'unpublished' as const };
        return refusal(runId);
      });
    },

    /** Queues a new run of a run's event on `versionId`, linked to it; null when it is unknown. */
    replay(input: { runId: string; versionId: string; now?: number }): Promise<string | null> {
      const id = newId('run');
      const params = {
        newId: id,
        id: input.runId,
        versionId: input.versionId,
        now: input.now ?? Date.now(),
      };
      return commit.write(() => (replay.run(params).changes > 0 ? id : null));
    },

    /** A run's status, or null when there is no such run. */
    status: statusOf,

    /**
     * Puts a run back in the queue after its execution thread was stopped under it; the next
     * attempt runs it alone and resumes after its last finished step.
     */
    interrupt(runId: string, worker: string): Promise<boolean> {
      return commit.write(() => interrupt.run(runId, worker).changes > 0);
    },

    /** Lets the runs held while a workflow was deactivated run now; returns how many. */
    releaseHeld(workflowId: string): number {
      return sqlite
        .prepare(`UPDATE runs SET not_before = NULL
          WHERE workflow_id = ? AND status = 'queued' AND not_before = ?`)
        .run(workflowId, HELD_UNTIL_ACTIVE).changes;
    },

    /** Hands a worker's unfinished runs back to the queue (graceful shutdown). */
    releaseLeases(worker: string): number {
      return release.run(worker).changes;
    },

    event(eventId: string): StoredEvent | null {
      const row = selectEvent.get(eventId) as Record<string, unknown> | undefined;
      return row ? toEvent(row) : null;
    },

    /**
     * What a run of the event needs of it, the parsed body left as its stored JSON text: the
     * execution thread parses it, and a string crosses between threads for a fraction of what
     * the parsed value costs (the worker reads events back this way under a backlog).
     */
    eventToRun(eventId: string): EventToRun | null {
      const row = selectEventToRun.get(eventId) as
        | (Omit<EventToRun, 'headers' | 'query'> & { headers: string; query: string })
        | undefined;
      if (!row) return null;
      return {
        ...row,
        headers: JSON.parse(row.headers) as Record<string, string>,
        query: JSON.parse(row.query) as Record<string, string | string[]>,
      };
    },

    steps: stepsOf,

    /** Records a step: a row made by `encodeStep` (the worker makes it in its thread). */
    appendStep(runId: string, step: StepRow): Promise<void> {
      const values = [
        runId,
        step.nodeId,
        step.nodeKey,
        step.nodeType,
        step.status,
        step.input,
        step.inputFrom,
        step.config,
        step.output,
        step.outputFrom,
        step.error,
        step.handles,
        step.startedAt,
        step.finishedAt,
        step.durationMs,
        step.attempt,
        step.resumeAt,
      ];
      return commit.write(() => {
        insertStep.run(values);
      });
    },

    /**
     * Records the final status; false when the lease was lost (another worker owns it now).
     * With `outputFrom` (the node of the step whose output the run's output is) the output is
     * not stored again.
     */
    finish(input: {
      id: string;
      worker: string;
      status: Exclude<RunStatus, 'queued' | 'running'>;
      error: unknown;
      output: unknown;
      outputFrom?: string | null;
      /**
       * The caller recorded every step of the run (it was claimed fresh) and none of them has a
       * payload above the cap: there is nothing to truncate, and the steps are not looked at.
       */
      stepsFit?: boolean;
      now?: number;
    }): Promise<boolean> {
      const params = {
        id: input.id,
        worker: input.worker,
        status: input.status,
        error: cap(input.error ?? undefined),
        output: input.outputFrom ? null : cap(input.output),
        outputFrom: input.outputFrom || null,
        now: input.now ?? Date.now(),
      };
      return commit.write(() => {
        if (finish.run(params).changes === 0) return false;
        if (!input.stepsFit) capSteps(input.id);
        return true;
      });
    },

    queuedCount(): number {
      return (countQueued.get() as { n: number }).n;
    },

    /**
     * Since when the longest-waiting claimable run has been claimable (queued and due, or
     * waiting and due), or null when none is: how far behind the worker is.
     */
    claimableSince(now = Date.now()): number | null {
      const queued = oldestClaimable.get({ now }) as
        | { queuedAt: number; notBefore: number | null }
        | undefined;
      const waiting = (oldestDueWaiting.get({ now }) as { since: number | null }).since;
      const times = [
        ...(queued ? [Math.max(queued.queuedAt, queued.notBefore ?? 0)] : []),
        ...(waiting === null ? [] : [waiting]),
      ];
      return times.length > 0 ? Math.min(...times) : null;
    },

    /**
     * The newest runs first, filtered; `nextCursor` continues after the page's last run. With
     * `q`, a page looks through at most SEARCH_WINDOW runs: it may hold fewer than `limit`
     * runs and still have a `nextCursor`, from which the search goes on into older runs.
     */
    list(filter: RunListFilter): { items: RunSummary[]; nextCursor: string | null } {
      const { where, params } = conditions(filter);
      params.limit = filter.limit + 1;
      const floor =
        filter.q === undefined ? null : searchFloor(where, params, searchWindow(filter));
      const search = filter.q === undefined ? [] : searchTerms(floor, params);
      const rows = sqlite
        .prepare(`SELECT runs.id, runs.workflow_id, workflows.name AS workflow_name,
            runs.version_id, runs.event_id, runs.status, runs.attempt, runs.error, runs.queued_at,
            runs.started_at, runs.finished_at, runs.not_before, runs.replay_of,
            (SELECT method FROM events WHERE events.id = runs.event_id) AS trigger_method
          FROM runs JOIN workflows ON workflows.id = runs.workflow_id
          ${search.length > 0 ? 'JOIN events ON events.id = runs.event_id' : ''}
          ${whereClause([...where, ...search])} ORDER BY runs.id DESC LIMIT @limit`)
        .all(params) as RunRow[];
      const items = rows.slice(0, filter.limit).map(toSummary);
      if (rows.length > filter.limit) return { items, nextCursor: items.at(-1)?.id ?? null };
      // Fewer matches than asked: a search goes on below the oldest run it looked at.
      return { items, nextCursor: floor };
    },

    /**
     * How many runs have each status, for a filter's workflow, time range and search (its
     * `status` and `cursor` are ignored: the counts are for the status tabs).
     */
    counts(filter: Omit<RunListFilter, 'limit' | 'cursor' | 'status'>): RunCounts {
      const { where, params } = conditions(filter);
      const floor =
        filter.q === undefined ? null : searchFloor(where, params, searchWindow(filter));
      const search = filter.q === undefined ? [] : searchTerms(floor, params);
      // Without a search, one count per status: each is a range of a (status, id) or
      // (workflow_id, status, id) index, where a GROUP BY would walk every run of the filter.
      const rows =
        search.length > 0
          ? (sqlite
              // Ordered by id inside: the window is read as a range of ids, not the whole
              // (status, id) index in status order.
              .prepare(`SELECT status, count(*) AS n FROM (
                  SELECT runs.status FROM runs JOIN events ON events.id = runs.event_id
                  ${whereClause([...where, ...search])} ORDER BY runs.id DESC)
                GROUP BY status`)
              .all(params) as { status: RunStatus; n: number }[])
          : runStatuses.map((status) => {
              const statement = sqlite.prepare(`SELECT count(*) AS n FROM runs
                ${whereClause([...where, 'runs.status = @status'])}`);
              return { status, n: (statement.get({ ...params, status }) as { n: number }).n };
            });
      const complete = floor === null;
      const byStatus = Object.fromEntries(runStatuses.map((status) => [status, 0])) as Record<
        RunStatus,
        number
      >;
      for (const row of rows) byStatus[row.status] = row.n;
      const total = rows.reduce((sum, row) => sum + row.n, 0);
      return { byStatus, total, complete };
    },

    /**
     * Deletes finished runs with their steps, and their events when no other run or sample
     * uses them. All or nothing: an unknown run or one still queued, running or waiting
     * refuses the whole call.
     */
    delete(
      runIds: readonly string[],
    ): Promise<
      | { kind: 'deleted'; runs: { id: string; workflowId: string }[]; events: number }
      | { kind: 'refused'; runId: string; refusal: RunChangeRefusal }
    > {
      const ids = [...new Set(runIds)];
      return commit.write(() => {
        const rows = selectForDelete.all(JSON.stringify(ids)) as {
          id: string;
          status: RunStatus;
          eventId: string;
          workflowId: string;
        }[];
        const found = new Map(rows.map((row) => [row.id, row]));
        for (const id of ids) {
          const row = found.get(id);
          if (!row) return { kind: 'refused' as const, runId: id, refusal: { kind: 'not-found' } };
          if (!(finishedStatuses as readonly string[]).includes(row.status)) {
            return {
              kind: 'refused' as const,
              runId: id,
              refusal: { kind: 'wrong-status', status: row.status },
            };
          }
        }
        const { events } = pruning.removeRuns(rows);
        const runs = rows.map((row) => ({ id: row.id, workflowId: row.workflowId }));
        return { kind: 'deleted' as const, runs, events };
      });
    },

    get(runId: string): RunDetail | null {
      const row = selectRun.get(runId) as RunRow | undefined;
      if (!row) return null;
      const event = this.event(row.event_id);
      if (!event) return null;
      const steps = stepsOf(runId);
      const output =
        row.output_from === null || row.output_from === undefined
          ? parse(row.output)
          : (steps.findLast((step) => step.nodeId === row.output_from)?.output ?? null);
      return { ...toSummary(row), output, steps, event };
    },
  };
}

export type RunStore = ReturnType<typeof createRunStore>;
