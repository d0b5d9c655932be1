import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStore } from '@hookflow/db';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { hookflowInstance } from './child-process.ts';
import { eventually, startHookflow } from './helpers.ts';

/** Schedule -> Transform that keeps the tick's times (steps see `trigger.body`). */
function scheduledWorkflow(
  name: string,
  schedule: { cron: string; timezone?: string; catchUp?: 'latest' | 'none' },
) {
  return {
    format: WORKFLOW_FORMAT,
    name,
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'schedule-trigger',
        name: 'Schedule',
        config: schedule,
        position: { x: 0, y: 0 },
      },
      {
        id: 'keep',
        key: 'keep',
        type: 'transform',
        name: 'Keep the tick',
        config: {
          start: 'empty',
          operations: [{ op: 'set', path: 'tick', value: '{{ trigger.body.scheduledAt }}' }],
        },
        position: { x: 200, y: 0 },
      },
    ],
    edges: [{ id: 'e', source: 'trigger', target: 'keep' }],
    settings: {},
  };
}

type Api = Awaited<ReturnType<typeof startHookflow>>['api'];

/** Every run of a workflow with the tick that started it, oldest tick first. */
async function ticksOf(api: Api, workflowId: string) {
  const { items } = await api.runs.list.query({ workflowId, limit: 200 });
  const ticks = await Promise.all(
    items.map(async ({ id }) => {
      const run = await api.runs.get.query({ id });
      const body = run.event.body as { scheduledAt: string; firedAt: string };
      return {
        id,
        status: run.status,
        method: run.event.method,
        output: run.output,
        scheduledAt: Date.parse(body.scheduledAt),
        firedAt: Date.parse(body.firedAt),
      };
    }),
  );
  return ticks.sort((a, b) => a.scheduledAt - b.scheduledAt);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('schedule trigger', () => {
  let hookflow: Awaited<ReturnType<typeof startHookflow>>;

  beforeAll(async () => {
    hookflow = await startHookflow();
  });
  afterAll(async () => {
    await hookflow.close();
  });

  it('fires every second once published, with the tick in trigger.body, and has no webhook URL', async () => {
    const { id, triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: scheduledWorkflow('Every second', { cron: '* * * * * *' }),
      publish: true,
    });
    expect(hookflow.server.scheduler.armed).toContain(id);
    const ticks = await eventually(async () => {
      const found = (await ticksOf(hookflow.api, id)).filter((t) => t.status === 'succeeded');
      return found.length >= 3 ? found : undefined;
    }, 15_000);
    for (const tick of ticks) {
      expect(tick.method).toBe('SCHEDULE');
      expect(tick.scheduledAt % 1000).toBe(0);
      expect(tick.firedAt).toBeGreaterThanOrEqual(tick.scheduledAt);
      expect(tick.output).toEqual({ tick: new Date(tick.scheduledAt).toISOString() });
    }
    // One run per tick, none twice.
    expect(new Set(ticks.map((t) => t.scheduledAt)).size).toBe(ticks.length);

    const response = await fetch(hookflow.localUrl(triggerUrl), { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: 'not_a_webhook', message: expect.stringContaining('Schedule trigger') },
    });
    await hookflow.api.workflows.setActive.mutate({ id, active: false });
  }, 30_000);

  it('stops when deactivated and starts again on activation without catching up', async () => {
    const { id } = await hookflow.api.workflows.import.mutate({
      document: scheduledWorkflow('On and off', { cron: '* * * * * *', catchUp: 'latest' }),
      publish: true,
    });
    await eventually(async () =>
      (await ticksOf(hookflow.api, id)).length >= 1 ? true : undefined,
    );
    await hookflow.api.workflows.setActive.mutate({ id, active: false });
    const deactivatedAt = Date.now();
    expect(hookflow.server.scheduler.armed).not.toContain(id);
    await sleep(2500);
    const whileOff = await ticksOf(hookflow.api, id);
    expect(whileOff.filter((t) => t.firedAt > deactivatedAt)).toEqual([]);

    await hookflow.api.workflows.setActive.mutate({ id, active: true });
    const activatedAt = Date.now();
    const after = await eventually(async () => {
      const found = (await ticksOf(hookflow.api, id)).filter((t) => t.firedAt > deactivatedAt);
      return found.length >= 1 ? found : undefined;
    });
    // The ticks of the deactivated time are not run afterwards.
    for (const tick of after) expect(tick.scheduledAt).toBeGreaterThanOrEqual(activatedAt - 1000);
    await hookflow.api.workflows.setActive.mutate({ id, active: false });
  }, 30_000);

  it('refuses an invalid cron expression or time zone when publishing', async () => {
    await expect(
      hookflow.api.workflows.import.mutate({
        document: scheduledWorkflow('Bad', { cron: '0 9 * * *', timezone: 'Europe/Atlantis' }),
        publish: true,
      }),
    ).rejects.toThrow(/IANA time zone/);
    await expect(
      hookflow.api.workflows.import.mutate({
        document: scheduledWorkflow('Bad', { cron: '0 25 * * *' }),
        publish: true,
      }),
    ).rejects.toThrow(/not a cron expression/);
  });

  it('fires each tick once when two processes schedule the same workflow', async () => {
    const { id } = await hookflow.api.workflows.import.mutate({
      document: scheduledWorkflow('Twice scheduled', { cron: '* * * * * *' }),
      publish: true,
    });
    // A second process: its own connection to the same file and its own scheduler.
    const other = createStore(join(hookflow.dir, 'hookflow.db'));
    const second = createScheduler({ store: other, logger: pino({ level: 'silent' }) });
    second.start();
    expect(second.armed).toContain(id);
    await sleep(3500);
    await second.stop();
    await other.close();
    await hookflow.api.workflows.setActive.mutate({ id, active: false });
    const ticks = await ticksOf(hookflow.api, id);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks.map((t) => t.scheduledAt)).size).toBe(ticks.length);
  }, 30_000);
});

describe('schedule ticks missed while the process was down', () => {
  let instance: Awaited<ReturnType<typeof hookflowInstance>>;

  beforeAll(async () => {
    instance = await hookflowInstance({ EXECUTION_THREADS: '1' });
  });
  afterAll(() => {
    instance.close();
  });

  it('fires only the most recent missed tick (catchUp latest), or none (catchUp none)', async () => {
    const ids: Record<'latest' | 'none', string> = { latest: '', none: '' };
    for (const catchUp of ['latest', 'none'] as const) {
      const file = join(instance.dir, `${catchUp}.json`);
      writeFileSync(
        file,
        JSON.stringify(scheduledWorkflow(`Catch up ${catchUp}`, { cron: '* * * * * *', catchUp })),
      );
      const imported = await instance.cli('import', file, '--publish');
      expect(imported.code).toBe(0);
      // A schedule has no URL: the CLI prints the workflow's id instead.
      expect(imported.stderr).toContain('started by its Schedule trigger and has no URL');
      ids[catchUp] = imported.stdout.trim();
      expect(ids[catchUp]).toMatch(/^wf_/);
    }
    const first = await instance.start();
    await eventually(async () => {
      const counts = await Promise.all(
        [ids.latest, ids.none].map(async (id) => (await ticksOf(instance.api, id)).length),
      );
      return counts.every((n) => n >= 2) ? true : undefined;
    }, 15_000);
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    await sleep(3000);

    const lastBefore = { latest: 0, none: 0 };
    const restartedAt = Date.now();
    const second = await instance.start();
    // The last tick each fired before the kill.
    for (const key of ['latest', 'none'] as const) {
      const ticks = await ticksOf(instance.api, ids[key]);
      lastBefore[key] = Math.max(
        ...ticks.filter((t) => t.firedAt < restartedAt).map((t) => t.scheduledAt),
      );
    }
    const after = await eventually(async () => {
      const found = await Promise.all(
        (['latest', 'none'] as const).map(async (key) =>
          (await ticksOf(instance.api, ids[key])).filter((t) => t.scheduledAt > lastBefore[key]),
        ),
      );
      return found.every((ticks) => ticks.length >= 3) ? found : undefined;
    }, 15_000);
    const [latest, none] = after as [(typeof after)[0], (typeof after)[0]];
    // latest: the first run after the restart is a tick of the time it was down, and only that
    // one: the older ticks of those 3 s and more were skipped.
    expect(latest[0]!.scheduledAt - lastBefore.latest).toBeGreaterThanOrEqual(2000);
    expect(latest[0]!.scheduledAt).toBeLessThan(latest[0]!.firedAt);
    // none: nothing from the time it was down; its first run is a tick after the restart, so
    // later than the one latest caught up (the same cron, armed at the same moment).
    expect(none[0]!.scheduledAt).toBeGreaterThan(latest[0]!.scheduledAt);
    expect(none[0]!.scheduledAt - lastBefore.none).toBeGreaterThanOrEqual(2000);
    // From then on, on time and once each (a timer late by more than a second would skip one).
    for (const ticks of [latest, none]) {
      for (let i = 1; i < ticks.length; i++) {
        expect(ticks[i]!.scheduledAt - ticks[i - 1]!.scheduledAt).toBeGreaterThanOrEqual(1000);
      }
    }
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 90_000);
});
