/**
 * The executor: compiles a workflow document once into a plan and runs events through it.
 * Change here how steps are ordered, recorded and stopped; node behaviour belongs in the node
 * catalogue and the expression language in expressions.ts.
 *
 * Ordering rule: nodes run in topological order (ties in document order). A node runs when at
 * least one of its incoming edges is live, that is, its source ran and continued on that edge's
 * output handle. Because the order is topological, every parent has finished or been skipped
 * before a child is considered, so a node with several incoming edges runs once. Its `input`
 * is the output of the first live incoming edge in document order; every earlier output is in
 * `steps`.
 *
 * Parking rule: a node that returns `suspendUntil(time)` for a future time is recorded `waiting`
 * and the run stops there with status `waiting` and `resumeAt`; whoever runs it queues it again
 * for that time. When it executes again with that step among `completed`, the step is recorded
 * `succeeded` once its time has come and the run continues after it (still early: it parks again).
 * Steps later in the order wait too, even on other branches.
 *
 * Dry runs: with `dryRun`, a node that declares `sideEffects` does not act (runDry stands in for
 * run()) and a step that would park continues at once. With `onlyNode`, that one node runs on the
 * outputs of `completed` and nothing else does (re-running one step of a test run).
 */
import type { z } from 'zod';
import {
  type CompiledConfig,
  ConfigResolveError,
  type CredentialLookup,
  compileConfig,
} from './config.ts';
import { CredentialError, type ResolvedCredential, restoreCredentialRefs } from './credentials.ts';
import {
  createSecretScrubber,
  ERROR_HANDLE,
  isEmission,
  isSuspension,
  MAIN_HANDLE,
  maskSecrets,
  type NodeDefinition,
  type NodeRegistry,
  type NodeServices,
  runDry,
  type SecretScrubber,
  secretValues,
  type TriggerEvent,
} from './define-node.ts';
import { defaultExpressionLimits, type ExpressionLimits } from './expressions.ts';
import { topologicalOrder, type ValidationIssue, validateWorkflow } from './validate.ts';
import { formatPath, type WorkflowDocument, type WorkflowNode } from './workflow.ts';

export type StepStatus = 'succeeded' | 'failed' | 'filtered' | 'waiting';
export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'filtered'
  | 'canceled';

export interface StepError {
  message: string;
  code?: string;
  /** The config field whose expression or value failed. */
  field?: string;
  /** Character offset in that field. */
  position?: number;
}

export interface StepResult {
  nodeId: string;
  nodeKey: string;
  nodeType: string;
  status: StepStatus;
  input: unknown;
  config: unknown;
  output: unknown;
  error: StepError | null;
  /** The output handles this step continued on. */
  handles: readonly string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  attempt: number;
  /** When a `waiting` step's wait is over (ISO time). */
  resumeAt?: string;
}

/** A step an earlier execution recorded: not run again. */
export type CompletedStep = Pick<StepResult, 'output' | 'handles' | 'status'> &
  Partial<Omit<StepResult, 'output' | 'handles' | 'status'>>;

export interface RunResult {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  steps: StepResult[];
  /** The step that stopped the run, when it failed (or the step that was canceled). */
  error: (StepError & { nodeId: string }) | null;
  /** The output of the last step that ran. */
  output: unknown;
  /** The output of the first step whose node responds to the webhook, when one ran. */
  response?: unknown;
  /** When the run is `waiting`: the time to run it again (ISO). */
  resumeAt?: string;
}

export class WorkflowInvalidError extends Error {
  override readonly name = 'WorkflowInvalidError';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`the workflow is not valid: ${issues.map((issue) => issue.message).join('; ')}`);
  }
}

interface PlanEdge {
  parent: number;
  handle: string;
}

interface PlanNode {
  node: WorkflowNode;
  definition: NodeDefinition;
  config: CompiledConfig;
  /** Parsed once when the config holds no expression. */
  staticConfig: { value: unknown } | null;
  incoming: PlanEdge[];
  isLeaf: boolean;
  /** What the node's run() sees as `node`, built once. */
  info: { id: string; key: string; name: string; type: string };
  timeoutMs: number;
}

export interface CompiledWorkflow {
  readonly document: WorkflowDocument;
  readonly plan: readonly PlanNode[];
  /** The secret values written in the document (its nodes' secretFields, without templates). */
  readonly secrets: readonly string[];
  /** The ids of the credentials its nodes reference, each once. */
  readonly credentialIds: readonly string[];
}

export interface CompileOptions {
  limits?: ExpressionLimits;
  /** Used when a workflow sets no node timeout. */
  defaultNodeTimeoutMs?: number;
}

/** Validates and compiles a document into a reusable plan; throws WorkflowInvalidError. */
export function compileWorkflow(
  document: WorkflowDocument,
  registry: NodeRegistry,
  options: CompileOptions = {},
): CompiledWorkflow {
  const issues = validateWorkflow(document, registry);
  if (issues.length > 0) throw new WorkflowInvalidError(issues);
  const limits = options.limits ?? defaultExpressionLimits;
  const timeoutMs = document.settings.nodeTimeoutMs ?? options.defaultNodeTimeoutMs ?? 300_000;

  const children = new Map<string, string[]>(document.nodes.map((n) => [n.id, []]));
  const parents = new Map<string, string[]>(document.nodes.map((n) => [n.id, []]));
  for (const edge of document.edges) {
    children.get(edge.source)?.push(edge.target);
    parents.get(edge.target)?.push(edge.source);
  }
  const order = topologicalOrder(
    document.nodes.map((n) => n.id),
    children,
    parents,
  )!;
  const index = new Map(order.map((id, i) => [id, i]));
  const byId = new Map(document.nodes.map((n) => [n.id, n]));

  const plan = order.map((id): PlanNode => {
    const node = byId.get(id)!;
    const definition = registry.get(node.type)!;
    const config = compileConfig(node.config, definition.literalFields, limits);
    const staticConfig = config.isStatic ? { value: definition.config.parse(node.config) } : null;
    return {
      node,
      definition,
      config,
      staticConfig,
      incoming: document.edges
        .filter((edge) => edge.target === id)
        .map((edge) => ({
          parent: index.get(edge.source)!,
          handle: edge.sourceHandle ?? MAIN_HANDLE,
        })),
      isLeaf: (children.get(id) ?? []).length === 0,
      info: { id: node.id, key: node.key, name: node.name, type: node.type },
      timeoutMs,
    };
  });
  const secrets = plan.flatMap((item) =>
    secretValues(item.node.config, item.definition.secretFields).filter((v) => !v.includes('{{')),
  );
  const credentialIds = [
    ...new Set(plan.flatMap((item) => item.config.credentials.map((ref) => ref.id))),
  ];
  return { document, plan, secrets, credentialIds };
}

export interface ExecuteOptions {
  event: TriggerEvent;
  run: { id: string };
  workflow: { id: string; name: string; versionId: string };
  services: NodeServices;
  signal?: AbortSignal;
  /** Steps that already finished in an earlier attempt: not run again. */
  completed?: ReadonlyMap<string, CompletedStep>;
  /** Attempt number recorded on the steps this execution runs. */
  attempt?: number;
  /** Called when a step starts, with its node id (a watchdog can name the step that hung). */
  onStepStart?: (nodeId: string) => void;
  /** Called after each step, before the next starts; awaited so a record can be written. */
  onStep?: (step: StepResult) => void | Promise<void>;
  /**
   * Nothing acts outside the run: nodes with `sideEffects` give their dry-run output instead of
   * running (no request is sent), and nothing waits. For checking a draft against past events.
   */
  dryRun?: boolean;
  /**
   * Runs this node alone, on the outputs of `completed` (its own record there is ignored); no
   * other node runs. A node whose input is not among them does not run either.
   */
  onlyNode?: string;
}

/** Runs one event through a compiled workflow and returns every step's result. */
export async function executeWorkflow(
  compiled: CompiledWorkflow,
  options: ExecuteOptions,
): Promise<RunResult> {
  const { plan } = compiled;
  const steps: Record<string, unknown> = {};
  const outputs: unknown[] = new Array(plan.length);
  const handles: (readonly string[] | null)[] = new Array(plan.length).fill(null);
  const results: StepResult[] = [];
  const attempt = options.attempt ?? 1;
  let filtered = false;
  let leafRan = false;
  let failure: RunResult['error'] = null;
  let lastOutput: unknown;
  let response: { value: unknown } | undefined;
  let resumeAt: string | undefined;
  const secrets = createRunSecrets(compiled.secrets);
  const credential = resolveRunCredentials(compiled.credentialIds, options.services, secrets);

  for (let i = 0; i < plan.length; i++) {
    if (options.signal?.aborted) break;
    const item = plan[i]!;
    let input: unknown;
    if (i === 0 || item.incoming.length === 0) {
      input = options.event;
    } else {
      const live = item.incoming.find((edge) => handles[edge.parent]?.includes(edge.handle));
      if (!live) continue;
      input = outputs[live.parent];
    }

    const only = options.onlyNode;
    let done = only === item.node.id ? undefined : options.completed?.get(item.node.id);
    if (only !== undefined && only !== item.node.id && !done) continue;
    if (done?.status === 'waiting') {
      const waited = endWait(item, done, options, attempt);
      if (waited === null) {
        resumeAt = done.resumeAt;
        break;
      }
      results.push(waited);
      await options.onStep?.(waited);
      done = waited;
    }
    if (done) {
      outputs[i] = done.output;
      handles[i] = done.handles;
      steps[item.node.key] = done.output;
      if (done.status === 'filtered') filtered = true;
      if (item.isLeaf && done.status === 'succeeded') leafRan = true;
      lastOutput = done.output;
      continue;
    }

    options.onStepStart?.(item.node.id);
    const result = await runStep(item, input, steps, options, attempt, secrets, credential);
    results.push(result);
    outputs[i] = result.output;
    handles[i] = result.handles;
    steps[item.node.key] = result.output;
    lastOutput = result.output;
    if (result.status === 'filtered') filtered = true;
    if (item.isLeaf && result.status === 'succeeded') leafRan = true;
    if (!response && result.status === 'succeeded' && item.definition.respondsToWebhook) {
      response = { value: result.output };
    }
    await options.onStep?.(result);
    if (result.status === 'failed' && item.node.onError !== 'continue') {
      failure = { ...result.error!, nodeId: item.node.id };
      break;
    }
    if (result.status === 'waiting') {
      resumeAt = result.resumeAt;
      break;
    }
    if (only === item.node.id) break;
  }

  let status: RunResult['status'];
  // A step stopped by the run's own signal failed because the run was canceled, not by itself.
  if (options.signal?.aborted) status = 'canceled';
  else if (failure) status = 'failed';
  else if (resumeAt !== undefined) status = 'waiting';
  else if (filtered && !leafRan) status = 'filtered';
  else status = 'succeeded';
  return {
    status,
    steps: results,
    error: failure,
    output: lastOutput,
    ...(response ? { response: response.value } : {}),
    ...(status === 'waiting' ? { resumeAt } : {}),
  };
}

/**
 * A step that was `waiting` when its run parked: its finished record once its time has come,
 * or null while it is still early (the run parks again without recording anything).
 */
function endWait(
  item: PlanNode,
  done: CompletedStep,
  options: ExecuteOptions,
  attempt: number,
): StepResult | null {
  const now = options.services.now();
  const until = done.resumeAt === undefined ? Number.NaN : Date.parse(done.resumeAt);
  if (until > now.getTime()) return null;
  const startedAt = done.startedAt ?? now.toISOString();
  return {
    nodeId: item.node.id,
    nodeKey: item.node.key,
    nodeType: item.node.type,
    status: 'succeeded',
    input: done.input,
    config: done.config,
    output: done.output,
    error: null,
    handles: done.handles,
    startedAt,
    finishedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - Date.parse(startedAt)),
    attempt,
  };
}

async function runStep(
  item: PlanNode,
  input: unknown,
  steps: Record<string, unknown>,
  options: ExecuteOptions,
  attempt: number,
  secrets: RunSecrets,
  credential: CredentialLookup,
): Promise<StepResult> {
  const { node, definition } = item;
  const started = options.services.now();
  let config: unknown;
  let output: unknown;
  let error: StepError | null = null;
  let status: StepStatus = 'succeeded';
  let continued: readonly string[] = [MAIN_HANDLE];
  let resumeAt: string | undefined;
  try {
    const context = {
      trigger: options.event,
      steps,
      input,
      run: options.run,
      workflow: options.workflow,
    };
    config = item.staticConfig
      ? item.staticConfig.value
      : parseConfig(definition.config, await item.config.resolve(context, credential));
    // A secret an expression produced (a token taken from the event) is scrubbed from here on.
    if (!item.staticConfig) secrets.learn(secretValues(config, definition.secretFields));
    const nodeInfo = item.info;
    const act = options.dryRun
      ? (context: Parameters<NodeDefinition['run']>[0]) => runDry(definition, context)
      : definition.run;
    const returned = runWithTimeout(
      (owner) =>
        act({
          config,
          input,
          trigger: options.event,
          steps,
          node: nodeInfo,
          run: options.run,
          get signal() {
            return owner.signal;
          },
          services: options.services,
        }),
      item.timeoutMs,
      options.signal,
    );
    const value = isPromiseLike(returned) ? await returned : returned;
    if (isEmission(value)) {
      output = value.output;
      continued = value.handles;
      if (value.filtered && value.handles.length === 0) status = 'filtered';
    } else if (isSuspension(value)) {
      output = value.output;
      // A time already past (or now) continues at once; so does every wait in a dry run.
      if (!options.dryRun && value.until.getTime() > options.services.now().getTime()) {
        status = 'waiting';
        resumeAt = value.until.toISOString();
      }
    } else {
      output = value;
    }
  } catch (caught) {
    status = 'failed';
    error = toStepError(caught);
    output = node.onError === 'continue' ? { error, input } : undefined;
    continued = node.onError === 'continue' ? [ERROR_HANDLE] : [];
  }
  const finished = options.services.now();
  // Secrets are scrubbed by value from everything recorded (a server that echoes a token into
  // its answer or its error); later steps see the same scrubbed output as the history does.
  const { scrub } = secrets;
  return {
    nodeId: node.id,
    nodeKey: node.key,
    nodeType: node.type,
    status,
    input: scrub.value(input),
    // A value that came from a credential is recorded as its reference: history names it.
    config: scrub.value(
      maskSecrets(restoreCredentialRefs(config, item.config.credentials), definition.secretFields),
    ),
    output: scrub.value(output),
    error: error && scrub.active ? { ...error, message: scrub.text(error.message) } : error,
    handles: continued,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    attempt,
    ...(resumeAt !== undefined ? { resumeAt } : {}),
  };
}

/** The secret values a run knows of, and the scrubber that masks them. */
interface RunSecrets {
  readonly scrub: SecretScrubber;
  /** Adds values found in a resolved config; the scrubber is rebuilt only when one is new. */
  learn(values: readonly string[]): void;
}

/**
 * Resolves every credential the workflow references once, at the start of the run, so that
 * their secrets are scrubbed from the first step on (a step may echo a credential before the
 * step that uses it runs). A credential that cannot be resolved fails the step that uses it.
 */
function resolveRunCredentials(
  ids: readonly string[],
  services: NodeServices,
  secrets: RunSecrets,
): CredentialLookup {
  if (ids.length === 0) return missingCredential;
  const resolved = new Map<string, ResolvedCredential | CredentialError>();
  for (const id of ids) {
    try {
      if (!services.credentials) {
        throw new CredentialError(`credential ${id} cannot be used: no credential store was given`);
      }
      const found = services.credentials(id);
      resolved.set(id, found);
      secrets.learn(found.secrets);
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      resolved.set(id, error);
    }
  }
  return (id) => {
    const found = resolved.get(id);
    if (found === undefined) return missingCredential(id);
    if (found instanceof CredentialError) throw found;
    return found.value;
  };
}

const missingCredential: CredentialLookup = (id) => {
  throw new CredentialError(`credential ${id} does not exist`);
};

function createRunSecrets(initial: readonly string[]): RunSecrets {
  const known = new Set(initial);
  let scrub = createSecretScrubber(known);
  return {
    get scrub() {
      return scrub;
    },
    learn(values) {
      const before = known.size;
      for (const value of values) known.add(value);
      if (known.size !== before) scrub = createSecretScrubber(known);
    },
  };
}

/** A config value that does not fit its schema once its expressions are evaluated. */
export class ConfigValueError extends Error {
  override readonly name = 'ConfigValueError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

function parseConfig(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path);
  throw new ConfigValueError(`${field ? `${field}: ` : ''}${issue.message}`, field);
}

export class NodeTimeoutError extends Error {
  override readonly name = 'NodeTimeoutError';
  readonly code = 'TIMEOUT';
}

export class RunCanceledError extends Error {
  override readonly name = 'RunCanceledError';
  readonly code = 'CANCELED';
}

/**
 * Runs one node with its own AbortSignal that fires on timeout or when the run is canceled.
 * The signal is created only if the node reads it, and the timer only if the node returns a
 * promise: synchronous nodes (filter, transform, ...) pay for neither.
 */
function runWithTimeout(
  task: (context: { readonly signal: AbortSignal }) => unknown,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): unknown {
  let controller: AbortController | undefined;
  const signalOwner = {
    get signal(): AbortSignal {
      controller ??= new AbortController();
      return controller.signal;
    },
  };
  if (outer?.aborted) throw new RunCanceledError('the run was canceled');
  const result = task(signalOwner);
  if (!isPromiseLike(result)) return result;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new NodeTimeoutError(`the step took longer than ${timeoutMs} ms`);
      controller?.abort(error);
      reject(error);
    }, timeoutMs);
    if (outer) {
      onAbort = () => {
        const error = new RunCanceledError('the run was canceled');
        controller?.abort(error);
        reject(error);
      };
      outer.addEventListener('abort', onAbort, { once: true });
    }
  });
  return Promise.race([result, stopped]).finally(() => {
    clearTimeout(timer);
    if (outer && onAbort) outer.removeEventListener('abort', onAbort);
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function toStepError(caught: unknown): StepError {
  if (caught instanceof ConfigResolveError) {
    return {
      message: caught.message,
      code: caught.expressionError.code ?? 'EXPRESSION',
      field: caught.field,
      position: caught.expressionError.position,
    };
  }
  if (caught instanceof ConfigValueError) {
    return { message: caught.message, code: 'CONFIG', field: caught.field };
  }
  if (caught instanceof CredentialError) {
    return {
      message: caught.message,
      code: caught.code,
      ...(caught.field !== undefined ? { field: caught.field } : {}),
    };
  }
  if (caught instanceof Error) {
    const code = (caught as { code?: unknown }).code;
    return typeof code === 'string'
      ? { message: caught.message, code }
      : { message: caught.message };
  }
  return { message: String(caught) };
}
