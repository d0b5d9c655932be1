import { runStatuses, type StoredEvent } from '@hookflow/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { notFound, publicProcedure } from '../trpc.ts';

const statusSchema = z.enum(runStatuses as [string, ...string[]]);

/** The event as the browser can show it: the raw body as text when it is UTF-8, else base64. */
function presentEvent(event: StoredEvent) {
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
} satisfies TRPCRouterRecord;
