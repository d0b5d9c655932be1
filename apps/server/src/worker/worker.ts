import { randomBytes } from 'node:crypto';
import type { ClaimedRun, EventToRun, StepRecord, Store, StoredEvent } from '@hookflow/db';
import {
  credentialIdsOf,
  type RetrySettings,
  retryDelayMs,
  type StepResult,
  type TriggerEvent,
  workflowDocumentSchema,
} from '@hookflow/engine';
import type { CredentialResolver } from '../credentials/resolver.ts';
import { maskHeaders } from '../hooks/redact.ts';
import type { Logger } from '../logger.ts';
import { ExecutionInterrupted, type RunExecutor } from './executor.ts';
import type { RecordedStep } from './run-job.ts';

export interface WorkerOptions {
  store: Store;
  executor: RunExecutor;
  logger: Logger;
  /** Runs executed at the same time. */
  concurrency: number;
  /**
   * How long a claim holds before another worker may take the run over (renewed every third of
   * it); the worker also notices canceled runs when it renews.
   */
  leaseMs?: number;
  /** How often to look for work when nothing wakes the worker. */
  pollMs?: number;
  /** Told as runs start, record steps and finish (live updates, metrics). */
  observer?: RunObserver;
  /** Decrypts the credentials a run's version references, sent along with the job. */
  credentials?: Pick<CredentialResolver, 'forJob'>;
}

export interface RunObserver {
  runStarted?(run: ClaimedRun): void;
  stepRecorded?(run: ClaimedRun, step: RecordedStep): void;
  runFinished?(run: ClaimedRun, status: FinishedRun['status'], seconds: number): void;
  /** The run parked until `until` (a delay): it left this worker and waits in the database. */
  runParked?(run: ClaimedRun, until: number): void;
}

export interface FinishedRun {
  status: 'succeeded' | 'failed' | 'filtered' | 'canceled';
  error: unknown;
  output: unknown;
  /** What a Respond node produced, when one ran. */
  response?: unknown;
}

/**
 * The request of a run the ingress just queued, as it holds it: the worker runs it on this
 * instead of reading the event back from the database.
 */
export type AcceptedEvent = { eventId: string } & EventToRun;

export interface Worker {
  readonly id: string;
  start(): void;
  /**
   * Look for work now (a run was just queued). With `accepted`, the queued run's event as stored
   * (its parsed body exactly what the database holds), which spares reading it back.
   */
  notify(accepted?: AcceptedEvent): void;
  /**
   * Resolves when the run finishes (with its result), or with null after `timeoutMs` or when it
   * parks (a delay: it finishes much later). Register
   * before the run can be claimed (right after it is queued) to be sure not to miss it.
   */
  waitForRun(runId: string, timeoutMs: number): Promise<FinishedRun | null>;
  /** Stops a run this worker is executing, which was just canceled in the database. */
  cancel(runId: string): void;
  /** Stops claiming, waits for in-flight runs up to `deadlineMs`, hands the rest back. */
  stop(deadlineMs: number): Promise<void>;
  readonly inFlight: number;
}

/** Why this worker stopped a run before it finished. */
type StopReason =
  /** Canceled through the API: the database already says so. */
  | 'canceled'
  /** The process is shutting down: the run goes back to the queue. */
  | 'shutdown'
  /** Its lease was taken over by another worker: that worker finishes it. */
  | 'lost';

interface InFlight {
  promise: Promise<void>;
  abort: AbortController;
  stop?: StopReason;
}

const settingsOnly = workflowDocumentSchema.pick({ settings: true });

/**
 * What a run's steps see as `trigger`: the stored request, its credentials masked. Without
 * `parsedBody` the body is left out: the worker sends it as its JSON text (see `bodyJson`).
 */
export function triggerOf(
  event: Pick<StoredEvent, 'method' | 'path' | 'headers' | 'query' | 'receivedAt'> &
    Partial<Pick<StoredEvent, 'parsedBody'>>,
): TriggerEvent {
  return {
    method: event.method,
    path: event.path,
    // Credentials and signatures stay out of the run history (and out of workflows).
    headers: maskHeaders(event.headers),
    query: event.query,
    body: event.parsedBody,
    receivedAt: new Date(event.receivedAt).toISOString(),
  };
}
const canceledError = { message: 'the run was canceled', code: 'CANCELED' };

/**
 * Claims queued runs with a lease and executes them. When it starts, it queues again the runs
 * of workers whose process is gone (see worker-locks.ts in the db package); any other run whose
 * worker died is claimed again once its lease expires. Steps that already finished are not run
 * again. A failed run of a workflow with `settings.retry` is queued again after a backoff.
 */
export function createWorker(options: WorkerOptions): Worker {
  const id = `worker-${randomBytes(6).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const { store, logger } = options;
  const running = new Map<string, InFlight>();
  let state: 'idle' | 'running' | 'stopping' = 'idle';
  let wake: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();
  let leaseTimer: NodeJS.Timeout | undefined;
  let lock: { release(): void } | undefined;
  const wakeTimers = new Set<NodeJS.Timeout>();
  let claimAgain = false;
  const waiters = new Map<string, Set<(run: FinishedRun | null) => void>>();

  // Published versions never change: read each once (with the credentials it references).
  type CachedVersion = NonNullable<ReturnType<Store['workflows']['getVersion']>> & {
    credentialIds: string[];
    retry: RetrySettings | undefined;
  };
  const versions = new Map<string, CachedVersion>();
  const versionOf = (versionId: string) => {
    let version = versions.get(versionId);
    if (!version) {
      const found = store.workflows.getVersion(versionId);
      if (!found) return null;
      version = {
        ...found,
        credentialIds: credentialIdsOf(found.document),
        retry: settingsOnly.safeParse(found.document).data?.settings.retry,
      };
      if (versions.size >= 500) versions.delete(versions.keys().next().value!);
      versions.set(versionId, version);
    }
    return version;
  };

  // Events of runs just queued here, by event id, until their run starts. Bounded: under a
  // backlog the oldest are dropped and read back from the database when their turn comes.
  const acceptedEvents = new Map<string, AcceptedEvent>();
  const maxAcceptedEvents = Math.max(200, options.concurrency * 4);
  const eventOf = (eventId: string): EventToRun | null => {
    const accepted = acceptedEvents.get(eventId);
    if (accepted) {
      acceptedEvents.delete(eventId);
      return accepted;
    }
    return store.runs.eventToRun(eventId);
  };

  const notify = (accepted?: AcceptedEvent) => {
    if (accepted) {
      if (acceptedEvents.size >= maxAcceptedEvents) {
        acceptedEvents.delete(acceptedEvents.keys().next().value!);
      }
      acceptedEvents.set(accepted.eventId, accepted);
    }
    claimAgain = true;
    wake?.();
  };

  // Set when a parked run comes due: the next claim looks for it (see lastSweep).
  let sweepNow = false;
  /**
   * Looks for work at `time` (a retry's backoff or a parked run is due). Polling finds it anyway;
   * this only makes it punctual. Times beyond what a timer holds are left to polling.
   */
  const wakeAt = (time: number) => {
    const delayMs = Math.max(0, time - Date.now());
    if (delayMs > 2 ** 31 - 1) return;
    const timer = setTimeout(() => {
      wakeTimers.delete(timer);
      sweepNow = true;
      notify();
    }, delayMs);
    timer.unref();
    wakeTimers.add(timer);
  };

  /** Tells those waiting for a run how it ended; null when it parked (it ends much later). */
  const settle = (runId: string, finished: FinishedRun | null) => {
    const listeners = waiters.get(runId);
    if (!listeners) return;
    waiters.delete(runId);
    for (const listener of listeners) listener(finished);
  };

  const stopRun = (runId: string, reason: StopReason) => {
    const entry = running.get(runId);
    if (!entry || entry.stop) return;
    entry.stop = reason;
    entry.abort.abort();
  };

  const renewLeases = async () => {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    const held = new Set(await store.runs.extendLeases(id, ids, leaseMs));
    for (const runId of ids) {
      if (held.has(runId) || !running.has(runId)) continue;
      // Canceled from another process (the CLI), or taken over after this worker was too slow.
      stopRun(runId, store.runs.status(runId) === 'canceled' ? 'canceled' : 'lost');
    }
  };

  const execute = async (run: ClaimedRun, entry: InFlight): Promise<void> => {
    const { abort } = entry;
    let status: FinishedRun['status'] | 'waiting' = 'failed';
    let resumeAt: number | undefined;
    let error: unknown = null;
    let output: unknown;
    // Set when the run's output is a step's output (nearly always): recorded by reference.
    let outputFrom: string | undefined;
    let response: { value: unknown } | undefined;
    let retry: RetrySettings | undefined;
    const stepWrites: Promise<void>[] = [];
    // Every step of a fresh run is recorded here: when all fit the history's cap (at most 3
    // bytes a character), finishing it need not look for payloads to truncate.
    let stepsFit = run.fresh;
    // A step cut short because this run is handed back or taken over runs again: not recorded.
    const record = (step: RecordedStep) => {
      if (entry.stop && entry.stop !== 'canceled' && step.status === 'failed') return;
      if (stepsFit && !fitsCap(step, store.runs.payloadMaxBytes)) stepsFit = false;
      stepWrites.push(store.runs.appendStep(run.id, step));
      options.observer?.stepRecorded?.(run, step);
    };
    const startedAt = performance.now();
    options.observer?.runStarted?.(run);
    try {
      const version = versionOf(run.versionId);
      if (!version) throw new Error(`version ${run.versionId} does not exist`);
      retry = version.retry;
      const event = eventOf(run.eventId);
      if (!event) throw new Error(`event ${run.eventId} is missing`);
      // The body goes as its JSON text, parsed in the execution thread (see bodyJson).
      const trigger = triggerOf(event);
      const completed: [string, StepResult][] = [];
      // A run claimed for the first time has no steps to read back.
      for (const step of run.fresh ? [] : store.runs.steps(run.id)) {
        if (step.status !== 'failed') completed.push([step.nodeId, toResult(step)]);
      }
      const result = await options.executor.execute(
        {
          runId: run.id,
          workflowId: run.workflowId,
          versionId: run.versionId,
          document: version.document,
          event: trigger,
          bodyJson: event.parsedJson,
          completed,
          attempt: run.attempt,
          isolated: run.interruptions > 0,
          // Decrypted now, at dispatch: a credential changed since is used from its next run.
          credentials: options.credentials?.forJob(version.credentialIds) ?? {},
        },
        { onStep: record },
        abort.signal,
      );
      status = result.status;
      if (result.resumeAt !== undefined) resumeAt = Date.parse(result.resumeAt);
      error = result.error;
      output = result.output;
      outputFrom = result.outputFrom;
      if ('response' in result) response = { value: result.response };
    } catch (caught) {
      if (caught instanceof ExecutionInterrupted && run.interruptions === 0) {
        // It may have shared its thread with the culprit: run it again, alone.
        await Promise.allSettled(stepWrites);
        await store.runs.interrupt(run.id, id);
        claimAgain = true;
        return;
      }
      error =
        caught instanceof ExecutionInterrupted
          ? {
              message: caught.message,
              code:
                caught.reason === 'memory'
                  ? 'OUT_OF_MEMORY'
                  : caught.reason === 'stalled'
                    ? 'STALLED'
                    : 'CRASHED',
              ...(caught.nodeId ? { nodeId: caught.nodeId } : {}),
            }
          : { message: caught instanceof Error ? caught.message : String(caught) };
      if (!(caught instanceof ExecutionInterrupted)) {
        logger.error({ err: caught, runId: run.id }, 'run could not be executed');
      }
    }
    await Promise.all(stepWrites);
    // Only a sender waiting for the run (wait mode) needs the output's value: read it back.
    const shownOutput = () =>
      outputFrom === undefined || !waiters.has(run.id)
        ? output
        : store.runs.steps(run.id).findLast((step) => step.nodeId === outputFrom)?.output;
    if (entry.stop === 'canceled') {
      settle(run.id, { status: 'canceled', error: canceledError, output: shownOutput() });
      logger.debug({ runId: run.id }, 'run canceled');
      return;
    }
    if (entry.stop === 'lost') {
      logger.warn({ runId: run.id }, 'run lease was lost before it finished');
      return;
    }
    // Handed back by stop(); it runs again at the next start, after its finished steps.
    if (entry.stop === 'shutdown' && status === 'canceled') return;
    if (status === 'waiting') {
      // Parked (a delay): the slot is free now; any worker claims it again when it is due.
      const until = resumeAt ?? Date.now();
      if (await store.runs.park({ id: run.id, worker: id, until })) {
        wakeAt(until);
        settle(run.id, null);
        options.observer?.runParked?.(run, until);
        logger.debug({ runId: run.id, until: new Date(until).toISOString() }, 'run parked');
      } else {
        logger.warn({ runId: run.id }, 'run lease was lost before it parked');
      }
      return;
    }
    const delayMs = status === 'failed' ? retryDelayMs(retry, run.attempt) : null;
    if (delayMs !== null) {
      const queued = await store.runs.retry({
        id: run.id,
        worker: id,
        error,
        notBefore: Date.now() + delayMs,
      });
      if (queued) {
        wakeAt(Date.now() + delayMs);
        logger.debug({ runId: run.id, attempt: run.attempt, delayMs }, 'run failed, will retry');
        return;
      }
    }
    const recorded = await store.runs.finish({
      id: run.id,
      worker: id,
      status,
      error,
      output,
      outputFrom: outputFrom ?? null,
      stepsFit,
    });
    if (!recorded) logger.warn({ runId: run.id }, 'run lease was lost before it finished');
    settle(run.id, {
      status,
      error,
      output: shownOutput(),
      ...(response ? { response: response.value } : {}),
    });
    options.observer?.runFinished?.(run, status, (performance.now() - startedAt) / 1000);
    logger.debug({ runId: run.id, status }, 'run finished');
  };

  // While runs wait in the queue, claim in batches of this many: a claim costs about as much as
  // a few runs' inserts, and claiming each freed slot on its own claimed one run at a time.
  const claimBatch = Math.max(1, Math.floor(options.concurrency / 10));
  // The last claim filled every free slot: more runs are probably waiting.
  let backlog = false;
  // Runs whose lease ran out and parked runs that came due are looked for once per poll interval
  // (as an idle worker would find them), not by every claim: under load that look cost about as
  // much as claiming the queued runs themselves.
  let lastSweep = Number.NEGATIVE_INFINITY;

  const loop = async () => {
    while (state === 'running') {
      const free = options.concurrency - running.size;
      let claimed: ClaimedRun[] = [];
      claimAgain = false;
      // With a backlog, the slots in use keep the worker busy until a batch of them is free.
      if (free > 0 && (free >= claimBatch || !backlog)) {
        try {
          const now = Date.now();
          const sweep = sweepNow || now - lastSweep >= pollMs || now < lastSweep;
          claimed = await store.runs.claim({ worker: id, limit: free, leaseMs, now, sweep });
          backlog = claimed.length === free;
          // A sweep that filled every slot may have left due runs behind the queued ones taken
          // first: the next claim looks again.
          if (sweep && !backlog) {
            lastSweep = now;
            sweepNow = false;
          }
        } catch (error) {
          logger.error({ err: error }, 'claiming runs failed');
        }
      }
      for (const run of claimed) {
        // Its lease ran out while this worker was still on it (renewal came late): keep going.
        if (running.has(run.id)) continue;
        const entry: InFlight = { promise: Promise.resolve(), abort: new AbortController() };
        entry.promise = execute(run, entry)
          .catch((error) => logger.error({ err: error, runId: run.id }, 'run bookkeeping failed'))
          .finally(() => {
            running.delete(run.id);
            wake?.();
          });
        running.set(run.id, entry);
      }
      if (claimed.length === free && free > 0) continue;
      if (claimAgain) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
      });
    }
  };

  return {
    id,
    get inFlight() {
      return running.size;
    },
    start() {
      if (state !== 'idle') return;
      state = 'running';
      try {
        lock = store.runs.holdWorkerLock(id);
      } catch (error) {
        // Without it, a crash leaves this worker's runs to their leases alone.
        logger.warn({ err: error }, 'could not take the worker lock');
      }
      loopDone = (async () => {
        try {
          const reclaimed = await store.runs.reclaimOrphans(id);
          if (reclaimed > 0) logger.info({ reclaimed }, 'runs of a stopped process queued again');
        } catch (error) {
          logger.error({ err: error }, 'reclaiming the runs of stopped workers failed');
        }
        await loop();
      })();
      leaseTimer = setInterval(
        () => {
          renewLeases().catch((error) => logger.error({ err: error }, 'lease renewal failed'));
        },
        Math.max(100, Math.floor(leaseMs / 3)),
      );
      leaseTimer.unref();
    },
    cancel(runId) {
      stopRun(runId, 'canceled');
    },
    waitForRun(runId, timeoutMs) {
      return new Promise<FinishedRun | null>((resolve) => {
        let listeners = waiters.get(runId);
        if (!listeners) {
          listeners = new Set();
          waiters.set(runId, listeners);
        }
        const timer = setTimeout(() => {
          listeners.delete(done);
          if (listeners.size === 0) waiters.delete(runId);
          resolve(null);
        }, timeoutMs);
        const done = (run: FinishedRun | null) => {
          clearTimeout(timer);
          resolve(run);
        };
        listeners.add(done);
      });
    },
    notify,
    async stop(deadlineMs) {
      if (state !== 'running') return;
      state = 'stopping';
      wake?.();
      await loopDone;
      const all = Promise.all([...running.values()].map((entry) => entry.promise));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs);
      });
      const outcome = await Promise.race([all.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'late') {
        for (const runId of running.keys()) stopRun(runId, 'shutdown');
        await all;
      }
      clearInterval(leaseTimer);
      for (const timer of wakeTimers) clearTimeout(timer);
      wakeTimers.clear();
      const handedBack = store.runs.releaseLeases(id);
      if (handedBack > 0) logger.info({ handedBack }, 'unfinished runs handed back to the queue');
      lock?.release();
      lock = undefined;
      state = 'idle';
    },
  };
}

/** A step row none of whose payloads can be above `maxBytes` (UTF-8: 3 bytes a character at most). */
function fitsCap(step: RecordedStep, maxBytes: number): boolean {
  const most = maxBytes / 3;
  return (
    (step.input?.length ?? 0) <= most &&
    (step.config?.length ?? 0) <= most &&
    (step.output?.length ?? 0) <= most &&
    (step.error?.length ?? 0) <= most
  );
}

function toResult({ resumeAt, ...step }: StepRecord): StepResult {
  return {
    ...step,
    error: (step.error ?? null) as StepResult['error'],
    startedAt: new Date(step.startedAt).toISOString(),
    finishedAt: new Date(step.finishedAt).toISOString(),
    ...(typeof resumeAt === 'number' ? { resumeAt: new Date(resumeAt).toISOString() } : {}),
  };
}
