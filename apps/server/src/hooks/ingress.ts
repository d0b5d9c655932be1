import type { Store, TokenLookup } from '@hookflow/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BodyParseError, parseBody, parseForm } from './body.ts';

export interface IngressOptions {
  store: Store;
  maxBodyBytes: number;
  /** Called after a run is committed, so the worker picks it up at once. */
  onRunQueued: () => void;
}

interface TriggerSettings {
  methods?: string[];
}

export interface TriggerCache {
  lookup(token: string): TokenLookup;
  /** Forget everything (a workflow was published, rotated, deactivated or deleted). */
  clear(): void;
}

/**
 * Token lookups are cached; the cache empties when this process changes a workflow and when
 * another process (the CLI) commits to the database.
 */
export function createTriggerCache(store: Store, maxEntries = 10_000): TriggerCache {
  const entries = new Map<string, TokenLookup>();
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
        found = store.triggers.findByToken(token);
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
      const { target } = found;
      const settings = (target.settings ?? {}) as TriggerSettings;
      const methods = settings.methods?.length ? settings.methods : ['POST'];
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
        options.onRunQueued();
        return reply.code(202).send({ runId: accepted.runId });
      }
      return reply.code(202).send({
        runId: null,
        eventId: accepted.eventId,
        message: 'recorded as a sample: the workflow is not published yet',
      });
    };

    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
      url: '/hooks/:token',
      bodyLimit: options.maxBodyBytes,
      handler: handle,
    });
  });
}

function flattenHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
