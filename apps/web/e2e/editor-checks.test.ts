import { WORKFLOW_FORMAT } from '@hookflow/engine';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession, until } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const badges = (page: Page, key: string) => card(page, key).getByTestId('node-issue-badge').count();

/** A trigger and two requests: one signs in with a credential that does not exist, one has no URL. */
const document = {
  format: WORKFLOW_FORMAT,
  name: 'Checked',
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
      id: 'shop',
      key: 'shop',
      type: 'http-request',
      name: 'Shop',
      config: { url: 'https://shop.example.com/orders', auth: { $credential: 'cred_gone' } },
      position: { x: 320, y: 0 },
    },
    {
      id: 'crm',
      key: 'crm',
      type: 'http-request',
      name: 'CRM',
      config: {},
      position: { x: 320, y: 200 },
    },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'shop' },
    { id: 'e2', source: 'trigger', target: 'crm' },
  ],
  settings: {},
};

describe('the live check of the draft in a real browser', () => {
  it("opens with the server's problems, checks from the first change on, credentials included", async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const workflow = await api.workflows.import.mutate({ document });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));

    // At open, the server's check of the draft: both problems shown, no checker started.
    await page.goto(session.url(`/workflows/${workflow.id}/edit`));
    await until(
      async () => (await badges(page, 'shop')) === 1 && (await badges(page, 'crm')) === 1,
    );
    await card(page, 'shop').click();
    const auth = page.getByTestId('field-auth').getByTestId('field-issues');
    await auth.waitFor();
    expect(await auth.textContent()).toContain('credential cred_gone does not exist');
    // Long enough for a checker started at open to have announced itself.
    await page.waitForTimeout(500);
    expect(workers).toEqual([]);

    // The first change starts the checker; the missing credential is still found (the check
    // has the stored credentials as the server's has), the filled-in URL no longer is.
    await card(page, 'crm').click();
    await page
      .getByTestId('field-url')
      .locator('.cm-content')
      .fill('https://crm.example.com/leads');
    await until(async () => (await badges(page, 'crm')) === 0);
    expect(workers).toHaveLength(1);
    expect(await badges(page, 'shop')).toBe(1);
    await card(page, 'shop').click();
    await auth.waitFor();
    expect(await auth.textContent()).toContain('credential cred_gone does not exist');
    await session.screenshot('editor-checks-after-change');

    // Undone back to the document as opened, it is checked again: the URL is missing again.
    await card(page, 'crm').click();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await until(async () => (await badges(page, 'crm')) === 1);
    expect(await badges(page, 'shop')).toBe(1);
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
});
