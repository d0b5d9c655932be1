import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const workflowDocument = (name: string) => ({
  format: 'hookflow/workflow@1',
  name,
  nodes: [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
  ],
  edges: [],
  settings: {},
});

describe('the audit log in a real browser', () => {
  it('lists workflow and credential changes, newest first, filters them and links to the workflow', async () => {
    const { page, hookflow } = session;
    const orders = await hookflow.api.workflows.import.mutate({
      document: workflowDocument('Orders'),
      publish: true,
    });
    const leads = await hookflow.api.workflows.import.mutate({
      document: workflowDocument('Leads'),
    });
    await hookflow.api.workflows.delete.mutate({ id: leads.id });
    await hookflow.api.credentials.create.mutate({
      name: 'CRM token',
      type: 'bearer',
      value: { token: 'never-on-the-page' },
    });

    await page.goto(session.url('/audit'));
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    expect(
      await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-action'))),
    ).toEqual([
      'credential.created',
      'workflow.deleted',
      'workflow.created',
      'workflow.published',
      'workflow.created',
    ]);
    await expect(rows.nth(3).textContent()).resolves.toContain('published workflow Orders');
    await expect(rows.nth(3).textContent()).resolves.toContain('version 1');
    expect(await page.content()).not.toContain('never-on-the-page');
    await session.screenshot('audit-log');

    // Only credential changes.
    await page.getByTestId('audit-filter').selectOption('credential.');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="audit-row"]').length === 1,
    );
    await expect(rows.first().textContent()).resolves.toContain('created credential CRM token');

    // The workflow that still exists is a link; the deleted one is its name only.
    await page.getByTestId('audit-filter').selectOption('workflow.');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="audit-row"]').length === 4,
    );
    expect(await rows.nth(0).locator('a').count()).toBe(0);
    expect(await rows.nth(1).locator('a').count()).toBe(0);
    await rows.nth(2).getByRole('link', { name: 'Orders' }).click();
    await page.waitForURL(`**/workflows/${orders.id}`);
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
});
