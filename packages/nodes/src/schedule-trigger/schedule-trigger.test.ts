import { describe, expect, it } from 'vitest';
import { scheduleOf, scheduleTrigger, scheduleTriggerConfig } from './schedule-trigger.ts';

const parse = (config: Record<string, unknown>) => scheduleTriggerConfig.safeParse(config);

describe('schedule trigger settings', () => {
  it('accepts five- and six-field expressions and nicknames, in UTC by default', () => {
    expect(parse({ cron: '0 9 * * 1-5' }).data).toEqual({
      cron: '0 9 * * 1-5',
      timezone: 'UTC',
      catchUp: 'latest',
    });
    expect(parse({ cron: '*/10 * * * * *', timezone: 'Europe/Paris' }).success).toBe(true);
    expect(parse({ cron: '@daily', catchUp: 'none' }).success).toBe(true);
    expect(scheduleTrigger.config.safeParse(scheduleTrigger.defaults).success).toBe(true);
  });

  it('refuses a bad expression or an unknown time zone, saying why', () => {
    const badCron = parse({ cron: '61 * * * *' });
    expect(badCron.error?.issues[0]).toMatchObject({ path: ['cron'] });
    expect(badCron.error?.issues[0]?.message).toMatch(/^not a cron expression: .*minute/);
    expect(parse({ cron: 'every day' }).error?.issues[0]?.message).toMatch(/not a cron expression/);
    expect(parse({ cron: '' }).error?.issues[0]?.message).toMatch(/required/);
    for (const timezone of ['Mars/Olympus', '', 'CET+1', ' UTC']) {
      const bad = parse({ cron: '0 9 * * *', timezone });
      expect(bad.error?.issues[0], timezone).toMatchObject({
        path: ['timezone'],
        message: expect.stringContaining('IANA time zone'),
      });
    }
  });
});

describe('scheduleOf', () => {
  it('reads the expression in its time zone, daylight saving time included', () => {
    const paris = scheduleOf(
      scheduleTriggerConfig.parse({ cron: '0 9 * * *', timezone: 'Europe/Paris' }),
    );
    // Winter: 09:00 in Paris is 08:00 UTC; after the switch to summer time it is 07:00 UTC.
    expect(paris.next(new Date('2026-03-28T12:00:00Z'))?.toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(paris.next(new Date('2026-03-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-03-01T08:00:00.000Z',
    );
  });

  it('names the next tick strictly after a time and the latest at or before it', () => {
    const everyFive = scheduleOf(scheduleTriggerConfig.parse({ cron: '*/5 * * * * *' }));
    const at = new Date('2026-03-01T08:00:05.000Z');
    expect(everyFive.next(at)?.toISOString()).toBe('2026-03-01T08:00:10.000Z');
    expect(everyFive.latest(at)?.toISOString()).toBe('2026-03-01T08:00:05.000Z');
    expect(everyFive.latest(new Date('2026-03-01T08:00:04.999Z'))?.toISOString()).toBe(
      '2026-03-01T08:00:00.000Z',
    );
  });
});
