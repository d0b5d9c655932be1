import { type RunChangeRefusal, runStatuses, type StoredEvent } from '@hookflow/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { badRequest, notFound, publicProcedure } from '../trpc.ts';

const statusSchema = z.enum(runStatuses as [string, ...string[]]);

/** The event as the browser can show it: the raw body as text when it is UTF-8, else base64. */
export function presentEvent(event: StoredEvent) {
  const text = event.body.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(event.body);
  return {
    id: event.id,
    method: event.method,
    path: event.path,
    headers: event.headers,
    query: event.query,
    body: event.parsedBody,
    rawBody: isText
      ? { encoding: 'utf8' as const, data: text }
      : { encoding: 'base64' as const, data: event.body.toString('base64') },
    contentType: event.contentType,
    size: event.body.length,
    receivedAt: event.receivedAt,
  };
}

const runId = z.object({ id: z.string().min(1) });

function refused(id: string, refusal: RunChangeRefusal, allowed: string) {
  if (refusal.kind === 'not-found') return notFound(`run ${id}`);
  return badRequest(`run ${id} is ${refusal.status}: ${allowed}`);
}

export const runsRouter = {
  list: publicProcedure
    .input(
      z.object({
        workflowId: z.string().optional(),
        status: statusSchema.optional(),
        cursor: z.string().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.store.runs.list({
        limit: input.limit,
        ...(input.workflowId ? { workflowId: input.workflowId } : {}),
        ...(input.status ? { status: input.status as (typeof runStatuses)[number] } : {}),
        ...(input.cursor ? { cursor: input.cursor } : {}),
      }),
    ),

  get: publicProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => {
    const run = ctx.store.runs.get(input.id);
    if (!run) throw notFound(`run ${input.id}`);
    return { ...run, event: presentEvent(run.event) };
  }),

  /** Stops a queued or running run; it ends `canceled`. */
  cancel: publicProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const result = await ctx.store.runs.cancel(input.id);
    if (result.kind !== 'canceled') {
      throw refused(input.id, result, 'only queued and running runs can be canceled');
    }
    ctx.onCancelRun?.(input.id);
    publishRun(ctx, input.id);
    return { id: input.id, status: 'canceled' as const };
  }),

  /**
   * Runs a run's event again, as a new run on the workflow's current published version, linked
   * to the original by `replayOf`.
   */
  replay: publicProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const run = ctx.store.runs.get(input.id);
    if (!run) throw notFound(`run ${input.id}`);
    const workflow = ctx.store.workflows.get(run.workflowId);
    if (!workflow)
      throw badRequest(`workflow ${run.workflowId} was deleted: its runs cannot be replayed`);
    if (!workflow.publishedVersionId) {
      throw badRequest(`workflow ${run.workflowId} has no published version to replay on`);
    }
    const id = await ctx.store.runs.replay({
      runId: input.id,
      versionId: workflow.publishedVersionId,
    });
    if (!id) throw notFound(`run ${input.id}`);
    ctx.onRunQueued?.(id);
    publishRun(ctx, id);
    return { id, replayOf: input.id, versionId: workflow.publishedVersionId };
  }),

  /**
   * Queues a failed run again on the version it ran, from its failed step: the steps that
   * finished are kept, and the steps run now are recorded with the next attempt number.
   */
  resume: publicProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const result = await ctx.store.runs.resume(input.id);
    if (result.kind !== 'resumed') {
      throw refused(input.id, result, 'only failed runs can be resumed');
    }
    ctx.onRunQueued?.(input.id);
    publishRun(ctx, input.id);
    return { id: input.id, status: 'queued' as const, attempt: result.attempt };
  }),
} satisfies TRPCRouterRecord;

/** Tells live subscribers (the run history) about a status the API just changed. */
function publishRun(ctx: ApiContext, id: string) {
  const run = ctx.store.runs.get(id);
  if (run)
    ctx.live.publish({ type: 'run', workflowId: run.workflowId, runId: id, status: run.status });
}
