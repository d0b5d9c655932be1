import {
  capPayload,
  finishedStatuses,
  type RunChangeRefusal,
  type RunStatus,
  runStatuses,
  type StoredEvent,
} from '@hookflow/db';
import { maskHeaders } from '@hookflow/engine';
import { signatureHeaders, webhookTrigger } from '@hookflow/nodes';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { audit } from '../audit.ts';
import type { ApiContext } from '../context.ts';
import { badRequest, editorProcedure, notFound, viewerProcedure } from '../trpc.ts';

const statusSchema = z.enum(runStatuses as [string, ...string[]]);

/**
 * The event as the browser can show it: the raw body as text when it is UTF-8, else base64.
 * With `maxBytes`, a larger parsed body is shown as the truncation marker
 * `{ $truncated: true, bytes, preview }` and the raw body as its first `maxBytes` bytes with
 * `truncated: true` (`size` stays the whole body's size); the stored bytes are not changed.
 * Sensitive headers (and `credentialHeaders`, the trigger's own) are masked.
 */
export function presentEvent(
  event: StoredEvent,
  maxBytes?: number,
  credentialHeaders: readonly string[] = [],
) {
  const raw =
    maxBytes !== undefined && event.body.length > maxBytes
      ? event.body.subarray(0, maxBytes)
      : event.body;
  const text = raw.toString('utf8');
  // A cut through a multi-byte character still counts as text.
  const isText = Buffer.from(text, 'utf8').equals(raw) || (raw !== event.body && isUtf8Prefix(raw));
  return {
    id: event.id,
    method: event.method,
    path: event.path,
    headers: maskHeaders(event.headers, credentialHeaders),
    query: event.query,
    body: maxBytes === undefined ? event.parsedBody : capPayload(event.parsedBody, maxBytes),
    rawBody: {
      ...(isText
        ? { encoding: 'utf8' as const, data: text.replace(/\uFFFD+$/, '') }
        : { encoding: 'base64' as const, data: raw.toString('base64') }),
      ...(raw !== event.body ? { truncated: true as const } : {}),
    },
    contentType: event.contentType,
    size: event.body.length,
    receivedAt: event.receivedAt,
  };
}

function isUtf8Prefix(bytes: Buffer): boolean {
  // Up to three trailing bytes may belong to a character the cut split.
  for (let cut = 1; cut <= 3 && cut <= bytes.length; cut++) {
    const head = bytes.subarray(0, bytes.length - cut);
    if (Buffer.from(head.toString('utf8'), 'utf8').equals(head)) return true;
  }
  return false;
}

/** The headers that carry the credential of a version's webhook trigger, by its auth scheme. */
function credentialHeaders(document: unknown): string[] {
  const nodes = (document as { nodes?: { type?: string; config?: unknown }[] } | null)?.nodes;
  const config = nodes?.find((node) => node.type === webhookTrigger.type)?.config;
  const parsed = webhookTrigger.config.safeParse(config ?? {});
  return parsed.success ? signatureHeaders(parsed.data.auth) : [];
}

/**
 * A run's event as the API shows it: credential headers masked (the sensitive ones and the
 * header the trigger of the run's version authenticates with), the body capped to `maxBytes`
 * when given. The stored event keeps the bytes as received, for replay and verification.
 */
function shownEvent(
  ctx: ApiContext,
  run: { versionId: string; event: StoredEvent },
  maxBytes?: number,
) {
  const version = ctx.store.workflows.getVersion(run.versionId);
  return presentEvent(run.event, maxBytes, credentialHeaders(version?.document));
}

/** The fields of the list, counts and search filter. */
const historyFilter = {
  workflowId: z.string().optional(),
  /** Runs queued at or after this time (ms since the epoch). */
  from: z.number().int().min(0).optional(),
  /** Runs queued before this time (ms since the epoch). */
  to: z.number().int().min(0).optional(),
  /** Text the event body contains (ASCII letters in any case). */
  q: z.string().trim().min(1).max(200).optional(),
};

/** The filter without the keys left undefined (the store's filter has no undefined values). */
function filterOf(input: { workflowId?: string; from?: number; to?: number; q?: string }) {
  return {
    ...(input.workflowId ? { workflowId: input.workflowId } : {}),
    ...(input.from !== undefined ? { from: input.from } : {}),
    ...(input.to !== undefined ? { to: input.to } : {}),
    ...(input.q !== undefined ? { q: input.q } : {}),
  };
}

const runId = z.object({ id: z.string().min(1) });

function refused(id: string, refusal: RunChangeRefusal, allowed: string) {
  if (refusal.kind === 'not-found') return notFound(`run ${id}`);
  if (refusal.kind === 'unpublished') {
    return badRequest(`run ${id}: its workflow has no published version`);
  }
  if (refusal.kind === 'truncated') {
    return badRequest(
      `run ${id} cannot be resumed: the history kept only a truncated output of its step "${refusal.nodeKey}" (larger than HISTORY_PAYLOAD_MAX_BYTES); replay it instead`,
    );
  }
  return badRequest(`run ${id} is ${refusal.status}: ${allowed}`);
}

export const runsRouter = {
  /**
   * The newest runs first: `{ items, nextCursor }`; pass `nextCursor` back as `cursor` for the
   * next page. Filters: `workflowId`, `status`, `from`/`to` (queued time, ms), `q` (text in the
   * event body). With `q` a page looks through at most 10,000 runs (newest first; 5,000
   * with a workflow or status filter), so it may hold fewer than `limit` runs and still have a
   * `nextCursor`: "search older runs".
   */
  list: viewerProcedure
    .input(
      z.object({
        ...historyFilter,
        status: statusSchema.optional(),
        cursor: z.string().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      ctx.store.runs.list({
        limit: input.limit,
        ...filterOf(input),
        ...(input.status ? { status: input.status as RunStatus } : {}),
        ...(input.cursor ? { cursor: input.cursor } : {}),
      }),
    ),

  /**
   * How many runs of the filter (`workflowId`, `from`, `to`, `q`; no status) have each status:
   * `{ byStatus: { queued, running, …, canceled }, total, complete }`. With `q` only the newest
   * 10,000 runs of the filter (5,000 of a workflow) are searched; `complete` is false when there
   * were more.
   */
  counts: viewerProcedure
    .input(z.object(historyFilter))
    .query(({ ctx, input }) => ctx.store.runs.counts(filterOf(input))),

  /**
   * One run with its steps and its event. Step payloads above HISTORY_PAYLOAD_MAX_BYTES were
   * stored as `{ $truncated: true, bytes, preview }`; the event's `body` is shown the same way
   * and its `rawBody` cut to that size with `truncated: true` (the export has it whole).
   */
  get: viewerProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => {
    const run = ctx.store.runs.get(input.id);
    if (!run) throw notFound(`run ${input.id}`);
    return { ...run, event: shownEvent(ctx, run, ctx.store.runs.payloadMaxBytes) };
  }),

  /**
   * A run as one JSON document: `{ format: 'hookflow/run@1', exportedAt, run, steps, event }`.
   * The event is whole (raw body included); its credential headers are masked, as are the
   * secrets in step configs.
   */
  export: viewerProcedure.input(runId).query(({ ctx, input }) => {
    const detail = ctx.store.runs.get(input.id);
    if (!detail) throw notFound(`run ${input.id}`);
    const { steps, event, ...run } = detail;
    return {
      format: 'hookflow/run@1' as const,
      exportedAt: new Date().toISOString(),
      run,
      steps,
      event: shownEvent(ctx, detail),
    };
  }),

  /**
   * Deletes one or many finished runs (succeeded, failed, filtered, canceled) with their steps,
   * and their events when nothing else uses them: `{ ids: [...] }` -> `{ deleted, events }`.
   * All or nothing: an unknown id is NOT_FOUND and a queued, running or waiting run is
   * BAD_REQUEST ("cancel it first"), and then nothing is deleted.
   */
  delete: editorProcedure
    .input(z.object({ ids: z.array(z.string().min(1)).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.store.runs.delete(input.ids);
      if (result.kind === 'refused') {
        const { runId: id, refusal } = result;
        const nothing = input.ids.length > 1 ? '; nothing was deleted' : '';
        if (refusal.kind === 'not-found') {
          throw new TRPCError({ code: 'NOT_FOUND', message: `run ${id} was not found${nothing}` });
        }
        throw refused(
          id,
          refusal,
          `only finished runs (${finishedStatuses.join(', ')}) can be deleted, cancel it first${nothing}`,
        );
      }
      for (const run of result.runs) {
        ctx.live.publish({
          type: 'run',
          workflowId: run.workflowId,
          runId: run.id,
          status: 'deleted',
        });
      }
      // Deleting history is a change the log keeps: which runs, of which workflows.
      const [first] = result.runs;
      audit(
        ctx,
        'run.deleted',
        { id: result.runs.length === 1 && first ? first.id : null },
        {
          runs: result.runs.length,
          ids: result.runs.slice(0, 20).map((run) => run.id),
          workflows: [...new Set(result.runs.map((run) => run.workflowId))].slice(0, 20),
        },
      );
      return { deleted: result.runs.length, events: result.events };
    }),

  /** Stops a queued or running run; it ends `canceled`. */
  cancel: editorProcedure.input(runId).mutation(async ({ ctx, input }) => {
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
  replay: editorProcedure.input(runId).mutation(async ({ ctx, input }) => {
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
   * Queues a failed run again from its failed step: the steps that finished are kept, and the
   * steps run now are recorded with the next attempt number. `version: 'original'` (the
   * default) keeps the version it ran; `'current'` moves the run to its workflow's published
   * version first (a fixed workflow), BAD_REQUEST when there is none.
   */
  resume: editorProcedure
    .input(runId.extend({ version: z.enum(['original', 'current']).default('original') }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.store.runs.resume(input.id, { version: input.version });
      if (result.kind === 'unpublished') {
        const workflowId = ctx.store.runs.get(input.id)?.workflowId ?? '';
        throw badRequest(
          ctx.store.workflows.get(workflowId)
            ? `run ${input.id} cannot be resumed on the current version: workflow ${workflowId} has no published version, publish it first`
            : `workflow ${workflowId} was deleted: its runs cannot be resumed on the current version`,
        );
      }
      if (result.kind !== 'resumed') {
        throw refused(input.id, result, 'only failed runs can be resumed');
      }
      ctx.onRunQueued?.(input.id);
      publishRun(ctx, input.id);
      return {
        id: input.id,
        status: 'queued' as const,
        attempt: result.attempt,
        versionId: result.versionId,
      };
    }),
} satisfies TRPCRouterRecord;

/** Tells live subscribers (the run history) about a status the API just changed. */
function publishRun(ctx: ApiContext, id: string) {
  const run = ctx.store.runs.get(id);
  if (run)
    ctx.live.publish({ type: 'run', workflowId: run.workflowId, runId: id, status: run.status });
}
