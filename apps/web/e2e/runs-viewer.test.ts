import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession } from './harness.ts';

const SECRET = 'gh_secret_e2e_7f3a';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let shop: Awaited<ReturnType<typeof startShop>>;

/**
 * The service the workflow calls, on loopback: `/v2/orders` answers 200, the old `/v1/orders`
 * 404, and everything 503 while it is `down`.
 */
async function startShop() {
  let down = false;
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(`${req.url} ${Buffer.concat(chunks).toString()}`);
      const status = down ? 503 : req.url?.startsWith('/v2/orders') ? 200 : 404;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { stored: true } : { error: 'no such endpoint' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    setDown: (value: boolean) => {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function relayDocument(url: string) {
  return {
    format: WORKFLOW_FORMAT,
    name: 'Shop orders',
    nodes: [
      {
        id: 'trigger',
        key: 'trigger',
        type: 'webhook-trigger',
        name: 'Webhook',
        config: { auth: { type: 'github', secrets: [SECRET] } },
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

const sign = (content: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(content).digest('hex')}`;

function send(url: string, body: unknown, secret = SECRET) {
  const content = JSON.stringify(body);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(content, secret) },
    body: content,
  });
}

beforeAll(async () => {
  session = await startBrowserSession();
  shop = await startShop();
}, 60_000);

afterAll(async () => {
  await session?.close();
  await shop?.close();
});

describe('the run history viewer in a real browser', () => {
  let workflowId: string;
  let triggerUrl: string;

  it('finds a failing run by filter, shows its failing node, and replays it once fixed', async () => {
    const { page, hookflow } = session;
    const imported = await hookflow.api.workflows.import.mutate({
      document: relayDocument(`${shop.url}/v1/orders`),
      publish: true,
    });
    workflowId = imported.id;
    triggerUrl = hookflow.localUrl(imported.triggerUrl);

    // A few runs: the endpoint is wrong, so every one fails with a 404.
    for (const order of ['A-1000', 'A-1001', 'B-2002']) {
      const answer = await send(triggerUrl, { order, email: `${order.toLowerCase()}@example.com` });
      expect(answer.status).toBe(202);
    }

    await page.goto(session.url('/runs'));
    await page.getByTestId('status-filter').selectOption('failed');
    await page.locator('[data-testid="run-row"][data-status="failed"]').nth(2).waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
    await page.getByTestId('workflow-filter').selectOption(workflowId);
    await page.locator('[data-testid="run-row"][data-status="failed"]').nth(2).waitFor();
    const rows = page.getByTestId('run-row');
    expect(await rows.count()).toBe(3);
    await page.getByTestId('count-failed').filter({ hasText: '3' }).waitFor();

    // Text search in the event body narrows it to the one order.
    await page.getByTestId('search-filter').fill('a-1001@example');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="run-row"]').length === 1,
    );
    expect(new URL(page.url()).searchParams.get('q')).toBe('a-1001@example');
    await page.getByTestId('count-all').filter({ hasText: '1' }).waitFor();
    await session.screenshot('runs-viewer-list-search');
    await rows.first().getByRole('link').first().click();

    // The graph colours the failing node; the inspector opens on it with its error and input.
    await page.locator('[data-testid="run-node"][data-node-key="forward"]').waitFor();
    expect(
      await page
        .locator('[data-testid="run-node"][data-node-key="forward"]')
        .getAttribute('data-state'),
    ).toBe('failed');
    expect(
      await page
        .locator('[data-testid="run-node"][data-node-key="trigger"]')
        .getAttribute('data-state'),
    ).toBe('succeeded');
    const inspector = page.getByTestId('step-inspector');
    expect(await inspector.getAttribute('data-node-key')).toBe('forward');
    expect(await inspector.getByTestId('inspector-error-message').textContent()).toContain('404');
    expect(await inspector.getByTestId('step-input').textContent()).toContain('A-1001');
    expect(await page.getByTestId('step-row').count()).toBe(2);

    // The JSON viewer finds a value and copies its path as an expression.
    const output = page.getByTestId('step-input');
    await output.getByTestId('json-search').fill('a-1001@');
    expect(await output.getByTestId('json-match-count').textContent()).toBe('1 match');
    const match = output.locator('[data-match="true"]');
    expect(await match.getByTestId('json-copy-path').first().getAttribute('data-expression')).toBe(
      '{{ input.body.email }}',
    );

    // A click on the trigger node shows what it passed on.
    await page.locator('[data-testid="run-node"][data-node-key="trigger"]').click();
    expect(await inspector.getAttribute('data-node-key')).toBe('trigger');
    await page.getByTestId('event-raw-toggle').click();
    expect(await page.getByTestId('event-raw').textContent()).toContain('x-hub-signature-256');
    await page.getByTestId('event-raw-toggle').click();
    await page.locator('[data-testid="run-node"][data-node-key="forward"]').click();
    await session.screenshot('runs-viewer-run-detail');

    // Fix the workflow (the new endpoint) and publish it; replay the run on that version.
    const detail = await hookflow.api.workflows.get.query({ id: workflowId });
    await hookflow.api.workflows.saveDraft.mutate({
      id: workflowId,
      document: relayDocument(`${shop.url}/v2/orders`),
    });
    await hookflow.api.workflows.publish.mutate({ id: workflowId, note: 'the v2 endpoint' });
    expect(detail.versions).toHaveLength(1);
    await page.getByTestId('replay-run').click();
    await page.getByTestId('replay-of').waitFor();
    await page.locator('h1 [data-testid="run-status"][data-status="succeeded"]').waitFor({
      timeout: 15_000,
    });
    expect(shop.received.at(-1)).toContain('/v2/orders');
    expect(shop.received.at(-1)).toContain('A-1001');
    expect(session.consoleErrors).toEqual([]);
  }, 90_000);

  it('resumes a run that failed on an outage from its failed step, live', async () => {
    const { page } = session;
    shop.setDown(true);
    const answer = await send(triggerUrl, { order: 'C-3003' });
    const { runId } = (await answer.json()) as { runId: string };
    await page.goto(session.url(`/runs/${runId}`));
    await page.locator('h1 [data-testid="run-status"][data-status="failed"]').waitFor({
      timeout: 15_000,
    });
    expect(await page.getByTestId('inspector-error-message').textContent()).toContain('503');

    shop.setDown(false);
    await page.getByTestId('resume-run').click();
    // No reload: the live update brings the new status.
    await page.locator('h1 [data-testid="run-status"][data-status="succeeded"]').waitFor({
      timeout: 15_000,
    });
    expect(
      await page
        .locator('[data-testid="run-node"][data-node-key="forward"]')
        .getAttribute('data-state'),
    ).toBe('succeeded');
    // The trigger step ran once; the failed step ran again as attempt 2.
    expect(await page.getByTestId('step-row').count()).toBe(3);
    expect(shop.received.at(-1)).toContain('C-3003');
  }, 60_000);

  it('shows a new run in the list as it arrives, without a reload', async () => {
    const { page } = session;
    await page.goto(session.url(`/runs?workflow=${workflowId}`));
    await page.getByTestId('run-row').first().waitFor();
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
    const before = await page.getByTestId('run-row').count();
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const answer = await send(triggerUrl, { order: 'D-4004' });
    const { runId } = (await answer.json()) as { runId: string };
    await page
      .locator(`[data-testid="run-row"][data-run-id="${runId}"][data-status="succeeded"]`)
      .waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('run-row').count()).toBe(before + 1);
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded),
    ).toBe(true);
    // The counts follow (they are refetched at most every 5 s under a burst of events).
    await page.getByTestId('count-succeeded').filter({ hasText: '3' }).waitFor({ timeout: 10_000 });
    await session.screenshot('runs-viewer-list');
  }, 60_000);

  it('replays several failed runs at once', async () => {
    const { page } = session;
    await page.goto(session.url(`/runs?workflow=${workflowId}&status=failed`));
    await page.locator('[data-testid="run-row"][data-status="failed"]').nth(1).waitFor();
    const failed = await page.getByTestId('run-row').count();
    await page.getByTestId('select-failed').click();
    await page.getByTestId('bulk-replay').click();
    const result = page.getByTestId('bulk-result');
    await result.waitFor();
    expect(await result.textContent()).toContain(`Replayed ${failed} runs`);
    await page.getByTestId('status-filter').selectOption('succeeded');
    // Each replay runs on the fixed version and succeeds.
    await page
      .locator('[data-testid="run-row"] [data-testid="replay-marker"]')
      .nth(failed)
      .waitFor({ timeout: 15_000 });
  }, 60_000);

  it('logs a refused request (bad signature) with its reason, beside the accepted ones', async () => {
    const { page } = session;
    const refused = await send(triggerUrl, { order: 'E-5005' }, 'not the secret');
    expect(refused.status).toBe(401);
    await page.goto(session.url(`/workflows/${workflowId}/requests`));
    const row = page.locator('[data-testid="request-row"][data-outcome="refused"]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-reason')).toBe('bad_signature');
    expect(await row.getByTestId('request-reason').textContent()).toContain('Bad signature');
    expect(await row.getByTestId('request-status').textContent()).toBe('401');
    // Its headers, with the signature masked.
    await row.getByRole('button', { name: 'Show the request headers' }).click();
    const headers = await page.getByTestId('request-headers').textContent();
    expect(headers).toContain('x-hub-signature-256');
    expect(headers).not.toContain(sign(JSON.stringify({ order: 'E-5005' }), 'not the secret'));
    const accepted = page.locator('[data-testid="request-row"][data-outcome="accepted"]');
    expect(await accepted.count()).toBe(5);
    // An accepted request links to the run it created.
    await accepted.first().getByTestId('request-run').waitFor();

    // A request sent while the log is open appears on its own.
    await send(triggerUrl, { order: 'F-6006' }, 'still wrong');
    await page
      .locator('[data-testid="request-row"][data-outcome="refused"]')
      .nth(1)
      .waitFor({ timeout: 10_000 });
    await session.screenshot('runs-viewer-request-log');
  }, 60_000);

  it('draws the overview chart from the real history', async () => {
    const { page, hookflow } = session;
    const overview = await hookflow.api.stats.overview.query({ workflowId });
    const total = Object.values(overview.totals).reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThanOrEqual(8);
    await page.goto(session.url(`/workflows/${workflowId}/overview`));
    const chart = page.getByTestId('runs-chart');
    await chart.waitFor();
    expect(Number(await chart.getAttribute('data-total'))).toBe(total);
    expect(await chart.getByTestId('chart-column').count()).toBe(24);
    expect(await chart.locator('rect[data-status="failed"]').count()).toBeGreaterThan(0);
    expect(await chart.locator('rect[data-status="succeeded"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('overview-total').textContent()).toBe(String(total));
    expect(await page.getByTestId('top-error').first().textContent()).toContain('404');
    await session.screenshot('runs-viewer-overview');
    await page.getByTestId('range-7d').click();
    await page
      .locator('[data-testid="chart-column"]')
      .nth(7 * 24 - 1)
      .waitFor();
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);

  it('exports a run, opens its event in the editor as a sample, and deletes it', async () => {
    const { page, hookflow } = session;
    const { items } = await hookflow.api.runs.list.query({ workflowId, status: 'failed' });
    const run = items[0]!;
    await page.goto(session.url(`/runs/${run.id}`));
    await page.locator('[data-testid="run-node"][data-node-key="forward"]').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-run').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${run.id}.json`);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      format: string;
      run: { id: string };
      steps: unknown[];
    };
    expect(exported.format).toBe('hookflow/run@1');
    expect(exported.run.id).toBe(run.id);
    expect(exported.steps).toHaveLength(2);

    await page.getByTestId('debug-in-editor').click();
    await page.waitForURL(/\/workflows\/[^/]+\/edit\?sample=smp_/);
    const sampleId = new URL(page.url()).searchParams.get('sample');
    const samples = await hookflow.api.samples.list.query({ workflowId });
    expect(samples.find((sample) => sample.id === sampleId)?.eventId).toBe(run.eventId);
    const select = page.getByTestId('sample-select');
    await select.waitFor();
    expect(await select.inputValue()).toBe(sampleId);
    // The editor picks the sample the URL names, not merely the newest one.
    const newer = await hookflow.api.samples.save.mutate({
      workflowId,
      eventId: run.eventId,
      name: 'Saved later',
    });
    await page.goto(session.url(`/workflows/${workflowId}/edit?sample=${sampleId}`));
    await select.waitFor();
    await expect.poll(() => select.locator('option').count()).toBe(samples.length + 1);
    expect(await select.inputValue()).toBe(sampleId);
    expect(newer.id).not.toBe(sampleId);

    await page.goto(session.url(`/runs/${run.id}`));
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByTestId('delete-run').click();
    await page.waitForURL((url) => url.pathname === '/runs');
    await page.getByTestId('run-row').first().waitFor();
    expect(await page.locator(`[data-run-id="${run.id}"]`).count()).toBe(0);
    await page.goto(session.url(`/runs/${run.id}`));
    await page.getByTestId('run-not-found').waitFor();
  }, 60_000);

  it('loads the next page as the end of the list scrolls into view', async () => {
    const { page, hookflow } = session;
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => send(triggerUrl, { order: `G-${batch}-${i}` })),
      );
    }
    const { items } = await hookflow.api.runs.counts.query({ workflowId }).then((counts) => ({
      items: counts.total,
    }));
    expect(items).toBeGreaterThan(60);
    await page.goto(session.url(`/runs?workflow=${workflowId}`));
    await page.getByTestId('run-row').nth(49).waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(50);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.getByTestId('run-row').nth(50).waitFor();
    await page.getByTestId('runs-end').waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(items);
  }, 60_000);
});
