import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardingWorkflow, startSink } from '@hookflow/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let sink: Awaited<ReturnType<typeof startSink>>;

beforeAll(async () => {
  session = await startBrowserSession();
  sink = await startSink();
}, 60_000);

afterAll(async () => {
  await session?.close();
  await sink?.close();
});

const sendWebhook = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the web app in a real browser', () => {
  it('imports a workflow, shows its runs live, and a run step by step', async () => {
    const { page } = session;
    await page.goto(session.url('/'));
    await page.getByTestId('workflows-empty').waitFor();
    await session.screenshot('workflows-empty');

    const file = join(mkdtempSync(join(tmpdir(), 'hookflow-e2e-')), 'orders.json');
    writeFileSync(file, JSON.stringify(forwardingWorkflow(sink.url)));
    await page.getByTestId('import-file').setInputFiles(file);
    const imported = page.getByTestId('import-trigger-url');
    await imported.waitFor();
    const triggerUrl = session.hookflow.localUrl((await imported.textContent())!.trim());
    await page.getByTestId('workflow-row').first().waitFor();
    expect(await page.getByTestId('workflow-name').first().textContent()).toContain(
      'Forward orders',
    );

    // A webhook sent while the runs page is open appears without a reload.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-empty').waitFor();
    const first = await sendWebhook(triggerUrl, { hello: 'browser' });
    expect(first.status).toBe(202);
    const row = page.locator('[data-testid="run-row"][data-status="succeeded"]');
    await row.first().waitFor({ timeout: 15_000 });
    await sendWebhook(triggerUrl, { hello: 'again' });
    await page
      .locator('[data-testid="run-row"][data-status="succeeded"]')
      .nth(1)
      .waitFor({ timeout: 15_000 });
    await session.screenshot('runs-list');

    await row.first().getByRole('link').first().click();
    await page.getByTestId('step-row').first().waitFor();
    const steps = page.getByTestId('step-row');
    expect(await steps.count()).toBe(2);
    expect(await steps.nth(1).getAttribute('data-node-key')).toBe('forward');
    expect(await steps.nth(1).getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('event-body').textContent()).toContain('again');
    await session.screenshot('run-detail');

    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('workflow-row').first().waitFor();
    // The list first shows what it cached before the runs (0), then refetches.
    await page.getByTestId('runs-24h').filter({ hasText: '2' }).first().waitFor();
    await session.screenshot('workflows-list');

    expect(sink.received).toHaveLength(2);
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);

  it('explains a refused import in the page', async () => {
    const { page } = session;
    await page.goto(session.url('/'));
    const file = join(mkdtempSync(join(tmpdir(), 'hookflow-e2e-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'something-else', name: 'x', nodes: [] }));
    await page.getByTestId('import-file').setInputFiles(file);
    const message = page.getByTestId('error-message');
    await message.waitFor();
    expect(await message.textContent()).toContain('format must be "hookflow/workflow@1"');
    await session.screenshot('import-error');
  }, 30_000);
});
