import { parseWorkflowDocument, validateWorkflow } from '@hookflow/engine';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { TestRunJob } from '../context.ts';
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
        .refine((input) => (input.sampleId === undefined) !== (input.event === undefined), {
          message: 'choose a sample event (sampleId) or paste one (event), not both',
        }),
    )
    .mutation(async ({ ctx, input, signal }) => {
      if (!ctx.store.workflows.get(input.workflowId)) {
        throw notFound(`workflow ${input.workflowId}`);
      }
      const parsed = parseWorkflowDocument(input.document);
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
          `the draft cannot be tested: ${issues.length} problem${issues.length === 1 ? '' : 's'} (${issues[0]!.message})`,
          issues,
        );
      }
      let event: TestRunJob['event'];
      if (input.sampleId !== undefined) {
        const sample = ctx.store.samples.get(input.sampleId);
        const stored =
          sample?.workflowId === input.workflowId ? ctx.store.runs.event(sample.eventId) : null;
        if (!stored) throw notFound(`sample ${input.sampleId} of workflow ${input.workflowId}`);
        event = stored;
      } else {
        const pasted = input.event!;
        event = {
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
      if (!ctx.executeTest) {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'test runs need the run executor, which this server does not have',
        });
      }
      const started = performance.now();
      const limit = AbortSignal.timeout(TEST_RUN_LIMIT_MS);
      const result = await ctx.executeTest(
        { workflowId: input.workflowId, document, event },
        signal ? AbortSignal.any([signal, limit]) : limit,
      );
      return {
        ...result,
        durationMs: Math.round(performance.now() - started),
      };
    }),
} satisfies TRPCRouterRecord;
