import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let shop: Awaited<ReturnType<typeof startShop>>;

/** The service the workflow calls, on loopback: `/v2/orders` answers 200, anything else 404. */
async function startShop() {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(`${req.url} ${Buffer.concat(chunks).toString()}`);
      const found = req.url === '/v2/orders';
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(found ? { stored: true } : { error: 'no such endpoint' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function relayDocument(name: string, url: string) {
  return {
    format: WORKFLOW_FORMAT,
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
      {
        id: 'forward',
        key: 'forward',
        type: 'http-request',
        name: 'Store the order',
        config: { method: 'POST', url, body: '{{ trigger.body }}' },
        position: { x: 300, y: 0 },
      },
    ],
    edges: [{ id: 'e', source: 'trigger', target: 'forward' }],
    settings: {},
  };
}

async function send(url: string, body: unknown): Promise<string> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(202);
  return ((await answer.json()) as { runId: string }).runId;
}

beforeAll(async () => {
  session = await startBrowserSession();
  shop = await startShop();
}, 60_000);

afterAll(async () => {
  await session?.close();
  await shop?.close();
});

const heading = (status: string) => `h1 [data-testid="run-status"][data-status="${status}"]`;

describe('resuming a failed run on the fixed workflow, in a real browser', () => {
  it('finds the failing run, fixes the workflow in the editor, and resumes it to success', async () => {
    const { page, hookflow } = session;
    const imported = await hookflow.api.workflows.import.mutate({
      document: relayDocument('Webshop', `${shop.url}/v1/orders`),
      publish: true,
    });
    const triggerUrl = hookflow.localUrl(imported.triggerUrl);
    // The endpoint is wrong (v1 is gone): every run fails with a 404.
    for (const order of ['A-1000', 'B-2002', 'C-3003']) {
      await send(triggerUrl, { order, email: `${order.toLowerCase()}@example.com` });
    }

    // Found by status and workflow filters, then by text in the event body.
    await page.goto(session.url('/runs'));
    await page.getByTestId('status-filter').selectOption('failed');
    await page.getByTestId('workflow-filter').selectOption(imported.id);
    await page.locator('[data-testid="run-row"][data-status="failed"]').nth(2).waitFor();
    await page.getByTestId('search-filter').fill('b-2002@example');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-row"]').length === 1,
    );
    await page.getByTestId('run-row').first().getByRole('link').first().click();

    // The failing node, with its error and its input.
    await page.locator('[data-testid="run-node"][data-node-key="forward"]').waitFor();
    const runUrl = page.url();
    const runId = runUrl.split('/').at(-1)!;
    const inspector = page.getByTestId('step-inspector');
    expect(await inspector.getAttribute('data-node-key')).toBe('forward');
    expect(await inspector.getByTestId('inspector-error-message').textContent()).toContain('404');
    expect(await inspector.getByTestId('step-input').textContent()).toContain('B-2002');
    // Nothing newer is published yet: only the resume on the version it ran.
    await page.getByTestId('resume-run').waitFor();
    expect(await page.getByTestId('resume-run-current').count()).toBe(0);

    // Into the editor with this event, fix the URL in the config panel, publish.
    await page.getByTestId('debug-in-editor').click();
    await page.waitForURL(`**/workflows/${imported.id}/edit**`);
    await page.locator('[data-testid="node-card"][data-node-key="forward"]').click();
    await page.getByTestId('expression-url').locator('.cm-content').fill(`${shop.url}/v2/orders`);
    await page
      .locator('[data-testid="save-status"][data-status="saved"]')
      .waitFor({ timeout: 5000 });
    await page.getByTestId('publish').click();
    // Publish asks for an optional note first.
    await page.getByTestId('publish-confirm').click();
    await page.getByTestId('publish-result').waitFor();
    expect(await page.getByTestId('publish-result').textContent()).toContain('version 2');

    // Back to the run: it can now resume on the published version.
    await page.goBack();
    await page.waitForURL(runUrl);
    const current = page.getByTestId('resume-run-current');
    await current.waitFor();
    expect(await current.textContent()).toBe('Resume on version 2 (current)');
    expect(await page.getByTestId('resume-run').textContent()).toBe('Resume from failed step');
    await session.screenshot('runs-viewer-resume-offer');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await current.click();
    // Live: no reload brings the new status.
    await page.locator(heading('succeeded')).waitFor({ timeout: 15_000 });
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    expect(
      await page
        .locator('[data-testid="run-node"][data-node-key="forward"]')
        .getAttribute('data-state'),
    ).toBe('succeeded');
    // The run now shows the version it finished on; the trigger step was not run again.
    await page.getByTestId('run-timings').filter({ hasText: 'v2' }).waitFor();
    expect(await page.getByTestId('step-row').count()).toBe(3);
    expect(await page.getByTestId('resume-run-current').count()).toBe(0);
    await session.screenshot('runs-viewer-resumed-on-current');

    const stored = await hookflow.api.runs.get.query({ id: runId });
    expect(stored.steps.map((step) => [step.nodeKey, step.status, step.attempt])).toEqual([
      ['trigger', 'succeeded', 1],
      ['forward', 'failed', 1],
      ['forward', 'succeeded', 2],
    ]);
    expect(shop.received.filter((line) => line.includes('B-2002'))).toEqual([
      expect.stringMatching(/^\/v1\/orders /),
      expect.stringMatching(/^\/v2\/orders /),
    ]);
    expect(session.consoleErrors).toEqual([]);
  }, 90_000);

  it('says why when the workflow is gone by the time the resume is asked for', async () => {
    const { page, hookflow } = session;
    const imported = await hookflow.api.workflows.import.mutate({
      document: relayDocument('Returns', `${shop.url}/v1/returns`),
      publish: true,
    });
    const runId = await send(hookflow.localUrl(imported.triggerUrl), { order: 'R-1' });
    await hookflow.api.workflows.saveDraft.mutate({
      id: imported.id,
      document: relayDocument('Returns', `${shop.url}/v2/orders`),
    });
    await hookflow.api.workflows.publish.mutate({ id: imported.id });
    await page.goto(session.url(`/runs/${runId}`));
    await page.locator(heading('failed')).waitFor({ timeout: 15_000 });
    await page.getByTestId('resume-run-current').waitFor();

    await hookflow.api.workflows.delete.mutate({ id: imported.id });
    await page.getByTestId('resume-run-current').click();
    const problem = page.getByTestId('error-message');
    await problem.waitFor();
    await session.screenshot('runs-viewer-resume-refused');
    expect(await problem.textContent()).toContain('Could not resume the run');
    expect(await problem.textContent()).toContain(
      `workflow ${imported.id} was deleted: its runs cannot be resumed on the current version`,
    );
    expect(await page.locator(heading('failed')).count()).toBe(1);
    expect((await hookflow.api.runs.get.query({ id: runId })).status).toBe('failed');
  }, 60_000);
});
