import type { ActiveSchedule, Store } from '@hookflow/db';
import {
  SCHEDULE_METHOD,
  type Schedule,
  type ScheduleTick,
  type ScheduleTriggerConfig,
  scheduleOf,
  scheduleTrigger,
} from '@hookflow/nodes';
import type { Logger } from '../logger.ts';

export interface SchedulerOptions {
  store: Store;
  logger: Logger;
  /** Told after a tick queued a run (the worker looks for work, live views update). */
  onRunQueued?(run: { workflowId: string; runId: string }): void;
  /**
   * How often to read again which workflows run on a schedule, for changes this process was
   * not told about (the CLI, another process). Changes made through this process's API apply at
   * once through `refresh`.
   */
  syncMs?: number;
}

export interface Scheduler {
  /** Arms every published, active schedule workflow, catching up missed ticks first. */
  start(): void;
  /** A workflow was published, (de)activated, edited or deleted: arm, re-arm or disarm it. */
  refresh(workflowId: string): void;
  /** Stops every timer and waits for ticks being written. */
  stop(): Promise<void>;
  /** The workflows armed now. */
  readonly armed: readonly string[];
}

interface Armed {
  versionId: string;
  triggerId: string;
  schedule: Schedule;
  timer?: NodeJS.Timeout;
}

// setTimeout holds at most about 24.8 days; a later tick is re-armed when that timer ends.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Fires the runs of schedule-triggered workflows. Each tick commits an event (method SCHEDULE,
 * body `{ scheduledAt, firedAt }`), its queued run and the tick itself in one transaction; a
 * tick at or before the workflow's last fired tick is refused there, so two processes, or a
 * restart, never fire the same tick twice. Missed ticks: see `catchUp` in the trigger's settings.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, logger } = options;
  const syncMs = options.syncMs ?? 30_000;
  const armed = new Map<string, Armed>();
  const writing = new Set<Promise<void>>();
  let running = false;
  let syncTimer: NodeJS.Timeout | undefined;

  const fire = (workflowId: string, entry: Armed, scheduledAt: number, why: string) => {
    const firedAt = Date.now();
    const tick: ScheduleTick = {
      scheduledAt: new Date(scheduledAt).toISOString(),
      firedAt: new Date(firedAt).toISOString(),
    };
    const body = Buffer.from(JSON.stringify(tick));
    const write = store.ingest
      .accept({
        triggerId: entry.triggerId,
        workflowId,
        versionId: entry.versionId,
        event: {
          method: SCHEDULE_METHOD,
          path: '',
          headers: {},
          query: {},
          body,
          parsedBody: tick,
          contentType: 'application/json',
          receivedAt: firedAt,
        },
        request: { method: SCHEDULE_METHOD, size: body.length, remoteAddress: null, headers: {} },
        answerStatus: 202,
        tick: { scheduledAt },
      })
      .then((result) => {
        if (result.kind !== 'accepted' || !result.runId) {
          logger.debug({ workflowId, scheduledAt: tick.scheduledAt }, 'tick already fired');
          return;
        }
        logger.debug({ workflowId, runId: result.runId, ...tick, why }, 'schedule fired');
        options.onRunQueued?.({ workflowId, runId: result.runId });
      })
      .catch((error) => logger.error({ err: error, workflowId }, 'schedule tick failed'))
      .finally(() => writing.delete(write));
    writing.add(write);
  };

  const arm = (workflowId: string, entry: Armed, after: number) => {
    const next = entry.schedule.next(new Date(after));
    if (!next) {
      logger.info({ workflowId }, 'schedule names no more ticks');
      return;
    }
    const at = next.getTime();
    entry.timer = setTimeout(
      () => {
        if (!running || armed.get(workflowId) !== entry) return;
        // Early (a timer shorter than the wait): wait for the rest.
        if (Date.now() < at) return arm(workflowId, entry, after);
        fire(workflowId, entry, at, 'on time');
        // Ticks that passed while this one was late are skipped.
        arm(workflowId, entry, Math.max(at, Date.now()));
      },
      Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS),
    );
    entry.timer.unref();
  };

  const disarm = (workflowId: string) => {
    const entry = armed.get(workflowId);
    if (!entry) return;
    clearTimeout(entry.timer);
    armed.delete(workflowId);
    logger.debug({ workflowId }, 'schedule disarmed');
  };

  const settingsOf = (row: ActiveSchedule): ScheduleTriggerConfig | null => {
    const nodes = (row.document as { nodes?: { type?: string; config?: unknown }[] }).nodes;
    const config = nodes?.find((node) => node.type === scheduleTrigger.type)?.config;
    const parsed = scheduleTrigger.config.safeParse(config ?? {});
    if (parsed.success) return parsed.data;
    // Published versions are validated, so this is an old version or a hand-edited database.
    logger.warn(
      { workflowId: row.workflowId, issues: parsed.error.issues },
      'schedule settings are not valid; the schedule does not run',
    );
    return null;
  };

  const armRow = (row: ActiveSchedule) => {
    const current = armed.get(row.workflowId);
    if (current?.versionId === row.versionId) return;
    disarm(row.workflowId);
    const config = settingsOf(row);
    if (!config) return;
    const entry: Armed = {
      versionId: row.versionId,
      triggerId: row.triggerId,
      schedule: scheduleOf(config),
    };
    armed.set(row.workflowId, entry);
    const now = Date.now();
    if (config.catchUp === 'latest') {
      // The most recent tick that should have fired and did not: before the last fired tick,
      // or before the workflow was published or activated, nothing was missed.
      const latest = entry.schedule.latest(new Date(now))?.getTime();
      const since = Math.max(row.lastTickAt ?? Number.NEGATIVE_INFINITY, row.changedAt);
      if (latest !== undefined && latest > since) fire(row.workflowId, entry, latest, 'caught up');
    }
    arm(row.workflowId, entry, now);
    logger.debug({ workflowId: row.workflowId, versionId: row.versionId }, 'schedule armed');
  };

  const sync = (workflowId?: string) => {
    const rows = store.schedules.active(scheduleTrigger.type, workflowId);
    const seen = new Set(rows.map((row) => row.workflowId));
    const candidates = workflowId === undefined ? [...armed.keys()] : [workflowId];
    for (const id of candidates) if (!seen.has(id)) disarm(id);
    for (const row of rows) armRow(row);
  };

  const safely = (action: () => void) => {
    try {
      action();
    } catch (error) {
      logger.error({ err: error }, 'scheduler could not read the schedules');
    }
  };

  return {
    get armed() {
      return [...armed.keys()];
    },
    start() {
      if (running) return;
      running = true;
      safely(() => sync());
      syncTimer = setInterval(() => safely(() => sync()), syncMs);
      syncTimer.unref();
    },
    refresh(workflowId) {
      if (running) safely(() => sync(workflowId));
    },
    async stop() {
      running = false;
      clearInterval(syncTimer);
      for (const id of [...armed.keys()]) disarm(id);
      await Promise.all([...writing]);
    },
  };
}
