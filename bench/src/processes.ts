import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const childBootstrap = fileURLToPath(new URL('../child.js', import.meta.url));
export const hookflowBin = fileURLToPath(
  new URL('../../apps/server/bin/hookflow.js', import.meta.url),
);

export interface Child {
  process: ChildProcess;
  port: number;
  /** Peak resident memory so far, in MB (VmHWM). */
  peakRssMb(): number;
  /** CPU time used so far, in µs: all threads of the process, and its main thread alone. */
  cpuUs(): { total: number; main: number };
  stop(): Promise<void>;
}

/** Starts one of the helper servers (a floor, the sink) and waits for the port it prints. */
export async function startLocalServer(
  name: 'http-floor' | 'sqlite-floor' | 'sink',
): Promise<Child> {
  const entry = new URL(`./servers/${name}.ts`, import.meta.url).href;
  const child = spawn(process.execPath, [childBootstrap, entry], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return wrap(child, port);
}

/** Starts `hookflow start` with the given settings and waits until it is ready. */
export async function startHookflow(env: Record<string, string>): Promise<Child> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [hookflowBin, 'start'], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    if (ready?.ok) break;
    if (Date.now() > deadline) throw new Error('hookflow did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return wrap(child, port);
}

function wrap(child: ChildProcess, port: number): Child {
  return {
    process: child,
    port,
    peakRssMb: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
      } catch {
        return Number.NaN;
      }
    },
    cpuUs: () => ({
      total: cpuTimeUs(`/proc/${child.pid}/stat`),
      main: cpuTimeUs(`/proc/${child.pid}/task/${child.pid}/stat`),
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

/**
 * User and system time of a process or thread from its `stat` file, in µs (NaN where there is
 * no /proc). Linux reports them in USER_HZ ticks, 100 a second.
 */
function cpuTimeUs(statFile: string): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

/** CPU per request (or run) between two readings of `cpuUs`, rounded to the µs. */
export function cpuPer(
  before: { total: number; main: number },
  after: { total: number; main: number },
  count: number,
) {
  const per = (us: number) => (count > 0 ? Math.round(us / count) : Number.NaN);
  return {
    'server CPU µs': per(after.total - before.total),
    'main thread µs': per(after.main - before.main),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
