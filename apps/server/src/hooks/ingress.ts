import type { Store, TriggerTarget } from '@hookflow/db';
import { type WebhookTriggerConfig, webhookTrigger } from '@hookflow/nodes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Worker } from '../worker/worker.ts';
import { BodyParseError, parseBody, parseForm } from './body.ts';

export interface IngressOptions {
  store: Store;
  worker: Pick<Worker, 'notify' | 'waitForRun'>;
  maxBodyBytes: number;
  publicUrl: string;
}

export type TriggerLookup =
  | { kind: 'live'; target: TriggerTarget; settings: WebhookTriggerConfig }
  | { kind: 'retired' }
  | { kind: 'unknown' };

export interface TriggerCache {
  lookup(token: string): TriggerLookup;
  /** Forget everything (a workflow was published, rotated, deactivated, edited or deleted). */
  clear(): void;
}

/**
 * The trigger's settings are the config of the trigger node: of the published version, or of
 * the draft while the workflow was never published (test capture).
 */
function triggerSettings(store: Store, target: TriggerTarget): WebhookTriggerConfig {
  const document = target.publishedVersionId
    ? store.workflows.getVersion(target.publishedVersionId)?.document
    : store.workflows.get(target.workflowId)?.draft;
  const nodes = (document as { nodes?: { type?: string; config?: unknown }[] } | undefined)?.nodes;
  const config = nodes?.find((node) => node.type === webhookTrigger.type)?.config ?? {};
  const parsed = webhookTrigger.config.safeParse(config);
  return parsed.success ? parsed.data : webhookTrigger.config.parse({});
}

/**
 * Token lookups are cached; the cache empties when this process changes a workflow and when
 * another process (the CLI) commits to the database.
 */
export function createTriggerCache(store: Store, maxEntries = 10_000): TriggerCache {
  const entries = new Map<string, TriggerLookup>();
  let seenVersion = store.triggers.dataVersion();
  return {
    lookup(token) {
      const version = store.triggers.dataVersion();
      if (version !== seenVersion) {
        entries.clear();
        seenVersion = version;
      }
      let found = entries.get(token);
      if (!found) {
        const lookup = store.triggers.findByToken(token);
        found =
          lookup.kind === 'live'
            ? { ...lookup, settings: triggerSettings(store, lookup.target) }
            : lookup;
        if (entries.size >= maxEntries) entries.clear();
        entries.set(token, found);
      }
      return found;
    },
    clear: () => entries.clear(),
  };
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/** `/hooks/<token>`: where third parties send webhooks. */
export function registerIngress(
  app: FastifyInstance,
  options: IngressOptions & { cache: TriggerCache },
) {
  const { store, cache } = options;

  app.register(async (scope) => {
    // The raw bytes are needed for signatures and for the record, so parse nothing here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    scope.setErrorHandler(
      (error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          return sendError(
            reply,
            413,
            'body_too_large',
            `the body is larger than ${options.maxBodyBytes} bytes`,
          );
        }
        const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
        return sendError(
          reply,
          status,
          status === 500 ? 'internal_error' : 'bad_request',
          status === 500 ? 'the request could not be accepted; it was not recorded' : error.message,
        );
      },
    );

    const handle = async (
      request: FastifyRequest<{ Params: { token: string } }>,
      reply: FastifyReply,
    ) => {
      const receivedAt = Date.now();
      const found = cache.lookup(request.params.token);
      if (found.kind === 'unknown') {
        return sendError(reply, 404, 'unknown_trigger', 'no workflow listens at this URL');
      }
      if (found.kind === 'retired') {
        return sendError(
          reply,
          410,
          'trigger_gone',
          'this trigger URL was rotated or its workflow deleted',
        );
      }
      const { target, settings } = found;
      const methods: string[] = settings.methods;
      if (!methods.includes(request.method)) {
        reply.header('allow', methods.join(', '));
        return sendError(
          reply,
          405,
          'method_not_allowed',
          `this trigger accepts ${methods.join(', ')}`,
        );
      }
      if (target.publishedVersionId && !target.active) {
        reply.header('retry-after', '60');
        return sendError(
          reply,
          503,
          'workflow_inactive',
          'the workflow is deactivated; try again later',
        );
      }

      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const contentType = request.headers['content-type'];
      let parsed: ReturnType<typeof parseBody>;
      try {
        parsed = parseBody(raw, contentType);
      } catch (error) {
        if (error instanceof BodyParseError)
          return sendError(reply, 400, error.code, error.message);
        throw error;
      }

      const queryIndex = request.url.indexOf('?');
      const accepted = await store.ingest.accept({
        triggerId: target.triggerId,
        workflowId: target.workflowId,
        // An unpublished workflow records the request as a sample and runs nothing.
        versionId: target.publishedVersionId,
        event: {
          method: request.method,
          path: queryIndex === -1 ? request.url : request.url.slice(0, queryIndex),
          headers: flattenHeaders(request.headers),
          query: queryIndex === -1 ? {} : parseForm(request.url.slice(queryIndex + 1)),
          body: raw,
          parsedBody: parsed.value,
          contentType: contentType ?? null,
          receivedAt,
        },
      });
      if (accepted.runId) {
        const { runId } = accepted;
        const finished =
          settings.responseMode === 'wait'
            ? options.worker.waitForRun(runId, settings.waitTimeoutMs)
            : null;
        options.worker.notify();
        if (settings.responseMode === 'custom') {
          for (const { name, value } of settings.responseHeaders) reply.header(name, value);
          return reply.code(settings.responseStatus).send(settings.responseBody);
        }
        if (finished)
          return answerWithResult(
            reply,
            await finished,
            runId,
            `${options.publicUrl}${request.url.split('?')[0]}/runs/${runId}`,
          );
        return reply.code(202).send({ runId });
      }
      return reply.code(202).send({
        runId: null,
        eventId: accepted.eventId,
        message: 'recorded as a sample: the workflow is not published yet',
      });
    };

    // Where a sender polls for the result after a "wait" answer timed out.
    scope.get<{ Params: { token: string; runId: string } }>(
      '/hooks/:token/runs/:runId',
      async (request, reply) => {
        const found = cache.lookup(request.params.token);
        const run = found.kind === 'live' ? store.runs.get(request.params.runId) : null;
        if (found.kind !== 'live' || !run || run.workflowId !== found.target.workflowId) {
          return sendError(reply, 404, 'unknown_run', 'no such run for this trigger');
        }
        const done = run.status !== 'queued' && run.status !== 'running';
        return reply.send({
          runId: run.id,
          status: run.status,
          ...(done ? { output: run.output } : {}),
          ...(run.status === 'failed' ? { error: run.error } : {}),
        });
      },
    );

    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
      url: '/hooks/:token',
      bodyLimit: options.maxBodyBytes,
      handler: handle,
    });
  });
}

interface RespondOutput {
  status?: number;
  headers?: Record<string, string> | { name: string; value: string }[];
  body?: unknown;
}

/** "Wait for the result": the Respond node's answer, else the last output; 202 on timeout. */
function answerWithResult(
  reply: FastifyReply,
  finished: Awaited<ReturnType<IngressOptions['worker']['waitForRun']>>,
  runId: string,
  statusUrl: string,
): FastifyReply {
  if (!finished) {
    return reply.code(202).send({ runId, status: 'running', statusUrl });
  }
  if (finished.status === 'failed') {
    const message = (finished.error as { message?: string } | null)?.message ?? 'the run failed';
    return reply.code(500).send({ error: { code: 'run_failed', message }, runId });
  }
  if (finished.response !== undefined) {
    const response = (finished.response ?? {}) as RespondOutput;
    const headers = Array.isArray(response.headers)
      ? Object.fromEntries(response.headers.map((h) => [h.name, h.value]))
      : (response.headers ?? {});
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    const body = response.body;
    reply.code(response.status ?? 200);
    if (body === undefined || body === null) return reply.send();
    if (typeof body === 'string' || Buffer.isBuffer(body)) return reply.send(body);
    return reply.type('application/json').send(JSON.stringify(body));
  }
  if (finished.status === 'filtered') return reply.code(200).send({ runId, status: 'filtered' });
  return reply
    .code(200)
    .type('application/json')
    .send(JSON.stringify(finished.output ?? null));
}

function flattenHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
