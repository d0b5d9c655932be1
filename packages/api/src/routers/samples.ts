import { readSampleBody, type SampleRequest, sampleRequestSchema } from '@hookflow/nodes';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { liveStream } from '../live.ts';
import { badRequest, editorProcedure, notFound, viewerProcedure } from '../trpc.ts';
import { presentEvent } from './runs.ts';

const name = z.string().trim().min(1, 'give the sample a name').max(200);

/**
 * Keeps a request written by hand (pasted, or a template's) as a named sample of the workflow.
 * Its body is read as the trigger reads a received one; a body that does not read is refused.
 */
export function keepHandMadeSample(
  ctx: ApiContext,
  workflowId: string,
  sampleName: string,
  request: SampleRequest,
) {
  const contentType = request.headers['content-type'];
  const body = readSampleBody(request.body, contentType);
  if (!body.ok) throw badRequest(body.message, [{ path: 'request.body', message: body.message }]);
  const sample = ctx.store.samples.createFromRequest({
    workflowId,
    name: sampleName,
    request: {
      method: request.method,
      headers: request.headers,
      query: request.query,
      body: Buffer.from(request.body, 'utf8'),
      parsedBody: body.value,
      contentType: contentType ?? null,
    },
  });
  const event = sample ? ctx.store.runs.event(sample.eventId) : null;
  if (!sample || !event) throw notFound(`workflow ${workflowId}`);
  return { ...sample, event: presentEvent(event) };
}

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

  /** Keeps a request pasted by hand (method, headers, query and body text) as a named sample. */
  create: editorProcedure
    .input(z.object({ workflowId: z.string().min(1), name, request: sampleRequestSchema }))
    .mutation(({ ctx, input }) => {
      if (!ctx.store.workflows.get(input.workflowId))
        throw notFound(`workflow ${input.workflowId}`);
      return keepHandMadeSample(ctx, input.workflowId, input.name, input.request);
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
