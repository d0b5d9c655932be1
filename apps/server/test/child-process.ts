import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '@hookflow/api';
import { createStore } from '@hookflow/db';
import { createTRPCClient, httpLink } from '@trpc/client';
import { csrfHeaders, eventually, hashOnce, testOwner } from './helpers.ts';

const bin = fileURLToPath(new URL('../bin/hookflow.js', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A temporary DATA_DIR and loopback port for the real `hookflow` command: `cli()` runs one
 * command, `start()` spawns `hookflow start` and waits until it is ready.
 */
export async function hookflowInstance(settings: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-process-'));
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: address,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    // The tests' sinks listen on loopback, which the SSRF guard refuses by default.
    OUTBOUND_ALLOW: '127.0.0.1',
    ...settings,
  };
  const children = new Set<ChildProcess>();
  const databaseFile = join(dir, 'data', 'hookflow.db');

  /** The owner (made if there is none) and an API token of theirs, written to the database. */
  async function ownerToken(): Promise<string> {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const store = createStore(databaseFile);
    try {
      const owner =
        store.users.owner() ??
        store.users.create({
          email: testOwner.email,
          role: 'owner',
          passwordHash: await hashOnce(testOwner.password),
        });
      return store.apiTokens.create({ userId: owner.id, name: 'tests' }).token;
    } finally {
      await store.close();
    }
  }
  let token: Promise<string> | undefined;

  return {
    dir,
    address,
    databaseFile,
    /** Signed in as the owner: their account and token are made at the first call. */
    api: createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${address}/trpc`,
          headers: async () => {
            token ??= ownerToken();
            return { ...csrfHeaders, authorization: `Bearer ${await token}` };
          },
        }),
      ],
    }),

    cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          { env, timeout: 20_000 },
          (error, stdout, stderr) => {
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
          },
        );
      });
    },

    /**
     * Runs one command with more environment variables and, with `stdin`, that text piped to
     * its standard input (closed after it).
     */
    cliWith(
      options: { env?: Record<string, string>; stdin?: string },
      ...args: string[]
    ): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], {
          env: { ...env, ...options.env },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('error', reject);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout, stderr });
        });
        child.stdin.end(options.stdin ?? '');
      });
    },

    /** Spawns `hookflow start`; resolves once /readyz answers 200 (or `ready()` says so). */
    async start(options: { ready?: () => Promise<boolean> } = {}) {
      const ready =
        options.ready ??
        (async () => (await fetch(`${address}/readyz`).catch(() => null))?.ok === true);
      const child = spawn(process.execPath, [bin, 'start'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let logs = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        logs += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        logs += chunk.toString();
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) =>
          child.once('exit', (code, signal) => {
            children.delete(child);
            resolve({ code, signal });
          }),
      );
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`hookflow start exited early:\n${logs}`);
        return (await ready()) ? true : undefined;
      }, 20_000);
      return {
        child,
        exited,
        logs: () => logs,
        /** Sends a signal and waits (bounded) for the process to end. */
        async stop(signal: NodeJS.Signals) {
          child.kill(signal);
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no exit after ${signal}`)), 20_000);
          });
          try {
            return await Promise.race([exited, late]);
          } finally {
            clearTimeout(timer);
          }
        },
      };
    },

    close() {
      for (const child of children) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
