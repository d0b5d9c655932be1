import { Worker as Thread } from 'node:worker_threads';
import type { NodeRegistry, NodeServices } from '@hookflow/engine';
import type { Logger } from '../logger.ts';
import {
  createPlanCache,
  createVersionDocuments,
  type ExecutionJob,
  type JobCallbacks,
  type JobResult,
  type RecordedStep,
  runJob,
} from './run-job.ts';
import { progressBuffer, stepProgress } from './step-progress.ts';

/** Runs jobs somewhere: in execution threads (production) or in this thread. */
export interface RunExecutor {
  execute(job: ExecutionJob, callbacks: JobCallbacks, signal: AbortSignal): Promise<JobResult>;
  close(): Promise<void>;
}

export type InterruptReason = 'stalled' | 'memory' | 'crashed';

/** The job's thread was stopped under it; the job did not finish. */
export class ExecutionInterrupted extends Error {
  override readonly name = 'ExecutionInterrupted';
  constructor(
    readonly reason: InterruptReason,
    /** The step that was running when the thread stopped, if one was. */
    readonly nodeId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** What the main thread tells an execution thread; messages travel in arrays (batches). */
export type ToThread =
  | { type: 'run'; jobId: number; job: ExecutionJob }
  | { type: 'cancel'; jobId: number }
  | { type: 'ping' };

/** What an execution thread tells the main thread; messages travel in arrays (batches). */
export type FromThread =
  | { type: 'ready' }
  | { type: 'pong' }
  | { type: 'step'; jobId: number; step: RecordedStep }
  | { type: 'done'; jobId: number; result: JobResult }
  | { type: 'error'; jobId: number; message: string };

/** Runs jobs in this thread: no isolation. For debugging and profiling (EXECUTION_THREADS=0). */
export function createInlineExecutor(registry: NodeRegistry, services: NodeServices): RunExecutor {
  const planFor = createPlanCache(registry);
  return {
    execute: (job, callbacks, signal) => runJob(job, planFor, services, callbacks, signal),
    close: async () => {},
  };
}

export interface ThreadExecutorOptions {
  threads: number;
  /** Heap limit of each thread (old generation), in MiB. */
  heapMb: number;
  /** A busy thread that does not answer a ping for this long is terminated. */
  stallMs: number;
  logger: Logger;
  /** A module (URL) exporting `nodeRegistry`; the real catalogue when absent. */
  registryModule?: string;
  /** The OUTBOUND_ALLOW setting, for the HTTP client each thread builds (none when absent). */
  outboundAllow?: string;
}

interface PendingJob {
  resolve: (result: JobResult) => void;
  reject: (error: Error) => void;
  callbacks: JobCallbacks;
  /** The document's nodes, to name the step a thread was running (see `stepProgress`). */
  nodes: readonly { id: string }[];
}

interface Slot {
  thread: Thread;
  jobs: Map<number, PendingJob>;
  lastPong: number;
  /** Loading the thread's code takes a while; the watchdog waits for its first word. */
  ready: boolean;
  spawnedAt: number;
  dead: boolean;
  /** Exists for one isolated job; terminated when it is done. */
  temporary: boolean;
  /** Jobs to post together at the end of this turn (the worker starts many at once). */
  outbox: ToThread[];
  /** The documents the thread holds: those are not sent again. */
  documents: ReturnType<typeof createVersionDocuments>;
  progress: ReturnType<typeof stepProgress>;
}

/** A thread that has not loaded its code after this long is considered broken. */
const startupLimitMs = 60_000;
/** `true` in the compiled server (apps/server/build.js defines it); undeclared in the sources. */
declare const HOOKFLOW_COMPILED: boolean | undefined;
const compiled = typeof HOOKFLOW_COMPILED === 'boolean' && HOOKFLOW_COMPILED;
const threadEntry = new URL('./execution-thread.ts', import.meta.url).href;
// The compiled server has its own build of the thread; from the sources, the thread registers
// tsx (threads do not inherit the loader) and then loads threadEntry.
const threadScript = compiled
  ? new URL('../../dist/execution-thread.js', import.meta.url)
  : new URL('./thread-bootstrap.js', import.meta.url);

/**
 * A pool of execution threads, each with a heap limit. A thread that stops answering (a step
 * stuck in a synchronous loop) or runs out of memory is terminated and replaced; the jobs it
 * held are rejected with ExecutionInterrupted so the worker can run them again in isolation.
 * Jobs go to the least busy thread; each thread runs many jobs concurrently.
 */
export function createThreadExecutor(options: ThreadExecutorOptions): RunExecutor {
  const { logger } = options;
  const slots: Slot[] = [];
  let nextJobId = 1;
  let closed = false;

  const describe = (reason: InterruptReason) =>
    reason === 'stalled'
      ? `its execution thread stopped answering for ${options.stallMs} ms (a step was stuck in a long computation) and was stopped`
      : reason === 'memory'
        ? `its execution thread ran out of memory (limit ${options.heapMb} MiB) and was stopped`
        : 'its execution thread crashed';

  const kill = (slot: Slot, reason: InterruptReason) => {
    if (slot.dead) return;
    slot.dead = true;
    slot.thread.terminate().catch(() => {});
    const index = slots.indexOf(slot);
    if (index !== -1) slots.splice(index, 1);
    if (slot.jobs.size > 0)
      logger.warn({ reason, jobs: slot.jobs.size }, 'execution thread stopped');
    for (const [jobId, pending] of slot.jobs) {
      const step = slot.progress.current(jobId);
      pending.reject(
        new ExecutionInterrupted(
          reason,
          step === undefined ? undefined : pending.nodes[step]?.id,
          `the run was interrupted: ${describe(reason)}`,
        ),
      );
    }
    slot.jobs.clear();
    if (!slot.temporary && !closed) slots.push(spawn(false));
  };

  /** Posts at the end of this turn, with whatever else is sent to the thread in it. */
  const enqueue = (slot: Slot, message: ToThread) => {
    if (slot.outbox.length === 0) {
      queueMicrotask(() => {
        const batch = slot.outbox;
        slot.outbox = [];
        if (!slot.dead) slot.thread.postMessage(batch);
      });
    }
    slot.outbox.push(message);
  };

  const spawn = (temporary: boolean): Slot => {
    const progress = progressBuffer();
    const thread = new Thread(threadScript, {
      workerData: {
        entry: threadEntry,
        registryModule: options.registryModule,
        outboundAllow: options.outboundAllow,
        progress,
      },
      resourceLimits: { maxOldGenerationSizeMb: options.heapMb },
    });
    const slot: Slot = {
      thread,
      jobs: new Map(),
      lastPong: Date.now(),
      ready: false,
      spawnedAt: Date.now(),
      dead: false,
      temporary,
      outbox: [],
      documents: createVersionDocuments(),
      progress: stepProgress(progress),
    };
    const receive = (message: FromThread) => {
      if (message.type === 'ready') slot.ready = true;
      if (message.type === 'ready' || message.type === 'pong') return;
      const pending = slot.jobs.get(message.jobId);
      if (!pending) return;
      if (message.type === 'step') pending.callbacks.onStep(message.step);
      else {
        slot.jobs.delete(message.jobId);
        if (message.type === 'done') pending.resolve(message.result);
        else pending.reject(new Error(message.message));
        if (slot.temporary && slot.jobs.size === 0) {
          slot.dead = true;
          thread.terminate().catch(() => {});
        }
      }
    };
    thread.on('message', (messages: FromThread[]) => {
      slot.lastPong = Date.now();
      for (const message of messages) receive(message);
    });
    thread.on('error', (error: Error & { code?: string }) => {
      logger.error({ err: error }, 'execution thread failed');
      kill(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed');
    });
    thread.on('exit', () => kill(slot, 'crashed'));
    return slot;
  };

  for (let i = 0; i < options.threads; i++) slots.push(spawn(false));

  const watchdog = setInterval(
    () => {
      const now = Date.now();
      for (const slot of [...slots]) {
        if (slot.jobs.size === 0) continue;
        if (!slot.ready) {
          if (now - slot.spawnedAt > startupLimitMs) kill(slot, 'crashed');
          continue;
        }
        if (now - slot.lastPong > options.stallMs) kill(slot, 'stalled');
        else slot.thread.postMessage([{ type: 'ping' }] satisfies ToThread[]);
      }
    },
    Math.max(50, Math.floor(options.stallMs / 4)),
  );
  watchdog.unref();

  return {
    execute(job, callbacks, signal) {
      if (closed) return Promise.reject(new Error('the executor is closed'));
      let slot: Slot;
      if (job.isolated) {
        slot = spawn(true);
        slots.push(slot);
      } else {
        slot = slots
          .filter((s) => !s.temporary && !s.dead)
          .reduce((best, s) => (s.jobs.size < best.jobs.size ? s : best));
      }
      // An idle thread has not been pinged: its silence so far says nothing.
      if (slot.jobs.size === 0 && slot.ready) slot.lastPong = Date.now();
      const jobId = nextJobId++;
      return new Promise<JobResult>((resolve, reject) => {
        const onAbort = () => enqueue(slot, { type: 'cancel', jobId });
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = () => signal.removeEventListener('abort', onAbort);
        slot.jobs.set(jobId, {
          resolve: (result) => {
            settle();
            resolve(result);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
          callbacks,
          nodes: (job.document as { nodes?: { id: string }[] } | null)?.nodes ?? [],
        });
        const sent = slot.documents.has(job.versionId);
        if (!sent) slot.documents.remember(job.versionId, true);
        enqueue(slot, { type: 'run', jobId, job: sent ? { ...job, document: undefined } : job });
      });
    },
    async close() {
      closed = true;
      clearInterval(watchdog);
      const all = slots.splice(0);
      for (const slot of all) slot.dead = true;
      await Promise.all(all.map((slot) => slot.thread.terminate()));
    },
  };
}
