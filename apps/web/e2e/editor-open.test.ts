import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, until } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const workflowDocument = {
  format: WORKFLOW_FORMAT,
  name: 'Opened from its page',
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
      id: 'shape',
      key: 'shape',
      type: 'transform',
      name: 'Shape',
      config: { mode: 'expression', expression: '{{ trigger.body }}' },
      position: { x: 320, y: 0 },
    },
  ],
  edges: [{ id: 'e1', source: 'trigger', target: 'shape' }],
  settings: {},
};

describe('opening the editor from a link in a real browser', () => {
  it('loads its code and the workflow before the page changes: no loading screen, one request', async () => {
    const { page } = session;
    const workflow = await session.hookflow.api.workflows.import.mutate({
      document: workflowDocument,
    });
    await page.goto(session.url(`/workflows/${workflow.id}`));
    const edit = page.getByTestId('edit-workflow');
    await edit.waitFor();

    // Everything a loading state would show, from the click on.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { loadingSeen: string[] }).loadingSeen = seen;
      new MutationObserver(() => {
        for (const element of document.querySelectorAll('.loading')) {
          if (!seen.includes(element.textContent ?? '')) seen.push(element.textContent ?? '');
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('workflows.get')) asked.push(request.url());
    });

    await edit.click();
    await page.locator('[data-testid="node-card"][data-node-key="shape"]').waitFor();
    await page.locator('.react-flow__edge[data-id="e1"]').waitFor({ state: 'attached' });
    // The page's code came before the page changed: React's "Loading the page" (which it keeps
    // on screen for at least 300 ms) never showed.
    const seen = await page.evaluate(
      () => (window as unknown as { loadingSeen: string[] }).loadingSeen,
    );
    expect(seen.filter((text) => text.includes('the page'))).toEqual([]);
    // The workflow fetched with the code is the one the editor opened with, not fetched again.
    expect(asked).toHaveLength(1);
    expect(await page.getByTestId('workflow-name-input').inputValue()).toBe('Opened from its page');
    await session.screenshot('editor-opened-from-its-page');
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);

  it('goes where the latest click asked while the editor code was still coming', async () => {
    const { page } = session;
    const workflow = await session.hookflow.api.workflows.import.mutate({
      document: { ...workflowDocument, name: 'Overtaken' },
    });
    // The editor's code comes slowly: the click on Runs lands while Edit still waits for it.
    let editorCodeServed = false;
    await page.route(/\/assets\/editor-page-.*\.js$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
      editorCodeServed = true;
    });
    try {
      await page.goto(session.url(`/workflows/${workflow.id}`));
      await page.getByTestId('edit-workflow').click();
      await page.getByRole('link', { name: 'Runs' }).first().click();
      await page.waitForURL(/\/runs$/);
      await until(async () => editorCodeServed);
      // The Edit click's page came after the Runs click: it does not take the page back.
      await page.waitForTimeout(300);
      expect(new URL(page.url()).pathname).toBe('/runs');
      expect(await page.getByTestId('editor').count()).toBe(0);
    } finally {
      await page.unroute(/\/assets\/editor-page-.*\.js$/);
    }
  }, 60_000);
});
