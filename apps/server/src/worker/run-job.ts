import {
  type CompiledWorkflow,
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
  /** The published version's document. */
  document: unknown;
  event: TriggerEvent;
  /** Steps finished by earlier attempts, by node id: not run again. */
  completed: [string, StepResult][];
  attempt: number;
  /** Run in a thread of its own (it was interrupted before). */
  isolated: boolean;
  /**
   * The credentials the document references, decrypted by the main thread when the job is
   * dispatched: execution threads hold no key and never touch the database.
   */
  credentials: Record<string, JobCredential>;
}

export interface JobCallbacks {
  onStepStart?: (nodeId: string) => void;
  onStep: (step: StepResult) => void;
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
export function runJob(
  job: ExecutionJob,
  planFor: ReturnType<typeof createPlanCache>,
  services: NodeServices,
  callbacks: JobCallbacks,
  signal: AbortSignal,
): Promise<RunResult> {
  const plan = planFor(job.versionId, job.document);
  return executeWorkflow(plan, {
    event: job.event,
    run: { id: job.runId },
    workflow: { id: job.workflowId, name: plan.document.name, versionId: job.versionId },
    services: { ...services, credentials: (id) => jobCredential(job, id) },
    signal,
    completed: new Map(job.completed),
    attempt: job.attempt,
    ...(callbacks.onStepStart ? { onStepStart: callbacks.onStepStart } : {}),
    onStep: callbacks.onStep,
  });
}

function jobCredential(job: ExecutionJob, id: string) {
  const found = Object.hasOwn(job.credentials, id) ? job.credentials[id] : undefined;
  if (!found) throw new CredentialError(`credential ${id} was not sent with the run`);
  if (!found.ok) throw new CredentialError(found.message);
  return found.credential;
}
