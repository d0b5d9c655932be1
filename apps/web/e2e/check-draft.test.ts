import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { eventually, startSink } from '@hookflow/server/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  session = await startBrowserSession();
  sink = await startSink(201);
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sink?.close();
});

const conditions = (threshold: number) => ({
  combinator: 'all',
  items: [
    { type: 'number', value: '{{ trigger.body.total }}', operator: 'gt', operand: threshold },
  ],
});

/** Webhook -> filter (big orders) -> POST to the CRM (the test's sink). */
const workflow = (crmUrl: string) => ({
  format: WORKFLOW_FORMAT,
  name: 'Big orders to the CRM',
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
    {
      id: 'big',
      key: 'big_orders',
      type: 'filter',
      name: 'Big orders',
      config: { conditions: conditions(100) },
      position: { x: 320, y: 0 },
    },
    {
      id: 'crm',
      key: 'crm',
      type: 'http-request',
      name: 'Send to CRM',
      config: {
        url: `${crmUrl}/orders/{{ trigger.body.id }}`,
        body: { id: '{{ trigger.body.id }}', total: '{{ trigger.body.total }}', tier: 'gold' },
      },
      position: { x: 640, y: 0 },
    },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'big' },
    { id: 'e2', source: 'big', target: 'crm' },
  ],
  settings: {},
});

/** Replaces a JSON field's text, as a person selecting all and typing would. */
async function setJson(page: Page, field: string, value: unknown) {
  const box = page.getByTestId(`json-field-${field}`);
  await box.fill(JSON.stringify(value, null, 2));
}

describe('checking a draft against recent traffic, and running one node again', () => {
  it('replays real events through the edited draft, shows what would change, sends nothing', async () => {
    const { page, hookflow } = session;
    const { id, triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: workflow(sink.url),
      publish: true,
    });
    // Real traffic: four orders, two above the threshold of 100.
    const runIds: string[] = [];
    for (const [index, total] of [50, 150, 300, 80].entries()) {
      const response = await fetch(hookflow.localUrl(triggerUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `o${index + 1}`, total }),
      });
      runIds.push(((await response.json()) as { runId: string }).runId);
    }
    const runs = await eventually(async () => {
      const details = await Promise.all(
        runIds.map((runId) => hookflow.api.runs.get.query({ id: runId })),
      );
      return details.every((run) => run.finishedAt) ? details : undefined;
    });
    expect(runs.map((run) => run.status)).toEqual([
      'filtered',
      'succeeded',
      'succeeded',
      'filtered',
    ]);
    expect(sink.received).toHaveLength(2);
    // The 300 order is kept as a sample, for the test run below.
    await hookflow.api.samples.save.mutate({
      workflowId: id,
      eventId: runs[2]!.eventId,
      name: 'Order 300',
    });

    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'crm').waitFor();

    // The draft: a higher threshold and another tier in the request body (not saved yet).
    await card(page, 'big_orders').click();
    await setJson(page, 'conditions', conditions(200));
    await card(page, 'crm').click();
    await setJson(page, 'body', {
      id: '{{ trigger.body.id }}',
      total: '{{ trigger.body.total }}',
      tier: 'platinum',
    });

    await page.getByTestId('check-draft').click();
    const summary = page.getByTestId('check-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-checked')).toBe('4');
    expect(await summary.getAttribute('data-changed')).toBe('2');
    expect(await summary.textContent()).toContain('4 events checked, 2 would change, 2 the same.');
    // Only what would change is listed at first.
    const items = page.getByTestId('check-item');
    expect(await items.count()).toBe(2);
    const texts = await items.allTextContents();
    expect(
      texts.some((text) => text.includes('The run stopped by a filter (it passed before)')),
    ).toBe(true);
    expect(texts.some((text) => text.includes('differs in body'))).toBe(true);
    await session.screenshot('check-draft-summary');

    // The request diff of the order that passes both times.
    const changedRequest = items.filter({ hasText: 'differs in body' });
    await changedRequest.getByTestId('check-item-toggle').click();
    const diff = changedRequest.getByTestId('request-diff');
    await diff.waitFor();
    expect(await diff.getByTestId('diff-row-url').textContent()).toContain(`${sink.url}/orders/o3`);
    expect(await diff.getByTestId('diff-row-url').getAttribute('data-changed')).toBeNull();
    const body = diff.getByTestId('body-diff');
    expect(await body.textContent()).toMatch(/tier.*gold.*platinum/);
    // The filtered one says the request is no longer sent, and shows which.
    const stopped = items.filter({ hasText: 'stopped by a filter' });
    await stopped.getByTestId('check-item-toggle').click();
    expect(await stopped.getByTestId('check-item-body').textContent()).toContain(
      'no longer sends an HTTP request',
    );
    await session.screenshot('check-draft-request-diff');

    // Every event, unchanged ones included.
    await page.getByTestId('check-only-changed').uncheck();
    expect(await items.count()).toBe(4);
    // Nothing was sent and nothing reached the history during the check.
    expect(sink.received).toHaveLength(2);
    expect((await hookflow.api.runs.list.query({ workflowId: id })).items).toHaveLength(4);
    await page.getByTestId('dialog-close').click();

    // Publishing this exact draft records the check on the version.
    await page.getByTestId('publish').click();
    const confirm = page.getByTestId('publish-confirm');
    const result = page.getByTestId('publish-result');
    await Promise.race([confirm.waitFor(), result.waitFor()]);
    if (await confirm.isVisible()) await confirm.click();
    await result.waitFor();
    expect(await result.getByTestId('publish-check').textContent()).toContain(
      '4 events checked, 2 would change, 2 the same.',
    );
    await page.getByTestId('open-versions').click();
    const version = page.locator('[data-testid="version-item"][data-version="2"]');
    expect(await version.getByTestId('version-check').textContent()).toContain(
      '4 events checked, 2 would change',
    );
    expect(
      await page
        .locator('[data-testid="version-item"][data-version="1"] [data-testid="version-check"]')
        .count(),
    ).toBe(0);
    await session.screenshot('check-draft-version-summary');
    await page.keyboard.press('Escape');
    expect(session.consoleErrors).toEqual([]);
  }, 120_000);

  it('runs one node again with its new settings on the input of the last test run', async () => {
    const { page, hookflow } = session;
    const { id, triggerUrl } = await hookflow.api.workflows.import.mutate({
      document: workflow(sink.url),
    });
    await fetch(hookflow.localUrl(triggerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'o9', total: 300 }),
    });
    // The request, kept because the workflow is not published, saved as a named sample.
    const logged = await eventually(async () => {
      const { items } = await hookflow.api.requests.list.query({ workflowId: id, limit: 10 });
      return items[0]?.eventId ? items[0] : undefined;
    });
    await hookflow.api.samples.save.mutate({
      workflowId: id,
      eventId: logged.eventId!,
      name: 'Order 300',
    });

    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'crm').waitFor();
    // Never published, never run: nothing to check against yet, and the dialog says so.
    await page.getByTestId('check-draft').click();
    await page.getByTestId('check-empty').waitFor();
    await session.screenshot('check-draft-empty');
    await page.getByTestId('dialog-close').click();

    await page.getByTestId('test-run').click();
    await page.locator('[data-testid="test-run-summary"][data-status="succeeded"]').waitFor();
    const sent = sink.received.length;

    // Raise the threshold above the order's total, then run just the filter again.
    await card(page, 'big_orders').click();
    expect(
      await card(page, 'big_orders').getByTestId('node-test-badge').getAttribute('data-status'),
    ).toBe('succeeded');
    await setJson(page, 'conditions', conditions(500));
    await page.getByTestId('run-node-again').click();
    await eventually(async () =>
      (await card(page, 'big_orders')
        .getByTestId('node-test-badge')
        .getAttribute('data-status')) === 'filtered'
        ? true
        : undefined,
    );
    await page.getByTestId('ran-again').waitFor();
    expect(await page.locator('[data-testid="step-result"]').getAttribute('data-status')).toBe(
      'filtered',
    );
    // Only that node ran: the request after it was not sent again.
    expect(sink.received.length).toBe(sent);
    expect(await card(page, 'crm').getByTestId('node-test-badge').getAttribute('data-status')).toBe(
      'succeeded',
    );
    await session.screenshot('run-node-again');
    expect(session.consoleErrors).toEqual([]);
  }, 90_000);
});
