import { readFileSync } from 'node:fs';
import { WORKFLOW_FORMAT } from '@hookflow/engine';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { card, startBrowserSession, until } from './harness.ts';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession();
}, 60_000);

afterAll(async () => {
  await session?.close();
});

const cardCount = (page: Page) => page.getByTestId('node-card').count();
const edgeCount = (page: Page) => page.locator('.react-flow__edge').count();

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('the element is not visible');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Webhook -> filter -> transform, placed badly on purpose. */
const document = {
  format: WORKFLOW_FORMAT,
  name: 'Copy source',
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
      id: 'filter_1',
      key: 'filter_1',
      type: 'filter',
      name: 'Only orders',
      config: {},
      position: { x: 40, y: 260 },
    },
    {
      id: 'transform_1',
      key: 'transform_1',
      type: 'transform',
      name: 'Shape',
      config: { mode: 'expression', expression: '{{ steps.filter_1 }}' },
      position: { x: 300, y: 120 },
    },
  ],
  edges: [
    { id: 'e1', source: 'trigger', target: 'filter_1' },
    { id: 'e2', source: 'filter_1', target: 'transform_1' },
  ],
  settings: {},
};

describe('canvas editing in a real browser', () => {
  it('multi-selects, copies and pastes (also into another workflow), quick-adds and arranges', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const source = await api.workflows.import.mutate({ document });
    const target = await api.workflows.import.mutate({
      document: { ...document, name: 'Paste target', nodes: [document.nodes[0]!], edges: [] },
    });
    await page.goto(session.url(`/workflows/${source.id}/edit`));
    await card(page, 'transform_1').waitFor();

    // Auto-layout: left to right along the edges, one undo step.
    await page.getByTestId('auto-layout').click();
    await until(async () => {
      const [a, b, c] = await Promise.all(
        ['trigger', 'filter_1', 'transform_1'].map(
          async (key) => (await centre(card(page, key))).x,
        ),
      );
      return a! < b! && b! < c!;
    });
    await session.screenshot('editor-auto-layout');

    // Shift-click adds to the selection; the panel offers to delete both.
    await card(page, 'filter_1').click();
    await card(page, 'transform_1').click({ modifiers: ['Shift'] });
    await page.getByTestId('many-selected').waitFor();
    expect(await page.getByTestId('delete-selected').textContent()).toBe('Delete 2 nodes');

    // Copy and paste: fresh keys, the edge between them, the reference renamed.
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await card(page, 'transform_2').waitFor();
    expect(await cardCount(page)).toBe(5);
    expect(await edgeCount(page)).toBe(3);
    await page.getByTestId('editor-canvas').click({ position: { x: 10, y: 10 } });
    await card(page, 'transform_2').click();
    expect(
      await page.getByTestId('expression-expression').locator('.cm-content').textContent(),
    ).toBe('{{ steps.filter_2 }}');
    await session.screenshot('editor-pasted');

    // Box selection (shift + drag over the whole canvas) and Delete; undo brings all back.
    const canvas = (await page.getByTestId('editor-canvas').boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(canvas.x + 5, canvas.y + 5);
    await page.mouse.down();
    await page.mouse.move(canvas.x + canvas.width - 5, canvas.y + canvas.height - 120, {
      steps: 10,
    });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.getByTestId('many-selected').waitFor();
    expect(await page.locator('.react-flow__node.selected').count()).toBe(5);
    await page.keyboard.press('Delete');
    await until(async () => (await cardCount(page)) === 0);
    await page.keyboard.press('Control+z');
    await until(async () => (await cardCount(page)) === 5);
    expect(await edgeCount(page)).toBe(3);

    // The paste was one edit too.
    await page.keyboard.press('Control+z');
    await until(async () => (await cardCount(page)) === 3);
    expect(await edgeCount(page)).toBe(2);

    // Quick-add: an edge dropped on empty canvas offers the node types there.
    await card(page, 'transform_1').click();
    const handle = await centre(page.getByTestId('source-handle-transform_1-main'));
    await page.mouse.move(handle.x, handle.y);
    await page.mouse.down();
    await page.mouse.move(handle.x + 60, handle.y + 150, { steps: 10 });
    await page.mouse.up();
    await page.getByTestId('quick-add').waitFor();
    await session.screenshot('editor-quick-add');
    await page.getByTestId('quick-add-search').fill('http');
    await page.getByTestId('quick-add-http-request').click();
    await card(page, 'http_request_1').waitFor();
    expect(await edgeCount(page)).toBe(3);
    await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
    const saved = await api.workflows.get.query({ id: source.id });
    expect(saved.document.edges.at(-1)).toMatchObject({
      source: 'transform_1',
      target: 'http_request_1',
    });

    // Into another workflow: its trigger stays the only one.
    await card(page, 'filter_1').click();
    await card(page, 'transform_1').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    await page.goto(session.url(`/workflows/${target.id}/edit`));
    await card(page, 'trigger').waitFor();
    await page.getByTestId('editor-canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+v');
    await card(page, 'transform_1').waitFor();
    expect(await cardCount(page)).toBe(2 + 1);
    expect(await edgeCount(page)).toBe(1);
    await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
    const pasted = await api.workflows.get.query({ id: target.id });
    expect(pasted.document.nodes.map((node) => node.key)).toEqual([
      'trigger',
      'filter_1',
      'transform_1',
    ]);
    expect(session.consoleErrors).toEqual([]);
  }, 90_000);

  it('exports the draft to a file that imports back as the same workflow', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    // Valid, so that the import (which publishes) accepts it.
    const original = await api.workflows.import.mutate({
      document: {
        ...document,
        name: 'Round trip',
        nodes: [
          document.nodes[0]!,
          {
            ...document.nodes[2]!,
            config: { mode: 'expression', expression: '{{ trigger.body }}' },
          },
        ],
        edges: [{ id: 'e1', source: 'trigger', target: 'transform_1' }],
      },
    });
    await page.goto(session.url(`/workflows/${original.id}/edit`));
    await card(page, 'transform_1').waitFor();
    // An unsaved rename is part of the export.
    await page.getByTestId('workflow-name-input').fill('Round trip, renamed');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-workflow').click(),
    ]);
    expect(download.suggestedFilename()).toBe('round-trip-renamed.hookflow.json');
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    expect(exported.name).toBe('Round trip, renamed');
    expect(exported.format).toBe(WORKFLOW_FORMAT);

    await page.goto(session.url('/'));
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-trigger-url').waitFor();
    const list = await api.workflows.list.query();
    const copy = list.find(
      (workflow) => workflow.name === 'Round trip, renamed' && workflow.id !== original.id,
    )!;
    expect(copy).toBeDefined();
    const [before, after] = await Promise.all([
      api.workflows.get.query({ id: original.id }),
      api.workflows.get.query({ id: copy.id }),
    ]);
    expect(after.document).toEqual(before.document);
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
  it('draws cards far out with their icon and name only, at the same size', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const workflow = await api.workflows.import.mutate({
      document: { ...document, name: 'Far out' },
    });
    await page.goto(session.url(`/workflows/${workflow.id}/edit`));
    const transform = card(page, 'transform_1');
    await transform.getByTestId('node-summary').waitFor();
    const zoomOf = async () =>
      Number(
        /scale\(([\d.]+)\)/.exec(
          await page
            .locator('.react-flow__viewport')
            .evaluate((element) => (element as HTMLElement).style.transform),
        )?.[1],
      );
    // The size in workflow units: the box on screen over the zoom.
    const size = async () => {
      const box = (await transform.boundingBox())!;
      const zoom = await zoomOf();
      return { width: box.width / zoom, height: box.height / zoom };
    };
    const near = await size();
    expect(await transform.locator('.node-card-key').textContent()).toBe('transform_1');

    // Zoomed out below half size: no key, no summary; the name stays, and the card keeps its size.
    while ((await zoomOf()) >= 0.5) {
      await page.locator('.react-flow__controls-zoomout').click();
    }
    await until(async () => (await transform.getAttribute('data-detail')) === 'compact');
    expect(await transform.locator('.node-card-key').count()).toBe(0);
    expect(await transform.getByTestId('node-summary').count()).toBe(0);
    expect(await transform.locator('.node-card-name').textContent()).toBe('Shape');
    const far = await size();
    expect(far.width).toBeCloseTo(near.width, 0);
    expect(far.height).toBeCloseTo(near.height, 0);
    await session.screenshot('editor-far-out');

    // Back in: the details again.
    while ((await zoomOf()) < 0.5) {
      await page.locator('.react-flow__controls-zoomin').click();
    }
    await transform.getByTestId('node-summary').waitFor();
    expect(await transform.getAttribute('data-detail')).toBeNull();
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);

  it('shows the whole workflow in the overview, and moves the view by dragging in it', async () => {
    const { page } = session;
    const { api } = session.hookflow;
    const workflow = await api.workflows.import.mutate({
      document: { ...document, name: 'Overview' },
    });
    await page.goto(session.url(`/workflows/${workflow.id}/edit`));
    await card(page, 'transform_1').waitFor();
    const overview = page.getByTestId('overview-map');
    const shapes = async (testId: string) =>
      ((await page.getByTestId(testId).getAttribute('d')) ?? '').split('M').length - 1;
    // One rounded rectangle per node; a selected node is drawn apart.
    await until(async () => (await shapes('overview-map-nodes')) === 3);
    await card(page, 'filter_1').click();
    await until(
      async () =>
        (await shapes('overview-map-nodes')) === 2 && (await shapes('overview-map-selected')) === 1,
    );

    // Dragging up in the overview moves the frame of the view up the workflow: the cards go down.
    const viewport = page.locator('.react-flow__viewport');
    const transform = () =>
      viewport.evaluate((element) => (element as HTMLElement).style.transform);
    const zoomOf = async () => Number(/scale\(([\d.]+)\)/.exec(await transform())?.[1]);
    const before = await transform();
    const cardBefore = await centre(card(page, 'trigger'));
    // A pixel of the overview is this many workflow units (its view box over its 200 pixels).
    const viewBox = ((await overview.getAttribute('viewBox')) ?? '').split(' ').map(Number);
    const unitsPerPixel = viewBox[2]! / 200;
    const box = (await overview.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 20, { steps: 4 });
    await page.mouse.up();
    expect(await transform()).not.toBe(before);
    const cardAfter = await centre(card(page, 'trigger'));
    // The frame follows the pointer: 20 overview pixels, as many workflow units as they show,
    // drawn at the canvas's zoom.
    expect(cardAfter.y - cardBefore.y).toBeCloseTo(20 * unitsPerPixel * (await zoomOf()), 0);

    // The wheel over it zooms the canvas.
    const zoomBefore = await zoomOf();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -200);
    await until(async () => (await zoomOf()) > zoomBefore);
    await session.screenshot('editor-overview');
    expect(session.consoleErrors).toEqual([]);
  }, 60_000);
});
