import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { liveStream } from '../live.ts';
import { viewerProcedure } from '../trpc.ts';

/** Live updates over server-sent events. */
export const liveRouter = {
  /** Runs and steps as their status changes; all workflows, or one. */
  runs: viewerProcedure
    .input(z.object({ workflowId: z.string().optional() }))
    .subscription(({ ctx, input, signal }) =>
      liveStream(
        ctx.live,
        (event) =>
          (event.type === 'run' || event.type === 'step') &&
          (!input.workflowId || event.workflowId === input.workflowId),
        signal,
      ),
    ),

  /** Requests reaching a workflow's trigger URL, accepted or refused: the request inspector. */
  requests: viewerProcedure
    .input(z.object({ workflowId: z.string().min(1) }))
    .subscription(({ ctx, input, signal }) =>
      liveStream(
        ctx.live,
        (event) => event.type === 'request' && event.workflowId === input.workflowId,
        signal,
      ),
    ),
} satisfies TRPCRouterRecord;
