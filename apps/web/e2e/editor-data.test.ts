import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { eventually, startSink } from '@hookflow/server/testing';
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

/** Webhook -> HTTP request, not published: what a user has after dragging two nodes. */
const draft = (url: string) => ({
  format: WORKFLOW_FORMAT,
  name: 'Shop orders to CRM',
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
      id: 'crm',
      key: 'crm',
      type: 'http-request',
      name: 'Send to CRM',
      config: { url },
      position: { x: 320, y: 0 },
    },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'crm' }],
  settings: {},
});

describe('mapping data from a captured sample and test runs', () => {
  it('captures a request, maps a value from the tree, test-runs and shows each node result', async () => {
    const { page } = session;
    const { id, triggerUrl } = await session.hookflow.api.workflows.import.mutate({
      document: draft(`${sink.url}/contacts`),
    });
    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'crm').waitFor();
    expect(await page.getByTestId('test-run').isDisabled()).toBe(true);
    await page.getByTestId('no-sample').waitFor();

    // Listen, then send a request to the trigger URL with an ordinary HTTP client.
    await page.getByTestId('listen').click();
    await page.getByTestId('listening').waitFor();
    const sent = await fetch(`${session.hookflow.localUrl(triggerUrl)}?source=shop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shop-event': 'order.created' },
      body: JSON.stringify({ order: { id: 4711, customer: { email: 'ada@example.com' } } }),
    });
    expect(sent.status).toBe(202);
    await page.getByTestId('captured').waitFor();
    expect(await page.getByTestId('captured').textContent()).toContain('POST');
    await page.getByTestId('trigger-tree').waitFor();
    expect(await page.getByTestId('test-run').isDisabled()).toBe(false);
    await session.screenshot('editor-sample-captured');

    // The URL field: type, then pick the order id from the tree at the cursor.
    await card(page, 'crm').click();
    const url = page.getByTestId('expression-url').locator('.cm-content');
    await url.click();
    await page.keyboard.press('End');
    await page.keyboard.type('/');
    // The body starts open (two levels); the headers start closed.
    expect(
      await page
        .locator('[data-testid="tree-toggle"][data-path="trigger.headers"]')
        .getAttribute('aria-expanded'),
    ).toBe('false');
    await page.locator('[data-testid="tree-value"][data-path="trigger.body.order.id"]').click();
    expect(await url.textContent()).toBe(`${sink.url}/contacts/{{ trigger.body.order.id }}`);
    const preview = page.getByTestId('preview-url');
    await eventually(async () =>
      (await preview.textContent())?.includes(`${sink.url}/contacts/4711`) ? true : undefined,
    );

    // Completion inside {{ }} offers the paths of the sample, headers with dashes included.
    await page.keyboard.type('?event={{');
    await page.keyboard.type(' trigger.headers.x-sh');
    // The list narrows to what was typed, the match chosen.
    const option = page.locator('.cm-tooltip-autocomplete li[aria-selected]', {
      hasText: 'trigger.headers.`x-shop-event`',
    });
    await option.waitFor();
    await session.screenshot('editor-expression-completion');
    await page.keyboard.press('Enter');
    expect(await url.textContent()).toBe(
      `${sink.url}/contacts/{{ trigger.body.order.id }}?event={{ trigger.headers.\`x-shop-event\`}}`,
    );
    await eventually(async () =>
      (await preview.textContent())?.includes('/contacts/4711?event=order.created')
        ? true
        : undefined,
    );

    // A broken expression says what is wrong, in place.
    await page.keyboard.type(' + ');
    await eventually(async () =>
      (await preview.getAttribute('data-state')) === 'error' ? true : undefined,
    );
    expect(await preview.textContent()).toMatch(/Error:.*character/);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await eventually(async () =>
      (await preview.getAttribute('data-state')) === 'value' ? true : undefined,
    );
    await session.screenshot('editor-expression-preview');

    // Test run of the unsaved canvas: the HTTP request really goes out; nothing is published.
    await page.getByTestId('test-run').click();
    await page.locator('[data-testid="test-run-summary"][data-status="succeeded"]').waitFor();
    expect(sink.received.map((request) => request.url)).toEqual([
      '/contacts/4711?event=order.created',
    ]);
    expect(await card(page, 'crm').getByTestId('node-test-badge').getAttribute('data-status')).toBe(
      'succeeded',
    );
    expect(
      await card(page, 'trigger').getByTestId('node-test-badge').getAttribute('data-status'),
    ).toBe('succeeded');
    const result = page.getByTestId('step-result');
    await result.waitFor();
    expect(await result.getByTestId('step-output').textContent()).toContain('"status": 201');
    await session.screenshot('editor-test-run');

    // A failing step: a badge on its card and its error beside the data.
    sink.setStatus(500);
    await page.getByTestId('test-run').click();
    await page.locator('[data-testid="test-run-summary"][data-status="failed"]').waitFor();
    expect(await card(page, 'crm').getByTestId('node-test-badge').getAttribute('data-status')).toBe(
      'failed',
    );
    expect(await page.getByTestId('step-error').textContent()).toMatch(/500/);
    await session.screenshot('editor-test-run-failed');
    sink.setStatus(201);

    // Nothing of this reached the run history, and nothing was published.
    const detail = await session.hookflow.api.workflows.get.query({ id });
    expect(detail.publishedVersionId).toBeNull();
    expect((await session.hookflow.api.runs.list.query({ workflowId: id })).items).toEqual([]);
    expect(session.consoleErrors).toEqual([]);
  }, 90_000);
});
