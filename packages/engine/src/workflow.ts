import { z } from 'zod';

/** The one document format Hookflow reads and writes. Bump it only with a migration. */
export const WORKFLOW_FORMAT = 'hookflow/workflow@1';

/** A node key is how expressions refer to a step: `steps.filter_1`. */
export const nodeKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    'must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 63 characters)',
  );

export const positionSchema = z.object({ x: z.number(), y: z.number() });

export const workflowNodeSchema = z.object({
  id: z.string().min(1).max(100),
  key: nodeKeySchema,
  type: z.string().min(1).max(100),
  name: z.string().max(200),
  config: z.record(z.string(), z.unknown()).default({}),
  position: positionSchema.default({ x: 0, y: 0 }),
  /** What happens when this node fails: stop the run, or continue through its `error` output. */
  onError: z.enum(['stop', 'continue']).optional(),
});

export const workflowEdgeSchema = z.object({
  id: z.string().min(1).max(200),
  source: z.string().min(1),
  sourceHandle: z.string().min(1).optional(),
  target: z.string().min(1),
});

/** Automatic retries of failed runs: off unless `attempts` is above 0. */
export const retrySettingsSchema = z.object({
  /** How many times a failed run is queued again by itself, from its failed step. */
  attempts: z.number().int().min(0).max(10),
  /** The wait before the first retry; each next retry waits twice as long as the one before. */
  initialDelayMs: z.number().int().min(0).max(86_400_000).default(1000),
  /** The longest wait between two attempts. */
  maxDelayMs: z.number().int().min(0).max(86_400_000).default(300_000),
});

export const workflowSettingsSchema = z.looseObject({
  /** Per-node timeout when a node sets none, in milliseconds. */
  nodeTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
  retry: retrySettingsSchema.optional(),
});

export type WorkflowSettings = z.infer<typeof workflowSettingsSchema>;
export type RetrySettings = z.infer<typeof retrySettingsSchema>;

/**
 * How long to wait before retrying a run whose attempt number `attempt` just failed, or null
 * when it gets no more retries (attempt 1 is the first execution).
 */
export function retryDelayMs(retry: RetrySettings | undefined, attempt: number): number | null {
  if (!retry || attempt > retry.attempts) return null;
  return Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
}

export const workflowDocumentSchema = z.object({
  format: z.literal(WORKFLOW_FORMAT, {
    error: `format must be "${WORKFLOW_FORMAT}"`,
  }),
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  nodes: z.array(workflowNodeSchema).max(5000),
  edges: z.array(workflowEdgeSchema).max(20000).default([]),
  settings: workflowSettingsSchema.default({}),
});

export type WorkflowDocument = z.infer<typeof workflowDocumentSchema>;
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;
export type WorkflowEdge = z.infer<typeof workflowEdgeSchema>;

export interface DocumentIssue {
  /** Dotted path into the document, such as `nodes[2].key`. */
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; document: WorkflowDocument }
  | { ok: false; issues: DocumentIssue[] };

/** Parses an untrusted workflow document; each issue points at the bad field. */
export function parseWorkflowDocument(input: unknown): ParseResult {
  const result = workflowDocumentSchema.safeParse(input);
  if (result.success) return { ok: true, document: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    })),
  };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
