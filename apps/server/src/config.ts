import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AllowlistError, createOutboundPolicy } from './net-guard/net-guard.ts';

/**
 * Every setting, read from the environment, with a CLI flag of the same name
 * (`PUBLIC_URL` <-> `--public-url`). Flags win over the environment.
 */
const settings = {
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * 127.0.0.1 by default, so nobody else can take the setup page before the owner exists; set
   * 0.0.0.0 to accept webhooks (and sign-ins) from other machines.
   */
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * The address senders reach; trigger URLs start with it. Defaults to http://localhost:PORT
   * (https:// with TLS_CERT_FILE).
   */
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json (default when not on a terminal or NODE_ENV=production) or pretty. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** FULL: an acknowledged event survives power loss. NORMAL: survives a crash of the process. */
  DB_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /**
   * Runs executed at the same time (default 100). A run mostly waits (on its HTTP calls, on
   * the commit of its steps), so a small number caps throughput at concurrency ÷ run latency.
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  /** Largest request body a trigger accepts, in bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /** Threads that execute runs (each runs many at once); 0 runs them in the main thread. */
  EXECUTION_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /** Heap limit of each execution thread, in MiB. */
  EXECUTION_HEAP_MB: z.coerce.number().int().min(32).default(512),
  /** A busy execution thread that does not answer for this long is stopped and replaced. */
  EXECUTION_STALL_MS: z.coerce.number().int().min(100).default(10_000),
  /** Queued runs above which triggers answer 503 with Retry-After instead of accepting more. */
  MAX_QUEUE_DEPTH: z.coerce.number().int().min(1).default(100_000),
  /**
   * Internal destinations outgoing requests may reach: IP addresses, CIDR blocks, host names,
   * `*.domain`, comma-separated (`*` allows everything). Empty: nothing internal.
   */
  OUTBOUND_ALLOW: z
    .string()
    .default('')
    .superRefine((value, context) => {
      try {
        createOutboundPolicy(value);
      } catch (error) {
        if (!(error instanceof AllowlistError)) throw error;
        context.addIssue({ code: 'custom', message: error.message });
      }
    }),
  /**
   * Reverse proxies whose X-Forwarded-For names the client (request log, IP allowlists):
   * their addresses or CIDR blocks, comma-separated. Empty: none.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .refine(
      (value) =>
        value === '' ||
        value.split(',').every((entry) => /^[\d.:a-fA-F]+(\/\d+)?$/.test(entry.trim())),
      'proxy addresses or CIDR blocks, comma-separated, like 10.0.0.1,10.1.0.0/16',
    ),
  /**
   * PEM files of the certificate (its chain after it) and private key: with both, Hookflow
   * serves HTTPS itself instead of HTTP (a reverse proxy in front is the other way).
   */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; else only loopback may read it. */
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** How long in-flight runs may finish on shutdown before they are handed back. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * How long a worker's claim on a run holds without renewal (renewed every third of it): a run
   * whose worker vanished without its process ending is taken over after this long.
   */
  LEASE_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  /**
   * Largest step input, config, output or error (and run output or error) the history keeps, in
   * bytes; a larger one is kept as `{ "$truncated": true, "bytes", "preview" }` once its run is
   * over.
   */
  HISTORY_PAYLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Finished runs older than this many days are pruned (fractions allowed); 0 keeps them. */
  RETENTION_DAYS: z.coerce.number().min(0).default(30),
  /** Per workflow, finished runs beyond the newest this many are pruned; 0 means no limit. */
  RETENTION_MAX_RUNS: z.coerce.number().int().min(0).default(10_000),
  /** How often the background pruning runs. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(300_000),
  /** Rows deleted per pruning batch; ingestion commits between two batches. */
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * /readyz answers 503 when a run has been ready to claim for this long while no run finished
   * in that time (the queue is stuck); 0 turns the check off.
   */
  READY_QUEUE_STUCK_MS: z.coerce.number().int().min(0).default(300_000),
  /**
   * With HOOKFLOW_ADMIN_PASSWORD: the owner account made at start when no user exists (a
   * headless install); ignored once there are users. Environment only, never a flag.
   */
  HOOKFLOW_ADMIN_EMAIL: z.email('an email address, like ada@example.com').optional(),
  HOOKFLOW_ADMIN_PASSWORD: z.string().min(10, 'use at least 10 characters').optional(),
};

/** Secrets (and what goes with them) are read from the environment only: argv is visible to `ps`. */
const environmentOnly = new Set<string>(['HOOKFLOW_ADMIN_EMAIL', 'HOOKFLOW_ADMIN_PASSWORD']);

export type SettingName = keyof typeof settings;
const configSchema = z.object(settings);
export type RawConfig = z.infer<typeof configSchema>;

export interface Config
  extends Omit<
    RawConfig,
    'PUBLIC_URL' | 'WORKER_CONCURRENCY' | 'LOG_FORMAT' | 'EXECUTION_THREADS'
  > {
  PUBLIC_URL: string;
  WORKER_CONCURRENCY: number;
  EXECUTION_THREADS: number;
  LOG_FORMAT: 'json' | 'pretty';
  /** The SQLite file inside DATA_DIR. */
  databaseFile: string;
}

export const flagName = (name: string) => `--${name.toLowerCase().replaceAll('_', '-')}`;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads settings from the environment and `--flag value` / `--flag=value` pairs. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  flags: Record<string, string> = {},
): Config {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(settings)) {
    raw[name] = environmentOnly.has(name) ? env[name] : (flags[flagName(name)] ?? env[name]);
    if (raw[name] === '') raw[name] = undefined;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const flag = environmentOnly.has(name) ? '' : ` (${flagName(name)})`;
    throw new ConfigError(`${name}${flag}: ${issue.message}`);
  }
  const config = parsed.data;
  if ((config.TLS_CERT_FILE === undefined) !== (config.TLS_KEY_FILE === undefined)) {
    const [missing, given] = config.TLS_CERT_FILE
      ? (['TLS_KEY_FILE', 'TLS_CERT_FILE'] as const)
      : (['TLS_CERT_FILE', 'TLS_KEY_FILE'] as const);
    throw new ConfigError(
      `${missing} (${flagName(missing)}): HTTPS needs both the certificate and its key, and only ${given} is set`,
    );
  }
  if (
    (config.HOOKFLOW_ADMIN_EMAIL === undefined) !==
    (config.HOOKFLOW_ADMIN_PASSWORD === undefined)
  ) {
    const [missing, given] = config.HOOKFLOW_ADMIN_EMAIL
      ? (['HOOKFLOW_ADMIN_PASSWORD', 'HOOKFLOW_ADMIN_EMAIL'] as const)
      : (['HOOKFLOW_ADMIN_EMAIL', 'HOOKFLOW_ADMIN_PASSWORD'] as const);
    throw new ConfigError(
      `${missing}: the owner account made at start needs an email and a password, and only ${given} is set`,
    );
  }
  const dataDir = resolve(config.DATA_DIR);
  const scheme = config.TLS_CERT_FILE ? 'https' : 'http';
  return {
    ...config,
    DATA_DIR: dataDir,
    PUBLIC_URL: (config.PUBLIC_URL ?? `${scheme}://localhost:${config.PORT}`).replace(/\/+$/, ''),
    WORKER_CONCURRENCY: config.WORKER_CONCURRENCY ?? 100,
    // The main thread (ingress, database, worker) needs a core of its own.
    EXECUTION_THREADS: config.EXECUTION_THREADS ?? Math.min(4, Math.max(1, cpus().length - 1)),
    LOG_FORMAT:
      config.LOG_FORMAT ??
      (env.NODE_ENV === 'production' || !process.stdout.isTTY ? 'json' : 'pretty'),
    databaseFile: resolve(dataDir, 'hookflow.db'),
  };
}

/** Splits argv into positional arguments and `--flag value` pairs; `--flag` alone is "true". */
export function parseArgs(argv: readonly string[]): {
  positional: string[];
  flags: Record<string, string>;
} {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      flags[arg.slice(0, eq)] = arg.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--') && takesValue(arg)) {
      flags[arg] = next;
      i++;
    } else {
      flags[arg] = 'true';
    }
  }
  return { positional, flags };
}

const valueFlags = new Set([
  ...Object.keys(settings).map(flagName),
  '--workflow',
  '--status',
  '--limit',
  '--cursor',
  '--out',
  '--search',
  '--action',
  '--actor',
  '--target',
  '--email',
  '--role',
  '--name',
  '--expires-in-days',
  // Taken with its value only to be refused: a password never goes in the command line.
  '--password',
]);
const takesValue = (flag: string) => valueFlags.has(flag);
