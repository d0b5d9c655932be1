import { setFlagsFromString } from 'node:v8';

/**
 * How far past what its last full collection kept V8 lets a heap grow before the next one, in
 * per cent. Under load the main thread promotes request data that lives across a few scavenges
 * (while its commit is synced, its run waits) at ~15 MB/s, nearly all of it garbage soon after;
 * V8's own factor, up to 4 × for a heap it collects quickly, let the old generation grow from the
 * ~30 MB live to ~100-120 MB between full collections. At 50 % they come about once a second
 * under load, each a few ms, mostly off the main thread; CPU per request did not change
 * measurably (docs/performance.md).
 */
export const heapGrowingPercent = 50;

/**
 * Bounds heap growth for every thread of the process (V8 flags are per process), unless the
 * process was started with its own `--heap-growing-percent` (V8 takes `_` for `-` in its flags).
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => arg.replaceAll('_', '-').startsWith('--heap-growing-percent'))) {
    return;
  }
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`);
}
