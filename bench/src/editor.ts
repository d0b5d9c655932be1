import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import { chromium } from 'playwright-core';
import { importInto } from './ingest.ts';
import { freePort, startHookflow } from './processes.ts';
import type { Row } from './report.ts';

/** The owner the editor benchmark signs in as. */
const BENCH_ADMIN = { email: 'bench@example.com', password: 'benchmark-password-1' };

const webIndex = fileURLToPath(new URL('../../apps/web/dist/index.html', import.meta.url));

/**
 * A workflow of `size` nodes: the trigger, then rows of filter -> transform -> HTTP request
 * chains fanning out from it, each node configured (expressions included) as users do.
 */
export function largeWorkflow(size: number) {
  const nodes: unknown[] = [
    {
      id: 'trigger',
      key: 'trigger',
      type: 'webhook-trigger',
      name: 'Webhook',
      config: {},
      position: { x: 0, y: 0 },
    },
  ];
  const edges: unknown[] = [];
  const kinds = ['filter', 'transform', 'http-request'] as const;
  for (let i = 1; i < size; i++) {
    const chain = Math.floor((i - 1) / kinds.length);
    const step = (i - 1) % kinds.length;
    const type = kinds[step]!;
    const id = `${type.replace('-', '_')}_${chain + 1}`;
    const config =
      type === 'filter'
        ? {
            conditions: {
              combinator: 'all',
              items: [
                {
                  type: 'text',
                  value: '{{ trigger.body.kind }}',
                  operator: 'equals',
                  operand: `kind-${chain}`,
                },
              ],
            },
          }
        : type === 'transform'
          ? { mode: 'expression', expression: `{{ { "chain": ${chain}, "id": trigger.body.id } }}` }
          : { url: `https://example.com/hooks/${chain}/{{ trigger.body.id }}` };
    nodes.push({
      id,
      key: id,
      type,
      name: `${type} ${chain + 1}`,
      config,
      position: { x: 320 * (step + 1), y: 120 * chain },
    });
    const source = step === 0 ? 'trigger' : `${kinds[step - 1]!.replace('-', '_')}_${chain + 1}`;
    edges.push({ id: `e${i}`, source, target: id });
  }
  return { format: WORKFLOW_FORMAT, name: `${size} nodes`, nodes, edges, settings: {} };
}

/** The id of the edge into a node of `largeWorkflow` (edges are numbered as the nodes). */
function edgeInto(nodeId: string): string {
  const document = largeWorkflow(300);
  const index = document.nodes.findIndex((node) => (node as { id: string }).id === nodeId);
  return `e${index}`;
}

/**
 * How long the editor takes to open a workflow of 300 nodes in headless Chromium: to the whole
 * workflow fitted in view and drawn, the cards in view with their edges ("open"; cards out of
 * view are not drawn until they come into view), and until a click on a card in the middle has
 * opened its settings ("interactive"). Two ways in: the editor's address in a new tab (the app
 * starts, from the navigation on), and the Edit link of the workflow's page (the app is
 * running, from the click on). The median and the slowest of `rounds` of each (after one
 * warm-up).
 */
export async function editorBenchmark(size = 300, rounds = 11): Promise<Row[]> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not at ${chromiumPath}: run \`node scripts/ensure-chromium.mjs\` or set CHROMIUM_PATH`,
    );
  }
  if (!existsSync(webIndex)) {
    throw new Error(
      'the web app is not built: run `pnpm build` (or `pnpm --filter @hookflow/web build`) first',
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-editor-bench-'));
  const port = await freePort();
  // Imported before the server starts (the CLI writes the data folder directly).
  const workflowId = await importInto(dataDir, port, largeWorkflow(size), { id: true });
  // The editor is for signed-in people: an owner made at start, signed in below.
  const server = await startHookflow({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOOKFLOW_ADMIN_EMAIL: BENCH_ADMIN.email,
    HOOKFLOW_ADMIN_PASSWORD: BENCH_ADMIN.password,
  });
  const base = `http://127.0.0.1:${server.port}`;
  // A browser that fails to start must not leave the server running (the benchmark would hang).
  const browser = await chromium
    .launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-dev-shm-usage',
      ],
    })
    .catch(async (error: unknown) => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
  try {
    const url = `${base}/workflows/${workflowId}/edit`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The session cookie lands in the context's cookie jar, which the page shares.
    const signedIn = await context.request.post(`${base}/trpc/auth.login`, {
      headers: { 'content-type': 'application/json', 'x-hookflow-csrf': '1' },
      data: BENCH_ADMIN,
    });
    if (!signedIn.ok()) throw new Error(`sign-in failed: ${await signedIn.text()}`);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    let cardsDrawn = 0;
    const middleEdge = edgeInto('transform_50');
    // From `started` (the navigation or the click that opens the editor): the fitted view drawn,
    // then a click on the card in its middle has opened its settings.
    const measure = async (started: number) => {
      // The card in the middle of the view is visible and the edge into it is there (the editor
      // draws only the cards in view). Locators, not waitForFunction: the app's CSP refuses the
      // eval that waitForFunction needs.
      await page
        .locator('[data-testid="node-card"][data-node-key="transform_50"]')
        .waitFor({ state: 'visible', timeout: 30_000 });
      await page
        .locator(`.react-flow__edge[data-id="${middleEdge}"]`)
        .waitFor({ state: 'attached', timeout: 30_000 });
      const drawn = performance.now();
      // A click on a card in the middle of the view, by its position (what a user does).
      const card = await page
        .locator('[data-testid="node-card"][data-node-key="transform_50"]')
        .boundingBox();
      if (!card) throw new Error('the card transform_50 is not drawn');
      await page.mouse.click(card.x + card.width / 2, card.y + card.height / 3);
      await page
        .locator('[data-testid="node-settings"][data-node-id="transform_50"]')
        .waitFor({ timeout: 30_000 });
      const ready = performance.now();
      // Counted after the measure: a question to the page between drawing and the click would
      // wait for the page and delay the click.
      cardsDrawn = await page.locator('.react-flow__node').count();
      return { open: drawn - started, interactive: ready - started };
    };
    // Its address opened in a new tab (a link, a bookmark, a reload): the app starts first.
    const loaded = { open: [] as number[], interactive: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      await page.goto('about:blank');
      const started = performance.now();
      await page.goto(url, { waitUntil: 'commit' });
      const times = await measure(started);
      // The first load fills the browser's caches; it is not counted.
      if (round === 0) continue;
      loaded.open.push(times.open);
      loaded.interactive.push(times.interactive);
    }
    // From the workflow's page, its Edit link: the app is running, as when one browses to it.
    const browsed = { open: [] as number[], interactive: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      await page.goto('about:blank');
      await page.goto(`${base}/workflows/${workflowId}`);
      const edit = page.getByTestId('edit-workflow');
      await edit.waitFor({ timeout: 30_000 });
      const started = performance.now();
      await edit.click();
      const times = await measure(started);
      if (round === 0) continue;
      browsed.open.push(times.open);
      browsed.interactive.push(times.interactive);
    }
    if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return Math.round(sorted[Math.floor(sorted.length / 2)]!);
    };
    const slowest = (values: number[]) => Math.round(Math.max(...values));
    const rowsOf = (how: string, times: typeof loaded) => [
      {
        benchmark: `editor: open a ${size}-node workflow, ${how} (headless Chromium; ${cardsDrawn} cards in view drawn)`,
        'median ms': median(times.open),
        'max ms': slowest(times.open),
        rounds,
      },
      {
        benchmark: `editor: ${size} nodes, ${how}, until a click opens a node's settings`,
        'median ms': median(times.interactive),
        'max ms': slowest(times.interactive),
        rounds,
      },
    ];
    return [...rowsOf('its address in a new tab', loaded), ...rowsOf('from its page', browsed)];
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
