import type { StepRecord } from '@hookflow/db';
import { encodeStep, type StepRow } from '@hookflow/db/step-rows';
import {
  type CompiledWorkflow,
  type CompletedStep,
  CredentialError,
  compileWorkflow,
  executeWorkflow,
  type NodeRegistry,
  type NodeServices,
  type RunResult,
  type StepResult,
  type TriggerEvent,
  workflowDocumentSchema,
} from '@hookflow/engine';
import type { JobCredential } from '../credentials/resolver.ts';

/** Everything needed to execute one run, in a form that crosses a thread boundary. */
export interface ExecutionJob {
  runId: string;
  workflowId: string;
  versionId: string;
  /**
   * The published version's document. Left out on the way to a thread that was sent it before
   * (see createVersionDocuments).
   */
  document: unknown;
  event: TriggerEvent;
  /**
   * With it, the event's body is this JSON text (null: no body), parsed where the run executes:
   * a string crosses between threads for a fraction of what the parsed value costs, and the
   * main thread, which reads it from the database as text, does not parse it.
   */
  bodyJson?: string | null;
  /** Steps finished by earlier attempts, by node id: not run again. */
  completed: [string, CompletedStep][];
  attempt: number;
  /** Run in a thread of its own (it was interrupted before). */
  isolated: boolean;
  /**
   * The credentials the document references, decrypted by the main thread when the job is
   * dispatched: execution threads hold no key and never touch the database.
   */
  credentials: Record<string, JobCredential>;
  /**
   * Keep every step in the result (a test run shows them). A recorded run leaves them out: it
   * has them through `onStep` already, and each would cross between the threads twice.
   */
  keepSteps?: boolean;
  /** Nothing acts outside the run (a check of a draft against past events); see ExecuteOptions. */
  dryRun?: boolean;
  /** Runs this node alone on the outputs in `completed` (a test step run again). */
  onlyNode?: string;
}

/**
 * A step as the worker records it: its `run_steps` row, made where the run executes (JSON
 * encoding and all), so the main thread only inserts it. A payload that is the very value
 * another step of the run output names that step's node instead of carrying the value (see
 * `StepRecord.inputFrom` in the db package): in a trigger -> filter -> transform run the event
 * then crosses between the threads and is stored once, not five times.
 */
export type RecordedStep = StepRow & {
  /** The output's `status` when it is a number (an HTTP response's), for the metrics. */
  outputStatus?: number;
};

/** A run's result as the worker gets it: its output named by its step's node when it is one. */
export type JobResult = RunResult & { outputFrom?: string };

export interface JobCallbacks {
  onStepStart?: (nodeId: string) => void;
  onStep: (step: RecordedStep) => void;
}

/**
 * The documents an execution thread holds, by version id, so a version's document crosses to a
 * thread once instead of with every run (a large workflow's document costs more to copy than
 * its run). Both sides keep the same first-in-first-out list of the last `size` versions in the
 * order the jobs are posted, which is the order the thread receives them: the main thread
 * knows which documents the thread still has without asking.
 */
export function createVersionDocuments(size = 500) {
  const documents = new Map<string, unknown>();
  return {
    has: (versionId: string) => documents.has(versionId),
    get: (versionId: string) => documents.get(versionId),
    remember(versionId: string, document: unknown) {
      if (documents.has(versionId)) return;
      if (documents.size >= size) documents.delete(documents.keys().next().value!);
      documents.set(versionId, document);
    },
  };
}

/** Compiled versions, kept per version id (published versions never change). */
export function createPlanCache(registry: NodeRegistry, maxEntries = 500) {
  const plans = new Map<string, CompiledWorkflow>();
  return (versionId: string, document: unknown): CompiledWorkflow => {
    let plan = plans.get(versionId);
    if (!plan) {
      plan = compileWorkflow(workflowDocumentSchema.parse(document), registry);
      if (plans.size >= maxEntries) plans.delete(plans.keys().next().value!);
      plans.set(versionId, plan);
    }
    return plan;
  };
}

/** Executes a job; the same code runs in the execution threads and in-process. */
export async function runJob(
  job: ExecutionJob,
  planFor: ReturnType<typeof createPlanCache>,
  services: NodeServices,
  callbacks: JobCallbacks,
  signal: AbortSignal,
): Promise<JobResult> {
  const plan = planFor(job.versionId, job.document);
  const outputs = createOutputIndex(job.completed);
  const event =
    job.bodyJson === undefined
      ? job.event
      : { ...job.event, body: job.bodyJson === null ? null : JSON.parse(job.bodyJson) };
  const result = await executeWorkflow(plan, {
    event,
    run: { id: job.runId },
    workflow: { id: job.workflowId, name: plan.document.name, versionId: job.versionId },
    services: { ...services, credentials: (id) => jobCredential(job, id) },
    signal,
    completed: new Map(job.completed),
    attempt: job.attempt,
    ...(job.dryRun ? { dryRun: true } : {}),
    ...(job.onlyNode !== undefined ? { onlyNode: job.onlyNode } : {}),
    ...(callbacks.onStepStart ? { onStepStart: callbacks.onStepStart } : {}),
    onStep: (step) => callbacks.onStep(outputs.record(step)),
  });
  if (job.keepSteps) return result;
  const outputFrom = outputs.producer(result.output);
  return {
    ...result,
    steps: [],
    ...(outputFrom === undefined ? {} : { output: undefined, outputFrom }),
  };
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * Which step output each value of a run is, by identity: the executor hands a step's output
 * on as the next step's input and a filter passes its input on as its output, so one object
 * is recorded again and again. Identity proves the payload is the same (a value scrubbed of a
 * secret is a new object, stored whole); nodes do not change their input in place.
 */
function createOutputIndex(completed: readonly [string, CompletedStep][]) {
  const producers = new Map<object, string>();
  const producer = (value: unknown) => (isObject(value) ? producers.get(value) : undefined);
  const remember = (value: unknown, nodeId: string) => {
    if (isObject(value) && !producers.has(value)) producers.set(value, nodeId);
  };
  for (const [nodeId, step] of completed) remember(step.output, nodeId);
  return {
    producer,
    record(step: StepResult): RecordedStep {
      const recorded: StepRecord = {
        ...step,
        startedAt: Date.parse(step.startedAt),
        finishedAt: Date.parse(step.finishedAt),
        resumeAt: step.resumeAt === undefined ? null : Date.parse(step.resumeAt),
      };
      const outputFrom = producer(step.output);
      // The same node's earlier record (a delay's, once it waited) is stored whole.
      if (outputFrom !== undefined && outputFrom !== step.nodeId) recorded.outputFrom = outputFrom;
      // Naming its own node, the input is this record's output: a trigger's input and output
      // are one event.
      let inputFrom = producer(step.input);
      if (inputFrom === step.nodeId && step.input !== step.output) inputFrom = undefined;
      if (inputFrom === undefined && isObject(step.input) && step.input === step.output) {
        inputFrom = step.nodeId;
      }
      if (inputFrom !== undefined) recorded.inputFrom = inputFrom;
      remember(step.output, step.nodeId);
      const status = (step.output as { status?: unknown } | null | undefined)?.status;
      return {
        ...encodeStep(recorded),
        ...(typeof status === 'number' ? { outputStatus: status } : {}),
      };
    },
  };
}

function jobCredential(job: ExecutionJob, id: string) {
  const found = Object.hasOwn(job.credentials, id) ? job.credentials[id] : undefined;
  if (!found) throw new CredentialError(`credential ${id} was not sent with the run`);
  if (!found.ok) throw new CredentialError(found.message);
  return found.credential;
}
