/** How times, durations and payloads read everywhere in the app. Pure, so they are unit-tested. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `850 ms`, `1.25 s`, `12.4 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  // Truncated rather than rounded, so that 59.97 s never reads as "60 s".
  if (ms < 10 * SECOND) return `${Math.floor(ms / 10) / 100} s`;
  if (ms < MINUTE) return `${Math.floor(ms / 100) / 10} s`;
  if (ms < HOUR) {
    const minutes = Math.floor(ms / MINUTE);
    const seconds = Math.floor((ms % MINUTE) / SECOND);
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** The time a run took, or has taken so far; null while it waits in the queue. */
export function runDuration(
  run: { startedAt: number | null; finishedAt: number | null },
  now: number,
): number | null {
  if (run.startedAt === null) return null;
  return (run.finishedAt ?? now) - run.startedAt;
}

/** `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatRelativeTime(time: number, now: number): string {
  const elapsed = now - time;
  if (elapsed < 5 * SECOND) return 'just now';
  if (elapsed < MINUTE) return `${Math.floor(elapsed / SECOND)} s ago`;
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  return `${Math.floor(elapsed / DAY)} d ago`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A local date and time with seconds, e.g. `Nov 28, 2025, 14:03:27`. */
export function formatDateTime(time: number): string {
  return dateTimeFormat.format(time);
}

/** Pretty JSON for <pre> blocks; `undefined` (a value that was never recorded) reads as such. */
export function formatJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `1.2 KB` for byte counts shown to people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** The one-line message of a recorded error (`"timeout"` or `{ message: "timeout", ... }`), if any. */
export function errorSummary(error: unknown): string | null {
  if (typeof error === 'string') return error;
  if (
    error &&
    typeof error === 'object' &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return null;
}

/** A request anyone can paste into a terminal to start a run. */
export function exampleRequest(triggerUrl: string): string {
  return `curl -X POST -H 'content-type: application/json' -d '{"hello":"world"}' ${triggerUrl}`;
}
