import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { eventually } from '@hookflow/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

/** Every second, then a delay of a minute: its runs park as `waiting`. */
const document = {
  format: WORKFLOW_FORMAT,
  name: 'Scheduled and delayed',
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'schedule-trigger',
      name: 'Schedule',
      config: { cron: '* * * * * *', timezone: 'Europe/Paris', catchUp: 'none' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'pause',
      key: 'delay_1',
      type: 'delay',
      name: 'Delay',
      config: { mode: 'after', amount: 1, unit: 'minutes' },
      position: { x: 260, y: 0 },
    },
  ],
  edges: [{ id: 'e', source: 'trigger', target: 'pause' }],
  settings: {},
};

describe('schedule trigger and delay in the web app', () => {
  it('edits a schedule workflow without a trigger URL and shows its parked runs as waiting', async () => {
    const { page, hookflow } = session;
    const { id } = await hookflow.api.workflows.import.mutate({ document, publish: false });
    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'trigger').waitFor();

    // Both triggers sit in the palette's Triggers group; the workflow already has one.
    const triggers = page.locator('section.palette-group[aria-label="Triggers"]');
    for (const type of ['webhook-trigger', 'schedule-trigger']) {
      expect(await triggers.getByTestId(`palette-item-${type}`).getAttribute('aria-disabled')).toBe(
        'true',
      );
    }
    expect(await card(page, 'trigger').getByTestId('node-summary').textContent()).toBe(
      '* * * * * * · Europe/Paris',
    );
    expect(await card(page, 'delay_1').getByTestId('node-summary').textContent()).toBe(
      'Waits 1 minute',
    );
    // The workflow's settings name the trigger instead of showing a URL that takes nothing.
    expect(await page.getByTestId('editor-trigger-kind').textContent()).toContain('Schedule');
    expect(await page.getByTestId('editor-trigger-url').count()).toBe(0);
    await session.screenshot('schedule-editor');

    await card(page, 'trigger').click();
    await page.getByLabel('Time zone').waitFor();
    await session.screenshot('schedule-trigger-settings');

    await hookflow.api.workflows.publish.mutate({ id });
    await eventually(async () => {
      const { items } = await hookflow.api.runs.list.query({
        workflowId: id,
        status: 'waiting',
        limit: 1,
      });
      return items.length > 0 ? true : undefined;
    }, 15_000);
    await hookflow.api.workflows.setActive.mutate({ id, active: false });
    await page.goto(session.url(`/runs?workflow=${id}&status=waiting`));
    const badge = page.locator('[data-testid="run-status"][data-status="waiting"]').first();
    await badge.waitFor();
    expect(await badge.getAttribute('title')).toContain('Parked by a delay');
    await session.screenshot('runs-waiting');
    const { items } = await hookflow.api.runs.list.query({
      workflowId: id,
      status: 'waiting',
      limit: 1,
    });
    await page.goto(session.url(`/runs/${items[0]!.id}`));
    await page.locator('[data-testid="run-status"][data-status="waiting"]').first().waitFor();
    await session.screenshot('run-waiting-detail');
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
});
