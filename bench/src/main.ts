import { executorBenchmark } from './executor.ts';
import { historyBenchmark } from './history.ts';
import { ingestBenchmarks } from './ingest.ts';
import { type Row, report } from './report.ts';

/**
 * `pnpm bench [--only executor,ingest] [--seconds N]`: each benchmark is bounded in time and
 * runs on loopback only.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
};
const only = new Set((flag('--only') ?? 'executor,ingest,history').split(','));
const seconds = Number(flag('--seconds') ?? 10);

const rows: Row[] = [];
if (only.has('executor')) rows.push(await executorBenchmark(Math.min(seconds, 5)));
if (only.has('ingest')) rows.push(...(await ingestBenchmarks({ seconds, connections: 50 })));
if (only.has('history'))
  rows.push(...(await historyBenchmark(Number(flag('--runs') ?? 1_000_000))));
report(rows, [`${seconds} s per load, 50 connections, 1 KiB JSON bodies, loopback.`]);
process.exit(0);
