import { WORKFLOW_FORMAT } from '@hookflow/engine';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const document = (url: string) => ({
  format: WORKFLOW_FORMAT,
  name: 'Versioned',
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
      name: 'CRM',
      config: { url },
      position: { x: 320, y: 0 },
    },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'crm' }],
  settings: {},
});

const saved = (page: Page) =>
  page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();

describe('versions and concurrent drafts', () => {
  it('lists versions, shows what the draft changes, and restores one (undoably)', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const { id } = await api.workflows.import.mutate({
      document: document('https://v1.example.com/in'),
      publish: true,
    });
    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'crm').click();
    const url = page.getByTestId('expression-url').locator('.cm-content');
    await url.fill('https://v2.example.com/in');
    await saved(page);
    await page.getByTestId('publish').click();
    // Publish asks for an optional note first.
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('publish-result').waitFor();
    await url.fill('https://draft.example.com/in');
    await saved(page);

    await page.getByTestId('open-versions').click();
    await page.getByTestId('versions-dialog').waitFor();
    expect(await page.getByTestId('version-item').count()).toBe(2);
    await page.locator('[data-testid="version-item"][data-version="1"]').click();
    expect(await page.getByTestId('diff-changed').textContent()).toBe('Changed crm: config.url');
    await session.screenshot('editor-versions');

    await page.getByTestId('restore-version').click();
    await page.getByTestId('versions-dialog').waitFor({ state: 'detached' });
    await card(page, 'crm').click();
    expect(await url.textContent()).toBe('https://v1.example.com/in');
    await saved(page);
    let stored = await api.workflows.get.query({ id });
    expect(stored.document.nodes[1]!.config.url).toBe('https://v1.example.com/in');
    expect(stored.versions).toHaveLength(2);

    // Undo puts the draft back as it was before the restore.
    await page.getByTestId('undo').click();
    expect(await url.textContent()).toBe('https://draft.example.com/in');
    await saved(page);
    stored = await api.workflows.get.query({ id });
    expect(stored.document.nodes[1]!.config.url).toBe('https://draft.example.com/in');
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);

  it('does not let two tabs silently overwrite each other', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const { id } = await api.workflows.import.mutate({
      document: document('https://a.example.com'),
    });
    await page.goto(session.url(`/workflows/${id}/edit`));
    await card(page, 'crm').waitFor();
    const other = await page.context().newPage();
    try {
      await other.goto(session.url(`/workflows/${id}/edit`));
      await card(other, 'crm').waitFor();
      await other.getByTestId('workflow-name-input').fill('Renamed in the other tab');
      await saved(other);

      await page.getByTestId('workflow-name-input').fill('Renamed in this tab');
      await page.getByTestId('save-conflict').waitFor();
      expect(await page.getByTestId('save-status').getAttribute('data-status')).toBe('conflict');
      expect((await api.workflows.get.query({ id })).name).toBe('Renamed in the other tab');
      await session.screenshot('editor-save-conflict');

      await page.getByTestId('conflict-overwrite').click();
      await saved(page);
      await page.getByTestId('save-conflict').waitFor({ state: 'detached' });
      expect((await api.workflows.get.query({ id })).name).toBe('Renamed in this tab');
    } finally {
      await other.close();
    }
    // Chromium logs the refused save (409); nothing else may reach the console.
    expect(session.consoleErrors.filter((message) => !message.includes('409'))).toEqual([]);
    session.consoleErrors.length = 0;
  }, 60_000);
});
