import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRouter, hashPassword } from '@hookflow/api';
import { createStore, type UserRole } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { nodeRegistry } from '@hookflow/nodes';
import { createTRPCClient, httpLink } from '@trpc/client';
import pino from 'pino';
import { Agent, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from 'undici';
import { loadKeyRing } from '../src/credentials/keys.ts';
import { createServer, type HookflowServer, type ServerDeps } from '../src/server.ts';
import { createNodeServices } from '../src/services.ts';
import type { TlsFiles } from '../src/tls.ts';

export interface SinkRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A loopback HTTP server that records what it receives; `delayMs` makes it answer slowly;
 * `setStatus` and `setDelayMs` change how it answers from then on.
 */
export async function startSink(initialStatus = 200, options: { delayMs?: number } = {}) {
  let status = initialStatus;
  let delayMs = options.delayMs ?? 0;
  const received: SinkRequest[] = [];
  const waiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const answer = (res: ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(res);
        }, delayMs);
        timers.add(timer);
      } else {
        answer(res);
      }
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    setStatus: (next: number) => {
      status = next;
    },
    setDelayMs: (next: number) => {
      delayMs = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * fetch through undici's own Agent, which can trust an extra CA (a test's self-signed
 * certificate); the global fetch cannot be given one. The two fetches' types differ only in
 * the versions of undici they name.
 */
function trustingFetch(dispatcher: Agent): typeof fetch {
  return (url, init) =>
    undiciFetch(url as string, { ...(init as UndiciRequestInit), dispatcher }) as never;
}

/** The owner every test server starts with (unless `owner: false`). */
export const testOwner = { email: 'owner@hookflow.test', password: 'owner password 1234' };
/** The password of every user `clientAs` makes. */
export const testUserPassword = 'test user password';

/** Hashing costs ~100 ms: each test process hashes the two passwords once, not per server. */
const passwordHashes = new Map<string, Promise<string>>();
export const hashOnce = (password: string) => {
  let hash = passwordHashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    passwordHashes.set(password, hash);
  }
  return hash;
};

/** The header the web app sends with every API call (the forgery guard wants it on mutations). */
export const csrfHeaders = { 'x-hookflow-csrf': '1' } as const;

/** A real server on a temporary SQLite file and a port the OS picks. */
export async function startHookflow(
  options: {
    webRoot?: string;
    threads?: number;
    stallMs?: number;
    registryModule?: string;
    maxQueueDepth?: number;
    leaseMs?: number;
    shutdownTimeoutMs?: number;
    /** OUTBOUND_ALLOW; loopback by default, where the tests' sinks listen. */
    outboundAllow?: string;
    requestTimeoutMs?: number;
    /** More settings (retention, readiness), over the ones above. */
    config?: Partial<ServerDeps['config']>;
    /** HISTORY_PAYLOAD_MAX_BYTES of the store. */
    payloadMaxBytes?: number;
    /** Where the server logs; silent by default. */
    logger?: pino.Logger;
    /** HOOKFLOW_ENCRYPTION_KEY; without it a key file is created in the data directory. */
    encryptionKey?: string;
    /** Serve HTTPS with this certificate and key; `api` and `fetch` trust the certificate. */
    tls?: TlsFiles;
    /**
     * Make the owner account and an API token for `api` (default). `false` starts with no user
     * at all (setup, HOOKFLOW_ADMIN_EMAIL); `api` then has no token.
     */
    owner?: boolean;
    /** Failed sign-in limits. */
    loginThrottle?: ServerDeps['loginThrottle'];
  } = {},
) {
  const registry = options.registryModule
    ? ((await import(options.registryModule)) as { nodeRegistry: typeof nodeRegistry }).nodeRegistry
    : nodeRegistry;
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-server-'));
  // As `hookflow start` does: the key from the environment, else a key file made on first start.
  const keys = loadKeyRing({
    env: { HOOKFLOW_ENCRYPTION_KEY: options.encryptionKey },
    dataDir: dir,
    create: true,
  })!;
  const store = createStore(join(dir, 'hookflow.db'), {
    ...(options.payloadMaxBytes ? { payloadMaxBytes: options.payloadMaxBytes } : {}),
    keyRing: keys.ring,
  });
  // Tests send their HTTP requests to sinks on loopback, which the SSRF guard refuses by default.
  const outboundAllow = options.outboundAllow ?? '127.0.0.1';
  const services = createNodeServices({ outboundAllow });
  const server: HookflowServer = createServer({
    config: {
      PORT: 0,
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://placeholder',
      MAX_BODY_BYTES: 64 * 1024,
      MAX_QUEUE_DEPTH: options.maxQueueDepth ?? 10_000,
      WORKER_CONCURRENCY: 4,
      SHUTDOWN_TIMEOUT_MS: options.shutdownTimeoutMs ?? 2000,
      LEASE_MS: options.leaseMs ?? 30_000,
      EXECUTION_THREADS: options.threads ?? 1,
      EXECUTION_HEAP_MB: 128,
      EXECUTION_STALL_MS: options.stallMs ?? 2000,
      OUTBOUND_ALLOW: outboundAllow,
      ...options.config,
    },
    store,
    registry,
    services,
    ...(options.registryModule ? { registryModule: options.registryModule } : {}),
    logger: options.logger ?? pino({ level: 'silent' }),
    worker: { pollMs: 200 },
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
  });
  const address = await server.start();
  // Over HTTPS, requests trust the test's own certificate (and nothing else extra).
  const dispatcher = options.tls ? new Agent({ connect: { ca: options.tls.cert } }) : undefined;
  const fetchHere: typeof fetch = dispatcher ? trustingFetch(dispatcher) : fetch;
  /** A tRPC client sending these headers (and the web app's forgery-guard header). */
  const clientWith = (headers: Record<string, string>) =>
    createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${address}/trpc`,
          fetch: fetchHere,
          headers: { ...csrfHeaders, ...headers },
        }),
      ],
    });
  let users = 0;
  /** A user of `role` (made in the store) with an API token. */
  async function addUser(role: UserRole, email = `${role}-${++users}@hookflow.test`) {
    const password = role === 'owner' ? testOwner.password : testUserPassword;
    const user = store.users.create({ email, role, passwordHash: await hashOnce(password) });
    const { token } = store.apiTokens.create({ userId: user.id, name: 'tests' });
    return { ...user, password, token, headers: { authorization: `Bearer ${token}` } };
  }
  const owner = options.owner === false ? null : await addUser('owner', testOwner.email);
  /** Signed in as the owner with an API token (no user at all with `owner: false`). */
  const api = clientWith(owner?.headers ?? {});
  /** A client that is not signed in. */
  const anonymousApi = clientWith({});
  /** The trigger URL on this server's real address (PUBLIC_URL is a placeholder here). */
  const localUrl = (triggerUrl: string) => `${address}/hooks/${triggerUrl.split('/hooks/')[1]}`;
  /** Signs in over HTTP (auth.login) and returns the session cookie (`hookflow_session=…`). */
  async function signIn(email: string, password: string): Promise<string> {
    const response = await fetchHere(`${address}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...csrfHeaders },
      body: JSON.stringify({ email, password }),
    });
    const cookie = response.headers.get('set-cookie');
    if (response.status !== 200 || !cookie) {
      throw new Error(`sign-in failed (${response.status}): ${await response.text()}`);
    }
    return cookie.split(';')[0]!;
  }
  return {
    address,
    api,
    anonymousApi,
    /** The owner (their id, email, password and API token); null with `owner: false`. */
    owner,
    /** `authorization: Bearer …` of the owner's token, for raw fetches to /trpc. */
    authHeaders: owner?.headers ?? {},
    /** A tRPC client signed in (with an API token) as a new user of `role` (owner: the owner). */
    async clientAs(role: UserRole) {
      return clientWith((role === 'owner' && owner ? owner : await addUser(role)).headers);
    },
    /** A new user of `role` with an API token: `headers` carry it. */
    addUser,
    /** A tRPC client that sends these headers (an API token: `user.headers`). */
    clientWith,
    signIn,
    /** fetch, trusting this server's certificate when it serves HTTPS. */
    fetch: fetchHere,
    localUrl,
    store,
    server,
    dir,
    async close() {
      await server.stop();
      await services.close();
      await dispatcher?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function forwardingWorkflow(sinkUrl: string) {
  return {
    format: WORKFLOW_FORMAT,
    name: 'Forward orders',
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: {},
        position: { x: 0, y: 0 },
      },
      {
        id: 'forward',
        key: 'forward',
        type: 'http-request',
        name: 'Send to sink',
        config: {
          method: 'POST',
          url: `${sinkUrl}/orders?source={{ trigger.query.source }}`,
          headers: [{ name: 'x-greeting', value: 'hello {{ trigger.body.hello }}' }],
          bodyType: 'json',
          body: {
            greeting: '{{ trigger.body.hello }}',
            size: '{{ $count($keys(trigger.body)) }}',
            fixed: 'yes',
          },
        },
        position: { x: 250, y: 0 },
      },
    ],
    edges: [{ id: 'e1', source: 'trigger', target: 'forward' }],
    settings: {},
  };
}

/** Webhook -> HTTP request that posts the trigger's body to `url`, with an `x-version` header. */
export function relayWorkflow(
  url: string,
  options: { name?: string; version?: string; settings?: Record<string, unknown> } = {},
) {
  return {
    format: WORKFLOW_FORMAT,
    name: options.name ?? 'Relay',
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: {},
        position: { x: 0, y: 0 },
      },
      {
        id: 'forward',
        key: 'forward',
        type: 'http-request',
        name: 'Forward',
        config: {
          method: 'POST',
          url,
          headers: [{ name: 'x-version', value: options.version ?? 'one' }],
          body: '{{ trigger.body }}',
        },
        position: { x: 200, y: 0 },
      },
    ],
    edges: [{ id: 'e', source: 'trigger', target: 'forward' }],
    settings: options.settings ?? {},
  };
}
