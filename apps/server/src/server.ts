import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type RequestListener,
  type ServerOptions,
  STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve, sep } from 'node:path';
import { Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import {
  type ApiContext,
  appRouter,
  createLiveEvents,
  createLoginThrottle,
  createOwnerIfNone,
  type LoginThrottleOptions,
} from '@hookflow/api';
import type { Store } from '@hookflow/db';
import { credentialIdsOf, type NodeRegistry, type NodeServices } from '@hookflow/engine';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { createRequestAuth } from './auth/request-auth.ts';
import type { Config } from './config.ts';
import { createCredentialResolver } from './credentials/resolver.ts';
import { createTriggerCache, registerIngress, sendError } from './hooks/ingress.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createRetention, type Retention } from './retention/retention.ts';
import { createScheduler, type Scheduler } from './scheduler/scheduler.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import type { TlsFiles } from './tls.ts';
import { createInlineExecutor, createThreadExecutor } from './worker/executor.ts';
import { createWorker, triggerOf, type Worker } from './worker/worker.ts';

export interface ServerDeps {
  config: Pick<
    Config,
    | 'PORT'
    | 'HOST'
    | 'PUBLIC_URL'
    | 'MAX_BODY_BYTES'
    | 'MAX_QUEUE_DEPTH'
    | 'WORKER_CONCURRENCY'
    | 'SHUTDOWN_TIMEOUT_MS'
    | 'LEASE_MS'
    | 'EXECUTION_THREADS'
    | 'EXECUTION_HEAP_MB'
    | 'EXECUTION_STALL_MS'
    | 'OUTBOUND_ALLOW'
  > & { METRICS_TOKEN?: string | undefined } & Partial<
      Pick<
        Config,
        | 'RETENTION_DAYS'
        | 'RETENTION_MAX_RUNS'
        | 'RETENTION_INTERVAL_MS'
        | 'RETENTION_BATCH_SIZE'
        | 'READY_QUEUE_STUCK_MS'
        | 'TRUST_PROXY'
        | 'HOOKFLOW_ADMIN_EMAIL'
        | 'HOOKFLOW_ADMIN_PASSWORD'
      >
    >;
  store: Store;
  registry: NodeRegistry;
  services: NodeServices;
  logger: Logger;
  /** The built web app; defaults to apps/web/dist. */
  webRoot?: string;
  /** A module (URL) exporting the `nodeRegistry` execution threads load; tests only. */
  registryModule?: string;
  /** Worker tuning, for tests. */
  worker?: { pollMs?: number };
  /** Scheduler tuning, for tests. */
  scheduler?: { syncMs?: number };
  /** How long a client may take to send a whole request (30 s; its headers: 10 s at most). */
  requestTimeoutMs?: number;
  /** PEM certificate (chain) and private key: serve HTTPS instead of HTTP. */
  tls?: TlsFiles;
  /** Failed sign-in limits (5 per account, 20 per address in 15 minutes by default). */
  loginThrottle?: LoginThrottleOptions;
}

export interface HookflowServer {
  app: FastifyInstance;
  worker: Worker;
  /** Fires the runs of schedule-triggered workflows. */
  scheduler: Scheduler;
  /** Background pruning of the history; null when no RETENTION_* setting was given. */
  retention: Retention | null;
  /** Listens and starts the worker; resolves with the address. */
  start(): Promise<string>;
  /** Stops accepting, lets in-flight runs finish (or hands them back), closes the database. */
  stop(): Promise<void>;
  /** Serves a renewed certificate and key to new connections (HTTPS only; open ones keep theirs). */
  reloadTls(files: TlsFiles): void;
}

const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/**
 * A request made on this machine: from a loopback address, and not relayed by a proxy (a proxy
 * on this machine connects from loopback too, on behalf of anyone; it names them in a header).
 */
const fromThisMachine = (request: FastifyRequest) =>
  isLoopback(request.socket.remoteAddress) &&
  request.headers['x-forwarded-for'] === undefined &&
  request.headers.forwarded === undefined &&
  request.headers['x-real-ip'] === undefined;

/** Compares a presented secret in constant time (of the secret's length, through hashes). */
const sameSecret = (presented: string, expected: string) =>
  timingSafeEqual(
    createHash('sha256').update(presented).digest(),
    createHash('sha256').update(expected).digest(),
  );

/**
 * TRUST_PROXY: the addresses and CIDR blocks of the reverse proxies whose X-Forwarded-For is
 * believed; empty trusts no one (the client address is the socket's).
 */
function trustedProxies(setting: string | undefined): false | string[] {
  const proxies = (setting ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return proxies.length > 0 ? proxies : false;
}

/**
 * The Node server under Fastify: HTTP, or HTTPS with a certificate. Slow or stalled clients
 * cannot hold a connection forever: headers and the whole request have deadlines (answered 408),
 * checked every second rather than Node's 30 s, and an idle connection is closed after 60 s.
 */
function createListener(
  handler: RequestListener,
  requestTimeoutMs: number,
  tls: TlsFiles | undefined,
): HttpServer {
  const options: ServerOptions = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(10_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, requestTimeoutMs / 4)),
    keepAliveTimeout: 72_000,
  };
  const server = tls
    ? createHttpsServer({ ...tls, ...options }, handler)
    : createHttpServer(options, handler);
  server.setTimeout(60_000);
  return server;
}

/** How the web app's files may be cached: the hashed build files for good, the rest checked. */
const KEEP_FOR_GOOD = 'public, max-age=31536000, immutable';
const CHECK_EACH_TIME = 'no-cache';

export const defaultWebRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * One process: webhook ingress, the tRPC API, the built editor and the run worker.
 *
 * @example
 * const server = createServer({ config, store, registry: nodeRegistry, services, logger });
 * const address = await server.start();
 */
export function createServer(deps: ServerDeps): HookflowServer {
  const { config, store, logger } = deps;
  const requestTimeoutMs = deps.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One log line per webhook would drown the log at thousands of requests a second.
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (handler) => createListener(handler, requestTimeoutMs, deps.tls),
    bodyLimit: 1024 * 1024,
    trustProxy: trustedProxies(config.TRUST_PROXY),
  });
  // Outside the ingress (which answers its own failures): a client error keeps its status and
  // message; a server error says only that, and its details and stack go to the log.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.code(status).send({
        error: STATUS_CODES[status] ?? 'Error',
        code: 'internal_error',
        message: 'the server could not answer this request; the details are in its log',
        statusCode: status,
      });
    }
    return reply.code(status).send({
      error: STATUS_CODES[status] ?? 'Error',
      code: error.code,
      message: error.message,
      statusCode: status,
    });
  });
  const executor =
    config.EXECUTION_THREADS > 0
      ? createThreadExecutor({
          threads: config.EXECUTION_THREADS,
          heapMb: config.EXECUTION_HEAP_MB,
          stallMs: config.EXECUTION_STALL_MS,
          outboundAllow: config.OUTBOUND_ALLOW,
          logger,
          ...(deps.registryModule ? { registryModule: deps.registryModule } : {}),
        })
      : createInlineExecutor(deps.registry, deps.services);
  const metrics = createMetrics({ queueDepth: () => store.runs.queuedCount() });
  // Since this process started, a run finishing is what shows the queue moving.
  let lastRunFinishedAt = Date.now();
  const live = createLiveEvents();
  // Credentials are decrypted here, in the main thread, and sent along with each job.
  const credentials = createCredentialResolver(store);
  const worker = createWorker({
    store,
    executor,
    logger,
    credentials,
    concurrency: config.WORKER_CONCURRENCY,
    leaseMs: config.LEASE_MS,
    observer: {
      runStarted: (run) =>
        live.publish({ type: 'run', workflowId: run.workflowId, runId: run.id, status: 'running' }),
      stepRecorded: (run, step) => {
        metrics.step(step.nodeType, step.status, step.durationMs / 1000, step.outputStatus);
        live.publish({
          type: 'step',
          workflowId: run.workflowId,
          runId: run.id,
          nodeId: step.nodeId,
          status: step.status,
        });
      },
      runParked: (run) =>
        live.publish({ type: 'run', workflowId: run.workflowId, runId: run.id, status: 'waiting' }),
      runFinished: (run, status, seconds) => {
        lastRunFinishedAt = Date.now();
        metrics.runFinished(status, seconds);
        live.publish({ type: 'run', workflowId: run.workflowId, runId: run.id, status });
      },
    },
    ...deps.worker,
  });
  const cache = createTriggerCache(store, credentials);
  const scheduler = createScheduler({
    store,
    logger,
    onRunQueued: ({ workflowId, runId }) => {
      worker.notify();
      live.publish({ type: 'run', workflowId, runId, status: 'queued' });
    },
    ...deps.scheduler,
  });
  const retention =
    config.RETENTION_DAYS !== undefined || config.RETENTION_MAX_RUNS !== undefined
      ? createRetention({
          store,
          logger,
          maxAgeMs: (config.RETENTION_DAYS ?? 0) * 86_400_000,
          maxRunsPerWorkflow: config.RETENTION_MAX_RUNS ?? 0,
          batchSize: config.RETENTION_BATCH_SIZE ?? 500,
          intervalMs: config.RETENTION_INTERVAL_MS ?? 300_000,
        })
      : null;

  /**
   * The queue is stuck when a run has been ready to claim for longer than READY_QUEUE_STUCK_MS
   * while no run finished in this process in that time.
   */
  const queueStuck = (now: number) => {
    const thresholdMs = config.READY_QUEUE_STUCK_MS ?? 0;
    if (thresholdMs <= 0) return null;
    const since = store.runs.claimableSince(now);
    if (since === null || now - since <= thresholdMs || now - lastRunFinishedAt <= thresholdMs) {
      return null;
    }
    return {
      reason: `the queue is stuck: a run has waited ${Math.round((now - since) / 1000)} s to be claimed and no run finished in the last ${Math.round(thresholdMs / 1000)} s`,
      queue: {
        queued: store.runs.queuedCount(),
        waitingSince: new Date(since).toISOString(),
        lastRunFinishedAt: new Date(lastRunFinishedAt).toISOString(),
      },
    };
  };

  const context: ApiContext = {
    live,
    store,
    registry: deps.registry,
    publicUrl: config.PUBLIC_URL,
    onWorkflowChanged: (workflowId) => {
      cache.clear();
      scheduler.refresh(workflowId);
    },
    onRunQueued: () => worker.notify(),
    onCancelRun: (runId) => worker.cancel(runId),
    // Triggers verify with the new value at once; runs use it from their next dispatch.
    onCredentialsChanged: () => {
      credentials.clear();
      cache.clear();
    },
    // A test run takes the worker's path (threads, limits) but records nothing.
    executeTest: (job, signal) =>
      executor.execute(
        {
          runId: job.runId ?? `test_${randomUUID()}`,
          workflowId: job.workflowId,
          // Plans are cached by version id: the same draft tested again is compiled once.
          versionId: `draft_${createHash('sha256').update(JSON.stringify(job.document)).digest('base64url')}`,
          document: job.document,
          event: triggerOf(job.event),
          completed: job.completed ?? [],
          attempt: 1,
          isolated: false,
          keepSteps: true,
          ...(job.dryRun ? { dryRun: true } : {}),
          ...(job.onlyNode !== undefined ? { onlyNode: job.onlyNode } : {}),
          credentials: credentials.forJob(credentialIdsOf(job.document)),
        },
        { onStep: () => {} },
        signal,
      ),
  };

  const requestAuth = createRequestAuth({ store, publicUrl: config.PUBLIC_URL });
  const loginThrottle = createLoginThrottle(deps.loginThrottle);

  /** HOOKFLOW_ADMIN_EMAIL / _PASSWORD make the owner of an install that has no user yet. */
  async function createOwnerFromSettings(): Promise<void> {
    const email = config.HOOKFLOW_ADMIN_EMAIL;
    const password = config.HOOKFLOW_ADMIN_PASSWORD;
    if (email && password) {
      const owner = await createOwnerIfNone(
        { ...context, actor: { kind: 'system' } },
        {
          email,
          password,
        },
      );
      if (owner)
        logger.info({ email: owner.email }, 'created the owner account from HOOKFLOW_ADMIN_EMAIL');
      return;
    }
    if (store.users.count() === 0) {
      logger.warn(
        { url: config.PUBLIC_URL },
        'no account exists yet: the first person to open Hookflow creates the owner (or set HOOKFLOW_ADMIN_EMAIL and HOOKFLOW_ADMIN_PASSWORD)',
      );
    }
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!store.ready()) {
      return reply.code(503).send({
        status: 'not ready',
        database: false,
        reason: 'the database does not answer or has migrations to apply',
      });
    }
    const stuck = queueStuck(Date.now());
    if (stuck) return reply.code(503).send({ status: 'not ready', database: true, ...stuck });
    return reply.code(200).send({ status: 'ready', database: true });
  });

  app.get('/metrics', async (request, reply) => {
    const token = config.METRICS_TOKEN;
    const allowed = token
      ? sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)
      : fromThisMachine(request);
    if (!allowed) {
      return sendError(
        reply,
        token ? 401 : 403,
        'metrics_forbidden',
        token
          ? 'send the metrics token as a Bearer token'
          : 'metrics are served to this machine only, not through a proxy; set METRICS_TOKEN to read them remotely',
      );
    }
    return reply.type(metrics.contentType).send(await metrics.text());
  });

  registerIngress(app, {
    live,
    metrics,
    store,
    cache,
    worker,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxQueueDepth: config.MAX_QUEUE_DEPTH,
    publicUrl: config.PUBLIC_URL,
  });

  // The app (its pages, API and files) in a scope of its own: it gets the security headers;
  // webhooks and probes, outside it, stay lean.
  app.register(async (web) => {
    await registerSecurityHeaders(web);
    web.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: {
        router: appRouter,
        // Per request: who is calling (session cookie or API token), from where (the audit log
        // records it), and whether a browser's change may go ahead (the forgery guard).
        createContext: ({ req, res }) => ({
          ...context,
          ...requestAuth.resolve(req, res),
          remoteAddress: req.ip,
          loginThrottle,
        }),
        onError({ error, path }) {
          if (error.code === 'INTERNAL_SERVER_ERROR')
            logger.error({ err: error, path }, 'API error');
        },
      } satisfies FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'],
    });

    const webRoot = deps.webRoot ?? defaultWebRoot;
    const indexFile = `${webRoot}/index.html`;
    if (existsSync(indexFile)) {
      const hashedFiles = resolve(webRoot, 'assets') + sep;
      web.register(fastifyStatic, {
        root: webRoot,
        wildcard: false,
        index: ['index.html'],
        // The build names every file under assets/ by a hash of its content: a browser keeps
        // them for good and asks no more. The rest (index.html, the icon) is checked each time,
        // so a new build is seen at the next page load.
        cacheControl: false,
        setHeaders(reply, path) {
          reply.header(
            'cache-control',
            path.startsWith(hashedFiles) ? KEEP_FOR_GOOD : CHECK_EACH_TIME,
          );
        },
      });
    }
    web.setNotFoundHandler(async (request, reply) => {
      const isPage =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !request.url.startsWith('/trpc') &&
        !request.url.startsWith('/hooks/') &&
        (request.headers.accept ?? '').includes('text/html');
      if (!isPage)
        return sendError(reply, 404, 'not_found', `nothing at ${request.method} ${request.url}`);
      if (!existsSync(indexFile)) {
        return reply
          .code(503)
          .type('text/plain')
          .send(
            'The web app is not built yet: run `pnpm build` (or `pnpm start`, which builds it).',
          );
      }
      // The web app routes in the browser: every page path gets index.html.
      return reply
        .type('text/html')
        .header('cache-control', CHECK_EACH_TIME)
        .send(await readFile(indexFile));
    });
  });

  let stopping: Promise<void> | null = null;
  return {
    app,
    worker,
    scheduler,
    retention,
    async start() {
      await createOwnerFromSettings();
      const listening = await app.listen({ port: config.PORT, host: config.HOST });
      // Fastify names the scheme from its own https option, unused with a server factory.
      const address = deps.tls ? listening.replace(/^http:/, 'https:') : listening;
      worker.start();
      scheduler.start();
      retention?.start();
      return address;
    },
    reloadTls(files) {
      const listener: unknown = app.server;
      if (!(listener instanceof TlsServer)) throw new Error('this server does not serve HTTPS');
      listener.setSecureContext(files);
    },
    stop() {
      stopping ??= (async () => {
        await retention?.stop();
        await app.close();
        await scheduler.stop();
        await worker.stop(config.SHUTDOWN_TIMEOUT_MS);
        await executor.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
