import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type ApiContext, createCaller, createLiveEvents, explainError } from '@hookflow/api';
import { createStore, runStatuses } from '@hookflow/db';
import { nodeRegistry } from '@hookflow/nodes';
import { TRPCError } from '@trpc/server';
import { type Config, ConfigError, loadConfig, parseArgs } from '../config.ts';
import {
  addKeyToFile,
  formatKeyRing,
  generateKey,
  KEY_ENV,
  KeyRingError,
  type LoadedKeyRing,
  loadKeyRing,
} from '../credentials/keys.ts';
import { boundHeapGrowth } from '../heap.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createServer } from '../server.ts';
import { createNodeServices } from '../services.ts';
import { type LoadedTls, loadTls } from '../tls.ts';
import {
  AccountsCliError,
  PASSWORD_ENV,
  readPasswordFromStdin,
  tokenCommand,
  userCommand,
} from './accounts.ts';

const usage = `Usage: hookflow <command> [options]

Commands:
  start                          start the server (editor, API, webhooks, worker)
  migrate                        apply database migrations and exit
  import <file> [--publish] [--json]
                                 create a workflow from a document; prints its trigger URL
                                 (--json: its id, trigger URL and published version)
  export <workflow-id> [--out f] print (or write) a workflow document
  runs [--workflow <id>] [--status <s>] [--search <text>] [--limit <n>] [--json]
                                 list recent runs, newest first (--search: text in the
                                 event body, looked for in the newest 10,000 runs per page,
                                 5,000 with --workflow or --status)
  runs replay <run-id> [--json]  run a run's event again on the current published version
  runs resume <run-id> [--current] [--json]
                                 queue a failed run again from its failed step, on the
                                 version it ran (--current: on the published version)
  runs cancel <run-id> [--json]  cancel a queued or running run
  runs delete <run-id>... [--json]
                                 delete finished runs with their steps (and unused events)
  runs export <run-id> [--out f] print (or write) a run, its steps and its event as JSON
  credentials list [--json]      list credentials (names, types, key, what uses them; never values)
  credentials add-key            make a new encryption key the current one (key file), or
                                 print one to put first in HOOKFLOW_ENCRYPTION_KEY
  credentials rotate-key         re-encrypt every credential under the current key
  audit [--action <prefix>] [--actor <user-id>] [--target <id>] [--limit <n>] [--json]
                                 who changed which workflow, credential, user or token, and
                                 when, newest first (--action workflow. for every workflow
                                 change)
  user create --email <e> --role <owner|admin|editor|viewer> [--name <n>] [--json]
                                 add a user; the password is read from ${PASSWORD_ENV}
                                 or standard input (never an argument). --role owner only
                                 on an install without an owner
  user list [--json]             list users, their roles and when they were last seen
  user set-role --email <e> --role <role>
                                 change a user's role (not the owner's)
  user set-password <e>          give a user a new password (read like user create's) and
                                 end their sessions; the way back in for an owner who
                                 forgot theirs
  user delete --email <e>        delete a user with their sessions and API tokens
  token create --email <e> --name <n> [--expires-in-days <d>] [--json]
                                 make an API token acting as that user; prints it once
  token list [--email <e>] [--json]
                                 list API tokens (their first characters, never the token)
  token revoke <token-id>        revoke an API token at once

Settings (environment variable or flag): PORT --port, HOST --host, DATA_DIR --data-dir,
PUBLIC_URL --public-url, LOG_LEVEL --log-level, LOG_FORMAT --log-format,
DB_SYNCHRONOUS --db-synchronous, WORKER_CONCURRENCY --worker-concurrency,
MAX_BODY_BYTES --max-body-bytes, SHUTDOWN_TIMEOUT_MS --shutdown-timeout-ms, LEASE_MS --lease-ms,
HISTORY_PAYLOAD_MAX_BYTES, RETENTION_DAYS, RETENTION_MAX_RUNS, RETENTION_INTERVAL_MS,
RETENTION_BATCH_SIZE, READY_QUEUE_STUCK_MS (see docs/operations.md);
HOOKFLOW_ENCRYPTION_KEY (environment only; else DATA_DIR/hookflow.key, see docs/security.md);
HOOKFLOW_ADMIN_EMAIL and HOOKFLOW_ADMIN_PASSWORD (environment only: the owner made at start
when there is no user yet)`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** A password typed or piped in (`user create`, `user set-password`); standard input by default. */
  readPassword?: () => Promise<string>;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  readPassword: () => readPasswordFromStdin(),
};

/** Runs one CLI command; resolves with the exit code (`start` resolves when the server stops). */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [command = 'start', ...args] = positional;
  if (command === 'help' || flags['--help']) {
    io.out(usage);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(io.env, flags);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    switch (command) {
      case 'start':
        return await start(config, io);
      case 'migrate':
        return await withApi(config, async () => {
          io.out(`migrations applied to ${config.databaseFile}`);
          return 0;
        });
      case 'import':
        return await importWorkflow(config, args, flags, io);
      case 'export':
        return await exportWorkflow(config, args, flags, io);
      case 'runs':
        return args.length > 0
          ? await changeRun(config, args, flags, io)
          : await listRuns(config, flags, io);
      case 'credentials':
        return await credentialsCommand(config, args, flags, io);
      case 'user':
      case 'token': {
        const accountsIo = {
          ...io,
          readPassword: io.readPassword ?? (() => readPasswordFromStdin()),
        };
        const api = <T>(work: (caller: ReturnType<typeof createCaller>) => Promise<T>) =>
          withApi(config, work);
        return command === 'user'
          ? await userCommand(api, args, flags, accountsIo)
          : await tokenCommand(api, args, flags, accountsIo);
      }
      case 'audit':
        return await listAudit(config, flags, io);
      default:
        io.err(`error: unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof KeyRingError || error instanceof ConfigError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    if (error instanceof TRPCError) {
      // Refused input reads as `email: enter an email address ...`, not zod's issues in JSON;
      // its message already names every problem, so only a refused document's list follows it.
      const { message, issues, invalidInput } = explainError(error);
      io.err(`error: ${message}`);
      for (const issue of invalidInput ? [] : (issues ?? [])) {
        const where =
          'path' in issue ? issue.path : [issue.nodeId, issue.field].filter(Boolean).join(' ');
        io.err(`  - ${where ? `${where}: ` : ''}${issue.message}`);
      }
      return 1;
    }
    if (error instanceof CliError || error instanceof AccountsCliError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

class CliError extends Error {}

async function withApi<T>(
  config: Config,
  work: (caller: ReturnType<typeof createCaller>) => Promise<T>,
  keys?: LoadedKeyRing,
): Promise<T> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const store = createStore(config.databaseFile, {
    synchronous: config.DB_SYNCHRONOUS,
    payloadMaxBytes: config.HISTORY_PAYLOAD_MAX_BYTES,
    ...(keys ? { keyRing: keys.ring } : {}),
  });
  const context: ApiContext = {
    // Whoever runs the CLI on this machine acts as its operator (the audit log says `system`).
    actor: { kind: 'system' },
    store,
    registry: nodeRegistry,
    publicUrl: config.PUBLIC_URL,
    live: createLiveEvents(),
  };
  try {
    return await work(createCaller(context));
  } finally {
    await store.close();
  }
}

async function importWorkflow(
  config: Config,
  args: string[],
  flags: Record<string, string>,
  io: CliIo,
): Promise<number> {
  const file = args[0];
  if (!file) throw new CliError('import needs a file: hookflow import <file> [--publish]');
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return withApi(config, async (api) => {
    const result = await api.workflows.import({ document, publish: flags['--publish'] === 'true' });
    if (flags['--json'] === 'true') {
      io.out(JSON.stringify(result));
      return 0;
    }
    const imported = result.publishedVersion
      ? `Imported and published workflow ${result.id} (version ${result.publishedVersion}).`
      : `Imported workflow ${result.id} as a draft (publish it to run it).`;
    for (const warning of result.warnings) {
      io.err(`warning: node ${warning.nodeId}, ${warning.field}: ${warning.message}`);
    }
    if (flags['--json'] === 'true') {
      io.out(
        JSON.stringify({
          id: result.id,
          triggerUrl: result.triggerUrl,
          publishedVersion: result.publishedVersion,
        }),
      );
      return 0;
    }
    // Only a webhook trigger has a URL worth printing; a schedule starts runs by itself.
    const nodes = (document as { nodes?: { type?: unknown }[] }).nodes ?? [];
    const trigger = nodes
      .map((node) => nodeRegistry.get(String(node.type)))
      .find((definition) => definition?.trigger);
    if (trigger && trigger.type !== 'webhook-trigger') {
      io.err(`${imported} It is started by its ${trigger.label} trigger and has no URL. Id:`);
      io.out(result.id);
      return 0;
    }
    io.err(`${imported} Trigger URL:`);
    io.out(result.triggerUrl);
    return 0;
  });
}

async function exportWorkflow(
  config: Config,
  args: string[],
  flags: Record<string, string>,
  io: CliIo,
): Promise<number> {
  const id = args[0];
  if (!id) throw new CliError('export needs a workflow id: hookflow export <workflow-id>');
  return withApi(config, async (api) => {
    const text = JSON.stringify(await api.workflows.export({ id }), null, 2);
    if (flags['--out']) writeFileSync(flags['--out'], `${text}\n`);
    else io.out(text);
    return 0;
  });
}

async function listRuns(config: Config, flags: Record<string, string>, io: CliIo): Promise<number> {
  const status = flags['--status'];
  if (status !== undefined && !(runStatuses as readonly string[]).includes(status)) {
    throw new CliError(`--status must be one of ${runStatuses.join(', ')}`);
  }
  const limit = flags['--limit'] ? Number(flags['--limit']) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new CliError('--limit must be a whole number from 1 to 200');
  }
  return withApi(config, async (api) => {
    const page = await api.runs.list({
      limit,
      ...(flags['--workflow'] ? { workflowId: flags['--workflow'] } : {}),
      ...(status ? { status: status as (typeof runStatuses)[number] } : {}),
      ...(flags['--cursor'] ? { cursor: flags['--cursor'] } : {}),
      ...(flags['--search'] ? { q: flags['--search'] } : {}),
    });
    if (flags['--json'] === 'true') {
      const runs = await Promise.all(page.items.map((run) => api.runs.get({ id: run.id })));
      io.out(JSON.stringify({ runs, nextCursor: page.nextCursor }, null, 2));
      return 0;
    }
    if (page.items.length === 0) {
      io.out(flags['--search'] ? 'no runs match' : 'no runs yet');
      if (page.nextCursor) io.err(`older runs were not searched: add --cursor ${page.nextCursor}`);
      return 0;
    }
    for (const run of page.items) {
      const duration =
        run.finishedAt && run.startedAt ? `${run.finishedAt - run.startedAt} ms` : '';
      io.out(
        [
          run.id,
          run.status.padEnd(9),
          new Date(run.queuedAt).toISOString(),
          run.workflowName,
          duration,
          run.attempt > 1 ? `attempt ${run.attempt}` : '',
          run.replayOf ? `replay of ${run.replayOf}` : '',
        ]
          .join('  ')
          .trimEnd(),
      );
    }
    if (page.nextCursor) io.err(`more: add --cursor ${page.nextCursor}`);
    return 0;
  });
}

/** `audit`: the audit log, newest first, one line per entry (or JSON). */
async function listAudit(
  config: Config,
  flags: Record<string, string>,
  io: CliIo,
): Promise<number> {
  const limit = flags['--limit'] ? Number(flags['--limit']) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new CliError('--limit must be a whole number from 1 to 500');
  }
  return withApi(config, async (api) => {
    const page = await api.audit.list({
      limit,
      ...(flags['--action'] ? { action: flags['--action'] } : {}),
      ...(flags['--actor'] ? { actorId: flags['--actor'] } : {}),
      ...(flags['--target'] ? { targetId: flags['--target'] } : {}),
      ...(flags['--cursor'] ? { cursor: flags['--cursor'] } : {}),
    });
    if (flags['--json'] === 'true') {
      io.out(JSON.stringify(page, null, 2));
      return 0;
    }
    if (page.items.length === 0) io.out('no changes recorded');
    for (const entry of page.items) {
      const who = entry.actor.kind === 'user' ? entry.actor.email : entry.actor.kind;
      const target = [entry.target.name && `"${entry.target.name}"`, entry.target.id]
        .filter(Boolean)
        .join(' ');
      io.out(
        [
          new Date(entry.at).toISOString(),
          who,
          entry.action,
          target,
          entry.detail ? JSON.stringify(entry.detail) : '',
        ]
          .join('  ')
          .trimEnd(),
      );
    }
    if (page.nextCursor) io.err(`more: add --cursor ${page.nextCursor}`);
    return 0;
  });
}

const runActions = ['replay', 'resume', 'cancel', 'delete', 'export'] as const;

/**
 * `runs replay|resume|cancel|delete|export <id>`: the API's run actions; a running server picks
 * them up.
 */
async function changeRun(
  config: Config,
  args: string[],
  flags: Record<string, string>,
  io: CliIo,
): Promise<number> {
  const [action, id, ...more] = args;
  const known = runActions.find((name) => name === action);
  if (!known) {
    throw new CliError(`unknown runs command "${action}": use ${runActions.join(', ')}`);
  }
  if (!id) throw new CliError(`runs ${known} needs a run id: hookflow runs ${known} <run-id>`);
  return withApi(config, async (api) => {
    const json = flags['--json'] === 'true';
    if (known === 'replay') {
      const result = await api.runs.replay({ id });
      if (json) io.out(JSON.stringify(result));
      else {
        io.err(`Queued run ${result.id}, a replay of ${id}.`);
        io.out(result.id);
      }
    } else if (known === 'delete') {
      const result = await api.runs.delete({ ids: [id, ...more] });
      if (json) io.out(JSON.stringify(result));
      else io.out(`Deleted ${result.deleted} run${result.deleted === 1 ? '' : 's'}.`);
    } else if (known === 'export') {
      const text = JSON.stringify(await api.runs.export({ id }), null, 2);
      if (flags['--out']) {
        writeFileSync(flags['--out'], `${text}\n`);
        io.err(`Wrote run ${id} to ${flags['--out']}.`);
      } else io.out(text);
    } else if (known === 'resume') {
      const current = flags['--current'] === 'true';
      const result = await api.runs.resume({ id, version: current ? 'current' : 'original' });
      if (json) io.out(JSON.stringify(result));
      else {
        const on = current ? `, on the published version ${result.versionId}` : '';
        io.out(`Queued run ${id} again from its failed step (attempt ${result.attempt}${on}).`);
      }
    } else {
      const result = await api.runs.cancel({ id });
      if (json) io.out(JSON.stringify(result));
      else io.out(`Canceled run ${id}.`);
    }
    return 0;
  });
}

/** `credentials list | add-key | rotate-key`. */
async function credentialsCommand(
  config: Config,
  args: string[],
  flags: Record<string, string>,
  io: CliIo,
): Promise<number> {
  const [action] = args;
  const requireKeys = () => {
    const keys = loadKeyRing({ env: io.env, dataDir: config.DATA_DIR, create: false });
    if (!keys) {
      throw new CliError(
        `no encryption key: set ${KEY_ENV} or start the server once (it creates ${config.DATA_DIR}/hookflow.key)`,
      );
    }
    return keys;
  };
  if (action === 'list') {
    return withApi(config, async (api) => {
      const credentials = await api.credentials.list();
      if (flags['--json'] === 'true') io.out(JSON.stringify(credentials, null, 2));
      else if (credentials.length === 0) io.out('no credentials yet');
      for (const credential of flags['--json'] === 'true' ? [] : credentials) {
        const users = credential.usedBy.map((workflow) => workflow.name).join(', ');
        io.out(
          [
            credential.id,
            credential.type.padEnd(14),
            `key ${credential.keyId}`,
            credential.name,
            users ? `used by ${users}` : 'unused',
          ].join('  '),
        );
      }
      return 0;
    });
  }
  if (action === 'add-key') {
    if (io.env[KEY_ENV]?.trim()) {
      const current = requireKeys();
      const key = generateKey();
      io.err(
        `${KEY_ENV} is set, so the key file is not used. Put this new key first in it (keep the others after it until rotate-key has run), restart Hookflow, then run: hookflow credentials rotate-key`,
      );
      io.out(`${formatKeyRing({ keys: [key, ...current.ring.keys] }, ',')}`);
      return 0;
    }
    requireKeys();
    const key = addKeyToFile(config.DATA_DIR);
    io.out(
      `Key ${key.id} is now the current key in ${config.DATA_DIR}/hookflow.key (the older keys stay to decrypt older values). Restart Hookflow, then run: hookflow credentials rotate-key`,
    );
    return 0;
  }
  if (action === 'rotate-key') {
    const keys = requireKeys();
    mkdirSync(config.DATA_DIR, { recursive: true });
    const store = createStore(config.databaseFile, {
      synchronous: config.DB_SYNCHRONOUS,
      keyRing: keys.ring,
    });
    try {
      const result = store.credentials.reencryptAll();
      const unused = keys.ring.keys.slice(1).map((key) => key.id);
      io.out(
        `Re-encrypted ${result.reencrypted} credential${result.reencrypted === 1 ? '' : 's'} under key ${result.keyId}.${unused.length > 0 ? ` No credential uses ${unused.join(', ')} any more: remove ${unused.length === 1 ? 'it' : 'them'} from ${keys.source} and restart Hookflow.` : ''}`,
      );
      return 0;
    } catch (error) {
      throw new CliError(
        `nothing was changed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await store.close();
    }
  }
  throw new CliError(
    `unknown credentials command "${action ?? ''}": use list, add-key, rotate-key`,
  );
}

function logTlsCertificate(logger: Logger, tls: LoadedTls): void {
  const { subject, names, validTo, expired } = tls.certificate;
  const details = { subject, names, validTo: validTo.toISOString() };
  if (expired)
    logger.warn(details, 'serving HTTPS with an EXPIRED certificate: senders will refuse it');
  else if (validTo.getTime() - Date.now() < 14 * 86_400_000) {
    logger.warn(details, 'serving HTTPS with a certificate that expires within 14 days');
  } else logger.info(details, 'serving HTTPS');
}

async function start(config: Config, io: CliIo): Promise<number> {
  // Before the heaps grow: a long-running server keeps them close to what is live.
  boundHeapGrowth();
  // A missing or broken certificate stops the start before anything is opened.
  const tls = loadTls(config);
  mkdirSync(config.DATA_DIR, { recursive: true });
  // Before anything else: a key file others can read stops the start.
  const keys = loadKeyRing({ env: io.env, dataDir: config.DATA_DIR, create: true })!;
  const logger = createLogger(config);
  if (keys.created) {
    logger.warn(
      { keyFile: keys.source },
      'created the encryption key for credentials: back it up with the database (without it, stored credentials cannot be decrypted)',
    );
  }
  const store = createStore(config.databaseFile, {
    synchronous: config.DB_SYNCHRONOUS,
    payloadMaxBytes: config.HISTORY_PAYLOAD_MAX_BYTES,
    // Checkpoints would otherwise stall the webhooks of the commit that crosses the threshold.
    backgroundCheckpoints: true,
    keyRing: keys.ring,
  });
  const services = createNodeServices({ outboundAllow: config.OUTBOUND_ALLOW });
  const server = createServer({
    config,
    store,
    registry: nodeRegistry,
    services,
    logger,
    ...(tls ? { tls: tls.files } : {}),
  });
  await server.start();
  if (tls) {
    logTlsCertificate(logger, tls);
    // A renewed certificate is taken on SIGHUP (systemd: ExecReload=kill -HUP $MAINPID).
    process.on('SIGHUP', () => {
      try {
        const renewed = loadTls(config)!;
        server.reloadTls(renewed.files);
        logTlsCertificate(logger, renewed);
      } catch (error) {
        logger.error(
          { err: error },
          `the certificate was not reloaded, the previous one is still served: ${(error as Error).message}`,
        );
      }
    });
  }
  logger.info(
    {
      url: config.PUBLIC_URL,
      dataDir: config.DATA_DIR,
      synchronous: config.DB_SYNCHRONOUS,
      encryptionKey: { source: keys.source, current: keys.ring.keys[0]!.id },
    },
    `Hookflow is running: open ${config.PUBLIC_URL}`,
  );
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      server
        .stop()
        .then(() => services.close())
        .then(() => {
          logger.info('stopped');
          logger.flush();
          resolve(0);
        })
        .catch((error) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
