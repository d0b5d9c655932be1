import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { notFound, viewerProcedure } from '../trpc.ts';

/** The trigger's request log: every request that reached its URL, accepted or refused. */
export const requestsRouter = {
  list: viewerProcedure
    .input(
      z.object({
        workflowId: z.string().min(1),
        cursor: z.string().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => {
      const trigger = ctx.store.triggers.forWorkflow(input.workflowId);
      if (!trigger) throw notFound(`workflow ${input.workflowId}`);
      return ctx.store.ingest.listRequests({
        triggerId: trigger.id,
        limit: input.limit,
        ...(input.cursor ? { cursor: input.cursor } : {}),
      });
    }),
} satisfies TRPCRouterRecord;
