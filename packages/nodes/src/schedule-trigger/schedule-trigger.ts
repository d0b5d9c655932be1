import { defineNode } from '@hookflow/engine';
import { Cron } from 'croner';
import { z } from 'zod';

/** True for a time zone name the runtime knows (IANA, such as Europe/Paris, or UTC). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '' || name !== name.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression cannot be read, or null when it can. */
export function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export const scheduleTriggerConfig = z.object({
  /**
   * Five fields (minute hour day-of-month month day-of-week), or six with seconds first;
   * nicknames such as @hourly and @daily work too.
   */
  cron: z
    .string()
    .trim()
    .min(1, 'a cron expression is required, such as 0 9 * * 1-5')
    .superRefine((expression, context) => {
      const problem = cronProblem(expression);
      if (problem !== null) {
        context.addIssue({ code: 'custom', message: `not a cron expression: ${problem}` });
      }
    }),
  /** The IANA time zone the expression is read in (daylight saving time included). */
  timezone: z.string().default('UTC').refine(isTimeZone, {
    message: 'must be an IANA time zone name such as Europe/Paris, America/New_York or UTC',
  }),
  /**
   * Ticks that passed while Hookflow was not running: latest fires the most recent one once
   * when it starts again (older ones are skipped); none skips them all.
   */
  catchUp: z.enum(['latest', 'none']).default('latest'),
});

export type ScheduleTriggerConfig = z.output<typeof scheduleTriggerConfig>;

/** What a schedule tick gives the run as `trigger.body`. */
export interface ScheduleTick {
  /** The time the expression named (ISO). */
  scheduledAt: string;
  /** When the run was actually queued (ISO); later than scheduledAt for a caught-up tick. */
  firedAt: string;
}

/** The event method of a run started by a schedule. */
export const SCHEDULE_METHOD = 'SCHEDULE';

/** The times a schedule names. */
export interface Schedule {
  /** The first tick strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
  /** The last tick at or before `at`, or null when there is none. */
  latest(at: Date): Date | null;
}

/** Reads a schedule trigger's settings into its times. */
export function scheduleOf(config: ScheduleTriggerConfig): Schedule {
  const cron = new Cron(config.cron, { paused: true, timezone: config.timezone });
  return {
    next: (after) => cron.nextRun(after),
    latest: (at) => {
      // previousRuns looks strictly before the second of its reference: start from the next
      // second so that a tick in the second of `at` (at or before it) counts.
      const nextSecond = Math.floor(at.getTime() / 1000) * 1000 + 1000;
      const [previous] = cron.previousRuns(1, new Date(nextSecond));
      return previous ?? null;
    },
  };
}

/** Starts the workflow at the times a cron expression names, in a time zone. */
export const scheduleTrigger = defineNode({
  type: 'schedule-trigger',
  label: 'Schedule',
  description: 'Starts the workflow on a schedule (cron, in a time zone).',
  group: 'trigger',
  icon: '◷',
  trigger: true,
  config: scheduleTriggerConfig,
  defaults: { cron: '0 9 * * 1-5', timezone: 'UTC', catchUp: 'latest' },
  form: [
    {
      kind: 'text',
      field: 'cron',
      label: 'Cron expression',
      placeholder: '0 9 * * 1-5',
      help: 'minute hour day-of-month month day-of-week (a sixth field in front for seconds); 0 9 * * 1-5 is 09:00 on weekdays.',
    },
    {
      kind: 'text',
      field: 'timezone',
      label: 'Time zone',
      placeholder: 'Europe/Paris',
      help: 'An IANA time zone name; daylight saving time is followed.',
    },
    {
      kind: 'select',
      field: 'catchUp',
      label: 'Ticks missed while Hookflow was stopped',
      options: [
        { value: 'latest', label: 'Run the most recent one once, skip older ones' },
        { value: 'none', label: 'Skip them' },
      ],
    },
  ],
  // Settings are for the scheduler; nothing in them is a template.
  literalFields: ['cron', 'timezone'],
  summary: (config) => `${config.cron} · ${config.timezone}`,
  run: ({ trigger }) => trigger,
});
