import { parseWorkflowDocument, validateWorkflow } from '@hookflow/engine';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { ApiContext, TestRunJob } from '../context.ts';
import { badRequest, editorProcedure, notFound } from '../trpc.ts';
import { credentialCatalog } from './credentials.ts';

/** A test run that takes longer than this is stopped (a step waits on a slow server). */
const TEST_RUN_LIMIT_MS = 120_000;

/** A request typed or pasted by hand, for a workflow that has no captured sample yet. */
const pastedEvent = z.object({
  method: z.string().trim().toUpperCase().min(1).max(16).default('POST'),
  path: z.string().max(2000).default('/'),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  body: z.unknown(),
});

/**
 * The editor's draft as a document the executor can run: parsed and valid, else a BAD_REQUEST
 * that lists the problems. `what` says what was refused ("tested", "checked").
 */
export function runnableDraft(ctx: ApiContext, workflowId: string, input: unknown, what: string) {
  if (!ctx.store.workflows.get(workflowId)) throw notFound(`workflow ${workflowId}`);
  const parsed = parseWorkflowDocument(input);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw badRequest(
      `the workflow document is not valid: ${first.path || 'document'}: ${first.message}`,
      parsed.issues,
    );
  }
  const document = parsed.document;
  const issues = validateWorkflow(document, ctx.registry, {
    credentials: credentialCatalog(ctx),
  });
  if (issues.length > 0) {
    throw badRequest(
      `the draft cannot be ${what}: ${issues.length} problem${issues.length === 1 ? '' : 's'} (${issues[0]!.message})`,
      issues,
    );
  }
  return document;
}

/** The executor of test runs, or a clear refusal on a server without one. */
export function testExecutor(ctx: ApiContext): NonNullable<ApiContext['executeTest']> {
  if (!ctx.executeTest) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'test runs need the run executor, which this server does not have',
    });
  }
  return ctx.executeTest;
}

/** The sample chosen (a stored request of this workflow) or the request pasted by hand. */
function eventOf(
  ctx: ApiContext,
  workflowId: string,
  input: { sampleId?: string | undefined; event?: z.output<typeof pastedEvent> | undefined },
): TestRunJob['event'] {
  if (input.sampleId !== undefined) {
    const sample = ctx.store.samples.get(input.sampleId);
    const stored = sample?.workflowId === workflowId ? ctx.store.runs.event(sample.eventId) : null;
    if (!stored) throw notFound(`sample ${input.sampleId} of workflow ${workflowId}`);
    return stored;
  }
  const pasted = input.event!;
  return {
    method: pasted.method,
    path: pasted.path,
    headers: Object.fromEntries(
      Object.entries(pasted.headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    query: pasted.query,
    parsedBody: pasted.body ?? null,
    receivedAt: Date.now(),
  };
}

const oneEvent = {
  message: 'choose a sample event (sampleId) or paste one (event), not both',
};

/** A step of the last test run, as the editor holds it: what the node before gave on. */
const earlierStep = z.object({
  nodeId: z.string().min(1),
  nodeKey: z.string(),
  nodeType: z.string(),
  status: z.enum(['succeeded', 'failed', 'filtered', 'waiting']),
  /** Absent for a step that failed and gave nothing on. */
  output: z.unknown().optional(),
  handles: z.array(z.string()),
});

/**
 * Test runs: the editor's current draft (saved or not) against a sample event, through the
 * executor real runs use, without publishing and without writing to the run history. HTTP
 * request nodes really send their requests.
 */
export const testRunsRouter = {
  run: editorProcedure
    .input(
      z
        .object({
          workflowId: z.string().min(1),
          document: z.unknown(),
          sampleId: z.string().min(1).optional(),
          event: pastedEvent.optional(),
        })
        .refine(
          (input) => (input.sampleId === undefined) !== (input.event === undefined),
          oneEvent,
        ),
    )
    .mutation(async ({ ctx, input, signal }) => {
      const document = runnableDraft(ctx, input.workflowId, input.document, 'tested');
      const event = eventOf(ctx, input.workflowId, input);
      const execute = testExecutor(ctx);
      const started = performance.now();
      const limit = AbortSignal.timeout(TEST_RUN_LIMIT_MS);
      const result = await execute(
        { workflowId: input.workflowId, document, event },
        signal ? AbortSignal.any([signal, limit]) : limit,
      );
      return {
        ...result,
        durationMs: Math.round(performance.now() - started),
      };
    }),

  /**
   * Runs one node of the draft again, with its current settings, on what the steps before it
   * gave in the last test run (`steps`, as the editor holds them): the node's input and
   * `steps.<key>` are as they were. Nothing after it runs; nothing is recorded.
   */
  runNode: editorProcedure
    .input(
      z
        .object({
          workflowId: z.string().min(1),
          document: z.unknown(),
          nodeId: z.string().min(1),
          sampleId: z.string().min(1).optional(),
          event: pastedEvent.optional(),
          steps: z.array(earlierStep).max(1000),
        })
        .refine(
          (input) => (input.sampleId === undefined) !== (input.event === undefined),
          oneEvent,
        ),
    )
    .mutation(async ({ ctx, input, signal }) => {
      const document = runnableDraft(ctx, input.workflowId, input.document, 'tested');
      const node = document.nodes.find((item) => item.id === input.nodeId);
      if (!node) throw notFound(`node ${input.nodeId} in this draft`);
      const event = eventOf(ctx, input.workflowId, input);
      const execute = testExecutor(ctx);
      const started = performance.now();
      const limit = AbortSignal.timeout(TEST_RUN_LIMIT_MS);
      const result = await execute(
        {
          workflowId: input.workflowId,
          document,
          event,
          completed: input.steps.map((step) => [step.nodeId, { ...step, output: step.output }]),
          onlyNode: input.nodeId,
        },
        signal ? AbortSignal.any([signal, limit]) : limit,
      );
      const step = result.steps.find((item) => item.nodeId === input.nodeId);
      if (!step) {
        throw badRequest(
          `${node.key} got no input in the last test run (a step before it stopped or failed, or it is new): run the whole test again`,
        );
      }
      return { step, durationMs: Math.round(performance.now() - started) };
    }),
} satisfies TRPCRouterRecord;
