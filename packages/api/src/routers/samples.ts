import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { liveStream } from '../live.ts';
import { editorProcedure, notFound, viewerProcedure } from '../trpc.ts';
import { presentEvent } from './runs.ts';

const name = z.string().trim().min(1, 'give the sample a name').max(200);

/** Named sample events: captured live from the trigger URL, or saved from any past request. */
export const samplesRouter = {
  list: viewerProcedure.input(z.object({ workflowId: z.string().min(1) })).query(({ ctx, input }) =>
    ctx.store.samples.list(input.workflowId).flatMap((sample) => {
      const event = ctx.store.runs.event(sample.eventId);
      return event ? [{ ...sample, event: presentEvent(event) }] : [];
    }),
  ),

  /** Keeps one of the workflow's past requests (any event id) as a named sample. */
  save: editorProcedure
    .input(z.object({ workflowId: z.string().min(1), eventId: z.string().min(1), name }))
    .mutation(({ ctx, input }) => {
      const sample = ctx.store.samples.create(input);
      if (!sample) throw notFound(`event ${input.eventId} of workflow ${input.workflowId}`);
      return sample;
    }),

  delete: editorProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => {
    if (!ctx.store.samples.delete(input.id)) throw notFound(`sample ${input.id}`);
    return { deleted: true };
  }),

  /**
   * "Listen for a test event": waits for the next request that reaches the workflow's trigger
   * URL (whatever the workflow's state), keeps it as a named sample and sends it, then ends.
   */
  listen: viewerProcedure
    .input(z.object({ workflowId: z.string().min(1), name: name.optional() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const event of liveStream(
        ctx.live,
        (e) => e.type === 'request' && e.workflowId === input.workflowId && e.eventId !== null,
        signal,
      )) {
        if (event.type !== 'request' || !event.eventId) continue;
        const sample = ctx.store.samples.create({
          workflowId: input.workflowId,
          eventId: event.eventId,
          name: input.name ?? `Captured ${new Date(event.receivedAt).toISOString()}`,
        });
        const stored = sample ? ctx.store.runs.event(sample.eventId) : null;
        if (sample && stored) {
          yield { ...sample, event: presentEvent(stored) };
          return;
        }
      }
    }),
} satisfies TRPCRouterRecord;
