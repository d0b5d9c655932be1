import { defineNode, suspendUntil } from '@hookflow/engine';
import { z } from 'zod';

/** The longest a run may be parked by one delay. */
export const MAX_DELAY_MS = 30 * 24 * 3_600_000;

const unitMs = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
} as const;

const configSchema = z
  .object({
    /** after: a fixed wait from when the step runs. until: a time, usually an expression. */
    mode: z.enum(['after', 'until']).default('after'),
    amount: z.coerce
      .number({ error: 'the amount must be a number' })
      .min(0, 'the amount must not be negative')
      .default(1),
    unit: z.enum(['seconds', 'minutes', 'hours', 'days']).default('minutes'),
    /** An ISO 8601 time (with its offset) or milliseconds since the epoch. */
    until: z.union([z.string(), z.number()]).default(''),
  })
  .superRefine((config, context) => {
    if (config.mode === 'after' && config.amount * unitMs[config.unit] > MAX_DELAY_MS) {
      context.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'a delay can be at most 30 days',
      });
    }
  });

export type DelayConfig = z.output<typeof configSchema>;

/** Thrown when `until` is not a time: the step fails with this message. */
export class DelayTimeError extends Error {
  override readonly name = 'DelayTimeError';
  readonly code = 'INVALID_TIME';
}

/** Reads an ISO 8601 time or epoch milliseconds (a number, or a string of digits). */
export function parseTime(value: string | number): Date {
  const text = typeof value === 'string' ? value.trim() : '';
  const ms =
    typeof value === 'number'
      ? value
      : /^-?\d+$/.test(text)
        ? Number(text)
        : /^\d{4}-\d{2}-\d{2}/.test(text)
          ? Date.parse(text)
          : Number.NaN;
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) {
    throw new DelayTimeError(
      `"Wait until" must be an ISO 8601 time such as 2026-05-01T09:00:00Z or milliseconds since the epoch; got ${JSON.stringify(value)}`,
    );
  }
  return date;
}

/**
 * Parks the run for a while, then continues with its input unchanged. The run is not held in
 * memory: it waits in the database and survives restarts (see execute.ts, "parking rule").
 */
export const delay = defineNode({
  type: 'delay',
  label: 'Delay',
  description: 'Waits for a time, or until a moment computed from the data, then continues.',
  group: 'flow',
  icon: '◔',
  config: configSchema,
  defaults: { mode: 'after', amount: 5, unit: 'minutes', until: '' },
  form: [
    {
      kind: 'select',
      field: 'mode',
      label: 'Wait',
      options: [
        { value: 'after', label: 'For an amount of time' },
        { value: 'until', label: 'Until a time' },
      ],
    },
    {
      kind: 'number',
      field: 'amount',
      label: 'Amount',
      min: 0,
      expression: true,
      showWhen: { field: 'mode', equals: ['after'] },
    },
    {
      kind: 'select',
      field: 'unit',
      label: 'Unit',
      options: [
        { value: 'seconds', label: 'Seconds' },
        { value: 'minutes', label: 'Minutes' },
        { value: 'hours', label: 'Hours' },
        { value: 'days', label: 'Days' },
      ],
      showWhen: { field: 'mode', equals: ['after'] },
    },
    {
      kind: 'text',
      field: 'until',
      label: 'Wait until',
      placeholder: '{{ trigger.body.sendAt }}',
      help: 'An ISO 8601 time (2026-05-01T09:00:00Z) or milliseconds since the epoch. A time already past continues at once; at most 30 days ahead.',
      expression: true,
      showWhen: { field: 'mode', equals: ['until'] },
    },
  ],
  summary: (config) =>
    config.mode === 'after'
      ? `Waits ${config.amount} ${config.amount === 1 ? config.unit.slice(0, -1) : config.unit}`
      : `Waits until ${String(config.until) || '…'}`,
  sideEffects: {
    summary: 'waits (the run is parked)',
    effect: (config) => ({
      wait:
        config.mode === 'after'
          ? { for: `${config.amount} ${config.unit}` }
          : { until: String(config.until) },
    }),
    // A dry run never waits: it continues at once with the input, as the delay would after.
    dryRun: ({ input }) => input,
  },
  run: ({ config, input, services }) => {
    const now = services.now().getTime();
    const until =
      config.mode === 'after'
        ? new Date(now + config.amount * unitMs[config.unit])
        : parseTime(config.until);
    if (until.getTime() - now > MAX_DELAY_MS) {
      throw new DelayTimeError(
        `${until.toISOString()} is more than 30 days ahead; a delay can be at most 30 days`,
      );
    }
    return suspendUntil(until, input);
  },
});
