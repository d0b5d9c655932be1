import type { LiveEvents } from '@hookflow/api';
import type { Store, TriggerTarget } from '@hookflow/db';
import { CredentialError, credentialRefsIn, resolveCredentialRefs } from '@hookflow/engine';
import {
  nodeRegistry,
  signatureHeaders,
  type WebhookTriggerConfig,
  webhookTrigger,
} from '@hookflow/nodes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CredentialResolver } from '../credentials/resolver.ts';
import type { Metrics } from '../metrics.ts';
import type { Worker } from '../worker/worker.ts';
import { BodyParseError, type ParsedBody, parseBody, parseForm } from './body.ts';
import { deliveryId } from './dedupe.ts';
import { createQueueGauge, createRateLimiter } from './limits.ts';
import { maskHeaders } from './redact.ts';
import { authRefusal } from './verify/refusal.ts';
import { type VerifyResult, verifyRequest } from './verify/verify.ts';

export interface IngressOptions {
  store: Store;
  worker: Pick<Worker, 'notify' | 'waitForRun'>;
  /** The operator's cap on any trigger's body size. */
  maxBodyBytes: number;
  /** Queued runs above which new requests are answered 503 with Retry-After. */
  maxQueueDepth: number;
  metrics?: Pick<Metrics, 'request'>;
  live?: Pick<LiveEvents, 'publish'>;
  publicUrl: string;
}

export type TriggerLookup =
  | {
      kind: 'live';
      target: TriggerTarget;
      settings: WebhookTriggerConfig;
      /** Why `settings.auth` could not be read; every request is refused until it is fixed. */
      authProblem: string | undefined;
      /** Headers that carry this trigger's credentials, masked in the request log. */
      credentialHeaders: string[];
      /** The workflow's trigger when it is not a webhook (a schedule): its URL takes nothing. */
      startedBy?: string;
    }
  | { kind: 'retired' }
  | { kind: 'unknown' };

export interface TriggerCache {
  lookup(token: string): TriggerLookup;
  /** Forget everything (a workflow was published, rotated, deactivated, edited or deleted). */
  clear(): void;
}

/**
 * The trigger's settings are the config of the trigger node: of the published version, or of
 * the draft while the workflow was never published (test capture). A setting that does not
 * parse (a draft is saved mid-edit) falls back to its default, except `auth`: a trigger whose
 * authentication cannot be read refuses requests instead of taking them unchecked. Credential
 * references (a verification secret in the credential store) are resolved first; one that
 * cannot be (deleted, not decryptable) makes the trigger refuse every request, like bad `auth`.
 */
function triggerSettings(
  store: Store,
  target: TriggerTarget,
  credentials: Pick<CredentialResolver, 'resolve'> | undefined,
): {
  settings: WebhookTriggerConfig;
  authProblem: string | undefined;
  credentialHeaders: string[];
  startedBy?: string;
} {
  const document = target.publishedVersionId
    ? store.workflows.getVersion(target.publishedVersionId)?.document
    : store.workflows.get(target.workflowId)?.draft;
  const nodes = (document as { nodes?: { type?: string; config?: unknown }[] } | undefined)?.nodes;
  const trigger = nodes?.find((node) => nodeRegistry.get(node.type ?? '')?.trigger);
  if (trigger && trigger.type !== webhookTrigger.type) {
    const startedBy = nodeRegistry.get(trigger.type ?? '')?.label ?? String(trigger.type);
    const settings = webhookTrigger.config.parse({});
    return { settings, authProblem: undefined, credentialHeaders: [], startedBy };
  }
  const found = nodes?.find((node) => node.type === webhookTrigger.type)?.config;
  let config: Record<string, unknown> =
    typeof found === 'object' && found !== null ? { ...found } : {};
  let credentialProblem: string | undefined;
  if (credentialRefsIn(config).length > 0) {
    let current = '';
    try {
      config = resolveCredentialRefs(config, (id) => {
        current = id;
        if (!credentials) throw new CredentialError(`credential ${id} cannot be read here`);
        return credentials.resolve(id).value;
      }) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      // The sender sees this too: the credential's id, not its name nor the key's details.
      const missing = store.credentials.get(current) === null;
      credentialProblem = `this trigger's settings use credential ${current}, which ${missing ? 'does not exist' : "cannot be decrypted with this server's keys"}; no request is accepted until it is fixed`;
      config = resolveCredentialRefs(config, () => undefined) as Record<string, unknown>;
    }
  }
  const parsed = webhookTrigger.config.safeParse(config);
  if (parsed.success && credentialProblem === undefined) {
    return {
      settings: parsed.data,
      authProblem: undefined,
      credentialHeaders: signatureHeaders(parsed.data.auth),
    };
  }
  // Senders may already send the credential: mask the header the broken settings name.
  const { auth } = config;
  const namedHeader =
    typeof auth === 'object' && auth !== null && 'header' in auth && typeof auth.header === 'string'
      ? [auth.header.trim().toLowerCase()]
      : [];
  let authProblem = credentialProblem;
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path[0];
    if (typeof field !== 'string') continue;
    if (field === 'auth' && authProblem === undefined) {
      const where = issue.path.slice(1).join('.');
      authProblem = `this trigger's Authentication settings are not valid (${where ? `${where}: ` : ''}${issue.message}); no request is accepted until they are fixed`;
    }
    delete config[field];
  }
  const fallback = webhookTrigger.config.safeParse(config);
  const settings = fallback.success ? fallback.data : webhookTrigger.config.parse({});
  return {
    settings,
    authProblem,
    credentialHeaders: authProblem ? namedHeader : signatureHeaders(settings.auth),
  };
}

/**
 * Token lookups are cached; the cache empties when this process changes a workflow and when
 * another process (the CLI) commits to the database.
 */
export function createTriggerCache(
  store: Store,
  credentials?: Pick<CredentialResolver, 'resolve'>,
  maxEntries = 10_000,
): TriggerCache {
  const entries = new Map<string, TriggerLookup>();
  let seenVersion = store.triggers.dataVersion();
  // Reading data_version costs about as much as the rest of a lookup; once per turn of the
  // event loop is as fresh, since a commit of another process can land at any moment anyway.
  let checkedThisTurn = false;
  const nextTurn = () => {
    checkedThisTurn = false;
  };
  return {
    lookup(token) {
      if (!checkedThisTurn) {
        checkedThisTurn = true;
        setImmediate(nextTurn);
        const version = store.triggers.dataVersion();
        if (version !== seenVersion) {
          entries.clear();
          seenVersion = version;
        }
      }
      let found = entries.get(token);
      if (!found) {
        const lookup = store.triggers.findByToken(token);
        found =
          lookup.kind === 'live'
            ? { ...lookup, ...triggerSettings(store, lookup.target, credentials) }
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
/**
 * Body kinds whose parsed value the ingress holds exactly as the event stores it (a multipart
 * body's files and XML are stored otherwise): the worker may run on the held copy.
 */
const HELD_AS_STORED = new Set(['json', 'form', 'text', 'empty']);

export function registerIngress(
  app: FastifyInstance,
  options: IngressOptions & { cache: TriggerCache },
) {
  const { store, cache } = options;
  const limiter = createRateLimiter();
  const queue = createQueueGauge(() => store.runs.queuedCount());

  app.register(async (scope) => {
    // The raw bytes are needed for signatures and for the record, so parse nothing here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    scope.setErrorHandler(
      async (
        error: { statusCode?: number; code?: string; message: string },
        request: FastifyRequest,
        reply: FastifyReply,
      ) => {
        const { status, code, message } = describeFailure(error, options.maxBodyBytes);
        if (status === 500) request.log.error({ err: error }, 'webhook could not be accepted');
        options.metrics?.request('refused', code);
        const token = (request.params as { token?: string } | undefined)?.token;
        const found = token ? cache.lookup(token) : null;
        if (found?.kind === 'live') {
          await store.ingest
            .refuse({
              triggerId: found.target.triggerId,
              workflowId: found.target.workflowId,
              receivedAt: Date.now(),
              request: {
                method: request.method,
                size: Number(request.headers['content-length'] ?? 0),
                remoteAddress: request.ip ?? null,
                headers: maskHeaders(flattenHeaders(request.headers), found.credentialHeaders),
              },
              status,
              reason: code,
              message,
            })
            .catch(() => {});
        }
        return sendError(reply, status, code, message);
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
      if (found.startedBy) {
        return sendError(
          reply,
          404,
          'not_a_webhook',
          `this workflow is started by its ${found.startedBy} trigger, not by requests to a URL`,
        );
      }
      const { target, settings } = found;
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const headers = flattenHeaders(request.headers);
      const facts = {
        method: request.method,
        size: raw.length,
        remoteAddress: request.ip ?? null,
        // The event keeps every header as received; the request log never shows a credential.
        headers: maskHeaders(headers, found.credentialHeaders),
      };
      /** Every refusal is answered in JSON and written to the trigger's request log. */
      const refuse = async (
        status: number,
        code: string,
        message: string,
        extra: Record<string, string> = {},
      ) => {
        for (const [name, value] of Object.entries(extra)) reply.header(name, value);
        options.metrics?.request('refused', code);
        options.live?.publish({
          type: 'request',
          workflowId: target.workflowId,
          outcome: 'refused',
          eventId: null,
          runId: null,
          receivedAt,
        });
        await store.ingest.refuse({
          triggerId: target.triggerId,
          workflowId: target.workflowId,
          receivedAt,
          request: facts,
          status,
          reason: code,
          message,
        });
        return sendError(reply, status, code, message);
      };

      const methods: string[] = settings.methods;
      const origin = request.headers.origin;
      const corsAllowed =
        origin !== undefined &&
        (settings.corsOrigins.includes('*') || settings.corsOrigins.includes(origin));
      if (corsAllowed) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
      if (request.method === 'OPTIONS') {
        // A CORS preflight, or a sender checking what the URL accepts: nothing is recorded.
        reply.header('allow', [...methods, 'OPTIONS'].join(', '));
        if (corsAllowed) {
          reply
            .header('access-control-allow-methods', methods.join(', '))
            .header(
              'access-control-allow-headers',
              request.headers['access-control-request-headers'] ?? 'content-type',
            )
            .header('access-control-max-age', '600');
        }
        return reply.code(204).send();
      }
      if (request.method === 'HEAD') {
        // Some senders check that the URL exists before they save it.
        return reply.code(200).send();
      }
      if (
        settings.handshake === 'meta' &&
        request.method === 'GET' &&
        request.query &&
        'hub.mode' in (request.query as object)
      ) {
        const query = request.query as Record<string, string>;
        if (
          query['hub.mode'] === 'subscribe' &&
          settings.metaVerifyToken !== '' &&
          query['hub.verify_token'] === settings.metaVerifyToken
        ) {
          return reply
            .code(200)
            .type('text/plain')
            .send(query['hub.challenge'] ?? '');
        }
        return refuse(
          403,
          'bad_verify_token',
          "hub.verify_token does not match the trigger's Meta verify token",
        );
      }
      if (!methods.includes(request.method)) {
        return refuse(405, 'method_not_allowed', `this trigger accepts ${methods.join(', ')}`, {
          allow: methods.join(', '),
        });
      }
      const held =
        target.publishedVersionId !== null && !target.active && settings.whenInactive === 'hold';
      if (target.publishedVersionId && !target.active && !held) {
        return refuse(503, 'workflow_inactive', 'the workflow is deactivated; try again later', {
          'retry-after': '60',
        });
      }
      const wait = limiter.take(target.triggerId, settings.rateLimitPerMinute);
      if (wait > 0) {
        return refuse(
          429,
          'rate_limited',
          `more than ${settings.rateLimitPerMinute} requests a minute`,
          {
            'retry-after': String(wait),
          },
        );
      }
      if (target.publishedVersionId && queue.depth() >= options.maxQueueDepth) {
        return refuse(503, 'queue_full', 'too many runs are waiting; try again shortly', {
          'retry-after': '5',
        });
      }
      const maxBody = Math.min(settings.maxBodyBytes, options.maxBodyBytes);
      if (raw.length > maxBody) {
        return refuse(413, 'body_too_large', `the body is larger than ${maxBody} bytes`);
      }

      // On the raw bytes, before anything is parsed.
      const verdict: VerifyResult = found.authProblem
        ? { ok: false, reason: 'misconfigured', message: found.authProblem }
        : verifyRequest(
            settings.auth,
            {
              method: request.method,
              // As the sender called it: Twilio signs the URL, PUBLIC_URL must be that address.
              url: `${options.publicUrl}${request.url}`,
              headers,
              rawBody: raw,
              remoteAddress: request.ip,
            },
            receivedAt,
          );
      if (!verdict.ok) {
        const refusal = authRefusal(settings.auth, verdict.reason);
        return refuse(refusal.status, refusal.code, verdict.message, refusal.headers);
      }

      const contentType = request.headers['content-type'];
      let parsed: ParsedBody;
      try {
        parsed = await parseBody(
          raw,
          { contentType, contentEncoding: request.headers['content-encoding'] },
          { maxDecodedBytes: maxBody },
        );
      } catch (error) {
        if (error instanceof BodyParseError) return refuse(error.status, error.code, error.message);
        throw error;
      }

      if (
        settings.handshake === 'slack' &&
        parsed.kind === 'json' &&
        (parsed.value as { type?: unknown } | null)?.type === 'url_verification'
      ) {
        // Slack checks the URL once, signed like any event: answer its challenge, run nothing.
        return reply
          .code(200)
          .send({ challenge: (parsed.value as { challenge?: unknown }).challenge });
      }

      const queryIndex = request.url.indexOf('?');
      const query = queryIndex === -1 ? {} : parseForm(request.url.slice(queryIndex + 1));
      const delivery = await deliveryId(settings, { headers, query, body: parsed.value });
      const answerStatus = settings.responseMode === 'custom' ? settings.responseStatus : 202;
      const event = {
        method: request.method,
        path: queryIndex === -1 ? request.url : request.url.slice(0, queryIndex),
        headers,
        query,
        body: raw,
        parsedBody: parsed.value,
        contentType: contentType ?? null,
        receivedAt,
      };
      const accepted = await store.ingest.accept({
        triggerId: target.triggerId,
        workflowId: target.workflowId,
        // An unpublished workflow records the request as a sample and runs nothing.
        versionId: target.publishedVersionId,
        event,
        request: facts,
        answerStatus,
        held,
        ...(delivery
          ? { delivery: { id: delivery, windowMs: settings.dedupeWindowHours * 3_600_000 } }
          : {}),
      });
      const outcome =
        accepted.kind === 'duplicate' ? 'duplicate' : accepted.runId ? 'accepted' : 'sample';
      options.metrics?.request(outcome);
      options.live?.publish({
        type: 'request',
        workflowId: target.workflowId,
        outcome,
        eventId: accepted.eventId,
        runId: accepted.runId,
        receivedAt,
      });
      if (accepted.kind === 'duplicate') {
        return reply
          .code(200)
          .send({ runId: accepted.runId, eventId: accepted.eventId, duplicate: true });
      }
      if (accepted.runId && held) {
        return reply.code(202).send({
          runId: accepted.runId,
          held: true,
          message: 'the workflow is deactivated: this request runs when it is activated again',
        });
      }
      if (accepted.runId) {
        const { runId } = accepted;
        const finished =
          settings.responseMode === 'wait'
            ? options.worker.waitForRun(runId, settings.waitTimeoutMs)
            : null;
        // The worker may run on this copy instead of reading the event back.
        options.worker.notify(
          HELD_AS_STORED.has(parsed.kind)
            ? {
                eventId: accepted.eventId,
                method: event.method,
                path: event.path,
                headers,
                query,
                parsedJson: accepted.parsedJson,
                receivedAt,
              }
            : undefined,
        );
        if (
          settings.redirectUrl !== '' &&
          (parsed.kind === 'form' || parsed.kind === 'multipart')
        ) {
          return reply.code(303).header('location', settings.redirectUrl).send();
        }
        if (settings.responseMode === 'custom') {
          for (const { name, value } of settings.responseHeaders) reply.header(name, value);
          return reply.code(settings.responseStatus).send(settings.responseBody);
        }
        if (finished) {
          const statusUrl = `${options.publicUrl}${request.url.split('?')[0]}/runs/${runId}`;
          const result = await finished;
          // Not finished in time, or parked by a delay: say where it stands now.
          const pending = result ? null : (store.runs.status(runId) ?? 'queued');
          return answerWithResult(reply, result, runId, statusUrl, pending);
        }
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
        const done = !['queued', 'running', 'waiting'].includes(run.status);
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

/** How a request that failed before the handler (reading its body) is answered and logged. */
function describeFailure(
  error: { statusCode?: number; code?: string; message: string },
  maxBodyBytes: number,
): { status: number; code: string; message: string } {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: 'body_too_large',
      message: `the body is larger than ${maxBodyBytes} bytes`,
    };
  }
  if (error.code === 'ECONNRESET') {
    // Node answered 408 when the request deadline passed, or the sender hung up: either way
    // the body never arrived whole.
    return {
      status: 408,
      code: 'incomplete_request',
      message:
        'the connection ended before the whole body arrived (the sender was too slow or disconnected); nothing was recorded',
    };
  }
  if (error.statusCode && error.statusCode < 500) {
    return { status: error.statusCode, code: 'bad_request', message: error.message };
  }
  return {
    status: 500,
    code: 'internal_error',
    message: 'the request could not be accepted; it was not recorded',
  };
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
  pendingStatus: string | null,
): FastifyReply {
  if (!finished) {
    return reply.code(202).send({ runId, status: pendingStatus ?? 'running', statusUrl });
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
    if (!reply.hasHeader('content-type')) reply.type('application/json');
    return reply.send(JSON.stringify(body));
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
