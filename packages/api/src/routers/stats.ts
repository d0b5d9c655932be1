import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { notFound, viewerProcedure } from '../trpc.ts';

const HOUR = 3600_000;

/** The windows the overview offers, each counted per hour. */
export const overviewRanges = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR } as const;

/** Aggregates over the run history, for the workflow overview. */
export const statsRouter = {
  /**
   * Runs per hour by status over the last 24 hours or 7 days (the current hour included),
   * success rate, median and p95 duration, and the most frequent errors.
   */
  overview: viewerProcedure
    .input(
      z.object({
        workflowId: z.string().min(1),
        range: z.enum(Object.keys(overviewRanges) as ['24h', '7d']).default('24h'),
      }),
    )
    .query(({ ctx, input }) => {
      if (!ctx.store.workflows.get(input.workflowId))
        throw notFound(`workflow ${input.workflowId}`);
      // Whole hours, so that a bar always means the same hour of the clock.
      const until = Math.ceil((Date.now() + 1) / HOUR) * HOUR;
      return {
        range: input.range,
        ...ctx.store.stats.overview({
          workflowId: input.workflowId,
          since: until - overviewRanges[input.range],
          until,
          bucketMs: HOUR,
        }),
      };
    }),
} satisfies TRPCRouterRecord;
