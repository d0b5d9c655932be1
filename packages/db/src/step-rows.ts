import type { StepRecord } from './runs.ts';

/**
 * A step as a row of `run_steps`: its payloads JSON text already, or the node whose recorded
 * output they repeat (see `StepRecord.inputFrom`). The worker makes it where the run executes,
 * so the thread that commits only inserts it. Free of any import that opens a database: an
 * execution thread loads it as `@hookflow/db/step-rows`.
 */
export interface StepRow {
  nodeId: string;
  nodeKey: string;
  nodeType: string;
  status: StepRecord['status'];
  input: string | null;
  inputFrom: string | null;
  config: string | null;
  output: string | null;
  outputFrom: string | null;
  error: string | null;
  /** JSON array of the output handles it continued on. */
  handles: string;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  attempt: number;
  resumeAt: number | null;
}

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/**
 * The row for a step record; a payload named by `inputFrom` / `outputFrom` is not encoded.
 *
 * @example
 * encodeStep({ nodeId: 'filter', …, input: event, inputFrom: 'trigger', output: event, outputFrom: 'trigger' });
 * // { …, input: null, inputFrom: 'trigger', output: null, outputFrom: 'trigger' }
 */
export function encodeStep(step: StepRecord): StepRow {
  return {
    nodeId: step.nodeId,
    nodeKey: step.nodeKey,
    nodeType: step.nodeType,
    status: step.status,
    input: step.inputFrom ? null : json(step.input),
    inputFrom: step.inputFrom || null,
    config: json(step.config),
    output: step.outputFrom ? null : json(step.output),
    outputFrom: step.outputFrom || null,
    error: json(step.error),
    handles: JSON.stringify(step.handles),
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    durationMs: step.durationMs,
    attempt: step.attempt,
    resumeAt: step.resumeAt ?? null,
  };
}
