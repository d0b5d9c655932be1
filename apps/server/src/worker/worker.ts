import { randomBytes } from 'node:crypto';
import type { ClaimedRun, StepRecord, Store } from '@hookflow/db';
import type { StepResult, TriggerEvent } from '@hookflow/engine';
import { maskHeaders } from '../hooks/redact.ts';
import type { Logger } from '../logger.ts';
import { ExecutionInterrupted, type RunExecutor } from './executor.ts';

export interface WorkerOptions {
  store: Store;
  executor: RunExecutor;
  logger: Logger;
  /** Runs executed at the same time. */
  concurrency: number;
  /** How long a claim holds before another worker may take the run over. */
  leaseMs?: number;
  /** How often to look for work when nothing wakes the worker. */
  pollMs?: number;
}

export interface FinishedRun {
  status: 'succeeded' | 'failed' | 'filtered' | 'canceled';
  error: unknown;
  output: unknown;
  /** What a Respond node produced, when one ran. */
  response?: unknown;
}

export interface Worker {
  readonly id: string;
  start(): void;
  /** Look for work now (a run was just queued). */
  notify(): void;
  /**
   * Resolves when the run finishes (with its result), or with null after `timeoutMs`. Register
   * before the run can be claimed (right after it is queued) to be sure not to miss it.
   */
  waitForRun(runId: string, timeoutMs: number): Promise<FinishedRun | null>;
  /** Stops claiming, waits for in-flight runs up to `deadlineMs`, hands the rest back. */
  stop(deadlineMs: number): Promise<void>;
  readonly inFlight: number;
}

/**
 * Claims queued runs with a lease and executes them. A run whose worker died is claimed again
 * once its lease expires; steps that already finished are not run again.
 */
export function createWorker(options: WorkerOptions): Worker {
  const id = `worker-${randomBytes(6).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const { store, logger } = options;
  const running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  let state: 'idle' | 'running' | 'stopping' = 'idle';
  let wake: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();
  let leaseTimer: NodeJS.Timeout | undefined;
  let claimAgain = false;
  const waiters = new Map<string, Set<(run: FinishedRun) => void>>();

  const execute = async (run: ClaimedRun, abort: AbortController): Promise<void> => {
    let status: 'succeeded' | 'failed' | 'filtered' | 'canceled' = 'failed';
    let error: unknown = null;
    let output: unknown;
    let response: { value: unknown } | undefined;
    const stepWrites: Promise<void>[] = [];
    try {
      const version = store.workflows.getVersion(run.versionId);
      if (!version) throw new Error(`version ${run.versionId} does not exist`);
      const event = store.runs.event(run.eventId);
      if (!event) throw new Error(`event ${run.eventId} is missing`);
      const trigger: TriggerEvent = {
        method: event.method,
        path: event.path,
        // Credentials and signatures stay out of the run history (and out of workflows).
        headers: maskHeaders(event.headers),
        query: event.query,
        body: event.parsedBody,
        receivedAt: new Date(event.receivedAt).toISOString(),
      };
      const completed: [string, StepResult][] = [];
      for (const step of store.runs.steps(run.id)) {
        if (step.status !== 'failed') completed.push([step.nodeId, toResult(step)]);
      }
      const result = await options.executor.execute(
        {
          runId: run.id,
          workflowId: run.workflowId,
          versionId: run.versionId,
          document: version.document,
          event: trigger,
          completed,
          attempt: run.attempt,
          isolated: run.interruptions > 0,
        },
        { onStep: (step) => void stepWrites.push(store.runs.appendStep(run.id, toRecord(step))) },
        abort.signal,
      );
      status = result.status;
      error = result.error;
      output = result.output;
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
    if (state === 'stopping' && status === 'canceled') return; // handed back, not canceled
    const recorded = await store.runs.finish({ id: run.id, worker: id, status, error, output });
    if (!recorded) logger.warn({ runId: run.id }, 'run lease was lost before it finished');
    const listeners = waiters.get(run.id);
    if (listeners) {
      waiters.delete(run.id);
      const finished: FinishedRun = {
        status,
        error,
        output,
        ...(response ? { response: response.value } : {}),
      };
      for (const listener of listeners) listener(finished);
    }
    logger.debug({ runId: run.id, status }, 'run finished');
  };

  const loop = async () => {
    while (state === 'running') {
      const free = options.concurrency - running.size;
      let claimed: ClaimedRun[] = [];
      claimAgain = false;
      if (free > 0) {
        try {
          claimed = await store.runs.claim({ worker: id, limit: free, leaseMs });
        } catch (error) {
          logger.error({ err: error }, 'claiming runs failed');
        }
      }
      for (const run of claimed) {
        const abort = new AbortController();
        const promise = execute(run, abort)
          .catch((error) => logger.error({ err: error, runId: run.id }, 'run bookkeeping failed'))
          .finally(() => {
            running.delete(run.id);
            wake?.();
          });
        running.set(run.id, { promise, abort });
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
      loopDone = loop();
      leaseTimer = setInterval(
        () => {
          if (running.size > 0) {
            store.runs
              .extendLeases(id, leaseMs)
              .catch((error) => logger.error({ err: error }, 'lease renewal failed'));
          }
        },
        Math.max(100, Math.floor(leaseMs / 3)),
      );
      leaseTimer.unref();
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
        const done = (run: FinishedRun) => {
          clearTimeout(timer);
          resolve(run);
        };
        listeners.add(done);
      });
    },
    notify() {
      claimAgain = true;
      wake?.();
    },
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
        for (const entry of running.values()) entry.abort.abort();
        await all;
      }
      clearInterval(leaseTimer);
      const handedBack = store.runs.releaseLeases(id);
      if (handedBack > 0) logger.info({ handedBack }, 'unfinished runs handed back to the queue');
      state = 'idle';
    },
  };
}

function toRecord(step: StepResult): StepRecord {
  return {
    ...step,
    startedAt: Date.parse(step.startedAt),
    finishedAt: Date.parse(step.finishedAt),
  };
}

function toResult(step: StepRecord): StepResult {
  return {
    ...step,
    error: (step.error ?? null) as StepResult['error'],
    startedAt: new Date(step.startedAt).toISOString(),
    finishedAt: new Date(step.finishedAt).toISOString(),
  };
}
