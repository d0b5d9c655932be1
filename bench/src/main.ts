import { endToEndBenchmark } from './e2e.ts';
import { editorBenchmark } from './editor.ts';
import { executorBenchmark } from './executor.ts';
import { historyBenchmark } from './history.ts';
import { ingestBenchmarks } from './ingest.ts';
import { parkedBenchmark } from './parked.ts';
import { type Row, report } from './report.ts';

/**
 * `pnpm bench [--only executor,ingest,e2e,editor,history] [--seconds N] [--rate N]`: each
 * benchmark is bounded in time and runs on loopback only. `--rate` sends the end-to-end load at
 * N requests a second instead of as fast as they are answered.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const only = new Set((flag('--only') ?? 'executor,ingest,e2e,history,editor').split(','));
const seconds = Number(flag('--seconds') ?? 10);
const connections = 50;
const rate = flag('--rate') === undefined ? undefined : Number(flag('--rate'));

const rows: Row[] = [];
/** Runs one benchmark; one that fails shows as a row with its error, and the rest still run. */
const run = async (name: string, benchmark: () => Promise<Row | Row[]>) => {
  if (!only.has(name)) return;
  try {
    const result = await benchmark();
    rows.push(...(Array.isArray(result) ? result : [result]));
  } catch (error) {
    console.error(`benchmark ${name} failed:`, error);
    const message = error instanceof Error ? error.message : String(error);
    rows.push({ benchmark: `${name}: failed`, error: message.split('\n')[0] ?? '' });
  }
};
await run('executor', () => executorBenchmark(Math.min(seconds, 5)));
await run('ingest', () => ingestBenchmarks({ seconds, connections }));
await run('e2e', () =>
  endToEndBenchmark({ seconds, connections, drainSeconds: 90, ...(rate ? { rate } : {}) }),
);
await run('editor', () => editorBenchmark());
await run('history', () => historyBenchmark(Number(flag('--runs') ?? 1_000_000)));
// Not in the default set: `--only parked [--parked N]`.
await run('parked', () => parkedBenchmark(Number(flag('--parked') ?? 200_000)));

// Ratios against the SQLite-insert floor of this same run hold on a noisy machine.
const floor = rows.find((row) => row.benchmark.startsWith('floor: http + SQLite'))?.['requests/s'];
if (typeof floor === 'number' && floor > 0) {
  for (const row of rows) {
    if (!row.benchmark.startsWith('hookflow')) continue;
    const value = row.benchmark.includes('end to end') ? row['runs/s'] : row['requests/s'];
    if (typeof value === 'number') row['× SQLite floor'] = Math.round((value / floor) * 100) / 100;
  }
}
report(rows, [
  `${seconds} s per load, ${connections} connections, 1 KiB JSON bodies, loopback${rate ? `; end to end at ${rate} requests/s` : ''}.`,
  '× SQLite floor: requests/s (ingest) or runs/s completed during the load (end to end), over the floor of this run.',
]);
process.exit(0);
